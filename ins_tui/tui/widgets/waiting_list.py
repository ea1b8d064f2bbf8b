"""The day's waiting list: a keyed DataTable that applies row diffs, never full reloads.

Several desks share one database, so the list is refreshed every half second when the
store's change counter moves. Reloading the whole table each time would repaint every
row (and move the cursor); a keyed diff inside one `batch_update` repaints once and only
when something changed, which keeps an idle desk at zero bytes written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ins_tui.tui.format import cut

# (key, label, width): widths fit 80 columns (with cell padding and scrollbar); the detail
# panel shows what a cell has to cut.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("time", "Arr.", 5),
    ("name", "Nom", 22),
    ("age", "Âge", 7),
    ("status", "Identité", 8),
    ("practitioner", "Praticien", 10),
    ("state", "État", 15),
)


def fit(text: str, width: int) -> str:
    """Cut to the column width with a visible mark (… ; ~ in the plain look)."""
    return cut(text, width)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One visit as displayed: the row key is the visit id; cells follow COLUMNS."""

    visit_id: int
    patient_id: int
    cells: tuple[str, ...]


class WaitingList(DataTable):
    """DataTable keyed by visit id; `show_rows` applies the smallest possible change."""

    # DataTable's own Enter (hidden « select ») would shadow the screen's: Enter on the list
    # opens the patient and says so in the footer.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.open_patient", "Ouvrir", id="main.open"),
    ]

    DEFAULT_CSS = """
    WaitingList { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._shown: dict[int, ListRow] = {}
        self._order: list[int] = []

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    @property
    def shown(self) -> dict[int, ListRow]:
        return dict(self._shown)

    def selected_row(self) -> ListRow | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
        return self._shown.get(int(key)) if key is not None else None

    def select_visit(self, visit_id: int) -> bool:
        """Put the cursor on a visit's line, if shown."""
        if visit_id not in self._shown:
            return False
        self.move_cursor(row=self.get_row_index(str(visit_id)))
        return True

    def show_rows(self, rows: Sequence[ListRow]) -> int:
        """Apply the diff to the displayed rows; returns how many cells/rows changed."""
        rows = [
            ListRow(row.visit_id, row.patient_id,
                    tuple(fit(c, w) for c, (_, _, w) in zip(row.cells, COLUMNS, strict=True)))
            for row in rows
        ]
        wanted = {row.visit_id: row for row in rows}
        order = [row.visit_id for row in rows]
        if wanted == self._shown and order == self._order:
            return 0
        changes = 0
        selected = self.selected_row()
        with self.app.batch_update():
            for visit_id in [v for v in self._shown if v not in wanted]:
                self.remove_row(str(visit_id))
                del self._shown[visit_id]
                changes += 1
            for row in rows:
                old = self._shown.get(row.visit_id)
                if old is None:
                    self.add_row(*row.cells, key=str(row.visit_id))
                    changes += 1
                elif old.cells != row.cells:
                    for (column, _, _), before, after in zip(
                        COLUMNS, old.cells, row.cells, strict=True
                    ):
                        if before != after:
                            self.update_cell(str(row.visit_id), column, after)
                            changes += 1
                self._shown[row.visit_id] = row
            if order != self._current_table_order():
                self._reorder(order)
                changes += 1
            self._order = order
            if selected is not None and selected.visit_id in wanted:
                self.move_cursor(row=self.get_row_index(str(selected.visit_id)))
        return changes

    def _current_table_order(self) -> list[int]:
        return [
            int(self.coordinate_to_cell_key((index, 0)).row_key.value or 0)
            for index in range(self.row_count)
        ]

    def _reorder(self, order: list[int]) -> None:
        """Put rows in the desk's order (waiting first, by order of passage; see arrivals).

        `DataTable.sort` only sees cell values, while the order lives in the row keys, so
        the row-location map is rebuilt directly (textual is pinned exactly).
        """
        from textual._two_way_dict import TwoWayDict

        by_value = {row_key.value: row_key for row_key in self.rows}
        self._row_locations = TwoWayDict(
            {by_value[str(visit_id)]: index for index, visit_id in enumerate(order)}
        )
        self._update_count += 1
        self.refresh()
