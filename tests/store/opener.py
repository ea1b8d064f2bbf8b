"""Helper process for test_open_race: wait for the go file, then open (and create) the
store at the same instant as the other desks, and say how it went."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ins_tui.store import Store


def main() -> None:
    db, go = sys.argv[1], Path(sys.argv[2])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    with Store.open(db) as store:
        store.visits_for_day()
    print("opened", flush=True)


if __name__ == "__main__":
    main()
