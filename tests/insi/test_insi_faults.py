"""Each fault family, end to end: what the service or the network does, what the client says."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import replace

import pytest

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.faults import classify_fault
from ins_tui.insi.namespaces import ACTIONS, OP_TRAITS, content_type
from ins_tui.insi.outcomes import ErrorKind, InsiError
from ins_tui.insi.pki import issue_client, make_ca
from ins_tui.insi.response import parse_answer

ZOE = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")
ZOE_MATRICULE = "275126322074974"  # insi-contract.md §8, published test INS


def _search(sim, **overrides):
    with InsiClient(sim.client_settings(**overrides)) as c:
        return c.search_traits(ZOE)


def _error(out, kind: ErrorKind) -> InsiError:
    assert isinstance(out, InsiError), out
    assert out.kind is kind, (out.kind, out.message_fr)
    assert out.message_fr
    return out


def test_unknown_idam(sim) -> None:
    out = _error(_search(sim, idam="INCONNU0000"), ErrorKind.UNKNOWN_IDAM)
    assert out.fault.detail_code == "desir_550" and out.fault.subcode == "siram_100"
    assert "IDAM" in out.message_fr and out.attempts[0].http_status == 500
    assert not out.retryable


def test_wrong_client_certificate_cn(sim) -> None:
    out = _error(_search(sim, p12=sim.paths.wrong_cn_p12), ErrorKind.RIGHTS)
    assert out.fault.detail_code == "DESIR_560"
    assert "INSI-AUTO" in out.message_fr


def test_unavailable_from_the_table(client) -> None:
    out = _error(client.search_traits(Traits("DE VINCI", "DICAPRIO", Sex.M, "2014-02-01")),
                 ErrorKind.UNAVAILABLE)
    assert out.fault.detail_code == "desir_1020" and out.retryable


def test_unavailable_from_the_fault_rate_knob(client, sim) -> None:
    sim.fault_rate = 1.0
    out = _error(client.search_traits(ZOE), ErrorKind.UNAVAILABLE)
    assert out.fault.detail_code == "desir_1020"


def test_technical_error_in_qualification(client, sim) -> None:
    sim.qualification = True
    out = _error(client.search_traits(Traits("HOUILLES", "PIERRE PAUL", Sex.M, "1993-01-27")),
                 ErrorKind.UNAVAILABLE)
    assert out.fault.detail_code == "insi_102" and out.fault.severity == "fatal"
    assert len(out.attempts) == 1  # a fault stops the first-name strategy


def _raw_post(sim, body: bytes, action: str = ACTIONS[OP_TRAITS]) -> tuple[int, bytes]:
    ctx = ssl.create_default_context(cafile=str(sim.paths.ca_cert))
    from ins_tui.insi.tls import _load_client_cert

    _load_client_cert(ctx, sim.paths.client_p12, sim.paths.p12_password)
    conn = http.client.HTTPSConnection("127.0.0.1", sim.port, context=ctx, timeout=5)
    conn.request("POST", "/lps", body=body, headers={"Content-Type": content_type(action)})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def test_invalid_request_gets_a_fault_the_client_maps(sim, client) -> None:
    good = client.search_traits(ZOE).attempts[0].request
    # Same request with the body's elements out of order: the XSD refuses it.
    broken = good.replace(b"<ns0:NomNaissance>ADRUN</ns0:NomNaissance>", b"").replace(
        b"</ns0:DateNaissance>", b"</ns0:DateNaissance><ns0:NomNaissance>ADRUN</ns0:NomNaissance>")
    status, data = _raw_post(sim, broken)
    fault = parse_answer(status, data)
    assert status == 500 and fault.detail_code == "desir_400"
    assert "NomNaissance" in fault.detail_text
    assert classify_fault(fault) is ErrorKind.REJECTED
    status, data = _raw_post(sim, good, action=ACTIONS["rechercherInsAvecCarteVitale"])
    assert parse_answer(status, data).detail_code == "desir_400"  # action mismatch


def test_read_timeout(sim) -> None:
    sim.latency = 1.0
    out = _error(_search(sim, read_timeout=0.3), ErrorKind.TIMEOUT)
    assert out.retryable and out.attempts[0].response is None


def test_untrusted_server_certificate(sim, tmp_path) -> None:
    other = make_ca(tmp_path / "other")
    before = sim.request_count
    out = _error(_search(sim, ca_bundle=other.ca_cert), ErrorKind.TLS)
    assert sim.request_count == before
    assert "certificate verify failed" in out.attempts[0].error


def test_client_certificate_from_an_unknown_ca(sim, tmp_path) -> None:
    other = make_ca(tmp_path / "rogue")
    p12 = tmp_path / "rogue.p12"
    issue_client(other, "INSI-AUTO", p12, b"pw")
    before = sim.request_count
    _error(_search(sim, p12=p12, p12_password=b"pw"), ErrorKind.TLS)
    assert sim.request_count == before


def test_wrong_p12_password_sends_nothing(sim) -> None:
    before = sim.request_count
    out = _error(_search(sim, p12_password=b"faux"), ErrorKind.CERTIFICATE)
    assert "mot de passe" in out.message_fr and out.attempts == ()
    assert sim.request_count == before


@pytest.mark.parametrize("mode", ["xxe", "bomb"])
def test_hostile_answers_refused_unread(client, sim, mode) -> None:
    sim.evil = mode
    out = _error(client.search_traits(ZOE), ErrorKind.MALFORMED)
    assert out.attempts[0].response is None  # nothing of it is kept
    assert "refused" in out.attempts[0].error
    assert "rien n'a été enregistré" in out.message_fr


@pytest.mark.parametrize("mode", ["truncated", "cut"])
def test_truncated_answers(client, sim, mode) -> None:
    sim.evil = mode
    _error(client.search_traits(ZOE), ErrorKind.MALFORMED)
    sim.evil = None
    assert client.search_traits(ZOE).identity.ins.matricule == ZOE_MATRICULE  # recovers


def test_service_gone(sim, sim_dir) -> None:
    from ins_tui.insi.simulator import SimulatorServer

    with SimulatorServer(sim_dir) as other:
        settings = other.client_settings(connect_timeout=1.0)
    _error(InsiClient(settings).search_traits(ZOE), ErrorKind.NETWORK)


def test_bad_endpoint_is_a_configuration_error(sim) -> None:
    _error(_search(sim, endpoint="http://127.0.0.1/lps"), ErrorKind.CONFIGURATION)


def test_keep_alive_connection_closed_by_server_is_reopened(sim) -> None:
    with InsiClient(sim.client_settings()) as c:
        assert c.search_traits(ZOE).identity.ins.matricule == ZOE_MATRICULE
        # As if the idle keep-alive connection had been dropped: the next write fails.
        c._poster._conn.sock.shutdown(socket.SHUT_RDWR)
        assert c.search_traits(ZOE).identity.ins.matricule == ZOE_MATRICULE


def test_idle_connection_closed_by_the_server_is_reopened(sim) -> None:
    """Tried: the server closes a kept-alive connection after 0.4 s idle (as the real front
    end does after a while), and the desk searches again a second later. Before the fix
    this came back as « connexion sécurisée impossible » (SSLEOFError taken for a TLS
    refusal) — found by hand in training mode between two patients."""
    sim.idle_timeout = 0.4
    with InsiClient(sim.client_settings()) as c:
        assert c.search_traits(ZOE).identity.ins.matricule == ZOE_MATRICULE
        before = sim.request_count
        time.sleep(1.0)
        again = c.search_traits(ZOE)
        assert not isinstance(again, InsiError), again.attempts
        assert again.identity.ins.matricule == ZOE_MATRICULE
        assert sim.request_count == before + 1  # one request served: nothing sent twice


def test_settings_never_show_the_password(sim) -> None:
    settings = replace(sim.client_settings(), p12_password=b"secret-pw")
    assert "secret-pw" not in repr(settings)


def test_no_ca_bundle_means_no_trust_and_nothing_sent(sim) -> None:
    """Never the system store: only the configured IGC-Santé bundle may vouch for INSi."""
    before = sim.request_count
    out = _error(_search(sim, ca_bundle=None), ErrorKind.CERTIFICATE)
    assert "autorité de confiance" in out.message_fr and out.attempts == ()
    assert sim.request_count == before


@pytest.mark.parametrize("endpoint", ["https://127.0.0.1:99999/lps", "https://[::1/lps",
                                      "https:///lps", "127.0.0.1/lps"])
def test_unusable_endpoint_is_a_configuration_error_not_a_crash(sim, endpoint) -> None:
    out = _error(_search(sim, endpoint=endpoint), ErrorKind.CONFIGURATION)
    assert endpoint in out.message_fr and out.attempts == ()


def test_simulator_accepts_what_the_live_service_accepts(sim, client) -> None:
    """Extra WS-A headers (To, ReplyTo, FaultTo), another header order, an empty
    wsse:Security and a MessageID reused across requests (contract §2, §3.3)."""
    from lxml import etree

    from ins_tui.insi.namespaces import SOAP12, WSA, WSSE, q

    request = client.search_traits(ZOE).attempts[0].request
    root = etree.fromstring(request)
    header = root.find(q(SOAP12, "Header"))
    children = list(header)
    for child in children:
        header.remove(child)
    for child in reversed(children):  # MessageID, Action, BAM, LPS: PYX's order, reversed
        header.append(child)
    etree.SubElement(header, q(WSSE, "Security"))
    etree.SubElement(header, q(WSA, "To")).text = sim.url
    for name in ("ReplyTo", "FaultTo"):
        reply = etree.SubElement(header, q(WSA, name))
        etree.SubElement(reply, q(WSA, "Address")).text = (
            "http://www.w3.org/2005/08/addressing/anonymous")
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    for _ in range(2):  # the same MessageID twice
        status, answer = _raw_post(sim, data)
        result = parse_answer(status, answer)
        assert status == 200 and result.cr == "00", answer[:300]
        assert result.identity.ins.matricule == "275126322074974"
