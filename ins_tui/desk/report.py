"""The qualification rate (Ségur indicator) for a period: one source for the screen and the CLI.

What is counted (docs/decisions.md, « Taux de qualification »):

- **visits**: rows of the waiting list whose day falls in [start, end) (local dates);
  **patients**: the distinct patients of those visits.
- **status of each patient at the end of the period**, not as stored now: every write to a
  patient journals its full row before and after (store/patients.py), so the state at the
  end is the *before* snapshot of the first patient row journaled on or after `end`, and
  the stored row when nothing changed since. A March report read in May therefore says
  what March's rate was, and does not improve because a patient was qualified in April.
- **INSi calls**: the journal's « appel INSi » rows written in the period. One search may
  send several requests (multi-first-name strategy): a search is counted once, by its
  outcome, and the requests actually sent are counted apart (`exchanges`).
- **faults**: searches that ended on a technical failure (network, timeout, service
  unavailable, unreadable answer), as opposed to a configuration error.
- **why a seen patient is not QUAL**: derived from their state at the end and from their
  last INSi outcome before it (`Reason`).

The journal words are read by desk/report_words.py (written by desk/insi_flow.py);
tests/desk/test_report.py runs the real flow against the real simulator so a change of
wording there fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ins_tui.desk.report_period import Period
from ins_tui.desk.report_words import (
    INS_CLEARED_EVENT,
    Outcome,
    Reason,
    parse_call,
    reason_for,
)
from ins_tui.domain.model import Status

# The list of not-qualified patients is bounded (the counts never are): a screen or a
# terminal page of more lines helps nobody, and the JSON says when it was cut.
MAX_LISTED = 5000
STATUS_ORDER = (Status.QUAL, Status.RECUP, Status.VALI, Status.PROV)


@dataclass(frozen=True, slots=True)
class InsiCounts:
    searches: int = 0
    exchanges: int = 0  # requests actually sent
    outcomes: dict[str, int] = field(default_factory=dict)  # Outcome value -> searches
    faults_no_answer: int = 0  # network or timeout: nothing came back
    faults_unavailable: int = 0  # the service answered with a fault (busy, down)
    faults_malformed: int = 0  # an answer came that could not be trusted

    @property
    def faults(self) -> int:
        return self.outcomes.get(Outcome.FAULT.value, 0)


@dataclass(frozen=True, slots=True)
class NotQualified:
    patient_id: int
    birth_name: str
    first_name: str
    used_name: str | None
    birth_date: str | None
    status: Status
    reason: Reason
    visits: int
    last_visit: str  # local date (ISO) of the patient's last visit in the period


@dataclass(frozen=True, slots=True)
class QualificationReport:
    period: Period
    generated_at: str
    visits: int
    patients: int
    statuses: dict[str, int]  # Status value -> distinct patients, at the end of the period
    insi: InsiCounts
    not_qualified: tuple[NotQualified, ...]
    not_qualified_total: int
    reasons: dict[str, int]  # Reason value -> patients
    missing_records: int = 0  # visits whose patient row no longer exists

    @property
    def qualified(self) -> int:
        return self.statuses.get(Status.QUAL.value, 0)

    def share(self, status: Status) -> float | None:
        """Share of the distinct patients seen; None when nobody was seen (no rate)."""
        if not self.patients:
            return None
        return self.statuses.get(status.value, 0) / self.patients

    @property
    def qualified_share(self) -> float | None:
        return self.share(Status.QUAL)

    @property
    def truncated(self) -> bool:
        return len(self.not_qualified) < self.not_qualified_total

    def to_json(self) -> dict[str, Any]:
        """The `ins-tui report --json` object; keys are stable (docs/interfaces.md)."""
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        insi = self.insi
        return {
            "period": {"start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(),
                       "last_day": self.period.last_day.isoformat(),
                       "kind": self.period.kind.value, "label": self.period.label_fr},
            "generated_at": self.generated_at,
            "status_basis": "end_of_period",
            "visits": self.visits,
            "patients": self.patients,
            "statuses": {s.value: self.statuses.get(s.value, 0) for s in STATUS_ORDER},
            "shares": {s.value: rounded(self.share(s)) for s in STATUS_ORDER},
            "qualified_share": rounded(self.qualified_share),
            "insi": {
                "searches": insi.searches,
                "exchanges": insi.exchanges,
                "outcomes": {o.value: insi.outcomes.get(o.value, 0) for o in Outcome},
                "faults": {"total": insi.faults, "no_answer": insi.faults_no_answer,
                           "unavailable": insi.faults_unavailable,
                           "malformed": insi.faults_malformed},
            },
            "reasons": {r.value: self.reasons.get(r.value, 0) for r in Reason},
            "not_qualified_total": self.not_qualified_total,
            "not_qualified_truncated": self.truncated,
            "missing_records": self.missing_records,
            "not_qualified": [
                {"patient_id": n.patient_id, "birth_name": n.birth_name,
                 "first_name": n.first_name, "used_name": n.used_name,
                 "birth_date": n.birth_date, "status": n.status.value,
                 "reason": n.reason.value, "reason_label": n.reason.label_fr,
                 "visits": n.visits, "last_visit": n.last_visit}
                for n in self.not_qualified
            ],
        }


def percent_fr(value: float | None) -> str:
    """« 50,0 % » (French decimal comma, no-break space); « — » when there is no rate."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


# -- reading the store ------------------------------------------------------------------
# Both queries use existing indexes only (visits_day, journal_at, journal_patient): no new
# index is needed at 200k patients (docs/benchmarks.md). The unary `+` keeps the planner
# on journal_patient for the per-patient lookups (a range on journal_at would walk every
# later row of the whole journal); tests/desk/test_report.py asserts the plans.
SEEN_SQL = """
WITH seen AS (
    SELECT patient_id, count(*) AS visits, max(day) AS last_visit
    FROM visits WHERE day >= :start AND day < :end GROUP BY patient_id
)
SELECT seen.patient_id, seen.visits, seen.last_visit,
       p.id AS present, p.birth_name, p.first_name, p.first_names, p.used_name,
       p.birth_date, p.status, p.attributes,
       (SELECT j.before_json FROM journal j
         WHERE j.patient_id = seen.patient_id AND +j.at >= :end
           AND j.event LIKE 'patient.%' AND j.before_json IS NOT NULL
         ORDER BY j.id LIMIT 1) AS later_before,
       (SELECT j.event || char(31) || (j.insi_request IS NOT NULL)
               || (j.insi_response IS NOT NULL)
          FROM journal j
         WHERE j.patient_id = seen.patient_id AND +j.at < :end
           AND (j.event LIKE 'appel INSi%' OR j.event = :cleared)
         ORDER BY j.id DESC LIMIT 1) AS last_insi
FROM seen LEFT JOIN patients p ON p.id = seen.patient_id
ORDER BY coalesce(nullif(p.used_name, ''), p.birth_name), p.first_name, seen.patient_id
"""

CALLS_SQL = """
SELECT event, insi_request IS NOT NULL AS sent, insi_response IS NOT NULL AS answered,
       count(*) AS n
FROM journal
WHERE at >= :start AND at < :end AND event LIKE 'appel INSi%'
GROUP BY event, sent, answered
"""


def _params(period: Period) -> dict[str, str]:
    # Journal times are local ISO strings with their offset (store/core.py): comparing
    # them with a bare local date compares the local day, like `journal_for_day`.
    return {"start": period.start.isoformat(), "end": period.end.isoformat(),
            "cleared": INS_CLEARED_EVENT}


def build_report(store: Any, period: Period, *, max_listed: int = MAX_LISTED
                 ) -> QualificationReport:
    """Read the store (two indexed queries) and count; safe from any thread."""
    params = _params(period)
    seen = store._read(SEEN_SQL, params)
    calls = store._read(CALLS_SQL, params)
    return count_report(period, store.now_iso(), [dict(r) for r in seen],
                        [dict(r) for r in calls], max_listed=max_listed)


def count_report(period: Period, generated_at: str, seen: list[dict[str, Any]],
                 calls: list[dict[str, Any]], *, max_listed: int = MAX_LISTED
                 ) -> QualificationReport:
    """The pure part: rows in, report out (the bench's baseline feeds it too)."""
    statuses: dict[str, int] = {s.value: 0 for s in STATUS_ORDER}
    reasons: dict[str, int] = {}
    listed: list[NotQualified] = []
    visits = patients = missing = not_qualified = 0
    for row in seen:
        visits += int(row["visits"])
        if row["present"] is None:
            missing += 1
            continue
        patients += 1
        status, attributes = _state_at_end(row)
        statuses[status.value] += 1
        if status is Status.QUAL:
            continue
        reason = reason_for(status, attributes, row["last_insi"])
        reasons[reason.value] = reasons.get(reason.value, 0) + 1
        not_qualified += 1
        if len(listed) < max_listed:
            listed.append(NotQualified(
                patient_id=int(row["patient_id"]), birth_name=row["birth_name"],
                first_name=row["first_name"] or (row["first_names"] or "").split(" ")[0],
                used_name=row["used_name"], birth_date=row["birth_date"], status=status,
                reason=reason, visits=int(row["visits"]), last_visit=row["last_visit"]))
    return QualificationReport(
        period=period, generated_at=generated_at, visits=visits, patients=patients,
        statuses=statuses, insi=count_calls(calls), not_qualified=tuple(listed),
        not_qualified_total=not_qualified, reasons=reasons, missing_records=missing)


def _state_at_end(row: dict[str, Any]) -> tuple[Status, frozenset[str]]:
    status, attributes = row["status"], row["attributes"] or ""
    if row["later_before"]:
        try:
            snapshot = json.loads(row["later_before"])
            status = snapshot.get("status", status)
            attributes = snapshot.get("attributes", attributes) or ""
        except (ValueError, AttributeError):
            pass  # an unreadable snapshot: the stored row is the best there is
    try:
        return Status(status), frozenset(attributes.split())
    except ValueError:
        return Status.PROV, frozenset(attributes.split())


def count_calls(rows: list[dict[str, Any]]) -> InsiCounts:
    outcomes: dict[str, int] = {o.value: 0 for o in Outcome}
    searches = exchanges = no_answer = unavailable = malformed = 0
    for row in rows:
        n = int(row["n"])
        call = parse_call(row["event"], sent=bool(row["sent"]), answered=bool(row["answered"]))
        if call is None:
            continue
        if call.sent:
            exchanges += n
        if not call.last:
            continue
        searches += n
        outcomes[call.outcome.value] += n
        if call.outcome is Outcome.FAULT:
            if call.detail != "échec":
                malformed += n
            elif call.answered:
                unavailable += n
            else:
                no_answer += n
    return InsiCounts(searches, exchanges, outcomes, no_answer, unavailable, malformed)

