"""The qualification rate of a period (Ségur indicator) and the patients seen not qualified.

The numbers are `desk/report.py`'s, the same as `ins-tui report`. They are counted in a
thread worker: the screen says what it is computing (« Calcul du taux pour mars 2025… »)
until they arrive, and a result for a period left meanwhile is dropped. Back from a
patient opened with Entrée, the counts are read again (a qualification changes them).
Each status is a symbol *and* a word; each reason a phrase, never a colour.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from ins_tui.desk.report_period import Period, PeriodKind
from ins_tui.tui import format as fmt
from ins_tui.tui.messages import unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.footer import DeskFooter

# Short reasons for the list's last column at 80 columns; the line below the list gives
# the whole sentence (Reason.label_fr) for the patient under the cursor.
SHORT_REASONS = {
    "fictitious": "fictive",
    "doubtful": "douteuse",
    "document_missing": "pièce à contrôler",
    "validated_no_insi": "INS non recherché",
    "no_search": "aucune recherche INS",
    "not_found": "CR 01 : non trouvée",
    "several": "CR 02 : plusieurs",
    "differences": "traits différents",
    "ins_removed": "INS retiré",
    "insi_fault": "INSi injoignable",
    "insi_error": "erreur INSi",
    "traits_refused": "traits refusés",
}
_NAME_WIDTH = 30
_KIND_WORDS = {PeriodKind.MONTH: "mois", PeriodKind.WEEK: "semaine", PeriodKind.DAY: "jour"}


class ReportLoaded(Message):
    """The worker's result (or its French failure) for one period."""

    def __init__(self, period: Period, report: Any, error_fr: str = "") -> None:
        super().__init__()
        self.period = period
        self.report = report
        self.error_fr = error_fr


def _cut(text: str, width: int) -> Text:
    return Text(fmt.cut(text, width))


class ReportScreen(DeskScreen):
    CSS_PATH = "report.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="report.back", tooltip="Revenir à la file"),
        Binding("enter", "open_patient", "Ouvrir", id="report.open",
                tooltip="Ouvrir l'identité du patient sélectionné"),
        Binding("left_square_bracket,minus", "shift(-1)", "Préc.", id="report.previous",
                tooltip="Période précédente (mois, semaine ou jour)"),
        Binding("right_square_bracket,plus", "shift(1)", "Suiv.", id="report.next",
                tooltip="Période suivante"),
        Binding("m", "kind('month')", "Mois", id="report.month", tooltip="Compter par mois"),
        Binding("s", "kind('week')", "Semaine", id="report.week",
                tooltip="Compter par semaine (lundi à dimanche)"),
        Binding("j", "kind('day')", "Jour", id="report.day", tooltip="Compter par jour"),
    ]

    def __init__(self, period: Period | None = None) -> None:
        super().__init__(id="report")
        self._initial = period
        self.period: Period | None = period
        self.report: Any = None
        self.loading = False
        self._patients: list[int] = []  # patient id of each list line
        self._resumed_once = False

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        yield Static("", id="top-line", markup=False)
        yield Static("", id="report-summary", markup=False)
        yield Static("", id="report-list-title", markup=False)
        yield DataTable(id="report-list", cursor_type="row", zebra_stripes=False)
        yield Static("", id="report-detail", markup=False)
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        if self.period is None:
            self.period = Period.month_of(self.desk_app.today())
        table = self.query_one(DataTable)
        table.add_columns("N°", "Patient", "Né·e le", "Statut", "Motif")
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        """Back from a patient: count again (a status may have changed meanwhile).

        Not at the first showing: `on_mount` counts already, and rewriting the lines while
        the screen first resumes left the key bar unpainted (Textual 8).
        """
        if not self._resumed_once:
            self._resumed_once = True
            return
        self.load()

    # -- loading -------------------------------------------------------------------------
    def load(self) -> None:
        period = self.period
        assert period is not None
        self.loading = True
        self.set_line("top-line", self._title(period))
        waiting = f"Calcul du taux de qualification pour {period.label_fr}…"
        if self.report is None or self.report.period != period:
            self.set_line("report-summary", waiting)
            self.set_line("report-list-title", "")
            self.set_line("report-detail", "")
            self.query_one(DataTable).clear()
            self._patients = []
        self.say(waiting)
        self._count(period)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _count(self, period: Period) -> None:
        from ins_tui.desk.report import build_report

        try:
            report = build_report(self.desk_app.desk.store, period)
        except Exception as exc:  # said on screen in French; the screen stays usable
            from ins_tui.tui.errors import error_fr

            self.post_message(ReportLoaded(period, None, error_fr(exc, "Calcul du taux")))
            return
        self.post_message(ReportLoaded(period, report))

    @on(ReportLoaded)
    @unless_closing
    def _loaded(self, message: ReportLoaded) -> None:
        message.stop()
        if message.period != self.period:
            return  # the secretary moved on to another period meanwhile
        self.loading = False
        if message.report is None:
            self.set_line("report-summary", f"Calcul impossible pour {message.period.label_fr}.")
            self.say(message.error_fr)
            return
        self.report = message.report
        self.set_line("report-summary", "\n".join(summary_lines(message.report)))
        self._fill(message.report)
        self.say("- ou [ / + ou ] : autre période · m mois · s semaine · j jour · "
                 "Échap : retour")

    def _title(self, period: Period) -> str:
        return f"Taux de qualification INS — {period.label_fr} ({period.span_fr})"

    def _fill(self, report: Any) -> None:
        table = self.query_one(DataTable)
        keep = self._selected_patient()
        table.clear()
        self._patients = []
        for item in report.not_qualified:
            self._patients.append(item.patient_id)
            table.add_row(
                str(item.patient_id),
                _cut(fmt.person_name(item.birth_name, item.first_name, item.used_name),
                     _NAME_WIDTH),
                fmt.date_fr(item.birth_date),
                fmt.status_cell(item.status),
                SHORT_REASONS.get(item.reason.value, item.reason.value),
            )
        total = report.not_qualified_total
        if not total:
            title = ("Tous les patients vus ont une identité qualifiée." if report.patients
                     else "Aucun patient vu sur cette période.")
        else:
            shown = (f" ({len(report.not_qualified)} premiers listés)"
                     if report.truncated else "")
            title = f"Patients vus non qualifiés : {total}{shown} — Entrée : ouvrir le patient"
        self.set_line("report-list-title", title)
        if keep in self._patients:
            table.move_cursor(row=self._patients.index(keep))
        self._show_detail()

    # -- selection -----------------------------------------------------------------------
    def _selected_patient(self) -> int | None:
        if not self._patients:
            return None
        row = self.query_one(DataTable).cursor_row
        return self._patients[min(max(row, 0), len(self._patients) - 1)]

    def _show_detail(self) -> None:
        pid = self._selected_patient()
        if pid is None or self.report is None:
            self.set_line("report-detail", "")
            return
        item = next(n for n in self.report.not_qualified if n.patient_id == pid)
        visits = "1 passage" if item.visits == 1 else f"{item.visits} passages"
        self.set_line("report-detail", f"Motif : {item.reason.label_fr}\n{visits} sur la "
                                       f"période, le dernier le {fmt.date_fr(item.last_visit)}")

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected)
    def _entered(self, event: DataTable.RowSelected) -> None:
        """The table's own Entrée (it shadows the screen binding, shown in the footer)."""
        event.stop()
        self.action_open_patient()

    # -- actions -------------------------------------------------------------------------
    def action_open_patient(self) -> None:
        pid = self._selected_patient()
        if pid is None:
            self.say("Aucun patient à ouvrir dans la liste.")
            return
        self.desk_app.open_patient(pid)

    def action_shift(self, steps: int) -> None:
        assert self.period is not None
        self.period = self.period.shifted(steps)
        self.load()

    def action_kind(self, kind: str) -> None:
        assert self.period is not None
        wanted = PeriodKind(kind)
        today = self.desk_app.today()
        anchor: date = today if self.period.contains(today) else self.period.start
        if wanted is PeriodKind.WEEK and anchor.weekday():
            # From a past month, its first whole week rather than one begun the month before.
            monday = anchor + timedelta(days=7 - anchor.weekday())
            anchor = monday if self.period.contains(monday) else anchor
        if wanted is self.period.kind:
            self.say(f"Déjà compté par {_KIND_WORDS[wanted]}.")
            return
        self.period = Period.of_kind(wanted, anchor)
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def say(self, text: str) -> None:
        self.set_line("status-line", text)


def summary_lines(report: Any) -> list[str]:
    """The counts in six lines of at most 78 cells (80 columns less the padding)."""
    from ins_tui.desk.base import status_label
    from ins_tui.desk.report import STATUS_ORDER, percent_fr

    def status_part(status: Any) -> str:
        count = report.statuses.get(status.value, 0)
        return (f"{fmt.status_symbol(status.value)} {status.value} {status_label(status)} "
                f"{count} ({percent_fr(report.share(status))})")

    parts = [status_part(s) for s in STATUS_ORDER]
    insi = report.insi
    out = insi.outcomes
    return [
        f"Passages {report.visits} · Patients distincts {report.patients} · "
        f"Part QUAL (Ségur) {percent_fr(report.qualified_share)}",
        f"Statuts : {parts[0]} · {parts[1]}",
        f"          {parts[2]} · {parts[3]}",
        f"INSi : {insi.searches} recherche(s) ({insi.exchanges} requête(s)) · "
        f"CR 00 {out.get('found', 0)} · CR 01 {out.get('not_found', 0)}",
        f"       CR 02 {out.get('several', 0)} · refusées {out.get('refused', 0)} · "
        f"config. {out.get('error', 0)} · pannes {insi.faults}",
        f"       dont sans réponse {insi.faults_no_answer} · service indisponible "
        f"{insi.faults_unavailable} · illisible {insi.faults_malformed}",
    ]
