"""Online copy of the live database and its checked return (`ins-tui db backup / restore`).

Why SQLite's backup API under one read snapshot: a copy of the file with `cp` while a desk
writes can mix pages of two states, and the backup API alone, in steps, starts over each
time another process commits between two steps (measured: 14 000 restarts and 74 s for a
4 MB file next to one busy writer, instead of 17 steps). Holding one read transaction on the
source for the whole copy gives every step the same snapshot; in WAL mode a reader never
blocks writers, so the desks keep writing with no lock error, and the copy is the state of
the file at the instant the snapshot began. The copy is then made self-contained (rollback
journal mode, no -wal beside it), written private (0600) under a temporary name next to the
target, fsync'ed and renamed: a target is either the old file or a complete new one.

A copy is trusted only once `db check` has passed on it: the same `check_database`, with
the installation's journal key. Restoring is the reverse, checked before anything is
touched, and it never deletes: the file in place is kept aside under a dated name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ins_tui.paths import ensure_private_dir, is_app_dir, private_umask
from ins_tui.store.check import CheckReport, check_database
from ins_tui.store.connection import connect, create_private_file, tighten_mode
from ins_tui.store.errors import StoreError, reason_fr

# 1024 pages (4 MiB at SQLite's default page size) per step, then a short pause: the
# copy leaves disk time to the desks without stretching the snapshot (the -wal cannot be
# checkpointed past it while it is held).
BACKUP_PAGES = 1024
BACKUP_PAUSE_S = 0.002
# How long restore waits to learn whether a desk writes or holds the file open.
PROBE_TIMEOUT_S = 0.5
INVALID_SUFFIX = ".invalide"
ASIDE_INFIX = ".avant-restauration-"
COMPANIONS = ("-wal", "-shm")


class BackupError(StoreError):
    """Backup or restore refused or failed; French message naming paths, never a patient."""


class DatabaseInUse(BackupError):
    """A desk writes in the live file or has it open: restoring under it would lose data."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"La base {path} est ouverte par un poste d'accueil (ou une autre commande) : "
            "fermez l'application sur tous les postes, puis relancez la restauration. "
            "Rien n'a été modifié.")


class RestoreRefused(BackupError):
    """The copy to restore (or the file made from it) does not pass `db check`."""

    def __init__(self, message: str, report: CheckReport) -> None:
        self.report = report
        super().__init__(message)


@dataclass
class CopyStats:
    steps: int = 0
    pages: int = 0


@dataclass
class BackupResult:
    source: Path
    destination: Path  # where the copy is: DEST, or DEST.invalide when the check failed
    report: CheckReport
    size_bytes: int
    duration_s: float
    steps: int
    patients: int | None = None
    journal_rows: int | None = None

    @property
    def valid(self) -> bool:
        return self.report.valid


@dataclass
class RestoreResult:
    source: Path
    database: Path
    report: CheckReport  # of the restored file
    previous: Path | None = None  # the former file, kept aside (None: there was none)
    previous_companions: list[Path] = field(default_factory=list)
    previous_unreadable: bool = False  # set aside as it was, without a checkpoint
    patients: int | None = None
    journal_rows: int | None = None


def online_copy(
    source: Path,
    target: Path,
    *,
    pages: int = BACKUP_PAGES,
    pause_s: float = BACKUP_PAUSE_S,
    on_step: Callable[[int, int], None] | None = None,
) -> CopyStats:
    """Copy `source` into the empty private file `target`, one snapshot, never a write lock.

    `on_step(remaining, total)` is called after each step (tests use it to let a writer
    commit in the middle of a copy). The source connection is read-only: the copy cannot
    take the write lock, even by mistake.
    """
    stats = CopyStats()

    def progress(_status: int, remaining: int, total: int) -> None:
        stats.steps += 1
        stats.pages = total
        if on_step is not None:
            on_step(remaining, total)
        if remaining:
            time.sleep(pause_s)

    src = connect(source, create=False, read_only=True)
    try:
        with private_umask():  # the target's own journal files are private too
            dst = sqlite3.connect(str(target), isolation_level=None)
        try:
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # snapshot taken
            src.backup(dst, pages=pages, progress=progress)
            src.execute("COMMIT")
            with private_umask():
                # One file, no -wal to lose when it is copied to a USB key or a share.
                dst.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(target)
    return stats


def backup_database(
    source: Path,
    destination: Path,
    *,
    force: bool = False,
    key_path: Path | None = None,
    pages: int = BACKUP_PAGES,
    pause_s: float = BACKUP_PAUSE_S,
    on_step: Callable[[int, int], None] | None = None,
) -> BackupResult:
    """Copy the live file to `destination` and check the copy before it takes that name.

    The check runs on the temporary file, so a copy that fails it never replaces a good
    `destination` (with `force`): it is kept aside as `destination.invalide` for support.
    """
    source, destination = Path(source), Path(destination)
    _require_database(source)
    if destination.is_dir():
        raise BackupError(f"{destination} est un dossier : donnez le nom du fichier de copie "
                          f"(par exemple {destination / 'ins-tui-AAAA-MM-JJ.sqlite'}).")
    if not destination.parent.is_dir():
        raise BackupError(f"Le dossier {destination.parent} n'existe pas (support de "
                          "sauvegarde non monté ?) : rien n'a été copié.")
    if destination.exists():
        if _same_file(source, destination):
            raise BackupError(f"{destination} est la base elle-même : choisissez un autre "
                              "fichier de copie.")
        if not force:
            raise BackupError(f"{destination} existe déjà : rien n'a été copié (--force pour "
                              "le remplacer).")
    started = time.monotonic()
    tmp = _private_temp(destination)
    try:
        try:
            stats = online_copy(source, tmp, pages=pages, pause_s=pause_s, on_step=on_step)
        except (OSError, sqlite3.Error) as exc:
            raise BackupError(f"Copie de {source} impossible : {reason_fr(exc)}. "
                              f"{destination} n'a pas été modifié.") from exc
        report = check_database(tmp, key_path=key_path)
        final = destination if report.valid else _invalid_name(destination)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report.path = str(final)
    result = BackupResult(source, final, report, final.stat().st_size,
                          time.monotonic() - started, stats.steps)
    result.patients, result.journal_rows = counts(final)
    return result


def restore_database(
    source: Path,
    database: Path,
    *,
    key_path: Path | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Put the copy `source` in place of `database`, after `db check` has passed on it.

    Refused, with the live file untouched, when the copy fails the check or a desk has the
    live file open. Otherwise the live file is checkpointed into one file and kept aside
    as `DB.avant-restauration-<date>`; the copy is written privately next to it, checked
    again, and renamed into place, so the path never points at a missing or partial file.
    """
    source, database = Path(source), Path(database)
    _require_database(source)
    if database.is_dir():
        raise BackupError(f"{database} est un dossier, pas une base : rien n'a été modifié.")
    if database.exists() and _same_file(source, database):
        raise BackupError(f"{source} est la base en service elle-même : rien à restaurer.")
    report = check_database(source, key_path=key_path)
    if not report.valid:
        raise RestoreRefused(
            f"La copie {source} ne passe pas la vérification : elle n'est pas restaurée et "
            f"la base en service {database} n'a pas été modifiée.", report)
    unreadable = _take_offline(database)  # fails fast, before the copy, if a desk is there
    try:
        ensure_private_dir(database.parent, tighten=is_app_dir(database.parent))
    except OSError as exc:
        raise BackupError(f"Dossier {database.parent} inutilisable : {reason_fr(exc)}.") from exc
    tmp = _private_temp(database)
    try:
        try:
            online_copy(source, tmp)
        except (OSError, sqlite3.Error) as exc:
            raise BackupError(f"Lecture de {source} impossible : {reason_fr(exc)}. La base "
                              f"en service {database} n'a pas été modifiée.") from exc
        restored = check_database(tmp, key_path=key_path)
        if not restored.valid:
            raise RestoreRefused(
                f"Le fichier restauré depuis {source} ne passe pas la vérification : la base "
                f"en service {database} n'a pas été modifiée.", restored)
        # Again just before the swap: a desk started during the copy is noticed here.
        unreadable = _take_offline(database) or unreadable
        result = RestoreResult(source, database, restored, previous_unreadable=unreadable)
        if database.exists():
            result.previous = _aside_name(database, now or datetime.now())
            _keep_aside(database, result)
        os.replace(tmp, database)
        _fsync_dir(database.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    restored.path = str(database)
    result.patients, result.journal_rows = counts(database)
    return result


def counts(path: Path) -> tuple[int | None, int | None]:
    """Patients and journal rows of a copy, for the summary; None where unreadable."""
    try:
        conn = connect(path, create=False, read_only=True)
    except (OSError, sqlite3.Error, StoreError):
        return None, None
    try:
        found = []
        for table in ("patients", "journal"):
            try:
                found.append(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            except sqlite3.Error:
                found.append(None)
        return found[0], found[1]
    finally:
        conn.close()


def copy_private(source: Path, target: Path) -> None:
    """Copy a small file (the journal key) to `target`, 0600, atomically."""
    data = source.read_bytes()
    tmp = _private_temp(target)
    try:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _take_offline(database: Path) -> bool:
    """Refuse if a desk has `database` open; else fold its -wal into it. True: unreadable.

    Cheap and definite in WAL mode: BEGIN IMMEDIATE fails while a desk writes, and the
    switch out of WAL fails while any other connection is open (each holds a shared lock
    for its whole life). A file SQLite cannot read at all (what a restore is often for)
    cannot be probed: it is set aside as it is, companions included.
    """
    if not database.exists():
        return False
    try:
        with private_umask():
            conn = sqlite3.connect(str(database), timeout=PROBE_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        return True
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        with private_umask():
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise DatabaseInUse(database) from exc
        return True
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()
    if str(mode).lower() != "delete":
        raise DatabaseInUse(database)
    return False


def _keep_aside(database: Path, result: RestoreResult) -> None:
    """Hard-link the live file to its aside name, so `database` never goes missing (a desk
    started then would create an empty base); a stale -wal must not meet the new file."""
    aside = result.previous
    assert aside is not None
    try:
        os.link(database, aside)
    except OSError:
        os.rename(database, aside)  # no hard links on this filesystem: a brief gap
    for suffix in COMPANIONS:
        companion = Path(f"{database}{suffix}")
        if companion.exists():
            target = Path(f"{aside}{suffix}")
            os.rename(companion, target)
            result.previous_companions.append(target)
    tighten_mode(aside)


def _require_database(path: Path) -> None:
    if path.is_dir():
        raise BackupError(f"{path} est un dossier, pas une base.")
    if not path.is_file():
        raise BackupError(f"La base {path} n'existe pas.")


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def _private_temp(target: Path) -> Path:
    """A new empty 0600 file beside `target`: same filesystem, so the rename is atomic."""
    while True:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        if create_private_file(tmp):  # O_EXCL, 0600 whatever the umask
            return tmp


def _invalid_name(destination: Path) -> Path:
    return destination.with_name(destination.name + INVALID_SUFFIX)


def _aside_name(database: Path, now: datetime) -> Path:
    base = f"{database.name}{ASIDE_INFIX}{now:%Y%m%d-%H%M%S}"
    candidate, n = database.with_name(base), 1
    while candidate.exists() or any(Path(f"{candidate}{s}").exists() for s in COMPANIONS):
        n += 1
        candidate = database.with_name(f"{base}-{n}")
    return candidate


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """The rename itself survives a power cut only once the directory is synced."""
    with contextlib.suppress(OSError):
        _fsync(path)
