"""The audit journal: append-only rows, each sealed by a hash over the previous one.

Why a hash chain on top of the triggers: the triggers stop this program (and any
honest tool) from rewriting history, but someone with the file can drop them. The
chain makes such an edit visible: `verify_chain` (and `ins-tui db check`) recomputes
every hash and names the first row that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ins_tui.store.migrations import GENESIS_HASH

JOURNAL_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "event",
    "patient_id",
    "before_json",
    "after_json",
    "insi_request",
    "insi_response",
)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and an unambiguous encoding of the row's content.

    Raw INSi XML is hashed as bytes (hex), so the exchange is sealed byte for byte.
    """
    content = []
    for name in JOURNAL_COLUMNS:
        value = row.get(name)
        if isinstance(value, (bytes, bytearray, memoryview)):
            value = {"hex": bytes(value).hex()}
        content.append(value)
    encoded = json.dumps([prev_hash, content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class Entry:
    """What one journal row says; who and when come from the action that writes it."""

    event: str
    patient_id: int | None = None
    before: Any = None
    after: Any = None
    insi_request: bytes | None = None
    insi_response: bytes | None = None


def append_row(conn: sqlite3.Connection, *, at: str, actor: str, action: str, entry: Entry) -> int:
    """Append one row; must run inside the caller's write transaction (ids are chained)."""
    last = conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    prev_id, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    request, response = entry.insi_request, entry.insi_response
    row: dict[str, Any] = {
        "id": prev_id + 1,
        "at": at,
        "actor": actor,
        "action": action,
        "event": entry.event,
        "patient_id": entry.patient_id,
        "before_json": dumps(entry.before),
        "after_json": dumps(entry.after),
        "insi_request": bytes(request) if request is not None else None,
        "insi_response": bytes(response) if response is not None else None,
    }
    row["prev_hash"] = prev_hash
    row["hash"] = row_hash(prev_hash, row)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO journal ({names}) VALUES ({marks})", tuple(row.values()))
    # The head is kept aside so that cutting rows off the end is noticed too.
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('journal_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (f"{row['id']}:{row['hash']}",),
    )
    return row["id"]


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None = None
    message_fr: str = ""


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Recompute every hash in id order; report the first row that breaks the chain."""
    prev_hash = GENESIS_HASH
    count = 0
    cursor = conn.execute(
        f"SELECT {', '.join(JOURNAL_COLUMNS)}, prev_hash, hash FROM journal ORDER BY id"
    )
    expected_id = 1
    for values in cursor:
        row = dict(zip((*JOURNAL_COLUMNS, "prev_hash", "hash"), values, strict=True))
        count += 1
        problem = None
        if row["id"] != expected_id:
            problem = f"ligne n° {expected_id} manquante (trou avant la ligne n° {row['id']})"
        elif row["prev_hash"] != prev_hash:
            problem = f"la ligne n° {row['id']} ne suit pas la ligne précédente"
        elif row_hash(prev_hash, row) != row["hash"]:
            problem = f"la ligne n° {row['id']} a été modifiée après son écriture"
        if problem:
            return ChainReport(False, count, row["id"], f"Journal altéré : {problem}.")
        prev_hash = row["hash"]
        expected_id += 1
    head = conn.execute("SELECT value FROM settings WHERE key = 'journal_head'").fetchone()
    if head is not None and head[0] != f"{expected_id - 1}:{prev_hash}":
        return ChainReport(
            False, count, expected_id,
            f"Journal altéré : des lignes manquent après la ligne n° {expected_id - 1}.",
        )
    plural = "s" if count > 1 else ""
    return ChainReport(True, count, None, f"Chaîne du journal intacte ({count} ligne{plural}).")
