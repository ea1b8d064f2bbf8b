"""Timing helper shared by the micro-benchmarks (not a benchmark: `_` files are skipped)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_us(fn: Callable[[], object], rounds: int) -> float:
    """Median wall time of one call, in microseconds (the median shrugs off the odd
    scheduler hiccup that a mean would carry)."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6
