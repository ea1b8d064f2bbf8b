"""Two app processes on one database: another OS process commits, this app shows it.

The other desk is `tests/tui/other_desk.py` in its own Python process with its own
connection. Three arrivals committed while this app's event loop is busy must land in
one `show_rows` (one `batch_update`), a state change in one more, and an idle list is
neither reloaded nor redrawn.
"""

from __future__ import annotations

from typing import Any

from ins_tui.tui.widgets.waiting_list import WaitingList
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.other_desk import OtherDesk

SIZE = (100, 30)


def _counting(target: Any, name: str, calls: list[Any]) -> None:
    """Replace `target.name` by a wrapper that records each call's result."""
    original = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.append(result)
        return result

    setattr(target, name, wrapper)


def _names(table: WaitingList) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_other_process_changes_show_in_one_batch_then_idle(make_app, store, db_path,
                                                                 clock):
    add_patient(store, ADRTROIS)
    other = OtherDesk(db_path, clock.now())
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            main = app.main_screen()
            table = main.query_one(WaitingList)
            await wait_until(pilot, lambda: table.row_count == 1, what="first list")
            await pilot.pause(0.6)  # past the first poll, whatever it found
            applied: list[int] = []
            loads: list[Any] = []
            redraws: list[Any] = []
            _counting(table, "show_rows", applied)
            _counting(main, "_load_day", loads)
            _counting(table, "refresh", redraws)

            # Blocking call: this app's loop (and its poll) waits while the three commits
            # land, so they arrive together at the next poll.
            answer = other.send(op="arrive", names=["PASSAGE", "VISITE", "ACCUEIL"],
                                practitioner="Dr Bernard")
            assert len(answer["visits"]) == 3 and len(answer["committed"]) == 3
            await wait_until(pilot, lambda: table.row_count == 4, what="three arrivals")
            assert applied == [3], applied  # one show_rows, three rows added in one batch
            assert len(loads) == 1, loads
            assert [n.split()[0] for n in _names(table)] == [
                "ADRTROIS", "PASSAGE", "VISITE", "ACCUEIL"]
            assert str(table.get_row_at(1)[4]) == "Dr Bernard"

            other.send(op="state", visit=answer["visits"][0], state="en_consultation")
            await wait_until(pilot, lambda: "en consultation" in
                             [str(table.get_row_at(i)[5]) for i in range(table.row_count)],
                             what="state change")
            assert len(applied) == 2 and applied[1] >= 1, applied
            assert len(loads) == 2, loads
            assert redraws, "the refresh spy saw no redraw of the changed table"

            # Idle: two poll periods and more with nothing committed anywhere.
            seen = (len(applied), len(loads), len(redraws))
            await pilot.pause(1.2)
            assert (len(applied), len(loads), len(redraws)) == seen
    finally:
        other.close()
