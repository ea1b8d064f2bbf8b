"""Masked forms of names and NIRs, for logs and the diagnostics command.

A name or NIR never reaches a log in clear (house rule); a short keyed-free hash
lets two log lines about the same card be matched without revealing who it is.
"""

from __future__ import annotations

import hashlib


def mask_name(value: str | None) -> str:
    """Keep the first letter of each word so a secretary can still tell two lines apart."""
    if not value:
        return ""
    return " ".join(word[:1] + "•" * (len(word) - 1) for word in value.split(" "))


def mask_nir(value: str | None) -> str:
    """Keep only the sex digit: the rest (birth year, month, place) identifies."""
    if not value:
        return ""
    return value[:1] + "•" * (len(value) - 1)


def fingerprint(value: bytes | str) -> str:
    """A 12-hex-digit SHA-256 digest: enough to correlate, not to recover a NIR by hand."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:12]
