"""Local traits against INS traits: one verdict per trait and the "perfect match".

A perfect match lets the desk import the INS traits without asking (Dec 2024
flow, identity-rules.md §10): it must therefore be strict. Definition (see
docs/decisions.md): after the §4 normalisation of both sides, birth name, sex,
birth date equal; first birth first name and list of birth first names equal or
equivalent by EXI ID 10 (hyphen/apostrophe = space, whole tokens); birthplace
equal or the same commune under a former code; a trait missing on either side
is not a match, unless the `ComparePolicy` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ins_tui.domain.cog import CogTable, same_place
from ins_tui.domain.model import TRAIT_LABELS_FR, Traits
from ins_tui.domain.names import (
    NameKind,
    equivalent_first_names,
    first_name_coherent,
    first_name_splits_compound,
    name_tokens,
    normalise_name,
)


class Verdict(Enum):
    """Per-trait verdict, shown by a word and a symbol (never by colour alone)."""

    SAME = ("identique", "=", "=")
    EQUIVALENT = ("équivalent", "≈", "~")
    DIFFERENT = ("différent", "≠", "!")
    MISSING = ("absent", "∅", "-")

    def __init__(self, word_fr: str, symbol: str, ascii_symbol: str) -> None:
        self.word_fr = word_fr
        self.symbol = symbol
        self.ascii_symbol = ascii_symbol


@dataclass(frozen=True, slots=True)
class ComparePolicy:
    """The team's choices; the defaults are the safest (nothing imported on a doubt).

    - `missing_birthplace_blocks`: a birthplace absent on either side prevents the
      perfect match (the comparison could not be made).
    - `first_names_equivalence`: EXI ID 10 equivalence (`JEAN-PIERRE` ≈ `JEAN PIERRE`)
      counts as a match for first names.
    - `partial_first_names_ok`: a local list that is only the start of the INS list
      (the full list "may be completed later") still matches.
    """

    missing_birthplace_blocks: bool = True
    first_names_equivalence: bool = True
    partial_first_names_ok: bool = False


@dataclass(frozen=True, slots=True)
class TraitComparison:
    trait: str
    label_fr: str
    local: str | None
    ins: str | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Comparison:
    rows: list[TraitComparison]
    perfect: bool

    def row(self, trait: str) -> TraitComparison:
        return next(r for r in self.rows if r.trait == trait)

    @property
    def differing(self) -> list[TraitComparison]:
        return [r for r in self.rows if r.verdict is not Verdict.SAME]


LABELS_FR = TRAIT_LABELS_FR  # kept for callers of the compare module


def _name(value: str | None, kind: NameKind) -> str | None:
    """Both sides after the §4 normalisation; a value that cannot be normalised stays as is."""
    if not value:
        return None
    return normalise_name(value, kind).value or value


def _plain(local: str | None, ins: str | None) -> Verdict:
    if not local or not ins:
        return Verdict.MISSING
    return Verdict.SAME if local == ins else Verdict.DIFFERENT


def _first_names(local: str | None, ins: str | None, policy: ComparePolicy) -> Verdict:
    if not local or not ins:
        return Verdict.MISSING
    if local == ins:
        return Verdict.SAME
    if equivalent_first_names(local, ins):
        return Verdict.EQUIVALENT
    if policy.partial_first_names_ok:
        head, full = name_tokens(local), name_tokens(ins)
        if head and full[: len(head)] == head:
            return Verdict.EQUIVALENT
    return Verdict.DIFFERENT


def _first_first_name(
    local_first: str | None, ins_first: str | None, ins: Traits, ins_list: str | None
) -> Verdict:
    """INSi often sends only the list: then the local first name must be coherent with it."""
    if not local_first or not ins_first:
        return Verdict.MISSING
    if local_first == ins_first:
        return Verdict.SAME
    if ins.first_name:
        close = equivalent_first_names(local_first, ins_first)
    else:
        # Coherent with the INS list, but not stopping inside a composed first name:
        # `PIERRE` for `PIERRE-ALAIN` is allowed by the literal rule, not a perfect match.
        close = first_name_coherent(local_first, ins_list) and not first_name_splits_compound(
            local_first, ins_list
        )
    return Verdict.EQUIVALENT if close else Verdict.DIFFERENT


def compare_traits(
    local: Traits,
    ins: Traits,
    policy: ComparePolicy | None = None,
    *,
    cog: CogTable | None = None,
) -> Comparison:
    """Compare trait by trait; `cog` lets a former commune code match its current one."""
    policy = policy or ComparePolicy()
    local_first = _name(local.first_first_name, NameKind.FIRST_NAME)
    ins_first = _name(ins.first_first_name, NameKind.FIRST_NAME)
    local_list = _name(local.first_names, NameKind.FIRST_NAMES)
    ins_list = _name(ins.first_names, NameKind.FIRST_NAMES)
    first_verdict = _first_first_name(local_first, ins_first, ins, ins_list)
    if (
        first_verdict is Verdict.DIFFERENT
        and local.first_name is None
        and equivalent_first_names(local_list, ins_list)
    ):
        # No explicit local first name: it was derived from a list written with spaces
        # (`PIERRE ALAIN …`) that is EXI ID 10-equivalent to the INS list.
        first_verdict = Verdict.EQUIVALENT
    birthplace_verdict = _plain(local.birthplace, ins.birthplace)
    if birthplace_verdict is Verdict.DIFFERENT and same_place(
        local.birthplace, ins.birthplace, cog
    ):
        birthplace_verdict = Verdict.EQUIVALENT
    rows = [
        (
            "birth_name",
            local.birth_name,
            ins.birth_name,
            _plain(
                _name(local.birth_name, NameKind.BIRTH_NAME),
                _name(ins.birth_name, NameKind.BIRTH_NAME),
            ),
        ),
        ("first_name", local_first, ins_first, first_verdict),
        (
            "first_names",
            local.first_names,
            ins.first_names,
            _first_names(local_list, ins_list, policy),
        ),
        ("sex", _text(local.sex), _text(ins.sex), _plain(_text(local.sex), _text(ins.sex))),
        ("birth_date", local.birth_date, ins.birth_date, _plain(local.birth_date, ins.birth_date)),
        ("birthplace", local.birthplace, ins.birthplace, birthplace_verdict),
    ]
    comparisons = [TraitComparison(t, LABELS_FR[t], lo, i, v) for t, lo, i, v in rows]
    return Comparison(comparisons, all(_accepted(c, policy) for c in comparisons))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _accepted(row: TraitComparison, policy: ComparePolicy) -> bool:
    if row.verdict is Verdict.SAME:
        return True
    if row.verdict is Verdict.EQUIVALENT:
        return row.trait == "birthplace" or policy.first_names_equivalence
    if row.verdict is Verdict.MISSING and row.trait == "birthplace":
        return not policy.missing_birthplace_blocks
    return False
