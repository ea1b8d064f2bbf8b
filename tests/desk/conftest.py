"""Desk fixtures: a real SQLite file per test, one clock shared by store and desk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import FixedClock, TrainingApcv
from ins_tui.domain.traits import TraitsInput
from ins_tui.store.store import Store


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 3, 14, 9, 30).astimezone())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite"


@pytest.fixture
def store(db_path: Path, clock: FixedClock):
    s = Store.open(db_path, clock=clock.now)
    yield s
    s.close()


@pytest.fixture
def desk(store, clock) -> Desk:
    return Desk(store, None, clock, "secretaire", apcv=TrainingApcv())


def form(**kw: str) -> TraitsInput:
    base = dict(birth_name="Dupont", first_names="Marie Anne", sex="F",
                birth_date="01/02/1980", birthplace="63220")
    base.update(kw)
    return TraitsInput(**base)


def read_card(profile_name: str):
    """Beneficiaries read by the real Vitale reader code from an in-process virtual chip."""
    from ins_tui.card.chip import InProcessTransport, VirtualChip
    from ins_tui.card.profiles import load_profiles
    from ins_tui.card.vitale import read_vitale

    chip = VirtualChip(load_profiles()[profile_name])
    return list(read_vitale(InProcessTransport(chip), atr=chip.atr).beneficiaries)
