"""Reading an HL7 acknowledgement: MSA-1 code, MSA-2 control id, the error text.

Why by splitting rather than with hl7apy: a receiver answers in its own HL7 version (2.3,
2.5, 2.6…), with its own delimiters, sometimes with LF instead of CR; hl7apy refuses a
version it does not ship, and what matters here are three fields whose positions have never
moved. The answer is already bounded by the transport; the text kept is bounded too.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED = frozenset({"AA", "CA"})
REFUSED = frozenset({"AE", "AR", "CE", "CR"})
MAX_ERROR_TEXT = 500


@dataclass(frozen=True, slots=True)
class Ack:
    code: str  # MSA-1
    control_id: str  # MSA-2
    text: str  # MSA-3 and ERR texts, joined, bounded

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED

    @property
    def refused(self) -> bool:
        return self.code in REFUSED


class AckUnreadable(ValueError):
    """Not an acknowledgement we can act on (French message)."""


def _unescape(value: str, escape_char: str) -> str:
    if escape_char not in value:
        return value
    for code, char in (("F", "|"), ("S", "^"), ("T", "&"), ("R", "~"), ("E", "\\")):
        value = value.replace(f"{escape_char}{code}{escape_char}", char)
    return value


def parse_ack(raw: bytes) -> Ack:
    text = raw.decode("utf-8", errors="replace")
    segments = [s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        raise AckUnreadable("accusé de réception sans segment MSH")
    sep = segments[0][3]
    component = segments[0][4]
    escape_char = segments[0][6]
    msa = [s.split(sep) for s in segments if s.startswith("MSA" + sep)]
    if not msa:
        raise AckUnreadable("accusé de réception sans segment MSA")
    fields = msa[0] + ["", "", ""]
    texts: list[str] = []
    if fields[3]:
        texts.append(fields[3])
    for seg in segments:
        if not seg.startswith("ERR" + sep):
            continue
        err = seg.split(sep) + [""] * 9
        # v2.5: ERR-3 code^text, ERR-8 user message; v2.3: ERR-1 segment^seq^field^code^text
        code = err[3].split(component)
        texts.append(" ".join(part for part in code[:2] if part))
        texts.append(err[8])
        if not err[3] and err[1]:
            texts.append(err[1].replace(component, " ").strip())
    unique = dict.fromkeys(_unescape(t, escape_char).strip() for t in texts)  # MSA-3 = ERR-8
    joined = " ; ".join(t for t in unique if t)
    return Ack(code=fields[1].strip().upper(), control_id=fields[2].strip(),
               text=joined[:MAX_ERROR_TEXT])
