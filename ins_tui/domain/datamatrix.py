"""The text inside an INS datamatrix (ANS « Format datamatrix INS »): build it, read it back.

A 26-character header `IS01` + 22 zeros, then each field as its two-character identifier
and its value (identity-rules.md §13): S1 matricule (15), S2 OID (≤ 20), S3 birth first
names (≤ 100), S4 birth name (≤ 100), S5 sex (1), S6 birth date JJ-MM-AAAA (10), S7 COG
(5, may be absent). A variable field shorter than its maximum and not last is followed by
GS (0x1D). Pure text here: drawing the symbol (ECC200) and scanning it are elsewhere.

What is read is judged with the same rules as what is stored (`identity_check`), plus a
wrong key is an error: a datamatrix printed by software carries the right key, so a wrong
one means a bad scan or a forged label.
"""

from __future__ import annotations

from dataclasses import dataclass

from ins_tui.domain.identity_check import check_identity_traits, check_ins_form
from ins_tui.domain.matricule import check_matricule, is_well_formed_number
from ins_tui.domain.model import INS_OIDS, Ins, Sex, Traits
from ins_tui.domain.problems import Problem, error

GS = "\x1d"
HEADER = "IS01" + "0" * 22
FIELD = "datamatrix"

# Identifier -> (maximum length, fixed length?) in the order of the format.
_FIELDS: dict[str, tuple[int, bool]] = {
    "S1": (15, True), "S2": (20, False), "S3": (100, False), "S4": (100, False),
    "S5": (1, True), "S6": (10, True), "S7": (5, True),
}
_REQUIRED = ("S1", "S2", "S3", "S4", "S5", "S6")
_LABELS_FR = {"S1": "matricule INS", "S2": "OID", "S3": "prénoms de naissance",
              "S4": "nom de naissance", "S5": "sexe", "S6": "date de naissance",
              "S7": "lieu de naissance"}


@dataclass(frozen=True, slots=True)
class ScannedIns:
    """A payload read and judged: the INS and the traits it carries."""

    ins: Ins
    traits: Traits


def build_payload(ins: Ins, traits: Traits) -> str:
    """The payload for one identity (the caller prints it for QUAL identities only)."""
    if not traits.birth_date or traits.sex is None:
        raise ValueError("Datamatrix INS : date de naissance et sexe requis.")
    year, month, day = traits.birth_date.split("-")
    values = [("S1", ins.matricule), ("S2", ins.oid), ("S3", traits.first_names),
              ("S4", traits.birth_name), ("S5", str(traits.sex)),
              ("S6", f"{day}-{month}-{year}")]
    if traits.birthplace:
        values.append(("S7", traits.birthplace))
    parts = [HEADER]
    for index, (ident, value) in enumerate(values):
        maximum, fixed = _FIELDS[ident]
        if len(value) > maximum:
            raise ValueError(f"Datamatrix INS : {_LABELS_FR[ident]} trop long ({len(value)}).")
        last = index == len(values) - 1
        parts.append(ident + value + ("" if fixed or last or len(value) == maximum else GS))
    return "".join(parts)


def looks_like_payload(text: str) -> bool:
    """Cheap test for the scanner path: does this burst start like an INS datamatrix?"""
    return text.startswith("IS0")


def parse_payload(text: str, *, gs: str = GS) -> tuple[ScannedIns | None, list[Problem]]:
    """Read a scanned payload; every problem is French and names the field, never a value.

    `gs` is what the scanner types for GS (the real control character, or a substitute it
    is configured to send); it is replaced before reading.
    """
    if gs != GS:
        text = text.replace(gs, GS)
    text = text.rstrip("\r\n")
    if not text.startswith("IS"):
        return None, [error(FIELD, "datamatrix.header",
                            "Ce code n'est pas un datamatrix INS (en-tête « IS » absent).")]
    if not text.startswith("IS01"):
        return None, [error(FIELD, "datamatrix.version",
                            "Version de datamatrix INS non prise en charge (IS01 attendu).")]
    if len(text) < len(HEADER) or text[4:len(HEADER)] != "0" * 22:
        return None, [error(FIELD, "datamatrix.header",
                            "En-tête du datamatrix INS mal formé (IS01 suivi de 22 zéros).")]
    fields, problems = _split(text[len(HEADER):])
    if problems:
        return None, problems
    missing = [_LABELS_FR[f] for f in _REQUIRED if f not in fields]
    if missing:
        return None, [error(FIELD, "datamatrix.missing",
                            "Datamatrix INS incomplet : " + ", ".join(missing) + " absent(s).")]
    return _judge(fields)


def _split(body: str) -> tuple[dict[str, str], list[Problem]]:
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        ident = body[pos:pos + 2]
        if ident not in _FIELDS:
            return {}, [error(FIELD, "datamatrix.field",
                              f"Datamatrix INS : identifiant de champ inconnu à la position "
                              f"{len(HEADER) + pos + 1}.")]
        if ident in fields:
            return {}, [error(FIELD, "datamatrix.field",
                              f"Datamatrix INS : {_LABELS_FR[ident]} présent deux fois.")]
        maximum, fixed = _FIELDS[ident]
        pos += 2
        if fixed:
            value = body[pos:pos + maximum]
            pos += maximum
            if len(value) != maximum or GS in value:
                return {}, [error(FIELD, "datamatrix.length",
                                  f"Datamatrix INS : {_LABELS_FR[ident]} de longueur "
                                  f"incorrecte ({maximum} caractères attendus).")]
        else:
            end = body.find(GS, pos, pos + maximum + 1)
            if end == -1:
                end = min(len(body), pos + maximum)
                value, pos = body[pos:end], end
            else:
                value, pos = body[pos:end], end + 1
        if pos < len(body) and body[pos] == GS:
            pos += 1  # a GS after a fixed-length field is tolerated (some printers add it)
        fields[ident] = value
    return fields, []


def _judge(fields: dict[str, str]) -> tuple[ScannedIns | None, list[Problem]]:
    problems: list[Problem] = []
    matricule = fields["S1"].upper()
    number, key = matricule[:13], matricule[13:]
    ins = Ins(number=number, key=key, oid=fields["S2"], key_ok=check_matricule(number, key))
    problems.extend(check_ins_form(ins, accepted_oids=INS_OIDS))
    if is_well_formed_number(number) and key.isdigit() and not ins.key_ok:
        problems.append(error("ins", "ins.key_mod97",
                              "Clé du matricule INS incorrecte : code mal lu ou étiquette "
                              "altérée."))
    day, month, year = [*fields["S6"].split("-"), "", "", ""][:3]
    first_names = fields["S3"]
    sex_text = fields["S5"]
    traits = Traits(
        birth_name=fields["S4"],
        first_names=first_names,
        sex=Sex(sex_text) if sex_text in ("F", "M") else None,
        birth_date=f"{year}-{month}-{day}" if len(fields["S6"]) == 10 else fields["S6"],
        birthplace=fields.get("S7"),
        first_name=first_names.split(" ", 1)[0] if first_names else None,
    )
    problems.extend(check_identity_traits(traits))
    errors = [p for p in problems if p.is_error]
    if errors:
        return None, errors
    return ScannedIns(ins, traits), []
