"""Value objects shared by every layer: statuses, attributes, channels, traits, INS.

These types are the vocabulary of the identity-vigilance rules
(`docs/identity-rules.md` of the shared corpus). They carry data only; the rules
that act on them live in the sibling modules (names, dates, matricule, status,
compare, documents), so that each rule has exactly one home.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Sex(StrEnum):
    """INS sex: only F or M exist in the INS and from INSi (EF_INS25_04)."""

    F = "F"
    M = "M"


class Status(StrEnum):
    """RNIV confidence status (EXI SI 07): exactly one per stored identity."""

    PROV = "PROV"  # provisoire: not from INSi, not checked against a document
    RECUP = "RECUP"  # récupérée: from INSi, compared successfully, no document yet
    VALI = "VALI"  # validée: checked against a high-trust document, not from INSi
    QUAL = "QUAL"  # qualifiée: from INSi and checked against a document (or ApCV)


class Attribute(StrEnum):
    """RNIV attributes; douteuse and fictive force PROV and forbid the INSi call."""

    DOUTEUSE = "douteuse"
    FICTIVE = "fictive"
    HOMONYME = "homonyme"


class Channel(StrEnum):
    """How a trait or an identity event reached the software (RNIV §4.3, FR Core codes)."""

    MANUAL = "SM"  # saisie manuelle
    CARTE_VITALE = "CV"  # carte Vitale read, INSi called from it
    INSI = "INSI"  # direct traits search
    APCV = "AV"  # appli carte Vitale
    DATAMATRIX = "CB"  # INS datamatrix scanned on a document
    DOCUMENT = "DOC"  # high-trust ID document checked (not an RNIV channel code)


OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_TEST_NIR = "1.2.250.1.213.1.4.10"
OID_DEMO_NIR = "1.2.250.1.213.1.4.11"
INS_OIDS = frozenset({OID_INS_NIR, OID_INS_NIA, OID_TEST_NIR, OID_DEMO_NIR})


@dataclass(frozen=True, slots=True)
class Ins:
    """A matricule INS (13-character NIR/NIA + 2-digit key) with its OID.

    Stored exactly as received from INSi: a key failing mod 97 is kept (CNDA
    2.08 cas 2 carries such keys) and flagged by `key_ok`, never rejected.
    """

    number: str  # 13 characters, 7th may be A/B (Corsica)
    key: str  # 2 digits
    oid: str
    key_ok: bool = True

    @property
    def matricule(self) -> str:
        return f"{self.number}{self.key}"


@dataclass(frozen=True, slots=True)
class InsHistoryEntry:
    ins: Ins
    date_start: str | None = None  # ISO date as received
    date_end: str | None = None


# French label of each `Traits` field: the one list every screen, command and message uses.
TRAIT_LABELS_FR: dict[str, str] = {
    "birth_name": "Nom de naissance",
    "first_names": "Prénoms de naissance",
    "first_name": "Premier prénom de naissance",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birthplace": "Lieu de naissance",
    "used_name": "Nom utilisé",
    "used_first_name": "Prénom utilisé",
}


@dataclass(frozen=True, slots=True)
class Traits:
    """Strict and complementary traits of a person, already normalised.

    `first_names` is the space-separated list of birth first names (INS trait);
    `first_name` is the first birth first name (strict trait, coherent with the
    start of the list). `birth_date` is ISO `AAAA-MM-JJ`. Used name and used
    first name are never derived from the birth ones (EXI ID 08).
    """

    birth_name: str
    first_names: str
    sex: Sex | None
    birth_date: str | None
    birthplace: str | None = None  # COG, 5 characters
    first_name: str | None = None
    used_name: str | None = None
    used_first_name: str | None = None

    @property
    def first_first_name(self) -> str:
        """The first birth first name: explicit, else the first token of the list."""
        if self.first_name:
            return self.first_name
        return self.first_names.split(" ", 1)[0] if self.first_names else ""


@dataclass(frozen=True, slots=True)
class InsIdentity:
    """What INSi returned for one person on CR 00: INS actif, history, traits (TIQ)."""

    ins: Ins
    traits: Traits
    history: tuple[InsHistoryEntry, ...] = field(default_factory=tuple)
