"""The single place where typed traits become normalised `Traits` plus problems.

Every screen and command that accepts traits from a person goes through
`check_traits`, so a rule changes in one module and shows everywhere. Traits
received from a card or INSi go through `check_received_traits`, which only
judges them: they are stored as received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ins_tui.domain.cog import CogTable, check_birthplace
from ins_tui.domain.dates import BirthDate, parse_typed_date
from ins_tui.domain.model import Traits
from ins_tui.domain.names import (
    LABELS_FR,
    NameKind,
    check_insi_name,
    first_name_coherent,
    first_name_splits_compound,
    normalise_name,
)
from ins_tui.domain.problems import Problem, ProblemsView, error, has_errors, warning
from ins_tui.domain.sex import parse_sex


@dataclass(frozen=True, slots=True)
class TraitsInput:
    """Traits exactly as typed (empty string = not given)."""

    birth_name: str = ""
    first_names: str = ""
    sex: str = ""
    birth_date: str = ""
    birthplace: str = ""
    first_name: str = ""
    used_name: str = ""
    used_first_name: str = ""


@dataclass(frozen=True, slots=True)
class TraitsCheck(ProblemsView):
    """`traits` is None while any error remains; warnings never block.

    `changes` lists (field, typed, normalised) for every value the rules
    rewrote, so the screen can show the result before anything is saved.
    """

    traits: Traits | None
    problems: list[Problem] = field(default_factory=list)
    birth_date: BirthDate | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.traits is not None


def _name(
    text: str, kind: NameKind, problems: list[Problem], changes: list[tuple[str, str, str]]
) -> str | None:
    result = normalise_name(text, kind)
    problems.extend(result.problems)
    if result.value is not None and result.changed:
        changes.append((kind.value, text, result.value))
    if result.value is not None and result.rewritten:  # not for capitals alone (F11)
        problems.append(
            warning(
                kind.value,
                "name.normalised",
                f"Saisie « {text} » normalisée en « {result.value} » ({LABELS_FR[kind]}).",
            )
        )
    return result.value


def check_traits(
    data: TraitsInput, *, cog: CogTable | None = None, today: date | None = None
) -> TraitsCheck:
    """Normalise and check all traits, reporting every problem at once.

    The first birth first name is required (RNIV: needed to create an identity);
    the list may be completed later, so when only the first name is given the
    list starts with it and a warning asks for the rest. Used name and used
    first name are taken only as typed: never derived from the birth ones.
    """
    problems: list[Problem] = []
    changes: list[tuple[str, str, str]] = []

    birth_name = _name(data.birth_name, NameKind.BIRTH_NAME, problems, changes)
    first_names: str | None = None
    first_name: str | None = None
    if data.first_names.strip():
        first_names = _name(data.first_names, NameKind.FIRST_NAMES, problems, changes)
    if data.first_name.strip():
        first_name = _name(data.first_name, NameKind.FIRST_NAME, problems, changes)
    if not data.first_names.strip() and not data.first_name.strip():
        problems.append(
            error(
                "first_names",
                "name.first_names_missing",
                "Prénoms de naissance absents : au moins le premier prénom est obligatoire.",
            )
        )
    elif not data.first_names.strip() and first_name:
        first_names = first_name
        problems.append(
            warning(
                "first_names",
                "name.first_names_partial",
                "Seul le premier prénom est connu : complétez la liste des prénoms de naissance "
                "dès que possible.",
            )
        )
    if first_name and first_names:
        if not first_name_coherent(first_name, first_names):
            problems.append(
                error(
                    "first_name",
                    "name.first_name_incoherent",
                    f"Le premier prénom « {first_name} » ne correspond pas au début de la liste "
                    f"des prénoms « {first_names} ».",
                )
            )
        elif first_name_splits_compound(first_name, first_names):
            problems.append(
                warning(
                    "first_name",
                    "name.first_name_splits_compound",
                    f"Le premier prénom « {first_name} » ne reprend qu'une partie du prénom "
                    f"composé de la liste « {first_names} » : vérifiez.",
                )
            )

    sex, sex_problems = parse_sex(data.sex)
    problems.extend(sex_problems)
    birth_date, date_problems = parse_typed_date(data.birth_date, today=today)
    problems.extend(date_problems)
    birthplace, place_problems = check_birthplace(data.birthplace, cog)
    problems.extend(place_problems)

    used_name = (
        _name(data.used_name, NameKind.USED_NAME, problems, changes)
        if data.used_name.strip()
        else None
    )
    used_first_name = (
        _name(data.used_first_name, NameKind.USED_FIRST_NAME, problems, changes)
        if data.used_first_name.strip()
        else None
    )

    if has_errors(problems) or not (birth_name and first_names and sex and birth_date):
        return TraitsCheck(None, problems, birth_date, changes)
    traits = Traits(
        birth_name=birth_name,
        first_names=first_names,
        sex=sex,
        birth_date=birth_date.iso,
        birthplace=birthplace,
        first_name=first_name,
        used_name=used_name,
        used_first_name=used_first_name,
    )
    return TraitsCheck(traits, problems, birth_date, changes)


def check_received_traits(traits: Traits) -> list[Problem]:
    """Judge traits from INSi or a card without altering them (they are kept as received)."""
    problems: list[Problem] = []
    for kind in (NameKind.BIRTH_NAME, NameKind.FIRST_NAMES):
        problems.extend(check_insi_name(getattr(traits, kind.value), kind))
    if traits.first_name:
        problems.extend(check_insi_name(traits.first_name, NameKind.FIRST_NAME))
        if not first_name_coherent(traits.first_name, traits.first_names):
            problems.append(
                error(
                    "first_name",
                    "name.first_name_incoherent",
                    f"Le premier prénom « {traits.first_name} » ne correspond pas au début de "
                    f"la liste des prénoms « {traits.first_names} ».",
                )
            )
    return problems
