"""PID field values of PAM France, computed from a patient record: pure, no hl7apy, no I/O.

Why apart from the builders: these are the identity-vigilance choices (which identifier goes
where, when the INS may leave, how the status is coded), and they are tested on their own,
as ER7 text, against `/work/shared/docs/interop.md` §3.2. Every value that comes from the
record is escaped, so a delimiter in a used name can never shift a field.
"""

from __future__ import annotations

from dataclasses import dataclass

from ins_tui.domain.model import Attribute, Ins, Status
from ins_tui.store.records import PatientRecord

# interop.md §3.2: the namespace of the INS in PID-3 CX.4, the same for every INS OID
# (.8 NIR, .9 NIA, .10 test, .11 demo), and CX.5 = INS.
INS_NAMESPACE = "ASIP-SANTE-INS-NIR"
INS_TYPE = "INS"
LOCAL_TYPE = "PI"
BIRTH_NAME_TYPE = "L"  # XPN.7: legal / birth name
USED_NAME_TYPE = "D"  # XPN.7: used (display) name
BIRTHPLACE_ADDRESS_TYPE = "BDL"  # XAD.7 of the extra PID-11 repetition; COG in XAD.9

# PID-32 codes after the status (table 0445 as PAM France / FR Core list them).
ATTRIBUTE_CODES = {
    Attribute.DOUTEUSE: "DOUT",
    Attribute.FICTIVE: "FICT",
    Attribute.HOMONYME: "HOMA",
}

# Table 9004 (ZFD-7, identity-proof type): only these of our document codes exist there.
PROOF_CODES = frozenset({"AN", "CC", "CE", "CM", "CN", "CS", "LE", "PA", "PC"})
# Table 9003 (ZFD-5, collection mode) plus AV (FR Core methodCollection).
COLLECTION_CODES = frozenset({"SM", "CV", "INSI", "CB", "RFID", "AV"})

_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(value: str | None) -> str:
    """HL7 escape sequences for the default delimiters; CR/LF become spaces (one segment)."""
    if not value:
        return ""
    for raw, sequence in _ESCAPES:
        value = value.replace(raw, sequence)
    return value.replace("\r", " ").replace("\n", " ")


@dataclass(frozen=True, slots=True)
class Authority:
    """Who assigns the practice's own patient ids (PID-3 CX.4 of the `PI` repetition)."""

    namespace: str
    oid: str = ""

    def er7(self) -> str:
        if self.oid:
            return f"{escape(self.namespace)}&{escape(self.oid)}&ISO"
        return escape(self.namespace)


def sendable_ins(record: PatientRecord) -> Ins | None:
    """The INS that may leave: only for a qualified identity (RNIV, EXI SI 08; FR Core)."""
    if record.status is Status.QUAL and record.ins is not None:
        return record.ins
    return None


def ins_cx(ins: Ins) -> str:
    """`<matricule>^^^ASIP-SANTE-INS-NIR&<OID>&ISO^INS` (interop.md §3.2, test OIDs too)."""
    return f"{escape(ins.matricule)}^^^{INS_NAMESPACE}&{escape(ins.oid)}&ISO^{INS_TYPE}"


def local_cx(patient_id: int, authority: Authority) -> str:
    return f"{patient_id}^^^{authority.er7()}^{LOCAL_TYPE}"


def identifiers(record: PatientRecord, authority: Authority) -> list[str]:
    """PID-3 repetitions: the local id always, then the INS when the identity is QUAL."""
    found = [local_cx(record.id, authority)]
    ins = sendable_ins(record)
    if ins is not None:
        found.append(ins_cx(ins))
    return found


def names(record: PatientRecord) -> list[str]:
    """PID-5 repetitions: birth name (`L`: first birth first name, then the whole list),
    then the used name (`D`) when a used name or a used first name exists (never derived
    from the birth names, EXI ID 08: the missing half falls back to the birth one)."""
    t = record.traits
    first = t.first_first_name
    found = [f"{escape(t.birth_name)}^{escape(first)}^{escape(t.first_names)}^^^^"
             f"{BIRTH_NAME_TYPE}"]
    if t.used_name or t.used_first_name:
        family = t.used_name or t.birth_name
        given = t.used_first_name or first
        found.append(f"{escape(family)}^{escape(given)}^^^^^{USED_NAME_TYPE}")
    return found


def birth_date(record: PatientRecord) -> str:
    """PID-7 `YYYYMMDD` from the stored ISO date (already completed by the RNIV rule)."""
    iso = record.traits.birth_date or ""
    return iso.replace("-", "")[:8]


def sex(record: PatientRecord) -> str:
    """PID-8: `M`/`F`; `U` when the record has none (PAM France accepts it)."""
    return str(record.traits.sex) if record.traits.sex else "U"


def birthplace(record: PatientRecord) -> str:
    """PID-11 repetition `^^^^^^BDL^^<COG>` (the COG in XAD.9), or empty."""
    code = record.traits.birthplace
    if not code:
        return ""
    return f"^^^^^^{BIRTHPLACE_ADDRESS_TYPE}^^{escape(code)}"


def reliability(record: PatientRecord) -> list[str]:
    """PID-32 repetitions: the RNIV status (PROV, RECUP, VALI, QUAL), then the attributes
    (DOUT, FICT, HOMA), as the 2.11 sample `PROV~FICT` does (interop.md §3.2)."""
    codes = [str(record.status)]
    codes += [ATTRIBUTE_CODES[a] for a in sorted(record.attributes, key=str)
              if a in ATTRIBUTE_CODES]
    return codes


def proof_type(record: PatientRecord) -> str:
    """ZFD-7: the high-trust document type, when table 9004 has it (else empty)."""
    code = (record.document_type or "").strip()
    return code if code in PROOF_CODES else ""
