"""What every full screen of the desk shares: access to the app and worker error reporting.

Worker state messages do not bubble, so a screen's own worker failing would be silent
without this: each screen forwards errors to the app's one handler (French status line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from ins_tui.tui.app import InsTuiApp


class DeskScreen(Screen):
    @property
    def desk_app(self) -> InsTuiApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.desk_app.on_worker_state_changed(event)
