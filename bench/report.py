"""Qualification report for a month at 200,000 patients: indexed queries vs a full scan.

Builds (or reuses) a demo database in `.cache/bench/`: 200,000 patients, a month of
visits (March 2025: 22 working days of 150 visits, some patients coming back), INSi journal
rows for a fifth of them with every outcome, and status changes written in April (so the
end-of-March state must be read back from the journal). Times `build_report` for March,
and as the baseline, in the same run, the same counts from a plain full scan in Python
(every visit, patient and journal row read, then the same `count_report`). Both must give
the same report. Target: the month's report under 250 ms.

Usage: .venv/bin/python bench/report.py [--patients N] [--rounds R] [--rebuild]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ins_tui.desk.report import INS_CLEARED_EVENT, build_report, count_report  # noqa: E402
from ins_tui.desk.report_period import Period  # noqa: E402
from ins_tui.domain.status import DocumentChecked, apply  # noqa: E402
from ins_tui.store import Store  # noqa: E402
from ins_tui.store.demo_data import generate  # noqa: E402

SEED = 20250301
MARCH = Period.month_of(date(2025, 3, 1))
TARGET_MS = 250.0
WORDS = ("trouvée", "trouvée", "trouvée", "CR 01", "CR 02", "échec", "erreur tls",
         "refusée")


class Clock:
    """The store's clock, moved by the builder so rows carry March and April times."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 8, 0).astimezone()

    def __call__(self) -> datetime:
        return self.now


def open_demo(patients: int, rebuild: bool) -> Store:
    cache = REPO / ".cache" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"report-{patients}.sqlite"
    key = b"bench-report-key".ljust(32, b".")
    if not rebuild and path.exists():
        store = Store.open(path, key=key)
        if store.get_setting("bench_report_built") == str(patients):
            print(f"demo database reused: {path}")
            return store
        store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    clock = Clock()
    store = Store.open(path, key=key, clock=clock)
    start = time.perf_counter()
    generate(store, patients, seed=SEED)
    _month(store, clock, patients)
    store.set_setting("bench_report_built", str(patients), actor="bench")
    print(f"demo database built: {patients} patients + a month in "
          f"{time.perf_counter() - start:.1f} s")
    return store


def _month(store: Store, clock: Clock, patients: int) -> None:
    rng = random.Random(SEED)
    days = [MARCH.start + timedelta(days=n) for n in range(MARCH.days)]
    working = [d for d in days if d.weekday() < 5]
    regulars = rng.sample(range(1, patients + 1), 800)  # come back during the month
    seen: list[int] = []
    with store.action("bench", "passages de mars"):
        rows = []
        for day in working:
            for position in range(150):
                pid = rng.choice(regulars) if rng.random() < 0.2 else rng.randint(1, patients)
                seen.append(pid)
                at = f"{day.isoformat()}T09:{position % 60:02d}:00+01:00"
                rows.append((pid, day.isoformat(), at, "parti", "Dr Martin", position + 1, at))
        store.conn.executemany(
            "INSERT INTO visits (patient_id, day, arrived_at, state, practitioner, position, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    for day in working:  # one action per day: journal rows dated that day
        clock.now = datetime.combine(day, datetime.min.time()).astimezone() + timedelta(hours=10)
        with store.action("bench", "recherches INSi du jour"):
            for pid in rng.sample(seen, 30):
                word = rng.choice(WORDS)
                attempts = 2 if rng.random() < 0.3 else 1
                for n in range(1, attempts + 1):
                    store.append(f"appel INSi (CV) {n}/{attempts} : {word}", patient_id=pid,
                                 insi_request=b"<req/>",
                                 insi_response=None if word == "échec" else b"<rep/>")
    clock.now = datetime(2025, 4, 2, 10, 0).astimezone()
    with store.action("bench", "changements d'avril"):
        for pid in rng.sample(seen, 300):  # the end-of-March state is in the journal now
            record = store.get_patient(pid)
            if record is None or record.status.value != "RECUP":
                continue
            store.record_document(pid, "CN")
            store.set_identity_state(pid, apply(record.state, DocumentChecked("CN")))
        store.append(INS_CLEARED_EVENT, patient_id=seen[0])


def scan_report(store: Store, period: Period) -> Any:
    """The baseline: every row read, the same questions answered in Python."""
    start, end = period.start.isoformat(), period.end.isoformat()
    conn = store.conn
    visits: dict[int, list[str]] = {}
    for pid, day in conn.execute("SELECT patient_id, day FROM visits NOT INDEXED"):
        if start <= day < end:
            visits.setdefault(pid, []).append(day)
    patients = {r[0]: r for r in conn.execute(
        "SELECT id, birth_name, first_name, first_names, used_name, birth_date, status, "
        "attributes FROM patients NOT INDEXED")}
    later: dict[int, str] = {}
    last_insi: dict[int, str] = {}
    calls: dict[tuple[str, int, int], int] = {}
    for pid, at, event, before, sent, answered in conn.execute(
            "SELECT patient_id, at, event, before_json, insi_request IS NOT NULL, "
            "insi_response IS NOT NULL FROM journal NOT INDEXED ORDER BY id"):
        is_call = event.startswith("appel INSi")
        if is_call and start <= at < end:
            calls[(event, sent, answered)] = calls.get((event, sent, answered), 0) + 1
        if pid not in visits:
            continue
        if at >= end and event.startswith("patient.") and before and pid not in later:
            later[pid] = before
        if at < end and (is_call or event == INS_CLEARED_EVENT):
            last_insi[pid] = f"{event}\x1f{sent}{answered}"
    seen = []
    for pid, days in visits.items():
        p = patients.get(pid)
        seen.append({"patient_id": pid, "visits": len(days), "last_visit": max(days),
                     "present": p[0] if p else None, "birth_name": p[1] if p else None,
                     "first_name": p[2] if p else None, "first_names": p[3] if p else None,
                     "used_name": p[4] if p else None, "birth_date": p[5] if p else None,
                     "status": p[6] if p else None, "attributes": p[7] if p else None,
                     "later_before": later.get(pid), "last_insi": last_insi.get(pid)})
    seen.sort(key=lambda r: ((r["used_name"] or r["birth_name"] or ""), r["first_name"] or "",
                             r["patient_id"]))
    rows = [{"event": e, "sent": s, "answered": a, "n": n} for (e, s, a), n in calls.items()]
    return count_report(period, store.now_iso(), seen, rows)


def timed(fn: Any, rounds: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    store = open_demo(args.patients, args.rebuild)
    try:
        build_report(store, MARCH)  # warm the page cache for both
        indexed, report = timed(lambda: build_report(store, MARCH), args.rounds)
        baseline, scanned = timed(lambda: scan_report(store, MARCH), max(args.rounds // 2, 1))
        same = report.to_json() | {"generated_at": ""} == scanned.to_json() | {
            "generated_at": ""}
        assert same, "the indexed report and the full scan disagree"
        journal = store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        qual_now = store.conn.execute(
            "SELECT count(*) FROM patients WHERE status = 'QUAL' AND id IN "
            "(SELECT patient_id FROM visits WHERE day >= ? AND day < ?)",
            (MARCH.start.isoformat(), MARCH.end.isoformat())).fetchone()[0]
    finally:
        store.close()
    print(f"{args.patients} patients, March 2025: {report.visits} visits, {report.patients} "
          f"distinct patients, {report.insi.searches} INSi searches, {journal} journal rows")
    print(f"QUAL at the end of March {report.qualified} (share "
          f"{report.qualified_share:.3f}), as stored now {qual_now}; "
          f"{report.not_qualified_total} not qualified")
    med_i, med_b = statistics.median(indexed), statistics.median(baseline)
    print(f"{'indexed build_report':24s} median {med_i:8.1f} ms   max {max(indexed):8.1f} ms")
    print(f"{'full-scan baseline':24s} median {med_b:8.1f} ms   max {max(baseline):8.1f} ms")
    print(f"ratio baseline/indexed: x{med_b / med_i:.1f}")
    ok = med_i < TARGET_MS
    print(f"target median < {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
