"""Startup: time to first frame and max RSS of ins-tui vs a bare Textual DataTable app.

Both run in a real pty, started the same way by this script, alternately, N rounds; the
figures are medians and the ratio is ins-tui / bare. Targets: ≤ 1.3× time, ≤ +25 MB.

Usage: .venv/bin/python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics

from tui_support import PtyApp, demo_db, scratch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    db = demo_db(scratch())
    results: dict[str, list[tuple[float, int]]] = {"bare": [], "desk": []}
    settled: dict[str, list[int]] = {"bare": [], "desk": []}
    for _ in range(args.rounds):
        for kind in ("bare", "desk"):
            app = PtyApp(kind, db if kind == "desk" else None)
            try:
                results[kind].append(app.wait_ready())
                app.settle(quiet=0.5)  # list loaded, database open
                settled[kind].append(app.peak_rss_kib())
            finally:
                app.stop()
    bare_t = statistics.median(t for t, _ in results["bare"])
    desk_t = statistics.median(t for t, _ in results["desk"])
    bare_m = statistics.median(m for _, m in results["bare"]) / 1024
    desk_m = statistics.median(m for _, m in results["desk"]) / 1024
    print(f"rounds: {args.rounds} (medians, real pty 120x40)")
    print(f"bare Textual + DataTable: first frame {bare_t * 1000:.0f} ms, RSS {bare_m:.1f} MiB")
    print(f"ins-tui (real DB, list):  first frame {desk_t * 1000:.0f} ms, RSS {desk_m:.1f} MiB")
    bare_s = statistics.median(settled["bare"]) / 1024
    desk_s = statistics.median(settled["desk"]) / 1024
    print(f"peak RSS once settled (list loaded, DB open): bare {bare_s:.1f} MiB, "
          f"ins-tui {desk_s:.1f} MiB ({desk_s - bare_s:+.1f} MiB)")
    ratio = desk_t / bare_t
    extra = max(desk_m - bare_m, desk_s - bare_s)
    print(f"ratio time: {ratio:.2f}x (target <= 1.3x) {'OK' if ratio <= 1.3 else 'OVER'}")
    print(f"extra RSS: {extra:+.1f} MiB (target <= +25 MB) {'OK' if extra <= 25 else 'OVER'}")


if __name__ == "__main__":
    main()
