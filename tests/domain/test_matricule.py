"""Matricule INS: the key (2A/2B), parsing typed input, what a NIR says, the OIDs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ins_tui.domain.matricule import (
    check_matricule,
    compute_key,
    describe_nir,
    parse_matricule,
)
from ins_tui.domain.model import (
    OID_DEMO_NIR,
    OID_INS_NIA,
    OID_INS_NIR,
    OID_TEST_NIR,
    Sex,
)

# identity-rules.md §7 checks, and the published test identities of insi-contract.md §8.
KNOWN_KEYS = [
    ("160012B020777", "13"),
    ("297022A020778", "78"),
    ("2751263220749", "74"),
    ("1090763220834", "89"),
    ("1090763220888", "35"),
    ("2360663220836", "56"),
    ("180032B020401", "23"),
    ("2770763220829", "10"),
]


@pytest.mark.parametrize(("number", "key"), KNOWN_KEYS)
def test_known_keys(number, key):
    assert compute_key(number) == key
    assert check_matricule(number, key)


def test_cnda_2_08_keys_fail_but_are_only_reported():
    # TEST_2.08_cas2 carries keys failing mod 97: check says so, nothing raises.
    assert not check_matricule("1810363220456", "60")
    assert compute_key("1810363220456") == "76"
    assert not check_matricule("2810363220456", "10")


@pytest.mark.parametrize("bad", ["", "12345", "160012C020777", "1600122A20777", "16001X2020777"])
def test_malformed_numbers(bad):
    with pytest.raises(ValueError):
        compute_key(bad)
    assert not check_matricule(bad, "13")


def test_key_must_be_two_digits():
    assert not check_matricule("160012B020777", "3")
    assert not check_matricule("160012B020777", "1a")


def test_key_is_written_on_two_digits():
    # 97 − N mod 97 below 10 keeps its leading zero.
    number = next(
        f"1800175{i:06d}" for i in range(10**6) if 97 - int(f"1800175{i:06d}") % 97 < 10
    )
    key = compute_key(number)
    assert len(key) == 2 and key.startswith("0")


@given(st.from_regex(r"[12]\d{12}", fullmatch=True))
def test_key_formula_on_digit_numbers(number):
    assert compute_key(number) == f"{97 - int(number) % 97:02d}"
    assert check_matricule(number, compute_key(number))


@given(st.from_regex(r"[12]\d{4}2[AB]\d{6}", fullmatch=True))
def test_corsica_substitution(number):
    digits = number[:5] + ("19" if number[6] == "A" else "18") + number[7:]
    assert compute_key(number) == f"{97 - int(digits) % 97:02d}"


@pytest.mark.parametrize(
    "typed",
    ["160012B02077713", "1 60 01 2B 020 777 13", "1.60.01.2b.020.777.13", "160012b02077713"],
)
def test_parse_typed_matricule(typed):
    parts, problems = parse_matricule(typed)
    assert problems == []
    assert parts.number == "160012B020777" and parts.key == "13" and parts.key_ok
    assert parts.matricule == "160012B02077713"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "matricule.empty"),
        ("16001", "matricule.length"),
        ("160012C02077713", "matricule.format"),
        ("16001ZB02077713", "matricule.format"),
        ("160012B020777XX", "matricule.format"),
        ("160012B02077714", "matricule.key"),
    ],
)
def test_parse_refuses_with_french_message(typed, code):
    parts, problems = parse_matricule(typed)
    assert [p.code for p in problems] == [code]
    assert problems[0].message.strip()
    if code == "matricule.key":
        assert parts is not None and not parts.key_ok
        assert "13" in problems[0].message  # tells the expected key
    else:
        assert parts is None


def test_describe_nir():
    info = describe_nir("297022A020778")
    assert (info.sex, info.birth_year, info.birth_month, info.place) == (Sex.F, 97, 2, "2A020")
    assert not info.born_abroad and not info.temporary
    info = describe_nir("1090763220834")
    assert (info.sex, info.birth_year, info.birth_month, info.place) == (Sex.M, 9, 7, "63220")


def test_describe_nir_abroad_unknown_month_and_temporary():
    info = describe_nir("1855099132123")
    assert info.born_abroad and info.place == "99132"
    assert info.birth_month is None  # 50: conventional unknown month
    assert describe_nir("7800175123456").temporary
    assert describe_nir("8800175123456").sex is Sex.F
    with pytest.raises(ValueError):
        describe_nir("ABC")


@pytest.mark.parametrize(
    ("oid", "valid"),
    [
        (OID_INS_NIR, True),
        (OID_INS_NIA, True),
        (OID_TEST_NIR, True),
        (OID_DEMO_NIR, True),
        ("1.2.250.1.213.1.4.8", True),
        ("1.2.250.1.213.1.4.2", False),  # legacy INS-C
        ("1.2.250.1.213.1.4.5", False),  # wrong value used by public projects
        ("1.2.250.1.213.1.1.1", False),
        ("", False),
        (None, False),
    ],
)
def test_oids(oid, valid):
    from ins_tui.domain.matricule import is_valid_oid

    assert is_valid_oid(oid) is valid


@pytest.mark.parametrize("bad", ["1090763220X34", "12345", "2A9076322083"])
@pytest.mark.parametrize("fn", [compute_key, describe_nir])
def test_malformed_number_error_never_repeats_the_number(fn, bad):
    """Privacy: exception text may reach a log, so it must not carry the NIR typed."""
    with pytest.raises(ValueError) as caught:
        fn(bad)
    assert bad not in str(caught.value) and "mal formé" in str(caught.value)


def test_typed_nir_query_forms() -> None:
    from ins_tui.domain.matricule import typed_nir_query

    assert typed_nir_query("1 09 07 63 220 834 89") == ("1090763220834", [])
    assert typed_nir_query("1090763220834") == ("1090763220834", [])
    assert typed_nir_query("1.80.03.2b.020.401-23") == ("180032B020401", [])
    assert typed_nir_query("2 97 02 2A 020 778 78") == ("297022A020778", [])
    for not_a_nir in ("dupont", "12/03/1980", "123456789012", "1090763220834 8", ""):
        assert typed_nir_query(not_a_nir) == (None, []), not_a_nir
    number, problems = typed_nir_query("1 09 07 63 220 834 88")
    assert number is None and [p.code for p in problems] == ["matricule.key"]
    assert "1090763220834" not in problems[0].message
