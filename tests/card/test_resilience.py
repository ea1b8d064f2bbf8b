"""The watcher against pcscd absent at start, killed with a card in, restarted; prompt stop."""

from __future__ import annotations

import threading

import pytest
from conftest import EventLog

from ins_tui.card.events import CardInserted, CardRemoved, ReadersChanged, ServiceDown, ServiceUp
from ins_tui.card.profiles import get_profile
from ins_tui.card.virtual import VirtualCard
from ins_tui.card.vitale import read_from_reader
from ins_tui.card.watcher import CardWatcher

pytestmark = pytest.mark.pcscd


def test_watcher_lives_through_pcscd_absent_killed_and_restarted(pcscd_daemon) -> None:
    pcscd_daemon.stop()
    log = EventLog()
    watcher = CardWatcher(log).start()
    try:
        # 1. started before pcscd: one ServiceDown, then up when pcscd comes.
        log.wait(ServiceDown)
        pcscd_daemon.start()
        log.wait(ServiceUp)
        assert log.wait(ReadersChanged).readers == pcscd_daemon.readers
        assert not any(isinstance(e, ServiceDown) for e in log.pending)

        # 2. killed with a card inserted: removed + service down.
        card = VirtualCard(get_profile("adrun-zoe"), port=pcscd_daemon.port).start()
        log.wait(CardInserted, reader=pcscd_daemon.readers[0])
        pcscd_daemon.kill()
        log.wait(CardRemoved, reader=pcscd_daemon.readers[0])
        log.wait(ServiceDown)
        card.closed.wait(2)
        assert card.closed.is_set()  # pcscd's death closed the card's socket
        card.close()

        # 3. restarted: service up, the next card is seen and read.
        pcscd_daemon.start()
        log.wait(ServiceUp)
        with VirtualCard(get_profile("corse"), port=pcscd_daemon.port + 1):
            inserted = log.wait(CardInserted, reader=pcscd_daemon.readers[1])
            assert read_from_reader(inserted.reader).beneficiaries[0].birth_name == "CORSE"
        log.wait(CardRemoved, reader=pcscd_daemon.readers[1])
    finally:
        # 4. stop is prompt whatever the state (here: blocked waiting for a change).
        assert watcher.stop(timeout=1.0)


def test_stop_is_prompt_while_pcscd_is_down(pcscd_daemon) -> None:
    pcscd_daemon.stop()
    log = EventLog()
    watcher = CardWatcher(log).start()
    log.wait(ServiceDown)
    assert watcher.stop(timeout=1.0)
    assert not watcher.is_alive()


def test_a_failing_callback_does_not_kill_the_watcher(pcscd) -> None:
    log = EventLog()
    calls = []

    def callback(event) -> None:
        calls.append(event)
        if isinstance(event, ServiceUp):
            raise RuntimeError("UI handler bug")
        log(event)

    watcher = CardWatcher(callback).start()
    try:
        log.wait(ReadersChanged)
        with VirtualCard(get_profile("nessi"), port=pcscd.port):
            log.wait(CardInserted)
        log.wait(CardRemoved)
        assert isinstance(calls[0], ServiceUp) and watcher.is_alive()
    finally:
        assert watcher.stop()


def test_card_swapped_while_the_callback_is_busy_is_reported(pcscd) -> None:
    """Two patients' cards may share an ATR: a swap during a slow callback is not missed."""
    log, release = EventLog(), threading.Event()

    def slow_callback(event) -> None:
        log(event)
        if isinstance(event, CardInserted):
            release.wait(10)  # e.g. a UI thread slow to take the event

    first, second = get_profile("adrun-zoe"), get_profile("corse")
    assert first.atr == second.atr
    watcher = CardWatcher(slow_callback).start()
    try:
        log.wait(ReadersChanged)
        card = VirtualCard(first, port=pcscd.port).start()
        log.wait(CardInserted)  # the watcher is now stuck in the callback
        before = pcscd.wait_presence(0, True)
        card.close()
        pcscd.wait_presence(0, False)
        with VirtualCard(second, port=pcscd.port):
            assert pcscd.wait_presence(0, True) == before + 2  # one removal, one insertion
            release.set()
            log.wait(CardRemoved)
            inserted = log.wait(CardInserted)
            assert read_from_reader(inserted.reader).beneficiaries[0].birth_name == "CORSE"
        log.wait(CardRemoved)
    finally:
        release.set()
        assert watcher.stop()
