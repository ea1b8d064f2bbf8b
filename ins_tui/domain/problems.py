"""The one shape every rule uses to report what is wrong with a value.

Rules never raise on bad input: they return problems, so a screen can show all
of them at once (in French) and keep what the person typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding on one field.

    `field` is the trait name used by `Traits` (e.g. ``birth_name``) or a CLI
    option name; `code` is stable and meant for tests and programs; `message`
    is French, for the person at the desk, and names the offending character
    or value.
    """

    field: str
    code: str
    message: str
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def error(field: str, code: str, message: str) -> Problem:
    return Problem(field, code, message, ERROR)


def warning(field: str, code: str, message: str) -> Problem:
    return Problem(field, code, message, WARNING)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


class ProblemsView:
    """`errors` / `warnings` for any result object that carries a `problems` list.

    A mixin so every result the screens render (traits check, desk form check…) splits
    its problems by the one rule above instead of re-filtering by hand.
    """

    __slots__ = ()
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings(self.problems)
