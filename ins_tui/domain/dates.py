"""Birth dates: typed ones (complete or not) and the raw ones read from a carte Vitale.

The health identity needs a calendar date. When the day or month is unknown the
RNIV rule (EXI ID 11) completes it — day → 01, month → 01, both → 31/12 — and the
date is flagged as uncertain. A card may hold "lunar" dates (month 00 or 13, day
32…): they are kept raw for billing and must never crash a reader, so
`parse_card_date` never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ins_tui.domain.problems import Problem, error, warning

FIELD = "birth_date"
OLDEST_YEAR = 1850  # nobody alive was born before; earlier years are typing mistakes
OLD_AGE_WARNING = 120

_UNKNOWN = {"00", "0", "XX", "X", "??", "?", "--"}
_DMY = re.compile(
    r"(?P<d>\d{1,2}|[X?]{1,2}|-{2})[/.\- ](?P<m>\d{1,2}|[X?]{1,2}|-{2})[/.\- ]"
    r"(?P<y>\d{4})\Z"
)
_YMD = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\Z")
_MY = re.compile(r"(?P<m>\d{1,2})[/.\- ](?P<y>\d{4})\Z")
_Y = re.compile(r"(?P<y>\d{4})\Z")
_COMPACT = re.compile(r"(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})\Z")


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date as used in the health identity, with where it came from.

    `iso` is the calendar date used for the identity (None when no year could be
    read); `raw` is what was typed or read; `incomplete` means the RNIV rule
    completed an unknown day and/or month; `lunar` means the card held a date
    that is not on the calendar.
    """

    iso: str | None
    raw: str
    incomplete: bool = False
    lunar: bool = False


def complete_rniv(year: int, month: int | None, day: int | None) -> date:
    """EXI ID 11: unknown day → 1st, unknown month → January, both unknown → 31 December."""
    if month is None and day is None:
        return date(year, 12, 31)
    if month is None:
        return date(year, 1, day or 1)
    return date(year, month, day or 1)


def _number(part: str) -> int | None:
    return None if part.upper() in _UNKNOWN else int(part)


def parse_typed_date(
    text: str | None, *, today: date | None = None
) -> tuple[BirthDate | None, list[Problem]]:
    """Read `JJ/MM/AAAA`, `AAAA-MM-JJ`, `JJMMAAAA`, or incomplete `00/MM/AAAA`, `MM/AAAA`…

    `today` is injectable so the future/age checks are reproducible in tests.
    """
    raw = (text or "").strip()
    today = today or date.today()
    if not raw:
        return None, [error(FIELD, "date.empty", "La date de naissance est vide.")]
    upper = raw.upper()
    match = _YMD.match(upper) or _DMY.match(upper) or _COMPACT.match(upper)
    if match:
        year, month, day = int(match["y"]), _number(match["m"]), _number(match["d"])
    elif match := _MY.match(upper):
        year, month, day = int(match["y"]), _number(match["m"]), None
    elif match := _Y.match(upper):
        year, month, day = int(match["y"]), None, None
    else:
        return None, [
            error(
                FIELD,
                "date.format",
                f"Date de naissance « {raw} » illisible : écrivez JJ/MM/AAAA "
                f"(00 pour un jour ou un mois inconnu).",
            )
        ]
    if month is not None and not 1 <= month <= 12:
        return None, [
            error(FIELD, "date.month", f"Mois « {month:02d} » impossible dans « {raw} ».")
        ]
    if day is not None and not 1 <= day <= 31:
        return None, [error(FIELD, "date.day", f"Jour « {day:02d} » impossible dans « {raw} ».")]
    if year < OLDEST_YEAR:
        return None, [
            error(FIELD, "date.year", f"Année « {year} » invraisemblable dans « {raw} ».")
        ]
    try:
        value = complete_rniv(year, month, day)
    except ValueError:
        return None, [
            error(FIELD, "date.calendar", f"La date « {raw} » n'existe pas dans le calendrier.")
        ]
    if value > today:
        return None, [error(FIELD, "date.future", f"La date de naissance « {raw} » est future.")]
    problems: list[Problem] = []
    incomplete = month is None or day is None
    if incomplete:
        problems.append(
            warning(
                FIELD,
                "date.completed",
                f"Date incomplète « {raw} » complétée en {value:%d/%m/%Y} selon la règle "
                f"RNIV : date fictive à signaler comme incertaine.",
            )
        )
    if today.year - value.year > OLD_AGE_WARNING:
        problems.append(
            warning(
                FIELD,
                "date.very_old",
                f"Naissance en {value.year} : plus de {OLD_AGE_WARNING} ans, vérifiez.",
            )
        )
    return BirthDate(value.isoformat(), raw, incomplete=incomplete), problems


def parse_card_date(raw8: str | bytes | None) -> BirthDate:
    """Read a carte Vitale `AAAAMMJJ` date without ever raising.

    Any month or day off the calendar makes the date lunar: the raw value is kept
    and the identity date is completed by the RNIV rule (not the SESAM-Vitale
    01/01 convention, which is for billing). No readable year → `iso` None.
    """
    raw = raw8.decode("ascii", errors="replace") if isinstance(raw8, bytes) else raw8 or ""
    if len(raw) != 8 or not raw.isascii() or not raw.isdigit():
        return BirthDate(None, raw, incomplete=True, lunar=True)
    year, month, day = int(raw[:4]), int(raw[4:6]), int(raw[6:8])
    if year < OLDEST_YEAR:
        return BirthDate(None, raw, incomplete=True, lunar=True)
    try:
        return BirthDate(date(year, month, day).isoformat(), raw)
    except ValueError:
        pass
    known_month = month if 1 <= month <= 12 else None
    known_day = day if 1 <= day <= 31 else None
    try:
        value = complete_rniv(year, known_month, known_day)
    except ValueError:  # e.g. 30 February: the day cannot be trusted
        value = complete_rniv(year, known_month, None)
    return BirthDate(value.isoformat(), raw, incomplete=True, lunar=True)


def format_fr(iso: str | None) -> str:
    """`AAAA-MM-JJ` → `JJ/MM/AAAA` for display; anything else unchanged."""
    if iso and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
    return iso or ""
