"""Four desks writing at once: nothing lost, never "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ins_tui.store import Store
from ins_tui.store.check import check_database

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("arrivals_writer.py")
DESKS = 4
ARRIVALS = 500


def test_four_processes_add_500_arrivals_each(tmp_path: Path) -> None:
    db = tmp_path / "partage.sqlite"  # not created yet: the desks race to create it too
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(db), str(go), str(ARRIVALS), f"poste{i}"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(DESKS)
    ]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
    go.touch()  # all desks start adding arrivals at the same instant
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert "locked" not in err.lower() and "verrouill" not in err.lower(), err
        assert proc.returncode == 0, err
        assert out == "done\n"
    with Store.open(db) as store:
        visits = store.visits_for_day()
        assert len(visits) == DESKS * ARRIVALS
        assert sorted(v.position for v in visits) == list(range(1, DESKS * ARRIVALS + 1))
        per_patient = {}
        for v in visits:
            per_patient[v.patient_id] = per_patient.get(v.patient_id, 0) + 1
        assert sorted(per_patient.values()) == [ARRIVALS] * DESKS
        chain = store.verify_chain()
        assert chain.ok and chain.rows == DESKS * (ARRIVALS + 1)
    assert check_database(db).valid
