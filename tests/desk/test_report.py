"""The qualification report counted on a base built by the real desk flows.

Real SQLite file, real desk, real INSi simulator over loopback mutual TLS (its request
counter is the independent count of requests sent), a clock moved by hand through
February, March and April 2025 so journal rows carry the dates a real practice would.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import FixedClock, TrainingApcv
from ins_tui.desk.report import (
    CALLS_SQL,
    SEEN_SQL,
    Outcome,
    Reason,
    _params,
    build_report,
    count_calls,
    percent_fr,
    reason_for,
)
from ins_tui.desk.report_period import Period, PeriodError, PeriodKind
from ins_tui.desk.results import DiffChoice, InsiResultKind
from ins_tui.domain.model import Attribute, Channel, Status
from tests.desk.conftest import form, read_card

DAY = 86_400
FEB, MAR, APR = Period.month_of(date(2025, 2, 1)), Period.month_of(date(2025, 3, 1)), \
    Period.month_of(date(2025, 4, 1))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 2, 10, 9, 0).astimezone())


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    from ins_tui.insi.simulator import SimulatorServer

    server = SimulatorServer(tmp_path_factory.mktemp("insi-sim"), seed=1).start()
    yield server
    server.stop()


@pytest.fixture
def insi(simulator):
    from ins_tui.insi.client import InsiClient

    simulator.fault_rate = 0.0
    client = InsiClient(simulator.client_settings(connect_timeout=2.0, read_timeout=5.0))
    yield client
    client.close()
    simulator.fault_rate = 0.0


@pytest.fixture
def desk(store, clock, insi) -> Desk:
    return Desk(store, insi, clock, "secretaire", apcv=TrainingApcv(), documents=("CN", "PA"))


def _patient(desk: Desk, name: str, first: str, sex: str, born: str, place: str = "") -> int:
    outcome = desk.create_patient(form(birth_name=name, first_names=first, sex=sex,
                                       birth_date=born, birthplace=place))
    assert outcome.patient_id is not None, outcome.message_fr
    return outcome.patient_id


def _visit(desk: Desk, pid: int, day: str) -> None:
    desk.store.add_arrival(pid, "Dr Martin", actor="test", day=day)


@pytest.fixture
def practice(desk, clock, simulator, store):
    """February: two patients seen, nothing retrieved. March: eleven patients, one of each
    situation, INSi answering found / CR 01 / CR 02 / a fault / no network. April: two
    identities change after the end of March."""
    ids: dict[str, int] = {}
    ids["adrtrois"] = _patient(desk, "Adrtrois", "Toussaint", "M", "01/01/1960", "2B020")
    ids["plain"] = _patient(desk, "Martin", "Claire", "F", "03/04/1971", "63220")
    _visit(desk, ids["adrtrois"], "2025-02-10")
    _visit(desk, ids["plain"], "2025-02-10")
    _visit(desk, ids["plain"], "2025-01-31")  # January: never counted below

    clock.advance(23 * DAY)  # 2025-03-05
    sent_before = simulator.request_count
    assert desk.retrieve_ins(ids["adrtrois"], Channel.INSI).kind is InsiResultKind.MATCHED
    assert desk.qualify(ids["adrtrois"], "CN").status is Status.QUAL
    ids["diff"] = _patient(desk, "Ecetinsi", "Pierre-Alain", "M", "14/07/2009", "75056")
    found = desk.retrieve_ins(ids["diff"], Channel.INSI)
    assert found.kind is InsiResultKind.DIFFERENT
    assert desk.resolve_differences(found, DiffChoice.KEEP_PROVISIONAL).ok
    ids["cr01"] = _patient(desk, "Houilles", "Pierre", "M", "27/01/1993")
    assert desk.retrieve_ins(ids["cr01"], Channel.INSI).kind is InsiResultKind.NOT_FOUND
    ids["cr02"] = _patient(desk, "De Vinci", "Leonardo", "M", "01/02/2014")
    assert desk.retrieve_ins(ids["cr02"], Channel.INSI).kind is InsiResultKind.SEVERAL
    ids["vali"] = _patient(desk, "Durand", "Luc", "M", "05/06/1950", "63220")
    assert desk.record_document(ids["vali"], "PA").status is Status.VALI
    ids["doubt"] = _patient(desk, "Petit", "Anne", "F", "07/08/1990", "63220")
    assert desk.set_attribute(ids["doubt"], Attribute.DOUTEUSE, True).ok
    ids["fict"] = _patient(desk, "Fictif", "Test", "M", "01/01/2000", "63220")
    assert desk.set_attribute(ids["fict"], Attribute.FICTIVE, True).ok
    (benef,) = read_card("dartagnan")
    card = desk.retrieve_ins(desk.match_beneficiary(benef).prepared)
    assert card.kind is InsiResultKind.MATCHED
    ids["recup"] = card.patient_id
    simulator.fault_rate = 1.0
    ids["fault"] = _patient(desk, "Bernard", "Paul", "M", "09/10/1980", "63220")
    assert desk.retrieve_ins(ids["fault"], Channel.INSI).kind is InsiResultKind.QUEUED
    simulator.fault_rate = 0.0
    from ins_tui.insi.client import InsiClient

    dead = InsiClient(simulator.client_settings(endpoint="https://127.0.0.1:9/lps",
                                                connect_timeout=1.0, read_timeout=1.0))
    try:
        offline = Desk(store, dead, clock, "secretaire")
        ids["offline"] = _patient(desk, "Robert", "Jeanne", "F", "11/12/1945", "63220")
        assert offline.retrieve_ins(ids["offline"], Channel.INSI).kind is InsiResultKind.QUEUED
    finally:
        dead.close()
    sent_in_march = simulator.request_count - sent_before
    for key in ("adrtrois", "diff", "cr01", "cr02", "vali", "doubt", "fict", "recup", "fault",
                "offline", "plain"):
        _visit(desk, ids[key], "2025-03-05")
    _visit(desk, ids["cr02"], "2025-03-20")

    clock.advance(28 * DAY)  # 2025-04-02: after the end of March
    assert desk.qualify(ids["recup"], "CN").status is Status.QUAL
    assert desk.set_attribute(ids["plain"], Attribute.DOUTEUSE, True).ok
    return ids, sent_in_march


def test_march_counts_and_reasons(store, practice):
    """Tried: the March report on the base above. Every count is known from the script:
    12 visits of 11 patients, one QUAL, one RECUP (qualified only in April), one VALI, the
    rest PROV, and each not-qualified patient carries the reason its history gives."""
    ids, sent_in_march = practice
    report = build_report(store, MAR)
    assert (report.visits, report.patients) == (12, 11)
    assert report.statuses == {"QUAL": 1, "RECUP": 1, "VALI": 1, "PROV": 8}
    assert report.qualified_share == pytest.approx(1 / 11)
    reasons = {n.patient_id: n.reason for n in report.not_qualified}
    assert reasons == {
        ids["diff"]: Reason.DIFFERENCES, ids["cr01"]: Reason.NOT_FOUND,
        ids["cr02"]: Reason.SEVERAL, ids["vali"]: Reason.VALIDATED_NO_INSI,
        ids["doubt"]: Reason.DOUBTFUL, ids["fict"]: Reason.FICTITIOUS,
        ids["recup"]: Reason.DOCUMENT_MISSING, ids["fault"]: Reason.INSI_FAULT,
        ids["offline"]: Reason.INSI_FAULT, ids["plain"]: Reason.NO_SEARCH,
    }
    assert report.not_qualified_total == 10 and not report.truncated
    two_visits = next(n for n in report.not_qualified if n.patient_id == ids["cr02"])
    assert (two_visits.visits, two_visits.last_visit) == (2, "2025-03-20")
    insi = report.insi
    assert insi.searches == 7
    assert insi.outcomes == {"found": 3, "not_found": 1, "several": 1, "refused": 0,
                             "error": 0, "fault": 2}
    assert (insi.faults, insi.faults_unavailable, insi.faults_no_answer,
            insi.faults_malformed) == (2, 1, 1, 0)
    # Every request the simulator received, plus the one built for the dead port (journaled
    # with its bytes, never received): the count is the requests that left the desk.
    assert insi.exchanges == sent_in_march + 1


def test_status_is_the_one_at_the_end_of_the_period(store, practice):
    """Tried: February, when the qualified patient of March was still provisional, read
    after April's changes. The February rate is 0 %, as it was; January's visit is out."""
    ids, _ = practice
    report = build_report(store, FEB)
    assert (report.visits, report.patients) == (2, 2)
    assert report.statuses == {"QUAL": 0, "RECUP": 0, "VALI": 0, "PROV": 2}
    assert {n.patient_id: n.reason for n in report.not_qualified} == {
        ids["adrtrois"]: Reason.NO_SEARCH, ids["plain"]: Reason.NO_SEARCH}
    assert report.insi.searches == 0
    # Read as the base stands now (April), the same patients are QUAL and douteuse.
    assert store.get_patient(ids["adrtrois"]).status is Status.QUAL
    empty = build_report(store, APR)
    assert (empty.visits, empty.patients, empty.qualified_share) == (0, 0, None)
    assert percent_fr(empty.qualified_share) == "—"


def test_json_keys_are_stable(store, practice):
    """Tried: the JSON object of March; its keys are the documented ones."""
    data = build_report(store, MAR).to_json()
    assert list(data) == ["period", "generated_at", "status_basis", "visits", "patients",
                          "statuses", "shares", "qualified_share", "insi", "reasons",
                          "not_qualified_total", "not_qualified_truncated", "missing_records",
                          "not_qualified"]
    assert data["period"] == {"start": "2025-03-01", "end": "2025-04-01",
                              "last_day": "2025-03-31", "kind": "month", "label": "mars 2025"}
    assert data["shares"]["QUAL"] == round(1 / 11, 4)
    assert set(data["insi"]["outcomes"]) == {o.value for o in Outcome}
    assert set(data["not_qualified"][0]) == {
        "patient_id", "birth_name", "first_name", "used_name", "birth_date", "status",
        "reason", "reason_label", "visits", "last_visit"}


def test_list_is_bounded_but_counts_are_not(store, practice):
    """Tried: a list limit of 3 on March's 10 not-qualified patients."""
    report = build_report(store, MAR, max_listed=3)
    assert len(report.not_qualified) == 3 and report.not_qualified_total == 10
    assert report.truncated and sum(report.reasons.values()) == 10


def test_queries_use_indexes_only(store):
    """Tried: the query plans on an empty base; neither patients nor journal is scanned
    (a scan would make a month's report read the whole 200k-patient file)."""
    for sql in (SEEN_SQL, CALLS_SQL):
        plan = " | ".join(row[3] for row in store.conn.execute(
            "EXPLAIN QUERY PLAN " + sql, _params(MAR)))
        assert "SCAN p" not in plan and "SCAN j" not in plan and "SCAN journal" not in plan
        assert "SCAN visits" not in plan, plan
    seen_plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + SEEN_SQL,
                                                          _params(MAR)))
    assert seen_plan.count("journal_patient") == 2, seen_plan


def test_journal_words_and_reasons():
    """Tried: each journal wording of desk/insi_flow.py, and the reason precedence."""
    rows = [
        {"event": "appel INSi (CV) 1/2 : trouvée", "sent": 1, "answered": 1, "n": 4},
        {"event": "appel INSi (CV) 2/2 : trouvée", "sent": 1, "answered": 1, "n": 4},
        {"event": "appel INSi (INSI) : refusée", "sent": 0, "answered": 0, "n": 1},
        {"event": "appel INSi (INSI) 1/1 : erreur tls", "sent": 1, "answered": 0, "n": 2},
        {"event": "appel INSi (CB) 1/1 : erreur reponse_invalide (réponse tronquée : seul "
                  "son début est conservé)", "sent": 1, "answered": 1, "n": 1},
        {"event": "appel INSi (CV) : échec", "sent": 0, "answered": 0, "n": 1},
        {"event": "recherche INSi : trouvée", "sent": 0, "answered": 0, "n": 9},
    ]
    counts = count_calls(rows)
    assert counts.searches == 9 and counts.exchanges == 11
    assert counts.outcomes["found"] == 4 and counts.outcomes["refused"] == 1
    assert counts.outcomes["error"] == 2 and counts.faults == 2
    assert (counts.faults_malformed, counts.faults_no_answer) == (1, 1)
    none: frozenset[str] = frozenset()
    assert reason_for(Status.PROV, frozenset({"fictive"}), None) is Reason.FICTITIOUS
    assert reason_for(Status.PROV, frozenset({"douteuse", "homonyme"}),
                      "appel INSi (CV) : CR 01\x1f11") is Reason.DOUBTFUL
    assert reason_for(Status.RECUP, frozenset({"homonyme"}), None) is Reason.DOCUMENT_MISSING
    assert reason_for(Status.VALI, none, None) is Reason.VALIDATED_NO_INSI
    assert reason_for(Status.VALI, none, "appel INSi (CV) : CR 02\x1f11") is Reason.SEVERAL
    assert reason_for(Status.PROV, none, "patient.ins_cleared\x1f00") is Reason.INS_REMOVED
    assert reason_for(Status.PROV, none, "appel INSi (CV) : erreur tls\x1f10") \
        is Reason.INSI_ERROR


def test_periods():
    """Tried: stepping months across a year end, ISO weeks, days, CLI bounds, bad input."""
    dec = Period.month_of(date(2024, 12, 15))
    assert (dec.start, dec.end) == (date(2024, 12, 1), date(2025, 1, 1))
    assert dec.shifted(1) == Period.month_of(date(2025, 1, 1))
    assert dec.shifted(-12).label_fr == "décembre 2023"
    week = Period.week_of(date(2025, 3, 14))
    assert week.label_fr == "semaine du 10/03/2025 au 16/03/2025"
    assert week.shifted(-1).start == date(2025, 3, 3)
    assert Period.day_of(date(2025, 3, 14)).label_fr == "vendredi 14/03/2025"
    today = date(2025, 3, 14)
    assert Period.between(None, None, today=today) == Period.month_of(today)
    assert Period.between(date(2025, 3, 1), date(2025, 3, 31), today=today).kind \
        is PeriodKind.MONTH
    custom = Period.between(date(2025, 3, 10), date(2025, 3, 12), today=today)
    assert (custom.days, custom.label_fr) == (3, "du 10/03/2025 au 12/03/2025")
    assert Period.between(date(2025, 2, 10), None, today=today).end == date(2025, 3, 1)
    with pytest.raises(PeriodError, match="précède"):
        Period.between(date(2025, 3, 12), date(2025, 3, 10), today=today)
    with pytest.raises(PeriodError, match="400 jours"):
        Period.between(date(2020, 1, 1), date(2025, 1, 1), today=today)
    assert percent_fr(0.5) == "50,0\u00a0%"
