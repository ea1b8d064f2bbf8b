"""High-trust identity documents (FR Core validation-mode codes, RNIV §3.3.2–3.3.3).

The list a practice offers is configured (EXI ID 19): `documents_from_codes`
turns the configured codes into document types, in the configured order, and no
document is ever pre-selected — choosing one is the human act of qualification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DocumentType:
    code: str
    label_fr: str
    high_trust: bool = True
    # RNIV §3.3.3: a birth extract, a family record book or the minor's travel document
    # prove the identity of a minor only; an adult shows an ID card, passport, permit…
    # (or, in the EHPAD case, the same + a carte Vitale with photo: LECV / ANCV).
    minors_only: bool = False


ALL_DOCUMENTS: tuple[DocumentType, ...] = (
    DocumentType("CN", "Carte nationale d'identité"),
    DocumentType("PA", "Passeport"),
    DocumentType("CS", "Carte ou titre de séjour"),
    DocumentType("eCN", "Carte d'identité électronique"),
    DocumentType("IN", "Identité Numérique La Poste"),
    DocumentType("AN", "Extrait d'acte de naissance", minors_only=True),
    DocumentType("LE", "Livret de famille", minors_only=True),
    DocumentType("LEP", "Livret de famille des parents", minors_only=True),
    DocumentType("CC", "Document de circulation pour étranger mineur", minors_only=True),
    DocumentType("LECV", "Livret de famille + carte Vitale avec photo"),
    DocumentType("ANCV", "Extrait d'acte de naissance + carte Vitale avec photo"),
    DocumentType("AV", "Application carte Vitale"),
    # Kept so that a record can say what was shown; never enough to validate.
    DocumentType("PC", "Permis de conduire (insuffisant)", high_trust=False),
    DocumentType("VIT", "Carte Vitale seule (insuffisante)", high_trust=False),
)

_BY_CODE = {d.code.upper(): d for d in ALL_DOCUMENTS}


class UnknownDocumentError(ValueError):
    """A configured code is not a known document; the message is French."""


def document(code: str) -> DocumentType:
    """The document for a code (case-insensitive: `ecn` is `eCN`)."""
    try:
        return _BY_CODE[code.strip().upper()]
    except KeyError:
        known = ", ".join(d.code for d in ALL_DOCUMENTS)
        raise UnknownDocumentError(
            f"Type de pièce d'identité « {code} » inconnu (codes connus : {known})."
        ) from None


def documents_from_codes(codes: Iterable[str]) -> list[DocumentType]:
    """The configured list, in order, without duplicates; unknown codes are refused."""
    seen: dict[str, DocumentType] = {}
    for code in codes:
        doc = document(code)
        seen.setdefault(doc.code, doc)
    return list(seen.values())


def is_high_trust(doc: DocumentType | str) -> bool:
    """A code is looked up (unknown → French error), so a typo never counts as trusted."""
    return (document(doc) if isinstance(doc, str) else doc).high_trust


ADULT_AGE = 18


def is_minor(birth_date: str | None, today: date) -> bool | None:
    """Under 18 on `today`; None when the birth date is unknown or not a calendar date
    (a lunar date's year is enough unless the 18th birthday falls in that year)."""
    if not birth_date or len(birth_date) < 4 or not birth_date[:4].isdigit():
        return None
    year = int(birth_date[:4])
    if today.year - year > ADULT_AGE:
        return False
    if today.year - year < ADULT_AGE:
        return True
    try:
        born = date.fromisoformat(birth_date[:10])
    except ValueError:
        return None
    return (today.month, today.day) < (born.month, born.day)


def documents_for_age(documents: Iterable[DocumentType], birth_date: str | None,
                      today: date) -> list[DocumentType]:
    """The list offered for this patient (issue 12, F15): minors-only documents are left
    out for an adult. Unknown age: everything, the secretary judges (nothing is hidden
    that could be the right one)."""
    minor = is_minor(birth_date, today)
    return [d for d in documents if not (d.minors_only and minor is False)]
