"""Merging two records of one person from the desk: preview, merge, unmerge.

Why a preview object rather than letting the screen ask the store: the screen (and the
back-office command) must show the same things the rule judged — both records side by
side with the differing traits marked, the default survivor, the refusal in French and
whether an override reason would lift it — and nothing is written until the person
confirms. The store judges again inside its transaction (`store/merge.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ins_tui.desk.base import DeskBase, DeskError, log, pseudonym
from ins_tui.desk.patients import PatientsMixin
from ins_tui.domain.merge import (
    MergeDecision,
    MergeSide,
    TraitDiff,
    default_survivor,
    judge,
    trait_diffs,
)


@dataclass(frozen=True, slots=True)
class MergePreview:
    kept: MergeSide
    dropped: MergeSide
    diffs: list[TraitDiff]
    decision: MergeDecision
    default_kept_id: int
    visits: int  # visits that would move to the survivor
    insi_retries: int  # pending INSi retries of the dropped record that would close

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def differing(self) -> list[TraitDiff]:
        return [d for d in self.diffs if d.differs]

    def summary_fr(self) -> str:
        """« Dossier n° 2 fusionné dans le n° 1 : 1 passage déplacé. »"""
        moved = f"{self.visits} passage" + ("s déplacés" if self.visits > 1 else " déplacé")
        text = f"Dossier n° {self.dropped.id} fusionné dans le n° {self.kept.id} : {moved}"
        if self.insi_retries:
            text += f", {self.insi_retries} relance(s) INSi close(s)"
        return text + "."


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    ok: bool
    message_fr: str
    merge_id: int | None = None
    kept_id: int | None = None
    dropped_id: int | None = None


class MergeFlowMixin(PatientsMixin, DeskBase):
    def merge_preview(self, first_id: int, second_id: int, *, kept_id: int | None = None,
                      override_reason: str | None = None) -> MergePreview:
        """Both records, the default survivor (or `kept_id` when the person swapped), the
        decision; nothing written."""
        with self._lock:
            try:
                a = self.store.merge_side(first_id)
                b = self.store.merge_side(second_id)
            except Exception as exc:
                raise DeskError(f"Patient introuvable ({exc}).") from exc
            default_kept, _ = default_survivor(a, b)
            if kept_id is None:
                kept_id = default_kept.id
            kept, dropped = (a, b) if kept_id == a.id else (b, a)
            plan = self.store.plan_merge(kept.id, dropped.id, override_reason)
        return MergePreview(kept, dropped, trait_diffs(kept, dropped),
                            judge(kept, dropped, override_reason), default_kept.id,
                            len(plan.visits), len(plan.insi_queue))

    def merge(self, kept_id: int, dropped_id: int, *,
              override_reason: str | None = None) -> MergeOutcome:
        from ins_tui.store.merge import MergeRefused

        with self._lock:
            try:
                preview = self.merge_preview(kept_id, dropped_id, kept_id=kept_id,
                                             override_reason=override_reason)
                merge_id = self.store.merge_patients(
                    kept_id, dropped_id, override_reason=override_reason, actor=self.actor)
            except MergeRefused as exc:
                return MergeOutcome(False, exc.message_fr, None, kept_id, dropped_id)
        log.info("merge %s: %s into %s", merge_id, pseudonym(dropped_id), pseudonym(kept_id))
        return MergeOutcome(True, preview.summary_fr(), merge_id, kept_id, dropped_id)

    def unmerge(self, merge_id: int) -> MergeOutcome:
        from ins_tui.store.merge import MergeRefused

        with self._lock:
            try:
                merge = self.store.unmerge(merge_id, actor=self.actor)
            except MergeRefused as exc:
                return MergeOutcome(False, exc.message_fr, merge_id)
        log.info("unmerge %s: %s restored", merge_id, pseudonym(merge.dropped_id))
        return MergeOutcome(
            True, f"Fusion n° {merge_id} annulée : le dossier n° {merge.dropped_id} est "
            f"rétabli ({len(merge.visits)} passage(s) rendu(s)).", merge_id, merge.kept_id,
            merge.dropped_id)

    def merge_of_journal_row(self, row: Any) -> Any | None:
        """The merge a journal row belongs to (its action wrote or undid it), or None."""
        action_id = getattr(row, "action_id", None)
        if action_id is None:
            return None
        with self._lock:
            return self.store.merge_of_action(action_id)

    def merge_candidates(self, patient_id: int) -> list[Any]:
        """Records that may be the same person (the duplicate heuristic), merged ones left
        out: what the merge screen offers first."""
        rec = self._record(patient_id)
        return self.duplicates_for(rec.traits, exclude=patient_id)
