"""What a search returns: one typed outcome plus every attempt exactly as exchanged.

The journal must hold the SOAP frames byte for byte (CNDA asks for them, and
an audit must show what was really sent), so each `Attempt` keeps the raw
request and response instead of a re-serialisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ins_tui.domain.model import InsIdentity


class ErrorKind(StrEnum):
    """Fault families: each has its own French message and its own remedy."""

    INVALID_INPUT = "saisie_invalide"  # refused locally, nothing sent
    UNKNOWN_IDAM = "idam_inconnu"  # desir_550 / siram_100
    RIGHTS = "droits_insuffisants"  # DESIR_560: certificate CN not INSI-AUTO/INSI-MANU
    UNAVAILABLE = "service_indisponible"  # desir_1020, insi_101/102, siram_40
    REJECTED = "requete_refusee"  # any other service fault (e.g. invalid request)
    TLS = "tls"  # handshake, untrusted server, refused client certificate
    TIMEOUT = "delai_depasse"  # connect or read timeout
    NETWORK = "reseau"  # connection refused, DNS, reset
    MALFORMED = "reponse_invalide"  # not a SOAP answer we can trust
    CERTIFICATE = "certificat"  # the local PKCS#12 cannot be used
    CONFIGURATION = "configuration"  # no usable endpoint configured
    AUTHENTICATION = "authentification_refusee"  # CPx: assertion PS refused by the service
    INCOHERENT = "reponse_incoherente"  # a CR 00 breaking the identity rules: not kept


@dataclass(frozen=True, slots=True)
class Fault:
    """A SOAP 1.2 fault as received (codes compared case-insensitively by the mapping)."""

    code: str  # Sender / Receiver
    subcode: str  # siram_*
    reason: str
    detail_code: str  # desir_* / insi_*
    severity: str
    detail_text: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP exchange: which first name was sent, and the bytes both ways."""

    operation: str
    first_name: str | None
    birthplace: str | None
    message_id: str
    request: bytes
    response: bytes | None = None
    http_status: int | None = None
    cr: str | None = None  # CodeCR when a RESULTAT came back
    fault: Fault | None = None
    error: str | None = None  # transport/parse problem, technical English for the journal
    elapsed_s: float = 0.0
    truncated: bool = False  # `response` is only the start of what came (a bound cut it)


@dataclass(frozen=True, slots=True)
class Found:
    identity: InsIdentity
    attempts: tuple[Attempt, ...]
    first_name_derived: bool = False  # TIQ had no Prenom: first token of ListePrenom used
    warnings: tuple[str, ...] = field(default_factory=tuple)  # French, e.g. failing keys


@dataclass(frozen=True, slots=True)
class NotFound:
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class SeveralFound:
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class InsiError:
    kind: ErrorKind
    message_fr: str
    attempts: tuple[Attempt, ...]
    fault: Fault | None = None
    problems: tuple = ()  # domain Problems when kind is INVALID_INPUT or INCOHERENT
    # INCOHERENT: what INSi said, so an operator can see it; never to be stored.
    identity: InsIdentity | None = None

    @property
    def retryable(self) -> bool:
        """Worth queueing for a later retry (the service or the network may come back)."""
        return self.kind in (ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.NETWORK)


InsiOutcome = Found | NotFound | SeveralFound | InsiError
