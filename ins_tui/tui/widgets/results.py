"""The search results: a light table that repaints only the lines that changed.

Issue 13: with a `DataTable`, each keystroke cleared and refilled the table — every cell
measured and rendered through Rich again, the whole table repainted — 80 ms from key to
frame at 200,000 patients (the query itself: 2 ms) and ~10 KB written per key. Here
rows are plain strings laid out once into columns; a new answer redraws only the lines
whose text (or cursor) differs from what is on screen, so typing one more letter of a
name whose results do not move writes next to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

GAP = 2  # cells between two columns, like the DataTable it replaces (padding 0 1)


def fit(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` cells."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…" + " " * (width - used - 1)


def hand_to_screen(widget: Widget) -> None:
    """Give a widget's pending repaint to its screen now, not when the widget next idles.

    Textual passes a widget's refresh to the screen from the widget's own idle handler;
    when the screen is already drawing the frame with the typed letter, the new lines
    missed it and came one 60 Hz tick later (measured: +25 ms per key, issue 13).
    """
    check = getattr(widget, "_check_refresh", None)
    if check is not None and widget.is_mounted:
        check()


class ResultsTable(Widget):
    """Rows of text under a header, one row under the cursor; no focus of its own."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"results--header", "results--cursor"}
    DEFAULT_CSS = """
    ResultsTable { height: 1fr; }
    ResultsTable > .results--header { text-style: bold; background: $panel; color: $foreground; }
    ResultsTable > .results--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    """
    can_focus = False

    def __init__(self, columns: Sequence[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []
        self.keys: list[str] = []
        self.cursor_row = 0
        self._top = 0  # first row shown (the cursor is kept on screen)
        self._widths = [cell_len(c) for c in self.columns]
        self._shown: dict[int, str] = {}  # screen line -> the text drawn there last

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: Sequence[Sequence[str]], keys: Sequence[str]) -> None:
        """Show these rows (cursor back on the first); repaint the lines that differ."""
        self.rows = [tuple(r) for r in rows]
        self.keys = list(keys)
        widths = [cell_len(c) for c in self.columns]
        for row in self.rows:
            for index, cell in enumerate(row):
                widths[index] = max(widths[index], cell_len(cell))
        self._widths = widths
        self.cursor_row, self._top = 0, 0
        self._repaint_changed()

    def clear(self) -> None:
        self.set_rows([], [])

    def move_cursor(self, *, row: int) -> None:
        if not self.rows:
            return
        self.cursor_row = max(0, min(len(self.rows) - 1, row))
        visible = max(1, self.size.height - 1)
        if self.cursor_row < self._top:
            self._top = self.cursor_row
        elif self.cursor_row >= self._top + visible:
            self._top = self.cursor_row - visible + 1
        self._repaint_changed()

    # -- drawing -----------------------------------------------------------------------
    def _text(self, y: int) -> str:
        """What screen line `y` reads (the header, a row, or nothing)."""
        cells = self.columns if y == 0 else None
        if cells is None:
            index = self._top + y - 1
            if index >= len(self.rows):
                return ""
            cells = self.rows[index]
        return " " + (" " * GAP).join(fit(c, w) for c, w in zip(cells, self._widths,
                                                                  strict=False))

    def _line_key(self, y: int) -> str:
        cursor = y > 0 and self._top + y - 1 == self.cursor_row and bool(self.rows)
        return ("\x00" if cursor else "") + self._text(y)

    def _repaint_changed(self) -> None:
        width = self.size.width
        dirty = [Region(0, y, width, 1) for y in range(self.size.height)
                 if self._shown.get(y) != self._line_key(y)]
        if not dirty:
            return
        self.refresh(*dirty)
        hand_to_screen(self)

    def on_resize(self) -> None:
        self._shown.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = self._line_key(y)
        self._shown[y] = key
        if y == 0:
            style = self.get_component_rich_style("results--header")
        elif key.startswith("\x00"):
            style = self.get_component_rich_style("results--cursor")
        else:
            style = self.rich_style
        text = key.lstrip("\x00")
        return Strip([Segment(fit(text, width), style)], width)
