"""A stored identity as an FR Core Patient (FHIR R4, `fhir.resources` R4B models).

Why the INS is left out below QUAL: the matricule may be used to reference data only for
a qualified identity (RNIV EXI SI 08; the FR Core INS profile says the same), so a PROV,
RECUP or VALI identity goes out with its local identifier only — a receiver then cannot
file anything under an INS the practice has not qualified. Every resource carries the
local identifier, QUAL ones too: it is what ties a later qualification (or a loss of it)
to the resource the receiver already holds (docs/decisions.md, FHIR output).

The dict is built by hand from the record, then parsed back by the R4B model: a wrong
element name, cardinality or date format fails here, before anything is written or sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ins_tui.domain.model import Ins, Status
from ins_tui.fhir import codes
from ins_tui.store.records import PatientRecord


class FhirBuildError(ValueError):
    """The identity cannot be written as a valid resource; `message_fr` says why."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


def local_identifier(local_system: str, patient_id: int) -> dict[str, Any]:
    """The installation's own id of the patient (FR Core slice PI, `use=usual`)."""
    return {
        "use": "usual",
        "type": {"coding": [{"system": codes.CS_HL7_IDENTIFIER_TYPE, "code": "PI"}]},
        "system": local_system,
        "value": str(patient_id),
    }


def ins_identifier(ins: Ins, *, old: bool = False) -> dict[str, Any]:
    """An INS as FR Core types it by its OID; a former one is `use=old`."""
    try:
        type_code, use = codes.INS_IDENTIFIER_TYPES[ins.oid]
    except KeyError:
        raise FhirBuildError(f"OID de l'INS inconnu ({ins.oid}) : identité non transmise.") \
            from None
    return {
        "use": "old" if old else use,
        "type": {"coding": [{"system": codes.CS_IDENTIFIER_TYPE, "code": type_code}]},
        "system": f"urn:oid:{ins.oid}",
        "value": ins.matricule,
    }


def ins_sent(record: PatientRecord) -> bool:
    """The RNIV rule: the INS leaves the desk only with a qualified identity."""
    return record.status is Status.QUAL and record.ins is not None


def condition_identifiers(record: PatientRecord, local_system: str) -> list[tuple[str, str]]:
    """`(system, value)` pairs the conditional update searches on, INS first.

    The local identifier is always among them, so a resource first sent PROV (local id
    only) is found again when the identity is qualified, instead of a second one made.
    """
    pairs: list[tuple[str, str]] = []
    if ins_sent(record):
        assert record.ins is not None
        pairs.append((f"urn:oid:{record.ins.oid}", record.ins.matricule))
    pairs.append((local_system, str(record.id)))
    return pairs


def _names(record: PatientRecord) -> list[dict[str, Any]]:
    t = record.traits
    official: dict[str, Any] = {"use": "official", "family": t.birth_name}
    if t.first_first_name:
        official["given"] = [t.first_first_name]
    if t.first_names:
        official["extension"] = [{"url": codes.EXT_BIRTH_LIST_GIVEN_NAME,
                                  "valueString": t.first_names}]
    names = [official]
    if t.used_name or t.used_first_name:  # never derived from the birth names (EXI ID 08)
        usual: dict[str, Any] = {"use": "usual"}
        if t.used_name:
            usual["family"] = t.used_name
        if t.used_first_name:
            usual["given"] = [t.used_first_name]
        names.append(usual)
    return names


def _birthplace(cog: str) -> dict[str, Any]:
    return {
        "url": codes.EXT_BIRTH_PLACE,
        "valueAddress": {"extension": [{
            "url": codes.EXT_INSEE_CODE,
            "valueCoding": {"system": codes.CS_COG, "code": cog},
        }]},
    }


def _coding(url: str, system: str, code: str) -> dict[str, Any]:
    return {"url": url, "valueCoding": {"system": system, "code": code}}


def _day(at: str | None) -> str | None:
    """The date part of a stored ISO timestamp (the extension's elements are dates)."""
    return at[:10] if at else None


def _method_collection(record: PatientRecord, events: Sequence[Mapping[str, Any]]) -> str | None:
    """The channel that brought the identity: the one of the last INS import, else the
    one it was created by (the store records both as identity events)."""
    chosen = None
    for event in events:
        action = (event.get("detail") or {}).get("action")
        if action == "creation" and chosen is None:
            chosen = event.get("channel")
        if action == "ins" and record.ins is not None:
            chosen = event.get("channel")
    if record.apcv:
        chosen = "AV"
    return chosen if chosen in codes.METHOD_COLLECTION else None


# What an INSi call that the service answered leaves in the identity events (desk/insi_flow).
_ANSWERED = frozenset({"trouvée", "CR 01", "CR 02"})


def _insi_date(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The day of the last INSi call the service answered (none for an ApCV identity:
    the RNIV excludes the call, and none is journaled for it)."""
    last = None
    for event in events:
        detail = event.get("detail") or {}
        if event.get("channel") in ("CV", "INSI") and detail.get("action") == "insi" \
                and detail.get("resultat") in _ANSWERED:
            last = event.get("at")
    return _day(last)


def _apcv_date(events: Sequence[Mapping[str, Any]]) -> str | None:
    last = None
    for event in events:
        if event.get("channel") == "AV":
            last = event.get("at")
    return _day(last)


def _reliability(record: PatientRecord, events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    subs: list[dict[str, Any]] = [
        _coding("identityStatus", codes.CS_IDENTITY_STATUS, str(record.status))]
    method = _method_collection(record, events)
    if method:
        subs.append(_coding("methodCollection", codes.CS_METHOD_COLLECTION, method))
    insi_day = _insi_date(events)
    if insi_day and record.insi_retrieved:
        subs.append({"url": "dateInterrogationINSi", "valueDate": insi_day})
    if record.apcv:
        subs.append(_coding("validationMode", codes.CS_VALIDATION_MODE, "AV"))
        day = _apcv_date(events)
        if day:
            subs.append({"url": "validationDate", "valueDate": day})
    elif record.document_checked:
        if record.document_type in codes.VALIDATION_MODES:
            subs.append(_coding("validationMode", codes.CS_VALIDATION_MODE,
                                str(record.document_type)))
        if record.document_at:
            subs.append({"url": "validationDate", "valueDate": _day(record.document_at)})
    for attribute in sorted(str(a) for a in record.attributes):
        code = codes.ATTRIBUTE_COMMENTS.get(attribute)
        if code:
            subs.append({"url": "comment", "valueCodeableConcept": {
                "coding": [{"system": codes.CS_STATUS_COMMENT, "code": code}]}})
    return {"url": codes.EXT_IDENTITY_RELIABILITY, "extension": subs}


def _former_ins(record: PatientRecord, history: Iterable[Mapping[str, Any]]) -> list[Ins]:
    """Matricules INSi returned before (INSHISTO, or an INS replaced since), once each."""
    current = (record.ins.oid, record.ins.matricule) if record.ins else None
    seen: set[tuple[str, str]] = set()
    former: list[Ins] = []
    for row in history:
        ins = Ins(number=str(row["number"]), key=str(row["key"]), oid=str(row["oid"]),
                  key_ok=bool(row.get("key_ok", True)))
        pair = (ins.oid, ins.matricule)
        if pair == current or pair in seen or ins.oid not in codes.INS_IDENTIFIER_TYPES:
            continue
        seen.add(pair)
        former.append(ins)
    return former


def patient_dict(
    record: PatientRecord,
    history: Iterable[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    *,
    local_system: str,
) -> dict[str, Any]:
    """The FR Core Patient of one stored identity, as plain JSON (not yet validated)."""
    t = record.traits
    qualified = ins_sent(record)
    extensions = [_reliability(record, events)]
    if t.birthplace:
        extensions.append(_birthplace(t.birthplace))
    identifiers = []
    if qualified:
        assert record.ins is not None
        identifiers.append(ins_identifier(record.ins))
        identifiers.extend(ins_identifier(old, old=True)
                           for old in _former_ins(record, history))
    identifiers.append(local_identifier(local_system, record.id))
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [codes.PROFILE_PATIENT_INS if qualified
                             else codes.PROFILE_PATIENT]},
        "extension": extensions,
        "identifier": identifiers,
        "name": _names(record),
        "gender": codes.GENDERS.get(str(t.sex) if t.sex else "", "unknown"),
    }
    if t.birth_date:
        resource["birthDate"] = t.birth_date
    return resource


def replaced_patient_dict(
    record: PatientRecord,
    survivor_id: int,
    events: Sequence[Mapping[str, Any]] = (),
    *,
    local_system: str,
) -> dict[str, Any]:
    """A record merged into another: inactive, `link` replaced-by the survivor's local id.

    Local identifier only, INS never: the INS now belongs to the survivor, and a resource
    carrying it twice would make the receiver's conditional update match two patients."""
    resource = patient_dict(record, (), events, local_system=local_system)
    resource["meta"] = {"profile": [codes.PROFILE_PATIENT]}
    resource["identifier"] = [local_identifier(local_system, record.id)]
    resource["active"] = False
    resource["link"] = [{
        "other": {"type": "Patient",
                  "identifier": local_identifier(local_system, survivor_id)},
        "type": "replaced-by",
    }]
    return resource


def validated(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Parse the resource with the R4B Patient model; the dict itself is what goes.

    Not the model's dump: it costs twice the parse (60 % of an export) and gives back the
    same dict (tests/fhir check it for every status). Raises `FhirBuildError` naming the
    elements the model refused (never their values: the message may reach a log or the
    screen)."""
    from fhir.resources.R4B.patient import Patient
    from pydantic import ValidationError

    try:
        Patient.model_validate(dict(resource))
    except ValidationError as exc:
        where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise FhirBuildError("Ressource FHIR Patient invalide (" + ", ".join(where[:5])
                             + ") : identité non transmise.") from None
    return dict(resource)


def build_patient(
    record: PatientRecord,
    history: Iterable[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    *,
    local_system: str,
) -> dict[str, Any]:
    """`patient_dict`, validated by the model and by the FR Core checks (`checks.py`)."""
    from ins_tui.fhir.checks import fr_core_problems

    resource = validated(patient_dict(record, history, events, local_system=local_system))
    problems = fr_core_problems(resource)
    if problems:
        raise FhirBuildError("Ressource FHIR non conforme à FR Core : " + " ; ".join(problems))
    return resource


def patient_from_store(store: Any, patient_id: int, *, local_system: str,
                       replaced_by: int | None = None) -> dict[str, Any]:
    """Read the record, its INS history and identity events, and build its resource;
    `replaced_by`: the survivor of a merge (the resource then says so, inactive)."""
    record = store.get_patient(patient_id)
    if record is None:
        raise FhirBuildError(f"Patient introuvable (n° {patient_id}).")
    if replaced_by is not None:
        from ins_tui.fhir.checks import fr_core_problems

        resource = validated(replaced_patient_dict(
            record, replaced_by, store.identity_events(patient_id), local_system=local_system))
        problems = fr_core_problems(resource)
        if problems:
            raise FhirBuildError("Ressource FHIR non conforme à FR Core : "
                                 + " ; ".join(problems))
        return resource
    return build_patient(record, store.ins_history(patient_id),
                         store.identity_events(patient_id), local_system=local_system)
