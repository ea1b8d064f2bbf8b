"""A datamatrix scanner typing into the running app (real database file, real simulator).

Two ways of typing. `pilot.press` sends one key and waits for the app to be idle each time,
so its keys come 20–80 ms apart and a whole code takes about 5 s; those tests use scanner
bounds widened in proportion (`PILOT`). `burst` hands the terminal's bytes to Textual's
own terminal parser in one read, as a scanner's burst arrives over SSH, and posts the keys
like the driver does; those tests use the default bounds.

Tried: a code with GS on the list screen for a known patient (verified by INSi, the
comparison panel, Enter then the document: QUAL, INS imported on channel CB); a code with
a substitute for GS for a new patient; a malformed code (French message, nothing
written); a code while a form has focus (the form keeps what was typed, the code is not
typed into it, the identity screen opens above it); a person typing « ISABELLE » into
that form (every letter arrives, in order); a pasted code; what Textual makes of GS.
"""

from __future__ import annotations

from typing import Any

from textual._xterm_parser import XTermParser

from ins_tui.config import Config
from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.scan_flow import CONFIRMED
from ins_tui.domain.datamatrix import GS, build_payload
from ins_tui.domain.model import Channel, Ins, Sex, Status, Traits
from ins_tui.tui.scan_keys import char_of
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, text_of

PILOT = dict(scanner_key_gap=0.5, scanner_end_gap=1.0, scanner_max_duration=60.0)
ECETINSI = Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220",
                  "PIERRE-ALAIN")
ADRTROIS_CODE = build_payload(Ins("160012B020777", "13", "1.2.250.1.213.1.4.10"), ADRTROIS)
ECETINSI_CODE = build_payload(Ins("1090763220834", "89", "1.2.250.1.213.1.4.8"), ECETINSI)


def config(**scanner: Any) -> Config:
    return Config(practitioners=("Dr Martin", "Dr Bernard"), **scanner)


def burst(app: Any, data: str) -> None:
    """The bytes of one terminal read, parsed by Textual and posted as the driver does."""
    for event in XTermParser(debug=False).feed(data):
        event.set_sender(app)
        app.post_message(event)


def status_text(app: Any) -> str:
    from textual.widgets import Static

    return " ".join(str(s.render()) for screen in app.screen_stack
                    for s in screen.query("#status-line").results(Static))


def test_textual_gives_gs_as_a_key_with_its_character() -> None:
    (key,) = XTermParser(debug=False).feed(GS)
    assert (key.key, key.character) == ("ctrl+right_square_bracket", GS)
    assert char_of(key) == GS
    (enter,) = XTermParser(debug=False).feed("\r")
    assert char_of(enter) == "\r"


async def test_scan_with_gs_on_the_list_then_enter_qualifies_on_channel_cb(make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    app = make_app(config=config(**PILOT))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert GS in ADRTROIS_CODE
        await pilot.press(*ADRTROIS_CODE, "enter")
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        screen = identity_screen(app)
        assert screen.patient_id == patient_id
        assert screen.result.kind is InsiResultKind.MATCHED, screen.result.message_fr
        assert screen.result.channel is Channel.DATAMATRIX
        assert CONFIRMED.strip() in text_of(screen, "#identity-state")
        assert "INS (INSi)" in text_of(screen, "#comparison")
        assert len(app.screen_stack) == 3  # default, list, identity: no key leaked
        await pilot.press("enter", "1", "enter")
        await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.QUAL,
                         what="QUAL")
        rec = store.get_patient(patient_id)
        assert rec.ins.matricule == "160012B02077713" and rec.document_type == "CN"
        channels = {e["channel"] for e in store.identity_events(patient_id)
                    if e["detail"].get("action") == "ins"}
        assert channels == {"CB"}


async def test_scan_with_a_substitute_for_a_new_patient(make_app, store):
    app = make_app(config=config(scanner_gs_substitute="~"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        burst(app, ECETINSI_CODE.replace(GS, "~") + "\r")
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        screen = identity_screen(app)
        assert screen.result.kind is InsiResultKind.MATCHED, screen.result.message_fr
        rec = store.get_patient(screen.patient_id)
        assert rec.traits.birth_name == "ECETINSI" and rec.status is Status.RECUP
        assert store.identity_events(rec.id)[0]["channel"] == "CB"


async def test_malformed_scan_is_said_in_french_and_writes_nothing(make_app, store):
    app = make_app(config=config(**PILOT))
    bad_key = ADRTROIS_CODE.replace("160012B02077713", "160012B02077714")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*bad_key, "enter")
        await wait_until(pilot, lambda: "Datamatrix INS refusé" in status_text(app),
                         what="refusal")
        assert "Clé du matricule INS incorrecte" in status_text(app)
        assert "160012B02077714" not in status_text(app)
        assert len(app.screen_stack) == 2 and store.search("ADRTROIS") == []
        # A substitute the configuration does not know is named, with the setting to change.
        burst(app, ADRTROIS_CODE.replace(GS, "|") + "\r")
        await wait_until(pilot, lambda: "gs_substitute" in status_text(app), what="hint")


async def test_scan_while_a_form_has_focus_leaves_the_form_as_typed(make_app, store):
    from textual.widgets import Input

    from ins_tui.tui.screens.patient_form import PatientForm

    add_patient(store, ADRTROIS)
    app = make_app()  # default bounds: the scan comes as one terminal read
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        form = app.screen
        field = form.query_one("#f-birth_name", Input)
        field.focus()
        await pilot.press(*"ISABELLE")  # a person typing, even a fast « IS »
        await wait_until(pilot, lambda: field.value == "ISABELLE", what="typed name")
        burst(app, ADRTROIS_CODE + "\r")
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi result")
        assert field.value == "ISABELLE"  # nothing of the code reached the field
        assert identity_screen(app).result.kind is InsiResultKind.MATCHED
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is form, what="back to the form")
        assert field.value == "ISABELLE"


async def test_pasted_code_is_read_not_pasted(make_app, store):
    from textual.widgets import Input

    from ins_tui.tui.screens.patient_form import PatientForm

    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
        field = app.screen.query_one("#f-birth_name", Input)
        field.focus()
        burst(app, "\x1b[200~" + ADRTROIS_CODE + "\x1b[201~")
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        assert field.value == ""
        assert identity_screen(app).record.traits.birth_name == "ADRTROIS"
