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
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier

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
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


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
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
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
    builder = (
        x509.CertificateBuilder()
        .subject_name(holder_name(card_id))
        .issuer_name(ca().cert.subject)
        .public_key(public_key or key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=not signing,
                content_commitment=signing,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if card_type is not None:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(CARD_TYPE_OID, card_type), critical=False
        )
    return Card(key, builder.sign(ca().key, hashes.SHA256()))


def write_p12(path: Path, card: Card, password: str = P12_PASSWORD, key: object = None) -> Path:
    blob = pkcs12.serialize_key_and_certificates(
        b"carte",
        key or card.key,  # type: ignore[arg-type]
        card.cert,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )
    path.write_bytes(blob)
    return path


def write_ec_p12(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(holder_name())
        .issuer_name(holder_name())
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"ec", key, cert, None, serialization.BestAvailableEncryption(P12_PASSWORD.encode())
    )
    path.write_bytes(blob)
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
