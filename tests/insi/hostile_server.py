"""A loopback HTTPS server with mutual TLS that answers INSi requests badly on purpose.

Real TLS with the simulator's PKI (client certificate required), real sockets: the
client's bounds are tried against what a broken or hostile service really does on the
wire — answers larger than the cap with and without Content-Length, an endless chunked
body, a one-byte drip, a stall after the headers — and it can answer well between two
bad answers, so a test sees the next call succeed. Each request takes the next mode
from `modes` (the last one repeats).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from pathlib import Path

from ins_tui.insi.identities import Answer
from ins_tui.insi.pki import ensure_pki
from ins_tui.insi.simulator import resultat_bytes

GOOD = resultat_bytes(Answer(cr="01"))
HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n"


class HostileServer:
    def __init__(self, pki_dir: Path, modes: list[str], *, size: int = 4 * 1024 * 1024,
                 drip_every: float = 2.0, require_client_cert: bool = True) -> None:
        """`require_client_cert=False`: server-auth TLS only, as the service in CPx mode."""
        self.paths = ensure_pki(pki_dir)
        self.modes = list(modes)
        self.size = size
        self.drip_every = drip_every
        self.requests = 0
        self.connections = 0  # TLS connections accepted
        self.sent: list[int] = []  # bytes of body written per request
        self._stop = threading.Event()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.paths.server_cert, self.paths.server_key)
        if require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=str(self.paths.ca_cert))
        self._ctx = ctx
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/lps"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(raw,), daemon=True).start()

    def _connection(self, raw: socket.socket) -> None:
        try:
            conn = self._ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        self.connections += 1
        with contextlib.closing(conn):
            conn.settimeout(30)
            reader = conn.makefile("rb")
            while not self._stop.is_set():
                length = self._read_request(reader)
                if length is None:
                    return
                mode = self.modes[min(self.requests, len(self.modes) - 1)]
                self.requests += 1
                try:
                    if not self._answer(conn, mode):
                        return
                except OSError:
                    return  # the client gave up: what the bounds are for

    @staticmethod
    def _read_request(reader) -> int | None:
        length = 0
        while True:
            line = reader.readline(65537)
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        reader.read(length)
        return length

    def _answer(self, conn: ssl.SSLSocket, mode: str) -> bool:
        """Write one answer; False when the connection must end after it."""
        chunk = b"<x>" + b"A" * (16 * 1024 - 7) + b"</x>"
        sent = 0
        self.sent.append(0)  # updated as bytes go, so a cut answer still says how much
        if mode == "good":
            conn.sendall(f"{HEAD}Content-Length: {len(GOOD)}\r\n\r\n".encode() + GOOD)
            self.sent[-1] = len(GOOD)
            return True
        if mode == "big_with_length":
            conn.sendall(f"{HEAD}Content-Length: {self.size}\r\n\r\n".encode())
            while sent < self.size:
                conn.sendall(chunk)
                sent += len(chunk)
                self.sent[-1] = sent
        elif mode == "big_without_length":
            conn.sendall(f"{HEAD}Connection: close\r\n\r\n".encode())
            while sent < self.size:
                conn.sendall(chunk)
                sent += len(chunk)
                self.sent[-1] = sent
        elif mode == "lying_length":  # declares a small answer, then sends far more
            conn.sendall(f"{HEAD}Content-Length: 1000\r\n\r\n".encode() + chunk * 8)
            sent = len(chunk) * 8
        elif mode == "chunked_endless":
            conn.sendall(f"{HEAD}Transfer-Encoding: chunked\r\n\r\n".encode())
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while not self._stop.is_set():
                conn.sendall(frame)
                sent += len(chunk)
                self.sent[-1] = sent
        elif mode == "drip":
            conn.sendall(f"{HEAD}Content-Length: {len(GOOD)}\r\n\r\n".encode())
            for byte in GOOD:
                if self._stop.wait(self.drip_every):
                    break
                conn.sendall(bytes([byte]))
                sent += 1
        elif mode == "stall":
            conn.sendall(f"{HEAD}Content-Length: {len(GOOD)}\r\n\r\n".encode() + GOOD[:50])
            self._stop.wait(60)
        elif mode == "header_drip":
            for byte in HEAD.encode() * 50:
                if self._stop.wait(0.2):
                    break
                conn.sendall(bytes([byte]))
        elif mode == "header_flood":  # more header lines than http.client accepts (100)
            conn.sendall(HEAD.encode() + b"".join(b"X-%d: v\r\n" % n for n in range(150))
                         + f"Content-Length: {len(GOOD)}\r\n\r\n".encode() + GOOD)
        elif mode == "long_header":  # one header line over http.client's 64 KiB
            conn.sendall(HEAD.encode() + b"X-Long: " + b"v" * (70 * 1024) + b"\r\n\r\n")
        elif mode == "slow_good":
            time.sleep(self.drip_every)
            conn.sendall(f"{HEAD}Content-Length: {len(GOOD)}\r\n\r\n".encode() + GOOD)
            self.sent[-1] = len(GOOD)
            return True
        else:
            raise ValueError(mode)
        self.sent[-1] = sent
        return False
