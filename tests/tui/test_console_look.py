"""Words and look at the console (issue 12: F4, F9, F13, F16), driven through Pilot at 80×24.

Real SQLite file, real desk, real INSi simulator over loopback mutual TLS (conftest). The
screen is read as the terminal would show it: the compositor's rendered lines, the same
ones `export_screenshot` draws. Each test names the finding it covers and failed on the
code before its fix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from typing import Any

import pytest
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Channel, Sex, Status, Traits
from ins_tui.tui.console_look import CONSOLE_SAFE, unsafe_characters, wants_plain
from tests.tui.conftest import (
    ADRTROIS,
    ECETINSI_DIFF,
    HOUILLES,
    add_patient,
    open_journal,
    wait_until,
)
from tests.tui.test_identity_flows import open_and_search

SIZE = (80, 24)
DURAND = Traits("DURAND", "LUC", Sex.M, "1950-06-05", "63220", "LUC")
PETIT = Traits("PETIT", "ANNE", Sex.F, "1990-08-07", "63220", "ANNE")
# Textual's own words and key names; « Ctrl+C » (capitalised) is how French keyboards say it.
ENGLISH = re.compile(r"(?i:\b(quit|press|do you want)\b)|\b(esc|enter|escape)\b|ctrl\+|\^q|⏎")


def screen_lines(app: Any) -> list[str]:
    """The front screen as the terminal shows it, one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: Any) -> str:
    return "\n".join(screen_lines(app))


def flat(text: str) -> str:
    """Rendered text with its line breaks, borders and padding folded to single spaces:
    a wrapped sentence reads whole again."""
    for border in "│┌┐└┘─":
        text = text.replace(border, " ")
    return " ".join(text.split())


def footer_displays(screen: Any) -> dict[str, str]:
    return {key.key: key.key_display for key in screen.query(FooterKey)}


async def list_loaded(pilot: Any, rows: int = 1) -> Any:
    main = pilot.app.main_screen()
    await wait_until(pilot, lambda: main.selected_visit() is not None
                     and len(main.query_one("WaitingList").shown) >= rows, what="list")
    return main


async def footer_with(pilot: Any, screen: Any, keys: set[str]) -> dict[str, str]:
    """The footer once it shows `keys` (it composes after the screen); then assert."""
    with contextlib.suppress(AssertionError):  # the caller's assertion says what is missing
        await wait_until(pilot, lambda: keys <= set(footer_displays(screen)), what="footer")
    return footer_displays(screen)


async def open_form_with_text(app: Any, pilot: Any) -> Input:
    from ins_tui.tui.screens.patient_form import PatientForm

    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, PatientForm), what="form")
    await pilot.press(*"DUPON")
    field = app.screen.focused
    assert isinstance(field, Input) and field.value == "DUPON"
    return field


# -- F4: every text the app shows is French, Textual's own ones included --------------------
async def test_f4_ctrl_c_says_in_french_how_to_quit_and_loses_nothing(make_app, store):
    """F4. Tried: Ctrl+C on the waiting list, then Ctrl+C in a patient form being typed,
    then typing on. Before: Textual's English « Do you want to quit? / Press ctrl+q ».
    Now: a French note naming Ctrl+Q; no dialog takes the next keys, the form keeps all."""
    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await list_loaded(pilot)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: bool(app._notifications), what="notification")
        (note,) = list(app._notifications)
        assert note.title == "Quitter ?"
        assert note.message == "Ctrl+C ne quitte pas ins-tui : pour quitter, Ctrl+Q."
        assert not ENGLISH.search(note.title + " " + note.message)
        field = await open_form_with_text(app, pilot)
        form = app.screen
        await pilot.press("ctrl+c", *"T")
        await wait_until(pilot, lambda: field.value == "DUPONT", what="typing goes on")
        assert app.screen is form and app.is_running
        assert all(n.title == "Quitter ?" for n in app._notifications)


async def test_f4_ctrl_q_asks_in_french_first_and_no_keeps_the_form(make_app, store):
    """F4 (what is safest, docs/decisions.md). Tried: Ctrl+Q in a form being typed, « n »,
    then Ctrl+Q twice. Before: Ctrl+Q closed the app at once, the typed form lost.
    Now: « Quitter ins-tui ? » with the consequence; n keeps the form; Ctrl+Q again quits."""
    from ins_tui.tui.screens.confirm import QuitConfirm

    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await list_loaded(pilot)
        field = await open_form_with_text(app, pilot)
        form = app.screen
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitConfirm), what="question")
        text = flat(screen_text(app))
        assert "Quitter ins-tui ?" in text and "sera perdue" in text
        assert "o ou Ctrl+Q : quitter n ou Échap : rester" in text
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form, what="back to the form")
        assert field.value == "DUPON" and app.is_running
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitConfirm), what="question")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="app closed")
    assert app.return_code == 0


async def test_f4_footer_names_keys_in_french_and_no_command_palette(make_app, store):
    """F4. Tried: the footer of the waiting list, the identity screen and the journal,
    then Ctrl+P. Before: « ⏎ Ouvrir », « esc Retour » (Textual's names). Now « Entrée »,
    « Échap », « F8 »; Ctrl+P opens nothing (Textual's palette is English)."""
    from textual.command import CommandPalette

    patient_id = add_patient(store, ECETINSI_DIFF)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await list_loaded(pilot)
        shown = await footer_with(pilot, main, {"enter", "f8"})
        assert shown["enter"] == "Entrée" and shown["f8"] == "F8" and shown["f1"] == "F1"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette) and app.screen is main
        identity = await open_and_search(app, pilot, patient_id)
        shown = await footer_with(pilot, identity, {"escape"})
        assert shown["escape"] == "Échap"
        journal = await open_journal(app, pilot, patient_id)
        shown = await footer_with(pilot, journal, {"escape", "x", "space"})
        assert shown["space"] == "Espace"
        for screen_shown in (shown, footer_displays(journal)):
            assert not any(ENGLISH.search(d) for d in screen_shown.values()), screen_shown


def test_f4_key_names_read_like_a_french_keyboard():
    """F4: `key_display`, which the footer now uses too. Tried: modifiers and named keys.
    Before: `shift+tab` read « Shift+Tab », `pageup` « PAGEUP »."""
    from ins_tui.tui.keys import key_display

    assert key_display("shift+tab") == "Maj+Tab"
    assert key_display("pageup") == "Pg préc." and key_display("delete") == "Suppr"
    assert key_display("ctrl+q") == "Ctrl+Q" and key_display("escape") == "Échap"
    assert key_display("f5") == "F5" and key_display("a") == "a"


# -- F9: nothing cut at 80×24 -------------------------------------------------------------
async def test_f9_criteria_modal_wraps_its_labels_at_80x24(make_app, store):
    """F9. Tried: the « plus de critères » modal after a CR 01, read on an 80×24 screen.
    Before: « … ou code COG (pas le code postal » cut at the modal's border. Now every
    label is whole (wrapped) and the keys line is on screen."""
    from ins_tui.tui.screens.criteria import CriteriaModal

    patient_id = add_patient(store, HOUILLES)
    app = make_app(training=True)
    async with app.run_test(size=SIZE) as pilot:
        await list_loaded(pilot)
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="modal")
        await pilot.pause()
        text = flat(screen_text(app))
        assert ("Lieu de naissance : nom (Entrée : liste) ou code COG (pas le code postal) :"
                in text), text
        assert "Tous les prénoms de naissance (pièce d'identité) :" in text
        assert "Entrée ou Ctrl+S : rechercher Échap : annuler" in text


async def test_f9_journal_detail_longer_than_its_pane_is_reached_with_space(make_app, store):
    """F9. Tried: the journal of a patient just created (the creation lists every trait:
    longer than the 8-line detail pane), at 80×24, then Espace until the end, then once
    more. Before: the last lines were never on screen (no key scrolled the pane). Now
    Espace pages through it and comes back to its start."""
    from ins_tui.tui import journal_view

    patient_id = add_patient(store, DURAND)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await list_loaded(pilot)
        journal = await open_journal(app, pilot, patient_id)
        rows = journal.selected_rows()
        lines = journal_view.action_detail_lines(rows, journal.group_name(rows))
        assert len(lines) > 8, lines  # the case: more than the pane holds
        last, first = lines[-1].strip(), lines[0].strip()
        assert last not in flat(screen_text(app))
        for _ in range(len(lines)):
            if last in flat(screen_text(app)):
                break
            await pilot.press("space")
            await pilot.pause()
        assert last in flat(screen_text(app)), screen_text(app)
        await pilot.press("space")
        await wait_until(pilot, lambda: first in flat(screen_text(app)), what="back to top")


# -- F13: the keys the first training screen relies on are in the footer --------------------
async def test_f13_f5_is_in_the_footer_of_the_first_training_screen(make_app, store):
    """F13. Tried: training mode, waiting list with patients, 80×24. Before: the list's own
    keys filled the row and F5 (step 1 of the training, README) was dropped. Now F5 and F8
    are shown beside the list's main keys, F1 pinned on the right."""
    add_patient(store, ADRTROIS)
    app = make_app(training=True, training_cards=object())
    async with app.run_test(size=SIZE) as pilot:
        main = await list_loaded(pilot)
        shown = await footer_with(pilot, main, {"f5", "f8"})
        assert {"f5", "f8", "f1", "enter", "a", "r"} <= set(shown), shown
        keys = sorted(main.query(FooterKey), key=lambda k: k.region.x)
        assert keys[-1].key == "f1" and all(k.region.right <= SIZE[0] for k in keys)
        assert "F5 Carte" in screen_lines(app)[-1]


def test_f13_ranking_keeps_the_screen_main_keys_first():
    """F13: the ranking alone. Tried: a screen with six keys and five app keys. The first
    screen puts F5/F8 first; any screen keeps its first four keys before app keys."""
    from ins_tui.tui.widgets.footer import importance

    shown = [(False, a) for a in ("open", "arrival", "search", "new", "consult", "left")]
    shown += [(True, a) for a in ("day_journal", "insert_card", "remove_card", "quit")]
    first = [shown[i][1] for i in importance(shown, first_screen=True)]
    assert first[:2] == ["insert_card", "day_journal"]
    assert first[2:6] == ["open", "arrival", "search", "new"]
    assert first[6:8] == ["remove_card", "quit"] and first[-2:] == ["consult", "left"]
    other = [shown[i][1] for i in importance(shown, first_screen=False)]
    assert other[:4] == ["open", "arrival", "search", "new"] and other[4] == "day_journal"


# -- F16: the plain look on the Linux console -------------------------------------------------
@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        (False, {"TERM": "linux"}, True),
        (False, {"TERM": "vt220"}, True),
        (False, {"TERM": "xterm-256color"}, False),
        (True, {"TERM": "xterm-256color"}, True),
        (False, {}, False),
    ],
)
def test_f16_one_switch_decides_the_plain_look(configured, environ, expected):
    """F16: config key / `--plain` (both give `configured`), or automatic on TERM=linux."""
    assert wants_plain(configured, environ) is expected


def test_f16_plain_from_the_configuration_and_the_run_command(tmp_path):
    """F16. Tried: `plain = true` in the TOML, `INS_TUI_PLAIN=oui`, `ins-tui run --plain`.
    Before: no such key nor option."""
    import argparse

    from ins_tui.commands import run
    from ins_tui.config import load_config

    toml = tmp_path / "config.toml"
    toml.write_text("plain = true\n", encoding="utf-8")
    assert load_config(toml, environ={}).plain is True
    assert load_config(tmp_path / "none.toml", environ={"INS_TUI_PLAIN": "oui"}).plain
    assert load_config(tmp_path / "none.toml", environ={}).plain is False
    parser = argparse.ArgumentParser()
    run.register(parser.add_subparsers())
    assert parser.parse_args(["run", "--plain"]).plain is True
    assert parser.parse_args(["run"]).plain is False


def _seed_every_status(store: Any, desk: Any) -> dict[str, int]:
    """PROV with an INSi request waiting, RECUP with differences shown, VALI, QUAL."""
    ids = {
        "qual": add_patient(store, ADRTROIS),
        "diff": add_patient(store, ECETINSI_DIFF),
        "vali": add_patient(store, DURAND),
        "pending": add_patient(store, PETIT),
    }
    assert desk.retrieve_ins(ids["qual"], Channel.INSI).kind is InsiResultKind.MATCHED
    assert desk.qualify(ids["qual"], "CN").status is Status.QUAL
    assert desk.record_document(ids["vali"], "CN").status is Status.VALI
    store.enqueue_insi(ids["pending"], PETIT, Channel.INSI, actor="test")
    return ids


async def _walk_main_identity_journal(app: Any, pilot: Any, ids: dict[str, int]) -> list[str]:
    """The main screen, the identity screen with differences, the day's journal with its
    first action unfolded and the raw exchange: each screen's rendered text."""
    texts = []
    await list_loaded(pilot, rows=4)
    main = app.main_screen()
    await wait_until(pilot, lambda: any("INSi" in " ".join(r.cells)
                                        for r in main.query_one("WaitingList").shown.values()),
                     what="pending request shown")
    # The table draws its rows after `shown` is filled: wait for the frame itself.
    await wait_until(pilot, lambda: all(name in screen_text(app) for name in
                                        ("ADRTROIS", "ECETINSI", "DURAND", "PETIT")),
                     what="four rows drawn")
    texts.append(screen_text(app))
    identity = await open_and_search(app, pilot, ids["diff"])
    assert identity.result.kind is InsiResultKind.DIFFERENT
    await pilot.pause()
    texts.append(screen_text(app))
    await pilot.press("escape")
    journal = await open_journal(app, pilot, None)
    await pilot.press("enter")
    await wait_until(pilot, lambda: bool(journal.expanded), what="unfolded")
    texts.append(screen_text(app))
    exchange = next(i for i, (g, _) in enumerate(journal.lines)
                    if any(r.insi_request for r in journal.groups[g]))
    journal.query_one("DataTable").move_cursor(row=exchange)
    await pilot.press("x")
    await wait_until(pilot, lambda: journal.query_one("#journal-raw", Static)
                     .has_class("-shown"), what="raw exchange")
    texts.append(screen_text(app))
    return texts


async def test_f16_plain_look_draws_only_console_safe_characters(make_app, store, desk):
    """F16. Tried: TERM=linux, every identity status on the list (and an INSi request
    waiting), the comparison with differences, the journal unfolded and a raw exchange.
    Before: ○ ◐ ● ⟳ ≠ ▸ and Textual's ▊▔▁ borders. Now only `CONSOLE_SAFE`, and each
    symbol keeps its word (PROV, « différent »…)."""
    ids = _seed_every_status(store, desk)
    app = make_app(environ={"TERM": "linux"})
    async with app.run_test(size=SIZE) as pilot:
        assert app.plain
        texts = await _walk_main_identity_journal(app, pilot, ids)
    for text in texts:
        assert unsafe_characters(text) == set(), (unsafe_characters(text), text)
    main, identity, *_ = texts
    for cell in (". PROV", "+ VALI", "# QUAL", "~ INSi"):
        assert cell in main, main
    assert "! différent" in identity and "= identique" in identity


async def test_f16_default_look_keeps_its_symbols(make_app, store, desk):
    """F16, the other side of the switch (so the test above can fail): an xterm keeps the
    richer symbols, which are outside the console-safe set."""
    ids = _seed_every_status(store, desk)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert not app.plain
        main, identity, *_ = await _walk_main_identity_journal(app, pilot, ids)
    assert "○" in main and "● QUAL" in main and "⟳ INSi" in main
    assert "≠ différent" in identity
    assert {"○", "●", "⟳"} <= unsafe_characters(main)


async def test_f16_plain_input_borders_and_missing_birthplace(make_app, store):
    """F16. Tried: the plain look's criteria modal (Textual draws inputs with ▊▔▁) and a
    comparison with the birthplace missing locally: « - absent » in words."""
    from ins_tui.tui.screens.criteria import CriteriaModal

    local = dataclasses.replace(ADRTROIS, birthplace=None)
    patient_id = add_patient(store, local)
    cr01 = add_patient(store, HOUILLES)
    app = make_app(environ={"TERM": "linux"})
    async with app.run_test(size=SIZE) as pilot:
        await list_loaded(pilot, rows=2)
        await open_and_search(app, pilot, patient_id)
        await pilot.pause()
        assert "- absent" in screen_text(app) and not unsafe_characters(screen_text(app))
        await pilot.press("escape")
        screen = await open_and_search(app, pilot, cr01)
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, CriteriaModal), what="modal")
        await pilot.pause()
        text = screen_text(app)
        assert unsafe_characters(text) == set(), (unsafe_characters(text), text)
        assert "OK PIERRE" in text  # the feedback line: a word, not « ✓ »


def test_f16_console_safe_set_holds_french_and_vga_boxes():
    """F16: the set itself. Every French letter and the box drawing of `solid` borders are
    in; the glyphs the issue names are out."""
    assert set("àâçéèêëîïôùûüÿæœÀÂÇÉÈÊËÎÏÔÙÛÜŸÆŒ«»’—€") <= CONSOLE_SAFE
    assert set("┌─┐│└┘├┤═║↑↓") <= CONSOLE_SAFE
    assert not set("●◐○◑≈≠∅⟳✓✗▸▾▊▔▁…⏎") & CONSOLE_SAFE


def test_f16_plain_glyphs_are_console_safe_and_tell_statuses_apart():
    """F16: every plain glyph (RECUP's too, not on the screens above) is console-safe, the
    four statuses have four symbols, and the verdicts use the domain's ASCII forms."""
    from ins_tui.domain.compare import Verdict
    from ins_tui.tui.console_look import PLAIN

    texts = [*PLAIN.status.values(), PLAIN.pending, PLAIN.ok, PLAIN.bad, PLAIN.folded,
             PLAIN.unfolded, PLAIN.branch, PLAIN.cut, *(PLAIN.verdict(v) for v in Verdict)]
    assert all(text and not unsafe_characters(text) for text in texts), texts
    assert len(set(PLAIN.status.values())) == 4
    assert [PLAIN.verdict(v) for v in Verdict] == [v.ascii_symbol for v in Verdict]
