"""What a sweep point measures: the task metric and the FPGA side (see :mod:`core.sweep.point`).

- ``task``: :func:`core.workflows.measure_model` on the validation split (``val_accuracy``,
  ``params``, ``nonzero``, ``sparsity``, ``bops``...); for the muon trigger (a regression data
  set with ``pt_val``) also the Physics view's trigger figures (:func:`core.metrics.physics.
  trigger_metrics`: ``pt_resolution_robust``, ``pt50_10``, ``pt90_20``, ``fake_rate_10``...) and,
  on the muon simulation, the rate relative to the classical road trigger at equal efficiency
  above threshold, ``rate_ratio_10`` / ``rate_ratio_20`` (lower is better: ``--objective
  rate_ratio_20:min``); the road trigger is tuned in memory once per worker process
  (:func:`core.metrics.physics.reference_for_dataset`).
- ``autoprec`` / ``csim`` / ``estimate``: :func:`core.hls.pipeline.synthesize_model` with the
  point's hls4ml settings; estimate names end in ``_estimate`` (an analytic model, never a
  measurement), with the part's utilization in percent (``lut_util_estimate``...).
- ``synth``: vendor C synthesis in the compiled project, only when the worker has the tool
  (:func:`core.hls.vendor.find_vendor_tools`); otherwise the log says what was found.

Every metric is a plain finite number (per-layer tables and curves stay out of the point row).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

from core.jobs import Progress

#: The FPGA-side measures, done by the ``hls`` stage.
HLS_SIDE = ("autoprec", "csim", "estimate", "synth")

_UTIL_NAMES = {"LUT": "lut", "FF": "ff", "DSP": "dsp", "BRAM_18K": "bram", "URAM": "uram"}


def numbers(values: dict[str, Any]) -> dict[str, float | int]:
    """The entries of ``values`` that are finite numbers (booleans become 0/1)."""
    out: dict[str, float | int] = {}
    for k, v in values.items():
        if isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, (int, float)) and math.isfinite(v):
            out[k] = v
        elif hasattr(v, "item") and getattr(v, "ndim", 1) == 0:  # numpy scalars
            v = v.item()
            if isinstance(v, (int, float)) and math.isfinite(v):
                out[k] = v
    return out


def task_metrics(model, dataset, operation: str, params: dict[str, Any], progress: Progress) -> dict:
    """The task measure of a point's model (see the module docstring).

    Args:
        model: The compressed model.
        dataset: Its :class:`core.data.Dataset`.
        operation, params: The stage whose params declare stored weight widths (the
            ``fixed_point`` step's ``formats``), for the cost model
            (:func:`core.metrics.cost.cost_overrides_from_variant`).
        progress: Job progress.
    """
    from core.workflows import measure_model

    progress.update(0.0, "measuring the task metric")
    out = numbers(measure_model(model, dataset, operation=operation or None, params=params))
    pt_val = dataset.extra.get("pt_val") if isinstance(dataset.extra, dict) else None
    if dataset.task == "regression" and pt_val is not None:
        from core.metrics.physics import (
            DEFAULT_THRESHOLDS,
            reference_for_dataset,
            scalar_metrics,
            trigger_metrics,
        )

        progress.update(0.4, "the classical trigger to compare the rates with")
        reference = reference_for_dataset(dataset, DEFAULT_THRESHOLDS)
        physics = trigger_metrics(model, dataset, progress=progress.sub(0.5, 1.0), reference=reference)
        out.update(numbers(scalar_metrics(physics)))
    return out


def autoprec_metrics(auto: dict[str, Any] | None) -> dict[str, float | int]:
    """Point metrics of an auto-precision result (``AutoPrecisionResult.to_dict()``)."""
    if not auto:
        return {}
    agreement = auto.get("agreement_csim")
    if agreement is None:
        agreement = auto.get("agreement_emulated")
    return numbers(
        {
            "autoprec_agreement": agreement,
            "autoprec_reached": bool(auto.get("reached")),
            "autoprec_total_bits": auto.get("total_bits"),
            "autoprec_storage_bits": auto.get("storage_bits"),
        }
    )


def utilization_metrics(estimate: dict[str, Any] | None) -> dict[str, float]:
    """``lut_util_estimate``... in percent of the configured part (none for an unknown part)."""
    util = (estimate or {}).get("utilization") or {}
    return {f"{_UTIL_NAMES[k]}_util_estimate": 100.0 * float(v) for k, v in util.items() if k in _UTIL_NAMES}


def hls_metrics(
    model,
    dataset,
    hls_params: dict[str, Any],
    measures: tuple[str, ...],
    *,
    n_calib: int,
    cache_root: Path,
    weight_formats: dict[str, Any] | None,
    work_dir: Path,
    progress: Progress,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The FPGA side of a point.

    Args:
        model: The compressed model.
        dataset: Its data set (validation events calibrate and test).
        hls_params: The ``hls`` stage's params: ``settings`` (HlsSettings fields) and ``target``.
        measures: The point's measures.
        n_calib: Validation events for the precision search and the C simulation.
        cache_root: Compiled hls4ml projects (shared by the points of this worker).
        weight_formats: The ``fixed_point`` step's ``formats``, kept in the configuration.
        work_dir: The point's private folder (vendor synthesis runs in a copy of the project there).
        progress: Job progress.

    Returns:
        ``(config YAML, metrics, resolved params)``.
    """
    from core.hls.config import HlsSettings
    from core.hls.pipeline import synthesize_model

    settings = HlsSettings.from_dict(hls_params.get("settings") or {})
    target = float(hls_params.get("target", 0.99))
    tools = None
    if "synth" in measures:
        from core.hls.vendor import find_vendor_tools

        tools = find_vendor_tools()
        if tools.tool_for(settings.backend) is None:  # no project to write for it
            progress.log(f"vendor synthesis skipped: {tools.explanation(settings.backend)}")
            measures = tuple(m for m in measures if m != "synth")
    config, summary, metrics = synthesize_model(
        model,
        dataset,
        settings,
        target=target,
        n_calib=n_calib,
        cache_root=cache_root,
        measures=measures,
        weight_formats=weight_formats,
        label="the point's model",
        progress=progress.sub(0.0, 0.9),
    )
    out = numbers(metrics)
    out.update(autoprec_metrics(summary.get("auto_precision")))
    out.update(utilization_metrics(summary.get("estimate")))
    if "synth" in measures:
        project = Path(work_dir) / "hls_project"
        # a copy: the cached project may be in use by another point with the same design
        shutil.copytree(summary["project_dir"], project, symlinks=True)
        out.update(vendor_metrics(project, settings.backend, tools, progress.sub(0.9, 1.0)))
    params = {"settings": settings.to_dict(), "target": target, "precision": summary["precision"]}
    return config.to_yaml(), out, params


def vendor_metrics(project_dir: str | Path, backend: str, tools, progress: Progress) -> dict[str, Any]:
    """Vendor C synthesis of the compiled project with the tool found on this worker.

    Args:
        project_dir: The hls4ml project (:func:`core.hls.pipeline.synthesize_model` wrote it).
        backend: ``'Vitis'`` or ``'Vivado'``.
        tools: :func:`core.hls.vendor.find_vendor_tools`'s answer (it has a tool for ``backend``).
        progress: Job progress; cancelling kills the tool.

    Returns:
        :func:`core.hls.pipeline.report_metrics` (names end in ``_report``: a synthesis report,
        which the estimate never stands in for).
    """
    from core.hls.pipeline import report_metrics
    from core.hls.vendor import run_synthesis

    report = run_synthesis(project_dir, backend, tools=tools, progress=progress)
    return numbers(report_metrics(report)) if report is not None else {}
