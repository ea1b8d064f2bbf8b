"""The INSi simulator: real HTTPS with mutual TLS on loopback, the real contract.

It exists so that code passing against it passes against the qualification
server: each request is validated against the project's XSDs, the client
certificate's CN is checked like the service does (DESIR_560), the IDAM like
the service does (desir_550), and answers come from the CNDA/live table with
the exact CR labels, varied prefixes and unused namespace declarations the
live service sends. Knobs reproduce what the real service does on bad days:
latency, random unavailability (desir_1020), the qualification quirk
(insi_102 instead of CR 01), and hostile answers for robustness tests.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import random
import signal
import socket
import ssl
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from ins_tui.domain.matricule import compute_key
from ins_tui.domain.model import INS_OIDS
from ins_tui.insi.identities import Answer, IdentityTable, load_identities
from ins_tui.insi.namespaces import (
    CTXBAM,
    CTXLPS,
    OPERATION_BY_ACTION,
    RECSANS,
    RECVIT,
    RESULTAT,
    SOAP12,
    WSA,
    WSSE,
    q,
)
from ins_tui.insi.pki import GOOD_CN, PkiPaths, ensure_pki
from ins_tui.insi.schema import validation_errors
from ins_tui.insi.xmlsafe import UnsafeXml, parse_untrusted

if TYPE_CHECKING:
    from lxml import etree

    from ins_tui.insi.settings import InsiSettings

log = logging.getLogger(__name__)

TRAINING_IDAM = "TESTSGIE0000"
ACCEPTED_CNS = frozenset({GOOD_CN, "INSI-MANU"})
CR_LABELS = {"00": "OK", "01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}
EVIL_MODES = ("xxe", "bomb", "truncated", "cut")
# Hostile but well-formed: a CR 00 for the person asked for, with one field corrupted
# (`hostile_answer`); the client must refuse each as incoherent, never store it.
HOSTILE_ANSWER_MODES = ("foreign_oid", "future_birth", "sex_mismatch", "long_name", "bad_key",
                        "histo_foreign_oid")
FOREIGN_OID = "1.2.3.4.5"

_UNAVAILABLE_REASON = (
    "Le service est temporairement inaccessible, veuillez renouveler votre demande "
    "ultérieurement."
)
# code -> (Code, Subcode, Reason xml:lang, Reason, severite, detail text)
FAULTS: dict[str, tuple[str, str, str, str, str, str]] = {
    "desir_550": ("Sender", "siram_100", "fr",
                  "Le logiciel n'est pas autorisé à accéder à ce service, contactez son éditeur.",
                  "erreur", "Numéro d'autorisation du logiciel inconnu."),
    # Subcode of DESIR_560 is not published: siram_30 is the simulator's choice.
    "DESIR_560": ("Sender", "siram_30", "fr", "Niveau d'accès insuffisant.", "erreur",
                  "Vous ne disposez pas des droits suffisants pour accéder à ce service"),
    "desir_1020": ("Sender", "siram_40", "fr", _UNAVAILABLE_REASON, "fatale",
                   "Le service appelé est temporairement indisponible"),
    "insi_102": ("Receiver", "siram_40", "en", _UNAVAILABLE_REASON, "fatal",
                 "L'appel au service de recherche avec les traits d'identité renvoie une "
                 "erreur technique."),
    "insi_101": ("Receiver", "siram_40", "en", _UNAVAILABLE_REASON, "fatal",
                 "L'appel au service de recherche avec la carte Vitale renvoie une erreur "
                 "technique."),
    # CPx: assertion PS unsigned, altered, or signed by a card no trusted CA issued. The
    # real code is not published: simulator's choice (docs/decisions.md), mapped by faults.py.
    "desir_530": ("Sender", "siram_30", "fr", "Authentification du professionnel de santé "
                  "invalide.", "erreur",
                  "L'assertion d'authentification du professionnel de santé est invalide."),
    # The real code for a request breaking the schema is not published (simulator's choice).
    "desir_400": ("Sender", "siram_10", "fr", "La requête est invalide.", "erreur",
                  "La requête ne respecte pas le contrat du service."),
}


def fault_bytes(code: str, message_id: str | None = None, extra: str = "") -> bytes:
    soap_code, sub, lang, reason, severity, text = FAULTS[code]
    mid = f' messageID="{escape(message_id)}"' if message_id else ""
    detail = escape(text + (f" {extra}" if extra else ""))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<S:Envelope xmlns:S="{SOAP12}"><S:Body><S:Fault>'
        f'<S:Code><S:Value>S:{soap_code}</S:Value>'
        f'<S:Subcode><S:Value xmlns:siram="urn:siram">siram:{sub}</S:Value></S:Subcode></S:Code>'
        f'<S:Reason><S:Text xml:lang="{lang}">{escape(reason)}</S:Text></S:Reason>'
        f'<S:Detail><siram:Erreur xmlns:siram="urn:siram" severite="{severity}" '
        f'code="{code}"{mid}>{detail}</siram:Erreur></S:Detail>'
        "</S:Fault></S:Body></S:Envelope>"
    ).encode()


def _ins_xml(p: str, ins: dict) -> str:
    number = escape(ins["NumIdentifiant"])
    ident = (f"<{p}IdIndividu><{p}NumIdentifiant>{number}</{p}NumIdentifiant>"
             f"<{p}Cle>{escape(ins['Cle'])}</{p}Cle></{p}IdIndividu>")
    oid = f"<{p}OID>{escape(ins['OID'])}</{p}OID>"
    dates = "".join(f"<{p}{k}>{escape(ins[k])}</{p}{k}>" for k in ("DateDeb", "DateFin")
                    if ins.get(k))
    return dates + ident + oid if ins.get("dates_first") else ident + oid + dates


def resultat_bytes(answer: Answer) -> bytes:
    prefix = answer.render_prefix
    p = f"{prefix}:" if prefix else ""
    decl = f'xmlns{":" + prefix if prefix else ""}="{RESULTAT}"'
    parts = [f"<{p}CR><{p}CodeCR>{answer.cr}</{p}CodeCR>"
             f"<{p}LibelleCR>{CR_LABELS[answer.cr or '']}</{p}LibelleCR></{p}CR>"]
    if answer.individu:
        ind = answer.individu
        parts.append(f"<{p}INDIVIDU><{p}INSACTIF>{_ins_xml(p, ind['INSACTIF'])}</{p}INSACTIF>")
        parts.extend(f"<{p}INSHISTO>{_ins_xml(p, h)}</{p}INSHISTO>" for h in ind["INSHISTO"])
        tiq = "".join(f"<{p}{k}>{escape(v)}</{p}{k}>" for k, v in ind["TIQ"].items())
        parts.append(f"<{p}TIQ>{tiq}</{p}TIQ></{p}INDIVIDU>")
    # Like the live service: `soap:` envelope, `env:` body, an empty header and unused
    # declarations of the request namespaces on RESULTAT.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP12}"><env:Header xmlns:env="{SOAP12}"/>'
        f'<env:Body xmlns:env="{SOAP12}">'
        f'<{p}RESULTAT {decl} xmlns:ns3="{RECSANS}" xmlns:ns4="{RECVIT}">'
        + "".join(parts)
        + f"</{p}RESULTAT></env:Body></soap:Envelope>"
    ).encode("utf-8")


def hostile_answer(answer: Answer, mode: str) -> Answer:
    """`answer` (a CR 00) with one field corrupted as `mode` says; other answers unchanged.

    Each mode breaks exactly one rule a kept identity must satisfy, so a test can tell
    which check caught it: OID outside the INS OIDs, birth date in 2099, sex contradicting
    the NIR's sex digit, a 50,000-character birth name, an active key failing mod 97, and
    a foreign OID on a former INS (a history entry is added when there is none).
    """
    if mode not in HOSTILE_ANSWER_MODES:
        raise ValueError(mode)
    if answer.cr != "00" or not answer.individu:
        return answer
    individu = copy.deepcopy(answer.individu)
    actif, tiq = individu["INSACTIF"], individu["TIQ"]
    if mode == "foreign_oid":
        actif["OID"] = FOREIGN_OID
    elif mode == "future_birth":
        tiq["DateNaissance"] = "2099" + tiq["DateNaissance"][4:]
    elif mode == "sex_mismatch":
        tiq["Sexe"] = "F" if tiq["Sexe"] == "M" else "M"
    elif mode == "long_name":
        tiq["NomNaissance"] = "A" * 50_000
    elif mode == "bad_key":
        good = int(compute_key(actif["NumIdentifiant"]))
        actif["Cle"] = f"{good % 97 + 1:02d}"  # any key but the right one
    else:
        former = dict(individu["INSHISTO"][0] if individu["INSHISTO"] else actif)
        former["OID"] = FOREIGN_OID
        individu["INSHISTO"] = [former, *individu["INSHISTO"][1:]]
    return replace(answer, individu=individu)


def evil_bytes(mode: str) -> bytes:
    """Hostile answers for robustness tests; none of them may ever be believed."""
    good = resultat_bytes(Answer(cr="01"))
    if mode == "xxe":
        return (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + good.split(b"?>", 1)[1].replace(b"Aucune identite trouvee", b"&x;"))
    if mode == "bomb":
        ents = '<!ENTITY a0 "ha">' + "".join(
            f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        return (f'<?xml version="1.0"?><!DOCTYPE r [{ents}]>'.encode()
                + good.split(b"?>", 1)[1].replace(b"Aucune identite trouvee", b"&a9;"))
    if mode in ("truncated", "cut"):
        return good[: len(good) // 2]
    raise ValueError(mode)


MAX_REQUEST_BYTES = 1_000_000  # a real request is a few KB (10 KB with an assertion PS)


class _RequestClock(io.RawIOBase):
    """The handler's socket reads: `idle_timeout` while waiting for a request, then the
    whole request (line, headers, body) within `request_deadline` of its first byte.

    The idle timeout alone applies to each read: a client sending one byte every few
    seconds would pin a server thread for as long as it likes.
    """

    def __init__(self, handler: _Handler) -> None:
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
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
        sim._count(data)
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SimulatorServer

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


class SimulatorServer:
    """Start/stop in a thread; `url`, `paths` and `client_settings()` for clients."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        port: int = 0,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        qualification: bool = False,
        seed: int | None = None,
        variants: tuple[str, ...] = (),
        require_client_cert: bool = True,
        identities: IdentityTable | None = None,
        cpx_trusted_ca: Path | bytes | None = None,
        idle_timeout: float = 30.0,
    ) -> None:
        """`require_client_cert=False` is the CPx mode: server-auth TLS only, and every
        request must carry an assertion PS signed by a card certificate issued by a CA of
        `cpx_trusted_ca` (PEM file or bytes; default: the simulator's own CA)."""
        if directory is None:
            from ins_tui.config import load_config

            directory = load_config().training_dir / "insi"
        self.directory = Path(directory)
        self.port = port
        self.latency = latency
        self.fault_rate = fault_rate
        self.qualification = qualification
        self.require_client_cert = require_client_cert
        self.cpx_trusted_ca = cpx_trusted_ca
        self.idle_timeout = idle_timeout  # seconds a kept-alive connection may stay idle
        self.request_deadline = 10.0  # seconds to receive one whole request, once started
        self._cpx_trusted: tuple = ()
        self.evil: str | None = None
        self._random = random.Random(seed)
        self._table = identities or load_identities()
        self.variants = variants
        self._lock = threading.Lock()
        self._requests = 0
        self.received: list[bytes] = []  # last requests, exactly as received (tests, journal)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.paths: PkiPaths | None = None

    # -- knobs & counters ---------------------------------------------------------------

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(sorted(self._table.variants))

    @variants.setter
    def variants(self, value: tuple[str, ...]) -> None:
        self._table = self._table.with_variants(set(value))

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._requests

    def _count(self, data: bytes) -> None:
        with self._lock:
            self._requests += 1
            self.received = [*self.received[-19:], data]

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> SimulatorServer:
        self.paths = ensure_pki(self.directory)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.paths.server_cert, self.paths.server_key)
        if self.require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=str(self.paths.ca_cert))
        else:
            from ins_tui.insi.assertion_verify import load_trusted

            trust = self.cpx_trusted_ca or self.paths.ca_cert
            pem = trust if isinstance(trust, bytes) else Path(trust).read_bytes()
            self._cpx_trusted = load_trusted(pem)
        httpd = _Server(("127.0.0.1", self.port), _Handler)
        httpd.owner = self
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                                       do_handshake_on_connect=False)
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="insi-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.cut_open_connections()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/lps"

    def client_settings(self, **overrides: object) -> InsiSettings:
        """Settings for a client of this simulator (tests, training mode, benchmark)."""
        from ins_tui.insi.instance import instance_id
        from ins_tui.insi.settings import InsiSettings

        assert self.paths is not None, "start() the simulator first"
        settings = InsiSettings(
            endpoint=self.url,
            ca_bundle=self.paths.ca_cert,
            idam=TRAINING_IDAM,
            instance_id=instance_id(self.directory),
            p12=self.paths.client_p12,
            p12_password=self.paths.p12_password,
            accepted_oids=INS_OIDS,  # the training base uses test/demo OIDs too
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    # -- the service -------------------------------------------------------------------

    def answer(self, path: str, content_type: str, data: bytes,
               peer_cn: str | None) -> tuple[int, bytes]:
        """(HTTP status, body) for one request; pure apart from the random fault knob."""
        try:
            root = parse_untrusted(data)
        except UnsafeXml as exc:
            return 500, fault_bytes("desir_400", extra=str(exc)[:200])
        header = root.find(q(SOAP12, "Header"))
        body = root.find(q(SOAP12, "Body"))
        message_id = None
        if header is not None:
            message_id = header.findtext(q(WSA, "MessageID"))
        if self.require_client_cert and peer_cn not in ACCEPTED_CNS:
            return 500, fault_bytes("DESIR_560", message_id)
        problem = self._contract_problem(path, content_type, root, header, body)
        if problem:
            return 500, fault_bytes("desir_400", message_id, problem)
        assert header is not None and body is not None
        if not self.require_client_cert:
            refusal = self._cpx_refusal(header)
            if refusal is not None:
                code, detail = refusal
                return 500, fault_bytes(code, message_id, detail)
        idam = header.findtext(f"{q(CTXLPS, 'ContexteLPS')}/{q(CTXLPS, 'LPS')}/{q(CTXLPS, 'IDAM')}")
        if (idam or "").strip() not in self._table.accepted_idams:
            return 500, fault_bytes("desir_550", message_id)
        if self.fault_rate > 0 and self._random.random() < self.fault_rate:
            return 500, fault_bytes("desir_1020", message_id)
        request = body[0]
        if request.tag == q(RECSANS, "RECSANSVITALE"):
            ans = self._table.traits_answer(
                request.findtext(q(RECSANS, "NomNaissance")),
                [p.text or "" for p in request.findall(q(RECSANS, "Prenom"))],
                request.findtext(q(RECSANS, "Sexe")),
                request.findtext(q(RECSANS, "DateNaissance")),
                request.findtext(q(RECSANS, "LieuNaissance")),
                qualification=self.qualification,
            )
            technical = "insi_102"
        else:
            ans = self._table.vitale_answer(
                request.findtext(f"{q(RECVIT, 'MatriculeIndividu')}/{q(RECVIT, 'NumIdentifiant')}"),
                request.findtext(q(RECVIT, "NomNaissance")),
                request.findtext(q(RECVIT, "DateNaissance")),
                qualification=self.qualification,
            )
            technical = "insi_101"
        if ans.fault:
            code = technical if ans.fault in ("insi_101", "insi_102") else ans.fault
            return 500, fault_bytes(code, message_id)
        if self.evil in HOSTILE_ANSWER_MODES:
            ans = hostile_answer(ans, self.evil)
        return 200, resultat_bytes(ans)

    def _cpx_refusal(self, header: etree._Element) -> tuple[str, str] | None:
        """(fault code, detail) when the CPx caller is not authenticated, else None.

        No assertion at all is a missing right (DESIR_560, as for a client certificate with
        the wrong CN); an assertion that does not verify is `desir_530`.
        """
        from ins_tui.insi.assertion_verify import assertion_problem

        assertions = header.findall(f"{q(WSSE, 'Security')}/{{urn:oasis:names:tc:SAML:2.0:"
                                    "assertion}Assertion")
        if not assertions:
            return "DESIR_560", ""
        problem = assertion_problem(assertions[0], self._cpx_trusted)
        if problem is not None:
            log.info("simulator: CPx assertion refused (%s)", problem)
            return "desir_530", f"({problem})"
        return None

    @staticmethod
    def _contract_problem(path, content_type, root, header, body) -> str | None:
        if path.split("?", 1)[0] != "/lps":
            return f"unknown path {path}"
        if root.tag != q(SOAP12, "Envelope"):
            return "not a SOAP 1.2 envelope"
        if not content_type.startswith("application/soap+xml"):
            return "content type is not application/soap+xml"
        if header is None or body is None or len(body) != 1:
            return "envelope needs a Header and a Body with one element"
        action = header.findtext(q(WSA, "Action"))
        operation = OPERATION_BY_ACTION.get((action or "").strip())
        if operation is None:
            return "missing or unknown wsa:Action"
        if f'action="{action.strip()}"' not in content_type.replace(" ", ""):
            return "content type action differs from wsa:Action"
        expected = q(RECSANS, "RECSANSVITALE") if operation.endswith("Identite") else q(
            RECVIT, "RECVITALE")
        if body[0].tag != expected:
            return "body does not match the action"
        for name in (q(CTXLPS, "ContexteLPS"), q(CTXBAM, "ContexteBAM"), q(WSA, "MessageID")):
            if header.find(name) is None:
                return f"missing header {name}"
        for el in [*header, body[0]]:
            if not isinstance(el.tag, str):
                continue
            if el.tag == q(WSSE, "Security") and len(el) == 0:
                continue  # mTLS: empty Security accepted live despite the XSD (contract §3.3)
            errors = validation_errors(el)
            if errors:
                return "; ".join(errors)[:400]
        return None


def _say(text: str) -> None:
    print(text, flush=True)  # flushed: a parent process waits for the URL line


def run_simulator(server: SimulatorServer, out=_say) -> int:
    """Run until SIGINT/SIGTERM; print what a client needs to connect."""
    stop = threading.Event()

    def _handler(signum, frame) -> None:
        stop.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        assert server.paths is not None
        out(f"Simulateur INSi à l'écoute : {server.url}")
        out(f"Autorité de certification : {server.paths.ca_cert}")
        if server.require_client_cert:
            out(f"Certificat client (PKCS#12, CN {GOOD_CN}) : {server.paths.client_p12}")
            out(f"Mot de passe du certificat de formation : "
                f"{server.paths.p12_password.decode()}")
        else:
            trust = server.cpx_trusted_ca
            origin = "fournies" if isinstance(trust, bytes) else (trust or server.paths.ca_cert)
            out(f"Mode CPx : assertion PS signée exigée ; autorités des cartes : {origin}")
        out("Arrêt : Ctrl+C.")
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
    out("Simulateur arrêté.")
    return 0
