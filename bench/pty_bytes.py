"""Bytes written to a real pty: while idle (10 s) and per key press, ins-tui vs bare.

An idle desk must write nothing (target 0 B): the live list polls the database's change
counter but repaints only on a change. Per key press (cursor down in the list) the figure
is compared with the bare Textual DataTable app driven the same way in the same run.

Usage: .venv/bin/python bench/pty_bytes.py [--idle SECONDS] [--presses N]
"""

from __future__ import annotations

import argparse

from _tui_support import PtyApp, demo_db, scratch

DOWN = b"\x1b[B"
UP = b"\x1b[A"


def measure(kind: str, db, idle: float, presses: int) -> tuple[int, float]:
    app = PtyApp(kind, db if kind == "desk" else None)
    try:
        app.wait_ready()
        app.settle(quiet=1.5)
        idle_bytes = app.read_for(idle)
        total = 0
        for i in range(presses):
            app.press(DOWN if i % 8 < 4 else UP)
            total += app.read_for(0.25)
        return idle_bytes, total / presses
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--presses", type=int, default=16)
    args = parser.parse_args()
    db = demo_db(scratch())
    bare_idle, bare_key = measure("bare", None, args.idle, args.presses)
    desk_idle, desk_key = measure("desk", db, args.idle, args.presses)
    print(f"real pty 120x40, idle {args.idle:.0f} s, {args.presses} presses (cursor up/down)")
    print(f"bare Textual + DataTable: idle {bare_idle} B, {bare_key:.0f} B per key")
    print(f"ins-tui (live list on):   idle {desk_idle} B, {desk_key:.0f} B per key")
    print(f"idle target 0 B: {'OK' if desk_idle == 0 else 'OVER'}; "
          f"per key ratio {desk_key / bare_key:.2f}x")


if __name__ == "__main__":
    main()
