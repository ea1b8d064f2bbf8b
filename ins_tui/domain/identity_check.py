"""The rules a stored identity must satisfy, whoever wrote it: one set, three users.

The desk checks typed traits with `traits.check_traits` (which may normalise); what is
*kept* — a record the store is about to commit, an identity INSi returned, a row `db
check` reads back — is only judged, never altered, by the functions here. The store runs
`check_identity` before every commit that touches a patient and `db check` runs the very
same function on every row, so a rule added here is enforced everywhere at once.

Messages of `masked_summary` name the field and the rule, never the value: they go into
exceptions and `db check` listings, which may reach a log or a support ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ins_tui.domain.cog import is_well_formed as cog_well_formed
from ins_tui.domain.dates import OLDEST_YEAR
from ins_tui.domain.matricule import check_matricule, is_well_formed_number
from ins_tui.domain.model import (
    INS_OIDS,
    TRAIT_LABELS_FR,
    Attribute,
    Ins,
    Sex,
    Status,
    Traits,
)
from ins_tui.domain.names import NameKind, check_insi_name
from ins_tui.domain.problems import Problem, error
from ins_tui.domain.traits import check_received_traits

# What each rule means, without the value: for exceptions and `db check` listings.
RULES_FR: dict[str, str] = {
    "name.empty": "vide",
    "name.char": "caractère non admis (hors A–Z, espace, apostrophe, trait d'union)",
    "name.too_long": "trop long",
    "name.first_name_incoherent": "premier prénom différent du début de la liste",
    "sex.missing": "sexe absent ou autre que F/M",
    "date.missing": "date de naissance absente",
    "date.format": "date de naissance mal formée (AAAA-MM-JJ attendu)",
    "date.calendar": "date de naissance hors calendrier",
    "date.year": "année de naissance invraisemblable",
    "date.future": "date de naissance future",
    "cog.format": "lieu de naissance mal formé (code COG de 5 caractères)",
    "ins.number": "matricule INS mal formé",
    "ins.key": "clé de l'INS mal formée",
    "ins.oid": "OID de l'INS inconnu ou non admis ici",
    "ins.key_flag": "indicateur de clé de l'INS incohérent",
    "ins.matricule": "matricule INS incohérent avec son numéro et sa clé",
    "ins.missing": "statut issu de l'INSi ou de l'ApCV sans INS enregistré",
    # Only an INSi answer can break these (domain/ins_answer.py).
    "ins.key_mod97": "clé de l'INS ne vérifiant pas le modulo 97",
    "ins.nir_sex": "sexe codé dans le matricule différent du sexe des traits",
    "ins.nir_year": "année de naissance codée dans le matricule différente des traits",
    "ins.nir_month": "mois de naissance codé dans le matricule différent des traits",
    "ins.history_dates": "dates de validité mal formées (AAAA-MM-JJ attendu)",
    "state.incoherent": "statut incohérent avec les faits de l'identité",
    "state.attribute": "attribut inconnu",
    "locked.without_ins": "traits verrouillés sans INS",
    "locked.unknown": "verrou sur un champ inconnu",
    "document.type": "pièce vérifiée sans type de pièce",
    "nir.format": "NIR de la carte mal formé (13 caractères, clé de 2 chiffres facultative)",
}

_STRUCTURE = {"name.double_apostrophe", "name.double_hyphen", "name.double_space",
              "name.first_name_end", "name.first_name_start", "name.leading", "name.no_letter",
              "name.space_apostrophe", "name.trailing_space", "name.triple_hyphen"}

_LABELS_FR = {**TRAIT_LABELS_FR, "ins": "INS", "ins_history": "Historique des INS",
              "state": "Statut", "locked": "Verrous", "document": "Pièce d'identité",
              "nir": "NIR de la carte"}

_LOCKABLE = frozenset({"birth_name", "first_names", "first_name", "sex", "birth_date",
                       "birthplace"})


def rule_fr(code: str) -> str:
    if code in _STRUCTURE:
        return "forme non admise (espaces, apostrophes ou traits d'union)"
    return RULES_FR.get(code, code)


def masked_summary(problems: Iterable[Problem]) -> list[str]:
    """One French line per problem, naming the field and the rule but not the value."""
    lines: list[str] = []
    for p in problems:
        label = _LABELS_FR.get(p.field, p.field)
        # The status machine's messages name statuses and attributes only: kept as said.
        reason = p.message if p.field == "state" else rule_fr(p.code)
        line = f"{label} : {reason}"
        if line not in lines:
            lines.append(line)
    return lines


def check_birth_date(iso: str | None, *, today: date) -> list[Problem]:
    """A stored birth date: a real ISO calendar date, not future, not before OLDEST_YEAR."""
    if not iso:
        return [error("birth_date", "date.missing", "La date de naissance est absente.")]
    if len(iso) != 10 or iso[4] != "-" or iso[7] != "-" or not iso.replace("-", "").isdigit():
        return [error("birth_date", "date.format",
                      "Date de naissance mal formée : AAAA-MM-JJ attendu.")]
    try:
        value = date.fromisoformat(iso)
    except ValueError:
        return [error("birth_date", "date.calendar",
                      "La date de naissance n'existe pas dans le calendrier.")]
    if value.year < OLDEST_YEAR:
        return [error("birth_date", "date.year",
                      f"Année de naissance {value.year} invraisemblable (avant {OLDEST_YEAR}).")]
    if value > today:
        return [error("birth_date", "date.future", "La date de naissance est future.")]
    return []


def check_identity_traits(traits: Traits, *, today: date | None = None) -> list[Problem]:
    """Strict and used traits as kept: exact INSi form, sex F/M, a plausible birth date.

    The same judgement for a record about to be stored, an INSi answer and `db check`:
    a value that only *could* be normalised is refused here (it must have gone through
    `check_traits` first), so the store never holds two spellings of one rule.
    """
    today = today or date.today()
    problems = list(check_received_traits(traits))
    for kind in (NameKind.USED_NAME, NameKind.USED_FIRST_NAME):
        value = getattr(traits, kind.value)
        if value is not None:
            problems.extend(check_insi_name(value, kind))
    if traits.sex is None or str(traits.sex) not in (Sex.F, Sex.M):
        problems.append(error("sex", "sex.missing", "Le sexe doit être F ou M."))
    problems.extend(check_birth_date(traits.birth_date, today=today))
    if traits.birthplace is not None and not cog_well_formed(traits.birthplace):
        problems.append(error("birthplace", "cog.format",
                              "Lieu de naissance mal formé : code COG de 5 caractères attendu."))
    return [p for p in problems if p.is_error]


def check_ins_form(ins: Ins, *, accepted_oids: frozenset[str] = INS_OIDS) -> list[Problem]:
    """The shape of a matricule INS and its OID (the key's arithmetic is judged apart)."""
    problems: list[Problem] = []
    if not is_well_formed_number(ins.number or ""):
        problems.append(error("ins", "ins.number", "Matricule INS mal formé (13 caractères)."))
    if not (ins.key and len(ins.key) == 2 and ins.key.isdigit()):
        problems.append(error("ins", "ins.key", "Clé de l'INS mal formée (2 chiffres)."))
    if ins.oid not in accepted_oids:
        problems.append(error("ins", "ins.oid", "OID de l'INS inconnu ou non admis ici."))
    return problems


@dataclass(frozen=True, slots=True)
class StoredIdentity:
    """What a patient row says about the identity, as plain values (no store types).

    Values are those of the columns, so a row written by hand with an unknown attribute
    or a status the machine cannot produce is still describable and can be judged.
    """

    traits: Traits
    status: str
    attributes: str
    insi_retrieved: bool
    document_checked: bool
    apcv: bool
    ins: Ins | None
    ins_matricule: str | None
    locked: frozenset[str] = field(default_factory=frozenset)
    document_type: str | None = None
    nir: str | None = None
    history: tuple[Ins, ...] = ()  # every matricule INSi returned for it, active one included


def check_identity(identity: StoredIdentity, *, today: date | None = None) -> list[Problem]:
    """Every rule a stored identity must satisfy: traits, INS, status invariants, locks.

    The status invariants are the domain's status machine (`IdentityState` refuses to
    exist in an inconsistent state); this only asks it, so no invariant is restated.
    """
    from ins_tui.domain.status import IdentityState

    problems = check_identity_traits(identity.traits, today=today)
    try:
        attributes = frozenset(Attribute(a) for a in identity.attributes.split())
    except ValueError:
        problems.append(error("state", "state.attribute", "Attribut d'identité inconnu."))
        attributes = None
    if attributes is not None:
        try:
            IdentityState(
                status=Status(identity.status),
                attributes=attributes,
                insi_retrieved=identity.insi_retrieved,
                document_checked=identity.document_checked,
                apcv=identity.apcv,
            )
        except ValueError as exc:
            problems.append(error("state", "state.incoherent", str(exc)))
    ins = identity.ins
    if ins is None:
        if identity.insi_retrieved or identity.apcv:
            problems.append(error("ins", "ins.missing",
                                  "Statut issu de l'INSi ou de l'ApCV sans INS enregistré."))
        if identity.locked:
            problems.append(error("locked", "locked.without_ins", "Traits verrouillés sans INS."))
    else:
        problems.extend(check_ins_form(ins))
        if ins.key_ok != check_matricule(ins.number, ins.key):
            problems.append(error("ins", "ins.key_flag", "Indicateur de clé de l'INS incohérent."))
        if identity.ins_matricule != ins.matricule:
            problems.append(error("ins", "ins.matricule", "Matricule INS incohérent."))
    for former in identity.history:
        problems.extend(error("ins_history", p.code, p.message)
                        for p in check_ins_form(former))
    if identity.locked - _LOCKABLE:
        problems.append(error("locked", "locked.unknown", "Verrou sur un champ inconnu."))
    # ApCV counts as the document (enrolment checked it): no document type to record.
    if identity.document_checked and not identity.document_type and not identity.apcv:
        problems.append(error("document", "document.type", "Pièce vérifiée sans type de pièce."))
    nir = identity.nir
    if nir is not None and not (
        len(nir) in (13, 15) and is_well_formed_number(nir[:13].upper())
        and (len(nir) == 13 or nir[13:].isdigit())
    ):
        problems.append(error("nir", "nir.format", "NIR de la carte mal formé."))
    return problems
