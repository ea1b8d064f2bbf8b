"""Child process for the crash tests: runs one full user action, pausing on request.

Usage: crash_writer.py DB PAUSE_AT
PAUSE_AT = N: just before the N-th SQL statement of the action starts, print
"paused N" and sleep (the parent then kills us with SIGKILL); 0: run to the end and
print "committed"; "loop": run actions forever, printing each committed patient id.
Counting statements through SQLite's trace hook pauses *between* two statements of the
same transaction, which is the moment a half-written identity could appear.
"""

from __future__ import annotations

import sys
import time

from ins_tui.domain.matricule import compute_key
from ins_tui.domain.model import OID_TEST_NIR, Channel, Ins, InsIdentity
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.store import Store
from tests.store.helpers import published_test_identity, traits


def identity(n: int) -> InsIdentity:
    """The published test identity, with a distinct test matricule (OID .10) per person."""
    base = published_test_identity()
    number = f"1090763220{n % 1000:03d}"
    return InsIdentity(Ins(number, compute_key(number), OID_TEST_NIR), base.traits, base.history)


def full_action(store: Store, n: int) -> int:
    """Card read → patient created, INSi exchange journaled, INS imported, qualified."""
    with store.action("accueil", "Carte Vitale insérée"):
        pid = store.create_patient(traits(first_names=f"PAUL {chr(65 + n % 26)}"),
                                   channel=Channel.CARTE_VITALE, nir="1090763220834")
        store.append("insi.exchange", patient_id=pid, insi_request=b"<req/>",
                     insi_response=b"<rep/>")
        store.set_ins(pid, identity(n), channel=Channel.CARTE_VITALE)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))
        store.add_arrival(pid, "Dr Martin")
    return pid


def main() -> None:
    path, mode = sys.argv[1], sys.argv[2]
    store = Store.open(path)
    if mode == "loop":
        n = store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        while True:
            pid = full_action(store, n)
            print(f"committed {pid}", flush=True)
            n += 1
    pause_at = int(mode)
    count = 0

    def trace(sql: str) -> None:
        nonlocal count
        count += 1
        if count == pause_at:
            print(f"paused {count} {sql.split()[0]}", flush=True)
            time.sleep(120)

    n = store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    store.conn.set_trace_callback(trace)
    full_action(store, n)
    store.conn.set_trace_callback(None)
    print(f"committed statements={count}", flush=True)


if __name__ == "__main__":
    main()
