"""The Vitale reader over the in-process transport: every profile, privacy of reprs."""

from __future__ import annotations

import contextlib
import logging

import pytest
from card_expectations import FAILS, READS, as_rows

from ins_tui.card.chip import InProcessTransport, VirtualChip
from ins_tui.card.errors import CardError
from ins_tui.card.profiles import ProfileError, get_profile, load_profiles
from ins_tui.card.tlv import encode
from ins_tui.card.vitale import parse_beneficiaries, read_card


def test_every_profile_has_an_expectation() -> None:
    assert set(load_profiles()) == set(READS) | set(FAILS)


@pytest.mark.parametrize("name", sorted(READS))
def test_read(name: str) -> None:
    profile = get_profile(name)
    card = read_card(InProcessTransport(VirtualChip(profile)), profile.atr)
    assert as_rows(card) == READS[name]
    assert [b.index for b in card.beneficiaries] == list(range(len(READS[name])))
    assert card.raw.atr == profile.atr and card.raw.identity_file.startswith(b"\x65")


@pytest.mark.parametrize("name", sorted(FAILS))
def test_bad_cards_get_french_messages(name: str) -> None:
    profile = get_profile(name)
    error, words = FAILS[name]
    with pytest.raises(CardError) as info:
        read_card(InProcessTransport(VirtualChip(profile)), profile.atr)
    assert type(info.value) is error
    assert words in info.value.message


def test_family_card_needs_several_chunks_and_keeps_twins_apart() -> None:
    profile = get_profile("famille-nessi")
    chip = VirtualChip(profile)
    card = read_card(InProcessTransport(chip), profile.atr)
    assert chip.apdu_count == 5  # SELECT, READ NIR, SELECT MF, READ 256, READ rest
    twins = [b for b in card.beneficiaries if b.birth_date.raw == "20160512"]
    assert {b.first_name for b in twins} == {"LUCA", "GIULIA"}


def test_vitale1_is_never_sent_a_command() -> None:
    chip = VirtualChip(get_profile("vitale1"))
    with pytest.raises(CardError):
        read_card(InProcessTransport(chip), chip.atr)
    assert chip.apdu_count == 0


def test_reprs_never_show_names_or_nir() -> None:
    profile = get_profile("dartagnan")
    card = read_card(InProcessTransport(VirtualChip(profile)), profile.atr)
    text = repr(card) + repr(card.beneficiaries) + repr(card.raw)
    for secret in ("ARTAGNAN", "PIERRE", "101066322075460", "6322075460"):
        assert secret not in text


def test_reading_every_card_logs_no_name_nor_nir(caplog: pytest.LogCaptureFixture) -> None:
    """A log line per read (count + fingerprint) but never who is on the card."""
    caplog.set_level(logging.DEBUG)
    for name in sorted(READS) + sorted(FAILS):
        profile = get_profile(name)
        with contextlib.suppress(CardError):
            read_card(InProcessTransport(VirtualChip(profile)), profile.atr)
    people = b"".join(
        encode(0x65, encode(0x80, last) + encode(0x81, b"ZOE") + encode(0x82, b"19751231"))
        for last in (b"ADRUN", b"ADRDEUX")
    )
    parse_beneficiaries(people, encode(0x65, encode(0x93, b"275126322074974")))
    text = caplog.text
    assert text.count("carte Vitale lue") == len(READS)
    assert "NIR ignorés" in text
    secrets = {value for rows in READS.values() for row in rows
               for value in (row[0], row[1], row[2], row[3], row[5]) if value}
    leaked = sorted(s for s in secrets if s in text or s[-10:] in text)
    assert leaked == [], f"identity data in the log: {leaked}"


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError) as info:
        get_profile("inconnue")
    assert "Carte de test inconnue" in str(info.value) and "adrun-zoe" in str(info.value)


def test_malformed_profile_file_is_reported_in_french(tmp_path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text('{"profiles": [{"name": "x", "label": "x", "atr": "ZZ"}]}')
    with pytest.raises(ProfileError, match="mal formé"):
        load_profiles(path)
    path.write_text("{")
    with pytest.raises(ProfileError, match="illisible"):
        load_profiles(path)


def test_unequal_identity_and_nir_files_drop_every_nir() -> None:
    """Pairing is positional: a missing NIR template must not shift NIRs onto others."""
    people = b"".join(
        encode(0x65, encode(0x80, name) + encode(0x81, b"ZOE") + encode(0x82, b"19751231"))
        for name in (b"ADRUN", b"ADRDEUX")
    )
    nirs = encode(0x65, encode(0x93, b"275126322074974"))
    beneficiaries = parse_beneficiaries(people, nirs)
    assert [b.birth_name for b in beneficiaries] == ["ADRUN", "ADRDEUX"]
    assert [b.nir for b in beneficiaries] == [None, None]
    both = nirs + encode(0x65, encode(0x93, b"277076322082910"))
    assert [b.nir for b in parse_beneficiaries(people, both)] == [
        "275126322074974", "277076322082910"]
