"""The numbered schema migrations, applied in order at start (`PRAGMA user_version`).

Why a list in code rather than a schema dump: a practice may open last year's file with
this year's program, and the program must bring it forward step by step; a file written
by a *newer* program is refused before anything is written (`SchemaTooNew`).
Never edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ins_tui.store.connection import begin_immediate
from ins_tui.store.errors import SchemaTooNew


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    sql: str


_M1_TABLES = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE patients (
    id               INTEGER PRIMARY KEY,
    birth_name       TEXT NOT NULL,
    first_names      TEXT NOT NULL DEFAULT '',
    first_name       TEXT,
    sex              TEXT CHECK (sex IN ('F', 'M')),
    birth_date       TEXT,
    birthplace       TEXT,
    used_name        TEXT,
    used_first_name  TEXT,
    nir              TEXT,
    status           TEXT NOT NULL DEFAULT 'PROV'
                     CHECK (status IN ('PROV', 'RECUP', 'VALI', 'QUAL')),
    attributes       TEXT NOT NULL DEFAULT '',
    insi_retrieved   INTEGER NOT NULL DEFAULT 0 CHECK (insi_retrieved IN (0, 1)),
    document_checked INTEGER NOT NULL DEFAULT 0 CHECK (document_checked IN (0, 1)),
    apcv             INTEGER NOT NULL DEFAULT 0 CHECK (apcv IN (0, 1)),
    ins_number       TEXT,
    ins_key          TEXT,
    ins_oid          TEXT,
    ins_key_ok       INTEGER CHECK (ins_key_ok IN (0, 1)),
    ins_matricule    TEXT,
    locked_fields    TEXT NOT NULL DEFAULT '',
    document_type    TEXT,
    document_at      TEXT,
    document_by      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE ins_history (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    number       TEXT NOT NULL,
    key          TEXT NOT NULL,
    oid          TEXT NOT NULL,
    key_ok       INTEGER NOT NULL CHECK (key_ok IN (0, 1)),
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    date_start   TEXT,
    date_end     TEXT,
    received_at  TEXT NOT NULL
);
CREATE INDEX ins_history_patient ON ins_history(patient_id);

CREATE TABLE identity_events (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    channel     TEXT NOT NULL CHECK (channel IN ('SM', 'CV', 'INSI', 'AV', 'CB', 'DOC')),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX identity_events_patient ON identity_events(patient_id);

CREATE TABLE visits (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    day           TEXT NOT NULL,
    arrived_at    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'en_attente'
                  CHECK (state IN ('en_attente', 'en_consultation', 'parti')),
    practitioner  TEXT,
    position      INTEGER NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX visits_day ON visits(day, position);

CREATE TABLE journal (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    event          TEXT NOT NULL,
    patient_id     INTEGER,
    before_json    TEXT,
    after_json     TEXT,
    insi_request   BLOB,
    insi_response  BLOB,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX journal_patient ON journal(patient_id);
CREATE INDEX journal_at ON journal(at);

-- The audit journal is append-only in the database itself, whatever program writes to it.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul : modification refusée');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul : suppression refusée');
END;
-- Each row must extend the chain from the last row, so rows cannot be slipped in out of order.
CREATE TRIGGER journal_chain_link BEFORE INSERT ON journal
WHEN NEW.prev_hash IS NOT
     coalesce((SELECT hash FROM journal ORDER BY id DESC LIMIT 1), '{genesis}')
  OR NEW.id <= coalesce((SELECT max(id) FROM journal), 0)
BEGIN
    SELECT RAISE(ABORT, 'journal : maillon de chaîne invalide');
END;

CREATE TABLE insi_queue (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    traits_json TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('SM', 'CV', 'INSI', 'AV', 'CB', 'DOC')),
    created_at  TEXT NOT NULL,
    next_at     TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    done_at     TEXT
);
CREATE INDEX insi_queue_due ON insi_queue(done_at, next_at);
"""

# Search keys are the names folded for prefix search (see search_key.py): stored, indexed,
# and queried with ranges so a keystroke never scans the table.
_M2_SEARCH = """
ALTER TABLE patients ADD COLUMN birth_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN used_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN first_name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX patients_birth_name_key ON patients(birth_name_key, first_name_key, birth_date);
CREATE INDEX patients_used_name_key ON patients(used_name_key, first_name_key, birth_date)
    WHERE used_name_key != '';
CREATE INDEX patients_first_name_key ON patients(first_name_key, birth_name_key);
CREATE INDEX patients_birth_date ON patients(birth_date);
CREATE INDEX patients_ins_matricule ON patients(ins_matricule) WHERE ins_matricule IS NOT NULL;
CREATE INDEX patients_nir ON patients(nir) WHERE nir IS NOT NULL;
"""

# One user action writes several journal rows (the desk's sentence, the state, the
# document…): they share the action's id so the journal reads one line per action. Rows
# written before this migration keep NULL (grouped by a fallback, see journal.py).
# The partial index keeps "which patients of the day wait for an INSi retry" an index
# lookup per visit, cheap enough for the live waiting list.
_M3_ACTIONS = """
ALTER TABLE journal ADD COLUMN action_id INTEGER;
CREATE INDEX journal_action ON journal(action_id) WHERE action_id IS NOT NULL;
CREATE INDEX insi_queue_pending ON insi_queue(patient_id) WHERE done_at IS NULL;
"""

# Tamper evidence that survives a file edit: journal rows carry an HMAC under a key kept
# outside the file, and each patient row the seal of its state and of the journal row that
# explains it (see journal.py, patients.py). Rows of older files are sealed at first open.
_M4_SEALS = """
ALTER TABLE journal ADD COLUMN mac TEXT;
ALTER TABLE patients ADD COLUMN seal TEXT;
ALTER TABLE patients ADD COLUMN sealed_by INTEGER;
"""

# A NIR or a former INS typed in the search box (from a letter, an old label) is found by
# an index lookup, like a name.
_M5_HISTORY_NUMBER = """
CREATE INDEX ins_history_number ON ins_history(number);
"""

# Identities waiting to leave for a practice software or an identity server (outbox.py):
# written in the same transaction as the change, so a killed process loses neither.
_M6_OUTBOX = """
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    target      TEXT NOT NULL CHECK (target IN ('fhir', 'hl7')),
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    next_at     TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'held', 'dismissed')),
    control_id  TEXT UNIQUE,
    event       TEXT,
    payload     BLOB,
    last_error  TEXT,
    done_at     TEXT
);
CREATE INDEX outbox_due ON outbox(target, state, next_at);
CREATE INDEX outbox_patient ON outbox(patient_id, target);
"""

# Duplicate merge (store/merge.py): the dropped record points at its survivor, never
# deleted; `merges` keeps what moved (visit ids, INSi retries closed) so an unmerge puts
# back exactly that.
_M7_MERGES = """
ALTER TABLE patients ADD COLUMN merged_into INTEGER REFERENCES patients(id);
CREATE INDEX patients_merged ON patients(merged_into) WHERE merged_into IS NOT NULL;
CREATE TABLE merges (
    id               INTEGER PRIMARY KEY,
    kept_id          INTEGER NOT NULL REFERENCES patients(id),
    dropped_id       INTEGER NOT NULL REFERENCES patients(id),
    at               TEXT NOT NULL,
    actor            TEXT NOT NULL,
    action_id        INTEGER NOT NULL,
    override_reason  TEXT,
    moved_json       TEXT NOT NULL,
    undone_at        TEXT,
    undone_by        TEXT,
    undo_action_id   INTEGER
);
CREATE INDEX merges_dropped ON merges(dropped_id);
CREATE INDEX merges_kept ON merges(kept_id);
"""

GENESIS_HASH = "0" * 64

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "tables, journal en ajout seul, file INSi",
              _M1_TABLES.replace("{genesis}", GENESIS_HASH)),
    Migration(2, "clés et index de recherche", _M2_SEARCH),
    Migration(3, "journal groupé par action, file INSi par patient", _M3_ACTIONS),
    Migration(4, "journal et fiches scellés par la clé de l'installation", _M4_SEALS),
    Migration(5, "recherche par ancien INS", _M5_HISTORY_NUMBER),
    Migration(6, "identités à transmettre (FHIR, HL7)", _M6_OUTBOX),
    Migration(7, "fusion de doublons", _M7_MERGES),
)

LATEST = MIGRATIONS[-1].number


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(conn: sqlite3.Connection, path: str) -> int:
    """Called before any write: older code must never touch a newer file."""
    version = schema_version(conn)
    if version > LATEST:
        raise SchemaTooNew(path, version, LATEST)
    return version


def migrate(conn: sqlite3.Connection, path: str) -> list[int]:
    """Apply the missing migrations, each in its own transaction; returns those applied.

    The version is re-read under the write lock, so two desks starting together on a
    new file never apply the same step twice.
    """
    applied: list[int] = []
    if check_not_newer(conn, path) == LATEST:
        return applied
    for migration in MIGRATIONS:
        begin_immediate(conn)
        try:
            current = check_not_newer(conn, path)
            if migration.number <= current:
                conn.execute("COMMIT")
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={migration.number}")
            conn.execute("COMMIT")
            applied.append(migration.number)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would COMMIT on its own)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
