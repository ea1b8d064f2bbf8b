"""Before creating a patient who may already be known: open the existing record instead.

A duplicate identity is the worst outcome at a front desk (identity-rules §15.7), so when
the desk finds close patients the secretary gets the candidates with the safe choice
first: open the existing record (o or Entrée on the highlighted one), create anyway
(c — journaled with the candidates), or go back to the form with everything kept (Échap).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ins_tui.tui.widgets.banner import banner_of

OPEN = "open"
CREATE = "create"


class DuplicateModal(ModalScreen[tuple[str, int | None] | None]):
    """Dismisses with (OPEN, patient id), (CREATE, None), or None (back to the form)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_existing", "Ouvrir l'existant", id="duplicate.open",
                tooltip="Ouvrir la fiche existante surlignée (aussi Entrée)"),
        Binding("c", "create_anyway", "Créer quand même", id="duplicate.create",
                tooltip="Créer une nouvelle fiche (homonyme) ; noté au journal"),
        Binding("escape", "cancel", "Annuler", id="duplicate.cancel",
                tooltip="Revenir à la saisie sans rien créer"),
    ]

    def __init__(self, duplicates: Sequence[Any]) -> None:
        super().__init__(id="duplicate-modal")
        self.duplicates = list(duplicates)

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body"):
            yield Static("Patient déjà connu ?", classes="modal-title", markup=False)
            yield Static("Ce patient ressemble à une fiche existante. Ouvrir la fiche "
                         "existante évite un doublon.", markup=False)
            yield OptionList(
                *(Option(f"{d.label_fr} — {d.reason_fr}", id=str(i))
                  for i, d in enumerate(self.duplicates)),
                id="duplicate-options",
            )
            yield Static("o ou Entrée : ouvrir la fiche surlignée   c : créer quand même   "
                         "Échap : revenir à la saisie", classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.duplicates else None
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss((OPEN, self.duplicates[int(event.option.id or 0)].patient_id))

    def action_open_existing(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and self.duplicates:
            self.dismiss((OPEN, self.duplicates[index].patient_id))

    def action_create_anyway(self) -> None:
        self.dismiss((CREATE, None))

    def action_cancel(self) -> None:
        self.dismiss(None)
