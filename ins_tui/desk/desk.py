"""The front desk: one object the UI holds, gathering the use cases by concern."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ins_tui.desk.apcv import ApcvMixin
from ins_tui.desk.arrivals import ArrivalsMixin
from ins_tui.desk.insi_flow import InsiFlowMixin
from ins_tui.desk.journal import JournalMixin
from ins_tui.desk.merge import MergeFlowMixin
from ins_tui.desk.qualify import QualifyMixin
from ins_tui.desk.scan_flow import ScanFlowMixin

if TYPE_CHECKING:
    from ins_tui.config import Config
    from ins_tui.desk.ports import ApcvSource, Clock, InsiService


class Desk(ScanFlowMixin, InsiFlowMixin, QualifyMixin, ApcvMixin, ArrivalsMixin, JournalMixin,
           MergeFlowMixin):
    """`Desk(store, insi, clock, actor, *, documents=..., apcv=None)`; see docs/interfaces.md."""

    @classmethod
    def from_config(
        cls, store: Any, insi: InsiService | None, config: Config, *, clock: Clock,
        actor: str = "", apcv: ApcvSource | None = None,
    ) -> Desk:
        """The one place the practice's settings reach the desk, so production and
        training cannot drift apart (production once ignored the birthplace policy)."""
        return cls(store, insi, clock, actor, documents=config.documents, apcv=apcv,
                   missing_birthplace_blocks=config.missing_birthplace_blocks_match)

    def output_status_fr(self, patient_id: int) -> str | None:
        """What the identity screen says of the identity's sending (FHIR, HL7), e.g.
        « FHIR : en attente d'envoi (3 essais, prochain à 10 h 32) »; None: nothing queued."""
        from ins_tui.desk.outbound import output_status_fr

        return output_status_fr(self.store, patient_id, self.clock.now())
