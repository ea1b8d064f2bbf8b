"""Patients as a FHIR `Bundle` of type collection, or as NDJSON (one resource a line).

Entry `fullUrl`s are name-based UUIDs of (local system, patient id): the same patient gets
the same `fullUrl` in every export, so two exports can be compared entry by entry.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


def full_url(local_system: str, patient_id: int) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{local_system}|{patient_id}"))


def bundle_dict(entries: Iterable[tuple[str, Mapping[str, Any]]], *,
                timestamp: datetime) -> dict[str, Any]:
    """A collection Bundle of `(fullUrl, resource)` pairs, checked by the R4B model."""
    from fhir.resources.R4B.bundle import Bundle

    pairs = list(entries)
    shell: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp.isoformat(timespec="seconds"),
    }
    if pairs:  # FHIR forbids an empty array
        shell["entry"] = [{"fullUrl": url} for url, _ in pairs]
    # Each resource was validated when built: the shell is checked without them, so a
    # large export does not parse every patient a second time.
    Bundle.model_validate(shell)
    for entry, (_, resource) in zip(shell.get("entry", []), pairs, strict=True):
        entry["resource"] = dict(resource)
    return shell


def json_bytes(resource: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as sent and as written (names stay readable, not \\u-escaped)."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ndjson_line(resource: Mapping[str, Any]) -> bytes:
    return json_bytes(resource) + b"\n"
