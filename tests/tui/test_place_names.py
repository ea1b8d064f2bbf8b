"""Birthplaces shown by name with their code on the identity screen."""

from __future__ import annotations

import pytest

from ins_tui.refdata import load_cog
from ins_tui.tui import format as fmt
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, text_of


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2B020", "Aregno (2B020)"),
        ("99134", "Espagne (99134)"),
        ("75115", "Paris 15e Arrondissement (75115)"),
        ("99999", "inconnu (99999)"),
        ("01999", "01999"),  # well formed, absent from the tables: the code alone
        (None, "—"),
    ],
)
def test_place_text(code, expected):
    assert fmt.place(code, load_cog().name_of) == expected


def test_long_place_name_cut_but_code_whole():
    text = fmt.place("12345", lambda _code: "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson")
    assert text.endswith("… (12345)") and len(text) == fmt.PLACE_NAME_WIDTH + len(" (12345)")


async def test_patient_opened_before_the_tables_load_gets_the_name(make_app, store):
    """Opened from the list with no INSi search: the COG tables are not loaded yet (cache
    cleared), the screen shows the code at once, loads them in a worker, then the name."""
    patient_id = add_patient(store, ADRTROIS)
    load_cog.cache_clear()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.desk is not None, what="desk")
        app.open_patient(patient_id)
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        screen = identity_screen(app)
        await wait_until(pilot, lambda: bool(screen.query("#identity-who")), what="composed")
        await wait_until(pilot, lambda: "Aregno (2B020)" in text_of(screen, "#identity-who"),
                         what="place name")


async def _new_patient_form(app, pilot):
    from ins_tui.tui.screens.patient_form import PatientForm

    await wait_until(pilot, lambda: app.desk is not None, what="desk")
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, PatientForm)
                     and bool(app.screen.query("#f-birthplace")), what="form")
    return app.screen


async def test_birthplace_typed_as_a_name_then_enter_picks_the_code(make_app, store):
    """The secretary types the fields in one go, Enter after each, the birthplace as the
    ID card shows it; Enter on the name opens the list; Enter takes the first place; the
    code lands in the field and the patient is saved with it."""
    from ins_tui.tui.screens.patient_form import PatientForm
    from ins_tui.tui.screens.place_picker import PlacePicker

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_patient_form(app, pilot)
        burst(app, [*"Martin", "enter", *"Claire", "enter", "enter", "F", "enter",
                    *"03/04/1980", "enter", *"clermont-f"])
        await wait_until(pilot, lambda: "Entrée ou F4" in text_of(form, "#fb-birthplace"),
                         what="hint under the birthplace")
        assert "mal formé" not in text_of(form, "#fb-birthplace")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlacePicker), what="picker")
        picker = app.screen
        await wait_until(pilot, lambda: picker._codes == ["63113"], what="one match")
        assert "Clermont-Ferrand (63) · 63113" in str(
            picker.query_one("#place-options").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="back")
        assert form.query_one("#f-birthplace").value == "63113"
        assert "✓ 63113" in text_of(form, "#fb-birthplace")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="saved")
        saved = store.get_patient(identity_screen(app).patient_id)
        assert saved.traits.birthplace == "63113"


async def test_place_picker_narrowing_arrows_and_escape(make_app, store):
    """F4 from the form: a country by name, the list reached with ↓ and a second entry
    picked; Échap leaves the field as it was."""
    from ins_tui.tui.screens.patient_form import PatientForm
    from ins_tui.tui.screens.place_picker import PlacePicker

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_patient_form(app, pilot)
        form.query_one("#f-birthplace").focus()
        await pilot.press(*"2b020")
        assert not isinstance(app.screen, PlacePicker)
        await pilot.press("f4")  # a code typed: the picker opens empty
        await wait_until(pilot, lambda: isinstance(app.screen, PlacePicker), what="picker")
        picker = app.screen
        assert picker.query_one("#place-input").value == ""
        assert "Tapez le début" in str(picker.query_one("#place-count").render())
        burst(app, "saint")
        await wait_until(pilot, lambda: "Plus de 50 lieux" in str(
            picker.query_one("#place-count").render()), what="too many")
        burst(app, "xyz")
        await wait_until(pilot, lambda: picker.query_one("#place-input").value == "saintxyz",
                         what="typed")
        assert picker._codes == [] and "Aucun lieu" in str(
            picker.query_one("#place-count").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="back")
        assert form.query_one("#f-birthplace").value == "2b020"  # untouched
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, PlacePicker), what="picker")
        picker = app.screen
        await pilot.press(*"aregno")
        assert picker._codes == ["20020", "2B020"]  # the former code first, then today's
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="back")
        assert form.query_one("#f-birthplace").value == "2B020"


async def test_more_criteria_birthplace_by_name(make_app, store, simulator):
    """CR 02 for DE VINCI Leonardo; « t », the birthplace typed as a name, Enter opens the
    list, Enter picks; the search is sent again with the code."""
    from ins_tui.tui.screens.criteria import CriteriaModal
    from ins_tui.tui.screens.place_picker import PlacePicker
    from tests.tui.conftest import DE_VINCI
    from tests.tui.test_identity_flows import open_and_search

    patient_id = add_patient(store, DE_VINCI)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert "CR 02" in text_of(screen, "#identity-state")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="modal")
        modal = app.screen
        await pilot.press(*"italie")
        assert "Entrée ou F4" in str(modal.query_one("#c-birthplace-fb").render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlacePicker), what="picker")
        await wait_until(pilot, lambda: app.screen._codes[:1] == ["99127"], what="Italie")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="back")
        assert modal.query_one("#c-birthplace").value == "99127"
        before = simulator.request_count
        await pilot.press("enter")
        await wait_until(pilot, lambda: simulator.request_count > before, what="new search")
        assert b"99127" in simulator.received[-1]


def burst(app, keys):
    """Keys as a fast typist or a slow SSH link delivers them: all queued at once, none
    processed in between (Pilot.press waits after each key and would hide the race)."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_birthplace_name_and_enter_in_one_burst_still_opens_the_list(make_app, store):
    """Found by hand in tmux: « saint⏎ » typed in one go moved on to the next field, the
    Enter binding having looked at the field before its letters were in it."""
    from ins_tui.tui.screens.place_picker import PlacePicker

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_patient_form(app, pilot)
        form.query_one("#f-birthplace").focus()
        await pilot.pause()
        burst(app, [*"saint", "enter"])
        await wait_until(pilot, lambda: isinstance(app.screen, PlacePicker), what="picker")
        assert app.screen.query_one("#place-input").value == "saint"


async def test_fields_typed_in_one_burst_land_in_their_fields(make_app, store):
    """Type-ahead across fields (Enter after each) keeps every value in its own field."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_patient_form(app, pilot)
        burst(app, [*"martin", "enter", *"claire", "enter", "enter", "f", "enter",
                    *"03/04/1980", "enter", *"2b020", "enter", *"dupont"])
        await wait_until(pilot, lambda: form.query_one("#f-used_name").value == "dupont",
                         what="last field typed")
        values = {name: form.query_one(f"#f-{name}").value
                  for name in ("birth_name", "first_names", "first_name", "sex",
                               "birth_date", "birthplace")}
        assert values == {"birth_name": "martin", "first_names": "claire", "first_name": "",
                          "sex": "f", "birth_date": "03/04/1980", "birthplace": "2b020"}


@pytest.mark.parametrize(("text", "is_name"), [
    ("2B020", False), ("2a004", False), ("63113", False), ("", False), ("a", False),
    ("saint", True), ("Paris", True), ("St", True), ("l'Haÿ", True),
])
def test_what_counts_as_a_name_in_the_birthplace_field(text, is_name):
    from ins_tui.tui.screens.place_picker import looks_like_a_name

    assert looks_like_a_name(text) is is_name
