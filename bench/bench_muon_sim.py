"""Seconds to simulate 100k muons (and 10k noise-only events) with the toy RPC trigger."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from core.data.muon_rpc import simulate_muon_rpc, simulate_noise_only  # noqa: E402


def main(n_events: int = 100_000, repeats: int = 3) -> None:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        simulate_muon_rpc(n_events, seed=1)
        best = min(best, time.perf_counter() - start)
    print(f"simulate_muon_rpc: {n_events:,} events in {best:.3f} s (best of {repeats})")
    start = time.perf_counter()
    simulate_noise_only(n_events // 10, seed=1)
    print(f"simulate_noise_only: {n_events // 10:,} events in {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
