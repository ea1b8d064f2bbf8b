"""Label fixtures: one private CUPS per test module, a database with test identities.

The identities are the published test INS (ECETINSI) and identities under the test OIDs
.10/.11, qualified the way the desk writes it (INSi match, then a checked passport).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ins_tui.desk.ports import FixedClock
from ins_tui.domain.model import Channel, Ins, InsIdentity, Sex, Traits
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.store.store import Store
from tests.label.cups import PrivateCups, unavailable_reason
from tests.tui.conftest import FIXED_NOW

TEST_NIR = "1.2.250.1.213.1.4.10"
DEMO_NIR = "1.2.250.1.213.1.4.11"
NIA = "1.2.250.1.213.1.4.9"

# (ins, traits): a long first-name list, a Corsican birthplace, an NIA, the published one.
LONG_FIRST_NAMES = " ".join(["MARIE-CHRISTINE", "JEANNE-ANTOINETTE", "ANNE-SOPHIE",
                             "BERNADETTE", "GENEVIEVE", "MARGUERITE"])
IDENTITIES = {
    "published": (Ins("1090763220834", "89", "1.2.250.1.213.1.4.8"),
                  Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14",
                         "63220", "PIERRE-ALAIN")),
    "long": (Ins("2751263220749", "74", TEST_NIR),
             Traits("D'ALMEIDA--N'DIAYE DE LA TOUR", LONG_FIRST_NAMES, Sex.F, "1975-12-31",
                    "63220", "MARIE-CHRISTINE", used_name="DE SAINT-EXUPERY")),
    "corsica": (Ins("180032B020401", "23", TEST_NIR),
                Traits("CORSE", "ANTHONY", Sex.M, "1980-03-02", "2B020", "ANTHONY")),
    "corsica_2a": (Ins("297022A020778", "78", DEMO_NIR),
                   Traits("AJACCIENNE", "LAETITIA", Sex.F, "1997-02-01", "2A004",
                          "LAETITIA")),
    "nia": (Ins("1090763220888", "35", NIA),
            Traits("PROVISOIRE", "MATRICULE", Sex.M, "2009-07-01", None, "MATRICULE")),
}


@pytest.fixture(scope="module")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCups]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    # Not under pytest's own folders: they are 0700 and CUPS filters run as `lp`, which
    # must reach the spool (cups-pdf then failed with « Unable to copy PDF file »).
    root = Path(tempfile.mkdtemp(prefix="ins-tui-cups-"))
    server = PrivateCups(root).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def running_cups(cups: PrivateCups) -> PrivateCups:
    """The module's scheduler, restarted if a failure test stopped it."""
    if not cups.running:
        cups.start()
    return cups


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "accueil.sqlite", clock=FixedClock(FIXED_NOW.astimezone()).now)
    yield s
    s.close()


def add(store: Store, traits: Traits) -> int:
    with store.action("test", "patient de test"):
        return store.create_patient(traits, channel=Channel.MANUAL)


def qualify(store: Store, pid: int, ins: Ins) -> None:
    """INSi match then a checked passport, as the desk writes it."""
    identity = InsIdentity(ins=ins, traits=store.get_patient(pid).traits)
    with store.action("accueil", "Qualification"):
        store.set_ins(pid, identity, channel=Channel.INSI)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))


def recup(store: Store, pid: int, ins: Ins) -> None:
    identity = InsIdentity(ins=ins, traits=store.get_patient(pid).traits)
    with store.action("accueil", "INS récupérée"):
        store.set_ins(pid, identity, channel=Channel.INSI)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))


def qualified(store: Store, name: str) -> tuple[int, Ins, Traits]:
    ins, traits = IDENTITIES[name]
    pid = add(store, traits)
    qualify(store, pid, ins)
    return pid, ins, traits
