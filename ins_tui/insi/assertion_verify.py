"""Verifying a received assertion PS the way the service has to: the simulator's side of CPx.

Unlike `assertion.check_assertion_ps` (the client's guard, which trusts the embedded
certificate), this refuses anything it cannot tie to a trusted authority: the signature
must cover the assertion it sits in (one element with that ID in the whole message, so a
signed copy cannot be wrapped around an altered one), use exactly the algorithms of the
contract (§7.3), and the card certificate must be issued by a configured CA and be in date.
Problems are returned in English for the fault detail and the journal; the client maps
the fault to a French message.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from ins_tui.insi.assertion import DS_NS, ENVELOPED, EXC_C14N, RSA_SHA256, SAML_NS, SHA256

if TYPE_CHECKING:
    from lxml import etree

_NS = {"ds": DS_NS, "saml": SAML_NS}


def load_trusted(pem: bytes) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM bundle (the CAs allowed to issue card certificates)."""
    return tuple(x509.load_pem_x509_certificates(pem))


def assertion_problem(
    assertion: etree._Element,
    trusted: Sequence[x509.Certificate],
    *,
    now: datetime | None = None,
) -> str | None:
    """Why `assertion` (as it sits in the received message) must be refused, or None."""
    signature = assertion.find("ds:Signature", _NS)
    if signature is None:
        return "assertion PS is not signed"
    signed_info = signature.find("ds:SignedInfo", _NS)
    if signed_info is None:
        return "signature has no SignedInfo"
    c14n = signed_info.find("ds:CanonicalizationMethod", _NS)
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        return "canonicalisation is not exclusive c14n"
    method = signed_info.find("ds:SignatureMethod", _NS)
    if method is None or method.get("Algorithm") != RSA_SHA256:
        return "signature method is not rsa-sha256"
    references = signed_info.findall("ds:Reference", _NS)
    assertion_id = assertion.get("ID") or ""
    if len(references) != 1 or not assertion_id or references[0].get("URI") != f"#{assertion_id}":
        return "signature does not reference the assertion"
    same_id = assertion.getroottree().getroot().xpath("//*[@ID=$id]", id=assertion_id)
    if len(same_id) != 1:
        return "assertion ID is not unique in the message"
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.findall("ds:Transforms/ds:Transform", _NS)]
    if transforms not in ([ENVELOPED, EXC_C14N], [ENVELOPED]):
        return f"unexpected transforms {transforms}"
    digest_method = reference.find("ds:DigestMethod", _NS)
    if digest_method is None or digest_method.get("Algorithm") != SHA256:
        return "digest method is not sha256"
    try:
        digest = base64.b64decode(reference.findtext("ds:DigestValue", "", _NS), validate=True)
        value = base64.b64decode(signature.findtext("ds:SignatureValue", "", _NS))
        cert = x509.load_der_x509_certificate(
            base64.b64decode(
                signature.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", "", _NS)
            )
        )
    except ValueError:
        return "signature values or certificate unreadable"

    detached = copy.deepcopy(assertion)
    detached.remove(detached.find("ds:Signature", _NS))
    if hashlib.sha256(_exc_c14n(detached)).digest() != digest:
        return "digest mismatch: the assertion was altered after signing"
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return "card certificate key is not RSA"
    try:
        key.verify(value, _exc_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "signature value does not verify with the card certificate"

    chain_problem = _chain_problem(cert, trusted, now or datetime.now(UTC))
    if chain_problem:
        return chain_problem
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name_id = (assertion.findtext("saml:Subject/saml:NameID", "", _NS) or "").strip()
    if not common_names or name_id != str(common_names[0].value):
        return "Subject/NameID differs from the card certificate CN"
    return None


def _chain_problem(
    cert: x509.Certificate, trusted: Sequence[x509.Certificate], now: datetime
) -> str | None:
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return "card certificate is outside its validity period"
    for ca in trusted:
        if ca.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
            return "issuing CA is outside its validity period"
        return None
    return "card certificate is not issued by a trusted CA"


def _exc_c14n(element: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
