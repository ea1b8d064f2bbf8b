"""The OS failures a person can act on, said in French: one table for every layer.

The OS speaks English (`strerror`); the store (opening a database, `db check`, backups)
and the label adapter (saving a PDF, running `lp`) both tell a secretary why a file could
not be used. Both read this table, so a reason is worded once. Imports nothing of ins-tui.
"""

from __future__ import annotations

import errno

OS_REASONS_FR: dict[int, str] = {
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


def os_reason_fr(exc: OSError) -> str:
    """French reason for an OS failure; the OS's own words only when nothing is known."""
    return OS_REASONS_FR.get(exc.errno or 0) or exc.strerror or str(exc)
