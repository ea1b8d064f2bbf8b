"""More criteria for an INSi traits search after CR 01 / CR 02: every birth first name
from the ID document and the birthplace code (the BRET follow-up, insi-contract §5.2)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ins_tui.tui.console_look import glyphs
from ins_tui.tui.screens.place_picker import PlacePicker, looks_like_a_name, name_hint
from ins_tui.tui.widgets.banner import banner_of


class CriteriaModal(ModalScreen[tuple[str | None, str | None] | None]):
    """Dismisses with (birthplace, first_names), normalised by the domain, or None."""
    CSS_PATH = "criteria.tcss"  # its own styles, beside it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="criteria.cancel"),
        Binding("ctrl+s,f10", "submit", "Rechercher", id="criteria.submit"),
        Binding("f4", "pick_place", "Lieu par son nom", id="criteria.place",
                tooltip="Chercher le lieu de naissance par son nom (commune ou pays)"),
        Binding("down", "app.focus_next", "Champ suivant", show=False, priority=True,
                id="criteria.next"),
        Binding("up", "app.focus_previous", "Champ précédent", show=False, priority=True,
                id="criteria.previous"),
    ]

    def __init__(self, traits: Any, why: str = "") -> None:
        super().__init__()
        self._traits = traits
        self._why = why

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body", id="criteria"):
            who = ""
            if self._traits is not None:
                from ins_tui.tui import format as fmt

                who = " — " + fmt.person_name(self._traits.birth_name,
                                              self._traits.first_first_name)
            yield Static("Recherche INS avec plus de critères" + who, classes="modal-title",
                         markup=False)
            if self._why:
                yield Static(self._why, id="c-why", markup=False)
            yield Label("Lieu de naissance : nom (Entrée : liste) ou code COG (pas le code "
                        "postal) :")
            yield Input(getattr(self._traits, "birthplace", "") or "", id="c-birthplace")
            yield Static("", id="c-birthplace-fb", classes="form-feedback", markup=False)
            yield Label("Tous les prénoms de naissance (pièce d'identité) :")
            yield Input(getattr(self._traits, "first_names", "") or "", id="c-first-names")
            yield Static("", id="c-first-names-fb", classes="form-feedback", markup=False)
            yield Static("Entrée ou Ctrl+S : rechercher   Échap : annuler",
                         classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#c-birthplace", Input).focus()
        self._check()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._check()

    def _check(self) -> tuple[str | None, str | None, bool]:
        from ins_tui.domain.cog import check_birthplace
        from ins_tui.domain.names import NameKind, normalise_name

        names_text = self.query_one("#c-first-names", Input).value
        place_text = self.query_one("#c-birthplace", Input).value
        names = normalise_name(names_text, NameKind.FIRST_NAMES) if names_text.strip() else None
        place, place_problems = check_birthplace(place_text)
        ok = True
        names_fb = self.query_one("#c-first-names-fb", Static)
        if names is None:
            _feedback(names_fb, "")
        elif names.value is None:
            ok = False
            _feedback(names_fb, _first_error(names.problems), error=True)
        else:
            _feedback(names_fb, f"{glyphs().ok} {names.value}")
        place_fb = self.query_one("#c-birthplace-fb", Static)
        errors = [p for p in place_problems if p.severity == "error"]
        if looks_like_a_name(place_text):
            ok = False
            _feedback(place_fb, name_hint(place_text))
        elif errors:
            ok = False
            _feedback(place_fb, _first_error(errors), error=True)
        else:
            _feedback(place_fb, f"{glyphs().ok} {place}" if place else "")
        return place, (names.value if names else None), ok

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "c-birthplace" and looks_like_a_name(event.value):
            self.action_pick_place()
        else:
            self.action_submit()

    def action_pick_place(self) -> None:
        place = self.query_one("#c-birthplace", Input)
        text = place.value if looks_like_a_name(place.value) else ""

        def picked(code: str | None) -> None:
            place.focus()
            if code:
                place.value = code

        self.app.push_screen(PlacePicker(text), picked)

    def action_submit(self) -> None:
        place, names, ok = self._check()
        if not ok:
            return
        # What the first search already used is no new criterion (the desk reuses it).
        if names == (getattr(self._traits, "first_names", None) or None):
            names = None
        if place == (getattr(self._traits, "birthplace", None) or None):
            place = None
        if not place and not names:
            _feedback(
                self.query_one("#c-birthplace-fb", Static),
                f"{glyphs().bad} Indiquez au moins un critère nouveau : le lieu de naissance, "
                "ou tous les prénoms de naissance lus sur la pièce d'identité.", error=True,
            )
            return
        self.dismiss((place, names))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _feedback(line: Static, text: str, *, error: bool = False) -> None:
    line.update(text)
    line.set_classes("form-feedback" + (" -error" if error else ""))
    line.display = bool(text)


def _first_error(problems: list) -> str:
    """One message at a time keeps the modal within 24 lines; the count says if more."""
    errors = [p for p in problems if p.severity == "error"] or problems
    more = f" (+{len(errors) - 1} autre(s))" if len(errors) > 1 else ""
    return f"{glyphs().bad} {errors[0].message}{more}"
