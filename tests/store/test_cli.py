"""`ins-tui db check` and `ins-tui demo-data`, through the real entry point."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.domain.matricule import check_matricule
from ins_tui.domain.model import OID_DEMO_NIR, OID_TEST_NIR
from ins_tui.store import Store
from ins_tui.store.migrations import LATEST

REPO = Path(__file__).resolve().parents[2]


def _newer_database(path: Path) -> Path:
    """A real ins-tui file whose schema number is one ahead of this code's."""
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={LATEST + 1}")
    conn.close()
    return path


def test_demo_data_then_check_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo-data", "--db", str(db), "--patients", "1500", "--seed", "4",
                 "--visits-today", "25", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["patients"] == 1500 and summary["visits"] == 25 and summary["seed"] == 4
    assert set(summary["statuses"]) == {"PROV", "RECUP", "VALI", "QUAL"}
    assert main(["db", "check", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] and report["schema_version"] == LATEST
    with Store.open(db) as s:
        rows = s.conn.execute("SELECT * FROM patients").fetchall()
        assert len(s.visits_for_day()) == 25
    oids = {r["ins_oid"] for r in rows if r["ins_oid"]}
    assert oids == {OID_TEST_NIR, OID_DEMO_NIR}  # test OIDs only
    assert all(check_matricule(r["ins_number"], r["ins_key"]) for r in rows if r["ins_number"])
    names = {r["birth_name"] for r in rows}
    assert any("'" in n for n in names) and any("-" in n for n in names)
    assert any(" " in n for n in names)
    assert any("-" in r["first_names"] for r in rows)
    assert {r["sex"] for r in rows} == {"F", "M"}
    assert len({r["birthplace"] for r in rows}) > 200  # from the COG tables
    assert {r["attributes"] for r in rows} >= {"", "douteuse", "fictive"}
    assert all(r["status"] == "PROV" for r in rows if "douteuse" in r["attributes"])


def test_same_seed_same_people(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for db in (a, b):
        assert main(["demo-data", "--db", str(db), "--patients", "200", "--seed", "9"]) == 0
    query = "SELECT birth_name, first_names, birth_date, ins_matricule FROM patients ORDER BY id"
    rows = [sqlite3.connect(db).execute(query).fetchall() for db in (a, b)]
    assert rows[0] == rows[1]


def test_check_text_output_and_exit_codes(tmp_path: Path, capsys) -> None:
    db = tmp_path / "ok.sqlite"
    Store.open(db).close()
    assert main(["db", "check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Base valide." in out and "[OK] intégrité" in out
    missing = tmp_path / "absent.sqlite"
    assert main(["db", "check", "--db", str(missing)]) == 2
    assert "n'existe pas" in capsys.readouterr().out
    assert not missing.exists()  # checking never creates a file


def test_check_refuses_newer_and_non_database(tmp_path: Path, capsys) -> None:
    newer = _newer_database(tmp_path / "newer.sqlite")
    assert main(["db", "check", "--db", str(newer)]) == 2
    assert "plus récent" in capsys.readouterr().out
    junk = tmp_path / "notes.sqlite"
    junk.write_text("ceci n'est pas une base\n" * 100)
    assert main(["db", "check", "--db", str(junk)]) == 2
    assert "n'est pas une base ins-tui" in capsys.readouterr().out


def test_check_reports_duplicate_ins_as_warning(tmp_path: Path, capsys) -> None:
    from .helpers import published_test_identity, traits

    db = tmp_path / "dup.sqlite"
    with Store.open(db) as s:
        for _ in range(2):
            pid = s.create_patient(traits(), actor="accueil")
            s.set_ins(pid, published_test_identity(), actor="accueil")
    assert main(["db", "check", "--db", str(db)]) == 0
    assert "[ATTENTION] doublons" in capsys.readouterr().out


def test_demo_data_bad_input_is_french_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "ins_tui", "demo-data", "--db", str(db), "--patients", "douze"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "nombre entier attendu, reçu « douze »" in result.stderr
    assert main(["demo-data", "--db", str(db), "--patients", "3", "--visits-today", "5"]) == 2
    assert not db.exists()


def test_demo_data_refuses_a_newer_file(tmp_path: Path, capsys) -> None:
    db = _newer_database(tmp_path / "newer.sqlite")
    assert main(["demo-data", "--db", str(db), "--patients", "10"]) == 2
    assert "version plus récente" in capsys.readouterr().out


def test_demo_data_on_a_non_database_file(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "notes.sqlite"
    junk.write_text("pas une base\n" * 100)
    assert main(["demo-data", "--db", str(junk), "--patients", "10"]) == 2
    assert "ce n'est pas une base SQLite" in capsys.readouterr().out
    assert junk.read_text() == "pas une base\n" * 100


def test_demo_data_twice_on_one_file_never_reuses_a_matricule(tmp_path: Path, capsys) -> None:
    """Reliability: same seed twice on one file used to create 24 duplicate INS in 100."""
    db = tmp_path / "deux.sqlite"
    for _ in range(2):
        assert main(["demo-data", "--db", str(db), "--patients", "300", "--seed", "1"]) == 0
    assert "300 patients fictifs créés" in capsys.readouterr().out
    with Store.open(db) as s:
        numbers = [r[0] for r in s.conn.execute(
            "SELECT ins_number FROM patients WHERE ins_number IS NOT NULL")]
        nirs = [r[0] for r in s.conn.execute("SELECT nir FROM patients WHERE nir IS NOT NULL")]
    assert len(numbers) > 100 and len(set(numbers)) == len(numbers)
    assert len(set(nirs)) == len(nirs)
    assert main(["db", "check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[ATTENTION]" not in out and "Aucun INS porté par plusieurs patients" in out


def test_singular_summary_in_french(tmp_path: Path, capsys) -> None:
    assert main(["demo-data", "--db", str(tmp_path / "un.sqlite"), "--patients", "1",
                 "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 patient fictif créé dans ") and "0 passage aujourd'hui" in out


@pytest.mark.parametrize("argv", [["db", "check"], ["demo-data", "--patients", "2"]])
def test_a_directory_given_as_database_is_named_in_french(
    tmp_path: Path, capsys, argv: list[str]
) -> None:
    folder = tmp_path / "dossier"
    folder.mkdir()
    assert main([*argv, "--db", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "c'est un dossier, pas un fichier" in out and "n'existe pas" not in out
    assert list(folder.iterdir()) == []  # nothing created inside


def test_check_of_junk_speaks_french_only(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"garbage" * 200)
    assert main(["db", "check", "--db", str(junk), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    message = report["checks"][0]["message_fr"]
    assert "file is not a database" not in message
    assert "ce n'est pas une base SQLite" in message
