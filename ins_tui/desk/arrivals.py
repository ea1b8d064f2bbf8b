"""The day's waiting list: who arrived, in what order, and where they are now.

Order shown (the one a secretary reads from the top, docs/decisions.md): the people still
waiting first, in their order of passage (arrival order as moved by the desk), then those
in consultation, then those who left. Moving a visit therefore moves it among the visits in
the same state, so "+" always makes it pass the line just above it on screen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ins_tui.desk.base import DeskBase, DeskError
from ins_tui.desk.results import VisitState

# Rank of each state in the list (unknown states, if any, go last).
STATE_RANK = {VisitState.EN_ATTENTE: 0, VisitState.EN_CONSULTATION: 1, VisitState.PARTI: 2}


def list_order(visit: Any) -> tuple[int, int, int]:
    """Sort key of a visit in the waiting list: state group, then order of passage."""
    return (STATE_RANK.get(visit.state, len(STATE_RANK)), visit.position, visit.id)


ACTIVE_STATES = (VisitState.EN_ATTENTE, VisitState.EN_CONSULTATION)


class AlreadyInList(DeskError):
    """The patient already has a line in today's list that is not closed."""

    def __init__(self, record: Any, visit: Any) -> None:
        from ins_tui.desk.patients import patient_label

        super().__init__(
            f"{patient_label(record.traits)} est déjà dans la file du jour (arrivée à "
            f"{visit.arrived_at[11:16]}, {VisitState(visit.state).label_fr}) : rien n'a "
            "été ajouté."
        )
        self.visit_id = visit.id


class ArrivalsMixin(DeskBase):
    def day_list(self, day: date | None = None) -> list[Any]:
        with self._lock:
            rows = self.store.visits_for_day(day or self.clock.now().date())
        return sorted(rows, key=list_order)

    def data_version(self) -> int:
        """Cheap change detector: the UI polls it to refresh only when something changed."""
        with self._lock:
            return self.store.data_version()

    def in_list_today(self, patient_id: int) -> bool:
        """Waiting or in consultation today (a visit that ended does not count)."""
        with self._lock:
            return any(v.patient_id == patient_id and v.state in ACTIVE_STATES
                       for v in self.store.visits_for_day(self.clock.now().date()))

    def add_arrival(self, patient_id: int, practitioner: str) -> int:
        """Refuses (`AlreadyInList`) a patient still waiting or in consultation today.

        Two lines for one person would have the practitioner call them twice and split
        what happens to them over two rows; one who left and came back is a new visit.
        The check and the insert share one write transaction, so two desks adding the
        same patient at the same instant still give one line.
        """
        with self._lock:
            rec = self._record(patient_id)
            with self.store.action(self.actor, "Arrivée"):
                for visit in self.store.visits_for_day(self.clock.now().date()):
                    if visit.patient_id == patient_id and visit.state in ACTIVE_STATES:
                        raise AlreadyInList(rec, visit)
                return self.store.add_arrival(patient_id, practitioner, actor=self.actor)

    def move_arrival(self, visit_id: int, delta: int) -> None:
        """Move a visit `delta` places among the visits in its state (as listed)."""
        with self._lock, self.store.action(self.actor, "déplacement dans la file"):
            self.store.move_visit(visit_id, self._raw_delta(visit_id, delta))

    def _raw_delta(self, visit_id: int, delta: int) -> int:
        """The store moves by position over the whole day; the list groups by state, so a
        step on screen may jump over visits of other states in the store's order."""
        by_position = sorted(self.store.visits_for_day(self.clock.now().date()),
                             key=lambda v: (v.position, v.id))
        ids = [v.id for v in by_position]
        if visit_id not in ids:
            return delta  # another day: plain positions
        state = by_position[ids.index(visit_id)].state
        group = [v.id for v in by_position if v.state == state]
        index = group.index(visit_id)
        target = group[max(0, min(len(group) - 1, index + delta))]
        return ids.index(target) - ids.index(visit_id)

    def set_arrival_state(self, visit_id: int, state: VisitState | str) -> None:
        try:
            state = VisitState(state)
        except ValueError:
            raise DeskError(f"État de passage inconnu : « {state} ».") from None
        with self._lock, self.store.action(self.actor, f"passage : {state.label_fr}"):
            self.store.set_visit_state(visit_id, state.value)
