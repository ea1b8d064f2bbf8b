"""Identity changes pushed to a loopback HTTPS FHIR server: every outcome, journaled.

Tried against `fhir_server.FhirTestServer` (real TLS from the project's test PKI, bodies
parsed by `fhir.resources` R4B and the FR Core checks, real conditional-update matching):
201 then 200 on the same resource through qualification; 412 held for a person then
released; 500/503/429/408 retried with the back-off and the very same bytes; 400/422
held; a stall past the timeout (the desk completes an action meanwhile); a refused
connection; an untrusted server certificate; client certificates required; an answer
past the size cap; the ordering of two changes of one patient. Real SQLite file; the
clock is the test's, so back-off is checked without sleeping.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fhir_fixtures import (  # noqa: F401 (fixtures, used by name)
    clock_fixture,
    db_path_fixture,
    desk_fixture,
    insi_fixture,
    simulator_fixture,
    store_fixture,
)
from fhir_identities import LOCAL, make
from fhir_server import FhirTestServer, refused_port

from ins_tui.desk.outbound import OutboundSender
from ins_tui.fhir.settings import FhirSettings
from ins_tui.fhir.transmitter import FhirTransmitter
from tests.desk.conftest import form


def wait_for(predicate, timeout: float = 10.0) -> None:
    """Poll a state with a deadline (never a fixed sleep standing for the state)."""
    ends = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > ends:
            raise AssertionError("state not reached in time")
        time.sleep(0.01)


@pytest.fixture
def server(tmp_path_factory):
    with FhirTestServer(tmp_path_factory.mktemp("fhir-pki")) as srv:
        yield srv


@pytest.fixture
def outstore(store):
    store.set_output_targets({"fhir"})
    return store


def settings_for(server: FhirTestServer, **kw) -> FhirSettings:
    base = dict(base_url=server.url, ca_bundle=server.paths.ca_cert, timeout=2.0,
                local_system=LOCAL)
    base.update(kw)
    return FhirSettings(**base)


def sender(store, settings: FhirSettings) -> OutboundSender:
    return OutboundSender(store, [FhirTransmitter(store, settings)], actor="test")


def fhir_rows(store, pid: int) -> list:
    return [r for r in store.journal_for_patient(pid) if r.event.startswith("fhir.")]


def test_created_then_qualified_updates_the_same_resource(desk, outstore, server):
    """PROV goes with the local id (201); once QUAL, the same resource gets the INS (200)."""
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    report = out.tick()
    assert report.sent == {"fhir": 1}
    (first,) = server.received
    assert first.status == 201 and first.problems == []
    assert first.query == f"identifier={LOCAL}%7C{pid}"  # PROV: the local id only
    assert desk.output_status_fr(pid) == "FHIR : transmis"
    item = outstore.output_status(pid)["fhir"]
    assert first.headers["X-Request-Id"] == item.control_id
    (row,) = fhir_rows(outstore, pid)
    assert row.event == "fhir.sent" and row.insi_request == first.body
    assert row.insi_response and b'"resourceType": "Patient"' in row.insi_response
    # INSi then document: the two changes coalesce into one item, sent as one update.
    qual = make(desk, "qual")
    assert out.tick().sent == {"fhir": 1}
    last = server.received[-1]
    assert "urn:oid:1.2.250.1.213.1.4.8%7C160012B02077713," in last.query
    assert last.status == 201  # another patient: created
    assert desk.output_status_fr(qual) == "FHIR : transmis"
    assert len(server.resources) == 2
    # The first patient is qualified later: found again by its local id, updated in place.
    assert desk.edit_patient(pid, form(used_name="Martin")).ok
    assert out.tick().sent == {"fhir": 1}
    assert server.received[-1].status == 200 and len(server.resources) == 2
    assert outstore.verify_chain().ok


def test_412_is_held_for_a_person_then_released(desk, outstore, server):
    """Several resources match: held, said on screen, not retried alone; released: sent."""
    server.set_modes(["412", "ok"])
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    report = out.tick()
    assert report.held == {"fhir": 1} and report.refusals[0][1] == pid
    status = desk.output_status_fr(pid)
    assert status.startswith("FHIR : refusé — HTTP 412 : réponse 412 voulue")
    assert outstore.due_outputs("fhir") == []
    assert out.tick().sent == {} and len(server.received) == 1
    (row,) = fhir_rows(outstore, pid)
    assert row.event == "fhir.held" and row.insi_request == server.received[0].body
    assert b"OperationOutcome" in row.insi_response
    item = outstore.output_status(pid)["fhir"]
    outstore.release_output(item.id, actor="Mme Accueil")
    assert out.tick().sent == {"fhir": 1}
    assert server.received[1].body == server.received[0].body  # the same bytes again
    assert desk.output_status_fr(pid) == "FHIR : transmis"


@pytest.mark.parametrize("answer", ["500", "503", "429", "408"])
def test_server_trouble_is_retried_with_backoff_and_the_same_bytes(desk, outstore, server,
                                                                    clock, answer):
    """5xx, 429, 408: retried after 30 s (then doubling), same body, same request id."""
    server.set_modes([answer, answer, "ok"])
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    assert out.tick().retried == {"fhir": 1}
    item = outstore.output_status(pid)["fhir"]
    assert item.attempts == 1 and item.state == "pending"
    assert desk.output_status_fr(pid) == ("FHIR : en attente d'envoi (1 essai, prochain à "
                                          "9 h 30)")
    assert out.tick().retried == {} and len(server.received) == 1  # not before its time
    clock.advance(31)
    assert out.tick().retried == {"fhir": 1}
    assert outstore.output_status(pid)["fhir"].attempts == 2
    clock.advance(31)
    assert out.tick().sent == {} and len(server.received) == 2  # now 60 s: not yet
    clock.advance(30)
    assert out.tick().sent == {"fhir": 1}
    bodies = {r.body for r in server.received}
    ids = {r.headers["X-Request-Id"] for r in server.received}
    assert len(bodies) == 1 and len(ids) == 1
    assert [r.event for r in fhir_rows(outstore, pid)] == ["fhir.retry", "fhir.retry",
                                                           "fhir.sent"]


@pytest.mark.parametrize("answer", ["400", "422", "403"])
def test_content_refused_is_held(desk, outstore, server, answer):
    """A 4xx other than 408/429: the receiver will not take it as is; a person looks."""
    server.set_modes([answer])
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    assert out.tick().held == {"fhir": 1}
    assert outstore.output_status(pid)["fhir"].state == "held"


def test_a_stalled_server_never_blocks_the_desk(desk, outstore, server, clock):
    """The server stalls past the timeout: a desk action completes meanwhile, the item is
    retried once the deadline cuts the exchange, and nothing is lost."""
    server.set_modes(["stall"])
    out = sender(outstore, settings_for(server, timeout=1.5))
    pid = desk.create_patient(form()).patient_id
    reports = []
    worker = threading.Thread(target=lambda: reports.append(out.tick()))
    started = time.monotonic()
    worker.start()
    wait_for(lambda: server.stalling == 1)
    other = desk.create_patient(form(birth_name="Durand", first_names="Paul", sex="M",
                                     birth_date="02/03/1971")).patient_id  # the desk works
    assert desk.get_patient(other) is not None
    assert worker.is_alive() and server.stalling == 1  # still stalled when it completed
    worker.join(timeout=10)
    elapsed = time.monotonic() - started
    assert not worker.is_alive() and elapsed < 1.5 + 1.0
    assert reports[0].retried == {"fhir": 1}
    item = outstore.output_status(pid)["fhir"]
    assert item.state == "pending" and "délai de 1.5 s dépassé" in item.last_error
    # Back up: both identities go, oldest first.
    server.release()
    server.set_modes(["ok"])
    clock.advance(31)
    assert out.tick().sent == {"fhir": 2}
    assert outstore.output_status(other)["fhir"].state == "sent"


def test_refused_connection_is_retried(desk, outstore, tmp_path):
    """Nobody listens: retried, said in French, journaled with the body that waits."""
    settings = FhirSettings(base_url=f"https://127.0.0.1:{refused_port()}/fhir",
                            ca_bundle=None, timeout=2.0, local_system=LOCAL)
    out = sender(outstore, settings)
    pid = desk.create_patient(form()).patient_id
    report = out.tick()
    assert report.retried == {"fhir": 1}
    assert report.stopped["fhir"] == "connexion refusée par le serveur FHIR"
    (row,) = fhir_rows(outstore, pid)
    assert row.event == "fhir.retry" and row.insi_request.startswith(b'{"resourceType"')


def test_untrusted_server_certificate_sends_nothing(desk, outstore, server, tmp_path):
    """A server not signed by the configured CA: no byte of identity leaves; retried."""
    from ins_tui.insi.pki import make_ca

    other = make_ca(tmp_path / "other-ca", cn="AC INCONNUE")
    out = sender(outstore, settings_for(server, ca_bundle=other.ca_cert))
    desk.create_patient(form())
    report = out.tick()
    assert report.retried == {"fhir": 1}
    assert "certificat du serveur FHIR refusé" in report.stopped["fhir"]
    assert server.received == []


def _client_pem(paths, directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, cert, _ = pkcs12.load_key_and_certificates(paths.client_p12.read_bytes(),
                                                    paths.p12_password)
    cert_file, key_file = directory / "client.pem", directory / "client-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return cert_file, key_file


def test_client_certificate_when_the_server_requires_one(desk, outstore, tmp_path):
    """Mutual TLS: without the client PEM the handshake fails (retried); with it, sent."""
    with FhirTestServer(tmp_path / "pki", require_client_cert=True) as srv:
        desk.create_patient(form())
        assert sender(outstore, settings_for(srv)).tick().retried == {"fhir": 1}
        assert srv.received == []
        cert, key = _client_pem(srv.paths, tmp_path)
        out = sender(outstore, settings_for(srv, client_cert=cert, client_key=key))
        assert out.tick(everything=True).sent == {"fhir": 1}
        assert srv.received[0].status == 201


def test_answer_past_the_cap_is_cut_and_journaled(desk, outstore, server):
    """A 200 with a 4 MB body: sent (the status says so), the journal keeps the start."""
    server.set_modes(["big"])
    out = sender(outstore, settings_for(server, max_answer_bytes=64 * 1024))
    pid = desk.create_patient(form()).patient_id
    assert out.tick().sent == {"fhir": 1}
    (row,) = fhir_rows(outstore, pid)
    assert row.insi_response is None or len(row.insi_response) <= 64 * 1024
    assert "réponse tronquée" in row.after_json


def test_a_newer_change_waits_for_the_older_one(desk, outstore, server, clock):
    """The first identity is retrying: the change made after it is not sent before it."""
    server.set_modes(["500", "ok"])
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    assert out.tick().retried == {"fhir": 1}
    assert desk.edit_patient(pid, form(used_name="Martin")).ok  # a second item, due now
    assert out.tick().sent == {} and len(server.received) == 1
    clock.advance(31)
    assert out.tick().sent == {"fhir": 2}
    first, second = (r.resource for r in server.received[1:])
    assert [n["use"] for n in first["name"]] == ["official"]
    assert [n["use"] for n in second["name"]] == ["official", "usual"]
    assert server.resources["1"]["name"][-1]["family"] == "MARTIN"


def test_a_newer_identity_accepted_supersedes_an_older_refusal(desk, outstore, server):
    """Held (422), then the corrected identity is accepted: the refusal is closed."""
    server.set_modes(["422", "ok"])
    out = sender(outstore, settings_for(server))
    pid = desk.create_patient(form()).patient_id
    assert out.tick().held == {"fhir": 1}
    assert desk.edit_patient(pid, form(used_name="Martin")).ok
    assert out.tick().sent == {"fhir": 1}
    assert outstore.pending_outputs("fhir") == []
    assert [r.event for r in fhir_rows(outstore, pid)][-1] == "fhir.dismissed"


def test_tick_never_raises_into_the_ui(desk, outstore, server):
    """A broken transmitter: the tick says so and returns; the next target still runs."""

    class Broken:
        target = "hl7"

        def send(self, item):
            raise RuntimeError("ADRTROIS")  # a message that must not reach a log

    outstore.set_output_targets({"fhir", "hl7"})
    out = OutboundSender(outstore, [Broken(), FhirTransmitter(outstore, settings_for(server))])
    desk.create_patient(form())
    report = out.tick()
    assert report.stopped["hl7"].startswith("erreur interne")
    assert report.sent == {"fhir": 1}
