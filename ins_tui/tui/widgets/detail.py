"""The selected patient's detail beside (or under) the waiting list.

It changes on every cursor move, so it repaints as little as it can: one fixed-height
widget per line, each repainted only when its own text changed (two patients often share
the practitioner, the state or the status line), and no size ever taken from the text —
a `Static.update` asks for a new layout, i.e. a full-screen repaint (~50× the bytes of a
cursor move, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widget import Widget

LINES = 5


class DetailLine(Widget):
    DEFAULT_CSS = """
    DetailLine { height: 1; }
    """

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> str:
        return self.text


class DetailPanel(Widget):
    """`show(lines)` sets up to `LINES` lines; a longer text is cut, never re-laid out."""

    def compose(self) -> ComposeResult:
        for _ in range(LINES):
            yield DetailLine()

    def show(self, lines: Sequence[str]) -> None:
        padded = [*lines[:LINES], *([""] * (LINES - len(lines)))]
        for widget, text in zip(self.query(DetailLine), padded, strict=True):
            widget.text = text  # a reactive: an unchanged line is not repainted

    @property
    def text(self) -> str:
        """The lines shown, as one text (tests, support copies)."""
        return "\n".join(line.text for line in self.query(DetailLine)).rstrip("\n")
