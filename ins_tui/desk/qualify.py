"""The deliberate human step: check a high-trust ID document, then the identity is QUAL.

The status comes from the machine (domain/status.py): a document on RECUP gives QUAL, on
PROV gives VALI. The journal row says who (the desk's actor: system user or the operator
chosen at start) and when (the desk's clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ins_tui.desk.base import DeskBase, log, pseudonym, status_label
from ins_tui.desk.results import ActionOutcome
from ins_tui.domain.model import Status

if TYPE_CHECKING:
    from ins_tui.domain.documents import DocumentType


class QualifyMixin(DeskBase):
    def document_choices(self, patient_id: int | None = None) -> list[DocumentType]:
        """The configured list in its configured order; the UI pre-selects none. For a
        patient, only what proves an identity at their age (no birth extract for an adult)."""
        from ins_tui.domain.documents import documents_for_age, documents_from_codes

        configured = list(documents_from_codes(self.documents))
        if patient_id is None:
            return configured
        with self._lock:
            born = self._record(patient_id).traits.birth_date
        return documents_for_age(configured, born, self.clock.now().date())

    def needs_document(self, patient_id: int) -> bool:
        with self._lock:
            return not self._state(self._record(patient_id)).document_checked

    def qualify(self, patient_id: int, doc_type: str | None) -> ActionOutcome:
        """Enter on a RECUP identity: record the document (unless one was checked) → QUAL."""
        with self._lock:
            rec = self._record(patient_id)
            state = self._state(rec)
            if state.status is Status.QUAL:
                return ActionOutcome(True, "Identité déjà qualifiée.", Status.QUAL)
            if not state.insi_retrieved:
                return ActionOutcome(
                    False,
                    "Qualification impossible : l'INS n'a pas été récupéré par l'INSi. "
                    "Lancer « Rechercher l'INS » d'abord.",
                    rec.status,
                )
            if state.document_checked:
                return ActionOutcome(True, "Document déjà vérifié.", rec.status)
        return self.record_document(patient_id, doc_type)

    def record_document(self, patient_id: int, doc_type: str | None) -> ActionOutcome:
        from ins_tui.domain.status import DocumentChecked, TransitionRefused

        codes = {d.code: d for d in self.document_choices()}
        if not doc_type:
            return ActionOutcome(False, "Choisir le type de document d'identité vérifié.", None)
        if doc_type not in codes:
            return ActionOutcome(
                False, f"Type de document « {doc_type} » absent de la liste configurée.", None
            )
        if doc_type not in {d.code for d in self.document_choices(patient_id)}:
            return ActionOutcome(
                False, f"« {codes[doc_type].label_fr} » ne prouve l'identité que d'un mineur : "
                "pour ce patient majeur, choisir une carte d'identité, un passeport ou un "
                "titre de séjour.", None)
        label = codes[doc_type].label_fr
        with self._lock:
            rec = self._record(patient_id)
            what = f"document d'identité vérifié : {label}"
            try:
                with self.store.action(self.actor, what):
                    after = self._transition(rec, DocumentChecked(doc_type))
                    self.store.record_document(patient_id, doc_type)
                    self._journal(
                        what, patient_id,
                        before={"statut": rec.status.value},
                        after={"statut": after.status.value, "document": doc_type,
                               "par": self.actor, "le": self.clock.now().isoformat()},
                    )
            except TransitionRefused as exc:
                return ActionOutcome(False, str(exc), rec.status)
        log.info("document %s recorded for %s -> %s", doc_type, pseudonym(patient_id),
                 after.status.value)
        return ActionOutcome(True, f"Identité {status_label(after.status)} ({label}).",
                             after.status)

    def unlock_insi_fields(self, patient_id: int) -> ActionOutcome:
        """Explicit unlock (the UI confirms first): status and INS are dropped, journaled."""
        from ins_tui.domain.status import InsiFieldsUnlocked, TransitionRefused

        with self._lock:
            rec = self._record(patient_id)
            what = "déverrouillage des champs INSi"
            try:
                with self.store.action(self.actor, what):
                    after = self._transition(rec, InsiFieldsUnlocked())
                    self._journal(
                        what, patient_id,
                        before={"statut": rec.status.value,
                                "ins": rec.ins.matricule if rec.ins else None},
                        after={"statut": after.status.value, "ins": None},
                    )
            except TransitionRefused as exc:
                return ActionOutcome(False, str(exc), rec.status)
        return ActionOutcome(
            True,
            f"Champs déverrouillés : statut {status_label(after.status)}, INS supprimé. "
            "Une nouvelle recherche INS sera nécessaire.",
            after.status,
        )
