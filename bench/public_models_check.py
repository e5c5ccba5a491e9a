"""Automatic precision + C simulation on the REAL public hls4ml example models (a manual check).

Issue 13 measured ``triglab-cli hls MODEL.json --calib … --auto-precision 0.99 csim`` on six json +
h5 pairs of hls4ml's ``example-models`` repository (``keras/``). That repository has no license, so
its files are not in TrigLab (``tests/core/test_public_models.py`` runs rebuilt look-alikes); this
script takes them from a local clone or bare mirror with ``git show``, into a temporary folder, and
runs the command on each, printing the exit code, the C-simulation agreement, the bits chosen
(auto precision's ``total_bits``: the sum of the widths of the precisions it chose), the widest
result precision of the configuration and the time (s). Not part of the test suite.

Calibration: the training data of these models is not here, so the jet models (16 standardised
features, 10x4 sequences) get ``gauss`` (standard normal) and the image models (jet images, MNIST)
``uniform`` ([0, 1) pixels). The agreement is measured on those inputs, not on the original data.

    python bench/public_models_check.py [--repo PATH_TO_EXAMPLE_MODELS_GIT] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REPO = Path("/work/.mirror/fastmachinelearning+example-models/repo")
#: name -> calibration (``--calib``)
MODELS = {
    "KERAS_3layer": "gauss",
    "KERAS_conv1d_small": "gauss",
    "KERAS_3layer_batch_norm": "gauss",
    "jetTagger_Conv2D_Small": "uniform",
    "qkeras_3layer": "gauss",
    "qkeras_mnist_cnn": "uniform",
}


def extract(repo: Path, name: str, folder: Path) -> Path:
    """``keras/<name>.json`` and ``keras/<name>_weights.h5`` of the repository into ``folder``."""
    for member in (f"{name}.json", f"{name}_weights.h5"):
        cmd = ["git", "-C", str(repo), "show", f"HEAD:keras/{member}"]  # a clone or a bare mirror
        data = subprocess.run(cmd, capture_output=True, check=True).stdout
        (folder / member).write_bytes(data)
    return folder / f"{name}.json"


def check(json_path: Path, calib: str, home: Path) -> dict:
    """Run the CLI on one model; the JSON document, or ``{'error': ...}``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TRIGLAB_HOME=str(home), PYTHONPATH=str(ROOT))
    args = [str(json_path), "--calib", calib, "--auto-precision", "0.99", "csim", "--json"]
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "core.cli", "hls", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        lines = [t for t in r.stderr.splitlines() if t.strip()]
        return {"exit": r.returncode, "seconds": seconds, "error": lines[-1] if lines else "?"}
    doc = json.loads(r.stdout)
    return {"exit": 0, "seconds": seconds, **doc}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=DEFAULT_REPO, help="example-models git folder")
    parser.add_argument("--only", nargs="*", choices=list(MODELS), help="models to run (default: all)")
    args = parser.parse_args(argv)
    names = args.only or list(MODELS)
    print(
        f"{'model':26s} {'exit':>4s} {'C-sim agree':>11s} {'target':>6s} {'bits':>6s} {'widest':>6s} {'s':>6s}"
    )
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in names:
            res = check(extract(args.repo, name, tmp), MODELS[name], tmp / "home")
            if res["exit"] != 0:
                print(
                    f"{name:26s} {res['exit']:4d} {'-':>11s} {'-':>6s} {'-':>6s} {'-':>6s} {res['seconds']:6.1f}"
                )
                print(f"{'':26s} {res['error']}")
                continue
            ap = res.get("auto_precision") or {}
            widths = [
                int(p.split("<")[1].split(",")[0].rstrip(">"))
                for row in res["precision"].values()
                for p in (row.get("result"),)
                if p and "<" in p
            ]
            agree = res.get("agreement")
            ok = agree is not None and agree >= 0.99
            passed += ok
            print(
                f"{name:26s} {0:4d} {100 * agree:10.2f}% {'met' if ok else 'MISSED':>6s} "
                f"{ap.get('total_bits', '-'):>6} {max(widths, default=0):6d} {res['seconds']:6.1f}"
            )
            for note in ap.get("notes") or []:
                print(f"{'':26s} note: {note}")
    print(
        f"{passed} of {len(names)} models reach 99 % agreement in C simulation ({', '.join(sorted(set(MODELS[n] for n in names)))} calibration)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
