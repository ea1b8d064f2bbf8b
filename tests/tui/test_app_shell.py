"""The app shell: themes, keys and help, operator choice, configuration, import hygiene,
SIGHUP, and an idle desk writing nothing to its terminal."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ins_tui.config import ConfigError, load_config
from ins_tui.tui.themes import DARK, SIXTEEN, pick_theme
from tests.tui.conftest import ADRTROIS, add_patient, wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        ("auto", {"TERM": "linux"}, SIXTEEN),
        ("auto", {"TERM": "xterm-256color"}, DARK),
        ("auto", {"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "standard"}, SIXTEEN),
        ("ins-tui-16", {"TERM": "xterm-256color"}, SIXTEEN),
        ("nonexistent", {"TERM": "linux"}, SIXTEEN),
    ],
)
def test_theme_picked_for_the_terminal(configured, environ, expected):
    assert pick_theme(configured, environ) == expected


async def test_linux_console_gets_the_16_colour_theme(make_app):
    app = make_app(environ={"TERM": "linux"})
    async with app.run_test(size=(80, 24)):
        assert app.theme == SIXTEEN
        assert app.animation_level == "none"


def test_stylesheet_uses_theme_variables_only():
    import re

    css = (REPO / "ins_tui" / "tui" / "app.tcss").read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b(?![-\w])(?=\s*;)", css)
    assert not re.search(r"\b(rgb|hsl)a?\(", css)
    for path in (REPO / "ins_tui" / "tui").rglob("*.py"):
        if path.name == "themes.py":
            continue
        assert not re.search(r"#[0-9a-fA-F]{6}\b", path.read_text()), path


async def test_f1_lists_every_key_in_french(make_app):
    from ins_tui.tui.keys import help_sections
    from ins_tui.tui.screens.help import HelpScreen

    app = make_app(training=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for _, bindings in help_sections(training=True):
            for binding in bindings:
                assert (binding.tooltip or binding.description) in text
        assert "Quitter l'application" in text and "FORMATION" in text
        from rich.console import Console

        with open(os.devnull, "w") as null:
            console = Console(width=72, record=True, color_system=None, file=null)
            console.print(app.screen.table)
        shown = console.export_text()
        assert "Ctrl+Q" in shown and "Quitter l'application" in shown and "Partout" in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_every_binding_has_an_id_and_a_french_description():
    from ins_tui.tui.keys import help_sections

    seen: set[str] = set()
    for _, bindings in help_sections(training=True):
        for binding in bindings:
            if binding.action == "noop":
                continue
            assert binding.id, binding
            assert binding.id not in seen, binding.id
            seen.add(binding.id)
            assert binding.tooltip or binding.description


def test_docs_keys_md_is_generated_from_the_bindings():
    from ins_tui.tui.keys import keys_markdown

    assert (REPO / "docs" / "keys.md").read_text(encoding="utf-8") == keys_markdown() + "\n"


def test_readme_keys_section_is_generated_from_the_bindings():
    """The README's « Touches » was hand-copied and had lost keys (`p` label, F4 report):
    now it must be the generated section (`python scripts/gen_keys.py` rewrites both)."""
    from ins_tui.tui.keys import with_readme_keys

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme == with_readme_keys(readme)


async def test_keymap_from_config_rebinds_by_id(make_app, config):
    import dataclasses

    from ins_tui.tui.screens.help import HelpScreen

    app = make_app(config=dataclasses.replace(config, keymap={"app.help": "f2"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)


def test_config_keymap_and_bad_values(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "ins-tui-16"\n[keymap]\n"app.help" = "f2"\n', encoding="utf-8")
    config = load_config(path, {"INS_TUI_KEYMAP": "main.new=f3", "INS_TUI_OPERATORS": "A, B"})
    assert config.keymap == {"app.help": "f2", "main.new": "f3"}
    assert config.operators == ("A", "B") and config.theme == "ins-tui-16"
    with pytest.raises(ConfigError, match="INS_TUI_KEYMAP"):
        load_config(path, {"INS_TUI_KEYMAP": "nonsense"})
    with pytest.raises(ConfigError, match="refresh_interval"):
        load_config(path, {"INS_TUI_REFRESH_INTERVAL": "vite"})


async def test_operator_chosen_at_start_goes_to_the_journal(make_app, config, store):
    import dataclasses

    from ins_tui.tui.screens.choice_list import ChoiceList

    patient_id = add_patient(store, ADRTROIS, arrival=None)
    app = make_app(config=dataclasses.replace(config, operators=("Alice", "Bruno")))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="picker")
        await pilot.press("2")
        assert app.desk.actor == "Bruno"
        app.choose_practitioner(patient_id)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="practitioner")
        await pilot.press("1")
        await wait_until(pilot, lambda: any("arriv" in e.action.lower()
                                            for e in store.journal_for_patient(patient_id)),
                         what="journal")
    entry = next(e for e in store.journal_for_patient(patient_id) if "arriv" in e.action.lower())
    assert entry.actor == "Bruno"


async def test_training_banner_on_every_screen(make_app, store):
    from ins_tui.tui.widgets.banner import TrainingBanner

    patient_id = add_patient(store, ADRTROIS)
    app = make_app(training=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query(TrainingBanner)
        for key in ("f1", "escape", "r", "escape", "n", "escape", "f8", "escape"):
            await pilot.press(key)
            assert app.screen.query(TrainingBanner), app.screen
        app.open_patient(patient_id)
        await pilot.pause()
        assert app.screen.query(TrainingBanner)


async def test_live_list_applies_diffs_and_keeps_the_cursor(make_app, store, clock):
    """A change made elsewhere reorders the list (waiting first, then in consultation):
    the cursor stays on the same visit; "+" moves the selected visit past the one above."""
    from ins_tui.tui.widgets.waiting_list import WaitingList

    for practitioner in ("Dr Martin", "Dr Bernard", "Dr Martin"):
        add_patient(store, ADRTROIS, arrival=practitioner)
    first, second, third = (v.id for v in store.visits_for_day(clock.now().date()))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen()
        table = main.query_one(WaitingList)
        await wait_until(pilot, lambda: table.row_count == 3, what="rows")
        await pilot.press("down")
        assert main.selected_visit().id == second
        with store.action("autre poste", "état"):
            store.set_visit_state(first, "en_consultation")
        await wait_until(pilot, lambda: "en consultation" in str(table.get_row_at(2)[5]),
                         what="row moved to the consultation group")
        assert main.selected_visit().id == second and table.cursor_row == 0
        await pilot.press("down", "plus")  # the third passes the second
        await wait_until(pilot, lambda: main.selected_visit().id == third
                         and table.cursor_row == 0, what="moved, cursor follows")
        assert [v.id for v in app.desk.day_list()] == [third, second, first]


def test_tui_import_stays_light():
    """Opening the app must not pull zeep, lxml or the PC/SC library before they are used."""
    code = (
        "import sys; import ins_tui.tui.app, ins_tui.commands.run; "
        "heavy = [m for m in ('zeep', 'lxml', 'smartcard', 'pkcs11', 'ins_tui.store', "
        "'sqlite_utils') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == ""


def test_sighup_exits_cleanly_and_idle_writes_nothing(tmp_path):
    """In a real pty: first frame, 2 s idle with the live list polling (0 B), then SIGHUP."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from _tui_support import PtyApp, demo_db
    finally:
        sys.path.pop(0)
    app = PtyApp("desk", demo_db(tmp_path))
    try:
        app.wait_ready()
        app.settle(quiet=1.0)
        assert app.read_for(2.0) == 0
        os.kill(app.pid, 1)  # SIGHUP: the SSH session went away
        deadline = time.monotonic() + 5.0
        while True:
            app.read_for(0.05)  # returns at once when the pty is closed
            pid, status = os.waitpid(app.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                raise AssertionError("no exit within 5 s of SIGHUP")
            time.sleep(0.02)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(app.pid, 9)
        os.close(app.fd)


def test_terminal_gone_without_sighup_the_app_exits(tmp_path):
    """Tried: the terminal closed (SSH or tmux session killed) while the app runs under a
    wrapper that holds SIGHUP back, as `make run` does. Found by hand: such orphans stayed
    alive, Textual's input thread spinning on end-of-file at 30 % of a core each. Now the
    app sees its terminal is gone and exits within a few seconds, pcscd and all."""
    import pty

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from _tui_support import CHILD, PYTHON, READY, demo_db
    finally:
        sys.path.pop(0)
    db = demo_db(tmp_path)
    pid_file = tmp_path / "app.pid"
    wrapper = (
        "import signal, subprocess, sys\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})  # like make\n"
        "unblock = lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})\n"
        "app = subprocess.Popen(sys.argv[2:], preexec_fn=unblock)\n"
        "open(sys.argv[1], 'w').write(str(app.pid))\n"
        "sys.exit(app.wait())\n"
    )
    leader, fd = pty.fork()
    if leader == 0:
        os.environ.update({"TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"})
        os.execv(PYTHON, [PYTHON, "-c", wrapper, str(pid_file),
                          PYTHON, CHILD, "--child", "desk", str(db)])
    app_pid = None
    try:
        seen, deadline = b"", time.monotonic() + 30
        while READY not in seen and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                seen += os.read(fd, 65536)
        assert READY in seen, "the app never drew its first frame"
        app_pid = int(pid_file.read_text())
        os.close(fd)  # the terminal goes away; only the wrapper is signalled, and holds it
        fd = None
        deadline = time.monotonic() + 8.0
        while Path(f"/proc/{app_pid}").exists() and _state(app_pid) != "Z":
            if time.monotonic() > deadline:
                raise AssertionError("the app outlived its terminal by 8 s")
            time.sleep(0.1)
        _, status = os.waitpid(leader, 0)
        assert os.WIFEXITED(status), status  # the wrapper saw its child end, then ended
    finally:
        if fd is not None:
            os.close(fd)
        for pid in (app_pid, leader):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(leader, os.WNOHANG)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


async def test_card_events_while_the_screen_lines_are_gone_do_not_kill_the_app(make_app):
    """Tried: a card removed/inserted/service event reaching the app while the main screen
    holds no title or status line (what happens during composition and at exit, when the
    widgets are pruned before the screen). CI once died here with NoMatches; the events
    must be absorbed and the app keep running."""
    from ins_tui.card.events import CardRemoved, ServiceDown, ServiceUp
    from ins_tui.tui.messages import CardEventArrived

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen()
        await wait_until(pilot, lambda: bool(main.query("#top-line")), what="main screen")
        await main.query_one("#top-line").remove()
        await main.query_one("#status-line").remove()
        for event in (ServiceDown(), ServiceUp(), CardRemoved("Lecteur 0")):
            app.post_message(CardEventArrived(event))
        await pilot.pause(0.1)
        assert app.is_running
        assert app.reader_state == "lecteur : pas de carte"
        assert app._exception is None


async def test_thread_results_dispatched_after_exit_began_are_dropped(make_app, store):
    """Tried: a worker's waiting-list result and a card read landing once the app has
    begun to shut down (its widgets pruned). They are dropped without touching the gone
    widgets, instead of raising NoMatches at exit."""
    from ins_tui.tui.messages import CardRead, DayListLoaded

    add_patient(store, ADRTROIS)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen()
        await wait_until(pilot, lambda: bool(main._rows), what="waiting list loaded")
        rows_before = dict(main._rows)
    assert not app.is_running
    with app._context():  # as when the handlers run from the app's own loop at exit
        main._apply_day(DayListLoaded(version=-1, rows=[]))
        app._card_read(CardRead("Lecteur 0", [], "Carte illisible"))
    assert main._rows == rows_before and main._version != -1


async def test_backend_closed_once_after_exit_and_when_ready_too_late(desk, config):
    """What `launch` opened (database, simulator, private pcscd) is closed after the app
    stops — and a backend that finishes opening after the secretary already quit is closed
    at once instead of being dropped with its pcscd still running."""
    from ins_tui.tui.app import Backend, InsTuiApp
    from ins_tui.tui.messages import BackendReady

    closed: list[str] = []
    app = InsTuiApp(backend=lambda: Backend(desk, close=lambda: closed.append("first")),
                    config=config, environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.desk is desk, what="backend ready")
    assert closed == []  # the app does not close it behind launch's back
    app.close_backend()
    app.close_backend()
    assert closed == ["first"]
    late = Backend(desk, close=lambda: closed.append("late"))
    with app._context():
        app._backend_ready(BackendReady(late))
    assert closed == ["first", "late"]
