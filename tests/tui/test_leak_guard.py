"""Card cycles leave nothing behind: screens, widgets, timers and workers come back down.

Issue 13: measured from outside, the app's memory grew by about 1 MiB per card cycle and
never levelled off. Two causes, both guarded here with counts (not timings):
- every recompose of the key bar (a dozen per card cycle) left its old keys alive, held
  by `data_bind` watchers on the footer that Textual prunes only when the bound value
  changes: +14 live widgets per cycle, 95 → 235 after 12 cycles;
- the second insertion of a card whose patient was on screen crashed the app
  (DuplicateIds « identity »): the new patient screen was pushed before the old one,
  already popped, had been removed.
"""

from __future__ import annotations

import gc

from textual.widget import Widget

from ins_tui.card.source import InProcessCardSource
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_card_flows import insert_from_thread
from tests.tui.test_identity_flows import identity_screen

CYCLES = 30
WARMUP = 3


def census(app) -> dict[str, int]:
    """What one card cycle could leave behind, counted after a full garbage collection."""
    gc.collect()
    screens = list(app.screen_stack)
    return {
        "screens in the stack": len(screens),
        "installed screens": len(app._installed_screens),
        "nodes of the app": len(app._nodes),
        "widgets mounted": sum(len(list(s.query("*"))) for s in screens),
        "widgets alive": sum(1 for o in gc.get_objects() if isinstance(o, Widget)),
        "timers": len(app._timers) + sum(len(s._timers) for s in screens),
        "workers": len(app.workers),
    }


async def one_cycle(app, pilot, source, previous):
    """Card in → a new patient screen settled (read, match, INSi done) → card out."""
    insert_from_thread(source, "adrtrois-toussaint")
    await wait_until(pilot, lambda: (screen := identity_screen(app)) is not None
                     and screen is not previous and screen.is_mounted
                     and not screen.searching and screen.record is not None,
                     what="the card's patient screen")
    shown = identity_screen(app)
    source.remove()
    await wait_until(pilot, lambda: not app.cards.cards_in and not app.workers
                     and "Carte retirée" in str(shown.query_one("#status-line").render()),
                     what="the card removed")
    return shown


async def test_thirty_card_cycles_leave_the_app_as_after_the_first(make_app, store):
    """Tried: 30 insert → panel → remove cycles of the same card at 80×24, counting
    screens, mounted and live widgets, timers and workers after 3 warm-up cycles and at
    the end. Before the fix the app crashed at the second cycle (DuplicateIds), and once
    that was fixed the live widgets grew by 14 per cycle (the key bar's old keys)."""
    add_patient(store, ADRTROIS)
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = None
        for _ in range(WARMUP):
            shown = await one_cycle(app, pilot, source, shown)
        await pilot.pause()
        before = census(app)
        for _ in range(CYCLES):
            shown = await one_cycle(app, pilot, source, shown)
        await pilot.pause()
        after = census(app)
    assert after["screens in the stack"] == before["screens in the stack"]
    assert after["installed screens"] == before["installed screens"]
    assert after["nodes of the app"] == before["nodes of the app"]
    assert after["widgets mounted"] == before["widgets mounted"]
    assert after["timers"] <= before["timers"]
    assert after["workers"] <= before["workers"]
    # A handful of widgets may be in flight (a tooltip, a key bar being rebuilt); a leak
    # of one widget per cycle would already be 30 over.
    assert after["widgets alive"] <= before["widgets alive"] + 10, (before, after)


async def test_a_letter_that_changes_no_result_redraws_no_result_line(make_app, store):
    """Tried: « adrt » typed on the search screen (one patient found), then « r »: the
    same answer. Before issue 13 every key cleared and refilled a DataTable, so every
    result line was rendered and written again (~10 KB per key at 80×24); now no result
    line is drawn again, and a letter that changes the answer redraws its lines."""
    from ins_tui.tui.screens.search import SearchScreen
    from ins_tui.tui.widgets.results import ResultsTable

    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen), what="search")
        screen = app.screen
        table = screen.query_one(ResultsTable)
        drawn: list[int] = []
        original = table.render_line

        def spy(y: int):
            drawn.append(y)
            return original(y)

        table.render_line = spy  # type: ignore[method-assign]

        async def typed(text: str) -> None:
            await pilot.press(*text)
            await wait_until(pilot, lambda: screen.query_one("#search-input").value.endswith(
                text) and screen._held is None and not app.workers, what=f"« {text} » answered")
            await pilot.pause()

        await typed("adrt")
        assert [r.id for r in screen.records] and table.row_count == 1
        assert 1 in drawn  # the row was drawn
        drawn.clear()
        await typed("r")
        assert table.row_count == 1
        assert [y for y in drawn if y > 0] == [], drawn
        await typed("x")  # « adrtrx »: nobody; the row line is cleared
        assert table.row_count == 0 and 1 in drawn
