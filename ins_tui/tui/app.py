"""The Textual application: wiring only (screens, card events, background retries, keys).

Everything the secretary does is a desk call made from a thread worker; the card source's
thread and the workers hand results back as messages. The app itself holds no rule.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ins_tui.config import Config
from ins_tui.tui import console_look
from ins_tui.tui.app_keys import APP_BINDINGS, TRAINING_ONLY
from ins_tui.tui.app_shell import FrenchShell
from ins_tui.tui.controllers.apcv import ApcvController
from ins_tui.tui.controllers.arrivals import ArrivalController
from ins_tui.tui.controllers.background import BackgroundController
from ins_tui.tui.controllers.cards import CARD_PULLED, CARD_SILENT, CardController
from ins_tui.tui.controllers.session import SessionController
from ins_tui.tui.controllers.training_cards import TrainingCardController
from ins_tui.tui.messages import (
    ActionDone,
    BackendReady,
    CardEventArrived,
    CardRead,
    InsiFinished,
    OutputsChanged,
    StatusNote,
    unless_closing,
)
from ins_tui.tui.scan_keys import ScanKeys
from ins_tui.tui.themes import THEMES, pick_theme

# Names tests and tools import from here; the card work lives in controllers/cards.py.
__all__ = ["CARD_PULLED", "CARD_SILENT", "TRAINING_ONLY", "Backend", "InsTuiApp"]


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


class InsTuiApp(FrenchShell, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "ins-tui"
    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

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
        self.animation_level = "none"
        env = os.environ if environ is None else environ
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = pick_theme(theme_name or self.config.theme, env)
        self.plain = self._start_console_look(env)  # issue 12 F16: decided once, here
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self._backend_factory = backend
        self.startup_error: str | None = None
        self._backend: Backend | None = None
        self._requested_operator = operator
        self.operator = operator or getattr(desk, "actor", "") or "accueil"
        if operator and desk is not None:
            desk.actor = operator
        self.cards = CardController(self)
        self.background = BackgroundController(self)
        self.apcv = ApcvController(self)
        self.arrivals = ArrivalController(self)
        self.training_card_keys = TrainingCardController(self)
        self.session = SessionController(self)
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
                found.first(Static).update(console_look.words(text))
                return

    # -- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        from ins_tui.tui.screens.main import MainScreen

        self.push_screen(MainScreen())
        self.session.install_sighup()
        self.session.watch_terminal()
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
        self.session.check_operator()
        if self.card_source is not None:
            self.card_source.start(self.cards.callback)
        if self.retry is not None:
            self.set_interval(self.retry_interval, self.run_retries)
        if self.outbound is not None:
            self.set_interval(self.retry_interval, self.background.run_outbound)

    def on_unmount(self) -> None:
        if self.card_source is not None:
            self.card_source.stop()
        self.session.remove_sighup()

    # -- errors of workers: one place -------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            from ins_tui.tui.errors import error_fr

            self.say(error_fr(event.worker.error))

    # -- the routing table: each message to the controller that owns it --------------------
    @on(CardEventArrived)
    @unless_closing
    def _card_event(self, message: CardEventArrived) -> None:
        self.cards.on_event(message.event)

    @on(CardRead)
    @unless_closing
    def _card_read(self, message: CardRead) -> None:
        self.cards.on_read(message)

    @on(ActionDone)
    @unless_closing
    def _app_action_done(self, message: ActionDone) -> None:
        if message.choice == "card":
            self.cards.show_match(message.outcome)
        elif message.choice == "apcv":
            self.apcv.on_done(*message.outcome)
        elif message.choice == "arrival":
            self.arrivals.on_done(*message.outcome)

    @on(InsiFinished)
    @unless_closing
    def _background_result(self, message: InsiFinished) -> None:
        self.background.on_insi_finished(message)

    @on(OutputsChanged)
    @unless_closing
    def _outputs_changed(self, message: OutputsChanged) -> None:
        self.background.on_outputs_changed(message)

    @on(StatusNote)
    @unless_closing
    def _app_note(self, message: StatusNote) -> None:
        self.say(message.text)

    @property
    def reader_state(self) -> str:
        return self.cards.reader_state

    def run_retries(self) -> None:
        self.background.run_retries()

    def show_match(self, match: Any, *, channel: Any = None, keep_screens: bool = False) -> None:
        self.cards.show_match(match, channel=channel, keep_screens=keep_screens)

    def to_main(self) -> None:
        main = self.main_screen()
        while len(self.screen_stack) > 1 and self.screen is not main:
            self.pop_screen()

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
        self.arrivals.choose_practitioner(patient_id)

    def arrive_from_card(self, patient_id: int) -> None:
        self.arrivals.arrive_from_card(patient_id)

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
        self.training_card_keys.choose_card()

    def action_remove_card(self) -> None:
        self.training_card_keys.remove_card()

    def action_apcv(self) -> None:
        self.apcv.start()

    # -- issue 12 F4/F16: French key names and quitting, the console look -----------------
    def _start_console_look(self, env: Mapping[str, str]) -> bool:
        return console_look.start(self, self.config.plain, env)
