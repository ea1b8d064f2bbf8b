#!/usr/bin/env python3
"""Derive the compact COG tables in data/cog/ from the raw public datasets.

Run: `python3 scripts/derive_cog.py [SOURCE_DIR [OUT_DIR]]` (default ../shared/data, data/cog). The
outputs are committed; re-running on the same sources gives identical files, so
a diff shows exactly what a new COG vintage changed. Only the standard library
is used so the script runs before the venv exists.

Outputs (UTF-8 CSV, `,`-separated, header line, sorted by code):
- communes.csv: code,name,kind,current — every code a person's birthplace may carry
  (one row per code and name; the first row of a code is its current meaning):
  current communes, communes déléguées/associées, municipal arrondissements, and the
  former codes listed by Etalab (`anciensCodes`, e.g. Corsica 20xxx before 2A/2B);
  `current` is the code of the commune that holds it today (empty when itself).
- pays.csv: code,name,kind,parent — the 99xxx INSEE country and territory codes.
- departements.csv: code,name.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "cog"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"

# When one code appears under several types, the first in this order wins.
_KIND_OF_TYPE = {
    "commune-actuelle": "commune",
    "arrondissement-municipal": "arrondissement",
    "commune-deleguee": "deleguee",
    "commune-associee": "associee",
}
_PRIORITY = ["commune", "arrondissement", "deleguee", "associee", "ancien"]


def derive_communes(source: Path) -> list[tuple[str, str, str, str]]:
    """All (code, name) pairs; a code shared by a commune nouvelle and its commune
    déléguée keeps both names (the current commune's row first), so a search by the
    old name still finds the code."""
    records = json.loads((source / "communes-etalab-6.0.0.json").read_text(encoding="utf-8"))
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}

    def offer(code: str, name: str, kind: str, current: str) -> None:
        row = (code, name, kind, "" if current == code else current)
        held = rows.get((code, name))
        if held is None or _PRIORITY.index(kind) < _PRIORITY.index(held[2]):
            rows[(code, name)] = row

    for rec in records:
        kind = _KIND_OF_TYPE[rec["type"]]
        parent = rec.get("commune") or rec.get("chefLieu") or rec["code"]
        offer(rec["code"], rec["nom"], kind, parent)
        for former in rec.get("anciensCodes", []):
            offer(former, rec["nom"], "ancien", parent)
    return sorted(rows.values(), key=lambda r: (r[0], _PRIORITY.index(r[2]), r[1]))


def derive_countries(source: Path) -> list[tuple[str, str, str, str]]:
    with (source / "cog-countries-2025.csv").open(encoding="utf-8", newline="") as fh:
        rows = [
            (
                r["code"],
                r["name"],
                "pays" if r["actual_id"] == "1" else "territoire",
                r["parent_code"],
            )
            for r in csv.DictReader(fh)
        ]
    return sorted(rows)


def derive_departements(source: Path) -> list[tuple[str, str]]:
    records = json.loads((source / "departements-etalab-6.0.0.json").read_text(encoding="utf-8"))
    return sorted((r["code"], r["nom"]) for r in records)


def _write(out: Path, name: str, header: tuple[str, ...], rows: list) -> None:
    with (out / name).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    out = Path(argv[2]) if len(argv) > 2 else OUT
    out.mkdir(parents=True, exist_ok=True)
    communes = derive_communes(source)
    countries = derive_countries(source)
    departements = derive_departements(source)
    _write(out, "communes.csv", ("code", "name", "kind", "current"), communes)
    _write(out, "pays.csv", ("code", "name", "kind", "parent"), countries)
    _write(out, "departements.csv", ("code", "name"), departements)
    for licence in ("LICENSE-etalab-decoupage-administratif.txt", "LICENSE-data-cog.txt"):
        shutil.copyfile(source / licence, out / licence)
    print(
        f"{len(communes)} lignes de communes, {len(countries)} pays, "
        f"{len(departements)} départements → {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
