"""Incremental patient search (no card): type a name, optionally a birth date.

Each keystroke starts a search in a worker that supersedes the previous one (exclusive
group), so typing never waits on the database and a slow answer never overwrites a
newer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from ins_tui.tui import format as fmt
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.footer import DeskFooter

ARRIVAL = "arrival"
OPEN = "open"


@dataclass
class SearchDone(Message):
    query: str
    records: list[Any]
    note: str = ""


def split_query(text: str) -> tuple[str, str | None, str]:
    """Words that look like a date become the birth-date filter (domain date rule)."""
    from ins_tui.domain.dates import parse_typed_date

    words, birth_date, note = [], None, ""
    for word in text.split():
        if any(ch.isdigit() for ch in word):
            parsed, problems = parse_typed_date(word)
            if parsed is not None and parsed.iso:
                birth_date = parsed.iso
            else:
                note = problems[0].message if problems else f"Date illisible : « {word} »."
            continue
        words.append(word)
    return " ".join(words), birth_date, note


class SearchScreen(DeskScreen):
    CSS_PATH = "search.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="search.back"),
        Binding("down", "cursor(1)", "Suivant", show=False, id="search.down"),
        Binding("up", "cursor(-1)", "Précédent", show=False, id="search.up"),
        Binding("f2", "new_patient", "Nouveau patient", id="search.new",
                tooltip="Créer un patient avec ce qui a été tapé"),
    ]

    def __init__(self, mode: str = OPEN) -> None:
        super().__init__(id="search")
        self.mode = mode
        self.records: list[Any] = []

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        title = ("Arrivée : chercher le patient" if self.mode == ARRIVAL
                 else "Rechercher un patient")
        yield Static(f"{title} — nom [prénom] [date] ou NIR/INS, Entrée",
                     id="top-line", markup=False)
        yield Input(placeholder="ex. dupont marie 12/03/1980, ou un NIR/INS",
                    id="search-input")
        table: DataTable = DataTable(id="search-results", cursor_type="row")
        table.can_focus = False
        yield table
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Nom", "Prénoms", "Naissance", "Sexe", "Identité")
        self.query_one(Input).focus()

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, text: str) -> None:
        from ins_tui.domain.matricule import typed_nir_query

        number, problems = typed_nir_query(text)
        if number is not None or problems:
            records = self.desk_app.desk.search_by_nir(number) if number else []
            self.post_message(SearchDone(text, records, problems[0].message if problems else ""))
            return
        words, birth_date, note = split_query(text)
        records = (self.desk_app.desk.search_patients(words, birth_date=birth_date, limit=50)
                   if words or birth_date else [])
        self.post_message(SearchDone(text, records, note))

    @on(SearchDone)
    def _show(self, message: SearchDone) -> None:
        if message.query != self.query_one(Input).value:
            return  # a newer search is on its way
        self.records = message.records
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for record in self.records:
                traits = record.traits
                table.add_row(
                    fmt.person_name(traits.birth_name, None, traits.used_name),
                    traits.first_names,
                    fmt.date_fr(traits.birth_date),
                    getattr(traits.sex, "value", "") or "—",
                    fmt.status_cell(record.status),
                    key=str(record.id),
                )
        count = len(self.records)
        text = message.note or (
            "Aucun patient trouvé : F2 pour le créer." if message.query.strip() and not count
            else f"{count} patient(s)." if count else ""
        )
        self.set_line("status-line", text)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def selected(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.records or table.cursor_row >= len(self.records):
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((r for r in self.records if str(r.id) == key), None)

    @on(Input.Submitted, "#search-input")
    def _chosen(self) -> None:
        record = self.selected()
        if record is None:
            self.set_line(
                "status-line",
                "Aucun patient à choisir : tapez un nom, ou F2 pour créer le patient.",
            )
            return
        self.app.pop_screen()
        if self.mode == ARRIVAL:
            self.desk_app.choose_practitioner(record.id)
        else:
            self.desk_app.open_patient(record.id)

    def action_new_patient(self) -> None:
        from ins_tui.domain.model import Traits

        words, birth_date, _ = split_query(self.query_one(Input).value)
        parts = words.split()
        initial = Traits(
            birth_name=parts[0].upper() if parts else "",
            first_names=" ".join(parts[1:]),
            sex=None,
            birth_date=birth_date,
        ) if parts or birth_date else None
        self.app.pop_screen()
        self.desk_app.open_form(None, initial=initial)

    def action_back(self) -> None:
        self.app.pop_screen()
