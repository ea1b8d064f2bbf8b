"""PAM France ADT messages (ITI-30) built with hl7apy against the HL7 v2.5 structures.

Why hl7apy builds them rather than string joining: each field is parsed by its v2.5 data
type as it is set (a date that is not a date fails here, not at the receiver) and the whole
message is validated against its structure (ADT_A05 for A28/A31, ADT_A30 for A47, ADT_A39
for A40) before it may be frozen. The ZFD segment (PAM France) is a Z-segment, which hl7apy
accepts only in tolerant mode: so the message is tolerant and `validate()` is called
explicitly. Every built message is parsed back by `parse()` in the tests.

MSH follows interop.md §3.1/§3.4: MSH-12 `2.5^FRA^2.11`, MSH-18 `UNICODE UTF-8`, MSH-21
`2.11^IHE_FRANCE-2.11-PAM`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ins_tui.domain.model import Ins
from ins_tui.hl7 import fields as f
from ins_tui.store.records import PatientRecord

HL7_VERSION = "2.5"
MSH_VERSION = "2.5^FRA^2.11"
MSH_PROFILE = "2.11^IHE_FRANCE-2.11-PAM"
MSH_CHARSET = "UNICODE UTF-8"
ENCODING = "utf-8"

# event -> (MSH-9, hl7apy structure)
EVENTS: dict[str, tuple[str, str]] = {
    "A28": ("ADT^A28^ADT_A05", "ADT_A05"),
    "A31": ("ADT^A31^ADT_A05", "ADT_A05"),
    "A47": ("ADT^A47^ADT_A30", "ADT_A30"),
    "A40": ("ADT^A40^ADT_A39", "ADT_A39"),
}


@dataclass(frozen=True, slots=True)
class Header:
    """MSH-3..6 and MSH-11: who speaks to whom (the `[hl7]` keys)."""

    sending_application: str = "INS-TUI"
    sending_facility: str = "CABINET"
    receiving_application: str = ""
    receiving_facility: str = ""
    processing_id: str = "P"  # P production; T training/tests


@dataclass(frozen=True, slots=True)
class Collection:
    """ZFD-5/-6: how the identity was collected and when INSi was last called."""

    mode: str = ""  # SM, CV, INSI, CB, RFID, AV
    insi_date: str = ""  # ISO date or datetime of the last INSi call


@dataclass(frozen=True, slots=True)
class Built:
    """One message ready to freeze: its event, MSH-10 and the exact bytes to send."""

    event: str
    control_id: str
    text: str

    @property
    def payload(self) -> bytes:
        return self.text.encode(ENCODING)


def _hl7apy() -> tuple[Any, Any, Any]:
    from hl7apy.consts import VALIDATION_LEVEL
    from hl7apy.core import Message, Segment

    return Message, Segment, VALIDATION_LEVEL.TOLERANT


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _dt(iso: str) -> str:
    """An ISO date/datetime as HL7 `YYYYMMDD` (ZFD-6 is a date)."""
    return iso[:10].replace("-", "") if iso else ""


def _message(event: str, control_id: str, header: Header, moment: datetime) -> Any:
    message_cls, _segment, tolerant = _hl7apy()
    msh9, structure = EVENTS[event]
    msg = message_cls(structure, version=HL7_VERSION, validation_level=tolerant)
    msh = msg.msh
    msh.msh_3 = f.escape(header.sending_application)
    msh.msh_4 = f.escape(header.sending_facility)
    if header.receiving_application:
        msh.msh_5 = f.escape(header.receiving_application)
    if header.receiving_facility:
        msh.msh_6 = f.escape(header.receiving_facility)
    msh.msh_7 = _stamp(moment)
    msh.msh_9 = msh9
    msh.msh_10 = control_id
    msh.msh_11 = header.processing_id
    msh.msh_12 = MSH_VERSION
    msh.msh_18 = MSH_CHARSET
    msh.msh_21 = MSH_PROFILE
    msg.evn.evn_2 = _stamp(moment)
    return msg


def _repeat(segment: Any, name: str, values: list[str]) -> None:
    for value in values:
        if value:
            segment.add_field(name).value = value


def _fill_pid(pid: Any, record: PatientRecord, authority: f.Authority) -> None:
    pid.pid_1 = "1"
    _repeat(pid, "pid_3", f.identifiers(record, authority))
    _repeat(pid, "pid_5", f.names(record))
    if f.birth_date(record):
        pid.pid_7 = f.birth_date(record)
    pid.pid_8 = f.sex(record)
    if f.birthplace(record):
        pid.pid_11 = f.birthplace(record)
    pid.pid_30 = "N"
    _repeat(pid, "pid_32", f.reliability(record))


def _zfd(msg: Any, record: PatientRecord, collection: Collection) -> None:
    """ZFD after the other segments, as the §3.4 sketch and the 2.11 sample end with it:
    ZFD-3 SMS consent `N`, ZFD-4 corrected birth date `N`, ZFD-5 mode, ZFD-6 INSi date,
    ZFD-7 proof type."""
    _message_cls, segment_cls, tolerant = _hl7apy()
    zfd = segment_cls("ZFD", version=HL7_VERSION, validation_level=tolerant)
    zfd.zfd_3 = "N"
    zfd.zfd_4 = "N"
    if collection.mode in f.COLLECTION_CODES:
        zfd.zfd_5 = collection.mode
    if collection.insi_date:
        zfd.zfd_6 = _dt(collection.insi_date)
    if f.proof_type(record):
        zfd.zfd_7 = f.proof_type(record)
    msg.add(zfd)


def _finish(msg: Any, event: str, control_id: str) -> Built:
    msg.validate()  # raises hl7apy ValidationError: a programming error, never sent
    return Built(event=event, control_id=control_id, text=msg.to_er7())


def build_person(event: str, record: PatientRecord, *, control_id: str, header: Header,
                 authority: f.Authority, moment: datetime,
                 collection: Collection | None = None) -> Built:
    """A28 (create person) or A31 (update person), structure ADT_A05."""
    if event not in ("A28", "A31"):
        raise ValueError(f"not a person event: {event}")
    msg = _message(event, control_id, header, moment)
    _fill_pid(msg.pid, record, authority)
    msg.pv1.pv1_1 = "1"
    msg.pv1.pv1_2 = "N"  # patient class: not applicable (no visit in ITI-30)
    _zfd(msg, record, collection or Collection())
    return _finish(msg, event, control_id)


def build_a47(record: PatientRecord, previous: Ins, *, control_id: str, header: Header,
              authority: f.Authority, moment: datetime) -> Built:
    """A47 (change patient identifier list), ADT_A30: PID-3 with the new INS, MRG-1 the INS
    last sent. Only for a QUAL identity whose INS differs from the one the receiver has."""
    if f.sendable_ins(record) is None:
        raise ValueError("A47 needs an INS that may be sent (QUAL identity)")
    msg = _message("A47", control_id, header, moment)
    _fill_pid(msg.pid, record, authority)
    msg.mrg.mrg_1 = f.ins_cx(previous)
    return _finish(msg, "A47", control_id)


def build_a40(survivor: PatientRecord, absorbed: PatientRecord, *, control_id: str,
              header: Header, authority: f.Authority, moment: datetime) -> Built:
    """A40 (merge patient), ADT_A39: PID = the record kept, MRG-1 = the identifiers of the
    record merged into it (its local id, and its INS if it was QUAL and so was sent)."""
    if survivor.id == absorbed.id:
        raise ValueError("a patient cannot be merged into itself")
    msg = _message("A40", control_id, header, moment)
    group = msg.adt_a39_patient
    _fill_pid(group.pid, survivor, authority)
    first, *others = f.identifiers(absorbed, authority)
    group.mrg.mrg_1 = first  # setting a field attaches the segment; add_field alone does not
    _repeat(group.mrg, "mrg_1", others)
    return _finish(msg, "A40", control_id)


# -- reading back ---------------------------------------------------------------------
def parse(payload: bytes | str) -> Any:
    """The hl7apy message of a payload we built (tolerant: it carries ZFD)."""
    from hl7apy.parser import parse_message

    _m, _s, tolerant = _hl7apy()
    text = payload.decode(ENCODING) if isinstance(payload, bytes) else payload
    return parse_message(text, validation_level=tolerant, find_groups=True)


def _segment(payload: bytes | str, name: str) -> Any | None:
    """One segment parsed alone (version 2.5): cheaper than the whole message, and the
    only way to keep ZFD, which hl7apy's group finder (used by `parse`) drops."""
    from hl7apy.parser import parse_segment

    _m, _s, tolerant = _hl7apy()
    text = payload.decode(ENCODING) if isinstance(payload, bytes) else payload
    for line in text.split("\r"):
        if line.startswith(name + "|"):
            return parse_segment(line, version=HL7_VERSION, validation_level=tolerant)
    return None


def zfd_of(payload: bytes | str) -> Any | None:
    return _segment(payload, "ZFD")


def sent_ins(payload: bytes | None) -> tuple[str, str] | None:
    """(matricule, OID) of the INS a frozen payload carried in PID-3, or None.

    Why read the payload rather than the record: what counts for A47 is what the receiver
    was actually given, and the frozen bytes are exactly that.
    """
    if not payload:
        return None
    pid = _segment(payload, "PID")  # A28/A31/A47/A40 all carry exactly one PID
    if pid is None:
        return None
    for cx in pid.pid_3:
        if cx.cx_5.to_er7() == f.INS_TYPE:
            oid = cx.cx_4.children[1].to_er7() if len(cx.cx_4.children) > 1 else ""
            return cx.cx_1.to_er7(), oid
    return None
