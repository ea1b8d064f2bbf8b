"""Journal rows grouped by user action (schema 3), on real files, old ones included.

The migration test builds a schema-2 file the way the previous program wrote it (its own
hash formula, written out here independently of `journal.row_hash`), then opens it with
this program: old rows must still verify, new rows carry and seal their action id.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from ins_tui.store import Store
from ins_tui.store.check import check_database
from ins_tui.store.journal import group_by_action
from ins_tui.store.migrations import GENESIS_HASH, LATEST, MIGRATIONS, _statements

from .helpers import published_test_identity, traits

_V2_COLUMNS = ("id", "at", "actor", "action", "event", "patient_id", "before_json",
               "after_json", "insi_request", "insi_response")


def _v2_hash(prev: str, row: dict) -> str:
    """The schema-2 program's row hash, as it shipped."""
    content = [{"hex": v.hex()} if isinstance(v, bytes) else v
               for v in (row[c] for c in _V2_COLUMNS)]
    encoded = json.dumps([prev, content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _schema2_file(path: Path) -> None:
    """A practice's file from the previous version: one patient, three journal rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in _statements(migration.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version=2")
    at = "2026-03-01T10:00:00+01:00"
    conn.execute(
        "INSERT INTO patients (id, birth_name, first_names, first_name, sex, birth_date, "
        "created_at, updated_at, birth_name_key, first_name_key) VALUES "
        "(1, 'ECETINSI', 'PIERRE-ALAIN', 'PIERRE-ALAIN', 'M', '2009-07-14', ?, ?, "
        "'ECETINSI', 'PIERRE ALAIN')", (at, at))
    rows = [
        ("accueil1", "création du patient", "patient.create", b"<req/>"),
        ("accueil1", "création du patient", "création du patient", None),
        ("accueil2", "Arrivée", "visit.arrival", None),
    ]
    prev = GENESIS_HASH
    for n, (actor, action, event, raw) in enumerate(rows, 1):
        row = {"id": n, "at": at, "actor": actor, "action": action, "event": event,
               "patient_id": 1, "before_json": None, "after_json": '{"a": 1}',
               "insi_request": raw, "insi_response": raw}
        row["prev_hash"] = prev
        row["hash"] = prev = _v2_hash(prev, row)
        conn.execute(f"INSERT INTO journal ({', '.join(row)}) VALUES "
                     f"({', '.join('?' for _ in row)})", tuple(row.values()))
    conn.execute("INSERT INTO settings (key, value) VALUES ('journal_head', ?)", (f"3:{prev}",))
    conn.close()


def test_rows_of_one_action_share_its_id(store: Store) -> None:
    with store.action("accueil1", "Carte Vitale insérée"):
        pid = store.create_patient(traits())
        store.append("insi.exchange", patient_id=pid, insi_request=b"<r/>")
        store.set_ins(pid, published_test_identity())
    store.add_arrival(pid, "Dr Martin", actor="accueil2")
    with store.action("accueil1", "rien à journaliser"):
        pass
    store.add_arrival(pid, "Dr Durand", actor="accueil1")
    rows = store.journal_for_patient(pid)
    assert [r.action_id for r in rows] == [1, 1, 1, 4, 5]
    groups = group_by_action(rows)
    assert [[r.event for r in g] for g in groups] == [
        ["patient.create", "insi.exchange", "patient.ins"], ["visit.arrival"], ["visit.arrival"]]
    assert store.verify_chain().ok


def test_action_id_is_sealed_by_the_row_hash(store: Store, db_path: Path) -> None:
    """Regrouping rows by hand (triggers dropped) breaks the chain at the edited row."""
    with store.action("accueil1", "création"):
        pid = store.create_patient(traits())
    store.add_arrival(pid, "Dr Martin", actor="accueil2")
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute("UPDATE journal SET action_id = 1 WHERE id = 2")
    raw.commit()
    raw.close()
    report = store.verify_chain()
    assert not report.ok and report.first_bad_id == 2
    assert not check_database(db_path).valid


def test_schema_2_file_with_journal_migrates_and_stays_verifiable(
    tmp_path: Path, clock
) -> None:
    path = tmp_path / "ancien.sqlite"
    _schema2_file(path)
    before = check_database(path)  # read-only: checks the old file as it is
    assert before.valid and before.schema_version == 2, before.to_json()
    assert f"{LATEST - 2} migration(s)" in before.items[0].message_fr

    with Store.open(path, clock=clock) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST == 7
        old = store.journal_for_patient(1)
        assert [r.action_id for r in old] == [None, None, None]
        assert store.verify_chain().ok
        # Old rows: grouped by the fallback (same actor, action text and second).
        assert [len(g) for g in group_by_action(old)] == [2, 1]
        # The first keyed open sealed the old rows with one row of its own (n° 4).
        assert store.conn.execute("SELECT event FROM journal WHERE id = 4").fetchone()[0] == (
            "journal.keyed")
        store.add_arrival(1, "Dr Martin", actor="accueil1")
        new = store.journal_for_patient(1)[-1]
        assert new.action_id == new.id == 5
        with store.conn:  # the append-only triggers survived the migration
            try:
                store.conn.execute("UPDATE journal SET action_id = 9 WHERE id = 1")
            except sqlite3.DatabaseError as exc:
                assert "ajout seul" in str(exc)
            else:
                raise AssertionError("journal update accepted")
        assert store.verify_chain().ok and store.verify_chain().rows == 5
    after = check_database(path)
    assert after.valid and after.schema_version == LATEST, after.to_json()


def test_waiting_list_says_which_patient_waits_for_an_insi_retry(store: Store) -> None:
    with store.action("accueil1", "création"):
        waiting = store.create_patient(traits())
        other = store.create_patient(traits(birth_name="ADRTROIS"))
    for pid in (waiting, other):
        store.add_arrival(pid, "Dr Martin", actor="accueil1")
    assert [v.insi_pending for v in store.visits_for_day()] == [False, False]
    queue_id = store.enqueue_insi(waiting, traits(), "CV", actor="accueil1")
    assert [v.insi_pending for v in store.visits_for_day()] == [True, False]
    store.insi_attempt_failed(queue_id, "délai dépassé", store.now(), actor="accueil1")
    assert [v.insi_pending for v in store.visits_for_day()] == [True, False]
    store.insi_done(queue_id, actor="accueil1")
    assert [v.insi_pending for v in store.visits_for_day()] == [False, False]
    plan = " ".join(r[3] for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM insi_queue q WHERE q.patient_id = 1 "
        "AND q.done_at IS NULL"))
    assert "insi_queue_pending" in plan, plan
