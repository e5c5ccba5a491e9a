"""Emulator throughput and per-batch latency for both tasks, next to the Alveo U50's own limits.

Issue "Deploy and run on the Alveo U50": what the emulators do on this CPU, for

* hands-on 1's CNN (``handson_cnn``, digits 8x8) on ``emulator-dpu`` (int8 pof2s in numpy);
* hands-on 2's student (``muon_cnn_student``, 6x64 RPC hit maps) on ``emulator-hls`` (the kernel
  C++ compiled with g++, driven through the XRT shim),

at batch sizes 1, 64 and 1024 (latency per batch includes the host-side writes and reads). These
are **emulated on CPU**: they say how long this computer takes, nothing about the card.

The card's limits printed next to them are not measurements either:

* **data-sheet figures** — PCIe Gen3 x16 to the host (UG1120: the U50 Gen3x16 XDMA platform's
  link speed), 8 GT/s x 16 lanes x 128b/130b = 15.75 GB/s theoretical per direction; HBM2 8 GB
  (UG1120) at 316 GB/s (DS965, the U50 data sheet; UG1393 quotes 460 GB/s for the same HBM2
  subsystem at its full clock, which the U50 does not run). From them, the PCIe-bound event rate
  = 15.75 GB/s / the larger of the input and output bytes per event (float32, as the host
  program moves them; they travel in opposite directions), the HBM-bound one = 316 GB/s / both;
* **an estimate** — the hls4ml kernel's rate = clock / II, with II from TrigLab's analytic
  estimate (:mod:`core.hls.estimate`) and the clock of the hls4ml configuration; a synthesis
  report replaces it on a machine with Vitis.

Models are untrained zoo models (speed does not depend on the weights), in a temporary workspace.
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

from core.deploy import EMULATED_LABEL, get_target  # noqa: E402
from core.deploy.run import build_artifact, variant_events  # noqa: E402

PCIE_GEN3_X16_GBPS = 8.0 * 16 * 128 / 130 / 8  # GB/s per direction, theoretical (data sheet link)
HBM_GBPS, HBM_GB = 316.0, 8  # U50 data sheet (DS965)
EVENTS = 20_000
BATCHES = (1, 64, 1024)
MUON_EVENTS = 20_000  # simulated muons (the validation split feeds the runs)


def _tile(x: np.ndarray, n: int) -> np.ndarray:
    reps = -(-n // len(x))
    return np.ascontiguousarray(np.concatenate([x] * reps)[:n])


def bench_target(ws, variant: str, target: str, events: int = EVENTS) -> dict:
    """Throughput and batch latency of ``variant`` on ``target`` at each batch size."""
    t = get_target(target)
    t0 = time.perf_counter()
    art = build_artifact(ws, variant, t)
    build_s = time.perf_counter() - t0
    ev = variant_events(ws, variant, events)
    x = _tile(ev.x, events)
    rows = []
    with t.runner(art) as runner:
        for batch in BATCHES:
            n = min(events, 2_000) if batch == 1 else events  # batch 1: per-call overhead, fewer calls
            run = runner.run(x[:n], batch)
            times = np.asarray(run.batch_seconds)
            rows.append(
                {
                    "batch": batch,
                    "events": n,
                    "eps": n / run.total_seconds,
                    "p50_ms": 1e3 * float(np.percentile(times, 50)),
                    "p99_ms": 1e3 * float(np.percentile(times, 99)),
                }
            )
    n_out = int(np.prod(run.outputs.shape[1:]))
    return {"build_s": build_s, "rows": rows, "bytes_in": 4 * x[0].size, "bytes_out": 4 * n_out, "target": t}


def print_result(title: str, res: dict, kernel_rate: tuple[float, str] | None = None) -> None:
    t = res["target"]
    print(f"{title} on {t.label}  (build {res['build_s']:.1f} s, cached after the first)")
    print(f"  {'batch':>6} {'events':>7} {'events/s':>12} {'p50 batch':>11} {'p99 batch':>11}")
    for r in res["rows"]:
        print(
            f"  {r['batch']:>6} {r['events']:>7} {r['eps']:>12,.0f} {r['p50_ms']:>9.3f} ms {r['p99_ms']:>9.3f} ms"
            f"   ({EMULATED_LABEL})"
        )
    b_in, b_out = res["bytes_in"], res["bytes_out"]
    pcie = PCIE_GEN3_X16_GBPS * 1e9 / max(b_in, b_out)  # inputs and outputs travel opposite ways
    hbm = HBM_GBPS * 1e9 / (b_in + b_out)  # the kernel reads the inputs and writes the outputs
    print(f"  U50 limits for the same events ({b_in} B in, {b_out} B out per event, float32):")
    print(
        f"    PCIe Gen3 x16, {PCIE_GEN3_X16_GBPS:.2f} GB/s per direction: {pcie:,.0f} events/s [data sheet]"
    )
    print(f"    HBM2 {HBM_GB} GB at {HBM_GBPS:.0f} GB/s: {hbm:,.0f} events/s [data sheet]")
    if kernel_rate:
        print(f"    kernel rate = clock / II: {kernel_rate[0]:,.0f} events/s   [{kernel_rate[1]}]")


def main() -> int:
    from core.data import load_dataset, pin_params
    from core.hls.config import make_config
    from core.hls.estimate import estimate
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="triglab-bench-deploy-") as tmp:
        ws = Workspace.create(Path(tmp) / "ws")
        cnn = add_zoo_variant(ws, "handson_cnn", dataset="digits").name
        res = bench_target(ws, cnn, "emulator-dpu")
        print_result("hands-on 1 CNN (digits)", res)
        print("    DPU rate: set by DPUCAHX8H's engines and the xmodel; only a run on the card tells")
        print()

        pin_params(ws.data_dir, "muon_rpc", events=MUON_EVENTS)
        load_dataset("muon_rpc", cache_dir=ws.data_dir)
        student = add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc").name
        model = ws.load_model(student)
        config = make_config(model)
        est = estimate(model, config)
        clock_hz = 1e9 / float(config.settings.clock_period_ns)
        kernel = (clock_hz / max(int(est.interval_cycles), 1), f"estimate: II {est.interval_cycles} at "
                  f"{clock_hz / 1e6:.0f} MHz, analytic model, not a synthesis report")  # fmt: skip
        res = bench_target(ws, student, "emulator-hls")
        print_result("hands-on 2 student (muon RPC)", res, kernel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
