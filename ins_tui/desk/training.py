"""Training mode (`ins-tui run --training`): same desk code, training adapters.

Its own database (`Config.training_db_path`), seeded once with demo patients, a few
local identities built to show each INSi flow, and today's waiting list; the INSi
simulator on loopback with its own PKI (real HTTPS, mutual TLS); test cards through the
real pcscd path when possible; a simulated appli carte Vitale. `close()` stops all of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import SystemClock, TrainingApcv
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.masking import exception_summary
from ins_tui.domain.model import Channel, Sex, Traits

if TYPE_CHECKING:
    from ins_tui.config import Config

log = logging.getLogger(__name__)

SEEDED_KEY = "training_seeded"
SCENARIOS_KEY = "training_scenarios"
DEMO_PATIENTS = 300
DEMO_VISITS = 8
DEMO_SEED = 20241212

# Local identities typed "at the desk" before the INSi call, one per flow to practise.
# All are INSi test identities (insi-contract §8), never real people.
SCENARIOS: tuple[Traits, ...] = (
    # Perfect match by traits search (CNDA 2.03 cas 2).
    Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT"),
    # Differences: local first-name list shorter than INSi's, typed birthplace differs.
    Traits("ECETINSI", "PIERRE-ALAIN", Sex.M, "2009-07-14", "75056", "PIERRE-ALAIN"),
    # CR 02 without birthplace, found with it (CNDA 2.06).
    Traits("DE VINCI", "LEONARDO", Sex.M, "2014-02-01", None, "LEONARDO"),
    # CR 01 (CNDA 2.07 cas 2).
    Traits("HOUILLES", "PIERRE", Sex.M, "1993-01-27", None, "PIERRE"),
)


@dataclass
class TrainingEnvironment:
    desk: Desk
    store: Any
    cards: Any
    apcv: TrainingApcv
    simulator: Any
    retry: RetryScheduler
    _closers: list = field(default_factory=list, repr=False)

    @classmethod
    def open(
        cls, config: Config, *, actor: str | None = None, prefer_pcscd: bool = True,
        start_retry_thread: bool = False,
    ) -> TrainingEnvironment:
        """Start everything; on any failure, stop what was started and re-raise."""
        from ins_tui.store.store import Store

        closers: list = []
        try:
            clock = SystemClock(config.zone())
            store = Store.open(config.training_db_path, clock=clock.now,
                               key_path=config.journal_key)
            closers.append(store.close)
            seed_training_data(store)
            simulator, insi = start_simulator(config)
            closers.append(simulator.stop)
            if hasattr(insi, "close"):
                closers.append(insi.close)
            from ins_tui.card.training import TrainingCards

            cards = TrainingCards(prefer_pcscd=prefer_pcscd)
            closers.append(cards.close)
            apcv = TrainingApcv()
            desk = Desk.from_config(store, insi, config, clock=clock, actor=actor or "",
                                    apcv=apcv)
            retry = RetryScheduler(desk)
            if start_retry_thread:
                retry.start()
            closers.append(retry.stop)
        except BaseException:
            for close in reversed(closers):
                _quietly(close)
            raise
        return cls(desk, store, cards, apcv, simulator, retry, closers)

    def close(self) -> None:
        while self._closers:
            _quietly(self._closers.pop())

    def __enter__(self) -> TrainingEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_simulator(config: Config) -> tuple[Any, Any]:
    """The INSi simulator on loopback and a real client speaking mTLS to it.

    The only place training mode touches the INSi package's simulator API.
    """
    from ins_tui.insi.client import InsiClient
    from ins_tui.insi.simulator import SimulatorServer

    simulator = SimulatorServer(config.training_dir / "insi").start()
    try:
        settings = simulator.client_settings(
            connect_timeout=config.insi_connect_timeout,
            read_timeout=config.insi_read_timeout,
            max_answer_bytes=config.insi_max_answer_bytes,
            deadline=config.insi_deadline,
            search_deadline=config.insi_search_deadline,
            bad_active_key=config.insi_bad_active_key,
        )
        return simulator, InsiClient(settings)
    except BaseException:
        simulator.stop()
        raise


def seed_training_data(store: Any) -> bool:
    """Fill a new training database once, and give each new day its own waiting list.

    Patients and practice cases are created once; a day with no visit yet gets demo
    arrivals plus the practice cases, so training opened on any day starts from a live
    list. Returns True when the patients were created by this call.
    """
    from ins_tui.store.demo_data import add_visits_today, generate

    created = False
    if not store.get_setting(SEEDED_KEY):
        generate(store, DEMO_PATIENTS, seed=DEMO_SEED, actor="formation")
        with store.action("formation", "Scénarios de formation"):
            ids = [store.create_patient(traits, channel=Channel.MANUAL) for traits in SCENARIOS]
            store.set_setting(SCENARIOS_KEY, json.dumps(ids))
            store.set_setting(SEEDED_KEY, "1")
        created = True
    if not store.visits_for_day():
        add_visits_today(store, DEMO_VISITS, seed=DEMO_SEED, actor="formation")
        with store.action("formation", "File de formation du jour"):
            for pid in json.loads(store.get_setting(SCENARIOS_KEY) or "[]"):
                store.add_arrival(pid, None)
    return created


def _quietly(close: Any) -> None:
    try:
        close()
    except Exception as exc:  # closing must go on for the other parts
        log.error("training environment: close failed: %s", exception_summary(exc))
