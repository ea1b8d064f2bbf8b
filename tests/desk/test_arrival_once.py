"""One open line per patient in the day's list."""

from __future__ import annotations

import threading

import pytest

from ins_tui.desk.arrivals import AlreadyInList
from ins_tui.desk.desk import Desk
from ins_tui.desk.results import VisitState
from ins_tui.store.store import Store
from tests.desk.conftest import form


def test_second_arrival_refused_while_waiting_or_in_consultation(desk, store):
    """Tried: the same patient added again while waiting, then while in consultation.
    Refused in French, naming the patient and the existing line; nothing written. Once
    the patient has left, coming back the same day is a new visit."""
    pid = desk.create_patient(form()).patient_id
    first = desk.add_arrival(pid, "Dr Martin")
    journal_before = len(store.journal_for_patient(pid))
    for state in (VisitState.EN_ATTENTE, VisitState.EN_CONSULTATION):
        desk.set_arrival_state(first, state)
        journal_before = len(store.journal_for_patient(pid))
        with pytest.raises(AlreadyInList) as refused:
            desk.add_arrival(pid, "Dr Bernard")
        assert refused.value.visit_id == first
        assert "déjà dans la file du jour" in refused.value.message_fr
        assert state.label_fr in refused.value.message_fr
        assert "rien n'a été ajouté" in refused.value.message_fr
        assert [v.id for v in desk.day_list()] == [first]
        assert len(store.journal_for_patient(pid)) == journal_before
    desk.set_arrival_state(first, VisitState.PARTI)
    second = desk.add_arrival(pid, "Dr Bernard")
    assert second != first and len(desk.day_list()) == 2


def test_two_desks_adding_the_same_patient_at_once_give_one_line(db_path, clock, store):
    """Two desks (own connections, own threads) race to add the same patient 20 times
    each: the check and the insert share one write transaction, so one line results."""
    pid = Desk(store, None, clock, "poste0").create_patient(form()).patient_id
    desks = [Desk(Store.open(db_path, clock=clock.now), None, clock, f"poste{n}")
             for n in (1, 2)]
    refusals: list[int] = []
    start = threading.Barrier(len(desks))

    def race(desk: Desk) -> None:
        start.wait()
        for _ in range(20):
            try:
                desk.add_arrival(pid, "Dr Martin")
            except AlreadyInList:
                refusals.append(1)

    threads = [threading.Thread(target=race, args=(d,)) for d in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(desks[0].day_list()) == 1
        assert len(refusals) == 39
    finally:
        for desk in desks:
            desk.store.close()
