"""Training mode: virtual Vitale cards inserted and removed from the keyboard (F5, F6).

The virtual card goes into the real pcscd through vpcd, so what follows an insertion is
the real card path (CardController), exactly as at a desk with a reader.
"""

from __future__ import annotations

from ins_tui.tui.controllers.base import Controller
from ins_tui.tui.messages import StatusNote


class TrainingCardController(Controller):
    def choose_card(self) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        profiles = self.app.training_cards.profiles()

        def chosen(index: int | None) -> None:
            if index is not None:
                self.in_thread("training-card", self.app.training_cards.insert,
                               profiles[index].name)

        self.app.push_screen(
            ChoiceList("FORMATION : insérer une carte de test", [p.label for p in profiles],
                       name="card-picker"),
            chosen,
        )

    def remove_card(self) -> None:
        self.in_thread("training-card", self._remove)

    def _remove(self) -> None:
        if not self.app.training_cards.remove():
            self.app.post_message(StatusNote("Aucune carte de test insérée."))
