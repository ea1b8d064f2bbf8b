"""Local vs INS traits: per-trait verdicts and the perfect-match definition (decisions.md)."""

from __future__ import annotations

import dataclasses

import pytest

from ins_tui.domain.compare import ComparePolicy, Verdict, compare_traits
from ins_tui.domain.model import Sex, Traits
from ins_tui.refdata import load_cog

# CNDA 2.04 identity as INSi returns it (ListePrenom only, no Prenom).
INS = Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220")
LOCAL = INS


def verdicts(comparison) -> dict[str, Verdict]:
    return {row.trait: row.verdict for row in comparison.rows}


def test_identical_traits_are_a_perfect_match():
    result = compare_traits(LOCAL, INS)
    assert result.perfect
    assert set(verdicts(result).values()) == {Verdict.SAME}
    assert result.differing == []


def test_verdict_words_and_symbols():
    assert [(v.word_fr, v.symbol, v.ascii_symbol) for v in Verdict] == [
        ("identique", "=", "="),
        ("équivalent", "≈", "~"),
        ("différent", "≠", "!"),
        ("absent", "∅", "-"),
    ]
    assert all(v.ascii_symbol.isascii() for v in Verdict)


@pytest.mark.parametrize(
    ("change", "trait", "verdict", "perfect"),
    [
        ({"birth_name": "ECETINSY"}, "birth_name", Verdict.DIFFERENT, False),
        ({"sex": Sex.F}, "sex", Verdict.DIFFERENT, False),
        ({"birth_date": "2009-07-15"}, "birth_date", Verdict.DIFFERENT, False),
        ({"birthplace": "63113"}, "birthplace", Verdict.DIFFERENT, False),
        ({"birthplace": None}, "birthplace", Verdict.MISSING, False),  # safest default
        ({"first_names": "PIERRE ALAIN MURIEL FLORIANT"}, "first_names", Verdict.EQUIVALENT, True),
        ({"first_names": "PIERRE-ALAIN"}, "first_names", Verdict.DIFFERENT, False),
        ({"first_names": "MURIEL"}, "first_names", Verdict.DIFFERENT, False),
        ({"first_name": "PIERRE-ALAIN"}, "first_name", Verdict.SAME, True),
        ({"first_name": "PIERRE ALAIN"}, "first_name", Verdict.EQUIVALENT, True),
        ({"first_name": "PIERRE-ALAIN MURIEL"}, "first_name", Verdict.EQUIVALENT, True),
        ({"first_name": "PIERRE"}, "first_name", Verdict.DIFFERENT, False),  # splits a compound
        ({"first_name": "MURIEL"}, "first_name", Verdict.DIFFERENT, False),
        ({"birth_name": "Ecetinsi"}, "birth_name", Verdict.SAME, True),  # after normalisation
    ],
)
def test_one_trait_changed_locally(change, trait, verdict, perfect):
    result = compare_traits(dataclasses.replace(LOCAL, **change), INS)
    assert verdicts(result)[trait] is verdict
    assert result.perfect is perfect
    others = {t: v for t, v in verdicts(result).items() if t != trait}
    if trait not in ("first_names", "first_name"):
        assert set(others.values()) == {Verdict.SAME}


def test_cnda_2_07_first_name_ola_is_different():
    ins = Traits("TCHITCHI", "CATARINA BELLA", Sex.F, "1936-06-21", "63220")
    local = Traits("TCHITCHI", "OLA", Sex.F, "1936-06-21", "63220")
    result = compare_traits(local, ins)
    assert verdicts(result)["first_name"] is Verdict.DIFFERENT
    assert not result.perfect


def test_explicit_ins_first_name():
    ins = dataclasses.replace(INS, first_name="PIERRE-ALAIN")
    local = dataclasses.replace(LOCAL, first_name="PIERRE ALAIN")
    assert verdicts(compare_traits(local, ins))["first_name"] is Verdict.EQUIVALENT
    local = dataclasses.replace(LOCAL, first_name="PIERRE-ALAIN MURIEL")
    assert verdicts(compare_traits(local, ins))["first_name"] is Verdict.DIFFERENT


def test_policy_missing_birthplace_tolerated():
    local = dataclasses.replace(LOCAL, birthplace=None)
    policy = ComparePolicy(missing_birthplace_blocks=False)
    assert compare_traits(local, INS, policy).perfect
    assert not compare_traits(local, INS).perfect


def test_policy_strict_first_names():
    local = dataclasses.replace(LOCAL, first_names="PIERRE ALAIN MURIEL FLORIANT")
    policy = ComparePolicy(first_names_equivalence=False)
    assert not compare_traits(local, INS, policy).perfect


def test_policy_partial_first_name_list():
    local = dataclasses.replace(LOCAL, first_names="PIERRE-ALAIN")
    assert not compare_traits(local, INS).perfect
    result = compare_traits(local, INS, ComparePolicy(partial_first_names_ok=True))
    assert verdicts(result)["first_names"] is Verdict.EQUIVALENT
    assert result.perfect


def test_missing_trait_on_ins_side_is_missing():
    ins = dataclasses.replace(INS, birthplace=None, sex=None)
    result = compare_traits(LOCAL, ins)
    assert verdicts(result)["birthplace"] is Verdict.MISSING
    assert verdicts(result)["sex"] is Verdict.MISSING
    assert not result.perfect


def test_former_corsican_code_matches_current_commune_with_tables():
    # INSi returned 20020 in 2022 (before 2A/2B); the desk typed today's code.
    ins = Traits("CORSE", "ANTHONY", Sex.M, "1980-03-02", "20020")
    local = dataclasses.replace(ins, birthplace="2B020")
    assert verdicts(compare_traits(local, ins))["birthplace"] is Verdict.DIFFERENT
    result = compare_traits(local, ins, cog=load_cog())
    assert verdicts(result)["birthplace"] is Verdict.EQUIVALENT
    assert result.perfect


def test_rows_carry_french_labels_and_values():
    result = compare_traits(dataclasses.replace(LOCAL, birth_date="2009-07-15"), INS)
    row = result.row("birth_date")
    assert (row.label_fr, row.local, row.ins) == ("Date de naissance", "2009-07-15", "2009-07-14")
    assert [r.trait for r in result.rows] == [
        "birth_name", "first_name", "first_names", "sex", "birth_date", "birthplace",
    ]  # fmt: skip
