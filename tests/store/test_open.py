"""Opening a file: creation mode, migrations, refusal of a newer schema."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from ins_tui.store import DatabaseMissing, SchemaTooNew, Store
from ins_tui.store.migrations import LATEST, MIGRATIONS

from .helpers import traits

EXPECTED_TABLES = {
    "settings", "patients", "ins_history", "identity_events", "visits", "journal", "insi_queue",
}


def test_migrations_from_empty_file(db_path: Path) -> None:
    db_path.touch()  # an empty file is a valid, empty SQLite database
    with Store.open(db_path) as s:
        version = s.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master "
                                               "WHERE type='table'")}
        mode = s.conn.execute("PRAGMA journal_mode").fetchone()[0]
        busy = s.conn.execute("PRAGMA busy_timeout").fetchone()[0]
    assert version == LATEST == len(MIGRATIONS)
    assert tables >= EXPECTED_TABLES
    assert mode == "wal"
    assert busy >= 10_000


def test_each_migration_step_applies_on_the_previous_one(db_path: Path) -> None:
    """A file left at schema 1 by an older program is brought forward, data kept."""
    from ins_tui.store.migrations import _statements

    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in _statements(MIGRATIONS[0].sql):
        conn.execute(statement)
    conn.execute("PRAGMA user_version=1")
    conn.execute(
        "INSERT INTO patients (birth_name, first_names, created_at, updated_at) "
        "VALUES ('DE LA FONTAINE', 'JEAN', 'x', 'x')"
    )
    conn.close()
    with Store.open(db_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert s.get_patient(1) is not None


def test_reopening_applies_nothing_twice(db_path: Path) -> None:
    from ins_tui.store.migrations import migrate

    Store.open(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, str(db_path)) == []
    conn.close()


def test_newer_database_is_refused_untouched(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(f"PRAGMA user_version={LATEST + 5}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNew) as info:
        Store.open(db_path)
    message = str(info.value)
    assert "version plus récente" in message and str(LATEST + 5) in message
    assert "n'a pas été modifiée" in message
    assert db_path.read_bytes() == before


def test_files_are_created_private(db_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask must not leak into the files
    try:
        with Store.open(db_path) as s:
            s.create_patient(traits(), actor="accueil")
            names = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in names}
    finally:
        os.umask(old)
    assert modes == {p.name: 0o600 for p in names}


def test_missing_file_without_create(db_path: Path) -> None:
    with pytest.raises(DatabaseMissing, match="n'existe pas"):
        Store.open(db_path, create=False)
    assert not db_path.exists()


def test_newer_rollback_journal_file_is_not_switched_to_wal(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version={LATEST + 1}")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNew):
        Store.open(db_path)
    assert db_path.read_bytes() == before  # still a rollback-journal file, byte for byte
    assert not Path(f"{db_path}-wal").exists()


def test_not_a_database_is_refused_in_french_and_untouched(tmp_path: Path) -> None:
    from ins_tui.store import UnreadableDatabase

    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"Liste des rendez-vous du lundi\n" * 200)
    before = junk.read_bytes()
    with pytest.raises(UnreadableDatabase, match="ce n'est pas une base SQLite"):
        Store.open(junk)
    assert junk.read_bytes() == before
    assert not Path(f"{junk}-wal").exists()


def test_unwritable_directory_is_refused_in_french(tmp_path: Path) -> None:
    from ins_tui.store import UnreadableDatabase

    if os.geteuid() == 0:
        target = Path("/proc/ins-tui-test/cabinet.sqlite")  # even root cannot create here
    else:
        locked = tmp_path / "verrouille"
        locked.mkdir(mode=0o500)
        target = locked / "cabinet.sqlite"
    with pytest.raises(UnreadableDatabase, match="Impossible d'ouvrir la base"):
        Store.open(target)


def test_new_directories_are_private(tmp_path: Path) -> None:
    target = tmp_path / "donnees" / "ins-tui" / "cabinet.sqlite"
    Store.open(target).close()
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("exc", "french"),
    [
        (OSError(13, "Permission denied"), "accès refusé"),
        (OSError(30, "Read-only file system"), "système de fichiers en lecture seule"),
        (OSError(28, "No space left on device"), "disque plein"),
        (sqlite3.DatabaseError("file is not a database"), "ce n'est pas une base SQLite"),
        (sqlite3.OperationalError("database or disk is full"), "disque plein"),
    ],
)
def test_low_level_reasons_are_given_in_french(exc: BaseException, french: str) -> None:
    from ins_tui.store.errors import reason_fr

    assert french in reason_fr(exc)


def test_a_directory_is_refused_by_name(tmp_path: Path) -> None:
    from ins_tui.store import UnreadableDatabase

    with pytest.raises(UnreadableDatabase, match="c'est un dossier, pas un fichier"):
        Store.open(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_existing_world_readable_database_is_made_private(db_path: Path) -> None:
    """A file restored from a backup with mode 0644 holds identities too: narrowed on open."""
    with Store.open(db_path) as s:
        pid = s.create_patient(traits(), actor="accueil")
    for name in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if name.exists():
            os.chmod(name, 0o644)
    with Store.open(db_path) as s:
        record = s.get_patient(pid)
        assert record is not None and record.traits.birth_name == traits().birth_name
        modes = {p.name: stat.S_IMODE(p.stat().st_mode)
                 for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"))}
    assert modes == {p: 0o600 for p in modes}
