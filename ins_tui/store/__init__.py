"""Everything ins-tui keeps on disk: one SQLite file (see docs/interfaces.md, Store)."""

from ins_tui.store.errors import (
    DatabaseMissing,
    FieldsLocked,
    InvalidValue,
    NoAction,
    PatientNotFound,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    UnreadableDatabase,
    VisitNotFound,
)
from ins_tui.store.journal import ChainReport
from ins_tui.store.records import JournalRow, PatientRecord, QueueItem, VisitRow
from ins_tui.store.store import Store

__all__ = [
    "ChainReport",
    "DatabaseMissing",
    "FieldsLocked",
    "InvalidValue",
    "JournalRow",
    "NoAction",
    "PatientNotFound",
    "PatientRecord",
    "QueueItem",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
    "StoreError",
    "UnreadableDatabase",
    "VisitNotFound",
    "VisitRow",
]
