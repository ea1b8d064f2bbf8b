"""ApCV, document step, attributes and unlock — paths that need no INSi answer.

The desk here is built with a recording INSi port that fails the test if called: the
point of these flows is precisely that no INSi request is sent.
"""

from __future__ import annotations

import pytest

from ins_tui.desk.desk import Desk
from ins_tui.desk.ports import TrainingApcv
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Attribute, Channel, Status
from tests.desk.conftest import form


class NoCallInsi:
    """An INSi port that records calls; these flows must leave `calls` empty."""

    def __init__(self) -> None:
        self.calls: list = []

    def search_traits(self, traits, *, birthplace=None):
        self.calls.append(traits)
        raise AssertionError("INSi must not be called here")


@pytest.fixture
def spy() -> NoCallInsi:
    return NoCallInsi()


@pytest.fixture
def desk(store, clock, spy) -> Desk:
    return Desk(store, spy, clock, "secretaire", apcv=TrainingApcv(),
                documents=("CN", "PA", "LE"))


def test_apcv_holder_and_dependants_become_qual_without_insi(desk, spy, store):
    presented = desk.apcv_identities()
    assert [p.role_fr for p in presented] == ["assuré", "ayant droit", "ayant droit"]
    # The holder is already known locally (typed at the desk): the secretary confirms.
    pid = desk.create_patient(form(birth_name="Apcvtest", first_names="Claire",
                                   birth_date="14/07/1985")).patient_id
    candidates = desk.apcv_candidates(presented[0])
    assert [c.id for c in candidates] == [pid]
    outcome = desk.apcv_present(presented[0], pid)
    assert outcome.ok and outcome.status is Status.QUAL
    rec = desk.get_patient(pid)
    assert rec.ins.matricule == presented[0].identity.ins.matricule
    assert rec.traits.first_names == "CLAIRE MARIE"  # the app's INS traits
    # A dependant unknown locally is created from the app.
    child = desk.apcv_present(presented[1], None)
    assert child.status is Status.QUAL
    channels = [e["channel"] for e in store.identity_events(pid)]
    assert str(Channel.APCV) in channels
    assert spy.calls == []
    # Already QUAL through ApCV: the card flow does not call INSi either.
    refused = desk.retrieve_ins(pid, Channel.INSI)
    assert refused.kind is InsiResultKind.REFUSED
    assert spy.calls == []


def test_douteuse_forbids_insi(desk, spy):
    pid = desk.create_patient(form()).patient_id
    assert desk.set_attribute(pid, Attribute.DOUTEUSE, True).status is Status.PROV
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.REFUSED
    assert "interdit" in result.message_fr
    assert spy.calls == []
    # Douteuse and fictive together are refused by the machine, with a French reason.
    both = desk.set_attribute(pid, Attribute.FICTIVE, True)
    assert not both.ok and "à la fois" in both.message_fr


def test_document_on_prov_gives_vali_and_qualify_needs_an_insi_identity(desk, clock):
    pid = desk.create_patient(form()).patient_id
    assert [d.code for d in desk.document_choices()] == ["CN", "PA", "LE"]
    no_insi = desk.qualify(pid, "CN")
    assert not no_insi.ok and "INSi" in no_insi.message_fr
    assert not desk.record_document(pid, None).ok  # none pre-selected: a choice is required
    assert not desk.record_document(pid, "PC").ok  # not in the configured list
    desk.actor = "Mme Operatrice"
    vali = desk.record_document(pid, "PA")
    assert vali.ok and vali.status is Status.VALI
    rec = desk.get_patient(pid)
    assert rec.document_type == "PA" and rec.document_by == "Mme Operatrice"
    assert rec.document_at.startswith(clock.now().date().isoformat())
    assert not desk.needs_document(pid)


def test_unlock_after_apcv_drops_status_and_ins(desk):
    assert desk.apcv_present(desk.apcv_identities()[2], None).ok
    pid = desk.apcv_candidates(desk.apcv_identities()[2])[0].id
    assert desk.get_patient(pid).status is Status.QUAL
    out = desk.unlock_insi_fields(pid)
    assert out.ok and out.status is Status.PROV
    rec = desk.get_patient(pid)
    assert rec.ins is None and rec.locked == frozenset()
    assert any("déverrouillage" in r.action for r in desk.journal_for_patient(pid))
    # Nothing left to unlock: refused with the machine's French reason.
    assert not desk.unlock_insi_fields(pid).ok


def test_card_matching_several_beneficiaries(desk, spy):
    from tests.desk.conftest import read_card

    family = read_card("famille-nessi")
    assert len(family) == 5
    assert desk.pick_beneficiary(family) is None  # several: the secretary chooses
    assert desk.pick_beneficiary(family[:1]) is family[0]
    mother = desk.match_beneficiary(family[0])
    assert mother.patient is None and mother.needs_insi
    assert mother.prepared.traits.sex.value == "F"  # NIR agrees with the birth date
    twin = desk.match_beneficiary(family[2])
    # The card NIR is the mother's (year/month disagree): the sex is not guessed from it.
    assert twin.prepared.traits.sex is None and not twin.needs_insi
    assert "sexe" in twin.message_fr
    # Nothing was written by reading the card.
    assert desk.search_patients("NESSI") == []
    # A known patient is found by traits.
    pid = desk.create_patient(form(birth_name="Nessi", first_names="Michelangelo", sex="M",
                                   birth_date="07/08/2010")).patient_id
    again = desk.match_beneficiary(family[1])
    assert again.patient.id == pid and again.found_by in ("nir", "traits")
    assert spy.calls == []
