"""Identities leaving the desk (FHIR push, HL7 over MLLP): one background loop for all.

Why one loop with a transmitter per target: the queue (`store/outbox.py`), the ordering
rule, the back-off and the journal are the same whatever the wire; only building and
sending differ. A transmitter has a `target` and `send(item) -> result` where
`result.kind` is sent | held | retry | wait (`fhir/transmitter.py`, `hl7/transmitter.py`);
this module records each result with the store's outbox methods, which journal the raw
exchange, and schedules retries with the INSi back-off (`desk/retry.next_delay`).

Never blocking the desk: `tick()` runs in a thread worker; the network exchange holds no
store or desk lock, so a stalled receiver delays only its own queue. A tick stops a
target at its first retry (the receiver is down: the other items would each wait their
full timeout) and never raises: a failure is logged without names and tried again later.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from ins_tui.desk.retry import next_delay
from ins_tui.domain.masking import exception_summary

log = logging.getLogger(__name__)

# Far enough ahead that every pending item is due (a person asked to send now).
_EVERYTHING = timedelta(days=36500)
SUPERSEDED = "remplacé par un envoi plus récent de la même identité, accepté"


class SendResultLike(Protocol):
    kind: str  # sent | held | retry | wait
    detail: str
    answer: bytes | None


class Transmitter(Protocol):
    target: str

    def send(self, item: Any) -> SendResultLike:
        ...


@dataclass
class TickReport:
    """What one tick did, per target: counts and the reason a target stopped early."""

    sent: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)
    refusals: list[tuple[str, int, str]] = field(default_factory=list)  # target, patient, why
    touched: set[int] = field(default_factory=set)  # patients whose sending state changed

    def count(self, kind: str, target: str) -> None:
        bucket = {"sent": self.sent, "held": self.held, "retry": self.retried}[kind]
        bucket[target] = bucket.get(target, 0) + 1


class OutboundSender:
    """Drains due items of every configured target; `tick()` is safe from any thread."""

    def __init__(self, store: Any, transmitters: Iterable[Transmitter], *,
                 actor: str = "envoi des identités", base_delay: float = 30.0,
                 max_delay: float = 3600.0, batch: int = 50) -> None:
        self.store = store
        self.transmitters = {t.target: t for t in transmitters}
        self.actor = actor
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.batch = batch
        self._tick_lock = threading.Lock()

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(self.transmitters)

    def tick(self, *, everything: bool = False) -> TickReport:
        """Try each due item once (`everything`: pending ones not yet due too). Never
        raises; a tick already running elsewhere makes this one return at once."""
        report = TickReport()
        if not self._tick_lock.acquire(blocking=False):
            return report
        try:
            for target, transmitter in sorted(self.transmitters.items()):
                try:
                    self._drain(target, transmitter, report, everything)
                except Exception as exc:  # the loop must survive anything
                    log.error("outbound %s tick failed: %s", target, exception_summary(exc))
                    report.stopped[target] = "erreur interne (voir le journal technique)"
        finally:
            self._tick_lock.release()
        return report

    def _drain(self, target: str, transmitter: Transmitter, report: TickReport,
               everything: bool) -> None:
        now = self.store.now() + _EVERYTHING if everything else None
        items = self.store.due_outputs(target, now=now, limit=self.batch)
        if not items:
            return
        oldest = self.store.oldest_pending(target, (i.patient_id for i in items))
        for item in items:
            if oldest.get(item.patient_id, item.id) != item.id:
                continue  # an older identity of this patient must reach the receiver first
            result = transmitter.send(item)
            if result.kind == "wait":
                continue
            self._settle(target, item, result)
            report.count(result.kind, target)
            report.touched.add(item.patient_id)
            if result.kind == "held":
                report.refusals.append((target, item.patient_id, result.detail))
            elif result.kind == "retry":
                report.stopped[target] = result.detail
                return
            oldest.pop(item.patient_id, None)

    def _settle(self, target: str, item: Any, result: SendResultLike) -> None:
        store, actor = self.store, self.actor
        if result.kind == "sent":
            store.output_sent(item.id, answer=result.answer, detail=result.detail, actor=actor)
            for older in store.held_before(target, item.patient_id, item.id):
                store.dismiss_output(older.id, reason=SUPERSEDED, actor=actor)
        elif result.kind == "held":
            store.output_held(item.id, error=result.detail, answer=result.answer, actor=actor)
        else:
            delay = next_delay(item.attempts + 1, base_delay=self.base_delay,
                               max_delay=self.max_delay)
            store.output_failed(item.id, error=result.detail, answer=result.answer,
                                next_at=store.now() + timedelta(seconds=delay), actor=actor)


def transmitters_from_config(store: Any, config: Any, *, training: bool = False) -> list[Any]:
    """The transmitters the configuration asks for (none: nothing is queued).

    HL7 is added when its package is there and `[hl7] host` is set (production only:
    its training wiring is the HL7 side's to decide). Raises the adapters' French
    configuration errors (`FhirConfigError`, `Hl7SettingsError`).
    """
    from ins_tui.fhir.settings import settings_from_config
    from ins_tui.fhir.transmitter import FhirTransmitter

    found: list[Any] = []
    fhir = settings_from_config(config, training=training)
    if fhir is not None:
        found.append(FhirTransmitter(store, fhir))
    if not training and getattr(config, "hl7_host", "") \
            and importlib.util.find_spec("ins_tui.hl7.transmitter") is not None:
        from ins_tui.hl7.settings import from_config
        from ins_tui.hl7.transmitter import Hl7Transmitter

        settings = from_config(config)
        if settings.configured:
            found.append(Hl7Transmitter(store, settings))
    return found


def sender_for(store: Any, config: Any, *, training: bool = False) -> OutboundSender | None:
    """Queue every identity change for the configured targets and return their sender."""
    transmitters = transmitters_from_config(store, config, training=training)
    if not transmitters:
        return None
    sender = OutboundSender(store, transmitters)
    store.set_output_targets(sender.targets)
    return sender


# -- what the identity screen says ------------------------------------------------------

def _when_fr(next_at: str, now: datetime) -> str:
    moment = datetime.fromisoformat(next_at).astimezone(now.tzinfo)
    clock = f"à {moment.hour} h {moment.minute:02d}"
    if moment.date() == now.date():
        return clock
    return f"le {moment:%d/%m} {clock}"


def target_status_fr(target: str, item: Any, now: datetime) -> str:
    label = target.upper()
    if item.state == "sent":
        return f"{label} : transmis"
    if item.state == "held":
        return f"{label} : refusé — {item.last_error or 'sans motif donné'}"
    if item.state == "dismissed":
        return f"{label} : envoi abandonné"
    if not item.attempts:
        return f"{label} : en attente d'envoi"
    tries = f"{item.attempts} essai" + ("s" if item.attempts > 1 else "")
    return f"{label} : en attente d'envoi ({tries}, prochain {_when_fr(item.next_at, now)})"


def output_status_fr(store: Any, patient_id: int, now: datetime) -> str | None:
    """« FHIR : transmis · HL7 : en attente d'envoi (2 essais, prochain à 10 h 32) »."""
    status = store.output_status(patient_id)
    if not status:
        return None
    return " · ".join(target_status_fr(t, status[t], now) for t in sorted(status))
