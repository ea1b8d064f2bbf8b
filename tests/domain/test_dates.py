"""Birth dates: typed (complete, incomplete by the RNIV rule), and raw card dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ins_tui.domain.dates import format_fr, parse_card_date, parse_typed_date

TODAY = date(2025, 3, 14)


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("14/07/2009", "2009-07-14"),
        ("2009-07-14", "2009-07-14"),
        ("14-07-2009", "2009-07-14"),
        ("14.07.2009", "2009-07-14"),
        ("14072009", "2009-07-14"),
        ("1/7/2009", "2009-07-01"),
        (" 29/02/2000 ", "2000-02-29"),
        ("14/03/2025", "2025-03-14"),  # born today
    ],
)
def test_full_dates(typed, iso):
    birth, problems = parse_typed_date(typed, today=TODAY)
    assert problems == []
    assert birth.iso == iso and not birth.incomplete and not birth.lunar
    assert birth.raw == typed.strip()


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("00/07/2009", "2009-07-01"),  # day unknown → 01
        ("14/00/2009", "2009-01-14"),  # month unknown → January
        ("00/00/2009", "2009-12-31"),  # both unknown → 31 December
        ("XX/XX/1950", "1950-12-31"),
        ("??/07/1950", "1950-07-01"),
        ("07/2009", "2009-07-01"),
        ("2009", "2009-12-31"),
        ("31/00/1980", "1980-01-31"),
    ],
)
def test_incomplete_dates_are_completed_by_the_rniv_rule_and_flagged(typed, iso):
    birth, problems = parse_typed_date(typed, today=TODAY)
    assert birth.iso == iso
    assert birth.incomplete
    assert [p.code for p in problems] == ["date.completed"]
    assert problems[0].severity == "warning"
    assert typed in problems[0].message


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "date.empty"),
        ("demain", "date.format"),
        ("14/07/09", "date.format"),  # no century: never guessed
        ("31/02/2000", "date.calendar"),
        ("29/02/2001", "date.calendar"),
        ("12/13/2000", "date.month"),
        ("32/01/2000", "date.day"),
        ("01/01/1750", "date.year"),
        ("15/03/2025", "date.future"),
        ("2099", "date.future"),
    ],
)
def test_bad_dates_are_refused_in_french(typed, code):
    birth, problems = parse_typed_date(typed, today=TODAY)
    assert birth is None
    assert [p.code for p in problems] == [code]
    assert problems[0].severity == "error"


def test_very_old_date_is_a_warning():
    birth, problems = parse_typed_date("01/01/1890", today=TODAY)
    assert birth.iso == "1890-01-01"
    assert [p.code for p in problems] == ["date.very_old"]


@pytest.mark.parametrize(
    ("raw", "iso", "lunar"),
    [
        ("19800302", "1980-03-02", False),
        (b"19800302", "1980-03-02", False),
        ("19801300", "1980-12-31", True),  # month 13, day 00: both unknown
        ("19800000", "1980-12-31", True),
        ("19800015", "1980-01-15", True),  # month unknown, day known
        ("19800232", "1980-02-01", True),  # day 32
        ("19800230", "1980-02-01", True),  # 30 February
        ("19800500", "1980-05-01", True),
    ],
)
def test_card_dates(raw, iso, lunar):
    birth = parse_card_date(raw)
    assert birth.iso == iso
    assert birth.lunar is lunar
    assert birth.incomplete is lunar
    assert birth.raw == (raw.decode() if isinstance(raw, bytes) else raw)


@pytest.mark.parametrize("raw", ["", None, "1980", "ABCDEFGH", "00000101", "1980-3-2", b"\xff\xfe"])
def test_unreadable_card_dates_are_kept_raw(raw):
    birth = parse_card_date(raw)
    assert birth.iso is None and birth.lunar


@given(
    st.one_of(st.text(max_size=12), st.binary(max_size=12), st.from_regex(r"\d{8}", fullmatch=True))
)
def test_card_date_never_raises(raw):
    birth = parse_card_date(raw)
    if birth.iso is not None:
        date.fromisoformat(birth.iso)


@given(st.text(max_size=20))
def test_typed_date_never_raises(text):
    birth, problems = parse_typed_date(text, today=TODAY)
    assert (birth is None) == any(p.severity == "error" for p in problems)


def test_format_fr():
    assert format_fr("2009-07-14") == "14/07/2009"
    assert format_fr(None) == ""
