"""One queued identity to the HL7 receiver: choose the event, freeze, send, classify.

`desk/outbound.py` (`OutboundSender`) drives it like every target: `send(item) ->
SendResult` with `kind` one of

- `sent`  — AA/CA carrying our MSH-10 (the sender calls `store.output_sent`);
- `held`  — AE/AR/CE/CR carrying our MSH-10 (`store.output_held`: a person must look);
- `retry` — no answer in time, refused or cut connection, ACK too long, unreadable, or
            for another control id (`store.output_failed` with the sender's back-off).

The sender records the result (the outbox methods journal the raw message and the raw
ACK), keeps the order per patient (an item waits while an older one of the same patient is
pending) and stops a pass at the first retry. This class never settles an item itself.

Why the payload is frozen before the first byte leaves: MSH-10 must be the same at every
retry, even after the app was killed between sending and recording the ACK (the receiver
discards a control id it already has), and `freeze_output` keeps the first freeze only.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ins_tui.domain.model import Ins
from ins_tui.hl7 import fields, mllp
from ins_tui.hl7.ack import AckUnreadable, parse_ack
from ins_tui.hl7.messages import (
    Built,
    Collection,
    build_a40,
    build_a47,
    build_person,
    sent_ins,
)
from ins_tui.hl7.settings import Hl7Settings
from ins_tui.store.outbox import OutboxItem

log = logging.getLogger(__name__)

TARGET = "hl7"
CONTROL_ID_LENGTH = 20  # MSH-10 is ST(20) in v2.5

Kind = Literal["sent", "held", "retry", "wait"]  # this one never answers "wait"


@dataclass(frozen=True, slots=True)
class SendResult:
    kind: Kind
    detail: str  # French, for the journal and the screen
    answer: bytes | None = None  # the raw ACK, journaled as received
    control_id: str | None = None
    event: str | None = None


def new_control_id(item_id: int) -> str:
    """`IT<item id in hex>.<random>`, 20 characters: unique across databases, and tied to
    the item so a journal reader can find it; generated once, then frozen."""
    prefix = f"IT{item_id:X}."
    fill = max(6, CONTROL_ID_LENGTH - len(prefix))
    return prefix + secrets.token_hex(fill)[:fill].upper()


class Hl7Transmitter:
    """Sends queued items of target `hl7` to one MLLP receiver."""

    target = TARGET

    def __init__(self, store: Any, settings: Hl7Settings, *,
                 actor: str = "envoi HL7",
                 exchange: Callable[..., bytes] = mllp.exchange) -> None:
        self.store = store
        self.settings = settings
        self.actor = actor
        self._exchange = exchange

    # -- the interface ----------------------------------------------------------------
    def send(self, item: OutboxItem) -> SendResult:
        if not item.frozen:
            built = self._build(item)
            if isinstance(built, SendResult):
                return built
            item = self.store.freeze_output(item.id, control_id=built.control_id,
                                            event=built.event, payload=built.payload,
                                            actor=self.actor)
        return self._transmit(item)

    # -- building ---------------------------------------------------------------------
    def choose_event(self, record: Any) -> tuple[str, Ins | None]:
        """A28 when nothing was acknowledged yet; A47 when the INS the receiver was last
        given differs from the INS that may be sent now; else A31."""
        last = self.store.last_sent_output(TARGET, record.id)
        if last is None:
            return "A28", None
        current = fields.sendable_ins(record)
        try:
            previous = sent_ins(last.payload)
        except Exception as exc:  # a payload we cannot read back: update, do not guess
            log.warning("HL7 item %s: last sent payload unreadable (%s)", last.id,
                        type(exc).__name__)
            previous = None
        if current is not None and previous is not None \
                and previous != (current.matricule, current.oid):
            matricule, oid = previous
            return "A47", Ins(number=matricule[:13], key=matricule[13:], oid=oid)
        return "A31", None

    def _build(self, item: OutboxItem) -> Built | SendResult:
        record = self.store.get_patient(item.patient_id)
        if record is None:
            return SendResult("held", f"patient n° {item.patient_id} introuvable dans la base")
        control_id = new_control_id(item.id)
        moment = self.store.now()
        common = {"control_id": control_id, "header": self.settings.header,
                  "authority": self.settings.authority, "moment": moment}
        survivor_id = self.store.merged_into(record.id) if item.reason == "merge" else None
        if survivor_id is not None:  # a merge still in force: A40, PID = the survivor
            survivor = self.store.get_patient(survivor_id)
            if survivor is not None:
                return build_a40(survivor, record, **common)
        event, previous = self.choose_event(record)
        if event == "A47":
            assert previous is not None
            return build_a47(record, previous, **common)
        return build_person(event, record, collection=self.collection(record.id), **common)

    def collection(self, patient_id: int) -> Collection:
        """ZFD-5 from the channel that brought the INS (else the creation channel), ZFD-6
        from the last INSi call; an ApCV identity has no INSi call (RNIV)."""
        mode, insi_at = "", ""
        for event in self.store.identity_events(patient_id):
            action = event["detail"].get("action") if isinstance(event["detail"], dict) \
                else None
            if action == "ins" or (not mode and action == "creation"):
                mode = event["channel"]
            if action == "insi":
                insi_at = event["at"]
        return Collection(mode=mode, insi_date=insi_at)

    # -- sending ----------------------------------------------------------------------
    def _transmit(self, item: OutboxItem) -> SendResult:
        assert item.payload is not None and item.control_id is not None
        done = {"control_id": item.control_id, "event": item.event}
        s = self.settings
        try:
            raw = self._exchange(s.host, s.port, item.payload, timeout=s.timeout,
                                 max_bytes=s.max_ack_bytes)
        except mllp.MllpError as exc:
            log.info("HL7 item %s (%s): no ACK, %s", item.id, item.control_id,
                     type(exc).__name__)
            return SendResult("retry", str(exc), None, **done)
        try:
            ack = parse_ack(raw)
        except AckUnreadable as exc:
            return SendResult("retry", f"accusé de réception illisible : {exc}", raw, **done)
        if ack.control_id != item.control_id:
            return SendResult("retry", "accusé de réception d'un autre message (MSA-2 "
                              f"« {ack.control_id[:40]} » au lieu de « {item.control_id} »)",
                              raw, **done)
        log.info("HL7 item %s (%s): %s", item.id, item.control_id, ack.code)
        if ack.accepted:
            return SendResult("sent", f"{ack.code} ({item.event})", raw, **done)
        if ack.refused:
            why = ack.text or "sans motif donné"
            return SendResult("held", f"refusé par le destinataire ({ack.code}) : {why}",
                              raw, **done)
        return SendResult("retry", f"code d'accusé inconnu « {ack.code[:10]} »", raw, **done)

