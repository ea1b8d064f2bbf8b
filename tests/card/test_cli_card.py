"""`ins-tui card` with bad input, no pcscd needed: French messages, nothing half done."""

from __future__ import annotations

import socket

import pytest

from ins_tui.cli import main


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["insert"], "--profile NOM"),
        (["insert", "--profile", "nope"], "Carte de test inconnue"),
        (["insert", "--profile", "adrun-zoe", "--reader", "5"], "0 ou 1 attendu"),
        (["insert", "--profile", "adrun-zoe", "--seconds", "abc"], "durée en secondes"),
        (["insert", "--profile", "adrun-zoe", "--seconds", "nan"], "durée positive"),
        (["insert", "--profile", "adrun-zoe", "--seconds", "inf"], "durée positive"),
        (["insert", "--profile", "adrun-zoe", "--seconds", "-1"], "durée positive"),
        (["watch", "--seconds", "0"], "durée positive"),
    ],
)
def test_bad_arguments_are_refused_in_french(args, words, capsys) -> None:
    try:
        code = main(["card", *args])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert words in capsys.readouterr().err


def test_insert_without_a_virtual_reader_says_so(capsys) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["card", "insert", "--profile", "adrun-zoe", "--port", str(port)])
    assert code == 3
    assert "Lecteur virtuel injoignable" in capsys.readouterr().err


def test_seconds_accept_a_french_decimal_comma(capsys) -> None:
    from ins_tui.commands.card import _seconds

    assert _seconds("1,5") == 1.5
