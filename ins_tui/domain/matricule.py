"""The matricule INS (NIR or NIA, 13 characters + 2-digit key) and its OID.

`compute_key` is the single source of truth for the key; it leans on
`stdnum.fr.nir`, which already knows the Corsica substitution (2A→19, 2B→18).
A received matricule whose key fails is kept and flagged, never rejected
(CNDA 2.08 cas 2 carries such keys): `check_matricule` only answers the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.fr import nir as stdnum_nir

from ins_tui.domain.model import INS_OIDS, Sex
from ins_tui.domain.problems import Problem, error

# INSi `NumIdentifiant`: 6 digits, a digit or A/B (Corsica, after a 2), 6 digits.
_NUMBER13 = re.compile(r"\d{6}(?:\d|(?<=2)[AB])\d{6}\Z")
_KEY = re.compile(r"\d{2}\Z")
_SEPARATORS = re.compile(r"[\s.\-]")

FIELD = "matricule"
# Exception text may reach a log: it never repeats the (possibly real) number.
_MALFORMED = "NIR/NIA mal formé : 13 caractères attendus (2A/2B admis pour la Corse)."


@dataclass(frozen=True, slots=True)
class MatriculeParts:
    """A parsed 15-character matricule; `key_ok` tells whether the key checks."""

    number: str
    key: str
    key_ok: bool

    @property
    def matricule(self) -> str:
        return f"{self.number}{self.key}"


@dataclass(frozen=True, slots=True)
class NirInfo:
    """What the 13 characters say by construction (décret 82-103 art. 4).

    `birth_year` is the two-digit year: the century is not encoded. `birth_month`
    is None for the conventional "unknown month" values (20–42, 50–99).
    `place` is the 5-character birthplace (`99` + country code when born abroad).
    """

    sex: Sex | None
    birth_year: int
    birth_month: int | None
    place: str
    born_abroad: bool = False
    temporary: bool = False  # 7/8: a temporary number (NIA while a NIR is assigned)
    order: str = field(default="")


def is_well_formed_number(number13: str) -> bool:
    return bool(_NUMBER13.match(number13 or ""))


def compute_key(number13: str) -> str:
    """The 2-digit key: 97 − (N mod 97), N with 2A→19 and 2B→18.

    Raises ValueError on a malformed number, since a key of garbage means nothing.
    """
    number = (number13 or "").upper()
    if not is_well_formed_number(number):
        raise ValueError(_MALFORMED)
    return stdnum_nir.calc_check_digits(number)


def check_matricule(number: str, key: str) -> bool:
    """Whether `key` is the key of `number`; False on any malformed part."""
    if not (is_well_formed_number((number or "").upper()) and _KEY.match(key or "")):
        return False
    return compute_key(number) == key


def parse_matricule(text15: str | None) -> tuple[MatriculeParts | None, list[Problem]]:
    """Read a typed or scanned matricule (spaces, dots and hyphens tolerated).

    A wrong key is an error here: this is for input, where a wrong key means a
    typing mistake. Received answers go through `check_matricule` instead.
    """
    cleaned = _SEPARATORS.sub("", text15 or "").upper()
    if not cleaned:
        return None, [error(FIELD, "matricule.empty", "Le matricule INS est vide.")]
    if len(cleaned) != 15:
        return None, [
            error(
                FIELD,
                "matricule.length",
                f"Le matricule INS doit compter 15 caractères (13 + clé de 2) : "
                f"« {cleaned} » en compte {len(cleaned)}.",
            )
        ]
    number, key = cleaned[:13], cleaned[13:]
    if not is_well_formed_number(number) or not _KEY.match(key):
        return None, [
            error(
                FIELD,
                "matricule.format",
                f"Matricule INS « {cleaned} » mal formé : 13 chiffres (le 7e peut "
                f"être A ou B après un 2 pour la Corse) puis une clé de 2 "
                f"chiffres.",
            )
        ]
    expected = compute_key(number)
    if expected != key:
        return MatriculeParts(number, key, False), [
            error(
                FIELD,
                "matricule.key",
                f"Clé « {key} » incorrecte pour le numéro {number} (clé attendue : "
                f"{expected}) : vérifiez la saisie.",
            )
        ]
    return MatriculeParts(number, key, True), []


def describe_nir(number13: str) -> NirInfo:
    """Decode sex, birth year/month and birthplace from a well-formed number."""
    number = (number13 or "").upper()
    if not is_well_formed_number(number):
        raise ValueError(_MALFORMED)
    first = number[0]
    sex = {"1": Sex.M, "3": Sex.M, "7": Sex.M, "2": Sex.F, "4": Sex.F, "8": Sex.F}.get(first)
    month = int(number[3:5])
    place = number[5:10]
    return NirInfo(
        sex=sex,
        birth_year=int(number[1:3]),
        birth_month=month if 1 <= month <= 12 else None,
        place=place,
        born_abroad=place.startswith("99"),
        temporary=first in "78",
        order=number[10:13],
    )


def is_valid_oid(oid: str | None) -> bool:
    """Only the four INS OIDs (.8 NIR, .9 NIA, .10 test, .11 demo) are valid."""
    return oid in INS_OIDS


_QUERY_SEPARATORS = re.compile(r"[\s.\-/]")


def typed_nir_query(text: str | None) -> tuple[str | None, list[Problem]]:
    """A search box text that is a NIR or INS: its 13 characters, else None.

    Accepted as a person types it from a card or a letter: 13 characters, or 15 with the
    key, spaces, dots or hyphens anywhere, `2A`/`2B` for Corsica. A 15-character text whose
    key fails is refused (a problem, no search): a mistyped digit could otherwise land on
    somebody else's record. Any other text is not a NIR (None, no problem) and is searched
    as a name.
    """
    cleaned = _QUERY_SEPARATORS.sub("", text or "").upper()
    if len(cleaned) not in (13, 15) or not is_well_formed_number(cleaned[:13]):
        return None, []
    if len(cleaned) == 13:
        return cleaned, []
    if not _KEY.match(cleaned[13:]):
        return None, []
    if compute_key(cleaned[:13]) != cleaned[13:]:
        return None, [error(FIELD, "matricule.key",
                            "Clé incorrecte pour ce NIR/INS : vérifiez la saisie (aucune "
                            "recherche faite).")]
    return cleaned[:13], []
