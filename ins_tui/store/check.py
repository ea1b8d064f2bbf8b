"""`db check`: is this file a sound ins-tui database? Read-only, never repairs.

Why each check: `integrity_check` finds a damaged file, `foreign_key_check` orphans
(a visit of a deleted patient), the journal chain an edited or truncated audit trail,
the identity rules a row the store would never have committed (a bug, an older version or
a hand edit), and the keyed seals an edit made with the file alone: the journal's rows and
head, and each patient row against its seal and the journal row that explains it. The
rules are the domain's (`domain.identity_check`, the very function the store runs before
each commit); this module only asks it about every stored patient.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ins_tui.store import journal_key
from ins_tui.store.connection import connect
from ins_tui.store.errors import DatabaseMissing, UnreadableDatabase, reason_fr
from ins_tui.store.journal import verify_chain, verify_seals
from ins_tui.store.migrations import LATEST, MIGRATIONS
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


def check_database(
    path: str | Path, *, key: bytes | None = None, key_path: Path | None = None
) -> CheckReport:
    """Every check on a read-only connection; a file that cannot be opened is one failure.

    The journal key is `key`, else read from `key_path` or its default place (never
    created here): without it the seals cannot be checked, which is itself a failure.
    """
    path = Path(path)
    report = CheckReport(str(path))
    if key is None:
        try:
            key = journal_key.read_key(key_path or journal_key.default_key_path())
        except journal_key.JournalKeyError as exc:
            report.add("clé du journal", False, str(exc))
    try:
        conn = connect(path, create=False, read_only=True)
    except DatabaseMissing as exc:
        report.add("fichier", False, str(exc))
        return report
    except (OSError, sqlite3.Error) as exc:
        report.add("fichier", False, str(UnreadableDatabase(str(path), reason_fr(exc))))
        return report
    try:
        _run_checks(conn, report, key)
    except sqlite3.DatabaseError as exc:
        report.add("fichier", False, f"Le fichier {path} n'est pas une base ins-tui lisible : "
                   f"{reason_fr(exc)}.")
    finally:
        conn.close()
    return report


def _run_checks(conn: sqlite3.Connection, report: CheckReport, key: bytes | None) -> None:
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
    _journal(conn, report, version, key)
    _identities(conn, report, version, key)
    if version >= 7:
        _merges(conn, report)


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


def _seal_problem(row: sqlite3.Row, key: bytes | None, latest: int | None,
                  last_journal: int, seal_of) -> str | None:
    if row["seal"] is None or row["sealed_by"] is None:
        return "fiche non scellée (écrite hors de l'application)."
    if latest is not None and row["sealed_by"] < latest:
        return "fiche revenue à un état antérieur à ce que dit le journal."
    if row["sealed_by"] > last_journal:
        return "fiche scellée par une ligne de journal absente."
    if key is not None and not journal_key.same(row["seal"], seal_of(key, row, row["sealed_by"])):
        return "fiche modifiée hors de l'application (le sceau ne correspond plus)."
    return None


def _journal(conn: sqlite3.Connection, report: CheckReport, version: int,
             key: bytes | None) -> None:
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
    if version >= 4:
        seals = verify_seals(conn, key)
        report.add("sceaux du journal", seals.ok, seals.message_fr, warning=bool(
            seals.unverifiable))


def _identities(conn: sqlite3.Connection, report: CheckReport, version: int,
                key: bytes | None) -> None:
    """The store's own rule set (`seals.row_problems`) on every row, then the seals.

    The rules are exactly those the store runs before each commit, so a row that is here
    and breaks them was written around the application (or by an older version).
    """
    from datetime import date

    from ins_tui.domain.identity_check import masked_summary
    from ins_tui.store.seals import PATIENT_EVENT_PREFIX, histories, patient_seal, row_problems

    problems: list[str] = []
    seal_problems: list[str] = []
    count = bad = 0
    has_keys = version >= 2
    sealed = version >= 4
    today = date.today()
    latest: dict[int, int] = {}
    if sealed:
        latest = dict(conn.execute(
            "SELECT patient_id, max(id) FROM journal WHERE patient_id IS NOT NULL "
            "AND substr(event, 1, ?) = ? GROUP BY patient_id",
            (len(PATIENT_EVENT_PREFIX), PATIENT_EVENT_PREFIX)).fetchall())
    last_journal = conn.execute("SELECT coalesce(max(id), 0) FROM journal").fetchone()[0]
    history = histories(conn)
    for row in conn.execute("SELECT * FROM patients ORDER BY id"):
        count += 1
        pid = row["id"]
        found = [p for p in row_problems(row, today, history.get(pid)) if p.is_error]
        reasons = masked_summary(found)
        if found:
            bad += 1
        if has_keys and (
            row["birth_name_key"] != stored_key(row["birth_name"])
            or row["used_name_key"] != stored_key(row["used_name"])
        ):
            reasons.append("clé de recherche périmée")
        if reasons:
            problems.append(f"patient n° {pid} : " + " ; ".join(reasons) + ".")
        if sealed:
            reason = _seal_problem(row, key, latest.get(pid), last_journal,
                                   lambda k, r, by: patient_seal(k, r, by, history.get(r["id"])))
            if reason:
                seal_problems.append(f"patient n° {pid} : {reason}")
    report.add(
        "identités",
        not problems,
        f"{count} identité(s) conforme(s) aux règles." if not problems else
        f"{len(problems)} anomalie(s) sur {count} patient(s) ({bad} identité(s) hors règles).",
        problems,
    )
    if sealed:
        report.add(
            "fiches scellées",
            not seal_problems and (key is not None or count == 0),
            (f"{count} fiche(s) conforme(s) à leur sceau et au journal." if key is not None
             else "Clé du journal introuvable : sceaux des fiches non vérifiés.")
            if not seal_problems else
            f"{len(seal_problems)} fiche(s) modifiée(s) hors de l'application ou non "
            "expliquée(s) par le journal.",
            seal_problems,
        )
    # Two records holding one INS are a duplicate to merge (identity vigilance), not a
    # broken file: reported as a warning, the file stays valid.
    # A merged record keeps the survivor's INS as evidence: it is no duplicate any more.
    merged = " AND merged_into IS NULL" if version >= 7 else ""
    duplicates = conn.execute(
        "SELECT group_concat(id, ', '), count(*) FROM patients WHERE ins_matricule IS NOT NULL"
        f"{merged} GROUP BY ins_matricule HAVING count(*) > 1"
    ).fetchall()
    report.add(
        "doublons",
        True,
        "Aucun INS porté par plusieurs patients." if not duplicates else
        f"{len(duplicates)} INS porté(s) par plusieurs patients : doublons à rapprocher.",
        [f"patients n° {ids}" for ids, _n in duplicates],
        warning=bool(duplicates),
    )


def _merges(conn: sqlite3.Connection, report: CheckReport) -> None:
    """A merged record points at an existing, non-merged survivor, through an open merge,
    and is sealed by its `patient.merged` journal row (`merged_into` is not among the
    sealed columns: the journal row the seal names carries it instead)."""
    import json

    problems: list[str] = []
    open_merges = {(r["dropped_id"], r["kept_id"]) for r in conn.execute(
        "SELECT dropped_id, kept_id FROM merges WHERE undone_at IS NULL")}
    states = {r["id"]: r["merged_into"] for r in conn.execute(
        "SELECT id, merged_into FROM patients")}
    rows = conn.execute(
        "SELECT p.id, p.merged_into, j.event, j.after_json FROM patients p "
        "LEFT JOIN journal j ON j.id = p.sealed_by WHERE p.merged_into IS NOT NULL")
    count = 0
    for row in rows:
        count += 1
        pid, into = row["id"], row["merged_into"]
        if into not in states:
            problems.append(f"patient n° {pid} : fusionné dans un dossier absent (n° {into}).")
        elif states[into] is not None:
            problems.append(f"patient n° {pid} : fusionné dans le dossier n° {into}, lui-même "
                            "fusionné.")
        if (pid, into) not in open_merges:
            problems.append(f"patient n° {pid} : fusion sans trace dans la table des fusions.")
        after = json.loads(row["after_json"]) if row["after_json"] else {}
        if row["event"] != "patient.merged" or after.get("merged_into") != into:
            problems.append(f"patient n° {pid} : fusion non expliquée par le journal.")
    for dropped, kept in sorted(open_merges):
        if states.get(dropped) != kept:
            problems.append(f"fusion du dossier n° {dropped} dans le n° {kept} ouverte, mais "
                            "le dossier n'y pointe pas.")
    report.add(
        "fusions",
        not problems,
        f"{count} dossier(s) fusionné(s), chacun vers un dossier actif." if not problems else
        f"{len(problems)} anomalie(s) de fusion.",
        problems,
    )
