"""Incremental patient search at 200,000 patients: per-keystroke latency, indexed vs scan.

Builds (or reuses) a demo database of 200,000 patients in `.cache/bench/`, types several
names letter by letter as a secretary would, and times each keystroke's `store.search`.
The baseline is the same question answered by a full table scan (LIKE on the same keys,
indexes disabled) in the same run, so the ratio holds on any machine.
Target: p95 per keystroke under 15 ms.

Usage: .venv/bin/python bench/search.py [--patients N] [--rounds R] [--rebuild]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ins_tui.store import Store  # noqa: E402
from ins_tui.store.demo_data import generate  # noqa: E402
from ins_tui.store.search_key import typed_key  # noqa: E402

TYPED = ["dupont jean", "Lefèvre", "de la fontaine", "n'diaye", "martin-dup", "guillaume",
         "nguyen", "bernard marie", "leg", "zoe"]
SEED = 20260301
TARGET_P95_MS = 15.0


def open_demo(patients: int, rebuild: bool) -> Store:
    cache = REPO / ".cache" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"search-{patients}.sqlite"
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store.open(path)
    count = store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    if count != patients:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = Store.open(path)
        start = time.perf_counter()
        generate(store, patients, seed=SEED)
        print(f"demo database built: {patients} patients in {time.perf_counter() - start:.1f} s")
    else:
        print(f"demo database reused: {path}")
    return store


def scan_search(store: Store, text: str, limit: int = 50) -> list[int]:
    """The same question without the indexes: what a naive LIKE search costs."""
    words = [typed_key(w) for w in text.replace(",", " ").split()]
    words = [w for w in words if w]
    whole = "".join(words)
    clauses = ["birth_name_key LIKE ?", "used_name_key LIKE ?"]
    args: list[str] = [whole + "%", whole + "%"]
    for cut in range(1, len(words)):
        name, first = "".join(words[:cut]), "".join(words[cut:])
        clauses.append("((birth_name_key = ? OR used_name_key = ?) AND first_name_key LIKE ?)")
        args += [name, name, first + "%"]
    if len(words) == 1:
        clauses.append("first_name_key LIKE ?")
        args.append(whole + "%")
    sql = (f"SELECT id FROM patients NOT INDEXED WHERE {' OR '.join(clauses)} "
           "ORDER BY birth_name_key, first_name_key, birth_date, id LIMIT ?")
    return [r[0] for r in store.conn.execute(sql, (*args, limit))]


def keystrokes(text: str) -> list[str]:
    return [text[:i] for i in range(1, len(text) + 1) if text[:i].strip()]


def measure(fn, rounds: int) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for text in TYPED:
            for typed in keystrokes(text):
                start = time.perf_counter()
                fn(typed)
                times.append((time.perf_counter() - start) * 1000)
    return times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    store = open_demo(args.patients, args.rebuild)
    # Same answers (ids, same order) from both, or the comparison would mean nothing.
    for text in ("lefevre ch", "dupont jea", "n'diaye am", "de la fontaine jean-p"):
        found = [r.id for r in store.search(text, limit=500)]
        assert 0 < len(found) < 500 and found == scan_search(store, text, 500), text
    measure(store.search, 1)  # warm the page cache for both
    indexed = measure(store.search, args.rounds)
    baseline = measure(lambda t: scan_search(store, t), 1)
    nirs = [r[0] for r in store.conn.execute(
        "SELECT coalesce(ins_number, substr(nir, 1, 13)) FROM patients "
        "WHERE nir IS NOT NULL OR ins_number IS NOT NULL ORDER BY random() LIMIT 300")]
    by_nir = []
    for number in nirs:
        start = time.perf_counter()
        assert store.find_by_nir(number)
        by_nir.append((time.perf_counter() - start) * 1000)
    store.close()
    rows = [("indexed search", indexed), ("full-scan baseline", baseline)]
    print(f"{len(indexed) // args.rounds} keystrokes x {args.rounds} rounds, "
          f"{args.patients} patients")
    for label, values in rows:
        print(f"{label:20s} p50 {pct(values, 50):8.2f} ms   p95 {pct(values, 95):8.2f} ms")
    print(f"{'NIR/INS query':20s} p50 {pct(by_nir, 50):8.2f} ms   p95 {pct(by_nir, 95):8.2f} ms"
          f"   ({len(by_nir)} random NIR/INS; ratio to the name keystroke p50 "
          f"x{pct(by_nir, 50) / pct(indexed, 50):.2f})")
    ratio50 = pct(baseline, 50) / pct(indexed, 50)
    ratio95 = pct(baseline, 95) / pct(indexed, 95)
    print(f"ratio baseline/indexed: p50 x{ratio50:.0f}, p95 x{ratio95:.0f}")
    ok = pct(indexed, 95) < TARGET_P95_MS
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
