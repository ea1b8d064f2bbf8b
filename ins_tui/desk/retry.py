"""Background retries of INSi requests that failed on a fault, a timeout or no network.

The queue lives in the database (store: enqueue_insi / due_insi / insi_attempt_failed /
insi_done), so a request survives an app restart; this module only decides *when* to try
again and drives the attempts through the desk, which owns what a result means.
Back-off is exponential (base × 2^(n−1), capped) without jitter: a front desk sends a
handful of requests, so there is no thundering herd to spread, and a deterministic schedule
is easier to explain to the secretary ("nouvel essai à 10 h 32").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ins_tui.domain.masking import exception_summary

if TYPE_CHECKING:
    from ins_tui.desk.results import InsiResult

log = logging.getLogger(__name__)


class RunsRetries(Protocol):
    """What the scheduler needs of the desk: one call that runs the due requests.

    A protocol rather than `Desk` itself, so this module (which the INSi flow imports for
    `next_delay`) never imports the desk back: no import circle.
    """

    def _run_due_retries(self, delay_for: Callable[[int], float]) -> list[InsiResult]: ...


def next_delay(attempts: int, *, base_delay: float = 30.0, max_delay: float = 3600.0) -> float:
    """Seconds to wait after the `attempts`-th failure (1 ⇒ base_delay)."""
    exponent = max(0, attempts - 1)
    return min(max_delay, base_delay * (2**min(exponent, 30)))


class RetryScheduler:
    """Runs due queued INSi requests; the UI calls `tick()` from a worker or `start()`s it."""

    def __init__(self, desk: RunsRetries, *, base_delay: float = 30.0, max_delay: float = 3600.0):
        self.desk = desk
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._tick_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def delay_for(self, attempts: int) -> float:
        return next_delay(attempts, base_delay=self.base_delay, max_delay=self.max_delay)

    def tick(self) -> list[InsiResult]:
        """Try every due request once; never raises (the desk must keep working)."""
        if not self._tick_lock.acquire(blocking=False):
            return []  # a tick is already running (thread + manual call)
        try:
            return self.desk._run_due_retries(self.delay_for)
        except Exception as exc:  # the background loop must survive anything
            log.error("INSi retry tick failed: %s", exception_summary(exc))
            return []
        finally:
            self._tick_lock.release()

    def start(self, interval: float = 5.0) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                self.tick()

        self._thread = threading.Thread(target=loop, name="insi-retry", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
