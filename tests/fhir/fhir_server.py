"""A loopback HTTPS FHIR server for the push tests: real TLS, real conditional update.

The certificates come from the project's own test PKI helper (`insi/pki.ensure_pki`: a CA
and a server certificate for 127.0.0.1/localhost), so the client checks the server
against a CA bundle exactly as it does in production; `require_client_cert` asks for a
client certificate signed by the same CA. Every body is parsed with the same model
library (`fhir.resources` R4B) and the FR Core checks; a body that fails is answered 422.

What each request gets is the next entry of `modes` (the last one repeats):
`ok` — conditional update (`identifier=a|x,b|y`, an OR): 201 created, 200 updated, 412
when several resources match; `412`, `500`, `429`, `400` — that status with an
OperationOutcome; `stall` — no answer until `release()` or the server stops; `big` — a
200 whose body is larger than any sane cap.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ins_tui.insi.pki import ensure_pki

MAX_BODY = 1024 * 1024
STALL_LIMIT_S = 30.0  # a stalled answer never outlives a broken test by much


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def resource(self) -> dict:
        return json.loads(self.body.decode("utf-8"))


def _outcome(text: str) -> bytes:
    return json.dumps({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "processing", "diagnostics": text}]}).encode()


def _pairs(query: str) -> list[tuple[str, str]]:
    values = parse_qs(query).get("identifier", [])
    pairs = []
    for value in values:
        for token in re.split(r"(?<!\\),", value):  # a comma not escaped is an OR
            system, _, code = token.partition("|")
            pairs.append((system.replace("\\,", ","), code.replace("\\,", ",")))
    return pairs


class FhirTestServer:
    def __init__(self, pki_dir: Path, modes: list[str] | None = None, *,
                 require_client_cert: bool = False) -> None:
        self.paths = ensure_pki(pki_dir)
        self.modes = list(modes or ["ok"])
        self.received: list[Received] = []
        self.resources: dict[str, dict] = {}
        self.handshake_failures = 0
        self.stalling = 0  # requests currently held without an answer
        self._release = threading.Event()
        self._lock = threading.Lock()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.paths.server_cert, self.paths.server_key)
        if require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=str(self.paths.ca_cert))
        self._httpd = _TlsServer(("127.0.0.1", 0), _Handler, ctx, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/fhir"

    def __enter__(self) -> FhirTestServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def release(self) -> None:
        self._release.set()

    def set_modes(self, modes: list[str]) -> None:
        with self._lock:
            self.modes = list(modes)
            self._release.clear()

    def _next_mode(self) -> str:
        with self._lock:
            return self.modes.pop(0) if len(self.modes) > 1 else self.modes[0]

    # -- FHIR ------------------------------------------------------------------------------
    def answer(self, got: Received) -> tuple[int, bytes]:
        from fhir.resources.R4B.patient import Patient

        from ins_tui.fhir.checks import fr_core_problems

        mode = self._next_mode()
        if mode == "stall":
            with self._lock:
                self.stalling += 1
            self._release.wait(STALL_LIMIT_S)
            with self._lock:
                self.stalling -= 1
            return 200, b"{}"
        if mode.isdigit():
            return int(mode), _outcome(f"réponse {mode} voulue par le test")
        if mode == "big":
            return 200, b" " * (4 * 1024 * 1024)
        try:
            resource = Patient.model_validate_json(got.body).model_dump(mode="json",
                                                                        exclude_none=True)
        except ValueError as exc:
            got.problems = [str(exc)[:200]]
            return 422, _outcome("ressource Patient invalide")
        got.problems = fr_core_problems(resource)
        if got.problems:
            return 422, _outcome("; ".join(got.problems))
        pairs = set(_pairs(got.query))
        with self._lock:
            matches = [rid for rid, stored in self.resources.items()
                       if pairs & {(i.get("system"), i.get("value"))
                                   for i in stored.get("identifier") or []}]
            if len(matches) > 1:
                return 412, _outcome("plusieurs patients correspondent")
            if matches:
                self.resources[matches[0]] = {**resource, "id": matches[0]}
                return 200, json.dumps(self.resources[matches[0]]).encode()
            rid = str(len(self.resources) + 1)
            self.resources[rid] = {**resource, "id": rid}
            return 201, json.dumps(self.resources[rid]).encode()


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, ctx: ssl.SSLContext, owner: FhirTestServer) -> None:
        super().__init__(address, handler)
        self.ctx = ctx
        self.owner = owner

    def finish_request(self, request: socket.socket, client_address) -> None:
        """The TLS handshake in the connection's own thread (a slow client holds only it)."""
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self.owner._lock:
                self.owner.handshake_failures += 1
            request.close()
            return
        self.RequestHandlerClass(tls, client_address, self)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _TlsServer

    def log_message(self, *_args) -> None:  # quiet: the test reads `received`
        pass

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        parts = urlsplit(self.path)
        got = Received("PUT", parts.path, parts.query, dict(self.headers.items()), body)
        owner = self.server.owner
        with owner._lock:
            owner.received.append(got)
        status, answer = owner.answer(got)
        got.status = status
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(answer)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the client gave up (its deadline): nothing to answer to


def refused_port() -> int:
    """A loopback port nobody listens on (bound then closed): connecting is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
