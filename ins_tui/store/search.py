"""Finding patients: incremental prefix search and exact look-ups.

Why ranges on stored keys: at 200,000 patients a LIKE or a function call per row costs
a full scan on every keystroke; `key >= prefix AND key < prefix + '\\x7f'` walks an
index and stops at `limit`. `bench/search.py` measures it against a scan.
"""

from __future__ import annotations

import sqlite3

from ins_tui.store.core import StoreCore
from ins_tui.store.records import PatientRecord, patient_from_row
from ins_tui.store.search_key import prefix_upper_bound, stored_key, typed_key

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def _splits(words: list[str]) -> list[tuple[str, str]]:
    """(name prefix, first-name prefix) readings of the typed words, whole text first.

    `de la font jean` may be the name `DE LA FONTAINE` with the first name `JEAN`:
    every cut point between words is one reading.
    """
    keys = [typed_key(w) for w in words]
    keys = [k for k in keys if k]
    readings = [("".join(keys), "")]
    for cut in range(1, len(keys)):
        readings.append(("".join(keys[:cut]), "".join(keys[cut:])))
    return readings


class SearchMixin(StoreCore):
    """Read-only look-ups; each query walks an index (a test checks the query plans)."""

    def search(
        self, text: str, birth_date: str | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[PatientRecord]:
        """Patients whose birth name or used name starts with the text, optionally followed
        by the start of the first name; or whose first name starts with a single word.

        Ordered by birth name, first name, birth date; at most `limit` (capped at 500).
        When more match than `limit`, each way of matching contributes its first `limit`
        rows before the cut, so a long list is a sample in that order: type more letters.
        """
        limit = max(1, min(int(limit), MAX_LIMIT))
        words = text.replace(",", " ").split()
        readings = _splits(words)
        if not readings[0][0]:
            if birth_date:
                return self._run(
                    "SELECT * FROM patients WHERE birth_date = ? "
                    "ORDER BY birth_name_key, first_name_key, id LIMIT ?",
                    (birth_date, limit),
                )
            return []
        found: dict[int, sqlite3.Row] = {}
        date_sql = " AND birth_date = ?" if birth_date else ""
        date_args: tuple[str, ...] = (birth_date,) if birth_date else ()
        for name, first in readings:
            for column in ("birth_name_key", "used_name_key"):
                sql, args = self._prefix_sql(column, name, first)
                order = f" ORDER BY {column}, first_name_key, birth_date, id LIMIT ?"
                rows = self._rows(sql + date_sql + order, (*args, *date_args, limit))
                for row in rows:
                    found.setdefault(row["id"], row)
        if len(readings) == 1:  # a single word may be a first name
            key = readings[0][0]
            rows = self._rows(
                "SELECT * FROM patients WHERE first_name_key >= ? AND first_name_key < ?"
                + date_sql + " ORDER BY first_name_key, birth_name_key LIMIT ?",
                (key, prefix_upper_bound(key), *date_args, limit),
            )
            for row in rows:
                found.setdefault(row["id"], row)
        ordered = sorted(
            found.values(),
            key=lambda r: (r["birth_name_key"], r["first_name_key"], r["birth_date"] or "",
                           r["id"]),
        )
        return [patient_from_row(r) for r in ordered[:limit]]

    @staticmethod
    def _prefix_sql(column: str, name: str, first: str) -> tuple[str, tuple[str, ...]]:
        # The used-name index is partial (most patients have none); SQLite uses it only
        # when the query repeats the index's condition word for word.
        partial = " AND used_name_key != ''" if column == "used_name_key" else ""
        sql, args = SearchMixin._range_sql(column, name, first)
        return sql + partial, args

    @staticmethod
    def _range_sql(column: str, name: str, first: str) -> tuple[str, tuple[str, ...]]:
        if first:
            # Exact name, first-name prefix: one index range on (name key, first-name key).
            return (
                f"SELECT * FROM patients WHERE {column} = ? "
                "AND first_name_key >= ? AND first_name_key < ?",
                (name, first, prefix_upper_bound(first)),
            )
        return (
            f"SELECT * FROM patients WHERE {column} >= ? AND {column} < ?",
            (name, prefix_upper_bound(name)),
        )

    def _rows(self, sql: str, args: tuple[object, ...]) -> list[sqlite3.Row]:
        return self._read(sql, args)

    def _run(self, sql: str, args: tuple[object, ...]) -> list[PatientRecord]:
        return [patient_from_row(r) for r in self._read(sql, args)]

    def find_by_matricule(self, matricule: str) -> list[PatientRecord]:
        """Patients holding this INS actif (15 characters; more than one is a duplicate)."""
        m = matricule.replace(" ", "").upper()
        return self._run("SELECT * FROM patients WHERE ins_matricule = ? ORDER BY id", (m,))

    def find_by_nir(self, nir: str) -> list[PatientRecord]:
        """Patients whose card NIR (13 or 15 characters), INS or former INS matches.

        Three index lookups (card NIR, INS actif, INS history) joined by SQLite's
        multi-index OR: as fast on 200,000 patients as a name prefix.
        """
        n = nir.replace(" ", "").upper()[:13]
        upper = prefix_upper_bound(n)
        return self._run(
            "SELECT * FROM patients WHERE (nir >= ? AND nir < ?) "
            "OR (ins_matricule >= ? AND ins_matricule < ?) "
            "OR id IN (SELECT patient_id FROM ins_history WHERE number = ?) ORDER BY id",
            (n, upper, n, upper, n),
        )

    def find_by_traits(
        self, birth_name: str, first_name: str, birth_date: str | None
    ) -> list[PatientRecord]:
        """Same birth name, same first birth first name, same birth date (search keys)."""
        sql = "SELECT * FROM patients WHERE birth_name_key = ? AND first_name_key = ?"
        args: list[object] = [stored_key(birth_name), stored_key(first_name)]
        if birth_date:
            sql += " AND birth_date = ?"
            args.append(birth_date)
        return self._run(sql + " ORDER BY id", tuple(args))
