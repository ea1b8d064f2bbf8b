"""The desk's merge service (desk/merge.py): preview, chosen survivor, duplicates after.

Tried: the preview of a PROV and a QUAL record (whatever order they are given in, the QUAL
one is proposed as the survivor; `kept_id` swaps it), the differing traits marked, a merge
through the desk, and a new patient with the same traits afterwards: the merged record is
no longer offered as a possible duplicate (before, the heuristic listed both records).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import FixedClock
from ins_tui.domain.model import Channel, Status
from ins_tui.store import Store
from tests.store.helpers import traits
from tests.store.test_merge import qualified


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    from datetime import datetime

    clock = FixedClock(datetime(2026, 3, 2, 9, 30).astimezone())
    store = Store.open(tmp_path / "cabinet.sqlite", clock=clock.now, key=b"d" * 32)
    yield Desk(store, None, clock, "secretaire")
    store.close()


def test_preview_proposes_the_qualified_record_and_swaps(desk: Desk) -> None:
    store = desk.store
    with store.action("test", "provisoire"):
        prov = store.create_patient(traits(first_names="PIERRE-ALAIN"), channel=Channel.MANUAL)
        store.add_arrival(prov, "Dr Martin")
    qual = qualified(store, 3)
    preview = desk.merge_preview(prov, qual)
    assert preview.kept.id == qual and preview.default_kept_id == qual
    assert preview.kept.status is Status.QUAL and preview.allowed and preview.visits == 1
    assert [d.trait for d in preview.differing] == ["first_names"]
    swapped = desk.merge_preview(prov, qual, kept_id=prov)
    assert swapped.kept.id == prov and not swapped.allowed  # the INS would be lost
    assert "conserver plutôt" in swapped.decision.message_fr
    outcome = desk.merge(qual, prov)
    assert outcome.ok and outcome.merge_id == 1 and "1 passage déplacé" in outcome.message_fr
    assert {v.patient_id for v in desk.day_list(desk.clock.now().date())} == {qual}


def test_merged_record_is_no_longer_a_possible_duplicate(desk: Desk) -> None:
    store = desk.store
    with store.action("test", "deux dossiers"):
        a = store.create_patient(traits(first_names="PAUL"), channel=Channel.MANUAL)
        b = store.create_patient(traits(first_names="PAUL JEAN"), channel=Channel.MANUAL)
    assert {h.patient_id for h in desk.duplicates_for(traits(first_names="PAUL"))} == {a, b}
    assert desk.merge(a, b).ok
    assert {h.patient_id for h in desk.duplicates_for(traits(first_names="PAUL"))} == {a}
    assert desk.merge_candidates(a) == []
    undone = desk.unmerge(1)
    assert undone.ok and "rétabli" in undone.message_fr
    assert not desk.unmerge(1).ok
