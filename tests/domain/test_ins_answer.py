"""`check_ins_answer`: each rule an INSi CR 00 must satisfy, and each exception.

Pure: identities are built here (ECETINSI, CNDA 2.04, as the baseline), no network.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ins_tui.domain.identity_check import masked_summary
from ins_tui.domain.ins_answer import PRODUCTION_OIDS, check_ins_answer
from ins_tui.domain.matricule import compute_key
from ins_tui.domain.model import (
    INS_OIDS,
    OID_DEMO_NIR,
    OID_INS_NIA,
    OID_INS_NIR,
    OID_TEST_NIR,
    Ins,
    InsHistoryEntry,
    InsIdentity,
    Sex,
    Traits,
)
from ins_tui.domain.problems import Problem

TODAY = date(2025, 3, 14)
TRAITS = Traits(birth_name="ECETINSI", first_names="PIERRE-ALAIN MURIEL FLORIANT", sex=Sex.M,
                birth_date="2009-07-14", birthplace="63220", first_name="PIERRE-ALAIN")


def ins(number: str, oid: str = OID_INS_NIR, key: str | None = None) -> Ins:
    key = compute_key(number) if key is None else key
    return Ins(number=number, key=key, oid=oid, key_ok=key == compute_key(number))


def identity(number: str = "1090763220834", *, oid: str = OID_INS_NIR, key: str | None = None,
             history: tuple[InsHistoryEntry, ...] = (), **traits: object) -> InsIdentity:
    return InsIdentity(ins=ins(number, oid, key), traits=replace(TRAITS, **traits),
                       history=history)


def check(ident: InsIdentity, *, oids: frozenset[str] = PRODUCTION_OIDS,
          policy: str = "refuse") -> list[Problem]:
    return check_ins_answer(ident, today=TODAY, accepted_oids=oids, bad_active_key=policy)


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.severity, p.field, p.code) for p in problems]


def test_a_coherent_answer_has_no_problem() -> None:
    assert check(identity()) == []


# -- OIDs -------------------------------------------------------------------------------

def test_foreign_oid_refused() -> None:
    assert codes(check(identity(oid="1.2.3.4.5"))) == [("error", "ins", "ins.oid")]


@pytest.mark.parametrize("oid", [OID_TEST_NIR, OID_DEMO_NIR])
def test_test_and_demo_oids_only_where_accepted(oid: str) -> None:
    """A real endpoint never answers the test (.10) or demo (.11) OIDs; the simulator may."""
    assert codes(check(identity(oid=oid))) == [("error", "ins", "ins.oid")]
    assert check(identity(oid=oid), oids=INS_OIDS) == []


def test_nia_oid_accepted_in_production() -> None:
    assert check(identity(oid=OID_INS_NIA)) == []
    assert OID_INS_NIA in PRODUCTION_OIDS and OID_INS_NIR in PRODUCTION_OIDS


# -- traits: the rules of a kept identity (identity_check) --------------------------------

@pytest.mark.parametrize(("traits", "field", "code"), [
    ({"birth_date": "2099-07-14"}, "birth_date", "date.future"),
    ({"birth_date": "1800-07-14"}, "birth_date", "date.year"),
    ({"birth_date": "2009-02-30"}, "birth_date", "date.calendar"),
    ({"birth_date": "14/07/2009"}, "birth_date", "date.format"),
    ({"birth_name": "A" * 50_000}, "birth_name", "name.too_long"),
    ({"birth_name": "Ecetinsi"}, "birth_name", "name.char"),
    ({"birth_name": "ECET\u202eINSI"}, "birth_name", "name.char"),
    ({"first_name": "MURIEL"}, "first_name", "name.first_name_incoherent"),
    ({"sex": None}, "sex", "sex.missing"),
    ({"birthplace": "6322"}, "birthplace", "cog.format"),
])
def test_traits_breaking_a_kept_identity_rule_are_refused(traits, field, code) -> None:
    found = check(identity(**traits))
    assert (field, code) in [(p.field, p.code) for p in found if p.is_error], found


def test_refusal_reasons_mask_names_and_numbers() -> None:
    found = check(identity(oid="1.2.3.4.5", first_name="MURIEL", birth_name="ECETINSIX"))
    text = " ".join(masked_summary(p for p in found if p.is_error))
    assert "OID de l'INS inconnu" in text and "premier prénom" in text
    for secret in ("ECETINSI", "MURIEL", "1090763220834", "1.2.3.4.5"):
        assert secret not in text


# -- active key -----------------------------------------------------------------------------

def test_active_key_failing_mod_97_refused_by_default() -> None:
    found = check(identity(key="60"))
    assert codes(found) == [("error", "ins", "ins.key_mod97")]
    assert "1090763220834" not in found[0].message


def test_active_key_failing_mod_97_only_warns_under_the_warn_policy() -> None:
    (found,) = check(identity(key="60"), policy="warn")
    assert (found.severity, found.code) == ("warning", "ins.key_mod97")
    assert found.message == ("La clé de l'INS actif (•••••••••••3460) ne vérifie pas le "
                             "modulo 97 : conservée telle que reçue.")


def test_malformed_key_refused_whatever_the_policy() -> None:
    assert codes(check(identity(key="6"), policy="warn")) == [("error", "ins", "ins.key")]


def test_unknown_policy_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="bad_active_key"):
        check(identity(), policy="maybe")


# -- the NIR against the traits -------------------------------------------------------------

def test_sex_digit_contradicting_the_sex_refused() -> None:
    assert codes(check(identity(sex=Sex.F))) == [("error", "ins", "ins.nir_sex")]
    # 2/4/8 are women: a woman's number with sex M.
    assert codes(check(identity("2090763220834", sex=Sex.M))) == [
        ("error", "ins", "ins.nir_sex")]


@pytest.mark.parametrize("number", ["7090763220834", "1090799132834"])
def test_sex_contradiction_refused_even_for_temporary_or_born_abroad(number: str) -> None:
    assert ("error", "ins", "ins.nir_sex") in codes(check(identity(number, sex=Sex.F)))


def test_birth_year_and_month_contradicting_the_traits_refused() -> None:
    assert codes(check(identity(birth_date="2008-07-14"))) == [("error", "ins", "ins.nir_year")]
    assert codes(check(identity(birth_date="2009-08-14"))) == [("error", "ins", "ins.nir_month")]


def test_year_is_compared_on_its_last_two_digits() -> None:
    """The NIR does not encode the century: 1909 and 2009 both write 09."""
    assert check(identity(birth_date="1909-07-14")) == []


@pytest.mark.parametrize("month_code", ["20", "33", "42", "50", "99"])
def test_unknown_month_codes_are_not_compared(month_code: str) -> None:
    assert check(identity(f"109{month_code}63220834")) == []


@pytest.mark.parametrize(("number", "sex", "why"), [
    ("7090763220834", Sex.M, "numéro temporaire"),  # temporary number, a man
    ("8090763220834", Sex.F, "numéro temporaire"),  # temporary number, a woman
    ("1090799132834", Sex.M, "née à l'étranger"),  # born abroad (Royaume-Uni)
])
def test_temporary_numbers_and_people_born_abroad_only_warn_on_year_and_month(
        number: str, sex: Sex, why: str) -> None:
    found = check(identity(number, sex=sex, birth_date="2008-06-14"))
    assert codes(found) == [("warning", "ins", "ins.nir_year"),
                            ("warning", "ins", "ins.nir_month")]
    assert all(why in p.message and "à vérifier" in p.message for p in found)


def test_nia_oid_only_warns_on_year_and_month() -> None:
    found = check(identity(oid=OID_INS_NIA, birth_date="2008-07-14"))
    assert codes(found) == [("warning", "ins", "ins.nir_year")]
    # ... but not on sex.
    assert ("error", "ins", "ins.nir_sex") in codes(check(identity(oid=OID_INS_NIA, sex=Sex.F)))


def test_refused_birth_date_is_not_compared_again() -> None:
    """A future date is one reason, not three (no year/month comparison on top)."""
    assert codes(check(identity(birth_date="2099-07-14"))) == [
        ("error", "birth_date", "date.future")]


# -- history ----------------------------------------------------------------------------

def entry(number: str = "2090763220834", *, oid: str = OID_INS_NIR, key: str | None = None,
          start: str | None = "2019-03-01", end: str | None = "2019-02-28") -> InsHistoryEntry:
    return InsHistoryEntry(ins=ins(number, oid, key), date_start=start, date_end=end)


def test_history_of_another_sex_with_dates_out_of_order_is_kept() -> None:
    """Both seen live (ECETINSI, HERMANN): the history is kept as returned (§10)."""
    assert check(identity(history=(entry(),))) == []


def test_history_key_failing_mod_97_only_warns_whatever_the_policy() -> None:
    for policy in ("refuse", "warn"):
        (found,) = check(identity(history=(entry(key="10"),)), policy=policy)
        assert (found.severity, found.field, found.code) == (
            "warning", "ins_history", "ins.key_mod97")
        assert "historique n° 1 (•••••••••••3410)" in found.message


def test_history_with_a_foreign_oid_or_a_malformed_number_refused() -> None:
    found = check(identity(history=(entry(), entry(oid="1.2.3.4.5"))))
    assert codes(found) == [("error", "ins_history", "ins.oid")]
    assert "n° 2" in found[0].message
    bad = InsHistoryEntry(ins=Ins("20907632208", "39", OID_INS_NIR, False))
    assert ("error", "ins_history", "ins.number") in codes(check(identity(history=(bad,))))


@pytest.mark.parametrize(("start", "end"), [("01/03/2019", None), (None, "2019-02-30"),
                                            ("2019-3-1", "2019-02-28")])
def test_history_dates_not_iso_only_warn(start, end) -> None:
    (found,) = check(identity(history=(entry(start=start, end=end),)))
    assert (found.severity, found.code) == ("warning", "ins.history_dates")


def test_absent_history_dates_are_fine() -> None:
    assert check(identity(history=(entry(start=None, end=None),))) == []
