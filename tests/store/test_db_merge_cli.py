"""`ins-tui db merge` / `db unmerge` (commands/db_merge.py): French output, exit codes.

Tried: a dry run (prints what would move, writes nothing), a refusal (two INS: exit 2,
nothing written), a douteuse identity refused without --reason and merged with it, a real
merge then `db check`, the unmerge then `db check`, an unmerge asked twice (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.domain.model import Attribute, Channel
from ins_tui.domain.status import AttributeSet, apply
from ins_tui.store import Store
from tests.store.helpers import traits
from tests.store.test_merge import qualified


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    db, key = tmp_path / "cabinet.sqlite", tmp_path / "journal.key"
    with Store.open(db, key_path=key) as store:
        with store.action("test", "patients"):
            a = store.create_patient(traits(first_names="PAUL"), channel=Channel.MANUAL)
            store.add_arrival(a, "Dr Martin")
            b = store.create_patient(traits(first_names="PAUL JEAN"), channel=Channel.MANUAL)
            store.add_arrival(b, "Dr Martin")
            c = store.create_patient(traits(first_names="PAUL MARC"), channel=Channel.MANUAL)
            store.set_identity_state(c, apply(store.get_patient(c).state,
                                              AttributeSet(Attribute.DOUTEUSE)))
        qualified(store, 1), qualified(store, 2)  # ids 4 and 5
    return db, key


def _journal_rows(db: Path, key: Path) -> int:
    with Store.open(db, key_path=key) as store:
        return store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]


def test_dry_run_prints_and_writes_nothing(files, capsys) -> None:  # type: ignore[no-untyped-def]
    db, key = files
    rows = _journal_rows(db, key)
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "1", "2",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "≠ Prénoms de naissance : PAUL / PAUL JEAN" in out
    assert "1 passage(s)" in out and "Rien n'a été écrit" in out
    assert _journal_rows(db, key) == rows


def test_refusals_exit_2(files, capsys) -> None:  # type: ignore[no-untyped-def]
    db, key = files
    rows = _journal_rows(db, key)
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "4", "5"]) == 2
    assert "INS différents" in capsys.readouterr().out
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "1", "3"]) == 2
    out = capsys.readouterr().out
    assert "douteuse" in out and "--reason" in out
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "1", "99"]) == 2
    assert _journal_rows(db, key) == rows
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "1", "3",
                 "--reason", "même personne, pièce vue"]) == 0


def test_merge_check_unmerge_check(files, capsys) -> None:  # type: ignore[no-untyped-def]
    db, key = files
    assert main(["db", "merge", "--db", str(db), "--key", str(key), "1", "2"]) == 0
    out = capsys.readouterr().out
    assert "Fusion n° 1 faite" in out and "db unmerge" in out
    assert main(["db", "check", "--db", str(db), "--key", str(key)]) == 0
    assert "fusions : 1 dossier(s) fusionné(s)" in capsys.readouterr().out
    assert main(["db", "unmerge", "--db", str(db), "--key", str(key), "1"]) == 0
    assert "dossier n° 2 est rétabli" in capsys.readouterr().out
    assert main(["db", "check", "--db", str(db), "--key", str(key)]) == 0
    capsys.readouterr()
    assert main(["db", "unmerge", "--db", str(db), "--key", str(key), "1"]) == 2
    assert "déjà annulée" in capsys.readouterr().out
