"""What every controller shares: the app it serves and a way to run desk calls off the
UI thread.

Textual's `@work` decorator only decorates methods of DOM nodes; a controller is not one
(it has no place on screen), so it starts its thread workers on the app. They are then
the app's workers exactly as before: same groups, same exclusivity, same error funnel
(`InsTuiApp.on_worker_state_changed`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any


class Controller:
    def __init__(self, app: Any) -> None:
        self.app = app

    @property
    def desk(self) -> Any:
        return self.app.desk

    def say(self, text: str) -> None:
        self.app.say(text)

    def in_thread(self, group: str, work: Callable[..., Any], *args: Any) -> Any:
        """Run `work(*args)` in a thread worker of the app; a newer one of the same group
        cancels the older (a second card insertion supersedes the first read)."""
        return self.app.run_worker(partial(work, *args), thread=True, exclusive=True,
                                   group=group, exit_on_error=False)
