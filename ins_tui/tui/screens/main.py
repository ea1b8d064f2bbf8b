"""Main screen: the day's waiting list, the selected patient's detail, the status line.

The list is live across desks: a timer looks at the store's change counter (a cheap
PRAGMA) and only when it moved does a worker reload the day, whose rows are then applied
as a keyed diff. An idle desk therefore does no I/O beyond the counter and writes nothing
to the terminal.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.widgets import Static

from ins_tui.tui import format as fmt
from ins_tui.tui.messages import DayListLoaded, StatusNote, unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.detail import DetailPanel
from ins_tui.tui.widgets.footer import DeskFooter
from ins_tui.tui.widgets.waiting_list import ListRow, WaitingList


class MainScreen(DeskScreen):
    CSS_PATH = "main.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_patient", "Ouvrir", id="main.open",
                tooltip="Ouvrir l'identité du patient sélectionné"),
        Binding("a", "add_arrival", "Arrivée", id="main.arrival",
                tooltip="Ajouter une arrivée (chercher le patient, choisir le praticien)"),
        Binding("r", "search", "Rechercher", id="main.search",
                tooltip="Rechercher un patient (sans carte)"),
        Binding("n", "new_patient", "Nouveau", id="main.new",
                tooltip="Créer un patient (saisie manuelle)"),
        Binding("c", "set_state('en_consultation')", "Consult.", id="main.consult",
                tooltip="Passer le patient sélectionné en consultation"),
        Binding("p", "set_state('parti')", "Parti", id="main.left",
                tooltip="Marquer le patient sélectionné comme parti"),
        Binding("w", "set_state('en_attente')", "Attente", show=False, id="main.waiting",
                tooltip="Remettre le patient sélectionné en attente"),
        Binding("plus,ctrl+up", "move(-1)", "Monter", show=False, id="main.up",
                tooltip="Faire monter le patient sélectionné dans la file"),
        Binding("minus,ctrl+down", "move(1)", "Descendre", show=False, id="main.down",
                tooltip="Faire descendre le patient sélectionné dans la file"),
        Binding("e", "edit_patient", "Modifier", show=False, id="main.edit",
                tooltip="Modifier l'identité du patient sélectionné"),
        Binding("i", "insi_search", "INS", show=False, id="main.insi",
                tooltip="Rechercher l'INS du patient sélectionné par ses traits"),
        Binding("j", "patient_journal", "Journal", show=False, id="main.journal",
                tooltip="Journal du patient sélectionné"),
        Binding("f4", "report", "Taux INS", show=False, id="main.report",
                tooltip="Taux de qualification INS du mois (patients vus non qualifiés)"),
        Binding("f", "merge", "Fusionner", show=False, id="main.merge",
                tooltip="Fusionner le patient sélectionné avec un doublon (autre dossier)"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self._version: int | None = None
        self._rows: dict[int, Any] = {}
        self._select_after_load: int | None = None

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        yield Static(self._title(), id="top-line", markup=False)
        with Container(id="main-body"):
            with Vertical(id="list-pane"):
                yield WaitingList(id="waiting-list")
            with Vertical(id="detail-pane"):
                yield DetailPanel(id="detail")
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def _title(self) -> str:
        app = self.desk_app
        today = app.today()
        return (
            f"Accueil — file du {today.strftime('%d/%m/%Y')} · {app.operator} · "
            f"{app.reader_state}"
        )

    def on_mount(self) -> None:
        self.query_one(WaitingList).focus()
        self.refresh_list(force=True)
        self.set_interval(self.desk_app.config.refresh_interval, self._poll)

    # -- live list -----------------------------------------------------------------------
    def _poll(self) -> None:
        """Look at the change counter; reload only when another action committed."""
        if self.desk_app.desk is None:
            return
        if self.app.screen is not self and not self.app.screen.is_modal:
            return
        try:
            version = self.desk_app.desk.data_version()
        except Exception:  # the store is busy or gone: try again at the next tick
            return
        if version != self._version:
            self.refresh_list()

    def refresh_list(self, *, force: bool = False, select: int | None = None) -> None:
        """`select`: a visit to put the cursor on once the list is loaded."""
        if force:
            self._version = None
        if select is not None:
            self._select_after_load = select
        if self.desk_app.desk is None:
            self.say("Ouverture de la base de données…")
            return
        self._load_day()

    @work(thread=True, exclusive=True, group="day-list", exit_on_error=False)
    def _load_day(self) -> None:
        desk = self.desk_app.desk
        version = desk.data_version()
        rows = desk.day_list(self.desk_app.today())
        self.post_message(DayListLoaded(version, rows))

    @on(DayListLoaded)
    @unless_closing
    def _apply_day(self, message: DayListLoaded) -> None:
        self._version = message.version
        today = self.desk_app.today()
        self._rows = {visit.id: visit for visit in message.rows}
        shown = [
            ListRow(
                visit_id=visit.id,
                patient_id=visit.patient_id,
                cells=(
                    fmt.time_of(visit.arrived_at),
                    fmt.person_name(visit.birth_name, visit.first_name, visit.used_name),
                    fmt.age_on(visit.birth_date, today),
                    # While INSi is retried the identity is unsettled: say so in its cell.
                    fmt.insi_pending_cell() if visit.insi_pending
                    else fmt.status_cell(visit.status),
                    visit.practitioner or "—",
                    fmt.state_word(visit.state),
                ),
            )
            for visit in message.rows
        ]
        table = self.query_one(WaitingList)
        table.show_rows(shown)
        if self._select_after_load is not None:
            table.select_visit(self._select_after_load)
            self._select_after_load = None
        self._show_detail()
        for line in self.query("#status-line").results(Static):
            if str(line.render()).startswith("Ouverture"):
                line.update("")

    @on(WaitingList.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.query_one(WaitingList).selected_row()
        detail = self.query_one(DetailPanel)
        if row is None:
            detail.show(["File vide : « a » pour ajouter une arrivée,",
                         "« n » pour un nouveau patient, « r » pour rechercher."])
            return
        visit = self._rows.get(row.visit_id)
        if visit is None:
            return
        detail.show([
            fmt.person_name(visit.birth_name, visit.first_name, visit.used_name),
            f"Né·e le {fmt.date_fr(visit.birth_date)} "
            f"({fmt.age_on(visit.birth_date, self.desk_app.today())})",
            f"Identité : {fmt.status_text(visit.status)}"
            + (f" · {fmt.insi_pending_text()}" if visit.insi_pending else ""),
            f"Arrivée {fmt.time_of(visit.arrived_at)} · {visit.practitioner or '—'}",
            f"Passage : {fmt.state_word(visit.state)}",
        ])

    def selected_visit(self) -> Any | None:
        row = self.query_one(WaitingList).selected_row()
        return self._rows.get(row.visit_id) if row else None

    def say(self, text: str) -> None:
        self.set_line("status-line", text)

    def refresh_title(self) -> None:
        self.set_line("top-line", self._title())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing to act on until the database is open (a few hundred ms at start)."""
        return self.desk_app.desk is not None

    # -- actions -------------------------------------------------------------------------
    def _need_selection(self) -> Any | None:
        visit = self.selected_visit()
        if visit is None:
            self.say("Aucun patient sélectionné dans la file.")
        return visit

    def action_open_patient(self) -> None:
        visit = self._need_selection()
        if visit is not None:
            self.desk_app.open_patient(visit.patient_id)

    def action_add_arrival(self) -> None:
        self.desk_app.start_arrival()

    def action_search(self) -> None:
        self.desk_app.open_search()

    def action_new_patient(self) -> None:
        self.desk_app.open_form(None)

    def action_edit_patient(self) -> None:
        visit = self._need_selection()
        if visit is not None:
            self.desk_app.open_form(visit.patient_id)

    def action_insi_search(self) -> None:
        visit = self._need_selection()
        if visit is not None:
            self.desk_app.open_patient(visit.patient_id, search_insi=True)

    def action_patient_journal(self) -> None:
        visit = self._need_selection()
        if visit is not None:
            self.desk_app.open_journal(visit.patient_id)

    def action_merge(self) -> None:
        from ins_tui.tui.screens.merge import start_merge

        visit = self._need_selection()
        if visit is not None:
            start_merge(self, visit.patient_id)

    def action_report(self) -> None:
        from ins_tui.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen())

    def action_set_state(self, state: str) -> None:
        visit = self._need_selection()
        if visit is None:
            return
        self._change_visit(visit.id, state=state)

    def action_move(self, delta: int) -> None:
        visit = self._need_selection()
        if visit is None:
            return
        self._change_visit(visit.id, delta=delta)

    @work(thread=True, exclusive=True, group="visit-change", exit_on_error=False)
    def _change_visit(self, visit_id: int, *, state: str | None = None, delta: int = 0) -> None:
        desk = self.desk_app.desk
        try:
            if state is not None:
                desk.set_arrival_state(visit_id, state)
                note = f"Passage : {fmt.state_word(state)}."
            else:
                desk.move_arrival(visit_id, delta)
                note = "Ordre de passage modifié."
        except Exception as exc:
            from ins_tui.tui.errors import error_fr

            note = error_fr(exc)
        self.post_message(StatusNote(note, refresh=True))

    @on(StatusNote)
    @unless_closing
    def _status_note(self, message: StatusNote) -> None:
        self.say(message.text)
        if message.refresh:
            self.refresh_list()
