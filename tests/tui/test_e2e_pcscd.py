"""End to end: a virtual card inserted through the private pcscd, no key pressed until the
comparison panel shows; then Enter qualifies and the database says QUAL.

Runs inside scripts/private-ns.sh (make test); skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ins_tui.card.pcscd import PID_PATH, PrivatePcscd, unavailable_reason
from ins_tui.card.profiles import get_profile
from ins_tui.card.source import PcscCardSource
from ins_tui.card.virtual import DEFAULT_PORT, VirtualCard
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Status
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, text_of

pytestmark = pytest.mark.pcscd


def _running_pcscd() -> bool:
    """The card tests' session daemon may already be up in this namespace: reuse it."""
    try:
        os.kill(int(PID_PATH.read_text().strip() or 0), 0)
    except (OSError, ValueError):
        return False
    return True


@pytest.fixture
def private_pcscd() -> Iterator[int]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    if _running_pcscd():
        yield DEFAULT_PORT
        return
    daemon = PrivatePcscd()
    daemon.start()
    try:
        yield daemon.port
    finally:
        daemon.stop()


async def test_card_through_pcscd_then_enter_qualifies(private_pcscd, make_app, store):
    patient_id = add_patient(store, ADRTROIS)
    source = PcscCardSource(poll_timeout=0.2)
    messages: list = []
    app = make_app(card_source=source)
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: "lecteur" in app.reader_state
                         and "attente" not in app.reader_state, what="watcher up")
        with VirtualCard(get_profile("adrtrois-toussaint"), port=private_pcscd):
            await wait_until(pilot, lambda: identity_screen(app) is not None
                             and identity_screen(app).result is not None,
                             timeout=20, what="comparison panel without a key")
            screen = identity_screen(app)
            assert screen.result.kind is InsiResultKind.MATCHED
            assert "INS (INSi)" in text_of(screen, "#comparison")
            assert "Entrée : qualifier l'identité" in text_of(screen, "#identity-next")
            # No error flashed on the way (pcscd reports the card before it answers).
            assert [m.error_fr for m in messages
                    if type(m).__name__ == "CardRead" and m.error_fr] == []
            await pilot.press("enter", "1", "enter")
            await wait_until(pilot, lambda: store.get_patient(patient_id).status
                             is Status.QUAL, what="QUAL")
    assert store.get_patient(patient_id).document_type == "CN"
