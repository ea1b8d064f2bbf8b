"""HL7 test helpers: the published test identities, qualified the way the desk does it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ins_tui.domain.model import Channel, Ins, InsHistoryEntry, InsIdentity
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.hl7.fields import Authority
from ins_tui.hl7.messages import Header
from ins_tui.hl7.settings import Hl7Settings
from ins_tui.store import Store
from tests.store.helpers import traits

# The published test INS (ECETINSI PIERRE-ALAIN) and its historical matricule.
ECETINSI = Ins("1090763220834", "89", "1.2.250.1.213.1.4.8")
ECETINSI_OLD = Ins("2090763220834", "39", "1.2.250.1.213.1.4.8")
# ADRUN ZOE under the test OID .10 (interop.md §1.8, key computed: 74).
ADRUN_TEST = Ins("2751263220749", "74", "1.2.250.1.213.1.4.10")

__all__ = ["ADRUN_TEST", "ECETINSI", "ECETINSI_OLD", "drain", "qualify", "recup",
           "settings_for", "traits"]


def settings_for(port: int, *, timeout: float = 2.0, max_ack: int = 65536) -> Hl7Settings:
    return Hl7Settings(
        host="127.0.0.1", port=port,
        header=Header("INS-TUI", "CABINET", "GAM", "HOPITAL", processing_id="T"),
        authority=Authority("CABINET", "1.2.250.1.999.1"),
        timeout=timeout, max_ack_bytes=max_ack,
    )


def qualify(store: Store, pid: int, ins: Ins = ECETINSI, *, actor: str = "accueil") -> None:
    """INSi match then a checked passport, the way the desk writes it."""
    identity = InsIdentity(ins=ins, traits=store.get_patient(pid).traits,
                           history=(InsHistoryEntry(ECETINSI_OLD, "2019-03-01", "2019-02-28"),)
                           if ins == ECETINSI else ())
    with store.action(actor, "Qualification"):
        store.set_ins(pid, identity, channel=Channel.CARTE_VITALE)
        store.add_identity_event(pid, Channel.CARTE_VITALE, {"action": "insi"})
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))


def recup(store: Store, pid: int, ins: Ins = ECETINSI) -> None:
    """INSi match only (RECUP): the INS is stored but may not leave."""
    identity = InsIdentity(ins=ins, traits=store.get_patient(pid).traits)
    with store.action("accueil", "INS récupérée"):
        store.set_ins(pid, identity, channel=Channel.INSI)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))



@dataclass
class Summary:
    sent: int = 0
    held: int = 0
    waiting: int = 0
    stopped: str | None = None
    refusals: list[tuple[int, str]] = field(default_factory=list)


def drain(store: Store, transmitter: Any, *, everything: bool = False) -> Summary:
    """What the desk does: `OutboundSender.tick()` until a pass settles nothing more."""
    from ins_tui.desk.outbound import OutboundSender

    sender = OutboundSender(store, [transmitter], actor="test")
    summary = Summary()
    for _ in range(1000):
        report = sender.tick(everything=everything)
        summary.sent += report.sent.get("hl7", 0)
        summary.held += report.held.get("hl7", 0)
        summary.refusals += [(pid, why) for _, pid, why in report.refusals]
        summary.stopped = report.stopped.get("hl7")
        if summary.stopped or not (report.sent.get("hl7") or report.held.get("hl7")):
            break
    summary.waiting = sum(1 for i in store.pending_outputs("hl7") if i.state == "pending")
    return summary
