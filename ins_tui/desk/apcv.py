"""Appli carte Vitale: the INS comes qualified from the app, so no INSi call (RNIV §4.3.4).

The secretary still confirms which local patient the presented identity is (the phone
holder may present a dependant, or a delegated app), hence two steps: candidates, then
`apcv_present` with the patient chosen (or None to create one from the app's traits).
"""

from __future__ import annotations

from typing import Any

from ins_tui.desk.base import DeskBase, DeskError, traits_dict
from ins_tui.desk.patients import PatientsMixin
from ins_tui.desk.ports import ApcvIdentity
from ins_tui.desk.results import ActionOutcome
from ins_tui.domain.model import Channel


class ApcvMixin(PatientsMixin, DeskBase):
    def apcv_identities(self) -> list[ApcvIdentity]:
        if self.apcv is None:
            raise DeskError("Aucune appli carte Vitale disponible sur ce poste.")
        return self.apcv.present()

    def apcv_candidates(self, presented: ApcvIdentity) -> list[Any]:
        """Local patients this app identity may be: same INS first, else same traits."""
        ins, traits = presented.identity.ins, presented.identity.traits
        with self._lock:
            found = self.store.find_by_matricule(ins.matricule)
            if found:
                return list(found)
            return list(self.store.find_by_traits(traits.birth_name, traits.first_first_name,
                                                  traits.birth_date))

    def apcv_present(self, presented: ApcvIdentity, patient_id: int | None) -> ActionOutcome:
        from ins_tui.domain.status import ApcvPresented, TransitionRefused

        identity = presented.identity
        with self._lock:
            if patient_id is None:
                patient_id = self._create(identity.traits, Channel.APCV,
                                          "création du patient depuis l'appli carte Vitale")
            rec = self._record(patient_id)
            what = "identité présentée par l'appli carte Vitale"
            try:
                with self.store.action(self.actor, what):
                    after = self._transition(rec, ApcvPresented())
                    self.store.set_ins(patient_id, identity, channel=Channel.APCV)
                    self.store.add_identity_event(patient_id, Channel.APCV,
                                                  {"role": presented.role_fr})
                    self._journal(what, patient_id, before=traits_dict(rec.traits),
                                  after={"traits": traits_dict(identity.traits),
                                         "statut": after.status.value, "canal": "AV"})
            except TransitionRefused as exc:
                return ActionOutcome(False, str(exc), rec.status)
        return ActionOutcome(True, "Identité qualifiée par l'appli carte Vitale (sans appel "
                             "INSi).", after.status)

