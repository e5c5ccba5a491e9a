#!/usr/bin/env python3
"""Run a TrigLab DPU run package on the lab server: on the Alveo card through VART, or emulated.

Needs only the Python standard library and numpy; ``vart`` and ``xir`` (Vitis AI runtime) only to
run on the card; the emulator engine ``dpu_numpy.py`` ships in the same folder as this script.

    python run_dpu.py --package DIR --out results.json              # on the card (VART)
    python run_dpu.py --package DIR --out results.json --emulator   # int8 emulated on the CPU
    python run_dpu.py --package DIR --out results.json --xmodel compiled/NET.xmodel

DIR/manifest.json names the events (``inputs``, an .npy file in DIR), the batch size and the
``runner`` section written by TrigLab (``dpu_model``, ``xmodel``, ``softmax``). Every event goes
through in batches; the time of each batch includes writing the inputs and reading the outputs.
The results JSON says whether the numbers were emulated; an emulated run says nothing about the
card's speed.

On the card (Vitis AI 3.0 runtime, DPUCAHX8H): the xmodel's DPU subgraph is found by its
``device`` attribute, a VART runner is created on it, the float events are quantized to int8 with
the input tensor's ``fix_point`` (round half up, saturated), sent in chunks of the DPU's batch
size with ``execute_async``/``wait``, and the int8 outputs scaled by ``2**-fix_point``. Softmax,
when the network ends with one, runs here on the CPU, as the xmodel leaves it to the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from pathlib import Path

import numpy as np

RESULTS_SCHEMA = "triglab-run-results/1"
EMULATED_DEVICE = "emulator-dpu (emulated on CPU)"


class PackageError(Exception):
    """The package or the machine cannot run as asked (the message says what and the fix)."""


# --- shared by TrigLab's runners and this script ---------------------------------------------
def batch_loop(x: np.ndarray, batch_size: int, infer, on_batch=None):
    """Push ``x`` through ``infer`` in batches, timing each (transfers included).

    Returns:
        (outputs, batch_seconds, total_seconds): outputs concatenated along the event axis.
    """
    if batch_size < 1:
        raise PackageError(f"batch size must be at least 1, got {batch_size}")
    outs, seconds = [], []
    n_batches = -(-len(x) // batch_size)
    t_start = time.perf_counter()
    for i in range(n_batches):
        xb = x[i * batch_size : (i + 1) * batch_size]
        t0 = time.perf_counter()
        outs.append(np.asarray(infer(xb)))
        seconds.append(time.perf_counter() - t0)
        if on_batch is not None:
            on_batch(i + 1, n_batches)
    total = time.perf_counter() - t_start
    outputs = np.concatenate(outs) if outs else np.zeros((0,))
    return outputs, seconds, total


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def dpu_subgraphs(graph) -> list:
    """The xmodel's subgraphs that run on the DPU (``device`` attribute "DPU"), in order."""
    children = graph.get_root_subgraph().toposort_child_subgraph()
    return [s for s in children if s.has_attr("device") and str(s.get_attr("device")).upper() == "DPU"]


class VartDpu:
    """An xmodel opened on the card through VART, with int8 buffers sized to the DPU's batch."""

    def __init__(self, xmodel: str | os.PathLike, softmax_on_cpu: bool = False) -> None:
        try:
            import vart  # optional: only a machine with the Vitis AI runtime has it
            import xir
        except ImportError as exc:
            raise PackageError(
                f"the Vitis AI runtime is not importable here ({exc}); run inside the Vitis AI 3.0 runtime "
                "environment with the U50 DPU set up, or add --emulator"
            ) from exc
        if not Path(xmodel).is_file():
            raise PackageError(f"xmodel not found: {xmodel}")
        graph = xir.Graph.deserialize(str(xmodel))
        subgraphs = dpu_subgraphs(graph)
        if len(subgraphs) != 1:
            raise PackageError(
                f"{xmodel} has {len(subgraphs)} DPU subgraphs; this runner drives exactly one "
                "(layers the DPU cannot run split the network; recompile without them)"
            )
        self.runner = vart.Runner.create_runner(subgraphs[0], "run")
        t_in = self.runner.get_input_tensors()[0]
        t_out = self.runner.get_output_tensors()[0]
        self.in_dims, self.out_dims = tuple(t_in.dims), tuple(t_out.dims)
        self.in_fix, self.out_fix = int(t_in.get_attr("fix_point")), int(t_out.get_attr("fix_point"))
        self.softmax_on_cpu = softmax_on_cpu
        firmware = os.environ.get("XLNX_VART_FIRMWARE", "")
        self.device = f"DPU via VART, subgraph {subgraphs[0].get_name()}" + (
            f", xclbin {Path(firmware).name}" if firmware else ""
        )

    def infer(self, xb: np.ndarray) -> np.ndarray:
        """Float events in, float outputs out (int8 on the card)."""
        q = np.clip(np.floor(np.asarray(xb, np.float64) * 2.0**self.in_fix + 0.5), -128, 127).astype(np.int8)
        batch = self.in_dims[0]
        outs = []
        for start in range(0, len(q), batch):
            chunk = q[start : start + batch]
            inbuf = np.zeros(self.in_dims, dtype=np.int8, order="C")
            inbuf[: len(chunk)] = chunk.reshape((len(chunk), *self.in_dims[1:]))
            outbuf = np.empty(self.out_dims, dtype=np.int8, order="C")
            job = self.runner.execute_async([inbuf], [outbuf])
            self.runner.wait(job)
            outs.append(outbuf[: len(chunk)].astype(np.float64) * 2.0 ** (-self.out_fix))
        y = np.concatenate(outs)
        return softmax(y) if self.softmax_on_cpu else y


# --- the command line -------------------------------------------------------------------------
def _inside(root: Path, name) -> Path:
    """``root/name``, refusing names that leave the package folder."""
    if not isinstance(name, str) or not name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise PackageError(f"manifest file name {name!r} must be a relative path inside the package")
    return root / name


def _read_manifest(root: Path) -> dict:
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot read {root / 'manifest.json'}: {exc}") from exc
    missing = [k for k in ("package_id", "target", "inputs", "batch_size", "runner") if k not in manifest]
    if missing:
        raise PackageError(f"{root / 'manifest.json'} lacks {', '.join(missing)}")
    if not isinstance(manifest["runner"], dict) or manifest["runner"].get("path") != "dpu":
        raise PackageError(
            "this package is not for the DPU path (runner.path is not 'dpu'); use its own runner"
        )
    return manifest


def run_package(root: Path, emulator: bool, xmodel: str | None = None) -> dict:
    """Run the package in ``root``; the results as the JSON-able dict written by :func:`main`."""
    manifest = _read_manifest(root)
    runner = manifest["runner"]
    try:
        x = np.load(_inside(root, manifest["inputs"]), allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot read the input events {manifest['inputs']!r}: {exc}") from exc
    batch_size = int(manifest["batch_size"])
    if emulator:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import dpu_numpy  # shipped next to this script

        try:
            model = dpu_numpy.DpuModel.load(_inside(root, runner.get("dpu_model")))
        except dpu_numpy.DpuModelError as exc:
            raise PackageError(str(exc)) from exc

        def infer(xb):
            try:
                return model.predict(xb)
            except dpu_numpy.DpuModelError as exc:
                raise PackageError(str(exc)) from exc

        device = EMULATED_DEVICE
    else:
        path = Path(xmodel) if xmodel else (_inside(root, runner["xmodel"]) if runner.get("xmodel") else None)
        if path is None:
            raise PackageError(
                "this package holds no compiled xmodel, only its build package "
                f"({runner.get('build_package', 'build_package')}/README.md says how to make it in the Vitis AI "
                "3.0 docker); then pass --xmodel NET.xmodel, or run with --emulator"
            )
        dpu = VartDpu(path, softmax_on_cpu=bool(runner.get("softmax")))
        infer, device = dpu.infer, dpu.device
    outputs, seconds, total = batch_loop(x, batch_size, infer)
    return {
        "schema": RESULTS_SCHEMA,
        "package_id": manifest["package_id"],
        "variant": manifest.get("variant"),
        "target": manifest["target"],
        "emulated": bool(emulator),
        "device": device,
        "host": socket.gethostname(),  # the lab server: the import labels its numbers with it
        "batch_size": batch_size,
        "events": int(len(x)),
        "batch_seconds": seconds,
        "total_seconds": total,
        "outputs": outputs.tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a TrigLab DPU run package (VART on the card, or emulated)."
    )
    parser.add_argument("--package", required=True, help="the unpacked run package folder")
    parser.add_argument("--out", required=True, help="results JSON to write")
    parser.add_argument(
        "--emulator", action="store_true", help="run the int8 DPU emulator (numpy) instead of the card"
    )
    parser.add_argument("--xmodel", help="a compiled xmodel to use instead of the package's")
    args = parser.parse_args(argv)
    try:
        results = run_package(Path(args.package), args.emulator, args.xmodel)
        out = Path(args.out)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(json.dumps(results), encoding="utf-8")
        os.replace(tmp, out)
    except PackageError as exc:
        print(f"run_dpu: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"run_dpu: {results['events']} events on {results['device']} in {results['total_seconds']:.3f} s -> {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
