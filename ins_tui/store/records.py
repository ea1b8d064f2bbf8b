"""What the store hands back: plain frozen records, built from rows in one place.

Why frozen records rather than sqlite3.Row: callers on other threads (the TUI, the INSi
worker) keep them after the connection moved on, and a record must not change under
them; building them here only means a new column is mapped once, not per query.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from functools import cache
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

_TRAIT_FIELDS = tuple(f.name for f in fields(Traits))  # the columns mirror the value object


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
    insi_pending: bool = False  # an INSi request of this patient waits for a retry


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
    action_id: int | None = None  # one id per user action (schema 3; None before)


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
    """Column values; enums become their plain text so the file reads without this code."""
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


@cache
def _field_names(cls: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _build(cls: type[Any], row: sqlite3.Row, **computed: Any) -> Any:
    """A record whose other fields are the row's columns of the same name, as stored."""
    plain = {name: row[name] for name in _field_names(cls) if name not in computed}
    return cls(**plain, **computed)


def patient_from_row(row: sqlite3.Row) -> PatientRecord:
    ins = None
    if row["ins_number"]:
        ins = Ins(
            number=row["ins_number"],
            key=row["ins_key"],
            oid=row["ins_oid"],
            key_ok=bool(row["ins_key_ok"]),
        )
    return _build(
        PatientRecord,
        row,
        traits=traits_from_dict(dict(row)),
        status=Status(row["status"]),
        attributes=attributes_from_text(row["attributes"]),
        insi_retrieved=bool(row["insi_retrieved"]),
        document_checked=bool(row["document_checked"]),
        apcv=bool(row["apcv"]),
        ins=ins,
        locked=frozenset(row["locked_fields"].split()),
    )


def visit_from_row(row: sqlite3.Row) -> VisitRow:
    # The displayed first name follows the one rule of `Traits.first_first_name`.
    first = traits_from_dict(dict(row)).first_first_name
    return _build(VisitRow, row, first_name=first, status=Status(row["status"]),
                  insi_pending=bool(row["insi_pending"]))


def journal_from_row(row: sqlite3.Row) -> JournalRow:
    return _build(JournalRow, row)
