"""An INS datamatrix was scanned: find the patient, then verify the INS with INSi like a card.

A datamatrix is printed by another system: it may be old, for someone else, or forged, so
it never qualifies by itself (docs/decisions.md, « Datamatrix INS scanné »). It is used
the way a carte Vitale is: as a key to *find* the local patient (by INS, then by traits,
through the card flow's own `_find_local`) and to *ask* INSi. The INSi answer, not the
label, becomes the identity: the scanned matricule is never stored as the patient's INS.

INSi offers no verification operation to this client (insi/client.py has the traits and
the Vitale searches only), so the verification is the traits search the desk already
makes, on channel CB, plus one check here: the INS INSi returns must be the label's (or
one the label's has been replaced by, then the label is old and INSi's is kept). Anything
else is refused before any import. The check works for a background retry too: the scan
is recorded as a dated identity source (channel CB) carrying a fingerprint of the scanned
matricule, and the answer is judged against the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ins_tui.desk.base import log, pseudonym
from ins_tui.desk.card_flow import _no_insi_message
from ins_tui.desk.insi_flow import InsiFlowMixin
from ins_tui.desk.results import CardMatch, InsiResult, InsiResultKind, PreparedIdentity
from ins_tui.domain.datamatrix import ScannedIns
from ins_tui.domain.masking import fingerprint
from ins_tui.domain.model import Channel, Ins, InsIdentity

SCAN_ACTION = "datamatrix"  # identity_events.detail.action of a scan
SEARCHING = "Patient trouvé : vérification de l'INS du datamatrix auprès de l'INSi en cours."
NEW_PATIENT = ("Nouveau patient : identité préparée depuis le datamatrix, vérification de "
               "l'INS auprès de l'INSi en cours.")
CONFIRMED = "Datamatrix confirmé par l'INSi. "
FORMER = ("Datamatrix ancien : son INS a été remplacé, l'INS actuel renvoyé par l'INSi est "
          "retenu. ")
NOT_CONFIRMED = ("L'INSi ne confirme pas le datamatrix : pour ces traits, il renvoie un autre "
                 "INS que celui de l'étiquette (étiquette d'un autre patient, altérée ou "
                 "falsifiée). Rien n'a été importé ; vérifier l'étiquette et la pièce "
                 "d'identité, puis rechercher l'INS par les traits (i).")
NO_SCAN = ("Aucun datamatrix enregistré pour ce patient : l'INS ne peut pas être vérifié par "
           "ce canal. Rechercher l'INS par les traits (i).")
CONFLICT = ("Le datamatrix porte un autre INS que celui du dossier : étiquette d'un autre "
            "patient ou dossier à vérifier. Rien n'a été modifié.")
SEVERAL_BY_INS = ("Plusieurs dossiers portent l'INS de ce datamatrix : doublon à résoudre "
                  "(recherche) avant toute vérification ; rien n'a été enregistré.")
SEVERAL_BY_TRAITS = ("Plusieurs dossiers ont les traits de ce datamatrix : doublon à résoudre "
                     "(recherche) avant toute vérification ; rien n'a été enregistré.")


@dataclass(frozen=True)
class ScannedIdentity(PreparedIdentity):
    """A patient to create from a scanned datamatrix (no card: `beneficiary` is None)."""

    scanned: ScannedIns | None = None


class ScanFlowMixin(InsiFlowMixin):
    def match_scanned(self, scanned: ScannedIns) -> CardMatch:
        """The card flow's answer for a scan: the patient found (or to create) and whether
        the INSi verification starts now. A found patient's scan is recorded (channel CB)."""
        ins, traits = scanned.ins, scanned.traits
        with self._lock:
            if len(self.store.find_by_nir(ins.number)) > 1:
                return CardMatch(None, None, None, False, SEVERAL_BY_INS)
            rec, found_by = self._find_local(ins.number, traits)
            if rec is None:
                if traits.first_name and len(self.store.find_by_traits(
                        traits.birth_name, traits.first_name, traits.birth_date)) > 1:
                    return CardMatch(None, None, None, False, SEVERAL_BY_TRAITS)
                prepared = ScannedIdentity(traits, None, None, scanned)  # type: ignore[arg-type]
                return CardMatch(None, prepared, None, True, NEW_PATIENT)
            known = self._known_matricules(rec)
            conflict = rec.ins is not None and ins.matricule not in known
            with self.store.action(self.actor, "datamatrix INS lu"):
                self._record_scan(rec.id, ins, concordant=not conflict if rec.ins else None)
        log.info("datamatrix scanned for %s (found by %s)", pseudonym(rec.id), found_by)
        if conflict:
            return CardMatch(rec, None, found_by, False, CONFLICT)
        needs = self._needs_insi(rec)
        if needs:
            return CardMatch(rec, None, found_by, True, SEARCHING)
        said = _no_insi_message(rec)
        if rec.ins is not None and rec.ins.matricule == ins.matricule:
            said += " Datamatrix concordant avec l'INS du dossier."
        elif rec.ins is not None:
            said += " Datamatrix ancien : le dossier porte déjà l'INS actuel."
        return CardMatch(rec, None, found_by, False, said)

    def save_prepared(self, prepared: PreparedIdentity) -> int:
        """A scanned new patient is created on channel CB with its scan, in one action."""
        if not isinstance(prepared, ScannedIdentity) or prepared.scanned is None:
            return super().save_prepared(prepared)
        what = "création du patient depuis un datamatrix INS"
        with self._lock, self.store.action(self.actor, what):
            patient_id = self._create(prepared.traits, Channel.DATAMATRIX, what)
            self._record_scan(patient_id, prepared.scanned.ins, concordant=None)
        return patient_id

    # -- the INSi answer to a CB search, judged against the label ------------------------
    def _on_found(self, rec: Any, outcome: Any, channel: Channel) -> InsiResult:
        import dataclasses

        result = super()._on_found(rec, outcome, channel)
        if channel is not Channel.DATAMATRIX:
            return result
        verdict = self._scan_verdict(rec.id, outcome.identity)
        if verdict in ("same", "former"):
            prefix = CONFIRMED if verdict == "same" else FORMER
            return dataclasses.replace(result, message_fr=prefix + result.message_fr)
        what = "datamatrix non confirmé par l'INSi"
        with self.store.action(self.actor, what):
            self._journal(what, rec.id, after={"verdict": verdict, "canal": channel.value})
        log.warning("datamatrix not confirmed by INSi for %s (%s)", pseudonym(rec.id), verdict)
        return InsiResult(InsiResultKind.REFUSED, rec.id,
                          NO_SCAN if verdict == "no_scan" else NOT_CONFIRMED)

    def _scan_verdict(self, patient_id: int, identity: InsIdentity) -> str:
        """same | former | other | no_scan: the latest scan of this patient vs INSi's INS."""
        scanned = None
        for event in reversed(self.store.identity_events(patient_id)):
            detail = event.get("detail") or {}
            if event.get("channel") == Channel.DATAMATRIX.value and (
                    detail.get("action") == SCAN_ACTION):
                scanned = detail.get("ins")
                break
        if not scanned:
            return "no_scan"
        if fingerprint(identity.ins.matricule) == scanned:
            return "same"
        if any(fingerprint(h.ins.matricule) == scanned for h in identity.history):
            return "former"
        return "other"

    def _known_matricules(self, rec: Any) -> set[str]:
        known = {rec.ins.matricule} if rec.ins is not None else set()
        for row in self.store.ins_history(rec.id):
            known.add(f"{row['number']}{row['key']}")
        return known

    def _record_scan(self, patient_id: int, ins: Ins, *, concordant: bool | None) -> None:
        """The scan as a dated identity source; the matricule only as a fingerprint, since
        an unverified label's number is not the patient's INS."""
        detail = {"action": SCAN_ACTION, "ins": fingerprint(ins.matricule), "oid": ins.oid}
        self.store.add_identity_event(patient_id, Channel.DATAMATRIX, detail)
        self._journal("datamatrix INS lu (INS non vérifié)", patient_id,
                      after={"oid": ins.oid, "concordant_dossier": concordant})
