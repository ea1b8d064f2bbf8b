"""The qualification-rate screen at 80×24, driven with the keyboard through Pilot.

Real SQLite file, real desk, real INSi simulator (loopback mutual TLS) for the searches,
the fixed clock of tests/tui/conftest.py (14/03/2025). Snapshots in the default theme and
in the 16-colour look picked for `TERM=linux` (tui/themes.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from ins_tui.desk.report_period import PeriodKind
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Channel, Sex, Status, Traits
from tests.tui.conftest import ADRTROIS, HOUILLES, add_patient, wait_until

SIZE = (80, 24)
DURAND = Traits("DURAND", "LUC", Sex.M, "1950-06-05", "63220", "LUC")
PETIT = Traits("PETIT", "ANNE", Sex.F, "1990-08-07", "63220", "ANNE")


def _seed(store: Any, desk: Any) -> dict[str, int]:
    """Today (14/03/2025): one QUAL, one CR 01, one VALI, one never searched; February:
    one more visit of the never-searched patient."""
    ids = {
        "qual": add_patient(store, ADRTROIS),
        "cr01": add_patient(store, HOUILLES),
        "vali": add_patient(store, DURAND),
        "plain": add_patient(store, PETIT),
    }
    assert desk.retrieve_ins(ids["qual"], Channel.INSI).kind is InsiResultKind.MATCHED
    assert desk.qualify(ids["qual"], "CN").status is Status.QUAL
    assert desk.retrieve_ins(ids["cr01"], Channel.INSI).kind is InsiResultKind.NOT_FOUND
    assert desk.record_document(ids["vali"], "CN").status is Status.VALI
    store.add_arrival(ids["plain"], "Dr Martin", actor="test", day="2025-02-20")
    return ids


def _report_screen(app: Any) -> Any:
    from ins_tui.tui.screens.report import ReportScreen

    return app.screen if isinstance(app.screen, ReportScreen) else None


async def _open_report(pilot: Any) -> Any:
    main = pilot.app.main_screen()
    await wait_until(pilot, lambda: main.selected_visit() is not None, what="list")
    await pilot.press("f4")
    return await _loaded(pilot)


async def _loaded(pilot: Any) -> Any:
    def ready() -> bool:
        screen = _report_screen(pilot.app)
        return (screen is not None and not screen.loading and screen.report is not None
                and screen.report.period == screen.period)

    await wait_until(pilot, ready, what="report counted")
    await pilot.pause()
    return pilot.app.screen


def _text(screen: Any, widget_id: str) -> str:
    from textual.widgets import Static

    return str(screen.query_one(f"#{widget_id}", Static).render())


async def test_counts_shown_and_period_keys(make_app, store, desk):
    """Tried: F4 from the waiting list, then « - » (February), « s » (its first whole
    week), « j » (that Monday), « + » (the next day). Each time the screen says what it
    counts, then shows the counts of that period, statuses with symbol and word."""
    ids = _seed(store, desk)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_report(pilot)
        assert "mars 2025 (du 01/03/2025 au 31/03/2025)" in _text(screen, "top-line")
        summary = _text(screen, "report-summary")
        assert "Passages 4 · Patients distincts 4 · Part QUAL (Ségur) 25,0\u00a0%" in summary
        assert "● QUAL qualifiée 1" in summary and "○ PROV provisoire 2" in summary
        assert "CR 00 1 · CR 01 1" in summary and "pannes 0" in summary
        assert screen._patients == [ids["vali"], ids["cr01"], ids["plain"]]
        assert "Patients vus non qualifiés : 3" in _text(screen, "report-list-title")
        detail = _text(screen, "report-detail")
        assert "Motif : validée par pièce, INS jamais recherché" in detail
        assert "1 passage sur la période, le dernier le 14/03/2025" in detail
        await pilot.press("minus")
        screen = await _loaded(pilot)
        assert screen.period.label_fr == "février 2025"
        assert "Passages 1 · Patients distincts 1 · Part QUAL (Ségur) 0,0\u00a0%" in _text(
            screen, "report-summary")
        assert screen._patients == [ids["plain"]]
        await pilot.press("s")
        screen = await _loaded(pilot)
        assert screen.period.kind is PeriodKind.WEEK
        assert screen.period.label_fr == "semaine du 03/02/2025 au 09/02/2025"
        assert "Aucun patient vu sur cette période." in _text(screen, "report-list-title")
        await pilot.press("j")
        screen = await _loaded(pilot)
        assert screen.period.label_fr == "lundi 03/02/2025"
        await pilot.press("plus")
        screen = await _loaded(pilot)
        assert screen.period.label_fr == "mardi 04/02/2025"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main_screen(), what="back")


async def test_enter_opens_the_patient_and_back_recounts(make_app, store, desk):
    """Tried: ↓ then Entrée on the list opens that patient's identity screen; the patient
    is qualified meanwhile (another desk), Échap comes back and the counts follow."""
    from ins_tui.tui.screens.identity import IdentityScreen

    ids = _seed(store, desk)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_report(pilot)
        await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, IdentityScreen),
                         what="identity screen")
        assert app.screen.patient_id == ids["cr01"]
        assert desk.record_document(ids["plain"], "CN").status is Status.VALI
        await pilot.press("escape")
        screen = await _loaded(pilot)
        await wait_until(pilot, lambda: "○ PROV provisoire 1" in _text(screen,
                                                                          "report-summary"),
                         what="recount")
        assert "◑ VALI validée 2" in _text(screen, "report-summary")


async def test_summary_lines_fit_80_columns(make_app, store, desk):
    """Tried: the summary with five-digit counts (a large practice's year); no line is
    wider than the 78 cells left inside the padding at 80 columns."""
    from ins_tui.desk.report import InsiCounts, QualificationReport
    from ins_tui.desk.report_period import Period
    from ins_tui.tui.screens.report import summary_lines

    big = QualificationReport(
        period=Period.month_of(desk.clock.now().date()), generated_at="", visits=99999,
        patients=99999, statuses={"QUAL": 33333, "RECUP": 22222, "VALI": 11111,
                                  "PROV": 33333},
        insi=InsiCounts(99999, 99999, {"found": 99999, "not_found": 99999,
                                       "several": 99999, "refused": 99999,
                                       "error": 99999, "fault": 99999},
                        99999, 99999, 99999),
        not_qualified=(), not_qualified_total=66666, reasons={})
    assert max(len(line) for line in summary_lines(big)) <= 78, summary_lines(big)


@pytest.mark.parametrize("term", [pytest.param("xterm-256color", id="default"),
                                  pytest.param("linux", id="linux-16")])
def test_report_snapshot(snap_compare, make_app, store, desk, term):
    """Tried: the March screen at 80×24 once counted, in the default theme and in the
    16-colour look `TERM=linux` picks; the SVG is compared with the reviewed one."""
    _seed(store, desk)

    async def run_before(pilot: Any) -> None:
        from ins_tui.tui.widgets.footer import DeskFooter

        screen = await _open_report(pilot)
        # The key bar is composed once the screen's bindings are known: wait for it.
        await wait_until(pilot, lambda: bool(screen.query_one(DeskFooter).children),
                         what="footer keys")
        await pilot.pause()

    assert snap_compare(make_app(environ={"TERM": term}), terminal_size=SIZE,
                        run_before=run_before)
