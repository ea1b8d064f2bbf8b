"""The LPS instance identifier: one UUID per installation, created once and kept.

The guide (quoted by SAPA) asks for an identifier generated at install time and
stable afterwards, so the service can tell two installations of the same
software apart; a fresh UUID per run would defeat that.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

FILE_NAME = "insi-instance-id"


def instance_id(directory: Path | None = None) -> str:
    """Read the installation's UUID, creating it atomically on first use."""
    from ins_tui.paths import ensure_private_dir

    own = directory is None  # the data home is ins-tui's; a folder passed in is the caller's
    if directory is None:
        from ins_tui.config import data_home

        directory = data_home()
    path = Path(directory) / FILE_NAME
    try:
        value = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(value))
    except (FileNotFoundError, ValueError):
        pass
    ensure_private_dir(path.parent, tighten=own)
    value = str(uuid.uuid4())
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    tmp.write_text(value + "\n", encoding="ascii")
    try:
        # link() fails if another process created the file meanwhile: theirs wins.
        os.link(tmp, path)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value
