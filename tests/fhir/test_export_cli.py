"""`ins-tui export fhir`: Bundle and NDJSON files, selections, push now, bad input.

Tried through the real entry point (`ins_tui.cli.main`) on a real database filled by the
desk: a Bundle of every patient parsed back by the R4B model, NDJSON one resource a line,
`--status`, `--since` (patients written on two different days), the file's mode, bad
input refused with a French message and nothing written, and `--push` against the
loopback HTTPS server (all sent; server failing: still waiting, exit 3). Also the app's
wiring: the configuration turns queuing on and builds the sender (or nothing).
"""

from __future__ import annotations

import json
import stat

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir_fixtures import (  # noqa: F401 (fixtures, used by name)
    clock_fixture,
    db_path_fixture,
    desk_fixture,
    insi_fixture,
    simulator_fixture,
    store_fixture,
)
from fhir_identities import make
from fhir_server import FhirTestServer

from ins_tui.cli import main
from ins_tui.config import Config
from ins_tui.fhir import codes
from tests.desk.conftest import form


@pytest.fixture
def filled(desk, store, clock):
    """Three patients on 14 March (PROV, RECUP, QUAL), one more on 20 March (VALI)."""
    ids = {kind: make(desk, kind) for kind in ("prov", "recup", "qual_history")}
    clock.advance(6 * 24 * 3600)
    ids["vali"] = desk.create_patient(form(birth_name="Durand", first_names="Paul",
                                           sex="M", birth_date="02/03/1971")).patient_id
    assert desk.record_document(ids["vali"], "PA").ok
    return ids


def _statuses(resources: list[dict]) -> list[str]:
    out = []
    for r in resources:
        (ext,) = [e for e in r["extension"] if e["url"] == codes.EXT_IDENTITY_RELIABILITY]
        out.append(ext["extension"][0]["valueCoding"]["code"])
    return sorted(out)


def test_bundle_of_every_patient(filled, db_path, tmp_path, capsys):
    """A collection Bundle, parsed back whole; the INS only in the QUAL entry; 0600."""
    out = tmp_path / "patients.json"
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(out)]) == 0
    data = json.loads(out.read_bytes())
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection" and len(bundle.entry) == 4
    resources = [e["resource"] for e in data["entry"]]
    assert _statuses(resources) == ["PROV", "QUAL", "RECUP", "VALI"]
    with_ins = [r for r in resources if any(i["system"].startswith("urn:oid:1.2.250.1.213.1.4")
                                            for i in r["identifier"])]
    assert _statuses(with_ins) == ["QUAL"]
    assert len({e["fullUrl"] for e in data["entry"]}) == 4
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "4 patient(s) exporté(s)" in capsys.readouterr().err
    # The same export twice: the same entries (stable fullUrl and local system).
    again = tmp_path / "again.json"
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(again)]) == 0
    assert json.loads(again.read_bytes())["entry"] == data["entry"]


def test_ndjson_one_resource_a_line(filled, db_path, tmp_path):
    out = tmp_path / "patients.ndjson"
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(out), "--ndjson"]) == 0
    lines = out.read_bytes().splitlines()
    assert len(lines) == 4
    for line in lines:
        Patient.model_validate_json(line)


def test_status_and_since_select(filled, db_path, tmp_path):
    """`--status QUAL` keeps one; `--since` keeps what was written from that day on."""
    out = tmp_path / "q.ndjson"
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(out), "--ndjson",
                 "--status", "QUAL"]) == 0
    assert _statuses([json.loads(x) for x in out.read_bytes().splitlines()]) == ["QUAL"]
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(out), "--ndjson",
                 "--since", "2025-03-18"]) == 0
    assert _statuses([json.loads(x) for x in out.read_bytes().splitlines()]) == ["VALI"]
    assert main(["export", "fhir", "--db", str(db_path), "--out", str(out), "--ndjson",
                 "--since", "18/03/2025", "--status", "prov,recup"]) == 0
    assert out.read_bytes() == b""


def test_bad_input_is_refused_and_nothing_written(filled, db_path, tmp_path, capsys):
    """Unknown status, bad date, missing base, no --out: exit 2, French, no file."""
    out = tmp_path / "never.json"
    for argv in (["--status", "QUALIF"], ["--since", "hier"]):
        with pytest.raises(SystemExit) as caught:
            main(["export", "fhir", "--db", str(db_path), "--out", str(out), *argv])
        assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "statut inconnu « QUALIF »" in err and "date attendue" in err
    assert main(["export", "fhir", "--db", str(tmp_path / "absente.sqlite"),
                 "--out", str(out)]) == 2
    assert main(["export", "fhir", "--db", str(db_path)]) == 2
    assert main(["export", "fhir", "--db", str(db_path), "--out",
                 str(tmp_path / "nulle-part" / "x.json")]) == 2
    assert "Indiquez le fichier" in capsys.readouterr().err
    assert not out.exists()


def test_push_now_sends_what_waits_then_says_what_still_waits(desk, store, db_path,
                                                              tmp_path, capsys):
    """`--push`: everything pending goes; with the server failing, exit 3 and the count."""
    store.set_output_targets({"fhir"})
    make(desk, "prov")
    make(desk, "qual")
    with FhirTestServer(tmp_path / "pki") as server:
        argv = ["export", "fhir", "--db", str(db_path), "--push", "--url", server.url,
                "--ca", str(server.paths.ca_cert), "--json"]
        assert main(argv) == 0
        summary = json.loads(capsys.readouterr().out)
        assert (summary["sent"], summary["held"], summary["pending"]) == (2, 0, 0)
        assert {r.status for r in server.received} == {201}
        server.set_modes(["500"])
        desk.create_patient(form(birth_name="Durand", first_names="Paul", sex="M",
                                 birth_date="02/03/1971"))
        assert main(argv[:-1]) == 3
        text = capsys.readouterr().out
        assert "0 transmis, 0 refusé(s), 1 en attente" in text and "HTTP 500" in text
        # A backlog: --status queues those patients again, and they go.
        server.set_modes(["ok"])
        assert main([*argv, "--status", "QUAL"]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["queued"] == 1 and summary["sent"] == 2


def test_push_without_a_server_is_invalid(desk, db_path, capsys):
    assert main(["export", "fhir", "--db", str(db_path), "--push"]) == 2
    assert "Aucun serveur FHIR" in capsys.readouterr().err


def test_configuration_turns_queuing_on(desk, store, tmp_path):
    """No URL: nothing queued, no sender. A URL: every change queued for FHIR; training
    pushes only to its own URL."""
    from ins_tui.desk.outbound import sender_for

    assert sender_for(store, Config()) is None
    desk.create_patient(form())
    assert store.pending_outputs() == []
    config = Config(fhir_base_url="https://127.0.0.1:9/fhir")
    assert sender_for(store, config, training=True) is None
    sender = sender_for(store, config)
    assert sender is not None and store.output_targets == {"fhir"}
    pid = desk.create_patient(form(birth_name="Durand", first_names="Paul", sex="M",
                                   birth_date="02/03/1971")).patient_id
    assert [i.patient_id for i in store.pending_outputs("fhir")] == [pid]
    assert desk.output_status_fr(pid) == "FHIR : en attente d'envoi"
