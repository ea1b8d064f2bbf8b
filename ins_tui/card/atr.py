"""What an ATR hints about a card. Only a hint: a Vitale 2 is recognised by SELECT.

The one ATR family acted on without sending anything is the Vitale 1
(inverse convention, TS = 3F): no public command set exists for it.
"""

from __future__ import annotations

from enum import StrEnum

# pyscard's ATRCardType pattern for the Vitale 2 list (carte-vitale.md §1).
_VITALE2_ATR = bytes.fromhex("3B751300004009EA9000")
_VITALE2_MASK = bytes.fromhex("FFFFFFFFFFF0FFEFFFFF")
_VITALE1_PREFIX = bytes.fromhex("3F6525")
_BANK_PREFIX = bytes.fromhex("3B6500002063CB")
_CPS_PREFIX = bytes.fromhex("3BAC00402A0012250064")


class AtrKind(StrEnum):
    VITALE2 = "vitale2"
    VITALE1 = "vitale1"
    BANK = "bank"
    CPS = "cps"
    UNKNOWN = "unknown"


def classify_atr(atr: bytes) -> AtrKind:
    if len(atr) == len(_VITALE2_ATR) and all(
        (a & m) == (p & m) for a, m, p in zip(atr, _VITALE2_MASK, _VITALE2_ATR, strict=True)
    ):
        return AtrKind.VITALE2
    if atr.startswith(_VITALE1_PREFIX):
        return AtrKind.VITALE1
    if atr.startswith(_BANK_PREFIX):
        return AtrKind.BANK
    if atr.startswith(_CPS_PREFIX):
        return AtrKind.CPS
    return AtrKind.UNKNOWN
