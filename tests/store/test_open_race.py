"""Desks started together on a database that does not exist yet (after a power cut, the
first morning): they race to create the file, switch it to WAL and migrate it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ins_tui.store import Store
from ins_tui.store.check import check_database

REPO = Path(__file__).resolve().parents[2]
OPENER = Path(__file__).with_name("opener.py")
DESKS = 8
ROUNDS = 4


def test_desks_opening_a_new_file_at_the_same_instant_all_succeed(tmp_path: Path) -> None:
    """Tried: 8 processes × 4 rounds opening a brand-new file at once. Seen before the fix
    (under load): « database is locked » from `PRAGMA journal_mode=WAL`, which SQLite
    does not retry through its busy handler. Every desk must open, the file must be valid,
    0600, in WAL mode, migrated once."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_ in range(ROUNDS):
        db, go = tmp_path / f"nouvelle-{round_}.sqlite", tmp_path / f"go-{round_}"
        procs = [
            subprocess.Popen([sys.executable, str(OPENER), str(db), str(go)], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for _ in range(DESKS)
        ]
        for proc in procs:
            assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        go.touch()
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and out == "opened\n", err
        assert db.stat().st_mode & 0o777 == 0o600
        with Store.open(db) as store:
            assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert check_database(db).valid
