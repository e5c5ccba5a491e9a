"""The HLS view's jobs: calibration data and the core calls that run in worker threads (no widgets here).

Each job function takes plain values (the model, a copy of the configuration, a
:class:`CalibrationSpec`) and a ``progress``; the view connects to the job's signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication

from app.i18n import fmt_num
from core import TrigLabError

# Texts people read in the HLS view and the Jobs dock are translated where they are made, in the
# worker thread (QCoreApplication.translate is thread-safe).


@dataclass(frozen=True)
class CalibrationSpec:
    """Which calibration data a job uses (hashable: it keys the profiling cache).

    Attributes:
        kind: ``'dataset'`` (the validation split), ``'gauss'`` or ``'uniform'``.
        dataset: The variant's dataset name (or file), None when it has none.
        data_dir: The workspace's data cache folder.
        input_shape: One event's input shape.
        events: How many events.
        task: ``'classification'`` or ``'regression'``.
        seed: Seed of the random inputs.
    """

    kind: str
    dataset: str | None
    data_dir: str | None
    input_shape: tuple[int, ...]
    events: int
    task: str
    seed: int = 0

    def describe(self) -> str:
        n = fmt_num(self.events, 0)
        if self.kind == "dataset":
            return QCoreApplication.translate("HlsJobs", "{0} validation split, up to {1} events").format(
                self.dataset, n
            )
        if self.kind == "gauss":
            return QCoreApplication.translate("HlsJobs", "{0} Gaussian N(0, 1) input events").format(n)
        return QCoreApplication.translate("HlsJobs", "{0} uniform U(−1, 1) input events").format(n)


@dataclass
class Calibration:
    x: np.ndarray
    y: np.ndarray | None
    source: str


def load_calibration(spec: CalibrationSpec, progress=None) -> Calibration:
    """The calibration inputs (and labels for a dataset) a spec describes."""
    if spec.kind == "dataset":
        from core.data import load_dataset

        if not spec.dataset:
            raise TrigLabError(
                QCoreApplication.translate(
                    "HlsJobs", "This variant has no dataset: choose Gaussian or uniform calibration inputs."
                )
            )
        if progress is not None:
            progress.update(0.0, QCoreApplication.translate("HlsJobs", "loading {0}").format(spec.dataset))
        ds = load_dataset(spec.dataset, cache_dir=spec.data_dir, progress=progress)
        x, y = ds.x("val"), ds.y("val")
        if len(x) == 0:
            x, y = ds.x("test"), ds.y("test")
        n = min(spec.events, len(x))
        return Calibration(
            np.asarray(x[:n], np.float32),
            np.asarray(y[:n]),
            QCoreApplication.translate("HlsJobs", "{0} validation split, {1} events").format(
                spec.dataset, fmt_num(n, 0)
            ),
        )
    rng = np.random.default_rng(spec.seed)
    shape = (spec.events, *spec.input_shape)
    if spec.kind == "gauss":
        x = rng.normal(0.0, 1.0, shape)
    elif spec.kind == "uniform":
        x = rng.uniform(-1.0, 1.0, shape)
    else:
        raise TrigLabError(
            QCoreApplication.translate(
                "HlsJobs", "Unknown calibration '{0}' (dataset, gauss or uniform)"
            ).format(spec.kind)
        )
    return Calibration(x.astype(np.float32), None, spec.describe())


def profile_job(model, spec: CalibrationSpec, progress=None):
    from core.hls.profile import profile_model

    calib = load_calibration(spec, progress.sub(0.0, 0.3) if progress else None)
    if progress is not None:
        progress.update(
            0.3, QCoreApplication.translate("HlsJobs", "running the model on the calibration events")
        )
    profile = profile_model(model, calib.x, max_samples=spec.events)
    if progress is not None:
        progress.update(
            1.0,
            QCoreApplication.translate("HlsJobs", "profiled {0} layers in {1} s").format(
                len(profile.layers), fmt_num(profile.seconds, 2)
            ),
        )
    return spec, calib.source, profile


def autoprec_job(
    model, config, spec: CalibrationSpec, target: float, verify: bool, cache_root, progress=None
):
    from core.hls.autoprec import auto_precision

    calib = load_calibration(spec, progress.sub(0.0, 0.05) if progress else None)
    result = auto_precision(
        model,
        calib.x,
        task=spec.task,
        target=target,
        config=config,
        max_samples=spec.events,
        verify=verify,
        cache_root=cache_root,
        progress=progress.sub(0.05, 1.0) if progress else None,
    )
    return spec, calib.source, result, result.apply(config)


def csim_job(model, config, spec: CalibrationSpec, cache_root, progress=None):
    from core.hls.convert import compare_with_keras, compile_model

    calib = load_calibration(spec, progress.sub(0.0, 0.05) if progress else None)
    compiled = compile_model(
        model, config, cache_root, progress=progress.sub(0.05, 0.75) if progress else None
    )
    if progress is not None:
        progress.log(
            QCoreApplication.translate("HlsJobs", "cache hit: {0}").format(compiled.project_dir)
            if compiled.cache_hit
            else QCoreApplication.translate("HlsJobs", "compiled in {0} s: {1}").format(
                fmt_num(compiled.compile_seconds, 1), compiled.project_dir
            )
        )
    report = compare_with_keras(
        model,
        compiled,
        calib.x,
        calib.y,
        task=spec.task,
        progress=progress.sub(0.75, 1.0) if progress else None,
    )
    if progress is not None:
        progress.log(report.summary())
    meta = {
        "cache_hit": compiled.cache_hit,
        "compile_seconds": compiled.compile_seconds,
        "build_seconds": compiled.build_seconds,
        "project_dir": str(compiled.project_dir),
        "source": calib.source,
        "key": compiled.key,
    }
    return report, meta


def build_job(model, config, cache_root, progress=None):
    from core.hls.convert import compile_model
    from core.hls.vendor import run_synthesis

    compiled = compile_model(
        model, config, cache_root, progress=progress.sub(0.0, 0.15) if progress else None
    )
    report = run_synthesis(
        compiled.project_dir, config.settings.backend, progress=progress.sub(0.15, 1.0) if progress else None
    )
    return str(compiled.project_dir), report


def guess_task(model, dataset: str | None) -> str:
    """``'classification'`` or ``'regression'``: the dataset's task, else from the output layer
    (a softmax or sigmoid output classifies; anything else regresses)."""
    if dataset:
        try:
            from core.data import list_datasets

            for info in list_datasets():
                if info.name == dataset:
                    return info.task
        except Exception:  # noqa: BLE001 - a user file: fall back on the model
            pass
    try:
        last = model.layers[-1]
        act = getattr(getattr(last, "activation", None), "__name__", "") or getattr(last, "activation", "")
        if str(act).lower() in ("softmax", "sigmoid") or type(last).__name__ == "Softmax":
            return "classification"
    except (AttributeError, IndexError):
        pass
    return "regression"


def export_job(model, config, cache_root, zip_path, progress=None):
    """Write (or take from the cache) the hls4ml project of ``config`` and zip it."""
    from core.hls.convert import compile_model
    from core.hls.export import export_project_zip

    compiled = compile_model(model, config, cache_root, progress=progress.sub(0.0, 0.9) if progress else None)
    if progress is not None:
        progress.update(0.9, QCoreApplication.translate("HlsJobs", "zipping the project"))
    out = export_project_zip(compiled.project_dir, zip_path, config, backend=config.settings.backend)
    if progress is not None:
        progress.log(QCoreApplication.translate("HlsJobs", "project written to {0}").format(out))
        progress.update(1.0, QCoreApplication.translate("HlsJobs", "exported"))
    return out
