"""Latency from a commit in another OS process to the row shown in this app's list.

Another desk (`tests/tui/other_desk.py`, its own process and connection) adds one
arrival at a time to the shared SQLite file; the app (ins-tui's own, headless, on the
same file) polls `data_version` every `refresh_interval`. The time from the other
process's commit to the next frame after `show_rows` applied the row is measured with
CLOCK_MONOTONIC (system-wide on Linux, so both processes read the same clock). Arrivals
are spaced by a random delay so they fall anywhere in the poll period.

Baseline: the configured `refresh_interval` (0.5 s); figures are printed as ratios to it.
The issue's target ("within a second") is a ratio of 2.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHANGES = 20


async def measure(db: Path) -> tuple[list[float], float, list[int]]:
    from ins_tui.config import Config
    from ins_tui.desk.desk import Desk
    from ins_tui.store.store import Store
    from ins_tui.tui.app import InsTuiApp
    from ins_tui.tui.widgets.waiting_list import WaitingList
    from tests.tui.other_desk import OtherDesk

    config = Config()
    store = Store.open(db)
    other = OtherDesk(db, datetime.now().astimezone())
    app = InsTuiApp(Desk(store, None, actor="bench"), config=config,
                    environ={"TERM": "xterm-256color"})
    shown_at: dict[int, float] = {}
    batches: list[int] = []
    latencies: list[float] = []
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            table = app.main_screen().query_one(WaitingList)
            original = table.show_rows

            def timed(rows):  # type: ignore[no-untyped-def]
                changes = original(rows)
                batches.append(changes)
                new = [v for v in table.shown if v not in shown_at]

                def painted() -> None:
                    now = time.monotonic()
                    for visit_id in new:
                        shown_at.setdefault(visit_id, now)

                app.call_after_refresh(painted)
                return changes

            table.show_rows = timed  # type: ignore[method-assign]
            await pilot.pause(1.0)
            rng = random.Random(5)
            for i in range(CHANGES):
                answer = await asyncio.to_thread(other.send, op="arrive",
                                                 names=[f"PASSAGE{chr(65 + i)}"])
                visit_id, committed = answer["visits"][0], answer["committed"][0]
                deadline = time.monotonic() + 10
                while visit_id not in shown_at:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"visit {visit_id} never shown")
                    await asyncio.sleep(0.005)
                latencies.append(shown_at[visit_id] - committed)
                await asyncio.sleep(rng.uniform(0, config.refresh_interval))
    finally:
        other.close()
        store.close()
    return latencies, config.refresh_interval, batches


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ins-tui-bench-") as scratch:
        db = Path(scratch) / "live.sqlite"
        create_database(db)
        latencies, interval, batches = asyncio.run(measure(db))
    ordered = sorted(latencies)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"live sync, {len(latencies)} arrivals committed by another process")
    print(f"baseline refresh_interval: {interval * 1000:.0f} ms")
    print(f"latency median {median * 1000:.0f} ms = {median / interval:.2f}x interval; "
          f"p95 {p95 * 1000:.0f} ms = {p95 / interval:.2f}x; "
          f"max {ordered[-1] * 1000:.0f} ms = {ordered[-1] / interval:.2f}x")
    print(f"list updates applied: {len(batches)} "
          f"(changes per update: {sorted(set(batches))})")


def create_database(db: Path) -> None:
    """Create the file (schema) before the other desk opens it with create=False."""
    from ins_tui.store.store import Store

    Store.open(db).close()


if __name__ == "__main__":
    main()
