"""No name, birth date, NIR or INS reaches the application log during INSi exchanges.

Every logger (client, simulator, zeep, the TLS stack) is captured at DEBUG while the
real client talks to the real simulator over mutual TLS: found, not found, several
first names, keys failing mod 97 (their warnings quote a masked matricule), service
faults, hostile and truncated answers, a carte Vitale search and a locally refused
input. The log must still say what happened, so a silenced logger cannot pass.
"""

from __future__ import annotations

import logging

import pytest

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.couverture import Couverture, VitaleQuery
from ins_tui.insi.outcomes import Found, InsiError, NotFound

# Each value is sent or received below; none may appear in the log.
SECRETS = (
    "ECETINSI", "PIERRE-ALAIN", "MURIEL", "2009-07-14", "1090763220834", "2090763220834",
    "HERMANN", "GATIEN", "1981-03-24", "1810363220456", "2810363220456",
    "TCHITCHI", "CATARINA", "1936-06-21", "2360663220836",
    "ADRUN", "ZOE", "1975-12-31", "2751263220749",
    "INCONNU", "1950-01-01", "COEUR", "CŒUR",
)


def _traits(name: str, first_names: str, sex: str, date: str) -> Traits:
    return Traits(birth_name=name, first_names=first_names, sex=Sex(sex), birth_date=date)


def test_insi_exchanges_log_no_identity(client, sim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    lenient = InsiClient(sim.client_settings(bad_active_key="warn"))  # CNDA 2.08 cas 2 kept
    outcomes = [
        client.search_traits(_traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14")),
        lenient.search_traits(_traits("HERMANN", "GATIEN", "M", "1981-03-24")),
        client.search_traits(_traits("TCHITCHI", "OLA CATARINA", "F", "1936-06-21")),
        client.search_traits(_traits("INCONNU", "JEAN", "M", "1950-01-01")),
        client.search_traits(_traits("DAEION", "CŒUR", "M", "1987-01-01")),
        client.search_vitale(
            VitaleQuery(birth_name="ADRUN", birth_date="1975-12-31",
                        beneficiary_nir="2751263220749"),
            Couverture(grand_regime="01", organisme="631", insured_number="2751263220749",
                       insured_key="74", beneficiary_nir="2751263220749",
                       birth_date="1975-12-31", rank=1),
        ),
    ]
    sim.qualification = True
    outcomes.append(client.search_traits(_traits("INCONNU", "JEAN", "M", "1950-01-01")))
    sim.qualification = False
    for mode in ("xxe", "bomb", "truncated"):
        sim.evil = mode
        outcomes.append(client.search_traits(_traits("ECETINSI", "PIERRE-ALAIN", "M",
                                                     "2009-07-14")))
    sim.evil = None
    sim.fault_rate = 1.0
    outcomes.append(client.search_traits(_traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14")))
    sim.fault_rate = 0.0
    # Incoherent answers: refused, and the log names the rule codes, never the values.
    outcomes.append(client.search_traits(_traits("HERMANN", "GATIEN", "M", "1981-03-24")))
    for mode in ("sex_mismatch", "long_name"):
        sim.evil = mode
        outcomes.append(client.search_traits(_traits("ECETINSI", "PIERRE-ALAIN", "M",
                                                     "2009-07-14")))
    sim.evil = None
    lenient.close()

    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == ["Found", "Found", "Found", "NotFound", "InsiError", "Found",
                     "InsiError", "InsiError", "InsiError", "InsiError", "InsiError",
                     "InsiError", "InsiError", "InsiError"]
    hermann = outcomes[1]
    assert isinstance(hermann, Found) and hermann.warnings  # mod-97 warnings were produced
    assert isinstance(outcomes[3], NotFound) and isinstance(outcomes[4], InsiError)

    text = caplog.text
    assert "CR 00" in text and "CR 01" in text and "fault" in text  # the log did speak
    assert "hostile answer refused" in text and "malformed answer" in text
    assert "refused as incoherent (ins/ins.key_mod97)" in text
    leaked = [s for s in SECRETS if s in text]
    assert leaked == [], f"identity data in the log: {leaked}"
    # The mod-97 warnings (shown to the user) quote only the last four characters.
    for warning in hermann.warnings:
        assert "1810363220456" not in warning and "2810363220456" not in warning
