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
from textual.widgets import Input, Static

from ins_tui.tui import format as fmt
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.footer import DeskFooter
from ins_tui.tui.widgets.results import ResultsTable, hand_to_screen

COLUMNS = ("Nom", "Prénoms", "Naissance", "Sexe", "Identité")

ARRIVAL = "arrival"
OPEN = "open"
# How long a typed letter may wait for its answer so both are drawn in one frame (issue
# 13): the query takes a few ms, so the echo and the new rows normally share one frame
# instead of two; past this the letter is drawn alone and the rows follow.
HOLD_S = 0.04


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


class SearchInput(Input):
    """The search field; a key that may change the text holds the repaint first, so the
    typed letter and the rows it finds are drawn in one frame (`SearchScreen._hold`)."""

    async def _on_key(self, event: Any) -> None:
        if event.is_printable or event.key in ("backspace", "delete", "ctrl+u", "ctrl+w"):
            hold = getattr(self.screen, "_hold", None)
            if hold is not None:
                hold()
        await super()._on_key(event)


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
        # No blinking cursor: it wrote to the terminal twice a second while the secretary
        # only read the results (a thin link carries every byte; issue 13).
        field = SearchInput(placeholder="ex. dupont marie 12/03/1980, ou un NIR/INS",
                            id="search-input")
        field.cursor_blink = False
        yield field
        yield ResultsTable(COLUMNS, id="search-results")
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._status = ""
        self._held: Any = None
        self.query_one(Input).focus()

    def on_unmount(self) -> None:
        self._release()

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self._hold()
        self._search(event.value)

    def _hold(self) -> None:
        """Hold the repaint until the answer (or `HOLD_S`): one frame per key, not two."""
        if self._held is None:
            self.app._begin_batch()
            self._held = self.set_timer(HOLD_S, self._release, name="search-hold")

    def _release(self) -> None:
        held, self._held = getattr(self, "_held", None), None
        if held is not None:
            held.stop()
            self.app._end_batch()

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
        same = [r.id for r in message.records] == [r.id for r in self.records]
        self.records = message.records
        if not same:  # one more letter often leaves the answer as it was: nothing to draw
            self.query_one(ResultsTable).set_rows(
                [(fmt.person_name(r.traits.birth_name, None, r.traits.used_name),
                  r.traits.first_names, fmt.date_fr(r.traits.birth_date),
                  getattr(r.traits.sex, "value", "") or "—", fmt.status_cell(r.status))
                 for r in self.records],
                [str(r.id) for r in self.records])
        count = len(self.records)
        text = message.note or (
            "Aucun patient trouvé : F2 pour le créer." if message.query.strip() and not count
            else f"{count} patient(s)." if count else ""
        )
        if text != self._status:  # the same words again would repaint the line for nothing
            self._status = text
            self._status_line(text)
        self._release()

    def _status_line(self, text: str) -> None:
        """A one-line answer replacing a one-line answer needs no new layout (which cost a
        frame of its own per key); longer words go through the usual `set_line`."""
        from ins_tui.tui.console_look import words

        line = self.query_one("#status-line", Static)
        room = line.size.width - 2
        if room > 0 and len(text) <= room and line.size.height == 1:
            line.update(words(text), layout=False)
            hand_to_screen(line)  # in the frame of the rows, not a tick later
        else:
            self.set_line("status-line", text)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(ResultsTable)
        if table.row_count:
            table.move_cursor(row=table.cursor_row + delta)

    def selected(self) -> Any | None:
        table = self.query_one(ResultsTable)
        if not self.records or table.cursor_row >= len(table.keys):
            return None
        key = table.keys[table.cursor_row]
        return next((r for r in self.records if str(r.id) == key), None)

    @on(Input.Submitted, "#search-input")
    def _chosen(self) -> None:
        record = self.selected()
        if record is None:
            self._status = "\0"  # the line no longer shows the count: write it next time
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
