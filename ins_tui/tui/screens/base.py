"""What every full screen of the desk shares: access to the app, worker error reporting,
and writing its one-line widgets.

Worker state messages do not bubble, so a screen's own worker failing would be silent
without this: each screen forwards errors to the app's one handler (French status line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

if TYPE_CHECKING:
    from ins_tui.tui.desk_app import DeskApp


class DeskScreen(Screen):
    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.desk_app.on_worker_state_changed(event)

    def set_line(self, widget_id: str, text: str) -> None:
        """Write a one-line Static if the screen still (or already) holds it.

        Card and sync events arrive from other threads at any instant, including while the
        screen is being composed or torn down at exit; a line that is not there then has
        nobody to inform, and raising would kill the app over a status text.
        """
        from ins_tui.tui.console_look import words

        for line in self.query(f"#{widget_id}").results(Static):
            line.update(words(text))
