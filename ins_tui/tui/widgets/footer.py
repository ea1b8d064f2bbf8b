"""The key bar: the keys of the screen in front, most important first, F1 always visible.

Textual's Footer lays every shown key in a row and lets the terminal cut the end, which
at 80 columns hid F1 and left half-words (« f8 Jou… »). This footer keeps keys in binding
order (focused widget, screen, then app-wide keys, which are ordered by importance), drops
whole keys that do not fit, and pins F1 « Aide » on the right, where every other key is
listed. Nothing is disabled by being left out: every key still works.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"


def key_width(key_display: str, description: str) -> int:
    """Cells taken by one compact key: key, space, description, one cell of margin."""
    return len(key_display) + (1 + len(description) if description else 0) + 1


def _rank(order: list[str], action: str) -> int:
    return order.index(action) if action in order else len(order)


class DeskFooter(Footer):
    DEFAULT_CSS = """
    DeskFooter FooterKey.-help {
        dock: right;
        margin-right: 0;
        padding-left: 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(show_command_palette=False, **kwargs)  # type: ignore[arg-type]
        self._width = 0

    def visible_keys(self, width: int) -> tuple[list[tuple], tuple | None]:
        """(keys that fit in `width` beside F1, the F1 key) as (binding, enabled, tooltip)."""
        seen: set[str] = set()
        keys: list[tuple] = []
        help_key = None
        # Focused widget and screen first, as Textual lists them; then app-wide keys in the
        # app's own order (Textual lists priority ones, such as Ctrl+Q, first).
        app_order = [getattr(b, "action", "") for b in getattr(self.app, "BINDINGS", [])]
        active = list(self.screen.active_bindings.values())
        ranked = sorted(
            range(len(active)),
            key=lambda i: (1, _rank(app_order, active[i][1].action)) if active[i][0] is self.app
            else (0, i),
        )
        for index in ranked:
            _node, binding, enabled, tooltip = active[index]
            if binding.action == HELP_ACTION:
                help_key = (binding, enabled, tooltip)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((binding, enabled, tooltip))
        room = width
        if help_key is not None:
            # F1 has one cell of padding on its left and no margin: the same width.
            room -= key_width(self.app.get_key_display(help_key[0]), help_key[0].description)
        fitting = []
        for binding, enabled, tooltip in keys:
            needed = key_width(self.app.get_key_display(binding), binding.description)
            if needed > room:
                continue  # a shorter key further on may still fit
            room -= needed
            fitting.append((binding, enabled, tooltip))
        return fitting, help_key

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.app.size.width
        fitting, help_key = self.visible_keys(self._width)
        if help_key is not None:
            binding, enabled, tooltip = help_key
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled, tooltip=tooltip,
                            classes="-help").data_bind(compact=Footer.compact)
        for binding, enabled, tooltip in fitting:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)

    def on_resize(self, event: Resize) -> None:
        if self._bindings_ready and event.size.width != self._width:
            self.refresh(recompose=True)
