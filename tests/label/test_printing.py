"""Labels through a real CUPS: `ins-tui label --print`, then what the printer received.

A private cupsd with a cups-pdf queue (tests/label/cups.py) stands for the label printer.
Tried, for the published test INS, a long first-name list, the Corsican 2A form and an NIA:
the command queues the PDF with `lp`; cups-pdf writes what the printer would have printed
(re-rendered by its Ghostscript filter, not our bytes); that file is rasterised by
`pdftoppm` at the printer's resolution and read by libdmtx's `dmtxread` and by zxing-cpp,
and both give the ANS layout field by field (tests/label/ans.py). A RECUP identity prints
a label without datamatrix that says why. Failures: the scheduler stopped, an unknown
queue, an `lp` that hangs, a folder that cannot be written — each a French sentence, the
PDF kept where the message says, the journal told what left the software.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.label.sizes import SIZES
from tests.label.ans import assert_ans_layout, dmtx_read, pdf_text, rasterise, zxing_read
from tests.label.conftest import IDENTITIES, add, qualified, recup
from tests.label.cups import QUEUE, PrivateCups

SIZE = "dymo-89x36"


@pytest.fixture
def label_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running_cups: PrivateCups):
    """A configuration naming the private queue, through the file the command reads."""
    folder = tmp_path / "etiquettes"

    def configure(**extra: str) -> Path:
        values = {"printer": QUEUE, "cups_server": str(running_cups.socket),
                  "folder": str(folder), "size": SIZE, "timeout": "20", **extra}
        toml = tmp_path / "config.toml"
        toml.write_text("[label]\n" + "".join(
            f"{k} = {v}\n" if k == "timeout" else f'{k} = "{v}"\n'
            for k, v in values.items()), encoding="utf-8")
        monkeypatch.setenv("INS_TUI_CONFIG", str(toml))
        return folder

    configure()
    return configure


def _journal(db: Path, patient_id: int) -> list[tuple[str, dict]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT event, after_json FROM journal WHERE patient_id = ? "
                            "AND action = 'Étiquette patient' ORDER BY id",
                            (patient_id,)).fetchall()
    finally:
        conn.close()
    return [(event, json.loads(after or "{}")) for event, after in rows]


def _print(db: Path, patient_id: int, *extra: str) -> int:
    return main(["label", "--db", str(db), "--patient", str(patient_id), "--print", *extra])


@pytest.mark.parametrize("name", ["published", "long", "corsica_2a", "nia"])
def test_printed_label_decodes_field_by_field(name, store, label_env, running_cups, capsys):
    """`--print` → cups-pdf's PDF → pdftoppm at 300 dpi → dmtxread and zxing-cpp."""
    pid, _ins, _traits = qualified(store, name)
    db = store.path
    store.close()
    before = len(running_cups.printed())
    assert _print(db, pid) == 0
    said = capsys.readouterr().err
    assert f"Étiquette envoyée à l'imprimante « {QUEUE} »" in said
    printed = running_cups.wait_for_pdf(before)
    png = rasterise(printed, SIZES[SIZE].dpi)
    texts = dmtx_read(png)
    assert len(texts) == 1, texts
    assert_ans_layout(texts[0], name)
    found = zxing_read(png)
    assert len(found) == 1, found
    assert found[0][1] == "]d1"
    assert_ans_layout(found[0][0].decode("ascii"), name)
    assert "INS à scanner" in pdf_text(printed)
    [(event, after)] = _journal(db, pid)
    assert event == "étiquette imprimée"
    assert after["datamatrix INS"] == "oui" and after["imprimante"] == QUEUE


def test_recup_identity_prints_a_label_that_says_why(store, label_env, running_cups, capsys):
    """RECUP (INS retrieved, no ID document yet): printed, no symbol, the reason on it."""
    ins, traits = IDENTITIES["published"]
    pid = add(store, traits)
    recup(store, pid, ins)
    db = store.path
    store.close()
    before = len(running_cups.printed())
    assert _print(db, pid) == 0
    said = capsys.readouterr().err
    assert "Sans datamatrix INS" in said and "qualifi" in said
    printed = running_cups.wait_for_pdf(before)
    png = rasterise(printed, SIZES[SIZE].dpi)
    assert dmtx_read(png) == [] and zxing_read(png) == []
    words = pdf_text(printed)
    assert "ECETINSI" in words and "qualifi" in words and "INS à scanner" not in words
    [(_event, after)] = _journal(db, pid)
    assert after["datamatrix INS"] == "non"


def test_scheduler_down_keeps_the_pdf_and_says_so(store, label_env, running_cups, capsys):
    """Tried: cupsd stopped. Exit 1, French message naming CUPS, PDF in the label folder
    (mode 0600), journaled as saved, not printed."""
    pid, _ins, _traits = qualified(store, "corsica")
    db = store.path
    store.close()
    running_cups.stop()
    assert _print(db, pid) == 1
    said = capsys.readouterr().err
    assert "enregistrée dans" in said
    assert "CUPS" in said or "impression" in said
    folder = label_env()
    [saved] = list(folder.glob("etiquette-patient-*.pdf"))
    assert str(saved) in said
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert saved.read_bytes().startswith(b"%PDF")
    [(event, after)] = _journal(db, pid)
    assert event == "étiquette enregistrée (PDF)" and after["imprimante"] == "—"


def test_unknown_queue_is_named_in_french(store, label_env, running_cups, capsys):
    """Tried: `[label] printer` naming a queue the scheduler does not have."""
    label_env(printer="PasCetteFile")
    pid, _ins, _traits = qualified(store, "published")
    db = store.path
    store.close()
    assert _print(db, pid) == 1
    said = capsys.readouterr().err
    assert "PasCetteFile" in said and "enregistrée dans" in said
    assert "Traceback" not in said


def test_hanging_lp_is_cut_at_the_timeout(store, label_env, running_cups, tmp_path, capsys,
                                          monkeypatch):
    """Tried: an `lp` that never answers (a spooler wedged on a network printer). The
    command gives up after `[label] timeout` seconds and keeps the PDF."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "lp").write_text("#!/bin/sh\nexec sleep 600\n", encoding="utf-8")
    (fake / "lp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    label_env(timeout="1")
    pid, _ins, _traits = qualified(store, "published")
    db = store.path
    store.close()
    assert _print(db, pid) == 1
    said = capsys.readouterr().err
    assert "ne répond pas" in said and "enregistrée dans" in said


def test_unwritable_folder_and_failed_print_lose_nothing_silently(store, label_env,
                                                                  running_cups, capsys):
    """Tried: the scheduler down and the label folder a file, not a folder: exit 1 and
    both failures said in French; nothing half-written."""
    pid, _ins, _traits = qualified(store, "published")
    db = store.path
    store.close()
    running_cups.stop()
    folder = label_env()
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("pas un dossier", encoding="utf-8")
    assert _print(db, pid) == 1
    said = capsys.readouterr().err
    assert "non enregistrée" in said and "[label] folder" in said
    assert folder.read_text(encoding="utf-8") == "pas un dossier"
