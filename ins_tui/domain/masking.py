"""Masked forms of names, NIRs and INS: the one privacy rule for logs and diagnostics.

A name or NIR never reaches an application log in clear (house rule). Every layer that
must mention one (card reads, INSi warnings, the diagnostics commands) masks it here, so
the policy cannot drift between copies. A short unkeyed hash lets two log lines about the
same card be matched without revealing who it is.
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


def mask_matricule_tail(value: str) -> str:
    """Keep the last four characters, for French messages about an INS already on screen.

    The tail (end of the order number + key) lets the user match the message with the
    INS shown beside it, while a copy of the message in a log still does not identify.
    """
    return "•" * max(0, len(value) - 4) + value[-4:]


def fingerprint(value: bytes | str) -> str:
    """A 12-hex-digit SHA-256 digest: enough to correlate, not to recover a NIR by hand."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:12]


def exception_summary(exc: BaseException) -> str:
    """Type and innermost file:line of an exception, without its message.

    For handlers that must log a failure they survive: the message of an exception
    raised by caller code (a desk callback, a parser) may quote a name or a NIR, while
    the type and the place are what a developer needs to find the bug.
    """
    frame = None
    tb = exc.__traceback__
    while tb is not None:
        frame, tb = tb, tb.tb_next
    where = ""
    if frame is not None:
        code = frame.tb_frame.f_code
        where = f" at {code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno} ({code.co_name})"
    return f"{type(exc).__module__}.{type(exc).__qualname__}{where}"
