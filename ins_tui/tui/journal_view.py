"""How a journal row reads for the secretary: a French summary and a before/after list.

The journal stores what happened as JSON snapshots (store rows) or as the desk's own French
sentence with a small before/after. Showing that JSON raw is unreadable at 80 columns, so
this module turns a row into one summary line and a field-by-field change list. Display
only: labels come from their owners (traits: `TRAIT_LABELS_FR`, statuses: the desk's
`status_label`, documents: `domain.documents`, visit states: the desk's `VisitState`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ins_tui.desk.base import status_label
from ins_tui.domain.model import TRAIT_LABELS_FR, Status
from ins_tui.tui import format as fmt

# Fields of a patient snapshot that are not identity facts (or repeat another field).
_TECHNICAL = {"id", "updated_at", "ins_number", "ins_key", "ins_oid", "ins_key_ok", "visit",
              "queue"}

# Non-trait fields of snapshots and of the desk's before/after dicts.
_FIELD_LABELS_FR = {
    "status": "Statut",
    "statut": "Statut",
    "ins_matricule": "INS",
    "ins": "INS",
    "nir": "NIR (carte Vitale)",
    "document_type": "Pièce d'identité",
    "document": "Pièce d'identité",
    "document_checked": "Pièce contrôlée",
    "document_by": "Contrôlée par",
    "par": "Contrôlée par",
    "document_at": "Contrôlée le",
    "le": "Contrôlée le",
    "attributes": "Attributs",
    "locked_fields": "Traits verrouillés",
    "insi_retrieved": "Traits récupérés par INSi",
    "apcv": "Appli carte Vitale",
    "canal": "Canal",
    "choix": "Choix",
    "practitioner": "Praticien",
    "state": "Passage",
    "rank": "Rang dans la file",
    "doublons": "Créé malgré un doublon possible de",
}

_STATUS_KEYS = ("status", "statut")


def parse(value: str | None) -> Any:
    """A stored JSON column as Python (text that is not JSON is kept as text)."""
    if value is None or value == "":
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def field_label(key: str) -> str:
    return TRAIT_LABELS_FR.get(key) or _FIELD_LABELS_FR.get(key, key)


def status_words(code: Any) -> str:
    """`RECUP (récupérée)`: the code the rules use and the desk's word for it."""
    text = str(code)
    return f"{text} ({status_label(Status(text))})" if text in Status.__members__ else text


def document_words(code: Any) -> str:
    from ins_tui.domain.documents import UnknownDocumentError, document

    if not code:
        return "—"
    try:
        return document(str(code)).label_fr
    except UnknownDocumentError:
        return str(code)


def value_words(key: str, value: Any) -> str:
    """One stored value as the secretary reads it."""
    if value is None or value == "":
        return "—"
    if key in _STATUS_KEYS:
        return status_words(value)
    if key in ("document_type", "document"):
        return document_words(value)
    if key == "birth_date":
        return fmt.date_fr(str(value))
    if key in ("document_at", "le", "updated_at"):
        text = str(value)
        return f"{fmt.date_fr(text)} {fmt.time_of(text)}" if len(text) >= 16 else text
    if key == "locked_fields":
        return ", ".join(TRAIT_LABELS_FR.get(f, f).lower() for f in str(value).split()) or "—"
    if key == "state":
        return fmt.state_word(str(value))
    if key == "choix":
        from ins_tui.desk.results import DiffChoice

        return DiffChoice[value].label_fr if value in DiffChoice.__members__ else str(value)
    if key in ("document_checked", "insi_retrieved", "apcv") and value in (0, 1, True, False):
        return "oui" if value else "non"
    if key == "doublons" and isinstance(value, list):
        return ", ".join(f"patient n° {v}" for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flatten(data: Any) -> dict[str, Any]:
    """A before/after as one flat dict (the desk nests the INS traits under `traits`)."""
    if isinstance(data, Mapping):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("traits", "traits_ins") and isinstance(value, Mapping):
                flat.update(value)
            elif key not in _TECHNICAL:
                flat[key] = value
        return flat
    if isinstance(data, str) and data in Status.__members__:
        return {"statut": data}  # attribute changes journal the bare status code
    return {}


def changes(entry: Any) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field that differs, traits first, in trait order."""
    before, after = _flatten(parse(entry.before_json)), _flatten(parse(entry.after_json))
    if "status" in before and "statut" in after:  # the desk and the store name it apart
        before["statut"] = before.pop("status")
    order = [*TRAIT_LABELS_FR, *_FIELD_LABELS_FR]
    keys = sorted(set(before) | set(after),
                  key=lambda k: order.index(k) if k in order else len(order))
    rows = []
    for key in keys:
        if key not in order:
            continue  # a technical detail (demo seed, queue id): the summary says enough
        old, new = before.get(key), after.get(key)
        if old == new or (not before and new in (None, "", 0)):
            continue
        old_text = value_words(key, old) if before else ""
        rows.append((field_label(key), old_text, value_words(key, new)))
    return rows


def _status_change(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    old = before.get("status", before.get("statut"))
    new = after.get("status", after.get("statut"))
    if new is not None and old is not None and old != new:
        return f"Statut : {old} → {new}"
    return None


def summary(entry: Any) -> str:
    """One line saying what the row records, e.g. « Statut : PROV → RECUP »."""
    event = entry.event or ""
    before_raw, after_raw = parse(entry.before_json), parse(entry.after_json)
    before, after = _flatten(before_raw), _flatten(after_raw)
    status = _status_change(before, after)
    if entry.insi_request or entry.insi_response:
        return "[x] " + _capital(event)
    if event == "patient.create":
        return "Fiche créée (provisoire)"
    if event == "patient.traits":
        labels = [label for label, _, _ in changes(entry)]
        return "Traits modifiés : " + ", ".join(labels).lower() if labels else "Traits relus"
    if event == "patient.nir":
        return "NIR de la carte Vitale enregistré"
    if event == "patient.ins":
        return ("Traits INS importés" if after.get("locked_fields")
                else "INS enregistré")
    if event == "patient.ins_cleared":
        return "INS supprimé, traits déverrouillés"
    if event == "patient.state":
        if status:
            return status
        attrs = after.get("attributes")
        if attrs != before.get("attributes"):
            return f"Attributs : {attrs or 'aucun'}"
        return "État de l'identité enregistré"
    if event == "patient.document":
        return "Pièce contrôlée : " + document_words(after.get("document_type"))
    if event == "visit.arrival":
        practitioner = after.get("practitioner")
        return f"Arrivée ({practitioner})" if practitioner else "Arrivée (sans praticien)"
    if event == "visit.state":
        return "Passage : " + fmt.state_word(str(after.get("state")))
    if event == "visit.practitioner":
        return f"Praticien : {after.get('practitioner') or '—'}"
    if event == "visit.move":
        return f"Ordre de passage : rang {before.get('rank', '?')} → {after.get('rank', '?')}"
    if event in _MERGE_WORDS:  # after_json: {"fusion": n, "conserve"/"fusionne"…: ids}
        return _MERGE_WORDS[event].format(**{"fusion": "?", **after_raw}) \
            if isinstance(after_raw, Mapping) else _MERGE_WORDS[event]
    if event == "insi.queued":
        return "Demande INSi mise en attente (relance automatique)"
    if event == "insi.dequeued":
        return "Demande INSi retirée de la file de relance"
    if event == "demo.generate":
        count = after_raw.get("patients") if isinstance(after_raw, Mapping) else None
        return f"Données de démonstration ({count} patients)" if count else \
            "Données de démonstration"
    if isinstance(after_raw, Mapping) and after_raw.get("document"):
        return "Pièce contrôlée : " + document_words(after_raw["document"])
    text = _capital(event) if " " in event or not event else event
    return f"{text} · {status}" if status and status not in text else text


_MERGE_WORDS = {
    "merge.done": "Fusion n° {fusion} : dossier n° {fusionne} fusionné ici (u : annuler)",
    "merge.undone": "Fusion n° {fusion} annulée : dossier n° {restaure} rétabli",
    "patient.merged": "Dossier fusionné dans le n° {merged_into} (u : annuler)",
    "patient.unmerged": "Dossier rétabli (fusion annulée)",
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def detail_lines(entry: Any, patient: str) -> list[str]:
    """The detail pane: who, when, the action it belongs to, then field by field."""
    when = f"{fmt.date_fr(entry.at)} {fmt.time_of(entry.at)}"
    lines = [
        f"{summary(entry)}",
        f"{when} · par {entry.actor} · {patient}",
        f"Action : {entry.action}",
    ]
    rows = changes(entry)
    creation = parse(entry.before_json) is None
    for label, old, new in rows:
        lines.append(f"  {label} : {new}" if creation else f"  {label} : {old} → {new}")
    if not rows and not (entry.insi_request or entry.insi_response):
        lines.append("  (aucun champ modifié)")
    return lines


# -- one line per user action -------------------------------------------------------------
def action_summary(rows: list[Any]) -> str:
    """One line for all the rows one user action wrote (store.journal.group_by_action).

    A lone row reads as before; several read as the action's own words plus the status
    change they made in all, `[x]` when an INSi exchange can be shown.
    """
    if len(rows) == 1:
        return summary(rows[0])
    first_old = last_new = None
    for row in rows:
        before, after = _flatten(parse(row.before_json)), _flatten(parse(row.after_json))
        old = before.get("status", before.get("statut"))
        new = after.get("status", after.get("statut"))
        if old is not None and first_old is None:
            first_old = old
        if new is not None:
            last_new = new
    text = _capital(rows[0].action)
    if first_old is not None and last_new is not None and first_old != last_new:
        text += f" · {first_old} → {last_new}"
    marker = "[x] " if any(r.insi_request or r.insi_response for r in rows) else ""
    return f"{marker}{text} ({len(rows)})"


def action_detail_lines(rows: list[Any], patient: str) -> list[str]:
    """The detail pane of a whole action: who, when, then each row with its changes."""
    if len(rows) == 1:
        return detail_lines(rows[0], patient)
    first = rows[0]
    lines = [
        f"{_capital(first.action)} — {len(rows)} lignes (Entrée : les détailler)",
        f"{fmt.date_fr(first.at)} {fmt.time_of(first.at)} · par {first.actor} · {patient}",
    ]
    for row in rows:
        lines.append(f"  • {summary(row)}")
        creation = parse(row.before_json) is None
        for label, old, new in changes(row):
            lines.append(f"      {label} : {new}" if creation else
                         f"      {label} : {old} → {new}")
    return lines
