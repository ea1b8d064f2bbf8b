"""Suite-wide hygiene: no developer configuration, theme or colour setting leaks in."""

from __future__ import annotations

import pytest

_SCRUBBED = (
    "TEXTUAL_THEME",
    "TEXTUAL_COLOR_SYSTEM",
    "NO_COLOR",
    "COLORTERM",
    "TEXTUAL_ANIMATIONS",
    "INS_TUI_P12_PASSWORD",
)


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    import os

    for name in list(os.environ):
        if name.startswith("INS_TUI_") and name not in ("INS_TUI_IN_NS", "INS_TUI_NO_PCSCD"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INS_TUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
