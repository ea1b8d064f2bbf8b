"""Create or edit a patient, with live validation: each keystroke shows what will be saved.

The rules (transliteration, INSi character set, dates, COG) are the domain's, reached
through `desk.check_form`; this screen only places each French message under the field
it concerns. Nothing is written until Ctrl+S, and a refused save keeps every value typed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Static

from ins_tui.domain.model import TRAIT_LABELS_FR
from ins_tui.domain.names import MAX_LENGTH, NameKind, normalise_name
from ins_tui.tui import format as fmt
from ins_tui.tui.console_look import glyphs
from ins_tui.tui.messages import ActionDone, unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.screens.place_picker import PlacePicker, looks_like_a_name, name_hint
from ins_tui.tui.widgets.footer import DeskFooter

# (field, label, placeholder): labels are the domain's one list (TRAIT_LABELS_FR), with
# the expected form added where typing it wrong is common.
FIELDS: tuple[tuple[str, str, str], ...] = tuple(
    (name, TRAIT_LABELS_FR[name] + suffix, placeholder)
    for name, suffix, placeholder in (
        ("birth_name", "", "ex. DUPONT"),
        ("first_names", "", "tous, dans l'ordre"),
        ("first_name", "", "vide = le 1er de la liste"),
        ("sex", " (F/M)", "F ou M"),
        ("birth_date", "", "JJ/MM/AAAA"),
        ("birthplace", "", "nom (Entrée : liste) ou code COG"),
        ("used_name", "", "si différent"),
        ("used_first_name", "", "si différent"),
    )
)
# The longest text a paste may put in a field (F10): the names' own maxima, a date as
# JJ/MM/AAAA, a sex word (« masculin »), a place name (the longest commune has 45 letters).
PASTE_LIMITS: dict[str, int] = {
    **{kind.value: MAX_LENGTH[kind] for kind in NameKind}, "sex": 10, "birth_date": 10,
    "birthplace": 60,
}
NAME_FIELDS = frozenset(kind.value for kind in NameKind)
# Traits without which the desk cannot search INSi: a card lacking one opens this form.
REQUIRED = ("birth_name", "first_names", "sex", "birth_date")
MISSING_FR = {
    "birth_name": "nom de naissance absent {source} : saisissez-le",
    "first_names": "prénoms absents {source} : saisissez-les",
    "sex": "sexe absent {source} : choisissez F ou M",
    "birth_date": "date de naissance absente {source} : saisissez-la (JJ/MM/AAAA)",
}


class FormInput(Input):
    """A form field whose paste stays in it (F10): one line, at most `limit` characters.

    Textual's Input keeps a paste's first line only (a tab inside it too): a row copied
    from a spreadsheet lost its end without a word. Here line breaks and tabs become
    spaces, the text is cut at the field's maximum, and each change is said.
    """

    def __init__(self, *, limit: int, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit
        self.label = label

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own paste (first line only) as well
        event.stop()
        flat = " ".join(event.text.split())
        notes = []
        if flat != event.text.strip(" "):
            notes.append("collé sur une ligne (retours à la ligne et tabulations en espaces)")
        start, end = sorted(self.selection)
        room = max(self.limit - (len(self.value) - (end - start)), 0)
        if len(flat) > room:
            notes.append(f"collage coupé à {self.limit} caractères ({len(flat)} collés) : "
                         "vérifiez la fin")
            flat = flat[:room]
        if flat:
            self.replace(flat, start, end)
        say = getattr(self.screen, "say", None)
        if notes and say is not None:
            say(f"{self.label} : " + " ; ".join(notes) + ".")


class PatientForm(DeskScreen):
    CSS_PATH = "patient_form.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,f10", "save", "Enregistrer", id="form.save",
                tooltip="Enregistrer le patient (Ctrl+S ou F10)"),
        Binding("escape", "cancel", "Annuler", id="form.cancel",
                tooltip="Fermer sans enregistrer (demande si la fiche a été modifiée)"),
        Binding("f4", "pick_place", "Lieu par son nom", id="form.place",
                tooltip="Chercher le lieu de naissance par son nom (commune ou pays)"),
        Binding("enter", "next_field", "Champ suivant (au dernier : enregistrer)", show=False,
                priority=True, id="form.enter"),
        Binding("down", "app.focus_next", "Champ suivant (ou Tab)", show=False,
                priority=True, id="form.next"),
        Binding("up", "app.focus_previous", "Champ précédent", show=False, priority=True,
                id="form.previous"),
        # Tab as a priority binding too (F10): otherwise it travels through the field and
        # back up to the app behind the letters typed before it, and the letters typed
        # after it, already routed, land in the field it was leaving.
        Binding("tab", "app.focus_next", "Champ suivant", show=False, priority=True,
                id="form.tab"),
        Binding("shift+tab", "app.focus_previous", "Champ précédent", show=False,
                priority=True, id="form.shift_tab"),
    ]

    def __init__(self, patient_id: int | None = None, *, initial: Any = None,
                 then_search: bool = False) -> None:
        super().__init__(id="patient-form")
        self.patient_id = patient_id
        self._initial = initial
        self._then_search = then_search
        self._tried_save = False
        self._locked: frozenset[str] = frozenset()
        self._baseline: dict[str, str] = {}  # the values shown at opening (F8)

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        title = "Nouveau patient" if self.patient_id is None else "Modifier le patient"
        with VerticalScroll(id="form-body"):
            yield Static(title, classes="modal-title", markup=False)
            for name, label, placeholder in FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield FormInput(placeholder=placeholder, id=f"f-{name}",
                                    limit=PASTE_LIMITS[name], label=label)
                yield Static("", id=f"fb-{name}", classes="form-feedback", markup=False)
            yield Static("", id="form-summary", markup=False)
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        desk = self.desk_app.desk
        # A card's (or a scan's) prepared identity carries where its traits come from.
        traits = getattr(self._initial, "traits", self._initial)
        if self.patient_id is not None:
            record = desk.get_patient(self.patient_id)
            traits = record.traits if record is not None else None
            self._locked = frozenset(desk.locked_fields(self.patient_id))
        if traits is not None:
            for name, _, _ in FIELDS:
                value = getattr(traits, name, None)
                text = str(getattr(value, "value", value)) if value else ""
                if name == "birth_date" and text:
                    year, month, day = text.split("-")
                    text = f"{day}/{month}/{year}"
                self.query_one(f"#f-{name}", Input).value = text
        for name in self._locked:
            field = self.query_one(f"#f-{name}", Input)
            field.disabled = True
            locked = self.query_one(f"#fb-{name}", Static)
            locked.update("verrouillé (venu de l'INSi) : « u » sur l'identité pour déverrouiller")
            locked.display = True
        first = next(
            (f for f in self.query(Input) if not f.disabled), None
        )
        check = self._check() if traits is not None else None
        if check is not None and hasattr(self._initial, "traits"):  # a card's identity
            first = self._explain_source(check) or first
        if first is not None:
            first.focus()
        self._baseline = self._values()

    def _explain_source(self, check: Any) -> Input | None:
        """A card opened the form (F1): say which traits it lacks or has wrong, and give
        the first of them the cursor, so the first key typed fills it rather than
        replacing a name read from the card. Returns that field (None: nothing to say)."""
        prepared = self._initial
        source = "du datamatrix" if getattr(prepared, "beneficiary", None) is None \
            else "de la carte"
        values = self._values()
        errors = {p.field: p.message for p in reversed(check.errors)}
        said: list[tuple[str, str]] = []
        for name, label, _ in FIELDS:
            if name in REQUIRED and not values[name].strip():
                said.append((name, MISSING_FR[name].format(source=source)))
            elif name in errors and values[name].strip():
                said.append((name, f"{label.lower()} {source} à corriger : {errors[name]}"))
        born = getattr(getattr(prepared, "beneficiary", None), "birth_date", None)
        raw = str(getattr(born, "raw", ""))
        if getattr(born, "lunar", False) and values["birth_date"]:
            shown = f"{raw[6:]}/{raw[4:6]}/{raw[:4]}" if len(raw) == 8 else raw
            said.append(("birth_date", f"date de naissance {source} hors calendrier "
                         f"({shown}), complétée en {values['birth_date']} : vérifiez-la"))
        if not said:
            return None
        sentence = " ; ".join(text for _, text in said)
        self.say(sentence[0].upper() + sentence[1:] + ".")
        return self.query_one(f"#f-{said[0][0]}", Input)

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name, _, _ in FIELDS}

    def form(self) -> Any:
        from ins_tui.domain.traits import TraitsInput

        return TraitsInput(**self._values())

    @on(Input.Changed)
    def _changed(self) -> None:
        self._check()

    def _check(self) -> Any:
        check = self.desk_app.desk.check_form(self.form())
        marks = glyphs()  # the plain look's words on a Linux console (F11)
        by_field: dict[str, list[Any]] = {}
        for problem in check.problems:
            by_field.setdefault(problem.field, []).append(problem)
        for name, _, _ in FIELDS:
            feedback = self.query_one(f"#fb-{name}", Static)
            if name in self._locked:
                continue
            problems = by_field.get(name, [])
            typed = self.query_one(f"#f-{name}", Input).value.strip()
            if name == "birthplace" and looks_like_a_name(typed):
                # A name, not a malformed code: say where Enter leads, not "mal formé".
                feedback.display = True
                feedback.update(name_hint(typed))
                feedback.set_classes("form-feedback -warning")
                continue
            errors = [p for p in problems if p.severity == "error"]
            if not typed and (not errors or not self._tried_save):
                # An empty field is not an error while the secretary is still typing.
                feedback.update("")
                feedback.set_classes("form-feedback")
                feedback.display = False
                continue
            feedback.display = True
            if problems:
                shown = errors or problems
                more = f" (+{len(shown) - 1})" if len(shown) > 1 else ""
                mark = f"{marks.bad} " if errors else f"{marks.warn} "
                feedback.update(mark + shown[0].message + more)
                feedback.set_classes("form-feedback " + ("-error" if errors else "-warning"))
            elif check.traits is not None or name in NAME_FIELDS:
                # A name shows its saved form even while other fields are incomplete.
                value = getattr(check.traits, name, None) if check.traits is not None \
                    else normalise_name(typed, NameKind(name)).value
                shown_value = getattr(value, "value", value) or ""
                if name == "birth_date" and shown_value:
                    shown_value = fmt.date_fr(str(shown_value))  # as she types it, not ISO
                feedback.update(f"{marks.ok} {shown_value}")
                feedback.set_classes("form-feedback")
            else:
                feedback.update(marks.ok)
                feedback.set_classes("form-feedback")
        return check

    def say(self, text: str) -> None:
        self.set_line("status-line", text)

    def action_cancel(self) -> None:
        """Échap: close at once when nothing was changed; otherwise ask, naming the fields
        changed (F8). « Non » (or Échap again) gives the form back as typed, cursor kept."""
        from ins_tui.tui.screens.confirm import ConfirmModal

        values = self._values()
        changed = [label.lower() for name, label, _ in FIELDS
                   if values[name] != self._baseline.get(name, "")]
        if not changed:
            self.app.pop_screen()
            return
        where = self.app.focused

        def answered(give_up: bool | None) -> None:
            if give_up:
                self.app.pop_screen()
            elif where is not None and where.is_attached:
                where.focus()

        self.app.push_screen(ConfirmModal(
            f"Modifié : {', '.join(changed)}.\nCe qui a été saisi sera perdu.",
            title="Abandonner les modifications ?",
            keys="o : abandonner    n ou Échap : revenir à la fiche"), answered)

    def action_next_field(self) -> None:
        """Enter moves on like Tab (a binding, so fast typing keeps its order); on the
        last field it saves."""
        inputs = [f for f in self.query(Input) if not f.disabled]
        place = self.query_one("#f-birthplace", Input)
        if self.app.focused is place:
            # The letters typed just before this Enter may still wait in the field's own
            # queue (a binding runs ahead of them): look at its value only once they are
            # in, by queueing the look behind them. Focus moves on now, so type-ahead
            # keeps going to the next field.
            place.call_later(self._place_entered)
        if inputs and self.app.focused is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def _place_entered(self) -> None:
        if looks_like_a_name(self.query_one("#f-birthplace", Input).value):
            self.action_pick_place()

    def action_pick_place(self) -> None:
        place = self.query_one("#f-birthplace", Input)
        if place.disabled:
            self.say("Lieu de naissance verrouillé (venu de l'INSi).")
            return
        text = place.value if looks_like_a_name(place.value) else ""

        def picked(code: str | None) -> None:
            place.focus()
            if code:
                place.value = code
                self.focus_next()

        self.app.push_screen(PlacePicker(text), picked)

    def action_save(self) -> None:
        self._tried_save = True
        check = self._check()
        if not check.ok:
            labels = dict((name, label) for name, label, _ in FIELDS)
            fields = sorted({p.field for p in check.errors}, key=list(labels).index
                            if all(p.field in labels for p in check.errors) else str)
            named = ", ".join(labels.get(f, f).lower() for f in fields) or "traits incomplets"
            self.say(f"Enregistrement impossible, à corriger : {named} (rien n'est perdu).")
            return
        # Never a silent duplicate: a close patient is always asked about (DuplicateModal).
        self._save(self.form(), False)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, form: Any, accept_duplicates: bool) -> None:
        desk = self.desk_app.desk
        if self.patient_id is None:
            outcome = desk.create_patient(form, accept_duplicates=accept_duplicates)
        else:
            outcome = desk.edit_patient(self.patient_id, form)
        self.post_message(ActionDone(outcome))

    def _ask_duplicates(self, duplicates: list[Any]) -> None:
        """Open the existing patient rather than create a duplicate (the safe default)."""
        from ins_tui.tui.screens.duplicates import CREATE, OPEN, DuplicateModal

        def answered(choice: tuple[str, int | None] | None) -> None:
            if choice is None:
                self.say("Rien n'a été créé : la saisie est conservée.")
                return
            kind, existing = choice
            if kind == OPEN and existing is not None:
                self.app.pop_screen()
                self.desk_app.after_patient_saved(
                    existing, "Fiche existante ouverte : aucun doublon créé.",
                    search=False)
            elif kind == CREATE:
                self._save(self.form(), True)

        self.app.push_screen(DuplicateModal(duplicates), answered)

    @on(ActionDone)
    @unless_closing
    def _saved(self, message: ActionDone) -> None:
        message.stop()
        outcome = message.outcome
        summary = self.query_one("#form-summary", Static)
        duplicates = getattr(outcome, "duplicates", None) or []
        if self.patient_id is None and outcome.patient_id is None:
            if duplicates:
                summary.update(
                    "Attention, patient(s) proche(s) déjà connu(s) :\n"
                    + "\n".join(f"  • {d.label_fr} — {d.reason_fr}" for d in duplicates)
                )
                self._ask_duplicates(duplicates)
            self.say(outcome.message_fr)
            return
        if self.patient_id is not None and not outcome.ok:
            self.say(outcome.message_fr)
            return
        patient_id = self.patient_id if self.patient_id is not None else outcome.patient_id
        self.app.pop_screen()
        self.desk_app.after_patient_saved(patient_id, outcome.message_fr,
                                          search=self._then_search)
