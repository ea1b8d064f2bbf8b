"""What the simulated INSi decides for one request, apart from how the request arrived.

The service's checks, in the service's order, live here and nowhere else: the XML must
parse safely, the client certificate's CN must be an accepted one (DESIR_560), the
envelope must honour the contract (path, content type, wsa:Action, XSDs), a CPx caller
must carry a verified assertion PS (desir_530), the IDAM must be known (desir_550), then
the random outage knob (desir_1020), and only then the table's answer (CR 00/01/02, or
the qualification server's insi_101/insi_102 quirk). `SimulatorService.answer` takes
bytes and returns (status, bytes) with no socket, so the HTTP layer (`wire.py`) stays a
thin pipe and these rules can be read in one sitting.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import TYPE_CHECKING

from ins_tui.insi.identities import IdentityTable, load_identities
from ins_tui.insi.namespaces import (
    CTXBAM,
    CTXLPS,
    OPERATION_BY_ACTION,
    RECSANS,
    RECVIT,
    SOAP12,
    WSA,
    WSSE,
    q,
)
from ins_tui.insi.pki import GOOD_CN
from ins_tui.insi.schema import validation_errors
from ins_tui.insi.simulator.answers import fault_bytes, resultat_bytes
from ins_tui.insi.simulator.hostile import HOSTILE_ANSWER_MODES, hostile_answer
from ins_tui.insi.xmlsafe import UnsafeXml, parse_untrusted

if TYPE_CHECKING:
    from lxml import etree

log = logging.getLogger(__name__)

ACCEPTED_CNS = frozenset({GOOD_CN, "INSI-MANU"})


class SimulatorService:
    """The service's knobs, its counters, and `answer()`; `SimulatorServer` serves it."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        qualification: bool = False,
        seed: int | None = None,
        variants: tuple[str, ...] = (),
        require_client_cert: bool = True,
        identities: IdentityTable | None = None,
    ) -> None:
        self.latency = latency
        self.fault_rate = fault_rate
        self.qualification = qualification
        self.require_client_cert = require_client_cert
        # Card CAs trusted in CPx mode; the server loads them when it starts.
        self._cpx_trusted: tuple = ()
        self.evil: str | None = None
        self._random = random.Random(seed)
        self._table = identities or load_identities()
        self.variants = variants
        self._lock = threading.Lock()
        self._requests = 0
        self.received: list[bytes] = []  # last requests, exactly as received (tests, journal)

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

    def record_request(self, data: bytes) -> None:
        """Count one request and keep its bytes (the last 20) for tests and the journal."""
        with self._lock:
            self._requests += 1
            self.received = [*self.received[-19:], data]

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
