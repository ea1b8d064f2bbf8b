"""MLLP outcomes against hl7apy's own MLLPServer on loopback, through the real queue.

Tried: AA and CA (sent), AE and AR (held for a person, error kept, not retried by itself,
released by hand with the same control id), no answer (timeout), the receiver closing
before or in the middle of its ACK, an ACK too long, an ACK of another message, a refused
connection — each retried later with back-off and the same MSH-10; the event chosen from
what was last acknowledged (A28, A31, A47); order per patient kept when a retry is pending.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, timedelta

import pytest

from ins_tui.domain.model import InsIdentity
from ins_tui.hl7.messages import parse
from ins_tui.hl7.transmitter import Hl7Transmitter
from ins_tui.store import Store

from .helpers import ECETINSI, ECETINSI_OLD, drain, qualify, recup, settings_for, traits


def _tx(store: Store, port: int, **kw) -> Hl7Transmitter:
    return Hl7Transmitter(store, settings_for(port, **kw), actor="test")


def _journal(store: Store, pid: int) -> list:
    return [r for r in store.journal_for_patient(pid) if r.event.startswith("hl7.")]


@pytest.mark.parametrize("code", ["AA", "CA"])
def test_accepted_ack_settles_the_item_and_journals_both_sides(store, receiver, code):
    """AA / CA with our MSH-10: sent; the journal row holds the raw message and raw ACK."""
    rx = receiver(code)
    pid = store.create_patient(traits(), actor="accueil")
    summary = drain(store, _tx(store, rx.port))
    assert (summary.sent, summary.held, summary.waiting) == (1, 0, 0)
    item = store.output_status(pid)["hl7"]
    assert (item.state, item.event) == ("sent", "A28")
    assert rx.control_ids() == [item.control_id]
    (row,) = _journal(store, pid)
    assert row.event == "hl7.sent"
    assert row.insi_request == item.payload and row.insi_response.startswith(b"MSH|")
    assert f"MSA|{code}|{item.control_id}".encode() in row.insi_response
    assert store.verify_chain().ok


@pytest.mark.parametrize("code", ["AE", "AR"])
def test_refusal_is_held_for_a_person_with_its_error(store, receiver, clock, code):
    """AE / AR: held with MSA-3/ERR kept; never retried by itself; a person's release
    sends the same bytes with the same control id."""
    rx = receiver(code)
    pid = store.create_patient(traits(), actor="accueil")
    summary = drain(store, _tx(store, rx.port))
    assert (summary.sent, summary.held) == (0, 1)
    item = store.output_status(pid)["hl7"]
    assert item.state == "held"
    assert f"({code})" in item.last_error and "PID-32 : code QUAL inconnu" in item.last_error
    assert "103 Table value not found" in item.last_error
    assert summary.refusals == [(pid, item.last_error)]
    assert _journal(store, pid)[-1].insi_response.startswith(b"MSH|")
    clock.advance(days=2)
    assert drain(store, _tx(store, rx.port)).held == 0  # nothing due: it waits for a person
    assert rx.control_ids() == [item.control_id]
    store.release_output(item.id, actor="secrétaire")
    rx.mode = "AA"
    assert drain(store, _tx(store, rx.port)).sent == 1
    assert rx.control_ids() == [item.control_id, item.control_id]


@pytest.mark.parametrize("mode", ["silent", "close", "partial", "huge", "foreign"])
def test_lost_answers_are_retried_later_with_the_same_control_id(store, receiver, clock,
                                                                  mode):
    """No ACK, connection closed before/within the ACK, ACK too long, ACK of another
    message: retry at now + 30 s, attempts counted; then AA settles the same MSH-10."""
    rx = receiver(mode)
    pid = store.create_patient(traits(), actor="accueil")
    started = time.monotonic()
    summary = drain(store, _tx(store, rx.port, timeout=0.5))
    elapsed = time.monotonic() - started
    assert (summary.sent, summary.held, summary.waiting) == (0, 0, 1)
    assert summary.stopped
    item = store.output_status(pid)["hl7"]
    assert (item.state, item.attempts) == ("pending", 1)
    due = clock() + timedelta(seconds=30)
    assert item.next_at == due.astimezone(UTC).isoformat(timespec="seconds")
    assert elapsed < 5  # every wait is bounded (timeout 0.5 s)
    rx.wait_for(1)
    assert drain(store, _tx(store, rx.port)).sent == 0  # not due yet
    clock.advance(seconds=31)
    rx.mode = "AA"
    assert drain(store, _tx(store, rx.port)).sent == 1
    assert rx.control_ids() == [item.control_id, item.control_id]
    assert [r.event for r in _journal(store, pid)] == ["hl7.retry", "hl7.sent"]


def test_refused_connection_is_retried(store, clock):
    """Nobody listens on the port: « connexion refusée », retried with back-off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens
    pid = store.create_patient(traits(), actor="accueil")
    summary = drain(store, _tx(store, port))
    assert "connexion refusée" in summary.stopped
    item = store.output_status(pid)["hl7"]
    assert (item.state, item.attempts, item.frozen) == ("pending", 1, True)


def test_event_follows_what_was_acknowledged(store, receiver):
    """A28 first; A31 after an edit; RECUP→QUAL adds the INS in an A31; a new INS → A47
    with the old one in MRG-1; the same INS again → A31."""
    rx = receiver("AA")
    tx = _tx(store, rx.port)
    pid = store.create_patient(traits(), actor="accueil")
    drain(store, tx)
    store.update_traits(pid, traits(used_name="DURAND"), actor="accueil")
    drain(store, tx)
    recup(store, pid, ECETINSI_OLD)
    drain(store, tx)
    qualify(store, pid, ECETINSI_OLD)
    drain(store, tx)
    store.set_ins(pid, InsIdentity(ECETINSI, store.get_patient(pid).traits), actor="accueil")
    drain(store, tx)
    store.update_traits(pid, traits(first_name="PIERRE-ALAIN", used_name="DUPONT"),
                        actor="accueil")
    drain(store, tx)
    got = rx.wait_for(6)
    assert [r.message_type for r in got] == [
        "ADT^A28^ADT_A05", "ADT^A31^ADT_A05", "ADT^A31^ADT_A05", "ADT^A31^ADT_A05",
        "ADT^A47^ADT_A30", "ADT^A31^ADT_A05"]
    assert "^INS" not in got[2].text.split("\r")[2]  # RECUP: no INS yet
    assert "209076322083439^^^ASIP-SANTE-INS-NIR" in got[3].text  # QUAL: the INS leaves
    a47 = parse(got[4].text)
    assert a47.mrg.mrg_1.cx_1.to_er7() == "209076322083439"
    assert a47.pid.pid_3[1].cx_1.to_er7() == "109076322083489"
    assert len(set(rx.control_ids())) == 6  # unique control ids


def test_a_newer_item_waits_behind_a_pending_retry(store, receiver, clock):
    """Item 1 fails; an edit queues item 2, due at once: it is not sent before item 1
    (the receiver would get the older identity last), then both go in order."""
    rx = receiver("close")
    pid = store.create_patient(traits(), actor="accueil")
    drain(store, _tx(store, rx.port))
    store.update_traits(pid, traits(used_name="DURAND"), actor="accueil")
    rx.mode = "AA"
    tx = _tx(store, rx.port)
    (second,) = store.due_outputs("hl7")
    assert drain(store, tx).sent == 0  # the older item is not due yet: the newer waits
    assert not store.get_output(second.id).frozen  # waiting does not freeze
    clock.advance(minutes=1)
    summary = drain(store, tx)
    assert summary.sent == 2
    got = rx.wait_for(3)
    assert [r.message_type for r in got] == ["ADT^A28^ADT_A05", "ADT^A28^ADT_A05",
                                             "ADT^A31^ADT_A05"]
    assert got[0].control_id == got[1].control_id
    assert "DURAND" in got[2].text

