"""Second walk-through as a secretary at 80×24: what she reads after an import, after a
CR 01, during a pending retry, in the help and in the ApCV confirmation."""

from __future__ import annotations

import dataclasses
import re

from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.retry import RetryScheduler
from ins_tui.domain.model import Status
from tests.tui.conftest import ADRTROIS, HOUILLES, add_patient, wait_until
from tests.tui.test_desk_flows import type_text
from tests.tui.test_identity_flows import (
    identity_screen,
    open_and_search,
    search_during_outage,
    text_of,
)


async def test_after_a_perfect_match_the_panel_says_which_trait_was_imported(
        make_app, store):
    """No local birthplace, match accepted by the practice's policy: the birthplace row
    must say it now holds the INS value, next to the « absent » verdict that allowed it."""
    patient_id = add_patient(store, dataclasses.replace(ADRTROIS, birthplace=None))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.MATCHED
        assert store.get_patient(patient_id).traits.birthplace == "2B020"
        from ins_tui.tui.widgets.comparison import ComparisonPanel

        panel = screen.query_one(ComparisonPanel).as_text(width=200)
        place = next(line for line in panel.splitlines() if "Lieu de naissance" in line)
        # The place reads « 2B020 — Aregno (2B) » once the COG tables are loaded (F5).
        assert re.search(r"2B020( — Aregno \(2B\))? \(importé de l'INSi ; avant : —\)", place)
        assert "∅ absent" in place  # the verdict that led to the import stays visible
        assert "comparaison faite avant l'import" in panel
        born = next(line for line in panel.splitlines() if "Nom de naissance" in line)
        assert "importé" not in born  # an identical trait is not said to be imported


async def test_more_criteria_modal_shows_its_errors_and_says_what_was_tried(
        make_app, store):
    from textual.widgets import Input, Static

    from ins_tui.tui.screens.criteria import CriteriaModal

    patient_id = add_patient(store, HOUILLES)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="modal")
        modal = app.screen
        assert "HOUILLES Pierre" in str(modal.query_one(".modal-title", Static).render())
        assert "CR 01" in str(modal.query_one("#c-why", Static).render())
        # Enter with nothing new: refused, and the reason is on screen.
        await pilot.press("enter")
        place_fb = modal.query_one("#c-birthplace-fb", Static)
        assert isinstance(app.screen, CriteriaModal)
        assert place_fb.display and place_fb.region.height > 0
        assert "critère nouveau" in str(place_fb.render())
        # Under its field, not indented under a label column the modal does not have.
        assert place_fb.content_region.x <= modal.query_one("#c-birthplace").region.x + 2
        # A postcode instead of a COG code: the error is visible, within 24 lines.
        await type_text(pilot, "75")
        await pilot.pause()
        assert "mal formé" in str(place_fb.render())
        assert place_fb.display and 0 < place_fb.region.bottom <= 24
        await pilot.press("enter")
        assert isinstance(app.screen, CriteriaModal)
        modal.query_one("#c-birthplace", Input).value = "75056"
        await pilot.press("enter")
        await wait_until(pilot, lambda: identity_screen(app) is screen and screen.result
                         is not None, what="second search")
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        state = text_of(screen, "#identity-state")
        assert state.startswith("Avec lieu de naissance 75056 : Aucune identité trouvée")


async def test_help_keeps_its_closing_keys_on_screen_at_80x24(make_app):
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys", Static)
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0  # the list is longer than the screen
        assert 0 < keys.region.bottom <= 24 and keys.region.height > 0
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        assert 0 < keys.region.bottom <= 24  # still there after scrolling
        assert "fermer" in str(keys.render())


async def test_retry_success_is_told_by_name_over_the_screen_she_is_on(
        make_app, store, desk, simulator, clock):
    """While the request waits she is told when it will be tried again; when it succeeds
    she is on another patient's form: the form stays, typed text and all, and a
    notification names the patient (not a row number)."""
    from textual.widgets import Input

    from ins_tui.tui.screens.patient_form import PatientForm

    patient_id = add_patient(store, ADRTROIS)
    app = make_app(retry=RetryScheduler(desk, base_delay=30.0), retry_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await search_during_outage(app, pilot, simulator, patient_id)
        assert screen.result.kind is InsiResultKind.QUEUED
        assert "prochain essai vers 09 h 30" in text_of(screen, "#identity-state")
        await pilot.press("escape")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        form = app.screen
        form.query_one("#f-birth_name", Input).focus()
        await type_text(pilot, "martin")
        clock.advance(120)
        app.run_retries()
        await wait_until(pilot, lambda: bool(list(app._notifications)), what="notice")
        notice = list(app._notifications)[-1]
        assert "ADRTROIS Toussaint" in notice.message and "n°" not in notice.message
        assert "réponse reçue" in notice.title
        assert store.get_patient(patient_id).status is Status.RECUP
        assert app.screen is form
        assert form.query_one("#f-birth_name", Input).value == "martin"
        assert "ADRTROIS Toussaint" in text_of(form, "#status-line")


async def test_apcv_confirmation_shows_the_presented_identity(make_app):
    from textual.widgets import Static

    from ins_tui.tui.screens.choice_list import ChoiceList

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="apcv list")
        await pilot.press("2")
        await wait_until(pilot, lambda: app.screen.name == "apcv-confirm", what="confirm")
        prompt = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "ayant droit" in prompt
        assert "né·e le 02/07/2015" in prompt and "sexe M" in prompt


async def test_unlock_confirmation_names_the_patient_and_escape_changes_nothing(
        make_app, store):
    from textual.widgets import Static

    from ins_tui.tui.screens.confirm import ConfirmModal

    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.MATCHED
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
        texts = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "Déverrouiller — ADRTROIS Toussaint" in texts
        assert "Échap : non" in texts
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back")
        assert store.get_patient(patient_id).status is Status.RECUP
        assert "rien n'a changé" in text_of(screen, "#status-line")


async def test_creation_homonym_warning_and_dates_shown_as_typed(make_app, store):
    """The date feedback is French (JJ/MM/AAAA, not ISO) and a homonym is named before
    anything is created."""
    from ins_tui.tui.screens.patient_form import PatientForm
    from tests.tui.test_desk_flows import fill_form

    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        form = app.screen
        await fill_form(app, pilot, {"birth_name": "adrtrois", "first_names": "toussaint",
                                     "sex": "m", "birth_date": "01/01/1960"})
        assert text_of(form, "#fb-birth_date") == "✓ 01/01/1960"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "ADRTROIS Toussaint" in text_of(form, "#form-summary"),
                         what="homonym warning")
        from ins_tui.tui.screens.duplicates import DuplicateModal

        await wait_until(pilot, lambda: isinstance(app.screen, DuplicateModal), what="choices")
        await pilot.press("escape")  # back to the form: nothing created, values kept
        await wait_until(pilot, lambda: app.screen is form, what="form")
        assert len(store.find_by_traits("ADRTROIS", "TOUSSAINT", "1960-01-01")) == 1
