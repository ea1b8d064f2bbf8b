"""Errors the store raises; each carries a French message a secretary can read.

The message is the exception's `str()`, so a caller (CLI, TUI) can show it as is.
Messages never contain a name or a NIR: a patient is referred to by its local id.
"""

from __future__ import annotations


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
