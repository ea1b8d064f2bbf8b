"""Identities brought to each state through the desk's own use cases (shared by the tests).

Test identities only: the simulator's CNDA identities (published test INS, OID `.8` as the
qualification server answers) and the training ApCV ones (OID `.10`).
"""

from __future__ import annotations

from ins_tui.desk.desk import Desk
from ins_tui.domain.model import Attribute, Channel
from tests.desk.conftest import form

LOCAL = "urn:uuid:00000000-0000-4000-8000-000000000001"


def adrtrois(**kw: str):
    base = dict(birth_name="Adrtrois", first_names="Toussaint", sex="M",
                birth_date="01/01/1960", birthplace="2B020")
    base.update(kw)
    return form(**base)


def ecetinsi():
    """The published test INS 1090763220834 89, with one former matricule (CNDA 2.04)."""
    return form(birth_name="Ecetinsi", first_names="Pierre-Alain Muriel Floriant", sex="M",
                birth_date="14/07/2009", birthplace="63220")


def make(desk: Desk, kind: str) -> int:
    """A patient in one of the named states, reached through the desk's own use cases."""
    if kind == "apcv":
        presented = desk.apcv_identities()[0]
        outcome = desk.apcv_present(presented, None)
        assert outcome.ok, outcome.message_fr
        (rec,) = desk.store.find_by_matricule(presented.identity.ins.matricule)
        return rec.id
    identity = ecetinsi() if kind == "qual_history" else adrtrois()
    if kind == "prov":
        identity = form()
    if kind == "vali_le":  # a family record book proves a minor's identity only (F15)
        identity = form(birth_date="14/07/2015")
    pid = desk.create_patient(identity).patient_id
    if kind in ("recup", "qual", "qual_history", "douteuse"):
        result = desk.retrieve_ins(pid, Channel.INSI)
        assert result.kind.value == "matched", result.message_fr
    if kind == "recup_cv":
        result = desk.retrieve_ins(pid, Channel.CARTE_VITALE)
        assert result.kind.value == "matched", result.message_fr
    if kind in ("qual", "qual_history"):
        assert desk.qualify(pid, "CN").ok
    if kind == "vali":
        assert desk.record_document(pid, "PA").ok
    if kind == "vali_le":
        assert desk.record_document(pid, "LE").ok
    if kind == "douteuse":
        assert desk.set_attribute(pid, Attribute.DOUTEUSE, True).ok
    return pid
