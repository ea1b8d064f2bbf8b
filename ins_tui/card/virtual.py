"""A virtual card plugged into pcscd's vpcd reader over TCP (carte-vitale.md §9).

The card is the TCP *client*: connecting is inserting, closing is removing.
vpcd frames every message as a big-endian uint16 length + payload; a 1-byte
payload is a control (power off/on, reset, get ATR), anything else is an APDU.
pcscd polls GET ATR about every 0.4 s, so the thread answers at any time.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading

from ins_tui.card.chip import ChipGone, VirtualChip
from ins_tui.card.profiles import CardProfile

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 0x8C7B  # 35963: slot "00 00"; slot "00 01" listens on the next port
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class VirtualCardError(Exception):
    """The virtual reader cannot be reached; French message for the command line."""


class VirtualCard:
    """A `CardProfile` served to vpcd until `close()` (or until it 'vanishes')."""

    def __init__(
        self, profile: CardProfile, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
    ) -> None:
        self.profile = profile
        self.chip = VirtualChip(profile)
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.closed = threading.Event()

    @staticmethod
    def port_for_slot(slot: int, base: int = DEFAULT_PORT) -> int:
        return base + slot

    def start(self, timeout: float = 3.0) -> VirtualCard:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as exc:
            raise VirtualCardError(
                f"Lecteur virtuel injoignable ({self.host}:{self.port}) : le pcscd privé "
                f"est-il démarré ? ({exc.strerror or exc})"
            ) from exc
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, name=f"virtual-card-{self.profile.name}", daemon=True
        )
        self._thread.start()
        return self

    def __enter__(self) -> VirtualCard:
        return self.start() if self._sock is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def inserted(self) -> bool:
        return self._sock is not None and not self.closed.is_set()

    def _recv_exact(self, sock: socket.socket, size: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < size:
            part = sock.recv(size - len(buf))
            if not part:
                return None
            buf += part
        return bytes(buf)

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        try:
            while True:
                header = self._recv_exact(sock, 2)
                if header is None:
                    break
                payload = self._recv_exact(sock, struct.unpack(">H", header)[0])
                if payload is None:
                    break
                if len(payload) == 1:
                    if payload[0] == CTRL_ATR:
                        self._send(sock, self.chip.atr)
                    elif payload[0] in (CTRL_ON, CTRL_RESET):
                        self.chip.reset()
                    continue
                try:
                    response = self.chip.respond(payload)
                except ChipGone:
                    break  # the card leaves without answering, like a card pulled out
                self._send(sock, response)
        except OSError:
            pass  # pcscd went away or close() shut the socket: the card is out
        finally:
            self._shutdown()
            self.closed.set()

    def _shutdown(self) -> None:
        sock = self._sock
        if sock is None:
            return
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def close(self, timeout: float = 2.0) -> None:
        """Remove the card: shut the socket down and wait for the serving thread."""
        self._shutdown()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.closed.set()
