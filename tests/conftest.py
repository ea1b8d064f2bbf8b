"""Suite-wide hygiene: no developer configuration, theme or colour setting leaks in."""

from __future__ import annotations

import os

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
    for name in list(os.environ):
        if name.startswith("INS_TUI_") and name not in ("INS_TUI_IN_NS", "INS_TUI_NO_PCSCD"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INS_TUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture(autouse=True)
def _rich_look_after_each_test():
    """An app started with TERM=linux leaves the plain glyphs process-wide (one app per
    process in production); a pure formatting test run after it saw « ~ » for « … »."""
    yield
    from ins_tui.tui import console_look

    console_look.reset()


_STRICT = os.environ.get("INS_TUI_STRICT_SKIPS") == "1" and not os.environ.get("INS_TUI_NO_PCSCD")


def _strict_skips() -> bool:
    """`make test` runs in the private namespaces where pcscd, SoftHSM and socat are
    installed by the bootstrap: there, a skipped real-parts test would hide a broken set-up,
    so it fails instead. Outside (developer shell, machine without namespaces) skips stay
    skips, each with its French reason. Read once at start: tests scrub INS_TUI_*."""
    return _STRICT


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _strict_skips() and not item.get_closest_marker("allow_skip"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"test ignoré alors que make test exige les vraies pièces : {reason}"
