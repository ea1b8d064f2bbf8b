"""Issue 5 front-desk improvements, on a real database file and the real INSi simulator:
the journal reads one line per user action, a pending INSi retry shows in the waiting list,
and a likely duplicate at creation offers to open the existing patient."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import DataTable, Static

from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.model import Attribute, Channel, Status
from ins_tui.tui import journal_view
from ins_tui.tui.widgets.waiting_list import WaitingList
from tests.tui.conftest import ADRTROIS, HOUILLES, add_patient, open_journal, wait_until
from tests.tui.test_desk_flows import fill_form
from tests.tui.test_identity_flows import identity_screen, open_and_search, text_of

SIZE = (80, 24)


def cells(screen: Any) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


# -- 1. the journal, one line per action ------------------------------------------------
async def test_qualification_reads_as_one_action_that_unfolds(make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        identity = await open_and_search(app, pilot, patient_id)
        assert identity.result.kind is InsiResultKind.MATCHED
        await pilot.press("enter", "2", "enter")  # qualify with a passport
        await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.QUAL,
                         what="QUAL")
        journal = await open_journal(app, pilot, patient_id)
        rows = store.journal_for_patient(patient_id)
        actions = {r.action_id for r in rows}
        shown = cells(journal)
        assert len(shown) == len(actions) < len(rows), (shown, rows)
        assert all(r[3].startswith("▸ ") for r in shown), shown  # each unfolds
        # Whole summaries (cells are cut at 80 columns; the detail pane shows them whole).
        summaries = [journal_view.action_summary(g) for g in journal.groups]
        qualify = next(i for i, s in enumerate(summaries) if "RECUP → QUAL" in s)
        search = next(i for i, s in enumerate(summaries) if s.startswith("[x] "))
        assert "Recherche INSi : trouvée · PROV → RECUP" in summaries[search], summaries

        # The detail pane lists every row the qualification wrote.
        for _ in range(qualify):
            await pilot.press("down")
        detail = text_of(journal, "#journal-detail")
        assert summaries[qualify].split(" · ")[0] in detail
        assert "Pièce contrôlée : Passeport" in detail and "Statut : RECUP → QUAL" in detail
        assert "par secretaire" in detail

        # Entrée unfolds the action into its rows; Entrée again folds it.
        group_size = len(journal.groups[journal.lines[qualify][0]])
        await pilot.press("enter")
        assert len(cells(journal)) == len(shown) + group_size
        assert cells(journal)[qualify][3].startswith("▾ ")
        await pilot.press("down")
        assert cells(journal)[qualify + 1][3].startswith("  └ ")
        assert "Action : " in text_of(journal, "#journal-detail")
        await pilot.press("up", "enter")
        assert len(cells(journal)) == len(shown)

        # x on the search action shows its raw exchange(s), byte for byte.
        for _ in range(qualify - search):
            await pilot.press("up")
        await pilot.press("x")
        raw = text_of(journal, "#journal-raw")
        assert "Requête INSi" in raw and "RECSANSVITALE" in raw and "Réponse INSi" in raw


# -- 2. a pending INSi retry in the waiting list ----------------------------------------
async def test_pending_insi_retry_shows_in_list_and_detail_then_goes(
        make_app, store, desk, simulator, clock):
    retried = add_patient(store, ADRTROIS)
    dropped = add_patient(store, HOUILLES)
    app = make_app(retry=RetryScheduler(desk, base_delay=30.0), retry_interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        main = app.main_screen()
        table = main.query_one(WaitingList)
        await wait_until(pilot, lambda: table.row_count == 2, what="list")

        def identity_cells() -> list[str]:
            return [str(table.get_row_at(i)[3]) for i in range(table.row_count)]

        assert identity_cells() == ["○ PROV", "○ PROV"]
        simulator.fault_rate = 1.0  # the téléservice answers with faults: both queued
        try:
            for pid in (retried, dropped):
                result = await asyncio.to_thread(desk.retrieve_ins, pid, Channel.INSI)
                assert result.kind is InsiResultKind.QUEUED
        finally:
            simulator.fault_rate = 0.0
        await wait_until(pilot, lambda: identity_cells() == ["⟳ INSi", "⟳ INSi"],
                         what="pending shown in the list")
        assert "⟳ INSi en attente" in main.query_one("#detail").text
        assert "○ PROV (provisoire)" in main.query_one("#detail").text

        # One is marked douteuse (the retry drops it), the other is retried and found.
        assert desk.set_attribute(dropped, Attribute.DOUTEUSE, True).ok
        clock.advance(120)
        app.run_retries()
        await wait_until(pilot, lambda: "⟳ INSi" not in identity_cells(),
                         what="pending gone")
        assert store.get_patient(retried).status is Status.RECUP
        assert identity_cells() == ["◐ RECUP", "○ PROV"]
        assert "INSi en attente" not in main.query_one("#detail").text
        assert store.pending_insi() == []


async def test_pending_from_another_desk_is_one_cell_then_idle(make_app, store, db_path):
    """Another desk (its own connection to the file) queues a request: the live refresh
    changes exactly one cell, in one batch; then an idle desk applies nothing more."""
    from ins_tui.store.store import Store

    pid = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = app.main_screen().query_one(WaitingList)
        await wait_until(pilot, lambda: table.row_count == 1, what="list")
        applied: list[int] = []
        original = table.show_rows

        def counting(rows: Any) -> int:
            applied.append(original(rows))
            return applied[-1]

        table.show_rows = counting  # type: ignore[method-assign]
        with Store.open(db_path) as other:
            other.enqueue_insi(pid, ADRTROIS, Channel.INSI, actor="poste 2")
        await wait_until(pilot, lambda: str(table.get_row_at(0)[3]) == "⟳ INSi",
                         what="pending")
        assert applied == [1], applied
        await pilot.pause(1.2)  # two poll periods, nothing committed meanwhile
        assert applied == [1], applied


# -- 3. a likely duplicate at creation ----------------------------------------------------
async def _new_patient_warned(app: Any, pilot: Any) -> Any:
    from ins_tui.tui.screens.duplicates import DuplicateModal
    from ins_tui.tui.screens.patient_form import PatientForm

    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
    form = app.screen
    await fill_form(app, pilot, {"birth_name": "ADRTROIS", "first_names": "PAUL",
                                 "sex": "M", "birth_date": "01/01/1960"})
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, DuplicateModal), what="warning")
    modal = app.screen
    listed = str(modal.query_one("#duplicate-options").get_option_at_index(0).prompt)
    assert "ADRTROIS Toussaint" in listed and "même nom" in listed.lower(), listed
    return form


async def test_duplicate_warning_opens_the_existing_patient(make_app, store):
    existing = add_patient(store, ADRTROIS, arrival=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_patient_warned(app, pilot)
        await pilot.press("escape")  # back to the form, everything kept, nothing created
        await wait_until(pilot, lambda: app.screen is form, what="form again")
        assert "saisie est conservée" in text_of(form, "#status-line")
        assert form.form().first_names == "PAUL"
        await pilot.press("ctrl+s")  # asked again: never a silent duplicate
        await _wait_modal(app, pilot)
        await pilot.press("o")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        assert identity_screen(app).patient_id == existing
        assert len(store.search("ADRTROIS")) == 1
        assert not any("doublon" in r.action for r in store.journal_for_day("2025-03-14"))


async def _wait_modal(app: Any, pilot: Any) -> None:
    from ins_tui.tui.screens.duplicates import DuplicateModal

    await wait_until(pilot, lambda: isinstance(app.screen, DuplicateModal), what="warning")


async def test_duplicate_warning_create_anyway_is_journaled(make_app, store):
    existing = add_patient(store, ADRTROIS, arrival=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_patient_warned(app, pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="created")
        created = identity_screen(app).patient_id
        assert created != existing and len(store.search("ADRTROIS")) == 2
        rows = store.journal_for_patient(created)
        assert {r.action for r in rows} == {"création malgré un doublon possible"}
        journal = await open_journal(app, pilot, created)
        shown = cells(journal)
        assert len(shown) == 1 and shown[0][3].startswith("▸ Création malgré un doublon"), shown
        detail = text_of(journal, "#journal-detail")
        assert f"Créé malgré un doublon possible de : patient n° {existing}" in detail, detail
        assert isinstance(journal.query_one("#journal-detail"), Static)
