"""One HTTPS connection to the service, with separate connect and read timeouts.

The standard library client is used rather than zeep's `requests` transport:
`requests` would silently add the certifi bundle to the trust store (the
server must be checked against the configured CA bundle only), and zeep's
transport logs whole messages, names included, at DEBUG level. The connection
is kept alive between calls; a search is read-only, so a request whose reused
connection turned out to be closed by the server is sent once more on a new one.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from urllib.parse import urlparse

from ins_tui.insi.outcomes import ErrorKind


class TransportError(Exception):
    """A failure below SOAP; `kind` picks the French message, `detail` goes to the journal."""

    def __init__(self, kind: ErrorKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# How a kept-alive connection the server has closed while idle shows up on the next
# request: a plain TCP reset or disconnect, or (over TLS) an EOF without close_notify or a
# clean close_notify. Seen for real: the simulator's idle timeout gave `SSLEOFError`, which
# used to be reported to the secretary as a certificate problem.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ssl.SSLEOFError, ssl.SSLZeroReturnError)


def _lost(exc: BaseException) -> TransportError:
    """A stale-looking failure on a *new* connection is not staleness: a TLS end of stream
    right after the handshake is how a server refuses a client certificate (TLS 1.3)."""
    if isinstance(exc, ssl.SSLError):
        return TransportError(ErrorKind.TLS, f"TLS: {exc}")
    return TransportError(ErrorKind.NETWORK, f"connection lost: {exc}")


class HttpsPoster:
    """POSTs to one endpoint over one kept-alive connection; one request at a time."""

    def __init__(
        self,
        endpoint: str,
        context: ssl.SSLContext,
        *,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        try:
            url = urlparse(endpoint)
            port = url.port  # raises ValueError on a port out of range or not a number
        except ValueError:
            url, port = None, None
        if url is None or url.scheme != "https" or not url.hostname:
            raise TransportError(
                ErrorKind.CONFIGURATION,
                f"Adresse du téléservice INSi invalide (https://hôte[:port]/chemin attendu) : "
                f"« {endpoint} ».",
            )
        self.host = url.hostname
        self.port = port or 443
        self.path = url.path or "/"
        self.context = context
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._conn: http.client.HTTPSConnection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> http.client.HTTPSConnection:
        conn = http.client.HTTPSConnection(
            self.host, self.port, context=self.context, timeout=self.connect_timeout
        )
        try:
            conn.connect()  # TCP + TLS handshake, bounded by the connect timeout
        except TimeoutError as exc:
            conn.close()
            raise TransportError(ErrorKind.TIMEOUT, f"connect timeout: {exc}") from exc
        except ssl.SSLError as exc:
            conn.close()
            raise TransportError(ErrorKind.TLS, f"TLS handshake: {exc}") from exc
        except OSError as exc:
            conn.close()
            raise TransportError(ErrorKind.NETWORK, f"connect: {exc}") from exc
        assert conn.sock is not None
        conn.sock.settimeout(self.read_timeout)
        # http.client writes headers and body separately: without this, Nagle and the
        # peer's delayed ACK add ~40 ms to every call.
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            reused = self._conn is not None
            try:
                return self._post_once(body, headers)
            except _STALE as exc:
                self.close_locked()
                if not reused:
                    raise _lost(exc) from exc
            try:
                return self._post_once(body, headers)
            except _STALE as exc:
                self.close_locked()
                raise _lost(exc) from exc

    def _post_once(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._conn is None:
            self._conn = self._connect()
        conn = self._conn
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except _STALE:
            raise
        except TimeoutError as exc:
            self.close_locked()
            raise TransportError(ErrorKind.TIMEOUT, f"read timeout: {exc}") from exc
        except http.client.IncompleteRead as exc:
            self.close_locked()
            raise TransportError(
                ErrorKind.MALFORMED, f"truncated answer ({len(exc.partial)} bytes)"
            ) from exc
        except ssl.SSLError as exc:
            self.close_locked()
            raise TransportError(ErrorKind.TLS, f"TLS: {exc}") from exc
        except (http.client.HTTPException, OSError) as exc:
            self.close_locked()
            raise TransportError(ErrorKind.NETWORK, f"HTTP: {exc!r}") from exc
        if response.will_close:
            self.close_locked()
        return response.status, data

    def close_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self.close_locked()
