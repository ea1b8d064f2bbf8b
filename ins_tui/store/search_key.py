"""Search keys: names folded so that a prefix typed at the desk finds the stored name.

Why a key distinct from the name: the stored name keeps INSi's exact form (`DE LA
FONTAINE`, `D'ALMEIDA`), while the secretary types `delaf`, `dalm` or `Lefèvre`. The key
keeps only the letters A–Z, so separators never decide a match. Turning typed characters
into INSi letters is the domain's rule (`ins_tui.domain.names`); this module only drops
what is not a letter and never validates.
"""

from __future__ import annotations

from functools import lru_cache

from ins_tui.domain.names import NameKind, normalise_name

_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NOT_LETTERS = str.maketrans("", "", " '-")


def stored_key(name: str | None) -> str:
    """Key of a name already in INSi form (every stored trait is): just drop separators."""
    if not name:
        return ""
    key = name.translate(_NOT_LETTERS)
    if key.isascii() and key.isalpha() and key.isupper():
        return key
    return typed_key(name)


def typed_key(text: str | None) -> str:
    """Key of what somebody typed, possibly partial (`jean-`) or with stray characters."""
    if not text:
        return ""
    whole = normalise_name(text, NameKind.BIRTH_NAME).value
    if whole is not None:
        return "".join(c for c in whole if c in _LETTERS)
    return "".join(_char_key(c) for c in text)


@lru_cache(maxsize=4096)
def _char_key(char: str) -> str:
    value = normalise_name(char, NameKind.BIRTH_NAME).value or ""
    return "".join(c for c in value if c in _LETTERS)


def prefix_upper_bound(prefix: str) -> str:
    """Smallest string above every string starting with `prefix` (keys are A–Z only)."""
    return prefix + "\x7f"
