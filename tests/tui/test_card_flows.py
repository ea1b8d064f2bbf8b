"""Card insertion flows through the in-process card source (same reader code as PC/SC)."""

from __future__ import annotations

import threading

from ins_tui.card.profiles import get_profile
from ins_tui.card.source import InProcessCardSource
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Status
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, text_of


def insert_from_thread(source: InProcessCardSource, name: str) -> None:
    """Insert like a reader would: from another thread than the app's."""
    thread = threading.Thread(target=source.insert, args=(get_profile(name),))
    thread.start()
    thread.join(5)


async def test_card_inserted_search_starts_without_a_key_then_enter_qualifies(make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    source = InProcessCardSource()
    messages: list = []
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        insert_from_thread(source, "adrtrois-toussaint")
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        screen = identity_screen(app)
        assert screen.patient_id == patient_id
        assert screen.result.kind is InsiResultKind.MATCHED
        assert "INS (INSi)" in text_of(screen, "#comparison")
        names = [type(m).__name__ for m in messages]
        assert names.index("CardEventArrived") < names.index("CardRead") < names.index(
            "InsiFinished")
        await pilot.press("enter", "1", "enter")
        await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.QUAL,
                         what="QUAL")
        assert store.get_patient(patient_id).document_type == "CN"


async def test_several_beneficiaries_offered_in_a_list(make_app, store):
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        from textual.widgets import OptionList

        from ins_tui.tui.screens.choice_list import ChoiceList

        insert_from_thread(source, "famille-nessi")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="list")
        options = app.screen.query_one(OptionList)
        assert options.option_count == 5
        await pilot.press("down", "down", "up", "up")
        assert options.highlighted == 0
        await pilot.press("enter")  # NESSI NATHALIE
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        screen = identity_screen(app)
        assert "NESSI" in text_of(screen, "#identity-who")
        assert screen.result.kind in (InsiResultKind.MATCHED, InsiResultKind.DIFFERENT)
        assert store.get_patient(screen.patient_id).traits.first_names.startswith("NATHALIE")


async def test_unreadable_card_said_plainly(make_app, store):
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        from textual.widgets import Static

        insert_from_thread(source, "bancaire")
        line = app.screen.query_one("#status-line", Static)
        await wait_until(pilot, lambda: "Carte" in str(line.render())
                         and "lecture" not in str(line.render()), what="card message")
        assert "illisible" in str(line.render()) or "Vitale" in str(line.render())
        assert len(app.screen_stack) == 2  # still on the list, nothing opened
