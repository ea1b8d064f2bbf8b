"""Putting a patient on the waiting list: the practitioner, then the desk call.

Screens that close themselves ask for an arrival (the identity screen, the search in
arrival mode); the choice list must then belong to the app, not to the closing screen
(Textual calls a modal's callback on the pump that pushed it), hence this controller.
"""

from __future__ import annotations

from typing import Any

from ins_tui.tui.controllers.base import Controller
from ins_tui.tui.messages import ActionDone


class ArrivalController(Controller):
    def choose_practitioner(self, patient_id: int) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        practitioners = tuple(self.app.config.practitioners)

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Arrivée annulée.")
            else:
                self.in_thread("arrival", self._add, patient_id, practitioners[index])

        self.app.call_later(self.app.push_screen,
                            ChoiceList("Arrivée : quel praticien ?", practitioners), chosen)

    def arrive_from_card(self, patient_id: int) -> None:
        """The card's patient is at the desk: on the list unless already there (F2)."""
        if not self.app.config.arrival_on_card:
            return
        self.in_thread("arrival", self._arrive_from_card, patient_id)

    def _arrive_from_card(self, patient_id: int) -> None:
        if self.desk.in_list_today(patient_id):
            return
        practitioners = tuple(self.app.config.practitioners)
        if len(practitioners) == 1:
            self._add(patient_id, practitioners[0])
        elif practitioners:
            self.app.call_from_thread(self.choose_practitioner, patient_id)

    def _add(self, patient_id: int, practitioner: str) -> None:
        from ins_tui.desk.arrivals import AlreadyInList

        try:
            visit_id = self.desk.add_arrival(patient_id, practitioner)
        except AlreadyInList as refused:
            self.app.post_message(ActionDone((refused.message_fr, refused.visit_id),
                                             choice="arrival"))
            return
        self.app.post_message(ActionDone((f"Arrivée ajoutée ({practitioner}).", visit_id),
                                         choice="arrival"))

    def on_done(self, text: str, visit_id: Any) -> None:
        self.say(text)
        main = self.app.main_screen()
        if main is not None:
            main.refresh_list(select=visit_id)  # the new line, or the one already there
