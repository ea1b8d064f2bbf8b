"""Shared pieces of the TUI benchmarks: the two apps compared and a pty runner.

`bare` is the baseline every TUI figure is a ratio against: a Textual app with one
DataTable of the same rows, started the same way in the same script. `desk` is ins-tui's
own app on a real database (demo patients, today's waiting list), no INSi, no card.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PYTHON = str(REPO / ".venv" / "bin" / "python")
CHILD = str(Path(__file__).resolve())
READY = b"\x1b]9999;ready\x07"  # an OSC the terminal ignores; marks the first frame


def demo_db(directory: Path) -> Path:
    from ins_tui.store.demo_data import generate
    from ins_tui.store.store import Store

    path = directory / "bench.sqlite"
    if not path.exists():
        store = Store.open(path)
        generate(store, 300, seed=7, visits_today=20)
        store.close()
    return path


def build_app(kind: str, db: Path | None):
    if kind == "bare":
        from textual.app import App
        from textual.widgets import DataTable, Footer, Static

        class Bare(App):
            def compose(self):
                yield Static("file")
                yield DataTable(cursor_type="row")
                yield Static("détail")
                yield Footer()

            def on_mount(self):
                table = self.query_one(DataTable)
                table.add_columns("Arr.", "Nom", "Âge", "Identité", "Praticien", "État")
                for i in range(20):
                    table.add_row("08:00", f"NOM{i} Prénom", "40 ans", "○ PROV", "Dr Martin",
                                  "en attente")

        return Bare()
    from ins_tui.tui.app import InsTuiApp

    def backend():
        from ins_tui.desk.desk import Desk
        from ins_tui.store.store import Store
        from ins_tui.tui.app import Backend

        return Backend(Desk(Store.open(db), None, actor="bench"))

    return InsTuiApp(backend=backend, environ={"TERM": "xterm-256color"})


def child_main(kind: str, db: str | None) -> None:
    """Run one app in this process's terminal; emit READY after the first full frame."""
    import resource

    app = build_app(kind, Path(db) if db else None)

    def ready() -> None:
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(sys.__stderr__.fileno(), READY + f"rss={rss_kb}\n".encode())

    async def mark() -> None:
        app.call_after_refresh(ready)

    app.call_later(mark)
    app.run(mouse=False)


class PtyApp:
    """An app in a real pty: start it, read what it writes, press keys, stop it."""

    def __init__(self, kind: str, db: Path | None, *, cols: int = 120, rows: int = 40,
                 bytecode_dir: Path | None = None) -> None:
        """`bytecode_dir`: run from cached bytecode kept there (see `startup.py`)."""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(cols),
                               "LINES": str(rows), "TEXTUAL_ANIMATIONS": "none"})
            if bytecode_dir is not None:
                os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
                os.environ["PYTHONPYCACHEPREFIX"] = str(bytecode_dir)
            os.execv(PYTHON, [PYTHON, CHILD, "--child", kind, str(db or "")])
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.buffer = b""

    def read_for(self, seconds: float) -> int:
        """Bytes the app writes during `seconds` (drained as they come)."""
        total, end = 0, time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                total += len(chunk)
                self.buffer += chunk
        return total

    def wait_ready(self, timeout: float = 30.0) -> tuple[float, int]:
        """Seconds from fork to the first frame, and the child's max RSS in KiB."""
        end = time.perf_counter() + timeout
        while READY not in self.buffer and time.perf_counter() < end:
            self.read_for(0.01)
        if READY not in self.buffer:
            raise RuntimeError("the app never drew its first frame")
        elapsed = time.perf_counter() - self.started
        tail = self.buffer.split(READY, 1)[1]
        while b"\n" not in tail:
            self.read_for(0.01)
            tail = self.buffer.split(READY, 1)[1]
        rss = int(tail.split(b"\n", 1)[0].split(b"=", 1)[1])
        return elapsed, rss

    def peak_rss_kib(self) -> int:
        """The child's peak RSS so far (VmHWM), e.g. once the list is loaded."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def settle(self, quiet: float = 1.0, limit: float = 15.0) -> None:
        """Wait until nothing has been written for `quiet` seconds."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end and self.read_for(quiet):
            pass

    def press(self, key: bytes) -> None:
        os.write(self.fd, key)

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGHUP)
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                self.read_for(0.05)
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="ins-tui-bench-"))


if __name__ == "__main__" and len(sys.argv) >= 3 and sys.argv[1] == "--child":
    child_main(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None)

_ = subprocess  # kept for callers that spawn helpers
