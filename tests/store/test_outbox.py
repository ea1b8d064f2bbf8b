"""The outgoing queue: every identity change leaves a pending item in the same transaction.

Tried: changes through several write paths, a refused change, ten edits before the first
send, a retry after freezing, a refusal held for a person, a store reopened after the
process was gone. Real SQLite file on disk; the clock is ours.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from ins_tui.store import Store
from ins_tui.store.errors import InvalidIdentity

from .helpers import traits


@pytest.fixture
def outstore(store: Store) -> Store:
    store.set_output_targets({"fhir", "hl7"})
    return store


def test_no_target_configured_queues_nothing(store: Store) -> None:
    store.create_patient(traits(), actor="t")
    assert store.pending_outputs() == []


def test_unknown_target_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.set_output_targets({"ftp"})


def test_each_change_is_queued_once_per_target_until_frozen(outstore: Store) -> None:
    pid = outstore.create_patient(traits(), actor="t")
    items = outstore.pending_outputs()
    assert sorted(i.target for i in items) == ["fhir", "hl7"]
    assert {i.patient_id for i in items} == {pid} and all(not i.frozen for i in items)
    for n in range(10):  # ten edits before the first send: still one message per target
        outstore.update_traits(pid, traits(used_name=f"NOM{'ABCDEFGHIJ'[n]}"), actor="t")
    assert len(outstore.pending_outputs()) == 2
    (hl7,) = outstore.due_outputs("hl7")
    frozen = outstore.freeze_output(hl7.id, control_id="C1", event="A28", payload=b"MSH|1",
                                    actor="t")
    assert frozen.frozen and frozen.control_id == "C1"
    # Freezing twice changes nothing: a retry sends the same bytes.
    again = outstore.freeze_output(hl7.id, control_id="C2", event="A31", payload=b"other",
                                   actor="t")
    assert (again.control_id, again.payload) == ("C1", b"MSH|1")
    # A change after freezing gets its own item, sent after.
    outstore.update_traits(pid, traits(used_name="AUTRE"), actor="t")
    hl7_items = outstore.pending_outputs("hl7")
    assert hl7_items[0].id == hl7.id and len(hl7_items) == 2


def test_refused_change_queues_nothing(outstore: Store) -> None:
    with pytest.raises(InvalidIdentity):
        outstore.create_patient(traits(birth_name="DUP\x00ONT"), actor="t")
    assert outstore.pending_outputs() == []


def test_retry_ack_and_journal(outstore: Store, clock) -> None:
    pid = outstore.create_patient(traits(), actor="t")
    (item,) = outstore.due_outputs("fhir")
    outstore.freeze_output(item.id, control_id="X1", event="PUT", payload=b"{}", actor="t")
    later = clock() + timedelta(minutes=2)
    outstore.output_failed(item.id, error="connexion refusée", next_at=later, actor="t")
    assert outstore.due_outputs("fhir") == []  # not before its time
    clock.advance(minutes=3)
    (due,) = outstore.due_outputs("fhir")
    assert (due.id, due.attempts, due.last_error) == (item.id, 1, "connexion refusée")
    outstore.output_sent(item.id, answer=b'{"ok": 1}', detail="201", actor="t")
    status = outstore.output_status(pid)
    assert status["fhir"].state == "sent" and status["hl7"].state == "pending"
    assert outstore.last_sent_output("fhir", pid).id == item.id
    rows = [r for r in outstore.journal_for_patient(pid) if r.event.startswith("fhir.")]
    assert [r.event for r in rows] == ["fhir.retry", "fhir.sent"]
    assert rows[-1].insi_request == b"{}" and rows[-1].insi_response == b'{"ok": 1}'
    assert outstore.verify_chain().ok


def test_held_item_waits_for_a_person(outstore: Store) -> None:
    pid = outstore.create_patient(traits(), actor="t")
    (item,) = outstore.due_outputs("hl7")
    outstore.freeze_output(item.id, control_id="H1", event="A28", payload=b"MSH", actor="t")
    outstore.output_held(item.id, error="AE : PID-3 refusé", answer=b"MSA|AE", actor="t")
    assert outstore.due_outputs("hl7") == []
    assert outstore.output_status(pid)["hl7"].state == "held"
    assert [i.id for i in outstore.pending_outputs("hl7")] == [item.id]
    outstore.release_output(item.id, actor="t")
    (back,) = outstore.due_outputs("hl7")
    assert (back.control_id, back.payload) == ("H1", b"MSH")
    outstore.dismiss_output(item.id, reason="doublon", actor="t")
    assert outstore.pending_outputs("hl7") == []


def test_queue_survives_a_new_process(outstore: Store, db_path, clock) -> None:
    pid = outstore.create_patient(traits(), actor="t")
    outstore.close()
    again = Store.open(db_path, clock=clock)
    try:
        assert {i.target for i in again.pending_outputs()} == {"fhir", "hl7"}
        assert again.enqueue_output("fhir", pid, actor="t") is None  # one already waits
        assert again.patients_changed_since(clock() - timedelta(days=1)) == [pid]
    finally:
        again.close()


def test_record_is_frozen_dataclass(outstore: Store) -> None:
    outstore.create_patient(traits(), actor="t")
    item = outstore.pending_outputs()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.state = "sent"  # type: ignore[misc]
