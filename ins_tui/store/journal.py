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
from collections.abc import Sequence
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


# Added by migration 3. Sealed in the hash of every row that has one; rows written
# before (NULL) keep the hash they were written with, so old files still verify.
ACTION_ID = "action_id"


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and an unambiguous encoding of the row's content.

    Raw INSi XML is hashed as bytes (hex), so the exchange is sealed byte for byte. The
    action id is appended only when set: NULL-ing it on a new row, or setting it on an
    old one, changes the hash either way.
    """
    content: list[Any] = []
    for name in JOURNAL_COLUMNS:
        value = row.get(name)
        if isinstance(value, (bytes, bytearray, memoryview)):
            value = {"hex": bytes(value).hex()}
        content.append(value)
    if row.get(ACTION_ID) is not None:
        content.append({ACTION_ID: row[ACTION_ID]})
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


def append_row(
    conn: sqlite3.Connection,
    *,
    at: str,
    actor: str,
    action: str,
    entry: Entry,
    action_id: int | None = None,
) -> int:
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
    if action_id is not None:
        row[ACTION_ID] = action_id
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


def next_action_id(conn: sqlite3.Connection) -> int:
    """The id of the row an action starting now would write first: its action id.

    Read under the action's write lock, so it is unique across desks; an action that
    writes no row leaves no trace, and the next one reuses the number harmlessly.
    """
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM journal").fetchone()[0])


def group_by_action(rows: Sequence[Any]) -> list[list[Any]]:
    """Rows (in id order) cut into one list per user action.

    Rows carry their action id since schema 3; older rows (NULL) are grouped when
    consecutive with the same actor, action text and second — what one action wrote.
    """
    groups: list[list[Any]] = []
    for row in rows:
        if groups:
            last = groups[-1][-1]
            same = (row.action_id == last.action_id if row.action_id is not None
                    else last.action_id is None and (row.actor, row.action, row.at)
                    == (last.actor, last.action, last.at))
            if same:
                groups[-1].append(row)
                continue
        groups.append([row])
    return groups


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
    # `db check` reads files not yet migrated (schema 2: no action column).
    present = {r[1] for r in conn.execute("PRAGMA table_info(journal)")}
    columns = (*JOURNAL_COLUMNS, *((ACTION_ID,) if ACTION_ID in present else ()),
               "prev_hash", "hash")
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM journal ORDER BY id")
    expected_id = 1
    for values in cursor:
        row = dict(zip(columns, values, strict=True))
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
