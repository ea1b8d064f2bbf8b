"""The desk session itself: who is at the desk, and the terminal going away.

A thin client or an ssh session can vanish at any moment; the app must then exit
cleanly (card thread, private pcscd) instead of lingering as an orphan on the desk PC.
"""

from __future__ import annotations

import contextlib
import os
import sys

from ins_tui.tui.controllers.base import Controller

# How often the app checks that its terminal is still there (see `watch_terminal`).
TERMINAL_CHECK_S = 2.0


class SessionController(Controller):
    def install_sighup(self) -> None:
        """A closed SSH session sends SIGHUP: exit cleanly so threads and pcscd stop."""
        import asyncio
        import signal

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.app.exit)

    def remove_sighup(self) -> None:
        import asyncio
        import signal

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def watch_terminal(self) -> None:
        """Exit when the terminal is gone even if no SIGHUP comes.

        A hangup signals only the terminal's controlling process; started through a
        wrapper that holds SIGHUP back (`make run` does, while it waits), the app never
        hears of it, and Textual's input thread then spins on end-of-file: an orphan
        burning a core of the desk PC until reboot (seen after killing the SSH or tmux
        session). A hung-up terminal no longer answers as a terminal, which a timer can
        see; the check is one system call and writes nothing.
        """
        stdin = sys.__stdin__
        if self.app.is_headless or stdin is None:
            return
        try:
            fd = stdin.fileno()
        except (OSError, ValueError):
            return
        if os.isatty(fd):
            self.app.set_interval(TERMINAL_CHECK_S,
                                  lambda: None if os.isatty(fd) else self.app.exit())

    def check_operator(self) -> None:
        """With several names configured, ask who is at the desk (the journal names them)."""
        operators = tuple(self.app.config.operators)
        if len(operators) > 1 and self.app.operator not in operators:
            self._choose_operator(operators)
        elif len(operators) == 1 and self.app.operator not in operators:
            self.set_operator(operators[0])

    def _choose_operator(self, operators: tuple[str, ...]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        def chosen(index: int | None) -> None:
            self.set_operator(operators[index or 0])

        self.app.push_screen(
            ChoiceList("Qui est à l'accueil ?", operators,
                       prompt="Le journal indiquera ce nom pour chaque action.",
                       cancellable=False),
            chosen,
        )

    def set_operator(self, name: str) -> None:
        self.app.operator = name
        self.desk.actor = name
        main = self.app.main_screen()
        if main is not None and main.is_mounted:
            main.refresh_title()
