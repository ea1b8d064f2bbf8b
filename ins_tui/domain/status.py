"""The RNIV confidence status as a state machine driven by desk events.

The status is never set directly: it follows from two facts (the identity came
from INSi and was compared successfully; it was checked against a high-trust
document) plus the ApCV exception and the attributes. Deriving it in one place
keeps the invariants true by construction: douteuse/fictive ⇒ PROV and no INSi
call; douteuse and fictive never together.
"""

from __future__ import annotations

from dataclasses import dataclass

from ins_tui.domain.documents import DocumentType, UnknownDocumentError, document
from ins_tui.domain.model import Attribute, Status

_BLOCKING = frozenset({Attribute.DOUTEUSE, Attribute.FICTIVE})

_ATTRIBUTE_FR = {
    Attribute.DOUTEUSE: "douteuse",
    Attribute.FICTIVE: "fictive",
    Attribute.HOMONYME: "homonyme",
}


class TransitionRefused(Exception):
    """The event is not allowed in this state; `message` is French, for the desk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def derive_status(
    attributes: frozenset[Attribute], insi_retrieved: bool, document_checked: bool, apcv: bool
) -> Status:
    """The RNIV table (identity-rules.md §1) in one place; blocking attributes win first."""
    if attributes & _BLOCKING:
        return Status.PROV
    if apcv or (insi_retrieved and document_checked):
        return Status.QUAL
    if insi_retrieved:
        return Status.RECUP
    if document_checked:
        return Status.VALI
    return Status.PROV


@dataclass(frozen=True, slots=True)
class IdentityState:
    """Status + attributes + the facts the status is derived from.

    `apcv` marks an INS obtained from the Appli carte Vitale: treated as QUAL
    without any INSi call (RNIV §4.3.4). Constructing an inconsistent state
    raises ValueError: a stored state that breaks an invariant is a bug to
    surface, not a state to work from.
    """

    status: Status = Status.PROV
    attributes: frozenset[Attribute] = frozenset()
    insi_retrieved: bool = False
    document_checked: bool = False
    apcv: bool = False

    def __post_init__(self) -> None:
        if {Attribute.DOUTEUSE, Attribute.FICTIVE} <= self.attributes:
            raise ValueError("Une identité ne peut pas être à la fois douteuse et fictive.")
        if self.attributes & _BLOCKING and (
            self.insi_retrieved or self.document_checked or self.apcv
        ):
            raise ValueError("Une identité douteuse ou fictive ne garde ni INS ni validation.")
        expected = self.derived_status()
        if self.status != expected:
            raise ValueError(f"Statut {self.status} incohérent (attendu : {expected}).")

    def derived_status(self) -> Status:
        return derive_status(self.attributes, self.insi_retrieved, self.document_checked, self.apcv)

    @classmethod
    def build(
        cls,
        attributes: frozenset[Attribute] = frozenset(),
        *,
        insi_retrieved: bool = False,
        document_checked: bool = False,
        apcv: bool = False,
    ) -> IdentityState:
        """A state whose status is derived from the facts (the only safe way to make one)."""
        status = derive_status(attributes, insi_retrieved, document_checked, apcv)
        return cls(status, frozenset(attributes), insi_retrieved, document_checked, apcv)

    def _with(self, **changes: object) -> IdentityState:
        facts = {
            "attributes": self.attributes,
            "insi_retrieved": self.insi_retrieved,
            "document_checked": self.document_checked,
            "apcv": self.apcv,
        }
        facts.update(changes)
        return IdentityState.build(**facts)  # type: ignore[arg-type]


INITIAL = IdentityState()


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InsiMatched:
    """INSi answered CR 00 and its traits were compared successfully with the person's."""


@dataclass(frozen=True, slots=True)
class DocumentChecked:
    """A high-trust document was checked against the traits; `doc_type` is a code or type."""

    doc_type: DocumentType | str


@dataclass(frozen=True, slots=True)
class ApcvPresented:
    """The INS was read from the Appli carte Vitale (QUAL, no INSi call)."""


@dataclass(frozen=True, slots=True)
class AttributeSet:
    attr: Attribute


@dataclass(frozen=True, slots=True)
class AttributeCleared:
    attr: Attribute


@dataclass(frozen=True, slots=True)
class InsInvalidated:
    """The INSi source was deactivated or removed (QUAL → VALI, RECUP → PROV)."""


@dataclass(frozen=True, slots=True)
class InsiFieldsUnlocked:
    """The operator unlocked INSi-sourced fields: status and INS are lost, a new call is due."""


Event = (
    InsiMatched
    | DocumentChecked
    | ApcvPresented
    | AttributeSet
    | AttributeCleared
    | InsInvalidated
    | InsiFieldsUnlocked
)


def insi_call_allowed(state: IdentityState) -> bool:
    """No INSi call for a douteuse/fictive identity (EXI SI 09) nor for an ApCV one."""
    return not (state.attributes & _BLOCKING) and not state.apcv


def fields_locked(state: IdentityState) -> bool:
    """INS-sourced traits are locked from RECUP or QUAL (and for an ApCV identity)."""
    return state.insi_retrieved or state.apcv


def _blocking_reason(state: IdentityState) -> str:
    attrs = sorted(_ATTRIBUTE_FR[a] for a in state.attributes & _BLOCKING)
    return f"identité {' et '.join(attrs)}"


def apply(state: IdentityState, event: Event) -> IdentityState:
    """The next state, or TransitionRefused with the French reason."""
    blocked = bool(state.attributes & _BLOCKING)
    match event:
        case InsiMatched():
            if blocked:
                raise TransitionRefused(
                    f"Appel INSi interdit : {_blocking_reason(state)} (statut provisoire imposé)."
                )
            if state.apcv:
                raise TransitionRefused(
                    "INS obtenue par l'appli carte Vitale : pas d'appel INSi pour cette identité."
                )
            return state._with(insi_retrieved=True)
        case DocumentChecked(doc_type=doc_type):
            try:
                doc = document(doc_type) if isinstance(doc_type, str) else doc_type
            except UnknownDocumentError as exc:
                raise TransitionRefused(str(exc)) from None
            if not doc.high_trust:
                raise TransitionRefused(
                    f"« {doc.label_fr} » n'est pas une pièce à haut niveau de confiance : "
                    f"l'identité ne peut pas être validée avec."
                )
            if blocked:
                raise TransitionRefused(
                    f"Validation impossible : {_blocking_reason(state)}. Levez d'abord "
                    f"l'attribut si la pièce lève le doute."
                )
            return state._with(document_checked=True)
        case ApcvPresented():
            if blocked:
                raise TransitionRefused(
                    f"INS de l'appli carte Vitale refusée : {_blocking_reason(state)}."
                )
            return state._with(apcv=True, document_checked=True)
        case AttributeSet(attr=attr):
            if attr in state.attributes:
                return state
            other = (_BLOCKING - {attr}) & state.attributes if attr in _BLOCKING else set()
            if other:
                raise TransitionRefused(
                    f"Une identité ne peut pas être à la fois {_ATTRIBUTE_FR[attr]} et "
                    f"{_ATTRIBUTE_FR[next(iter(other))]}."
                )
            if attr in _BLOCKING:
                # EXI ID 24/26: the matricule is invalidated; any validation is dropped.
                return IdentityState.build(state.attributes | {attr})
            return state._with(attributes=state.attributes | {attr})
        case AttributeCleared(attr=attr):
            if attr not in state.attributes:
                return state
            return state._with(attributes=state.attributes - {attr})
        case InsInvalidated():
            if not (state.insi_retrieved or state.apcv):
                raise TransitionRefused("Aucune INS à invalider pour cette identité.")
            return state._with(insi_retrieved=False, apcv=False)
        case InsiFieldsUnlocked():
            if not fields_locked(state):
                raise TransitionRefused(
                    "Les traits ne sont pas verrouillés : rien à déverrouiller."
                )
            return state._with(insi_retrieved=False, apcv=False, document_checked=False)
    raise TransitionRefused(f"Événement inconnu : {type(event).__name__}.")
