"""Taking the write lock: waits and retries, and says so in French when it gives up."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from ins_tui.store import Store, StoreBusy
from ins_tui.store.connection import begin_immediate


def _short_wait_connection(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, timeout=0.01)
    conn.execute("PRAGMA busy_timeout=10")  # force the retry loop to do the waiting
    return conn


def test_retry_outlasts_a_lock_held_longer_than_the_busy_handler(db_path: Path) -> None:
    Store.open(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    waiter = _short_wait_connection(db_path)
    start = time.monotonic()
    begin_immediate(waiter, deadline_s=10)  # many BUSY answers, then the lock
    assert time.monotonic() - start >= 0.25
    waiter.execute("COMMIT")
    waiter.close()
    holder.close()


def test_gives_up_with_a_french_message(db_path: Path) -> None:
    Store.open(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = _short_wait_connection(db_path)
    with pytest.raises(StoreBusy, match=r"occupée par un autre poste.*rien n'a été enregistré"):
        begin_immediate(waiter, deadline_s=0.2)
    holder.execute("ROLLBACK")
    holder.close()
    waiter.close()


def test_threads_share_one_store_safely(store: Store) -> None:
    from .helpers import traits

    pid = store.create_patient(traits(), actor="accueil")
    errors: list[BaseException] = []

    def desk(n: int) -> None:
        try:
            for _ in range(50):
                store.add_arrival(pid, f"Dr {n}", actor=f"poste{n}")
                store.visits_for_day()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(v.position for v in store.visits_for_day()) == list(range(1, 201))
