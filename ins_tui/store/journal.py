"""The audit journal: append-only rows, each sealed by a hash over the previous one.

Why a hash chain on top of the triggers: the triggers stop this program (and any
honest tool) from rewriting history, but someone with the file can drop them. The
chain makes such an edit visible: `verify_chain` (and `ins-tui db check`) recomputes
every hash and names the first row that no longer fits.

Why a keyed seal on top of the chain (schema 4): the chain's hashes are unkeyed, so whoever
can write the file can recompute them after an edit. Each row written since also carries
`mac` = HMAC(installation key, id:hash); as the hash chains every earlier row, the mac of
the last row vouches for the whole journal before it, rows written before the key
included. The head (last id, hash) is sealed in the same way, so cutting rows off the end
cannot be re-sealed either. `journal.rekey` rows mark where a lost key was replaced.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ins_tui.store import journal_key as keys
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


REKEY_EVENT = "journal.rekey"


def row_mac(key: bytes, row_id: int, row_hash_: str) -> str:
    return keys.seal(key, "journal-row", f"{row_id}:{row_hash_}")


def head_value(key: bytes | None, row_id: int, row_hash_: str) -> str:
    """`id:hash`, plus its seal when keyed (old files keep the unkeyed form)."""
    plain = f"{row_id}:{row_hash_}"
    return plain if key is None else f"{plain}:{keys.seal(key, 'journal-head', plain)}"


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
    key: bytes | None = None,
) -> int:
    """Append one row; must run inside the caller's write transaction (ids are chained).

    With `key` (every file at schema 4 or later) the row and the head are sealed.
    """
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
    if key is not None:
        row["mac"] = row_mac(key, row["id"], row["hash"])
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO journal ({names}) VALUES ({marks})", tuple(row.values()))
    # The head is kept aside so that cutting rows off the end is noticed too.
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('journal_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (head_value(key, row["id"], row["hash"]),),
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
    if head is not None and head[0].split(":")[:2] != [str(expected_id - 1), prev_hash]:
        return ChainReport(
            False, count, expected_id,
            f"Journal altéré : des lignes manquent après la ligne n° {expected_id - 1}.",
        )
    plural = "s" if count > 1 else ""
    return ChainReport(True, count, None, f"Chaîne du journal intacte ({count} ligne{plural}).")


@dataclass(frozen=True, slots=True)
class SealReport:
    ok: bool
    message_fr: str
    unverifiable: int = 0  # rows sealed with a key replaced since (`db rekey`)
    first_bad_id: int | None = None


def verify_seals(conn: sqlite3.Connection, key: bytes | None) -> SealReport:
    """Check every row's keyed seal and the sealed head (files at schema 4 or later).

    Rows before the first sealed one were written before the key existed: the chain runs
    through them into the first sealed row, whose seal therefore vouches for them. Rows
    before the last `journal.rekey` were sealed with a key declared lost: counted, not
    verifiable, and said so.
    """
    stored_id = conn.execute(
        "SELECT value FROM settings WHERE key = 'journal_key_id'").fetchone()
    rows = conn.execute("SELECT id, hash, event, mac FROM journal ORDER BY id").fetchall()
    if not rows:
        return SealReport(True, "Journal vide : rien à sceller.")
    if key is None:
        return SealReport(False, "Clé du journal introuvable : les sceaux ne peuvent pas être "
                          "vérifiés (restaurez le fichier journal.key sauvegardé).")
    if stored_id is None or not keys.same(stored_id[0], keys.key_id(key)):
        return SealReport(False, "La clé du journal n'est pas celle de cette base : sceaux "
                          "non vérifiables (mauvais fichier journal.key ?).")
    last_rekey = max((i for i, r in enumerate(rows) if r[2] == REKEY_EVENT), default=None)
    start = last_rekey if last_rekey is not None else next(
        (i for i, r in enumerate(rows) if r[3] is not None), len(rows))
    if start == len(rows):
        return SealReport(False, "Journal non scellé : aucune ligne ne porte de sceau.",
                          first_bad_id=rows[-1][0])
    for row_id, hash_, _event, mac in rows[start:]:
        if mac is None:
            return SealReport(False, f"Journal altéré : la ligne n° {row_id} n'est pas scellée.",
                              first_bad_id=row_id)
        if not keys.same(mac, row_mac(key, row_id, hash_)):
            return SealReport(False, f"Journal altéré : le sceau de la ligne n° {row_id} ne "
                              "correspond pas (ligne réécrite hors de l'application).",
                              first_bad_id=row_id)
    head = conn.execute("SELECT value FROM settings WHERE key = 'journal_head'").fetchone()
    last_id, last_hash = rows[-1][0], rows[-1][1]
    if head is None or not keys.same(head[0], head_value(key, last_id, last_hash)):
        return SealReport(False, "Journal altéré : la fin du journal n'est pas celle scellée "
                          "(lignes retirées ou ajoutées hors de l'application).",
                          first_bad_id=last_id)
    unverifiable = sum(1 for r in rows[:start] if r[3] is not None)
    sealed = len(rows) - start
    message = f"Sceaux du journal vérifiés ({sealed} ligne{'s' if sealed > 1 else ''})"
    if unverifiable:
        message += (f" ; {unverifiable} ligne(s) scellée(s) par une clé déclarée perdue : "
                    f"couvertes par la chaîne depuis le changement de clé (ligne n° "
                    f"{rows[start][0]}), une modification antérieure à ce changement ne "
                    "peut plus être exclue")
    return SealReport(True, message + ".", unverifiable)
