"""State and helpers shared by the use-case modules; the one place the desk touches the store.

Thread safety: the UI calls desk methods from thread workers, the retry scheduler from its
own thread. One re-entrant lock serialises every store access of this desk; the INSi
network call is always made *outside* it so a slow téléservice never freezes the waiting
list. Other processes on the same file are handled by the store (BEGIN IMMEDIATE, WAL).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ins_tui.desk.ports import ApcvSource, Clock, InsiService, SystemClock
from ins_tui.domain.model import Status, Traits

if TYPE_CHECKING:
    from ins_tui.domain.status import IdentityState
    from ins_tui.store.patients import PatientRecord

log = logging.getLogger("ins_tui.desk")

DEFAULT_DOCUMENTS = ("CN", "PA", "CS", "eCN", "IN", "AN", "LE", "LEP", "CC")


class DeskError(Exception):
    """A use case refused; `message_fr` is shown as is."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


def pseudonym(patient_id: int | None, matricule: str | None = None) -> str:
    """What application logs may say about a patient: an id, or a hash of the matricule."""
    from ins_tui.domain.masking import fingerprint

    if matricule:
        return "ins#" + fingerprint(matricule)
    return f"patient#{patient_id}"


def traits_dict(traits: Traits | None) -> dict[str, Any] | None:
    if traits is None:
        return None
    return {
        "birth_name": traits.birth_name,
        "first_names": traits.first_names,
        "sex": traits.sex.value if traits.sex else None,
        "birth_date": traits.birth_date,
        "birthplace": traits.birthplace,
        "first_name": traits.first_name,
        "used_name": traits.used_name,
        "used_first_name": traits.used_first_name,
    }


class DeskBase:
    def __init__(
        self,
        store: Any,
        insi: InsiService | None,
        clock: Clock | None = None,
        actor: str = "",
        *,
        documents: Sequence[str] = DEFAULT_DOCUMENTS,
        apcv: ApcvSource | None = None,
        missing_birthplace_blocks: bool = False,
    ) -> None:
        self.store = store
        self.insi = insi
        self.clock: Clock = clock or SystemClock()
        self.actor = actor or _system_user()
        self.documents = tuple(documents)
        self.apcv = apcv
        self.missing_birthplace_blocks = missing_birthplace_blocks
        self._lock = threading.RLock()

    @property
    def cog(self) -> Any:
        """COG tables, loaded on first use (≈0.2 s) so a desk that never checks a form
        or compares traits never pays for them."""
        from ins_tui.refdata import load_cog

        return load_cog()

    # -- reads -----------------------------------------------------------------------
    def _record(self, patient_id: int) -> PatientRecord:
        rec = self.store.get_patient(patient_id)
        if rec is None:
            raise DeskError(f"Patient introuvable (n° {patient_id}).")
        return rec

    @staticmethod
    def _state(rec: PatientRecord) -> IdentityState:
        """The machine's state for a record.

        The store keeps no `apcv` column: a QUAL identity not retrieved through INSi can
        only come from the appli carte Vitale, so the fact is recovered from the status.
        """
        from ins_tui.domain.status import IdentityState

        apcv = getattr(rec, "apcv", None)
        if apcv is None:
            apcv = rec.status is Status.QUAL and not rec.insi_retrieved
        return IdentityState(rec.status, frozenset(rec.attributes), rec.insi_retrieved,
                             rec.document_checked, bool(apcv))

    # -- writes (call inside `with self.store.action(...)`) ------------------------------
    def _transition(self, rec: PatientRecord, event: object) -> IdentityState:
        """Apply one status-machine event and persist it; the INS follows the machine.

        When the new state says the identity no longer comes from INSi (unlock, douteuse,
        fictive, INS invalidated), the stored INS is cleared here so no caller can forget.
        """
        from ins_tui.domain.status import apply

        before = self._state(rec)
        after = apply(before, event)
        self.store.set_identity_state(rec.id, after)
        if not (after.insi_retrieved or after.apcv) and rec.ins is not None:
            self.store.clear_ins(rec.id)
        return after

    def _journal(
        self,
        what: str,
        patient_id: int | None,
        *,
        before: Any = None,
        after: Any = None,
        raw_request: bytes | None = None,
        raw_response: bytes | None = None,
    ) -> None:
        self.store.append(
            what,
            patient_id=patient_id,
            before=before,
            after=after,
            insi_request=raw_request,
            insi_response=raw_response,
        )


def status_label(status: Status) -> str:
    return {
        Status.PROV: "provisoire",
        Status.RECUP: "récupérée",
        Status.VALI: "validée",
        Status.QUAL: "qualifiée",
    }[status]


def _system_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "inconnu"
