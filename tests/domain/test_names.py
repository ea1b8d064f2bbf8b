"""Names: the INSi character set, its placement rules, transliteration, EXI ID 10.

Every accepted / normalised / refused example of identity-rules.md §4 and every
row of the §5 coherence table is a case here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ins_tui.domain.names import (
    INSI_CHARSET,
    MAX_LENGTH,
    NameKind,
    check_insi_name,
    equivalent_first_names,
    first_name_coherent,
    first_name_splits_compound,
    normalise_name,
)

B = NameKind.BIRTH_NAME
L = NameKind.FIRST_NAMES
F = NameKind.FIRST_NAME
U = NameKind.USED_NAME
UF = NameKind.USED_FIRST_NAME


def codes(problems) -> set[str]:
    return {p.code for p in problems}


# --- identity-rules.md §4 examples --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("D'ARTAGNAN DE L'HERAULT", B),  # CNDA 2.03 cas 1
        ("PIERRE-ALAIN", L),
        ("PATB-QUATRE", L),
        ("DUPONT--DURAND", B),  # double hyphen in the family name
        ("DUPONT--DURAND", U),  # the used name is a family name too
        ("'T HOOFT", B),  # leading apostrophe allowed by the cited rule
        ("JEAN CHRISTOPHE PIERRE", L),
        ("ANNE-SOPHIE", F),
        ("D'ARC", B),
    ],
)
def test_accepted_as_given(text, kind):
    assert check_insi_name(text, kind) == []
    result = normalise_name(text, kind)
    assert result.value == text
    assert not result.changed
    assert result.problems == []


@pytest.mark.parametrize(
    ("typed", "kind", "expected"),
    [
        ("Dupont", B, "DUPONT"),
        ("Hélène", L, "HELENE"),
        ("D’ÆION", B, "D'AEION"),  # CNDA 2.03 cas 3, when typed by a person
        ("CŒUR", L, "COEUR"),
        ("  jean   pierre ", L, "JEAN PIERRE"),  # trimmed and collapsed
        (" DUPONT", B, "DUPONT"),
        ("François-Xavier", L, "FRANCOIS-XAVIER"),
        ("Gaëlle Zoé", L, "GAELLE ZOE"),
        ("Łukasz", L, "LUKASZ"),
        ("Strauß", B, "STRAUSS"),
        ("Ørsted", B, "ORSTED"),
        ("l‘Hôpital", B, "L'HOPITAL"),
        ("Jean–Marc", L, "JEAN-MARC"),  # en dash typed by a word processor
        ("Ａｎｎａ", L, "ANNA"),  # full-width letters
        ("Marie\u00a0Claire", L, "MARIE CLAIRE"),  # no-break space
    ],
)
def test_typed_names_are_normalised_and_shown(typed, kind, expected):
    result = normalise_name(typed, kind)
    assert result.value == expected
    assert result.changed
    assert result.problems == []
    assert check_insi_name(expected, kind) == []


@pytest.mark.parametrize(
    ("typed", "rewritten"),
    [
        ("Dupont", False), ("  jean   pierre ", False), ("d'arc-en-ciel", False),
        ("Marie\u00a0Claire", False),  # a space of another kind is still a space
        ("Hélène", True), ("CŒUR", True), ("Strauß", True), ("l‘Hôpital", True),
        ("Jean–Marc", True), ("Ａｎｎａ", True),
    ],
)  # fmt: skip
def test_rewritten_only_when_a_character_really_changed(typed, rewritten):
    """Issue 12, F11: capitals and spacing are not worth a warning; a dropped accent, a
    split ligature, another apostrophe or dash are (the person may not have meant it)."""
    assert normalise_name(typed, L).rewritten is rewritten


@pytest.mark.parametrize(
    ("text", "kind", "suggestion", "named"),
    [
        ("D’ÆION", B, "D'AEION", ["’", "Æ"]),
        ("CŒUR", L, "COEUR", ["Œ"]),
        ("Dupont", B, "DUPONT", ["minuscules"]),
        ("HÉLÈNE", L, "HELENE", ["É", "È"]),
    ],
)
def test_check_insi_name_refuses_as_sent_and_tells_the_normalised_form(
    text, kind, suggestion, named
):
    problems = check_insi_name(text, kind)
    assert [p.code for p in problems] == ["name.char"]
    message = problems[0].message
    assert f"« {suggestion} »" in message
    for part in named:
        assert part in message


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        (" DUPONT", B, "name.leading"),
        ("-MARIE", L, "name.leading"),
        ("JEAN  PIERRE", L, "name.double_space"),
        ("D''ARC", B, "name.double_apostrophe"),
        ("L' HERAULT", B, "name.space_apostrophe"),
        ("L 'HERAULT", B, "name.space_apostrophe"),
        ("MARIE--ANNE", F, "name.double_hyphen"),
        ("MARIE--ANNE", L, "name.double_hyphen"),
        ("MARIE--ANNE", UF, "name.double_hyphen"),
        ("DUPONT---DURAND", B, "name.triple_hyphen"),
        ("MARIE-", F, "name.first_name_end"),
        ("JEAN'", F, "name.first_name_end"),
        ("JEAN- PIERRE", L, "name.first_name_end"),
        ("JEAN -PIERRE", L, "name.first_name_start"),
        ("DUPONT ", B, "name.trailing_space"),
        ("'-'", B, "name.no_letter"),
        ("", B, "name.empty"),
        ("A" * 101, B, "name.too_long"),
        ("DUPONT2", B, "name.char"),
        ("DUPONT_MARTIN", B, "name.char"),
        ("DUPONT/MARTIN", B, "name.char"),
    ],
)
def test_refused_as_given(text, kind, code):
    assert code in codes(check_insi_name(text, kind))


@pytest.mark.parametrize(
    ("typed", "kind", "code"),
    [
        ("-Marie", L, "name.leading"),
        ("d''Arc", B, "name.double_apostrophe"),
        ("L’ Hérault", B, "name.space_apostrophe"),
        ("Marie--Anne", F, "name.double_hyphen"),
        ("Marie-", F, "name.first_name_end"),
        ("Jean’", L, "name.first_name_end"),
        ("   ", B, "name.empty"),
        (None, B, "name.empty"),
        ("é" * 101, B, "name.too_long"),
    ],
)
def test_normalisation_never_repairs_a_placement_error(typed, kind, code):
    result = normalise_name(typed, kind)
    assert result.value is None
    assert code in codes(result.problems)
    assert all(p.severity == "error" for p in result.problems)


@pytest.mark.parametrize(
    ("typed", "bad"),
    [
        ("DUPONT2", "« 2 »"),
        ("Dupont_Martin", "« _ »"),
        ("Dupont/Martin", "« / »"),
        ("Ζωή", "« Ζ »"),
        ("Dupont½", "« ½ »"),
        ("Du\tpont\x00", "U+0000"),
    ],
)
def test_characters_without_mapping_are_refused_and_named(typed, bad):
    result = normalise_name(typed, B)
    assert result.value is None
    assert "name.unmapped" in codes(result.problems)
    assert any(bad in p.message for p in result.problems)


def test_each_unmapped_character_is_named_once():
    result = normalise_name("A1B1C2", B)
    named = [p.message.split("»")[0] for p in result.problems]
    assert named == ["Caractère « 1 ", "Caractère « 2 "]


def test_limits_are_the_documented_ones():
    assert all(limit == 100 for limit in MAX_LENGTH.values())
    assert normalise_name("A" * 100, B).value == "A" * 100
    assert normalise_name("A" * 101, B).value is None


def test_messages_are_french_and_name_the_field():
    (problem,) = check_insi_name("MARIE--ANNE", F)
    assert "premier prénom de naissance" in problem.message
    assert problem.field == "first_name"


# --- EXI ID 10: first birth first name vs the list (identity-rules.md §5) ------------------


@pytest.mark.parametrize(
    ("first_names", "first_name", "coherent"),
    [
        ("JEAN CHRISTOPHE PIERRE", "JEAN", True),
        ("JEAN CHRISTOPHE PIERRE", "JEAN CHRISTOPHE", True),
        ("JEAN CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE", True),
        ("JEAN CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE-PIERRE", True),
        ("JEAN CHRISTOPHE PIERRE", "CHRISTOPHE", False),
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE-ALAIN", True),
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE ALAIN", True),
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE", True),  # literal rule; warned elsewhere
        ("JEANNE MARIE", "JEAN", False),  # whole tokens
        ("CATARINA BELLA", "OLA", False),  # CNDA 2.07
        ("JEAN", "JEAN CHRISTOPHE", False),  # longer than the list
        ("D'ARTAGNAN", "D ARTAGNAN", True),  # apostrophe = space
        ("JEAN", "", False),
    ],
)
def test_first_name_coherence(first_names, first_name, coherent):
    assert first_name_coherent(first_name, first_names) is coherent


@pytest.mark.parametrize(
    ("first_names", "first_name", "splits"),
    [
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE", True),
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE-ALAIN", False),
        ("PIERRE-ALAIN MURIEL FLORIANT", "PIERRE ALAIN MURIEL", False),
        ("JEAN CHRISTOPHE PIERRE", "JEAN", False),
        ("JEAN CHRISTOPHE PIERRE", "CHRISTOPHE", False),  # not coherent at all
    ],
)
def test_first_name_splitting_a_composed_first_name(first_names, first_name, splits):
    assert first_name_splits_compound(first_name, first_names) is splits


@pytest.mark.parametrize(
    ("a", "b", "equivalent"),
    [
        ("JEAN-PIERRE", "JEAN PIERRE", True),
        ("ANNE-SOPHIE", "ANNE SOPHIE", True),
        ("JEAN-PIERRE", "JEAN", False),
        ("JEANNE", "JEAN", False),
        ("", "", False),
    ],
)
def test_equivalent_first_names(a, b, equivalent):
    assert equivalent_first_names(a, b) is equivalent


# --- properties ---------------------------------------------------------------------------

_kinds = st.sampled_from(list(NameKind))
_namey = st.text(
    alphabet=st.sampled_from(list("abcdeéèêëàâîïôöùûüçæœÆŒ’'-  ABCXYZß")), max_size=40
)


@given(st.text(max_size=60), _kinds)
def test_output_is_insi_charset_or_refused(text, kind):
    result = normalise_name(text, kind)
    if result.value is None:
        assert any(p.severity == "error" for p in result.problems)
    else:
        assert set(result.value) <= INSI_CHARSET
        assert check_insi_name(result.value, kind) == []


@given(_namey, _kinds)
def test_normalisation_is_idempotent(text, kind):
    first = normalise_name(text, kind)
    if first.value is not None:
        again = normalise_name(first.value, kind)
        assert again.value == first.value
        assert not again.changed


@given(st.text(max_size=60), _kinds)
def test_check_insi_name_never_alters_and_agrees_with_normalisation(text, kind):
    problems = check_insi_name(text, kind)
    if not problems:
        assert normalise_name(text, kind).value == text
