"""What each test card must read as, written out by hand (not derived from the JSON),
so a wrong profile file or a wrong reader both make the tests fail."""

from __future__ import annotations

from ins_tui.card.errors import CardRemovedError, NotVitaleError, Vitale1Error

# profile -> [(birth_name, first_name, raw date, iso date, lunar, nir)]
READS = {
    "adrun-zoe": [("ADRUN", "ZOE", "19751231", "1975-12-31", False, "275126322074974")],
    "dartagnan": [("D'ARTAGNAN DE L'HERAULT", "PIERRE-ALAIN", "20010617", "2001-06-17", False,
                   "101066322075460")],
    "adrtrois-toussaint": [("ADRTROIS", "TOUSSAINT", "19600101", "1960-01-01", False,
                            "160012B02077713")],
    "ecetinsi": [("ECETINSI", "PIERRE-ALAIN", "20090714", "2009-07-14", False,
                  "109076322083489")],
    "de-vinci": [("DE VINCI", "LEONARDO", "20140201", "2014-02-01", False, "114026322083356")],
    "tchitchi": [("TCHITCHI", "CATARINA", "19360621", "1936-06-21", False, "236066322083656")],
    "houilles": [("HOUILLES", "PIERRE", "19930127", "1993-01-27", False, None)],
    "corse": [("CORSE", "ANTHONY", "19800302", "1980-03-02", False, "180032B02040123")],
    "hermann": [("HERMANN", "GATIEN", "19810324", "1981-03-24", False, "181036322045660")],
    "nessi": [("NESSI", "NATHALIE", "19770714", "1977-07-14", False, "277076322082910")],
    "famille-nessi": [
        ("NESSI", "NATHALIE", "19770714", "1977-07-14", False, "277076322082910"),
        ("NESSI", "MICHELANGELO", "20100807", "2010-08-07", False, "110086322083060"),
        ("NESSI", "LUCA", "20160512", "2016-05-12", False, "277076322082910"),
        ("NESSI", "GIULIA", "20160512", "2016-05-12", False, "277076322082910"),
        ("NESSI", "RAFFAELLO-TOMMASO", "20190330", "2019-03-30", False, "277076322082910"),
    ],
    # Lunar: raw kept; the identity date follows the RNIV completion (domain.dates).
    "date-lunaire": [("ADRDEUX", "LAURENT", "19811300", "1981-12-31", True, None)],
    "t0-6c": [("ADRTROIS", "DOMINIQUE", "19970226", "1997-02-26", False, "297022A02077878")],
}

FAILS = {
    "arrachee": (CardRemovedError, "Carte retirée pendant la lecture"),
    "vitale1": (Vitale1Error, "Carte Vitale 1"),
    "bancaire": (NotVitaleError, "n'est pas une carte Vitale"),
    "cps": (NotVitaleError, "Carte CPS du praticien — insérez la carte Vitale du patient"),
}


def as_rows(card) -> list[tuple]:
    return [
        (b.birth_name, b.first_name, b.birth_date.raw, b.birth_date.iso, b.birth_date.lunar, b.nir)
        for b in card.beneficiaries
    ]
