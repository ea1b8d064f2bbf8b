"""Card sources and the training facade: same events, same reader, pcscd or memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_expectations import READS, as_rows
from conftest import EventLog

from ins_tui.card.errors import CardRemovedError, NoCardError
from ins_tui.card.events import CardInserted, CardRemoved, ReadersChanged, ServiceUp
from ins_tui.card.profiles import ProfileError, get_profile
from ins_tui.card.source import InProcessCardSource, PcscCardSource
from ins_tui.card.training import MODE_IN_PROCESS, MODE_PCSCD, TrainingCards
from ins_tui.card.virtual import VirtualCard


def test_in_process_source_emits_events_and_reads_with_the_reader() -> None:
    source, log = InProcessCardSource(), EventLog()
    source.insert(get_profile("famille-nessi"), slot=1)
    source.start(log)
    log.wait(ServiceUp)
    assert log.wait(ReadersChanged).readers == source.readers
    inserted = log.wait(CardInserted, timeout=0.1)
    assert inserted.reader == source.readers[1]
    assert as_rows(source.read(inserted.reader)) == READS["famille-nessi"]
    assert source.remove(1)
    log.wait(CardRemoved, reader=source.readers[1], timeout=0.1)
    with pytest.raises(NoCardError):
        source.read(source.readers[1])
    source.stop()


def test_in_process_card_vanishing_mid_read_is_removed() -> None:
    source, log = InProcessCardSource(), EventLog()
    source.start(log)
    source.insert(get_profile("arrachee"))
    with pytest.raises(CardRemovedError):
        source.read(source.readers[0])
    log.wait(CardRemoved, reader=source.readers[0], timeout=0.1)
    assert source.inserted(0) is None


def test_training_cards_in_memory() -> None:
    with TrainingCards(prefer_pcscd=False) as cards:
        assert cards.mode == MODE_IN_PROCESS and "mémoire" in cards.mode_label_fr
        assert "adrun-zoe" in [p.name for p in cards.profiles()]
        log = EventLog()
        cards.source.start(log)
        cards.insert("hermann")
        inserted = log.wait(CardInserted, timeout=0.1)
        assert as_rows(cards.source.read(inserted.reader)) == READS["hermann"]
        assert cards.inserted().name == "hermann"
        with pytest.raises(ProfileError):
            cards.insert("pas-une-carte")
        assert cards.remove() and cards.inserted() is None


def test_training_cards_fall_back_outside_the_namespaces(monkeypatch) -> None:
    monkeypatch.delenv("INS_TUI_IN_NS", raising=False)
    with TrainingCards() as cards:
        assert cards.mode == MODE_IN_PROCESS
        assert "espaces de noms" in cards.fallback_reason


@pytest.mark.pcscd
def test_pcsc_source_reads_through_pcscd(pcscd) -> None:
    source, log = PcscCardSource(), EventLog()
    source.start(log)
    try:
        log.wait(ReadersChanged)
        with VirtualCard(get_profile("ecetinsi"), port=pcscd.port):
            inserted = log.wait(CardInserted)
            assert as_rows(source.read(inserted.reader)) == READS["ecetinsi"]
        log.wait(CardRemoved)
    finally:
        source.stop()


@pytest.mark.pcscd
def test_training_cards_through_a_private_pcscd(pcscd_daemon) -> None:
    pcscd_daemon.stop()  # one pcscd per namespace: the facade starts its own
    with TrainingCards() as cards:
        assert cards.mode == MODE_PCSCD, cards.fallback_reason
        log = EventLog()
        cards.source.start(log)
        log.wait(ReadersChanged)
        cards.insert("de-vinci", slot=1)
        inserted = log.wait(CardInserted, reader=cards.readers[1])
        assert as_rows(cards.source.read(inserted.reader)) == READS["de-vinci"]
        assert cards.inserted(1).name == "de-vinci"
        assert cards.remove(1)
        log.wait(CardRemoved, reader=cards.readers[1])
        pid = cards.pcscd_pid
    assert pid is not None and not Path(f"/proc/{pid}").exists()  # stopped by pid, waited
