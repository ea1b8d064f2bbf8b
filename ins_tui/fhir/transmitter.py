"""One queued identity to the FHIR server: freeze the body at the first attempt, PUT it.

The interface the desk's sender loop (`desk/outbound.py`) drives for every target:
`send(item) -> SendResult` with `kind` sent | held | retry | wait; the loop records it
with the store's outbox methods (they write the journal rows) and picks the next time.

Why the condition is read back from the frozen body rather than from the record: a retry
must send the same request as the first attempt, even if the identity changed in
between (that change has an item of its own, sent after this one).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from ins_tui.fhir import codes
from ins_tui.fhir.bundle import json_bytes
from ins_tui.fhir.local_id import installation_id, local_system
from ins_tui.fhir.patient import FhirBuildError, patient_from_store
from ins_tui.fhir.push import HELD, RETRY, SENT, FhirPusher
from ins_tui.fhir.settings import FhirSettings
from ins_tui.store.outbox import OutboxItem

log = logging.getLogger(__name__)

TARGET = "fhir"
EVENT = "PUT"

Kind = Literal["sent", "held", "retry", "wait"]
_KINDS: dict[str, Kind] = {SENT: "sent", HELD: "held", RETRY: "retry"}


@dataclass(frozen=True, slots=True)
class SendResult:
    kind: Kind
    detail: str  # French, for the journal and the screen
    answer: bytes | None = None  # the raw answer, journaled as received (start if cut)


def control_id(store: Any, item_id: int) -> str:
    """`<installation uuid>.fhir.<outbox id>`: unique across databases, stable across
    retries (frozen with the body), sent as `X-Request-Id` so both logs can be matched."""
    return f"{installation_id(store)}.fhir.{item_id}"


def condition_from_body(body: bytes) -> list[tuple[str, str]]:
    """The INS (if the body carries an active one) then the local identifier."""
    resource = json.loads(body.decode("utf-8"))
    pairs: list[tuple[str, str]] = []
    local: list[tuple[str, str]] = []
    ins_systems = {f"urn:oid:{oid}" for oid in codes.INS_IDENTIFIER_TYPES}
    for ident in resource.get("identifier") or []:
        pair = (str(ident.get("system")), str(ident.get("value")))
        if ident.get("system") in ins_systems and ident.get("use") != "old":
            pairs.append(pair)
        elif ident.get("use") == "usual":
            local.append(pair)
    return pairs + local


class FhirTransmitter:
    """Sends queued items of target `fhir` to one FHIR server."""

    target = TARGET

    def __init__(self, store: Any, settings: FhirSettings, *, actor: str = "envoi FHIR",
                 pusher: FhirPusher | None = None) -> None:
        self.store = store
        self.settings = settings
        self.actor = actor
        self.pusher = pusher or FhirPusher(settings)  # raises FhirConfigError on bad setup
        self._system: str | None = None

    @property
    def local_system(self) -> str:
        if self._system is None:
            self._system = local_system(self.store, self.settings.local_system)
        return self._system

    def send(self, item: OutboxItem) -> SendResult:
        if not item.frozen:
            try:
                survivor = (self.store.merged_into(item.patient_id)
                            if item.reason == "merge" else None)
                resource = patient_from_store(self.store, item.patient_id,
                                              local_system=self.local_system,
                                              replaced_by=survivor)
            except FhirBuildError as exc:  # the identity as stored cannot go: a person looks
                return SendResult("held", exc.message_fr)
            item = self.store.freeze_output(
                item.id, control_id=control_id(self.store, item.id), event=EVENT,
                payload=json_bytes(resource), actor=self.actor)
        assert item.payload is not None and item.control_id is not None
        try:
            pairs = condition_from_body(item.payload)
        except (ValueError, UnicodeDecodeError):
            return SendResult("held", "message préparé illisible : à envoyer de nouveau "
                              "après vérification")
        result = self.pusher.put_patient(pairs, item.payload, item.control_id)
        log.info("FHIR item %s (%s): %s", item.id, item.control_id, result.status or "-")
        return SendResult(_KINDS[result.verdict], result.detail, result.answer)
