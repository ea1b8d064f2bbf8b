"""The key bar: the keys of the screen in front, most important first, F1 always visible.

Textual's Footer lays every shown key in a row and lets the terminal cut the end, which
at 80 columns hid F1 and left half-words (« f8 Jou… »). This footer shows keys in binding
order (focused widget, screen, then app-wide keys), pins F1 « Aide » on the right, where
every other key is listed, and when the row is too short drops whole keys, least
important first. Importance (issue 12, F13): on the first screen, the app keys it relies
on (F5 in training, F8: `app_keys.FIRST_SCREEN_KEYS`); then the screen's first
`PRIMARY_KEYS` keys (its main actions); then the app-wide keys; then the screen's other
keys. Nothing is disabled by being left out: every key still works.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"
# A screen's first keys are its main actions (open, arrival, search, new; back, adopt,
# keep, doubtful): they keep their place before the app-wide keys.
PRIMARY_KEYS = 4


def key_width(key_display: str, description: str) -> int:
    """Cells taken by one compact key: key, space, description, one cell of margin."""
    return len(key_display) + (1 + len(description) if description else 0) + 1


def _rank(order: list[str], action: str) -> int:
    return order.index(action) if action in order else len(order)


def importance(shown: list[tuple[bool, str]], first_screen: bool) -> list[int]:
    """Indexes of `shown` — (is an app key, action) in display order — most important
    first (see the module docstring)."""
    from ins_tui.tui.app_keys import FIRST_SCREEN_KEYS

    def tier(index: int) -> tuple[int, int]:
        is_app, action = shown[index]
        if is_app and first_screen and action in FIRST_SCREEN_KEYS:
            return (0, FIRST_SCREEN_KEYS.index(action))
        if not is_app:
            position = sum(1 for a, _ in shown[:index] if not a)
            return (1 if position < PRIMARY_KEYS else 3, index)
        return (2, index)

    return sorted(range(len(shown)), key=tier)


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
        self._shown: tuple | None = None

    def visible_keys(self, width: int) -> tuple[list[tuple], tuple | None]:
        """(keys that fit in `width` beside F1, the F1 key) as (binding, enabled, tooltip)."""
        seen: set[str] = set()
        keys: list[tuple] = []
        from_app: list[tuple[bool, str]] = []  # (an app-wide key, its action), per key
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
            node, binding, enabled, tooltip = active[index]
            if binding.action == HELP_ACTION:
                help_key = (binding, enabled, tooltip)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((binding, enabled, tooltip))
            from_app.append((node is self.app, binding.action))
        room = width
        if help_key is not None:
            # F1 has one cell of padding on its left and no margin: the same width.
            room -= key_width(self.app.get_key_display(help_key[0]), help_key[0].description)
        main_screen = getattr(self.app, "main_screen", None)
        first_screen = main_screen is not None and main_screen() is self.screen
        kept: set[int] = set()
        for index in importance(from_app, first_screen):
            binding = keys[index][0]
            needed = key_width(self.app.get_key_display(binding), binding.description)
            if needed > room:
                continue  # a shorter key further on may still fit
            room -= needed
            kept.add(index)
        return [key for index, key in enumerate(keys) if index in kept], help_key

    def _key(self, binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        """One key, its `compact` copied rather than data-bound (issue 13).

        `data_bind` adds a watcher on this footer for each key, and Textual prunes stale
        watchers only when the bound value changes — `compact` never does, so every
        recompose left its keys alive through the footer (+14 widgets per card cycle)."""
        key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                        binding.action, disabled=not enabled, tooltip=tooltip, classes=classes)
        key.set_reactive(FooterKey.compact, self.compact)
        key.set_class(self.compact, "-compact")  # what the watcher of `compact` would do
        return key

    def _layout_of(self, width: int, visible: tuple | None = None) -> tuple:
        """What the row would show: equal layouts need no recompose (nor any byte)."""
        fitting, help_key = visible or self.visible_keys(width)
        keys = [help_key, *fitting] if help_key else fitting
        return (*((b.key, self.app.get_key_display(b), b.description, b.action, e, t)
                  for b, e, t in keys), width)

    def bindings_changed(self, screen) -> None:
        """Recompose only when the row really changes (issue 13): a card cycle refreshed
        the bindings a dozen times, each one rebuilding and repainting the same keys."""
        if screen.app.app_focus and self.is_attached and screen is self.screen \
                and self._shown == self._layout_of(self.app.size.width):
            self._bindings_ready = True
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.app.size.width
        fitting, help_key = visible = self.visible_keys(self._width)
        self._shown = self._layout_of(self._width, visible)
        if help_key is not None:
            yield self._key(*help_key, classes="-help")
        for binding, enabled, tooltip in fitting:
            yield self._key(binding, enabled, tooltip)

    def on_resize(self, event: Resize) -> None:
        if self._bindings_ready and event.size.width != self._width:
            self.refresh(recompose=True)
