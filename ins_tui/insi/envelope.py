"""Building the request envelope: body through zeep, headers by hand.

zeep renders the body from the WSDL, so element order and namespaces follow
the contract files. The headers are built here on purpose: zeep's
WsAddressingPlugin would add a `urn:uuid:` MessageID and a `wsa:To` (the
service uses `uuid:`), and letting zeep render the declared `wsse:Security`
part would emit an element the mTLS mode must not send (contract §11).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from ins_tui.insi.couverture import Couverture, VitaleQuery
from ins_tui.insi.namespaces import (
    ACTIONS,
    CTXBAM,
    CTXLPS,
    OP_TRAITS,
    OP_VITALE,
    RECSANS,
    RECVIT,
    SAML,
    SOAP12,
    WSA,
    WSSE,
    q,
)

if TYPE_CHECKING:
    from lxml import etree

    from ins_tui.insi.settings import InsiSettings


def new_message_id() -> str:
    """`uuid:` + lowercase UUID, the only form every client and trace shows."""
    return f"uuid:{uuid.uuid4()}"


def _timestamp(now: datetime | None = None) -> str:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def contexte_lps(settings: InsiSettings, emitter: str | None) -> etree._Element:
    """A fresh ContexteLPS (new Id and Temps) copied from a per-installation template."""
    root = copy.deepcopy(_lps_template(settings.idam, settings.software_name,
                                       settings.software_version, settings.instance_id,
                                       emitter))
    root[0].text = str(uuid.uuid4())
    root[1].text = _timestamp()
    return root


@lru_cache(maxsize=16)
def _lps_template(idam: str, software_name: str, software_version: str, instance: str,
                  emitter: str | None) -> etree._Element:
    from lxml import etree

    root = etree.Element(q(CTXLPS, "ContexteLPS"), {"Version": "01_00", "Nature": "CTXLPS"},
                         nsmap={"ctxlps": CTXLPS})
    _sub(root, q(CTXLPS, "Id"), "")
    _sub(root, q(CTXLPS, "Temps"), "")
    if emitter:
        _sub(root, q(CTXLPS, "Emetteur"), emitter)
    lps = _sub(root, q(CTXLPS, "LPS"))
    _sub(lps, q(CTXLPS, "IDAM"), idam, R="4")
    _sub(lps, q(CTXLPS, "Version"), software_version)
    _sub(lps, q(CTXLPS, "Instance"), instance)
    _sub(lps, q(CTXLPS, "Nom"), f"urn:lps:{software_name}:{software_version}")
    return root


def contexte_bam(emitter: str | None, couverture: Couverture | None) -> etree._Element:
    """A fresh ContexteBAM; the empty-COUVERTURE one (traits search) comes from a template."""
    if couverture is None:
        root = copy.deepcopy(_empty_bam_template(emitter))
        root[0].text = str(uuid.uuid4())
        root[1].text = _timestamp()
        return root
    return _contexte_bam(emitter, couverture)


@lru_cache(maxsize=16)
def _empty_bam_template(emitter: str | None) -> etree._Element:
    return _contexte_bam(emitter, None)


def _contexte_bam(emitter: str | None, couverture: Couverture | None) -> etree._Element:
    from lxml import etree

    root = etree.Element(q(CTXBAM, "ContexteBAM"), {"Version": "01_02", "Nature": "CTXBAM"},
                         nsmap={"ctxbam": CTXBAM})
    _sub(root, q(CTXBAM, "Id"), str(uuid.uuid4()))
    _sub(root, q(CTXBAM, "Temps"), _timestamp())
    if emitter:
        _sub(root, q(CTXBAM, "Emetteur"), emitter)
    cov = _sub(root, q(CTXBAM, "COUVERTURE"))
    if couverture is None:
        return root
    c = couverture
    for tag, value in (("GrandRegime", c.grand_regime), ("Organisme", c.organisme),
                       ("CodeCentre", c.code_centre)):
        if value:
            _sub(cov, q(CTXBAM, tag), value)
    if c.insured_number:
        ident = _sub(_sub(cov, q(CTXBAM, "ASSURE")), q(CTXBAM, "Id"))
        _sub(ident, q(CTXBAM, "Num"), c.insured_number)
        if c.insured_key:
            _sub(ident, q(CTXBAM, "Cle"), c.insured_key)
    if any((c.beneficiary_nir, c.birth_date, c.rank is not None, c.porteur)):
        ben = _sub(cov, q(CTXBAM, "BENEFICIAIRE"))
        if c.beneficiary_nir:
            nir = _sub(ben, q(CTXBAM, "Nir"))
            _sub(nir, q(CTXBAM, "Num"), c.beneficiary_nir)
            if c.beneficiary_nir_key:
                _sub(nir, q(CTXBAM, "Cle"), c.beneficiary_nir_key)
            if c.certification_date:
                _sub(nir, q(CTXBAM, "DateCertification"), c.certification_date)
        if c.birth_date:
            _sub(ben, q(CTXBAM, "DateNai"), c.birth_date)
        if c.rank is not None:
            _sub(ben, q(CTXBAM, "Rang"), str(c.rank))
        if c.porteur:
            _sub(ben, q(CTXBAM, "Porteur"), c.porteur)
    return root


def wsa_headers(operation: str, message_id: str) -> list[etree._Element]:
    from lxml import etree

    action = etree.Element(q(WSA, "Action"), nsmap={"wsa": WSA})
    action.text = ACTIONS[operation]
    mid = etree.Element(q(WSA, "MessageID"), nsmap={"wsa": WSA})
    mid.text = message_id
    return [action, mid]


def security(assertions: list[etree._Element]) -> etree._Element:
    from lxml import etree

    root = etree.Element(q(WSSE, "Security"), nsmap={"wsse": WSSE, "saml": SAML})
    for assertion in assertions:
        root.append(assertion)
    return root


def traits_body(birth_name: str, first_name: str, sex: str, birth_date: str,
                birthplace: str | None) -> dict:
    body = {"NomNaissance": birth_name, "Prenom": [first_name], "Sexe": sex,
            "DateNaissance": birth_date}
    if birthplace:
        body["LieuNaissance"] = birthplace
    return body


def vitale_body(query: VitaleQuery) -> dict:
    body: dict = {}
    if query.beneficiary_nir:
        body["MatriculeIndividu"] = {"NumIdentifiant": query.beneficiary_nir}
    if query.insured_number:
        body["MatriculeOD"] = {"NumIdentifiant": query.insured_number}
    if query.birth_name:
        body["NomNaissance"] = query.birth_name
    if query.birth_date:
        body["DateNaissance"] = query.birth_date
    if query.rank:
        body["RangNaissance"] = query.rank
    return body


_BODY_ELEMENTS = {OP_TRAITS: q(RECSANS, "RECSANSVITALE"), OP_VITALE: q(RECVIT, "RECVITALE")}


@cache
def _body_element(operation: str):
    """The zeep element of the operation's body, looked up once in the cached WSDL."""
    from ins_tui.insi.wsdl import cached_client

    client, _ = cached_client()
    return client.get_element(_BODY_ELEMENTS[operation])


@dataclass(frozen=True)
class _Plan:
    """An element's name, cardinality and ordered children, read once from zeep's schema."""

    qname: str
    repeated: bool
    children: tuple[tuple[str, _Plan], ...]


def _plan_of(xsd_element) -> _Plan:
    children = getattr(xsd_element.type, "elements", None) or []
    return _Plan(
        qname=xsd_element.qname.text,
        repeated=xsd_element.max_occurs == "unbounded" or xsd_element.max_occurs > 1,
        children=tuple((name, _plan_of(child)) for name, child in children),
    )


@cache
def body_plan(operation: str) -> _Plan:
    """The body's layout as the WSDL's schema (parsed by zeep) declares it.

    Rendering through zeep's value objects costs more than the rest of a call;
    walking this plan with lxml gives the same XML (order, namespaces,
    cardinalities come from the same schema) at a fraction of the cost.
    """
    return _plan_of(_body_element(operation))


def _render(parent: etree._Element, plan: _Plan, value: object) -> None:
    from lxml import etree

    if plan.repeated and isinstance(value, list | tuple):
        for item in value:
            _render(parent, replace(plan, repeated=False), item)
        return
    el = etree.SubElement(parent, plan.qname)
    if plan.children:
        if not isinstance(value, dict):
            raise TypeError(f"{plan.qname} expects a mapping")
        known = {name for name, _ in plan.children}
        unknown = set(value) - known
        if unknown:
            raise TypeError(f"{plan.qname}: unknown element(s) {sorted(unknown)}")
        for name, child in plan.children:
            if value.get(name) is not None:
                _render(el, child, value[name])
    else:
        el.text = str(value)


def build_request(
    operation: str,
    body: dict,
    settings: InsiSettings,
    *,
    message_id: str,
    emitter: str | None,
    couverture: Couverture | None = None,
    assertions: list[etree._Element] | None = None,
) -> bytes:
    """The exact bytes to POST (kept as is in the attempt for the journal).

    The body follows the plan zeep read from the contract's XSD (order,
    namespaces, cardinalities); the envelope and headers are assembled here
    directly, which skips zeep's per-call deep copy of the headers.
    """
    from lxml import etree

    if operation not in _BODY_ELEMENTS:
        raise ValueError(operation)
    envelope = etree.Element(q(SOAP12, "Envelope"), nsmap={"soap-env": SOAP12})
    header = etree.SubElement(envelope, q(SOAP12, "Header"))
    if assertions:
        header.append(security(assertions))
    header.append(contexte_lps(settings, emitter))
    header.append(contexte_bam(emitter, couverture))
    for el in wsa_headers(operation, message_id):
        header.append(el)
    soap_body = etree.SubElement(envelope, q(SOAP12, "Body"))
    _render(soap_body, body_plan(operation), body)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
