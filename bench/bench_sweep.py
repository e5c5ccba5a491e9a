"""Sweep throughput: points per hour in-process, on 1 and on 2 Dask workers, and Dask's overhead.

Issue "Design-space sweeps on Dask". For a small grid (sparsity × fixed-point width, 4 points) on
the hands-on 1 CNN (digits) and on the hands-on 2 muon student, each point being a fine-tune, an
automatic precision search, a C simulation (g++) and an estimate:

* the wall time of a sequential in-process loop (no Dask), the comparison;
* the wall time on the embedded ``LocalCluster`` with 1 and with 2 workers (cluster start included),
  as points per hour;
* Dask's overhead per point: on each point, the time from submission to its result minus the time
  the point itself took on its worker, as a fraction of the point's time (target under 5 %).

Every run starts with its own empty worker cache (data sets and compiled projects), so no run
profits from the one before. ``--quick`` leaves the C simulation out (seconds per point instead of
tens); ``--models digits`` or ``--models muon`` runs one of the two.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OVERHEAD_TARGET = 0.05


def _digits_workspace(root: Path):
    from core.workflows import ensure_demo_workspace

    ws = ensure_demo_workspace(root / "digits")
    return ws, ws.ui["selected_variant"]


def _muon_workspace(root: Path):
    from core.data import load_dataset, pin_params
    from core.workflows import train_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.open_or_create(root / "muon")
    pin_params(ws.data_dir, "muon_rpc", events=20000)  # the classroom scale of hands-on 2
    ds = load_dataset("muon_rpc", cache_dir=ws.data_dir)
    res = train_zoo_variant(ws, "muon_cnn_student", ds, epochs=8, batch_size=128, lr=3e-3, seed=0)
    return ws, res.variant.name


def _spec(name: str, variant: str, quick: bool):
    from core.sweep.axes import parse_axis, parse_fixed
    from core.sweep.spec import SweepSpec

    measures = ("task", "autoprec", "estimate") if quick else ("task", "autoprec", "csim", "estimate")
    return SweepSpec(
        name=name,
        variant=variant,
        axes=[parse_axis("sparsity=0.6,0.8"), parse_axis("width=6,8")],
        fixed=dict([parse_fixed("prune.finetune_epochs=3")]),
        measures=measures,
        n_calib=500,
        seed=0,
    )


def _run(ws, variant: str, label: str, where: dict, quick: bool, cache: Path) -> dict:
    from core.sweep.runner import run_sweep

    os.environ["TRIGLAB_SWEEP_CACHE"] = str(cache)  # workers inherit it: an empty cache per run
    t0 = time.perf_counter()
    out = run_sweep(ws, _spec(label, variant, quick), where=where)
    wall = time.perf_counter() - t0
    rows = out["rows"]
    point_s = [r["seconds"] for r in rows if r.get("seconds")]
    return {
        "wall": wall,
        "points": len(rows),
        "failed": sum(r["status"] != "done" for r in rows),
        "point_s": sum(point_s) / max(len(point_s), 1),
        "overhead_s": out.get("overhead_s"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="no C simulation in the points")
    ap.add_argument("--models", default="digits,muon", help="digits, muon or both (default)")
    args = ap.parse_args(argv)
    makers = {
        "digits": ("hands-on 1 CNN (digits)", _digits_workspace),
        "muon": ("muon student", _muon_workspace),
    }
    with tempfile.TemporaryDirectory(prefix="triglab-bench-sweep-") as tmp:
        root = Path(tmp)
        for key in args.models.split(","):
            title, make = makers[key.strip()]
            ws, variant = make(root)
            print(
                f"{title}: variant '{variant}', 2x2 grid (sparsity 0.6/0.8 x width 6/8)"
                f"{' without C-sim' if args.quick else ', with C-sim'}",
                flush=True,
            )
            runs = [
                ("sequential", {"kind": "inprocess"}),
                ("1 worker", {"kind": "local", "workers": 1}),
                ("2 workers", {"kind": "local", "workers": 2}),
            ]
            base_wall = None
            for i, (label, where) in enumerate(runs):
                r = _run(ws, variant, f"bench-{key}-{i}", where, args.quick, root / f"cache-{key}-{i}")
                base_wall = base_wall or r["wall"]
                rate = 3600.0 * r["points"] / r["wall"]
                line = (
                    f"  {label:10s} wall {r['wall']:7.1f} s  {rate:7.0f} points/h  "
                    f"point {r['point_s']:6.1f} s on its worker  speed-up {base_wall / r['wall']:4.2f}x"
                )
                if r["failed"]:
                    line += f"  ({r['failed']} FAILED)"
                ov = r["overhead_s"]
                if ov is not None and r["point_s"]:
                    frac = ov / r["point_s"]
                    verdict = "OK" if frac <= OVERHEAD_TARGET else "OVER"
                    line += f"  Dask overhead {ov:5.2f} s/point = {100 * frac:4.1f} % (target 5 %: {verdict})"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
