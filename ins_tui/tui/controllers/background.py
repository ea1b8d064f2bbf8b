"""What the desk does by itself on a timer: INSi retries and sending identities out.

Both run in thread workers on the app's interval (never on the UI thread: a stalled
INSi or FHIR server must not freeze the list) and come back as messages: `InsiFinished
(background=True)` for a retried search, `OutputsChanged` when a pass changed what a
patient's screen says of its sending.
"""

from __future__ import annotations

from typing import Any

from ins_tui.tui import format as fmt
from ins_tui.tui.controllers.base import Controller
from ins_tui.tui.messages import InsiFinished, OutputsChanged


class BackgroundController(Controller):
    # -- INSi retries --------------------------------------------------------------------
    def run_retries(self) -> None:
        self.in_thread("retry", self._retry_tick)

    def _retry_tick(self) -> None:
        for result in self.app.retry.tick():
            self.app.post_message(InsiFinished(result, background=True))

    def on_insi_finished(self, message: InsiFinished) -> None:
        from ins_tui.tui.screens.identity import IdentityScreen

        result = message.result
        screen = self.app.screen
        if (isinstance(screen, IdentityScreen) and result is not None
                and screen.patient_id == result.patient_id):
            screen.show_result(result)
        elif result is not None:
            self._tell_retry(result)
        main = self.app.main_screen()
        if main is not None:
            main.refresh_list()

    def _tell_retry(self, result: Any) -> None:
        """A background answer for a patient not on screen: said by name, over whatever
        screen (form, modal, list) is in front, which stays as it is.

        A success (or any answer to act on) is a notification that stays a while; a request
        that failed again only updates the status line, so a long outage does not flood the
        desk with the same news every back-off step.
        """
        from ins_tui.desk.results import InsiResultKind as Kind

        who = f"patient n° {result.patient_id}"
        try:
            record = self.desk.get_patient(result.patient_id)
            who = fmt.person_name(record.traits.birth_name, record.traits.first_first_name,
                                  record.traits.used_name)
        except Exception:  # the patient row is only a label here; never fail the notice
            pass
        said = result.message_fr.replace(" Entrée : qualifier l'identité", "")
        text = f"Relance INSi pour {who} : {said}"
        self.say(text)
        if result.kind is not Kind.QUEUED:
            self.app.notify(text + (" Ouvrir sa fiche pour qualifier."
                                    if result.kind is Kind.MATCHED else ""),
                            title="Relance INSi : réponse reçue",
                            severity="information" if result.kind is Kind.MATCHED
                            else "warning",
                            timeout=20)

    # -- identities out (FHIR, HL7) --------------------------------------------------------
    def run_outbound(self) -> None:
        self.in_thread("outbound", self._outbound_tick)

    def _outbound_tick(self) -> None:
        """desk/outbound.py: never raises, never holds the UI."""
        report = self.app.outbound.tick()
        if report.touched:
            self.app.post_message(OutputsChanged(frozenset(report.touched)))

    def on_outputs_changed(self, message: OutputsChanged) -> None:
        """The open identity says « transmis » as soon as it is, without a key pressed."""
        from ins_tui.tui.screens.identity import IdentityScreen

        screen = self.app.screen
        if isinstance(screen, IdentityScreen) and screen.patient_id in message.patient_ids:
            screen.reload()
