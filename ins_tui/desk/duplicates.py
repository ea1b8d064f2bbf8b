"""Homonym and likely-duplicate heuristic used when a patient is created.

Why a heuristic of our own: no rule exists (identity-rules §15.7), and a duplicate
identity is the worst outcome at a front desk, so the check is deliberately wide and only
ever *warns* (the secretary decides). Every candidate must share the birth date: without it,
a common name would flood the warning. Then any of:
- same birth name (homonym in the RNIV sense);
- same first birth first name (maiden name vs married name, typing in the wrong field);
- a close birth name: same phonetic key, or one name is a prefix of the other (at least
  four letters), catching truncated or mistyped entries.
"""

from __future__ import annotations

import re

from ins_tui.desk.results import DuplicateReason
from ins_tui.domain.model import Traits

_MIN_PREFIX = 4

# Ordered rewrites approximating French pronunciation on already-normalised A–Z names.
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"[-' ]", ""),
    (r"PH", "F"),
    (r"GU(?=[EI])", "G"),
    (r"QU|CK|Q", "K"),
    (r"C(?=[EIY])", "S"),
    (r"C", "K"),
    (r"SCH|SH|CH", "X"),
    (r"G(?=[EIY])", "J"),
    (r"EAU|AU|O", "O"),
    (r"AI|EI|ET$|EZ$|ER$|E", "E"),
    (r"Y", "I"),
    (r"W", "V"),
    (r"Z", "S"),
    (r"TH", "T"),
    (r"H", ""),
    (r"(.)\1+", r"\1"),
    (r"[DSTX]$", ""),
)


def phonetic_key(name: str) -> str:
    """A rough French sound key: DUPOND, DUPONT and DUPONTT give the same key."""
    key = name.upper()
    for pattern, repl in _REWRITES:
        key = re.sub(pattern, repl, key)
    return key


def close_names(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if phonetic_key(a) == phonetic_key(b):
        return True
    short, long_ = sorted((a.replace(" ", ""), b.replace(" ", "")), key=len)
    return len(short) >= _MIN_PREFIX and long_.startswith(short)


def duplicate_reason(new: Traits, existing: Traits) -> DuplicateReason | None:
    """Why `existing` may be the same person as `new`, or None."""
    if not new.birth_date or new.birth_date != existing.birth_date:
        return None
    if new.birth_name == existing.birth_name:
        return DuplicateReason.SAME_BIRTH_NAME_AND_DATE
    if new.first_first_name and new.first_first_name == existing.first_first_name:
        return DuplicateReason.SAME_FIRST_NAME_AND_DATE
    if close_names(new.birth_name, existing.birth_name) or (
        existing.used_name and close_names(new.birth_name, existing.used_name)
    ):
        return DuplicateReason.CLOSE_NAME_SAME_DATE
    return None
