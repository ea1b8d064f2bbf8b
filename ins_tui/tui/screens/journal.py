"""The audit trail, for one patient or for the day; raw INSi exchanges on demand.

Read-only by nature (the store refuses UPDATE/DELETE on the journal). One user action
(a qualification writes the desk's sentence, the state and the document) reads as one
French line with the patient's name; Entrée unfolds it into its rows, the pane below shows
the selected action or row field by field (before → after), and `x` shows the SOAP
request and response exactly as exchanged, which is what support and the CNDA ask for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ins_tui.store.journal import group_by_action
from ins_tui.tui import format as fmt
from ins_tui.tui import journal_view
from ins_tui.tui.console_look import glyphs
from ins_tui.tui.messages import DayListLoaded, unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.footer import DeskFooter

# Columns other than the summary: time, who, patient (widths in cells, padding included).
_WHO_WIDTH = 10
_PATIENT_WIDTH = 22


def _cut(text: str, width: int) -> Text:
    """A cell no wider than `width` (the detail pane below always shows it whole)."""
    return Text(fmt.cut(text, max(width, 2)))


class JournalScreen(DeskScreen):
    CSS_PATH = "journal.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="journal.back"),
        Binding("enter", "toggle_group", "Détailler", id="journal.expand",
                tooltip="Déplier ou replier les lignes de l'action sélectionnée"),
        Binding("x", "toggle_raw", "Échange INSi", id="journal.raw",
                tooltip="Afficher ou masquer la requête et la réponse INSi brutes"),
        # The detail and the raw exchange have a fixed height (issue 12, F9: nothing cut
        # at 80×24): what does not fit is reached with this key, no mouse needed.
        Binding("space", "more", "Suite", id="journal.more",
                tooltip="Faire défiler le détail ou l'échange INSi (au bout : retour au "
                        "début)"),
        Binding("u", "unmerge", "Annuler fusion", show=False, id="journal.unmerge",
                tooltip="Annuler la fusion de l'action sélectionnée (confirmation demandée)"),
    ]

    def __init__(self, patient_id: int | None = None) -> None:
        super().__init__(id="journal")
        self.patient_id = patient_id
        self.entries: list[Any] = []  # journal rows, in id order
        self.groups: list[list[Any]] = []  # the rows of each user action
        self.expanded: set[int] = set()  # indexes of unfolded groups
        # What each table line shows: (group index, row index in the group | None).
        self.lines: list[tuple[int, int | None]] = []
        self.names: dict[int, str] = {}
        self.note = ""  # said once instead of the count at the next load (an unmerge)

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        yield Static(self._title(), id="top-line", markup=False)
        yield DataTable(id="journal-view", cursor_type="row")
        # Fixed-height panes that scroll with Espace (issue 12, F9): nothing is cut, and the
        # table keeps the focus (the panes never take it).
        with VerticalScroll(id="journal-detail-pane", can_focus=False):
            yield Static("", id="journal-detail", markup=False)
        with VerticalScroll(id="journal-raw-pane", can_focus=False):
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
    @unless_closing
    def _show(self, message: DayListLoaded) -> None:
        message.stop()
        self.entries = message.rows
        self.groups = group_by_action(self.entries)
        self.set_line("top-line", self._title())
        self._fill_table()
        count = len(self.groups)
        note, self.note = self.note, ""
        self.say(note or (f"{count} action(s). ↑↓ : parcourir · Entrée : détailler · x : "
                          "échange INSi brut des lignes marquées [x]." if count
                          else "Aucune entrée dans le journal."))
        self._show_detail()

    def group_name(self, rows: list[Any]) -> str:
        names = list(dict.fromkeys(self.patient_name(r) for r in rows
                                   if r.patient_id is not None))
        return ", ".join(names) if names else "—"

    def _fill_table(self, cursor: tuple[int, int | None] | None = None) -> None:
        """(Re)build the lines: one per action, plus the rows of each unfolded action."""
        table = self.query_one(DataTable)
        table.clear()
        # The summary takes what is left of the width (cell padding: 2 per column).
        summary_width = max(self.app.size.width - 5 - _WHO_WIDTH - _PATIENT_WIDTH - 10, 20)
        self.lines = []
        for index, rows in enumerate(self.groups):
            first = rows[0]
            self.lines.append((index, None))
            marks = glyphs()
            fold = (marks.unfolded if index in self.expanded
                    else marks.folded if len(rows) > 1 else "")
            table.add_row(
                fmt.time_of(first.at) if len(first.at) >= 16 else first.at,
                _cut(first.actor, _WHO_WIDTH),
                _cut(self.group_name(rows), _PATIENT_WIDTH),
                _cut((f"{fold} " if fold else "") + journal_view.action_summary(rows),
                     summary_width),
            )
            if index not in self.expanded:
                continue
            for position, row in enumerate(rows):
                self.lines.append((index, position))
                table.add_row("", "", _cut(self.patient_name(row), _PATIENT_WIDTH),
                              _cut(f"  {marks.branch} " + journal_view.summary(row),
                                   summary_width))
        if cursor is not None and cursor in self.lines:
            table.move_cursor(row=self.lines.index(cursor))

    def say(self, text: str) -> None:
        self.set_line("status-line", text)

    def selected_line(self) -> tuple[int, int | None] | None:
        if not self.lines:
            return None
        table = self.query_one(DataTable)
        return self.lines[min(max(table.cursor_row, 0), len(self.lines) - 1)]

    def selected_rows(self) -> list[Any]:
        """The journal rows under the cursor: a whole action, or one unfolded row."""
        line = self.selected_line()
        if line is None:
            return []
        group, position = line
        rows = self.groups[group]
        return rows if position is None else [rows[position]]

    def selected(self) -> Any | None:
        rows = self.selected_rows()
        return rows[0] if rows else None

    def _show_detail(self) -> None:
        rows = self.selected_rows()
        detail = self.query_one("#journal-detail", Static)
        if not rows:
            detail.update("")
            return
        detail.update("\n".join(journal_view.action_detail_lines(rows, self.group_name(rows))))
        self.query_one("#journal-detail-pane", VerticalScroll).scroll_home(animate=False)

    def action_more(self) -> None:
        """One page further in the pane shown (the raw exchange, else the detail); from
        its end, back to its start. Says so when everything is already on screen."""
        raw = self.query_one("#journal-raw", Static).has_class("-shown")
        pane = self.query_one("#journal-raw-pane" if raw else "#journal-detail-pane",
                              VerticalScroll)
        if pane.max_scroll_y == 0:
            self.say("Tout le détail est affiché.")
        elif pane.scroll_y >= pane.max_scroll_y:
            pane.scroll_home(animate=False)
        else:
            pane.scroll_page_down(animate=False)

    def action_toggle_group(self) -> None:
        line = self.selected_line()
        if line is None:
            return
        group = line[0]
        if len(self.groups[group]) == 1:
            self.say("Action d'une seule ligne : tout est dans le détail ci-dessous.")
            return
        if group in self.expanded:
            self.expanded.discard(group)
        else:
            self.expanded.add(group)
        self._fill_table(cursor=(group, None))
        self._show_detail()

    def action_toggle_raw(self) -> None:
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            self.remove_class("-raw")
            return
        exchanges = [r for r in self.selected_rows() if r.insi_request or r.insi_response]
        if not exchanges:
            self.say("Pas d'échange INSi pour cette entrée : choisir une ligne « appel INSi ».")
            return
        parts = []
        for n, entry in enumerate(exchanges, 1):
            request = (entry.insi_request or b"").decode("utf-8", "replace")
            response = (entry.insi_response or b"").decode("utf-8", "replace")
            number = f" ({n}/{len(exchanges)})" if len(exchanges) > 1 else ""
            parts.append(f"— Requête INSi{number} —\n{request}\n\n"
                         f"— Réponse INSi{number} —\n{response}")
        raw.update("\n\n".join(parts))
        raw.add_class("-shown")
        self.add_class("-raw")

    @on(DataTable.RowSelected)
    def _entered(self, event: DataTable.RowSelected) -> None:
        """The table's own Entrée (it shadows the screen binding, shown in the footer)."""
        event.stop()
        self.action_toggle_group()

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()
        raw = self.query_one("#journal-raw", Static)
        if raw.has_class("-shown"):
            raw.remove_class("-shown")
            self.remove_class("-raw")
            self.action_toggle_raw()

    def action_unmerge(self) -> None:
        """`u` on a merge row: the merge it wrote, undone after a confirmation."""
        from ins_tui.tui.screens.merge import ask_unmerge

        row = self.selected()
        if row is None or not (row.event.startswith("merge.") or row.event.startswith(
                "patient.merged")):
            self.say("Choisir une ligne « Fusion » pour l'annuler.")
            return
        ask_unmerge(self, row)

    def action_back(self) -> None:
        self.app.pop_screen()
