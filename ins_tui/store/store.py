"""`Store`: the one object the desk talks to for everything kept on disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from ins_tui.store.connection import connect, enable_wal
from ins_tui.store.core import StoreCore
from ins_tui.store.errors import UnreadableDatabase, reason_fr
from ins_tui.store.insi_queue import InsiQueueMixin
from ins_tui.store.migrations import check_not_newer, migrate
from ins_tui.store.patients import PatientsMixin
from ins_tui.store.records import JournalRow, journal_from_row
from ins_tui.store.search import SearchMixin
from ins_tui.store.visits import VisitsMixin


class Store(PatientsMixin, SearchMixin, VisitsMixin, InsiQueueMixin, StoreCore):
    """One file, one connection: the mixins split the tables by topic, not the transaction."""

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> Store:
        """Open (or create, mode 0600) the file and bring its schema up to date.

        Raises `SchemaTooNew` before writing anything when the file is newer than the
        code, and `DatabaseMissing` when `create` is False and the file is absent.
        """
        path = Path(path)
        try:
            conn = connect(path, create=create)
        except (OSError, sqlite3.Error) as exc:
            raise UnreadableDatabase(str(path), reason_fr(exc)) from exc
        try:
            check_not_newer(conn, str(path))
            enable_wal(conn)
            migrate(conn, str(path))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise UnreadableDatabase(str(path), reason_fr(exc)) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, clock)

    def close(self) -> None:
        """Under the lock, so a thread's read in progress finishes before the file closes."""
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_setting(self, key: str, value: str | None, *, actor: str | None = None) -> None:
        with self._writing("Réglage", actor):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def journal_for_patient(self, patient_id: int) -> list[JournalRow]:
        rows = self._read("SELECT * FROM journal WHERE patient_id = ? ORDER BY id", (patient_id,))
        return [journal_from_row(r) for r in rows]

    def journal_for_day(self, day: str | date | None = None) -> list[JournalRow]:
        the_day = date.fromisoformat(day) if isinstance(day, str) else (day or self.now().date())
        nxt = the_day + timedelta(days=1)
        rows = self._read(
            "SELECT * FROM journal WHERE at >= ? AND at < ? ORDER BY id",
            (the_day.isoformat(), nxt.isoformat()),
        )
        return [journal_from_row(r) for r in rows]
