"""The audit journal: append-only in the database, hash-chained, verifiable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ins_tui.store import NoAction, Store
from ins_tui.store.check import check_database

from .helpers import published_test_identity, traits

REQUEST = b'<?xml version="1.0"?><soap:Envelope>\xc3\xa9 \r\n raw</soap:Envelope>'
RESPONSE = b"<soap:Envelope><CR>00</CR></soap:Envelope>\n"


def _fill(store: Store) -> int:
    with store.action("accueil1", "Carte Vitale insérée"):
        pid = store.create_patient(traits())
        store.append("insi.exchange", patient_id=pid, insi_request=REQUEST,
                     insi_response=RESPONSE)
        store.set_ins(pid, published_test_identity())
    store.add_arrival(pid, "Dr Martin", actor="accueil2")
    return pid


def test_rows_say_who_when_what_and_keep_raw_xml(store: Store) -> None:
    pid = _fill(store)
    rows = store.journal_for_patient(pid)
    assert [r.event for r in rows] == ["patient.create", "insi.exchange", "patient.ins",
                                       "visit.arrival"]
    assert {r.actor for r in rows[:3]} == {"accueil1"} and rows[3].actor == "accueil2"
    assert rows[0].action == "Carte Vitale insérée"
    assert rows[1].insi_request == REQUEST and rows[1].insi_response == RESPONSE
    assert '"ins_matricule": "109076322083489"' in rows[2].after_json
    assert '"ins_matricule": null' in rows[2].before_json
    assert rows[0].at == "2026-03-02T09:30:00+01:00"
    assert [r.id for r in store.journal_for_day("2026-03-02")] == [r.id for r in rows]
    assert store.journal_for_day("2026-03-03") == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE journal SET actor = 'quelqu''un' WHERE id = 1", "DELETE FROM journal WHERE id = 1",
     "DELETE FROM journal"],
)
def test_database_refuses_update_and_delete(store: Store, db_path: Path, statement: str) -> None:
    _fill(store)
    raw = sqlite3.connect(db_path)  # any program, not only ins-tui
    with pytest.raises(sqlite3.DatabaseError, match="journal en ajout seul"):
        raw.execute(statement)
    raw.close()
    assert store.verify_chain().ok
    assert store.verify_chain().rows == 4


def test_out_of_chain_insert_refused(store: Store, db_path: Path) -> None:
    _fill(store)
    raw = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="maillon"):
        raw.execute(
            "INSERT INTO journal (id, at, actor, action, event, prev_hash, hash) "
            "VALUES (99, 'x', 'x', 'x', 'x', 'bad', 'bad')"
        )
    raw.close()


def test_append_needs_an_action(store: Store) -> None:
    with pytest.raises(NoAction):
        store.append("x")


def _tamper(db_path: Path, sql: str) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("DROP TRIGGER journal_no_delete")
    raw.execute(sql)
    raw.commit()
    raw.close()


@pytest.mark.parametrize(
    ("sql", "bad_id", "words"),
    [
        ("UPDATE journal SET actor = 'autre' WHERE id = 2", 2, "modifiée"),
        ("UPDATE journal SET insi_response = X'00' WHERE id = 2", 2, "modifiée"),
        ("DELETE FROM journal WHERE id = 2", 2, "manquante"),
        ("DELETE FROM journal WHERE id = 4", 4, "manquent"),
    ],
)
def test_chain_detects_tampering(
    store: Store, db_path: Path, sql: str, bad_id: int, words: str
) -> None:
    _fill(store)
    _tamper(db_path, sql)
    report = store.verify_chain()
    assert not report.ok
    assert report.first_bad_id in (bad_id, bad_id + 1)
    assert words in report.message_fr
    checked = check_database(db_path)
    assert not checked.valid
    failed = {i.name for i in checked.items if not i.ok}
    # The keyed seals see it too when the edit touched the end of the journal.
    assert {"chaîne du journal", "protection du journal"} <= failed <= {
        "chaîne du journal", "protection du journal", "sceaux du journal"}


def test_rehashed_row_still_detected(store: Store, db_path: Path) -> None:
    """Recomputing the edited row's own hash breaks the link to the next row."""
    from ins_tui.store.journal import row_hash

    _fill(store)
    raw = sqlite3.connect(db_path)
    raw.row_factory = sqlite3.Row
    row = dict(raw.execute("SELECT * FROM journal WHERE id = 2").fetchone())
    row["actor"] = "autre"
    new_hash = row_hash(row["prev_hash"], row)  # every sealed column, action id included
    raw.close()
    _tamper(db_path, f"UPDATE journal SET actor = 'autre', hash = '{new_hash}' WHERE id = 2")
    report = store.verify_chain()
    assert not report.ok and report.first_bad_id == 3
