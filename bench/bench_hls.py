"""Seconds to convert and compile the C simulation with hls4ml, without and with the cache.

Issue "FPGA synthesis with hls4ml": re-running an unchanged configuration must be instant (a cache
hit converts the model again without writing and loads the existing library: no g++). Printed for
``handson_cnn`` and ``jet_mlp`` (default settings: Vitis, U50, io_parallel, ap_fixed<16,6>):

* cold: conversion + project writing + g++ (``build_lib.sh``) + loading the library;
* of which g++;
* warm: the same call again (cache hit), target under 2 s;
* C simulation throughput (samples per second through ``hls_model.predict``).

The cache lives in a temporary folder, so every run starts cold.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core.hls import compile_model, csimulate, make_config  # noqa: E402
from core.zoo import build_model  # noqa: E402

WARM_TARGET_S = 2.0


def bench(name: str, cache_root: Path) -> None:
    model = build_model(name)
    t0 = time.perf_counter()
    config = make_config(model)
    t_config = time.perf_counter() - t0
    cold = compile_model(model, config, cache_root)
    assert not cold.cache_hit
    warm = compile_model(model, make_config(model), cache_root)
    assert warm.cache_hit
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    x = np.random.default_rng(0).normal(size=(1000, *shape)).astype(np.float32)
    t1 = time.perf_counter()
    csimulate(warm, x)
    rate = len(x) / (time.perf_counter() - t1)
    verdict = "OK" if warm.compile_seconds <= WARM_TARGET_S else "OVER"
    print(f"{name}:")
    print(f"  make_config            {t_config:7.2f} s")
    print(f"  cold compile_model     {cold.compile_seconds:7.2f} s  (g++ {cold.build_seconds:.2f} s)")
    print(
        f"  warm compile_model     {warm.compile_seconds:7.2f} s  (cache hit; target {WARM_TARGET_S:.0f} s: {verdict})"
    )
    print(f"  C simulation           {rate:7.0f} samples/s")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="triglab-bench-hls-") as tmp:
        for name in ("jet_mlp", "handson_cnn"):
            bench(name, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
