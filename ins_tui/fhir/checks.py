"""What the R4B model does not check: the FR Core profile rules a Patient must follow.

`fhir.resources` checks structure, cardinality of base FHIR and primitive formats, not
profiles, slices nor bindings (it accepts `gender: "F"`, `interop.md` §5). These checks
are the profile's rules ins-tui relies on, run on every resource before it is written or
sent, and by the tests' FHIR server on what it receives. Messages are French and name no
trait value, so they may be journaled and shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ins_tui.fhir import codes

_INS_SYSTEMS = {f"urn:oid:{oid}": spec for oid, spec in codes.INS_IDENTIFIER_TYPES.items()}
_STATUSES = {"PROV", "RECUP", "VALI", "QUAL"}
_COMMENTS = set(codes.ATTRIBUTE_COMMENTS.values())


def _code(element: Mapping[str, Any], key: str = "valueCoding") -> str | None:
    value = element.get(key) or {}
    if key == "valueCodeableConcept":
        coding = (value.get("coding") or [{}])[0]
        return coding.get("code")
    return value.get("code")


def _type_code(identifier: Mapping[str, Any]) -> str | None:
    coding = ((identifier.get("type") or {}).get("coding") or [{}])[0]
    return coding.get("code")


def _identifier_problems(resource: Mapping[str, Any], status: str | None) -> list[str]:
    problems: list[str] = []
    ins = [i for i in resource.get("identifier") or [] if i.get("system") in _INS_SYSTEMS]
    active = [i for i in ins if i.get("use") != "old"]
    if ins and status != "QUAL":
        problems.append("INS présent alors que l'identité n'est pas qualifiée")
    if len(active) > 1:
        problems.append("plus d'un INS actif")
    for ident in ins:
        type_code, use = _INS_SYSTEMS[ident["system"]]
        if _type_code(ident) != type_code:
            problems.append(f"type d'identifiant {_type_code(ident)!r} au lieu de {type_code}")
        if ident.get("use") not in (use, "old"):
            problems.append(f"use {ident.get('use')!r} pour un {type_code}")
        value = str(ident.get("value") or "")
        if len(value) != 15:
            problems.append("matricule INS de longueur différente de 15")
    if not resource.get("identifier"):
        problems.append("aucun identifiant")
    profile = (resource.get("meta") or {}).get("profile") or []
    if bool(active) != (codes.PROFILE_PATIENT_INS in profile):
        problems.append("profil fr-core-patient-ins et INS actif vont ensemble")
    return problems


def _name_problems(resource: Mapping[str, Any]) -> list[str]:
    official = [n for n in resource.get("name") or [] if n.get("use") == "official"]
    if len(official) != 1:
        return ["un et un seul nom officiel (nom de naissance) attendu"]
    name = official[0]
    problems = []
    if not name.get("family"):
        problems.append("nom de naissance absent")
    given = name.get("given") or []
    if len(given) > 1:
        problems.append("le nom officiel porte plus d'un prénom (le premier seulement)")
    lists = [e.get("valueString") for e in name.get("extension") or []
             if e.get("url") == codes.EXT_BIRTH_LIST_GIVEN_NAME]
    if given and lists and not str(lists[0]).startswith(given[0]):
        problems.append("premier prénom incohérent avec la liste des prénoms de naissance")
    return problems


def _reliability_problems(resource: Mapping[str, Any]) -> tuple[list[str], str | None]:
    found = [e for e in resource.get("extension") or []
             if e.get("url") == codes.EXT_IDENTITY_RELIABILITY]
    if len(found) != 1:
        return ["extension identityReliability absente ou répétée"], None
    subs = found[0].get("extension") or []
    by_url: dict[str, list[Mapping[str, Any]]] = {}
    for sub in subs:
        by_url.setdefault(str(sub.get("url")), []).append(sub)
    problems: list[str] = []
    statuses = [_code(s) for s in by_url.get("identityStatus", [])]
    status = statuses[0] if len(statuses) == 1 else None
    if status not in _STATUSES:
        problems.append("statut d'identité absent ou inconnu")
    for sub in by_url.get("methodCollection", []):
        if _code(sub) not in codes.METHOD_COLLECTION:
            problems.append("mode de recueil inconnu")
    for sub in by_url.get("validationMode", []):
        if _code(sub) not in codes.VALIDATION_MODES:
            problems.append("mode de validation inconnu")
    comments = {_code(s, "valueCodeableConcept") for s in by_url.get("comment", [])}
    if not comments <= _COMMENTS:
        problems.append("attribut d'identité inconnu")
    if comments & {"DOUT", "FICT"} and status != "PROV":
        problems.append("identité douteuse ou fictive hors statut PROV")
    if {"DOUT", "FICT"} <= comments:
        problems.append("identité à la fois douteuse et fictive")
    return problems, status


def fr_core_problems(resource: Mapping[str, Any]) -> list[str]:
    """Every FR Core rule the resource breaks (empty: it may go)."""
    if resource.get("resourceType") != "Patient":
        return ["ressource autre que Patient"]
    problems, status = _reliability_problems(resource)
    problems += _identifier_problems(resource, status)
    problems += _name_problems(resource)
    if resource.get("gender") not in ("male", "female", "unknown"):
        problems.append("sexe hors male/female/unknown")
    if status == "QUAL" and not resource.get("birthDate"):
        problems.append("date de naissance absente d'une identité qualifiée")
    for ext in resource.get("extension") or []:
        if ext.get("url") != codes.EXT_BIRTH_PLACE:
            continue
        inner = (ext.get("valueAddress") or {}).get("extension") or []
        cog = [_code(i) for i in inner if i.get("url") == codes.EXT_INSEE_CODE]
        if len(cog) != 1 or len(str(cog[0] or "")) != 5:
            problems.append("lieu de naissance sans code COG de 5 caractères")
    return problems
