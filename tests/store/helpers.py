"""Shared test helpers: a controllable clock and the published test identities."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ins_tui.domain.model import Ins, InsHistoryEntry, InsIdentity, Sex, Traits

PARIS = timezone(timedelta(hours=1))


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def traits(
    birth_name: str = "ECETINSI",
    first_names: str = "PIERRE-ALAIN MURIEL FLORIANT",
    sex: Sex = Sex.M,
    birth_date: str = "2009-07-14",
    birthplace: str | None = "63220",
    **extra: str | None,
) -> Traits:
    return Traits(birth_name, first_names, sex, birth_date, birthplace, **extra)


def published_test_identity() -> InsIdentity:
    """CNDA test 2.04 (insi-contract.md): active INS with one historical matricule."""
    return InsIdentity(
        ins=Ins("1090763220834", "89", "1.2.250.1.213.1.4.8"),
        traits=traits(),
        history=(
            InsHistoryEntry(
                Ins("2090763220834", "39", "1.2.250.1.213.1.4.8"), "2019-03-01", "2019-02-28"
            ),
        ),
    )
