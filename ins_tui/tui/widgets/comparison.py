"""Local traits and INS traits side by side, one line per trait, verdict as symbol + word.

The verdict words and symbols come from the domain (`compare.Verdict`): the screen only
lays them out, so colour is never the only carrier of "different" or "missing".
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.widgets import Static

from ins_tui.tui import format as fmt


def _cell(trait: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if trait == "birth_date":
        return fmt.date_fr(str(value))
    return str(getattr(value, "value", value))


def verdict_text(verdict: Any) -> str:
    symbol = getattr(verdict, "symbol", "")
    word = getattr(verdict, "label_fr", None) or getattr(verdict, "word_fr", None)
    return f"{symbol} {word or str(getattr(verdict, 'name', verdict)).lower()}".strip()


def comparison_table(comparison: Any) -> Table:
    table = Table(
        show_header=True, header_style="bold", box=None, pad_edge=False, expand=True,
        show_edge=False,
    )
    # Labels and verdicts never wrap (at 80 columns a wrapped label doubled the rows and
    # pushed the next-key line off a 24-line screen); the two values share what is left
    # and fold when long, so nothing is ever cut.
    table.add_column("Trait", no_wrap=True)
    table.add_column("Local", ratio=1, overflow="fold")
    table.add_column("INS (INSi)", ratio=1, overflow="fold")
    table.add_column("Verdict", no_wrap=True)
    for row in comparison.rows:
        table.add_row(
            row.label_fr,
            _cell(row.trait, row.local),
            _cell(row.trait, row.ins),
            verdict_text(row.verdict),
        )
    return table


class ComparisonPanel(Static):
    """Empty until a comparison is shown; `show(None)` hides it again."""

    DEFAULT_CSS = """
    ComparisonPanel { height: auto; margin: 1 0 0 0; }
    ComparisonPanel.-empty { display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", classes="-empty", **kwargs)
        self.comparison: Any = None

    def as_text(self, width: int = 100) -> str:
        """What the panel says, as plain text (support copies, tests read it)."""
        if self.comparison is None:
            return ""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=_Null())
        console.print(comparison_table(self.comparison))
        return console.export_text()

    def show(self, comparison: Any) -> None:
        self.comparison = comparison
        if comparison is None:
            self.add_class("-empty")
            self.update("")
            return
        self.remove_class("-empty")
        self.update(comparison_table(comparison))


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
