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
from typing import Any, ClassVar

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
    if kind == "bare-cards":
        return bare_cards_app()
    if kind == "bare-search":
        return bare_search_app(db)
    from ins_tui.tui.app import InsTuiApp

    if kind == "training":
        return training_app(db)

    def backend():
        from ins_tui.desk.desk import Desk
        from ins_tui.store.store import Store
        from ins_tui.tui.app import Backend

        return Backend(Desk(Store.open(db), None, actor="bench"))

    return InsTuiApp(backend=backend, environ={"TERM": "xterm-256color"})


def training_app(home: Path | None):
    """The real app in training mode (`ins-tui run --training`), its data under `home`:
    own database seeded at first start, INSi simulator, virtual cards via the private
    pcscd when inside scripts/private-ns.sh."""
    from ins_tui.config import Config
    from ins_tui.tui.app import InsTuiApp
    from ins_tui.tui.launch import _private_dirs, _training_backend

    assert home is not None
    config = Config(training_db_path=home / "formation.sqlite", training_dir=home / "formation",
                    journal_key=home / "journal.key", db_path=home / "ins-tui.sqlite")
    _private_dirs(config, True)
    return InsTuiApp(backend=_training_backend(config, None), config=config, training=True,
                     environ={"TERM": "xterm-256color"})


def bare_cards_app():
    """Baseline of a card cycle: a bare Textual app doing the same screen work.

    F5, like a card read, replaces the patient screen in front (pops the old one, pushes
    a new one with a few lines of text and a footer); F6 writes « Carte retirée. » on the
    status line."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Footer, Static

    class Patient(Screen):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

        def compose(self):
            yield Static("ins-tui — formation")
            yield Static(f"Patient {self.n} : ADRUN Zoé, née le 31/12/1975")
            yield Static("Carte Vitale | INSi\nADRUN | ADRUN\nZOE | ZOE\n31/12/1975 | 31/12/1975")
            yield Static("Identité récupérée", id="status")
            yield Footer()

    class BareCards(App):
        BINDINGS: ClassVar = [("f5", "insert", "Carte"), ("f6", "remove", "Retirer")]

        def compose(self):
            yield Static("file")
            yield Static("", id="status")
            yield Footer()

        async def action_insert(self):
            if len(self.screen_stack) > 1:
                await self.pop_screen()
            self.n = getattr(self, "n", 0) + 1
            self.push_screen(Patient(self.n))

        def action_remove(self):
            self.screen.query_one("#status", Static).update("Carte retirée.")

    return BareCards()


def bare_search_app(db: Path | None):
    """Baseline of a search keystroke: an Input and a DataTable; each change runs the same
    `Store.search` in a thread worker and refills the table (clear + add rows)."""
    import threading

    from textual import work
    from textual.app import App
    from textual.widgets import DataTable, Footer, Input, Static

    from ins_tui.store.store import Store

    store, lock = Store.open(db), threading.Lock()

    class BareSearch(App):
        BINDINGS: ClassVar = [("r", "noop", "")]

        def compose(self):
            yield Static("Rechercher un patient")
            yield Input(id="q")
            yield DataTable(cursor_type="row")
            yield Static("", id="status")
            yield Footer()

        def on_mount(self):
            self.query_one(DataTable).add_columns("Nom", "Prénoms", "Naissance", "Sexe",
                                                  "Identité")
            self.query_one(Input).focus()

        def action_noop(self):
            pass

        def on_input_changed(self, event):
            self.search(event.value)

        @work(thread=True, exclusive=True)
        def search(self, text: str) -> None:
            with lock:
                records = store.search(text, limit=50) if text.strip() else []
            self.call_from_thread(self.show, text, records)

        def show(self, text: str, records) -> None:
            if text != self.query_one(Input).value:
                return
            table = self.query_one(DataTable)
            table.clear()
            for r in records:
                t = r.traits
                table.add_row(t.birth_name, t.first_names, t.birth_date or "",
                              getattr(t.sex, "value", ""), str(r.status))
            self.query_one("#status", Static).update(f"{len(records)} patient(s).")

    return BareSearch()


def search_base(patients: int) -> Path:
    """The demo base of `patients` patients that bench/search.py uses (same file, same seed:
    built once, cached under .cache/bench/)."""
    from ins_tui.store.demo_data import generate
    from ins_tui.store.store import Store

    cache = REPO / ".cache" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"search-{patients}.sqlite"
    store = Store.open(path)
    try:
        count = store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        store.close()
    if count != patients:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = Store.open(path)
        start = time.perf_counter()
        generate(store, patients, seed=20260301)
        store.close()
        print(f"demo database built: {patients} patients in {time.perf_counter() - start:.1f} s",
              file=sys.stderr)
    return path


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
        self.last_byte_at = self.started

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
                self.last_byte_at = time.perf_counter()
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

    def rss_kib(self) -> int:
        """The child's resident memory now (VmRSS), read from outside the process."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def read_until(self, text: bytes, timeout: float = 20.0, start: int = 0) -> int:
        """Read until `text` appears in what was written after offset `start` of the
        buffer; returns the bytes read. Raises if it never comes."""
        total, end = 0, time.perf_counter() + timeout
        while text not in self.buffer[start:]:
            if time.perf_counter() > end:
                raise RuntimeError(f"never shown: {text!r}")
            total += self.read_for(0.005)
        return total

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


LINK_BITS_PER_S = 256_000  # the thin link of issue 13 (a remote desk over a slow line)


def link_ms(nbytes: float, bits_per_s: int = LINK_BITS_PER_S) -> float:
    """Time `nbytes` take on the link: computed from the bytes and the rate, not measured."""
    return 1000 * nbytes * 8 / bits_per_s


def slope(values: list[float]) -> float:
    """Least-squares slope of `values` against their index (growth per step)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return num / sum((i - mean_x) ** 2 for i in range(n))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="ins-tui-bench-"))


if __name__ == "__main__" and len(sys.argv) >= 3 and sys.argv[1] == "--child":
    child_main(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None)

_ = subprocess  # kept for callers that spawn helpers


def pty_bench_options(parser: Any, *, quiet: float, settled: str) -> None:
    """The options every pty benchmark shares: settle time, one core, JSON output."""
    parser.add_argument("--quiet", type=float, default=quiet,
                        help=f"seconds without a byte that mean {settled}")
    parser.add_argument("--cpu", type=int, default=None, help="pin everything to this core")
    parser.add_argument("--json", action="store_true")


def pin_to(cpu: int | None) -> None:
    """`taskset -c CPU` for this script and everything it starts (the app, pcscd, INSi)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})

