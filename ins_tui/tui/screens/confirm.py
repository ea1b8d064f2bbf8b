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

    def __init__(self, question: str, *, title: str = "Confirmation") -> None:
        super().__init__()
        self._question = question
        self._title = title

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body"):
            yield Static(self._title, classes="modal-title", markup=False)
            yield Static(self._question, id="confirm-question", markup=False)
            yield Static("o : oui    n ou Échap : non", classes="modal-keys", markup=False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
