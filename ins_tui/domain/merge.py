"""Which two records of one person may be merged, which one survives, what needs an override.

Why a pure rule apart from the store and the screen: the merge screen, `ins-tui db merge`
and the store itself (which re-judges inside the transaction, so no caller can skip it)
must refuse the same pairs with the same French words. Nothing here reads a file.

The rule (docs/decisions.md, « Fusion de doublons »):
- the default survivor is the more trusted status (QUAL > VALI > RECUP > PROV), then the
  older record (created earlier, then the lower id);
- refused always: a record with itself, a record already merged, two different INS
  (matricule + OID: two people), and a dropped record carrying an INS the survivor lacks
  (the INS would vanish from the surviving identity: keep the other one);
- a douteuse or fictive identity on either side, or a different sex or birth date (two
  people, perhaps: twins share every other trait), is refused unless a person gives an
  override reason (non-empty, bounded), which the store journals with the merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ins_tui.domain.model import TRAIT_LABELS_FR, Attribute, Status, Traits

# Higher is more trusted (identity-rules: QUAL is the only status whose INS may be used).
TRUST: dict[Status, int] = {Status.QUAL: 4, Status.VALI: 3, Status.RECUP: 2, Status.PROV: 1}

MIN_REASON = 5
MAX_REASON = 200

COMPARED_TRAITS: tuple[str, ...] = (
    "birth_name", "first_names", "first_name", "sex", "birth_date", "birthplace",
    "used_name", "used_first_name",
)


@dataclass(frozen=True, slots=True)
class MergeSide:
    """What the rule needs of one record (built by the store or the desk from a row)."""

    id: int
    status: Status
    traits: Traits
    created_at: str = ""
    attributes: frozenset[Attribute] = frozenset()
    ins_matricule: str | None = None
    ins_oid: str | None = None
    merged_into: int | None = None

    @property
    def ins_pair(self) -> tuple[str, str] | None:
        return (self.ins_matricule, self.ins_oid or "") if self.ins_matricule else None

    @property
    def doubtful(self) -> bool:
        return bool(self.attributes & {Attribute.DOUTEUSE, Attribute.FICTIVE})


@dataclass(frozen=True, slots=True)
class TraitDiff:
    trait: str
    label_fr: str
    kept: str | None
    dropped: str | None

    @property
    def differs(self) -> bool:
        return (self.kept or "") != (self.dropped or "")


@dataclass(frozen=True, slots=True)
class MergeDecision:
    """`allowed`: the merge may go; else `message_fr` says why not. `needs_override`: a
    douteuse/fictive side, allowed only with `override_reason` (the one to journal)."""

    allowed: bool
    message_fr: str
    needs_override: bool = False
    override_reason: str | None = None
    code: str = "ok"
    notes: tuple[str, ...] = field(default_factory=tuple)


def trust(side: MergeSide) -> tuple[int, str, int]:
    """Sort key, highest first wins: trust, then the older creation, then the lower id."""
    return (TRUST.get(side.status, 0), _negated(side.created_at), -side.id)


def _negated(text: str) -> str:
    # Older (smaller) timestamps must sort as "greater": invert each character.
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def default_survivor(a: MergeSide, b: MergeSide) -> tuple[MergeSide, MergeSide]:
    """(kept, dropped): the more trusted status, then the older record."""
    return (a, b) if trust(a) >= trust(b) else (b, a)


def clean_reason(text: str | None) -> str | None:
    """The override reason as journaled (spaces folded), or None when none was given."""
    if text is None:
        return None
    folded = " ".join(text.split())
    return folded or None


def judge(kept: MergeSide, dropped: MergeSide, override_reason: str | None = None) -> MergeDecision:
    """May `dropped` be merged into `kept`? Refusals first, the override last."""
    if kept.id == dropped.id:
        return MergeDecision(False, "Un dossier ne peut pas être fusionné avec lui-même.",
                             code="same")
    for side in (kept, dropped):
        if side.merged_into is not None:
            return MergeDecision(
                False, f"Le dossier n° {side.id} est déjà fusionné dans le dossier n° "
                f"{side.merged_into} : fusion refusée.", code="already")
    if kept.ins_pair and dropped.ins_pair and kept.ins_pair != dropped.ins_pair:
        return MergeDecision(
            False, "INS différents (matricule ou OID) : ce ne sont pas la même personne. "
            "Fusion refusée.", code="ins")
    if dropped.ins_pair and not kept.ins_pair:
        return MergeDecision(
            False, f"Le dossier n° {dropped.id} porte un INS que le dossier n° {kept.id} n'a "
            f"pas : conserver plutôt le dossier n° {dropped.id} (échanger).", code="ins_lost")
    grounds = _override_grounds(kept, dropped)
    if grounds:
        which = " ; ".join(grounds)
        reason = clean_reason(override_reason)
        if reason is None:
            return MergeDecision(
                False, f"{which} : fusion refusée sans un motif de dérogation (inscrit au "
                "journal).", needs_override=True, code="override")
        if len(reason) < MIN_REASON or len(reason) > MAX_REASON:
            return MergeDecision(
                False, f"Motif de dérogation de {MIN_REASON} à {MAX_REASON} caractères "
                f"(reçu : {len(reason)}).", needs_override=True, code="override")
        return MergeDecision(True, f"Fusion autorisée par dérogation ({which}).",
                             needs_override=True, override_reason=reason)
    return MergeDecision(True, f"Le dossier n° {dropped.id} peut être fusionné dans le "
                         f"dossier n° {kept.id}.")


# Traits that two records of one person share unless one was mistyped: when they differ,
# the pair may well be two people (twins share everything else), so a person must say why.
PERSON_TRAITS: tuple[str, ...] = ("sex", "birth_date")


def _override_grounds(kept: MergeSide, dropped: MergeSide) -> list[str]:
    """Why this merge needs a person's stated reason (empty: it does not)."""
    grounds = []
    if kept.doubtful or dropped.doubtful:
        which = ", ".join(f"n° {s.id} ({_attr_words(s)})" for s in (kept, dropped)
                          if s.doubtful)
        grounds.append(f"Identité douteuse ou fictive ({which})")
    differing = [TRAIT_LABELS_FR.get(name, name).lower() for name in PERSON_TRAITS
                 if (a := _value(kept.traits, name)) and (b := _value(dropped.traits, name))
                 and a != b]
    if differing:
        grounds.append(f"{' et '.join(differing).capitalize()} différents : deux personnes "
                       "peut-être")
    return grounds


def _attr_words(side: MergeSide) -> str:
    return " et ".join(sorted(str(a) for a in side.attributes
                              if a in (Attribute.DOUTEUSE, Attribute.FICTIVE)))


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(getattr(value, "value", value))


def _value(traits: Traits, name: str) -> str | None:
    # The first first name as the record uses it (explicit, else the first of the list):
    # an empty column beside a typed one is not a difference the person can see.
    return _text(traits.first_first_name if name == "first_name" else getattr(traits, name))


def trait_diffs(kept: MergeSide, dropped: MergeSide) -> list[TraitDiff]:
    """Every compared trait of both records, in form order; `differs` marks the others."""
    return [
        TraitDiff(name, TRAIT_LABELS_FR.get(name, name), _value(kept.traits, name),
                  _value(dropped.traits, name))
        for name in COMPARED_TRAITS
    ]
