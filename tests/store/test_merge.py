"""Merging two records and undoing it, on a real SQLite file (store/merge.py).

Tried: visits (today's and an older day's) moving to the survivor, both journals kept, the
dropped record marked (never deleted) and gone from search, unmerge putting back exactly
what moved (and nothing the survivor got since), `db check` valid after both, every
refusal leaving the file untouched, a hand-set `merged_into` caught by `db check`, the
outbox queuing a merge (not an update) for the dropped record, and a process killed in the
middle of the merge (SIGKILL between two statements): nothing of it remains.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.domain.model import Attribute, Channel
from ins_tui.domain.status import AttributeSet, DocumentChecked, InsiMatched, apply
from ins_tui.store import Store
from ins_tui.store.check import check_database
from ins_tui.store.merge import MergeRefused
from tests.store.crash_writer import identity
from tests.store.helpers import traits

KEY = b"m" * 32


@pytest.fixture
def store(db_path: Path, clock) -> Store:  # type: ignore[no-untyped-def]
    s = Store.open(db_path, clock=clock, key=KEY)
    yield s
    s.close()


def patient(store: Store, *, first: str = "PAUL", arrival: bool = True,
            day: str | None = None) -> int:
    with store.action("test", "patient de test"):
        pid = store.create_patient(traits(first_names=first), channel=Channel.MANUAL)
        if arrival:
            store.add_arrival(pid, "Dr Martin", day=day)
    return pid


def qualified(store: Store, n: int) -> int:
    """A QUAL identity with its own test INS (OID .10)."""
    with store.action("test", "identité qualifiée"):
        pid = store.create_patient(traits(), channel=Channel.CARTE_VITALE)
        store.set_ins(pid, identity(n), channel=Channel.CARTE_VITALE)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))
    return pid


def valid(db_path: Path) -> bool:
    report = check_database(db_path, key=KEY)
    assert report.valid, [(i.name, i.message_fr, i.details) for i in report.items if not i.ok]
    return True


def snapshot(store: Store) -> dict:
    conn = store.conn
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("patients", "visits", "journal", "merges", "insi_queue", "outbox")}


def rows(snap: dict) -> dict:
    return {t: [tuple(r) for r in v] for t, v in snap.items()}


def test_merge_moves_visits_keeps_journals_and_marks_the_dropped(store: Store,
                                                                 db_path: Path) -> None:
    """Both visits (today, last week) go to the survivor; the dropped row stays, points at
    it, vanishes from search; its journal rows stay and gain the merge; check is valid."""
    kept = patient(store)
    dropped = patient(store, first="PAUL JEAN")
    with store.action("test", "passage ancien"):
        old_visit = store.add_arrival(dropped, "Dr Bernard", day="2026-02-20")
    before_dropped = [r.id for r in store.journal_for_patient(dropped)]
    merge_id = store.merge_patients(kept, dropped, actor="secretaire")
    assert store.merged_into(dropped) == kept and store.get_patient(dropped) is not None
    assert {v.patient_id for v in store.visits_for_day()} == {kept}
    assert store.conn.execute("SELECT patient_id FROM visits WHERE id = ?",
                              (old_visit,)).fetchone()[0] == kept
    assert [r.id for r in store.search("ECETINSI")] == [kept]
    assert [r.id for r in store.find_by_traits("ECETINSI", "PAUL", "2009-07-14")] == [kept]
    journal = store.journal_for_patient(dropped)
    assert [r.id for r in journal][:len(before_dropped)] == before_dropped
    assert journal[-1].event == "patient.merged"
    assert store.journal_for_patient(kept)[-1].event == "merge.done"
    merge = store.get_merge(merge_id)
    assert merge is not None and len(merge.visits) == 2 and not merge.undone
    with pytest.raises(MergeRefused, match=f"fusionné dans le dossier n° {kept}"):
        store.add_arrival(dropped, "Dr Martin", actor="secretaire")  # a stale screen's id
    assert valid(db_path)


def test_unmerge_restores_both_exactly(store: Store, db_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """After merge then unmerge the visits are back where they were, both rows hold the
    same traits and status, and a visit added to the survivor meanwhile stays with it."""
    kept, dropped = patient(store), patient(store, first="PAUL JEAN")
    visits_before = {r["id"]: r["patient_id"] for r in store.conn.execute(
        "SELECT id, patient_id FROM visits")}
    records_before = {p: store.get_patient(p) for p in (kept, dropped)}
    merge_id = store.merge_patients(kept, dropped, actor="secretaire")
    clock.advance(minutes=5)
    with store.action("test", "nouvelle arrivée"):
        later = store.add_arrival(kept, "Dr Martin")
    merge = store.unmerge(merge_id, actor="secretaire")
    assert merge.undone and store.merged_into(dropped) is None
    visits_after = {r["id"]: r["patient_id"] for r in store.conn.execute(
        "SELECT id, patient_id FROM visits")}
    assert visits_after == {**visits_before, later: kept}
    for pid, before in records_before.items():
        after = store.get_patient(pid)
        assert (after.traits, after.status, after.attributes, after.ins) == \
            (before.traits, before.status, before.attributes, before.ins)
    assert sorted(r.id for r in store.search("ECETINSI")) == [kept, dropped]
    assert store.journal_for_patient(dropped)[-1].event == "patient.unmerged"
    with pytest.raises(MergeRefused, match="déjà annulée"):
        store.unmerge(merge_id, actor="secretaire")
    assert valid(db_path)
    # and the same pair can be merged again
    store.merge_patients(kept, dropped, actor="secretaire")
    assert valid(db_path)


def test_refusals_change_nothing(store: Store) -> None:
    """Different INS, itself, already merged, douteuse without reason: MergeRefused, and
    every table is byte for byte what it was."""
    a, b = qualified(store, 1), qualified(store, 2)
    c, d = patient(store), patient(store, first="PAUL JEAN")
    with store.action("test", "douteuse"):
        store.set_identity_state(d, apply(store.get_patient(d).state,
                                          AttributeSet(Attribute.DOUTEUSE)))
    e = patient(store, first="PAUL MARC")
    store.merge_patients(c, e, actor="t")
    before = rows(snapshot(store))
    for keep, drop, words in ((a, b, "INS différents"), (c, c, "lui-même"),
                              (c, e, "déjà fusionné"), (c, d, "douteuse")):
        with pytest.raises(MergeRefused, match=words):
            store.merge_patients(keep, drop, actor="t")
    assert rows(snapshot(store)) == before


def test_override_reason_is_journaled(store: Store, db_path: Path) -> None:
    kept, doubtful = patient(store), patient(store, first="PAUL JEAN")
    with store.action("test", "douteuse"):
        store.set_identity_state(doubtful, apply(store.get_patient(doubtful).state,
                                                 AttributeSet(Attribute.DOUTEUSE)))
    merge_id = store.merge_patients(kept, doubtful, override_reason="vu la pièce : même",
                                    actor="t")
    assert store.get_merge(merge_id).override_reason == "vu la pièce : même"
    assert "vu la pièce" in store.journal_for_patient(kept)[-1].after_json
    assert valid(db_path)


def test_a_hand_set_merged_into_is_caught_by_check(store: Store, db_path: Path) -> None:
    """Setting merged_into by hand (no merge row, no journal row) makes check fail."""
    a, b = patient(store), patient(store, first="PAUL JEAN")
    store.conn.execute("UPDATE patients SET merged_into = ? WHERE id = ?", (a, b))
    store.conn.commit()
    report = check_database(db_path, key=KEY)
    failed = {i.name: i.details for i in report.items if not i.ok}
    assert "fusions" in failed and any("journal" in d for d in failed["fusions"])


def test_merge_is_queued_as_a_merge_for_the_adapters(store: Store) -> None:
    """The dropped record's unfrozen update becomes the merge item; the unmerge dismisses
    it before it left, and queues an update instead."""
    store.set_output_targets({"hl7", "fhir"})
    kept, dropped = patient(store), patient(store, first="PAUL JEAN")
    merge_id = store.merge_patients(kept, dropped, actor="t")
    pending = [(i.target, i.patient_id, i.reason) for i in store.pending_outputs()]
    assert ("hl7", dropped, "merge") in pending and ("fhir", dropped, "merge") in pending
    assert ("hl7", dropped, "change") not in pending
    store.unmerge(merge_id, actor="t")
    reasons = {i.reason for i in store.pending_outputs() if i.patient_id == dropped}
    assert reasons == {"change"}


_CHILD = """
import os, sys, time
from ins_tui.store import Store
store = Store.open(sys.argv[1], key=b"m" * 32)
seen = []
def trace(sql):
    if sql.lstrip().upper().startswith("UPDATE VISITS"):
        seen.append(sql)
    elif seen and sql.lstrip().upper().startswith("INSERT INTO MERGES"):
        print("paused", flush=True)
        time.sleep(60)
store.conn.set_trace_callback(trace)
store.merge_patients(1, 2, actor="t")
print("committed", flush=True)
"""


def test_killed_in_the_middle_leaves_nothing(store: Store, db_path: Path, tmp_path: Path) -> None:
    """SIGKILL after the visits moved, before the merge row: the transaction is gone."""
    kept, dropped = patient(store), patient(store, first="PAUL JEAN")
    assert (kept, dropped) == (1, 2)
    before = rows(snapshot(store))
    store.close()
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, str(script), str(db_path)], cwd=root,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(root)})
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "paused"
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    with Store.open(db_path, key=KEY) as again:
        assert rows(snapshot(again)) == before
        assert again.merged_into(dropped) is None
    assert valid(db_path)
