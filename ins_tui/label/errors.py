"""The one error of the label adapter, and the French words for what the OS said.

The messages are for the secretary: French, naming the setting to check. The OS speaks
English (`strerror`), so the few failures a person can act on while saving a label are
said in French here (the adapter layer does not reach into the store's own table).
"""

from __future__ import annotations

import errno

_OS_REASONS_FR = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.ENAMETOOLONG: "chemin trop long",
}


class LabelError(Exception):
    """The label cannot be made or sent; `message_fr` says why and what to do."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


def os_reason_fr(exc: OSError) -> str:
    """French reason for an OS failure; the OS's own words only when nothing is known."""
    return _OS_REASONS_FR.get(exc.errno or 0) or exc.strerror or str(exc)
