"""`ins-tui report` through the real entry point, on a seeded `ins-tui demo-data` base.

The expected counts are computed a second way, by a plain sqlite3 reading of the same
file (statuses of the patients on today's list), so the command is checked against the
data and not against itself.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from ins_tui.cli import main

VISITS = 25


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "demo.sqlite"
    assert main(["demo-data", "--db", str(db), "--patients", "1500", "--seed", "4",
                 "--visits-today", str(VISITS)]) == 0
    capsys.readouterr()
    return db


def _expected(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT p.status, p.attributes FROM visits v JOIN patients p ON p.id = v.patient_id"
        ).fetchall()
    finally:
        conn.close()
    counts = {"QUAL": 0, "RECUP": 0, "VALI": 0, "PROV": 0}
    for status, _attributes in rows:
        counts[status] += 1
    return counts


def test_json_on_demo_base(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tried: `report --json` for the current month (the default) on a 1,500-patient demo
    base with 25 visits today; counts equal a plain reading of the file."""
    assert main(["report", "--db", str(demo_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = _expected(demo_db)
    assert data["visits"] == VISITS and data["patients"] == VISITS
    assert data["statuses"] == expected
    assert data["qualified_share"] == round(expected["QUAL"] / VISITS, 4)
    assert data["not_qualified_total"] == VISITS - expected["QUAL"]
    assert len(data["not_qualified"]) == VISITS - expected["QUAL"]
    assert all(item["status"] != "QUAL" for item in data["not_qualified"])
    # Demo identities were never sent to INSi: no search, and the reasons say why.
    assert data["insi"]["searches"] == 0
    assert data["reasons"]["document_missing"] == expected["RECUP"]
    assert data["reasons"]["no_search"] + data["reasons"]["doubtful"] + \
        data["reasons"]["fictitious"] == expected["PROV"]
    assert data["reasons"]["validated_no_insi"] == expected["VALI"]
    assert data["period"]["kind"] == "month" and data["status_basis"] == "end_of_period"


def test_text_fits_80_columns(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tried: the French text report of the same base; every line fits 80 columns and the
    figures are there with their words."""
    assert main(["report", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    expected = _expected(demo_db)
    assert any(line.startswith("Passages") and line.rstrip().endswith(str(VISITS))
               for line in lines)
    assert f"{expected['QUAL']} sur {VISITS} patients" in out
    assert "Part QUAL (indicateur Ségur)" in out
    assert f"Patients vus non qualifiés : {VISITS - expected['QUAL']}" in out
    assert "● QUAL" in out and "qualifiée" in out  # a symbol and a word, never colour


def test_other_period_is_empty(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tried: a period in the past (French dates), where the demo base has no visit."""
    last_year = date.today().replace(day=1) - timedelta(days=400)
    first = last_year.strftime("%d/%m/%Y")
    assert main(["report", "--db", str(demo_db), "--from", first, "--to",
                 (last_year + timedelta(days=6)).isoformat(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["visits"] == 0 and data["qualified_share"] is None
    assert data["period"]["kind"] == "custom"
    assert main(["report", "--db", str(demo_db), "--from", first]) == 0
    assert "Aucun patient vu sur la période." in capsys.readouterr().out


def test_bad_input_exit_2(demo_db: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    """Tried: a date that does not exist, --to before --from, a period over 400 days, a
    missing file. Each is refused in French with exit 2 and no file is created."""
    with pytest.raises(SystemExit) as exc:
        main(["report", "--db", str(demo_db), "--from", "31/02/2025"])
    assert exc.value.code == 2
    assert "date attendue" in capsys.readouterr().err
    assert main(["report", "--db", str(demo_db), "--from", "2025-03-10",
                 "--to", "2025-03-01"]) == 2
    assert "précède" in capsys.readouterr().err
    assert main(["report", "--db", str(demo_db), "--from", "2020-01-01",
                 "--to", "2025-01-01"]) == 2
    assert "trop longue" in capsys.readouterr().err
    missing = tmp_path / "absent.sqlite"
    assert main(["report", "--db", str(missing)]) == 2
    assert "Base introuvable" in capsys.readouterr().err
    assert not missing.exists()
