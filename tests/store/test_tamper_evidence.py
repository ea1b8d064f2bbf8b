"""Tamper evidence that survives a file edit (issue 9 item 4).

Each test edits the database file with `sqlite3` alone — what a person holding the file
but not the installation key can do — and expects `db check` to exit non-zero. The
attacks go further than the unkeyed chain could see: the chain is recomputed after the
edit, seals are copied from older rows, the key file is swapped.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.domain.model import Channel
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.store import Store
from ins_tui.store.check import check_database
from ins_tui.store.errors import JournalKeyMismatch
from ins_tui.store.journal import JOURNAL_COLUMNS, row_hash

from .helpers import published_test_identity, traits


def _qualified(store: Store) -> int:
    """A QUAL identity written the way the desk writes it (one action)."""
    with store.action("accueil", "Carte Vitale insérée"):
        pid = store.create_patient(traits(), channel=Channel.CARTE_VITALE)
        store.set_ins(pid, published_test_identity(), channel=Channel.CARTE_VITALE)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))
    return pid


def _db_check(db_path: Path, capsys) -> tuple[int, dict]:
    code = main(["db", "check", "--db", str(db_path), "--json"])
    return code, json.loads(capsys.readouterr().out)


def _failed(doc: dict) -> set[str]:
    return {c["name"] for c in doc["checks"] if not c["ok"]}


def _raw(db_path: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    return raw


def test_a_sound_file_is_valid(store: Store, db_path: Path, capsys) -> None:
    _qualified(store)
    code, doc = _db_check(db_path, capsys)
    assert code == 0 and doc["valid"], doc
    names = {c["name"] for c in doc["checks"]}
    assert {"sceaux du journal", "fiches scellées", "identités"} <= names


def test_journal_row_edited_and_whole_chain_rehashed(store: Store, db_path: Path,
                                                     capsys) -> None:
    """Before keys this edit was invisible: every hash recomputed, the head rewritten."""
    _qualified(store)
    store.close()
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("DROP TRIGGER journal_chain_link")
    raw.execute("UPDATE journal SET actor = 'quelqu''un d''autre' WHERE id = 2")
    prev = "0" * 64
    for row in raw.execute("SELECT * FROM journal ORDER BY id").fetchall():
        values = dict(row)
        new = row_hash(prev, {k: values[k] for k in (*JOURNAL_COLUMNS, "action_id")})
        raw.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE id = ?",
                    (prev, new, row["id"]))
        prev, last_id = new, row["id"]
    raw.execute("UPDATE settings SET value = ? WHERE key = 'journal_head'", (f"{last_id}:{prev}",))
    # The triggers put back as they were, so only the keyed seals can tell.
    raw.execute("CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN "
                "SELECT RAISE(ABORT, 'journal en ajout seul : modification refusée'); END")
    raw.execute("CREATE TRIGGER journal_chain_link BEFORE INSERT ON journal WHEN 0 BEGIN "
                "SELECT RAISE(ABORT, 'x'); END")
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and not doc["valid"]
    failed = _failed(doc)
    assert "sceaux du journal" in failed and "chaîne du journal" not in failed, doc
    seal = next(c for c in doc["checks"] if c["name"] == "sceaux du journal")
    assert "ligne n° 2" in seal["message_fr"]


def test_qualified_patient_row_edited(store: Store, db_path: Path, capsys) -> None:
    pid = _qualified(store)
    store.close()
    raw = _raw(db_path)
    # A plausible forgery: a valid name, the search key kept consistent, status untouched.
    raw.execute("UPDATE patients SET birth_name = 'DURAND', birth_name_key = 'DURAND' "
                "WHERE id = ?", (pid,))
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2
    sealed = next(c for c in doc["checks"] if c["name"] == "fiches scellées")
    assert not sealed["ok"] and f"patient n° {pid}" in sealed["details"][0]
    assert "DURAND" not in json.dumps(doc)  # masked: the value is never repeated
    assert "identités" not in _failed(doc)  # the forged name itself obeys every rule


@pytest.mark.parametrize("column", ["status", "ins_number", "sex", "birth_date", "birthplace",
                                    "first_names", "ins_oid", "attributes"])
def test_each_identity_column_is_sealed(store: Store, db_path: Path, capsys,
                                        column: str) -> None:
    pid = _qualified(store)
    store.close()
    forged = {"status": "RECUP", "ins_number": "2090763220834", "sex": "F",
              "birth_date": "2009-07-15", "birthplace": "75056",
              "first_names": "PIERRE-ALAIN", "ins_oid": "1.2.250.1.213.1.4.9",
              "attributes": "homonyme"}[column]
    raw = _raw(db_path)
    raw.execute(f"UPDATE patients SET {column} = ? WHERE id = ?", (forged, pid))
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and "fiches scellées" in _failed(doc), doc


def test_patient_row_rolled_back_to_an_older_sealed_state(store: Store, db_path: Path,
                                                          capsys) -> None:
    """Copying back an earlier row with its earlier, genuine seal is still caught."""
    from ins_tui.domain.model import Attribute
    from ins_tui.domain.status import AttributeSet

    pid = store.create_patient(traits(), actor="accueil")
    old = dict(store.conn.execute("SELECT * FROM patients WHERE id = ?", (pid,)).fetchone())
    with store.action("accueil", "douteuse"):
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            AttributeSet(Attribute.DOUTEUSE)))
    store.close()
    raw = _raw(db_path)
    sets = ", ".join(f"{k} = ?" for k in old if k != "id")
    raw.execute(f"UPDATE patients SET {sets} WHERE id = ?",
                (*(v for k, v in old.items() if k != "id"), pid))
    raw.close()
    code, doc = _db_check(db_path, capsys)
    sealed = next(c for c in doc["checks"] if c["name"] == "fiches scellées")
    assert code == 2 and "état antérieur" in sealed["details"][0], doc


def test_row_inserted_directly_is_unsealed(store: Store, db_path: Path, capsys) -> None:
    store.create_patient(traits(), actor="accueil")
    store.close()
    raw = _raw(db_path)
    raw.execute("INSERT INTO patients (birth_name, first_names, sex, birth_date, status, "
                "created_at, updated_at) VALUES ('NOUVEAU', 'PAUL', 'M', '1990-01-01', "
                "'PROV', 'x', 'x')")
    raw.close()
    code, doc = _db_check(db_path, capsys)
    sealed = next(c for c in doc["checks"] if c["name"] == "fiches scellées")
    assert code == 2 and "non scellée" in sealed["details"][0]


def test_seals_stripped_from_journal_and_patients(store: Store, db_path: Path,
                                                  capsys) -> None:
    _qualified(store)
    store.close()
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("UPDATE journal SET mac = NULL")
    raw.execute("UPDATE patients SET seal = NULL, sealed_by = NULL")
    raw.execute("DELETE FROM settings WHERE key = 'journal_key_id'")
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and {"sceaux du journal", "fiches scellées"} <= _failed(doc)


def test_journal_cut_at_the_end_and_head_rewritten(store: Store, db_path: Path,
                                                   capsys) -> None:
    _qualified(store)
    store.close()
    raw = _raw(db_path)
    last = raw.execute("SELECT id FROM journal ORDER BY id DESC LIMIT 1").fetchone()[0]
    prev = raw.execute("SELECT hash, mac FROM journal WHERE id = ?", (last - 1,)).fetchone()
    raw.execute("DROP TRIGGER journal_no_delete")
    raw.execute("DELETE FROM journal WHERE id = ?", (last,))
    # The head rewritten to the new last row, with that row's own seal for good measure.
    raw.execute("UPDATE settings SET value = ? WHERE key = 'journal_head'",
                (f"{last - 1}:{prev['hash']}:{prev['mac']}",))
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and "sceaux du journal" in _failed(doc), doc


def test_wrong_key_refuses_to_open_and_check_fails(store: Store, db_path: Path, tmp_path: Path,
                                                   capsys) -> None:
    _qualified(store)
    store.close()
    other = tmp_path / "autre.key"
    with pytest.raises(JournalKeyMismatch, match="db rekey"):
        Store.open(db_path, key_path=other)
    assert other.stat().st_mode & 0o777 == 0o600  # created private, though refused
    report = check_database(db_path, key_path=other)
    assert not report.valid
    assert "sceaux du journal" in {i.name for i in report.items if not i.ok}


def test_missing_key_is_a_failure_not_a_pass(store: Store, db_path: Path,
                                             tmp_path: Path) -> None:
    _qualified(store)
    store.close()
    report = check_database(db_path, key_path=tmp_path / "absente.key")
    failed = {i.name for i in report.items if not i.ok}
    assert "sceaux du journal" in failed and not report.valid


def test_key_file_is_private_and_outside_the_database_folder(store: Store,
                                                            db_path: Path) -> None:
    from ins_tui.store.journal_key import default_key_path

    key = default_key_path()
    assert key.is_file() and key.stat().st_mode & 0o777 == 0o600
    assert key.parent.stat().st_mode & 0o777 == 0o700
    assert db_path.parent not in key.parents


def test_lost_key_then_rekey_is_journaled_and_verifiable(store: Store, db_path: Path,
                                                         tmp_path: Path, capsys) -> None:
    from ins_tui.store.journal_key import default_key_path

    pid = _qualified(store)
    store.close()
    default_key_path().unlink()  # the key is lost (disk replaced, no backup of it)
    with pytest.raises(JournalKeyMismatch):
        Store.open(db_path)  # a new key was made for the machine, but it is not the file's
    reopened = Store.open(db_path, rekey_reason="disque remplacé, clé non sauvegardée")
    rekey = reopened.conn.execute(
        "SELECT * FROM journal WHERE event = 'journal.rekey'").fetchone()
    assert "disque remplacé" in rekey["after_json"]
    reopened.add_arrival(pid, "Dr Martin", actor="accueil")
    reopened.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 0 and doc["valid"], doc
    seals = next(c for c in doc["checks"] if c["name"] == "sceaux du journal")
    assert seals["warning"] and "clé déclarée perdue" in seals["message_fr"]
    # Rows from before the new key are still chained into its first seal: an edit shows.
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("UPDATE journal SET actor = 'autre' WHERE id = 1")
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and "chaîne du journal" in _failed(doc)


def test_rekey_refused_on_a_broken_chain(store: Store, db_path: Path) -> None:
    from ins_tui.store.errors import StoreError
    from ins_tui.store.journal_key import default_key_path

    _qualified(store)
    store.close()
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("UPDATE journal SET actor = 'autre' WHERE id = 1")
    raw.close()
    default_key_path().unlink()
    with pytest.raises(StoreError, match="Restaurez une sauvegarde"):
        Store.open(db_path, rekey_reason="clé perdue")


def test_db_rekey_command(store: Store, db_path: Path, capsys) -> None:
    from ins_tui.store.journal_key import default_key_path

    _qualified(store)
    store.close()
    assert main(["db", "rekey", "--db", str(db_path), "--raison", "essai"]) == 0
    assert "rien n'a changé" in capsys.readouterr().out  # the key is the right one
    key = default_key_path()
    key.write_text("ab" * 32 + "\n")  # a wrong key put in its place
    assert main(["db", "check", "--db", str(db_path)]) == 2
    capsys.readouterr()
    assert main(["db", "rekey", "--db", str(db_path), "--raison", "x"]) == 2  # no reason
    assert "raison" in capsys.readouterr().out
    assert main(["db", "rekey", "--db", str(db_path), "--raison", "clé perdue, poste neuf"]) == 0
    out = capsys.readouterr().out
    assert "mise de côté" in out and key.with_name("journal.key.ecartee").is_file()
    assert main(["db", "check", "--db", str(db_path)]) == 0
    assert "clé déclarée perdue" in capsys.readouterr().out


@pytest.mark.parametrize("sql", [
    "UPDATE ins_history SET number = '2090763220835' WHERE active = 0",
    "DELETE FROM ins_history WHERE active = 0",
    "INSERT INTO ins_history (patient_id, number, key, oid, key_ok, active, received_at) "
    "VALUES (1, '2751263220749', '74', '1.2.250.1.213.1.4.8', 1, 0, 'x')",
])
def test_ins_history_is_sealed_with_its_patient(store: Store, db_path: Path, capsys,
                                               sql: str) -> None:
    pid = _qualified(store)
    assert pid == 1
    store.close()
    raw = _raw(db_path)
    raw.execute(sql)
    raw.close()
    code, doc = _db_check(db_path, capsys)
    assert code == 2 and "fiches scellées" in _failed(doc), doc
