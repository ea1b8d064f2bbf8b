"""End to end through a real pcscd + vpcd + pyscard: every profile, events, slots, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from card_expectations import FAILS, READS, as_rows

from ins_tui.card.errors import (
    CardError,
    CardRemovedError,
    NoCardError,
    ServiceUnavailableError,
    Vitale1Error,
)
from ins_tui.card.events import CardInserted, CardRemoved
from ins_tui.card.profiles import get_profile
from ins_tui.card.virtual import VirtualCard
from ins_tui.card.vitale import read_card, read_first_vitale, read_from_reader
from tests.card.output import rest_of_output

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
        out, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "insérée (fente 1)" in out and "Carte retirée." in out


def test_read_holds_an_exclusive_transaction(pcscd, events) -> None:
    """While ins-tui reads, another program cannot even connect to the card."""
    from smartcard import scard

    from ins_tui.card.transport import PcscTransport

    other_connected = threading.Event()

    def other_program() -> None:
        _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        hr, handle, _proto = scard.SCardConnect(
            context, pcscd.readers[0], scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        other_connected.set()
        if hr == scard.SCARD_S_SUCCESS:
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(context)

    profile = get_profile("famille-nessi")
    with VirtualCard(profile, port=pcscd.port):
        events.wait(CardInserted)
        with PcscTransport(pcscd.readers[0]) as transport:
            thread = threading.Thread(target=other_program, daemon=True)
            thread.start()
            card = read_card(transport, transport.atr, pcscd.readers[0])  # 5 round trips
            assert not other_connected.is_set()  # held off during the whole read
        assert other_connected.wait(5)  # and let in as soon as the transaction ends
        thread.join(5)
        assert as_rows(card) == READS["famille-nessi"]
    events.wait(CardRemoved)


class _KillsPcscdOnThirdCommand:
    """Wraps a chip: pcscd is killed while the card 'thinks' about the third APDU."""

    def __init__(self, chip, pcscd) -> None:
        self.chip, self.pcscd, self.atr = chip, pcscd, chip.atr

    def reset(self) -> None:
        self.chip.reset()

    def respond(self, apdu: bytes) -> bytes:
        if self.chip.apdu_count == 2:
            self.pcscd.kill()  # closes this card's socket too: the answer never arrives
        return self.chip.respond(apdu)


def test_pcscd_dying_mid_read_is_not_called_a_pulled_card(pcscd, events) -> None:
    card = VirtualCard(get_profile("adrun-zoe"), port=pcscd.port)
    card.chip = _KillsPcscdOnThirdCommand(card.chip, pcscd)
    with card:
        events.wait(CardInserted)
        with pytest.raises(ServiceUnavailableError) as info:
            read_from_reader(pcscd.readers[0])
    assert "pcscd" in info.value.message and not pcscd.running


def test_card_pulled_right_after_insertion_as_the_field_sees_it(pcscd) -> None:
    """`card watch` reads at once on insertion, the racy moment: twice, never 'garbage'."""
    process = _cli("watch", "--seconds", "4")
    try:
        assert "Lecteurs" in process.stdout.readline() + process.stdout.readline()
        for _ in range(2):
            card = VirtualCard(get_profile("arrachee"), port=pcscd.port).start()
            assert card.closed.wait(5)  # it vanished after its two APDUs
            pcscd.wait_presence(0, False)
        out = rest_of_output(process, timeout=20)
    finally:
        process.kill()
    assert out.count("Carte retirée pendant la lecture") == 2, out
    assert "ne répond pas" not in out and "bénéficiaire(s)" not in out


def test_cli_insert_is_removed_on_ctrl_c(pcscd, events) -> None:
    process = _cli("insert", "--profile", "hermann")
    try:
        assert "insérée (fente 0)" in process.stdout.readline()
        events.wait(CardInserted, reader=pcscd.readers[0])
        process.send_signal(signal.SIGINT)
        events.wait(CardRemoved, reader=pcscd.readers[0])
        out = rest_of_output(process, timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0 and "Carte retirée." in out


def test_cli_watch_masks_names_and_bytes_unless_asked(pcscd) -> None:
    outputs = {}
    for flags in (("--raw",), ("--raw", "--show")):
        process = _cli("watch", "--seconds", "2.5", *flags)
        try:
            assert "Lecteurs" in process.stdout.readline() + process.stdout.readline()
            with VirtualCard(get_profile("date-lunaire"), port=pcscd.port):
                out = rest_of_output(process, timeout=20)
        finally:
            process.kill()
        outputs[flags] = out
    masked, shown = outputs[("--raw",)], outputs[("--raw", "--show")]
    name_hex = b"ADRDEUX".hex(" ").upper()
    assert "A•••••• L••••••" in masked and "ADRDEUX" not in masked
    assert "empreinte" in masked and name_hex not in masked
    assert "ADRDEUX LAURENT" in shown and name_hex in shown
    for out in (masked, shown):
        assert "Carte insérée" in out and "date lunaire 19811300 (identité : 31/12/1981)" in out
        assert "ATR : 3B 75 13 00 00 46 09 EA 90 00" in out
