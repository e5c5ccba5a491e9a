"""Milliseconds for the weight view's numbers on a million float32 weights (half of them pruned).

The target is one frame (16 ms) for histogram + statistics, so a slider-driven preview keeps up.
Also times ``np.histogram`` for reference and the fixed-point report that the compression lab uses.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from core.weights import FixedPointFormat, histogram, quantization_report, weight_stats  # noqa: E402

FRAME_MS = 16.0


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: imports, first allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main(n: int = 1_000_000, bins: int = 200, repeats: int = 50) -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(0.0, 0.05, n).astype(np.float32)
    w[rng.random(n) < 0.5] = 0.0
    fmt = FixedPointFormat(16, 6)

    both = median_ms(lambda: (histogram(w, bins), weight_stats(w)), repeats)
    print(f"{n:,} float32 weights, {bins} bins, median of {repeats}:")
    print(
        f"  histogram + weight_stats   {both:7.2f} ms   (budget {FRAME_MS:.0f} ms: {'OK' if both <= FRAME_MS else 'OVER'})"
    )
    print(f"  histogram                  {median_ms(lambda: histogram(w, bins), repeats):7.2f} ms")
    print(f"  weight_stats               {median_ms(lambda: weight_stats(w), repeats):7.2f} ms")
    print(f"  np.histogram (reference)   {median_ms(lambda: np.histogram(w, bins), repeats):7.2f} ms")
    print(
        f"  quantization_report {fmt}  {median_ms(lambda: quantization_report(w, fmt), repeats // 5):7.2f} ms"
    )


if __name__ == "__main__":
    main()
