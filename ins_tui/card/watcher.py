"""A PC/SC event thread that survives pcscd being absent, killed or restarted.

pyscard's `CardMonitor` is a process-wide singleton that dies for good when pcscd
goes away (carte-vitale.md §6), so this loop is written on `smartcard.scard`
(design of §7): an outer loop (re)establishes the context, an inner loop waits
for status changes with a timeout. Events go to a callback; the thread never
reads a card and never touches the UI (the app posts the events as messages).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ins_tui.card.events import (
    CardEvent,
    CardInserted,
    CardRemoved,
    ReadersChanged,
    ServiceDown,
    ServiceUp,
)
from ins_tui.domain.masking import exception_summary

__all__ = [
    "CardInserted",
    "CardRemoved",
    "CardWatcher",
    "ReadersChanged",
    "ServiceDown",
    "ServiceUp",
]

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
RETRY_DELAY = 1.0
AFTER_ERROR_DELAY = 0.5


class _LeaveInner(Exception):
    def __init__(self, hresult: int) -> None:
        super().__init__(hresult)
        self.hresult = hresult


class CardWatcher:
    """Reports ServiceUp/ServiceDown, ReadersChanged, CardInserted, CardRemoved."""

    def __init__(
        self, callback: Callable[[CardEvent], object], *, poll_timeout: float = 1.0
    ) -> None:
        self._callback = callback
        self._timeout_ms = max(50, int(poll_timeout * 1000))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context: int | None = None
        self._thread: threading.Thread | None = None
        self._service_up: bool | None = None  # None: nothing reported yet
        self._readers: tuple[str, ...] | None = None
        self._states: dict[str, int] = {}
        self._present: dict[str, bytes] = {}

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> CardWatcher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> bool:
        """Ask the thread to end and wait for it; True when it has ended."""
        from smartcard import scard

        self._stop.set()
        if self._thread is None:
            return True
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            # Cancel again until the thread is gone: a cancel landing between two
            # waits is lost, and the next wait would block for a whole poll.
            with self._lock:
                if self._context is not None:
                    scard.SCardCancel(self._context)
            self._thread.join(min(0.05, max(0.0, deadline - time.monotonic())))
        return not self._thread.is_alive()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardWatcher:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- plumbing ----------------------------------------------------------------

    def _emit(self, event: CardEvent) -> None:
        """Hand over one event; a failing callback must not kill the watcher."""
        try:
            self._callback(event)
        except Exception as exc:
            # The message may quote who is on the card: log where it failed, not what it said.
            log.error("card event callback failed (%s): %s", type(event).__name__,
                      exception_summary(exc))

    def _service(self, up: bool, reason: str = "") -> None:
        if self._service_up is up:
            return
        self._service_up = up
        self._emit(ServiceUp() if up else ServiceDown(reason))

    def _run(self) -> None:
        from smartcard import scard

        from ins_tui.card.transport import describe

        while not self._stop.is_set():
            hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hr != scard.SCARD_S_SUCCESS:
                self._service(False, describe(hr))
                self._stop.wait(RETRY_DELAY)
                continue
            with self._lock:
                self._context = context
            if self._stop.is_set():  # stop() came before the context existed
                self._release()
                break
            self._service(True)
            error = None
            try:
                self._inner(context)
            except _LeaveInner as leave:
                error = leave.hresult
            except Exception as exc:  # pyscard raising instead of returning a code
                log.error("card watcher loop failed: %s", exception_summary(exc))
                error = -1 if not isinstance(exc, OSError) else exc.errno or -1
            self._release()
            for reader in list(self._present):
                self._card_out(reader)
            self._readers = None
            self._states.clear()
            if error is not None and not self._stop.is_set():
                self._service(False, describe(error) if error != -1 else "erreur interne")
                self._stop.wait(AFTER_ERROR_DELAY)

    def _release(self) -> None:
        from smartcard import scard

        with self._lock:
            context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)

    def _card_out(self, reader: str) -> None:
        if self._present.pop(reader, None) is not None:
            self._emit(CardRemoved(reader))

    def _list_readers(self, context: int) -> tuple[str, ...]:
        from smartcard import scard

        hr, readers = scard.SCardListReaders(context, [])
        if hr == scard.SCARD_S_SUCCESS:
            return tuple(readers)
        if hr in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_TIMEOUT):
            return ()
        raise _LeaveInner(hr)

    def _inner(self, context: int) -> None:
        from smartcard import scard

        while not self._stop.is_set():
            readers = self._list_readers(context)
            if readers != self._readers:
                self._readers = readers
                self._emit(ReadersChanged(readers))
                for gone in [r for r in self._states if r not in readers]:
                    del self._states[gone]
                    self._card_out(gone)
                for new in readers:
                    self._states.setdefault(new, scard.SCARD_STATE_UNAWARE)
            query = [(name, self._states[name]) for name in readers]
            query.append((PNP_READER, len(readers) << 16))
            hr, changes = scard.SCardGetStatusChange(context, self._timeout_ms, query)
            if hr in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_UNKNOWN_READER):
                continue
            if hr == scard.SCARD_E_CANCELLED:
                return
            if hr != scard.SCARD_S_SUCCESS:
                raise _LeaveInner(hr)
            for name, state, atr in changes:
                if name == PNP_READER or name not in self._states:
                    continue
                known = self._states[name]
                self._states[name] = state & ~scard.SCARD_STATE_CHANGED
                present = bool(state & scard.SCARD_STATE_PRESENT) and not (
                    state & scard.SCARD_STATE_MUTE
                )
                atr_bytes = bytes(atr or b"")
                previous = self._present.get(name)
                if present and previous is None:
                    self._present[name] = atr_bytes
                    self._emit(CardInserted(name, atr_bytes))
                elif present and _events(state) != _events(known):
                    # Swapped while we were not looking (a slow callback, a fast hand):
                    # two patients' cards often share an ATR, so the event counter, not
                    # the ATR, is what tells; report both edges so the app reads again.
                    self._emit(CardRemoved(name))
                    self._present[name] = atr_bytes
                    self._emit(CardInserted(name, atr_bytes))
                elif present:
                    # Same card, other flags (in use, exclusive...). pcscd may first have
                    # reported the ATR zero-padded while powering it: keep the later one.
                    self._present[name] = atr_bytes or previous
                elif not present:
                    self._card_out(name)


def _events(state: int) -> int:
    """pcsc-lite's per-reader insert/remove counter, kept in the high 16 bits of a state."""
    return state >> 16
