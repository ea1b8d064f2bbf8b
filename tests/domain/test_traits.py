"""check_traits: the one path from typed traits to normalised `Traits` + problems."""

from __future__ import annotations

from datetime import date

import pytest

from ins_tui.domain.model import Sex, Traits
from ins_tui.domain.traits import TraitsInput, check_received_traits, check_traits
from ins_tui.refdata import load_cog

TODAY = date(2025, 3, 14)


def check(**fields):
    base = {"birth_name": "Ecetinsi", "first_names": "Pierre-Alain Muriel Floriant",
            "sex": "M", "birth_date": "14/07/2009", "birthplace": "63220"}  # fmt: skip
    base.update(fields)
    return check_traits(TraitsInput(**base), cog=load_cog(), today=TODAY)


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def test_valid_traits_are_normalised_and_changes_reported():
    result = check()
    assert result.ok
    assert result.traits == Traits(
        "ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220"
    )
    assert result.errors == []
    assert ("birth_name", "Ecetinsi", "ECETINSI") in result.changes
    assert all(p.code == "name.normalised" for p in result.warnings)


def test_capitals_alone_are_a_change_but_not_a_warning():
    """Issue 12, F11: « martin » → « MARTIN » is recorded as a change, not warned about;
    « Hélène » → « HELENE » is both."""
    result = check(birth_name="martin", first_names="Hélène")
    assert ("birth_name", "martin", "MARTIN") in result.changes
    assert [p.field for p in result.warnings] == ["first_names"]


def test_already_normal_input_has_no_warning():
    result = check(birth_name="ECETINSI", first_names="PIERRE-ALAIN MURIEL FLORIANT")
    assert result.problems == [] and result.changes == []


def test_every_problem_is_reported_at_once():
    result = check(
        birth_name="Dupont2", first_names="Marie--Anne", sex="X", birth_date="31/02/2000",
        birthplace="7501",
    )  # fmt: skip
    assert result.traits is None
    assert {p.field for p in result.errors} == {
        "birth_name", "first_names", "sex", "birth_date", "birthplace"
    }  # fmt: skip


def test_required_traits():
    result = check_traits(TraitsInput(), today=TODAY)
    assert result.traits is None
    assert {"name.empty", "name.first_names_missing", "sex.empty", "date.empty"} <= set(
        codes(result)
    )


def test_first_name_alone_starts_the_list_with_a_warning():
    result = check(first_names="", first_name="Catarina")
    assert result.ok
    assert result.traits.first_names == "CATARINA"
    assert "name.first_names_partial" in codes(result)


def test_incoherent_first_name_is_an_error():
    result = check(first_names="Catarina Bella", first_name="Ola")
    assert result.traits is None
    assert "name.first_name_incoherent" in codes(result)


def test_first_name_splitting_a_composed_one_is_a_warning():
    result = check(first_name="Pierre")
    assert result.ok and result.traits.first_name == "PIERRE"
    assert "name.first_name_splits_compound" in codes(result)


def test_coherent_composed_first_name_kept():
    result = check(first_names="Jean Christophe Pierre", first_name="Jean-Christophe")
    assert result.ok
    assert result.traits.first_first_name == "JEAN-CHRISTOPHE"


def test_used_names_never_filled_automatically():
    result = check()
    assert result.traits.used_name is None and result.traits.used_first_name is None
    result = check(used_name="Martin-Dupont", used_first_name="Pierrot")
    assert (result.traits.used_name, result.traits.used_first_name) == ("MARTIN-DUPONT", "PIERROT")


def test_used_first_name_follows_first_name_rules():
    result = check(used_first_name="Jean-")
    assert result.traits is None
    assert "name.first_name_end" in codes(result)


def test_incomplete_date_is_completed_and_flagged():
    result = check(birth_date="00/00/1950")
    assert result.ok and result.traits.birth_date == "1950-12-31"
    assert result.birth_date.incomplete
    assert "date.completed" in codes(result)


@pytest.mark.parametrize(
    ("place", "code", "ok"),
    [
        ("99999", "cog.unknown_place", True),
        ("99100", "cog.france_country", True),
        ("01999", "cog.unknown_code", True),  # well-formed, unknown: accepted with warning
        ("2a004", None, True),
        ("20004", None, True),  # former Corsican code
        ("ABCDE", "cog.format", False),
    ],
)
def test_birthplace(place, code, ok):
    result = check(birthplace=place)
    assert result.ok is ok
    if code:
        assert code in codes(result)
    else:
        assert result.problems == [p for p in result.problems if p.code == "name.normalised"]


def test_birthplace_optional():
    assert check(birthplace="").traits.birthplace is None


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        (Traits("D'ARTAGNAN DE L'HERAULT", "PIERRE", Sex.M, "1960-01-01"), []),
        (Traits("D’ÆION", "CŒUR", Sex.M, "1960-01-01"), ["name.char", "name.char"]),
        (Traits("DUPONT", "CATARINA BELLA", Sex.F, "1936-06-21", first_name="OLA"),
         ["name.first_name_incoherent"]),
    ],
)  # fmt: skip
def test_received_traits_are_judged_not_altered(traits, expected):
    before = repr(traits)
    assert [p.code for p in check_received_traits(traits)] == expected
    assert repr(traits) == before


def test_errors_and_warnings_split_by_the_one_problems_rule():
    from dataclasses import dataclass, field

    from ins_tui.domain.problems import Problem, ProblemsView, error, warning

    result = check(birth_name="dupönt", sex="X")  # one warning (accent dropped), one error
    assert [p.code for p in result.errors] == ["sex.value"]
    assert "name.normalised" in [p.code for p in result.warnings]
    assert set(result.errors) | set(result.warnings) == set(result.problems)

    @dataclass(frozen=True, slots=True)
    class Other(ProblemsView):  # any result type gets the same split
        problems: list[Problem] = field(default_factory=list)

    other = Other([warning("sex", "w", "w"), error("sex", "e", "e")])
    assert [p.code for p in other.errors] == ["e"] and [p.code for p in other.warnings] == ["w"]
