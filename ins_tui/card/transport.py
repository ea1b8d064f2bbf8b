"""How the reader reaches a card: one `transmit` for PC/SC and for in-memory chips.

The Vitale reader only sees a `Transport`, so the code that reads a real card in
a practice is the code the tests and the training mode run. The PC/SC adapter is
written on pyscard's low-level `smartcard.scard`: return codes (not exception
texts) tell a pulled-out card from a hiccup, and the whole read sits in one
exclusive transaction so no other program interleaves commands.
"""

from __future__ import annotations

import time
from typing import Protocol

from ins_tui.card.errors import (
    TRAITS_HINT,
    CardRemovedError,
    NoCardError,
    ServiceUnavailableError,
    TransmitError,
    UnreadableCardError,
)


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command; return response data followed by SW1 SW2.

        Raises `CardRemovedError` when the card is gone, `TransmitError` for a
        failure worth retrying.
        """
        ...


# pcsc-lite return codes meaning "there is no card (any more)".
_GONE = {
    0x80100069,  # SCARD_W_REMOVED_CARD
    0x8010000C,  # SCARD_E_NO_SMARTCARD
    0x80100017,  # SCARD_E_READER_UNAVAILABLE
    0x80100009,  # SCARD_E_UNKNOWN_READER
    0x80100068,  # SCARD_W_RESET_CARD (another program reset it: our state is lost)
}
_NO_SERVICE = {0x8010001D, 0x80100013, 0x8010001E}  # NO_SERVICE, COMM_ERROR, SERVICE_STOPPED
_SETTLING = {0x80100067, 0x80100066}  # SCARD_W_UNPOWERED_CARD, SCARD_W_UNRESPONSIVE_CARD
CONNECT_ATTEMPTS = 6
CONNECT_RETRY_DELAY = 0.2
REMOVAL_GRACE_MS = 500
SCARD_PRESENT = 0x0004  # SCardStatus state bit (pcsclite.h); not exported by pyscard


def describe(hresult: int) -> str:
    from smartcard import scard

    return f"0x{hresult & 0xFFFFFFFF:08X} {scard.SCardGetErrorMessage(hresult)}"


class PcscTransport:
    """One reader, connected and inside an exclusive transaction for its lifetime."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.atr = b""
        self._context = None
        self._card = None
        self._protocol = None
        self._in_transaction = False

    def __enter__(self) -> PcscTransport:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        from smartcard import scard

        hr, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            self._context = None
            raise ServiceUnavailableError()
        try:
            self._connect()
            hr = scard.SCardBeginTransaction(self._card)
            if hr != scard.SCARD_S_SUCCESS:
                raise self._connect_error(hr)
            self._in_transaction = True
            hr, _name, _state, _proto, atr = scard.SCardStatus(self._card)
            if hr != scard.SCARD_S_SUCCESS:
                raise self._connect_error(hr)
            self.atr = bytes(atr)
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        """Connect, giving a just-inserted card a moment to power up.

        Right after insertion pcscd may still report the card unpowered or mute
        (contacts settling; a virtual card whose predecessor just left): that is
        not yet a verdict on the card, so the connection is tried again briefly.
        """
        from smartcard import scard

        for attempt in range(CONNECT_ATTEMPTS):
            hr, card, protocol = scard.SCardConnect(
                self._context,
                self.reader,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            if hr == scard.SCARD_S_SUCCESS:
                self._card, self._protocol = card, protocol
                return
            if hr & 0xFFFFFFFF not in _SETTLING or attempt == CONNECT_ATTEMPTS - 1:
                raise self._connect_error(hr)
            time.sleep(CONNECT_RETRY_DELAY)

    @staticmethod
    def _connect_error(hr: int) -> Exception:
        code = hr & 0xFFFFFFFF
        if code in (0x8010000C, 0x80100069):
            return NoCardError()
        if code in (0x80100009, 0x80100017):
            return NoCardError("Lecteur introuvable ou débranché.")
        if code in _NO_SERVICE:
            return ServiceUnavailableError()
        if code in _SETTLING:
            return UnreadableCardError(
                "La carte ne répond pas : la retirer puis la réinsérer à fond, puce vers "
                "le lecteur. Si cela persiste : " + TRAITS_HINT[0].lower() + TRAITS_HINT[1:]
            )
        return UnreadableCardError()

    def transmit(self, apdu: bytes) -> bytes:
        from smartcard import scard

        if self._card is None:
            raise CardRemovedError()
        hr, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hr == scard.SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        # pcsc-lite reports a card yanked mid-command as *success* with no status
        # word (carte-vitale.md §5): that is a failed exchange, judged like the others.
        code = hr & 0xFFFFFFFF
        if code in _NO_SERVICE:
            raise ServiceUnavailableError()
        if code in _GONE or not self._still_present():
            raise CardRemovedError()
        raise TransmitError(describe(hr) if hr else "réponse sans mot d'état")

    def _still_present(self) -> bool:
        """After a failed exchange, give pcscd a moment to notice a card pulled out.

        A card yanked mid-command fails the transmit before pcscd's presence poll
        sees it leave; asking at once would call it a hiccup and retry on nothing.
        """
        from smartcard import scard

        hr, _n, state, _p, _atr = scard.SCardStatus(self._card)
        if hr != scard.SCARD_S_SUCCESS or not state & SCARD_PRESENT:
            return False
        hr, states = scard.SCardGetStatusChange(
            self._context, 0, [(self.reader, scard.SCARD_STATE_UNAWARE)]
        )
        if hr != scard.SCARD_S_SUCCESS:
            return False
        current = states[0][1] & ~scard.SCARD_STATE_CHANGED
        hr, states = scard.SCardGetStatusChange(
            self._context, REMOVAL_GRACE_MS, [(self.reader, current)]
        )
        if hr == scard.SCARD_E_TIMEOUT:
            return True
        if hr != scard.SCARD_S_SUCCESS:
            return False
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def close(self) -> None:
        from smartcard import scard

        if self._card is not None:
            if self._in_transaction:
                scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
            # Unpower rather than reset: a reset makes pcscd fetch the ATR again, one
            # more card round trip (measured +18 % on a read, docs/benchmarks.md).
            scard.SCardDisconnect(self._card, scard.SCARD_UNPOWER_CARD)
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
        self._card = self._context = None
        self._in_transaction = False
