"""Carte Vitale at the desk: reader events, the read, the beneficiary, the patient shown.

The card source calls back on its own thread; the event is posted to the app
(`CardEventArrived`), and the app's routing table brings it back here on the UI thread.
The read and the desk's match run in thread workers and come back as `CardRead` and
`ActionDone(choice="card")`. A scanned INS datamatrix joins at `show_match` (channel CB).
"""

from __future__ import annotations

import time
from typing import Any

from ins_tui.tui import format as fmt
from ins_tui.tui.controllers.base import Controller
from ins_tui.tui.messages import ActionDone, CardEventArrived, CardRead

# A fresh card may not answer yet, or lose contact for an instant (see `_read`).
CARD_GRACE_S = 1.0
CARD_RETRY_S = 0.1
CARD_PULLED = ("Carte retirée avant la fin de la lecture : rien n'a été lu ni enregistré. "
               "La réinsérer et la laisser jusqu'à l'affichage du patient.")
CARD_SILENT = ("La carte insérée ne répond pas : la retirer puis la réinsérer à fond "
               "(ou saisir l'identité à la main).")


class CardController(Controller):
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.reader_state = "lecteur : en attente"
        self.cards_in: set[str] = set()  # readers holding a card (UI thread writes it)
        self.reading: set[str] = set()  # readers whose card is being read (UI thread)
        # Set by ServiceDown, so the next ServiceUp says the service is back (not at start).
        self.service_lost = False
        self._title_stale = False  # the list's title is behind the reader state (hidden)
        self._watching_screens = False

    def callback(self, event: Any) -> None:
        """Runs on the card thread: only hands the event over (post_message is thread-safe)."""
        self.app.post_message(CardEventArrived(event))

    # -- reader events -------------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        from ins_tui.card.events import (
            CardInserted,
            CardRemoved,
            ReadersChanged,
            ServiceDown,
            ServiceUp,
        )

        if isinstance(event, ServiceUp):
            self._set_reader_state("lecteur : service prêt")
            if self.service_lost:
                self.service_lost = False
                self.say("Service des cartes Vitale rétabli : insérez la carte.")
        elif isinstance(event, ServiceDown):
            # The watcher has already reported any card in the reader as removed.
            self.cards_in.clear()
            self.service_lost = True
            self._set_reader_state("lecteur : service carte indisponible")
            self.say("Service des cartes Vitale indisponible (pcscd) : la file et la "
                     "recherche restent utilisables ; la carte sera lue dès son retour.")
        elif isinstance(event, ReadersChanged):
            count = len(event.readers)
            self._set_reader_state("lecteur : aucun" if not count else f"lecteur(s) : {count}")
        elif isinstance(event, CardInserted):
            self.cards_in.add(event.reader)
            self.reading.add(event.reader)
            self._set_reader_state("lecteur : carte insérée")
            self.say("Carte Vitale insérée : lecture en cours…")
            self.in_thread("card", self._read, event.reader)
        elif isinstance(event, CardRemoved):
            self.cards_in.discard(event.reader)
            mid_read = event.reader in self.reading
            self.reading.discard(event.reader)
            self._set_reader_state("lecteur : pas de carte")
            self.say(CARD_PULLED if mid_read else "Carte retirée.")

    def _set_reader_state(self, text: str) -> None:
        if text == self.reader_state:
            return
        self.reader_state = text
        main = self.app.main_screen()
        if main is None or not main.is_mounted:
            return
        if self.app.screen is main:  # (Screen.is_current also counts the screen below)
            main.refresh_title()
            return
        # The list is under another screen. Textual repaints the screen in front for every
        # change of the one right below it (in case it shows through): a title written
        # there cost a full 80×24 frame at each card event (issue 13). Written when the
        # list comes back to the front instead.
        self._title_stale = True
        if not self._watching_screens:
            self._watching_screens = True
            self.app.screen_change_signal.subscribe(self.app, self._screen_changed,
                                                    immediate=True)

    def _screen_changed(self, screen: Any) -> None:
        if self._title_stale and screen is self.app.main_screen():
            self._title_stale = False
            screen.refresh_title()

    # -- the read (thread worker) ----------------------------------------------------------
    def _read(self, reader: str) -> None:
        """Read the card, giving a just-inserted card a short grace before any error.

        Through pcscd a fresh insertion is often reported before the card answers (the
        first read says « aucune carte »), and a card pushed in slowly can lose contact for
        an instant. While the reader still holds the card, a "no card / removed" failure is
        retried for up to `CARD_GRACE_S`; a newer insertion (this worker then cancelled)
        or a removal ends it silently. So an error is only shown for a card that stays in
        and still cannot be read, never for one that is read a moment later.
        """
        from textual.worker import get_current_worker

        from ins_tui.card.errors import (
            TRAITS_HINT,
            CardError,
            CardRemovedError,
            NoCardError,
        )

        worker = get_current_worker()
        post = self.app.post_message
        deadline = time.monotonic() + CARD_GRACE_S
        while True:
            try:
                card = self.app.card_source.read(reader)
            except (NoCardError, CardRemovedError):
                if worker.is_cancelled or reader not in self.cards_in:
                    return  # superseded by a newer insertion, or the card was pulled out
                if time.monotonic() < deadline:
                    time.sleep(CARD_RETRY_S)
                    continue
                post(CardRead(reader, [], CARD_SILENT))
                return
            except CardError as exc:  # its French message says what the card is and what to do
                post(CardRead(reader, [], exc.message))
                return
            except Exception as exc:  # a reader bug must not leave the desk silent
                post(CardRead(reader, [], "Carte illisible : erreur inattendue "
                              f"({type(exc).__name__}). " + TRAITS_HINT))
                return
            if not worker.is_cancelled:
                post(CardRead(reader, list(card.beneficiaries)))
            return

    def on_read(self, message: CardRead) -> None:
        self.reading.discard(message.reader)
        if message.error_fr:
            self.say(message.error_fr)
            return
        beneficiaries = message.beneficiaries
        if not beneficiaries:
            self.say("Carte lue mais sans bénéficiaire : saisir l'identité à la main.")
            return
        # The read is over: the line must stop saying « lecture en cours » (issue 12, F3).
        self.say("Carte lue : recherche du patient…" if len(beneficiaries) == 1 else
                 f"Carte lue : {len(beneficiaries)} bénéficiaires, choisir le patient.")
        picked = self.desk.pick_beneficiary(beneficiaries)
        if picked is not None:
            self.in_thread("card-match", self._match, picked)
            return
        from ins_tui.tui.screens.choice_list import ChoiceList

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Aucun bénéficiaire choisi.")
            else:
                self.in_thread("card-match", self._match, beneficiaries[index])

        labels = [
            f"{b.birth_name} {(b.first_name or '').title()} — né·e le {card_date(b)}"
            for b in beneficiaries
        ]
        self.app.to_main()
        self.app.push_screen(
            ChoiceList("Carte Vitale : plusieurs bénéficiaires", labels,
                       prompt="Qui est le patient ?", name="beneficiaries"),
            chosen,
        )

    def _match(self, beneficiary: Any) -> None:
        match = self.desk.match_beneficiary(beneficiary)
        self.app.post_message(ActionDone(match, choice="card"))

    # -- the patient on screen -------------------------------------------------------------
    def show_match(self, match: Any, *, channel: Any = None, keep_screens: bool = False) -> None:
        """A card's (or a scanned datamatrix's: channel CB, screens kept) patient on screen."""
        from ins_tui.tui.screens.identity import IdentityScreen

        app = self.app
        pops = [] if keep_screens else self._pop_to_main()
        if match.patient is None and match.prepared is not None and not match.needs_insi:
            self.say(match.message_fr)
            self._after(pops, lambda: app.open_form(None, initial=match.prepared,
                                                    then_search=True))
            return
        self._after(pops, lambda: app.push_screen(
            IdentityScreen(
                match.patient.id if match.patient is not None else None,
                prepared=match.prepared,
                search=match.needs_insi,
                channel=channel,
                intro=match.message_fr,
                from_card=channel is None,  # a scanned letter is not the patient at the desk
            )
        ))

    def _pop_to_main(self) -> list[Any]:
        """Pop the screens above the list; their removal completes later (awaitables)."""
        app, pops = self.app, []
        main = app.main_screen()
        while len(app.screen_stack) > 1 and app.screen is not main:
            pops.append(app.pop_screen())
        return pops

    def _after(self, pops: list[Any], then: Any) -> None:
        """Run `then` once the popped screens are really gone (issue 13).

        `pop_screen` takes a screen off the stack at once but removes it from the app a
        few messages later. Pushing the next card's patient screen before that made two
        screens of id « identity » and crashed the app (DuplicateIds) at the second
        insertion of a card whose patient was on screen.
        """
        if not pops:
            then()
            return
        # No frame of the list in between: the old patient screen goes straight to the new
        # one (one repaint of 80×24 instead of two, issue 13).
        self.app._begin_batch()

        async def when_removed() -> None:
            try:
                for pop in pops:
                    await pop
                then()
            finally:
                self.app._end_batch()

        self.app.run_worker(when_removed(), group="card-screen", exit_on_error=False)


def card_date(beneficiary: Any) -> str:
    """A card date as written: ISO when calendar-valid, else the raw (lunar) digits."""
    born = beneficiary.birth_date
    iso = getattr(born, "iso", None)
    return fmt.date_fr(iso) if iso else str(getattr(born, "raw", "?"))
