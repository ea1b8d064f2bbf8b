"""Sex, birthplace codes (with the real compact tables), high-trust documents."""

from __future__ import annotations

import pytest

from ins_tui.domain.cog import check_birthplace, is_well_formed, same_place
from ins_tui.domain.documents import (
    ALL_DOCUMENTS,
    UnknownDocumentError,
    document,
    documents_from_codes,
    is_high_trust,
)
from ins_tui.domain.model import Sex
from ins_tui.domain.sex import parse_sex
from ins_tui.refdata import load_cog


@pytest.mark.parametrize(
    ("typed", "sex"),
    [("F", Sex.F), ("f", Sex.F), ("Féminin", Sex.F), ("femme", Sex.F), ("2", Sex.F),
     ("M", Sex.M), ("m", Sex.M), ("H", Sex.M), ("Homme", Sex.M), ("masculin", Sex.M),
     ("1", Sex.M), (Sex.F, Sex.F)],
)  # fmt: skip
def test_sex_accepted(typed, sex):
    assert parse_sex(typed) == (sex, [])


@pytest.mark.parametrize(("typed", "code"), [("", "sex.empty"), (None, "sex.empty"),
                                             ("I", "sex.value"), ("indéterminé", "sex.value"),
                                             ("U", "sex.value"), ("X", "sex.value")])  # fmt: skip
def test_sex_refused(typed, code):
    sex, problems = parse_sex(typed)
    assert sex is None and [p.code for p in problems] == [code]
    assert "F" in problems[0].message and "M" in problems[0].message


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("63220", "Mazoires"),
        ("2A004", "Ajaccio"),
        ("2B020", "Aregno"),
        ("20004", "Ajaccio — ancien code"),  # Corsica before 1976
        ("13201", "Marseille 1er Arrondissement"),
        ("97101", "Les Abymes"),
        ("99100", "France"),
        ("99132", "Royaume-Uni"),
        ("99255", "Géorgie"),
    ],
)
def test_names_from_compact_tables(code, name):
    table = load_cog()
    assert table.name_of(code) == name
    placed, problems = check_birthplace(code, table)
    assert placed == code
    assert all(p.severity == "warning" for p in problems)


def test_commune_deleguee_is_known():
    table = load_cog()
    place = next(p for p in table.find("Arbignieu") if p.kind == "deleguee")
    assert table.is_known(place.code)
    assert table.current_of("20004") == "2A004"


@pytest.mark.parametrize("code", ["2a004", " 63220 ", "99999", "01999", "96001", "98799"])
def test_well_formed(code):
    assert is_well_formed(code.strip().upper())


@pytest.mark.parametrize("code", ["6322", "632200", "00123", "2C004", "ABCDE", "75 015"])
def test_malformed_birthplace_refused(code):
    placed, problems = check_birthplace(code, load_cog())
    assert placed is None
    assert [p.code for p in problems] == ["cog.format"]
    assert "code postal" in problems[0].message


def test_unknown_well_formed_code_accepted_with_warning():
    placed, problems = check_birthplace("01999", load_cog())
    assert placed == "01999"
    assert [(p.code, p.severity) for p in problems] == [("cog.unknown_code", "warning")]
    assert check_birthplace("01999", None) == ("01999", [])  # no table: form only


def test_99999_warns_and_empty_is_allowed():
    assert [p.code for p in check_birthplace("99999", load_cog())[1]] == ["cog.unknown_place"]
    assert check_birthplace("", load_cog()) == (None, [])


def test_same_place():
    table = load_cog()
    assert same_place("20004", "2A004", table)
    assert same_place("2A004", "2A004", None)
    assert not same_place("2A004", "2B004", table)
    assert not same_place(None, "2A004", table)


def test_documents_configurable_and_none_preselected():
    from ins_tui.config import Config

    configured = documents_from_codes(Config().documents)
    assert [d.code for d in configured] == list(Config().documents)
    assert all(d.high_trust for d in configured)
    assert documents_from_codes(["pa", "PA", "ecn"]) == [document("PA"), document("eCN")]
    assert not hasattr(configured[0], "selected")


def test_documents_fr_core_codes():
    codes = {d.code for d in ALL_DOCUMENTS if d.high_trust}
    assert codes == {"CN", "PA", "CS", "eCN", "IN", "AN", "LE", "LEP", "CC", "LECV", "ANCV", "AV"}
    assert not is_high_trust("PC") and not is_high_trust("VIT")
    with pytest.raises(UnknownDocumentError, match="inconnu"):
        documents_from_codes(["CN", "PERMIS"])
