"""One patient's identity: what is happening with INSi, the comparison, and the next key.

Opened by a card insertion (the INSi search starts on mount, no key pressed), from the
list (Enter) or a search. The screen always says in one line what is going on and in one
line what the secretary can do next; every choice is a key and each goes to the desk,
which journals it.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ins_tui.domain.model import TRAIT_LABELS_FR
from ins_tui.tui import format as fmt
from ins_tui.tui.messages import ActionDone, StatusNote, unless_closing
from ins_tui.tui.screens.identity_search import SEARCHING, InsiSearchScreen
from ins_tui.tui.screens.identity_words import adopt_question, next_keys_fr, with_kind
from ins_tui.tui.widgets.comparison import ComparisonPanel
from ins_tui.tui.widgets.footer import DeskFooter

__all__ = ["SEARCHING", "UNLOCK", "IdentityScreen"]
UNLOCK = "unlock"  # ActionDone.choice of the unlock action


def release_render_caches() -> None:
    """Let a closed patient screen's widgets go with their rendered lines (issue 13).

    Textual memoises `StylesCache.get_inner_outer` with `lru_cache(1024)` on the method:
    each entry keeps a widget's StylesCache, and every strip it rendered, alive after the
    widget is gone. One card cycle left ~54 such strips; memory rose ~0.15 MiB per cycle for
    the first 60 cycles. Emptied when a patient screen closes, it refills at the next frame.
    """
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()


class IdentityScreen(InsiSearchScreen):
    CSS_PATH = "identity.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="identity.back", tooltip="Revenir à la file"),
        Binding("enter", "qualify", "Qualifier", id="identity.qualify",
                tooltip="Qualifier l'identité (pièce d'identité contrôlée)"),
        Binding("a", "resolve('ADOPT_INS')", "Adopter INS", id="identity.adopt",
                tooltip="Différences : adopter les traits INS"),
        Binding("g", "resolve('KEEP_PROVISIONAL')", "Garder provisoire", id="identity.keep",
                tooltip="Différences : garder l'identité locale provisoire, sans INS"),
        Binding("d", "resolve('MARK_DOUBTFUL')", "Douteuse", id="identity.doubtful",
                tooltip="Différences : marquer l'identité douteuse"),
        Binding("t", "more_criteria", "Plus de critères", id="identity.criteria",
                tooltip="Rechercher l'INS par traits avec plus de critères (CR 01 / CR 02)"),
        Binding("i", "search_insi", "Rechercher l'INS", id="identity.search",
                tooltip="Rechercher l'INS par les traits du patient"),
        Binding("e", "edit", "Modifier", id="identity.edit",
                tooltip="Modifier les traits du patient"),
        Binding("u", "unlock", "Déverrouiller", show=False, id="identity.unlock",
                tooltip="Déverrouiller les traits INSi (supprime le statut et l'INS)"),
        Binding("v", "arrival", "Arrivée", show=False, id="identity.arrival",
                tooltip="Ajouter ce patient à la file du jour"),
        Binding("j", "journal", "Journal", show=False, id="identity.journal",
                tooltip="Journal de ce patient"),
        Binding("p", "print_label", "Étiquette", show=False, id="identity.label",
                tooltip="Imprimer l'étiquette du patient (datamatrix INS si qualifiée)"),
    ]

    def __init__(
        self,
        patient_id: int | None = None,
        *,
        prepared: Any = None,
        search: bool = False,
        channel: Any = None,
        intro: str = "",
        from_card: bool = False,
    ) -> None:
        super().__init__(id="identity")
        # Opened by a card insertion: the patient is at the desk (issue 12, F2).
        self._from_card = from_card
        self._arrival_asked = False
        self.patient_id = patient_id
        self.prepared = prepared
        self.record: Any = None
        self.result: Any = None
        self._search_on_mount = search
        self._channel = channel
        self._intro = intro
        self.searching = False
        self._criteria = ""  # extra criteria of the running/last search, in French

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        # Only the comparison scrolls: who, the verdict and the next key stay on screen at
        # 80×24 however long the first-name lists are (issue 12, F6).
        yield Static("", id="identity-who", markup=False)
        yield Static("", id="identity-state", markup=False)
        with VerticalScroll(id="identity-body"):
            yield ComparisonPanel(id="comparison")
        yield Static("", id="identity-next", markup=False)
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#identity-body").focus()
        if self._intro:
            self.set_state(self._intro)
        self.reload()
        if self._search_on_mount:
            if self.record is not None and str(self.record.status) == "QUAL":
                self.set_state("Identité déjà qualifiée : pas de nouvelle recherche INS.", "ok")
                self.set_next("Échap : retour")
            else:
                self.start_search()
        elif self.record is not None:
            self.set_next(next_keys_fr(str(getattr(self.record.status, "value",
                                                    self.record.status))))

    def on_unmount(self) -> None:
        release_render_caches()

    def reload(self) -> None:
        """Re-read the patient (cheap, one row) and redraw the identity block."""
        if self.patient_id is not None:
            self.record = self.desk_app.desk.get_patient(self.patient_id)
        self._show_who()
        self.refresh_bindings()

    def _show_who(self) -> None:
        who = self.query_one("#identity-who", Static)
        if self.record is not None:
            traits, rec = self.record.traits, self.record
            lines = [
                fmt.person_name(traits.birth_name, traits.first_first_name, traits.used_name),
                f"{TRAIT_LABELS_FR['first_names']} : {traits.first_names or '—'}",
                f"{TRAIT_LABELS_FR['sex']} : {getattr(traits.sex, 'value', None) or '—'} · "
                f"né·e le {fmt.date_fr(traits.birth_date)} · "
                f"lieu : {fmt.place(traits.birthplace, self._place_names())}",
                f"Identité : {fmt.status_text(rec.status)}"
                + (f" · {', '.join(sorted(str(a) for a in rec.attributes))}"
                   if rec.attributes else "")
                + (f" · INS {rec.ins.matricule}" if rec.ins is not None else ""),
            ]
            if rec.locked:
                lines.append("Traits INSi verrouillés (u : déverrouiller).")
            sending = self.desk_app.desk.output_status_fr(rec.id)
            if sending:
                lines.append(sending)
            who.update("\n".join(lines))
        elif self.prepared is not None:
            traits = self.prepared.traits
            source = ("le datamatrix" if str(self._channel or "") == "CB" else "la carte")
            who.update(
                f"Nouveau patient (depuis {source}) : {traits.birth_name} "
                f"{traits.first_first_name.title()} · né·e le {fmt.date_fr(traits.birth_date)}"
            )
        else:
            who.update("Patient inconnu.")

    def _place_names(self) -> Any:
        """Place names when the COG tables are loaded; else load them in a worker (0.2 s on
        a small CPU, not to be spent on the UI thread) and redraw when they are."""
        from ins_tui.refdata import load_cog

        if load_cog.cache_info().currsize:
            return load_cog().name_of
        self._load_places()
        return None

    @work(thread=True, exclusive=True, group="places", name="places", exit_on_error=False)
    def _load_places(self) -> None:
        from ins_tui.refdata import load_cog

        load_cog()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if (event.worker.name == "places" and event.state is WorkerState.SUCCESS
                and self.query("#identity-who")):
            self._show_who()
            if self.result is not None:
                self._show_comparison()  # the place names, now that they are there

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that make sense now are shown (and work) — the footer is the menu."""
        from ins_tui.desk.results import InsiResultKind as Kind

        kind = getattr(self.result, "kind", None)
        status = str(getattr(getattr(self.record, "status", None), "value", ""))
        idle = self.record is not None and not self.searching
        if action == "resolve":
            return kind is Kind.DIFFERENT
        if action == "more_criteria":
            return kind in (Kind.NOT_FOUND, Kind.SEVERAL)
        if action == "qualify":
            return idle and status == "RECUP"
        if action == "unlock":
            return bool(self.record is not None and self.record.locked)
        if action == "search_insi":
            return idle and status != "QUAL"
        if action in ("edit", "arrival", "journal", "print_label"):
            return idle
        return True

    # -- actions -------------------------------------------------------------------------
    def action_back(self) -> None:
        self._card_arrival()
        self.dismiss_screen()

    def _card_arrival(self) -> None:
        """Once per card: after the qualification, or on leaving the screen without it."""
        if self._from_card and not self._arrival_asked and self.patient_id is not None:
            self._arrival_asked = True
            self.desk_app.arrive_from_card(self.patient_id)

    def dismiss_screen(self) -> None:
        summary = self._summary_fr()
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        main = self.desk_app.main_screen()
        if main is not None:
            main.refresh_list()
        if summary:  # what the list's status line says now, not a step of the flow (F3)
            self.desk_app.say(summary)

    def _summary_fr(self) -> str:
        if self.record is None:
            return ""
        traits = self.record.traits
        who = fmt.person_name(traits.birth_name, traits.first_first_name, traits.used_name)
        return f"{who} : identité {fmt.status_text(self.record.status)}."

    def action_resolve(self, choice_name: str) -> None:
        from ins_tui.desk.results import DiffChoice

        choice = DiffChoice[choice_name]
        if choice is not DiffChoice.ADOPT_INS:
            self._resolve(choice)
            return
        # Adopting replaces the local traits and locks them (issue 12, F7): say which, and
        # ask; « non » (the default, Échap too) leaves the record as it is.
        from ins_tui.tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._resolve(choice)
            else:
                self.say("Traits INS non adoptés : rien n'a changé.")

        self.app.push_screen(ConfirmModal(adopt_question(self.result, self._place_names()),
                                          title="Adopter les traits INS ?"), answered)

    @work(thread=True, exclusive=True, group="identity-action", exit_on_error=False)
    def _resolve(self, choice: Any) -> None:
        outcome = self.desk_app.desk.resolve_differences(self.result, choice)
        self.post_message(ActionDone(outcome, choice=choice))

    def action_qualify(self) -> None:
        if self.record is None:
            return
        if not self.desk_app.desk.needs_document(self.record.id):
            self._qualify(None)
            return
        from ins_tui.domain.documents import documents_for_age
        from ins_tui.tui.screens.document_step import DocumentStep

        # The record is on screen: filter by its age here, no database read on the UI
        # thread; the desk applies the same rule again when the choice comes back.
        offered = documents_for_age(self.desk_app.desk.document_choices(),
                                    self.record.traits.birth_date, self.desk_app.today())
        documents = [(d.code, d.label_fr) for d in offered]
        label = fmt.person_name(self.record.traits.birth_name,
                                self.record.traits.first_first_name)

        def chosen(code: str | None) -> None:
            if code is None:
                self.say("Qualification annulée : aucune pièce choisie.")
            else:
                self._qualify(code)

        self.app.push_screen(DocumentStep(documents, patient_label=label), chosen)

    @work(thread=True, exclusive=True, group="identity-action", exit_on_error=False)
    def _qualify(self, code: str | None) -> None:
        outcome = self.desk_app.desk.qualify(self.record.id, code)
        self.post_message(ActionDone(outcome))

    def action_unlock(self) -> None:
        from ins_tui.tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._unlock()
            else:
                self.say("Déverrouillage annulé : rien n'a changé.")

        self.app.push_screen(
            ConfirmModal(
                "Déverrouiller les traits venus de l'INSi ?\n"
                "Le statut de l'identité et l'INS seront supprimés ; une nouvelle "
                "recherche INS sera nécessaire.",
                title="Déverrouiller — " + fmt.person_name(
                    self.record.traits.birth_name, self.record.traits.first_first_name),
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="identity-action", exit_on_error=False)
    def _unlock(self) -> None:
        outcome = self.desk_app.desk.unlock_insi_fields(self.record.id)
        self.post_message(ActionDone(outcome, choice=UNLOCK))

    def action_edit(self) -> None:
        if self.record is not None:
            self.desk_app.open_form(self.record.id)

    def action_journal(self) -> None:
        if self.record is not None:
            self.desk_app.open_journal(self.record.id)

    def action_arrival(self) -> None:
        if self.record is not None:
            self.desk_app.choose_practitioner(self.record.id)

    def action_print_label(self) -> None:
        if self.record is not None:
            self.say("Étiquette en préparation…")
            self._print_label(self.record.id)

    @work(thread=True, group="label", exit_on_error=False)
    def _print_label(self, patient_id: int) -> None:
        """CUPS may take seconds or time out (desk/labels.py): never on the UI thread."""
        from ins_tui.desk.labels import print_desk_label

        app = self.desk_app
        outcome = print_desk_label(app.desk, patient_id, app.config, training=app.training)
        self.post_message(StatusNote(outcome.message_fr,
                                     "information" if outcome.ok else "error"))
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile: nobody to tell
            app.call_from_thread(app.notify, outcome.message_fr, title="Étiquette",
                                 severity="information" if outcome.ok else "error")

    @on(StatusNote)
    @unless_closing
    def _note(self, message: StatusNote) -> None:
        message.stop()
        self.say(message.text)

    @on(ActionDone)
    @unless_closing
    def _action_done(self, message: ActionDone) -> None:
        outcome = message.outcome
        self.reload()
        if message.choice == UNLOCK:
            if outcome.ok:
                # The INS compared there is gone from the record: an old comparison left
                # on screen would read as the patient's INS.
                self.result = None
                self.query_one(ComparisonPanel).show(None)
                self.set_next("i : rechercher l'INS   Échap : retour")
            self.set_state(outcome.message_fr, "warn" if outcome.ok else "error")
        elif message.choice is not None and outcome.ok:
            from ins_tui.desk.results import DiffChoice

            if message.choice is DiffChoice.ADOPT_INS:
                self.result = with_kind(self.result, "MATCHED")
                self._show_comparison()
                self.set_state(outcome.message_fr.replace(" Entrée : qualifier l'identité", ""),
                               "ok")
                self.set_next("Entrée : qualifier l'identité")
            else:
                self.result = None
                self.query_one(ComparisonPanel).show(None)
                self.set_state(outcome.message_fr, "warn")
                self.set_next("Échap : retour")
        else:
            self.set_state(outcome.message_fr, "ok" if outcome.ok else "error")
            status = str(getattr(outcome.status, "value", outcome.status or ""))
            if outcome.ok and status == "QUAL":
                self.set_next("Identité qualifiée. p : imprimer l'étiquette   "
                              "Échap : retour à la file")
                self._card_arrival()
            elif outcome.ok:
                self.set_next("i : rechercher l'INS   Échap : retour")
        self.refresh_bindings()
