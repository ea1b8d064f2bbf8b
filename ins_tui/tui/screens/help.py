"""F1: every key of the app, in French, read from the bindings themselves.

The list is built from the `BINDINGS` of each screen (with the user's keymap applied), so
it can never drift from what the keys actually do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ins_tui.tui.widgets.banner import banner_of

HelpSection = tuple[str, Sequence[Binding]]
HelpRows = list[tuple[str, list[tuple[str, str]]]]


def describe_bindings(
    sections: Iterable[HelpSection], keymap: dict[str, str], key_display
) -> HelpRows:
    """(title, [(keys as the user sees them, description)]) for each non-empty section."""
    described: HelpRows = []
    for title, bindings in sections:
        rows = []
        for binding in bindings:
            description = binding.tooltip or binding.description
            if not description:
                continue
            keys = keymap.get(binding.id or "", binding.key)
            rows.append((" / ".join(key_display(key) for key in keys.split(",")), description))
        if rows:
            described.append((title, rows))
    return described


def help_table(described: HelpRows) -> Group:
    """Per section, keys in a fixed column and descriptions wrapping under themselves."""
    width = max((len(keys) for _, rows in described for keys, _ in rows), default=0)
    parts: list[Text | Table] = []
    for index, (title, rows) in enumerate(described):
        parts.append(Text(("\n" if index else "") + title, style="bold"))
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(no_wrap=True, width=width + 2)
        table.add_column(ratio=1)
        for keys, description in rows:
            table.add_row(f"  {keys}", description)
        parts.append(table)
    return Group(*parts)


def help_text(described: HelpRows) -> str:
    """The same content as plain lines (what tests and a support copy read)."""
    lines: list[str] = []
    for title, rows in described:
        lines.append(title)
        lines.extend(f"  {keys:<14} {description}" for keys, description in rows)
        lines.append("")
    return "\n".join(lines).rstrip()


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Fermer l'aide", id="help.close"),
    ]

    def __init__(self, described: HelpRows) -> None:
        super().__init__()
        self._described = described
        self.table = help_table(described)

    @property
    def text(self) -> str:
        return help_text(self._described)

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        # Title and the closing keys stay put; only the list scrolls (at 80×24 the list is
        # three screens long and the way out must never scroll away).
        with Vertical(classes="modal-body", id="help-box"):
            yield Static("Aide — touches", classes="modal-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.table, id="help-text", markup=False)
            yield Static("Échap, F1 ou q : fermer   ↑↓, Pg préc./Pg suiv. : défiler",
                         classes="modal-keys", id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
