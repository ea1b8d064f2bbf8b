"""The masking rule shared by card, INSi and commands: what stays visible, and why."""

from __future__ import annotations

from ins_tui.domain.masking import (
    exception_summary,
    fingerprint,
    mask_matricule_tail,
    mask_name,
    mask_nir,
)


def test_name_keeps_only_first_letters() -> None:
    assert mask_name("D'ARTAGNAN DE L'HERAULT") == "D" + "•" * 9 + " D• L" + "•" * 8
    assert mask_name(None) == "" and mask_name("") == ""


def test_nir_keeps_only_the_sex_digit() -> None:
    assert mask_nir("109076322083489") == "1" + "•" * 14
    assert mask_nir(None) == ""


def test_matricule_tail_keeps_four_characters() -> None:
    assert mask_matricule_tail("181036322045660") == "•" * 11 + "5660"
    assert mask_matricule_tail("60") == "60"


def test_fingerprint_correlates_without_revealing() -> None:
    a, b = fingerprint("109076322083489"), fingerprint(b"109076322083489")
    assert a == b and len(a) == 12 and "0763220834" not in a
    assert fingerprint("109076322083490") != a


def test_exception_summary_names_type_and_place_not_message() -> None:
    def fail() -> None:
        raise KeyError("ADRUN ZOE 275126322074974")

    try:
        fail()
    except KeyError as exc:
        summary = exception_summary(exc)
    assert summary.startswith("builtins.KeyError at test_masking.py:")
    assert summary.endswith("(fail)")
    assert "ADRUN" not in summary and "2751263220749" not in summary
