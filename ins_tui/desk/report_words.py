"""How the journal's INSi words read, and why a seen patient is not QUAL (desk/report.py).

The words parsed here are written by desk/insi_flow.py (`_journal_attempts`): « appel INSi
(CV) 1/2 : trouvée », « … : CR 01 », « … : erreur tls », « … : échec ». They are kept in
one module so that a change of wording there has one place to follow here, and
tests/desk/test_report.py runs the real flow so that such a change fails a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ins_tui.domain.model import Attribute, Status


class Outcome(StrEnum):
    """How one INSi search ended (stable English keys of the JSON)."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    SEVERAL = "several"
    REFUSED = "refused"
    ERROR = "error"
    FAULT = "fault"

    @property
    def label_fr(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.FOUND: "identité trouvée (CR 00)",
    Outcome.NOT_FOUND: "aucune identité (CR 01)",
    Outcome.SEVERAL: "plusieurs identités (CR 02)",
    Outcome.REFUSED: "refusée avant envoi (traits)",
    Outcome.ERROR: "erreur de configuration",
    Outcome.FAULT: "échec technique",
}


class Reason(StrEnum):
    """Why a patient seen in the period is not QUAL at its end (stable English keys)."""

    FICTITIOUS = "fictitious"
    DOUBTFUL = "doubtful"
    DOCUMENT_MISSING = "document_missing"
    VALIDATED_NO_INSI = "validated_no_insi"
    NO_SEARCH = "no_search"
    NOT_FOUND = "not_found"
    SEVERAL = "several"
    DIFFERENCES = "differences"
    INS_REMOVED = "ins_removed"
    INSI_FAULT = "insi_fault"
    INSI_ERROR = "insi_error"
    TRAITS_REFUSED = "traits_refused"

    @property
    def label_fr(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.FICTITIOUS: "identité fictive (pas d'appel INSi)",
    Reason.DOUBTFUL: "identité douteuse (pas d'appel INSi)",
    Reason.DOCUMENT_MISSING: "INS récupéré, pièce d'identité à contrôler",
    Reason.VALIDATED_NO_INSI: "validée par pièce, INS jamais recherché",
    Reason.NO_SEARCH: "aucune recherche INS (ni carte Vitale ni traits)",
    Reason.NOT_FOUND: "INSi : aucune identité trouvée (CR 01)",
    Reason.SEVERAL: "INSi : plusieurs identités (CR 02)",
    Reason.DIFFERENCES: "traits INS différents des traits locaux",
    Reason.INS_REMOVED: "INS retiré (traits déverrouillés)",
    Reason.INSI_FAULT: "INSi injoignable au dernier essai",
    Reason.INSI_ERROR: "erreur INSi à corriger (configuration)",
    Reason.TRAITS_REFUSED: "traits refusés avant envoi (à corriger)",
}

_OUTCOME_REASON = {
    Outcome.FOUND: Reason.DIFFERENCES,  # found yet not RECUP/QUAL: the traits differed
    Outcome.NOT_FOUND: Reason.NOT_FOUND,
    Outcome.SEVERAL: Reason.SEVERAL,
    Outcome.REFUSED: Reason.TRAITS_REFUSED,
    Outcome.ERROR: Reason.INSI_ERROR,
    Outcome.FAULT: Reason.INSI_FAULT,
}

# « appel INSi (CV) 2/3 : CR 01 (réponse tronquée …) » or « appel INSi (INSI) : échec ».
_CALL = re.compile(r"^appel INSi \((?P<channel>[A-Z]+)\)(?: (?P<n>\d+)/(?P<of>\d+))? : "
                   r"(?P<word>.+?)(?: \(réponse tronquée.*)?$")
# InsiError kinds that are technical failures of the exchange, not of the configuration.
_FAULT_ERRORS = {"reponse_invalide"}
INS_CLEARED_EVENT = "patient.ins_cleared"


@dataclass(frozen=True, slots=True)
class Call:
    """One journal row of an INSi search, as the report reads it."""

    outcome: Outcome
    last: bool  # the search's final attempt (or its only row): counts the search once
    sent: bool  # a request went out (bytes journaled)
    answered: bool  # an answer came back (bytes journaled)
    detail: str  # the journal's word after the colon (e.g. « erreur tls »)


def parse_call(event: str, *, sent: bool, answered: bool) -> Call | None:
    """None for a journal row that is not an INSi attempt."""
    match = _CALL.match(event)
    if match is None:
        return None
    word = match["word"].strip()
    last = match["n"] is None or match["n"] == match["of"]
    return Call(_outcome_of(word), last, sent, answered, word)


def _outcome_of(word: str) -> Outcome:
    if word == "trouvée":
        return Outcome.FOUND
    if word == "CR 01":
        return Outcome.NOT_FOUND
    if word == "CR 02":
        return Outcome.SEVERAL
    if word == "refusée":
        return Outcome.REFUSED
    if word.startswith("erreur "):
        return Outcome.FAULT if word[7:] in _FAULT_ERRORS else Outcome.ERROR
    return Outcome.FAULT  # « échec »: network, timeout, service unavailable (queued)


def reason_for(status: Status, attributes: frozenset[str], last_insi: str | None) -> Reason:
    """Why an identity is not QUAL: its attributes first (they forbid INSi), then its
    status, then what INSi last said about it."""
    if Attribute.FICTIVE.value in attributes:
        return Reason.FICTITIOUS
    if Attribute.DOUTEUSE.value in attributes:
        return Reason.DOUBTFUL
    if status is Status.RECUP:
        return Reason.DOCUMENT_MISSING
    event, sent, answered = _split_last(last_insi)
    if event is None:
        return Reason.VALIDATED_NO_INSI if status is Status.VALI else Reason.NO_SEARCH
    if event == INS_CLEARED_EVENT:
        return Reason.INS_REMOVED
    call = parse_call(event, sent=sent, answered=answered)
    if call is None:
        return Reason.NO_SEARCH
    return _OUTCOME_REASON[call.outcome]


def _split_last(value: str | None) -> tuple[str | None, bool, bool]:
    if not value:
        return None, False, False
    event, _, flags = value.rpartition("\x1f")
    return event, flags[:1] == "1", flags[1:2] == "1"
