"""Where the app gets card events and reads from: real PC/SC or virtual cards in memory.

Both sources emit the same events (`events.py`) and read through the same
`vitale.read_card`, so training mode without pcscd still runs the production
reader code; only the transport differs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from ins_tui.card.chip import InProcessTransport, VirtualChip
from ins_tui.card.errors import CardRemovedError, NoCardError
from ins_tui.card.events import (
    CardEvent,
    CardInserted,
    CardRemoved,
    ReadersChanged,
    ServiceDown,
    ServiceUp,
)
from ins_tui.card.pcscd import READER_NAME
from ins_tui.card.profiles import CardProfile
from ins_tui.card.vitale import VitaleCard, read_card

Callback = Callable[[CardEvent], object]


class CardSource(Protocol):
    def start(self, callback: Callback) -> None:
        """Begin reporting events to `callback` (called from any thread)."""
        ...

    def stop(self) -> None: ...

    def read(self, reader: str) -> VitaleCard:
        """Blocking read of the card in `reader`: call it from a worker thread."""
        ...


class PcscCardSource:
    """The production source: the resilient watcher plus a pyscard read."""

    def __init__(self, *, poll_timeout: float = 1.0) -> None:
        self._poll_timeout = poll_timeout
        self._watcher = None

    def start(self, callback: Callback) -> None:
        from ins_tui.card.watcher import CardWatcher

        self.stop()
        self._watcher = CardWatcher(callback, poll_timeout=self._poll_timeout).start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def read(self, reader: str) -> VitaleCard:
        from ins_tui.card.vitale import read_from_reader

        return read_from_reader(reader)


class InProcessCardSource:
    """Virtual chips in memory, two slots, for machines that cannot run pcscd."""

    def __init__(self, reader_name: str = READER_NAME) -> None:
        self.readers = (f"{reader_name} 00 00", f"{reader_name} 00 01")
        self._slots: dict[str, VirtualChip] = {}
        self._callback: Callback | None = None
        self._lock = threading.RLock()

    def start(self, callback: Callback) -> None:
        with self._lock:
            self._callback = callback
            self._emit(ServiceUp())
            self._emit(ReadersChanged(self.readers))
            for reader, chip in self._slots.items():
                self._emit(CardInserted(reader, chip.atr))

    def stop(self) -> None:
        with self._lock:
            if self._callback is not None:
                self._emit(ServiceDown("source arrêtée"))
            self._callback = None

    def _emit(self, event: CardEvent) -> None:
        if self._callback is not None:
            self._callback(event)

    def insert(self, profile: CardProfile, slot: int = 0) -> VirtualChip:
        reader = self.readers[slot]
        with self._lock:
            self.remove(slot)
            chip = VirtualChip(profile)
            self._slots[reader] = chip
            self._emit(CardInserted(reader, chip.atr))
            return chip

    def remove(self, slot: int = 0) -> bool:
        reader = self.readers[slot]
        with self._lock:
            chip = self._slots.pop(reader, None)
            if chip is None:
                return False
            chip.present = False
            self._emit(CardRemoved(reader))
            return True

    def inserted(self, slot: int = 0) -> CardProfile | None:
        chip = self._slots.get(self.readers[slot])
        return chip.profile if chip is not None and chip.present else None

    def read(self, reader: str) -> VitaleCard:
        chip = self._slots.get(reader)
        if chip is None or not chip.present:
            raise NoCardError()
        try:
            return read_card(InProcessTransport(chip), chip.atr, reader)
        except CardRemovedError:
            with self._lock:
                if self._slots.get(reader) is chip:  # the card vanished by itself
                    self.remove(self.readers.index(reader))
            raise
