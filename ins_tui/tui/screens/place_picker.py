"""Find a birthplace by its name and get its COG code.

An ID card says « CLERMONT-FERRAND (63) » or « ESPAGNE », never « 63113 » or « 99134 »:
asking the secretary for the code would have her look it up elsewhere or guess, and a
wrong birthplace is a wrong strict trait. She types the start of the name, the list shows
each place with its department and its code (two communes often share a name), and
Enter puts the code in the field she came from.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ins_tui.tui.widgets.banner import banner_of

SHOWN = 50  # more than a screen: narrowing the name is quicker than scrolling


def looks_like_a_name(text: str) -> bool:
    """Two letters or more: a name to look up (a COG code holds at most one, the A or B of
    a Corsican department)."""
    return sum(c.isalpha() for c in text) >= 2


def name_hint(text: str) -> str:
    """What the field under a typed name says: where Enter leads (one wording for both
    the patient form and the more-criteria search)."""
    return f"! Entrée ou F4 : chercher « {text.strip()} » parmi les communes et les pays"


def place_label(place: Any) -> str:
    """« Clermont-Ferrand (63) · 63113 »; the kind is said when it is not a commune."""
    code = place.code
    where = ""
    if not code.startswith("99"):
        where = f" ({code[:3] if code[:2] in ('97', '98') else code[:2]})"
    from ins_tui.refdata import KIND_FR

    kind = KIND_FR.get(place.kind, "")
    return f"{place.name}{where}" + (f" · {kind}" if kind else "") + f" · {code}"


class PlacePicker(ModalScreen[str | None]):
    """Dismisses with the chosen COG code, or None on Échap."""
    CSS_PATH = "place_picker.tcss"  # its own styles, beside it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="place.cancel",
                tooltip="Revenir sans choisir de lieu"),
        Binding("down", "to_list", "Aller à la liste", show=False, id="place.list",
                tooltip="Passer de la saisie à la liste des lieux"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._text = text
        self._codes: list[str] = []

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body", id="place-picker"):
            yield Static("Lieu de naissance : chercher par le nom", classes="modal-title",
                         markup=False)
            yield Static("Commune, ou pays si né·e à l'étranger, comme sur la pièce "
                         "d'identité :", markup=False)
            yield Input(self._text, id="place-input", placeholder="ex. Clermont-Ferrand")
            yield OptionList(id="place-options")
            yield Static("", id="place-count", markup=False)
            yield Static("↓ : liste   Entrée : choisir   Échap : annuler",
                         classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#place-input", Input).focus()
        self._refresh_list()

    @on(Input.Changed, "#place-input")
    def _typed(self) -> None:
        self._refresh_list()

    def _refresh_list(self) -> None:
        from ins_tui.refdata import load_cog

        text = self.query_one("#place-input", Input).value
        found = load_cog().find(text, limit=SHOWN + 1) if text.strip() else []
        options = self.query_one("#place-options", OptionList)
        options.clear_options()
        self._codes = [place.code for place in found[:SHOWN]]
        options.add_options([Option(place_label(place)) for place in found[:SHOWN]])
        if self._codes:
            options.highlighted = 0
        count = self.query_one("#place-count", Static)
        if not text.strip():
            count.update("Tapez le début du nom.")
        elif not found:
            count.update("Aucun lieu de ce nom : vérifiez l'orthographe (sans le "
                         "département), ou le pays pour une naissance à l'étranger.")
        elif len(found) > SHOWN:
            count.update(f"Plus de {SHOWN} lieux : tapez la suite du nom.")
        else:
            count.update(f"{len(found)} lieu(x).")

    def action_to_list(self) -> None:
        if self._codes:
            self.query_one("#place-options", OptionList).focus()

    @on(Input.Submitted, "#place-input")
    def _submitted(self) -> None:
        """Enter in the name field takes the highlighted place (the first one by default)."""
        options = self.query_one("#place-options", OptionList)
        if options.highlighted is not None and self._codes:
            self.dismiss(self._codes[options.highlighted])

    @on(OptionList.OptionSelected, "#place-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._codes[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
