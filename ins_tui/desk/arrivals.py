"""The day's waiting list: who arrived, in what order, and where they are now."""

from __future__ import annotations

from datetime import date
from typing import Any

from ins_tui.desk.base import DeskBase, DeskError
from ins_tui.desk.results import VisitState


class ArrivalsMixin(DeskBase):
    def day_list(self, day: date | None = None) -> list[Any]:
        with self._lock:
            return self.store.visits_for_day(day or self.clock.now().date())

    def data_version(self) -> int:
        """Cheap change detector: the UI polls it to refresh only when something changed."""
        with self._lock:
            return self.store.data_version()

    def add_arrival(self, patient_id: int, practitioner: str) -> int:
        with self._lock:
            self._record(patient_id)
            return self.store.add_arrival(patient_id, practitioner, actor=self.actor)

    def move_arrival(self, visit_id: int, delta: int) -> None:
        with self._lock, self.store.action(self.actor, "déplacement dans la file"):
            self.store.move_visit(visit_id, delta)

    def set_arrival_state(self, visit_id: int, state: VisitState | str) -> None:
        try:
            state = VisitState(state)
        except ValueError:
            raise DeskError(f"État de passage inconnu : « {state} ».") from None
        with self._lock, self.store.action(self.actor, f"passage : {state.label_fr}"):
            self.store.set_visit_state(visit_id, state.value)
