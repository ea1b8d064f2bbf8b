"""Pilot tests of the identity flows against a real database file and the real simulator."""

from __future__ import annotations

from typing import Any

from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Attribute, Status
from tests.tui.conftest import (
    ADRTROIS,
    DE_VINCI,
    ECETINSI_DIFF,
    HOUILLES,
    add_patient,
    wait_until,
)


def identity_screen(app: Any) -> Any:
    from ins_tui.tui.screens.identity import IdentityScreen

    screen = app.screen
    return screen if isinstance(screen, IdentityScreen) else None


async def open_and_search(app: Any, pilot: Any, patient_id: int) -> Any:
    app.open_patient(patient_id, search_insi=True)
    await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity screen")
    screen = identity_screen(app)
    await wait_until(pilot, lambda: screen.result is not None, what="INSi result")
    return screen


async def search_during_outage(app: Any, pilot: Any, simulator: Any, patient_id: int) -> Any:
    """Open the patient and search while every INSi request faults, then restore the service."""
    simulator.fault_rate = 1.0
    try:
        return await open_and_search(app, pilot, patient_id)
    finally:
        simulator.fault_rate = 0.0


def text_of(screen: Any, selector: str) -> str:
    from textual.widgets import Static

    from ins_tui.tui.widgets.comparison import ComparisonPanel

    if selector == "#comparison":
        return screen.query_one(ComparisonPanel).as_text()
    return str(screen.query_one(selector, Static).render())


async def test_perfect_match_then_enter_qualifies(make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.MATCHED
        assert "Entrée : qualifier l'identité" in text_of(screen, "#identity-next")
        assert store.get_patient(patient_id).status is Status.RECUP
        await pilot.press("enter")
        from ins_tui.tui.screens.document_step import DocumentStep

        await wait_until(pilot, lambda: isinstance(app.screen, DocumentStep), what="doc step")
        step = app.screen
        assert step.chosen is None  # nothing pre-selected
        await pilot.press("enter")  # refused: nothing chosen yet
        assert isinstance(app.screen, DocumentStep)
        assert "aucune n'est présélectionnée" in text_of(step, "#document-hint")
        await pilot.press("2", "enter")
        await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.QUAL,
                         what="QUAL in the database")
        record = store.get_patient(patient_id)
        assert record.document_type == "PA"
        assert record.document_by == "secretaire"
        await wait_until(pilot, lambda: "qualifiée" in text_of(screen, "#identity-next"),
                         what="qualified message")


async def _differences(make_app, store, *keys: str) -> tuple[int, Any]:
    patient_id = add_patient(store, ECETINSI_DIFF)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.DIFFERENT
        table = text_of(screen, "#comparison")
        assert "différent" in table and "≠" in table
        await pilot.press(*keys)
        await wait_until(pilot, lambda: screen.result is None
                         or screen.result.kind is not InsiResultKind.DIFFERENT,
                         what="choice applied")
        return patient_id, text_of(screen, "#identity-state")


async def test_differences_adopt_ins_traits(make_app, store):
    # « a » asks first (issue 12, F7); « o » confirms.
    patient_id, state = await _differences(make_app, store, "a", "o")
    record = store.get_patient(patient_id)
    assert record.status is Status.RECUP
    assert record.ins is not None
    assert record.traits.birthplace != "75056"
    assert "adoptés" in state


async def test_differences_keep_provisional(make_app, store):
    patient_id, state = await _differences(make_app, store, "g")
    record = store.get_patient(patient_id)
    assert record.status is Status.PROV and record.ins is None
    assert record.traits.birthplace == "75056"
    assert "conservée" in state
    assert any("garder" in e.action for e in store.journal_for_patient(patient_id))


async def test_differences_mark_doubtful(make_app, store):
    patient_id, state = await _differences(make_app, store, "d")
    record = store.get_patient(patient_id)
    assert Attribute.DOUTEUSE in record.attributes and record.status is Status.PROV
    assert "douteuse" in state


async def test_cr02_then_more_criteria_finds_the_ins(make_app, store):
    patient_id = add_patient(store, DE_VINCI)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.SEVERAL
        assert "CR 02" in text_of(screen, "#identity-state")
        await pilot.press("t")
        from ins_tui.tui.screens.criteria import CriteriaModal

        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="criteria")
        for char in "63220":
            await pilot.press(char)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.result is not None
                         and screen.result.kind is not InsiResultKind.SEVERAL,
                         what="second search")
        # Found with the birthplace; the local identity has none and a shorter first-name
        # list, so the comparison is shown for the secretary to decide (nothing imported).
        assert screen.result.kind is InsiResultKind.DIFFERENT
        assert screen.result.identity.traits.birthplace == "63220"
        assert "63220" in text_of(screen, "#comparison")
        assert store.get_patient(patient_id).ins is None


async def test_cr01_said_plainly_with_more_criteria(make_app, store):
    patient_id = add_patient(store, HOUILLES)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        assert "Aucune identité trouvée (CR 01)" in text_of(screen, "#identity-state")
        assert "plus de critères" in text_of(screen, "#identity-next")
        await pilot.press("t")
        from ins_tui.tui.screens.criteria import CriteriaModal

        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="criteria")
        await pilot.press("9", "9", "x")  # bad COG: refused with a message, kept
        modal = app.screen
        assert "mal formé" in text_of(modal, "#c-birthplace-fb")
        await pilot.press("escape")
        assert store.get_patient(patient_id).status is Status.PROV


async def test_unlock_needs_confirmation(make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert store.get_patient(patient_id).locked
        from ins_tui.tui.screens.confirm import ConfirmModal

        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
        await pilot.press("n")
        assert store.get_patient(patient_id).status is Status.RECUP
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
        await pilot.press("o")
        await wait_until(pilot, lambda: store.get_patient(patient_id).ins is None,
                         what="INS dropped")
        record = store.get_patient(patient_id)
        assert record.status is Status.PROV and not record.locked
        await wait_until(pilot, lambda: "déverrouill" in text_of(
            screen, "#identity-state").lower(), what="unlock said")
        # The comparison with the INS just dropped is no longer shown (it would read as
        # the patient's INS), and the next step is a new search.
        assert text_of(screen, "#comparison") == ""
        assert "i : rechercher l'INS" in text_of(screen, "#identity-next")


async def test_desk_error_in_a_worker_is_said_in_french_and_the_app_keeps_running(
        make_app, store, desk, monkeypatch):
    from ins_tui.desk.base import DeskError

    patient_id = add_patient(store, ADRTROIS)

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise DeskError("Base occupée : rien n'a été enregistré.")

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        monkeypatch.setattr(desk, "needs_document", lambda _pid: False)
        monkeypatch.setattr(desk, "qualify", refuse)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Base occupée" in text_of(screen, "#status-line"),
                         what="French error")
        assert app.is_running and store.get_patient(patient_id).status is Status.RECUP


async def test_journal_shows_raw_insi_exchanges(make_app, store):
    from ins_tui.tui.screens.journal import JournalScreen

    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_search(app, pilot, patient_id)
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, JournalScreen)
                         and app.screen.entries, what="journal")
        journal = app.screen
        with_raw = next(i for i, (group, _) in enumerate(journal.lines)  # one line per action
                        if any(e.insi_request for e in journal.groups[group]))
        for _ in range(with_raw):
            await pilot.press("down")
        await pilot.press("x")
        raw = text_of(journal, "#journal-raw")
        assert "Requête INSi" in raw and "RECSANSVITALE" in raw and "Réponse INSi" in raw
        await pilot.press("escape", "f8")
        await wait_until(pilot, lambda: isinstance(app.screen, JournalScreen)
                         and app.screen.patient_id is None and app.screen.entries,
                         what="day journal")


async def test_edit_with_insi_fields_locked_changes_only_the_free_ones(make_app, store):
    """After a perfect match the INSi traits are locked: the form shows them disabled with
    the reason, the used name can still be set, and the INSi traits stay as received."""
    from textual.widgets import Input

    from ins_tui.tui.screens.patient_form import PatientForm

    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        locked = store.get_patient(patient_id).locked
        assert {"birth_name", "first_names", "birth_date", "sex", "birthplace"} <= locked
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        form = app.screen
        for name in locked:
            assert form.query_one(f"#f-{name}", Input).disabled
            assert "verrouillé" in text_of(form, f"#fb-{name}")
        assert app.focused is form.query_one("#f-used_name", Input)  # first free field
        for char in "martin":
            await pilot.press(char)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: identity_screen(app) is screen, what="back")
        record = store.get_patient(patient_id)
        assert record.traits.used_name == "MARTIN"
        assert record.traits.birth_name == "ADRTROIS" and record.status is Status.RECUP
        assert record.locked == locked
        assert any(e.action == "modification des traits"
                   for e in store.journal_for_patient(patient_id))
        # Unlocked explicitly, the same form lets every trait be typed again.
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("o")
        await wait_until(pilot, lambda: not store.get_patient(patient_id).locked, what="unlock")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        assert not app.screen.query_one("#f-birth_name", Input).disabled
