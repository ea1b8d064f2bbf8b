"""The PKCS#11 signer against SoftHSM, a real PKCS#11 token, with xmlsec1 as verifier.

The token mimics a CPS card: an authentication key and a signature key, each with its
certificate; the holder's names are fictitious and must never reach a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from signing_certs import (
    HOLDER_GIVEN_NAME,
    HOLDER_SURNAME,
    P12_PASSWORD,
    USER_PIN,
    Card,
    card_cert,
    needs_softhsm,
    softhsm_token,
    write_p12,
    xmlsec1,
)

from ins_tui.insi.assertion import build_assertion_ps
from ins_tui.insi.signer import Pkcs11Signer, Pkcs12Signer, SignerError

TOKEN = "CPS-TEST-INSTUI"

pytestmark = needs_softhsm


@pytest.fixture(scope="module")
def cards() -> dict[str, Card]:
    return {"sign": card_cert("card-sign"), "auth": card_cert("card-auth", signing=False)}


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, cards: dict[str, Card]) -> Iterator[Path]:
    """A private SoftHSM token holding the card's authentication and signature keys."""
    with softhsm_token(tmp_path_factory.mktemp("softhsm"), TOKEN,
                       [(cards["auth"], "CPS_AUTH", b"\x01"),
                        (cards["sign"], "CPS_SIGN", b"\x02")]) as module:
        yield module


@pytest.fixture
def signer(token: Path) -> Iterator[Pkcs11Signer]:
    with Pkcs11Signer(token, TOKEN, USER_PIN) as s:
        yield s


def test_softhsm_signature_verified_by_xmlsec1(
    signer: Pkcs11Signer, cards: dict[str, Card], tmp_path: Path
) -> None:
    el = build_assertion_ps(signer, billing_id="10B0152872", activity_sector="SA07")
    result = xmlsec1(etree.tostring(el), tmp_path, cert_pem=cards["sign"].cert_pem)
    assert result.returncode == 0, result.stderr
    el.find(".//{*}AttributeValue").text = "999999999"
    assert xmlsec1(etree.tostring(el), tmp_path, cert_pem=cards["sign"].cert_pem).returncode != 0


def test_the_signature_key_is_chosen_among_two(
    signer: Pkcs11Signer, cards: dict[str, Card]
) -> None:
    """Without a configured label, the non-repudiation certificate wins (not the auth one)."""
    assert signer.certificate() == cards["sign"].cert


@pytest.mark.parametrize(
    ("label", "key_id", "which"), [("CPS_AUTH", None, "auth"), (None, b"\x02", "sign")]
)
def test_key_chosen_by_label_or_id(
    token: Path, cards: dict[str, Card], label: str | None, key_id: bytes | None, which: str
) -> None:
    with Pkcs11Signer(token, TOKEN, USER_PIN, key_label=label, key_id=key_id) as s:
        assert s.certificate() == cards[which].cert
        build_assertion_ps(s, billing_id="123456789", activity_sector="SA05")


def test_same_bytes_same_signature_as_the_software_key(
    signer: Pkcs11Signer, cards: dict[str, Card], tmp_path: Path
) -> None:
    """PKCS#1 v1.5 is deterministic: the token and the PKCS#12 copy must agree byte for byte."""
    soft = Pkcs12Signer(write_p12(tmp_path / "c.p12", cards["sign"]), P12_PASSWORD)
    assert signer.sign(b"<SignedInfo/>") == soft.sign(b"<SignedInfo/>")


def test_wrong_pin(token: Path) -> None:
    with pytest.raises(SignerError) as err:
        Pkcs11Signer(token, TOKEN, "pin-0000")
    assert err.value.message_fr.startswith("Code PIN incorrect")
    assert "pin-0000" not in str(err.value)


def test_empty_pin(token: Path) -> None:
    with pytest.raises(SignerError, match="Saisir le code PIN"):
        Pkcs11Signer(token, TOKEN, "")


def test_missing_token(token: Path) -> None:
    with pytest.raises(SignerError, match="« CPS-ABSENTE » introuvable"):
        Pkcs11Signer(token, "CPS-ABSENTE", USER_PIN)


def test_missing_module(tmp_path: Path) -> None:
    with pytest.raises(SignerError, match="Module PKCS#11 introuvable"):
        Pkcs11Signer(tmp_path / "libabsent.so", TOKEN, USER_PIN)


def test_a_file_that_is_not_a_pkcs11_module(tmp_path: Path) -> None:
    bogus = tmp_path / "libfaux.so"
    bogus.write_bytes(b"\x7fELF pas un module")
    with pytest.raises(SignerError, match="n'a pas pu être chargé"):
        Pkcs11Signer(bogus, TOKEN, USER_PIN)


def test_unknown_key_label(token: Path) -> None:
    with pytest.raises(SignerError, match="Aucune clé de signature RSA « CPS_AUTRE »"):
        Pkcs11Signer(token, TOKEN, USER_PIN, key_label="CPS_AUTRE")


def test_signing_after_close(token: Path) -> None:
    s = Pkcs11Signer(token, TOKEN, USER_PIN)
    s.close()
    s.close()  # idempotent
    with pytest.raises(SignerError, match="fermée"):
        s.sign(b"x")


def test_pin_and_holder_name_never_logged(
    token: Path, cards: dict[str, Card], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Logs, error messages and reprs name neither the PIN nor the holder; the PIN and
    the p12 password are not even kept on the signer (the certificate, and so the holder's
    name, has to be: the assertion's Issuer is its DN)."""
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    with pytest.raises(SignerError) as err:
        Pkcs11Signer(token, TOKEN, "pin-9876")
    shown.append(str(err.value))
    with Pkcs11Signer(token, TOKEN, USER_PIN) as card_signer:
        build_assertion_ps(card_signer, billing_id="123456789", activity_sector="SA07")
        shown.append(repr(card_signer))
        kept = repr(vars(card_signer))
    soft = Pkcs12Signer(write_p12(tmp_path / "c.p12", cards["sign"]), P12_PASSWORD)
    build_assertion_ps(soft, billing_id="123456789", activity_sector="SA07")
    shown.append(repr(soft))
    kept += repr(vars(soft))

    assert any("signer ready" in r.getMessage() for r in caplog.records)
    shown += [r.getMessage() for r in caplog.records]
    text = "\n".join(shown)
    for secret in (USER_PIN, "pin-9876", P12_PASSWORD, HOLDER_SURNAME, HOLDER_GIVEN_NAME):
        assert secret not in text
    for secret in (USER_PIN, P12_PASSWORD):
        assert secret not in kept
