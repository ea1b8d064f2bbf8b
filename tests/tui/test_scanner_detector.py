"""The scanner detector alone (tui/scanner.py): keys with their times in, decisions out.

A tiny driver plays a timeline of (time, character) through the detector and runs its
deadline like the app's timer, then says which keys reached the app (in order) and which
scans were recognised. Tried: a burst with GS, with a substitute, without Enter; people
typing « ISABELLE », « IS01 », a fast « IS » digraph and random text at human speed
(nothing held back for good, order kept); a fast burst that is not a payload; keys
before and after a scan; an over-long and an over-slow burst; a payload split by a short
pause (joined) and by a long one (first part judged, the end swallowed); a new scan right
after a cut one; an arrow key inside a scan; a QWERTY scanner on an AZERTY desk; Caps
Lock; pastes.
"""

from __future__ import annotations

import random

from ins_tui.domain.datamatrix import GS, build_payload, parse_payload
from ins_tui.domain.model import Ins, Sex, Traits
from ins_tui.tui.scanner import (
    EndedBy,
    Release,
    Scan,
    ScanDetector,
    ScanKind,
    ScannerSettings,
    payload_in_paste,
)

ADRTROIS = Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT")
PAYLOAD = build_payload(Ins("160012B020777", "13", "1.2.250.1.213.1.4.10"), ADRTROIS)
ENTER = "\r"
SCANNER = 0.003  # seconds per character: a USB scanner in keyboard emulation
HUMAN = 0.12


def timeline(text: str, *, start: float = 0.0, step: float = SCANNER) -> list[tuple[float, str]]:
    return [(start + i * step, c) for i, c in enumerate(text)]


def play(keys: list[tuple[float, str | None]], settings: ScannerSettings | None = None,
         ) -> tuple[list[str | None], list[Scan]]:
    """Feed every key at its time, firing the deadline whenever it passes; drain at the end."""
    det = ScanDetector(settings)
    delivered: list[tuple[int, str | None]] = []
    scans: list[Scan] = []

    def take(outcomes: list) -> None:
        for outcome in outcomes:
            if isinstance(outcome, Release):
                delivered.extend(outcome.tokens)
            else:
                scans.append(outcome)

    for index, (at, char) in enumerate(keys):
        while det.deadline is not None and det.deadline < at:
            take(det.expire(det.deadline + 1e-6))
        take(det.feed((index, char), char, at))
    guard = 0
    while det.deadline is not None:
        take(det.expire(det.deadline + 1e-6))
        guard += 1
        assert guard < 10, "the detector never settles"
    indexes = [i for i, _ in delivered]
    assert indexes == sorted(indexes), "keys delivered out of order"
    assert not det.busy
    return [c for _, c in delivered], scans


def test_burst_with_gs_is_one_scan_and_nothing_is_delivered() -> None:
    delivered, scans = play(timeline(PAYLOAD + ENTER))
    assert GS in PAYLOAD
    assert delivered == []
    assert [(s.kind, s.ended_by) for s in scans] == [(ScanKind.PAYLOAD, EndedBy.ENTER)]
    scanned, problems = parse_payload(scans[0].payload_text())
    assert problems == [] and scanned.ins.matricule == "160012B02077713"


def test_burst_with_a_substitute_for_gs() -> None:
    typed = PAYLOAD.replace(GS, "~")
    delivered, scans = play(timeline(typed + ENTER))
    assert delivered == [] and len(scans) == 1
    assert GS not in scans[0].text
    scanned, problems = parse_payload(scans[0].payload_text("~"))
    assert problems == [] and scanned is not None
    # A multi-character substitute, as some scanners send « ^] » literally.
    _, scans = play(timeline(PAYLOAD.replace(GS, "^]") + ENTER))
    assert parse_payload(scans[0].payload_text("^]"))[0] is not None


def test_scanner_without_enter_suffix_ends_on_the_pause() -> None:
    delivered, scans = play([*timeline(PAYLOAD), (5.0, "x")])
    assert [(s.kind, s.ended_by) for s in scans] == [(ScanKind.PAYLOAD, EndedBy.PAUSE)]
    assert parse_payload(scans[0].payload_text())[0] is not None
    assert delivered == ["x"]  # a key well after the scan is the secretary's


def test_people_typing_are_never_swallowed() -> None:
    for text in ("ISABELLE", "IS01", "IS01" + "0" * 22 + "S1"):
        delivered, scans = play(timeline(text, step=HUMAN))
        assert delivered == list(text) and scans == []
    # A fast « IS » digraph, then a slower key: held an instant, delivered in order.
    keys = [(0.0, "I"), (0.02, "S"), (0.15, "A"), (0.3, "B")]
    delivered, scans = play(keys)
    assert delivered == ["I", "S", "A", "B"] and scans == []


def test_random_human_typing_arrives_whole_and_in_order() -> None:
    rng = random.Random(7)
    alphabet = "IS01 0ABE-'."
    for _ in range(200):
        at, keys = 0.0, []
        for _ in range(rng.randint(1, 40)):
            at += rng.uniform(0.051, 0.4)  # slower than key_gap: a person
            keys.append((at, rng.choice(alphabet)))
        delivered, scans = play(keys)
        assert delivered == [c for _, c in keys] and scans == []


def test_fast_burst_that_is_not_a_payload_is_delivered() -> None:
    for text in ("HELLO WORLD", "ISO 9001", "IS0X", "IIIIS01"):
        delivered, scans = play(timeline(text + ENTER))
        assert delivered == [*text, ENTER] and scans == [], text


def test_keys_before_and_after_a_scan_are_delivered() -> None:
    keys = [(0.0, "x"), *timeline(PAYLOAD + ENTER, start=0.5), (2.0, "y")]
    delivered, scans = play(keys)
    assert delivered == ["x", "y"] and len(scans) == 1


def test_over_long_burst_is_swallowed_to_its_end() -> None:
    keys = [*timeline(PAYLOAD + "A" * 400 + ENTER), (5.0, "z")]
    delivered, scans = play(keys)
    assert [(s.kind, s.ended_by) for s in scans] == [(ScanKind.PAYLOAD, EndedBy.TOO_LONG)]
    assert len(scans[0].text) == 300
    assert delivered == ["z"]


def test_over_slow_burst_is_refused() -> None:
    settings = ScannerSettings(max_duration=1.0)
    delivered, scans = play(timeline(PAYLOAD + ENTER, step=0.04), settings)
    assert [s.ended_by for s in scans] == [EndedBy.TOO_SLOW]
    assert delivered == []


def test_payload_split_by_a_short_pause_is_joined() -> None:
    cut = 60
    keys = timeline(PAYLOAD[:cut]) + timeline(PAYLOAD[cut:] + ENTER, start=0.2 + cut * SCANNER)
    delivered, scans = play(keys)
    assert delivered == [] and len(scans) == 1 and scans[0].text == PAYLOAD


def test_payload_split_by_a_long_pause_loses_nothing_into_a_field() -> None:
    cut = 60
    keys = timeline(PAYLOAD[:cut]) + timeline(PAYLOAD[cut:] + ENTER, start=0.6)
    delivered, scans = play(keys)
    assert delivered == []
    assert [(s.kind, s.ended_by) for s in scans] == [
        (ScanKind.PAYLOAD, EndedBy.PAUSE), (ScanKind.TAIL, EndedBy.PAUSE)]
    assert parse_payload(scans[0].payload_text())[0] is None  # judged, and refused
    # After the window, one key alone is the secretary's again.
    delivered, _ = play([*timeline(PAYLOAD[:cut]), (0.6, "q")])
    assert delivered == ["q"]


def test_new_scan_right_after_a_cut_one_is_read() -> None:
    keys = timeline(PAYLOAD[:40]) + timeline(PAYLOAD + ENTER, start=0.6)
    delivered, scans = play(keys)
    assert delivered == []
    assert [s.ended_by for s in scans] == [EndedBy.PAUSE, EndedBy.ENTER]
    assert scans[1].text == PAYLOAD


def test_arrow_key_inside_a_scan_ends_it_and_is_delivered() -> None:
    keys = [*timeline(PAYLOAD[:50]), (50 * SCANNER, None)]
    delivered, scans = play(keys)
    assert [s.ended_by for s in scans] == [EndedBy.INTERRUPTED]
    assert delivered == [None]


def test_qwerty_scanner_on_an_azerty_desk_is_recognised() -> None:
    mangled = PAYLOAD.translate(str.maketrans("0123456789", "à&é\"'(-è_ç"))
    delivered, scans = play(timeline(mangled + ENTER))
    assert delivered == [] and [s.kind for s in scans] == [ScanKind.WRONG_LAYOUT]


def test_caps_lock_is_undone() -> None:
    delivered, scans = play(timeline(PAYLOAD.swapcase() + ENTER))
    assert delivered == [] and [s.kind for s in scans] == [ScanKind.CAPS_LOCK]
    assert scans[0].payload_text() == PAYLOAD


def test_header_and_separator_are_the_domain_ones() -> None:
    from ins_tui.domain import datamatrix
    from ins_tui.tui import scanner

    assert (scanner.HEADER, scanner.GS) == (datamatrix.HEADER, datamatrix.GS)


def test_paste_of_one_code_only() -> None:
    assert payload_in_paste(PAYLOAD + "\r\n") == PAYLOAD
    assert payload_in_paste("IS01 is the header") is None
    assert payload_in_paste(PAYLOAD + "\n" + PAYLOAD) is None
    assert payload_in_paste(PAYLOAD + "A" * 300) is None


def test_held_keys_are_given_back_before_a_click() -> None:
    det = ScanDetector()
    assert det.feed("k1", "I", 0.0) == [] and det.holding
    assert det.flush_held() == [Release(("k1",))]
    assert not det.busy and not det.holding
    assert det.flush_held() == []
