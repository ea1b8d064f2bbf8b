"""Where the project's bundled data lives, and how ins-tui's own folders are made.

A checkout (editable install) keeps `data/` at the repository root; a wheel
carries the same tree as `ins_tui/_data`. One function hides the difference so
no module hard-codes either layout. The private-directory helpers live here too, in
a module that imports nothing of ins-tui when loaded, so the store, INSi and the start-up code
share one source of truth for directory modes.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ins_tui.config import Config


@cache
def data_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("data directory not found (neither ../data nor ins_tui/_data)")


def data_file(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


# --- Private directories -------------------------------------------------------------
# Everything ins-tui writes is owner-only: files 0600, the directories holding them 0700
# (a 0755 directory lets every local account list patients' backups and training files,
# and see when the desk writes). One helper for all of them, so no caller gets it wrong.

_UMASK_LOCK = threading.Lock()
log = logging.getLogger(__name__)


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files created inside are owner-only; umask is process-wide, hence the lock."""
    with _UMASK_LOCK:
        old = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(old)


def ensure_private_dir(path: Path, *, tighten: bool = True) -> list[str]:
    """Make `path` exist as a 0700 directory; return French warnings (never fatal).

    Each missing component is created by itself, 0700 under a private umask, because
    `mkdir(parents=True, mode=...)` gives the mode to the last component only and lets the
    umask widen nothing but narrow it. With `tighten`, an existing directory of this user
    that others can enter is narrowed to 0700; one owned by another account is left as its
    owner chose, and said. `tighten=False` is for directories the user named (a backup
    medium, `--db /srv/cabinet/…`): ins-tui creates what is missing there, never chmods.
    """
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    with private_umask():
        for directory in reversed(missing):
            # Another desk may create it meanwhile: checked below like any other.
            with contextlib.suppress(FileExistsError):
                os.mkdir(directory, 0o700)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return tighten_dir(path) if tighten else []


def tighten_dir(path: Path) -> list[str]:
    """Narrow a directory of this user to 0700; a foreign one is reported, not changed."""
    try:
        st = os.stat(path)
    except OSError:
        return []
    if not st.st_mode & 0o077:
        return []
    if st.st_uid == os.geteuid():
        try:
            os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
            return []
        except OSError as exc:
            message = (f"Le dossier {path} est accessible à d'autres comptes "
                       f"(mode {stat.S_IMODE(st.st_mode):o}) et n'a pas pu être restreint "
                       f"({exc.strerror}) : faites « chmod 700 {path} ».")
    else:
        message = (f"Le dossier {path} est accessible à d'autres comptes "
                   f"(mode {stat.S_IMODE(st.st_mode):o}) et appartient à un autre compte "
                   f"(uid {st.st_uid}) : ins-tui ne le modifie pas ; demandez à son "
                   f"propriétaire de le restreindre (chmod 700).")
    log.warning("%s", message)
    return [message]


def is_app_dir(path: Path) -> bool:
    """True for the data home, the configuration folder, or a folder inside one of them:
    those are ins-tui's own and may be tightened; anything else was chosen by a person."""
    from ins_tui.config import config_dir, data_home

    target = Path(os.path.abspath(path))
    for root in (data_home(), config_dir()):
        root = Path(os.path.abspath(root))
        if target == root or root in target.parents:
            return True
    return False


def prepare_app_dirs(config: Config, *, training: bool = False) -> list[str]:
    """At start: data home, configuration folder and (training) the training folder 0700.

    Returns the French warnings for the start-up output. The training folder is the app's
    wherever it is configured (nothing else goes in it); the database's folder is tightened
    only inside the app's own folders (see `is_app_dir`).
    """
    from ins_tui.config import config_dir, data_home

    training_dir = Path(os.path.abspath(config.training_dir))
    db_dir = (config.training_db_path if training else config.db_path).parent
    targets = [data_home(), config_dir(), *([training_dir] if training else []), db_dir]
    warnings: list[str] = []
    seen: set[Path] = set()
    for target in (Path(os.path.abspath(t)) for t in targets):
        if target not in seen:
            seen.add(target)
            own = (training and target == training_dir) or is_app_dir(target)
            warnings += ensure_private_dir(target, tighten=own)
    return warnings
