"""`ins-tui traits check`: normalised traits, French errors/warnings, exit 0 / 2, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ins_tui.cli import EXIT_INVALID, EXIT_OK, main

GOOD = ["traits", "check", "--birth-name", "d'Artagnan de l’Hérault", "--first-names",
        "Pierre-Alain Muriel", "--sex", "m", "--birth-date", "14/07/2009",
        "--birthplace", "63220"]  # fmt: skip


def test_valid_traits_printed_normalised(capsys):
    assert main(GOOD) == EXIT_OK
    out = capsys.readouterr().out
    assert "Nom de naissance : D'ARTAGNAN DE L'HERAULT" in out
    assert "Prénoms de naissance : PIERRE-ALAIN MURIEL" in out
    assert "Date de naissance : 14/07/2009" in out
    assert "Lieu de naissance : 63220 (Mazoires)" in out
    assert "Avertissements :" in out and "Traits valides." in out


def test_invalid_traits_exit_2_with_french_errors(capsys):
    code = main(["traits", "check", "--birth-name", "DUPONT2", "--first-names", "Marie--Anne",
                 "--sex", "X", "--birth-date", "31/02/2000"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == EXIT_INVALID
    assert "Erreurs :" in out
    assert "« 2 »" in out
    assert "n'existe pas dans le calendrier" in out
    assert "Traits invalides" in out


def test_missing_options_are_reported_by_the_rules_in_french(capsys):
    assert main(["traits", "check"]) == EXIT_INVALID
    out = capsys.readouterr().out
    assert "Le nom de naissance est vide." in out and "Le sexe est vide" in out


def test_json_output(capsys):
    assert main([*GOOD, "--used-name", "Martin", "--first-name", "pierre-alain", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["valide"] is True
    assert payload["traits"]["birth_name"] == "D'ARTAGNAN DE L'HERAULT"
    assert payload["traits"]["used_name"] == "MARTIN"
    assert payload["traits"]["used_first_name"] is None  # never derived
    assert payload["traits"]["first_first_name"] == "PIERRE-ALAIN"
    assert payload["lieu_de_naissance"] == "Mazoires"
    assert payload["erreurs"] == []
    assert {"champ": "birth_name", "saisi": "d'Artagnan de l’Hérault",
            "normalise": "D'ARTAGNAN DE L'HERAULT"} in payload["modifications"]  # fmt: skip


def test_json_warnings(capsys):
    code = main(["traits", "check", "--birth-name", "D’ÆION", "--first-names", "X", "--sex",
                 "F", "--birth-date", "2009", "--birthplace", "99999", "--json"])  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    # Typed by a person, D’ÆION is transliterated: valid, with warnings shown.
    assert code == EXIT_OK and payload["traits"]["birth_name"] == "D'AEION"
    assert payload["date_incomplete"] is True
    assert {w["code"] for w in payload["avertissements"]} >= {"date.completed", "cog.unknown_place"}


@pytest.mark.parametrize(("args", "rc"), [(GOOD, 0), (GOOD[:4], 2)])
def test_console_entry_point_in_a_subprocess(args, rc):
    done = subprocess.run(
        [sys.executable, "-m", "ins_tui", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == rc, done.stderr
    assert ("Traits valides." if rc == 0 else "Traits invalides") in done.stdout
