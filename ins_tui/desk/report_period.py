"""The period a qualification report covers: a day, a week, a month, or two given dates.

Why a value object of its own: the screen steps through periods with `[`/`]` and the CLI
takes `--from`/`--to`; both must mean the same half-open interval [start, end) of local
dates (the desk's time zone), and the same French wording of it. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# A year and then some: the Ségur indicator is read per month or per year, and a bound
# keeps one report's reads finite whatever is typed.
MAX_DAYS = 400

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class PeriodError(ValueError):
    """A period that cannot be reported on; `message_fr` is shown as is."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` away (periods of kind MONTH start on the 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end): `end` is the first day *not* counted."""

    start: date
    end: date
    kind: PeriodKind = PeriodKind.CUSTOM

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(f"Période vide : la fin ({_fr(self.last_day)}) précède le début "
                              f"({_fr(self.start)}).")
        if (self.end - self.start).days > MAX_DAYS:
            raise PeriodError(f"Période trop longue ({(self.end - self.start).days} jours) : "
                              f"{MAX_DAYS} jours au plus.")

    # -- construction ----------------------------------------------------------------
    @classmethod
    def day_of(cls, day: date) -> Period:
        return cls(day, day + timedelta(days=1), PeriodKind.DAY)

    @classmethod
    def week_of(cls, day: date) -> Period:
        """The ISO week (Monday to Sunday) holding `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=7), PeriodKind.WEEK)

    @classmethod
    def month_of(cls, day: date) -> Period:
        first = day.replace(day=1)
        return cls(first, _add_months(first, 1), PeriodKind.MONTH)

    @classmethod
    def of_kind(cls, kind: PeriodKind, day: date) -> Period:
        if kind is PeriodKind.DAY:
            return cls.day_of(day)
        if kind is PeriodKind.WEEK:
            return cls.week_of(day)
        return cls.month_of(day)

    @classmethod
    def between(cls, first: date | None, last: date | None, *, today: date) -> Period:
        """From the CLI: both dates included; none given is the current month, one given
        runs to the end of that month (`--from`) or from the start of it (`--to`)."""
        if first is None and last is None:
            return cls.month_of(today)
        if first is None:
            assert last is not None
            first = last.replace(day=1)
        if last is None:
            last = _add_months(first, 1) - timedelta(days=1)
        if last < first:
            raise PeriodError(f"Période vide : --to ({_fr(last)}) précède --from "
                              f"({_fr(first)}).")
        period = cls(first, last + timedelta(days=1))
        month = cls.month_of(first)
        return month if period == cls(month.start, month.end) else period

    # -- use -------------------------------------------------------------------------
    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def shifted(self, steps: int) -> Period:
        """The period `steps` away (negative: earlier), of the same kind and length."""
        if self.kind is PeriodKind.MONTH:
            start = _add_months(self.start, steps)
            return Period(start, _add_months(start, 1), self.kind)
        delta = timedelta(days=self.days * steps)
        return Period(self.start + delta, self.end + delta, self.kind)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def label_fr(self) -> str:
        """« mars 2025 », « semaine du 10/03/2025 », « vendredi 14/03/2025 », « du … au … »."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTHS_FR[self.start.month - 1]} {self.start.year}"
        if self.kind is PeriodKind.WEEK:
            return f"semaine du {_fr(self.start)} au {_fr(self.last_day)}"
        if self.kind is PeriodKind.DAY:
            return f"{WEEKDAYS_FR[self.start.weekday()]} {_fr(self.start)}"
        return f"du {_fr(self.start)} au {_fr(self.last_day)}"

    @property
    def span_fr(self) -> str:
        """Both bounds, included, whatever the kind: « du 01/03/2025 au 31/03/2025 »."""
        if self.days == 1:
            return f"le {_fr(self.start)}"
        return f"du {_fr(self.start)} au {_fr(self.last_day)}"
