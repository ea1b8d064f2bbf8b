"""`db check`: is this file a sound ins-tui database? Read-only, never repairs.

Why each check: `integrity_check` finds a damaged file, `foreign_key_check` orphans
(a visit of a deleted patient), the journal chain an edited or truncated audit trail,
and the identity invariants a state the status machine can never produce (a bug or a
hand edit). The invariants themselves are the domain's (`IdentityState` refuses an
inconsistent state); this module only asks it about every stored patient.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ins_tui.store.connection import connect
from ins_tui.store.errors import DatabaseMissing, UnreadableDatabase, reason_fr
from ins_tui.store.journal import verify_chain
from ins_tui.store.migrations import LATEST, MIGRATIONS
from ins_tui.store.records import attributes_from_text
from ins_tui.store.search_key import stored_key

MAX_DETAILS = 20
_JOURNAL_TRIGGERS = ("journal_no_update", "journal_no_delete", "journal_chain_link")


@dataclass
class CheckItem:
    name: str
    ok: bool
    message_fr: str
    details: list[str] = field(default_factory=list)
    warning: bool = False  # ok, but worth a look (e.g. a duplicate to merge)


@dataclass
class CheckReport:
    path: str
    schema_version: int | None = None
    schema_latest: int = LATEST
    items: list[CheckItem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.items) and all(i.ok for i in self.items)

    def add(
        self,
        name: str,
        ok: bool,
        message_fr: str,
        details: list[str] | None = None,
        *,
        warning: bool = False,
    ) -> None:
        self.items.append(
            CheckItem(name, ok, message_fr, (details or [])[:MAX_DETAILS], warning)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "valid": self.valid,
            "schema_version": self.schema_version,
            "schema_latest": self.schema_latest,
            "checks": [asdict(i) for i in self.items],
        }


def check_database(path: str | Path) -> CheckReport:
    """Every check on a read-only connection; a file that cannot be opened is one failure."""
    path = Path(path)
    report = CheckReport(str(path))
    try:
        conn = connect(path, create=False, read_only=True)
    except DatabaseMissing as exc:
        report.add("fichier", False, str(exc))
        return report
    except (OSError, sqlite3.Error) as exc:
        report.add("fichier", False, str(UnreadableDatabase(str(path), reason_fr(exc))))
        return report
    try:
        _run_checks(conn, report)
    except sqlite3.DatabaseError as exc:
        report.add("fichier", False, f"Le fichier {path} n'est pas une base ins-tui lisible : "
                   f"{reason_fr(exc)}.")
    finally:
        conn.close()
    return report


def _run_checks(conn: sqlite3.Connection, report: CheckReport) -> None:
    conn.row_factory = sqlite3.Row
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    report.schema_version = version
    if version > LATEST:
        report.add("schéma", False, f"Schéma n° {version} plus récent que ce programme "
                   f"(n° {LATEST} au plus) : mettez ins-tui à jour.")
        return
    if version == 0:
        report.add("schéma", False, "Base vide ou non initialisée par ins-tui (schéma n° 0).")
        return
    pending = [m.description for m in MIGRATIONS if m.number > version]
    report.add(
        "schéma",
        True,
        f"Schéma n° {version} sur {LATEST}"
        + (f" ; {len(pending)} migration(s) appliquée(s) au prochain démarrage." if pending
           else " : à jour."),
        pending,
    )
    _integrity(conn, report)
    _foreign_keys(conn, report)
    _journal(conn, report)
    _identities(conn, report, version)


def _integrity(conn: sqlite3.Connection, report: CheckReport) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    ok = rows == ["ok"]
    report.add("intégrité", ok, "Fichier intègre." if ok else "Fichier endommagé "
               "(PRAGMA integrity_check) : restaurez une sauvegarde.", [] if ok else rows)


def _foreign_keys(conn: sqlite3.Connection, report: CheckReport) -> None:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    details = [f"{r[0]} ligne {r[1]} → {r[2]} absent" for r in rows]
    report.add("références", not rows, "Aucune référence orpheline." if not rows else
               f"{len(rows)} référence(s) orpheline(s).", details)


def _journal(conn: sqlite3.Connection, report: CheckReport) -> None:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    missing = [t for t in _JOURNAL_TRIGGERS if t not in present]
    report.add(
        "protection du journal",
        not missing,
        "Le journal refuse modifications et suppressions." if not missing else
        "Protections du journal supprimées : " + ", ".join(missing) + ".",
    )
    chain = verify_chain(conn)
    report.add("chaîne du journal", chain.ok, chain.message_fr)


def _identities(conn: sqlite3.Connection, report: CheckReport, version: int) -> None:
    from ins_tui.domain.matricule import check_matricule, is_valid_oid
    from ins_tui.domain.model import Status
    from ins_tui.domain.status import IdentityState

    problems: list[str] = []
    count = 0
    has_keys = version >= 2
    for row in conn.execute("SELECT * FROM patients ORDER BY id"):
        count += 1
        pid = row["id"]
        try:
            IdentityState(
                status=Status(row["status"]),
                attributes=attributes_from_text(row["attributes"]),
                insi_retrieved=bool(row["insi_retrieved"]),
                document_checked=bool(row["document_checked"]),
                apcv=bool(row["apcv"]),
            )
        except ValueError as exc:
            problems.append(f"patient n° {pid} : {exc}")
        has_ins = bool(row["ins_number"])
        if (row["insi_retrieved"] or row["apcv"]) and not has_ins:
            problems.append(f"patient n° {pid} : statut {row['status']} sans INS enregistré.")
        if has_ins:
            if not is_valid_oid(row["ins_oid"]):
                problems.append(f"patient n° {pid} : OID d'INS inconnu ({row['ins_oid']}).")
            if bool(row["ins_key_ok"]) != check_matricule(row["ins_number"], row["ins_key"]):
                problems.append(f"patient n° {pid} : indicateur de clé de l'INS incohérent.")
            if row["ins_matricule"] != f"{row['ins_number']}{row['ins_key']}":
                problems.append(f"patient n° {pid} : matricule INS incohérent.")
        elif row["locked_fields"]:
            problems.append(f"patient n° {pid} : traits verrouillés sans INS.")
        if row["document_checked"] and not row["document_type"]:
            problems.append(f"patient n° {pid} : pièce vérifiée sans type de pièce.")
        if has_keys and (
            row["birth_name_key"] != stored_key(row["birth_name"])
            or row["used_name_key"] != stored_key(row["used_name"])
        ):
            problems.append(f"patient n° {pid} : clé de recherche périmée.")
    report.add(
        "identités",
        not problems,
        f"{count} identité(s) cohérente(s)." if not problems else
        f"{len(problems)} incohérence(s) d'identité sur {count} patient(s).",
        problems,
    )
    # Two records holding one INS are a duplicate to merge (identity vigilance), not a
    # broken file: reported as a warning, the file stays valid.
    duplicates = conn.execute(
        "SELECT group_concat(id, ', '), count(*) FROM patients WHERE ins_matricule IS NOT NULL "
        "GROUP BY ins_matricule HAVING count(*) > 1"
    ).fetchall()
    report.add(
        "doublons",
        True,
        "Aucun INS porté par plusieurs patients." if not duplicates else
        f"{len(duplicates)} INS porté(s) par plusieurs patients : doublons à rapprocher.",
        [f"patients n° {ids}" for ids, _n in duplicates],
        warning=bool(duplicates),
    )
