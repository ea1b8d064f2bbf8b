"""Mutual TLS from a PKCS#12 file, trusting only the configured CA bundle.

`ssl` can only load a private key from a file. The key is therefore re-encrypted
with a random one-time passphrase before touching the disk, written into a
private (0700) temporary directory and deleted as soon as OpenSSL has read it:
the certificate password and the clear key are never written anywhere.
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path


class CertificateError(ValueError):
    """The PKCS#12 or CA file cannot be used; `message_fr` is for the person at the desk."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


@dataclass(frozen=True)
class ClientIdentity:
    """What the client certificate tells about the structure (OU is the LPS `Emetteur`)."""

    common_name: str
    organisational_unit: str | None


def _load_p12(path: Path, password: bytes | None):
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CertificateError(f"Certificat PKCS#12 introuvable ou illisible : {path}") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise CertificateError(
            "Certificat PKCS#12 illisible : mot de passe faux ou fichier abîmé."
        ) from exc
    if key is None or cert is None:
        raise CertificateError("Le fichier PKCS#12 ne contient pas de clé et de certificat.")
    return key, cert, chain or []


def describe_p12(path: Path, password: bytes | None) -> ClientIdentity:
    from cryptography.x509.oid import NameOID

    _, cert, _ = _load_p12(path, password)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    ou = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return ClientIdentity(
        common_name=str(cn[0].value) if cn else "",
        organisational_unit=str(ou[0].value) if ou else None,
    )


def client_context(
    ca_bundle: Path | None, p12: Path | None = None, password: bytes | None = None
) -> ssl.SSLContext:
    """A TLS client context: server checked against `ca_bundle` only; client cert if given.

    `ca_bundle` is required: never the system store (see the comment below).
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if not ca_bundle:
        # The system store would trust any public CA for the service's name; the INSi
        # server chain is IGC-Santé's, which only the configured bundle names (§7.2).
        raise CertificateError(
            "Aucune autorité de confiance INSi configurée : indiquer le fichier PEM des "
            "autorités IGC-Santé (insi_ca_bundle, ou --ca en ligne de commande)."
        )
    try:
        ctx.load_verify_locations(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise CertificateError(
            f"Fichier des autorités de confiance INSi illisible : {ca_bundle}"
        ) from exc
    if p12 is not None:
        _load_client_cert(ctx, Path(p12), password)
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, p12: Path, password: bytes | None) -> None:
    from cryptography.hazmat.primitives import serialization

    key, cert, chain = _load_p12(p12, password)
    one_time = secrets.token_bytes(32)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(one_time),
    )
    cert_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *chain])
    tmp = tempfile.mkdtemp(prefix="ins-tui-tls-")
    try:
        os.chmod(tmp, 0o700)
        cert_file = os.path.join(tmp, "cert.pem")
        key_file = os.path.join(tmp, "key.pem")
        for name, data in ((cert_file, cert_pem), (key_file, key_pem)):
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        ctx.load_cert_chain(cert_file, key_file, password=one_time)
    except ssl.SSLError as exc:
        raise CertificateError("Certificat PKCS#12 inutilisable pour TLS.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
