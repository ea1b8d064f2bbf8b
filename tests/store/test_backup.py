"""`ins-tui db backup` under a desk that keeps writing, and `db restore` refusing bad copies.

The writer is another OS process (backup_writer.py) doing real `Store` writes and counting
the lock errors a secretary would see. Every wait is for a state (rows written, a line
printed), never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.store import Store
from ins_tui.store.backup import backup_database
from ins_tui.store.journal_key import default_key_path

from .helpers import traits

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("backup_writer.py")
WAIT_S = 60.0


class Writer:
    """The writer process and what it has said so far (read by a thread, never polled)."""

    def __init__(self, db: Path, stop: Path, mode: str = "write") -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.stop_file = stop
        self.proc = subprocess.Popen([sys.executable, str(WRITER), str(db), str(stop), mode],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.written = 0
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.strip())
                if line.startswith("written "):
                    self.written = int(line.split()[1])
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, condition, what: str) -> None:
        with self._changed:
            ok = self._changed.wait_for(
                lambda: condition() or not self._reader.is_alive(), timeout=WAIT_S)
        assert ok and condition(), (what, self.lines[-3:], self.proc.poll())

    def wait_written(self, n: int) -> None:
        self.wait_for(lambda: self.written >= n, f"writer at {n} rows")

    def finish(self) -> dict[str, int]:
        self.stop_file.touch()
        self.proc.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        assert self.proc.returncode == 0, err
        assert "Traceback" not in err, err
        done = self.lines[-1]
        assert done.startswith("done"), self.lines[-3:]
        return {k: int(v) for k, v in (f.split("=") for f in done.split()[1:])}

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT_S)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _patients(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        conn.close()


def _small_live(path: Path, patients: int = 3) -> Path:
    with Store.open(path) as store:
        for i in range(patients):
            pid = store.create_patient(traits(first_names=f"PAUL {chr(65 + i)}"), actor="accueil")
            store.add_arrival(pid, "Dr Martin", actor="accueil")
    return path


def _journal_edited(good: Path, bad: Path) -> None:
    """A journal row edited with sqlite3 after dropping the trigger that forbids it."""
    shutil.copyfile(good, bad)
    conn = sqlite3.connect(bad, isolation_level=None)
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'journal_no_update'").fetchone()[0]
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET actor = 'quelquun' WHERE id = 2")
    conn.execute(trigger)  # put back: only the edit itself is left to find
    conn.close()


def _bytes_overwritten(good: Path, bad: Path) -> None:
    """A page in the middle of the file overwritten (a disk fault, a bad copy)."""
    src = sqlite3.connect(good)
    src.execute("VACUUM INTO ?", (str(bad),))  # no free page: the middle one is in use
    src.close()
    size = bad.stat().st_size
    page = 4096
    with bad.open("r+b") as fh:
        fh.seek((size // page // 2) * page)
        fh.write(b"\xa5" * page)


def test_backup_while_another_process_writes(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    live = tmp_path / "cabinet.sqlite"
    assert main(["demo-data", "--db", str(live), "--patients", "4000", "--seed", "3"]) == 0
    capsys.readouterr()
    writer = Writer(live, tmp_path / "stop")
    try:
        writer.wait_written(5)
        during: list[int] = []

        def mid_copy(remaining: int, _total: int) -> None:
            # The snapshot is held between steps: the desk commits in the middle of the copy.
            if not during and remaining:
                target = writer.written + 5
                writer.wait_written(target)
                during.append(target)

        copy = tmp_path / "sauvegardes" / "copie-1.sqlite"
        copy.parent.mkdir()
        result = backup_database(live, copy, pages=64, on_step=mid_copy)
        assert during, "the copy ended in one step: nothing written during it"
        assert result.valid and result.steps > 2
        assert result.patients is not None and result.patients >= 4000
        second = tmp_path / "sauvegardes" / "copie-2.sqlite"
        assert main(["db", "backup", "--db", str(live), str(second), "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)
        writer.wait_written(writer.written + 5)  # still writing after both copies
        final = writer.finish()
    finally:
        writer.kill()
    assert final["lock_errors"] == 0 and final["written"] > 15
    assert summary["ok"] and summary["check"]["valid"]
    assert summary["journal_key"]["path"] == str(default_key_path())
    assert summary["size_bytes"] == second.stat().st_size
    for made in (copy, second):
        assert _mode(made) == 0o600
        assert main(["db", "check", "--db", str(made)]) == 0
        assert not Path(f"{made}-wal").exists()  # self-contained: one file to carry away
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copie-1.sqlite", "copie-2.sqlite"]
    assert main(["db", "check", "--db", str(live)]) == 0


def test_backup_says_where_the_key_is_refuses_overwrite_and_copies_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = _small_live(tmp_path / "cabinet.sqlite")
    copy = tmp_path / "copie.sqlite"
    assert main(["db", "backup", "--db", str(live), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "Copie vérifiée" in out and "3 patients" in out
    assert str(default_key_path()) in out and "autre support" in out
    before = copy.read_bytes()
    assert main(["db", "backup", "--db", str(live), str(copy)]) == 2
    assert "existe déjà" in capsys.readouterr().out
    assert copy.read_bytes() == before
    assert main(["db", "backup", "--db", str(live), str(copy), "--force", "--with-key"]) == 0
    key_copy = tmp_path / "copie.sqlite.key"
    assert key_copy.read_bytes() == default_key_path().read_bytes()
    assert _mode(key_copy) == 0o600
    assert str(key_copy) in capsys.readouterr().out


def test_backup_of_a_damaged_file_is_kept_aside_as_invalid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = tmp_path / "cabinet.sqlite"
    assert main(["demo-data", "--db", str(live), "--patients", "300", "--seed", "5"]) == 0
    damaged = tmp_path / "abimee.sqlite"
    _bytes_overwritten(live, damaged)
    copy = tmp_path / "copie.sqlite"
    capsys.readouterr()
    assert main(["db", "backup", "--db", str(damaged), str(copy)]) == 2
    out = capsys.readouterr().out
    assert "NON valide" in out and "[ÉCHEC]" in out
    assert not copy.exists()
    invalid = tmp_path / "copie.sqlite.invalide"
    assert _mode(invalid) == 0o600


@pytest.mark.parametrize("damage, failed_check", [
    (_bytes_overwritten, "fichier"),
    (_journal_edited, "chaîne du journal"),
], ids=["octets-ecrases", "journal-modifie"])
def test_restore_of_a_bad_copy_is_refused_and_the_live_file_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], damage, failed_check: str) -> None:
    live = _small_live(tmp_path / "cabinet.sqlite")
    good = tmp_path / "bonne.sqlite"
    assert backup_database(live, good).valid
    bad = tmp_path / "mauvaise.sqlite"
    damage(good, bad)
    before = live.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    assert main(["db", "restore", "--db", str(live), str(bad)]) == 2
    out = capsys.readouterr().out
    assert "ne passe pas la vérification" in out and "n'a pas été modifiée" in out
    assert f"[ÉCHEC] {failed_check}" in out
    assert live.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    assert main(["db", "restore", "--db", str(live), str(bad), "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert not payload["ok"] and not payload["check"]["valid"]
    assert live.read_bytes() == before


def test_good_restore_keeps_the_previous_file_aside(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = _small_live(tmp_path / "cabinet.sqlite")
    copy = tmp_path / "copie.sqlite"
    assert backup_database(live, copy).valid
    with Store.open(live) as store:  # what happens after the copy: 2 more patients
        for name in ("JEAN", "LUC"):
            store.create_patient(traits(first_names=name), actor="accueil")
    assert main(["db", "restore", "--db", str(live), str(copy), "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    previous = Path(done["previous"])
    assert previous.name.startswith("cabinet.sqlite.avant-restauration-")
    assert done["database"] == str(live) and done["check"]["valid"] and done["patients"] == 3
    assert _mode(previous) == 0o600 and _mode(live) == 0o600
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0
    assert _patients(previous) == 5  # the way back holds everything written before
    with Store.open(live) as store:  # the restored file opens and takes writes
        assert store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 3
        store.create_patient(traits(first_names="MARC"), actor="accueil")
    assert main(["db", "check", "--db", str(live)]) == 0
    assert main(["db", "check", "--db", str(previous)]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_restore_over_an_unreadable_file_sets_it_aside_as_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _small_live(tmp_path / "source.sqlite")
    copy = tmp_path / "copie.sqlite"
    assert backup_database(source, copy).valid
    live = tmp_path / "cabinet.sqlite"
    live.write_bytes(b"pas une base " * 100)
    assert main(["db", "restore", "--db", str(live), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "telle quelle" in out
    aside = next(tmp_path.glob("cabinet.sqlite.avant-restauration-*"))
    assert aside.read_bytes() == b"pas une base " * 100
    assert _patients(live) == 3


@pytest.mark.parametrize("mode", ["write", "idle"])
def test_restore_is_refused_while_a_desk_has_the_file_open(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    live = _small_live(tmp_path / "cabinet.sqlite")
    copy = tmp_path / "copie.sqlite"
    assert backup_database(live, copy).valid
    writer = Writer(live, tmp_path / "stop", mode)
    try:
        if mode == "write":
            writer.wait_written(5)
        else:
            writer.wait_for(lambda: "ready" in writer.lines, "desk open")
        assert main(["db", "restore", "--db", str(live), str(copy)]) == 2
        out = capsys.readouterr().out
        assert "fermez l'application sur tous les postes" in out
        final = writer.finish()
    finally:
        writer.kill()
    assert final.get("lock_errors", 0) == 0
    assert not list(tmp_path.glob("*avant-restauration*"))
    assert main(["db", "check", "--db", str(live)]) == 0
