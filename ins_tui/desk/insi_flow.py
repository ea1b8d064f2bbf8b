"""Retrieving the INS: call INSi, compare, import on a perfect match, or hand the choice back.

"Perfect match" is the domain's `Comparison.perfect` (domain/compare.py, one definition);
the desk only acts on it: import the INS traits, the INS and its history, and move the
status through the machine (PROV → RECUP, VALI → QUAL). The human qualification step still
follows (identity-rules §10). Every attempt is journaled with its raw XML, whatever the
outcome. A technical failure never loses the request: it goes to the retry queue in the
database and the desk keeps working.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ins_tui.desk.base import DeskBase, DeskError, log, pseudonym, traits_dict
from ins_tui.desk.card_flow import CardFlowMixin
from ins_tui.desk.results import (
    ActionOutcome,
    DiffChoice,
    InsiResult,
    InsiResultKind,
    PreparedIdentity,
)
from ins_tui.desk.retry import next_delay
from ins_tui.domain.model import Channel, InsIdentity, Traits

if TYPE_CHECKING:
    from ins_tui.domain.compare import Comparison

MATCH_MESSAGE = ("Correspondance parfaite : traits INS importés (identité récupérée). "
                 "Entrée : qualifier l'identité")
CR01_MESSAGE = ("Aucune identité trouvée (CR 01). Relancer avec plus de critères : lieu de "
                "naissance, autres prénoms de naissance.")
CR02_MESSAGE = ("Plusieurs identités trouvées (CR 02). Relancer avec plus de critères : lieu "
                "de naissance, autres prénoms de naissance.")
QUEUED_SUFFIX = (" La demande est conservée et sera relancée automatiquement (prochain "
                 "essai vers {at}) ; l'accueil peut continuer.")
REQUIRED = (("birth_name", "le nom de naissance"), ("first_names", "les prénoms"),
            ("sex", "le sexe"), ("birth_date", "la date de naissance"))


def verdict_message(comparison: Comparison) -> str:
    """What the comparison found, saying what was *not* compared (issue 12, F5).

    « Correspondance parfaite » beside a birthplace absent on one side would claim a
    check that was not made: the sentence names each trait missing on a side, whether
    the `missing_birthplace_blocks_match` setting let the match through or not.
    """
    from ins_tui.domain.compare import Verdict

    def side(row: Any) -> str:
        if not row.local and not row.ins:
            return "des deux côtés"
        return "côté local" if not row.local else "côté INS"

    missing = [f"{r.label_fr.lower()} absent {side(r)}"
               for r in comparison.rows if r.verdict is Verdict.MISSING]
    differing = [r.label_fr.lower() for r in comparison.rows if r.verdict is Verdict.DIFFERENT]
    if comparison.perfect and not missing:
        return MATCH_MESSAGE
    if comparison.perfect:
        rest = MATCH_MESSAGE.split(" : ", 1)[1]
        return (f"Correspondance sur les traits comparés ({', '.join(missing)} : non comparé). "
                + rest[0].upper() + rest[1:])
    said = []
    if differing:
        said.append("différents : " + ", ".join(differing))
    if missing:
        said.append(", ".join(missing) + " (correspondance non confirmée sur ce trait)")
    return (f"Traits INS à vérifier ({' ; '.join(said)}) : adopter les traits INS, garder "
            "l'identité provisoire, ou la marquer douteuse.")


def _attempts(outcome: Any) -> list[Any]:
    return list(getattr(outcome, "attempts", ()) or ())


def _raw(attempt: Any, *names: str) -> bytes | None:
    for name in names:
        value = getattr(attempt, name, None)
        if value is not None:
            return value
    return None


class InsiFlowMixin(CardFlowMixin, DeskBase):
    _retry_delay: Callable[[int], float] = staticmethod(next_delay)  # type: ignore[assignment]

    def compare_policy(self, local: Traits, channel: Channel) -> Any:
        """The domain's policy, with two desk facts.

        - A missing birthplace blocks the match only if the practice says so
          (`Config.missing_birthplace_blocks_match`): a card carries no birthplace.
        - A card holds one first name, never the list: when the local list is that single
          card first name (channel CV), a longer INS list starting with it is not a
          difference but the part the card could not give.
        """
        from ins_tui.domain.compare import ComparePolicy

        single = bool(local.first_names) and " " not in local.first_names.strip()
        return ComparePolicy(
            missing_birthplace_blocks=self.missing_birthplace_blocks,
            partial_first_names_ok=channel is Channel.CARTE_VITALE and single,
        )

    # -- public ------------------------------------------------------------------------
    def retrieve_ins(
        self,
        target: int | PreparedIdentity,
        channel: Channel = Channel.CARTE_VITALE,
        *,
        birthplace: str | None = None,
        first_names: str | None = None,
    ) -> InsiResult:
        """Blocking INSi search for one patient (call it from a worker thread)."""
        with self._lock:
            if isinstance(target, PreparedIdentity):
                if not self._search_ready(target.traits)[0]:
                    return InsiResult(InsiResultKind.REFUSED, None,
                                      self._search_ready(target.traits)[1])
                patient_id = self.save_prepared(target)
            else:
                patient_id = target
            rec = self._record(patient_id)
            refusal = self._refusal(rec)
            if refusal:
                return InsiResult(InsiResultKind.REFUSED, patient_id, refusal)
            traits = rec.traits
            if first_names:
                traits = dataclasses.replace(traits, first_names=first_names)
            ready, why = self._search_ready(traits)
            if not ready:
                return InsiResult(InsiResultKind.REFUSED, patient_id, why)
        return self._search(patient_id, traits, channel, birthplace or traits.birthplace,
                            queue_id=None, attempts_before=0)

    def resolve_differences(self, result: InsiResult, choice: DiffChoice) -> ActionOutcome:
        """The secretary's answer to a comparison with differences; each choice journaled."""
        from ins_tui.domain.model import Attribute
        from ins_tui.domain.status import (
            AttributeSet,
            IdentityState,
            InsiMatched,
            TransitionRefused,
            apply,
        )

        if result.kind is not InsiResultKind.DIFFERENT or result.patient_id is None:
            raise DeskError("Aucune comparaison en attente de décision.")
        pid = result.patient_id
        with self._lock:
            rec = self._record(pid)
            try:
                with self.store.action(self.actor, f"différences INSi : {choice.label_fr}"):
                    if choice is DiffChoice.ADOPT_INS:
                        assert result.identity is not None
                        # The document (if any) was checked against the *old* traits: the
                        # adopted identity is RECUP and must be checked again.
                        fresh = IdentityState.build(self._state(rec).attributes)
                        after = apply(fresh, InsiMatched())
                        self._import(rec, result.identity, result.channel or Channel.INSI)
                        self.store.set_identity_state(pid, after)
                        msg = ("Traits INS adoptés (identité récupérée). "
                               "Entrée : qualifier l'identité")
                    elif choice is DiffChoice.KEEP_PROVISIONAL:
                        after = self._state(rec)
                        msg = "Identité locale conservée, sans INS."
                    else:
                        after = self._transition(rec, AttributeSet(Attribute.DOUTEUSE))
                        msg = "Identité marquée douteuse : plus d'appel INSi."
                    self._journal(
                        f"différences INSi : {choice.label_fr}", pid,
                        before=traits_dict(rec.traits),
                        after={"choix": choice.name, "statut": after.status.value,
                               "traits_ins": traits_dict(result.identity.traits)
                               if result.identity else None},
                    )
            except TransitionRefused as exc:
                return ActionOutcome(False, str(exc), rec.status)
        return ActionOutcome(True, msg, after.status)

    def pending_retries(self) -> int:
        with self._lock:
            return len(self.store.pending_insi())

    # -- internals -----------------------------------------------------------------------
    def _refusal(self, rec: Any) -> str | None:
        from ins_tui.domain.status import insi_call_allowed

        state = self._state(rec)
        if not insi_call_allowed(state):
            return "Identité douteuse ou fictive : l'appel INSi est interdit."
        return None

    @staticmethod
    def _search_ready(traits: Traits) -> tuple[bool, str]:
        missing = [label for name, label in REQUIRED if not getattr(traits, name)]
        if missing:
            return False, "Recherche INS impossible : préciser " + ", ".join(missing) + "."
        return True, ""

    def _search(
        self, patient_id: int, traits: Traits, channel: Channel, birthplace: str | None,
        *, queue_id: int | None, attempts_before: int,
    ) -> InsiResult:
        from ins_tui.insi.outcomes import ErrorKind, Found, InsiError, NotFound, SeveralFound

        if self.insi is None:
            outcome: Any = None
            error_fr = "Service INSi non configuré."
        else:
            try:
                outcome = self.insi.search_traits(traits, birthplace=birthplace)
                error_fr = getattr(outcome, "message_fr", "") if isinstance(
                    outcome, InsiError) else ""
            except Exception as exc:  # transport bugs must not lose the request either
                log.warning("INSi call raised %s for %s", type(exc).__name__,
                            pseudonym(patient_id))
                outcome, error_fr = None, "Erreur inattendue lors de l'appel INSi."
        with self._lock:
            rec = self._record(patient_id)
            if isinstance(outcome, Found):
                result = self._on_found(rec, outcome, channel)
                kind_word = "trouvée"
            elif isinstance(outcome, NotFound):
                result = InsiResult(InsiResultKind.NOT_FOUND, patient_id, CR01_MESSAGE)
                kind_word = "CR 01"
            elif isinstance(outcome, SeveralFound):
                result = InsiResult(InsiResultKind.SEVERAL, patient_id, CR02_MESSAGE)
                kind_word = "CR 02"
            elif isinstance(outcome, InsiError) and not _retryable(outcome):
                refused_locally = outcome.kind is ErrorKind.INVALID_INPUT
                # An incoherent answer is INSi's doing, not the configuration's: asking
                # again would get the same answer, so it is not queued either.
                suffix = (" (la demande n'est pas relancée)"
                          if outcome.kind is ErrorKind.INCOHERENT
                          else " (à corriger dans la configuration ; la demande n'est pas "
                          "relancée)")
                result = InsiResult(
                    InsiResultKind.REFUSED if refused_locally else InsiResultKind.FAILED,
                    patient_id,
                    outcome.message_fr if refused_locally else outcome.message_fr + suffix,
                )
                kind_word = "refusée" if refused_locally else f"erreur {outcome.kind.value}"
            else:
                result = None
                kind_word = "échec"
            with self.store.action(self.actor, f"recherche INSi : {kind_word}"):
                self._journal_attempts(patient_id, outcome, channel, kind_word)
                if result is None:
                    result = self._queue(patient_id, traits, channel, error_fr, queue_id,
                                         attempts_before)
                else:
                    if result.kind is InsiResultKind.MATCHED:
                        self._apply_match(rec, result.identity, channel)
                    # A definitive answer settles every request still queued for this
                    # patient (the one being retried and any older one), so the list's
                    # « INSi en attente » mark goes away with it.
                    for item in self.store.pending_insi():
                        if item.patient_id == patient_id:
                            self.store.insi_done(item.id)
                    self.store.add_identity_event(patient_id, channel,
                                                  {"action": "insi", "resultat": kind_word})
        result = dataclasses.replace(result, channel=channel)
        log.info("INSi %s for %s", result.kind.value, pseudonym(patient_id))
        return result

    def _on_found(self, rec: Any, outcome: Any, channel: Channel) -> InsiResult:
        from ins_tui.domain.compare import compare_traits

        identity: InsIdentity = outcome.identity
        comparison: Comparison = compare_traits(
            rec.traits, identity.traits, self.compare_policy(rec.traits, channel), cog=self.cog
        )
        kind = InsiResultKind.MATCHED if comparison.perfect else InsiResultKind.DIFFERENT
        return InsiResult(kind, rec.id, verdict_message(comparison), comparison, identity)

    def _apply_match(self, rec: Any, identity: InsIdentity | None, channel: Channel) -> None:
        from ins_tui.domain.status import InsiMatched

        assert identity is not None
        self._import(rec, identity, channel)
        after = self._transition(self._record(rec.id), InsiMatched())
        self._journal("correspondance parfaite : traits INS importés", rec.id,
                      before=traits_dict(rec.traits),
                      after={"traits": traits_dict(identity.traits),
                             "statut": after.status.value})

    def _import(self, rec: Any, identity: InsIdentity, channel: Channel) -> None:
        """INS traits stored exactly as received and locked (used names stay local)."""
        self.store.set_ins(rec.id, identity, channel=channel, import_traits=True)

    def _queue(
        self, patient_id: int, traits: Traits, channel: Channel, error_fr: str,
        queue_id: int | None, attempts_before: int,
    ) -> InsiResult:
        if queue_id is None:
            queue_id = self.store.enqueue_insi(patient_id, traits, channel)
        delay = self._retry_delay(attempts_before + 1)
        next_at = self.clock.now() + _seconds(delay)
        self.store.insi_attempt_failed(queue_id, error_fr or "échec", next_at)
        msg = (error_fr or "Service INSi injoignable.") + QUEUED_SUFFIX.format(
            at=next_at.strftime("%H h %M"))
        return InsiResult(InsiResultKind.QUEUED, patient_id, msg, queue_id=queue_id,
                          retry_at=next_at)

    def _journal_attempts(self, patient_id: int, outcome: Any, channel: Channel,
                          kind_word: str) -> None:
        attempts = _attempts(outcome)
        if not attempts:
            self._journal(f"appel INSi ({channel.value}) : {kind_word}", patient_id)
            return
        # A refused CR 00: the row holding its bytes also says why (masked reasons).
        reason = {"motif": outcome.message_fr} if _incoherent(outcome) else None
        for n, attempt in enumerate(attempts, 1):
            # A bound cut the answer: the journal keeps its start and says so.
            cut = " (réponse tronquée : seul son début est conservé)" if getattr(
                attempt, "truncated", False) else ""
            self._journal(
                f"appel INSi ({channel.value}) {n}/{len(attempts)} : {kind_word}{cut}",
                patient_id,
                after=reason if n == len(attempts) else None,
                raw_request=_raw(attempt, "request_xml", "request", "raw_request"),
                raw_response=_raw(attempt, "response_xml", "response", "raw_response"),
            )

    def _run_due_retries(self, delay_for: Callable[[int], float]) -> list[InsiResult]:
        """One pass over the due queue (called by RetryScheduler.tick)."""
        self._retry_delay = delay_for  # type: ignore[assignment]
        with self._lock:
            due = list(self.store.due_insi(self.clock.now()))
        results = []
        for item in due:
            results.append(self._retry_one(item))
        return results

    def _retry_one(self, item: Any) -> InsiResult:
        qid, pid = _field(item, "id"), _field(item, "patient_id")
        with self._lock:
            rec = self._record(pid)
            state = self._state(rec)
            refusal = self._refusal(rec)
            if refusal or state.insi_retrieved:
                # Status changed meanwhile (retrieved elsewhere, marked douteuse): drop it.
                with self.store.action(self.actor, "relance INSi abandonnée"):
                    self.store.insi_done(qid)
                    self._journal("relance INSi sans objet", pid)
                return InsiResult(InsiResultKind.REFUSED, pid,
                                  refusal or "INS déjà récupéré : relance abandonnée.")
            traits = _field(item, "traits") or rec.traits
            channel = Channel(_field(item, "channel") or Channel.INSI)
            attempts = int(_field(item, "attempts") or 1)
        return self._search(pid, traits, channel, traits.birthplace, queue_id=qid,
                            attempts_before=attempts)


def _retryable(outcome: Any) -> bool:
    """Faults, timeouts and network errors come back by themselves; a bad certificate or
    an unknown software id do not, so retrying them would only hide the problem."""
    return bool(getattr(outcome, "retryable", True))


def _incoherent(outcome: Any) -> bool:
    from ins_tui.insi.outcomes import ErrorKind

    return getattr(outcome, "kind", None) is ErrorKind.INCOHERENT


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def _seconds(delay: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=delay)
