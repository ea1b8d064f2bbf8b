"""The simulator's HTTP/1.1 side: a threaded server and a handler that behave like the
real front end under a slow or hostile client.

It exists apart from the service's rules (`service.py`) because its concerns are the
connection's, not INSi's: keep-alive with an idle timeout (clients must reconnect when the
server closed an idle connection), a deadline for a whole request once its first byte
arrived (one byte every few seconds cannot pin a thread), a bounded body (no chunked, no
absurd Content-Length), live connections cut when the service stops (an outage cuts those
too), and the malformed `evil` answers written raw, lying Content-Length included.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from ins_tui.insi.simulator.hostile import HOSTILE_ANSWER_MODES, evil_bytes

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1_000_000  # a real request is a few KB (10 KB with an assertion PS)


class ServedService(Protocol):
    """What the handler needs from the simulator it serves (`SimulatorServer`)."""

    idle_timeout: float
    request_deadline: float
    latency: float
    evil: str | None

    def record_request(self, data: bytes) -> None: ...

    def answer(self, path: str, content_type: str, data: bytes,
               peer_cn: str | None) -> tuple[int, bytes]: ...


class _RequestClock(io.RawIOBase):
    """The handler's socket reads: `idle_timeout` while waiting for a request, then the
    whole request (line, headers, body) within `request_deadline` of its first byte.

    The idle timeout alone applies to each read: a client sending one byte every few
    seconds would pin a server thread for as long as it likes.
    """

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self._handler = handler
        self._raw = handler.connection.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        handler = self._handler
        ends = handler.request_ends
        if ends is not None:
            left = ends - time.monotonic()
            if left <= 0:
                raise TimeoutError("request not received within the request deadline")
            handler.connection.settimeout(min(handler.timeout, left))
        n = self._raw.readinto(buffer) or 0
        if ends is None and n:
            handler.request_ends = time.monotonic() + handler.server.owner.request_deadline
        return n

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server
    timeout = 30  # replaced per connection by the server's `idle_timeout`
    disable_nagle_algorithm = True  # headers and body are written separately
    request_ends: float | None = None  # monotonic end of the request being read

    def setup(self) -> None:
        # Like the real service's front end, a kept-alive connection left idle is closed by
        # the server; clients must notice and send again on a new connection.
        self.timeout = self.server.owner.idle_timeout
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_RequestClock(self))

    def handle_one_request(self) -> None:
        """One request, then back to the idle wait (a TimeoutError here closes the
        connection: `BaseHTTPRequestHandler` turns it into `close_connection`)."""
        super().handle_one_request()
        self.request_ends = None
        with contextlib.suppress(OSError):
            self.connection.settimeout(self.timeout)

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is refused unread (answered, connection closed):
        chunked bodies, a Content-Length that is not a number or above MAX_REQUEST_BYTES."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            status = 411
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if 0 <= length <= MAX_REQUEST_BYTES:
                return self.rfile.read(length) if length else b""
            status = 413 if length > MAX_REQUEST_BYTES else 400
        self.close_connection = True
        self._send(status, b"")
        return None

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr lines (a front desk runs this in training mode)."""

    def _send(self, status: int, body: bytes, *, declared_length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(declared_length or len(body)))
        self.send_header("X-ORACLE-DMS-ECID", "ins-tui-simulator")
        self.end_headers()
        self.wfile.write(body)
        if declared_length:
            self.close_connection = True

    def do_GET(self) -> None:
        self._send(405, b"")

    def do_POST(self) -> None:
        sim = self.server.owner
        data = self._read_body()
        if data is None:
            return
        sim.record_request(data)
        if sim.latency > 0:
            time.sleep(sim.latency)
        if sim.evil and sim.evil not in HOSTILE_ANSWER_MODES:
            body = evil_bytes(sim.evil)
            cut = sim.evil == "cut"
            self._send(200, body, declared_length=len(body) * 2 if cut else None)
            return
        status, body = sim.answer(self.path, self.headers.get("Content-Type", ""), data,
                                  self._peer_cn())
        self._send(status, body)

    def _peer_cn(self) -> str | None:
        cert = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        for rdn in (cert or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: ServedService

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request_thread(self, request, client_address) -> None:
        """Track live connections: a stopped service must not keep answering on a
        keep-alive connection opened before the stop (an outage cuts those too)."""
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def cut_open_connections(self) -> None:
        with self._open_lock:
            live = list(self._open)
        for conn in live:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address) -> None:
        """TLS refusals and clients that hang up are normal here; keep the console quiet."""
        log.debug("simulator: connection from %s ended with an error", client_address)
