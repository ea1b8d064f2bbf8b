"""The store never writes a name or a NIR into the application log."""

from __future__ import annotations

import logging

import pytest

from ins_tui.store import FieldsLocked, Store

from .helpers import published_test_identity, traits


def test_no_identity_in_logs(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with store.action("accueil", "Carte Vitale insérée"):
        pid = store.create_patient(traits(), nir="1090763220834")
        store.set_ins(pid, published_test_identity())
    with pytest.raises(FieldsLocked), store.action("accueil", "Modification"):
        store.update_traits(pid, traits(birth_name="AUTRE"))
    store.search("ecetinsi")
    text = caplog.text
    for secret in ("ECETINSI", "PIERRE-ALAIN", "1090763220834", "2009-07-14", "AUTRE"):
        assert secret not in text
    assert "action rolled back" in text  # the log does say something happened
