"""`ins-tui export hl7`: the backlog to a real MLLP receiver, with a French summary.

Tried: every patient (no date) acknowledged; `--since` in the future selects none; a
receiver that refuses (exit 1, the refusal listed); nobody listening (exit 3, kept for the
next run, which sends the same control id); bad input (exit 2: bad `--to`, missing file, no
receiver configured) queues nothing and sends nothing.
"""

from __future__ import annotations

import json
import socket

from ins_tui.cli import main
from ins_tui.store import Store

from .helpers import qualify, traits


def _db(db_path, clock, count: int = 3) -> list[int]:
    with Store.open(db_path, clock=clock) as store:  # no target: nothing queued by itself
        ids = [store.create_patient(traits(birth_date=f"2009-07-{10 + n}"), actor="a")
               for n in range(count)]
        qualify(store, ids[0])
    return ids


def _export(db_path, port: int, *extra: str) -> int:
    return main(["export", "hl7", "--db", str(db_path), "--to", f"127.0.0.1:{port}", *extra])


def test_backlog_is_sent_and_summarised_in_french(db_path, clock, receiver, capsys):
    rx = receiver("AA")
    ids = _db(db_path, clock)
    assert _export(db_path, rx.port) == 0
    out = capsys.readouterr().out
    assert "3 patients retenus, 3 mis en file" in out
    assert "3 envoyés, 0 refusé, 0 en attente" in out
    got = rx.wait_for(3)
    assert [r.message_type for r in got] == ["ADT^A28^ADT_A05"] * 3
    assert "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS" in got[0].text  # the QUAL one
    assert got[0].text.split("\r")[0].split("|")[10] == "P"
    # Again: everything was acknowledged, a second backlog run sends updates (A31).
    assert _export(db_path, rx.port, "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["patients"], doc["sent"], doc["pending"]) == (len(ids), 3, 0)
    assert [r.message_type for r in rx.wait_for(6)[3:]] == ["ADT^A31^ADT_A05"] * 3


def test_since_a_future_date_selects_nobody(db_path, clock, receiver, capsys):
    rx = receiver("AA")
    _db(db_path, clock)
    assert _export(db_path, rx.port, "--since", "31/12/2099") == 0
    assert "0 patient retenu, 0 mis en file" in capsys.readouterr().out
    assert rx.control_ids() == []


def test_refusals_exit_1_and_are_listed(db_path, clock, receiver, capsys):
    rx = receiver("AR")
    _db(db_path, clock, count=2)
    assert _export(db_path, rx.port) == 1
    out = capsys.readouterr().out
    assert "0 envoyé, 2 refusés, 0 en attente" in out
    assert out.count("Refus — patient n°") == 2 and "(AR)" in out


def test_unreachable_receiver_keeps_the_backlog_for_the_next_run(db_path, clock, receiver,
                                                                 capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _db(db_path, clock, count=2)
    assert _export(db_path, port) == 3
    out = capsys.readouterr().out
    assert "0 envoyé, 0 refusé, 2 en attente" in out and "connexion refusée" in out
    with Store.open(db_path, clock=clock) as store:
        first = store.pending_outputs("hl7")[0]
    rx = receiver("AA")
    assert _export(db_path, rx.port) == 0
    assert rx.control_ids()[0] == first.control_id  # the frozen message, not a new one


def test_bad_input_sends_and_queues_nothing(db_path, clock, tmp_path, capsys):
    _db(db_path, clock, count=1)
    assert main(["export", "hl7", "--db", str(db_path), "--to", "sans-port"]) == 2
    assert "HÔTE:PORT" in capsys.readouterr().err
    assert main(["export", "hl7", "--db", str(tmp_path / "absente.sqlite"), "--to",
                 "127.0.0.1:2575"]) == 2
    assert "Base introuvable" in capsys.readouterr().err
    assert main(["export", "hl7", "--db", str(db_path)]) == 2
    assert "Aucun destinataire HL7" in capsys.readouterr().err
    with Store.open(db_path, clock=clock) as store:
        assert store.pending_outputs() == []
