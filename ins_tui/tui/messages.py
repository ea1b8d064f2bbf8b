"""Typed messages that carry results from threads (card source, workers) to the UI thread.

Threads never touch widgets: they post one of these (post_message is thread-safe) and a
handler on the UI thread applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class CardEventArrived(Message):
    """One event of the card source (ServiceUp/Down, ReadersChanged, CardInserted/Removed)."""

    event: Any


@dataclass
class CardRead(Message):
    """Beneficiaries read from the card in `reader` (or the French error when reading failed)."""

    reader: str
    beneficiaries: list[Any]
    error_fr: str | None = None


@dataclass
class DayListLoaded(Message):
    """The waiting list as loaded by a worker, with the change counter it was read at."""

    version: int
    rows: list[Any]


@dataclass
class InsiFinished(Message):
    """An INSi search (first try, retry from the queue, or traits search) has an outcome."""

    result: Any
    background: bool = False


@dataclass
class StatusNote(Message):
    """A line for the status bar: what the app is doing, said plainly."""

    text: str
    severity: str = "information"
    refresh: bool = False  # reload the waiting list after showing it


@dataclass
class ActionDone(Message):
    """A desk action (qualify, unlock, a choice on differences…) returned its outcome."""

    outcome: Any
    choice: Any = None


@dataclass
class BackendReady(Message):
    """The database and services are open (see app.Backend)."""

    backend: Any
