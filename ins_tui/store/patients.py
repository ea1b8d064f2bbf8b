"""Patients: local traits, identity state, INS actif with its history, locks, documents.

Every change is journaled with the patient's before/after snapshot inside the caller's
action, and traits INSi supplied are locked: they change only through `clear_ins`
(the "unlock" that drops the INS), never through `update_traits`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from ins_tui.domain.model import TRAIT_LABELS_FR, Channel, InsIdentity, Status, Traits
from ins_tui.store.core import StoreCore
from ins_tui.store.errors import FieldsLocked, InvalidIdentity, InvalidValue, PatientNotFound
from ins_tui.store.records import (
    INSI_FIELDS,
    PatientRecord,
    attributes_to_text,
    patient_from_row,
    traits_to_dict,
)
from ins_tui.store.search_key import stored_key

if TYPE_CHECKING:
    from ins_tui.domain.status import IdentityState

_SNAPSHOT_EXCLUDED = {"birth_name_key", "used_name_key", "first_name_key", "created_at",
                      "seal", "sealed_by"}


def trait_columns(traits: Traits) -> dict[str, Any]:
    """Trait columns plus their search keys: the only place the keys are derived."""
    cols = traits_to_dict(traits)
    cols["birth_name_key"] = stored_key(traits.birth_name)
    cols["used_name_key"] = stored_key(traits.used_name)
    cols["first_name_key"] = stored_key(traits.first_first_name)
    return cols


def _channel(channel: Channel | str) -> str:
    try:
        return str(Channel(channel))
    except ValueError as exc:
        raise InvalidValue(f"Canal d'identité inconnu : {channel!r}.") from exc


class PatientsMixin(StoreCore):
    """Patient rows: every write journals a before/after snapshot inside its action."""

    # -- reads ------------------------------------------------------------------------
    def get_patient(self, patient_id: int) -> PatientRecord | None:
        rows = self._read("SELECT * FROM patients WHERE id = ?", (patient_id,))
        return patient_from_row(rows[0]) if rows else None

    def _snapshot(self, patient_id: int) -> dict[str, Any]:
        rows = self.conn.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchall()
        if not rows:
            raise PatientNotFound(patient_id)
        return {k: rows[0][k] for k in rows[0].keys() if k not in _SNAPSHOT_EXCLUDED}  # noqa: SIM118

    def ins_history(self, patient_id: int) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT number, key, oid, key_ok, active, date_start, date_end, received_at "
            "FROM ins_history WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        )
        return [dict(r) for r in rows]

    def identity_events(self, patient_id: int) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT id, channel, at, actor, detail FROM identity_events "
            "WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        )
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

    # -- writes -----------------------------------------------------------------------
    def create_patient(
        self,
        traits: Traits,
        *,
        channel: Channel | str = Channel.MANUAL,
        actor: str | None = None,
        nir: str | None = None,
    ) -> int:
        with self._writing("Création du patient", actor) as act:
            now = self.now_iso()
            row = {
                **trait_columns(traits),
                "nir": nir,
                "status": str(Status.PROV),
                "attributes": "",
                "created_at": now,
                "updated_at": now,
            }
            patient_id = int(self.db["patients"].insert(row).last_pk)
            self._event(patient_id, channel, {"action": "creation"}, act.actor)
            self._touched[patient_id] = self.append(
                "patient.create", patient_id=patient_id, after=self._snapshot(patient_id))
            return patient_id

    def _update(self, patient_id: int, event: str, values: dict[str, Any]) -> None:
        before = self._snapshot(patient_id)
        values = {**values, "updated_at": self.now_iso()}
        sets = ", ".join(f"{k} = ?" for k in values)
        self.conn.execute(
            f"UPDATE patients SET {sets} WHERE id = ?", (*values.values(), patient_id)
        )
        self._touched[patient_id] = self.append(
            event, patient_id=patient_id, before=before, after=self._snapshot(patient_id))

    def mark_written(self, first_id: int, last_id: int, journal_id: int) -> None:
        """Rows `first_id`..`last_id` were written in bulk in this action (demo data) and
        are explained by journal row `journal_id`: checked and sealed at commit like others."""
        self._touched_ranges.append((first_id, last_id, journal_id))

    def _before_commit(self) -> None:
        """Every patient this action wrote must pass the identity rules, then is sealed.

        Checked here rather than per write because one action may go through states that
        are only transient (the INS is imported, then the status follows); what must hold
        is what the action leaves. A refusal raises inside the action: all of it is undone.
        """
        from ins_tui.domain.identity_check import masked_summary
        from ins_tui.store.seals import histories, patient_seal, row_problems

        if not self._touched and not self._touched_ranges:
            return
        today = self.now().date()
        batches: list[tuple[list[sqlite3.Row], int, dict[int, list[list[Any]]]]] = []
        for pid, journal_id in self._touched.items():
            batches.append(
                (self.conn.execute("SELECT * FROM patients WHERE id = ?", (pid,)).fetchall(),
                 journal_id, histories(self.conn, pid, pid)))
        for first, last, journal_id in self._touched_ranges:
            batches.append((self.conn.execute(
                "SELECT * FROM patients WHERE id BETWEEN ? AND ?", (first, last)).fetchall(),
                journal_id, histories(self.conn, first, last)))
        updates = []
        for rows, journal_id, history in batches:
            for row in rows:
                problems = [p for p in row_problems(row, today, history.get(row["id"]))
                            if p.is_error]
                if problems:
                    created = self._created_in_action(row["id"])
                    raise InvalidIdentity(None if created else row["id"],
                                          masked_summary(problems), problems)
                if self._key is not None:
                    updates.append((patient_seal(self._key, row, journal_id,
                                                 history.get(row["id"])),
                                    journal_id, row["id"]))
        self.conn.executemany("UPDATE patients SET seal = ?, sealed_by = ? WHERE id = ?",
                              updates)

    def _created_in_action(self, patient_id: int) -> bool:
        act = self._current
        row = self.conn.execute(
            "SELECT 1 FROM journal WHERE patient_id = ? AND event = 'patient.create' "
            "AND action_id = ?", (patient_id, act.id if act else -1)).fetchone()
        return row is not None

    def update_traits(self, patient_id: int, traits: Traits, *, actor: str | None = None) -> None:
        """Replace the local traits; refused (nothing written) if a locked field would change."""
        with self._writing("Modification des traits", actor):
            current = self.get_patient(patient_id)
            if current is None:
                raise PatientNotFound(patient_id)
            new = traits_to_dict(traits)
            old = traits_to_dict(current.traits)
            touched = [f for f in sorted(current.locked) if new.get(f) != old.get(f)]
            if touched:
                raise FieldsLocked([TRAIT_LABELS_FR.get(f, f).lower() for f in touched])
            self._update(patient_id, "patient.traits", trait_columns(traits))

    def set_nir(self, patient_id: int, nir: str | None, *, actor: str | None = None) -> None:
        with self._writing("NIR lu sur la carte", actor):
            self._update(patient_id, "patient.nir", {"nir": nir})

    def set_identity_state(
        self, patient_id: int, state: IdentityState, *, actor: str | None = None
    ) -> None:
        """Store a state the domain's status machine produced (the store does not judge it)."""
        with self._writing("Changement de statut", actor):
            self._update(
                patient_id,
                "patient.state",
                {
                    "status": str(state.status),
                    "attributes": attributes_to_text(state.attributes),
                    "insi_retrieved": int(state.insi_retrieved),
                    "document_checked": int(state.document_checked),
                    "apcv": int(state.apcv),
                },
            )

    def set_ins(
        self,
        patient_id: int,
        identity: InsIdentity,
        *,
        channel: Channel | str = Channel.INSI,
        import_traits: bool = True,
        actor: str | None = None,
    ) -> None:
        """Record the INS actif and its history as INSi returned them, and lock those traits.

        With `import_traits`, the INS traits replace the local strict traits (used name
        and used first name are never touched: they are not INS traits).
        """
        with self._writing("Import de l'INS", actor) as act:
            current = self.get_patient(patient_id)
            if current is None:
                raise PatientNotFound(patient_id)
            ins = identity.ins
            values: dict[str, Any] = {
                "ins_number": ins.number,
                "ins_key": ins.key,
                "ins_oid": ins.oid,
                "ins_key_ok": int(ins.key_ok),
                "ins_matricule": ins.matricule,
            }
            locked = set(current.locked)
            if import_traits:
                t = identity.traits
                merged = Traits(
                    birth_name=t.birth_name,
                    first_names=t.first_names,
                    sex=t.sex,
                    birth_date=t.birth_date,
                    birthplace=t.birthplace,
                    first_name=t.first_first_name,
                    used_name=current.traits.used_name,
                    used_first_name=current.traits.used_first_name,
                )
                values.update(trait_columns(merged))
                locked.update(INSI_FIELDS)
            values["locked_fields"] = " ".join(sorted(locked))
            now = self.now_iso()
            self.conn.execute(
                "UPDATE ins_history SET active = 0 WHERE patient_id = ?", (patient_id,)
            )
            history_rows = [
                {
                    "patient_id": patient_id, "number": ins.number, "key": ins.key,
                    "oid": ins.oid, "key_ok": int(ins.key_ok), "active": 1,
                    "date_start": None, "date_end": None, "received_at": now,
                }
            ]
            for entry in identity.history:
                history_rows.append(
                    {
                        "patient_id": patient_id, "number": entry.ins.number,
                        "key": entry.ins.key, "oid": entry.ins.oid,
                        "key_ok": int(entry.ins.key_ok), "active": 0,
                        "date_start": entry.date_start, "date_end": entry.date_end,
                        "received_at": now,
                    }
                )
            self.db["ins_history"].insert_all(history_rows)
            self._update(patient_id, "patient.ins", values)
            self._event(patient_id, channel, {"action": "ins", "oid": ins.oid}, act.actor)

    def clear_ins(self, patient_id: int, *, actor: str | None = None) -> None:
        """Drop the INS and unlock the INSi traits (history rows are kept, inactive)."""
        with self._writing("Suppression de l'INS", actor):
            self.conn.execute(
                "UPDATE ins_history SET active = 0 WHERE patient_id = ?", (patient_id,)
            )
            self._update(
                patient_id,
                "patient.ins_cleared",
                {
                    "ins_number": None, "ins_key": None, "ins_oid": None,
                    "ins_key_ok": None, "ins_matricule": None, "locked_fields": "",
                },
            )

    def record_document(
        self, patient_id: int, doc_type: str, *, actor: str | None = None
    ) -> None:
        """A high-trust document was checked: its type, when, and by whom.

        The `document_checked` fact of the identity state is the status machine's to set
        (`set_identity_state` with the state `apply(..., DocumentChecked)` returned), so a
        record never carries a status that disagrees with its facts.
        """
        with self._writing("Pièce d'identité vérifiée", actor) as act:
            self._update(
                patient_id,
                "patient.document",
                {
                    "document_type": doc_type,
                    "document_at": self.now_iso(),
                    "document_by": act.actor,
                },
            )
            self._event(patient_id, Channel.DOCUMENT, {"document": doc_type}, act.actor)

    def add_identity_event(
        self,
        patient_id: int,
        channel: Channel | str,
        detail: dict[str, Any] | None = None,
        *,
        actor: str | None = None,
    ) -> int:
        with self._writing("Source d'identité", actor) as act:
            return self._event(patient_id, channel, detail or {}, act.actor)

    def _event(
        self, patient_id: int, channel: Channel | str, detail: dict[str, Any], actor: str
    ) -> int:
        row = {
            "patient_id": patient_id,
            "channel": _channel(channel),
            "at": self.now_iso(),
            "actor": actor,
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
        }
        return int(self.db["identity_events"].insert(row).last_pk)
