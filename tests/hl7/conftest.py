"""HL7 fixtures: a real SQLite file queueing for `hl7`, a clock we move, a real receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ins_tui.store import Store
from tests.store.helpers import PARIS, Clock

from .receiver import Receiver


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 30, tzinfo=PARIS))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store.open(db_path, clock=clock)
    s.set_output_targets({"hl7"})
    yield s
    s.close()


@pytest.fixture
def receiver() -> Iterator[Callable[[str], Receiver]]:
    started: list[Receiver] = []

    def start(mode: str = "AA") -> Receiver:
        r = Receiver(mode).start()
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()
