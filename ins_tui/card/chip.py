"""A pure-Python Vitale-like chip: what a virtual test card answers to each APDU.

It serves the public layout read by `vitale.py` (carte-vitale.md §2–3): under the
MF, SFI 2 holds one `65 {80 nom, 81 prénom, 82 date}` per beneficiary; under the
VITALE application, SFI 2 holds one `65 {93 NIR}` in the same order. The same
chip sits behind the vpcd socket (`virtual.py`) and behind the in-process
transport, so both paths exercise the same card behaviour.
"""

from __future__ import annotations

import threading

from ins_tui.card.apdu import AID_VITALE, FID_MF, SFI_BENEFICIARIES
from ins_tui.card.errors import CardRemovedError
from ins_tui.card.profiles import CardProfile
from ins_tui.card.tlv import encode

SW_OK = b"\x90\x00"
SW_NOT_FOUND = b"\x6a\x82"
SW_BAD_INS = b"\x6d\x00"
SW_BAD_CLA = b"\x6e\x00"
SW_BAD_OFFSET = b"\x6b\x00"
SW_NO_EF = b"\x69\x86"
_PAD_TO = 64


class ChipGone(Exception):
    """The card left in the middle of a command (the 'pulled out' profile)."""


def identity_file(profile: CardProfile) -> bytes:
    body = b"".join(
        encode(
            0x65,
            encode(0x80, b.birth_name.encode("latin-1"))
            + encode(0x81, b.first_name.encode("latin-1"))
            + encode(0x82, b.birth_date.encode("ascii")),
        )
        for b in profile.beneficiaries
    )
    return _pad(body, profile.file_size)


def nir_file(profile: CardProfile) -> bytes:
    body = b"".join(
        encode(0x65, encode(0x93, b.nir.encode("ascii")) if b.nir else b"")
        for b in profile.beneficiaries
    )
    return _pad(body, None)


def _pad(body: bytes, size: int | None) -> bytes:
    size = max(size or 0, (len(body) // _PAD_TO + 1) * _PAD_TO)
    return body + bytes(size - len(body))


def _fci(aid: bytes) -> bytes:
    return encode(0x6F, encode(0x84, aid))


class VirtualChip:
    """Card state machine; thread-safe because vpcd polls and commands interleave."""

    def __init__(self, profile: CardProfile) -> None:
        self.profile = profile
        self.present = True
        self.apdu_count = 0
        self._lock = threading.Lock()
        self._files = {
            "MF": identity_file(profile) if profile.kind == "vitale2" else b"",
            "VITALE": nir_file(profile) if profile.kind == "vitale2" else b"",
        }
        self.reset()

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    def reset(self) -> None:
        """Power on / warm reset: back to the MF, no current file, nothing pending."""
        self._df = "MF"
        self._ef: bytes | None = None
        self._pending = b""

    def respond(self, apdu: bytes) -> bytes:
        with self._lock:
            vanish = self.profile.vanish_after
            if vanish is not None and self.apdu_count >= vanish:
                self.present = False
                raise ChipGone()
            self.apdu_count += 1
            if len(apdu) < 4:
                return b"\x67\x00"
            if apdu[0] != 0x00:
                return SW_BAD_CLA
            if self.profile.kind != "vitale2":
                return SW_NOT_FOUND if apdu[1] == 0xA4 else SW_BAD_INS
            handler = {0xA4: self._select, 0xB0: self._read_binary, 0xC0: self._get_response}
            return handler.get(apdu[1], lambda _a: SW_BAD_INS)(apdu)

    def _select(self, apdu: bytes) -> bytes:
        p1, lc = apdu[2], apdu[4] if len(apdu) > 4 else 0
        target = apdu[5 : 5 + lc]
        if p1 == 0x04 and target == AID_VITALE:
            self._df, self._ef = "VITALE", None
        elif p1 == 0x00 and target == FID_MF:
            self._df, self._ef = "MF", None
        else:
            return SW_NOT_FOUND
        if self.profile.t0_strict:
            self._pending = _fci(target)
            return bytes([0x61, len(self._pending)])
        return SW_OK

    def _get_response(self, apdu: bytes) -> bytes:
        if not self._pending:
            return b"\x69\x85"
        le = apdu[4] if len(apdu) > 4 else 0
        if le != len(self._pending):
            return bytes([0x6C, len(self._pending)])
        data, self._pending = self._pending, b""
        return data + SW_OK

    def _read_binary(self, apdu: bytes) -> bytes:
        p1, p2 = apdu[2], apdu[3]
        le = (apdu[4] if len(apdu) > 4 else 0) or 256
        if p1 & 0x80:
            if p1 & 0x1F != SFI_BENEFICIARIES:
                return SW_NOT_FOUND
            self._ef, offset = self._files[self._df], p2
        else:
            if self._ef is None:
                return SW_NO_EF
            offset = (p1 << 8) | p2
        if offset >= len(self._ef):
            return SW_BAD_OFFSET
        remaining = len(self._ef) - offset
        if self.profile.t0_strict and le != min(remaining, 256):
            return bytes([0x6C, min(remaining, 256) & 0xFF])
        return self._ef[offset : offset + min(le, remaining)] + SW_OK


class InProcessTransport:
    """A virtual chip called directly: same reader code, no pcscd (training fallback).

    It lives with the chip, not with the PC/SC transport, so that `transport` (which
    `apdu` needs for its Protocol) never has to import the chip: no import circle.
    """

    def __init__(self, chip: VirtualChip) -> None:
        self.chip = chip

    def transmit(self, apdu: bytes) -> bytes:
        if not self.chip.present:
            raise CardRemovedError()
        try:
            return self.chip.respond(apdu)
        except ChipGone as exc:
            raise CardRemovedError() from exc
