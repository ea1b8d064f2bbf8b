"""The audit trail, for one patient or for the day; raw INSi exchanges on demand.

Read-only by nature (the store refuses UPDATE/DELETE on the journal): the screen lists
entries and, for the selected one, shows the SOAP request and response exactly as
exchanged, which is what support and the CNDA ask for.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from ins_tui.tui import format as fmt
from ins_tui.tui.messages import DayListLoaded
from ins_tui.tui.screens.base import DeskScreen


def _short(value: str | None, width: int = 60) -> str:
    if not value:
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        data = value
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


class JournalScreen(DeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="journal.back"),
        Binding("x", "toggle_raw", "Échanges INSi", id="journal.raw",
                tooltip="Afficher ou masquer la requête et la réponse INSi brutes"),
    ]

    def __init__(self, patient_id: int | None = None) -> None:
        super().__init__(id="journal")
        self.patient_id = patient_id
        self.entries: list[Any] = []

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        title = (f"Journal du patient n° {self.patient_id}" if self.patient_id is not None
                 else f"Journal du {self.desk_app.today().strftime('%d/%m/%Y')}")
        yield Static(title, id="top-line", markup=False)
        yield DataTable(id="journal-view", cursor_type="row")
        yield Static("", id="journal-raw", markup=False)
        yield Static("", id="status-line", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Heure", "Qui", "Action", "Patient", "Détail")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="journal", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk_app.desk
        if self.patient_id is not None:
            entries = desk.journal_for_patient(self.patient_id)
        else:
            entries = desk.journal_for_day(self.desk_app.today())
        self.post_message(DayListLoaded(0, list(entries)))

    @on(DayListLoaded)
    def _show(self, message: DayListLoaded) -> None:
        message.stop()
        self.entries = message.rows
        table = self.query_one(DataTable)
        for entry in self.entries:
            raw = " [INSi]" if entry.insi_request or entry.insi_response else ""
            table.add_row(
                fmt.time_of(entry.at) if len(entry.at) >= 16 else entry.at,
                entry.actor,
                entry.action + raw,
                str(entry.patient_id or "—"),
                _short(entry.after_json),
                key=str(entry.id),
            )
        self.query_one("#status-line", Static).update(
            f"{len(self.entries)} entrée(s). x : voir les échanges INSi bruts de l'entrée."
        )

    def selected(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.entries:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    def action_toggle_raw(self) -> None:
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            return
        entry = self.selected()
        if entry is None or not (entry.insi_request or entry.insi_response):
            self.query_one("#status-line", Static).update(
                "Pas d'échange INSi pour cette entrée."
            )
            return
        request = (entry.insi_request or b"").decode("utf-8", "replace")
        response = (entry.insi_response or b"").decode("utf-8", "replace")
        raw.update(f"— Requête INSi —\n{request}\n\n— Réponse INSi —\n{response}")
        raw.add_class("-shown")

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            self.action_toggle_raw()

    def action_back(self) -> None:
        self.app.pop_screen()
