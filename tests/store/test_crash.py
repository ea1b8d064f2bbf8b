"""A writer process killed with SIGKILL in the middle of an action loses it whole.

The child (crash_writer.py) pauses between two SQL statements of one user action; we
kill it there, then `ins-tui db check` must pass and no trace of the action may remain.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.cli import main as cli_main
from ins_tui.store import Store

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("crash_writer.py")
# Statement numbers inside the action (85 statements in all; 1 is BEGIN IMMEDIATE, the
# last is COMMIT): spread over creation, journal, INS import, states, document, arrival.
PAUSE_POINTS = (2, 5, 9, 14, 20, 28, 36, 45, 55, 65, 75, 84)


def _spawn(db: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(WRITER), str(db), mode], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _counts(db: Path) -> dict[str, int]:
    with Store.open(db) as s:
        return {t: s.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("patients", "ins_history", "identity_events", "visits", "journal")}


def test_statement_count_is_what_the_pause_points_assume(tmp_path: Path) -> None:
    proc = _spawn(tmp_path / "full.sqlite", "0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    total = int(out.split("statements=")[1])
    assert max(PAUSE_POINTS) < total  # every pause point falls inside the action
    assert _counts(tmp_path / "full.sqlite")["patients"] == 1


def test_sigkill_between_statements_leaves_nothing_half_written(tmp_path: Path) -> None:
    # Pre-create the files so that each kill hits a database with committed history.
    dbs = {}
    for point in PAUSE_POINTS:
        db = tmp_path / f"kill-{point}.sqlite"
        proc = _spawn(db, "0")
        dbs[point] = (db, proc)
    for db, proc in dbs.values():
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    baseline = _counts(dbs[PAUSE_POINTS[0]][0])
    children = {point: _spawn(db, str(point)) for point, (db, _p) in dbs.items()}
    for point, proc in children.items():
        line = proc.stdout.readline()
        assert line.startswith(f"paused {point} "), (line, proc.stderr.read())
        _kill(proc)
    for point, (db, _p) in dbs.items():
        assert cli_main(["db", "check", "--db", str(db)]) == 0, point
        assert _counts(db) == baseline, point  # the killed action left no row anywhere
        with Store.open(db) as s:  # and the file takes the next action normally
            s.create_patient(s.get_patient(1).traits, actor="accueil")
            assert s.verify_chain().ok


def test_sigkill_at_random_instants_in_a_busy_writer(tmp_path: Path) -> None:
    db = tmp_path / "busy.sqlite"
    rng = random.Random(2026)
    committed = 0
    for _round in range(3):
        proc = _spawn(db, "loop")
        for _ in range(rng.randint(1, 4)):
            line = proc.stdout.readline()
            assert line.startswith("committed"), (line, proc.stderr.read())
        # Let it run into the middle of a later action, at no particular instant.
        _sleep_busy(rng.uniform(0.0, 0.05))
        _kill(proc)
        result = subprocess.run(
            [sys.executable, "-m", "ins_tui", "db", "check", "--db", str(db), "--json"],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stdout
        assert '"valid": true' in result.stdout
        with Store.open(db) as s:
            patients = s.conn.execute("SELECT * FROM patients").fetchall()
            assert len(patients) > committed
            committed = len(patients)
            for row in patients:  # each identity is complete, never half-written
                assert (row["status"], row["document_type"], row["ins_matricule"]) == (
                    "QUAL", "PA", "109076322083489")
                assert len(s.ins_history(row["id"])) == 2
                assert len(s.journal_for_patient(row["id"])) >= 8
            assert s.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == committed


def _sleep_busy(seconds: float) -> None:
    import time

    time.sleep(seconds)


@pytest.mark.parametrize("where", ["wal"])
def test_torn_wal_tail_is_ignored(tmp_path: Path, where: str) -> None:
    """Garbage appended to the -wal (a write cut short by the kernel) is not replayed."""
    db = tmp_path / "torn.sqlite"
    proc = _spawn(db, "0")
    assert proc.wait(timeout=60) == 0
    s = Store.open(db)
    s.create_patient(s.get_patient(1).traits, actor="accueil")
    wal = Path(f"{db}-wal")
    with wal.open("ab") as fh:
        fh.write(os.urandom(3000))
    os.kill(os.getpid(), 0)  # (no-op: the connection stays open like a crashed process)
    s.conn.close()
    assert cli_main(["db", "check", "--db", str(db)]) == 0
    assert _counts(db)["patients"] == 2
