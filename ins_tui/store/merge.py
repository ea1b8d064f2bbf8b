"""Merging two records of one person, and undoing it: one action each, journaled, sealed.

Why the dropped record is kept (`merged_into` = the survivor) rather than deleted: its
journal, its INS history and its identity sources are the evidence of what was done under
that record, and an unmerge must be able to bring it back as it was. What moves is what the
practice does *with* the person: the visits (all days: the passage history), and the INSi
retries still pending for the dropped record are closed (the survivor is the identity to
fetch now). The `merges` row lists exactly those ids, so an unmerge moves back exactly them
and nothing the survivor gained since.

The rule is the domain's (`domain.merge.judge`), run again here inside the transaction: a
caller that skipped the preview still cannot merge two people. Merged records vanish from
search and from the duplicate warnings (which go through `search`), their journal stays.
At commit the dropped record is sealed by its `patient.merged` row (so `db check` can tell
a hand-set `merged_into`) and queued for the hand-off adapters as a merge (HL7 A40, FHIR
`link` replaced-by), see `outbox.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ins_tui.domain.merge import MergeDecision, MergeSide, judge
from ins_tui.domain.model import Status
from ins_tui.store.errors import PatientNotFound, StoreError
from ins_tui.store.outbox import OutboxMixin
from ins_tui.store.patients import PatientsMixin
from ins_tui.store.records import attributes_from_text, traits_from_dict
from ins_tui.store.search import MAX_LIMIT, SearchMixin
from ins_tui.store.visits import VisitsMixin

MERGED_EVENT = "patient.merged"
UNMERGED_EVENT = "patient.unmerged"
MERGE_DONE = "merge.done"
MERGE_UNDONE = "merge.undone"
QUEUE_CLOSED_FR = "dossier fusionné"


class MergeRefused(StoreError):
    """The pair may not be merged (or the merge not undone); `message_fr` says why."""

    def __init__(self, message_fr: str, decision: MergeDecision | None = None) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr
        self.decision = decision


@dataclass(frozen=True, slots=True)
class MergeRow:
    id: int
    kept_id: int
    dropped_id: int
    at: str
    actor: str
    action_id: int
    override_reason: str | None
    visits: tuple[int, ...]
    insi_queue: tuple[int, ...]
    undone_at: str | None
    undone_by: str | None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What a merge of `dropped` into `kept` would do (`ins-tui db merge --dry-run`)."""

    decision: MergeDecision
    kept: MergeSide
    dropped: MergeSide
    visits: tuple[int, ...]
    insi_queue: tuple[int, ...]


def side_from_row(row: Any) -> MergeSide:
    return MergeSide(
        id=int(row["id"]), status=Status(row["status"]), traits=traits_from_dict(dict(row)),
        created_at=row["created_at"] or "", attributes=attributes_from_text(row["attributes"]),
        ins_matricule=row["ins_matricule"], ins_oid=row["ins_oid"],
        merged_into=row["merged_into"],
    )


def _merge_from_row(row: Any) -> MergeRow:
    moved = json.loads(row["moved_json"])
    return MergeRow(
        id=row["id"], kept_id=row["kept_id"], dropped_id=row["dropped_id"], at=row["at"],
        actor=row["actor"], action_id=row["action_id"], override_reason=row["override_reason"],
        visits=tuple(moved.get("visits", ())),
        insi_queue=tuple(q["id"] for q in moved.get("insi_queue", ())),
        undone_at=row["undone_at"], undone_by=row["undone_by"],
    )


class MergeMixin(OutboxMixin, PatientsMixin, SearchMixin, VisitsMixin):
    """Merge / unmerge, and the look-ups that must not find a merged record."""

    # -- reads ------------------------------------------------------------------------
    def merged_into(self, patient_id: int) -> int | None:
        rows = self._read("SELECT merged_into FROM patients WHERE id = ?", (patient_id,))
        return rows[0][0] if rows else None

    def merged_ids(self) -> frozenset[int]:
        """Ids of merged records (a partial index: as many rows as merges, not patients)."""
        rows = self._read("SELECT id FROM patients WHERE merged_into IS NOT NULL")
        return frozenset(int(r[0]) for r in rows)

    def merge_side(self, patient_id: int) -> MergeSide:
        rows = self._read("SELECT * FROM patients WHERE id = ?", (patient_id,))
        if not rows:
            raise PatientNotFound(patient_id)
        return side_from_row(rows[0])

    def get_merge(self, merge_id: int) -> MergeRow | None:
        rows = self._read("SELECT * FROM merges WHERE id = ?", (merge_id,))
        return _merge_from_row(rows[0]) if rows else None

    def merge_of_action(self, action_id: int) -> MergeRow | None:
        """The merge a journal action wrote or undid (the journal screen's `u`)."""
        rows = self._read("SELECT * FROM merges WHERE action_id = ? OR undo_action_id = ?",
                          (action_id, action_id))
        return _merge_from_row(rows[0]) if rows else None

    def merges_for(self, patient_id: int) -> list[MergeRow]:
        rows = self._read("SELECT * FROM merges WHERE kept_id = ? OR dropped_id = ? "
                          "ORDER BY id", (patient_id, patient_id))
        return [_merge_from_row(r) for r in rows]

    def plan_merge(self, kept_id: int, dropped_id: int,
                   override_reason: str | None = None) -> MergePlan:
        """The decision and what would move; nothing written."""
        with self._lock:
            kept, dropped = self.merge_side(kept_id), self.merge_side(dropped_id)
            visits, queue = self._movable(dropped_id)
        return MergePlan(judge(kept, dropped, override_reason), kept, dropped,
                         tuple(visits), tuple(q["id"] for q in queue))

    def _movable(self, dropped_id: int) -> tuple[list[int], list[dict[str, Any]]]:
        visits = [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM visits WHERE patient_id = ? ORDER BY id", (dropped_id,))]
        queue = [{"id": int(r[0]), "last_error": r[1]} for r in self.conn.execute(
            "SELECT id, last_error FROM insi_queue WHERE patient_id = ? AND done_at IS NULL "
            "ORDER BY id", (dropped_id,))]
        return visits, queue

    # -- merged records are not found -------------------------------------------------
    def search(self, text: str, birth_date: str | None = None, limit: int = 50) -> list:
        merged = self.merged_ids()
        found = super().search(text, birth_date, limit)
        if not merged or not any(r.id in merged for r in found):
            return found
        # Only when merged records took places: ask again for as many more as there are.
        wide = min(max(1, int(limit)) + len(merged), MAX_LIMIT)
        found = [r for r in super().search(text, birth_date, wide) if r.id not in merged]
        return found[:max(1, min(int(limit), MAX_LIMIT))]

    def find_by_matricule(self, matricule: str) -> list:
        return self._without_merged(super().find_by_matricule(matricule))

    def find_by_nir(self, nir: str) -> list:
        return self._without_merged(super().find_by_nir(nir))

    def find_by_traits(self, birth_name: str, first_name: str, birth_date: str | None) -> list:
        return self._without_merged(super().find_by_traits(birth_name, first_name, birth_date))

    def _without_merged(self, records: list) -> list:
        merged = self.merged_ids()
        return [r for r in records if r.id not in merged] if merged else records

    def add_arrival(self, patient_id: int, practitioner: str | None, *,
                    actor: str | None = None, day: str | None = None) -> int:
        """A merged record gets no new visit (a screen opened before the merge may still
        hold its id): the survivor is named instead."""
        into = self.merged_into(patient_id)
        if into is not None:
            raise MergeRefused(f"Le dossier n° {patient_id} a été fusionné dans le dossier "
                               f"n° {into} : ajouter l'arrivée sur ce dossier-là.")
        return super().add_arrival(patient_id, practitioner, actor=actor, day=day)

    # -- writes -----------------------------------------------------------------------
    def merge_patients(self, kept_id: int, dropped_id: int, *,
                       override_reason: str | None = None, actor: str | None = None) -> int:
        """Merge `dropped_id` into `kept_id`; returns the merge id. Raises `MergeRefused`
        (nothing written) when the domain's rule refuses the pair."""
        with self._writing("Fusion de dossiers", actor) as act:
            kept, dropped = self.merge_side(kept_id), self.merge_side(dropped_id)
            decision = judge(kept, dropped, override_reason)
            if not decision.allowed:
                raise MergeRefused(decision.message_fr, decision)
            visits, queue = self._movable(dropped_id)
            now = self.now_iso()
            if visits:
                marks = ",".join("?" * len(visits))
                self.conn.execute(f"UPDATE visits SET patient_id = ?, updated_at = ? "
                                  f"WHERE id IN ({marks})", (kept_id, now, *visits))
            if queue:
                marks = ",".join("?" * len(queue))
                self.conn.execute(
                    f"UPDATE insi_queue SET done_at = ?, last_error = ? WHERE id IN ({marks})",
                    (now, QUEUE_CLOSED_FR, *(q["id"] for q in queue)))
            moved = {"visits": visits, "insi_queue": queue}
            cur = self.conn.execute(
                "INSERT INTO merges (kept_id, dropped_id, at, actor, action_id, "
                "override_reason, moved_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kept_id, dropped_id, now, act.actor, act.id, decision.override_reason,
                 json.dumps(moved, sort_keys=True)))
            merge_id = int(cur.lastrowid)
            self.append(MERGE_DONE, patient_id=kept_id, after={
                "fusion": merge_id, "conserve": kept_id, "fusionne": dropped_id,
                "passages": visits, "relances_insi_closes": [q["id"] for q in queue],
                "derogation": decision.override_reason})
            self._update(dropped_id, MERGED_EVENT, {"merged_into": kept_id})
            self._queue_merge_outputs(dropped_id)
            return merge_id

    def unmerge(self, merge_id: int, *, actor: str | None = None) -> MergeRow:
        """Undo a merge: the dropped record comes back, with the visits and INSi retries
        that moved (those added to the survivor since stay with it)."""
        with self._writing("Annulation d'une fusion", actor) as act:
            rows = self.conn.execute("SELECT * FROM merges WHERE id = ?", (merge_id,)).fetchall()
            if not rows:
                raise MergeRefused(f"Fusion n° {merge_id} introuvable.")
            merge = _merge_from_row(rows[0])
            if merge.undone:
                raise MergeRefused(f"Fusion n° {merge_id} déjà annulée le {merge.undone_at[:10]}"
                                   f" par {merge.undone_by}.")
            if self.merge_side(merge.dropped_id).merged_into != merge.kept_id:
                raise MergeRefused(f"Le dossier n° {merge.dropped_id} n'est plus fusionné dans "
                                   f"le dossier n° {merge.kept_id} : rien à annuler.")
            later = self.merge_side(merge.kept_id).merged_into
            if later is not None:
                raise MergeRefused(
                    f"Le dossier n° {merge.kept_id} a été fusionné depuis dans le dossier n° "
                    f"{later} : annuler d'abord cette fusion-là.")
            now = self.now_iso()
            back = [v for v in merge.visits]
            if back:
                marks = ",".join("?" * len(back))
                self.conn.execute(
                    f"UPDATE visits SET patient_id = ?, updated_at = ? WHERE id IN ({marks}) "
                    "AND patient_id = ?", (merge.dropped_id, now, *back, merge.kept_id))
            moved = json.loads(rows[0]["moved_json"])
            for q in moved.get("insi_queue", ()):
                self.conn.execute(
                    "UPDATE insi_queue SET done_at = NULL, last_error = ? WHERE id = ? "
                    "AND last_error = ?", (q["last_error"], q["id"], QUEUE_CLOSED_FR))
            self.conn.execute(
                "UPDATE merges SET undone_at = ?, undone_by = ?, undo_action_id = ? "
                "WHERE id = ?", (now, act.actor, act.id, merge_id))
            self.append(MERGE_UNDONE, patient_id=merge.kept_id, after={
                "fusion": merge_id, "conserve": merge.kept_id, "restaure": merge.dropped_id,
                "passages": back})
            self._cancel_merge_outputs(merge.dropped_id)
            self._update(merge.dropped_id, UNMERGED_EVENT, {"merged_into": None})
            result = self.get_merge(merge_id)
            assert result is not None
            return result
