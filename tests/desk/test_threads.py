"""The UI calls the desk from worker threads: calls interleave safely, INSi never blocks it."""

from __future__ import annotations

import threading

from ins_tui.desk.desk import Desk
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Channel
from ins_tui.insi.outcomes import InsiError
from tests.desk.conftest import form


class GatedInsi:
    """Holds the INSi answer until the test says so; then reports the service unavailable."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def search_traits(self, traits, *, birthplace=None):
        from ins_tui.insi.outcomes import ErrorKind

        self.entered.set()
        assert self.release.wait(30)
        return InsiError(ErrorKind.UNAVAILABLE, "Service INSi temporairement indisponible.", ())


def test_desk_keeps_working_while_insi_is_pending(store, clock):
    insi = GatedInsi()
    desk = Desk(store, insi, clock, "secretaire")
    pid = desk.create_patient(form()).patient_id
    results = []
    worker = threading.Thread(target=lambda: results.append(desk.retrieve_ins(pid,
                                                                              Channel.INSI)))
    worker.start()
    assert insi.entered.wait(30)
    # While INSi is pending, the waiting list and patient creation still work (no deadlock).
    other = desk.create_patient(form(birth_name="Martin", first_names="Paul", sex="M",
                                     birth_date="03/04/1990")).patient_id
    desk.add_arrival(other, "Dr Martin")
    assert [v.patient_id for v in desk.day_list()] == [other]
    insi.release.set()
    worker.join(30)
    assert [r.kind for r in results] == [InsiResultKind.QUEUED]


def test_concurrent_workers_lose_nothing(store, clock):
    desk = Desk(store, None, clock, "secretaire")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                out = desk.create_patient(
                    form(birth_name=f"Thread{'ABCD'[n]}", first_names="Jean" + "ABCDEFGHIJKLMNO"[i],
                         sex="M", birth_date=f"{i + 1:02d}/0{n + 1}/1970"),
                    accept_duplicates=True)
                desk.add_arrival(out.patient_id, None)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    day = desk.day_list()
    assert len(day) == 60
    assert sorted(v.position for v in day) == list(range(1, 61))
    assert store.verify_chain().ok
