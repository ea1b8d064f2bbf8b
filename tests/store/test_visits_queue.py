"""Waiting list, INSi retry queue, settings and the cross-process change detector."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ins_tui.domain.model import Channel
from ins_tui.store import InvalidValue, PatientNotFound, Store, VisitNotFound

from .helpers import traits


def _patients(store: Store, n: int) -> list[int]:
    names = ["DUPONT", "MARTIN", "N'DIAYE", "DE LA FONTAINE", "LE GOFF"]
    return [store.create_patient(traits(names[i % 5], "ANNE", birth_date=f"19{50 + i}-01-01"),
                                 actor="accueil") for i in range(n)]


def test_arrivals_positions_states_and_moves(store: Store, clock) -> None:
    a, b, c = _patients(store, 3)
    va = store.add_arrival(a, "Dr Martin", actor="accueil")
    clock.advance(minutes=5)
    vb = store.add_arrival(b, "Dr Bernard", actor="accueil")
    vc = store.add_arrival(c, None, actor="accueil")
    day = store.visits_for_day()
    assert [(v.id, v.position, v.state) for v in day] == [
        (va, 1, "en_attente"), (vb, 2, "en_attente"), (vc, 3, "en_attente")]
    assert day[1].arrived_at == "2026-03-02T09:35:00+01:00"
    assert day[2].birth_name == "N'DIAYE" and day[2].first_name == "ANNE"
    store.move_visit(vc, -2, actor="accueil")
    assert [v.id for v in store.visits_for_day("2026-03-02")] == [vc, va, vb]
    store.move_visit(vc, -1, actor="accueil")  # already first: nothing moves
    store.move_visit(va, +10, actor="accueil")  # clamped at the end
    assert [v.id for v in store.visits_for_day()] == [vc, vb, va]
    store.set_visit_state(vb, "en_consultation", actor="accueil")
    store.set_visit_state(vb, "parti", actor="accueil")
    assert store.visits_for_day()[1].state == "parti"
    assert store.visits_for_day("2026-03-03") == []


def test_visit_errors_are_french_and_change_nothing(store: Store) -> None:
    (a,) = _patients(store, 1)
    v = store.add_arrival(a, None, actor="accueil")
    with pytest.raises(InvalidValue, match="État de passage inconnu"):
        store.set_visit_state(v, "fini", actor="accueil")
    with pytest.raises(VisitNotFound, match="introuvable"):
        store.set_visit_state(v + 1, "parti", actor="accueil")
    with pytest.raises(PatientNotFound):
        store.add_arrival(999, None, actor="accueil")
    assert [x.state for x in store.visits_for_day()] == ["en_attente"]


def test_data_version_sees_other_processes_and_own_writes(db_path: Path, clock) -> None:
    desk1 = Store.open(db_path, clock=clock)
    desk2 = Store.open(db_path, clock=clock)
    (a,) = _patients(desk1, 1)
    seen = desk2.data_version()
    assert desk2.data_version() == seen  # nothing happened
    desk1.add_arrival(a, None, actor="accueil")
    after_other = desk2.data_version()
    assert after_other != seen
    own = desk1.data_version()
    desk1.add_arrival(a, None, actor="accueil")
    assert desk1.data_version() != own
    assert len(desk2.visits_for_day()) == 2
    desk1.close()
    desk2.close()


def test_insi_queue_survives_reopen(db_path: Path, clock) -> None:
    store = Store.open(db_path, clock=clock)
    (a,) = _patients(store, 1)
    qid = store.enqueue_insi(a, traits(), Channel.CARTE_VITALE, actor="accueil")
    store.close()
    store = Store.open(db_path, clock=clock)
    (item,) = store.due_insi()
    assert (item.id, item.patient_id, item.channel, item.attempts) == (qid, a, "CV", 0)
    assert item.traits == traits()
    later = clock() + timedelta(minutes=2)
    store.insi_attempt_failed(qid, "Délai dépassé", later, actor="accueil")
    assert store.due_insi() == []
    # A DST-free comparison: next_at is UTC, "now" may be given in any offset.
    (item,) = store.due_insi(datetime(2026, 3, 2, 8, 33, tzinfo=UTC))  # 09:33 in Paris
    assert item.attempts == 1 and item.last_error == "Délai dépassé"
    store.insi_done(qid, actor="accueil")
    assert store.pending_insi() == []
    store.close()


def test_settings(store: Store) -> None:
    assert store.get_setting("instance") is None
    store.set_setting("instance", "abc", actor="admin")
    assert store.get_setting("instance") == "abc"
