"""A list to pick one item from with the arrows and Enter (or its number key).

Used for the beneficiaries of a carte Vitale, the people an ApCV presents, the training
cards and the operator at start: the same keys everywhere, so nothing has to be learnt twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ins_tui.tui.widgets.banner import banner_of

DIGITS = "123456789"


class ChoiceList(ModalScreen[int | None]):
    """Dismisses with the index of the chosen item, or None on Échap (if cancellable)."""
    CSS_PATH = "choice_list.tcss"  # its own styles, beside it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="choice.cancel"),
        *(
            Binding(digit, f"pick({index})", show=False, id=f"choice.pick{digit}")
            for index, digit in enumerate(DIGITS)
        ),
    ]

    def __init__(
        self, title: str, items: Sequence[str], *, prompt: str = "", cancellable: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self._title = title
        self._items = list(items)
        self._prompt = prompt
        self._cancellable = cancellable

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body"):
            yield Static(self._title, classes="modal-title", markup=False)
            if self._prompt:
                yield Static(self._prompt, markup=False)
            yield OptionList(
                *(
                    Option(f"{DIGITS[i] if i < len(DIGITS) else ' '}  {item}", id=str(i))
                    for i, item in enumerate(self._items)
                ),
                id="choice-options",
            )
            keys = "↑↓ : choisir   Entrée : valider"
            if self._cancellable:
                keys += "   Échap : annuler"
            yield Static(keys, classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self._items else None
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_pick(self, index: int) -> None:
        if index < len(self._items):
            self.dismiss(index)

    def action_cancel(self) -> None:
        if self._cancellable:
            self.dismiss(None)
