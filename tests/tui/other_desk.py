"""A second front desk in its own OS process, driven line by line over stdin/stdout.

Used by the live-sync test and `bench/live_sync.py`: each command is one or more
commits on the shared SQLite file through `ins_tui.store` (its own connection, its own
process), answered with one JSON line once committed. `committed` holds
`time.monotonic()` right after each commit: on Linux it is the system-wide
CLOCK_MONOTONIC, so the parent can compare it with its own clock.

    python tests/tui/other_desk.py DB_PATH NOW_ISO
    {"op": "arrive", "names": ["PASSAGE"], "practitioner": "Dr Bernard"}
    {"op": "state", "visit": 3, "state": "en_consultation"}
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ins_tui.domain.model import Channel, Sex, Traits  # noqa: E402
from ins_tui.store.store import Store  # noqa: E402

ACTOR = "poste 2"


class OtherDesk:
    """The other process; `send` blocks until its commits are done (see other_desk.py)."""

    def __init__(self, db_path: Path, now: datetime) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__)), str(db_path), now.isoformat()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
        assert self._answer() == {"ready": True}

    def _answer(self) -> dict[str, Any]:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line, f"the other desk died (code {self.proc.poll()})"
        return json.loads(line)

    def send(self, **command: Any) -> dict[str, Any]:
        self.proc.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return self._answer()

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stdout.close()  # type: ignore[union-attr]


def serve(store: Store) -> None:
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        committed: list[float] = []
        visits: list[int] = []
        if command["op"] == "arrive":
            for name in command["names"]:
                # One action per patient: separate commits, as separate arrivals would be.
                with store.action(ACTOR, "arrivée au poste 2"):
                    patient = store.create_patient(
                        Traits(name, "CAMILLE", Sex.F, "1980-05-05", None, "CAMILLE"),
                        channel=Channel.MANUAL)
                    visits.append(store.add_arrival(patient, command.get("practitioner")))
                committed.append(time.monotonic())
        elif command["op"] == "state":
            store.set_visit_state(command["visit"], command["state"], actor=ACTOR)
            committed.append(time.monotonic())
        print(json.dumps({"visits": visits, "committed": committed}), flush=True)


def main() -> None:
    now = datetime.fromisoformat(sys.argv[2])
    with Store.open(sys.argv[1], create=False, clock=lambda: now) as store:
        serve(store)


if __name__ == "__main__":
    main()
