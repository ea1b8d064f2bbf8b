"""Ugly paths, for real: a full disk and a read-only file system under the database (tmpfs
mounted in the private namespaces of scripts/private-ns.sh), the INSi simulator stopped in
the middle of the day, and the app killed with SIGKILL then restarted."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Status
from ins_tui.store.store import Store
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import open_and_search, text_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of our own (needs the private mount namespace: root, INS_TUI_IN_NS)."""
    if os.environ.get("INS_TUI_IN_NS") != "1" or os.geteuid() != 0:
        pytest.skip("montage d'un petit tmpfs possible seulement dans scripts/private-ns.sh")
    mount = tmp_path / "fs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> Path:
    """Write zeros until the file system says ENOSPC."""
    filler = directory / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return filler


def first_visit(store: Store, clock: Any) -> Any:
    return store.visits_for_day(clock.now().date())[0]


@pytest.mark.pcscd
async def test_disk_full_said_in_french_nothing_half_written_then_works_again(
        small_fs, insi, clock, config):
    from ins_tui.tui.app import InsTuiApp

    store = Store.open(small_fs / "accueil.sqlite", clock=clock.now)
    try:
        add_patient(store, ADRTROIS)
        app = InsTuiApp(Desk(store, insi, clock, "secretaire"), config=config, environ={})
        async with app.run_test(size=(80, 24)) as pilot:
            main = app.main_screen()
            await wait_until(pilot, lambda: main.selected_visit() is not None, what="row")
            filler = fill(small_fs)
            await pilot.press("c")
            await wait_until(pilot, lambda: "disque plein" in text_of(main, "#status-line"),
                             what="French message")
            assert "full" not in text_of(main, "#status-line")
            assert first_visit(store, clock).state == "en_attente"  # rolled back
            filler.unlink()
            await pilot.press("c")
            await wait_until(pilot, lambda: first_visit(store, clock).state
                             == "en_consultation", what="works again")
        assert store.verify_chain().ok
    finally:
        store.close()


@pytest.mark.pcscd
async def test_database_on_a_read_only_file_system_refused_in_french_at_start(
        small_fs, insi, clock, config):
    """The app opens its database in a worker after the first frame (as `launch` does):
    on a read-only file system it stops with code 2 and a French reason, file untouched."""
    from ins_tui.tui.app import Backend, InsTuiApp

    path = small_fs / "accueil.sqlite"
    with Store.open(path, clock=clock.now) as store:
        add_patient(store, ADRTROIS)
    before = path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)

    def backend() -> Backend:
        return Backend(Desk(Store.open(path, clock=clock.now), insi, clock, "secretaire"))

    app = InsTuiApp(backend=backend, config=config, environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.startup_error is not None, what="refusal")
    assert app.return_code == 2
    assert app.startup_error.startswith("Démarrage impossible : Impossible d'ouvrir la base")
    assert "Le fichier n'a pas été modifié" in app.startup_error
    assert path.read_bytes() == before


async def test_database_sealed_by_another_key_refused_in_french_at_start(
        tmp_path, insi, clock, config):
    """A swapped or lost journal key: the desk does not open the file (it would seal on with
    a key nobody can verify) and says how to get out, naming `db rekey`."""
    from ins_tui.tui.app import Backend, InsTuiApp

    path = tmp_path / "accueil.sqlite"
    with Store.open(path, clock=clock.now) as store:
        add_patient(store, ADRTROIS)
    before = path.read_bytes()
    other_key = tmp_path / "autre.key"

    def backend() -> Backend:
        return Backend(Desk(Store.open(path, clock=clock.now, key_path=other_key), insi, clock,
                            "secretaire"))

    app = InsTuiApp(backend=backend, config=config, environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.startup_error is not None, what="refusal")
    assert app.return_code == 2
    assert "n'est pas celle qui scelle la base" in app.startup_error
    assert "db rekey" in app.startup_error
    assert path.read_bytes() == before


async def test_simulator_stopped_mid_use_request_kept_then_retried(
        make_app, store, desk, clock, tmp_path):
    """The téléservice goes away after a first good answer: the next search is queued (in
    the database), the desk keeps working, and the retry succeeds once it is back."""
    from ins_tui.desk.retry import RetryScheduler
    from ins_tui.insi.client import InsiClient
    from ins_tui.insi.simulator import SimulatorServer
    from tests.tui.conftest import HOUILLES

    sim = SimulatorServer(tmp_path / "sim", seed=1).start()
    port = sim.port
    client = InsiClient(sim.client_settings(read_timeout=2.0, connect_timeout=1.0))
    desk.insi = client
    first = add_patient(store, HOUILLES)
    second = add_patient(store, ADRTROIS)
    retry = RetryScheduler(desk, base_delay=30.0)
    app = make_app(retry=retry, retry_interval=3600)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_and_search(app, pilot, first)
            assert screen.result.kind is InsiResultKind.NOT_FOUND
            await pilot.press("escape")
            sim.stop()  # the service goes down mid-morning, its connections with it
            client.close()  # (the simulator's stop leaves keep-alive sockets served)
            client = desk.insi = InsiClient(sim.client_settings(read_timeout=2.0,
                                                                connect_timeout=1.0))
            screen = await open_and_search(app, pilot, second)
            assert screen.result.kind is InsiResultKind.QUEUED
            assert "relancée automatiquement" in text_of(screen, "#identity-state")
            assert desk.pending_retries() == 1
            sim = SimulatorServer(tmp_path / "sim", port=port, seed=1).start()  # back
            clock.advance(60)
            app.run_retries()
            await wait_until(pilot, lambda: screen.result.kind is InsiResultKind.MATCHED,
                             what="retried in place")
            assert store.get_patient(second).status is Status.RECUP
            assert desk.pending_retries() == 0
    finally:
        client.close()
        sim.stop()


def test_sigkill_mid_use_then_restart_loses_nothing(tmp_path, simulator):
    """A real pty app queues an INSi search (no service configured), is killed with
    SIGKILL; reopened, the file is intact, the queue still holds the request, and a desk
    with a service runs it."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from _tui_support import PtyApp
    finally:
        sys.path.pop(0)
    from ins_tui.desk.retry import RetryScheduler
    from ins_tui.insi.client import InsiClient

    path = tmp_path / "accueil.sqlite"
    with Store.open(path) as store:
        patient_id = add_patient(store, ADRTROIS)
    app = PtyApp("desk", path, cols=80, rows=24)
    try:
        app.wait_ready()
        app.settle(quiet=0.5)
        app.press(b"i")  # search INS for the selected (only) visit: queued, no service
        # Generous: CI once took over 10 s here on a machine loaded by other processes;
        # what is checked is that the request is queued, not how fast.
        deadline = time.monotonic() + 40
        with Store.open(path) as watcher:
            while not watcher.pending_insi():
                assert time.monotonic() < deadline, "request never queued"
                app.read_for(0.05)
        app.press(b"\x1b")  # back to the list, then a state change while being killed
        app.press(b"c")
        os.kill(app.pid, signal.SIGKILL)
        os.waitpid(app.pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(app.pid, signal.SIGKILL)
            os.waitpid(app.pid, 0)
        os.close(app.fd)
    from ins_tui.desk.ports import FixedClock

    clock = FixedClock()  # real time: the killed app scheduled the retry on the wall clock
    store = Store.open(path, clock=clock.now)
    try:
        assert store.verify_chain().ok
        assert len(store.pending_insi()) == 1
        with InsiClient(simulator.client_settings()) as client:
            desk = Desk(store, client, clock, "reprise")
            clock.advance(3600)
            results = RetryScheduler(desk).tick()
        assert [r.kind for r in results] == [InsiResultKind.MATCHED]
        assert store.get_patient(patient_id).status is Status.RECUP
        assert store.pending_insi() == []
    finally:
        store.close()
