"""FHIR fixtures: a real SQLite file, the real desk, the INSi simulator on loopback mTLS.

Imported by each test module rather than kept in a `conftest.py`: this folder is not a
package (a package named `fhir` would shadow `fhir.resources`), and a second top-level
`conftest` module would replace the one `tests/card` imports from.

Identities reach each status the way the desk gets them (manual entry, INSi traits search,
carte Vitale channel, document, appli carte Vitale), so the resources are built from what
the store really keeps, events and INS history included. Test identities only: the
simulator's CNDA identities (published test INS, OID `.8` as the qualification server
answers) and the training ApCV ones (OID `.10`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import FixedClock, TrainingApcv
from ins_tui.store.store import Store


@pytest.fixture(name="simulator", scope="module")
def simulator_fixture(tmp_path_factory):
    from ins_tui.insi.simulator import SimulatorServer

    server = SimulatorServer(tmp_path_factory.mktemp("insi-sim"), seed=1).start()
    yield server
    server.stop()


@pytest.fixture(name="insi")
def insi_fixture(simulator):
    from ins_tui.insi.client import InsiClient

    client = InsiClient(simulator.client_settings(connect_timeout=2.0, read_timeout=5.0))
    yield client
    client.close()


@pytest.fixture(name="clock")
def clock_fixture() -> FixedClock:
    return FixedClock(datetime(2025, 3, 14, 9, 30).astimezone())


@pytest.fixture(name="db_path")
def db_path_fixture(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite"


@pytest.fixture(name="store")
def store_fixture(db_path: Path, clock: FixedClock):
    s = Store.open(db_path, clock=clock.now)
    yield s
    s.close()


@pytest.fixture(name="desk")
def desk_fixture(store, clock, insi) -> Desk:
    return Desk(store, insi, clock, "secretaire", apcv=TrainingApcv(),
                documents=("CN", "PA", "LE"))
