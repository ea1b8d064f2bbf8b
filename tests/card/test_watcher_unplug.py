"""A reader unplugged with a card in it, at the watcher level.

pcscd's virtual readers (vpcd) are declared in its configuration and cannot be unplugged,
so the end-to-end tests cannot pull a reader out. Here the PC/SC layer the watcher calls
is a scripted stand-in that speaks pcsc-lite's codes (constants taken from the real
`smartcard.scard`), playing what pcsc-lite reports when a USB reader goes: the reader
drops out of SCardListReaders and a pending SCardGetStatusChange on it fails with
SCARD_E_UNKNOWN_READER. What is checked is the watcher's own logic on that sequence.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
import smartcard
from smartcard import scard as real

from ins_tui.card.watcher import CardInserted, CardRemoved, CardWatcher, ReadersChanged

ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")


class ScriptedPcsc:
    """Readers appear and disappear when the test says; one card can sit in a reader."""

    def __init__(self) -> None:
        self.readers: list[str] = []
        self.cards: dict[str, int] = {}  # reader -> insertion counter
        self.lock = threading.Lock()
        self.changed = threading.Event()
        consts = {n: getattr(real, n) for n in dir(real) if n.startswith("SCARD_")}
        self.module = SimpleNamespace(
            **consts,
            SCardEstablishContext=lambda scope: (real.SCARD_S_SUCCESS, 1),
            SCardReleaseContext=lambda ctx: real.SCARD_S_SUCCESS,
            SCardCancel=self._cancel,
            SCardListReaders=self._list,
            SCardGetStatusChange=self._status,
        )
        self._cancelled = False

    def _cancel(self, ctx: int) -> int:
        self._cancelled = True
        self.changed.set()
        return real.SCARD_S_SUCCESS

    def _list(self, ctx: int, groups: list) -> tuple[int, list[str]]:
        with self.lock:
            if not self.readers:
                return real.SCARD_E_NO_READERS_AVAILABLE, []
            return real.SCARD_S_SUCCESS, list(self.readers)

    def _state_of(self, name: str) -> int:
        if name in self.cards:
            return real.SCARD_STATE_PRESENT | (self.cards[name] << 16)
        return real.SCARD_STATE_EMPTY

    def _status(self, ctx: int, timeout_ms: int, query: list) -> tuple[int, list]:
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            if self._cancelled:
                return real.SCARD_E_CANCELLED, []
            with self.lock:
                asked = [(n, s) for n, s in query if not n.startswith("\\\\?PnP")]
                if any(n not in self.readers for n, _ in asked):
                    return real.SCARD_E_UNKNOWN_READER, []
                if len(asked) != len(self.readers):  # PnP: a reader was added
                    return real.SCARD_S_SUCCESS, [(n, s, []) for n, s in query]
                out, moved = [], False
                for name, known in asked:
                    now = self._state_of(name)
                    if (now & ~0xFFFF) != (known & ~0xFFFF) or (now & 0x30) != (known & 0x30):
                        moved = True
                        now |= real.SCARD_STATE_CHANGED
                    out.append((name, now, list(ATR) if name in self.cards else []))
                if moved:
                    return real.SCARD_S_SUCCESS, out
            self.changed.clear()
            if not self.changed.wait(max(0.0, deadline - time.monotonic())):
                return real.SCARD_E_TIMEOUT, []

    # what the test does with its hands
    def plug(self, name: str) -> None:
        with self.lock:
            self.readers.append(name)
        self.changed.set()

    def insert(self, name: str) -> None:
        with self.lock:
            self.cards[name] = self.cards.get(name, 0) + 1
        self.changed.set()

    def unplug(self, name: str) -> None:
        with self.lock:
            self.readers.remove(name)
            self.cards.pop(name, None)
        self.changed.set()


def _wait_for(events: list, predicate, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(events):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {events}"
        time.sleep(0.01)


@pytest.fixture
def pcsc(monkeypatch: pytest.MonkeyPatch) -> ScriptedPcsc:
    scripted = ScriptedPcsc()
    monkeypatch.setattr(smartcard, "scard", scripted.module)
    return scripted


def test_reader_unplugged_with_a_card_in_it_reports_the_card_removed(pcsc):
    """Tried: a reader plugged, a card inserted, the reader pulled out (USB) with the card
    still in it, then a second reader plugged. The card is reported removed (the app then
    says so and forgets it), the reader list follows, and the watcher keeps serving."""
    events: list = []
    watcher = CardWatcher(events.append, poll_timeout=0.1).start()
    try:
        pcsc.plug("Lecteur A 00 00")
        _wait_for(events, lambda e: ReadersChanged(("Lecteur A 00 00",)) in e, "reader A")
        pcsc.insert("Lecteur A 00 00")
        _wait_for(events, lambda e: any(isinstance(x, CardInserted) for x in e), "insertion")
        pcsc.unplug("Lecteur A 00 00")
        _wait_for(events, lambda e: CardRemoved("Lecteur A 00 00") in e, "card removed")
        _wait_for(events, lambda e: e[-1] == ReadersChanged(()) or ReadersChanged(()) in e,
                  "no reader")
        pcsc.plug("Lecteur B 00 00")
        pcsc.insert("Lecteur B 00 00")
        _wait_for(events, lambda e: any(isinstance(x, CardInserted)
                                        and x.reader == "Lecteur B 00 00" for x in e),
                  "card in the second reader")
    finally:
        assert watcher.stop(timeout=1.0)
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("CardRemoved") > kinds.index("CardInserted")
    assert events.count(CardRemoved("Lecteur A 00 00")) == 1  # once, not per poll
