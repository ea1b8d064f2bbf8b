"""What the store hands back: plain frozen records, built from rows in one place."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ins_tui.domain.model import Attribute, Ins, Sex, Status, Traits

if TYPE_CHECKING:
    from ins_tui.domain.status import IdentityState

VISIT_STATES = ("en_attente", "en_consultation", "parti")

# The traits that come from INSi and are locked once imported (identity-rules.md §1, §3).
INSI_FIELDS: tuple[str, ...] = (
    "birth_name",
    "first_names",
    "first_name",
    "sex",
    "birth_date",
    "birthplace",
)

_TRAIT_FIELDS = (
    "birth_name",
    "first_names",
    "sex",
    "birth_date",
    "birthplace",
    "first_name",
    "used_name",
    "used_first_name",
)


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    traits: Traits
    status: Status
    attributes: frozenset[Attribute]
    insi_retrieved: bool
    document_checked: bool
    apcv: bool
    ins: Ins | None
    locked: frozenset[str]  # names of `Traits` fields locked because INSi supplied them
    document_type: str | None
    document_at: str | None
    document_by: str | None
    nir: str | None
    created_at: str
    updated_at: str

    @property
    def state(self) -> IdentityState:
        """The identity state the domain's status machine works on."""
        from ins_tui.domain.status import IdentityState

        return IdentityState(
            status=self.status,
            attributes=self.attributes,
            insi_retrieved=self.insi_retrieved,
            document_checked=self.document_checked,
            apcv=self.apcv,
        )


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One line of the waiting list, with what the screen shows of the patient."""

    id: int
    patient_id: int
    day: str
    arrived_at: str
    state: str
    practitioner: str | None
    position: int
    birth_name: str
    first_name: str
    used_name: str | None
    used_first_name: str | None
    birth_date: str | None
    status: Status


@dataclass(frozen=True, slots=True)
class JournalRow:
    id: int
    at: str
    actor: str
    action: str
    event: str
    patient_id: int | None
    before_json: str | None
    after_json: str | None
    insi_request: bytes | None
    insi_response: bytes | None
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A pending INSi request: it survives restarts until `insi_done`."""

    id: int
    patient_id: int
    traits: Traits
    channel: str
    created_at: str
    next_at: str
    attempts: int
    last_error: str | None


def traits_to_dict(traits: Traits) -> dict[str, Any]:
    return {
        name: (str(getattr(traits, name)) if getattr(traits, name) is not None else None)
        for name in _TRAIT_FIELDS
    }


def traits_from_dict(data: dict[str, Any]) -> Traits:
    sex = data.get("sex")
    return Traits(
        birth_name=data.get("birth_name") or "",
        first_names=data.get("first_names") or "",
        sex=Sex(sex) if sex else None,
        birth_date=data.get("birth_date"),
        birthplace=data.get("birthplace"),
        first_name=data.get("first_name"),
        used_name=data.get("used_name"),
        used_first_name=data.get("used_first_name"),
    )


def attributes_to_text(attributes: frozenset[Attribute] | set[Attribute]) -> str:
    return " ".join(sorted(str(a) for a in attributes))


def attributes_from_text(text: str) -> frozenset[Attribute]:
    return frozenset(Attribute(a) for a in text.split())


def patient_from_row(row: sqlite3.Row) -> PatientRecord:
    ins = None
    if row["ins_number"]:
        ins = Ins(
            number=row["ins_number"],
            key=row["ins_key"],
            oid=row["ins_oid"],
            key_ok=bool(row["ins_key_ok"]),
        )
    return PatientRecord(
        id=row["id"],
        traits=traits_from_dict(dict(row)),
        status=Status(row["status"]),
        attributes=attributes_from_text(row["attributes"]),
        insi_retrieved=bool(row["insi_retrieved"]),
        document_checked=bool(row["document_checked"]),
        apcv=bool(row["apcv"]),
        ins=ins,
        locked=frozenset(row["locked_fields"].split()),
        document_type=row["document_type"],
        document_at=row["document_at"],
        document_by=row["document_by"],
        nir=row["nir"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def visit_from_row(row: sqlite3.Row) -> VisitRow:
    first = row["first_name"] or (row["first_names"] or "").split(" ", 1)[0]
    return VisitRow(
        id=row["id"],
        patient_id=row["patient_id"],
        day=row["day"],
        arrived_at=row["arrived_at"],
        state=row["state"],
        practitioner=row["practitioner"],
        position=row["position"],
        birth_name=row["birth_name"],
        first_name=first,
        used_name=row["used_name"],
        used_first_name=row["used_first_name"],
        birth_date=row["birth_date"],
        status=Status(row["status"]),
    )


def journal_from_row(row: sqlite3.Row) -> JournalRow:
    return JournalRow(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row)
