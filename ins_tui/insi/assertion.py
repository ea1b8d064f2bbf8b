"""The signed SAML 2.0 "assertion PS" that authenticates a CPx-mode INSi call.

XML-DSig is written here with lxml's exclusive canonicalisation and the signer's
RSA-SHA256, rather than with a generic XML-signature library, because the key may live
on a CPS card (PKCS#11) and only this one layout is needed. Exclusive c14n is what lets
the client drop the element into `wsse:Security` without breaking the signature: the
namespaces of the SOAP envelope around it are not part of what is signed.

The element is returned without any whitespace between tags: pretty-printing it again
(or re-indenting the envelope) would change the signed bytes.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from ins_tui.insi.signer import Signer, SignerError

if TYPE_CHECKING:
    from lxml import etree

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
X509_SUBJECT_NAME = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"

# Card type extension of ASIP/ANS CPx certificates (TRE-G02 "type de produit").
CARD_TYPE_OID = ObjectIdentifier("1.2.250.1.71.1.2.2")
FALLBACK_QUALIFIER = "CPX"
# Values the contract lists for NameQualifier; a CPE card may name itself either way.
_QUALIFIERS = {
    "CPS": "CPS",
    "CPF": "CPF",
    "CPA": "CPA",
    "CPE": "CDE-CPE",
    "CDE": "CDE-CPE",
    "CDE-CPE": "CDE-CPE",
}

# How the Issuer DN names attributes that RFC 4514 has no short name for; the contract's
# example (`CN=…+SN=…,T=Infirmier,C=FR`) shows these spellings.
_DN_NAMES = {
    NameOID.TITLE: "T",
    NameOID.SURNAME: "SN",
    NameOID.GIVEN_NAME: "G",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.EMAIL_ADDRESS: "E",
}

_BILLING_ID = re.compile(r"[0-9A-Z]{8,14}")
_SECTOR = re.compile(r"SA\d{2}")
_SPECIALTY = re.compile(r"[0-9A-Z]{2,10}")


class AssertionPsError(ValueError):
    """The assertion cannot be built; `message_fr` says which setting to fix."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


def build_assertion_ps(
    signer: Signer,
    *,
    billing_id: str,
    activity_sector: str,
    specialty_code: str | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """A freshly signed assertion PS (new ID and IssueInstant on every call).

    The caller rebuilds one per call (or every few seconds): its lifetime on the
    service side is unknown, and a fresh one costs a single card signature.
    """
    from lxml import etree

    billing = _clean(
        billing_id,
        "identifiant de facturation",
        _BILLING_ID,
        "8 à 14 chiffres ou lettres majuscules (FINESS, SIRET ou n° AM)",
    )
    sector = _clean(
        activity_sector, "secteur d'activité", _SECTOR, "SA suivi de 2 chiffres, par exemple SA07"
    )
    specialty = None
    if specialty_code is not None and specialty_code.strip():
        specialty = _clean(
            specialty_code,
            "code spécialité",
            _SPECIALTY,
            "2 à 10 chiffres ou lettres majuscules, par exemple SM26",
        )

    cert = signer.certificate()
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignerError("Le certificat de signature n'a pas une clé RSA.")
    card_id = _common_name(cert)
    instant = (now or datetime.now(UTC)).astimezone(UTC)
    assertion_id = f"_{uuid.uuid4()}"

    def saml(tag: str) -> str:
        return f"{{{SAML_NS}}}{tag}"

    def ds(tag: str) -> str:
        return f"{{{DS_NS}}}{tag}"

    root = etree.Element(saml("Assertion"), nsmap={"saml": SAML_NS})
    root.set("ID", assertion_id)
    root.set(
        "IssueInstant",
        instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z",
    )
    root.set("Version", "2.0")
    issuer = etree.SubElement(root, saml("Issuer"), Format=X509_SUBJECT_NAME)
    issuer.text = cert.subject.rfc4514_string(_DN_NAMES)
    subject = etree.SubElement(root, saml("Subject"))
    name_id = etree.SubElement(subject, saml("NameID"), NameQualifier=card_qualifier(cert))
    name_id.text = card_id
    statement = etree.SubElement(root, saml("AttributeStatement"))
    for name, value in (
        ("identifiantFacturation", billing),
        ("secteurActivite", sector),
        ("codeSpecialite", specialty),
    ):
        if value is None:
            continue
        attribute = etree.SubElement(statement, saml("Attribute"), Name=name)
        etree.SubElement(attribute, saml("AttributeValue")).text = value

    signature = etree.Element(ds("Signature"), nsmap={"ds": DS_NS})
    signed_info = etree.SubElement(signature, ds("SignedInfo"))
    etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=RSA_SHA256)
    reference = etree.SubElement(signed_info, ds("Reference"), URI=f"#{assertion_id}")
    transforms = etree.SubElement(reference, ds("Transforms"))
    etree.SubElement(transforms, ds("Transform"), Algorithm=ENVELOPED)
    etree.SubElement(transforms, ds("Transform"), Algorithm=EXC_C14N)
    etree.SubElement(reference, ds("DigestMethod"), Algorithm=SHA256)
    digest_value = etree.SubElement(reference, ds("DigestValue"))
    signature_value = etree.SubElement(signature, ds("SignatureValue"))
    key_info = etree.SubElement(signature, ds("KeyInfo"))
    x509_data = etree.SubElement(key_info, ds("X509Data"))
    etree.SubElement(x509_data, ds("X509Certificate")).text = base64.b64encode(
        cert.public_bytes(serialization.Encoding.DER)
    ).decode("ascii")
    issuer.addnext(signature)

    # Digest exactly what a verifier digests: the assertion minus its Signature
    # (enveloped-signature transform), then exclusive c14n.
    detached = copy.deepcopy(root)
    detached.remove(detached.find(ds("Signature")))
    digest_value.text = base64.b64encode(hashlib.sha256(_exc_c14n(detached)).digest()).decode(
        "ascii"
    )

    signed_bytes = _exc_c14n(signed_info)
    value = signer.sign(signed_bytes)
    try:
        public_key.verify(value, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        # A card whose key does not match its certificate would be refused by INSi with
        # an opaque fault; say it here instead.
        raise SignerError(
            "La signature produite ne correspond pas au certificat de la carte : "
            "vérifier la clé de signature configurée."
        ) from None
    signature_value.text = base64.b64encode(value).decode("ascii")
    return root


def check_assertion_ps(assertion: etree._Element) -> None:
    """Re-check digest and signature where the assertion now sits, before sending it.

    lxml re-uses an ancestor's declaration when an element is appended under a parent
    that already declares the same namespace with another prefix, which silently changes
    the canonical bytes; this catches that (or any later edit) locally instead of as an
    opaque INSi fault. It trusts the embedded certificate: it is a guard, not a verifier.
    """
    signature = assertion.find(f"{{{DS_NS}}}Signature")
    if signature is None:
        raise SignerError("L'assertion PS n'est pas signée.")
    ns = {"ds": DS_NS}
    try:
        cert = x509.load_der_x509_certificate(
            base64.b64decode(
                signature.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=ns) or ""
            )
        )
        digest = base64.b64decode(signature.findtext(".//ds:DigestValue", namespaces=ns) or "")
        value = base64.b64decode(signature.findtext("ds:SignatureValue", namespaces=ns) or "")
    except ValueError:
        raise SignerError("Signature de l'assertion PS illisible.") from None
    reference = signature.find("ds:SignedInfo/ds:Reference", ns)
    if reference is None or reference.get("URI") != f"#{assertion.get('ID')}":
        raise SignerError("La signature de l'assertion PS ne désigne pas l'assertion.")
    detached = copy.deepcopy(assertion)
    detached.remove(detached.find(f"{{{DS_NS}}}Signature"))
    key = cert.public_key()
    intact = hashlib.sha256(_exc_c14n(detached)).digest() == digest
    if intact:
        signed_info = signature.find("ds:SignedInfo", ns)
        try:
            if not isinstance(key, rsa.RSAPublicKey):
                raise TypeError("not an RSA key")
            key.verify(value, _exc_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            intact = False
    if not intact:
        raise SignerError(
            "L'assertion PS a été modifiée après sa signature (préfixes d'espaces de noms ou "
            "mise en forme de la requête) : elle serait refusée par le téléservice."
        )


def card_qualifier(cert: x509.Certificate) -> str:
    """NameQualifier from the card type extension, `CPX` when absent or unreadable."""
    try:
        der = cert.extensions.get_extension_for_oid(CARD_TYPE_OID).value
    except x509.ExtensionNotFound:
        return FALLBACK_QUALIFIER
    raw = getattr(der, "value", b"")
    for text in _der_strings(raw):
        qualifier = _QUALIFIERS.get(text.strip().upper())
        if qualifier:
            return qualifier
    return FALLBACK_QUALIFIER


def _der_strings(raw: bytes) -> list[str]:
    """Every character string inside a DER value, in order.

    The encoding of this extension is not published: a bare string or a structure
    holding one are both accepted, and anything unreadable yields nothing.
    """
    from asn1crypto import core

    try:
        native = core.load(raw, strict=True).native
    except (ValueError, TypeError):
        return []
    found: list[str] = []
    pending = [native]
    while pending:
        value = pending.pop(0)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            pending[:0] = list(value.values())
        elif isinstance(value, list | tuple | set):
            pending[:0] = list(value)
    return found


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise SignerError(
            "Le certificat de signature n'a pas de CN : l'identifiant de la carte est absent."
        )
    return str(names[0].value)


def _clean(value: str, label: str, pattern: re.Pattern[str], expected: str) -> str:
    text = "".join((value or "").split()).upper()
    if not text:
        raise AssertionPsError(f"Le {label} est vide : le renseigner dans la configuration.")
    if not pattern.fullmatch(text):
        raise AssertionPsError(f"Le {label} « {value} » est invalide : attendu {expected}.")
    return text


def _exc_c14n(element: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
