"""FR Core Patient built from stored identities: every status and channel, parsed back.

Tried: identities brought to PROV, RECUP (traits search and carte Vitale channel), VALI,
QUAL (document, appli carte Vitale), a douteuse one, and the published test INS with a
former matricule; each resource parsed back by `fhir.resources` R4B and checked against
the FR Core rules ins-tui relies on. Also: resources tampered into breaking a rule (the
checks must say so), the interop.md §1.8 golden example, an identity that cannot be
written (a French refusal, nothing built).
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from fhir.resources.R4B.patient import Patient
from fhir_fixtures import (  # noqa: F401 (fixtures, used by name)
    clock_fixture,
    db_path_fixture,
    desk_fixture,
    insi_fixture,
    simulator_fixture,
    store_fixture,
)
from fhir_identities import LOCAL, make

from ins_tui.domain.model import Ins
from ins_tui.fhir import codes
from ins_tui.fhir.bundle import json_bytes
from ins_tui.fhir.checks import fr_core_problems
from ins_tui.fhir.patient import FhirBuildError, build_patient, patient_from_store


def _reliability(resource: dict) -> dict[str, object]:
    (ext,) = [e for e in resource["extension"] if e["url"] == codes.EXT_IDENTITY_RELIABILITY]
    out: dict[str, object] = {}
    for sub in ext["extension"]:
        value = (sub.get("valueCoding", {}).get("code") or sub.get("valueDate")
                 or sub.get("valueCodeableConcept", {}).get("coding", [{}])[0].get("code"))
        out.setdefault(sub["url"], []).append(value)  # type: ignore[union-attr]
    return out


def _ins_identifiers(resource: dict) -> list[dict]:
    systems = {f"urn:oid:{oid}" for oid in codes.INS_IDENTIFIER_TYPES}
    return [i for i in resource["identifier"] if i["system"] in systems]


def _parsed(resource: dict) -> dict:
    """Through the bytes that leave, back through the model: what a receiver would read."""
    model = Patient.model_validate_json(json_bytes(resource))
    return model.model_dump(mode="json", exclude_none=True)


# status, method of collection, validation mode, INSi date expected, INS sent
CASES = {
    "prov": ("PROV", "SM", None, False, False),
    "recup": ("RECUP", "INSI", None, True, False),
    "recup_cv": ("RECUP", "CV", None, True, False),
    "vali": ("VALI", "SM", "PA", False, False),
    "vali_le": ("VALI", "SM", None, False, False),  # LE is not in the FR Core list
    "qual": ("QUAL", "INSI", "CN", True, True),
    "apcv": ("QUAL", "AV", "AV", False, True),
    "douteuse": ("PROV", "SM", None, False, False),  # INS dropped: back to the manual one
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_status_and_channel_gives_a_valid_fr_core_patient(desk, store, kind):
    """Built from the store, parsed back, FR Core checks clean, the right codes."""
    status, method, mode, insi_date, ins_sent = CASES[kind]
    pid = make(desk, kind)
    resource = patient_from_store(store, pid, local_system=LOCAL)
    back = _parsed(resource)
    assert back == resource  # nothing lost or reshaped by the model
    assert fr_core_problems(back) == []
    rel = _reliability(back)
    assert rel["identityStatus"] == [status]
    assert rel.get("methodCollection") == [method]
    assert rel.get("validationMode") == ([mode] if mode else None)
    assert ("dateInterrogationINSi" in rel) is insi_date
    if mode:
        assert rel["validationDate"] == ["2025-03-14"]
    profile = back["meta"]["profile"]
    assert profile == [codes.PROFILE_PATIENT_INS if ins_sent else codes.PROFILE_PATIENT]
    # The local identifier is always there; the INS only for a QUAL identity.
    local = [i for i in back["identifier"] if i["system"] == LOCAL]
    assert local == [{"use": "usual", "type": {"coding": [
        {"system": codes.CS_HL7_IDENTIFIER_TYPE, "code": "PI"}]},
        "system": LOCAL, "value": str(pid)}]
    assert bool(_ins_identifiers(back)) is ins_sent
    rec = store.get_patient(pid)
    if rec.ins is not None and not ins_sent:
        # RECUP keeps the INS in the store: not a character of it leaves.
        assert rec.ins.matricule.encode() not in json_bytes(resource)
    if kind == "douteuse":
        assert rel["comment"] == ["DOUT"]


def test_qualified_identity_carries_its_ins_and_the_former_one_as_old(desk, store):
    """The published test INS: active NIR `official` with the FR Core type, former `old`."""
    pid = make(desk, "qual_history")
    resource = _parsed(patient_from_store(store, pid, local_system=LOCAL))
    assert fr_core_problems(resource) == []
    ins = _ins_identifiers(resource)
    assert ins[0] == {
        "use": "official",
        "type": {"coding": [{"system": codes.CS_IDENTIFIER_TYPE, "code": "INS-NIR"}]},
        "system": "urn:oid:1.2.250.1.213.1.4.8", "value": "109076322083489"}
    assert [(i["use"], i["value"]) for i in ins[1:]] == [("old", "209076322083439")]
    (official,) = [n for n in resource["name"] if n["use"] == "official"]
    assert official["family"] == "ECETINSI" and official["given"] == ["PIERRE-ALAIN"]
    assert official["extension"] == [{"url": codes.EXT_BIRTH_LIST_GIVEN_NAME,
                                      "valueString": "PIERRE-ALAIN MURIEL FLORIANT"}]
    assert resource["gender"] == "male" and resource["birthDate"] == "2009-07-14"
    (place,) = [e for e in resource["extension"] if e["url"] == codes.EXT_BIRTH_PLACE]
    assert place["valueAddress"]["extension"] == [{"url": codes.EXT_INSEE_CODE, "valueCoding": {
        "system": codes.CS_COG, "code": "63220"}}]


def test_apcv_identity_uses_the_test_oid_type_and_no_insi_date(desk, store):
    """An appli carte Vitale identity: QUAL, `.10` typed INS-NIR-TEST, no INSi call date."""
    pid = make(desk, "apcv")
    resource = patient_from_store(store, pid, local_system=LOCAL)
    (ins,) = _ins_identifiers(resource)
    assert ins["system"] == "urn:oid:1.2.250.1.213.1.4.10"
    assert ins["type"]["coding"][0]["code"] == "INS-NIR-TEST" and ins["use"] == "official"
    assert len(ins["value"]) == 15


def test_used_names_go_as_usual_name_only_when_they_exist(desk, store):
    """A used name (married) is a `usual` name; none is made up from the birth names."""
    pid = make(desk, "prov")
    plain = patient_from_store(store, pid, local_system=LOCAL)
    assert [n["use"] for n in plain["name"]] == ["official"]
    from tests.desk.conftest import form

    assert desk.edit_patient(pid, form(used_name="Martin")).ok
    resource = _parsed(patient_from_store(store, pid, local_system=LOCAL))
    usual = [n for n in resource["name"] if n["use"] == "usual"]
    assert usual == [{"use": "usual", "family": "MARTIN"}]
    assert resource["gender"] == "female"


def _golden() -> dict:
    """interop.md §1.8: the qualified test patient ADRUN ZOE (test OID `.10`)."""
    return {
        "resourceType": "Patient",
        "meta": {"profile": [codes.PROFILE_PATIENT_INS]},
        "extension": [
            {"url": codes.EXT_IDENTITY_RELIABILITY, "extension": [
                {"url": "identityStatus", "valueCoding": {
                    "system": codes.CS_IDENTITY_STATUS, "code": "QUAL"}},
                {"url": "methodCollection", "valueCoding": {
                    "system": codes.CS_METHOD_COLLECTION, "code": "CV"}},
                {"url": "validationMode", "valueCoding": {
                    "system": codes.CS_VALIDATION_MODE, "code": "CN"}},
                {"url": "validationDate", "valueDate": "2025-03-10"}]},
            {"url": codes.EXT_BIRTH_PLACE, "valueAddress": {"extension": [
                {"url": codes.EXT_INSEE_CODE, "valueCoding": {
                    "system": codes.CS_COG, "code": "63220"}}]}}],
        "identifier": [{"use": "official", "type": {"coding": [
            {"system": codes.CS_IDENTIFIER_TYPE, "code": "INS-NIR-TEST"}]},
            "system": "urn:oid:1.2.250.1.213.1.4.10", "value": "275126322074974"}],
        "name": [{"use": "official", "family": "ADRUN", "given": ["ZOE"], "extension": [
            {"url": codes.EXT_BIRTH_LIST_GIVEN_NAME, "valueString": "ZOE"}]}],
        "gender": "female",
        "birthDate": "1975-12-31",
    }


def test_golden_example_passes_and_each_broken_rule_is_caught():
    """The checks accept the reference example and refuse it once any one rule is broken."""
    golden = _golden()
    assert fr_core_problems(_parsed(golden)) == []
    breakers = {
        "INS sur identité non qualifiée": lambda r: r["extension"][0]["extension"][0][
            "valueCoding"].update(code="RECUP"),
        "sexe F": lambda r: r.update(gender="F"),
        "type INS faux": lambda r: r["identifier"][0]["type"]["coding"][0].update(
            code="INS-NIR"),
        "use temp sur NIR test": lambda r: r["identifier"][0].update(use="temp"),
        "deux prénoms": lambda r: r["name"][0].update(given=["ZOE", "ANNE"]),
        "douteuse qualifiée": lambda r: r["extension"][0]["extension"].append(
            {"url": "comment", "valueCodeableConcept": {"coding": [
                {"system": codes.CS_STATUS_COMMENT, "code": "DOUT"}]}}),
        "COG court": lambda r: r["extension"][1]["valueAddress"]["extension"][0][
            "valueCoding"].update(code="632"),
        "mode inconnu": lambda r: r["extension"][0]["extension"][2]["valueCoding"].update(
            code="PC"),
        "profil sans INS": lambda r: r["meta"].update(profile=[codes.PROFILE_PATIENT]),
    }
    for name, breaker in breakers.items():
        broken = copy.deepcopy(golden)
        breaker(broken)
        assert fr_core_problems(broken), name


def test_an_identity_that_cannot_be_written_is_refused_in_french(desk, store):
    """A QUAL record whose INS OID is unknown: a French refusal naming no trait value."""
    pid = make(desk, "qual")
    rec = store.get_patient(pid)
    odd = dataclasses.replace(rec, ins=Ins(rec.ins.number, rec.ins.key, "1.2.3.4"))
    with pytest.raises(FhirBuildError) as caught:
        build_patient(odd, local_system=LOCAL)
    assert "OID de l'INS inconnu" in caught.value.message_fr
    assert "ADRTROIS" not in caught.value.message_fr
    bad_date = dataclasses.replace(rec, traits=dataclasses.replace(rec.traits,
                                                                   birth_date="14/03/1960"))
    with pytest.raises(FhirBuildError) as caught:
        build_patient(bad_date, local_system=LOCAL)
    assert "birthDate" in caught.value.message_fr and "1960" not in caught.value.message_fr
    json.dumps(caught.value.message_fr)  # plain text, journal-ready
