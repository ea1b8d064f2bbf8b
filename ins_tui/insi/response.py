"""Reading an INSi answer the way the live service really writes it.

Tolerance is deliberate and bounded (docs/insi-contract.md §10): names are
matched by namespace or by local name, never by prefix; INSHISTO may be absent,
single or repeated and its children in any order; TIQ may lack `Prenom`; a key
failing mod 97 is read and flagged (`Ins.key_ok`), because the journal must hold what
INSi said and CNDA 2.08 cas 2 ships such keys. What is *not* tolerated: a DTD or
entity, a body that is neither RESULTAT nor a SOAP 1.2 fault, a CR 00 without
an INS actif — those are "malformed" and nothing of them is kept as data.

Reading is not believing: whether a well-formed CR 00 may be kept (OID, traits, key,
NIR against traits) is judged by the domain (`domain/ins_answer.check_ins_answer`),
which also writes the warnings, so the rules have one home.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ins_tui.domain.matricule import check_matricule
from ins_tui.domain.model import Ins, InsHistoryEntry, InsIdentity, Sex, Traits
from ins_tui.insi.namespaces import SIRAM, SOAP12, q
from ins_tui.insi.outcomes import Fault
from ins_tui.insi.xmlsafe import UnsafeXml, parse_untrusted

if TYPE_CHECKING:
    from lxml import etree


class MalformedAnswer(ValueError):
    """The bytes are not an INSi answer we can trust; the reason is technical English."""


class HostileAnswer(MalformedAnswer):
    """A DTD, an entity or an absurd size: refused unread, and its bytes are not kept."""


@dataclass(frozen=True, slots=True)
class Result:
    """A RESULTAT: the CR and, on CR 00, the identity."""

    cr: str
    label: str
    identity: InsIdentity | None = None
    first_name_derived: bool = False


_LOCAL_NAMES: dict[str, str] = {}  # Clark tag -> local name; answers reuse a few dozen tags


def _local(tag: object) -> str | None:
    if not isinstance(tag, str):
        return None  # comments, processing instructions
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(_LOCAL_NAMES) < 4096:  # a hostile answer cannot grow it without bound
            _LOCAL_NAMES[tag] = name
    return name


def _children(parent: etree._Element | None) -> dict[str, etree._Element]:
    """First child per local name, whatever its namespace or position (one pass)."""
    found: dict[str, etree._Element] = {}
    if parent is not None:
        for child in parent:
            name = _local(child.tag)
            if name is not None and name not in found:
                found[name] = child
    return found


def _text(children: dict[str, etree._Element], local: str) -> str | None:
    el = children.get(local)
    if el is None or el.text is None:
        return None
    value = el.text.strip()
    return value or None


def _soap_parts(root: etree._Element) -> etree._Element:
    if root.tag != q(SOAP12, "Envelope"):
        raise MalformedAnswer(f"root is {root.tag!r}, not a SOAP 1.2 Envelope")
    body = root.find(q(SOAP12, "Body"))
    if body is None:
        raise MalformedAnswer("no SOAP 1.2 Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise MalformedAnswer(f"Body holds {len(children)} elements, expected 1")
    return children[0]


def parse_fault(fault_el: etree._Element) -> Fault:
    code_el = fault_el.find(q(SOAP12, "Code"))
    code = sub = ""
    if code_el is not None:
        code = (code_el.findtext(q(SOAP12, "Value")) or "").strip()
        sub_el = code_el.find(q(SOAP12, "Subcode"))
        if sub_el is not None:
            sub = (sub_el.findtext(q(SOAP12, "Value")) or "").strip()
    reason = ""
    reason_el = fault_el.find(q(SOAP12, "Reason"))
    if reason_el is not None:
        reason = " ".join((t.text or "").strip() for t in reason_el.findall(q(SOAP12, "Text")))
    detail_code = severity = detail_text = ""
    detail = fault_el.find(q(SOAP12, "Detail"))
    if detail is not None:
        err = detail.find(q(SIRAM, "Erreur"))
        if err is None:
            err = detail.find("{*}Erreur")
        if err is not None:
            detail_code = err.get("code", "")
            severity = err.get("severite", "")
            detail_text = (err.text or "").strip()
    # A QName value keeps its prefix ("env:Sender", "siram_100" or "ns:siram_100").
    return Fault(
        code=code.rsplit(":", 1)[-1],
        subcode=sub.rsplit(":", 1)[-1],
        reason=reason,
        detail_code=detail_code,
        severity=severity,
        detail_text=detail_text,
    )


def _ins(el: etree._Element, where: str) -> tuple[Ins, str | None, str | None]:
    parts = _children(el)
    ident = _children(parts.get("IdIndividu"))
    number = _text(ident, "NumIdentifiant")
    key = _text(ident, "Cle")
    oid = _text(parts, "OID")
    if not number or not oid:
        raise MalformedAnswer(f"{where} lacks NumIdentifiant or OID")
    key = key or ""
    ins = Ins(number=number, key=key, oid=oid, key_ok=check_matricule(number, key))
    return ins, _text(parts, "DateDeb"), _text(parts, "DateFin")


def _traits(tiq_el: etree._Element) -> tuple[Traits, bool]:
    tiq = _children(tiq_el)
    first_names = _text(tiq, "ListePrenom") or ""
    first_name = _text(tiq, "Prenom")
    derived = first_name is None
    if derived and first_names:
        first_name = first_names.split(" ", 1)[0]
    sex_text = _text(tiq, "Sexe")
    try:
        sex = Sex(sex_text) if sex_text else None
    except ValueError as exc:
        raise MalformedAnswer(f"TIQ Sexe {sex_text!r} is neither F nor M") from exc
    traits = Traits(
        birth_name=_text(tiq, "NomNaissance") or "",
        first_names=first_names or (first_name or ""),
        sex=sex,
        birth_date=_text(tiq, "DateNaissance"),
        birthplace=_text(tiq, "LieuNaissance"),
        first_name=first_name,
    )
    return traits, derived


def parse_resultat(el: etree._Element) -> Result:
    parts = _children(el)
    cr = _children(parts.get("CR"))
    code = _text(cr, "CodeCR")
    if code is None:
        raise MalformedAnswer("RESULTAT without CR/CodeCR")
    label = _text(cr, "LibelleCR") or ""
    individu = parts.get("INDIVIDU")
    if code != "00":
        return Result(cr=code, label=label)
    if individu is None:
        raise MalformedAnswer("CR 00 without INDIVIDU")
    members = _children(individu)
    actif_el = members.get("INSACTIF")
    tiq = members.get("TIQ")
    if actif_el is None or tiq is None:
        raise MalformedAnswer("INDIVIDU without INSACTIF or TIQ")
    actif, _, _ = _ins(actif_el, "INSACTIF")
    history: list[InsHistoryEntry] = []
    histo = [c for c in individu if _local(c.tag) == "INSHISTO"]
    for i, h in enumerate(histo, 1):
        ins, start, end = _ins(h, f"INSHISTO[{i}]")
        history.append(InsHistoryEntry(ins=ins, date_start=start, date_end=end))
    traits, derived = _traits(tiq)
    identity = InsIdentity(ins=actif, traits=traits, history=tuple(history))
    return Result(code, label, identity, derived)


def parse_answer(http_status: int, data: bytes) -> Result | Fault:
    """An HTTP 200 RESULTAT or an HTTP 500 SOAP 1.2 fault; anything else is malformed."""
    try:
        root = parse_untrusted(data)
    except UnsafeXml as exc:
        if "well-formed" in str(exc):
            raise MalformedAnswer(str(exc)) from exc
        raise HostileAnswer(str(exc)) from exc
    payload = _soap_parts(root)
    if payload.tag == q(SOAP12, "Fault"):
        if http_status != 500:
            raise MalformedAnswer(f"SOAP fault with HTTP {http_status}, expected 500")
        return parse_fault(payload)
    if _local(payload.tag) != "RESULTAT":
        raise MalformedAnswer(f"unexpected body element {payload.tag!r}")
    if http_status != 200:
        raise MalformedAnswer(f"RESULTAT with HTTP {http_status}, expected 200")
    return parse_resultat(payload)
