#!/usr/bin/env python3
"""Run a TrigLab hls4ml-kernel run package on the lab server (stdlib + numpy, optional pyxrt).

Usage:
    python run_hls.py --package DIR --out results.json [--emulator] [--host EXE] [--device N]

DIR/manifest.json (written by TrigLab) names the input events (``inputs``, an .npy file of
float32, shape (events, ...)), the ``batch_size`` and, under ``runner``, what the package holds
(paths relative to DIR/<runner.root>): the ``xclbin``, the ``emulator`` executable, the build
package. Three ways to run:

* default: on the card, through pyxrt (it ships with XRT: ``source /opt/xilinx/xrt/setup.sh``):
  ``xrt.device(N)``, ``load_xclbin``, ``xrt.kernel``, one ``xrt.bo`` per buffer in the kernel
  port's memory bank, then per batch write + sync + run + wait + sync + read, timed;
* ``--host EXE``: on the card, through TrigLab's host program built against XRT on this server
  (``make -C <build package> host``), same steps in C++;
* ``--emulator``: the shipped emulator executable (the same kernel and host C++, compiled with
  g++ against TrigLab's in-process XRT shim): **emulated on CPU**, not a measurement of the card.

Writes ``results.json`` (schema ``triglab-run-results/1``): package_id, target, emulated,
device, batch_size, events, batch_seconds (each batch, transfers included), total_seconds,
outputs (nested list, the kernel's float32 outputs). TrigLab imports it back.
This file imports nothing from TrigLab; TrigLab's own runner uses :func:`run_host_program`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCHEMA = "triglab-run-results/1"
EMULATED_DEVICE = "emulator-hls (emulated on CPU)"


class PackageError(Exception):
    """The package or the machine cannot do what was asked (the message says why and the fix)."""


def run_host_program(exe, x, batch_size, xclbin="emulated", env=None, run=None, device_index=0):
    """Push events through TrigLab's host program (emulator or real-XRT build).

    Args:
        exe: The host executable.
        x: Events, float32 array (events, n_in) (any trailing shape is flattened).
        batch_size: Events per kernel call (the last batch may be smaller).
        xclbin: The xclbin file for the card ("emulated" for the emulator, which ignores it).
        env: Environment of the child process (None: inherit).
        run: ``run(cmd, env)`` that runs the command and raises on failure (default: subprocess,
            output passed through); TrigLab passes its cancellable job runner.
        device_index: XRT device index.

    Returns:
        ``(outputs (events, n_out) float32, timings dict from the host program)``.
    """
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32).reshape(len(x), -1))
    with tempfile.TemporaryDirectory(prefix="triglab_hls_") as tmp:
        tmp = Path(tmp)
        x.astype("<f4").tofile(tmp / "in.bin")
        cmd = [str(exe), "--xclbin", str(xclbin), "--input", str(tmp / "in.bin"),
               "--output", str(tmp / "out.bin"), "--timings", str(tmp / "timings.json"),
               "--events", str(len(x)), "--batch", str(int(batch_size)), "--device", str(int(device_index))]  # fmt: skip
        (run or _run_plain)(cmd, env)
        timings = json.loads((tmp / "timings.json").read_text(encoding="utf-8"))
        y = np.fromfile(tmp / "out.bin", dtype="<f4")
    n_out = int(timings["n_out"])
    if y.size != len(x) * n_out:
        raise PackageError(f"the host program wrote {y.size} outputs, expected {len(x)} x {n_out}")
    return y.reshape(len(x), n_out).astype(np.float32), timings


def _run_plain(cmd, env):
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if not ln.startswith("TRIGLAB-PROGRESS")]
    if lines:
        print("\n".join(lines), flush=True)
    if proc.returncode != 0:
        errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("ERROR")]
        raise PackageError(f"{Path(cmd[0]).name} failed (exit {proc.returncode}): " + " ".join(errors[-3:]))


def run_pyxrt(xclbin, x, batch_size, n_out, kernel_name="triglab_kernel", device_index=0):
    """The same steps as host.cpp through XRT's Python binding (on the card)."""
    try:
        import pyxrt
    except ImportError as exc:
        raise PackageError(
            "pyxrt is not importable: source /opt/xilinx/xrt/setup.sh (XRT ships pyxrt; it is not on "
            "PyPI), or build the host program (make -C <build package> host) and pass --host"
        ) from exc
    x = np.ascontiguousarray(np.asarray(x, dtype="<f4").reshape(len(x), -1))
    n_in = x.shape[1]
    device = pyxrt.device(device_index)
    uuid = device.load_xclbin(str(xclbin))
    kernel = pyxrt.kernel(device, uuid, kernel_name)
    flags = pyxrt.bo.flags.normal
    batch_size = min(batch_size, len(x))  # buffers for one batch, no larger than the run
    in_bo = pyxrt.bo(device, batch_size * n_in * 4, flags, kernel.group_id(0))
    out_bo = pyxrt.bo(device, batch_size * n_out * 4, flags, kernel.group_id(1))
    to_dev = pyxrt.xclBOSyncDirection.XCL_BO_SYNC_BO_TO_DEVICE
    from_dev = pyxrt.xclBOSyncDirection.XCL_BO_SYNC_BO_FROM_DEVICE
    y = np.empty((len(x), n_out), dtype="<f4")
    seconds = []
    t_all = time.perf_counter()
    for first in range(0, len(x), batch_size):
        n = min(batch_size, len(x) - first)
        t0 = time.perf_counter()
        in_bo.write(x[first : first + n], 0)
        in_bo.sync(to_dev, n * n_in * 4, 0)
        run = kernel(in_bo, out_bo, n)
        state = run.wait()
        if state != pyxrt.ert_cmd_state.ERT_CMD_STATE_COMPLETED:
            raise PackageError(f"the kernel run of events {first}..{first + n} ended in state {state}")
        out_bo.sync(from_dev, n * n_out * 4, 0)
        raw = out_bo.read(n * n_out * 4, 0)
        y[first : first + n] = np.asarray(raw).view("<f4").reshape(n, n_out)
        seconds.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    device_name = _device_name(pyxrt, device)
    return y.astype(np.float32), {"device": device_name, "batch_seconds": seconds, "total_seconds": total}


def _device_name(pyxrt, device):
    try:
        info = pyxrt.xrt_info_device
        return f"{device.get_info(info.bdf)} {device.get_info(info.name)}"
    except Exception:  # older pyxrt without get_info
        return "XRT device"


def _inside(root: Path, rel) -> Path:
    """``root/rel``, refusing paths that leave the package (a manifest must not point elsewhere)."""
    if not isinstance(rel, str) or not rel or os.path.isabs(rel):
        raise PackageError(f"bad path in the manifest: {rel!r}")
    path = (root / rel).resolve()
    if root.resolve() not in (path, *path.parents):
        raise PackageError(f"the manifest points outside the package: {rel!r}")
    return path


def sha256_file(path) -> str:
    """The SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_package(package: Path, emulator: bool = False, host=None, device_index: int = 0) -> dict:
    """Run the package's events; returns the results dict (see the module docstring)."""
    package = Path(package)
    try:
        manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
        runner = manifest["runner"]
        batch = int(manifest["batch_size"])
        inputs = manifest["inputs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PackageError(f"{package / 'manifest.json'} is missing or damaged ({exc})") from exc
    if batch < 1:
        raise PackageError(f"batch_size must be positive, the manifest says {batch}")
    rel_root = runner.get("root")
    root = _inside(package, rel_root) if rel_root not in (None, "", ".") else package
    x = np.load(_inside(package, inputs), allow_pickle=False)
    n_out = int(runner["interface"]["n_out"])
    if emulator:
        exe = _inside(root, runner.get("emulator") or "")
        if not exe.is_file():
            raise PackageError(f"the package has no emulator executable ({exe})")
        if runner.get("emulator_sha256") and sha256_file(exe) != runner["emulator_sha256"]:
            raise PackageError(f"{exe.name} differs from the one TrigLab packed (damaged copy?)")
        env = dict(os.environ, TRIGLAB_HLS_WEIGHTS=str(_inside(root, runner["weights"])))
        y, t = run_host_program(exe, x, batch, env=env, device_index=0)
        device, emulated = EMULATED_DEVICE, True
    else:
        if not runner.get("xclbin"):
            raise PackageError(
                "this package holds no xclbin, only the build package: build it where Vitis is installed "
                "(make -C <build package> xclbin host, see its README), or run with --emulator"
            )
        xclbin = _inside(root, runner["xclbin"])
        if host:
            y, t = run_host_program(Path(host).resolve(), x, batch, xclbin=xclbin, device_index=device_index)
            device = f"{t.get('bdf', '')} {t.get('device', '')}".strip()
        else:
            y, t = run_pyxrt(xclbin, x, batch, n_out, runner.get("kernel", "triglab_kernel"), device_index)
            device = t["device"]
        emulated = False
    return {
        "schema": SCHEMA,
        "package_id": manifest.get("package_id"),
        "variant": manifest.get("variant"),
        "target": "emulator-hls" if emulated else manifest.get("target", "u50-hls"),
        "emulated": emulated,
        "device": device,
        "host": socket.gethostname(),  # the lab server: the import labels its numbers with it
        "batch_size": batch,
        "events": int(len(x)),
        "batch_seconds": [float(s) for s in t["batch_seconds"]],
        "total_seconds": float(t["total_seconds"]),
        "outputs": y.reshape(len(x), *runner["interface"].get("output_shape", [n_out])).tolist(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", required=True, type=Path, help="the unpacked run package folder")
    parser.add_argument("--out", required=True, type=Path, help="where to write results.json")
    parser.add_argument("--emulator", action="store_true", help="run the shipped emulator (emulated on CPU)")
    parser.add_argument("--host", help="TrigLab's host program built against XRT here (instead of pyxrt)")
    parser.add_argument("--device", type=int, default=0, help="XRT device index (default 0)")
    args = parser.parse_args(argv)
    try:
        results = run_package(args.package, emulator=args.emulator, host=args.host, device_index=args.device)
    except PackageError as exc:
        print(f"run_hls: {exc}", file=sys.stderr)
        return 2
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(results), encoding="utf-8")
    tmp.replace(args.out)
    print(
        f"{results['events']} events on {results['device']} in {results['total_seconds']:.3f} s "
        f"({len(results['batch_seconds'])} batches of up to {results['batch_size']}); wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
