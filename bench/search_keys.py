"""Search keystrokes in the running app: key → frame settled, and bytes per key, vs bare.

The real app (a real database file of N demo patients, the same cached base as
bench/search.py) runs in a real pty at 80×24; `r` opens the search, then names are typed
one key at a time as a secretary does. For each key, measured from outside the process:
the time from writing the key to the pty to the last byte of the frame it causes (the
screen is settled when nothing more comes for `--quiet` seconds), and the bytes written.
Baseline, same run, same base: a bare Textual app with an Input and a DataTable that runs
the same `Store.search` in a thread worker on each change and refills the table.
Slow link: each key's bytes over 256 kbit/s (computed from the bytes and the rate).
Targets (issue 13): p95 ≤ 30 ms at 200,000 patients, ≤ 50 ms at 1,000,000; ≤ 2 KB per key.

Usage: .venv/bin/python bench/search_keys.py [--patients N] [--cpu N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _tui_support import PtyApp, link_ms, percentile, pin_to, pty_bench_options, search_base

NAMES = ["dupont jean", "lefevre", "martin-dup", "nguyen", "bernard marie", "guillaume"]
CLEAR = b"\x15"  # ctrl+u: the Input clears what is before the cursor
TARGET_BYTES = 2000


def key_once(app: PtyApp, key: bytes, quiet: float) -> tuple[float, int]:
    """(seconds from the key to the last byte of its frame, bytes written)."""
    start = time.perf_counter()
    app.last_byte_at = start
    app.press(key)
    total = 0
    end = start + 5.0
    while time.perf_counter() < end:
        got = app.read_for(quiet)
        total += got
        if not got:
            break
    return app.last_byte_at - start, total


def run(kind: str, db, quiet: float, rounds: int) -> dict:
    app = PtyApp(kind, db, cols=80, rows=24)
    latencies, sizes = [], []
    try:
        app.wait_ready(timeout=60)
        app.settle(quiet=1.0, limit=60)
        app.press(b"r")  # the list's « Rechercher » key (the bare app ignores it)
        app.settle(quiet=0.5)
        for _ in range(rounds):
            for name in NAMES:
                for char in name:
                    elapsed, size = key_once(app, char.encode(), quiet)
                    latencies.append(elapsed)
                    sizes.append(size)
                app.press(CLEAR)
                app.settle(quiet=0.3)
    finally:
        app.stop()
    bytes_key = statistics.mean(sizes)
    return {"keys": len(latencies),
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
            "max_ms": round(1000 * max(latencies), 1),
            "bytes_per_key": round(bytes_key),
            "bytes_per_key_p95": round(percentile(sizes, 0.95)),
            "link_256k_ms_per_key": round(link_ms(bytes_key), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    pty_bench_options(parser, quiet=0.12, settled="the frame is settled")
    args = parser.parse_args()
    pin_to(args.cpu)
    db = search_base(args.patients)
    bare = run("bare-search", db, args.quiet, args.rounds)
    desk = run("desk", db, args.quiet, args.rounds)
    target_p95 = 30.0 if args.patients <= 200_000 else 50.0
    result = {"benchmark": "search_keys", "patients": args.patients, "size": "80x24",
              "cpu": args.cpu, "ins_tui": desk, "baseline": bare,
              "p95_ratio": round(desk["p95_ms"] / bare["p95_ms"], 2),
              "bytes_ratio": round(desk["bytes_per_key"] / bare["bytes_per_key"], 2),
              "p95_ok": desk["p95_ms"] <= target_p95,
              "bytes_ok": desk["bytes_per_key"] <= TARGET_BYTES}
    if args.json:
        print(json.dumps(result))
        return
    print(f"search keystrokes at 80x24, {args.patients} patients, {desk['keys']} keys; "
          f"cpu: {'all' if args.cpu is None else args.cpu}")
    for label, r in (("bare Textual (Input + DataTable, same query)", bare),
                     ("ins-tui (search screen)", desk)):
        print(f"{label}: key -> frame p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
              f"(max {r['max_ms']}); {r['bytes_per_key']} B/key (p95 {r['bytes_per_key_p95']});"
              f" 256 kbit/s: {r['link_256k_ms_per_key']} ms/key (computed from bytes)")
    print(f"ratio ins-tui/bare: p95 {result['p95_ratio']:.2f}x, bytes {result['bytes_ratio']:.2f}x;"
          f" target p95 <= {target_p95:.0f} ms: {'OK' if result['p95_ok'] else 'OVER'}; "
          f"<= {TARGET_BYTES} B/key: {'OK' if result['bytes_ok'] else 'OVER'}")


if __name__ == "__main__":
    main()
