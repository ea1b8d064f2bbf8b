"""The simulator's own small PKI: a CA, a server certificate, client certificates.

Generated on first use into the training folder and reused afterwards, so the
simulator speaks real mutual TLS without any external certificate. The client
certificate mirrors the real one's shape (CN `INSI-AUTO`, an OU used as
`Emetteur`, PKCS#12 with a password); a second client with another CN lets tests
see the service's DESIR_560 answer. The training p12 password is public on
purpose: it protects a throw-away test key, never a real one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

TRAINING_P12_PASSWORD = "formation"
GOOD_CN = "INSI-AUTO"
WRONG_CN = "INSI-AUTRE"
TEST_OU = "10B0152872"


@dataclass(frozen=True)
class PkiPaths:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    @property
    def client_p12(self) -> Path:
        return self.directory / "client-insi-auto.p12"

    @property
    def wrong_cn_p12(self) -> Path:
        return self.directory / "client-wrong-cn.p12"

    @property
    def p12_password(self) -> bytes:
        return TRAINING_P12_PASSWORD.encode()

    def complete(self) -> bool:
        return all(p.is_file() for p in (self.ca_cert, self.ca_key, self.server_cert,
                                         self.server_key, self.client_p12, self.wrong_cn_p12))


def new_key():
    """A fresh RSA-2048 key: the size IGC-Santé and CPS cards use."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str, ou: str | None = None):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ins-tui formation")]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _write(path: Path, data: bytes, mode: int = 0o600) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def key_usage(**flags: bool):
    """An `x509.KeyUsage` naming only the bits that are set (the constructor takes nine)."""
    from cryptography import x509

    names = ("digital_signature", "content_commitment", "key_encipherment",
             "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
             "encipher_only", "decipher_only")
    unknown = set(flags) - set(names)
    if unknown:
        raise TypeError(f"unknown key usage(s): {sorted(unknown)}")
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


def build_certificate(subject, public_key, issuer, issuer_key, *, ca: bool = False,
                      path_length: int | None = None, usage=None, extended_usage=None,
                      extensions=(), days: int = 825, backdate=dt.timedelta(minutes=5)):
    """The one certificate builder of the project (simulator PKI, test cards, benchmarks).

    Every self-made certificate goes through here so that a CA, a TLS peer and a CPS-like
    card differ only by their declared extensions; `extensions` is a sequence of
    `(extension, critical)` for the rest (e.g. the card type 1.2.250.1.71.1.2.2).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - backdate)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    )
    if ca:
        usage = usage or key_usage(key_cert_sign=True, crl_sign=True)
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key), False)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if extended_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_usage)), False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.sign(issuer_key, hashes.SHA256())


def p12_bytes(friendly_name: bytes, key, cert, chain, password: bytes) -> bytes:
    """A password-protected PKCS#12, as a structure or card certificate is delivered."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.serialize_key_and_certificates(
        friendly_name, key, cert, list(chain) or None,
        serialization.BestAvailableEncryption(password),
    )


def _issue(subject, key, issuer, issuer_key, *, ca: bool, server: bool = False, days: int = 825):
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    eku = None
    extensions = []
    if not ca:
        eku = [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
    if server:
        extensions.append((x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), False))
    return build_certificate(subject, key.public_key(), issuer, issuer_key, ca=ca,
                             extended_usage=eku, extensions=extensions, days=days)


def make_ca(directory: Path, cn: str = "AC FORMATION INS-TUI") -> PkiPaths:
    """A CA alone (tests use a second one to play an untrusted server)."""
    from cryptography.hazmat.primitives import serialization

    from ins_tui.paths import ensure_private_dir

    paths = PkiPaths(Path(directory))
    ensure_private_dir(paths.directory)  # holds the CA's private key
    key = new_key()
    cert = _issue(_name(cn), key, _name(cn), key, ca=True, days=3650)
    _write(paths.ca_key, key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    _write(paths.ca_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return paths


def _load_ca(paths: PkiPaths):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), None)
    return cert, key


def issue_server(paths: PkiPaths) -> None:
    from cryptography.hazmat.primitives import serialization

    ca_cert, ca_key = _load_ca(paths)
    key = new_key()
    cert = _issue(_name("localhost"), key, ca_cert.subject, ca_key, ca=False, server=True)
    _write(paths.server_key, key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    _write(paths.server_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def issue_client(paths: PkiPaths, cn: str, target: Path, password: bytes) -> None:
    ca_cert, ca_key = _load_ca(paths)
    key = new_key()
    cert = _issue(_name(cn, TEST_OU), key, ca_cert.subject, ca_key, ca=False)
    _write(target, p12_bytes(cn.encode(), key, cert, [ca_cert], password))


def ensure_pki(directory: Path) -> PkiPaths:
    """Create whatever is missing; an existing complete set is reused as is."""
    from ins_tui.paths import ensure_private_dir

    paths = PkiPaths(Path(directory))
    # Before the reuse test, so a set made by an older version (folder 0755) is narrowed.
    ensure_private_dir(paths.directory)
    if paths.complete():
        return paths
    make_ca(paths.directory)
    issue_server(paths)
    issue_client(paths, GOOD_CN, paths.client_p12, paths.p12_password)
    issue_client(paths, WRONG_CN, paths.wrong_cn_p12, paths.p12_password)
    return paths
