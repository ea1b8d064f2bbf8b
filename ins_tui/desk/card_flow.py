"""A carte Vitale was read: pick the beneficiary, find the local patient or prepare one.

The card is only a key (identity-rules §9): its traits are used to *find* the person and
to *ask* INSi, never trusted as an identity. Nothing is written on a card read alone, so
a card inserted by mistake leaves no record; the prepared identity is saved (PROV, channel
CV) by the first INSi search made for it, or explicitly by `save_prepared`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ins_tui.desk.base import DeskBase
from ins_tui.desk.patients import PatientsMixin
from ins_tui.desk.results import CardMatch, PreparedIdentity
from ins_tui.domain.model import Channel, Sex, Status, Traits

if TYPE_CHECKING:
    from ins_tui.card.vitale import Beneficiary


def sex_from_card(beneficiary: Beneficiary) -> Sex | None:
    """The sex the card's NIR gives, only when that NIR is plausibly the beneficiary's own.

    Whose NIR tag 65/93 holds is unknown (carte-vitale §3): for a child it may be the
    parent's. We trust its sex digit only when the NIR's birth year and month agree with
    the beneficiary's birth date; otherwise the sex stays unknown and must be typed.
    """
    from ins_tui.domain.matricule import describe_nir

    nir, born = beneficiary.nir, beneficiary.birth_date
    if not nir or born is None or not born.iso:
        return None
    try:
        info = describe_nir(nir[:13])
    except Exception:
        return None
    year, month = born.iso[:4], born.iso[5:7]
    year_ok = info.birth_year is not None and f"{info.birth_year:02d}" == year[-2:]
    month_ok = info.birth_month is None or f"{int(info.birth_month):02d}" == month
    return info.sex if year_ok and month_ok else None


def traits_from_card(beneficiary: Beneficiary) -> Traits:
    """Card traits as read (never altered); the card has a single first name."""
    first = (beneficiary.first_name or "").strip()
    born = beneficiary.birth_date
    return Traits(
        birth_name=(beneficiary.birth_name or "").strip(),
        first_names=first,
        sex=sex_from_card(beneficiary),
        birth_date=born.iso if born is not None else None,
        first_name=first or None,
    )


class CardFlowMixin(PatientsMixin, DeskBase):
    @staticmethod
    def pick_beneficiary(beneficiaries: Sequence[Beneficiary]) -> Beneficiary | None:
        """Exactly one: it is the patient. Several: the secretary must choose (None)."""
        return beneficiaries[0] if len(beneficiaries) == 1 else None

    def match_beneficiary(self, beneficiary: Beneficiary) -> CardMatch:
        traits = traits_from_card(beneficiary)
        with self._lock:
            rec, found_by = self._find_for_card(beneficiary, traits)
        if rec is not None:
            needs = self._needs_insi(rec)
            msg = ("Patient trouvé : recherche INS en cours." if needs
                   else _no_insi_message(rec))
            return CardMatch(rec, None, found_by, needs, msg)
        prepared = PreparedIdentity(traits, beneficiary, beneficiary.nir)
        if not traits.birth_name or not traits.first_names:
            return CardMatch(None, prepared, None, False,
                             "Carte sans nom ou prénom lisible : saisir l'identité.")
        if traits.sex is None or not traits.birth_date:
            missing = "le sexe" if traits.sex is None else "la date de naissance"
            return CardMatch(None, prepared, None, False,
                             f"Nouveau patient : préciser {missing} avant la recherche INS.")
        return CardMatch(None, prepared, None, True,
                         "Nouveau patient : identité préparée depuis la carte, "
                         "recherche INS en cours.")

    def _find_for_card(self, b: Beneficiary, traits: Traits) -> tuple[Any, str | None]:
        return self._find_local(b.nir, traits)

    def _find_local(self, nir: str | None, traits: Traits) -> tuple[Any, str | None]:
        """INS, then card NIR, then birth name + first name + birth date.

        Only an unambiguous hit counts: two local patients answering the same key are a
        duplicate for the secretary to resolve, not something to guess between. Shared by
        the card and the datamatrix flows (scan_flow.py), so both find the same patient.
        """
        if nir:
            hits = self.store.find_by_nir(nir)
            if len(hits) == 1:
                rec = hits[0]
                by_ins = rec.ins is not None and rec.ins.number == nir[:13].upper()
                return rec, "ins" if by_ins else "nir"
        if traits.birth_name and traits.first_name and traits.birth_date:
            hits = self.store.find_by_traits(traits.birth_name, traits.first_name,
                                             traits.birth_date)
            if len(hits) == 1:
                return hits[0], "traits"
        return None, None

    def _needs_insi(self, rec: Any) -> bool:
        from ins_tui.domain.status import insi_call_allowed

        state = self._state(rec)
        return insi_call_allowed(state) and state.status not in (Status.QUAL, Status.RECUP)

    def save_prepared(self, prepared: PreparedIdentity) -> int:
        with self._lock:
            return self._create(prepared.traits, Channel.CARTE_VITALE,
                                "création du patient depuis la carte Vitale",
                                nir=prepared.nir)


def _no_insi_message(rec: Any) -> str:
    from ins_tui.desk.base import status_label
    from ins_tui.domain.model import Attribute

    attrs = set(getattr(rec, "attributes", ()) or ())
    if Attribute.DOUTEUSE in attrs or Attribute.FICTIVE in attrs:
        return "Identité douteuse ou fictive : pas d'appel INSi."
    return f"Patient trouvé : identité {status_label(rec.status)}."

