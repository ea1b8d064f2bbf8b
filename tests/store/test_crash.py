"""A writer process killed with SIGKILL in the middle of an action loses it whole.

The child (crash_writer.py) pauses between two SQL statements of one user action; we
kill it there, then `ins-tui db check` must pass and no trace of the action may remain.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ins_tui.cli import main as cli_main
from ins_tui.store import Store

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("crash_writer.py")
# Statement numbers inside the action (85 statements in all; 1 is BEGIN IMMEDIATE, the
# last is COMMIT): spread over creation, journal, INS import, states, document, arrival.
PAUSE_POINTS = (2, 9, 20, 33, 47, 60, 75, 84)


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
    # Every kill hits a database that already holds one committed action.
    seed = tmp_path / "seed.sqlite"
    assert _spawn(seed, "0").wait(timeout=60) == 0
    dbs = {}
    for point in PAUSE_POINTS:
        db = tmp_path / f"kill-{point}.sqlite"
        shutil.copyfile(seed, db)
        dbs[point] = (db, None)
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
                assert (row["status"], row["document_type"]) == ("QUAL", "PA")
                assert row["ins_matricule"].startswith("1090763220")
                assert len(s.ins_history(row["id"])) == 2
                assert len(s.journal_for_patient(row["id"])) == 7  # the whole action
            assert s.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == committed


def _sleep_busy(seconds: float) -> None:
    import time

    time.sleep(seconds)


def test_torn_wal_tail_after_a_kill_is_ignored(tmp_path: Path) -> None:
    """Garbage at the end of the -wal (a write the kill cut short) is never replayed."""
    db = tmp_path / "torn.sqlite"
    proc = _spawn(db, "loop")
    for _ in range(2):
        assert proc.stdout.readline().startswith("committed")
    _kill(proc)
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0  # the kill left committed frames in the WAL
    with wal.open("ab") as fh:
        fh.write(random.Random(1).randbytes(5000))
    assert cli_main(["db", "check", "--db", str(db)]) == 0
    assert _counts(db)["patients"] >= 2
