"""No message lost or sent twice when the app dies mid-send and starts again.

Tried, each with a real separate process that `os._exit`s, then a new `Store` on the same
file (the restart): (1) died after the payload was frozen and the receiver acknowledged
it, before the ACK was recorded — the same control id and the same bytes are sent again
(a receiver drops a control id it has); (2) died after freezing, before sending — sent
once. The receiver (hl7apy's MLLPServer) records every control id it read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.store import Store

from .helpers import drain, settings_for, traits
from .sender_proc import DIED

ROOT = Path(__file__).resolve().parents[2]


def _die_while_sending(db_path: Path, port: int, when: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.hl7.sender_proc", str(db_path),
                           str(port), when], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == DIED, done.stderr


@pytest.mark.parametrize("when", ["after-ack", "before-send"])
def test_restart_resends_the_frozen_message_with_its_control_id(db_path, clock, receiver,
                                                                when):
    rx = receiver("AA")
    with Store.open(db_path, clock=clock) as store:
        store.set_output_targets({"hl7"})
        first = store.create_patient(traits(), actor="accueil")
        second = store.create_patient(traits("ADRUN", "ZOE", birth_date="1975-12-31"),
                                      actor="accueil")
    _die_while_sending(db_path, rx.port, when)
    before = rx.control_ids()
    assert len(before) == (1 if when == "after-ack" else 0)

    from ins_tui.hl7.transmitter import Hl7Transmitter

    with Store.open(db_path, clock=clock) as store:  # the app starts again
        store.set_output_targets({"hl7"})
        frozen = store.output_status(first)["hl7"]
        assert (frozen.state, frozen.frozen, frozen.attempts) == ("pending", True, 0)
        summary = drain(store, Hl7Transmitter(store, settings_for(rx.port)), everything=True)
        assert (summary.sent, summary.waiting) == (2, 0)
        items = {pid: store.output_status(pid)["hl7"] for pid in (first, second)}
        assert all(i.state == "sent" for i in items.values())
        sent_rows = [r for pid in (first, second) for r in store.journal_for_patient(pid)
                     if r.event == "hl7.sent"]
        assert len(sent_rows) == 2
    got = rx.wait_for(len(before) + 2)
    ids = [r.control_id for r in got]
    assert items[first].control_id == frozen.control_id  # stable across the restart
    assert set(ids) == {items[first].control_id, items[second].control_id}  # none lost
    expected = [frozen.control_id] * (len(before) + 1) + [items[second].control_id]
    assert ids == expected  # only the unrecorded one again, with its control id
    same = {r.text for r in got if r.control_id == frozen.control_id}
    assert same == {frozen.payload.decode()}  # and the very same bytes
