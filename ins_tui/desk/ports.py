"""Small ports the desk talks through, so that each real component can be swapped.

The desk never builds an INSi client, a clock or an ApCV reader itself: the caller
hands them in. Training mode and production therefore run the same desk code, only
the adapters differ (architecture.md, "Rules of the house").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ins_tui.domain.model import OID_TEST_NIR, Ins, InsIdentity, Sex, Traits

if TYPE_CHECKING:
    from ins_tui.insi.outcomes import InsiOutcome


@runtime_checkable
class InsiService(Protocol):
    """The one INSi operation the desk needs; `InsiClient` satisfies it as is."""

    def search_traits(self, traits: Traits, *, birthplace: str | None = None) -> InsiOutcome:
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        ...


class SystemClock:
    """Wall-clock time, timezone-aware so journal timestamps are unambiguous.

    `zone` is the practice's own when the machine's differs: a server kept on UTC while
    the desks work on Paris (or Réunion) time would otherwise show arrival times an hour
    or more off and turn the waiting list over to the next day at the wrong midnight.
    """

    def __init__(self, zone: tzinfo | None = None) -> None:
        self._zone = zone

    def now(self) -> datetime:
        if self._zone is None:
            return datetime.now().astimezone()
        return datetime.now(self._zone)


class FixedClock:
    """A clock tests move by hand, so back-off schedules are checked without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now().astimezone()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class ApcvIdentity:
    """One person presented by the appli carte Vitale, INS already qualified by the app."""

    identity: InsIdentity
    role_fr: str  # "assuré" or "ayant droit"


class ApcvSource(Protocol):
    """Whatever reads the appli carte Vitale: its interface is not public (carte-vitale §11),
    so an approved third-party component will plug in here later."""

    def present(self) -> list[ApcvIdentity]:
        ...


def _test_identity(
    number: str, key: str, birth_name: str, first_names: str, sex: Sex, birth_date: str,
    birthplace: str,
) -> InsIdentity:
    traits = Traits(
        birth_name=birth_name,
        first_names=first_names,
        sex=sex,
        birth_date=birth_date,
        birthplace=birthplace,
        first_name=first_names.split(" ", 1)[0],
    )
    return InsIdentity(ins=Ins(number=number, key=key, oid=OID_TEST_NIR), traits=traits)


class TrainingApcv:
    """A simulated app presenting a holder and two dependants (test OID `.10` only).

    The matricules are made up for training and carry valid mod-97 keys; they are never
    sent to INSi (ApCV excludes the call).
    """

    def __init__(self, identities: list[ApcvIdentity] | None = None) -> None:
        self._identities = identities if identities is not None else [
            ApcvIdentity(
                _test_identity("2850763220123", "", "APCVTEST", "CLAIRE MARIE", Sex.F,
                               "1985-07-14", "63220"),
                "assuré",
            ),
            ApcvIdentity(
                _test_identity("1150763220456", "", "APCVTEST", "LUCAS", Sex.M,
                               "2015-07-02", "63220"),
                "ayant droit",
            ),
            ApcvIdentity(
                _test_identity("2180363220789", "", "APCVTEST", "EMMA LOU", Sex.F,
                               "2018-03-09", "63220"),
                "ayant droit",
            ),
        ]
        self._identities = [_with_key(a) for a in self._identities]

    def present(self) -> list[ApcvIdentity]:
        return list(self._identities)


def _with_key(apcv: ApcvIdentity) -> ApcvIdentity:
    """Fill in a missing key through the domain rule (one source of truth for mod 97)."""
    ins = apcv.identity.ins
    if ins.key:
        return apcv
    from dataclasses import replace

    from ins_tui.domain.matricule import compute_key

    fixed = replace(apcv.identity, ins=replace(ins, key=compute_key(ins.number)))
    return ApcvIdentity(fixed, apcv.role_fr)
