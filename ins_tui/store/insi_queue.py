"""INSi requests waiting for a retry (fault, timeout, network): they survive restarts.

`next_at` is stored in UTC so that string order is time order across DST changes.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from ins_tui.domain.model import Channel, Traits
from ins_tui.store.core import StoreCore
from ins_tui.store.patients import _channel
from ins_tui.store.records import QueueItem, traits_from_dict, traits_to_dict


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class InsiQueueMixin(StoreCore):
    """INSi calls that failed for a transient reason wait here, on disk, for the retry loop."""

    def enqueue_insi(
        self,
        patient_id: int,
        traits: Traits,
        channel: Channel | str,
        *,
        next_at: datetime | None = None,
        actor: str | None = None,
    ) -> int:
        with self._writing("Appel INSi mis en attente", actor):
            row = {
                "patient_id": patient_id,
                "traits_json": json.dumps(traits_to_dict(traits), ensure_ascii=False),
                "channel": _channel(channel),
                "created_at": self.now_iso(),
                "next_at": _utc(next_at or self.now()),
                "attempts": 0,
            }
            queue_id = int(self.db["insi_queue"].insert(row).last_pk)
            self.append("insi.queued", patient_id=patient_id, after={"queue": queue_id})
            return queue_id

    def due_insi(self, now: datetime | None = None) -> list[QueueItem]:
        rows = self._read(
            "SELECT * FROM insi_queue WHERE done_at IS NULL AND next_at <= ? ORDER BY next_at, id",
            (_utc(now or self.now()),),
        )
        return [self._item(r) for r in rows]

    def pending_insi(self) -> list[QueueItem]:
        rows = self._read("SELECT * FROM insi_queue WHERE done_at IS NULL ORDER BY next_at, id")
        return [self._item(r) for r in rows]

    @staticmethod
    def _item(row: sqlite3.Row) -> QueueItem:
        return QueueItem(
            id=row["id"],
            patient_id=row["patient_id"],
            traits=traits_from_dict(json.loads(row["traits_json"])),
            channel=row["channel"],
            created_at=row["created_at"],
            next_at=row["next_at"],
            attempts=row["attempts"],
            last_error=row["last_error"],
        )

    def insi_attempt_failed(
        self, queue_id: int, error: str, next_at: datetime, *, actor: str | None = None
    ) -> None:
        with self._writing("Nouvel essai INSi programmé", actor):
            self.conn.execute(
                "UPDATE insi_queue SET attempts = attempts + 1, last_error = ?, next_at = ? "
                "WHERE id = ?",
                (error, _utc(next_at), queue_id),
            )

    def insi_done(self, queue_id: int, *, actor: str | None = None) -> None:
        with self._writing("Appel INSi abouti", actor):
            row = self.conn.execute(
                "SELECT patient_id FROM insi_queue WHERE id = ?", (queue_id,)
            ).fetchone()
            self.conn.execute(
                "UPDATE insi_queue SET done_at = ?, attempts = attempts + 1 WHERE id = ?",
                (self.now_iso(), queue_id),
            )
            if row is not None:
                self.append("insi.dequeued", patient_id=row[0], after={"queue": queue_id})
