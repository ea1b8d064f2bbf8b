"""The ID-document step before qualification: which high-trust document was checked.

The rules forbid a pre-selected document (EXI ID 19): the secretary must press the
number of the document she actually held. Enter only confirms a choice already made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ins_tui.tui.widgets.banner import banner_of

DIGITS = "1234567890"


class DocumentStep(ModalScreen[str | None]):
    """Dismisses with the chosen document code, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Valider", id="document.confirm"),
        Binding("escape", "cancel", "Annuler", id="document.cancel"),
        *(
            Binding(digit, f"pick({index})", show=False, id=f"document.pick{digit}")
            for index, digit in enumerate(DIGITS)
        ),
    ]

    def __init__(self, documents: Sequence[tuple[str, str]], *, patient_label: str) -> None:
        super().__init__()
        self._documents = list(documents)[: len(DIGITS)]
        self._patient_label = patient_label
        self.chosen: int | None = None

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body", id="document-step"):
            yield Static("Pièce d'identité contrôlée", classes="modal-title")
            yield Static(
                f"Patient : {self._patient_label}\n"
                "Quelle pièce d'identité à haut niveau de confiance avez-vous vue ?",
                markup=False,
            )
            yield Static(self._render_list(), id="document-list", markup=False)
            yield Static(
                "Aucune pièce choisie : tapez son numéro.", id="document-hint", markup=False
            )
            yield Static("1-9 : choisir   Entrée : qualifier   Échap : annuler",
                         classes="modal-keys", markup=False)

    def _render_list(self) -> str:
        lines = []
        for index, (code, label) in enumerate(self._documents):
            mark = "[x]" if index == self.chosen else "[ ]"
            lines.append(f" {DIGITS[index]}  {mark} {label} ({code})")
        return "\n".join(lines)

    def action_pick(self, index: int) -> None:
        if index >= len(self._documents):
            self.query_one("#document-hint", Static).update(
                f"Pas de pièce n° {DIGITS[index]} dans la liste."
            )
            return
        self.chosen = index
        self.query_one("#document-list", Static).update(self._render_list())
        self.query_one("#document-hint", Static).update(
            f"Choisi : {self._documents[index][1]}. Entrée pour qualifier l'identité."
        )

    def action_confirm(self) -> None:
        if self.chosen is None:
            self.query_one("#document-hint", Static).update(
                "Choisissez d'abord la pièce vue (touche 1 à "
                f"{DIGITS[len(self._documents) - 1]}) : aucune n'est présélectionnée."
            )
            return
        self.dismiss(self._documents[self.chosen][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
