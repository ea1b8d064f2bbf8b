"""Snapshots of the screens issue 12 changed, at 80×24, in the default look and in the plain
look `TERM=linux` picks (16 colours, console-safe glyphs; tui/console_look.py).

Environment scrubbed by tests/conftest.py, clock fixed by the fixtures, theme chosen by
the look. Regenerate with `--snapshot-update`, then read each SVG's text before keeping it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ins_tui.card.source import InProcessCardSource
from tests.tui.conftest import ADRTROIS, ECETINSI_DIFF, add_patient, wait_until
from tests.tui.test_card_flows import insert_from_thread
from tests.tui.test_desk_polish import LONG_FIRST_NAMES
from tests.tui.test_identity_flows import identity_screen, open_and_search, text_of

SIZE = (80, 24)
LOOKS = [pytest.param("xterm-256color", id="default"), pytest.param("linux", id="linux")]


async def _footer_ready(pilot: Any) -> None:
    """The key bar is composed once the front screen's bindings are known."""
    from ins_tui.tui.widgets.footer import DeskFooter

    screen = pilot.app.screen
    footers = screen.query(DeskFooter)
    await wait_until(pilot, lambda: not footers or bool(footers.first().children),
                     what="footer keys")
    await pilot.pause()


@pytest.mark.parametrize("term", LOOKS)
def test_comparison_with_place_names_and_a_missing_birthplace(snap_compare, make_app, store,
                                                              term):
    """F5: ADRTROIS without a local birthplace, INSi answering Aregno (2B020): the verdict
    names the trait not compared, the place reads « 2B020 — Aregno (2B) »."""
    from ins_tui.refdata import load_cog

    patient_id = add_patient(store, dataclasses.replace(ADRTROIS, birthplace=None))

    async def run_before(pilot: Any) -> None:
        load_cog()
        screen = await open_and_search(pilot.app, pilot, patient_id)
        await wait_until(pilot, lambda: "Aregno" in text_of(screen, "#comparison"),
                         what="place name")
        await _footer_ready(pilot)

    assert snap_compare(make_app(environ={"TERM": term}), terminal_size=SIZE,
                        run_before=run_before)


@pytest.mark.parametrize("term", LOOKS)
def test_card_without_sex_opens_the_form_on_the_sex(snap_compare, make_app, store, term):
    """F1: the HOUILLES test card (no NIR, so no sex): the form says why it opened, the
    cursor in the sex field, the card's traits kept."""
    from textual.widgets import Input

    from ins_tui.tui.screens.patient_form import PatientForm

    source = InProcessCardSource()

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_until(pilot, lambda: app.desk is not None, what="desk")
        insert_from_thread(source, "houilles")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm)
                         and isinstance(app.focused, Input), what="card form")
        await _footer_ready(pilot)

    assert snap_compare(make_app(card_source=source, environ={"TERM": term}),
                        terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("term", LOOKS)
def test_qualify_prompt_with_sixty_characters_of_first_names(snap_compare, make_app, store,
                                                             term):
    """F6: 62 characters of local first names, INSi answering other traits, the INS traits
    adopted: the verdict and « Entrée : qualifier » inside the 24 rows."""
    traits = dataclasses.replace(ECETINSI_DIFF, first_names=LONG_FIRST_NAMES,
                                 first_name="PIERRE-ALAIN",
                                 used_name="DE LA TOUR D'AUVERGNE-LAURAGUAIS")
    patient_id = add_patient(store, traits, arrival=None)

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        screen = await open_and_search(app, pilot, patient_id)
        await pilot.press("a")
        await wait_until(pilot, lambda: identity_screen(app) is None, what="asked")
        await pilot.press("o")
        await wait_until(pilot, lambda: identity_screen(app) is screen
                         and "Entrée : qualifier" in text_of(screen, "#identity-next"),
                         what="prompt")
        await _footer_ready(pilot)

    assert snap_compare(make_app(environ={"TERM": term}), terminal_size=SIZE,
                        run_before=run_before)


@pytest.mark.parametrize("term", LOOKS)
def test_quit_dialog_in_french(snap_compare, make_app, store, term):
    """Ctrl+Q on the waiting list: « Quitter ins-tui ? », what is lost, the keys in
    French."""
    from ins_tui.tui.screens.confirm import QuitConfirm

    add_patient(store, ADRTROIS)

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        main = app.main_screen()
        await wait_until(pilot, lambda: main.selected_visit() is not None, what="list")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitConfirm), what="quit")
        await pilot.pause()

    assert snap_compare(make_app(environ={"TERM": term}), terminal_size=SIZE,
                        run_before=run_before)
