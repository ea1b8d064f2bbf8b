"""INSi flows against the real simulator over loopback HTTPS with mutual TLS.

Real SQLite file, real InsiClient, real simulator (its own PKI), cards read by the real
Vitale reader code from in-process chips. The simulator's request counter proves when no
request was sent.
"""

from __future__ import annotations

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import TrainingApcv
from ins_tui.desk.results import DiffChoice, InsiResultKind
from ins_tui.desk.retry import RetryScheduler, next_delay
from ins_tui.domain.model import Attribute, Channel, Status
from ins_tui.store.store import Store
from tests.desk.conftest import form, read_card


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
    return Desk(store, insi, clock, "secretaire", apcv=TrainingApcv(),
                documents=("CN", "PA"))


def _adrtrois(**kw):
    base = dict(birth_name="Adrtrois", first_names="Toussaint", sex="M",
                birth_date="01/01/1960", birthplace="2B020")
    base.update(kw)
    return form(**base)


def test_perfect_match_then_document_gives_qual(desk, simulator):
    pid = desk.create_patient(_adrtrois()).patient_id
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.MATCHED, result.message_fr
    assert result.message_fr.endswith("Entrée : qualifier l'identité")
    assert result.comparison.perfect
    rec = desk.get_patient(pid)
    assert rec.status is Status.RECUP
    assert rec.ins.matricule == "160012B02077713"
    assert "birth_name" in rec.locked
    # Every attempt is journaled with the raw XML exactly as exchanged.
    raw = [r for r in desk.journal_for_patient(pid) if r.insi_request]
    assert raw and b"ADRTROIS" in raw[0].insi_request and b"RESULTAT" in raw[0].insi_response
    # Enter: the document step (none pre-selected) then QUAL, journaled with who and when.
    assert desk.needs_document(pid)
    assert not desk.qualify(pid, None).ok
    desk.actor = "Mme Accueil"
    done = desk.qualify(pid, "CN")
    assert done.ok and done.status is Status.QUAL
    rec = desk.get_patient(pid)
    assert rec.status is Status.QUAL and rec.document_by == "Mme Accueil"
    assert any(r.actor == "Mme Accueil" and "document" in r.action
               for r in desk.journal_for_patient(pid))
    # Already QUAL: the card flow does not call INSi again.
    before = simulator.request_count
    assert not desk._needs_insi(rec)
    assert simulator.request_count == before


def _ecetinsi(desk):
    # Local birthplace typed wrong: INSi answers 63220 → a difference to decide.
    return desk.create_patient(form(birth_name="Ecetinsi", first_names="Pierre-Alain",
                                    sex="M", birth_date="14/07/2009",
                                    birthplace="75056")).patient_id


def test_differences_adopt_ins(desk):
    pid = _ecetinsi(desk)
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.DIFFERENT
    assert {r.trait for r in result.comparison.differing} >= {"birthplace"}
    assert desk.get_patient(pid).ins is None  # nothing imported before the choice
    out = desk.resolve_differences(result, DiffChoice.ADOPT_INS)
    assert out.ok and out.status is Status.RECUP
    rec = desk.get_patient(pid)
    assert rec.traits.birthplace == "63220"
    assert rec.traits.first_names == "PIERRE-ALAIN MURIEL FLORIANT"
    assert rec.ins.matricule == "109076322083489"
    assert any("adopter" in r.action for r in desk.journal_for_patient(pid))


def test_differences_keep_provisional(desk):
    pid = _ecetinsi(desk)
    result = desk.retrieve_ins(pid, Channel.INSI)
    out = desk.resolve_differences(result, DiffChoice.KEEP_PROVISIONAL)
    assert out.ok and out.status is Status.PROV
    rec = desk.get_patient(pid)
    assert rec.ins is None and rec.traits.birthplace == "75056"
    assert any("provisoire" in r.action for r in desk.journal_for_patient(pid))


def test_differences_mark_douteuse_then_no_insi_call(desk, simulator):
    pid = _ecetinsi(desk)
    result = desk.retrieve_ins(pid, Channel.INSI)
    out = desk.resolve_differences(result, DiffChoice.MARK_DOUBTFUL)
    assert out.ok and out.status is Status.PROV
    assert Attribute.DOUTEUSE in desk.get_patient(pid).attributes
    before = simulator.request_count
    again = desk.retrieve_ins(pid, Channel.INSI)
    assert again.kind is InsiResultKind.REFUSED
    assert simulator.request_count == before  # no INSi request sent


def test_card_with_several_beneficiaries_then_auto_search(desk):
    family = read_card("famille-nessi")
    assert desk.pick_beneficiary(family) is None
    mother = desk.match_beneficiary(family[0])
    assert mother.needs_insi
    result = desk.retrieve_ins(mother.prepared, Channel.CARTE_VITALE)
    # Card first name NATHALIE vs INS list NATHALIE: perfect match, imported.
    assert result.kind is InsiResultKind.MATCHED, result.comparison
    rec = desk.get_patient(result.patient_id)
    assert rec.status is Status.RECUP and rec.nir == "277076322082910"
    events = desk.store.identity_events(rec.id)
    assert events[0]["channel"] == "CV"
    # The same card again finds the patient by INS; no new search needed.
    again = desk.match_beneficiary(family[0])
    assert again.patient.id == rec.id and again.found_by == "ins" and not again.needs_insi


def test_card_partial_first_names_are_not_a_difference(desk):
    (benef,) = read_card("dartagnan")
    match = desk.match_beneficiary(benef)
    result = desk.retrieve_ins(match.prepared)
    assert result.kind is InsiResultKind.MATCHED, result.comparison
    assert desk.get_patient(result.patient_id).traits.first_names == "PIERRE-ALAIN GUNTHER"


def test_cr01_not_found(desk):
    pid = desk.create_patient(form(birth_name="Houilles", first_names="Pierre", sex="M",
                                   birth_date="27/01/1993", birthplace="")).patient_id
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.NOT_FOUND
    assert "CR 01" in result.message_fr and "lieu de naissance" in result.message_fr
    assert desk.get_patient(pid).status is Status.PROV
    assert desk.pending_retries() == 0


def test_cr02_then_search_with_birthplace_found(desk):
    pid = desk.create_patient(form(birth_name="De Vinci", first_names="Leonardo", sex="M",
                                   birth_date="01/02/2014", birthplace="")).patient_id
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.SEVERAL
    assert "CR 02" in result.message_fr
    found = desk.retrieve_ins(pid, Channel.INSI, birthplace="63220")
    assert found.kind in (InsiResultKind.MATCHED, InsiResultKind.DIFFERENT)
    assert found.identity.ins.matricule == "114026322083356"


def test_traits_search_without_card_other_first_names(desk):
    # TCHITCHI typed with her usual first name only: OLA is unknown to INSi...
    pid = desk.create_patient(form(birth_name="Tchitchi", first_names="Ola", sex="F",
                                   birth_date="21/06/1936", birthplace="63220")).patient_id
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.NOT_FOUND
    # ...the secretary adds the birth first names from the ID document.
    result = desk.retrieve_ins(pid, Channel.INSI, first_names="OLA CATARINA")
    assert result.kind is InsiResultKind.DIFFERENT  # local list OLA vs CATARINA BELLA
    assert result.identity.ins.matricule == "236066322083656"


def test_fault_then_successful_retry_surviving_a_new_desk(desk, simulator, db_path, clock,
                                                          insi):
    pid = desk.create_patient(_adrtrois()).patient_id
    simulator.fault_rate = 1.0  # desir_1020 on every request
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.QUEUED, result.message_fr
    assert "relancée automatiquement" in result.message_fr
    assert "Relancez" not in result.message_fr  # the CLI's advice, not the desk's
    assert desk.pending_retries() == 1
    # The desk keeps working meanwhile.
    assert desk.add_arrival(pid, "Dr Martin")
    retry = RetryScheduler(desk, base_delay=30, max_delay=600)
    assert retry.tick() == []  # not due yet
    clock.advance(31)
    second = retry.tick()
    assert [r.kind for r in second] == [InsiResultKind.QUEUED]
    assert next_delay(2, base_delay=30) == 60
    # The app is closed and restarted on the same file: the request is still there.
    desk.store.close()
    simulator.fault_rate = 0.0
    store2 = Store.open(db_path, clock=clock.now)
    try:
        desk2 = Desk(store2, insi, clock, "secretaire")
        assert desk2.pending_retries() == 1
        retry2 = RetryScheduler(desk2, base_delay=30, max_delay=600)
        clock.advance(30)
        assert retry2.tick() == []  # back-off doubled: due after 60 s
        clock.advance(31)
        (done,) = retry2.tick()
        assert done.kind is InsiResultKind.MATCHED
        assert desk2.get_patient(pid).status is Status.RECUP
        assert desk2.pending_retries() == 0
        failures = [r for r in desk2.journal_for_patient(pid)
                    if r.event.startswith("appel INSi") and "échec" in r.event]
        assert len(failures) == 2 and all(r.insi_request for r in failures)
    finally:
        store2.close()


def test_network_down_is_queued(store, clock, simulator):
    from ins_tui.insi.client import InsiClient

    dead = InsiClient(simulator.client_settings(endpoint="https://127.0.0.1:9/lps",
                                                connect_timeout=1.0, read_timeout=1.0))
    desk = Desk(store, dead, clock, "secretaire")
    pid = desk.create_patient(_adrtrois()).patient_id
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.QUEUED
    assert store.pending_insi()[0].patient_id == pid
    dead.close()


def test_queued_request_settled_when_retrieved_meanwhile(desk, simulator, clock):
    """Tried: a request queued after a fault, then the secretary searches again by hand and
    INSi answers. The answer settles the queued request at once (no stale « INSi en
    attente » mark, no later call)."""
    pid = desk.create_patient(_adrtrois()).patient_id
    simulator.fault_rate = 1.0
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.QUEUED
    assert desk.pending_retries() == 1
    simulator.fault_rate = 0.0
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.MATCHED
    assert desk.pending_retries() == 0
    before = simulator.request_count
    clock.advance(3600)
    assert RetryScheduler(desk).tick() == []
    assert simulator.request_count == before
