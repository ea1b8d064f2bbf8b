"""The store's core: one connection, one write transaction per user action, the clock.

Why `action()` is the only way to write: a user action (create a patient, import an
INS, record a document) touches several tables; doing it in one BEGIN IMMEDIATE …
COMMIT means a process killed at any instant leaves either all of it or none of it.
Repository methods join the open action; called outside one with an `actor`, they
open their own.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ins_tui.store import journal as journal_mod
from ins_tui.store.connection import begin_immediate
from ins_tui.store.errors import NoAction

log = logging.getLogger("ins_tui.store")


def system_now() -> datetime:
    """Aware local time: journal rows must say which offset they were written in."""
    return datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class Action:
    """The user action a write belongs to: who did it, what it was, when it started."""

    actor: str
    what: str
    at: str
    id: int = 0  # shared by every journal row of the action (the first row's id)


class StoreCore:
    """Connection, lock, clock and action bookkeeping shared by every repository mixin."""

    path: Path

    def __init__(
        self, conn: sqlite3.Connection, path: Path, clock: Callable[[], datetime] | None
    ) -> None:
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.path = path
        self._clock = clock or system_now
        self._lock = threading.RLock()
        self._current: Action | None = None
        self._owner: int | None = None  # thread running the current action
        self._own_commits = 0
        self._key: bytes | None = None  # set by `Store.open` once bound to the file
        # Patients written by the current action -> the journal row that explains them;
        # checked against the identity rules and sealed just before COMMIT.
        self._touched: dict[int, int] = {}
        self._touched_ranges: list[tuple[int, int]] = []

    # -- time -------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock()

    def now_iso(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def today(self) -> str:
        return self.now().date().isoformat()

    # -- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def action(self, actor: str, what: str) -> Iterator[Action]:
        """One user action = one transaction; nested calls join the outer action."""
        with self._lock:
            if self._current is not None:
                yield self._current
                return
            begin_immediate(self.conn)
            try:
                action_id = journal_mod.next_action_id(self.conn)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self._current = Action(actor=actor, what=what, at=self.now_iso(), id=action_id)
            self._owner = threading.get_ident()
            try:
                yield self._current
                self._before_commit()
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                log.info("action rolled back: %s", what)
                raise
            else:
                self.conn.execute("COMMIT")
                self._own_commits += 1
            finally:
                self._current = None
                self._owner = None
                self._touched = {}
                self._touched_ranges = []

    def _before_commit(self) -> None:
        """Last word before COMMIT (the patients mixin checks and seals what it wrote)."""

    def _my_action(self) -> Action | None:
        """The open action if this thread runs it; another thread's action is not ours."""
        if self._current is not None and self._owner == threading.get_ident():
            return self._current
        return None

    @contextlib.contextmanager
    def _writing(self, what: str, actor: str | None) -> Iterator[Action]:
        current = self._my_action()
        if current is not None:
            yield current
            return
        if actor is None:
            raise NoAction()
        with self.action(actor, what) as act:
            yield act

    def data_version(self) -> int:
        """Changes whenever any process (this one included) commits: cheap to poll.

        PRAGMA data_version moves only for *other* connections' commits, so this
        connection's own commits are added; both only grow, so the sum does too.
        """
        with self._lock:
            other = self.conn.execute("PRAGMA data_version").fetchone()[0]
            return int(other) + self._own_commits

    # -- journal ----------------------------------------------------------------------
    def append(
        self,
        event: str,
        *,
        patient_id: int | None = None,
        before: Any = None,
        after: Any = None,
        insi_request: bytes | None = None,
        insi_response: bytes | None = None,
    ) -> int:
        """Append a journal row to the current action (raw INSi XML kept byte for byte)."""
        act = self._my_action()
        if act is None:
            raise NoAction()
        entry = journal_mod.Entry(event, patient_id, before, after, insi_request, insi_response)
        return journal_mod.append_row(
            self.conn, at=self.now_iso(), actor=act.actor, action=act.what, entry=entry,
            action_id=act.id, key=self._key,
        )

    def verify_chain(self) -> journal_mod.ChainReport:
        """The unkeyed chain and, once keyed, every seal: both must hold."""
        with self._lock:
            chain = journal_mod.verify_chain(self.conn)
            if not chain.ok or self._key is None:
                return chain
            seals = journal_mod.verify_seals(self.conn, self._key)
            if seals.ok:
                return chain
            return journal_mod.ChainReport(False, chain.rows, seals.first_bad_id,
                                           seals.message_fr)

    def _read(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()
