"""The Vitis AI DPU path: ``emulator-dpu`` (int8 the DPU way, numpy) and ``u50-dpu`` (the card).

Both start from the same step: the variant's float Keras model is quantized Vitis AI's ``pof2s``
way (per-tensor int8, power-of-two scales) with a few hundred of its data set's training events
for calibration, into a "dpu model" file (``dpu_model.npz``, see :mod:`core.deploy.dpu_convert`
and :mod:`core.deploy.dpu_numpy`). Then:

* ``emulator-dpu`` runs that file with the numpy integer engine. Its numbers are emulated on the
  CPU and labelled so; it is not TFLite int8 (that scheme, in the compression lab, uses
  per-channel float scales and zero points, which the DPU does not have).
* ``u50-dpu``, where Vitis AI 3.0 is installed, quantizes with the real quantizer and compiles
  with ``vai_c_tensorflow2`` for the U50's DPUCAHX8H into an ``.xmodel`` run through VART;
  without the tools it writes a *build package* (model, calibration events, the exact commands,
  a README) for a machine that has them. Either way the dpu model is written too, so a run
  package can fall back on the emulator.

``Target.package(artifact, dest_dir)`` copies what the lab server needs (xmodel or build package,
the dpu model, ``dpu_numpy.py`` and the standalone ``run_dpu.py``) and returns the manifest's
``runner`` section.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from core.deploy import (
    EMULATED_LABEL,
    Artifact,
    DeployError,
    Runner,
    RunOutput,
    Target,
    register_target,
)
from core.deploy import dpu_numpy as dn
from core.deploy import dpu_vitis as vitis
from core.deploy.standalone import run_dpu
from core.i18n import QT_TRANSLATE_NOOP
from core.jobs import Progress, ensure_progress

#: Calibration events taken from the variant's training split (Vitis AI advises 100 to 1000).
CALIBRATION_EVENTS = 320
DPU_MODEL_FILE = "dpu_model.npz"
ENGINE_FILE = Path(dn.__file__)
RUNNER_SCRIPT = Path(run_dpu.__file__)
EMULATOR_DEVICE = f"emulator-dpu ({EMULATED_LABEL})"


def _variant_inputs(ws, variant: str, n_calib: int, progress: Progress):
    """(float model without pruning wrappers, calibration events, data set name)."""
    from core.data import load_dataset
    from core.models.wrappers import strip_wrappers

    v = ws[variant]
    if not v.dataset:
        raise DeployError(
            f"Variant '{variant}' has no data set: the DPU quantizer calibrates on a few hundred of its events. "
            "Attach a data set to the variant (train or import it with one) and deploy again."
        )
    dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.1))
    model = strip_wrappers(ws.load_model(variant))
    x_calib = np.asarray(dataset.x_train[: max(1, int(n_calib))], np.float32)
    return model, x_calib, v.dataset


def build_dpu_model(
    ws,
    variant: str,
    out_dir: Path,
    progress: Progress | None = None,
    calibration_events: int = CALIBRATION_EVENTS,
) -> tuple[Path, dict[str, Any]]:
    """Quantize the variant the pof2s way and write ``out_dir/dpu_model.npz``.

    Returns:
        (path of the dpu model, JSON-able facts: fix positions per layer, calibration events).
    """
    progress = ensure_progress(progress)
    model, x_calib, dataset = _variant_inputs(ws, variant, calibration_events, progress)
    return _write_dpu_model(model, x_calib, dataset, variant, Path(out_dir), progress.sub(0.1, 1.0))


def _write_dpu_model(model, x_calib, dataset: str, variant: str, out_dir: Path, progress: Progress):
    from core.deploy.dpu_convert import keras_to_dpu

    progress.update(0.0, f"pof2s calibration on {len(x_calib)} events of {dataset}")
    dm = keras_to_dpu(model, x_calib, progress=progress.sub(0.0, 0.9), source=variant)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / DPU_MODEL_FILE
    dm.save(path)
    info = {
        "scheme": dm.meta["scheme"],
        "input_fix": dm.input_fix,
        "output_fix": dm.output_fix,
        "fix_positions": {
            op["name"]: {k: op[k] for k in ("fix_in", "fix_w", "fix_b", "fix_out")}
            for op in dm.meta["ops"]
            if op["op"] in ("conv2d", "dense")
        },
        "calibration_events": len(x_calib),
        "dataset": dataset,
        "softmax_on_cpu": dm.has_softmax,
    }
    progress.update(1.0, f"dpu model written: {path.name}")
    return path, info


def write_build_package(
    ws,
    variant: str,
    out_dir: Path,
    progress: Progress | None = None,
    calibration_events: int = CALIBRATION_EVENTS,
    arch_json: Path | None = None,
) -> Path:
    """The build package alone: float model, calibration events, ``quantize.py``, ``build.sh``, README.

    It makes the variant's xmodel on a machine with Vitis AI 3.0 (see :mod:`core.deploy.dpu_vitis`).

    Returns:
        ``out_dir``.
    """
    progress = ensure_progress(progress)
    model, x_calib, dataset = _variant_inputs(ws, variant, calibration_events, progress)
    return vitis.write_build_files(model, x_calib, Path(out_dir), variant, dataset, arch_json)


def _copy_common(artifact: Artifact, dest_dir: Path) -> dict[str, Any]:
    dest_dir.mkdir(parents=True, exist_ok=True)
    model = artifact.files.get("dpu_model", artifact.path)
    shutil.copyfile(model, dest_dir / DPU_MODEL_FILE)
    shutil.copyfile(ENGINE_FILE, dest_dir / ENGINE_FILE.name)
    shutil.copyfile(RUNNER_SCRIPT, dest_dir / RUNNER_SCRIPT.name)
    return {
        "path": "dpu",
        "script": RUNNER_SCRIPT.name,
        "engine": ENGINE_FILE.name,
        "dpu_model": DPU_MODEL_FILE,
        "softmax": bool(artifact.info.get("softmax_on_cpu", False)),
        "xmodel": None,
        "requires": ["numpy"],
    }


class _BatchRunner(Runner):
    """Events through ``self.infer`` in batches (write, run, read timed together), cancellable."""

    device = ""
    where = ""

    def infer(self, xb: np.ndarray) -> np.ndarray:  # pragma: no cover - subclasses
        raise NotImplementedError

    def run(self, x: np.ndarray, batch_size: int, progress=None) -> RunOutput:
        progress = ensure_progress(progress)

        def on_batch(i: int, n: int) -> None:
            progress.check_cancelled()
            progress.update(i / n, f"batch {i}/{n} {self.where}")

        try:
            outputs, seconds, total = run_dpu.batch_loop(np.asarray(x), int(batch_size), self.infer, on_batch)
        except (run_dpu.PackageError, dn.DpuModelError) as exc:
            raise DeployError(f"{self.artifact.target} cannot run these events: {exc}") from exc
        log = [f"{len(x)} events in batches of {batch_size} {self.where}"]
        return RunOutput(outputs, seconds, total, device=self.device, log=log)


class EmulatorDpuRunner(_BatchRunner):
    """The numpy integer engine on a dpu model: quantize (write), integer layers (run), dequantize (read)."""

    device = EMULATOR_DEVICE
    where = f"(int8 pof2s in numpy, {EMULATED_LABEL})"

    def __init__(self, artifact: Artifact) -> None:
        super().__init__(artifact)
        try:
            self.model = dn.DpuModel.load(artifact.files.get("dpu_model", artifact.path))
        except dn.DpuModelError as exc:
            raise DeployError(
                f"Cannot open the DPU emulator model: {exc}. Build the variant for emulator-dpu again."
            ) from exc

    def infer(self, xb: np.ndarray) -> np.ndarray:
        return self.model.predict(xb)


@register_target("emulator-dpu")
class EmulatorDpuTarget(Target):
    """Vitis AI DPU int8 (pof2s: per-tensor, power-of-two scales) emulated in numpy.

    Not TFLite int8 (per-channel float scales, zero points). Known differences from the real DPU,
    detailed in :mod:`core.deploy.dpu_numpy`: the quantizer's graph optimizations beyond BN folding,
    ReLU fusion and cross-layer equalization are not reproduced; LeakyReLU
    (slope 26/256 on the DPU), ReLU6, hard-sigmoid, add/concat and depthwise convolutions refused;
    exact int64 accumulation (no model of the engine's internal widths), int8 saturation only at
    layer outputs; softmax on the CPU in float, as on the card; CPU timings say nothing of the card's.
    """

    path = "dpu"
    emulated = True
    description = QT_TRANSLATE_NOOP(
        "Deploy", "DPU int8 as Vitis AI quantizes it (power-of-two scales), emulated in numpy"
    )

    def build(self, ws, variant: str, out_dir: Path, progress=None, **options) -> Artifact:
        """Quantize the variant (pof2s, calibrated on its data) into ``out_dir/dpu_model.npz``.

        Options:
            calibration_events: events of the training split used for calibration (default 320).
        """
        path, info = build_dpu_model(
            ws, variant, Path(out_dir), progress, int(options.get("calibration_events", CALIBRATION_EVENTS))
        )
        return Artifact(self.name, variant, path, files={"dpu_model": path, "engine": ENGINE_FILE}, info=info)

    def runner(self, artifact: Artifact) -> Runner:
        return EmulatorDpuRunner(artifact)

    def package(self, artifact: Artifact, dest_dir: Path) -> dict[str, Any]:
        """Copy the dpu model, ``dpu_numpy.py`` and ``run_dpu.py`` into ``dest_dir``; the runner section."""
        runner = _copy_common(artifact, Path(dest_dir))
        runner["emulated"] = True
        return runner


class VartRunner(_BatchRunner):
    """An xmodel on the card through VART (see ``standalone/run_dpu.py``)."""

    where = "on the DPU (VART)"

    def __init__(self, artifact: Artifact) -> None:
        super().__init__(artifact)
        try:
            self.dpu = run_dpu.VartDpu(
                artifact.path, softmax_on_cpu=bool(artifact.info.get("softmax_on_cpu"))
            )
        except run_dpu.PackageError as exc:
            raise DeployError(f"Cannot open {artifact.path.name} on the card: {exc}") from exc
        self.device = self.dpu.device

    def infer(self, xb: np.ndarray) -> np.ndarray:
        return self.dpu.infer(xb)


@register_target("u50-dpu")
class U50DpuTarget(Target):
    """Vitis AI DPUCAHX8H on an Alveo U50: quantize, ``vai_c_tensorflow2``, VART."""

    path = "dpu"
    emulated = False
    description = QT_TRANSLATE_NOOP("Deploy", "Alveo U50 DPU (DPUCAHX8H, Vitis AI): xmodel run through VART")

    def build(self, ws, variant: str, out_dir: Path, progress=None, **options) -> Artifact:
        """The dpu model, then the xmodel when Vitis AI is here, otherwise a build package.

        Options:
            calibration_events: events for calibration (default 320).
            arch_json: the DPU configuration (default: the first U50 arch.json found).
        """
        progress = ensure_progress(progress)
        out_dir = Path(out_dir)
        n_calib = int(options.get("calibration_events", CALIBRATION_EVENTS))
        model, x_calib, dataset = _variant_inputs(ws, variant, n_calib, progress.sub(0.0, 0.05))
        model_path, info = _write_dpu_model(
            model, x_calib, dataset, variant, out_dir, progress.sub(0.05, 0.3)
        )
        tools = vitis.find_vitis_ai(options.get("discovery"))
        arch = Path(options["arch_json"]) if options.get("arch_json") else tools.arch_json
        pkg = vitis.write_build_files(model, x_calib, out_dir / "build_package", variant, dataset, arch)
        files = {"dpu_model": model_path, "build_package": pkg}
        if not (tools.can_build and arch):
            missing = [m for m in tools.missing() if "card" not in m and "runtime" not in m]
            progress.log("Vitis AI is not complete here (" + "; ".join(missing) + ").")
            progress.log(f"Wrote the build package {pkg}: its README.md gives the exact commands.")
            info.update(kind="build-package", xmodel=None)
            progress.update(1.0, "build package written (no xmodel: Vitis AI is not here)")
            return Artifact(self.name, variant, pkg, files=files, info=info)
        progress.update(0.4, "quantizing with the Vitis AI quantizer")
        quantized = vitis.quantize_in_build_package(pkg, progress.sub(0.4, 0.7))
        progress.update(0.7, f"compiling with {vitis.COMPILER}")
        name = vitis.net_name(variant)
        xmodel = vitis.compile_xmodel(
            quantized, arch, pkg / "compiled", name, tools.compiler or vitis.COMPILER, progress
        )
        info.update(kind="xmodel", xmodel=str(xmodel), arch_json=str(arch))
        files["quantized"] = quantized
        progress.update(1.0, f"{xmodel.name} compiled")
        return Artifact(self.name, variant, xmodel, files=files, info=info)

    def runner(self, artifact: Artifact) -> Runner:
        if artifact.info.get("kind") != "xmodel" or artifact.path.suffix != ".xmodel":
            raise DeployError(
                f"There is no compiled xmodel for '{artifact.variant}', only a build package ({artifact.path}). "
                "Make the xmodel with its README on a machine with Vitis AI 3.0, or run on emulator-dpu."
            )
        tools = vitis.find_vitis_ai()
        if not tools.can_run:
            missing = [m for m in tools.missing() if "card" in m or "runtime" in m]
            raise DeployError(
                "Cannot run on the U50 here: " + "; ".join(missing) + ". Use a run package on the lab server."
            )
        return VartRunner(artifact)

    def package(self, artifact: Artifact, dest_dir: Path) -> dict[str, Any]:
        """Copy the xmodel (or the build package), the dpu model, its engine and ``run_dpu.py``."""
        dest_dir = Path(dest_dir)
        runner = _copy_common(artifact, dest_dir)
        runner["emulated"] = False
        if artifact.info.get("kind") == "xmodel":
            shutil.copyfile(artifact.path, dest_dir / artifact.path.name)
            runner["xmodel"] = artifact.path.name
        pkg = artifact.files.get("build_package")
        if pkg is not None and Path(pkg).is_dir():
            shutil.copytree(
                pkg,
                dest_dir / "build_package",
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("compiled", "*.h5.tmp"),
            )
            runner["build_package"] = "build_package"
        return runner
