"""The day's waiting list, shared live by every desk through the same file."""

from __future__ import annotations

from datetime import date

from ins_tui.store.core import StoreCore
from ins_tui.store.errors import InvalidValue, PatientNotFound, VisitNotFound
from ins_tui.store.records import VISIT_STATES, VisitRow, visit_from_row

_STATE_LABELS_FR = {
    "en_attente": "en attente",
    "en_consultation": "en consultation",
    "parti": "parti",
}


class VisitsMixin(StoreCore):
    """The waiting list; positions are computed under the write lock, so desks never clash."""

    def add_arrival(
        self,
        patient_id: int,
        practitioner: str | None,
        *,
        actor: str | None = None,
        day: str | None = None,
    ) -> int:
        """Append the patient at the end of the day's list; returns the visit id.

        The position is computed under the write lock, so desks adding arrivals at the
        same instant get distinct positions.
        """
        with self._writing("Arrivée", actor):
            if not self.conn.execute(
                "SELECT 1 FROM patients WHERE id = ?", (patient_id,)
            ).fetchone():
                raise PatientNotFound(patient_id)
            the_day = day or self.today()
            (last,) = self.conn.execute(
                "SELECT coalesce(max(position), 0) FROM visits WHERE day = ?", (the_day,)
            ).fetchone()
            now = self.now_iso()
            row = {
                "patient_id": patient_id,
                "day": the_day,
                "arrived_at": now,
                "state": "en_attente",
                "practitioner": practitioner,
                "position": last + 1,
                "updated_at": now,
            }
            visit_id = int(self.db["visits"].insert(row).last_pk)
            self.append("visit.arrival", patient_id=patient_id,
                        after={"visit": visit_id, "practitioner": practitioner})
            return visit_id

    def _visit(self, visit_id: int) -> dict[str, object]:
        row = self.conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
        if row is None:
            raise VisitNotFound(visit_id)
        return dict(row)

    def set_visit_state(self, visit_id: int, state: str, *, actor: str | None = None) -> None:
        state = str(getattr(state, "value", state))
        if state not in VISIT_STATES:
            raise InvalidValue(
                f"État de passage inconnu : {state!r} (attendu : "
                + ", ".join(_STATE_LABELS_FR.values()) + ")."
            )
        self._set_visit_column(visit_id, "state", state, "Changement d'état du passage", actor)

    def set_visit_practitioner(
        self, visit_id: int, practitioner: str | None, *, actor: str | None = None
    ) -> None:
        self._set_visit_column(
            visit_id, "practitioner", practitioner, "Changement de praticien", actor
        )

    def _set_visit_column(
        self, visit_id: int, column: str, value: str | None, what: str, actor: str | None
    ) -> None:
        """Change one column of a visit and journal its before/after, in one action."""
        with self._writing(what, actor):
            before = self._visit(visit_id)
            self.conn.execute(
                f"UPDATE visits SET {column} = ?, updated_at = ? WHERE id = ?",
                (value, self.now_iso(), visit_id),
            )
            self.append(f"visit.{column}", patient_id=int(before["patient_id"]),  # type: ignore[arg-type]
                        before={"visit": visit_id, column: before[column]},
                        after={"visit": visit_id, column: value})

    def move_visit(self, visit_id: int, delta: int, *, actor: str | None = None) -> None:
        """Move a visit `delta` places (negative: towards the top) within its day."""
        with self._writing("Déplacement dans la liste", actor):
            visit = self._visit(visit_id)
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM visits WHERE day = ? ORDER BY position, id", (visit["day"],)
                )
            ]
            old_index = ids.index(visit_id)
            new_index = max(0, min(len(ids) - 1, old_index + int(delta)))
            if new_index == old_index:
                return
            ids.insert(new_index, ids.pop(old_index))
            now = self.now_iso()
            self.conn.executemany(
                "UPDATE visits SET position = ?, updated_at = ? WHERE id = ? AND position != ?",
                [(pos, now, vid, pos) for pos, vid in enumerate(ids, start=1)],
            )
            self.append("visit.move", patient_id=int(visit["patient_id"]),  # type: ignore[arg-type]
                        before={"visit": visit_id, "rank": old_index + 1},
                        after={"visit": visit_id, "rank": new_index + 1})

    def visits_for_day(self, day: str | date | None = None) -> list[VisitRow]:
        the_day = day.isoformat() if isinstance(day, date) else (day or self.today())
        rows = self._read(
            "SELECT v.*, p.birth_name, p.first_name, p.first_names, p.used_name, "
            "p.used_first_name, p.birth_date, p.status, "
            # Partial index insi_queue_pending: one index probe per visit.
            "EXISTS (SELECT 1 FROM insi_queue q WHERE q.patient_id = v.patient_id "
            "AND q.done_at IS NULL) AS insi_pending "
            "FROM visits v JOIN patients p ON p.id = v.patient_id "
            "WHERE v.day = ? ORDER BY v.position, v.id",
            (the_day,),
        )
        return [visit_from_row(r) for r in rows]
