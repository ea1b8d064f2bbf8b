"""Child process for the concurrency test: one desk adding arrivals as fast as it can.

Usage: arrivals_writer.py DB GO_FILE COUNT DESK
Opens (and possibly creates) the file at the same time as the other desks, creates its
own patient, says "ready", waits for GO_FILE, then adds COUNT arrivals, one transaction
each, and says "done".
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ins_tui.store import Store
from tests.store.helpers import traits


def main() -> None:
    db, go, count, desk = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    store = Store.open(db)
    pid = store.create_patient(traits(first_names="PAUL " + "".join(
        chr(65 + int(c)) if c.isdigit() else c for c in desk.upper())), actor=desk)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    for _ in range(count):
        store.add_arrival(pid, "Dr Martin", actor=desk)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
