"""The Textual application: wiring only (screens, card events, background retries, keys).

Everything the secretary does is a desk call made from a thread worker; the card source's
thread and the workers hand results back as messages. The app itself holds no rule.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ins_tui.config import Config
from ins_tui.tui import format as fmt
from ins_tui.tui.messages import (
    ActionDone,
    BackendReady,
    CardEventArrived,
    CardRead,
    InsiFinished,
    StatusNote,
    unless_closing,
)
from ins_tui.tui.scan_keys import ScanKeys
from ins_tui.tui.themes import THEMES, pick_theme

TRAINING_ONLY = {"insert_card", "remove_card", "apcv"}
# A fresh card may not answer yet, or lose contact for an instant (see `_read_card`).
CARD_GRACE_S = 1.0
CARD_RETRY_S = 0.1
CARD_PULLED = ("Carte retirée avant la fin de la lecture : rien n'a été lu ni enregistré. "
               "La réinsérer et la laisser jusqu'à l'affichage du patient.")
CARD_SILENT = ("La carte insérée ne répond pas : la retirer puis la réinsérer à fond "
               "(ou saisir l'identité à la main).")
# How often the app checks that its terminal is still there (see _watch_terminal).
TERMINAL_CHECK_S = 2.0


@dataclass
class Backend:
    """What `launch` opens for the app, possibly slowly: built in a worker after the
    first frame so the secretary sees the screen at once (docs/benchmarks.md)."""

    desk: Any
    card_source: Any = None
    training_cards: Any = None
    retry: Any = None
    close: Callable[[], None] | None = None
    outbound: Any = None  # desk/outbound.OutboundSender: identities sent to FHIR / HL7


class InsTuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "ins-tui"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        # Ordered by importance: the footer drops keys from the end when 80 columns are
        # not enough (F1 is always shown; every key stays in F1 and works).
        Binding("f1", "help", "Aide", id="app.help", tooltip="Afficher toutes les touches"),
        Binding("f8", "day_journal", "Journal", id="app.journal",
                tooltip="Journal du jour (échanges INSi consultables)"),
        Binding("f5", "insert_card", "Carte", id="app.insert_card",
                tooltip="FORMATION : insérer une carte Vitale de test (liste)"),
        Binding("f6", "remove_card", "Retirer", id="app.remove_card",
                tooltip="FORMATION : retirer la carte de test"),
        Binding("f7", "apcv", "ApCV", id="app.apcv",
                tooltip="FORMATION : présenter l'appli carte Vitale simulée"),
        Binding("ctrl+q", "quit", "Quitter", priority=True, id="app.quit",
                tooltip="Quitter l'application"),
        Binding("f9", "theme", "Thème", show=False, id="app.theme",
                tooltip="Changer de thème (dont 16 couleurs)"),
    ]

    def __init__(
        self,
        desk: Any = None,
        *,
        backend: Callable[[], Backend] | None = None,
        config: Config | None = None,
        card_source: Any = None,
        training_cards: Any = None,
        retry: Any = None,
        training: bool = False,
        operator: str | None = None,
        theme_name: str | None = None,
        environ: Mapping[str, str] | None = None,
        today: Callable[[], date] | None = None,
        retry_interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.config = config or Config()
        self.card_source = card_source
        self.training_cards = training_cards
        self.retry = retry
        self.outbound: Any = None
        self.training = training
        self.retry_interval = retry_interval
        self._today = today
        self.reader_state = "lecteur : en attente"
        self.animation_level = "none"
        env = os.environ if environ is None else environ
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = pick_theme(theme_name or self.config.theme, env)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self._backend_factory = backend
        self.startup_error: str | None = None
        self._backend: Backend | None = None
        self._requested_operator = operator
        self.operator = operator or getattr(desk, "actor", "") or "accueil"
        if operator and desk is not None:
            desk.actor = operator
        self._cards_in: set[str] = set()  # readers holding a card (UI thread writes it)
        self._reading: set[str] = set()  # readers whose card is being read (UI thread)
        # Set by ServiceDown, so the next ServiceUp says the service is back (not at start).
        self._card_service_lost = False
        self.scan_keys = ScanKeys(self, self.config)  # datamatrix scanner (tui/scan_keys.py)

    @property
    def ready(self) -> bool:
        """False while the database (and training services) are still being opened."""
        return self.desk is not None

    async def on_event(self, event: Any) -> None:
        # A datamatrix scanner types like a keyboard: its bursts are taken out here, before
        # any binding or widget sees a key; held keys come back in order (tui/scan_keys.py).
        for passed in self.scan_keys.filter(event):
            await super().on_event(passed)

    # -- helpers used by screens ----------------------------------------------------------
    def today(self) -> date:
        if self._today is not None:
            return self._today()
        if self.desk is None:  # the title's date while the database opens
            from ins_tui.desk.ports import SystemClock

            return SystemClock(self.config.zone()).now().date()
        return self.desk.clock.now().date()

    def banner(self) -> Iterator[Widget]:
        from ins_tui.tui.widgets.banner import banner_of

        yield from banner_of(self)

    def main_screen(self) -> Any:
        from ins_tui.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def say(self, text: str) -> None:
        """Write on the status line of the screen in front (modals: the one below)."""
        for screen in reversed(self.screen_stack):
            found = screen.query("#status-line")
            if found:
                found.first(Static).update(text)
                return

    # -- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        from ins_tui.tui.screens.main import MainScreen

        self.push_screen(MainScreen())
        self._install_sighup()
        self._watch_terminal()
        if self.desk is None and self._backend_factory is not None:
            # First frame now; the database and services open in a worker just after it
            # (started after the refresh so its imports do not compete with the paint).
            self.call_after_refresh(self._open_backend)
        else:
            self._start_services()

    @work(thread=True, exclusive=True, group="backend", exit_on_error=False)
    def _open_backend(self) -> None:
        try:
            backend = self._backend_factory()  # type: ignore[misc]
        except Exception as exc:
            from ins_tui.tui.errors import error_fr

            self.startup_error = error_fr(exc, "Démarrage")
            self.call_from_thread(self.exit, None, 2)  # result None, return code 2
            return
        self.post_message(BackendReady(backend))

    @on(BackendReady)
    def _backend_ready(self, message: BackendReady) -> None:
        backend = message.backend
        self._backend = backend
        if not self.is_running:  # quit while it was opening: close it, nobody will use it
            self.close_backend()
            return
        self.desk = backend.desk
        self.card_source = backend.card_source
        self.training_cards = backend.training_cards
        self.retry = backend.retry
        self.outbound = backend.outbound
        if self._requested_operator:
            self.desk.actor = self._requested_operator
        self.operator = self.desk.actor
        self._start_services()
        self.refresh_bindings()
        main = self.main_screen()
        if main is not None:
            main.refresh_title()
            main.refresh_list(force=True)

    def close_backend(self) -> None:
        """Close what `launch` opened (database, simulator, private pcscd, INSi client),
        once; called after the app has stopped so no handler uses them any more."""
        backend, self._backend = self._backend, None
        if backend is not None and backend.close is not None:
            backend.close()

    def _start_services(self) -> None:
        operators = tuple(self.config.operators)
        if len(operators) > 1 and self.operator not in operators:
            self._choose_operator(operators)
        elif len(operators) == 1 and self.operator not in operators:
            self._set_operator(operators[0])
        if self.card_source is not None:
            self.card_source.start(self._card_callback)
        if self.retry is not None:
            self.set_interval(self.retry_interval, self.run_retries)
        if self.outbound is not None:
            self.set_interval(self.retry_interval, self._outbound_tick)

    def _install_sighup(self) -> None:
        """A closed SSH session sends SIGHUP: exit cleanly so threads and pcscd stop."""
        import asyncio
        import signal

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)

    def _watch_terminal(self) -> None:
        """Exit when the terminal is gone even if no SIGHUP comes.

        A hangup signals only the terminal's controlling process; started through a
        wrapper that holds SIGHUP back (`make run` does, while it waits), the app never
        hears of it, and Textual's input thread then spins on end-of-file: an orphan
        burning a core of the desk PC until reboot (seen after killing the SSH or tmux
        session). A hung-up terminal no longer answers as a terminal, which a timer can
        see; the check is one system call and writes nothing.
        """
        import sys

        stdin = sys.__stdin__
        if self.is_headless or stdin is None:
            return
        try:
            fd = stdin.fileno()
        except (OSError, ValueError):
            return
        if os.isatty(fd):
            self.set_interval(TERMINAL_CHECK_S, lambda: None if os.isatty(fd) else self.exit())

    def on_unmount(self) -> None:
        import asyncio
        import signal

        if self.card_source is not None:
            self.card_source.stop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def _choose_operator(self, operators: tuple[str, ...]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        def chosen(index: int | None) -> None:
            self._set_operator(operators[index or 0])

        self.push_screen(
            ChoiceList("Qui est à l'accueil ?", operators,
                       prompt="Le journal indiquera ce nom pour chaque action.",
                       cancellable=False),
            chosen,
        )

    def _set_operator(self, name: str) -> None:
        self.operator = name
        self.desk.actor = name
        main = self.main_screen()
        if main is not None and main.is_mounted:
            main.refresh_title()

    # -- errors of workers: one place -------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            from ins_tui.tui.errors import error_fr

            self.say(error_fr(event.worker.error))

    # -- card events (from the card source's thread) --------------------------------------
    def _card_callback(self, event: Any) -> None:
        """Runs on the card thread: only hands the event over (post_message is thread-safe)."""
        self.post_message(CardEventArrived(event))

    @on(CardEventArrived)
    @unless_closing
    def _card_event(self, message: CardEventArrived) -> None:
        from ins_tui.card.events import (
            CardInserted,
            CardRemoved,
            ReadersChanged,
            ServiceDown,
            ServiceUp,
        )

        event = message.event
        if isinstance(event, ServiceUp):
            self._reader_state("lecteur : service prêt")
            if self._card_service_lost:
                self._card_service_lost = False
                self.say("Service des cartes Vitale rétabli : insérez la carte.")
        elif isinstance(event, ServiceDown):
            # The watcher has already reported any card in the reader as removed.
            self._cards_in.clear()
            self._card_service_lost = True
            self._reader_state("lecteur : service carte indisponible")
            self.say("Service des cartes Vitale indisponible (pcscd) : la file et la "
                     "recherche restent utilisables ; la carte sera lue dès son retour.")
        elif isinstance(event, ReadersChanged):
            count = len(event.readers)
            self._reader_state("lecteur : aucun" if not count else f"lecteur(s) : {count}")
        elif isinstance(event, CardInserted):
            self._cards_in.add(event.reader)
            self._reading.add(event.reader)
            self._reader_state("lecteur : carte insérée")
            self.say("Carte Vitale insérée : lecture en cours…")
            self._read_card(event.reader)
        elif isinstance(event, CardRemoved):
            self._cards_in.discard(event.reader)
            mid_read = event.reader in self._reading
            self._reading.discard(event.reader)
            self._reader_state("lecteur : pas de carte")
            self.say(CARD_PULLED if mid_read else "Carte retirée.")

    def _reader_state(self, text: str) -> None:
        if text == self.reader_state:
            return
        self.reader_state = text
        main = self.main_screen()
        if main is not None and main.is_mounted:
            main.refresh_title()

    @work(thread=True, exclusive=True, group="card", exit_on_error=False)
    def _read_card(self, reader: str) -> None:
        """Read the card, giving a just-inserted card a short grace before any error.

        Through pcscd a fresh insertion is often reported before the card answers (the
        first read says « aucune carte »), and a card pushed in slowly can lose contact for
        an instant. While the reader still holds the card, a "no card / removed" failure is
        retried for up to `CARD_GRACE_S`; a newer insertion (this worker then cancelled)
        or a removal ends it silently. So an error is only shown for a card that stays in
        and still cannot be read, never for one that is read a moment later.
        """
        from textual.worker import get_current_worker

        from ins_tui.card.errors import (
            TRAITS_HINT,
            CardError,
            CardRemovedError,
            NoCardError,
        )

        worker = get_current_worker()
        deadline = time.monotonic() + CARD_GRACE_S
        while True:
            try:
                card = self.card_source.read(reader)
            except (NoCardError, CardRemovedError):
                if worker.is_cancelled or reader not in self._cards_in:
                    return  # superseded by a newer insertion, or the card was pulled out
                if time.monotonic() < deadline:
                    time.sleep(CARD_RETRY_S)
                    continue
                self.post_message(CardRead(reader, [], CARD_SILENT))
                return
            except CardError as exc:  # its French message says what the card is and what to do
                self.post_message(CardRead(reader, [], exc.message))
                return
            except Exception as exc:  # a reader bug must not leave the desk silent
                self.post_message(CardRead(
                    reader, [], f"Carte illisible : erreur inattendue ({type(exc).__name__}). "
                    + TRAITS_HINT))
                return
            if not worker.is_cancelled:
                self.post_message(CardRead(reader, list(card.beneficiaries)))
            return

    @on(CardRead)
    @unless_closing
    def _card_read(self, message: CardRead) -> None:
        self._reading.discard(message.reader)
        if message.error_fr:
            self.say(message.error_fr)
            return
        beneficiaries = message.beneficiaries
        if not beneficiaries:
            self.say("Carte lue mais sans bénéficiaire : saisir l'identité à la main.")
            return
        picked = self.desk.pick_beneficiary(beneficiaries)
        if picked is not None:
            self._match(picked)
            return
        from ins_tui.tui.screens.choice_list import ChoiceList

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Aucun bénéficiaire choisi.")
            else:
                self._match(beneficiaries[index])

        labels = [
            f"{b.birth_name} {(b.first_name or '').title()} — né·e le {_card_date(b)}"
            for b in beneficiaries
        ]
        self._to_main()
        self.push_screen(
            ChoiceList("Carte Vitale : plusieurs bénéficiaires", labels,
                       prompt="Qui est le patient ?", name="beneficiaries"),
            chosen,
        )

    @work(thread=True, exclusive=True, group="card-match", exit_on_error=False)
    def _match(self, beneficiary: Any) -> None:
        match = self.desk.match_beneficiary(beneficiary)
        self.post_message(ActionDone(match, choice="card"))

    @on(ActionDone)
    @unless_closing
    def _app_action_done(self, message: ActionDone) -> None:
        if message.choice == "card":
            self._show_match(message.outcome)
        elif message.choice == "apcv":
            outcome, patient_id = message.outcome
            self.say(outcome.message_fr)
            if patient_id is not None:
                self.open_patient(patient_id, intro=outcome.message_fr)
        elif message.choice == "arrival":
            text, visit_id = message.outcome
            self.say(text)
            main = self.main_screen()
            if main is not None:
                main.refresh_list(select=visit_id)  # the new line, or the one already there

    def _show_match(self, match: Any, *, channel: Any = None, keep_screens: bool = False) -> None:
        """A card's (or a scanned datamatrix's: channel CB, screens kept) patient on screen."""
        from ins_tui.tui.screens.identity import IdentityScreen

        if not keep_screens:
            self._to_main()
        if match.patient is None and match.prepared is not None and not match.needs_insi:
            self.say(match.message_fr)
            self.open_form(None, initial=match.prepared.traits, then_search=True)
            return
        self.push_screen(
            IdentityScreen(
                match.patient.id if match.patient is not None else None,
                prepared=match.prepared,
                search=match.needs_insi,
                channel=channel,
                intro=match.message_fr,
            )
        )

    def _to_main(self) -> None:
        main = self.main_screen()
        while len(self.screen_stack) > 1 and self.screen is not main:
            self.pop_screen()

    @work(thread=True, exclusive=True, group="outbound", exit_on_error=False)
    def _outbound_tick(self) -> None:
        """Identities to FHIR / HL7 (desk/outbound.py): never raises, never holds the UI."""
        self.outbound.tick()

    # -- background INSi retries ----------------------------------------------------------
    def run_retries(self) -> None:
        self._retry_tick()

    @work(thread=True, exclusive=True, group="retry", exit_on_error=False)
    def _retry_tick(self) -> None:
        for result in self.retry.tick():
            self.post_message(InsiFinished(result, background=True))

    @on(InsiFinished)
    @unless_closing
    def _background_result(self, message: InsiFinished) -> None:
        from ins_tui.tui.screens.identity import IdentityScreen

        result = message.result
        screen = self.screen
        if (isinstance(screen, IdentityScreen) and result is not None
                and screen.patient_id == result.patient_id):
            screen.show_result(result)
        elif result is not None:
            self._tell_retry(result)
        main = self.main_screen()
        if main is not None:
            main.refresh_list()

    def _tell_retry(self, result: Any) -> None:
        """A background answer for a patient not on screen: said by name, over whatever
        screen (form, modal, list) is in front, which stays as it is.

        A success (or any answer to act on) is a notification that stays a while; a request
        that failed again only updates the status line, so a long outage does not flood the
        desk with the same news every back-off step.
        """
        from ins_tui.desk.results import InsiResultKind as Kind

        who = f"patient n° {result.patient_id}"
        try:
            record = self.desk.get_patient(result.patient_id)
            who = fmt.person_name(record.traits.birth_name, record.traits.first_first_name,
                                  record.traits.used_name)
        except Exception:  # the patient row is only a label here; never fail the notice
            pass
        said = result.message_fr.replace(" Entrée : qualifier l'identité", "")
        text = f"Relance INSi pour {who} : {said}"
        self.say(text)
        if result.kind is not Kind.QUEUED:
            self.notify(text + (" Ouvrir sa fiche pour qualifier."
                                if result.kind is Kind.MATCHED else ""),
                        title="Relance INSi : réponse reçue",
                        severity="information" if result.kind is Kind.MATCHED else "warning",
                        timeout=20)

    # -- navigation used by screens -------------------------------------------------------
    def open_patient(self, patient_id: int, *, search_insi: bool = False,
                     intro: str = "") -> None:
        from ins_tui.domain.model import Channel
        from ins_tui.tui.screens.identity import IdentityScreen

        self.push_screen(IdentityScreen(patient_id, search=search_insi,
                                        channel=Channel.INSI if search_insi else None,
                                        intro=intro))

    def open_search(self) -> None:
        from ins_tui.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen())

    def start_arrival(self) -> None:
        from ins_tui.tui.screens.search import ARRIVAL, SearchScreen

        self.push_screen(SearchScreen(ARRIVAL))

    def open_form(self, patient_id: int | None, *, initial: Any = None,
                  then_search: bool = False) -> None:
        from ins_tui.tui.screens.patient_form import PatientForm

        self.push_screen(PatientForm(patient_id, initial=initial, then_search=then_search))

    def after_patient_saved(self, patient_id: int, message_fr: str, *, search: bool) -> None:
        from ins_tui.tui.screens.identity import IdentityScreen

        screen = self.screen
        if isinstance(screen, IdentityScreen) and screen.patient_id == patient_id:
            screen.reload()
            screen.say(message_fr)
            return
        self.open_patient(patient_id, search_insi=search, intro=message_fr)

    def open_journal(self, patient_id: int | None) -> None:
        from ins_tui.tui.screens.journal import JournalScreen

        self.push_screen(JournalScreen(patient_id))

    def choose_practitioner(self, patient_id: int) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        practitioners = tuple(self.config.practitioners)

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Arrivée annulée.")
            else:
                self._add_arrival(patient_id, practitioners[index])

        # Called from screens that close themselves: the callback must belong to the app,
        # not to the closing screen (Textual calls it on the pump that pushed the modal).
        self.call_later(self.push_screen,
                        ChoiceList("Arrivée : quel praticien ?", practitioners), chosen)

    @work(thread=True, exclusive=True, group="arrival", exit_on_error=False)
    def _add_arrival(self, patient_id: int, practitioner: str) -> None:
        from ins_tui.desk.arrivals import AlreadyInList

        try:
            visit_id = self.desk.add_arrival(patient_id, practitioner)
        except AlreadyInList as refused:
            self.post_message(ActionDone((refused.message_fr, refused.visit_id),
                                         choice="arrival"))
            return
        self.post_message(ActionDone((f"Arrivée ajoutée ({practitioner}).", visit_id),
                                     choice="arrival"))

    # -- global actions -------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.desk is None and action not in ("quit", "help", "theme"):
            return False
        if action in ("insert_card", "remove_card"):
            return self.training_cards is not None
        if action == "apcv":
            return getattr(self.desk, "apcv", None) is not None
        return True

    def help_sections(self) -> list[tuple[str, Any]]:
        from ins_tui.tui.keys import help_sections

        return help_sections(training=self.training)

    def action_help(self) -> None:
        from ins_tui.tui.keys import key_display
        from ins_tui.tui.screens.help import HelpScreen, describe_bindings

        if isinstance(self.screen, HelpScreen):
            return
        described = describe_bindings(self.help_sections(), dict(self._keymap), key_display)
        self.push_screen(HelpScreen(described))

    def action_day_journal(self) -> None:
        self.open_journal(None)

    def action_theme(self) -> None:
        from ins_tui.tui.themes import THEME_NAMES

        index = THEME_NAMES.index(self.theme) if self.theme in THEME_NAMES else -1
        self.theme = THEME_NAMES[(index + 1) % len(THEME_NAMES)]
        self.say(f"Thème : {self.theme}")

    def action_insert_card(self) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        profiles = self.training_cards.profiles()

        def chosen(index: int | None) -> None:
            if index is not None:
                self._insert_card(profiles[index].name)

        self.push_screen(
            ChoiceList("FORMATION : insérer une carte de test", [p.label for p in profiles],
                       name="card-picker"),
            chosen,
        )

    @work(thread=True, exclusive=True, group="training-card", exit_on_error=False)
    def _insert_card(self, name: str) -> None:
        self.training_cards.insert(name)

    def action_remove_card(self) -> None:
        self._remove_card()

    @work(thread=True, exclusive=True, group="training-card", exit_on_error=False)
    def _remove_card(self) -> None:
        if not self.training_cards.remove():
            self.post_message(StatusNote("Aucune carte de test insérée."))

    @on(StatusNote)
    @unless_closing
    def _app_note(self, message: StatusNote) -> None:
        self.say(message.text)

    def action_apcv(self) -> None:
        self._apcv_identities()

    @work(thread=True, exclusive=True, group="apcv", exit_on_error=False)
    def _apcv_identities(self) -> None:
        identities = self.desk.apcv_identities()
        self.call_from_thread(self._apcv_pick, identities)

    def _apcv_pick(self, identities: list[Any]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        labels = [
            f"{p.identity.traits.birth_name} {p.identity.traits.first_first_name.title()} "
            f"({p.role_fr}) — né·e le {fmt.date_fr(p.identity.traits.birth_date)}"
            for p in identities
        ]

        def chosen(index: int | None) -> None:
            if index is not None:
                self._apcv_candidates(identities[index])

        self._to_main()
        self.push_screen(
            ChoiceList("Appli carte Vitale : identités présentées", labels,
                       prompt="Qui est le patient ? (l'INS de l'appli est qualifié, sans "
                       "appel INSi)", name="apcv"),
            chosen,
        )

    @work(thread=True, exclusive=True, group="apcv", exit_on_error=False)
    def _apcv_candidates(self, presented: Any) -> None:
        candidates = self.desk.apcv_candidates(presented)
        self.call_from_thread(self._apcv_confirm, presented, candidates)

    def _apcv_confirm(self, presented: Any, candidates: list[Any]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        traits = presented.identity.traits
        labels = [
            f"{fmt.person_name(c.traits.birth_name, c.traits.first_first_name)} — né·e le "
            f"{fmt.date_fr(c.traits.birth_date)} — {fmt.status_text(c.status)}"
            for c in candidates
        ]
        labels.append(
            f"Nouveau patient : {traits.birth_name} {traits.first_first_name.title()}"
        )

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Appli carte Vitale : rien n'a été enregistré.")
                return
            patient_id = candidates[index].id if index < len(candidates) else None
            self._apcv_present(presented, patient_id)

        self.push_screen(
            ChoiceList("Appli carte Vitale : confirmer le patient", labels,
                       prompt=_apcv_prompt(presented),
                       name="apcv-confirm"),
            chosen,
        )

    @work(thread=True, exclusive=True, group="apcv", exit_on_error=False)
    def _apcv_present(self, presented: Any, patient_id: int | None) -> None:
        outcome = self.desk.apcv_present(presented, patient_id)
        if patient_id is None and outcome.ok:
            found = self.desk.apcv_candidates(presented)
            patient_id = found[0].id if found else None
        self.post_message(ActionDone((outcome, patient_id), choice="apcv"))


def _apcv_prompt(presented: Any) -> str:
    """The presented identity in full: the secretary compares it with the person (or the
    ID document) before the app's INS becomes the patient's qualified INS."""
    t = presented.identity.traits
    sex = getattr(t.sex, "value", t.sex) or "—"
    return (
        f"L'appli présente : {fmt.person_name(t.birth_name, t.first_first_name)} "
        f"({presented.role_fr}) · prénoms {t.first_names or '—'} · sexe {sex} · "
        f"né·e le {fmt.date_fr(t.birth_date)} · lieu de naissance {t.birthplace or '—'}.\n"
        "Vérifiez que c'est bien la personne présente, puis choisissez son dossier."
    )


def _card_date(beneficiary: Any) -> str:
    """A card date as written: ISO when calendar-valid, else the raw (lunar) digits."""
    born = beneficiary.birth_date
    iso = getattr(born, "iso", None)
    return fmt.date_fr(iso) if iso else str(getattr(born, "raw", "?"))
