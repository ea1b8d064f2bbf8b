"""Typed messages that carry results from threads (card source, workers) to the UI thread.

Threads never touch widgets: they post one of these (post_message is thread-safe) and a
handler on the UI thread applies it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual.message import Message

Handler = TypeVar("Handler", bound=Callable[..., Any])


def unless_closing(handler: Handler) -> Handler:
    """Drop a thread's message that is dispatched once the app has begun to shut down.

    A card event or a worker's result can be queued an instant before exit; Textual then
    prunes the screens' widgets while the queues still drain, and a handler querying a
    widget already gone raised NoMatches (CI caught it on a card removal at exit). At that
    point there is nobody left to inform, and nothing to save: every write already
    happened in the worker, before the message was posted.
    """

    @functools.wraps(handler)
    def guarded(self: Any, message: Any) -> Any:
        try:
            running = self.app.is_running
        except RuntimeError:  # Textual's "no active app": the app is already gone
            running = False
        if not running:
            return None
        return handler(self, message)

    return guarded  # type: ignore[return-value]


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


@dataclass
class OutputsChanged(Message):
    """A pass of the FHIR/HL7 sender changed what these patients' screens say of it."""

    patient_ids: frozenset[int]
