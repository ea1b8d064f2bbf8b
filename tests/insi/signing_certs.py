"""Test PKI for the assertion PS: a CA, CPx-like card certificates, SoftHSM tokens, xmlsec1.

Everything is generated per test session with `cryptography`; the card holder is fictitious
(`PRATICIEN-FICTIF` / `TESTNOM`) and the card type extension 1.2.250.1.71.1.2.2 is encoded
the way the assertion code has to tolerate (bare string, or a structure holding one).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from ins_tui.insi.pki import build_certificate, key_usage, new_key, p12_bytes

CARD_TYPE_OID = ObjectIdentifier("1.2.250.1.71.1.2.2")
CARD_ID = "899700870589"
HOLDER_SURNAME = "TESTNOM"
HOLDER_GIVEN_NAME = "PRATICIEN-FICTIF"
P12_PASSWORD = "mot-de-passe-p12"
USER_PIN = "pin-4711"  # letters: a digits-only PIN could match a hex address
SO_PIN = "12345678"


def utf8_string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return bytes([0x0C, len(raw)]) + raw


def ia5_string(text: str) -> bytes:
    raw = text.encode("ascii")
    return bytes([0x16, len(raw)]) + raw


def sequence(*items: bytes) -> bytes:
    body = b"".join(items)
    return bytes([0x30, len(body)]) + body


@dataclass(frozen=True)
class Card:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per name and session: key generation dominates test time."""
    return new_key()


@cache
def ca() -> Card:
    key = rsa_key("ca")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "INS-TUI TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, "TEST AC CPX INS-TUI"),
        ]
    )
    cert = build_certificate(name, key.public_key(), name, key, ca=True, path_length=0,
                             days=365, backdate=dt.timedelta(days=1))
    return Card(key, cert)


def holder_name(card_id: str = CARD_ID) -> x509.Name:
    """A CPS-like subject: CN (card id) and SN in one RDN, as in the contract's example."""
    return x509.Name(
        [
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CABINET TEST INS-TUI")]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, "Médecin")]),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.GIVEN_NAME, HOLDER_GIVEN_NAME)]
            ),
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, card_id),
                    x509.NameAttribute(NameOID.SURNAME, HOLDER_SURNAME),
                ]
            ),
        ]
    )


def card_cert(
    key_name: str = "card-sign",
    *,
    card_type: bytes | None = utf8_string("CPS"),
    signing: bool = True,
    card_id: str = CARD_ID,
    public_key: object | None = None,
) -> Card:
    key = rsa_key(key_name)
    extensions = []
    if card_type is not None:
        extensions.append((x509.UnrecognizedExtension(CARD_TYPE_OID, card_type), False))
    cert = build_certificate(
        holder_name(card_id),
        public_key or key.public_key(),
        ca().cert.subject,
        ca().key,
        usage=key_usage(digital_signature=not signing, content_commitment=signing),
        extensions=extensions,
        days=365,
        backdate=dt.timedelta(days=1),
    )
    return Card(key, cert)


def write_p12(path: Path, card: Card, password: str = P12_PASSWORD, key: object = None) -> Path:
    path.write_bytes(p12_bytes(b"carte", key or card.key, card.cert, (), password.encode()))
    return path


def write_ec_p12(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build_certificate(holder_name(), key.public_key(), holder_name(), key, days=1,
                             backdate=dt.timedelta(0))
    path.write_bytes(p12_bytes(b"ec", key, cert, (), P12_PASSWORD.encode()))
    return path


# --- xmlsec1: the independent verifier -------------------------------------------------

SAML_ID_ATTR = "--id-attr:ID"
SAML_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"


def xmlsec1(
    document: bytes, tmp: Path, *, cert_pem: bytes | None = None, trusted_pem: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Debian's xmlsec1 on `document`; exit status 0 means the signature is valid."""
    exe = shutil.which("xmlsec1")
    assert exe, "xmlsec1 manquant : lancer scripts/bootstrap.sh (paquet Debian xmlsec1)"
    doc = tmp / "signed.xml"
    doc.write_bytes(document)
    args = [exe, "--verify", SAML_ID_ATTR, SAML_ASSERTION]
    if cert_pem is not None:
        (tmp / "pub.pem").write_bytes(cert_pem)
        args += ["--pubkey-cert-pem", str(tmp / "pub.pem")]
    if trusted_pem is not None:
        (tmp / "ca.pem").write_bytes(trusted_pem)
        args += ["--trusted-pem", str(tmp / "ca.pem")]
    args.append(str(doc))
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


# --- SoftHSM: a real PKCS#11 token ------------------------------------------------------


def softhsm_module() -> Path | None:
    for candidate in (
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ):
        if Path(candidate).is_file():
            return Path(candidate)
    return None


needs_softhsm = pytest.mark.skipif(
    softhsm_module() is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM absent : lancer scripts/bootstrap.sh (paquet Debian softhsm2)",
)


def softhsm_config(root: Path) -> Path:
    """A private SoftHSM configuration: tokens in `root`, never the system's token dir."""
    tokens = root / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    return conf


def init_token(conf: Path, label: str) -> None:
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            USER_PIN,
            "--so-pin",
            SO_PIN,
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=30,
    )


def import_pair(module: Path, token_label: str, card: Card, label: str, key_id: bytes) -> None:
    """Put a private key and its certificate on the token (as a card personaliser would)."""
    import pkcs11
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    der_key = card.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    token = pkcs11.lib(str(module)).get_token(token_label=token_label)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        attrs = decode_rsa_private_key(der_key)
        attrs.update(
            {
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.PRIVATE: True,
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.LABEL: label,
                pkcs11.Attribute.ID: key_id,
            }
        )
        session.create_object(attrs)
        cert_attrs = decode_x509_certificate(card.cert.public_bytes(serialization.Encoding.DER))
        cert_attrs.update(
            {
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.LABEL: label,
                pkcs11.Attribute.ID: key_id,
            }
        )
        session.create_object(cert_attrs)


@contextmanager
def softhsm_token(root: Path, label: str, pairs: list[tuple[Card, str, bytes]]) -> Iterator[Path]:
    """A private SoftHSM token holding `pairs` (card, label, id); yields the module path.

    The library is unloaded before and after, so each test module can point SOFTHSM2_CONF
    at its own token directory (SoftHSM reads it once per load).
    """
    import pkcs11

    module = softhsm_module()
    assert module is not None
    conf = softhsm_config(root)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    pkcs11.unload(str(module))
    try:
        init_token(conf, label)
        for card, key_label, key_id in pairs:
            import_pair(module, label, card, key_label, key_id)
        yield module
    finally:
        pkcs11.unload(str(module))
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous
