"""The running app drains the FHIR queue by itself, in a worker, while the desk is used.

Tried: the Textual app (headless) with a backend carrying an `OutboundSender` on the
loopback HTTPS server; an identity created at the desk reaches the server with no key
pressed, while the server stalls the list still answers, and the stall is retried.
"""

from __future__ import annotations

import time

from fhir_fixtures import (  # noqa: F401 (fixtures, used by name)
    clock_fixture,
    db_path_fixture,
    desk_fixture,
    insi_fixture,
    simulator_fixture,
    store_fixture,
)
from fhir_server import FhirTestServer

from ins_tui.config import Config
from ins_tui.desk.outbound import OutboundSender
from ins_tui.fhir.settings import FhirSettings
from ins_tui.fhir.transmitter import FhirTransmitter
from tests.desk.conftest import form


async def _until(pilot, predicate, what: str, timeout: float = 10.0) -> None:
    ends = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > ends:
            raise AssertionError(f"not reached: {what}")
        await pilot.pause(0.02)


async def test_app_pushes_identity_changes_in_the_background(desk, store, tmp_path):
    from ins_tui.tui.app import Backend, InsTuiApp

    store.set_output_targets({"fhir"})
    with FhirTestServer(tmp_path / "pki", ["stall", "ok"]) as server:
        settings = FhirSettings(base_url=server.url, ca_bundle=server.paths.ca_cert,
                                timeout=1.0)
        sender = OutboundSender(store, [FhirTransmitter(store, settings)])
        app = InsTuiApp(backend=lambda: Backend(desk, outbound=sender),
                        config=Config(), environ={}, retry_interval=0.1)
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(pilot, lambda: app.desk is desk, "backend ready")
            pid = desk.create_patient(form()).patient_id
            await _until(pilot, lambda: server.stalling == 1, "request stalled")
            assert desk.day_list() is not None  # the desk answers during the stall
            # The deadline (1 s) cuts the stalled exchange: retried on the store's schedule
            # (30 s on the desk clock, which this test moves instead of waiting).
            await _until(pilot, lambda: "1 essai" in (desk.output_status_fr(pid) or ""),
                         "retry scheduled")
            desk.clock.advance(31)
            await _until(pilot, lambda: desk.output_status_fr(pid) == "FHIR : transmis",
                         "sent after the retry")
    assert [r.status for r in server.received][-1] == 201


async def test_identity_screen_says_whether_the_identity_was_sent(desk, store, tmp_path):
    """Tried: an identity whose push is refused (500), then accepted; the identity screen
    shows the pending state with its retry, then « transmis » by itself, no key pressed."""
    from textual.widgets import Static

    from ins_tui.tui.app import Backend, InsTuiApp

    store.set_output_targets({"fhir"})
    with FhirTestServer(tmp_path / "pki", ["500", "ok"]) as server:
        settings = FhirSettings(base_url=server.url, ca_bundle=server.paths.ca_cert,
                                timeout=1.0)
        sender = OutboundSender(store, [FhirTransmitter(store, settings)])
        app = InsTuiApp(backend=lambda: Backend(desk, outbound=sender),
                        config=Config(), environ={}, retry_interval=0.1)
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(pilot, lambda: app.desk is desk, "backend ready")
            pid = desk.create_patient(form()).patient_id
            await _until(pilot, lambda: "1 essai" in (desk.output_status_fr(pid) or ""),
                         "first refusal scheduled for a retry")
            app.open_patient(pid)

            def who() -> str:
                found = app.screen.query("#identity-who")
                return str(found.first(Static).render()) if found else ""

            await _until(pilot, lambda: app.screen.id == "identity", "identity screen")
            await _until(pilot, lambda: "FHIR : en attente d'envoi" in who(), "pending shown")
            desk.clock.advance(31)
            await _until(pilot, lambda: desk.output_status_fr(pid) == "FHIR : transmis",
                         "sent after the retry")
            await _until(pilot, lambda: "FHIR : transmis" in who(), "sent shown")
