"""The store refuses invalid identities on every write path; `db check` re-runs the rules.

Tried (issue 9 item 3): NUL, empty, control and right-to-left override characters,
impossible dates, and states the status machine never produces, through each write
path of `ins_tui/store/`. Each refusal is a typed `InvalidIdentity` with a French message
that names the field and rule but not the value, and leaves the file as it was.
Then the same values written behind the store's back with `sqlite3`: `db check` lists
each offender (masked) and exits non-zero.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.domain.model import Attribute, Channel, Ins, InsIdentity, Status
from ins_tui.domain.status import IdentityState, InsiMatched, apply
from ins_tui.store import Store
from ins_tui.store.errors import InvalidIdentity

from .helpers import published_test_identity, traits

BAD_TRAITS = {
    "nul": {"birth_name": "DUP\x00ONT"},
    "empty_birth_name": {"birth_name": ""},
    "empty_first_names": {"first_names": ""},
    "bidi_override": {"birth_name": "\u202eTNOPUD"},
    "control_char": {"first_names": "PAUL\x07"},
    "lower_case_kept_raw": {"birth_name": "Dupont"},
    "thirtieth_february": {"birth_date": "1800-02-30"},
    "before_1850": {"birth_date": "1800-01-01"},
    "future": {"birth_date": "2099-01-01"},
    "not_iso": {"birth_date": "14/07/2009"},
    "no_sex": {"sex": None},
    "first_name_incoherent": {"first_name": "JACQUES"},
    "used_name_bidi": {"used_name": "DUPONT\u202e"},
    "postcode_as_birthplace": {"birthplace": "6322"},
    "over_long_name": {"birth_name": "A" * 50_000},
}

SECRETS = ("DUP", "TNOPUD", "Dupont", "JACQUES", "AAAAAAAAAA")


def _state_of(store: Store) -> tuple:
    """Everything a refused action could have touched."""
    return (
        store.conn.execute("SELECT * FROM patients ORDER BY id").fetchall(),
        store.conn.execute("SELECT count(*) FROM journal").fetchone()[0],
        store.conn.execute("SELECT count(*) FROM ins_history").fetchone()[0],
        store.conn.execute("SELECT count(*) FROM identity_events").fetchone()[0],
    )


def _refused(store: Store, call) -> InvalidIdentity:
    before = [tuple(r) for r in _state_of(store)[0]], _state_of(store)[1:]
    with pytest.raises(InvalidIdentity) as caught:
        call()
    after = [tuple(r) for r in _state_of(store)[0]], _state_of(store)[1:]
    assert after == before, "a refused write left something behind"
    message = str(caught.value)
    assert message.startswith("Identité refusée") and "Rien n'a été enregistré" in message
    for secret in SECRETS:
        assert secret not in message
    return caught.value


@pytest.mark.parametrize("case", sorted(BAD_TRAITS))
def test_create_patient_refuses(store: Store, case: str) -> None:
    bad = dataclasses.replace(traits(), **BAD_TRAITS[case])
    _refused(store, lambda: store.create_patient(bad, actor="accueil"))


@pytest.mark.parametrize("case", sorted(BAD_TRAITS))
def test_update_traits_refuses(store: Store, case: str) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    bad = dataclasses.replace(traits(), **BAD_TRAITS[case])
    error = _refused(store, lambda: store.update_traits(pid, bad, actor="accueil"))
    assert error.patient_id == pid


@pytest.mark.parametrize("case", ["nul", "future", "over_long_name", "bidi_override"])
def test_set_ins_refuses_bad_ins_traits(store: Store, case: str) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    good = published_test_identity()
    bad = dataclasses.replace(good, traits=dataclasses.replace(good.traits, **BAD_TRAITS[case]))
    _refused(store, lambda: store.set_ins(pid, bad, actor="accueil"))


@pytest.mark.parametrize(("number", "key", "oid"), [
    ("1090763220834", "89", "1.2.3.4.5"),        # foreign OID
    ("10907632208\x004", "89", "1.2.250.1.213.1.4.8"),  # NUL in the number
    ("109076322083", "89", "1.2.250.1.213.1.4.8"),  # 12 characters
    ("1090763220834", "8", "1.2.250.1.213.1.4.8"),  # one-digit key
])
def test_set_ins_refuses_a_malformed_ins(store: Store, number: str, key: str,
                                         oid: str) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    bad = InsIdentity(Ins(number, key, oid), traits())
    _refused(store, lambda: store.set_ins(pid, bad, actor="accueil"))


def test_set_nir_refuses_garbage(store: Store) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    _refused(store, lambda: store.set_nir(pid, "12\u202e34", actor="accueil"))


def test_status_needing_an_ins_is_refused_without_one(store: Store) -> None:
    """RECUP/QUAL carry the INSi fact: without an INS stored the state is refused."""
    pid = store.create_patient(traits(), actor="accueil")
    recup = apply(IdentityState(), InsiMatched())
    assert recup.status is Status.RECUP
    _refused(store, lambda: store.set_identity_state(pid, recup, actor="accueil"))


def test_clearing_the_ins_of_a_recup_identity_alone_is_refused(store: Store) -> None:
    """The desk drops the status first, then the INS; dropping only the INS is refused."""
    pid = store.create_patient(traits(), actor="accueil")
    with store.action("accueil", "INS"):
        store.set_ins(pid, published_test_identity())
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
    _refused(store, lambda: store.clear_ins(pid, actor="accueil"))


def test_one_bad_write_undoes_the_whole_action(store: Store) -> None:
    """The rules are judged on what the action leaves: nothing of it is kept."""
    def action() -> None:
        with store.action("accueil", "carte"):
            pid = store.create_patient(traits(), actor="accueil")
            store.append("insi.exchange", patient_id=pid, insi_request=b"<r/>")
            store.update_traits(pid, dataclasses.replace(traits(), birth_date="2099-01-01"))
    _refused(store, action)
    assert store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 0


def test_transient_states_inside_one_action_are_allowed(store: Store) -> None:
    """INS imported then status moved, in one action: only the end state is judged."""
    pid = store.create_patient(traits(), actor="accueil")
    with store.action("accueil", "INS"):
        store.set_ins(pid, published_test_identity())
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
    assert store.get_patient(pid).status is Status.RECUP


def test_valid_edge_values_are_accepted(store: Store) -> None:
    """The rules refuse what is wrong, not what is unusual."""
    for t in (traits("D'ALMEIDA", "JEAN-PIERRE", birth_date="1850-01-01"),
              traits("N'DIAYE--SOW", "AWA", birthplace="99350"),
              traits(birthplace=None), traits(used_name="DUPONT", used_first_name="JP")):
        store.create_patient(t, actor="accueil")
    pid = store.create_patient(traits(), actor="accueil")
    with store.action("accueil", "douteuse"):
        from ins_tui.domain.status import AttributeSet
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            AttributeSet(Attribute.DOUTEUSE)))


# -- the same values behind the store's back --------------------------------------------

DIRECT = [
    ("birth_name", "DUP\x00ONT", "Nom de naissance : caractère non admis"),
    ("birth_name", "", "Nom de naissance : vide"),
    ("first_names", "\u202ePAUL", "Prénoms de naissance : caractère non admis"),
    ("birth_date", "1800-02-30", "Date de naissance : date de naissance hors calendrier"),
    ("birth_date", "2099-01-01", "Date de naissance : date de naissance future"),
    ("ins_oid", "1.2.3.4.5", "INS : OID de l'INS inconnu"),
    ("document_checked", 1, "Statut : Statut PROV incohérent"),
]


def test_db_check_lists_each_offender_masked(store: Store, db_path: Path, capsys) -> None:
    ids = []
    for _ in DIRECT:
        pid = store.create_patient(traits(), actor="accueil")
        store.set_ins(pid, published_test_identity(), actor="accueil")
        ids.append(pid)
    clean = store.create_patient(traits(birth_name="SAIN"), actor="accueil")
    store.close()
    raw = sqlite3.connect(db_path, isolation_level=None)
    for pid, (column, value, _) in zip(ids, DIRECT, strict=True):
        raw.execute(f"UPDATE patients SET {column} = ? WHERE id = ?", (value, pid))
    raw.close()
    code = main(["db", "check", "--db", str(db_path), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 2 and not doc["valid"]
    item = next(c for c in doc["checks"] if c["name"] == "identités")
    assert not item["ok"]
    for pid, (_, _, words) in zip(ids, DIRECT, strict=True):
        line = next(d for d in item["details"] if d.startswith(f"patient n° {pid} :"))
        assert words in line, line
    assert not any(d.startswith(f"patient n° {clean} ") for d in item["details"])
    assert "DUP" not in json.dumps(doc) and "2099" not in json.dumps(doc)
    # The human output says the same and ends on the verdict.
    code = main(["db", "check", "--db", str(db_path)])
    out = capsys.readouterr().out
    assert code == 2 and "Base NON valide" in out and "[ÉCHEC] identités" in out


def test_demo_data_passes_the_rules_and_is_sealed(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo-data", "--db", str(db), "--patients", "300", "--seed", "7"]) == 0
    capsys.readouterr()
    code = main(["db", "check", "--db", str(db), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["valid"], [c for c in doc["checks"] if not c["ok"]]


def test_card_channel_round_trip_still_works(store: Store) -> None:
    pid = store.create_patient(traits(), channel=Channel.CARTE_VITALE, actor="accueil",
                               nir="109076322083489")
    assert store.get_patient(pid).nir == "109076322083489"


def test_set_ins_refuses_a_foreign_oid_in_the_history(store: Store) -> None:
    from ins_tui.domain.model import InsHistoryEntry

    pid = store.create_patient(traits(), actor="accueil")
    good = published_test_identity()
    bad = dataclasses.replace(good, history=(
        InsHistoryEntry(Ins("2090763220834", "39", "1.2.3.4.5")),))
    error = _refused(store, lambda: store.set_ins(pid, bad, actor="accueil"))
    assert "Historique des INS : OID" in str(error)


def test_db_check_judges_the_ins_history(store: Store, db_path: Path, capsys) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    store.set_ins(pid, published_test_identity(), actor="accueil")
    store.close()
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("UPDATE ins_history SET oid = '1.2.3.4.5' WHERE active = 0")
    raw.close()
    assert main(["db", "check", "--db", str(db_path), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    item = next(c for c in doc["checks"] if c["name"] == "identités")
    assert any("Historique des INS : OID" in d for d in item["details"]), item
