"""Patients: round trip, INS with history, locks, documents, states, atomic actions."""

from __future__ import annotations

import pytest

from ins_tui.domain.model import Attribute, Channel, Sex, Status
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.store import FieldsLocked, NoAction, PatientNotFound, Store
from ins_tui.store.check import check_database

from .helpers import published_test_identity, traits


def test_create_and_read_back(store: Store) -> None:
    t = traits("D'ALMEIDA", "JEAN-PIERRE MARC", Sex.M, "1970-12-31", "2A004",
               first_name="JEAN-PIERRE", used_name="DUPONT", used_first_name="JP")
    pid = store.create_patient(t, channel=Channel.CARTE_VITALE, actor="accueil",
                               nir="160012B020777")  # published test NIR (Corsica)
    record = store.get_patient(pid)
    assert record is not None
    assert record.traits == t
    assert record.status is Status.PROV and record.attributes == frozenset()
    assert record.ins is None and record.locked == frozenset()
    assert record.nir == "160012B020777"
    assert [e["channel"] for e in store.identity_events(pid)] == ["CV"]
    assert store.get_patient(pid + 1) is None


def test_set_ins_records_history_locks_and_imports(store: Store) -> None:
    local = traits(first_names="PIERRE-ALAIN", used_name="MARTIN")
    pid = store.create_patient(local, actor="accueil")
    identity = published_test_identity()
    store.set_ins(pid, identity, channel=Channel.CARTE_VITALE, actor="accueil")
    record = store.get_patient(pid)
    assert record.ins == identity.ins and record.ins.matricule == "109076322083489"
    assert record.traits.first_names == "PIERRE-ALAIN MURIEL FLORIANT"
    assert record.traits.first_name == "PIERRE-ALAIN"
    assert record.traits.used_name == "MARTIN"  # never derived from INS traits
    assert {"birth_name", "first_names", "sex", "birth_date", "birthplace"} <= record.locked
    history = store.ins_history(pid)
    assert [(h["number"], h["key"], h["active"]) for h in history] == [
        ("1090763220834", "89", 1), ("2090763220834", "39", 0)]
    assert history[1]["date_start"] == "2019-03-01" and history[1]["date_end"] == "2019-02-28"
    assert [r.id for r in store.find_by_matricule("109076322083489")] == [pid]


def test_locked_fields_refuse_update_and_nothing_is_written(store: Store) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    store.set_ins(pid, published_test_identity(), actor="accueil")
    before = store.get_patient(pid)
    journal_rows = len(store.journal_for_patient(pid))
    with pytest.raises(FieldsLocked, match="date de naissance"):
        store.update_traits(pid, traits(birth_date="2009-07-15"), actor="accueil")
    assert store.get_patient(pid) == before
    assert len(store.journal_for_patient(pid)) == journal_rows
    # Unlocked (INS dropped): the change goes through.
    store.clear_ins(pid, actor="accueil")
    store.update_traits(pid, traits(birth_date="2009-07-15"), actor="accueil")
    after = store.get_patient(pid)
    assert after.traits.birth_date == "2009-07-15" and after.ins is None and not after.locked
    assert all(h["active"] == 0 for h in store.ins_history(pid))


def test_used_name_may_change_while_locked(store: Store) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    store.set_ins(pid, published_test_identity(), actor="accueil")
    store.update_traits(pid, traits(first_name="PIERRE-ALAIN", used_name="DURAND"),
                        actor="accueil")
    assert store.get_patient(pid).traits.used_name == "DURAND"
    assert [r.id for r in store.search("durand")] == [pid]


def test_qualification_flow_states_and_document(store: Store, db_path) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    with store.action("accueil", "Qualification"):
        store.set_ins(pid, published_test_identity())
        state = apply(store.get_patient(pid).state, InsiMatched())
        store.set_identity_state(pid, state)
    assert store.get_patient(pid).status is Status.RECUP
    with store.action("accueil2", "Pièce vérifiée"):
        store.record_document(pid, "CN")
        state = apply(store.get_patient(pid).state, DocumentChecked("CN"))
        store.set_identity_state(pid, state)
    record = store.get_patient(pid)
    assert record.status is Status.QUAL
    assert (record.document_type, record.document_by) == ("CN", "accueil2")
    assert record.document_at == "2026-03-02T09:30:00+01:00"
    assert [e["channel"] for e in store.identity_events(pid)] == ["SM", "INSI", "DOC"]
    assert check_database(db_path).valid


def test_action_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.action("accueil", "Création interrompue"):
        pid = store.create_patient(traits())
        store.set_ins(pid, published_test_identity())
        raise RuntimeError("coupure")
    assert store.search("ecetinsi") == []
    assert store.conn.execute("SELECT count(*) FROM ins_history").fetchone()[0] == 0
    assert store.verify_chain().rows == 0


def test_writes_outside_an_action_need_an_actor(store: Store) -> None:
    with pytest.raises(NoAction):
        store.create_patient(traits())
    with pytest.raises(PatientNotFound):
        store.set_ins(42, published_test_identity(), actor="accueil")


def test_invariant_breach_is_reported_by_check(store: Store, db_path) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    store.conn.execute("UPDATE patients SET status = 'QUAL', attributes = 'douteuse fictive' "
                       "WHERE id = ?", (pid,))
    report = check_database(db_path)
    assert not report.valid
    item, sealed = [i for i in report.items if not i.ok]
    assert (item.name, sealed.name) == ("identités", "fiches scellées")
    assert f"patient n° {pid}" in item.details[0] and "douteuse et fictive" in item.details[0]
    assert "modifiée hors de l'application" in sealed.details[0]


def test_attributes_round_trip(store: Store) -> None:
    from ins_tui.domain.status import IdentityState

    pid = store.create_patient(traits(), actor="accueil")
    state = IdentityState.build(frozenset({Attribute.DOUTEUSE, Attribute.HOMONYME}))
    store.set_identity_state(pid, state, actor="accueil")
    assert store.get_patient(pid).state == state
