"""One HTTPS connection to the service, with separate connect and read timeouts.

The standard library client is used rather than zeep's `requests` transport:
`requests` would silently add the certifi bundle to the trust store (the
server must be checked against the configured CA bundle only), and zeep's
transport logs whole messages, names included, at DEBUG level. The connection
is kept alive between calls; a search is read-only, so a request whose reused
connection turned out to be closed by the server is sent once more on a new one.

Every answer is bounded (issue 9): its size by `max_answer_bytes`, enforced while reading
(a declared Content-Length above it is refused unread; a chunked or lying answer is cut as
soon as it passes it), and its time by `deadline`, the whole request from connect to the
last byte: a watchdog shuts the socket at the deadline, whatever phase the request is in
(a server dripping one byte every two seconds never trips the per-read timeout). Past
either bound the connection is dropped, the lock released, and the bytes received so far
(up to `JOURNAL_PREFIX`) travel with the error for the journal, marked as truncated.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from urllib.parse import urlparse

from ins_tui.insi.outcomes import ErrorKind

DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024  # real answers are a few KB
DEFAULT_DEADLINE_S = 20.0
JOURNAL_PREFIX = 64 * 1024  # what of a refused answer the journal keeps
_CHUNK = 64 * 1024


class TransportError(Exception):
    """A failure below SOAP; `kind` picks the French message, `detail` goes to the journal.

    `partial` is the start of what was received when a bound cut the answer (at most
    `JOURNAL_PREFIX` bytes), `truncated` says the journal holds only that start.
    """

    def __init__(self, kind: ErrorKind, detail: str, *, partial: bytes | None = None,
                 truncated: bool = False, too_large: bool = False) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.partial = partial
        self.truncated = truncated
        self.too_large = too_large


class _Watchdog:
    """Shuts a socket down at the request's deadline, from a timer thread.

    The plain-socket shutdown (not SSLSocket's, which also drops its TLS object under the
    reading thread) makes any blocked send/recv return at once; the request thread then
    sees `fired` and reports the deadline rather than whatever error the cut produced.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired and sock is not None:
                self._cut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                self._cut(self._sock)

    @staticmethod
    def _cut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


# How a kept-alive connection the server has closed while idle shows up on the next
# request: a plain TCP reset or disconnect, or (over TLS) an EOF without close_notify or a
# clean close_notify. Seen for real: the simulator's idle timeout gave `SSLEOFError`, which
# used to be reported to the secretary as a certificate problem.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ssl.SSLEOFError, ssl.SSLZeroReturnError)


# What http.client raises on an answer that is not HTTP it can read (its refusal of more
# than 100 header lines is a plain `HTTPException`, told apart in `_post_once`);
# `RemoteDisconnected` (an empty answer, a subclass of BadStatusLine) is staleness.
_UNREADABLE = (http.client.BadStatusLine, http.client.LineTooLong, http.client.UnknownProtocol)


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
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        deadline: float = DEFAULT_DEADLINE_S,
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
        self.max_answer_bytes = max_answer_bytes
        self.deadline = deadline
        self._span = deadline  # the current request's bound (shorter when the caller's ends first)
        self._conn: http.client.HTTPSConnection | None = None
        self._lock = threading.Lock()

    def _connect(self, dog: _Watchdog, ends: float) -> http.client.HTTPSConnection:
        remaining = max(0.001, ends - time.monotonic())
        conn = http.client.HTTPSConnection(
            self.host, self.port, context=self.context,
            timeout=min(self.connect_timeout, remaining),
        )
        try:
            conn.connect()  # TCP + TLS handshake, bounded by the connect timeout
        except TimeoutError as exc:
            conn.close()
            raise TransportError(ErrorKind.TIMEOUT, f"connect timeout: {exc}") from exc
        except ssl.SSLError as exc:
            conn.close()
            if dog.fired:
                raise self._deadline_error(b"") from exc
            raise TransportError(ErrorKind.TLS, f"TLS handshake: {exc}") from exc
        except OSError as exc:
            conn.close()
            if dog.fired:
                raise self._deadline_error(b"") from exc
            raise TransportError(ErrorKind.NETWORK, f"connect: {exc}") from exc
        assert conn.sock is not None
        conn.sock.settimeout(self.read_timeout)
        # http.client writes headers and body separately: without this, Nagle and the
        # peer's delayed ACK add ~40 ms to every call.
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def post(self, body: bytes, headers: dict[str, str], *,
             ends_by: float | None = None) -> tuple[int, bytes]:
        """One request, ended at `deadline` seconds or at `ends_by` (a `time.monotonic()`
        instant: the caller's own bound, e.g. a whole search) if that comes first.

        With `ends_by`, waiting for the connection (another call in flight) counts too, so
        the caller's bound holds even when the desk and the retry queue meet here.
        """
        if ends_by is None:
            self._lock.acquire()
        elif not self._lock.acquire(timeout=max(0.0, ends_by - time.monotonic())):
            raise TransportError(ErrorKind.TIMEOUT,
                                 "caller's deadline passed while another call held the "
                                 "connection")
        try:
            started = time.monotonic()
            ends = started + self.deadline
            if ends_by is not None:
                ends = min(ends, ends_by)
            self._span = ends - started
            dog = _Watchdog(self._span)
            try:
                reused = self._conn is not None
                try:
                    return self._post_once(body, headers, dog, ends)
                except _STALE as exc:
                    self.close_locked()
                    if dog.fired:
                        raise self._deadline_error(b"") from exc
                    if not reused:
                        raise _lost(exc) from exc
                try:
                    return self._post_once(body, headers, dog, ends)
                except _STALE as exc:
                    self.close_locked()
                    if dog.fired:
                        raise self._deadline_error(b"") from exc
                    raise _lost(exc) from exc
            finally:
                dog.cancel()
        finally:
            self._lock.release()

    def _deadline_error(self, received: bytes) -> TransportError:
        return TransportError(
            ErrorKind.TIMEOUT,
            f"overall deadline of {self._span:.3g} s exceeded "
            f"({len(received)} bytes of answer received)",
            partial=received[:JOURNAL_PREFIX] or None, truncated=bool(received),
        )

    def _read_bounded(self, response: http.client.HTTPResponse, received: bytearray) -> None:
        """Read the body into `received`, never holding more than the cap plus one chunk."""
        cap = self.max_answer_bytes
        declared = response.length  # None when chunked or not given
        if declared is not None and declared > cap:
            raise TransportError(
                ErrorKind.MALFORMED,
                f"answer declares {declared} bytes, more than the {cap}-byte cap (unread)",
                too_large=True,
            )
        while True:
            piece = response.read(min(_CHUNK, cap + 1 - len(received)) or 1)
            if not piece:
                if declared is not None and len(received) < declared:
                    # read(amt) takes an early end of stream quietly: say the answer is cut.
                    raise http.client.IncompleteRead(b"", declared - len(received))
                return
            received += piece
            if len(received) > cap:
                raise TransportError(
                    ErrorKind.MALFORMED,
                    f"answer larger than the {cap}-byte cap (cut after {len(received)} bytes)",
                    partial=bytes(received[:JOURNAL_PREFIX]), truncated=True, too_large=True,
                )

    def _post_once(self, body: bytes, headers: dict[str, str], dog: _Watchdog,
                   ends: float) -> tuple[int, bytes]:
        if self._conn is None:
            self._conn = self._connect(dog, ends)
        conn = self._conn
        dog.watch(conn.sock)
        received = bytearray()
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            self._read_bounded(response, received)
        except TransportError:
            self.close_locked()
            raise
        except _STALE:
            if dog.fired:
                self.close_locked()
                raise self._deadline_error(bytes(received)) from None
            raise
        except TimeoutError as exc:
            self.close_locked()
            if dog.fired:
                raise self._deadline_error(bytes(received)) from exc
            raise TransportError(ErrorKind.TIMEOUT, f"read timeout: {exc}",
                                 partial=bytes(received[:JOURNAL_PREFIX]) or None,
                                 truncated=bool(received)) from exc
        except http.client.IncompleteRead as exc:
            self.close_locked()
            got = bytes(received) + exc.partial
            if dog.fired:
                raise self._deadline_error(got) from exc
            raise TransportError(
                ErrorKind.MALFORMED, f"truncated answer ({len(got)} bytes)",
                partial=got[:JOURNAL_PREFIX], truncated=True,
            ) from exc
        except _UNREADABLE as exc:
            # Not HTTP we can read (garbage status line, a header or chunk line over 64 KiB,
            # more than 100 headers): a suspect answer, not a network problem to retry.
            self.close_locked()
            if dog.fired:
                raise self._deadline_error(bytes(received)) from exc
            raise TransportError(ErrorKind.MALFORMED, f"unreadable HTTP answer: {exc!r}",
                                 partial=bytes(received[:JOURNAL_PREFIX]) or None,
                                 truncated=bool(received)) from exc
        except ssl.SSLError as exc:
            self.close_locked()
            if dog.fired:
                raise self._deadline_error(bytes(received)) from exc
            raise TransportError(ErrorKind.TLS, f"TLS: {exc}") from exc
        except (http.client.HTTPException, OSError) as exc:
            self.close_locked()
            if dog.fired:
                raise self._deadline_error(bytes(received)) from exc
            if type(exc) is http.client.HTTPException:  # "got more than 100 headers"
                raise TransportError(ErrorKind.MALFORMED,
                                     f"unreadable HTTP answer: {exc!r}") from exc
            raise TransportError(ErrorKind.NETWORK, f"HTTP: {exc!r}") from exc
        finally:
            dog.watch(None)
        if dog.fired:  # the cut came as an end of stream: the answer may be incomplete
            self.close_locked()
            raise self._deadline_error(bytes(received))
        if response.will_close:
            self.close_locked()
        return response.status, bytes(received)

    def close_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self.close_locked()
