"""FHIR conditional update over HTTPS: `PUT [base]/Patient?identifier=sys|val[,sys|val]`.

Why a conditional update: the receiver's resource id is unknown to the desk; searching by
identifier makes one request create (201) or update (200) the patient, and the same
request sent twice leaves the same state — so any uncertain outcome (timeout, cut answer,
5xx) is safely sent again. The condition lists the INS (qualified identities) *or* the
local identifier (a comma is an OR in FHIR search): a patient first sent PROV is found
again once qualified, and two resources matching is the receiver's 412, held for a person.

Bounds as for INSi (issue 9): the answer is read up to `max_answer_bytes` (the start is
kept, marked cut), and a watchdog shuts the socket at `timeout` seconds from connect to
last byte, whatever phase the request is in. Standard library only (`http.client`, `ssl`):
trust is the configured CA bundle, and no library logs the body.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlparse

from ins_tui import __version__
from ins_tui.fhir.settings import FhirSettings

SENT, HELD, RETRY = "sent", "held", "retry"
_CHUNK = 16 * 1024


class FhirConfigError(ValueError):
    """The `[fhir]` settings cannot be used; `message_fr` says what to fix."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


@dataclass(frozen=True)
class PushResult:
    """What one request gave: `verdict` is sent | held | retry; `detail` is French."""

    verdict: str
    detail: str
    status: int | None = None
    answer: bytes | None = None
    truncated: bool = False


def verdict_for(status: int) -> str:
    """2xx sent; 408/429/5xx retried (the receiver may take it later); any other answer
    (3xx, 4xx such as 412 several matches, 400/422 refused content) held for a person."""
    if 200 <= status < 300:
        return SENT
    if status in (408, 429) or status >= 500:
        return RETRY
    return HELD


def client_context(settings: FhirSettings) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    try:
        if settings.ca_bundle:
            ctx.load_verify_locations(cafile=str(settings.ca_bundle))
        else:
            ctx.load_default_certs()
    except (OSError, ssl.SSLError) as exc:
        raise FhirConfigError(
            f"Autorités de confiance du serveur FHIR illisibles : {settings.ca_bundle}") from exc
    if settings.client_cert:
        try:
            ctx.load_cert_chain(str(settings.client_cert),
                                str(settings.client_key) if settings.client_key else None)
        except (OSError, ssl.SSLError) as exc:
            raise FhirConfigError(
                "Certificat client FHIR inutilisable (PEM du certificat et de sa clé non "
                f"chiffrée attendus) : {settings.client_cert}") from exc
    return ctx


def condition_query(pairs: list[tuple[str, str]]) -> str:
    """`identifier=` with each `system|value` escaped, joined by a literal comma (OR)."""
    return "identifier=" + ",".join(
        quote(f"{_escape(system)}|{_escape(value)}", safe=":/") for system, value in pairs)


def _escape(text: str) -> str:
    """FHIR search escaping of a token part: a backslash before `\\ , | $`."""
    for char in ("\\", ",", "|", "$"):
        text = text.replace(char, "\\" + char)
    return text


def outcome_summary(answer: bytes) -> str:
    """The first issue of an OperationOutcome, cut short: what the screen says refused."""
    try:
        data = json.loads(answer.decode("utf-8"))
        issue = (data.get("issue") or [{}])[0]
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or ""
    except (ValueError, AttributeError, TypeError, IndexError):
        return ""
    return str(text)[:200]


class _Watchdog:
    """Shuts the socket at the deadline from a timer, so a dripping server cannot hold
    the sender past it (a per-read timeout alone resets at every byte)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
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


class FhirPusher:
    """One conditional update per call, on a fresh connection (few per minute)."""

    def __init__(self, settings: FhirSettings) -> None:
        try:
            url = urlparse(settings.base_url)
            port = url.port
        except ValueError:
            url, port = None, None
        if url is None or url.scheme != "https" or not url.hostname:
            raise FhirConfigError(
                "Adresse du serveur FHIR invalide (https://hôte[:port]/chemin attendu) : "
                f"« {settings.base_url} ».")
        self.settings = settings
        self.host = url.hostname
        self.port = port or 443
        self.base_path = url.path.rstrip("/")
        self.context = client_context(settings)

    def put_patient(self, pairs: list[tuple[str, str]], body: bytes,
                    control_id: str) -> PushResult:
        """Send one frozen body; never raises for what the network or server does."""
        target = f"{self.base_path}/Patient?{condition_query(pairs)}"
        headers = {
            "Content-Type": "application/fhir+json; charset=utf-8",
            "Accept": "application/fhir+json",
            "User-Agent": f"ins-tui/{__version__}",
            "X-Request-Id": control_id,
        }
        dog = _Watchdog(self.settings.timeout)
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                           timeout=self.settings.timeout)
        received = bytearray()
        status: int | None = None
        try:
            conn.connect()
            dog.watch(conn.sock)
            conn.request("PUT", target, body=body, headers=headers)
            response = conn.getresponse()
            status = response.status
            truncated = self._read(response, received)
        except ssl.SSLCertVerificationError as exc:
            return PushResult(RETRY, "certificat du serveur FHIR refusé "
                              f"({exc.verify_message}) : vérifier fhir_ca_bundle")
        except ssl.SSLError as exc:
            return self._failed(dog, status, received, f"échec TLS ({exc.reason})")
        except ConnectionRefusedError:
            return PushResult(RETRY, "connexion refusée par le serveur FHIR")
        except TimeoutError:
            return self._failed(dog, status, received, "pas de réponse dans le délai")
        except (OSError, http.client.HTTPException) as exc:
            return self._failed(dog, status, received, f"échange interrompu ({type(exc).__name__})")
        finally:
            dog.watch(None)
            dog.cancel()
            conn.close()
        if dog.fired:  # the cut came as a quiet end of stream
            return self._failed(dog, status, received, "réponse interrompue")
        answer = bytes(received)
        verdict = verdict_for(status)
        detail = f"HTTP {status}"
        if verdict != SENT:
            reason = outcome_summary(answer)
            detail += f" : {reason}" if reason else ""
        if truncated:
            detail += " (réponse tronquée)"
        return PushResult(verdict, detail, status, answer, truncated)

    def _failed(self, dog: _Watchdog, status: int | None, received: bytearray,
                what: str) -> PushResult:
        if dog.fired:
            what = f"délai de {self.settings.timeout:g} s dépassé"
        if status is not None:
            what += f" après HTTP {status}"
        return PushResult(RETRY, what, status, bytes(received) or None, bool(received))

    def _read(self, response: http.client.HTTPResponse, received: bytearray) -> bool:
        """Read at most the cap; True when the answer was longer (the start is kept)."""
        cap = self.settings.max_answer_bytes
        declared = response.length
        if declared is not None and declared > cap:
            return True  # unread: the status says what happened, the journal says it was cut
        while len(received) <= cap:
            piece = response.read(min(_CHUNK, cap + 1 - len(received)))
            if not piece:
                if declared is not None and len(received) < declared:
                    raise http.client.IncompleteRead(bytes(received), declared - len(received))
                return False
            received += piece
        del received[cap:]
        return True
