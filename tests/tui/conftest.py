"""TUI fixtures: a real SQLite file, the real INSi simulator over loopback mTLS, a fixed clock.

The simulator (and its PKI) is started once per session: generating certificates is the
slow part. Each test gets a fresh database file and a fresh desk on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ins_tui.config import Config
from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import FixedClock, TrainingApcv
from ins_tui.domain.model import Channel, Sex, Traits
from ins_tui.store.store import Store

FIXED_NOW = datetime(2025, 3, 14, 9, 30)


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from ins_tui.insi.simulator import SimulatorServer

    server = SimulatorServer(tmp_path_factory.mktemp("insi-sim"), seed=1).start()
    yield server
    server.stop()


@pytest.fixture
def insi(simulator: Any) -> Iterator[Any]:
    from ins_tui.insi.client import InsiClient

    simulator.fault_rate = 0.0
    simulator.latency = 0.0
    client = InsiClient(simulator.client_settings(read_timeout=5.0, connect_timeout=2.0))
    yield client
    client.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW.astimezone())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "accueil.sqlite"


@pytest.fixture
def store(db_path: Path, clock: FixedClock) -> Iterator[Store]:
    s = Store.open(db_path, clock=clock.now)
    yield s
    s.close()


@pytest.fixture
def desk(store: Store, insi: Any, clock: FixedClock) -> Desk:
    return Desk(store, insi, clock, "secretaire", apcv=TrainingApcv())


@pytest.fixture
def config() -> Config:
    return Config(practitioners=("Dr Martin", "Dr Bernard"))


@pytest.fixture
def make_app(desk: Desk, config: Config) -> Callable[..., Any]:
    from ins_tui.tui.app import InsTuiApp

    def build(**kwargs: Any) -> InsTuiApp:
        kwargs.setdefault("config", config)
        kwargs.setdefault("environ", {"TERM": "xterm-256color"})
        return InsTuiApp(kwargs.pop("desk", desk), **kwargs)

    return build


def add_patient(store: Store, traits: Traits, *, arrival: str | None = "Dr Martin") -> int:
    with store.action("test", "patient de test"):
        patient_id = store.create_patient(traits, channel=Channel.MANUAL)
        if arrival is not None:
            store.add_arrival(patient_id, arrival)
    return patient_id


ADRTROIS = Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT")
ECETINSI_DIFF = Traits("ECETINSI", "PIERRE-ALAIN", Sex.M, "2009-07-14", "75056", "PIERRE-ALAIN")
DE_VINCI = Traits("DE VINCI", "LEONARDO", Sex.M, "2014-02-01", None, "LEONARDO")
HOUILLES = Traits("HOUILLES", "PIERRE", Sex.M, "1993-01-27", None, "PIERRE")


async def wait_until(pilot: Any, condition: Callable[[], bool], *, timeout: float = 10.0,
                     what: str = "condition") -> None:
    """Let the app run (workers, card thread) until `condition` holds and the screen in
    front is composed; fail after `timeout`.

    A screen is in `app.screen` as soon as it is pushed, before its widgets exist: a test
    that waited for `isinstance(app.screen, X)` then queried a widget failed once on a
    loaded machine (NoMatches on a ChoiceList's OptionList). Waiting for the front screen
    to be mounted as well closes that gap for every caller.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (condition() and _front_screen_mounted(pilot.app)):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def _front_screen_mounted(app: Any) -> bool:
    try:
        return bool(app.screen.is_mounted)
    except Exception:  # no screen yet, or the app is stopping: nothing to wait for
        return True


async def open_journal(app: Any, pilot: Any, patient_id: int | None) -> Any:
    """Open the journal (a patient's, or the day's with None) and wait until its lines show."""
    from ins_tui.tui.screens.journal import JournalScreen

    app.open_journal(patient_id)
    await wait_until(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.lines,
                     what="journal")
    await pilot.pause()
    return app.screen
