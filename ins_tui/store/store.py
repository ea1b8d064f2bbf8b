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
from ins_tui.store.merge import MergeMixin
from ins_tui.store.migrations import check_not_newer, migrate
from ins_tui.store.outbox import OutboxMixin
from ins_tui.store.patients import PatientsMixin
from ins_tui.store.records import JournalRow, journal_from_row
from ins_tui.store.search import SearchMixin
from ins_tui.store.visits import VisitsMixin


class Store(MergeMixin, OutboxMixin, PatientsMixin, SearchMixin, VisitsMixin, InsiQueueMixin,
            StoreCore):
    """One file, one connection: the mixins split the tables by topic, not the transaction."""

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        clock: Callable[[], datetime] | None = None,
        key: bytes | None = None,
        key_path: Path | None = None,
        rekey_reason: str | None = None,
    ) -> Store:
        """Open (or create, mode 0600) the file and bring its schema up to date.

        Raises `SchemaTooNew` before writing anything when the file is newer than the
        code, and `DatabaseMissing` when `create` is False and the file is absent. The
        journal key is `key`, else read (or created on first use) at `key_path` or its
        default place; a key that is not the file's raises `JournalKeyMismatch`, unless
        `rekey_reason` says why the file's key is lost (`ins-tui db rekey`): the new key then
        takes over from a journaled `journal.rekey` row.
        """
        from ins_tui.paths import ensure_private_dir, is_app_dir
        from ins_tui.store import journal_key as keys

        path = Path(path)
        key_file = key_path or keys.default_key_path()
        try:
            if key is None:  # the key's folder is the configuration folder: 0700
                ensure_private_dir(key_file.parent, tighten=is_app_dir(key_file.parent))
            key = key if key is not None else keys.load_or_create_key(key_file)
        except (OSError, keys.JournalKeyError) as exc:
            raise UnreadableDatabase(str(path), f"clé du journal inutilisable ({exc})") from exc
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
        store = cls(conn, path, clock)
        try:
            store._bind_key(key, str(key_file), rekey_reason)
        except BaseException:
            conn.close()
            raise
        return store

    def _bind_key(self, key: bytes, key_file: str, rekey_reason: str | None = None) -> None:
        """Seal with `key` from now on; the first keyed open of a file seals what it holds.

        A file already sealed by another key is refused: writing on with a second key would
        leave a journal nobody can verify, and it is how a swapped key file shows up.
        """
        from ins_tui.store import journal_key as keys
        from ins_tui.store.errors import JournalKeyMismatch
        from ins_tui.store.seals import seal_all

        wanted = keys.key_id(key)
        stored = self.get_setting("journal_key_id")
        if stored is not None:
            if not keys.same(stored, wanted):
                if rekey_reason:
                    self._rekey(key, stored, rekey_reason)
                    return
                raise JournalKeyMismatch(str(self.path), key_file)
            self._key = key
            return
        with self.action("ins-tui", "Scellement du journal") as act:
            stored = self.get_setting("journal_key_id")  # re-read under the write lock
            if stored is not None:
                if not keys.same(stored, wanted):
                    raise JournalKeyMismatch(str(self.path), key_file)
                self._key = key
                return
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('journal_key_id', ?)", (wanted,))
            self._key = key
            has_rows = self.conn.execute("SELECT 1 FROM journal LIMIT 1").fetchone()
            has_patients = self.conn.execute("SELECT 1 FROM patients LIMIT 1").fetchone()
            if has_rows or has_patients:
                # Rows written before the key: the seal of this row vouches for the chain
                # through them, and their patients are sealed as they stand today.
                row_id = self.append("journal.keyed", after={"key_id": wanted})
                seal_all(self.conn, key, row_id, "seal IS NULL")
            del act

    def _rekey(self, key: bytes, old_id: str, reason: str) -> None:
        """Start sealing with a new key after the old one was lost, and say so in the journal.

        Rows sealed before can no longer be verified (`db check` counts them); the unkeyed
        chain still must hold, else the file was edited and a backup is the way back. The
        patients are sealed again as they stand: run `db check` on them first.
        """
        from ins_tui.store import journal_key as keys
        from ins_tui.store.errors import StoreError
        from ins_tui.store.journal import REKEY_EVENT, verify_chain
        from ins_tui.store.seals import seal_all

        chain = verify_chain(self.conn)
        if not chain.ok:
            raise StoreError(f"Changement de clé refusé : {chain.message_fr} Restaurez une "
                             "sauvegarde vérifiée plutôt que de sceller une base altérée.")
        new_id = keys.key_id(key)
        with self.action("ins-tui", "Changement de la clé du journal"):
            self._key = key
            row_id = self.append(REKEY_EVENT, before={"key_id": old_id},
                                 after={"key_id": new_id, "raison": reason})
            self.conn.execute("UPDATE settings SET value = ? WHERE key = 'journal_key_id'",
                              (new_id,))
            seal_all(self.conn, key, row_id)

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
