"""The few ISO 7816-4 commands a Vitale read needs, and T=0 housekeeping.

pyscard's `transmit()` leaves `6Cxx` (wrong Le) and `61xx` (response waiting)
to the caller, and a Vitale 2 is T=0 only, so every command goes through
`exchange()`, which also retries a flaky transmit the way field readers need
(some keyboard-integrated readers drop an exchange now and then).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ins_tui.card.errors import TransmitError, UnreadableCardError
from ins_tui.card.transport import Transport

AID_VITALE = bytes.fromhex("D250000002564954414C45")  # "VITALE"
FID_MF = bytes.fromhex("3F00")
SFI_BENEFICIARIES = 2  # identity file under the MF, NIR file under the VITALE DF

SW_OK = 0x9000
MAX_ATTEMPTS = 4
RETRY_DELAYS = (0.05, 0.15, 0.3)
MAX_GET_RESPONSE = 16  # a chained 61xx longer than this is a broken card, not data


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @property
    def sw_hex(self) -> str:
        return f"{self.sw:04X}"


def select_aid(aid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def select_fid(fid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x00, 0x00, len(fid)]) + fid


def read_binary_sfi(sfi: int, offset: int = 0, le: int = 0) -> bytes:
    """READ BINARY through a short file identifier (P1 = 0x80 | SFI, P2 = offset < 256)."""
    return bytes([0x00, 0xB0, 0x80 | sfi, offset, le])


def read_binary(offset: int, le: int = 0) -> bytes:
    """READ BINARY of the current EF at a 15-bit offset."""
    return bytes([0x00, 0xB0, (offset >> 8) & 0x7F, offset & 0xFF, le])


def get_response(length: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, length])


def _transmit(transport: Transport, apdu: bytes) -> Response:
    """One command with retries; a card that left the reader is never retried."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            raw = transport.transmit(apdu)
            if len(raw) < 2:
                raise TransmitError("response without a status word")
        except TransmitError:
            if attempt == MAX_ATTEMPTS - 1:
                break
            time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            continue
        return Response(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])
    raise UnreadableCardError()


def _with_right_le(transport: Transport, apdu: bytes, response: Response) -> Response:
    """`6Cxx` means "ask again with Le = xx"; only a case-2 command (5 bytes) has a Le."""
    if response.sw >> 8 == 0x6C and len(apdu) == 5:
        return _transmit(transport, apdu[:4] + bytes([response.sw & 0xFF]))
    return response


def exchange(transport: Transport, apdu: bytes) -> Response:
    """Send `apdu`, resolving `6Cxx` (resend with the right Le) and `61xx` (GET RESPONSE)."""
    response = _with_right_le(transport, apdu, _transmit(transport, apdu))
    data = bytearray(response.data)
    for _ in range(MAX_GET_RESPONSE):
        if response.sw >> 8 != 0x61:
            return Response(bytes(data), response.sw)
        command = get_response(response.sw & 0xFF)
        response = _with_right_le(transport, command, _transmit(transport, command))
        data += response.data
    raise UnreadableCardError()
