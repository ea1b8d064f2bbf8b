"""Child process for the backup tests: a desk writing continuously, counting lock errors.

Usage: backup_writer.py DB STOP_FILE [write|idle]
write: real `Store` writes in a loop (an arrival each time, a new patient every tenth),
printing "written N" after each commit, until STOP_FILE exists; then "done written=N
lock_errors=K". A lock error is what a desk would show the secretary: `StoreBusy`, or an
SQLite "locked"/"busy" that escaped the store's retries; it is counted and the loop goes on.
idle: open the store, print "ready", hold it open without writing until STOP_FILE exists.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from ins_tui.store import Store, StoreBusy
from tests.store.helpers import traits


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, StoreBusy) or "locked" in text or "busy" in text


def main() -> None:
    db, stop = sys.argv[1], Path(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "write"
    store = Store.open(db)
    if mode == "idle":
        store.visits_for_day()
        print("ready", flush=True)
        while not stop.exists():
            time.sleep(0.01)
        store.close()
        print("done", flush=True)
        return
    written = errors = 0
    pid = store.create_patient(traits(first_names="PAUL ECRIVAIN"), actor="poste2")
    while not stop.exists():
        try:
            if written % 10 == 9:
                pid = store.create_patient(
                    traits(first_names="PAUL " + chr(65 + written // 10 % 26)), actor="poste2")
            else:
                store.add_arrival(pid, "Dr Martin", actor="poste2")
        except (StoreBusy, sqlite3.OperationalError) as exc:
            if not _is_lock_error(exc):
                raise
            errors += 1
            print(f"lock error {type(exc).__name__}", flush=True)
            continue
        written += 1
        print(f"written {written}", flush=True)
    store.close()
    print(f"done written={written} lock_errors={errors}", flush=True)


if __name__ == "__main__":
    main()
