"""Cost of judging and sealing identities at commit, and of re-running the rules in `db check`.

Every action that writes a patient now runs the domain's identity rules on what it leaves
and seals the row (HMAC) before COMMIT. The figure that matters is the desk's: one real
action (create a patient, import an INS, qualify) on a file on disk, against the same
action with the commit hook switched off, interleaved in one process. Then `db check` on a
demo file, against the same check with the identity and seal passes left out.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from ins_tui.domain.model import Channel, Ins, InsIdentity, Sex, Traits
from ins_tui.domain.status import DocumentChecked, InsiMatched, apply
from ins_tui.store import Store, check
from ins_tui.store.demo_data import generate

ROUNDS = 300
TRAITS = Traits("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", Sex.M, "2009-07-14", "63220")
IDENTITY = InsIdentity(Ins("1090763220834", "89", "1.2.250.1.213.1.4.10"), TRAITS)


def qualify(store: Store) -> None:
    with store.action("accueil", "Carte Vitale insérée"):
        pid = store.create_patient(TRAITS, channel=Channel.CARTE_VITALE)
        store.set_ins(pid, IDENTITY, channel=Channel.CARTE_VITALE)
        store.set_identity_state(pid, apply(store.get_patient(pid).state, InsiMatched()))
        store.record_document(pid, "PA")
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            DocumentChecked("PA")))


class Unchecked(Store):
    def _before_commit(self) -> None:
        """Baseline: the same action, nothing judged nor sealed."""


def one(store: Store) -> float:
    start = time.perf_counter()
    qualify(store)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        key = b"k" * 32
        checked = Store.open(Path(tmp) / "a.sqlite", key=key)
        bare = Unchecked.open(Path(tmp) / "b.sqlite", key=key)
        with_rules, without = [], []
        for _ in range(ROUNDS):
            with_rules.append(one(checked))
            without.append(one(bare))
        a, b = statistics.median(with_rules) * 1e3, statistics.median(without) * 1e3
        print(f"qualifying action (create + INS + document), median of {ROUNDS}: "
              f"{a:.2f} ms judged and sealed vs {b:.2f} ms bare — ratio {a / b:.2f}x")
        checked.close()
        bare.close()

        demo = Path(tmp) / "demo.sqlite"
        with Store.open(demo, key=key) as store:
            generate(store, 20_000, seed=1)
        start = time.perf_counter()
        report = check.check_database(demo, key=key)
        full = time.perf_counter() - start
        assert report.valid
        original = check._identities
        check._identities = lambda *args: None  # baseline: every other check
        try:
            start = time.perf_counter()
            check.check_database(demo, key=key)
            rest = time.perf_counter() - start
        finally:
            check._identities = original
        print(f"db check on 20,000 patients: {full:.2f} s with the rules and seals on every "
              f"row vs {rest:.2f} s without them — ratio {full / rest:.2f}x "
              f"({(full - rest) / 20_000 * 1e6:.0f} µs per patient)")


if __name__ == "__main__":
    main()
