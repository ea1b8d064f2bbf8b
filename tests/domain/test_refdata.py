"""The compact COG tables: committed outputs match the derivation script, loader reads them."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.refdata import load_cog

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.allow_skip
@pytest.mark.skipif(not SHARED.is_dir(), reason="raw datasets of the shared corpus absent")
def test_committed_tables_are_what_the_script_derives(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive_cog.py"), str(SHARED), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    names = ["communes.csv", "pays.csv", "departements.csv",
             "LICENSE-etalab-decoupage-administratif.txt", "LICENSE-data-cog.txt"]  # fmt: skip
    _same, mismatch, errors = filecmp.cmpfiles(
        ROOT / "data" / "cog", tmp_path, names, shallow=False
    )
    assert mismatch == [] and errors == []


def test_attribution_kept_next_to_tables():
    readme = (ROOT / "data" / "cog" / "README.md").read_text(encoding="utf-8")
    assert "@etalab/decoupage-administratif" in readme and "sfaut/data-cog" in readme


def test_tables_content():
    table = load_cog()
    assert len(table) > 39_000
    assert table.departement_of("2A004") == "Corse-du-Sud"
    assert table.departement_of("97101") == "Guadeloupe"
    assert table.departement_of("99132") is None
    assert {p.code for p in table.find("ajaccio")} >= {"2A004", "20004"}
    assert table.find("") == []
    assert table.is_known("99133")  # territory with its own code
    assert table.name_of("01015") == "Arboys en Bugey"


def test_places_accessor_lists_every_known_code_once():
    table = load_cog()
    places = list(table.places())
    assert len(places) == len(table) == len({p.code for p in places})
    kinds = {p.kind for p in places}
    assert {"commune", "pays"} <= kinds
    assert all(table.is_known(p.code) for p in places[:: max(1, len(places) // 500)])
