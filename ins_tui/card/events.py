"""Events a card source reports; plain frozen values so any thread may hand them over.

Kept out of `watcher.py` so that the in-process source (no pyscard) emits the
very same types as the PC/SC watcher.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceUp:
    """The PC/SC service answers (first contact or after an outage)."""


@dataclass(frozen=True, slots=True)
class ServiceDown:
    """The PC/SC service is unreachable; `reason` is technical, for diagnostics."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReadersChanged:
    readers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardInserted:
    reader: str
    atr: bytes

    @property
    def atr_hex(self) -> str:
        return self.atr.hex(" ").upper()


@dataclass(frozen=True, slots=True)
class CardRemoved:
    reader: str


CardEvent = ServiceUp | ServiceDown | ReadersChanged | CardInserted | CardRemoved
