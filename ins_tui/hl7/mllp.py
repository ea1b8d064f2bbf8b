"""MLLP framing and one exchange: connect, send one framed message, read one framed answer.

Why one connection per message: the receiver's answer is then unambiguous (nothing of an
earlier exchange can still be in the pipe), a half-dead connection is never reused, and
hl7apy's own `MLLPServer` (the test receiver) closes after each answer anyway. On a local
network a connection costs about a millisecond (docs/benchmarks.md).

Every wait is bounded: the connection by `timeout`, then the whole wait for the answer by
one deadline of `timeout` seconds (not per read), and the answer by `max_bytes`. Errors are
typed so the transmitter can tell "try again later" (all of these) from a refusal (an ACK).
"""

from __future__ import annotations

import socket
import time

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"


class MllpError(Exception):
    """The exchange did not complete; the message is French (shown to a person)."""


class MllpRefused(MllpError):
    pass


class MllpTimeout(MllpError):
    pass


class MllpClosed(MllpError):
    pass


class MllpTooLong(MllpError):
    pass


class MllpGarbled(MllpError):
    pass


def frame(payload: bytes) -> bytes:
    """0x0B + message + 0x1C 0x0D; a payload holding a frame byte would break the frame."""
    if START_BLOCK in payload or b"\x1c" in payload:
        raise ValueError("payload contains an MLLP frame byte")
    return START_BLOCK + payload + END_BLOCK


def exchange(host: str, port: int, payload: bytes, *, timeout: float,
             max_bytes: int) -> bytes:
    """Send one message and return the answer's bytes (without the frame)."""
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError as exc:
        raise MllpRefused(f"connexion refusée par {where}") from exc
    except TimeoutError as exc:
        raise MllpTimeout(f"pas de connexion à {where} en {timeout:g} s") from exc
    except OSError as exc:
        raise MllpRefused(f"connexion impossible à {where} : {exc.strerror or exc}") from exc
    with sock:
        try:
            sock.sendall(frame(payload))
        except TimeoutError as exc:
            raise MllpTimeout(f"{where} ne lit pas le message ({timeout:g} s)") from exc
        except OSError as exc:
            raise MllpClosed(f"connexion coupée par {where} pendant l'envoi") from exc
        return _read_answer(sock, where, timeout, max_bytes)


def _read_answer(sock: socket.socket, where: str, timeout: float, max_bytes: int) -> bytes:
    deadline = time.monotonic() + timeout
    buffer = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise MllpTimeout(f"pas d'accusé de réception de {where} en {timeout:g} s")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(min(65536, max_bytes + len(END_BLOCK) + 1 - len(buffer) + 1))
        except TimeoutError as exc:
            raise MllpTimeout(f"pas d'accusé de réception de {where} en {timeout:g} s") from exc
        except OSError as exc:
            raise MllpClosed(f"connexion coupée par {where} avant l'accusé") from exc
        if not chunk:
            what = "avant l'accusé" if not buffer else "au milieu de l'accusé"
            raise MllpClosed(f"connexion fermée par {where} {what}")
        buffer += chunk
        if buffer[:1] != START_BLOCK:
            raise MllpGarbled(f"réponse de {where} hors cadre MLLP")
        end = buffer.find(END_BLOCK)
        if end >= 0:
            return bytes(buffer[1:end])  # anything after the frame is ignored
        if len(buffer) > max_bytes + 1:
            raise MllpTooLong(f"accusé de réception de {where} trop long "
                              f"(plus de {max_bytes} octets)")
