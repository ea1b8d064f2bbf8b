"""Building the request envelope: body laid out by zeep's schema, headers by hand.

zeep loads the WSDL and its XSDs; the body's layout (element order, namespaces,
cardinalities) is read from zeep's schema objects once, and a test proves the
bytes equal zeep's own rendering. The headers are built here on purpose: zeep's
WsAddressingPlugin would add a `urn:uuid:` MessageID and a `wsa:To` (the
service uses `uuid:`), and letting zeep render the declared `wsse:Security`
part would emit an element the mTLS mode must not send (contract §11).

Per call only the identifiers and the time change, so each header is serialised
once per installation into a byte template and the envelope is joined from bytes
(bench/insi_call.py: the client's overhead budget is < 1.5x a bare POST).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

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

# Stand-ins serialised into the header templates, then cut out: plain ASCII that lxml
# writes as is and that no configuration value (IDAM, version, OU, UUID) can contain.
_ID_MARK = "@@ins-tui-id@@"
_TIME_MARK = "@@ins-tui-temps@@"
_MID_MARK = "@@ins-tui-message-id@@"

_XML_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>\n"
_ENVELOPE_OPEN = f'<soap-env:Envelope xmlns:soap-env="{SOAP12}"><soap-env:Header>'.encode()
_BETWEEN = b"</soap-env:Header><soap-env:Body>"
_ENVELOPE_CLOSE = b"</soap-env:Body></soap-env:Envelope>"


def new_message_id() -> str:
    """`uuid:` + lowercase UUID, the only form every client and trace shows."""
    return f"uuid:{uuid.uuid4()}"


def _timestamp(now: datetime | None = None) -> str:
    """UTC with milliseconds and `Z`, as PADOA sends it (contract §3.1)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _cut(element: etree._Element, *marks: str) -> tuple[bytes, ...]:
    """Serialise `element` and split it at each mark (each must occur exactly once)."""
    from lxml import etree

    rest = etree.tostring(element)
    pieces: list[bytes] = []
    for mark in marks:
        before, sep, rest = rest.partition(mark.encode())
        if not sep or mark.encode() in rest:
            raise ValueError(f"header template: {mark} must occur once")
        pieces.append(before)
    return (*pieces, rest)


def _context(ns: str, name: str, version: str, nature: str, ident: str, now: str,
             emitter: str | None) -> etree._Element:
    # The prefix is the Nature in lower case (ctxlps:, ctxbam:), as the contract writes it.
    """The opening both SIRAM contexts share: @Version, @Nature, Id, Temps, Emetteur."""
    from lxml import etree

    root = etree.Element(q(ns, name), {"Version": version, "Nature": nature},
                         nsmap={nature.lower(): ns})
    _sub(root, q(ns, "Id"), ident)
    _sub(root, q(ns, "Temps"), now)
    if emitter:
        _sub(root, q(ns, "Emetteur"), emitter)
    return root


def contexte_lps(settings: InsiSettings, emitter: str | None, now: str) -> bytes:
    """A ContexteLPS with a fresh Id and the request's time, from the installation's template."""
    head, mid, tail = _lps_template(settings.idam, settings.software_name,
                                    settings.software_version, settings.instance_id, emitter)
    return b"".join((head, str(uuid.uuid4()).encode(), mid, now.encode(), tail))


@lru_cache(maxsize=16)
def _lps_template(idam: str, software_name: str, software_version: str, instance: str,
                  emitter: str | None) -> tuple[bytes, ...]:
    root = _context(CTXLPS, "ContexteLPS", "01_00", "CTXLPS", _ID_MARK, _TIME_MARK, emitter)
    lps = _sub(root, q(CTXLPS, "LPS"))
    _sub(lps, q(CTXLPS, "IDAM"), idam, R="4")
    _sub(lps, q(CTXLPS, "Version"), software_version)
    _sub(lps, q(CTXLPS, "Instance"), instance)
    _sub(lps, q(CTXLPS, "Nom"), f"urn:lps:{software_name}:{software_version}")
    return _cut(root, _ID_MARK, _TIME_MARK)


def contexte_bam(emitter: str | None, couverture: Couverture | None, now: str) -> bytes:
    """A ContexteBAM: empty COUVERTURE (traits search) from a template, else built whole."""
    from lxml import etree

    if couverture is None:
        head, mid, tail = _empty_bam_template(emitter)
        return b"".join((head, str(uuid.uuid4()).encode(), mid, now.encode(), tail))
    return etree.tostring(_contexte_bam(str(uuid.uuid4()), now, emitter, couverture))


@lru_cache(maxsize=16)
def _empty_bam_template(emitter: str | None) -> tuple[bytes, ...]:
    return _cut(_contexte_bam(_ID_MARK, _TIME_MARK, emitter, None), _ID_MARK, _TIME_MARK)


def _contexte_bam(ident: str, now: str, emitter: str | None,
                  couverture: Couverture | None) -> etree._Element:
    root = _context(CTXBAM, "ContexteBAM", "01_02", "CTXBAM", ident, now, emitter)
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


def wsa_headers(operation: str, message_id: str) -> bytes:
    """`wsa:Action` then `wsa:MessageID`, added by hand: the WSDL declares no Action part."""
    head, tail = _wsa_template(operation)
    return b"".join((head, escape(message_id).encode(), tail))


@cache
def _wsa_template(operation: str) -> tuple[bytes, ...]:
    from lxml import etree

    action = etree.Element(q(WSA, "Action"), nsmap={"wsa": WSA})
    action.text = ACTIONS[operation]
    mid = etree.Element(q(WSA, "MessageID"), nsmap={"wsa": WSA})
    mid.text = _MID_MARK
    head, tail = _cut(mid, _MID_MARK)
    return etree.tostring(action) + head, tail


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

    The body follows the plan zeep read from the contract's XSD (order, namespaces,
    cardinalities) and is serialised by lxml; the headers come from their byte
    templates. Header order: Security (CPx only), ContexteLPS, ContexteBAM, Action,
    MessageID — any order is accepted live (contract §2).
    """
    from lxml import etree

    if operation not in _BODY_ELEMENTS:
        raise ValueError(operation)
    now = _timestamp()
    holder = etree.Element("body")
    _render(holder, body_plan(operation), body)
    return b"".join((
        _XML_DECLARATION,
        _ENVELOPE_OPEN,
        etree.tostring(security(assertions)) if assertions else b"",
        contexte_lps(settings, emitter, now),
        contexte_bam(emitter, couverture, now),
        wsa_headers(operation, message_id),
        _BETWEEN,
        etree.tostring(holder[0]),
        _ENVELOPE_CLOSE,
    ))
