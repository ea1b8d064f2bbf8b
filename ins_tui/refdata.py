"""Loader of the compact COG tables in `data/cog/` — the only module reading reference data.

The domain states the birthplace rules against the `CogTable` protocol; this
module supplies the real tables. Loading parses ~40,000 rows, so it happens once
per process (`load_cog` is cached) and only when a birthplace is looked up.
"""

from __future__ import annotations

import bisect
import csv
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

from ins_tui.paths import data_file


class Place(NamedTuple):
    """A NamedTuple rather than a frozen dataclass: 40,000 are built at load time."""

    code: str
    name: str
    kind: str  # commune, arrondissement, deleguee, associee, ancien, pays, territoire
    current: str = ""  # the code that holds it today, when not itself


# Every kind of place, in French (the place picker shows them all).
KIND_FR = {
    "arrondissement": "arrondissement",
    "deleguee": "commune déléguée",
    "associee": "commune associée",
    "ancien": "ancien code",
    "pays": "pays",
    "territoire": "territoire",
}
# Kinds a display name says after the name: the others (a commune, an arrondissement, a
# country) read plainly from the name itself.
_SAID_KINDS = ("deleguee", "associee", "ancien", "territoire")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").replace("'", " ").split())


class CogTables:
    """Communes (current, delegated, associated, arrondissements, former codes) and countries."""

    def __init__(
        self,
        places: dict[str, Place],
        departements: dict[str, str],
        other_names: list[Place] | None = None,
    ) -> None:
        self._places = places
        self._departements = departements
        self._other_names = other_names or []  # e.g. a commune déléguée sharing a code
        self._folded: list[tuple[str, Place]] | None = None

    @classmethod
    def from_dir(cls, directory: Path) -> CogTables:
        places: dict[str, Place] = {}
        other_names: list[Place] = []
        with (directory / "communes.csv").open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)  # header: code,name,kind,current
            for code, name, kind, current in rows:
                place = Place(code, name, kind, current)
                if code in places:
                    other_names.append(place)  # first row of a code is its current meaning
                else:
                    places[code] = place
        with (directory / "pays.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                places[row["code"]] = Place(row["code"], row["name"], row["kind"])
        with (directory / "departements.csv").open(encoding="utf-8", newline="") as fh:
            departements = {row["code"]: row["name"] for row in csv.DictReader(fh)}
        return cls(places, departements, other_names)

    def __len__(self) -> int:
        return len(self._places)

    def places(self) -> Iterator[Place]:
        """Every code the tables know, in file order (one `Place` per code)."""
        return iter(self._places.values())

    def place(self, code: str) -> Place | None:
        return self._places.get(code.strip().upper())

    def is_known(self, code: str) -> bool:
        return self.place(code) is not None

    def name_of(self, code: str) -> str | None:
        """Display name in French, saying when the code is not a current commune."""
        place = self.place(code)
        if place is None:
            return None
        if place.kind in _SAID_KINDS:
            return f"{place.name} — {KIND_FR[place.kind]}"
        return place.name

    def current_of(self, code: str) -> str | None:
        place = self.place(code)
        return place.current or None if place else None

    def departement_of(self, code: str) -> str | None:
        """Department name for a commune code, even one the tables do not know."""
        code = code.strip().upper()
        if code.startswith("99"):
            return None
        return self._departements.get(code[:3]) or self._departements.get(code[:2])

    def find(self, text: str, limit: int = 20) -> list[Place]:
        """Places whose name starts with `text` (accents, case, hyphens ignored)."""
        wanted = _fold(text)
        if not wanted:
            return []
        if self._folded is None:
            self._folded = sorted(
                ((_fold(p.name), p) for p in [*self._places.values(), *self._other_names]),
                key=lambda item: (item[0], item[1].code),
            )
        # Sorted by folded name: the matches are one run starting where `wanted` would go,
        # found by bisection (a keystroke costs microseconds, not a scan of 40,000 names).
        start = bisect.bisect_left(self._folded, (wanted,))
        found: list[Place] = []
        for index in range(start, len(self._folded)):
            folded, place = self._folded[index]
            if not folded.startswith(wanted) or len(found) >= limit:
                break
            found.append(place)
        return found


@cache
def load_cog() -> CogTables:
    """The bundled tables (checkout `data/cog/` or wheel `ins_tui/_data/cog/`)."""
    return CogTables.from_dir(data_file("cog"))
