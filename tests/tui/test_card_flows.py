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
        await wait_until(pilot, lambda: "n'est pas une carte Vitale" in str(line.render()),
                         what="card message")
        text = str(line.render())
        assert "recherche par traits" in text  # what to do instead, in the same line
        assert "illisible" not in text  # a bank card is not "unreadable": it is not a Vitale
        assert len(app.screen_stack) == 2  # still on the list, nothing opened


def card_errors(messages: list) -> list[str]:
    return [m.error_fr for m in messages if type(m).__name__ == "CardRead" and m.error_fr]


async def test_card_answering_late_is_read_without_flashing_an_error(make_app, store):
    """pcscd often reports an insertion before the card answers: the first read says « no
    card » while the reader holds it. The app retries quietly and shows no error."""
    patient_id = add_patient(store, ADRTROIS)
    source = InProcessCardSource()
    chip = source.insert(get_profile("adrtrois-toussaint"))  # before start: no event yet
    chip.present = False  # inserted, not answering yet (contact not made)
    messages: list = []
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: "carte insérée" in app.reader_state, what="insertion")
        timer = threading.Timer(0.3, lambda: setattr(chip, "present", True))
        timer.start()
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        timer.join()
        assert identity_screen(app).patient_id == patient_id
        assert card_errors(messages) == []


async def test_card_pulled_out_during_the_read_says_removed_not_an_error(make_app, store):
    source = InProcessCardSource()
    chip = source.insert(get_profile("adrtrois-toussaint"))  # before start: no event yet
    chip.present = False  # the read keeps failing until the card is pulled out
    messages: list = []
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        from textual.widgets import Static

        await wait_until(pilot, lambda: "carte insérée" in app.reader_state, what="insertion")
        thread = threading.Thread(target=source.remove)
        thread.start()
        thread.join(5)
        await wait_until(pilot, lambda: "pas de carte" in app.reader_state, what="removal")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert card_errors(messages) == []
        # Said as what happened (pulled out before the end), not as an unreadable card.
        from ins_tui.tui.app import CARD_PULLED

        assert str(app.screen.query_one("#status-line", Static).render()) == CARD_PULLED
        assert identity_screen(app) is None and len(app.screen_stack) == 2
        assert store.search("ADRTROIS") == []  # a card read alone writes nothing


async def test_card_that_never_answers_gets_one_french_error_after_the_grace(make_app, store):
    source = InProcessCardSource()
    chip = source.insert(get_profile("adrtrois-toussaint"))
    chip.present = False
    messages: list = []
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: card_errors(messages), what="error after the grace")
        from ins_tui.tui.app import CARD_SILENT

        assert card_errors(messages) == [CARD_SILENT]
        assert identity_screen(app) is None


async def test_card_removed_after_a_complete_read_is_just_removed(make_app, store):
    """The other side of the mid-read message: a card taken out once read is no news."""
    from ins_tui.tui.app import CARD_PULLED

    add_patient(store, ADRTROIS)
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        source.insert(get_profile("adrtrois-toussaint"))
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        thread = threading.Thread(target=source.remove)
        thread.start()
        thread.join(5)
        await wait_until(pilot, lambda: "pas de carte" in app.reader_state, what="removal")
        await pilot.pause()
        said = text_of(identity_screen(app), "#status-line")
        assert said == "Carte retirée." and said != CARD_PULLED
