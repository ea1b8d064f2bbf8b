"""Each patient row sealed with its state and the journal row that explains it.

Why: the journal records every change with a before/after snapshot, but an edit of the
`patients` row itself (a new birth name under the same QUAL status) left no trace. The
seal is an HMAC, under the installation key, of the row's columns and of the id of the
last journal row the store wrote for it (`sealed_by`). Without the key nobody can make a
seal for an edited row; copying back an older row with its older seal is caught because
the journal then holds a later `patient.*` row than the one the seal names.

The same module turns a row into the domain's `StoredIdentity`, so the store (before each
commit) and `db check` (on every row) judge identities with the one rule set.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ins_tui.domain.identity_check import StoredIdentity, check_identity
from ins_tui.domain.model import Ins, Sex, Traits
from ins_tui.domain.problems import Problem
from ins_tui.store import journal_key as keys

# Fixed on purpose: a column added by a later migration must not break earlier seals.
SEALED_COLUMNS: tuple[str, ...] = (
    "id", "birth_name", "first_names", "first_name", "sex", "birth_date", "birthplace",
    "used_name", "used_first_name", "nir", "status", "attributes", "insi_retrieved",
    "document_checked", "apcv", "ins_number", "ins_key", "ins_oid", "ins_key_ok",
    "ins_matricule", "locked_fields", "document_type", "document_at", "document_by",
    "created_at", "updated_at", "birth_name_key", "used_name_key", "first_name_key",
)

# The INS history belongs to the identity (the former matricules INSi returned): sealed with
# the row, so a matricule slipped into or out of it shows too.
HISTORY_COLUMNS: tuple[str, ...] = (
    "number", "key", "oid", "key_ok", "active", "date_start", "date_end", "received_at",
)

PATIENT_EVENT_PREFIX = "patient."


def histories(conn: sqlite3.Connection, first: int | None = None,
              last: int | None = None) -> dict[int, list[list[Any]]]:
    """INS history rows per patient (all patients, or ids `first`..`last`), in id order."""
    sql = f"SELECT patient_id, {', '.join(HISTORY_COLUMNS)} FROM ins_history"
    params: tuple[Any, ...] = ()
    if first is not None:
        sql += " WHERE patient_id BETWEEN ? AND ?"
        params = (first, last if last is not None else first)
    found: dict[int, list[list[Any]]] = {}
    for pid, *values in conn.execute(sql + " ORDER BY patient_id, id", params):
        found.setdefault(pid, []).append(values)
    return found


def patient_seal(key: bytes, row: Mapping[str, Any], sealed_by: int,
                 history: list[list[Any]] | None = None) -> str:
    values = [row[c] for c in SEALED_COLUMNS]
    text = json.dumps([sealed_by, values, history or []], ensure_ascii=False,
                      separators=(",", ":"))
    return keys.seal(key, "patient", text)


def identity_from_row(row: Mapping[str, Any],
                      history: list[list[Any]] | None = None) -> StoredIdentity:
    """The row as the domain sees it; tolerant of hand-written values so they can be judged.

    `history` is the patient's `histories()` entry (columns in HISTORY_COLUMNS order).
    """
    sex = row["sex"]
    ins = None
    if row["ins_number"]:
        ins = Ins(number=row["ins_number"], key=row["ins_key"] or "", oid=row["ins_oid"] or "",
                  key_ok=bool(row["ins_key_ok"]))
    return StoredIdentity(
        traits=Traits(
            birth_name=row["birth_name"] or "",
            first_names=row["first_names"] or "",
            sex=Sex(sex) if sex in ("F", "M") else None,
            birth_date=row["birth_date"],
            birthplace=row["birthplace"],
            first_name=row["first_name"],
            used_name=row["used_name"],
            used_first_name=row["used_first_name"],
        ),
        status=row["status"] or "",
        attributes=row["attributes"] or "",
        insi_retrieved=bool(row["insi_retrieved"]),
        document_checked=bool(row["document_checked"]),
        apcv=bool(row["apcv"]),
        ins=ins,
        ins_matricule=row["ins_matricule"],
        locked=frozenset((row["locked_fields"] or "").split()),
        document_type=row["document_type"],
        nir=row["nir"],
        history=tuple(Ins(number=h[0] or "", key=h[1] or "", oid=h[2] or "",
                          key_ok=bool(h[3])) for h in history or ()),
    )


def row_problems(row: Mapping[str, Any], today: date,
                 history: list[list[Any]] | None = None) -> list[Problem]:
    return check_identity(identity_from_row(row, history), today=today)


def seal_all(conn: sqlite3.Connection, key: bytes, sealed_by: int,
             where: str = "1", params: Iterable[Any] = ()) -> int:
    """Seal the rows matching `where` as explained by journal row `sealed_by` (no checks:
    used when a key starts sealing a file whose rows predate it)."""
    rows = conn.execute(f"SELECT * FROM patients WHERE {where}", tuple(params)).fetchall()
    history = histories(conn)
    conn.executemany(
        "UPDATE patients SET seal = ?, sealed_by = ? WHERE id = ?",
        [(patient_seal(key, r, sealed_by, history.get(r["id"])), sealed_by, r["id"])
         for r in rows],
    )
    return len(rows)
