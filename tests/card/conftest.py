"""Card test fixtures: one private pcscd per test module (inside private-ns.sh), event logs.

pcscd-backed tests are skipped, with the reason, only when this machine cannot
run the private pcscd (INS_TUI_NO_PCSCD, no pcscd binary, not in the namespaces).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from ins_tui.card.events import CardEvent, ReadersChanged, ServiceUp
from ins_tui.card.pcscd import PrivatePcscd, unavailable_reason


class EventLog:
    """Collects watcher events (thread-safe) and waits for the next one of a kind."""

    def __init__(self) -> None:
        self._queue: queue.Queue[CardEvent] = queue.Queue()
        self.seen: list[CardEvent] = []
        self.pending: list[CardEvent] = []

    def __call__(self, event: CardEvent) -> None:
        self._queue.put(event)

    def wait(self, kind: type, *, reader: str | None = None, timeout: float = 10.0) -> CardEvent:
        """Next event of `kind` (and reader); events of other kinds stay pending."""

        def matches(event: CardEvent) -> bool:
            return isinstance(event, kind) and (reader is None or event.reader == reader)

        for event in self.pending:
            if matches(event):
                self.pending.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; seen {self.seen}")
            try:
                event = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if matches(event):
                return event
            self.pending.append(event)

    def drain(self) -> list[CardEvent]:
        while True:
            try:
                self.seen.append(self._queue.get_nowait())
            except queue.Empty:
                return self.seen


@pytest.fixture(scope="module")
def pcscd_daemon() -> Iterator[PrivatePcscd]:
    """Module-scoped: stopped before other directories' tests (one pcscd per namespace)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    daemon = PrivatePcscd()
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def pcscd(pcscd_daemon: PrivatePcscd) -> PrivatePcscd:
    """The session daemon, restarted if a resilience test left it stopped or killed."""
    if not pcscd_daemon.running:
        pcscd_daemon.start()
    return pcscd_daemon


@pytest.fixture
def events(pcscd: PrivatePcscd) -> Iterator[EventLog]:
    """A running watcher on the private pcscd, past its first ServiceUp/ReadersChanged."""
    from ins_tui.card.watcher import CardWatcher

    log = EventLog()
    watcher = CardWatcher(log).start()
    log.wait(ServiceUp)
    log.wait(ReadersChanged)
    yield log
    assert watcher.stop(), "watcher did not stop"
