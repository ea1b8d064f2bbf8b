"""The INS datamatrix payload (identity-rules.md §13): built, read back, and refused when bad.

Tried: the published test identities (a long first-name list, a Corsican birthplace, an
NIA, no birthplace), a scanner typing a substitute for GS, and malformed payloads — no
header, another version, a missing field, an unknown identifier, a wrong key, lower case,
an impossible date, a foreign OID. Each refusal names the field, never the value.
"""

from __future__ import annotations

import pytest

from ins_tui.domain.datamatrix import GS, HEADER, build_payload, parse_payload
from ins_tui.domain.model import Ins, Sex, Traits

TEST_NIR = "1.2.250.1.213.1.4.10"
TEST_NIA = "1.2.250.1.213.1.4.11"

CASES = [
    (Ins("1090763220834", "89", TEST_NIR),
     Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220",
            "PIERRE-ALAIN")),
    (Ins("180032B020401", "23", TEST_NIR),
     Traits("CORSE", "ANTHONY", Sex.M, "1980-03-02", "2B020", "ANTHONY")),
    (Ins("1090763220888", "35", TEST_NIA),
     Traits("PROVISOIRE", "MATRICULE", Sex.M, "2009-07-01", None, "MATRICULE")),
    (Ins("2751263220749", "74", TEST_NIR),
     Traits("D'ALMEIDA--N'DIAYE", "ZOE", Sex.F, "1975-12-31", "99132", "ZOE")),
]


@pytest.mark.parametrize(("ins", "traits"), CASES)
def test_round_trip(ins: Ins, traits: Traits) -> None:
    payload = build_payload(ins, traits)
    assert payload.startswith(HEADER) and len(HEADER) == 26
    scanned, problems = parse_payload(payload)
    assert problems == [] and scanned is not None
    assert scanned.ins == ins and scanned.traits == traits


def test_layout_field_by_field() -> None:
    ins, traits = CASES[0]
    payload = build_payload(ins, traits)
    assert payload == (HEADER + "S1109076322083489" + "S2" + TEST_NIR + "S3PIERRE-ALAIN MURIEL "
                       "FLORIANT" + GS + "S4ECETINSI" + GS + "S5M" + "S614-07-2009" + "S763220")
    # A 19-character OID is below its maximum (20): a GS follows it.
    real = build_payload(Ins("1090763220834", "89", "1.2.250.1.213.1.4.8"), traits)
    assert "S21.2.250.1.213.1.4.8" + GS + "S3" in real


def test_scanner_substitute_for_gs_and_trailing_enter() -> None:
    ins, traits = CASES[0]
    typed = build_payload(ins, traits).replace(GS, "|") + "\r"
    scanned, problems = parse_payload(typed, gs="|")
    assert problems == [] and scanned is not None and scanned.ins == ins


@pytest.mark.parametrize(("mangle", "code"), [
    (lambda p: p[2:], "datamatrix.header"),
    (lambda p: p.replace("IS01", "IS02", 1), "datamatrix.version"),
    (lambda p: p.replace("0" * 22, "0" * 21 + "1", 1), "datamatrix.header"),
    (lambda p: p.split("S5")[0], "datamatrix.missing"),
    (lambda p: p.replace("S7", "S9"), "datamatrix.field"),
    (lambda p: p.replace("109076322083489", "109076322083488"), "ins.key_mod97"),
    (lambda p: p.replace("ECETINSI", "Ecetinsi"), "name.char"),
    (lambda p: p.replace("14-07-2009", "30-02-2009"), "date.calendar"),
    (lambda p: p.replace(TEST_NIR, "1.2.3.4.5.6.7.8.9.10"), "ins.oid"),
    (lambda p: p.replace("S5M", "S5X"), "sex.missing"),
])
def test_malformed_payloads_are_refused_by_name(mangle, code: str) -> None:
    ins, traits = CASES[0]
    scanned, problems = parse_payload(mangle(build_payload(ins, traits)))
    assert scanned is None and code in [p.code for p in problems], problems
    for p in problems:
        assert "109076322083489" not in p.message  # a matricule is never repeated
