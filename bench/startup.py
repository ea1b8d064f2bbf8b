"""Startup: time to first frame and max RSS of ins-tui vs a bare Textual DataTable app.

Both run in a real pty, started the same way by this script, interleaved round by round
(the order alternates, so a drift in machine load hits both alike); one uncounted warm-up
round each first. Figures are medians with their range; the time ratio is ins-tui / bare,
given as the ratio of medians and as the median (and range) of each round's own ratio.
Targets: ≤ 1.3× time, ≤ +25 MB.
Issue 13 adds « waiting list visible »: from the fork to the first list row on screen (a
practitioner's name, « Dr », written to the pty: ins-tui fills its list after the database
opens, the bare app in its first frame), with the same ratio.

Both apps run from bytecode, as an installed package does: the children get a
`PYTHONPYCACHEPREFIX` in the scratch directory (filled by the warm-up round, for Textual
and ins-tui alike), so a `PYTHONDONTWRITEBYTECODE=1` in the developer's shell cannot make
ins-tui alone recompile its modules at every start. Nothing is written in the repository.

Usage: .venv/bin/python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _tui_support import PtyApp, demo_db, scratch

KINDS = ("bare", "desk")


ROW_MARK = b"Dr "  # every list row names its practitioner, in both apps


def run_once(kind: str, db, bytecode) -> tuple[float, int, int, float]:
    """(seconds to first frame, RSS KiB at first frame, peak RSS KiB once settled,
    seconds to the first list row on screen)."""
    app = PtyApp(kind, db if kind == "desk" else None, bytecode_dir=bytecode)
    try:
        elapsed, rss = app.wait_ready()
        app.read_until(ROW_MARK, timeout=30)
        listed = (app.last_byte_at if ROW_MARK in app.buffer else time.perf_counter()) \
            - app.started
        app.settle(quiet=0.5)  # list loaded, database open
        return elapsed, rss, app.peak_rss_kib(), max(listed, elapsed)
    finally:
        app.stop()


def spread(values: list[float], scale: float = 1.0, fmt: str = "{:.0f}") -> str:
    low, mid, high = min(values) * scale, statistics.median(values) * scale, max(values) * scale
    return f"{fmt.format(mid)} [{fmt.format(low)}–{fmt.format(high)}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = scratch()
    db = demo_db(work)
    bytecode = work / "pycache"
    for kind in KINDS:  # warm-up: bytecode written, files in the page cache; not counted
        run_once(kind, db, bytecode)
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    first_rss: dict[str, list[float]] = {k: [] for k in KINDS}
    settled: dict[str, list[float]] = {k: [] for k in KINDS}
    listed: dict[str, list[float]] = {k: [] for k in KINDS}
    for round_no in range(args.rounds):
        order = KINDS if round_no % 2 == 0 else KINDS[::-1]
        for kind in order:
            elapsed, rss, peak, rows = run_once(kind, db, bytecode)
            listed[kind].append(rows)
            times[kind].append(elapsed)
            first_rss[kind].append(rss / 1024)
            settled[kind].append(peak / 1024)
    ratios = [d / b for b, d in zip(times["bare"], times["desk"], strict=True)]
    bare_l, desk_l = (statistics.median(listed[k]) for k in KINDS)
    if args.json:
        print(json.dumps({
            "benchmark": "startup", "rounds": args.rounds,
            "first_frame_ms": {k: round(1000 * statistics.median(times[k])) for k in KINDS},
            "list_visible_ms": {k: round(1000 * statistics.median(listed[k])) for k in KINDS},
            "first_frame_ratio": round(statistics.median(times["desk"])
                                       / statistics.median(times["bare"]), 2),
            "list_visible_ratio": round(desk_l / bare_l, 2),
            "settled_rss_mib": {k: round(statistics.median(settled[k]), 1) for k in KINDS}}))
        return
    bare_t, desk_t = (statistics.median(times[k]) for k in KINDS)
    bare_m, desk_m = (statistics.median(first_rss[k]) for k in KINDS)
    bare_s, desk_s = (statistics.median(settled[k]) for k in KINDS)
    print(f"rounds: {args.rounds} interleaved, after 1 warm-up (median [min–max], "
          "real pty 120x40, both from bytecode)")
    print(f"bare Textual + DataTable: first frame {spread(times['bare'], 1000)} ms, "
          f"RSS {bare_m:.1f} MiB")
    print(f"ins-tui (real DB, list):  first frame {spread(times['desk'], 1000)} ms, "
          f"RSS {desk_m:.1f} MiB")
    print(f"peak RSS once settled (list loaded, DB open): bare {bare_s:.1f} MiB, "
          f"ins-tui {desk_s:.1f} MiB ({desk_s - bare_s:+.1f} MiB)")
    ratio = desk_t / bare_t
    extra = max(desk_m - bare_m, desk_s - bare_s)
    print(f"per-round ratio: {spread(ratios, fmt='{:.2f}')}")
    print(f"ratio time (of medians): {ratio:.2f}x (target <= 1.3x) "
          f"{'OK' if ratio <= 1.3 else 'OVER'}")
    print(f"waiting list visible (first row on screen): bare {spread(listed['bare'], 1000)} ms,"
          f" ins-tui {spread(listed['desk'], 1000)} ms; ratio {desk_l / bare_l:.2f}x")
    print(f"extra RSS: {extra:+.1f} MiB (target <= +25 MB) {'OK' if extra <= 25 else 'OVER'}")


if __name__ == "__main__":
    main()
