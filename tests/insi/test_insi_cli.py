"""`ins-tui insi search` and `ins-tui insi simulator`, as a user or a script runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.outcomes import Found

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def target(sim, monkeypatch) -> list[str]:
    """Options pointing the command at the session simulator (mTLS, own CA and p12)."""
    monkeypatch.setenv("INS_TUI_P12_PASSWORD", sim.paths.p12_password.decode())
    monkeypatch.setenv("INS_TUI_INSI_IDAM", "TESTSGIE0000")
    return ["--endpoint", sim.url, "--ca", str(sim.paths.ca_cert),
            "--p12", str(sim.paths.client_p12)]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["insi", "search", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _traits(name, first, sex, date, *extra) -> list[str]:
    return ["--birth-name", name, "--first-names", first, "--sex", sex, "--birth-date", date,
            *extra]


def test_found_json_with_every_attempt(capsys, target) -> None:
    code, out, _ = _run(capsys, *target, "--json",
                        *_traits("TCHITCHI", "OLA CATARINA", "F", "1936-06-21"))
    doc = json.loads(out)
    assert code == 0 and doc["outcome"] == "found" and doc["exit_code"] == 0
    assert doc["identity"]["ins"]["matricule"] == "236066322083656"
    assert doc["identity"]["traits"]["first_names"] == "CATARINA BELLA"
    assert [(a["first_name"], a["cr"]) for a in doc["attempts"]] == [("OLA", "01"),
                                                                     ("CATARINA", "00")]
    assert doc["attempts"][0]["request"].startswith("<?xml")
    assert "<CodeCR>01</CodeCR>" in doc["attempts"][0]["response"]


def test_found_human_output(capsys, target, monkeypatch) -> None:
    """CNDA 2.08 cas 2 replayed under `[insi] bad_active_key = "warn"`: kept, flagged."""
    monkeypatch.setenv("INS_TUI_INSI_BAD_ACTIVE_KEY", "warn")
    code, out, _ = _run(capsys, *target, *_traits("HERMANN", "GATIEN", "M", "1981-03-24"))
    assert code == 0
    assert "181036322045660" in out and "modulo 97" in out and "Historique" in out


def test_incoherent_answer_exit_3_shows_what_was_received(capsys, target, sim) -> None:
    """Default policy: the same answer is refused (service error family, exit 3); the
    reason names the rule, and what INSi sent is shown as not retained."""
    code, out, err = _run(capsys, *target, *_traits("HERMANN", "GATIEN", "M", "1981-03-24"))
    assert code == 3 and out == ""
    first = err.splitlines()[0]
    assert first.startswith("Réponse INSi incohérente : INS : clé de l'INS ne vérifiant pas")
    assert "181036322045660" not in first and "HERMANN" not in first
    assert "Réponse reçue (non retenue) :" in err and "181036322045660" in err
    assert "Relancez" not in err  # asking again gets the same answer
    sim.evil = "long_name"
    code, out, _ = _run(capsys, *target, "--json", *_traits("ECETINSI", "PIERRE-ALAIN", "M",
                                                            "2009-07-14"))
    doc = json.loads(out)
    assert (code, doc["exit_code"], doc["outcome"], doc["error_kind"]) == (
        3, 3, "error", "reponse_incoherente")
    assert doc["problems"] == [{"field": "birth_name", "code": "name.too_long",
                                "message": "trop long"}]
    assert len(doc["identity"]["traits"]["birth_name"]) == 50_000
    assert doc["attempts"][0]["cr"] == "00" and doc["attempts"][0]["response"]
    code, _, err = _run(capsys, *target, *_traits("ECETINSI", "PIERRE-ALAIN", "M",
                                                  "2009-07-14"))
    assert code == 3 and "(50000 caractères)" in err and "A" * 121 not in err


def test_not_found_and_several_exit_1(capsys, target) -> None:
    code, out, _ = _run(capsys, *target, "--json",
                        *_traits("HOUILLES", "PIERRE PAUL", "M", "1993-01-27"))
    assert code == 1 and json.loads(out)["outcome"] == "not_found"
    code, out, _ = _run(capsys, *target, "--json",
                        *_traits("DE VINCI", "LEONARDO", "M", "2014-02-01"))
    assert code == 1 and json.loads(out)["outcome"] == "several_found"


def test_invalid_trait_refused_before_sending(capsys, target, sim) -> None:
    before = sim.request_count
    code, _, err = _run(capsys, *target, *_traits("D’ÆION", "CŒUR", "M", "1987-01-01",
                                                  "--birthplace", "2B020"))
    assert code == 2 and sim.request_count == before
    assert "« Æ »" in err and "« D'AEION »" in err and "« COEUR »" in err
    code, out, _ = _run(capsys, *target, "--json", *_traits("adrun", "ZOE", "X", "31/12/1975"))
    doc = json.loads(out)
    assert code == 2 and doc["outcome"] == "invalid" and doc["attempts"] == []
    fields = {p["field"] for p in doc["problems"]}
    assert fields == {"birth_name", "sex", "birth_date"}
    assert sim.request_count == before


def test_service_error_exit_3(capsys, target) -> None:
    code, out, _ = _run(capsys, *target, "--json",
                        *_traits("DE VINCI", "DICAPRIO", "M", "2014-02-01"))
    doc = json.loads(out)
    assert code == 3 and doc["error_kind"] == "service_indisponible"
    assert doc["fault"]["detail_code"] == "desir_1020"


def test_missing_configuration_is_invalid_input(capsys) -> None:
    code, _, err = _run(capsys, *_traits("ADRUN", "ZOE", "F", "1975-12-31"))
    assert code == 2 and "--training" in err


def test_training_mode_starts_its_own_simulator(capsys, monkeypatch, sim_dir) -> None:
    monkeypatch.setenv("INS_TUI_TRAINING_DIR", str(sim_dir.parent / "formation"))
    (sim_dir.parent / "formation").mkdir(exist_ok=True)
    link = sim_dir.parent / "formation" / "insi"
    if not link.exists():
        link.symlink_to(sim_dir)  # reuse the session's certificates (RSA generation is slow)
    code, out, _ = _run(capsys, "--training", "--json",
                        *_traits("ADRUN", "ZOE", "F", "1975-12-31"))
    assert code == 0 and json.loads(out)["identity"]["ins"]["oid"] == "1.2.250.1.213.1.4.8"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_simulator_process_serves_and_stops_cleanly(sim_dir, sig) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ins_tui", "insi", "simulator", "--port", "0",
         "--dir", str(sim_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Simulateur INSi à l'écoute : https://127.0.0.1:"), line
        url = line.split(" : ", 1)[1].strip()
        from ins_tui.insi.settings import InsiSettings

        settings = InsiSettings(endpoint=url, ca_bundle=sim_dir / "ca.pem",
                                idam="TESTSGIE0000", instance_id="x",
                                p12=sim_dir / "client-insi-auto.p12", p12_password=b"formation")
        with InsiClient(settings) as c:
            assert isinstance(c.search_traits(Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")),
                              Found)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0, err
    assert "Simulateur arrêté." in out and "Traceback" not in err


def test_local_setup_problems_exit_2_nothing_sent(capsys, target, sim, tmp_path) -> None:
    """Endpoint, CA or certificate unusable: French message, exit 2, no request at all."""
    before = sim.request_count
    zoe = _traits("ADRUN", "ZOE", "F", "1975-12-31")
    endpoint, ca = target[1], target[3]
    cases = [
        (["--endpoint", "https://127.0.0.1:99999/lps", *target[2:]], "Adresse du téléservice"),
        (["--endpoint", endpoint, "--p12", target[5]], "Aucune autorité de confiance"),
        (["--endpoint", endpoint, "--ca", "/etc/hostname", "--p12", target[5]],
         "autorités de confiance INSi illisible"),
        (["--endpoint", endpoint, "--ca", ca, "--p12", str(tmp_path / "absent.p12")],
         "PKCS#12 introuvable"),
    ]
    for options, expected in cases:
        code, out, err = _run(capsys, *options, *zoe)
        assert code == 2 and expected in err, (options, err)
        assert "Traceback" not in err
    code, out, _ = _run(capsys, "--json", "--endpoint", endpoint, "--p12", target[5], *zoe)
    doc = json.loads(out)
    assert (code, doc["exit_code"], doc["error_kind"], doc["attempts"]) == (
        2, 2, "certificat", [])
    assert sim.request_count == before


def test_transport_error_exit_3_in_french_only(target) -> None:
    """No English log line leaks onto the operator's terminal next to the French message
    (a real process: pytest's own log capture would hide Python's last-resort handler)."""
    options = ["--endpoint", "https://127.0.0.1:1/lps", *target[2:]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "ins_tui", "insi", "search", *options,
         *_traits("ADRUN", "ZOE", "F", "1975-12-31")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )
    assert result.returncode == 3 and "injoignable" in result.stderr
    # The command line queues nothing: it tells the operator to run it again, and never
    # promises the automatic retry only the app performs.
    assert "Relancez la commande" in result.stderr
    assert "automatiquement" not in result.stderr and "refaite" not in result.stderr
    assert "rechercherInsAvecTraitsIdentite" not in result.stderr, result.stderr
    assert "Errno" not in result.stderr


def _simulator(capsys, *argv: str) -> tuple[int, str]:
    code = main(["insi", "simulator", *argv])
    return code, capsys.readouterr().err


def test_simulator_command_refuses_bad_options_in_french(capsys, sim_dir, tmp_path) -> None:
    d = ["--dir", str(sim_dir)]
    assert _simulator(capsys, "--port", "99999", *d) == (
        2, "--port 99999 : entre 0 et 65535 attendu (0 : un port libre).\n")
    code, err = _simulator(capsys, "--latency", "nan", *d)
    assert code == 2 and "--latency" in err
    code, err = _simulator(capsys, "--fault-rate", "1.5", *d)
    assert code == 2 and "--fault-rate" in err
    code, err = _simulator(capsys, "--variant", "9.99", *d)
    assert code == 2 and "« 9.99 »" in err and "« 2.04 cas 2 »" in err
    code, err = _simulator(capsys, "--cpx", "--cpx-ca", "/etc/hostname", *d)
    assert code == 2 and "aucun certificat PEM lisible dans /etc/hostname" in err


def test_simulator_command_start_failures_in_french(capsys, sim, sim_dir, tmp_path) -> None:
    code, err = _simulator(capsys, "--port", str(sim.port), "--dir", str(sim_dir))
    assert code == 3 and f"le port {sim.port} est déjà utilisé" in err
    damaged = tmp_path / "abime"
    damaged.mkdir()
    for f in sim_dir.iterdir():
        (damaged / f.name).write_bytes(f.read_bytes())
    (damaged / "server.pem").write_text("abîmé")
    code, err = _simulator(capsys, "--dir", str(damaged))
    assert code == 3 and "supprimez ce dossier" in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
