"""Patient creation/edit through the domain rules, duplicate warnings, arrivals."""

from __future__ import annotations

import pytest

from ins_tui.desk.duplicates import close_names, phonetic_key
from ins_tui.desk.results import DuplicateReason, VisitState
from ins_tui.domain.model import Attribute, Status
from tests.desk.conftest import form


def test_check_form_normalises_and_explains_in_french(desk):
    check = desk.check_form(form(birth_name="  dupont-lajoie ", first_names="élodie"))
    assert check.ok
    assert check.traits.birth_name == "DUPONT-LAJOIE"
    assert check.traits.first_names == "ELODIE"
    assert check.warnings  # the rewrite is announced before saving


def test_bad_input_is_refused_with_the_character_named_and_nothing_saved(desk, store):
    outcome = desk.create_patient(form(birth_name="DUP0NT"))
    assert outcome.patient_id is None
    assert any("0" in p.message for p in outcome.check.errors)
    assert store.search("DUP") == []


def test_used_names_are_never_filled_from_birth_names(desk):
    outcome = desk.create_patient(form())
    rec = desk.get_patient(outcome.patient_id)
    assert rec.status is Status.PROV
    assert rec.traits.used_name is None and rec.traits.used_first_name is None


def test_duplicate_warnings_block_until_acknowledged(desk, store):
    first = desk.create_patient(form()).patient_id
    same_name = desk.create_patient(form(first_names="Claire"))
    assert same_name.patient_id is None
    assert [d.reason for d in same_name.duplicates] == [DuplicateReason.SAME_BIRTH_NAME_AND_DATE]
    assert same_name.duplicates[0].patient_id == first
    assert "DUPONT" in same_name.duplicates[0].label_fr
    forced = desk.create_patient(form(first_names="Claire"), accept_duplicates=True)
    assert forced.patient_id is not None
    # Same birth name and date: an homonym, flagged so every screen shows it.
    assert Attribute.HOMONYME in desk.get_patient(forced.patient_id).attributes
    # "Create anyway" is journaled with the candidates, in the creation's own action.
    rows = store.journal_for_patient(forced.patient_id)
    assert {r.action_id for r in rows} == {rows[0].id}, rows
    assert {r.action for r in rows} == {"création malgré un doublon possible"}
    confirmed = [r for r in rows if r.event == "création confirmée malgré un doublon possible"]
    assert len(confirmed) == 1 and f'"doublons": [{first}]' in confirmed[0].after_json
    assert not any("doublon" in r.action for r in store.journal_for_patient(first))


def test_first_name_and_phonetic_duplicates(desk):
    desk.create_patient(form())
    married = desk.create_patient(form(birth_name="Martin", first_names="Marie"))
    assert [d.reason for d in married.duplicates] == [DuplicateReason.SAME_FIRST_NAME_AND_DATE]
    typo = desk.create_patient(form(birth_name="Dupond", first_names="Sophie"))
    assert [d.reason for d in typo.duplicates] == [DuplicateReason.CLOSE_NAME_SAME_DATE]
    other_day = desk.create_patient(form(birth_name="Dupond", birth_date="02/02/1980"))
    assert other_day.duplicates == [] and other_day.patient_id is not None


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [("DUPONT", "DUPOND", True), ("PHILIPPE", "FILIPE", True), ("GAUTHIER", "GAUTIER", True),
     ("LEFEBVRE", "LEFEVRE", False), ("BERNARDIN", "BERNARD", True), ("MARTIN", "DURAND", False),
     ("LI", "LIU", False)],
)
def test_close_names(a, b, close):
    assert close_names(a, b) is close, (phonetic_key(a), phonetic_key(b))


def test_edit_keeps_locked_insi_fields(desk):
    pid = desk.create_patient(form()).patient_id
    ok = desk.edit_patient(pid, form(used_name="Durand"))
    assert ok.ok and desk.get_patient(pid).traits.used_name == "DURAND"
    # ApCV gives a QUAL identity whose INS traits are locked.
    holder = desk.apcv_identities()[0]
    desk.apcv_present(holder, pid)
    assert desk.locked_fields(pid) >= {"birth_name", "sex", "birth_date"}
    refused = desk.edit_patient(pid, form(birth_name="Autre", first_names="Claire Marie",
                                          used_name="Durand"))
    assert not refused.ok
    assert {p.field for p in refused.check.errors} >= {"birth_name"}
    assert desk.get_patient(pid).traits.birth_name == "APCVTEST"
    # Non-INSi fields stay editable.
    rec = desk.get_patient(pid).traits
    same = form(birth_name=rec.birth_name, first_names=rec.first_names, sex="F",
                birth_date="14/07/1985", birthplace="63220", used_name="Leblanc")
    assert desk.edit_patient(pid, same).ok
    assert desk.get_patient(pid).traits.used_name == "LEBLANC"


def test_arrivals_day_list(desk, clock):
    a = desk.create_patient(form()).patient_id
    b = desk.create_patient(form(birth_name="Martin", first_names="Paul", sex="M",
                                 birth_date="03/04/1990")).patient_id
    va = desk.add_arrival(a, "Dr Martin")
    vb = desk.add_arrival(b, "Dr Bernard")
    assert [v.id for v in desk.day_list()] == [va, vb]
    version = desk.data_version()
    desk.move_arrival(vb, -1)
    assert [v.id for v in desk.day_list()] == [vb, va]
    assert desk.data_version() > version
    desk.set_arrival_state(va, VisitState.EN_CONSULTATION)
    desk.set_arrival_state(vb, "parti")
    states = {v.id: v.state for v in desk.day_list()}
    assert states == {va: "en_consultation", vb: "parti"}
    from ins_tui.desk.base import DeskError

    with pytest.raises(DeskError, match="inconnu"):
        desk.set_arrival_state(va, "envolé")


def test_journal_for_patient_and_day(desk):
    pid = desk.create_patient(form()).patient_id
    desk.add_arrival(pid, "Dr Martin")
    rows = desk.journal_for_patient(pid)
    assert {r.actor for r in rows} == {"secretaire"}
    assert len(desk.journal_for_day()) >= len(rows)


def test_day_list_order_waiting_first_and_moves_stay_within_a_state(desk):
    """Waiting (order of passage), then in consultation, then gone; "+" passes the line
    shown just above even when visits of other states sit between them in the store."""
    ids = [
        desk.create_patient(form(birth_name=name, first_names=first, birth_date=born),
                            accept_duplicates=True).patient_id
        for name, first, born in (
            ("Alpha", "Anne", "01/01/1970"), ("Bravo", "Bea", "02/02/1971"),
            ("Charlie", "Cloe", "03/03/1972"), ("Delta", "Dora", "04/04/1973"),
        )
    ]
    va, vb, vc = (desk.add_arrival(pid, "Dr Martin") for pid in ids[:3])
    desk.set_arrival_state(va, "parti")
    desk.set_arrival_state(vb, VisitState.EN_CONSULTATION)
    assert [v.id for v in desk.day_list()] == [vc, vb, va]
    vd = desk.add_arrival(ids[3], "Dr Bernard")
    assert [v.id for v in desk.day_list()] == [vc, vd, vb, va]
    desk.move_arrival(vd, -1)  # passes vc although va and vb sit between them by position
    assert [v.id for v in desk.day_list()] == [vd, vc, vb, va]
    desk.move_arrival(vd, -1)  # already first of the waiting ones: nothing moves
    assert [v.id for v in desk.day_list()] == [vd, vc, vb, va]
    desk.move_arrival(vd, +5)  # clamped to the last waiting place, never among the gone
    assert [v.id for v in desk.day_list()] == [vc, vd, vb, va]
    desk.set_arrival_state(va, "en_attente")  # back in the waiting room: its old place
    assert [v.id for v in desk.day_list()] == [va, vc, vd, vb]
