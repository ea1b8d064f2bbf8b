"""Where the project's bundled data lives, in a checkout and in a wheel.

A checkout (editable install) keeps `data/` at the repository root; a wheel
carries the same tree as `ins_tui/_data`. One function hides the difference so
no module hard-codes either layout.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("data directory not found (neither ../data nor ins_tui/_data)")


def data_file(*parts: str) -> Path:
    return data_dir().joinpath(*parts)
