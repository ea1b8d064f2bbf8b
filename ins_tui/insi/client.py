"""The INSi client: validates, runs the first-name strategy, maps every outcome.

Strategy (docs/insi-contract.md §9, CNDA 2.06/2.07): one request per birth
first name in order, then, when there are several, one request with the whole
list in a single `Prenom`; stop at the first CR 00 or fault; CR 01 and CR 02
go on; a CR 02 is retried at once with the birthplace when it is known (BRET:
"then the COG"). The birthplace is not sent on first tries: a COG typed wrongly
or since renamed would turn a findable person into CR 01.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from datetime import date

from ins_tui.domain.model import Traits
from ins_tui.domain.names import NameKind, check_insi_name
from ins_tui.domain.problems import Problem, error
from ins_tui.insi.couverture import Couverture, VitaleQuery
from ins_tui.insi.envelope import build_request, new_message_id, traits_body, vitale_body
from ins_tui.insi.faults import MESSAGES, classify_fault, fault_message
from ins_tui.insi.namespaces import ACTIONS, OP_TRAITS, OP_VITALE, content_type
from ins_tui.insi.outcomes import (
    Attempt,
    ErrorKind,
    Fault,
    Found,
    InsiError,
    InsiOutcome,
    NotFound,
    SeveralFound,
)
from ins_tui.insi.response import HostileAnswer, MalformedAnswer, Result, parse_answer
from ins_tui.insi.settings import InsiSettings
from ins_tui.insi.tls import CertificateError, client_context, describe_p12
from ins_tui.insi.transport import HttpsPoster, TransportError

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

TOO_LARGE_FR = ("Réponse du téléservice INSi trop volumineuse (plus de {cap}) : elle a été "
                "ignorée et rien n'a été enregistré.")
STRATEGY_TIMEOUT_FR = ("Le téléservice INSi n'a pas répondu à temps à l'ensemble des essais "
                       "(prénoms successifs) : recherche arrêtée, rien n'a été enregistré.")
_COG = re.compile(r"[A-Za-z0-9]{5}")


def check_request_traits(traits: Traits, birthplace: str | None) -> list[Problem]:
    """Everything that must hold before a traits search may leave the machine."""
    problems = [
        *check_insi_name(traits.birth_name, NameKind.BIRTH_NAME),
        *check_insi_name(traits.first_names, NameKind.FIRST_NAMES),
    ]
    if traits.sex is None or str(traits.sex) not in ("F", "M"):
        problems.append(error("sex", "sex.missing", "Le sexe doit être F ou M."))
    if not _is_iso_date(traits.birth_date):
        problems.append(
            error(
                "birth_date",
                "date.format",
                f"Date de naissance « {traits.birth_date or ''} » : format attendu AAAA-MM-JJ "
                "(date réelle).",
            )
        )
    if birthplace is not None and not _COG.fullmatch(birthplace):
        problems.append(
            error(
                "birthplace",
                "cog.format",
                f"Lieu de naissance « {birthplace} » : code COG de 5 caractères attendu.",
            )
        )
    return [p for p in problems if p.is_error]


def _is_iso_date(text: str | None) -> bool:
    if not text or not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class InsiClient:
    """Thread-safe; one per process is enough (the connection is kept alive)."""

    def __init__(self, settings: InsiSettings) -> None:
        self.settings = settings
        self._poster: HttpsPoster | None = None
        self._emitter: str | None = settings.emitter
        self._init_lock = threading.Lock()

    # -- public API -------------------------------------------------------------------

    def search_traits(self, traits: Traits, *, birthplace: str | None = None) -> InsiOutcome:
        birthplace = birthplace or traits.birthplace
        problems = check_request_traits(traits, birthplace)
        if problems:
            message = " ".join(p.message for p in problems)
            return InsiError(ErrorKind.INVALID_INPUT, message, (), problems=tuple(problems))
        tokens = [t for t in traits.first_names.split(" ") if t]
        candidates = tokens + ([" ".join(tokens)] if len(tokens) > 1 else [])
        attempts: list[Attempt] = []
        several = False
        # The strategy may send several requests: the whole of it is bounded too, so a
        # slow service cannot hold the desk's search (and the transport lock) for minutes.
        ends = time.monotonic() + self.settings.search_deadline
        for first_name in candidates:
            tries = [None, birthplace] if birthplace else [None]
            for place in tries:
                if attempts and time.monotonic() >= ends:
                    log.warning("INSi search stopped after %d requests: %g s strategy "
                                "deadline", len(attempts), self.settings.search_deadline)
                    return InsiError(ErrorKind.TIMEOUT, STRATEGY_TIMEOUT_FR, tuple(attempts))
                outcome = self._traits_attempt(traits, first_name, place, attempts, ends)
                if outcome is not None:
                    return outcome
                if attempts[-1].cr != "02":
                    break
                several = True
        if several:
            return SeveralFound(tuple(attempts))
        return NotFound(tuple(attempts))

    def search_vitale(self, query: VitaleQuery, couverture: Couverture) -> InsiOutcome:
        attempts: list[Attempt] = []
        outcome = self._exchange(OP_VITALE, vitale_body(query), None, None, attempts, couverture)
        if outcome is not None:
            return outcome
        if attempts[-1].cr == "02":
            return SeveralFound(tuple(attempts))
        return NotFound(tuple(attempts))

    def close(self) -> None:
        if self._poster is not None:
            self._poster.close()

    def __enter__(self) -> InsiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

    def _traits_attempt(
        self, traits: Traits, first_name: str, place: str | None, attempts: list[Attempt],
        ends_by: float | None = None,
    ) -> InsiOutcome | None:
        body = traits_body(
            traits.birth_name, first_name, str(traits.sex), traits.birth_date or "", place
        )
        return self._exchange(OP_TRAITS, body, first_name, place, attempts, None,
                              ends_by=ends_by)

    def _ensure_poster(self) -> HttpsPoster:
        with self._init_lock:
            if self._poster is None:
                s = self.settings
                p12 = None if s.cpx else s.p12
                ctx = client_context(s.ca_bundle, p12, s.p12_password)
                if p12 is not None and self._emitter is None:
                    self._emitter = describe_p12(p12, s.p12_password).organisational_unit
                self._poster = HttpsPoster(
                    s.endpoint,
                    ctx,
                    connect_timeout=s.connect_timeout,
                    read_timeout=s.read_timeout,
                    max_answer_bytes=s.max_answer_bytes,
                    deadline=s.deadline,
                )
            return self._poster

    def _assertions(self) -> list:
        cpx = self.settings.cpx
        if cpx is None:
            return []
        from ins_tui.insi.assertion import build_assertion_ps

        return [
            build_assertion_ps(
                cpx.signer,
                billing_id=cpx.billing_id,
                activity_sector=cpx.activity_sector,
                specialty_code=cpx.specialty_code,
            )
        ]

    def _exchange(
        self,
        operation: str,
        body: dict,
        first_name: str | None,
        place: str | None,
        attempts: list[Attempt],
        couverture: Couverture | None,
        *,
        ends_by: float | None = None,
    ) -> InsiOutcome | None:
        """Send one request; return a final outcome, or None to let the strategy go on.

        `ends_by` (monotonic) is the strategy's bound: the request in flight is cut there
        too, so a whole search never outlives `search_deadline`.
        """
        try:
            poster = self._ensure_poster()
        except CertificateError as exc:
            return InsiError(ErrorKind.CERTIFICATE, exc.message_fr, tuple(attempts))
        except TransportError as exc:
            return InsiError(exc.kind, exc.detail, tuple(attempts))
        message_id = new_message_id()
        try:
            assertions = self._assertions()
        except Exception as exc:  # the signer's errors carry a French message
            message = getattr(exc, "message_fr", None)
            if message is None:
                raise
            return InsiError(ErrorKind.CERTIFICATE, message, tuple(attempts))
        request = build_request(
            operation,
            body,
            self.settings,
            message_id=message_id,
            emitter=self._emitter,
            couverture=couverture,
            assertions=assertions,
        )
        if assertions:
            refusal = _assertion_refusal(request)
            if refusal is not None:
                log.warning("INSi %s %s: assertion PS broken in the envelope, not sent",
                            operation, message_id)
                return InsiError(ErrorKind.CERTIFICATE, refusal, tuple(attempts))
        headers = {"Content-Type": content_type(ACTIONS[operation])}
        started = time.perf_counter()
        base = {"operation": operation, "first_name": first_name, "birthplace": place,
                "message_id": message_id, "request": request}
        try:
            status, data = poster.post(request, headers, ends_by=ends_by)
        except TransportError as exc:
            elapsed = time.perf_counter() - started
            attempts.append(Attempt(**base, response=exc.partial, error=exc.detail,
                                    elapsed_s=elapsed, truncated=exc.truncated))
            log.warning("INSi %s %s: %s (%s)", operation, message_id, exc.kind, exc.detail)
            message = TOO_LARGE_FR.format(cap=_size_fr(self.settings.max_answer_bytes)) if (
                exc.too_large) else MESSAGES[exc.kind]
            if exc.kind is ErrorKind.TIMEOUT and ends_by is not None and (
                    time.monotonic() >= ends_by):
                message = STRATEGY_TIMEOUT_FR  # the search's bound cut it, not this request's
            return InsiError(exc.kind, message, tuple(attempts))
        elapsed = time.perf_counter() - started
        try:
            answer = parse_answer(status, data)
        except HostileAnswer as exc:
            poster.close()  # see below: the stream is suspect too
            return self._refused(base, status, elapsed, exc, attempts)
        except MalformedAnswer as exc:
            # An answer we cannot believe leaves the stream suspect too (a lying
            # Content-Length leaves the rest of its bytes queued on the socket, to be read
            # as the next status line): the next call starts on a fresh connection.
            poster.close()
            return self._malformed(base, status, data, elapsed, exc, attempts)
        if isinstance(answer, Fault):
            attempts.append(
                Attempt(**base, response=data, http_status=status, fault=answer,
                        elapsed_s=elapsed)
            )
            log.info("INSi %s %s: fault %s/%s", operation, message_id, answer.subcode,
                     answer.detail_code)
            return InsiError(classify_fault(answer), fault_message(answer, self.settings.mode),
                             tuple(attempts), fault=answer)
        attempts.append(
            Attempt(**base, response=data, http_status=status, cr=answer.cr, elapsed_s=elapsed)
        )
        log.info("INSi %s %s: CR %s in %.0f ms", operation, message_id, answer.cr,
                 elapsed * 1000)
        return _final(answer, attempts, self.settings)

    @staticmethod
    def _refused(base: dict, status: int, elapsed: float, exc: Exception,
                 attempts: list[Attempt]) -> InsiError:
        attempts.append(Attempt(**base, http_status=status, error=f"refused unread: {exc}",
                                elapsed_s=elapsed))
        log.warning("INSi %s %s: hostile answer refused (%s)", base["operation"],
                    base["message_id"], exc)
        return InsiError(ErrorKind.MALFORMED, MESSAGES[ErrorKind.MALFORMED], tuple(attempts))

    @staticmethod
    def _malformed(base: dict, status: int, data: bytes, elapsed: float, exc: Exception,
                   attempts: list[Attempt]) -> InsiError:
        attempts.append(Attempt(**base, response=data, http_status=status, error=str(exc),
                                elapsed_s=elapsed))
        log.warning("INSi %s %s: malformed answer (%s)", base["operation"],
                    base["message_id"], exc)
        return InsiError(ErrorKind.MALFORMED, MESSAGES[ErrorKind.MALFORMED], tuple(attempts))


def _size_fr(n: int) -> str:
    """« 1 Mio », « 64 Kio », « 5 000 octets »: the cap as the secretary reads it."""
    for unit, name in ((1 << 20, "Mio"), (1 << 10, "Kio")):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n:,} octets".replace(",", " ")


def _assertion_refusal(request: bytes) -> str | None:
    """French reason not to send `request`, checked on the exact bytes about to leave.

    The assertion is signed before it is put in the envelope; re-reading the serialised
    request is the only way to see what the service will canonicalise (a namespace prefix
    clash changes those bytes and the service would answer with an opaque fault).
    """
    from ins_tui.insi.assertion import SAML_NS, check_assertion_ps
    from ins_tui.insi.signer import SignerError
    from ins_tui.insi.xmlsafe import parse_untrusted

    assertion = parse_untrusted(request).find(f".//{{{SAML_NS}}}Assertion")
    if assertion is None:
        return "L'assertion PS est absente de la requête : rien n'a été envoyé."
    try:
        check_assertion_ps(assertion)
    except SignerError as exc:
        return f"{exc.message_fr} Rien n'a été envoyé."
    return None


def _final(answer: Result, attempts: list[Attempt],
           settings: InsiSettings) -> InsiOutcome | None:
    if answer.cr == "00":
        assert answer.identity is not None
        return _judged(answer, attempts, settings)
    if answer.cr in ("01", "02"):
        return None
    return InsiError(
        ErrorKind.MALFORMED,
        f"Réponse INSi inattendue (compte rendu {answer.cr} « {answer.label} ») : "
        "rien n'a été enregistré.",
        tuple(attempts),
    )


def _judged(answer: Result, attempts: list[Attempt], settings: InsiSettings) -> InsiOutcome:
    """A CR 00 goes through the rules of a kept identity before it may be believed.

    INSi is the reference, but a foreign OID, a birth date in 2099 or a 50,000-character
    name arriving over the network must not become a patient's INS: the answer is judged
    by the same domain rules as a typed identity (`check_ins_answer`). On an error the
    outcome is INCOHERENT (not retryable: asking again gets the same answer); the exchange
    stays in `attempts` for the journal and the parsed identity rides along for display.
    """
    from ins_tui.domain.identity_check import masked_summary
    from ins_tui.domain.ins_answer import check_ins_answer
    from ins_tui.insi.faults import incoherent_message

    identity = answer.identity
    assert identity is not None
    problems = check_ins_answer(identity, today=date.today(),
                                accepted_oids=settings.accepted_oids,
                                bad_active_key=settings.bad_active_key)
    refused = [p for p in problems if p.is_error]
    warnings = tuple(p.message for p in problems if not p.is_error)  # masked by the domain
    if not refused:
        return Found(identity, tuple(attempts), answer.first_name_derived, warnings)
    codes = ", ".join(sorted({f"{p.field}/{p.code}" for p in refused}))  # never a value
    last = attempts[-1]
    attempts[-1] = dataclasses.replace(last, error=f"incoherent answer refused: {codes}")
    log.warning("INSi %s %s: CR 00 refused as incoherent (%s)", last.operation,
                last.message_id, codes)
    return InsiError(ErrorKind.INCOHERENT, incoherent_message(masked_summary(refused)),
                     tuple(attempts), problems=tuple(problems), identity=identity)
