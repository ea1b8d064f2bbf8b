"""The merge rule (domain/merge.py): which pair may merge, which survivor, what needs a reason.

Tried: every refusal (itself, already merged, two INS, an INS the survivor would lose,
douteuse/fictive without and with a reason, a reason too short or too long), the default
survivor by status then age, and the marked traits. Before the rule existed nothing stopped
two people with different INS from being merged by the back-office tool.
"""

from __future__ import annotations

from ins_tui.domain.merge import (
    MAX_REASON,
    MergeSide,
    default_survivor,
    judge,
    trait_diffs,
)
from ins_tui.domain.model import Attribute, Sex, Status, Traits

T = Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT")
OID = "1.2.250.1.213.1.4.10"


def side(pid: int, status: Status = Status.PROV, *, created: str = "2025-01-01T10:00:00",
         ins: str | None = None, attrs: frozenset[Attribute] = frozenset(),
         merged_into: int | None = None, traits: Traits = T) -> MergeSide:
    return MergeSide(pid, status, traits, created, attrs, ins, OID if ins else None,
                     merged_into)


def test_default_survivor_is_the_more_trusted_then_the_older() -> None:
    """QUAL > VALI > RECUP > PROV whatever the age; same status: the older, then lower id."""
    qual, prov = side(2, Status.QUAL, created="2025-06-01"), side(1, created="2020-01-01")
    assert default_survivor(prov, qual) == (qual, prov)
    vali, recup = side(3, Status.VALI), side(4, Status.RECUP)
    assert default_survivor(recup, vali)[0] is vali
    old, young = side(9, created="2024-01-01T08:00:00"), side(5, created="2025-01-01T08:00:00")
    assert default_survivor(young, old)[0] is old
    same_a, same_b = side(7), side(6)
    assert default_survivor(same_a, same_b)[0] is same_b


def test_refusals_in_french() -> None:
    """Itself, an already merged record, two different INS: refused, no override possible."""
    assert not judge(side(1), side(1)).allowed
    assert "lui-même" in judge(side(1), side(1)).message_fr
    merged = judge(side(1), side(2, merged_into=3))
    assert not merged.allowed and "déjà fusionné dans le dossier n° 3" in merged.message_fr
    two = judge(side(1, Status.QUAL, ins="109076322083489"),
                side(2, Status.QUAL, ins="209076322083439"), "raison valable")
    assert not two.allowed and two.code == "ins" and not two.needs_override
    assert "pas la même personne" in two.message_fr
    same_ins = judge(side(1, Status.QUAL, ins="109076322083489"),
                     side(2, Status.RECUP, ins="109076322083489"))
    assert same_ins.allowed


def test_an_ins_only_the_dropped_record_has_is_not_lost() -> None:
    """Keeping the record without INS would drop the INS: refused, the swap is named."""
    decision = judge(side(1, Status.VALI), side(2, Status.RECUP, ins="109076322083489"))
    assert not decision.allowed and decision.code == "ins_lost"
    assert "conserver plutôt le dossier n° 2" in decision.message_fr


def test_doubtful_or_fictive_needs_a_bounded_reason() -> None:
    """douteuse/fictive: refused without a reason, with a too short or too long one; the
    cleaned reason is what the store journals."""
    doubtful = side(2, attrs=frozenset({Attribute.DOUTEUSE}))
    refused = judge(side(1), doubtful)
    assert not refused.allowed and refused.needs_override and "douteuse" in refused.message_fr
    assert not judge(side(1), doubtful, "   ").allowed
    assert not judge(side(1), doubtful, "ok").allowed
    assert not judge(side(1), doubtful, "x" * (MAX_REASON + 1)).allowed
    ok = judge(side(1, attrs=frozenset({Attribute.FICTIVE})), doubtful,
               "  même patient,   pièce vue  ")
    assert ok.allowed and ok.override_reason == "même patient, pièce vue"


def test_trait_diffs_mark_only_what_differs() -> None:
    other = Traits("ADRTROIS", "TOUSSAINT JEAN", Sex.M, "1960-01-01", None, "TOUSSAINT")
    diffs = trait_diffs(side(1), side(2, traits=other))
    assert [d.trait for d in diffs if d.differs] == ["first_names", "birthplace"]
    assert {d.label_fr for d in diffs if d.differs} == {"Prénoms de naissance",
                                                       "Lieu de naissance"}


def test_different_sex_or_birth_date_needs_a_reason() -> None:
    """Tried in the running app: BAILLY Odette (F, 1982) and RIVIERE Jean-Marc (M, 1962),
    typed by number, merged after a plain « o ». Now a different sex or birth date is
    refused without a stated reason (a mistyped duplicate is still mergeable with one);
    a different birth name alone (a typo) is not."""
    import dataclasses

    other_sex = dataclasses.replace(T, sex=Sex.F)
    other_date = dataclasses.replace(T, birth_date="1961-01-01")
    for traits, words in ((other_sex, "Sexe différents"),
                          (other_date, "Date de naissance différents")):
        refused = judge(side(1), side(2, traits=traits))
        assert not refused.allowed and refused.needs_override, refused
        assert words in refused.message_fr
        allowed = judge(side(1), side(2, traits=traits), "date mal saisie à l'accueil")
        assert allowed.allowed and allowed.override_reason == "date mal saisie à l'accueil"
    typo = judge(side(1), side(2, traits=dataclasses.replace(T, birth_name="ADRTROIX")))
    assert typo.allowed and not typo.needs_override
