"""A yes/no question answered with o/y or n (or Échap), never with the mouse."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ins_tui.tui.widgets.banner import banner_of


class ConfirmModal(ModalScreen[bool]):
    """Dismisses with True on o/y, False on n/Échap; the question names the consequence."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o,y", "answer(True)", "Oui", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Non", id="confirm.no"),
    ]

    KEYS_LINE = "o : oui    n ou Échap : non"

    def __init__(self, question: str, *, title: str = "Confirmation",
                 keys: str | None = None) -> None:
        super().__init__()
        self._question = question
        self._title = title
        if keys is not None:  # what o and n do here, when « oui » / « non » says too little
            self.KEYS_LINE = keys

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body"):
            yield Static(self._title, classes="modal-title", markup=False)
            yield Static(self._question, id="confirm-question", markup=False)
            yield Static(self.KEYS_LINE, classes="modal-keys", markup=False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class QuitConfirm(ConfirmModal):
    """« Quitter ins-tui ? » (Ctrl+Q): names what quitting loses, answered like any
    confirmation; the quit key pressed again also confirms (the app's quit action)."""

    QUESTION = "Une fiche ou une recherche en cours de saisie, non enregistrée, sera perdue."

    def __init__(self, quit_key: str = "Ctrl+Q") -> None:
        super().__init__(self.QUESTION, title="Quitter ins-tui ?")
        self.KEYS_LINE = f"o ou {quit_key} : quitter    n ou Échap : rester"
