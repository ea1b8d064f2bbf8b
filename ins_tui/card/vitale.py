"""Reading a carte Vitale 2: beneficiaries' names, first names, birth dates and NIRs.

The card is recognised by a successful SELECT of the VITALE application (the ATR
is only a hint), then two files are read (carte-vitale.md §2, Rufus route):
SFI 2 under VITALE (one NIR per beneficiary), SFI 2 under the MF (identities), in
the same order. Everything goes through a `Transport`, so a physical reader, a
virtual card behind pcscd and an in-memory chip run this exact code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from ins_tui.card.apdu import (
    AID_VITALE,
    FID_MF,
    SFI_BENEFICIARIES,
    exchange,
    read_binary,
    read_binary_sfi,
    select_aid,
    select_fid,
)
from ins_tui.card.atr import AtrKind, classify_atr
from ins_tui.card.errors import (
    BANK_MESSAGE,
    CPS_MESSAGE,
    TRAITS_HINT,
    CardError,
    CardRemovedError,
    NoCardError,
    NotVitaleError,
    ServiceUnavailableError,
    UnreadableCardError,
    Vitale1Error,
)
from ins_tui.card.tlv import parse
from ins_tui.card.transport import Transport
from ins_tui.domain.dates import BirthDate, parse_card_date
from ins_tui.domain.masking import fingerprint, mask_name, mask_nir

__all__ = [
    "Beneficiary",
    "CardError",
    "CardRemovedError",
    "NoCardError",
    "NotVitaleError",
    "RawCard",
    "UnreadableCardError",
    "Vitale1Error",
    "VitaleCard",
    "read_card",
    "read_first_vitale",
    "read_from_reader",
    "read_vitale",
]

log = logging.getLogger(__name__)

MAX_FILE = 8192  # a Vitale 2 chip is far smaller; more means a looping card
CHUNK = 256
SW_END_OF_FILE = {0x6B00, 0x6282}


@dataclass(frozen=True, slots=True, repr=False)
class Beneficiary:
    """One person on the card, values exactly as read (trimmed, never transliterated)."""

    birth_name: str
    first_name: str
    birth_date: BirthDate
    nir: str | None
    index: int

    def __repr__(self) -> str:  # masked: a repr ends up in logs and tracebacks
        return (
            f"Beneficiary(#{self.index}, {mask_name(self.birth_name)} "
            f"{mask_name(self.first_name)}, nir={mask_nir(self.nir)})"
        )


@dataclass(frozen=True, slots=True, repr=False)
class RawCard:
    """The bytes read, for field diagnostics; shown only on explicit request."""

    atr: bytes
    identity_file: bytes
    nir_file: bytes

    def __repr__(self) -> str:
        return (
            f"RawCard(atr={self.atr.hex()}, identity#{fingerprint(self.identity_file)}, "
            f"nir#{fingerprint(self.nir_file)})"
        )


@dataclass(frozen=True, slots=True, repr=False)
class VitaleCard:
    beneficiaries: tuple[Beneficiary, ...]
    raw: RawCard
    reader: str | None = None

    def __repr__(self) -> str:
        return f"VitaleCard({len(self.beneficiaries)} bénéficiaire(s), reader={self.reader!r})"


def read_file(transport: Transport, sfi: int) -> bytes:
    """READ BINARY by SFI, then by offset in 256-byte steps until a short chunk."""
    response = exchange(transport, read_binary_sfi(sfi))
    if not response.ok:
        raise UnreadableCardError()
    data = bytearray(response.data)
    while len(response.data) == CHUNK:
        if len(data) >= MAX_FILE:
            # A card that never ends its file is broken: parsing a cut file could
            # yield half a person, so nothing is returned at all.
            raise UnreadableCardError()
        response = exchange(transport, read_binary(len(data)))
        if response.sw in SW_END_OF_FILE:
            data += response.data
            break
        if not response.ok:
            raise UnreadableCardError()
        data += response.data
    return bytes(data)


def _text(value: bytes | None) -> str:
    if value is None:
        return ""
    return value.rstrip(b"\x00").decode("latin-1").strip()


def parse_beneficiaries(identity: bytes, nirs: bytes) -> tuple[Beneficiary, ...]:
    """Pair template *i* of the identity file with template *i* of the NIR file."""
    try:
        people = [t for t in parse(identity) if t.tag == 0x65]
        nir_templates = [t for t in parse(nirs) if t.tag == 0x65]
    except ValueError as exc:
        raise UnreadableCardError(
            "Carte Vitale aux données incohérentes : lecture refusée. " + TRAITS_HINT
        ) from exc
    if nir_templates and len(nir_templates) != len(people):
        # Pairing is by position only: with unequal counts a NIR could land on the
        # wrong person (then the wrong INS). Names stay; every NIR is dropped.
        log.warning("fichiers identité/NIR de tailles différentes (%d/%d) : NIR ignorés",
                    len(people), len(nir_templates))
        nir_templates = []
    result = []
    for index, person in enumerate(people):
        name, first, born = person.first(0x80), person.first(0x81), person.first(0x82)
        if name is None or born is None:
            raise UnreadableCardError()
        nir = None
        if index < len(nir_templates):
            nir_tlv = nir_templates[index].first(0x93)
            nir = _text(nir_tlv.value) if nir_tlv else None
            if nir is not None and (len(nir) != 15 or not nir.isalnum()):
                nir = None  # shape only: the key rule belongs to domain.matricule
        result.append(
            Beneficiary(
                birth_name=_text(name.value),
                first_name=_text(first.value if first else None),
                birth_date=parse_card_date(born.value.rstrip(b"\x00").decode("latin-1")),
                nir=nir or None,
                index=index,
            )
        )
    if not result:
        raise UnreadableCardError("Carte Vitale sans bénéficiaire lisible. " + TRAITS_HINT)
    return tuple(result)


def read_vitale(transport: Transport, *, atr: bytes = b"", reader: str | None = None) -> VitaleCard:
    if not exchange(transport, select_aid(AID_VITALE)).ok:
        raise NotVitaleError(_NOT_VITALE_BY_ATR.get(classify_atr(atr)))
    nirs = read_file(transport, SFI_BENEFICIARIES)
    if not exchange(transport, select_fid(FID_MF)).ok:
        raise UnreadableCardError()
    identity = read_file(transport, SFI_BENEFICIARIES)
    card = VitaleCard(parse_beneficiaries(identity, nirs), RawCard(atr, identity, nirs), reader)
    log.info("carte Vitale lue : %d bénéficiaire(s), empreinte %s",
             len(card.beneficiaries), fingerprint(nirs))
    return card


_NOT_VITALE_BY_ATR = {AtrKind.CPS: CPS_MESSAGE, AtrKind.BANK: BANK_MESSAGE}


def read_card(transport: Transport, atr: bytes, reader: str | None = None) -> VitaleCard:
    """Screen the ATR (a Vitale 1 is never sent a command), then read."""
    if classify_atr(atr) is AtrKind.VITALE1:
        raise Vitale1Error()
    return read_vitale(transport, atr=atr, reader=reader)


def read_from_reader(reader: str) -> VitaleCard:
    """Connect to one PC/SC reader (slot) and read its card in one exclusive transaction."""
    from ins_tui.card.transport import PcscTransport

    with PcscTransport(reader) as transport:
        return read_card(transport, transport.atr, reader)


# Which failure to report when no slot held a Vitale 2: the most useful first.
_PRIORITY = (Vitale1Error, UnreadableCardError, NotVitaleError, NoCardError)


def read_first_vitale(readers: Iterable[str] | None = None) -> VitaleCard:
    """Try every reader and slot; skip a CPS or bank card in another slot.

    A pulled-out card stops the search at once: the user must re-insert it.
    """
    if readers is None:
        readers = list_readers()
    failures: list[CardError] = []
    for reader in readers:
        try:
            return read_from_reader(reader)
        except CardRemovedError:
            raise
        except (NotVitaleError, Vitale1Error, NoCardError, UnreadableCardError) as exc:
            failures.append(exc)
    for kind in _PRIORITY:
        for failure in failures:
            if isinstance(failure, kind):
                raise failure
    raise NoCardError("Aucun lecteur de carte détecté.")


def list_readers() -> list[str]:
    from smartcard import scard

    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        raise ServiceUnavailableError()
    try:
        hr, readers = scard.SCardListReaders(context, [])
        return list(readers) if hr == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)
