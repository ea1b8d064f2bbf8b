"""From card connection to the panel showing the INS traits, vs the floor.

Floor = what cannot be avoided, measured alone in the same run: reading the card (same
reader code, same card source) + one INSi traits search (real client, simulator over
loopback mTLS). Full = the app, headless, from the card's insertion event to the
comparison panel on screen (read in a worker, local patient found, INSi called with no
key pressed, comparison shown). The ratio full / floor is the app's own overhead.
Uses the private pcscd when this runs inside scripts/private-ns.sh, else the in-process
card source (same reader code).

Usage: .venv/bin/python bench/card_to_panel.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from pathlib import Path

from _tui_support import scratch

from ins_tui.domain.model import Channel, Sex, Traits

LOCAL = Traits("ADRTROIS", "TOUSSAINT", Sex.M, "1960-01-01", "2B020", "TOUSSAINT")
CARD = "adrtrois-toussaint"


class Cards:
    """A card source plus a way to insert/remove the bench card on it."""

    def __init__(self) -> None:
        from ins_tui.card.pcscd import PrivatePcscd, unavailable_reason

        self.pcscd = None
        if unavailable_reason() is None:
            self.pcscd = PrivatePcscd()
            self.pcscd.start()
            from ins_tui.card.source import PcscCardSource

            self.source = PcscCardSource(poll_timeout=0.2)
            self.label = "pcscd privé + vpcd"
        else:
            from ins_tui.card.source import InProcessCardSource

            self.source = InProcessCardSource()
            self.label = "source en mémoire (pcscd indisponible ici)"
        self._card = None

    def insert(self) -> None:
        from ins_tui.card.profiles import get_profile

        if self.pcscd is not None:
            from ins_tui.card.virtual import VirtualCard

            self._card = VirtualCard(get_profile(CARD), port=self.pcscd.port).start()
        else:
            self.source.insert(get_profile(CARD))

    def remove(self) -> None:
        if self._card is not None:
            self._card.close()
            self._card = None
        else:
            self.source.remove()

    def reader(self) -> str:
        return self.pcscd.readers[0] if self.pcscd is not None else self.source.readers[0]

    def close(self) -> None:
        self.source.stop()
        if self.pcscd is not None:
            self.pcscd.stop()


def wait_present(cards: Cards) -> None:
    """Untimed: until pcscd reports the card (the app waits for the same event)."""
    deadline = time.perf_counter() + 5
    while True:
        try:
            cards.source.read(cards.reader())
            return
        except Exception:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.02)


def floor_once(cards: Cards, client) -> float:
    cards.insert()
    try:
        wait_present(cards)
        start = time.perf_counter()
        card = cards.source.read(cards.reader())
        b = card.beneficiaries[0]
        client.search_traits(Traits(b.birth_name, b.first_name, Sex.M, b.birth_date.iso,
                                    "2B020", b.first_name), birthplace="2B020")
        return time.perf_counter() - start
    finally:
        cards.remove()


def desk_once(cards: Cards, client, directory: Path, index: int) -> float:
    """The same use cases without the UI: read, match, INSi, compare, import (DB writes)."""
    from ins_tui.desk.desk import Desk
    from ins_tui.store.store import Store

    store = Store.open(directory / f"desk-{index}.sqlite")
    with store.action("bench", "patient"):
        store.create_patient(LOCAL, channel=Channel.MANUAL)
    desk = Desk(store, client, actor="bench")
    cards.insert()
    try:
        wait_present(cards)
        start = time.perf_counter()
        card = cards.source.read(cards.reader())
        match = desk.match_beneficiary(desk.pick_beneficiary(card.beneficiaries))
        desk.retrieve_ins(match.patient.id)
        return time.perf_counter() - start
    finally:
        cards.remove()
        store.close()


async def full_once(cards: Cards, client, directory: Path, index: int) -> float:
    from ins_tui.desk.desk import Desk
    from ins_tui.store.store import Store
    from ins_tui.tui.app import InsTuiApp
    from ins_tui.tui.screens.identity import IdentityScreen

    store = Store.open(directory / f"round-{index}.sqlite")
    with store.action("bench", "patient"):
        store.create_patient(LOCAL, channel=Channel.MANUAL)
    app = InsTuiApp(Desk(store, client, actor="bench"), card_source=cards.source,
                    environ={"TERM": "xterm-256color"})
    inserted_at: list[float] = []
    shown_at: list[float] = []

    def hook(message) -> None:
        if type(message).__name__ == "CardEventArrived" and \
                type(message.event).__name__ == "CardInserted" and not inserted_at:
            inserted_at.append(time.perf_counter())

    try:
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            await pilot.pause()
            threading.Thread(target=cards.insert).start()
            while True:
                screen = app.screen
                if isinstance(screen, IdentityScreen) and screen.result is not None:
                    panel = screen.query_one("#comparison")
                    if not panel.has_class("-empty"):
                        shown_at.append(time.perf_counter())
                        break
                await asyncio.sleep(0.002)
            await pilot.pause()
    finally:
        cards.remove()
        store.close()
    return shown_at[0] - inserted_at[0]


def main() -> None:
    from ins_tui.insi.client import InsiClient
    from ins_tui.insi.simulator import SimulatorServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    directory = scratch()
    simulator = SimulatorServer(directory / "insi", seed=1).start()
    client = InsiClient(simulator.client_settings())
    cards = Cards()
    try:
        client.search_traits(LOCAL, birthplace="2B020")  # warm the TLS session and caches
        floors, desks, fulls = [], [], []
        for index in range(args.rounds):
            floors.append(floor_once(cards, client))
            desks.append(desk_once(cards, client, directory, index))
            fulls.append(asyncio.run(full_once(cards, client, directory, index)))
    finally:
        cards.close()
        client.close()
        simulator.stop()
    floor, full = statistics.median(floors), statistics.median(fulls)
    desk = statistics.median(desks)
    print(f"cards: {cards.label}; rounds: {args.rounds} (medians)")
    print(f"floor (card read + one INSi call): {floor * 1000:.0f} ms")
    print(f"desk alone (+ match, compare, import, journal, fsync): {desk * 1000:.0f} ms "
          f"({desk / floor:.2f}x floor)")
    print(f"app (insertion event -> comparison panel shown): {full * 1000:.0f} ms")
    print(f"ratio app/floor: {full / floor:.2f}x (overhead {1000 * (full - floor):+.0f} ms)")


if __name__ == "__main__":
    main()
