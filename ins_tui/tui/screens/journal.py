"""The audit trail, for one patient or for the day; raw INSi exchanges on demand.

Read-only by nature (the store refuses UPDATE/DELETE on the journal): each row reads as a
French summary with the patient's name, the pane below shows the selected row field by
field (before → after), and `x` shows the SOAP request and response exactly as exchanged,
which is what support and the CNDA ask for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from ins_tui.tui import format as fmt
from ins_tui.tui import journal_view
from ins_tui.tui.messages import DayListLoaded
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.footer import DeskFooter

# Columns other than the summary: time, who, patient (widths in cells, padding included).
_WHO_WIDTH = 10
_PATIENT_WIDTH = 22


def _cut(text: str, width: int) -> Text:
    """A cell no wider than `width` (the detail pane below always shows it whole)."""
    return Text(text if len(text) <= width else text[: max(width - 1, 1)] + "…")


class JournalScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="journal.back"),
        Binding("x", "toggle_raw", "Échange INSi", id="journal.raw",
                tooltip="Afficher ou masquer la requête et la réponse INSi brutes"),
    ]

    def __init__(self, patient_id: int | None = None) -> None:
        super().__init__(id="journal")
        self.patient_id = patient_id
        self.entries: list[Any] = []
        self.names: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        yield Static(self._title(), id="top-line", markup=False)
        yield DataTable(id="journal-view", cursor_type="row")
        yield Static("", id="journal-detail", markup=False)
        yield Static("", id="journal-raw", markup=False)
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def _title(self) -> str:
        if self.patient_id is None:
            return f"Journal du {self.desk_app.today().strftime('%d/%m/%Y')}"
        name = self.names.get(self.patient_id)
        return f"Journal de {name}" if name else f"Journal du patient n° {self.patient_id}"

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Heure", "Qui", "Patient", "Événement")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="journal", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk_app.desk
        if self.patient_id is not None:
            entries = desk.journal_for_patient(self.patient_id)
        else:
            entries = desk.journal_for_day(self.desk_app.today())
        names: dict[int, str] = {}
        for pid in {e.patient_id for e in entries if e.patient_id is not None}:
            try:
                record = desk.get_patient(pid)
            except Exception:  # a missing record must not hide the journal
                continue
            traits = record.traits
            names[pid] = fmt.person_name(traits.birth_name, traits.first_first_name)
        self.names = names
        self.post_message(DayListLoaded(0, list(entries)))

    def patient_name(self, entry: Any) -> str:
        if entry.patient_id is None:
            return "—"
        return self.names.get(entry.patient_id, f"n° {entry.patient_id}")

    @on(DayListLoaded)
    def _show(self, message: DayListLoaded) -> None:
        message.stop()
        self.entries = message.rows
        self.query_one("#top-line", Static).update(self._title())
        table = self.query_one(DataTable)
        # The summary takes what is left of the width (cell padding: 2 per column).
        summary_width = max(self.app.size.width - 5 - _WHO_WIDTH - _PATIENT_WIDTH - 10, 20)
        for entry in self.entries:
            table.add_row(
                fmt.time_of(entry.at) if len(entry.at) >= 16 else entry.at,
                _cut(entry.actor, _WHO_WIDTH),
                _cut(self.patient_name(entry), _PATIENT_WIDTH),
                _cut(journal_view.summary(entry), summary_width),
                key=str(entry.id),
            )
        count = len(self.entries)
        self.say(f"{count} entrée(s). ↑↓ : parcourir · x : échange INSi brut des lignes "
                 "marquées [x]." if count else "Aucune entrée dans le journal.")
        self._show_detail()

    def say(self, text: str) -> None:
        self.query_one("#status-line", Static).update(text)

    def selected(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.entries:
            return None
        return self.entries[min(max(table.cursor_row, 0), len(self.entries) - 1)]

    def _show_detail(self) -> None:
        entry = self.selected()
        detail = self.query_one("#journal-detail", Static)
        if entry is None:
            detail.update("")
            return
        detail.update("\n".join(journal_view.detail_lines(entry, self.patient_name(entry))))

    def action_toggle_raw(self) -> None:
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            self.remove_class("-raw")
            return
        entry = self.selected()
        if entry is None or not (entry.insi_request or entry.insi_response):
            self.say("Pas d'échange INSi pour cette entrée : choisir une ligne « appel INSi ».")
            return
        request = (entry.insi_request or b"").decode("utf-8", "replace")
        response = (entry.insi_response or b"").decode("utf-8", "replace")
        raw.update(f"— Requête INSi —\n{request}\n\n— Réponse INSi —\n{response}")
        raw.add_class("-shown")
        self.add_class("-raw")

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            self.remove_class("-raw")
            self.action_toggle_raw()

    def action_back(self) -> None:
        self.app.pop_screen()
