"""Errors the store raises; each carries a French message a secretary can read.

The message is the exception's `str()`, so a caller (CLI, TUI) can show it as is.
Messages never contain a name or a NIR: a patient is referred to by its local id.
"""

from __future__ import annotations

from ins_tui.os_words import OS_REASONS_FR

# Low-level failures a person can act on, in French. SQLite and the OS speak English;
# the desk and the admin commands must not (one table, used by `Store.open` and `db check`;
# the OS reasons are shared with the label adapter: ins_tui/os_words.py).
_SQLITE_REASONS_FR = {
    "file is not a database": "ce n'est pas une base SQLite (ou elle est chiffrée)",
    "database disk image is malformed": "fichier endommagé",
    "unable to open database file": "fichier ou dossier inaccessible",
    "attempt to write a readonly database": "base en lecture seule",
    "disk i/o error": "erreur d'entrée-sortie du disque",
    "database or disk is full": "disque plein",
}


def reason_fr(exc: BaseException) -> str:
    """French reason for an SQLite or OS failure; the raw text only when nothing is known."""
    if isinstance(exc, OSError) and exc.errno in OS_REASONS_FR:
        return OS_REASONS_FR[exc.errno]
    text = str(exc)
    for needle, french in _SQLITE_REASONS_FR.items():
        if needle in text.lower():
            return french
    return getattr(exc, "strerror", None) or text


class StoreError(Exception):
    """Base class: the database cannot do what was asked; nothing was changed."""


class SchemaTooNew(StoreError):
    """The file was written by a newer ins-tui; opening it with older code could corrupt it."""

    def __init__(self, path: str, found: int, known: int) -> None:
        self.found = found
        self.known = known
        super().__init__(
            f"La base {path} a été créée par une version plus récente d'ins-tui "
            f"(schéma n° {found}, ce programme connaît jusqu'au n° {known}). "
            "Mettez ins-tui à jour ; la base n'a pas été modifiée."
        )


class DatabaseMissing(StoreError):
    def __init__(self, path: str) -> None:
        super().__init__(f"La base {path} n'existe pas.")


class UnreadableDatabase(StoreError):
    """Not an SQLite file, damaged, or not readable by this user; it was left as it is."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"Impossible d'ouvrir la base {path} : {reason}. Le fichier n'a pas été modifié ; "
            "vérifiez le chemin et les droits, ou restaurez une sauvegarde."
        )


class StoreBusy(StoreError):
    """Another desk kept the database locked longer than the generous wait allowed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"La base est occupée par un autre poste depuis plus de {seconds:.0f} s ; "
            "rien n'a été enregistré. Réessayez dans un instant."
        )


class NoAction(StoreError):
    """A write was attempted outside `store.action(...)`: a programming error."""

    def __init__(self) -> None:
        super().__init__("Écriture hors d'une action : rien n'a été enregistré.")


class PatientNotFound(StoreError):
    def __init__(self, patient_id: int) -> None:
        self.patient_id = patient_id
        super().__init__(f"Patient n° {patient_id} introuvable.")


class VisitNotFound(StoreError):
    def __init__(self, visit_id: int) -> None:
        super().__init__(f"Passage n° {visit_id} introuvable dans la liste d'attente.")


class FieldsLocked(StoreError):
    """INSi-sourced traits are locked: they change only by unlocking (which drops the INS)."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        labels = ", ".join(fields)
        super().__init__(
            f"Traits verrouillés (issus de l'INSi) : {labels}. "
            "Déverrouillez l'identité pour les modifier (l'INS sera alors supprimé)."
        )


class InvalidValue(StoreError):
    """A value outside what the schema accepts (state, channel…)."""


class InvalidIdentity(StoreError):
    """The identity the action would leave breaks a rule: the whole action was rolled back.

    `problems` are the domain's (values included, for the screen that typed them); the
    message names the fields and rules only, as it may reach a log.
    """

    def __init__(self, patient_id: int | None, rules: list[str], problems: list) -> None:
        self.patient_id = patient_id
        self.rules = rules
        self.problems = problems
        who = f"patient n° {patient_id}" if patient_id else "nouveau patient"
        super().__init__(
            f"Identité refusée ({who}) : " + " ; ".join(rules)
            + ". Rien n'a été enregistré."
        )


class JournalKeyMismatch(StoreError):
    """The installation key is not the one that sealed this file (lost, or replaced)."""

    def __init__(self, db: str, key_path: str) -> None:
        super().__init__(
            f"La clé du journal ({key_path}) n'est pas celle qui scelle la base {db} : la base "
            "n'a pas été ouverte. Restaurez la clé sauvegardée avec la base ; si elle est "
            "perdue, « ins-tui db rekey » en crée une nouvelle (journalisé)."
        )
