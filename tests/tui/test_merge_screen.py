"""The merge screen at 80×24 (tui/screens/merge.py), driven by Pilot on a real file.

Tried: `f` on the selected patient offers its possible duplicate, the screen shows both
records with the differing traits marked by a word and a symbol, `s` swaps the survivor,
Entrée asks for a confirmation, `o` merges and the waiting list shows the survivor twice;
a douteuse record is refused in French with the reason path (`m`), and the reason typed
there lifts the refusal; `u` in the journal undoes the merge after a confirmation.
"""

from __future__ import annotations

from typing import Any

from ins_tui.domain.model import Attribute, Sex, Traits
from ins_tui.domain.status import AttributeSet, apply
from ins_tui.tui.screens.choice_list import ChoiceList
from ins_tui.tui.screens.confirm import ConfirmModal
from ins_tui.tui.screens.journal import JournalScreen
from ins_tui.tui.screens.main import MainScreen
from ins_tui.tui.screens.merge import MergeScreen, TextPrompt
from tests.tui.conftest import ADRTROIS, add_patient, open_journal, wait_until
from tests.tui.test_console_look import flat, screen_text

ADRTROIS_BIS = Traits("ADRTROIS", "TOUSSAINT JEAN", Sex.M, "1960-01-01", None, "TOUSSAINT")


async def _main_ready(app: Any, pilot: Any, rows: int) -> MainScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen)
                     and len(app.screen._rows) == rows, what="waiting list")
    return app.screen


async def _open_merge(app: Any, pilot: Any) -> MergeScreen:
    await pilot.press("f")
    await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="duplicates")
    await pilot.press("1")
    await wait_until(pilot, lambda: isinstance(app.screen, MergeScreen)
                     and app.screen.preview is not None, what="merge preview")
    await pilot.pause()
    return app.screen


async def test_merge_screen_shows_swaps_confirms(make_app, store) -> None:  # type: ignore[no-untyped-def]
    first = add_patient(store, ADRTROIS)
    second = add_patient(store, ADRTROIS_BIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _main_ready(app, pilot, 2)
        screen = await _open_merge(app, pilot)
        text = flat(screen_text(app))
        assert f"Conservé n° {first}" in text and f"Fusionné n° {second}" in text
        assert "≠ différent" in text and "TOUSSAINT JEAN" in text
        assert "Entrée : fusionner" in text
        lines = screen_text(app).splitlines()
        assert len(lines) == 24 and any("Prénoms de naissance" in line for line in lines)
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.preview.kept.id == second, what="swap")
        assert f"Conservé n° {second}" in flat(screen_text(app))
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.preview.kept.id == first, what="swap back")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
        assert f"dossier n° {second} dans le dossier n° {first}" in flat(screen_text(app))
        await pilot.press("o")
        main = await _main_ready(app, pilot, 2)
        await wait_until(pilot, lambda: {v.patient_id for v in main._rows.values()} == {first},
                         what="list updated")
        assert store.merged_into(second) == first
        await wait_until(pilot, lambda: "Fusion n° 1 faite" in flat(screen_text(app)),
                         what="status line")
        # undo from the survivor's journal
        journal = await open_journal(app, pilot, first)
        assert isinstance(journal, JournalScreen)
        journal.query_one("DataTable").move_cursor(row=len(journal.lines) - 1)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="undo?")
        await pilot.press("o")
        await wait_until(pilot, lambda: store.merged_into(second) is None, what="unmerged")
        await wait_until(pilot, lambda: "rétabli" in flat(screen_text(app)), what="said")


async def test_doubtful_record_is_refused_until_a_reason_is_given(make_app, store) -> None:  # type: ignore[no-untyped-def]
    first = add_patient(store, ADRTROIS)
    second = add_patient(store, ADRTROIS_BIS)
    with store.action("test", "douteuse"):
        store.set_identity_state(second, apply(store.get_patient(second).state,
                                               AttributeSet(Attribute.DOUTEUSE)))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _main_ready(app, pilot, 2)
        screen = await _open_merge(app, pilot)
        text = flat(screen_text(app))
        assert "Fusion refusée" in text and "douteuse" in text and "m : saisir un motif" in text
        await pilot.press("enter")  # refused: no confirmation, the reason is said again
        await pilot.pause()
        assert isinstance(app.screen, MergeScreen)
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="reason")
        await pilot.press(*"meme personne", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MergeScreen)
                         and screen.preview.allowed, what="allowed")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
        await pilot.press("o")
        await wait_until(pilot, lambda: store.merged_into(second) == first, what="merged")
        assert store.merges_for(first)[-1].override_reason == "meme personne"
