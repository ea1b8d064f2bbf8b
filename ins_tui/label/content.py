"""What a patient label says, in which order, and whether it carries the datamatrix.

Pure: from the identity (traits, status, INS) to lines of text and a payload. The order
is the strict traits' (identity-rules.md §3, §13): birth name, list of birth first names,
sex, birth date, birthplace; then the used name and used first name, each marked as such,
when they differ; then, for a qualified identity only, the matricule INS with its nature
(NIR or NIA, from the OID, §7).

Only a QUAL identity may carry its matricule out of the software (§1, EXI SI 08) and only
a QUAL identity gets the datamatrix (§13, EXI ID 29): every other label shows the traits,
no matricule, and says in words why there is no code.
"""

from __future__ import annotations

from dataclasses import dataclass

from ins_tui.domain.datamatrix import build_payload
from ins_tui.domain.model import (
    INS_OIDS,
    OID_DEMO_NIR,
    OID_INS_NIA,
    OID_TEST_NIR,
    Ins,
    Status,
    Traits,
)

MAX_VALUE = 120  # characters shown of one value; the domain bounds names at 100
CAPTION = "INS à scanner"
TRAINING_BANNER = "FORMATION - identité fictive, ne pas utiliser"
_STATUS_FR = {
    Status.PROV: "identité provisoire",
    Status.RECUP: "identité récupérée",
    Status.VALI: "identité validée",
    Status.QUAL: "identité qualifiée",
}


@dataclass(frozen=True, slots=True)
class Line:
    """One logical line: a French prefix (regular) and a value (bold when `strong`)."""

    prefix: str
    value: str
    strong: bool = False
    keep_whole: bool = False  # never shortened (the matricule)


@dataclass(frozen=True, slots=True)
class LabelContent:
    lines: tuple[Line, ...]
    payload: str | None  # the datamatrix text, QUAL only
    reason_fr: str | None  # why there is no datamatrix, when there is none
    banner: str | None = None  # training mark, first on the label


def nature(oid: str) -> str:
    """NIR or NIA, as the OID says; test and demonstration OIDs are said so."""
    if oid == OID_INS_NIA:
        return "NIA"
    if oid == OID_TEST_NIR:
        return "NIR de test"
    if oid == OID_DEMO_NIR:
        return "NIR de démonstration"
    return "NIR"


def grouped_matricule(ins: Ins) -> str:
    """`1 09 07 63 220 834 89`: the NIR's own groups, as printed on cards."""
    n = ins.number
    if len(n) != 13:
        return ins.matricule
    return " ".join((n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], ins.key))


def label_content(
    traits: Traits,
    status: Status,
    ins: Ins | None,
    *,
    place_name: str | None = None,
    training: bool = False,
) -> LabelContent:
    """The label of one identity; the payload only when the rules allow one."""
    lines = [
        Line("Nom de naissance", _bounded(traits.birth_name) or "-", strong=True),
        Line("Prénoms de naissance", _bounded(traits.first_names) or "-", strong=True),
        Line("Sexe", str(traits.sex) if traits.sex else "-"),
        Line("Date de naissance", _date_fr(traits.birth_date)),
        Line("Lieu de naissance", _place(traits.birthplace, place_name)),
    ]
    if traits.used_name and traits.used_name != traits.birth_name:
        lines.append(Line("Nom utilisé", _bounded(traits.used_name), strong=True))
    if traits.used_first_name and traits.used_first_name != traits.first_first_name:
        lines.append(Line("Prénom utilisé", _bounded(traits.used_first_name), strong=True))
    payload, reason = _payload(traits, status, ins)
    if payload is not None and ins is not None:
        lines.append(Line(f"INS ({nature(ins.oid)})", grouped_matricule(ins), strong=True,
                          keep_whole=True))
    return LabelContent(tuple(lines), payload, reason,
                        TRAINING_BANNER if training else None)


def _payload(traits: Traits, status: Status, ins: Ins | None) -> tuple[str | None, str | None]:
    if status is not Status.QUAL:
        return None, (f"Identité non qualifiée ({_STATUS_FR.get(status, str(status))}) : "
                      "pas de datamatrix INS.")
    if ins is None:
        return None, "Identité qualifiée sans INS enregistrée : pas de datamatrix INS."
    if ins.oid not in INS_OIDS:
        return None, "OID de l'INS inconnu : pas de datamatrix INS."
    if not ins.key_ok:
        return None, "Clé du matricule INS incorrecte : pas de datamatrix INS."
    try:
        return build_payload(ins, traits), None
    except ValueError as exc:  # a trait missing or too long: the domain says which, in French
        return None, f"{exc} Pas de datamatrix INS."


def _bounded(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _date_fr(iso: str | None) -> str:
    if not iso or len(iso) < 10:
        return "-"
    parts = iso[:10].split("-")
    if len(parts) != 3:
        return _bounded(iso[:10])
    year, month, day = parts
    return f"{day}/{month}/{year}"


def _place(code: str | None, name: str | None) -> str:
    if not code:
        return "-"
    return f"{code} {_bounded(name)}" if name else code
