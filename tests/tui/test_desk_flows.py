"""Flows without a card: faults and retries, manual creation and search, ApCV, live list."""

from __future__ import annotations

from typing import Any

from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.model import Channel, Status
from tests.tui.conftest import ADRTROIS, DE_VINCI, add_patient, wait_until
from tests.tui.test_identity_flows import (
    identity_screen,
    search_during_outage,
    text_of,
)


async def test_fault_is_queued_then_retried_in_background(make_app, store, desk, simulator,
                                                          clock):
    patient_id = add_patient(store, ADRTROIS)
    retry = RetryScheduler(desk, base_delay=30.0)
    app = make_app(retry=retry, retry_interval=3600)  # ticks driven by the test
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await search_during_outage(app, pilot, simulator, patient_id)
        assert screen.result.kind is InsiResultKind.QUEUED
        assert "relancée automatiquement" in text_of(screen, "#identity-state")
        assert store.get_patient(patient_id).status is Status.PROV
        assert desk.pending_retries() == 1
        # The desk keeps working meanwhile: back to the list, a state change goes through.
        await pilot.press("escape")
        main = app.main_screen()
        await wait_until(pilot, lambda: main.selected_visit() is not None, what="row")
        await pilot.press("c")
        await wait_until(pilot, lambda: store.visits_for_day(clock.now().date())[0].state
                         == "en_consultation", what="state change")
        app.open_patient(patient_id)
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="screen")
        screen = identity_screen(app)
        clock.advance(120)
        app.run_retries()
        await wait_until(pilot, lambda: screen.result is not None, what="retry result")
        assert screen.result.kind is InsiResultKind.MATCHED
        assert store.get_patient(patient_id).status is Status.RECUP
        assert desk.pending_retries() == 0


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def fill_form(app: Any, pilot: Any, values: dict[str, str]) -> None:
    from textual.widgets import Input

    for name, text in values.items():
        app.screen.query_one(f"#f-{name}", Input).focus()
        await type_text(pilot, text)


async def test_no_card_creation_live_feedback_then_traits_search(make_app, store):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        from ins_tui.tui.screens.patient_form import PatientForm

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        form = app.screen
        await fill_form(app, pilot, {"birth_name": "adrtrois2"})
        feedback = text_of(form, "#fb-birth_name")
        assert "2" in feedback and "✗" in feedback  # the offending character is named
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PatientForm)  # refused, nothing lost
        assert "nom de naissance" in text_of(form, "#status-line")
        await pilot.press("backspace")
        assert "ADRTROIS" in text_of(form, "#fb-birth_name")  # normalised value shown
        await fill_form(app, pilot, {"first_names": "toussaint", "sex": "m",
                                     "birth_date": "01/01/1960", "birthplace": "2b020"})
        assert "2B020" in text_of(form, "#fb-birthplace")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        screen = identity_screen(app)
        record = store.get_patient(screen.patient_id)
        assert record.traits.birth_name == "ADRTROIS" and record.status is Status.PROV
        await pilot.press("i")  # Rechercher l'INS by traits
        await wait_until(pilot, lambda: screen.result is not None, what="INSi result")
        assert screen.result.kind is InsiResultKind.MATCHED
        assert store.get_patient(screen.patient_id).status is Status.RECUP


async def test_homonym_warning_at_creation(make_app, store):
    add_patient(store, ADRTROIS, arrival=None)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await fill_form(app, pilot, {"birth_name": "ADRTROIS", "first_names": "PAUL",
                                     "sex": "M", "birth_date": "01/01/1960"})
        form = app.screen
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "proche" in text_of(form, "#form-summary"),
                         what="duplicate warning")
        assert len(store.search("ADRTROIS")) == 1  # not created yet
        await wait_until(pilot, lambda: app.screen is not form, what="duplicate choices")
        await pilot.press("c")  # create anyway (o would open the existing patient)
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="created")
        assert len(store.search("ADRTROIS")) == 2


async def test_search_then_arrival(make_app, store, clock):
    add_patient(store, ADRTROIS, arrival=None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        from ins_tui.tui.screens.choice_list import ChoiceList
        from ins_tui.tui.screens.search import SearchScreen

        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen), what="search")
        search = app.screen
        await type_text(pilot, "adrt 01/01/1960")
        await wait_until(pilot, lambda: len(search.records) == 1, what="one result")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="practitioner")
        await pilot.press("2")
        await wait_until(pilot, lambda: len(store.visits_for_day(clock.now().date())) == 1,
                         what="arrival stored")
        assert store.visits_for_day(clock.now().date())[0].practitioner == "Dr Bernard"
        main = app.main_screen()
        await wait_until(pilot, lambda: main.selected_visit() is not None, what="row shown")


async def test_arrival_of_a_patient_already_waiting_points_at_the_line(make_app, store,
                                                                        clock):
    """Tried by hand in tmux: HOUILLES, already waiting, added again from « a » — a second
    line appeared. Now refused in the status line, the cursor on the line already there;
    and a real new arrival gets the cursor too."""
    from ins_tui.tui.screens.choice_list import ChoiceList
    from ins_tui.tui.screens.main import MainScreen
    from ins_tui.tui.screens.search import SearchScreen
    from tests.tui.conftest import HOUILLES

    waiting = add_patient(store, ADRTROIS)
    other = add_patient(store, HOUILLES)
    newcomer = add_patient(store, DE_VINCI, arrival=None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen()
        await wait_until(pilot, lambda: len(main._rows) == 2, what="two lines")
        assert main.selected_visit().patient_id == waiting

        async def arrive(name: str) -> None:
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen), what="search")
            search = app.screen
            await type_text(pilot, name)
            await wait_until(pilot, lambda: len(search.records) == 1, what="one result")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="who")
            await pilot.press("1")
            await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="list")

        await arrive("houilles")
        await wait_until(pilot, lambda: main.selected_visit().patient_id == other,
                         what="cursor on the existing line")
        assert "déjà dans la file du jour" in text_of(main, "#status-line")
        assert len(store.visits_for_day(clock.now().date())) == 2
        await arrive("de vinci")
        await wait_until(pilot, lambda: main.selected_visit().patient_id == newcomer,
                         what="cursor on the new line")
        assert "Arrivée ajoutée" in text_of(main, "#status-line")
        assert len(store.visits_for_day(clock.now().date())) == 3


async def test_apcv_qualifies_without_insi_call(make_app, store, simulator):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        from ins_tui.tui.screens.choice_list import ChoiceList

        before = simulator.request_count
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="apcv list")
        assert app.screen.name == "apcv"
        await pilot.press("2")  # the first dependant
        await wait_until(pilot, lambda: app.screen.name == "apcv-confirm", what="confirm")
        await pilot.press("enter")  # only choice: new patient
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        record = store.get_patient(identity_screen(app).patient_id)
        assert record.status is Status.QUAL
        assert record.traits.first_names == "LUCAS"
        events = store.identity_events(record.id)
        assert any(e["channel"] == Channel.APCV.value for e in events)
        assert simulator.request_count == before


async def test_two_apps_on_one_database_see_each_others_arrivals(make_app, db_path, insi, clock,
                                                                 config):
    from ins_tui.desk.desk import Desk
    from ins_tui.store.store import Store
    from ins_tui.tui.app import InsTuiApp
    from ins_tui.tui.widgets.waiting_list import WaitingList

    other_store = Store.open(db_path, clock=clock.now)
    other_desk = Desk(other_store, insi, clock, "accueil-2")
    first = make_app()
    second = InsTuiApp(other_desk, config=config, environ={})
    try:
        async with first.run_test(size=(80, 24)) as p1, second.run_test(size=(80, 24)) as p2:
            table1 = first.main_screen().query_one(WaitingList)
            table2 = second.main_screen().query_one(WaitingList)
            add_patient(other_store, ADRTROIS)  # arrival at desk 2
            await wait_until(p1, lambda: table1.row_count == 1, what="desk 1 sees it")
            # Arrival at desk 1 (another patient: ADRTROIS is already waiting).
            newcomer = add_patient(other_store, DE_VINCI, arrival=None)
            first.desk.add_arrival(newcomer, "Dr Bernard")
            await wait_until(p2, lambda: table2.row_count == 2, what="desk 2 sees it")
            await wait_until(p1, lambda: table1.row_count == 2, what="desk 1 updated")
    finally:
        other_store.close()


async def test_apcv_holder_and_dependants_confirmed_one_by_one(make_app, store, simulator):
    """Each presented person is confirmed separately by the secretary; presenting someone
    already known offers that patient (found by INS) before « nouveau patient »."""
    from ins_tui.desk.ports import TrainingApcv
    from ins_tui.tui.screens.choice_list import ChoiceList

    presented = TrainingApcv().present()
    app = make_app()
    before = simulator.request_count
    async with app.run_test(size=(100, 30)) as pilot:
        created = []
        for index, person in enumerate(presented):
            await pilot.press("escape", "f7")
            await wait_until(pilot, lambda: app.screen.name == "apcv", what="apcv list")
            await pilot.press(str(index + 1))
            await wait_until(pilot, lambda: app.screen.name == "apcv-confirm", what="confirm")
            assert isinstance(app.screen, ChoiceList)
            await pilot.press("escape")  # not confirmed: nothing written
            await wait_until(pilot, lambda: app.screen.name != "apcv-confirm", what="closed")
            assert store.find_by_matricule(person.identity.ins.matricule) == []
            await pilot.press("f7")
            await wait_until(pilot, lambda: app.screen.name == "apcv", what="apcv list")
            await pilot.press(str(index + 1))
            await wait_until(pilot, lambda: app.screen.name == "apcv-confirm", what="confirm")
            await pilot.press("enter")  # « Nouveau patient » (no candidate yet)
            await wait_until(pilot, lambda: identity_screen(app) is not None
                             and identity_screen(app).patient_id not in created,
                             what="identity")
            record = store.get_patient(identity_screen(app).patient_id)
            assert record.status is Status.QUAL
            assert record.ins.matricule == person.identity.ins.matricule
            assert record.traits.first_names == person.identity.traits.first_names
            created.append(record.id)
        assert len(set(created)) == 3
        # The holder again: offered as the known patient, confirmed, no new record.
        await pilot.press("escape", "f7")
        await wait_until(pilot, lambda: app.screen.name == "apcv", what="apcv list")
        await pilot.press("1")
        await wait_until(pilot, lambda: app.screen.name == "apcv-confirm", what="confirm")
        await pilot.press("1")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        assert identity_screen(app).patient_id == created[0]
        assert len(store.find_by_matricule(presented[0].identity.ins.matricule)) == 1
    assert simulator.request_count == before  # never an INSi call
