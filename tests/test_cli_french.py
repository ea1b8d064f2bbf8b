"""The CLI speaks French, argparse's own sentences included (tried: --help, a missing
required option, an unknown sub-command)."""

from __future__ import annotations

import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ins_tui", *args], capture_output=True, text=True, timeout=60
    )


def test_help_is_french() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("utilisation : ins-tui")
    assert "afficher cette aide et quitter" in result.stdout
    assert "show this help" not in result.stdout


def test_missing_required_option_is_refused_in_french_with_exit_2() -> None:
    result = _run("db", "check")
    assert result.returncode == 2
    assert "erreur : arguments obligatoires manquants : --db" in result.stderr
    assert "error" not in result.stderr


def test_unknown_choice_is_refused_in_french() -> None:
    result = _run("card", "nimporte")
    assert result.returncode == 2
    assert "choix invalide" in result.stderr
