"""Birthplace lookup by name, per keystroke of the place picker.

`CogTables.find` bisects the sorted folded names; the baseline, run in the same process on
the same table, is the scan it replaced (every name tested with `startswith`). Prefixes
are what a secretary types on the way to a name: short ones match thousands of places,
long ones a few.
"""

from __future__ import annotations

import statistics

from _timing import median_us

from ins_tui.refdata import _fold, load_cog

PREFIXES = ["s", "sa", "saint", "saint-e", "clermont", "clermont-f", "paris 1", "espa",
            "aregno", "zz"]
ROUNDS = 300
LIMIT = 51  # what the picker asks for


def _scan(table, text: str) -> list:
    wanted = _fold(text)
    found = []
    for folded, place in table._folded:
        if folded.startswith(wanted):
            found.append(place)
            if len(found) >= LIMIT:
                break
    return found



def main() -> None:
    table = load_cog()
    table.find("a")  # builds the folded index once, as the first keystroke does
    print(f"{'préfixe':<12} {'find (µs)':>10} {'scan (µs)':>10} {'find/scan':>10}")
    ratios = []
    for prefix in PREFIXES:
        assert table.find(prefix, LIMIT) == _scan(table, prefix), prefix
        fast = median_us(lambda p=prefix: table.find(p, LIMIT), ROUNDS)
        slow = median_us(lambda p=prefix: _scan(table, p), ROUNDS)
        ratios.append(fast / slow)
        print(f"{prefix:<12} {fast:>10.1f} {slow:>10.1f} {fast / slow:>10.5f}")
    median = statistics.median(ratios)
    print(f"find / scan, median over the prefixes: {median:.5f}× (1/{1 / median:,.0f}; "
          f"{len(table._folded)} names)")


if __name__ == "__main__":
    main()
