"""One simulator PKI and one running simulator for the whole INSi test session.

Generating RSA keys is the slow part, so the PKI is made once; each test gets
the session simulator with every knob back to its default and its own client
(its own TLS connection), so tests stay independent without restarting servers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ins_tui.insi.client import InsiClient
from ins_tui.insi.pki import ensure_pki
from ins_tui.insi.simulator import SimulatorServer


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("insi-sim")
    ensure_pki(directory)
    return directory


@pytest.fixture(scope="session")
def _session_sim(sim_dir: Path):
    server = SimulatorServer(sim_dir).start()
    yield server
    server.stop()


@pytest.fixture
def sim(_session_sim: SimulatorServer) -> SimulatorServer:
    s = _session_sim
    s.latency, s.fault_rate, s.qualification, s.evil, s.variants = 0.0, 0.0, False, None, ()
    s.idle_timeout = 30.0
    return s


@pytest.fixture
def client(sim: SimulatorServer):
    c = InsiClient(sim.client_settings(read_timeout=5.0, connect_timeout=2.0))
    yield c
    c.close()
