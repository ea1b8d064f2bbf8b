"""High-trust identity documents (FR Core validation-mode codes, RNIV §3.3.2–3.3.3).

The list a practice offers is configured (EXI ID 19): `documents_from_codes`
turns the configured codes into document types, in the configured order, and no
document is ever pre-selected — choosing one is the human act of qualification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocumentType:
    code: str
    label_fr: str
    high_trust: bool = True


ALL_DOCUMENTS: tuple[DocumentType, ...] = (
    DocumentType("CN", "Carte nationale d'identité"),
    DocumentType("PA", "Passeport"),
    DocumentType("CS", "Carte ou titre de séjour"),
    DocumentType("eCN", "Carte d'identité électronique"),
    DocumentType("IN", "Identité Numérique La Poste"),
    DocumentType("AN", "Extrait d'acte de naissance"),
    DocumentType("LE", "Livret de famille"),
    DocumentType("LEP", "Livret de famille des parents"),
    DocumentType("CC", "Document de circulation pour étranger mineur"),
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
