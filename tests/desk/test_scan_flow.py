"""A scanned INS datamatrix at the desk: found, verified with INSi, never trusted alone.

Real SQLite file, real InsiClient against the real simulator over loopback mTLS; payloads
built and read by the domain's datamatrix code. Tried: a known patient found by traits
(verified, then qualified with a document), a new patient created from the scan on
channel CB, an old label (its INS replaced since), a label whose INS is not the one INSi
returns for its traits (refused, nothing imported), a label for a patient already holding
that INS (no INSi request) or another one (conflict, nothing changed), two files with the
same INS or traits (nothing created), a fault then a retry judged against the stored scan,
and a CB search for a patient never scanned.
"""

from __future__ import annotations

import pytest

from ins_tui.desk import scan_flow
from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import TrainingApcv
from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.datamatrix import ScannedIns, build_payload, parse_payload
from ins_tui.domain.model import Channel, Ins, Sex, Status, Traits
from tests.desk.conftest import form

TEST_NIR = "1.2.250.1.213.1.4.10"
PUBLISHED = "1.2.250.1.213.1.4.8"  # the published test INS (ECETINSI) uses it
ADRTROIS = Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT")
ECETINSI = Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220",
                  "PIERRE-ALAIN")


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


def scan(number: str, key: str, oid: str, traits: Traits) -> ScannedIns:
    """What the TUI hands the desk: a payload as printed, read back by the domain."""
    scanned, problems = parse_payload(build_payload(Ins(number, key, oid), traits))
    assert scanned is not None, problems
    return scanned


def adrtrois_local(desk: Desk) -> int:
    return desk.create_patient(form(birth_name="Adrtrois", first_names="Toussaint", sex="M",
                                    birth_date="01/01/1960", birthplace="2B020")).patient_id


def scan_events(desk: Desk, pid: int) -> list[dict]:
    return [e for e in desk.store.identity_events(pid) if e["channel"] == "CB"]


def test_known_patient_verified_by_insi_then_qualified(desk):
    pid = adrtrois_local(desk)
    match = desk.match_scanned(scan("160012B020777", "13", TEST_NIR, ADRTROIS))
    assert match.patient.id == pid and match.found_by == "traits" and match.needs_insi
    # The scan is a dated identity source; the unverified matricule only as a fingerprint.
    (event,) = scan_events(desk, pid)
    assert event["detail"]["action"] == "datamatrix"
    assert "160012B020777" not in str(event["detail"])
    assert desk.get_patient(pid).ins is None  # nothing imported from the label itself
    result = desk.retrieve_ins(pid, Channel.DATAMATRIX)
    assert result.kind is InsiResultKind.MATCHED, result.message_fr
    assert result.message_fr.startswith(scan_flow.CONFIRMED)
    assert result.message_fr.endswith("Entrée : qualifier l'identité")
    assert result.channel is Channel.DATAMATRIX
    rec = desk.get_patient(pid)
    assert rec.status is Status.RECUP and rec.ins.matricule == "160012B02077713"
    assert rec.ins.oid == PUBLISHED  # INSi's OID, not the label's
    assert any("(CB)" in r.event for r in desk.journal_for_patient(pid))
    assert desk.needs_document(pid)  # a scan never replaces the ID document
    done = desk.qualify(pid, "CN")
    assert done.ok and done.status is Status.QUAL


def test_new_patient_created_from_the_scan_on_channel_cb(desk):
    match = desk.match_scanned(scan("1090763220834", "89", PUBLISHED, ECETINSI))
    assert match.patient is None and match.needs_insi
    assert match.prepared.traits == ECETINSI and match.prepared.nir is None
    assert desk.search_patients("ECETINSI") == []  # nothing written before the search
    result = desk.retrieve_ins(match.prepared, Channel.DATAMATRIX)
    assert result.kind is InsiResultKind.MATCHED, result.message_fr
    events = desk.store.identity_events(result.patient_id)
    assert events[0]["channel"] == "CB"
    assert any(e["detail"].get("action") == "datamatrix" for e in events)
    assert any("datamatrix" in r.event for r in desk.journal_for_patient(result.patient_id))
    rec = desk.get_patient(result.patient_id)
    assert rec.status is Status.RECUP and rec.ins.matricule == "109076322083489"


def test_old_label_keeps_insi_current_ins(desk):
    # 2090763220834 is in ECETINSI's INSi history: the label predates the change.
    match = desk.match_scanned(scan("2090763220834", "39", PUBLISHED, ECETINSI))
    result = desk.retrieve_ins(match.prepared, Channel.DATAMATRIX)
    assert result.kind is InsiResultKind.MATCHED, result.message_fr
    assert result.message_fr.startswith(scan_flow.FORMER)
    assert desk.get_patient(result.patient_id).ins.matricule == "109076322083489"


def test_label_with_another_ins_is_refused_and_nothing_imported(desk):
    pid = adrtrois_local(desk)
    forged = scan("160012B020778", "12", TEST_NIR, ADRTROIS)  # valid key, not INSi's INS
    match = desk.match_scanned(forged)
    assert match.patient.id == pid and match.needs_insi
    result = desk.retrieve_ins(pid, Channel.DATAMATRIX)
    assert result.kind is InsiResultKind.REFUSED
    assert result.message_fr == scan_flow.NOT_CONFIRMED
    rec = desk.get_patient(pid)
    assert rec.ins is None and rec.status is Status.PROV and not rec.locked
    assert any(r.event == "datamatrix non confirmé par l'INSi"
               for r in desk.journal_for_patient(pid))


def test_patient_already_holding_the_ins_needs_no_request(desk, simulator):
    pid = adrtrois_local(desk)
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.MATCHED
    before = simulator.request_count
    match = desk.match_scanned(scan("160012B020777", "13", TEST_NIR, ADRTROIS))
    assert match.patient.id == pid and match.found_by == "ins" and not match.needs_insi
    assert "concordant" in match.message_fr
    assert simulator.request_count == before


def test_patient_holding_another_ins_is_a_conflict(desk, simulator):
    pid = adrtrois_local(desk)
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.MATCHED
    before = simulator.request_count
    match = desk.match_scanned(scan("160012B020778", "12", TEST_NIR, ADRTROIS))
    assert match.patient.id == pid and match.found_by == "traits"
    assert not match.needs_insi and match.message_fr == scan_flow.CONFLICT
    assert desk.get_patient(pid).ins.matricule == "160012B02077713"
    assert simulator.request_count == before


def test_two_files_with_the_same_traits_create_nothing(desk):
    adrtrois_local(desk)
    desk.create_patient(form(birth_name="Adrtrois", first_names="Toussaint", sex="M",
                             birth_date="01/01/1960", birthplace="2B020"),
                        accept_duplicates=True)
    match = desk.match_scanned(scan("160012B020777", "13", TEST_NIR, ADRTROIS))
    assert match.patient is None and match.prepared is None and not match.needs_insi
    assert match.message_fr == scan_flow.SEVERAL_BY_TRAITS


def test_fault_then_retry_is_judged_against_the_stored_scan(desk, simulator, clock):
    pid = adrtrois_local(desk)
    desk.match_scanned(scan("160012B020778", "12", TEST_NIR, ADRTROIS))  # not INSi's INS
    simulator.fault_rate = 1.0
    assert desk.retrieve_ins(pid, Channel.DATAMATRIX).kind is InsiResultKind.QUEUED
    simulator.fault_rate = 0.0
    clock.advance(3600)
    (retried,) = RetryScheduler(desk, base_delay=30, max_delay=600).tick()
    assert retried.kind is InsiResultKind.REFUSED and retried.message_fr == \
        scan_flow.NOT_CONFIRMED
    assert desk.get_patient(pid).ins is None


def test_cb_search_without_a_scan_is_refused(desk):
    pid = adrtrois_local(desk)
    result = desk.retrieve_ins(pid, Channel.DATAMATRIX)
    assert result.kind is InsiResultKind.REFUSED and result.message_fr == scan_flow.NO_SCAN
    assert desk.get_patient(pid).ins is None
