from __future__ import annotations

from tests.tui.conftest import ADRTROIS, add_patient, wait_until


async def test_main_screen_shows_day_list(make_app, store):
    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        from ins_tui.tui.widgets.waiting_list import WaitingList

        table = app.screen.query_one(WaitingList)
        await wait_until(pilot, lambda: table.row_count == 1, what="one row")
        assert "ADRTROIS" in str(table.get_row_at(0)[1])
