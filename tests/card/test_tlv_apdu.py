"""TLV parsing, ATR hints and T=0 housekeeping, against in-memory chips (no pcscd)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ins_tui.card.apdu import exchange, read_binary_sfi, select_aid
from ins_tui.card.atr import AtrKind, classify_atr
from ins_tui.card.chip import InProcessTransport, VirtualChip
from ins_tui.card.errors import CardRemovedError, TransmitError, UnreadableCardError
from ins_tui.card.profiles import get_profile
from ins_tui.card.tlv import encode, parse
from ins_tui.card.vitale import read_card


def test_parse_stops_at_zero_padding_and_reads_multibyte_tags() -> None:
    data = encode(0x7F21, b"\x01\x02") + encode(0x65, encode(0x80, b"ADRUN")) + bytes(40)
    tlvs = list(parse(data))
    assert [t.tag for t in tlvs] == [0x7F21, 0x65]
    assert tlvs[1].first(0x80).value == b"ADRUN"
    assert tlvs[1].constructed and not tlvs[1].first(0x80).constructed


@pytest.mark.parametrize(
    "data", [b"\x65\x05\x80\x01", b"\x65\x84\x00\x00\x00\x01", b"\x65", b"\x7f"]
)
def test_malformed_tlv_raises_instead_of_inventing_data(data: bytes) -> None:
    with pytest.raises(ValueError):
        list(parse(data))


@given(st.lists(st.tuples(st.sampled_from([0x80, 0x81, 0x93, 0x5F37]),
                          st.binary(min_size=0, max_size=300)), max_size=5))
def test_encode_parse_round_trip(items: list[tuple[int, bytes]]) -> None:
    data = b"".join(encode(tag, value) for tag, value in items)
    assert [(t.tag, t.value) for t in parse(data)] == items


@pytest.mark.parametrize(
    ("atr", "kind"),
    [
        ("3B 75 13 00 00 43 09 EA 90 00", AtrKind.VITALE2),
        ("3B 75 13 00 00 45 09 FA 90 00", AtrKind.VITALE2),
        ("3F 65 25 00 22 09 F9 90 00", AtrKind.VITALE1),
        ("3B 65 00 00 20 63 CB 6A 00", AtrKind.BANK),
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00", AtrKind.CPS),
        ("3B 95 13 81 01 80 73 FF 01 00 0B", AtrKind.UNKNOWN),
    ],
)
def test_atr_hint(atr: str, kind: AtrKind) -> None:
    assert classify_atr(bytes.fromhex(atr)) is kind


def test_t0_card_6c_and_61_are_resolved() -> None:
    chip = VirtualChip(get_profile("t0-6c"))
    transport = InProcessTransport(chip)
    assert chip.respond(select_aid(b"VITALE?")) == b"\x6a\x82"
    raw = chip.respond(read_binary_sfi(2))  # sanity: the chip itself does answer 6Cxx
    assert raw[0] == 0x6C
    response = exchange(transport, select_aid(bytes.fromhex("D250000002564954414C45")))
    assert response.ok and response.data.startswith(b"\x6f")  # FCI fetched by GET RESPONSE
    response = exchange(transport, read_binary_sfi(2))
    assert response.ok and response.data.startswith(b"\x65")


class FlakyTransport:
    """Fails every `every`-th transmit once before letting it through (a hiccuping reader)."""

    def __init__(self, inner: InProcessTransport, failures: int) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    def transmit(self, apdu: bytes) -> bytes:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise TransmitError("hiccup")
        return self.inner.transmit(apdu)


def test_flaky_transmit_is_retried() -> None:
    profile = get_profile("adrun-zoe")
    flaky = FlakyTransport(InProcessTransport(VirtualChip(profile)), failures=3)
    card = read_card(flaky, profile.atr)
    assert card.beneficiaries[0].birth_name == "ADRUN"
    assert flaky.calls == 4 + 3


def test_reader_that_keeps_failing_gives_a_french_message() -> None:
    profile = get_profile("adrun-zoe")
    flaky = FlakyTransport(InProcessTransport(VirtualChip(profile)), failures=100)
    with pytest.raises(UnreadableCardError) as info:
        read_card(flaky, profile.atr)
    assert "ne répond pas correctement" in info.value.message
    assert "recherche par traits" in info.value.message


class TruncatingTransport:
    """Answers one byte (no status word): garbage that must never become data."""

    def transmit(self, apdu: bytes) -> bytes:
        return b"\x90"


def test_truncated_responses_are_refused() -> None:
    with pytest.raises(UnreadableCardError):
        read_card(TruncatingTransport(), get_profile("adrun-zoe").atr)


def test_removed_card_is_not_retried() -> None:
    chip = VirtualChip(get_profile("adrun-zoe"))
    chip.present = False
    with pytest.raises(CardRemovedError):
        exchange(InProcessTransport(chip), read_binary_sfi(2))
    assert chip.apdu_count == 0


class LoopingTransport:
    """A broken card that ignores the offset and answers a full chunk forever."""

    def __init__(self) -> None:
        self.reads = 0

    # One well-formed beneficiary filling the whole 256-byte chunk (no padding):
    # a cut file of 32 copies would otherwise parse as 32 "people".
    CHUNK = encode(0x65, encode(0x80, b"X" * 235) + encode(0x81, b"ZOE")
                   + encode(0x82, b"19751231"))

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[1] == 0xB0:
            self.reads += 1
            return self.CHUNK + b"\x90\x00"
        return b"\x90\x00"


def test_a_file_that_never_ends_is_refused_not_cut() -> None:
    transport = LoopingTransport()
    assert len(LoopingTransport.CHUNK) == 256
    with pytest.raises(UnreadableCardError):
        read_card(transport, get_profile("adrun-zoe").atr)
    assert transport.reads == 8192 // 256  # the whole guard size read, then refused


class SixCOnGetResponse:
    """Answers 61 10 to SELECT, then 6C 10 to a GET RESPONSE asking for another length."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        if apdu[1] == 0xA4:
            return b"\x61\x10"
        if apdu[1] == 0xC0 and apdu[4] != 0x08:
            return b"\x6c\x08"
        return b"\x6f\x06\x84\x04ABCD" + b"\x90\x00"


def test_6c_answer_to_get_response_is_resolved() -> None:
    transport = SixCOnGetResponse()
    response = exchange(transport, select_aid(b"VITALE"))
    assert response.ok and response.data == b"\x6f\x06\x84\x04ABCD"
    assert [a.hex() for a in transport.sent[1:]] == ["00c0000010", "00c0000008"]


def test_status_word_less_answer_is_retried_then_accepted() -> None:
    profile = get_profile("adrun-zoe")
    inner = InProcessTransport(VirtualChip(profile))
    answers = iter([b"", b"\x90"])

    class Hiccup:
        def transmit(self, apdu: bytes) -> bytes:
            return next(answers, None) or inner.transmit(apdu)

    assert read_card(Hiccup(), profile.atr).beneficiaries[0].birth_name == "ADRUN"
