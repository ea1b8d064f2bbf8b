"""The selected patient's detail beside (or under) the waiting list.

It changes on every cursor move, so it repaints only its own region: its size comes from
the stylesheet, never from its text, and a `Static.update` (which asks for a new layout
and hence a full-screen repaint, ~50× the bytes of a cursor move) is avoided.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget


class DetailPanel(Widget):
    text: reactive[str] = reactive("", layout=False)

    def render(self) -> str:
        return self.text
