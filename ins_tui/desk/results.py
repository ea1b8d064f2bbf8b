"""What the desk hands back to the screen: plain frozen values, French text ready to show.

The UI renders these and never re-derives a rule from them; every decision (is this a
perfect match, may INSi be called, is a field locked) was taken by the desk through the
domain modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

from ins_tui.domain.model import Channel, InsIdentity, Status, Traits
from ins_tui.domain.problems import Problem, ProblemsView

if TYPE_CHECKING:
    from ins_tui.card.vitale import Beneficiary
    from ins_tui.domain.compare import Comparison
    from ins_tui.store.patients import PatientRecord


class VisitState(StrEnum):
    EN_ATTENTE = "en_attente"
    EN_CONSULTATION = "en_consultation"
    PARTI = "parti"

    @property
    def label_fr(self) -> str:
        """The word on screen and in the journal (the value with spaces)."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class FormCheck(ProblemsView):
    """A form as the domain judged it; `.errors` / `.warnings` come from the one split."""

    traits: Traits | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.traits is not None and not self.errors


class DuplicateReason(Enum):
    SAME_BIRTH_NAME_AND_DATE = "même nom de naissance et même date de naissance"
    SAME_FIRST_NAME_AND_DATE = "même prénom et même date de naissance"
    CLOSE_NAME_SAME_DATE = "nom proche (phonétique ou début identique), même date de naissance"


@dataclass(frozen=True)
class DuplicateHint:
    patient_id: int
    label_fr: str  # e.g. "DUPONT Marie, née le 01/02/1980 (PROV)"
    reason: DuplicateReason

    @property
    def reason_fr(self) -> str:
        return self.reason.value


@dataclass(frozen=True)
class CreateOutcome:
    patient_id: int | None
    check: FormCheck
    duplicates: list[DuplicateHint]
    message_fr: str


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    check: FormCheck
    message_fr: str


@dataclass(frozen=True)
class PreparedIdentity:
    """An identity built from a card beneficiary, not yet in the database."""

    traits: Traits
    beneficiary: Beneficiary
    nir: str | None


@dataclass(frozen=True)
class CardMatch:
    patient: PatientRecord | None
    prepared: PreparedIdentity | None
    found_by: str | None  # "ins" | "nir" | "traits" | None
    needs_insi: bool
    message_fr: str


class InsiResultKind(StrEnum):
    MATCHED = "matched"
    DIFFERENT = "different"
    NOT_FOUND = "not_found"
    SEVERAL = "several"
    QUEUED = "queued"
    FAILED = "failed"
    REFUSED = "refused"


@dataclass(frozen=True)
class InsiResult:
    kind: InsiResultKind
    patient_id: int | None
    message_fr: str
    comparison: Comparison | None = None
    identity: InsIdentity | None = None
    queue_id: int | None = None
    channel: Channel | None = None  # how the search started (CV from a card, INSI by traits)
    retry_at: datetime | None = None  # QUEUED: when the next automatic attempt is due


class DiffChoice(Enum):
    ADOPT_INS = "adopter les traits INS"
    KEEP_PROVISIONAL = "garder l'identité locale provisoire"
    MARK_DOUBTFUL = "marquer l'identité douteuse"

    @property
    def label_fr(self) -> str:
        return self.value


@dataclass(frozen=True)
class ActionOutcome:
    ok: bool
    message_fr: str
    status: Status | None = None
