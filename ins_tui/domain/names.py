"""Names as INSi accepts them, and how what a person types becomes such a name.

Two entry points on purpose: `normalise_name` for what somebody types (it may
transliterate, and the result is shown before saving), and `check_insi_name` for
a value that must travel or be stored exactly as given (card, INSi answer, the
`insi search` command) and therefore may only be judged, never altered — CNDA
2.03 cas 3 expects `D’ÆION` to be refused locally rather than quietly fixed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from ins_tui.domain.problems import Problem, error, has_errors


class NameKind(StrEnum):
    """Which name field; the value is the `Traits` attribute (and problem field)."""

    BIRTH_NAME = "birth_name"
    FIRST_NAMES = "first_names"  # the space-separated list of birth first names
    FIRST_NAME = "first_name"  # the first birth first name (may be composed)
    USED_NAME = "used_name"
    USED_FIRST_NAME = "used_first_name"


LABELS_FR: dict[NameKind, str] = {
    NameKind.BIRTH_NAME: "le nom de naissance",
    NameKind.FIRST_NAMES: "la liste des prénoms de naissance",
    NameKind.FIRST_NAME: "le premier prénom de naissance",
    NameKind.USED_NAME: "le nom utilisé",
    NameKind.USED_FIRST_NAME: "le prénom utilisé",
}

# 100 for the birth name is the 2020 guide's figure; the datamatrix caps the list of
# first names (S3) at 100 too. The other limits are a team choice (docs/decisions.md):
# nothing longer can be printed in the datamatrix, so nothing longer is accepted.
MAX_LENGTH: dict[NameKind, int] = {
    NameKind.BIRTH_NAME: 100,
    NameKind.FIRST_NAMES: 100,
    NameKind.FIRST_NAME: 100,
    NameKind.USED_NAME: 100,
    NameKind.USED_FIRST_NAME: 100,
}

# Family names may carry a double hyphen (INSi rule); first names may not.
_FAMILY_KINDS = frozenset({NameKind.BIRTH_NAME, NameKind.USED_NAME})
_FIRST_NAME_KINDS = frozenset({NameKind.FIRST_NAMES, NameKind.FIRST_NAME, NameKind.USED_FIRST_NAME})

INSI_CHARSET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")
_ALLOWED_FR = "lettres A à Z en majuscules, espace, apostrophe ' et trait d'union -"

_APOSTROPHES = frozenset("'’‘‛ʼʹ`´′＇")
_HYPHENS = frozenset("-‐‑‒–—−﹣－")
# Letters Unicode does not decompose into A–Z plus accents.
_SPECIAL_LETTERS: dict[str, str] = {
    "Æ": "AE",
    "æ": "AE",
    "Œ": "OE",
    "œ": "OE",
    "ß": "SS",
    "ẞ": "SS",
    "Ø": "O",
    "ø": "O",
    "Ł": "L",
    "ł": "L",
    "Đ": "D",
    "đ": "D",
    "Ð": "D",
    "ð": "D",
    "Þ": "TH",
    "þ": "TH",
    "ı": "I",
}

_TOKEN_SPLIT = re.compile(r"[ '\-]+")


@dataclass(frozen=True, slots=True)
class NameResult:
    """Outcome of `normalise_name`: `value` is None while an error remains.

    `changed`: the value differs from the text at all. `rewritten`: a character was
    replaced or dropped beyond capitals and spacing (an accent, a ligature, an apostrophe
    or a dash of another kind): only that is worth a warning (issue 12, F11), since
    `martin` → `MARTIN` is what everybody expects.
    """

    value: str | None
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False
    rewritten: bool = False


def describe_char(char: str) -> str:
    """Show a character so a person can find it, even an invisible one."""
    if char.isprintable() and not char.isspace():
        return f"« {char} »"
    name = unicodedata.name(char, "caractère de contrôle")
    return f"« U+{ord(char):04X} » ({name.lower()})"


def _transliterate_char(char: str) -> str | None:
    """Map one typed character onto the INSi set, or None when nothing fits."""
    if char in INSI_CHARSET:
        return char
    if char in _APOSTROPHES:
        return "'"
    if char in _HYPHENS:
        return "-"
    if char.isspace():
        return " "
    if char in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[char]
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue  # an accent, cedilla, diaeresis…
        if part in _SPECIAL_LETTERS:
            out.append(_SPECIAL_LETTERS[part])
            continue
        upper = part.upper()
        if not upper or any(c not in INSI_CHARSET or c == " " for c in upper):
            return None
        out.append(upper)
    return "".join(out) or None


def _structure_problems(value: str, kind: NameKind) -> list[Problem]:
    """The INSi placement rules (identity-rules.md §4), independent of the characters."""
    f = kind.value
    label = LABELS_FR[kind]
    found: list[Problem] = []
    if len(value) > MAX_LENGTH[kind]:
        found.append(
            error(
                f,
                "name.too_long",
                f"{label.capitalize()} dépasse {MAX_LENGTH[kind]} caractères ({len(value)}).",
            )
        )
    if value[0] in " -":
        what = "une espace" if value[0] == " " else "un trait d'union"
        found.append(
            error(f, "name.leading", f"{label.capitalize()} ne peut pas commencer par {what}.")
        )
    if value[-1] == " ":
        found.append(
            error(
                f, "name.trailing_space", f"{label.capitalize()} ne peut pas finir par une espace."
            )
        )
    if "  " in value:
        found.append(error(f, "name.double_space", f"Deux espaces de suite dans {label}."))
    if "''" in value:
        found.append(error(f, "name.double_apostrophe", f"Deux apostrophes de suite dans {label}."))
    if "' " in value or " '" in value:
        found.append(
            error(
                f,
                "name.space_apostrophe",
                f"Une espace et une apostrophe se touchent dans {label}.",
            )
        )
    if "---" in value:
        found.append(
            error(f, "name.triple_hyphen", f"Plus de deux traits d'union de suite dans {label}.")
        )
    elif "--" in value and kind not in _FAMILY_KINDS:
        found.append(
            error(
                f,
                "name.double_hyphen",
                f"Le double trait d'union n'est admis que dans un nom de famille, "
                f"pas dans {label}.",
            )
        )
    if kind in _FIRST_NAME_KINDS:
        for token in value.split(" "):
            if token and token[-1] in "-'":
                found.append(
                    error(
                        f,
                        "name.first_name_end",
                        f"Un prénom ne peut pas finir par « {token[-1]} » "
                        f"(« {token} » dans {label}).",
                    )
                )
                break
        for token in value.split(" ")[1:]:
            if token.startswith("-"):
                found.append(
                    error(
                        f,
                        "name.first_name_start",
                        f"Un prénom ne peut pas commencer par un trait d'union "
                        f"(« {token} » dans {label}).",
                    )
                )
                break
    if not any(c.isalpha() for c in value):
        found.append(error(f, "name.no_letter", f"{label.capitalize()} ne contient aucune lettre."))
    return found


def _empty(kind: NameKind) -> Problem:
    return error(kind.value, "name.empty", f"{LABELS_FR[kind].capitalize()} est vide.")


def normalise_name(text: str | None, kind: NameKind) -> NameResult:
    """Turn a typed name into its INSi form, refusing what has no faithful mapping.

    Characters with no mapping are refused (named in the message) rather than dropped
    or turned into spaces: silently losing a letter would create a different person.
    """
    raw = text or ""
    parts: list[str] = []
    unmapped: list[str] = []
    for char in raw:
        mapped = _transliterate_char(char)
        if mapped is None:
            if char not in unmapped:
                unmapped.append(char)
        else:
            parts.append(mapped)
    candidate = re.sub(" {2,}", " ", "".join(parts)).strip(" ")
    rewritten = any(_rewrites(char) for char in raw)
    if unmapped:
        problems = [
            error(
                kind.value,
                "name.unmapped",
                f"Caractère {describe_char(c)} sans équivalent dans {LABELS_FR[kind]} : "
                f"retirez-le ou remplacez-le (admis : {_ALLOWED_FR}).",
            )
            for c in unmapped
        ]
        return NameResult(None, problems, changed=True)
    if not candidate:
        return NameResult(None, [_empty(kind)], changed=candidate != raw)
    problems = _structure_problems(candidate, kind)
    value = None if has_errors(problems) else candidate
    return NameResult(value, problems, changed=candidate != raw, rewritten=rewritten)


def _rewrites(char: str) -> bool:
    """True when `normalise_name` changes `char` into another character (not only into
    its capital, not only a space tidied): the ones a person may not have meant."""
    return not (char in INSI_CHARSET or char.isspace() or ("a" <= char <= "z"))


def check_insi_name(text: str | None, kind: NameKind) -> list[Problem]:
    """Judge a name that must be used exactly as given; never alters it.

    When the value is refused only for its characters, the message tells the form
    `normalise_name` would accept, so the operator can retype it knowingly.
    """
    value = text or ""
    if not value:
        return [_empty(kind)]
    problems: list[Problem] = []
    bad = list(dict.fromkeys(c for c in value if c not in INSI_CHARSET))
    if bad:
        # Lower case is named once as such rather than letter by letter.
        lower = [c for c in bad if c.islower() and _transliterate_char(c) == c.upper()]
        shown = [describe_char(c) for c in bad if c not in lower]
        if lower:
            more = "…" if len(lower) > 5 else ""
            shown.insert(0, f"minuscules ({', '.join(lower[:5])}{more})")
        plural = "Caractères" if len(bad) > 1 else "Caractère"
        message = (
            f"{plural} {', '.join(shown)} non admis par l'INSi dans {LABELS_FR[kind]} "
            f"(admis : {_ALLOWED_FR})."
        )
        suggestion = normalise_name(value, kind).value
        if suggestion is not None:
            message += f" Forme normalisée acceptée : « {suggestion} »."
        problems.append(error(kind.value, "name.char", message))
    problems.extend(_structure_problems(value, kind))
    return problems


def name_tokens(text: str | None) -> list[str]:
    """Whole first-name tokens, a hyphen or an apostrophe counting as a space (EXI ID 10)."""
    return [t for t in _TOKEN_SPLIT.split(text or "") if t]


def first_name_coherent(first_name: str | None, first_names: str | None) -> bool:
    """EXI ID 10: the first birth first name is the start of the list, whole tokens only.

    Whole tokens, so `JEAN` is not coherent with `JEANNE MARIE` (team choice: a
    prefix of a word is another first name).
    """
    head = name_tokens(first_name)
    listed = name_tokens(first_names)
    return bool(head) and listed[: len(head)] == head


def first_name_splits_compound(first_name: str | None, first_names: str | None) -> bool:
    """True when a coherent first name stops inside a composed one (`PIERRE` of `PIERRE-ALAIN`).

    The literal EXI ID 10 rule accepts it; the desk shows a warning because the
    person is most likely called by the whole composed first name.
    """
    if not first_name_coherent(first_name, first_names):
        return False
    count = len(name_tokens(first_name))
    boundaries = set()
    total = 0
    for word in (first_names or "").split(" "):
        total += len(name_tokens(word))
        boundaries.add(total)
    return count not in boundaries


def equivalent_first_names(a: str | None, b: str | None) -> bool:
    """Same first names up to hyphen/apostrophe/space (`JEAN-PIERRE` ≈ `JEAN PIERRE`)."""
    tokens_a = name_tokens(a)
    return bool(tokens_a) and tokens_a == name_tokens(b)
