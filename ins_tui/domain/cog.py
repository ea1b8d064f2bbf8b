"""Birthplace codes (COG): communes, overseas, `99xxx` countries and `99999` (unknown).

The rule lives here; the tables live in `data/cog/` and are read by
`ins_tui.refdata` (I/O stays out of the domain). The tables miss communes that
vanished long ago, so a well-formed code they do not know is accepted with a
warning, never refused.
"""

from __future__ import annotations

import re
from typing import Protocol

from ins_tui.domain.problems import Problem, error, warning

FIELD = "birthplace"
UNKNOWN_PLACE = "99999"
FRANCE_AS_COUNTRY = "99100"

# Department 01–96 (20 = Corsica before 1976) or 2A/2B, overseas 97x/98x, countries 99xxx.
_WELL_FORMED = re.compile(r"(?:(?:0[1-9]|[1-8]\d|9[0-6]|2[AB])\d{3}|9[78]\d{3}|99\d{3})\Z")


class CogTable(Protocol):
    """What the domain needs from the reference tables."""

    def name_of(self, code: str) -> str | None: ...

    def is_known(self, code: str) -> bool: ...

    def current_of(self, code: str) -> str | None:
        """The current code a former code became (None when not a former code)."""
        ...


def is_well_formed(code: str) -> bool:
    """Shape only: `20xxx` stays well formed because people born before 1976 carry it."""
    return bool(_WELL_FORMED.match(code))


def check_birthplace(
    code: str | None, table: CogTable | None = None
) -> tuple[str | None, list[Problem]]:
    """Check a typed birthplace code; empty is allowed (the trait is optional locally).

    Without a table only the form is checked (used by tests and when the data
    files are unavailable): never a reason to refuse a person.
    """
    cleaned = (code or "").strip().upper()
    if not cleaned:
        return None, []
    if not is_well_formed(cleaned):
        return None, [
            error(
                FIELD,
                "cog.format",
                f"Lieu de naissance « {code} » mal formé : code COG à 5 caractères "
                f"(commune, 2A/2B pour la Corse, 99 + pays, 99999 si inconnu) — "
                f"ce n'est pas le code postal.",
            )
        ]
    problems: list[Problem] = []
    if cleaned == UNKNOWN_PLACE:
        problems.append(
            warning(
                FIELD,
                "cog.unknown_place",
                "Lieu de naissance 99999 (inconnu) : à éviter pour une identité validée.",
            )
        )
        return cleaned, problems
    if cleaned == FRANCE_AS_COUNTRY:
        problems.append(
            warning(
                FIELD,
                "cog.france_country",
                "99100 désigne la France comme pays : pour une naissance en France, "
                "saisissez le code de la commune.",
            )
        )
    if table is not None and not table.is_known(cleaned):
        what = "pays" if cleaned.startswith("99") else "commune"
        problems.append(
            warning(
                FIELD,
                "cog.unknown_code",
                f"Code {cleaned} absent des tables COG ({what} inconnue ou disparue) : "
                f"accepté, vérifiez qu'il ne s'agit pas d'un code postal.",
            )
        )
    return cleaned, problems


def same_place(a: str | None, b: str | None, table: CogTable | None = None) -> bool:
    """Equal codes, or a former code and the code it became (e.g. Corsica 20xxx → 2Axxx)."""
    if not a or not b:
        return False
    if a == b:
        return True
    if table is None:
        return False
    return (table.current_of(a) or a) == (table.current_of(b) or b)
