"""Snapshots of the key screens at the thin-client size (80×24) and a desk size (120×40).

Environment scrubbed by tests/conftest.py, clock fixed by the fixtures (arrival times and
ages come from it), theme chosen explicitly. Regenerate with `--snapshot-update` after
reviewing `snapshot_report.html`.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import ADRTROIS, ECETINSI_DIFF, HOUILLES, add_patient, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _seed(store) -> dict[str, int]:
    return {
        "match": add_patient(store, ADRTROIS),
        "diff": add_patient(store, ECETINSI_DIFF, arrival="Dr Bernard"),
        "cr01": add_patient(store, HOUILLES),
    }


async def _list_loaded(pilot) -> None:
    main = pilot.app.main_screen()
    await wait_until(pilot, lambda: main.selected_visit() is not None, what="list")


def _open(patient_id: int):
    async def run_before(pilot) -> None:
        from tests.tui.test_identity_flows import identity_screen

        await _list_loaded(pilot)
        pilot.app.open_patient(patient_id, search_insi=True)
        await wait_until(pilot, lambda: identity_screen(pilot.app) is not None
                         and identity_screen(pilot.app).result is not None, what="result")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, make_app, store, size):
    _seed(store)
    assert snap_compare(make_app(training=True), terminal_size=size, run_before=_list_loaded)


@pytest.mark.parametrize("size", SIZES)
def test_comparison_perfect_match(snap_compare, make_app, store, size):
    ids = _seed(store)
    assert snap_compare(make_app(), terminal_size=size, run_before=_open(ids["match"]))


@pytest.mark.parametrize("size", SIZES)
def test_comparison_differences(snap_compare, make_app, store, size):
    ids = _seed(store)
    assert snap_compare(make_app(), terminal_size=size, run_before=_open(ids["diff"]))


@pytest.mark.parametrize("size", SIZES)
def test_document_step(snap_compare, make_app, store, size):
    ids = _seed(store)
    opened = _open(ids["match"])

    async def run_before(pilot) -> None:
        from ins_tui.tui.screens.document_step import DocumentStep

        await opened(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DocumentStep),
                         what="document step")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
