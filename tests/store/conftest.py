"""Store fixtures: real SQLite files in a temporary directory, a clock that we control."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ins_tui.store import Store

from .helpers import PARIS, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 30, tzinfo=PARIS))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store.open(db_path, clock=clock)
    yield s
    s.close()
