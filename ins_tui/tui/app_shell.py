"""The app's French shell: key names, Ctrl+C and quitting (issue 12, F4).

Textual's own words are English (« Do you want to quit? », « esc », « ^q »); these
overrides make every key and question French. A mixin so that `tui/app.py` stays the
composition and routing table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    _AppBase = App[int]
else:
    _AppBase = object


class FrenchShell(_AppBase):
    """Mixed into `InsTuiApp` before `App`: the methods below override App's."""

    def get_key_display(self, binding: Any) -> str:
        """Keys as a French keyboard names them (« Entrée », « Échap », « Ctrl+Q »), in the
        footer as in F1: Textual's own names are English (« esc », « ^q ») or glyphs the
        Linux console lacks (« ⏎ »)."""
        from ins_tui.tui.keys import key_display

        return binding.key_display or key_display(binding.key)

    def action_help_quit(self) -> None:
        """Ctrl+C: replaces Textual's English « Do you want to quit? ». Nothing closes and
        no question opens, so the next keys still go to the form (docs/decisions.md)."""
        self.notify(f"Ctrl+C ne quitte pas ins-tui : pour quitter, {self._quit_key()}.",
                    title="Quitter ?", markup=False)

    def _quit_key(self) -> str:
        """The quit key as shown (Ctrl+Q unless the keymap moved it)."""
        from ins_tui.tui.keys import key_display

        keys = [key for key, active in self.active_bindings.items()
                if active.binding.action in ("quit", "app.quit")]
        return key_display(keys[0]) if keys else "Ctrl+Q"

    async def action_quit(self) -> None:
        """Ctrl+Q asks first (« Quitter ins-tui ? »): on an AZERTY keyboard Q is next to S,
        and Ctrl+S saves the patient form. Ctrl+Q again, or o, confirms."""
        from ins_tui.tui.screens.confirm import QuitConfirm

        if isinstance(self.screen, QuitConfirm):
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(QuitConfirm(self._quit_key()), answered)
