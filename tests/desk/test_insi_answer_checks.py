"""An incoherent INSi answer at the desk: shown, journaled, never stored, never queued.

Real SQLite file, real InsiClient, real simulator over loopback mTLS answering a CR 00 for
the person asked for with one field corrupted (`sim.evil`, ins_tui/insi/simulator/hostile.py).
"""

from __future__ import annotations

import json

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import TrainingApcv
from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.model import Channel, Status
from ins_tui.insi.simulator import HOSTILE_ANSWER_MODES
from tests.desk.conftest import form


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    from ins_tui.insi.simulator import SimulatorServer

    server = SimulatorServer(tmp_path_factory.mktemp("insi-sim"), seed=1).start()
    yield server
    server.stop()


@pytest.fixture
def sim(simulator):
    simulator.evil, simulator.fault_rate = None, 0.0
    yield simulator
    simulator.evil, simulator.fault_rate = None, 0.0


@pytest.fixture
def desk(store, clock, sim) -> Desk:
    from ins_tui.insi.client import InsiClient

    client = InsiClient(sim.client_settings(connect_timeout=2.0, read_timeout=5.0))
    yield Desk(store, client, clock, "secretaire", apcv=TrainingApcv(), documents=("CN", "PA"))
    client.close()


def _ecetinsi():
    return form(birth_name="Ecetinsi", first_names="Pierre-Alain Muriel Floriant", sex="M",
                birth_date="14/07/2009", birthplace="63220")


def _row(desk: Desk, pid: int) -> tuple:
    rec = desk.get_patient(pid)
    return (rec.status, rec.traits, rec.ins, rec.locked, desk.store.ins_history(pid))


@pytest.mark.parametrize("mode", HOSTILE_ANSWER_MODES)
def test_incoherent_answer_leaves_the_patient_as_it_was(desk, sim, mode) -> None:
    pid = desk.create_patient(_ecetinsi()).patient_id
    before = _row(desk, pid)
    assert before[0] is Status.PROV and before[2] is None and before[4] == []
    sim.evil = mode
    requests = sim.request_count
    result = desk.retrieve_ins(pid, Channel.INSI)
    # The secretary sees the reason; nothing was imported.
    assert result.kind is InsiResultKind.FAILED, result.message_fr
    assert result.message_fr.startswith("Réponse INSi incohérente : ")
    assert "l'identité garde son statut" in result.message_fr
    assert "configuration" not in result.message_fr and "ECETINSI" not in result.message_fr
    assert result.identity is None
    assert _row(desk, pid) == before
    # Journaled with the raw exchange and the reason; not queued.
    (row,) = [r for r in desk.journal_for_patient(pid) if r.insi_request]
    assert row.event == "appel INSi (INSI) 1/1 : erreur reponse_incoherente"
    assert b"<CodeCR>00</CodeCR>" in row.insi_response
    assert row.insi_request == sim.received[-1]
    assert result.message_fr.startswith(json.loads(row.after_json)["motif"])
    assert desk.pending_retries() == 0
    assert sim.request_count == requests + 1
    assert desk.store.verify_chain().ok


def test_validated_identity_keeps_its_status(desk, sim) -> None:
    pid = desk.create_patient(_ecetinsi()).patient_id
    assert desk.record_document(pid, "CN").status is Status.VALI
    before = _row(desk, pid)
    sim.evil = "foreign_oid"
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.FAILED
    assert _row(desk, pid) == before and before[0] is Status.VALI


def test_queued_request_answered_incoherently_is_settled_not_requeued(desk, sim, clock) -> None:
    """A retry that gets an incoherent answer stops there: asking again would get it again."""
    pid = desk.create_patient(_ecetinsi()).patient_id
    sim.fault_rate = 1.0
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.QUEUED
    assert desk.pending_retries() == 1
    sim.fault_rate, sim.evil = 0.0, "sex_mismatch"
    clock.advance(3600)
    (done,) = RetryScheduler(desk).tick()
    assert done.kind is InsiResultKind.FAILED and "incohérente" in done.message_fr
    assert desk.pending_retries() == 0
    assert desk.get_patient(pid).status is Status.PROV and desk.get_patient(pid).ins is None
    requests = sim.request_count
    clock.advance(3600)
    assert RetryScheduler(desk).tick() == []
    assert sim.request_count == requests


def test_coherent_answer_still_imported(desk, sim) -> None:
    """The same patient and simulator without corruption: the usual perfect match."""
    pid = desk.create_patient(_ecetinsi()).patient_id
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.MATCHED, result.message_fr
    assert desk.get_patient(pid).ins.matricule == "109076322083489"
