"""Run packages for the lab server: the card sits in one server, the students' laptops have none.

:func:`write_run_package` writes a ``.zip`` that runs on the server with nothing but Python,
numpy and the card's runtime (``pyxrt`` for the hls4ml kernel, ``vart``/``xir`` for the DPU)::

    manifest.json     schema "triglab-run-package/1", package_id, variant, workspace title,
                      target, inputs, expected, batch_size, events, runner (target.package's dict)
    inputs.npy        the events (float32), first N of the variant's validation split
    expected.npy      what the card must compute: hls4ml's C simulation (hls path) or the
                      DPU emulator's outputs (dpu path)
    hls/ or dpu/...   the target's files (xclbin or xmodel, or their build package)
    run_hls.py        the standalone runner, copied verbatim from core/deploy/standalone/
    README.txt        the exact command

Running ``python3 run_hls.py --package DIR --out results.json`` on the server writes the results
JSON, which :func:`import_results` reads back into the same :class:`~core.deploy.run.RunReport`
as a local run, labelled with the server's card and shell. The results JSON (written by the
standalone runners) carries::

    schema "triglab-run-results/1", package_id, variant, target, device, shell, host,
    emulated (bool), events, batch_size, outputs [[...], ...], batch_seconds [...], total_seconds

The workspace keeps a record of every package it wrote (``<ws>/deploy/packages.json``, the
expected outputs in ``<ws>/deploy/packages/<id>.npz``): a results file is accepted only for a
package written here for the same variant, with the inputs it was written with. Nothing in a
results file names a file TrigLab reads or writes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import math
import re
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from core.deploy import EMULATED_LABEL, Artifact, DeployError, RunOutput, Target, get_target
from core.deploy.run import (
    DEFAULT_BATCH,
    DEFAULT_EVENTS,
    RunReport,
    agreement,
    build_artifact,
    can_build,
    csim_outputs,
    deploy_dir,
    inputs_digest,
    keras_outputs,
    make_report,
    store_report,
    variant_events,
)
from core.jobs import Progress, ensure_progress

PACKAGE_SCHEMA = "triglab-run-package/1"
RESULTS_SCHEMA = "triglab-run-results/1"
RECORD = "packages.json"
MAX_RESULTS_BYTES = 512 * 1024 * 1024  # a results JSON of 10^6 events x 10 outputs is ~200 MB
STANDALONE_DIR = Path(__file__).resolve().parent / "standalone"


def standalone_script(target: Target) -> Path:
    """The standalone runner script of the target's path (``run_hls.py`` or ``run_dpu.py``)."""
    own = getattr(target, "standalone_script", None)
    path = Path(own) if own else STANDALONE_DIR / f"run_{target.path}.py"
    if not path.is_file():
        raise DeployError(
            f"The standalone runner for target {target.name} ({path.name}) is not installed with this "
            "TrigLab; a run package cannot be written for it."
        )
    return path


def _record_path(ws) -> Path:
    return deploy_dir(ws) / RECORD


def written_packages(ws) -> list[dict[str, Any]]:
    """The record of run packages this workspace wrote (newest last)."""
    try:
        data = json.loads(_record_path(ws).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [p for p in data.get("packages", []) if isinstance(p, dict)] if isinstance(data, dict) else []


def expected_outputs(
    ws, variant: str, target: Target, x: np.ndarray, progress: Progress | None = None
) -> np.ndarray:
    """What the card must compute on ``x``: the C simulation (hls) or the DPU emulator (dpu)."""
    progress = ensure_progress(progress)
    if target.path == "hls":
        return csim_outputs(ws, variant, x, progress=progress)[0]
    emu = target if target.emulated else get_target(f"emulator-{target.path}")
    art = build_artifact(ws, variant, emu, progress=progress.sub(0.0, 0.7))
    with emu.runner(art) as runner:
        run = runner.run(x, DEFAULT_BATCH, progress=progress.sub(0.7, 1.0))
    return np.asarray(run.outputs, dtype=np.float32).reshape(len(x), -1)


def package_artifact(
    ws, variant: str, target: Target, progress: Progress | None = None
) -> tuple[Artifact, bool]:
    """What goes into a package for ``target``, and whether it holds the card's binary.

    The target's own build: for a card target that is the ``.xclbin`` / ``.xmodel`` when the tools
    are here, else whatever the target makes without them (the DPU's build package). A card target
    that refuses to build without its tools (the hls4ml kernel needs v++) gets the emulator's build
    of the same path, which carries the kernel's build package for the server.

    Returns:
        ``(artifact, built for the card)``: the latter True when the artifact is the card's binary.
    """
    progress = ensure_progress(progress)
    if target.emulated:
        return build_artifact(ws, variant, target, progress=progress), False
    try:
        art = build_artifact(ws, variant, target, progress=progress)
    except DeployError as exc:
        if can_build(target):
            raise
        emu = get_target(f"emulator-{target.path}")
        progress.log(
            f"{target.name} cannot be built here ({str(exc).splitlines()[0]}); packing {emu.name}'s build"
        )
        art = build_artifact(ws, variant, emu, progress=progress)
    return art, art.path.suffix in (".xclbin", ".xmodel")


def _readme(script: str, manifest: dict[str, Any]) -> str:
    t = manifest["target"]
    runtime = "pyxrt (it ships with XRT)" if "hls" in script else "vart and xir (Vitis AI runtime)"
    return f"""TrigLab run package {manifest["package_id"]}
Variant '{manifest["variant"]}' of workspace '{manifest["workspace"]}', target {t},
{manifest["events"]} events in batches of {manifest["batch_size"]}.

On the server with the Alveo U50 (needs Python 3, numpy and {runtime}):

    unzip {manifest["package_id"]}.zip -d pkg
    python3 pkg/{script} --package pkg --out results.json

Without a card, the same runner can check the package on any computer (its numbers are then
{EMULATED_LABEL}, and the results say so):

    python3 pkg/{script} --package pkg --out results.json --emulator

{"" if manifest.get("built_for_card") else "This computer could not build for the card (no Vitis / Vitis AI): build it on the" + chr(10) + "server first with the build package inside (its README gives the exact commands)." + chr(10) + chr(10)}Bring results.json back and import it:

    triglab-cli run --import results.json WORKSPACE --variant "{manifest["variant"]}"

(or Deploy tab > Import results). inputs.npy holds the events, expected.npy what the card must
compute ({"hls4ml's C simulation" if "hls" in script else "the DPU emulator's outputs"}).
"""


def write_run_package(
    ws,
    variant: str,
    target: str,
    out_zip: str | Path,
    events: int = DEFAULT_EVENTS,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> Path:
    """Write a run package for ``variant`` on ``target`` (a job); see the module docstring.

    Args:
        ws: The workspace.
        variant: The variant.
        target: Target name (``u50-hls``, ``u50-dpu``, or an emulator to try the flow).
        out_zip: The ``.zip`` to write (atomically: it appears whole or not at all).
        events: Events of the validation split to put in (all of them if fewer).
        batch_size: Events per batch on the server.
        progress: Job progress.

    Returns:
        The path of the package written (:func:`read_manifest` reads what it holds).
    """
    progress = ensure_progress(progress)
    out_zip = Path(out_zip)
    if out_zip.suffix.lower() != ".zip":
        raise DeployError(f"A run package is a .zip file; '{out_zip.name}' does not end in .zip.")
    if int(batch_size) < 1:
        raise DeployError(f"The batch size must be at least 1 event (got {batch_size}).")
    ws[variant]
    t = get_target(target)
    script = standalone_script(t)
    if t.path == "hls":
        from core.deploy.run import check_convertible

        check_convertible(ws, variant)
    ev = variant_events(ws, variant, events, progress=progress.sub(0.0, 0.05))
    progress.update(0.05, f"building {variant} for {t.name}")
    art, built_here = package_artifact(ws, variant, t, progress=progress.sub(0.05, 0.5))
    progress.update(0.5, "expected outputs")
    expected = expected_outputs(ws, variant, t, ev.x, progress=progress.sub(0.5, 0.9))
    with tempfile.TemporaryDirectory(prefix="triglab-pkg-") as tmp:
        root = Path(tmp)
        runner = t.package(art, root)  # paths relative to the package folder
        np.save(root / "inputs.npy", ev.x)
        np.save(root / "expected.npy", expected)
        shutil.copyfile(script, root / script.name)
        digest = _tree_digest(root)
        manifest = {
            "schema": PACKAGE_SCHEMA,
            "package_id": f"{uuid.uuid4().hex[:12]}-{digest[:16]}",
            "variant": variant,
            "workspace": ws.title,
            "target": t.name,
            "inputs": "inputs.npy",
            "expected": "expected.npy",
            "events": len(ev.x),
            "batch_size": int(batch_size),
            "runner": runner,
            "built_for_card": built_here,
            "script": script.name,
            "dataset": ev.dataset.name,
            "split": ev.split,
            "created": _dt.datetime.now().isoformat(timespec="seconds"),
        }
        (root / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        (root / "README.txt").write_text(_readme(script.name, manifest), encoding="utf-8")
        _zip_atomically(root, out_zip)
    _remember(ws, manifest, ev, expected, out_zip)
    progress.update(1.0, f"run package written: {out_zip}")
    return out_zip


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _zip_atomically(root: Path, out_zip: Path) -> None:
    from core.atomic import atomic_path

    with atomic_path(out_zip) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            zf.write(path, str(path.relative_to(root)))


def _remember(ws, manifest: dict[str, Any], ev, expected: np.ndarray, out_zip: Path) -> None:
    from core.atomic import atomic_path, atomic_write_text

    pid = manifest["package_id"]
    with atomic_path(deploy_dir(ws) / "packages" / f"{pid}.npz") as tmp, open(tmp, "wb") as fh:
        np.savez(fh, expected=np.asarray(expected, dtype=np.float32))
    entry = {
        k: manifest[k]
        for k in ("package_id", "variant", "target", "events", "batch_size", "dataset", "split", "created")
    }
    entry.update(zip=str(out_zip), dataset_params=ev.dataset_params, inputs_sha256=inputs_digest(ev.x))
    packages = [*written_packages(ws), entry]
    atomic_write_text(_record_path(ws), json.dumps({"packages": packages}, indent=2))


# --- importing results -------------------------------------------------------------------------
_PRINTABLE = re.compile(r"[^\w .:,()/+\-@#=]")


def _text(value: Any, what: str, limit: int = 160) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DeployError(f"The results' '{what}' must be text, not {type(value).__name__}.")
    return _PRINTABLE.sub("_", value)[:limit]


def _read_results(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_RESULTS_BYTES:
            raise DeployError(f"'{path.name}' is {size / 1e6:.0f} MB, too large for a results file.")
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise DeployError(f"Cannot read the results file '{path}': {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeployError(
            f"'{path.name}' is not a valid results JSON ({exc}); it may be truncated. "
            "Copy results.json from the server again."
        ) from None
    if not isinstance(data, dict) or data.get("schema") != RESULTS_SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise DeployError(
            f"'{path.name}' is not a TrigLab run results file (schema {found!r}, expected {RESULTS_SCHEMA!r})."
        )
    return data


def _floats(value: Any, what: str, path: Path) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DeployError(f"'{what}' in '{path.name}' is not an array of numbers.") from None
    if arr.dtype == object or not np.all(np.isfinite(arr)):
        raise DeployError(f"'{what}' in '{path.name}' holds missing, NaN or infinite values.")
    return arr


def import_results(ws, variant: str, results_json: str | Path, progress: Progress | None = None) -> RunReport:
    """Read a results JSON from the lab server back into a stored :class:`RunReport`.

    Raises:
        DeployError: not a results file, a package not written here or for another variant,
            outputs of the wrong shape or not finite, events that no longer match.
    """
    progress = ensure_progress(progress)
    path = Path(results_json)
    ws[variant]
    data = _read_results(path)
    pid = data.get("package_id")
    entry = (
        next((p for p in written_packages(ws) if p.get("package_id") == pid), None)
        if isinstance(pid, str)
        else None
    )
    if entry is None:
        raise DeployError(
            f"'{path.name}' answers package {_text(str(pid), 'package_id')!r}, which this workspace did not "
            "write; import it into the workspace that wrote the package."
        )
    if entry["variant"] != variant or data.get("variant", variant) != variant:
        raise DeployError(
            f"'{path.name}' holds results of variant '{entry['variant']}', not '{variant}'; import it "
            f'with --variant "{entry["variant"]}".'
        )
    t = get_target(entry["target"])
    n = int(entry["events"])
    out = _floats(data.get("outputs"), "outputs", path)
    try:
        expected = np.load(deploy_dir(ws) / "packages" / f"{entry['package_id']}.npz")["expected"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        raise DeployError(
            f"The expected outputs of package {pid} are missing from the workspace or damaged."
        ) from None
    if out.size != expected.size or len(out) != n:
        raise DeployError(
            f"'{path.name}' has outputs of shape {out.shape}; package {pid} expects {expected.shape}."
        )
    times = _floats(data.get("batch_seconds"), "batch_seconds", path).ravel()
    total = data.get("total_seconds")
    if not isinstance(total, (int, float)) or not math.isfinite(total) or total <= 0 or np.any(times < 0):
        raise DeployError(f"'{path.name}' has no valid timings (total_seconds, batch_seconds).")
    progress.update(0.1, "reloading the package's events")
    ev = variant_events(ws, variant, n, progress=progress.sub(0.1, 0.3))
    if len(ev.x) != n or inputs_digest(ev.x) != entry["inputs_sha256"]:
        raise DeployError(
            f"The events of package {pid} are no longer the workspace's (its data set parameters changed); "
            "write a new package."
        )
    batch = data.get("batch_size", entry["batch_size"])
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise DeployError(f"'{path.name}' has no valid batch_size ({_text(str(batch), 'batch_size', 40)!r}).")
    emulated = data.get("emulated", False) is True
    if emulated and not t.emulated:  # the server ran the package's emulator, not the card
        t = get_target(f"emulator-{t.path}")
    device, shell = _text(data.get("device"), "device"), _text(data.get("shell"), "shell")
    host = _text(data.get("host"), "host", 80)
    where = " ".join(s for s in (device, shell) if s) or "an unnamed device"
    where += f" on {host}" if host else ""
    if emulated:
        label = f"{t.name} ({EMULATED_LABEL}" + (f", on {host})" if host else ")")
    else:
        label = f"{t.name} on {where}"
    run = RunOutput(
        outputs=out.reshape(expected.shape),
        batch_seconds=times.tolist(),
        total_seconds=float(total),
        device=where,
    )
    progress.update(0.4, "Keras float reference")
    keras = keras_outputs(ws, variant, ev.x)
    report = make_report(
        ev, run, target=t.name, emulated=emulated, variant=variant,
        batch_size=batch, keras=keras,
        csim=expected if t.path == "hls" else None, source=f"imported from {where}", label=label,
        extra={"package_id": entry["package_id"], "inputs_sha256": entry["inputs_sha256"],
               "expected_from": "C simulation" if t.path == "hls" else "emulator-dpu"},
    )  # fmt: skip
    if t.path != "hls":
        report.agreement["emulator"] = agreement(run.outputs, expected, ev.dataset.task, exact=True)
    store_report(ws, report, run.outputs)
    progress.update(1.0, f"imported {path.name}")
    return report


def read_manifest(zip_path: str | Path) -> dict[str, Any]:
    """The manifest of a run package (to show what it holds)."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            return json.load(io.BytesIO(zf.read("manifest.json")))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DeployError(f"'{zip_path}' is not a TrigLab run package: {exc}") from None
