"""The one error of the label adapter: its message is French, for the secretary.

The messages name the setting to check; what the OS said is worded by
`ins_tui.os_words.os_reason_fr` (the table the store uses too).
"""

from __future__ import annotations


class LabelError(Exception):
    """The label cannot be made or sent; `message_fr` says why and what to do."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr
