"""Reading the audit trail (writes happen inside each use case's action)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ins_tui.desk.base import DeskBase


class JournalMixin(DeskBase):
    def journal_for_patient(self, patient_id: int) -> list[Any]:
        with self._lock:
            return list(self.store.journal_for_patient(patient_id))

    def journal_for_day(self, day: date | None = None) -> list[Any]:
        with self._lock:
            return list(self.store.journal_for_day(day or self.clock.now().date()))
