"""The `p` key of the identity screen: the label printed through a real CUPS, from the app.

Tried at 80×24 with Pilot: a qualified patient → `p` → the status line says the label
went to the configured queue, the private cupsd's cups-pdf queue receives it, and the
printed page, rasterised and read by zxing-cpp, carries this patient's INS datamatrix.
A patient not qualified, with no printer configured, gets the PDF saved in the label
folder and a sentence that says where and why there is no datamatrix. The print runs in
a worker: the list keeps answering meanwhile (Esc goes back at once).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import Static

from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Channel, Status
from ins_tui.label.sizes import SIZES
from tests.label.ans import rasterise, zxing_read
from tests.label.conftest import cups  # noqa: F401 - the module's private cupsd
from tests.label.cups import QUEUE
from tests.tui.conftest import ADRTROIS, HOUILLES, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, open_and_search

SIZE = (80, 24)


@pytest.fixture
def printer(cups):  # noqa: F811 - the imported fixture, by name
    """The private cupsd with its cups-pdf queue (tests/label/cups.py)."""
    if not cups.running:
        cups.start()
    return cups


def _status(app) -> str:
    return " ".join(str(s.render()) for s in app.screen.query("#status-line").results(Static))


async def test_p_prints_the_qualified_label_through_cups(make_app, store, desk, config,
                                                         printer, tmp_path: Path):
    """Qualified ADRTROIS, printer = the private queue: printed, and the datamatrix on the
    printed page gives this patient's matricule and birth name."""
    pid = add_patient(store, ADRTROIS)
    assert desk.retrieve_ins(pid, Channel.INSI).kind is InsiResultKind.MATCHED
    assert desk.qualify(pid, "CN").status is Status.QUAL
    ins = store.get_patient(pid).ins
    configured = dataclasses.replace(config, label_printer=QUEUE,
                                     label_cups_server=str(printer.socket),
                                     label_folder=tmp_path / "etiquettes")
    app = make_app(config=configured)
    before = len(printer.printed())
    async with app.run_test(size=SIZE) as pilot:
        app.open_patient(pid)
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        await pilot.press("p")
        await wait_until(pilot, lambda: "Étiquette envoyée" in _status(app), timeout=30,
                         what="label sent")
        assert f"« {QUEUE} »" in _status(app)
    printed = printer.wait_for_pdf(before)
    [(raw, _symbology)] = zxing_read(rasterise(printed, SIZES[configured.label_size].dpi))
    text = raw.decode("ascii")
    assert text.startswith("IS01")
    assert f"S1{ins.number}{ins.key}" in text and "S4ADRTROIS" in text
    rows = [r for r in store.journal_for_patient(pid) if r.action == "Étiquette patient"]
    assert [r.event for r in rows] == ["étiquette imprimée"]


async def test_p_without_printer_saves_and_says_why_no_datamatrix(make_app, store, config,
                                                                  tmp_path: Path):
    """PROV patient, no `[label] printer`: the PDF is saved, the sentence names the folder
    and says the identity is not qualified; the screen stays usable."""
    pid = add_patient(store, HOUILLES)
    folder = tmp_path / "etiquettes"
    app = make_app(config=dataclasses.replace(config, label_folder=folder))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_and_search(app, pilot, pid)
        assert screen.result.kind is InsiResultKind.NOT_FOUND
        await pilot.press("p")
        await wait_until(pilot, lambda: "enregistrée dans" in _status(app), timeout=30,
                         what="label saved")
        said = _status(app)
        assert "Aucune imprimante" in said and "qualifi" in said
        await pilot.press("escape")
        await wait_until(pilot, lambda: identity_screen(app) is None, what="back to the list")
    [saved] = list(folder.glob("etiquette-patient-*.pdf"))
    assert saved.read_bytes().startswith(b"%PDF")

