"""Assertion PS built and signed with a PKCS#12 signer, verified by Debian's xmlsec1."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signing_certs import (
    CARD_ID,
    P12_PASSWORD,
    Card,
    ca,
    card_cert,
    ia5_string,
    rsa_key,
    sequence,
    utf8_string,
    write_ec_p12,
    write_p12,
    xmlsec1,
)

from ins_tui.insi.assertion import (
    DS_NS,
    SAML_NS,
    AssertionPsError,
    build_assertion_ps,
    card_qualifier,
    check_assertion_ps,
)
from ins_tui.insi.signer import Pkcs12Signer, Signer, SignerError

NS = {"saml2": SAML_NS, "ds": DS_NS}  # query prefixes, not the document's
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


@pytest.fixture(scope="module")
def card() -> Card:
    return card_cert()


@pytest.fixture
def signer(card: Card, tmp_path: Path) -> Pkcs12Signer:
    return Pkcs12Signer(write_p12(tmp_path / "cps.p12", card), P12_PASSWORD)


def assertion(signer: Signer, **kwargs: object) -> etree._Element:
    args: dict[object, object] = {"billing_id": "123456789", "activity_sector": "SA07"}
    args.update(kwargs)
    return build_assertion_ps(signer, **args)  # type: ignore[arg-type]


def test_layout_follows_the_contract(signer: Pkcs12Signer, card: Card) -> None:
    paris = timezone(timedelta(hours=2))
    el = assertion(signer, specialty_code="sm26", now=datetime(2025, 6, 1, 14, 5, 9, 87654, paris))

    assert el.tag == f"{{{SAML_NS}}}Assertion"
    assert re.fullmatch(r"_[0-9a-f-]{36}", el.get("ID"))
    uuid.UUID(el.get("ID")[1:])
    assert el.get("IssueInstant") == "2025-06-01T12:05:09.087Z"
    assert el.get("Version") == "2.0"
    assert [etree.QName(c).localname for c in el] == [
        "Issuer",
        "Signature",
        "Subject",
        "AttributeStatement",
    ]
    issuer = el.find("saml2:Issuer", NS)
    assert issuer.get("Format") == "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
    assert issuer.text == (
        f"SN=TESTNOM+CN={CARD_ID},G=PRATICIEN-FICTIF,T=Médecin,O=CABINET TEST INS-TUI,C=FR"
    )
    name_id = el.find("saml2:Subject/saml2:NameID", NS)
    assert (name_id.text, name_id.get("NameQualifier")) == (CARD_ID, "CPS")
    attributes = {
        a.get("Name"): a.findtext("saml2:AttributeValue", namespaces=NS)
        for a in el.iterfind("saml2:AttributeStatement/saml2:Attribute", NS)
    }
    assert attributes == {
        "identifiantFacturation": "123456789",
        "secteurActivite": "SA07",
        "codeSpecialite": "SM26",
    }
    sig = el.find("ds:Signature", NS)
    algorithms = [e.get("Algorithm") for e in sig.iter() if e.get("Algorithm")]
    assert algorithms == [
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    ]
    assert sig.find("ds:SignedInfo/ds:Reference", NS).get("URI") == "#" + el.get("ID")
    cert_b64 = sig.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=NS)
    assert base64.b64decode(cert_b64) == card.cert.public_bytes(serialization.Encoding.DER)


def test_speciality_is_omitted_when_not_given(signer: Pkcs12Signer) -> None:
    names = [a.get("Name") for a in assertion(signer).iterfind(".//saml2:Attribute", NS)]
    assert names == ["identifiantFacturation", "secteurActivite"]


def test_each_assertion_is_new(signer: Pkcs12Signer) -> None:
    first, second = assertion(signer), assertion(signer)
    assert first.get("ID") != second.get("ID")
    assert first.findtext(".//ds:SignatureValue", namespaces=NS) != second.findtext(
        ".//ds:SignatureValue", namespaces=NS
    )


def test_xmlsec1_verifies_with_the_certificate_key(
    signer: Pkcs12Signer, card: Card, tmp_path: Path
) -> None:
    result = xmlsec1(etree.tostring(assertion(signer)), tmp_path, cert_pem=card.cert_pem)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stderr


def test_xmlsec1_verifies_through_keyinfo_and_the_ca(signer: Pkcs12Signer, tmp_path: Path) -> None:
    """The embedded X509Certificate is the signing one and chains to the issuing CA."""
    result = xmlsec1(etree.tostring(assertion(signer)), tmp_path, trusted_pem=ca().cert_pem)
    assert result.returncode == 0, result.stderr


def _envelope(assertion_el: etree._Element, saml_prefix: str) -> bytes:
    envelope = etree.Element(
        f"{{{SOAP12}}}Envelope",
        nsmap={"soap": SOAP12, "wsse": WSSE, saml_prefix: SAML_NS, None: "urn:example:default"},
    )
    header = etree.SubElement(envelope, f"{{{SOAP12}}}Header")
    etree.SubElement(header, f"{{{WSSE}}}Security").append(assertion_el)
    etree.SubElement(envelope, f"{{{SOAP12}}}Body").append(etree.Element("RECSANSVITALE"))
    check_assertion_ps(assertion_el)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def test_signature_survives_the_soap_envelope(
    signer: Pkcs12Signer, card: Card, tmp_path: Path
) -> None:
    """Exclusive c14n: the envelope's other namespaces are not part of what is signed."""
    wire = _envelope(assertion(signer), "saml")
    result = xmlsec1(wire, tmp_path, cert_pem=card.cert_pem)
    assert result.returncode == 0, result.stderr


def test_a_clashing_prefix_is_caught_before_sending(
    signer: Pkcs12Signer, card: Card, tmp_path: Path
) -> None:
    """lxml renames `saml:` to an ancestor's `saml2:` on append; the guard says so in French.

    xmlsec1 confirms the renamed assertion would indeed be refused.
    """
    el = assertion(signer)
    with pytest.raises(SignerError, match="modifiée après sa signature"):
        _envelope(el, "saml2")
    wire = etree.tostring(el.getroottree())
    assert b"<saml2:Assertion" in wire
    assert xmlsec1(wire, tmp_path, cert_pem=card.cert_pem).returncode != 0


def test_signed_through_the_insi_request_builder(
    signer: Pkcs12Signer, card: Card, tmp_path: Path
) -> None:
    """The exact bytes the INSi client posts in CPx mode carry a valid signature."""
    from ins_tui.insi import envelope
    from ins_tui.insi.namespaces import OP_TRAITS
    from ins_tui.insi.settings import InsiSettings

    settings = InsiSettings(
        endpoint="https://127.0.0.1:9/lps",
        ca_bundle=None,
        idam="TESTSGIE0000",
        instance_id=str(uuid.uuid4()),
    )
    request = envelope.build_request(
        OP_TRAITS,
        envelope.traits_body("ADRUN", "ZOE", "F", "1975-12-31", None),
        settings,
        message_id=f"uuid:{uuid.uuid4()}",
        emitter=None,
        assertions=[assertion(signer)],
    )
    sent = etree.fromstring(request)
    check_assertion_ps(sent.find(f".//{{{SAML_NS}}}Assertion"))
    result = xmlsec1(request, tmp_path, cert_pem=card.cert_pem)
    assert result.returncode == 0, result.stderr


def _tamper_attribute(el: etree._Element) -> None:
    el.find(".//saml2:AttributeValue", NS).text = "987654321"


def _tamper_issuer(el: etree._Element) -> None:
    el.find("saml2:Issuer", NS).text += ",OU=AUTRE"


def _tamper_qualifier(el: etree._Element) -> None:
    el.find(".//saml2:NameID", NS).set("NameQualifier", "CPF")


def _tamper_instant(el: etree._Element) -> None:
    el.set("IssueInstant", "2099-01-01T00:00:00.000Z")


def _tamper_signature(el: etree._Element) -> None:
    node = el.find(".//ds:SignatureValue", NS)
    raw = bytearray(base64.b64decode(node.text))
    raw[10] ^= 0x01
    node.text = base64.b64encode(bytes(raw)).decode()


def _tamper_signed_info(el: etree._Element) -> None:
    el.find(".//ds:SignedInfo", NS).tail = None
    el.find(".//ds:DigestMethod", NS).tail = "\n"


@pytest.mark.parametrize(
    "tamper",
    [
        _tamper_attribute,
        _tamper_issuer,
        _tamper_qualifier,
        _tamper_instant,
        _tamper_signature,
        _tamper_signed_info,
    ],
)
def test_xmlsec1_rejects_a_tampered_assertion(
    tamper: object, signer: Pkcs12Signer, card: Card, tmp_path: Path
) -> None:
    el = assertion(signer)
    assert xmlsec1(etree.tostring(el), tmp_path, cert_pem=card.cert_pem).returncode == 0
    check_assertion_ps(el)
    tamper(el)  # type: ignore[operator]
    result = xmlsec1(etree.tostring(el), tmp_path, cert_pem=card.cert_pem)
    assert result.returncode != 0, result.stderr
    with pytest.raises(SignerError):
        check_assertion_ps(el)


def test_xmlsec1_rejects_another_key(signer: Pkcs12Signer, tmp_path: Path) -> None:
    other = card_cert("someone-else")
    result = xmlsec1(etree.tostring(assertion(signer)), tmp_path, cert_pem=other.cert_pem)
    assert result.returncode != 0


def test_reindenting_breaks_the_signature(signer: Pkcs12Signer, card: Card, tmp_path: Path) -> None:
    """Why the client must append the element as is and never pretty-print the envelope."""
    pretty = etree.tostring(assertion(signer), pretty_print=True)
    assert etree.tostring(etree.fromstring(pretty), pretty_print=True) == pretty
    assert xmlsec1(pretty, tmp_path, cert_pem=card.cert_pem).returncode != 0


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (utf8_string("CPS"), "CPS"),
        (ia5_string("CPF"), "CPF"),
        (sequence(utf8_string("CPE")), "CDE-CPE"),
        (sequence(bytes([0x02, 0x01, 0x03]), utf8_string("cpa")), "CPA"),
        (utf8_string("XYZ"), "CPX"),
        (b"\x0c\x05AB", "CPX"),  # truncated DER
        (b"\x02\x01\x07", "CPX"),  # an integer, no string
        (None, "CPX"),  # extension absent
    ],
)
def test_name_qualifier_from_card_type_extension(encoded: bytes | None, expected: str) -> None:
    assert card_qualifier(card_cert(card_type=encoded).cert) == expected


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"billing_id": ""}, "identifiant de facturation est vide"),
        ({"billing_id": "12-34<5678"}, "« 12-34<5678 » est invalide"),
        ({"activity_sector": "07"}, "secteur d'activité « 07 » est invalide : attendu SA"),
        ({"specialty_code": "SM 26 é"}, "code spécialité « SM 26 é » est invalide"),
    ],
)
def test_bad_settings_get_a_french_message(
    signer: Pkcs12Signer, kwargs: dict[str, str], fragment: str
) -> None:
    with pytest.raises(AssertionPsError) as err:
        assertion(signer, **kwargs)
    assert fragment in err.value.message_fr


def test_spaces_and_case_in_settings_are_normalised(signer: Pkcs12Signer) -> None:
    el = assertion(signer, billing_id=" 123 456 789 ", activity_sector="sa05")
    values = [v.text for v in el.iterfind(".//saml2:AttributeValue", NS)]
    assert values == ["123456789", "SA05"]


def test_a_signer_whose_key_does_not_match_is_refused(card: Card) -> None:
    class Mismatched:
        def certificate(self):  # type: ignore[no-untyped-def]
            return card.cert

        def sign(self, data: bytes) -> bytes:
            return rsa_key("someone-else").sign(data, padding.PKCS1v15(), hashes.SHA256())

    with pytest.raises(SignerError, match="ne correspond pas au certificat"):
        assertion(Mismatched())


def test_signers_satisfy_the_protocol(signer: Pkcs12Signer) -> None:
    assert isinstance(signer, Signer)


def test_issue_instant_defaults_to_now_utc(signer: Pkcs12Signer) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = assertion(signer).get("IssueInstant")
    parsed = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= parsed <= datetime.now(UTC)


# --- PKCS#12 signer failures -------------------------------------------------------------


def test_p12_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SignerError, match="Fichier de certificat introuvable"):
        Pkcs12Signer(tmp_path / "absent.p12", P12_PASSWORD)


def test_p12_wrong_password(card: Card, tmp_path: Path) -> None:
    path = write_p12(tmp_path / "cps.p12", card)
    with pytest.raises(SignerError, match="mot de passe incorrect") as err:
        Pkcs12Signer(path, "pas-le-bon")
    assert "pas-le-bon" not in str(err.value)


def test_p12_damaged_file(card: Card, tmp_path: Path) -> None:
    path = write_p12(tmp_path / "cps.p12", card)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(SignerError, match="fichier PKCS#12 invalide"):
        Pkcs12Signer(path, P12_PASSWORD)


def test_p12_with_ec_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SignerError, match="n'est pas une clé RSA"):
        Pkcs12Signer(write_ec_p12(tmp_path / "ec.p12"), P12_PASSWORD)


def test_p12_without_a_key(card: Card, tmp_path: Path) -> None:
    blob = pkcs12.serialize_key_and_certificates(
        b"cert-seul",
        None,
        card.cert,
        None,
        serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
    )
    (tmp_path / "cert.p12").write_bytes(blob)
    with pytest.raises(SignerError, match="pas à la fois une clé privée et son certificat"):
        Pkcs12Signer(tmp_path / "cert.p12", P12_PASSWORD)
