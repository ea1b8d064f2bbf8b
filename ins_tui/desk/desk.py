"""The front desk: one object the UI holds, gathering the use cases by concern."""

from __future__ import annotations

from ins_tui.desk.apcv import ApcvMixin
from ins_tui.desk.arrivals import ArrivalsMixin
from ins_tui.desk.insi_flow import InsiFlowMixin
from ins_tui.desk.journal import JournalMixin
from ins_tui.desk.qualify import QualifyMixin


class Desk(InsiFlowMixin, QualifyMixin, ApcvMixin, ArrivalsMixin, JournalMixin):
    """`Desk(store, insi, clock, actor, *, documents=..., apcv=None)`; see docs/interfaces.md."""
