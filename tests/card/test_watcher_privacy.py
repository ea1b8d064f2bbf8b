"""A failing card-event callback is logged by type and place, never by its message.

The callback is desk code; its exception may quote the name or NIR just read, and the
watcher survives it by logging. No pcscd needed: the watcher is not started.
"""

from __future__ import annotations

import logging

import pytest

from ins_tui.card.events import CardInserted
from ins_tui.card.watcher import CardWatcher


def test_callback_failure_is_logged_without_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def callback(event: object) -> None:
        raise ValueError("ECETINSI PIERRE-ALAIN 109076322083489 déjà ouvert")

    caplog.set_level(logging.DEBUG)
    CardWatcher(callback)._emit(CardInserted("Lecteur 00 00", b"\x3b\x00"))
    text = caplog.text
    assert "card event callback failed (CardInserted)" in text
    assert "ValueError" in text and "test_watcher_privacy.py" in text  # still findable
    for secret in ("ECETINSI", "PIERRE-ALAIN", "109076322083489", "0763220834"):
        assert secret not in text
