"""The INSi half of the identity screen: the search, what INSi answered, more criteria.

`IdentityScreen` (identity.py) builds on it and adds the record, its keys and the desk
actions that follow an answer (qualify, adopt, keep, doubtful, unlock). Kept apart so the
flow card → INSi → comparison reads top to bottom here: `start_search` (on mount for a
card) → `_search` (thread worker, the desk calls INSi) → `InsiFinished` → `show_result`.
A subclass provides `reload()`, `patient_id`, `prepared`, `record` and `_channel`.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.widgets import Static

from ins_tui.tui.console_look import words
from ins_tui.tui.messages import InsiFinished, StatusNote, unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.comparison import ComparisonPanel

SEARCHING = "Recherche INS en cours (téléservice INSi)…"


class InsiSearchScreen(DeskScreen):
    patient_id: int | None
    prepared: Any
    record: Any
    result: Any
    searching: bool
    _channel: Any
    _criteria: str

    def reload(self) -> None:
        raise NotImplementedError

    def _place_names(self) -> Any:
        raise NotImplementedError

    # -- display -------------------------------------------------------------------------
    def set_state(self, text: str, kind: str = "") -> None:
        state = self.query_one("#identity-state", Static)
        state.update(words(text))
        state.set_classes(f"-{kind}" if kind else "")

    def set_next(self, text: str) -> None:
        self.query_one("#identity-next", Static).update(words(text))

    def say(self, text: str) -> None:
        self.set_line("status-line", text)

    # -- INSi ----------------------------------------------------------------------------
    def start_search(self, *, birthplace: str | None = None,
                     first_names: str | None = None) -> None:
        self.searching = True
        self.result = None
        self._criteria = _criteria_fr(birthplace, first_names)
        self.query_one(ComparisonPanel).show(None)
        self.set_state(SEARCHING + (f" Critères ajoutés : {self._criteria}."
                                    if self._criteria else ""))
        self.set_next("Patientez : la réponse s'affichera ici (Échap pour continuer ailleurs).")
        self.refresh_bindings()
        self._search(birthplace, first_names)

    @work(thread=True, exclusive=True, group="insi", exit_on_error=False)
    def _search(self, birthplace: str | None, first_names: str | None) -> None:
        from ins_tui.domain.model import Channel

        desk = self.desk_app.desk
        target = self.patient_id if self.patient_id is not None else self.prepared
        channel = self._channel or (
            Channel.CARTE_VITALE if self.prepared is not None else Channel.INSI
        )
        if birthplace or first_names:
            channel = Channel.INSI
        try:
            result = desk.retrieve_ins(target, channel, birthplace=birthplace,
                                       first_names=first_names)
        except Exception as exc:
            from ins_tui.tui.errors import error_fr

            self.post_message(StatusNote(error_fr(exc, "Recherche INS"), "error"))
            self.post_message(InsiFinished(None))
            return
        self.post_message(InsiFinished(result))

    @on(InsiFinished)
    @unless_closing
    def _insi_finished(self, message: InsiFinished) -> None:
        message.stop()
        self.show_result(message.result)

    def show_result(self, result: Any) -> None:
        """Say what INSi answered; called for the first try and for background retries."""
        from ins_tui.desk.results import InsiResultKind as Kind

        self.searching = False
        if result is None:
            self.set_state("La recherche INS n'a pas abouti.", "error")
            self.set_next("i : relancer la recherche   Échap : retour")
            self.refresh_bindings()
            return
        self.result = result
        if result.patient_id is not None:
            self.patient_id = result.patient_id
            self.prepared = None
        self.reload()
        self._show_comparison()
        kind = result.kind
        if kind is Kind.MATCHED:
            self.set_state(result.message_fr.replace(" Entrée : qualifier l'identité", ""),
                           "ok")
            self.set_next("Entrée : qualifier l'identité")
        elif kind is Kind.DIFFERENT:
            self.set_state(result.message_fr, "warn")
            self.set_next("a : adopter les traits INS   g : garder provisoire   "
                          "d : marquer douteuse")
        elif kind in (Kind.NOT_FOUND, Kind.SEVERAL):
            # A second CR 01/02 must not look like the first: say what was tried.
            said = (f"Avec {self._criteria} : {result.message_fr}" if self._criteria
                    else result.message_fr)
            self.set_state(said, "warn")
            self.set_next("t : rechercher avec plus de critères (lieu de naissance, "
                          "autres prénoms)   Échap : retour")
        elif kind is Kind.QUEUED:
            self.set_state(result.message_fr, "error")
            self.set_next("Échap : continuer l'accueil (la réponse arrivera ici et dans "
                          "la file)")
        else:
            self.set_state(result.message_fr, "warn")
            # Name the keys that act on the message (issue 12, F12).
            self.set_next("i : réessayer la recherche   e : modifier les traits   "
                          "Échap : retour")
        self.refresh_bindings()

    def _show_comparison(self) -> None:
        """The comparison of the last answer, with the record as it is now: after an import
        each replaced trait says so next to the verdict that led to it."""
        comparison = getattr(self.result, "comparison", None)
        current = self.record.traits if self.record is not None else None
        self.query_one(ComparisonPanel).show(comparison, current, self._place_names())

    def action_search_insi(self) -> None:
        self.start_search()

    def action_more_criteria(self) -> None:
        from ins_tui.tui.screens.criteria import CriteriaModal

        traits = self.record.traits if self.record is not None else None

        def done(values: tuple[str | None, str | None] | None) -> None:
            if values is not None:
                self.start_search(birthplace=values[0], first_names=values[1])

        why = getattr(self.result, "message_fr", "") or ""
        self.app.push_screen(CriteriaModal(traits, why.split(". ")[0] + "."), done)


def _criteria_fr(birthplace: str | None, first_names: str | None) -> str:
    parts = []
    if birthplace:
        parts.append(f"lieu de naissance {birthplace}")
    if first_names:
        parts.append(f"prénoms {first_names}")
    return " et ".join(parts)
