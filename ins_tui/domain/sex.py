"""Sex as the INS knows it: F or M only (EF_INS25_04), whatever the desk types."""

from __future__ import annotations

import unicodedata

from ins_tui.domain.model import Sex
from ins_tui.domain.problems import Problem, error

FIELD = "sex"

# What a French front desk types; 1/2 follow the NIR's first digit.
_ALIASES: dict[str, Sex] = {
    "F": Sex.F,
    "FEMME": Sex.F,
    "FEMININ": Sex.F,
    "2": Sex.F,
    "M": Sex.M,
    "H": Sex.M,
    "HOMME": Sex.M,
    "MASCULIN": Sex.M,
    "1": Sex.M,
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_sex(text: str | Sex | None) -> tuple[Sex | None, list[Problem]]:
    """F/M (and French words for them); anything else is refused, never guessed."""
    if isinstance(text, Sex):
        return text, []
    raw = (text or "").strip()
    if not raw:
        return None, [error(FIELD, "sex.empty", "Le sexe est vide : indiquez F ou M.")]
    sex = _ALIASES.get(_fold(raw))
    if sex is None:
        return None, [
            error(
                FIELD,
                "sex.value",
                f"Sexe « {raw} » non admis : l'INS ne connaît que F (féminin) ou M (masculin).",
            )
        ]
    return sex, []
