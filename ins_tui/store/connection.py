"""Opening the SQLite file safely, and taking the write lock without surfacing "locked".

Why this module exists: several desks (processes) share one file. The file must be
private from its first byte (it holds identities), so it is created 0600 before SQLite
touches it, and the umask is tightened while SQLite creates its -wal/-shm companions.
A file that arrives readable by others (restored from a backup, copied with `cp`) is
narrowed back to 0600 when opened for writing, since it holds the same identities.
Writers take the lock up front (BEGIN IMMEDIATE) so a transaction never fails half-way
on a lock upgrade; the busy handler waits, and a retry loop covers the few cases where
SQLite returns SQLITE_BUSY without calling the handler (e.g. during WAL recovery).
"""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from ins_tui.paths import ensure_private_dir, is_app_dir, private_umask
from ins_tui.store.errors import DatabaseMissing, StoreBusy

BUSY_TIMEOUT_S = 30.0


def create_private_file(path: Path) -> bool:
    """Create `path` empty with mode 0600 if absent; True when this call created it.

    Missing folders are created 0700 one by one (`paths.ensure_private_dir`); an existing
    folder is tightened only when it is one of ins-tui's own (`paths.is_app_dir`).
    """
    ensure_private_dir(path.parent, tighten=is_app_dir(path.parent))
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def tighten_mode(path: Path) -> None:
    """Drop group/other permission bits of a file this user owns (best effort).

    Only the owner may chmod; a file owned by someone else keeps its mode (the
    administrator chose it) rather than failing the opening of the desk's database.
    """
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = candidate.stat()
            if st.st_mode & 0o077 and st.st_uid == os.geteuid():
                os.chmod(candidate, st.st_mode & 0o700)
        except OSError:
            continue


def connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are opened explicitly by the store.

    Nothing is written here: switching to WAL is `enable_wal`, called once the schema
    version has been found acceptable, so a file from a newer program stays untouched.
    """
    if path.is_dir():
        # SQLite would only say "unable to open": name the actual mistake.
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if read_only:
        if not path.is_file():
            raise DatabaseMissing(str(path))
        uri = f"file:{path}?mode=ro"
        with private_umask():
            conn = sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                check_same_thread=False,
            )
    else:
        if not path.exists():
            if not create:
                raise DatabaseMissing(str(path))
            create_private_file(path)
        else:
            tighten_mode(path)
            if is_app_dir(path.parent):
                ensure_private_dir(path.parent)  # a data home left 0755 by an older version
        with private_umask():
            conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    """WAL lets desks read the waiting list while another desk writes.

    The switch needs the file to itself and SQLite reports "locked" at once, without its
    busy handler, while another desk is creating or migrating the same new file (desks
    started together after a power cut): retried like BEGIN IMMEDIATE. Seen under load
    in the four-desks test.
    """
    # The switch creates the -wal/-shm files, hence the private umask.
    with private_umask():
        retry_while_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"))
    # NORMAL is durable across process crashes in WAL mode (only a power loss can drop
    # the last commits, never corrupt the file).
    conn.execute("PRAGMA synchronous=NORMAL")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def begin_immediate(conn: sqlite3.Connection, *, deadline_s: float = BUSY_TIMEOUT_S * 2) -> None:
    """BEGIN IMMEDIATE, retried with jitter until `deadline_s`; then a French StoreBusy."""
    retry_while_busy(lambda: conn.execute("BEGIN IMMEDIATE"), deadline_s=deadline_s)


def retry_while_busy(
    statement: Callable[[], object], *, deadline_s: float = BUSY_TIMEOUT_S * 2
) -> None:
    """Run `statement` again, with jitter, while SQLite says busy/locked; French
    StoreBusy after `deadline_s`. For the statements SQLite does not retry itself."""
    start = time.monotonic()
    delay = 0.005
    while True:
        try:
            statement()
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() - start > deadline_s:
                raise StoreBusy(deadline_s) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)
