"""What the carte Vitale search sends: the beneficiary (body) and the coverage (ContexteBAM).

Field meanings follow the only public builder of this request (PYX "INSV",
docs/insi-contract.md §3.2, §4.2); the card layer fills them from its reading.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Couverture:
    """ContexteBAM/COUVERTURE; every field optional, an all-None value sends it empty."""

    grand_regime: str | None = None
    organisme: str | None = None
    code_centre: str | None = None
    insured_number: str | None = None  # ASSURE/Id/Num, 13 characters
    insured_key: str | None = None
    beneficiary_nir: str | None = None  # BENEFICIAIRE/Nir/Num, when the card holds it
    beneficiary_nir_key: str | None = None
    certification_date: str | None = None  # ISO date
    birth_date: str | None = None  # BENEFICIAIRE/DateNai, AAAA-MM-JJ
    rank: int | None = None  # rang gémellaire
    porteur: str | None = None


@dataclass(frozen=True, slots=True)
class VitaleQuery:
    """RECVITALE: the beneficiary as read from the card, sent as read."""

    birth_name: str | None
    birth_date: str | None  # as on the card (a lunar date stays as read)
    beneficiary_nir: str | None = None  # MatriculeIndividu/NumIdentifiant
    insured_number: str | None = None  # MatriculeOD/NumIdentifiant
    rank: str | None = None  # RangNaissance
