"""Identities waiting to leave the desk (FHIR push, HL7 v2 over MLLP): they survive restarts.

Why the store enqueues by itself: an identity change may come from any write path (the
desk, a merge, a back-office command), and a practice software that misses one keeps a
wrong identity. So every action that writes a `patients` row leaves, at its commit, one
pending item per configured target — in the same transaction as the change, so a killed
process can lose neither the change nor the duty to send it.

Why the payload is frozen at the first attempt, not at enqueue: what is sent is the
identity *as it is when it leaves*, built by the adapter (which this layer does not
import), and from then on the same bytes with the same control id are sent at every
retry — the receiver's duplicate detection relies on it (HL7 MSH-10). A change made after
freezing gets an item of its own, sent after. Items never frozen coalesce: ten edits
before the first send make one message.

States: `pending` (waiting or retrying), `sent` (acknowledged), `held` (refused by the
receiver, AE/AR or a 4xx: a person must look; `release_output` sends it again),
`dismissed` (a person decided it must not go). `next_at` is UTC, so string order is time
order across DST changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ins_tui.store.core import StoreCore

OUTPUT_TARGETS = ("fhir", "hl7")
OUTPUT_STATES = ("pending", "sent", "held", "dismissed")

# What the secretary reads beside the patient, per state (the desk adds the target name).
STATE_LABELS_FR = {
    "pending": "en attente d'envoi",
    "sent": "transmis",
    "held": "refusé par le destinataire",
    "dismissed": "envoi abandonné",
}


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One identity to send to one target (frozen once `payload` is set)."""

    id: int
    target: str
    patient_id: int
    reason: str  # why it was queued: "change", "backlog", "merge"…
    created_at: str
    next_at: str
    attempts: int
    state: str
    control_id: str | None
    event: str | None  # what the adapter made of it (e.g. "A31", "PUT")
    payload: bytes | None
    last_error: str | None
    done_at: str | None

    @property
    def frozen(self) -> bool:
        return self.payload is not None


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _check_target(target: str) -> None:
    if target not in OUTPUT_TARGETS:
        raise ValueError(f"unknown output target {target!r}")


class OutboxMixin(StoreCore):
    """The outgoing queue: written by every identity change, drained by the adapters."""

    _output_targets: frozenset[str] = frozenset()

    def set_output_targets(self, targets: Iterable[str]) -> None:
        """Which targets every identity change is queued for (from the configuration)."""
        targets = frozenset(targets)
        for target in targets:
            _check_target(target)
        self._output_targets = targets

    @property
    def output_targets(self) -> frozenset[str]:
        return self._output_targets

    def _before_commit(self) -> None:
        super()._before_commit()  # the identity rules first: a refused change queues nothing
        if not self._output_targets or not self._touched:
            return
        for patient_id in self._touched:
            for target in sorted(self._output_targets):
                self._queue_output(target, patient_id, "change")

    def _queue_output(self, target: str, patient_id: int, reason: str) -> int | None:
        """A new pending item, unless an unfrozen one already waits (it will carry this)."""
        waiting = self.conn.execute(
            "SELECT id FROM outbox WHERE target = ? AND patient_id = ? AND state = 'pending' "
            "AND payload IS NULL", (target, patient_id)).fetchone()
        if waiting is not None:
            return None
        cur = self.conn.execute(
            "INSERT INTO outbox (target, patient_id, reason, created_at, next_at, attempts, "
            "state) VALUES (?, ?, ?, ?, ?, 0, 'pending')",
            (target, patient_id, reason, self.now_iso(), _utc(self.now())))
        return int(cur.lastrowid)

    def _queue_merge_outputs(self, patient_id: int) -> None:
        """A merged record leaves as a merge (HL7 A40, FHIR replaced-by), not an update: a
        change of it still waiting unfrozen becomes the merge, else one is queued."""
        for target in sorted(self._output_targets):
            cur = self.conn.execute(
                "UPDATE outbox SET reason = 'merge' WHERE target = ? AND patient_id = ? "
                "AND state = 'pending' AND payload IS NULL", (target, patient_id))
            if not cur.rowcount:
                self._queue_output(target, patient_id, "merge")

    def _cancel_merge_outputs(self, patient_id: int) -> None:
        """An unmerge before the merge left: it must not leave at all (journaled)."""
        rows = self.conn.execute(
            "SELECT id FROM outbox WHERE patient_id = ? AND reason = 'merge' "
            "AND state = 'pending' AND payload IS NULL", (patient_id,)).fetchall()
        for (item_id,) in rows:
            why = "fusion annulée avant l'envoi"
            self.conn.execute("UPDATE outbox SET state = 'dismissed', done_at = ?, "
                              "last_error = ? WHERE id = ?", (self.now_iso(), why, item_id))
            self._journal_output(item_id, "dismissed", why, None)

    def enqueue_output(
        self, target: str, patient_id: int, *, reason: str = "backlog", actor: str | None = None
    ) -> int | None:
        """Queue one identity explicitly (backlog, merge); None if one already waits."""
        _check_target(target)
        with self._writing("Envoi d'identité mis en attente", actor):
            return self._queue_output(target, patient_id, reason)

    def due_outputs(self, target: str, now: datetime | None = None,
                    limit: int = 50) -> list[OutboxItem]:
        """Pending items whose time has come, oldest first (order matters to a receiver)."""
        rows = self._read(
            "SELECT * FROM outbox WHERE target = ? AND state = 'pending' AND next_at <= ? "
            "ORDER BY id LIMIT ?", (target, _utc(now or self.now()), limit))
        return [_item(r) for r in rows]

    def pending_outputs(self, target: str | None = None) -> list[OutboxItem]:
        """Every item not yet acknowledged nor dismissed (pending and held)."""
        sql = "SELECT * FROM outbox WHERE state IN ('pending', 'held')"
        params: tuple[Any, ...] = ()
        if target is not None:
            sql += " AND target = ?"
            params = (target,)
        return [_item(r) for r in self._read(sql + " ORDER BY id", params)]

    def oldest_pending(self, target: str, patient_ids: Iterable[int]) -> dict[int, int]:
        """Patient -> id of their oldest pending item for `target` (an index walk per
        patient: a tick must not read a whole backlog to send a batch of it)."""
        found: dict[int, int] = {}
        for patient_id in set(patient_ids):
            rows = self._read(
                "SELECT min(id) AS id FROM outbox WHERE patient_id = ? AND target = ? "
                "AND state = 'pending'", (patient_id, target))
            if rows and rows[0]["id"] is not None:
                found[patient_id] = rows[0]["id"]
        return found

    def held_before(self, target: str, patient_id: int, item_id: int) -> list[OutboxItem]:
        """This patient's held items for `target` older than `item_id` (superseded once a
        newer identity of theirs is acknowledged)."""
        return [_item(r) for r in self._read(
            "SELECT * FROM outbox WHERE patient_id = ? AND target = ? AND state = 'held' "
            "AND id < ? ORDER BY id", (patient_id, target, item_id))]

    def get_output(self, item_id: int) -> OutboxItem | None:
        rows = self._read("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def freeze_output(self, item_id: int, *, control_id: str, event: str, payload: bytes,
                      actor: str | None = None) -> OutboxItem:
        """Fix what this item sends, once; an item already frozen is returned unchanged."""
        with self._writing("Message d'identité préparé", actor):
            self.conn.execute(
                "UPDATE outbox SET control_id = ?, event = ?, payload = ? "
                "WHERE id = ? AND payload IS NULL", (control_id, event, payload, item_id))
            item = self.get_output(item_id)
            assert item is not None
            return item

    def output_sent(self, item_id: int, *, answer: bytes | None, detail: str,
                    actor: str | None = None) -> None:
        """Acknowledged: done, journaled with what was sent and what came back."""
        self._settle(item_id, "sent", detail, answer, actor, "Identité transmise")

    def output_held(self, item_id: int, *, error: str, answer: bytes | None,
                    actor: str | None = None) -> None:
        """Refused by the receiver: kept for a person, journaled, not retried by itself."""
        self._settle(item_id, "held", error, answer, actor, "Identité refusée par le destinataire")

    def output_failed(self, item_id: int, *, error: str, next_at: datetime,
                      answer: bytes | None = None, actor: str | None = None) -> None:
        """No answer, refused connection, 5xx: tried again at `next_at`, journaled."""
        with self._writing("Nouvel envoi d'identité programmé", actor):
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? "
                "WHERE id = ? AND state = 'pending'", (error, _utc(next_at), item_id))
            self._journal_output(item_id, "retry", error, answer)

    def release_output(self, item_id: int, *, actor: str | None = None) -> None:
        """A person sends a held item again (same bytes, same control id)."""
        with self._writing("Envoi d'identité relancé", actor):
            self.conn.execute(
                "UPDATE outbox SET state = 'pending', next_at = ? WHERE id = ? "
                "AND state = 'held'", (_utc(self.now()), item_id))
            self._journal_output(item_id, "released", "relancé par une personne", None)

    def dismiss_output(self, item_id: int, *, reason: str, actor: str | None = None) -> None:
        """A person decides the item must not go; the reason is journaled."""
        with self._writing("Envoi d'identité abandonné", actor):
            self.conn.execute(
                "UPDATE outbox SET state = 'dismissed', done_at = ?, last_error = ? "
                "WHERE id = ? AND state IN ('pending', 'held')",
                (self.now_iso(), reason, item_id))
            self._journal_output(item_id, "dismissed", reason, None)

    def output_status(self, patient_id: int) -> dict[str, OutboxItem]:
        """The latest item per target for this patient (what the screen says beside it)."""
        rows = self._read(
            "SELECT * FROM outbox WHERE id IN (SELECT max(id) FROM outbox WHERE patient_id = ? "
            "GROUP BY target)", (patient_id,))
        return {r["target"]: _item(r) for r in rows}

    def last_sent_output(self, target: str, patient_id: int) -> OutboxItem | None:
        """The last acknowledged item (an adapter tells a creation from an update by it)."""
        rows = self._read(
            "SELECT * FROM outbox WHERE target = ? AND patient_id = ? AND state = 'sent' "
            "ORDER BY id DESC LIMIT 1", (target, patient_id))
        return _item(rows[0]) if rows else None

    def patients_changed_since(self, since: datetime) -> list[int]:
        """Patients whose row was written at or after `since` (a backlog to send)."""
        rows = self._read(
            "SELECT id FROM patients WHERE updated_at >= ? ORDER BY id",
            (since.isoformat(timespec="seconds"),))
        return [int(r["id"]) for r in rows]

    # -- internals --------------------------------------------------------------------
    def _settle(self, item_id: int, state: str, detail: str, answer: bytes | None,
                actor: str | None, what: str) -> None:
        with self._writing(what, actor):
            done = self.now_iso() if state == "sent" else None
            self.conn.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, "
                "done_at = ? WHERE id = ? AND state = 'pending'",
                (state, None if state == "sent" else detail, done, item_id))
            self._journal_output(item_id, state, detail, answer)

    def _journal_output(self, item_id: int, what: str, detail: str,
                        answer: bytes | None) -> None:
        """One journal row per send and per answer; the raw exchange rides in the blob
        columns that hold INSi's (named for INSi, they hold any exchanged bytes)."""
        item = self.get_output(item_id)
        if item is None:
            return
        self.append(
            f"{item.target}.{what}",
            patient_id=item.patient_id,
            after={"outbox": item_id, "control_id": item.control_id, "event": item.event,
                   "attempts": item.attempts, "detail": detail},
            insi_request=item.payload if what in ("sent", "held", "retry") else None,
            insi_response=answer,
        )


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"], target=row["target"], patient_id=row["patient_id"], reason=row["reason"],
        created_at=row["created_at"], next_at=row["next_at"], attempts=row["attempts"],
        state=row["state"], control_id=row["control_id"], event=row["event"],
        payload=row["payload"], last_error=row["last_error"], done_at=row["done_at"],
    )
