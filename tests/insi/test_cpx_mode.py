"""CPx mode end to end: the real client signs an assertion PS with a PKCS#12 file or a
SoftHSM token (a real PKCS#11 token standing in for a CPS card) and the real simulator,
over loopback HTTPS with server-auth TLS only, verifies it against the CA it trusts.

Refusals are sent as raw requests through the real transport where the client's own guard
would stop them first (unsigned, altered), and through the client itself where it cannot
(a card certificate from an untrusted CA): either way the fault is mapped by the client's
own code to a French message.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree
from signing_certs import (
    P12_PASSWORD,
    USER_PIN,
    Card,
    ca,
    card_cert,
    holder_name,
    needs_softhsm,
    rsa_key,
    softhsm_token,
    write_p12,
    xmlsec1,
)

from ins_tui.cli import main
from ins_tui.config import ConfigError, load_config
from ins_tui.domain.model import OID_INS_NIR, Sex, Traits
from ins_tui.insi import envelope
from ins_tui.insi.assertion import DS_NS, SAML_NS, build_assertion_ps
from ins_tui.insi.client import InsiClient
from ins_tui.insi.faults import classify_fault, fault_message
from ins_tui.insi.namespaces import ACTIONS, OP_TRAITS, WSSE, content_type
from ins_tui.insi.outcomes import ErrorKind, Fault, Found, InsiError
from ins_tui.insi.response import parse_answer
from ins_tui.insi.settings import CpxSettings, cpx_settings_from_config, settings_from_config
from ins_tui.insi.signer import Pkcs11Signer, Pkcs12Signer, SignerError
from ins_tui.insi.simulator import TRAINING_IDAM, SimulatorServer
from ins_tui.insi.tls import client_context
from ins_tui.insi.transport import HttpsPoster

ZOE = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")
ZOE_ARGS = ["--birth-name", "ADRUN", "--first-names", "ZOE", "--sex", "F",
            "--birth-date", "1975-12-31"]
BILLING = "10B0152872"
TOKEN = "CPS-CPX-MODE"


@pytest.fixture(scope="module")
def cpx_sim(sim_dir: Path) -> Iterator[SimulatorServer]:
    """A CPx-mode simulator: no client certificate asked, card CA of signing_certs trusted."""
    server = SimulatorServer(sim_dir, require_client_cert=False,
                             cpx_trusted_ca=ca().cert_pem).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def card() -> Card:
    return card_cert("card-sign")


@pytest.fixture(scope="module")
def card_p12(card: Card, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_p12(tmp_path_factory.mktemp("cpx") / "cps.p12", card)


@pytest.fixture(scope="module")
def token(card: Card, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SoftHSM token holding the card's signature key; private token dir, unloaded after."""
    with softhsm_token(tmp_path_factory.mktemp("softhsm-cpx"), TOKEN,
                       [(card, "CPS_SIGN", b"\x02")]) as module:
        yield module


def _cpx_client(sim: SimulatorServer, cpx: CpxSettings) -> InsiClient:
    # No client certificate at all: the TLS layer carries no identity in CPx mode.
    return InsiClient(sim.client_settings(cpx=cpx, p12=None, p12_password=None,
                                          read_timeout=5.0, connect_timeout=2.0))


def _assert_zoe(out: object) -> None:
    assert isinstance(out, Found), getattr(out, "message_fr", out)
    ins = out.identity.ins
    assert (ins.number, ins.key, ins.oid) == ("2751263220749", "74", OID_INS_NIR)
    assert [a.cr for a in out.attempts] == ["00"]


# -- CR 00 with both kinds of signer ---------------------------------------------------


def test_pkcs12_signer_gets_cr00_and_the_sent_bytes_verify_independently(
    cpx_sim: SimulatorServer, card_p12: Path, tmp_path: Path
) -> None:
    signer = Pkcs12Signer(card_p12, P12_PASSWORD)
    cpx = CpxSettings(signer, billing_id=BILLING, activity_sector="SA07", specialty_code="SM26")
    with _cpx_client(cpx_sim, cpx) as c:
        out = c.search_traits(ZOE)
    _assert_zoe(out)
    sent = out.attempts[0].request
    assert sent == cpx_sim.received[-1]
    assertions = etree.fromstring(sent).findall(f".//{{{WSSE}}}Security/{{{SAML_NS}}}Assertion")
    assert len(assertions) == 1
    # xmlsec1 (independent of our code) agrees, chain included.
    result = xmlsec1(sent, tmp_path, trusted_pem=ca().cert_pem)
    assert result.returncode == 0, result.stderr


@needs_softhsm
def test_softhsm_card_from_the_toml_configuration_gets_cr00(
    cpx_sim: SimulatorServer, token: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca_bundle = cpx_sim.paths.ca_cert
    toml = tmp_path / "config.toml"
    toml.write_text(
        "[insi]\n"
        f'endpoint = "{cpx_sim.url}"\nca_bundle = "{ca_bundle}"\nidam = "{TRAINING_IDAM}"\n'
        'mode = "CPX"\n'
        f'cpx_pkcs11_module = "{token}"\ncpx_token_label = "{TOKEN}"\n'
        f'cpx_billing_id = "{BILLING}"\ncpx_activity_sector = "SA07"\n'
        'cpx_specialty_code = "SM26"\n',
        encoding="utf-8",
    )
    config = load_config(toml, environ={})
    assert config.insi_mode == "cpx" and config.insi_cpx_token_label == TOKEN
    monkeypatch.setenv("INS_TUI_CPS_PIN", USER_PIN)
    settings = settings_from_config(config)
    assert settings.mode == "cpx" and settings.p12 is None and settings.p12_password is None
    signer = settings.cpx.signer
    assert isinstance(signer, Pkcs11Signer)
    try:
        with InsiClient(settings) as c:
            out = c.search_traits(ZOE)
    finally:
        signer.close()
    _assert_zoe(out)


@needs_softhsm
def test_cli_cpx_search_with_the_card(
    cpx_sim: SimulatorServer, token: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INS_TUI_CPS_PIN", USER_PIN)
    monkeypatch.setenv("INS_TUI_INSI_IDAM", TRAINING_IDAM)
    code = main(["insi", "search", "--cpx", "--endpoint", cpx_sim.url,
                 "--ca", str(cpx_sim.paths.ca_cert), "--pkcs11-module", str(token),
                 "--token-label", TOKEN, "--billing-id", BILLING, "--activity-sector", "SA07",
                 "--json", *ZOE_ARGS])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["outcome"] == "found", doc["message"]
    assert doc["identity"]["ins"]["matricule"] == "275126322074974"
    assert "Assertion" in doc["attempts"][0]["request"]


# -- nothing sent: PIN and local guard -------------------------------------------------


@needs_softhsm
def test_wrong_pin_french_error_and_nothing_sent(
    cpx_sim: SimulatorServer, token: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INS_TUI_CPS_PIN", "pin-0000")
    monkeypatch.setenv("INS_TUI_INSI_IDAM", TRAINING_IDAM)
    before = cpx_sim.request_count
    code = main(["insi", "search", "--cpx", "--endpoint", cpx_sim.url,
                 "--ca", str(cpx_sim.paths.ca_cert), "--pkcs11-module", str(token),
                 "--token-label", TOKEN, "--billing-id", BILLING, "--activity-sector", "SA07",
                 *ZOE_ARGS])
    err = capsys.readouterr().err
    assert code == 2
    assert "Code PIN incorrect" in err and "rien n'a été envoyé" in err
    assert "pin-0000" not in err
    assert cpx_sim.request_count == before


def test_missing_pin_without_terminal_is_refused(
    cpx_sim: SimulatorServer, card_p12: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt possible
    before = cpx_sim.request_count
    code = main(["insi", "search", "--cpx", "--endpoint", cpx_sim.url,
                 "--signing-p12", str(card_p12), "--billing-id", BILLING,
                 "--activity-sector", "SA07", *ZOE_ARGS])
    assert code == 2
    assert "INS_TUI_CPS_PIN" in capsys.readouterr().err
    assert cpx_sim.request_count == before


def test_incomplete_cpx_configuration_is_named(card_p12: Path) -> None:
    config = load_config(environ={})
    with pytest.raises(SignerError, match="module PKCS#11"):
        cpx_settings_from_config(config, pin=USER_PIN)
    with pytest.raises(SignerError, match="identifiant de facturation"):
        cpx_settings_from_config(config, pin=P12_PASSWORD, signing_p12=str(card_p12))
    with pytest.raises(SignerError, match="mot de passe incorrect"):
        cpx_settings_from_config(config, pin="faux", signing_p12=str(card_p12),
                                 billing_id=BILLING, activity_sector="SA07")
    with pytest.raises(ConfigError, match="Mode INSi « tls » inconnu"):
        load_config(environ={"INS_TUI_INSI_MODE": "tls"})


def test_prefix_clash_is_caught_before_sending(
    cpx_sim: SimulatorServer, card_p12: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An envelope declaring the SAML namespace under another prefix renames the assertion's
    prefix on append: the signed bytes change, so the client refuses to send."""

    def clashing_security(assertions):
        root = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "s2": SAML_NS})
        for a in assertions:
            root.append(a)
        return root

    monkeypatch.setattr(envelope, "security", clashing_security)
    cpx = CpxSettings(Pkcs12Signer(card_p12, P12_PASSWORD), BILLING, "SA07")
    before = cpx_sim.request_count
    with _cpx_client(cpx_sim, cpx) as c:
        out = c.search_traits(ZOE)
    assert isinstance(out, InsiError) and out.kind is ErrorKind.CERTIFICATE
    assert "modifiée après sa signature" in out.message_fr
    assert "Rien n'a été envoyé" in out.message_fr
    assert out.attempts == () and cpx_sim.request_count == before


# -- refused by the simulator ----------------------------------------------------------


def _raw_exchange(sim: SimulatorServer, assertion: etree._Element | None) -> Fault:
    """Post a request built by the client's own builder, bypassing the client's guard."""
    settings = sim.client_settings(p12=None, p12_password=None)
    request = envelope.build_request(
        OP_TRAITS, envelope.traits_body("ADRUN", "ZOE", "F", "1975-12-31", None), settings,
        message_id=f"uuid:{uuid.uuid4()}", emitter=None,
        assertions=[assertion] if assertion is not None else None,
    )
    poster = HttpsPoster(sim.url, client_context(sim.paths.ca_cert), connect_timeout=2.0,
                         read_timeout=5.0)
    try:
        status, data = poster.post(request, {"Content-Type": content_type(ACTIONS[OP_TRAITS])})
    finally:
        poster.close()
    answer = parse_answer(status, data)
    assert status == 500 and isinstance(answer, Fault), data[:300]
    return answer


def _unsigned(el: etree._Element) -> None:
    el.remove(el.find(f"{{{DS_NS}}}Signature"))


def _tampered(el: etree._Element) -> None:
    el.find(f".//{{{SAML_NS}}}AttributeValue").text = "999999999"


def _other_card(el: etree._Element) -> None:
    el.find(f".//{{{SAML_NS}}}NameID").text = "899700000000"


@pytest.mark.parametrize(("tamper", "detail"), [
    (_unsigned, "not signed"),
    (_tampered, "digest mismatch"),
    (_other_card, "digest mismatch"),
])
def test_unsigned_or_altered_assertion_is_refused(
    cpx_sim: SimulatorServer, card_p12: Path, tamper, detail: str
) -> None:
    el = build_assertion_ps(Pkcs12Signer(card_p12, P12_PASSWORD), billing_id=BILLING,
                            activity_sector="SA07")
    tamper(el)
    fault = _raw_exchange(cpx_sim, el)
    assert fault.detail_code == "desir_530" and detail in fault.detail_text
    assert classify_fault(fault) is ErrorKind.AUTHENTICATION
    message = fault_message(fault, "cpx")
    assert message.startswith("Le téléservice INSi a refusé l'authentification par carte CPS")
    assert message.endswith("(code desir_530)")


def test_no_assertion_at_all_is_a_rights_fault_with_the_cpx_message(
    cpx_sim: SimulatorServer,
) -> None:
    fault = _raw_exchange(cpx_sim, None)
    assert fault.detail_code == "DESIR_560" and classify_fault(fault) is ErrorKind.RIGHTS
    assert "la carte CPS n'est pas acceptée" in fault_message(fault, "cpx")


def _rogue_card(tmp_path: Path) -> Path:
    """Same subject names as the trusted CA and the card, but another CA key: a forger's
    certificate. The assertion it signs is internally valid; only the chain is wrong."""
    rogue_key = rsa_key("rogue-ca")
    card_key = rsa_key("card-sign")
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(holder_name())
        .issuer_name(ca().cert.subject)
        .public_key(card_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(rogue_key, hashes.SHA256())
    )
    return write_p12(tmp_path / "rogue.p12", Card(card_key, cert))


def test_card_from_an_untrusted_ca_is_refused_through_the_client(
    cpx_sim: SimulatorServer, tmp_path: Path
) -> None:
    cpx = CpxSettings(Pkcs12Signer(_rogue_card(tmp_path), P12_PASSWORD), BILLING, "SA07")
    with _cpx_client(cpx_sim, cpx) as c:
        out = c.search_traits(ZOE)
    assert isinstance(out, InsiError) and out.kind is ErrorKind.AUTHENTICATION
    assert out.fault is not None and "not issued by a trusted CA" in out.fault.detail_text
    assert "carte CPS" in out.message_fr and len(out.attempts) == 1
    assert not out.retryable


def test_the_mtls_simulator_ignores_cpx_and_still_wants_a_client_certificate(
    sim: SimulatorServer, card_p12: Path
) -> None:
    """CPx settings against an mTLS server: no client certificate is sent, TLS refuses."""
    cpx = CpxSettings(Pkcs12Signer(card_p12, P12_PASSWORD), BILLING, "SA07")
    with _cpx_client(sim, cpx) as c:
        out = c.search_traits(ZOE)
    assert isinstance(out, InsiError) and out.kind in (ErrorKind.TLS, ErrorKind.NETWORK)
