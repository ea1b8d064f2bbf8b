"""Hostile but well-formed CR 00 answers, through the real client and the real simulator.

Each answer is valid SOAP for the person asked for, with one field corrupted by the
simulator (`sim.evil`); the client must refuse it as incoherent — never as « found » —
keep the exchange for the journal, and say why in French without a name or a NIR.
"""

from __future__ import annotations

import pytest

from ins_tui.domain.model import INS_OIDS, Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.couverture import Couverture, VitaleQuery
from ins_tui.insi.outcomes import ErrorKind, Found, InsiError
from ins_tui.insi.simulator import FOREIGN_OID, HOSTILE_ANSWER_MODES

ECETINSI = Traits("ECETINSI", "PIERRE-ALAIN", Sex.M, "2009-07-14")
# Values of the person asked for: none may appear in the French message.
SECRETS = ("ECETINSI", "PIERRE-ALAIN", "MURIEL", "FLORIANT", "2009", "1090763220834",
           "2090763220834", "63220", FOREIGN_OID, "AAAAAAAAAA")

CASES = [
    ("foreign_oid", "INS : OID de l'INS inconnu ou non admis ici"),
    ("future_birth", "Date de naissance : date de naissance future"),
    ("sex_mismatch", "INS : sexe codé dans le matricule différent du sexe des traits"),
    ("long_name", "Nom de naissance : trop long"),
    ("bad_key", "INS : clé de l'INS ne vérifiant pas le modulo 97"),
    ("histo_foreign_oid", "Historique des INS : OID de l'INS inconnu ou non admis ici"),
]


def test_every_hostile_mode_is_tested() -> None:
    assert {mode for mode, _ in CASES} == set(HOSTILE_ANSWER_MODES)


@pytest.mark.parametrize(("mode", "reason"), CASES, ids=[c[0] for c in CASES])
def test_hostile_cr_00_is_refused_as_incoherent(client, sim, mode, reason) -> None:
    sim.evil = mode
    out = client.search_traits(ECETINSI)
    assert isinstance(out, InsiError), out
    assert out.kind is ErrorKind.INCOHERENT and not out.retryable
    assert out.message_fr.startswith("Réponse INSi incohérente : ")
    assert reason in out.message_fr
    assert out.message_fr.endswith("rien n'a été enregistré, l'identité garde son statut.")
    leaked = [s for s in SECRETS if s in out.message_fr]
    assert leaked == [], leaked
    # The exchange is kept byte for byte (the desk journals it) and says why, by code only.
    (attempt,) = out.attempts
    assert attempt.cr == "00" and attempt.request == sim.received[-1]
    assert b"<CodeCR>00</CodeCR>" in attempt.response
    assert attempt.error.startswith("incoherent answer refused: ")
    assert "ECETINSI" not in attempt.error
    # What INSi said rides along, for the operator to see and report.
    assert out.identity is not None and out.identity.ins.number == "1090763220834"


def test_long_name_arrives_whole_and_is_refused(client, sim) -> None:
    sim.evil = "long_name"
    out = client.search_traits(ECETINSI)
    assert isinstance(out, InsiError) and len(out.identity.traits.birth_name) == 50_000
    assert len(out.message_fr) < 300


def test_bad_active_key_kept_and_flagged_under_the_warn_policy(sim) -> None:
    sim.evil = "bad_key"
    with InsiClient(sim.client_settings(bad_active_key="warn")) as c:
        out = c.search_traits(ECETINSI)
    assert isinstance(out, Found) and not out.identity.ins.key_ok
    assert len(out.warnings) == 1 and "modulo 97 : conservée telle que reçue" in out.warnings[0]
    # Every other rule still refuses under that policy.
    sim.evil = "foreign_oid"
    with InsiClient(sim.client_settings(bad_active_key="warn")) as c:
        refused = c.search_traits(ECETINSI)
    assert isinstance(refused, InsiError) and refused.kind is ErrorKind.INCOHERENT


def test_vitale_search_answers_are_judged_too(client, sim) -> None:
    sim.evil = "sex_mismatch"
    out = client.search_vitale(VitaleQuery(birth_name="ADRUN", birth_date="1975-12-31",
                                           beneficiary_nir="2751263220749"), Couverture())
    assert isinstance(out, InsiError) and out.kind is ErrorKind.INCOHERENT


def test_training_accepts_every_ins_oid_production_only_nir_and_nia(sim) -> None:
    """The simulator's settings admit the test/demo OIDs; a configured endpoint does not."""
    from ins_tui.config import Config
    from ins_tui.domain.ins_answer import PRODUCTION_OIDS
    from ins_tui.insi.settings import settings_from_config

    assert sim.client_settings().accepted_oids == INS_OIDS
    production = settings_from_config(Config(insi_endpoint="https://x/lps", insi_p12="s.p12"))
    assert production.accepted_oids == PRODUCTION_OIDS
    assert production.bad_active_key == "refuse"
    warn = settings_from_config(Config(insi_endpoint="https://x/lps", insi_bad_active_key="warn"))
    assert warn.bad_active_key == "warn"


def test_coherent_answers_still_found_with_production_oids(sim) -> None:
    """Live identities answer .8 (and .9 for the NIA of CNDA 2.05): nothing to refuse."""
    with InsiClient(sim.client_settings(accepted_oids=frozenset({
            "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"}))) as c:
        out = c.search_traits(ECETINSI)
        nia = c.search_traits(Traits("PROVISOIRE", "MATRICULE", Sex.M, "2009-07-01"))
    assert isinstance(out, Found) and out.warnings == ()
    assert isinstance(nia, Found) and nia.identity.ins.oid.endswith(".9")
