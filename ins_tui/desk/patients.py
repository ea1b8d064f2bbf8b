"""Creating and editing patients from what the secretary typed.

Every typed value goes through `domain.traits.check_traits` (the one normaliser); the
desk adds what needs the database: duplicate warnings and the fields INSi locked.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ins_tui.desk.base import DeskBase, pseudonym, traits_dict
from ins_tui.desk.duplicates import duplicate_reason
from ins_tui.desk.results import (
    ActionOutcome,
    CreateOutcome,
    DuplicateHint,
    EditOutcome,
    FormCheck,
)
from ins_tui.domain.model import Attribute, Channel, Traits

if TYPE_CHECKING:
    from ins_tui.domain.traits import TraitsInput

_DUPLICATE_SCAN_LIMIT = 200


def patient_label(traits: Traits, status: Any = None) -> str:
    first = traits.used_first_name or traits.first_first_name
    born = ""
    if traits.birth_date:
        y, m, d = traits.birth_date.split("-")
        born = f", né(e) le {d}/{m}/{y}"
    suffix = f" ({status})" if status else ""
    return f"{traits.birth_name} {first.title()}{born}{suffix}"


class PatientsMixin(DeskBase):
    def check_form(self, form: TraitsInput) -> FormCheck:
        """Live validation: normalised traits and French problems, nothing written."""
        from ins_tui.domain.traits import check_traits

        result = check_traits(form, cog=self.cog)
        return FormCheck(result.traits, list(result.problems))

    def get_patient(self, patient_id: int) -> Any:
        with self._lock:
            return self.store.get_patient(patient_id)

    def search_patients(self, text: str, birth_date: str | None = None, limit: int = 50) -> list:
        with self._lock:
            return self.store.search(text, birth_date=birth_date, limit=limit)

    def search_by_nir(self, number13: str) -> list:
        """Patients carrying this NIR (card), INS or former INS (13 characters)."""
        with self._lock:
            return self.store.find_by_nir(number13)

    def duplicates_for(self, traits: Traits, *, exclude: int | None = None) -> list[DuplicateHint]:
        """Existing patients that may be this person (see duplicates.py for the heuristic)."""
        if not traits.birth_date:
            return []
        with self._lock:
            candidates = self.store.search("", birth_date=traits.birth_date,
                                           limit=_DUPLICATE_SCAN_LIMIT)
        hints = []
        for rec in candidates:
            if rec.id == exclude:
                continue
            reason = duplicate_reason(traits, rec.traits)
            if reason is not None:
                hints.append(DuplicateHint(rec.id, patient_label(rec.traits, rec.status),
                                           reason))
        return hints

    def create_patient(
        self, form: TraitsInput, *, accept_duplicates: bool = False,
        channel: Channel = Channel.MANUAL,
    ) -> CreateOutcome:
        check = self.check_form(form)
        if not check.ok:
            return CreateOutcome(None, check, [], "Fiche non enregistrée : corriger les erreurs.")
        assert check.traits is not None
        duplicates = self.duplicates_for(check.traits)
        if duplicates and not accept_duplicates:
            return CreateOutcome(
                None, check, duplicates,
                "Patient(s) ressemblant(s) déjà enregistré(s) : vérifier avant de créer "
                "(confirmer pour créer quand même).",
            )
        what = "création malgré un doublon possible" if duplicates else "création du patient"
        with self._lock, self.store.action(self.actor, what):
            # One action: the record, the secretary's "create anyway" and the homonym flag
            # are written together or not at all.
            patient_id = self._create(check.traits, channel, "création du patient")
            if duplicates:
                self._journal(
                    "création confirmée malgré un doublon possible", patient_id,
                    after={"doublons": [d.patient_id for d in duplicates],
                           "raisons": [d.reason.name for d in duplicates]},
                )
            if any(d.reason.name == "SAME_BIRTH_NAME_AND_DATE" for d in duplicates):
                self._flag_homonym(patient_id)
        return CreateOutcome(patient_id, check, duplicates, "Patient créé (identité provisoire).")

    def _create(self, traits: Traits, channel: Channel, what: str, nir: str | None = None) -> int:
        with self.store.action(self.actor, what):
            patient_id = self.store.create_patient(traits, channel=channel, actor=self.actor,
                                                   nir=nir)
            self._journal(what, patient_id, after=traits_dict(traits))
        return patient_id

    def _flag_homonym(self, patient_id: int) -> None:
        from ins_tui.domain.status import AttributeSet

        with self.store.action(self.actor, "attribut homonyme"):
            rec = self._record(patient_id)
            self._transition(rec, AttributeSet(Attribute.HOMONYME))
            self._journal("attribut homonyme posé (homonyme enregistré)", patient_id)

    def locked_fields(self, patient_id: int) -> frozenset[str]:
        """The `Traits` field names INSi supplied (the store keeps the lock per record)."""
        with self._lock:
            return frozenset(self._record(patient_id).locked)

    def edit_patient(self, patient_id: int, form: TraitsInput) -> EditOutcome:
        from ins_tui.domain.problems import error

        check = self.check_form(form)
        if not check.ok:
            return EditOutcome(False, check, "Modification non enregistrée : corriger les erreurs.")
        assert check.traits is not None
        # An empty first birth first name means "the first of the list" (Traits rule), as
        # the store records it once INSi supplied the list.
        traits = dataclasses.replace(
            check.traits, first_name=check.traits.first_name or check.traits.first_first_name
        )
        with self._lock:
            rec = self._record(patient_id)
            locked = self.locked_fields(patient_id)
            old, new = traits_dict(rec.traits) or {}, traits_dict(traits) or {}
            touched = sorted(f for f in locked if old.get(f) != new.get(f))
            if touched:
                problems = [
                    error(f, "locked", "Champ issu de l'INSi, verrouillé : déverrouiller "
                          "explicitement pour le modifier.")
                    for f in touched
                ]
                return EditOutcome(False, FormCheck(check.traits, [*check.problems, *problems]),
                                   "Champs INSi verrouillés : modification refusée.")
            if old == new:
                return EditOutcome(True, check, "Aucune modification.")
            with self.store.action(self.actor, "modification des traits"):
                self.store.update_traits(patient_id, traits)
                self._journal("modification des traits", patient_id, before=old, after=new)
        return EditOutcome(True, check, "Modification enregistrée.")

    def set_attribute(self, patient_id: int, attr: Attribute, on: bool) -> ActionOutcome:
        from ins_tui.domain.status import AttributeCleared, AttributeSet, TransitionRefused

        event = AttributeSet(attr) if on else AttributeCleared(attr)
        what = f"attribut {attr.value} {'posé' if on else 'retiré'}"
        with self._lock:
            rec = self._record(patient_id)
            try:
                with self.store.action(self.actor, what):
                    after = self._transition(rec, event)
                    self._journal(what, patient_id, before=rec.status.value,
                                  after=after.status.value)
            except TransitionRefused as exc:
                return ActionOutcome(False, str(exc), rec.status)
        from ins_tui.desk.base import log

        log.info("attribute %s=%s on %s", attr.value, on, pseudonym(patient_id))
        return ActionOutcome(True, f"Identité : {what}.", after.status)

