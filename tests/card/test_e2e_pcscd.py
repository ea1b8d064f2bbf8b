"""End to end through a real pcscd + vpcd + pyscard: every profile, events, slots, CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from card_expectations import FAILS, READS, as_rows

from ins_tui.card.errors import CardError, CardRemovedError, NoCardError, Vitale1Error
from ins_tui.card.events import CardInserted, CardRemoved
from ins_tui.card.profiles import get_profile
from ins_tui.card.virtual import VirtualCard
from ins_tui.card.vitale import read_first_vitale, read_from_reader

pytestmark = pytest.mark.pcscd


@pytest.mark.parametrize("name", list(READS))
def test_read_through_pcscd(name: str, pcscd, events) -> None:
    profile = get_profile(name)
    with VirtualCard(profile, port=pcscd.port):
        inserted = events.wait(CardInserted)
        assert inserted.reader == pcscd.readers[0] and inserted.atr == profile.atr
        card = read_from_reader(inserted.reader)
        assert as_rows(card) == READS[name]
        assert card.reader == pcscd.readers[0]
    events.wait(CardRemoved, reader=pcscd.readers[0])


@pytest.mark.parametrize("name", list(FAILS))
def test_bad_cards_through_pcscd(name: str, pcscd, events) -> None:
    profile = get_profile(name)
    error, words = FAILS[name]
    with VirtualCard(profile, port=pcscd.port):
        inserted = events.wait(CardInserted)
        assert inserted.atr == profile.atr  # inverse-convention ATR reported unchanged
        with pytest.raises(CardError) as info:
            read_from_reader(inserted.reader)
        assert type(info.value) is error and words in info.value.message
    events.wait(CardRemoved)


def test_card_pulled_mid_read_is_reported_as_removed(pcscd, events) -> None:
    card = VirtualCard(get_profile("arrachee"), port=pcscd.port).start()
    try:
        events.wait(CardInserted)
        with pytest.raises(CardRemovedError):
            read_from_reader(pcscd.readers[0])
        events.wait(CardRemoved)
        assert card.closed.is_set() and card.chip.apdu_count == 2
    finally:
        card.close()


def test_every_slot_is_tried_and_other_cards_skipped(pcscd, events) -> None:
    slot0, slot1 = pcscd.readers
    with VirtualCard(get_profile("bancaire"), port=pcscd.port), \
            VirtualCard(get_profile("adrun-zoe"), port=pcscd.port + 1):
        events.wait(CardInserted, reader=slot0)
        events.wait(CardInserted, reader=slot1)
        card = read_first_vitale(pcscd.readers)
        assert card.reader == slot1 and card.beneficiaries[0].birth_name == "ADRUN"
    events.wait(CardRemoved)
    events.wait(CardRemoved)


def test_no_vitale_in_any_slot_says_the_most_useful_thing(pcscd, events) -> None:
    with pytest.raises(NoCardError):
        read_first_vitale(pcscd.readers)
    with VirtualCard(get_profile("cps"), port=pcscd.port), \
            VirtualCard(get_profile("vitale1"), port=pcscd.port + 1):
        events.wait(CardInserted)
        events.wait(CardInserted)
        with pytest.raises(Vitale1Error):
            read_first_vitale(pcscd.readers)
    events.wait(CardRemoved)
    events.wait(CardRemoved)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ins_tui", "card", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})},
    )


def test_cli_insert_stays_until_its_time_then_removes(pcscd, events) -> None:
    process = _cli("insert", "--profile", "famille-nessi", "--reader", "1", "--seconds", "3")
    try:
        inserted = events.wait(CardInserted, reader=pcscd.readers[1])
        assert len(read_from_reader(inserted.reader).beneficiaries) == 5
        events.wait(CardRemoved, reader=pcscd.readers[1])
        out, _ = process.communicate(timeout=5)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "insérée (fente 1)" in out and "Carte retirée." in out


def test_cli_watch_masks_names_unless_asked(pcscd) -> None:
    outputs = {}
    for flag in ((), ("--show",)):
        process = _cli("watch", "--seconds", "2.5", *flag)
        try:
            assert "Lecteurs" in process.stdout.readline() + process.stdout.readline()
            with VirtualCard(get_profile("date-lunaire"), port=pcscd.port):
                out, _ = process.communicate(timeout=10)
        finally:
            process.kill()
        outputs[flag] = out
    masked, shown = outputs[()], outputs[("--show",)]
    assert "A•••••• L••••••" in masked and "ADRDEUX" not in masked
    assert "ADRDEUX LAURENT" in shown
    for out in (masked, shown):
        assert "Carte insérée" in out and "date lunaire 19811300" in out
