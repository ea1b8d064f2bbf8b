"""F1: every key of the app, in French, read from the bindings themselves.

The list is built from the `BINDINGS` of each screen (with the user's keymap applied), so
it can never drift from what the keys actually do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ins_tui.tui.widgets.banner import banner_of

HelpSection = tuple[str, Sequence[Binding]]


def describe_bindings(
    sections: Iterable[HelpSection], keymap: dict[str, str], key_display
) -> str:
    """Plain-text table: one line per binding with a description, keys as the user sees them."""
    lines: list[str] = []
    for title, bindings in sections:
        rows = []
        for binding in bindings:
            description = binding.tooltip or binding.description
            if not description:
                continue
            keys = keymap.get(binding.id or "", binding.key)
            shown = " / ".join(key_display(key) for key in keys.split(","))
            rows.append(f"  {shown:<14} {description}")
        if rows:
            lines.append(title)
            lines.extend(rows)
            lines.append("")
    return "\n".join(lines).rstrip()


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Fermer l'aide", id="help.close"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with VerticalScroll(classes="modal-body", id="help-body"):
            yield Static("Aide — touches", classes="modal-title")
            yield Static(self._text, id="help-text", markup=False)
            yield Static("Échap, F1 ou q : fermer  ↑↓ : défiler", classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
