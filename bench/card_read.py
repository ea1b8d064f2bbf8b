"""Card read speed: virtual card connection -> beneficiaries read, vs a raw pyscard loop.

Both sides run in the same process against the same private pcscd and the same
virtual card (famille-nessi, 5 beneficiaries, 5 APDUs). The ins-tui side is the
production path: `CardWatcher` event, then `read_from_reader` (transaction, T=0
handling, retries, TLV parsing). The baseline waits for the card with one
`SCardGetStatusChange` loop and sends the very same APDUs with pyscard's plain
`connection.transmit`, parsing nothing. Runs are interleaved; medians reported.
Run it with `bash scripts/run-bench.sh` (private namespaces).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

from ins_tui.card.chip import InProcessTransport, VirtualChip
from ins_tui.card.pcscd import PrivatePcscd, unavailable_reason
from ins_tui.card.profiles import get_profile
from ins_tui.card.virtual import VirtualCard
from ins_tui.card.vitale import read_card, read_from_reader
from ins_tui.card.watcher import CardWatcher

PROFILE = "famille-nessi"
ROUNDS = 12


class Recorder(InProcessTransport):
    def __init__(self, chip: VirtualChip) -> None:
        super().__init__(chip)
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        return super().transmit(apdu)


def run_baseline(pcscd: PrivatePcscd, apdus: list[bytes]) -> tuple[float, float]:
    from smartcard.System import readers

    reader = next(r for r in readers() if str(r) == pcscd.readers[0])
    card = VirtualCard(get_profile(PROFILE), port=pcscd.port)
    start = time.perf_counter()
    card.start()
    pcscd.wait_presence(0, True)
    read_start = time.perf_counter()
    connection = reader.createConnection()
    connection.connect()
    for apdu in apdus:
        _data, sw1, _sw2 = connection.transmit(list(apdu))
        assert sw1 == 0x90
    connection.disconnect()
    end = time.perf_counter()
    card.close()
    pcscd.wait_presence(0, False)
    return end - start, end - read_start


def run_ins_tui(pcscd: PrivatePcscd) -> tuple[float, float]:
    inserted = threading.Event()
    watcher = CardWatcher(lambda e: inserted.set() if type(e).__name__ == "CardInserted" else None)
    watcher.start()
    time.sleep(0.05)  # the watcher is up before the card arrives, as in the app
    card = VirtualCard(get_profile(PROFILE), port=pcscd.port)
    start = time.perf_counter()
    card.start()
    inserted.wait(5)
    read_start = time.perf_counter()
    result = read_from_reader(pcscd.readers[0])
    end = time.perf_counter()
    assert len(result.beneficiaries) == 5
    card.close()
    pcscd.wait_presence(0, False)
    watcher.stop()
    return end - start, end - read_start


def main() -> int:
    reason = unavailable_reason()
    if reason:
        print(f"bench/card_read.py ignoré : {reason}")
        return 0
    profile = get_profile(PROFILE)
    recorder = Recorder(VirtualChip(profile))
    read_card(recorder, profile.atr)
    with PrivatePcscd() as pcscd:
        base, ours = [], []
        run_baseline(pcscd, recorder.sent)  # warm-up (imports, first connection)
        for _ in range(ROUNDS):
            base.append(run_baseline(pcscd, recorder.sent))
            ours.append(run_ins_tui(pcscd))
    for label, index in (("connexion carte → bénéficiaires lus", 0), ("lecture seule", 1)):
        b = statistics.median(x[index] for x in base)
        o = statistics.median(x[index] for x in ours)
        print(f"{label}: ins-tui {o * 1000:.0f} ms, base pyscard brute {b * 1000:.0f} ms, "
              f"ratio {o / b:.2f}x (médianes, {ROUNDS} tours, {len(recorder.sent)} APDU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
