"""The patient form of issue 12 (F1, F8, F10, F11): each test names its finding and failed
on the code before its fix. Real database file, real simulator over mTLS, Pilot at 80×24.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from ins_tui.card.source import InProcessCardSource
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_card_flows import insert_from_thread
from tests.tui.test_console_look import screen_text
from tests.tui.test_identity_flows import text_of
from tests.tui.test_place_names import burst

SIZE = (80, 24)


def value(form: Any, name: str) -> str:
    return form.query_one(f"#f-{name}", Input).value


def focused_field(app: Any) -> str | None:
    focused = app.focused
    return focused.id if isinstance(focused, Input) else None


async def new_form(app: Any, pilot: Any) -> Any:
    from ins_tui.tui.screens.patient_form import PatientForm

    await wait_until(pilot, lambda: app.desk is not None, what="desk")
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, PatientForm)
                     and focused_field(app) == "f-birth_name", what="form")
    return app.screen


async def card_form(app: Any, pilot: Any, source: Any, profile: str) -> Any:
    from ins_tui.tui.screens.patient_form import PatientForm

    await wait_until(pilot, lambda: app.desk is not None, what="desk")
    insert_from_thread(source, profile)
    await wait_until(pilot, lambda: isinstance(app.screen, PatientForm)
                     and focused_field(app) is not None, what="card form")
    await pilot.pause()
    return app.screen


async def slow_typist(pilot: Any, keys: list[str]) -> None:
    """20 keys a second: one key, then 50 ms, as a fast secretary types."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause(0.05)


# -- F1: a card without sex -------------------------------------------------------------

async def test_f1_card_without_sex_focuses_the_sex_and_says_why(make_app, store):
    """F1: the HOUILLES test card (no NIR, so no sex the card can vouch for) inserted on an
    empty database, then « m » typed at once. Before: the form opened with no word, the
    cursor on the birth name, and « m » replaced « HOUILLES » read from the card."""
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=SIZE) as pilot:
        form = await card_form(app, pilot, source, "houilles")
        assert focused_field(app) == "f-sex"
        assert "Sexe absent de la carte : choisissez F ou M" in text_of(form, "#status-line")
        await pilot.press("m")
        assert value(form, "sex") == "m"
        assert value(form, "birth_name") == "HOUILLES"
        assert value(form, "first_names") == "PIERRE"
        assert value(form, "birth_date") == "27/01/1993"


async def test_f1_every_trait_the_card_lacks_is_named_first_one_focused(make_app, store):
    """F1 generalised: the lunar-date test card (ADRDEUX LAURENT, born « 19811300 », no
    NIR): neither the sex nor a calendar birth date. Before: no word, focus on the name.
    After: both named in one sentence, focus on the first (sex), the rest kept."""
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=SIZE) as pilot:
        form = await card_form(app, pilot, source, "date-lunaire")
        line = text_of(form, "#status-line")
        assert "Sexe absent de la carte" in line and "date de naissance" in line
        assert "00/13/1981" in line  # what the card holds (month 13, day 00), as written
        assert focused_field(app) == "f-sex"
        await pilot.press("f", "tab")
        assert focused_field(app) == "f-birth_date"
        assert value(form, "birth_name") == "ADRDEUX" and value(form, "sex") == "f"


# -- F8: Échap on an edited form ---------------------------------------------------------

async def test_f8_escape_on_an_edited_form_asks_and_no_keeps_everything(make_app, store):
    """F8: « martin » and « claire » typed, then Échap. Before: the form closed and both
    were lost. After: « Abandonner les modifications ? » naming the two fields; « n »
    brings the form back as typed, the cursor where it was; Échap then « o » closes."""
    from ins_tui.tui.screens.confirm import ConfirmModal
    from ins_tui.tui.screens.main import MainScreen
    from ins_tui.tui.screens.patient_form import PatientForm

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press(*"martin", "tab", *"claire")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="asked")
        asked = screen_text(app)
        assert "Abandonner les modifications ?" in asked
        assert "nom de naissance" in asked and "prénoms de naissance" in asked
        assert "sexe" not in asked.split("Abandonner")[1]  # only what changed is listed
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form, what="back in the form")
        assert value(form, "birth_name") == "martin" and value(form, "first_names") == "claire"
        assert focused_field(app) == "f-first_names"
        await pilot.press("x")  # typing goes on where it stopped
        assert value(form, "first_names") == "clairex"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="asked")
        await pilot.press("escape")  # Échap on the question is « non » too
        await wait_until(pilot, lambda: app.screen is form, what="back again")
        await pilot.press("escape", "o")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="closed")
        assert not any(isinstance(s, PatientForm) for s in app.screen_stack)


async def test_f8_escape_without_changes_closes_at_once(make_app, store):
    """F8: Échap on a form nothing was typed in (new, and an existing patient's opened for
    editing) closes it without a question. Passed before the fix too: it guards that the
    question is asked only when something would be lost."""
    from ins_tui.tui.screens.main import MainScreen
    from ins_tui.tui.screens.patient_form import PatientForm

    patient_id = add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen)
                         and not form.is_attached, what="closed")
        app.open_form(patient_id)
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm)
                         and focused_field(app) == "f-birth_name", what="edit form")
        assert value(app.screen, "birth_name") == "ADRTROIS"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="closed")


# -- F10: paste and fast typing ----------------------------------------------------------

async def test_f10_paste_with_tabs_and_lines_stays_in_its_field(make_app, store):
    """F10: « DUPONT⇥MARTIN⏎CLAIRE » pasted into the birth name (a row copied from a
    spreadsheet). Before: the tab landed inside the field and the line after it was
    dropped. After: one line in the field, tab and line break as spaces, said; the next
    fields untouched, the cursor still in the birth name."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        # As the terminal driver hands a bracketed paste over: to the app, through the
        # datamatrix filter (which lets a paste that is not a code pass).
        app.post_message(events.Paste("DUPONT\tMARTIN\r\nCLAIRE"))
        await wait_until(pilot, lambda: value(form, "birth_name") != "", what="pasted")
        assert value(form, "birth_name") == "DUPONT MARTIN CLAIRE"
        assert value(form, "first_names") == "" and value(form, "sex") == ""
        assert focused_field(app) == "f-birth_name"
        assert "collé" in text_of(form, "#status-line").lower()


async def test_f10_long_paste_is_cut_at_the_field_length_and_said(make_app, store):
    """F10: 150 letters pasted into the first names, then a 20-character date pasted into
    the birth date. Before: all 150 went in (and the date field took the whole text).
    After: cut at 100 (the rule's maximum) and at 10, each cut said in French."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        form.query_one("#f-first_names", Input).focus()
        await pilot.pause()
        app.focused.post_message(events.Paste("A" * 150))
        await wait_until(pilot, lambda: value(form, "first_names") != "", what="pasted")
        assert value(form, "first_names") == "A" * 100
        line = text_of(form, "#status-line")
        assert "coupé à 100 caractères" in line and "150" in line
        form.query_one("#f-birth_date", Input).focus()
        await pilot.pause()
        app.focused.post_message(events.Paste("03/04/1980 03/04/1980"))
        await wait_until(pilot, lambda: value(form, "birth_date") != "", what="pasted")
        assert value(form, "birth_date") == "03/04/1980"
        assert "coupé à 10 caractères" in text_of(form, "#status-line")


async def test_f10_twenty_keys_a_second_with_tab_every_key_in_its_field(make_app, store):
    """F10: a whole identity typed at 20 keys a second, Tab between fields, first names
    starting with « IS » (the datamatrix filter holds an « I », then « IS », for 50 ms).
    Every character lands in its field, in order, none lost nor held for good. (Passed
    before the fix too, Pilot waiting between keys: it guards the cadence the finding
    names; the burst test below is the one that failed.)"""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await slow_typist(pilot, [*"martin", "tab", *"isabelle", "space", *"iris", "tab",
                                  "tab", "f", "tab", *"03/04/1980", "tab", *"2b020"])
        await wait_until(pilot, lambda: value(form, "birthplace") == "2b020", what="typed")
        assert {name: value(form, name) for name in ("birth_name", "first_names",
                                                     "first_name", "sex", "birth_date")} == {
            "birth_name": "martin", "first_names": "isabelle iris", "first_name": "",
            "sex": "f", "birth_date": "03/04/1980"}


async def test_f10_tab_typed_ahead_in_one_burst_keeps_each_field(make_app, store):
    """F10: the same identity with Tab, all keys queued at once (type-ahead on a slow
    link, or a paste without bracketed paste). Before: Tab went to the field first and
    came back up to the app behind the letters, so every letter after it was already
    routed: the birth name read « martinclairef03/04/1980x », the other fields empty."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        burst(app, [*"martin", "tab", *"claire", "tab", "tab", "f", "tab", *"03/04/1980",
                    "shift+tab", "shift+tab", *"x"])
        await wait_until(pilot, lambda: value(form, "first_name") == "x"
                         or "x" in value(form, "sex"), what="last key")
        assert {name: value(form, name) for name in ("birth_name", "first_names",
                                                     "first_name", "sex", "birth_date")} == {
            "birth_name": "martin", "first_names": "claire", "first_name": "x",
            "sex": "f", "birth_date": "03/04/1980"}


# -- F11: « ! » only where a character really changed -------------------------------------
# (The plain-look test is not the file's last: the look is process-wide until the next app
# starts, and a pure formatting test in the next file reads it.)

async def test_f11_plain_look_feedback_marks_are_console_safe(make_app, store):
    """F11 in the plain look (TERM=linux): the form's marks. Before: « ✓ » and « ✗ »,
    which the console fonts lack, whatever the look. After: the look's words, « OK » and
    « X », and « ! », every character drawable."""
    from ins_tui.tui.console_look import unsafe_characters

    app = make_app(environ={"TERM": "linux"})
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press(*"martin2", "tab", *"zoé", "tab", "tab", "m")
        await wait_until(pilot, lambda: text_of(form, "#fb-sex") != "", what="feedback")
        assert text_of(form, "#fb-birth_name").startswith("X ")
        assert text_of(form, "#fb-first_names").startswith("! ")
        assert text_of(form, "#fb-sex").startswith("OK")
        assert not unsafe_characters(screen_text(app)), unsafe_characters(screen_text(app))


async def test_f11_upper_casing_is_not_a_warning_an_accent_is(make_app, store):
    """F11: « martin » typed in the birth name, « hélène » in the first names. Before: both
    lines started with « ! Saisie … normalisée » although « martin » only went to capitals.
    After: « ✓ MARTIN » without a warning; the dropped accent keeps its « ! »."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press(*"martin", "tab", *"hélène")
        await wait_until(pilot, lambda: "HELENE" in text_of(form, "#fb-first_names"),
                         what="feedback")
        assert text_of(form, "#fb-birth_name") == "✓ MARTIN"
        assert text_of(form, "#fb-first_names").startswith("! ")
        assert "« hélène » normalisée en « HELENE »" in text_of(form, "#fb-first_names")
