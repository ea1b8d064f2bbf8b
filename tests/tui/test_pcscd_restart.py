"""pcscd killed under the running app, then restarted (private pcscd, virtual reader).

With a card in the reader, pcscd is killed (SIGKILL): the app says in French that the
card service is unavailable (status line and header) and the waiting list keeps working.
pcscd is started again: the app says the service is back, and the next card inserted is
read and searched with no key pressed.

This test owns its pcscd (started and stopped by pid here): it never borrows the card
tests' module daemon, which is stopped before this directory runs. Runs inside
scripts/private-ns.sh (make test); skipped with the reason elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ins_tui.card.pcscd import PrivatePcscd, unavailable_reason
from ins_tui.card.profiles import get_profile
from ins_tui.card.source import PcscCardSource
from ins_tui.card.virtual import VirtualCard
from ins_tui.tui.widgets.waiting_list import WaitingList
from tests.tui.conftest import ADRTROIS, HOUILLES, add_patient, wait_until
from tests.tui.test_e2e_pcscd import _running_pcscd
from tests.tui.test_identity_flows import identity_screen, text_of

pytestmark = pytest.mark.pcscd

SIZE = (100, 30)


@pytest.fixture
def own_pcscd() -> Iterator[PrivatePcscd]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    if _running_pcscd():
        pytest.fail("another pcscd runs in this namespace: this test must kill its own")
    daemon = PrivatePcscd()
    daemon.start()
    try:
        yield daemon
    finally:
        if daemon.running:
            daemon.stop()


def _searched(app, patient_id: int) -> bool:
    screen = identity_screen(app)
    return screen is not None and screen.patient_id == patient_id and screen.result is not None


async def test_pcscd_killed_then_restarted_under_the_app(own_pcscd, make_app, store):
    first = add_patient(store, ADRTROIS)
    second = add_patient(store, HOUILLES, arrival=None)
    app = make_app(card_source=PcscCardSource(poll_timeout=0.2))
    async with app.run_test(size=SIZE) as pilot:
        main = app.main_screen()
        await wait_until(pilot, lambda: app.reader_state.startswith("lecteur(s) : "),
                         what="readers listed")
        card = VirtualCard(get_profile("adrtrois-toussaint"), port=own_pcscd.port).start()
        try:
            await wait_until(pilot, lambda: _searched(app, first), timeout=20,
                             what="first card read and searched")
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is main, what="back to the list")

            own_pcscd.kill()
            await wait_until(pilot, lambda: "indisponible" in app.reader_state,
                             timeout=10, what="service down in the header")
        finally:
            card.close()
        assert "service carte indisponible" in text_of(main, "#top-line")
        status = text_of(main, "#status-line")
        assert "Service des cartes Vitale indisponible" in status, status

        # The desk keeps working without the card service: the list answers its keys.
        table = main.query_one(WaitingList)
        await pilot.press("c")
        await wait_until(pilot, lambda: str(table.get_row_at(0)[5]) == "en consultation",
                         what="state changed by key")
        assert [v.state for v in store.visits_for_day()] == ["en_consultation"]

        own_pcscd.start()
        await wait_until(pilot, lambda: app.reader_state.startswith("lecteur(s) : "),
                         timeout=15, what="readers listed again")
        status = text_of(main, "#status-line")
        assert "Service des cartes Vitale rétabli" in status, status
        with VirtualCard(get_profile("houilles"), port=own_pcscd.port):
            await wait_until(pilot, lambda: _searched(app, second), timeout=20,
                             what="next card read and searched without a key")
