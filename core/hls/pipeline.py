"""One variant from Keras to a C-simulated firmware, in one job: what "send to synthesis" does.

Steps: hls4ml configuration → automatic precision on the variant's validation events (a QKeras
model keeps its quantizers' precisions instead) → g++
compile (cached) → C simulation against Keras → analytic resource / latency estimate. For the
muon trigger the firmware's own pT resolution is computed from the C-simulation outputs, next to
the Keras model's on the same events, so a physicist sees what the fixed-point arithmetic costs.

The configuration is saved in the workspace (``<ws>/hls/configs/<variant>.yml``, hls4ml's YAML),
where the Synthesis view picks it up; the numbers go into the variant's metrics, and the whole
C-simulation result (the report layer by layer, where it came from, the Keras and firmware pT
resolutions on the same events) into ``<ws>/hls/csim/<variant>.json``, which the Synthesis view
shows without running anything again (:func:`load_csim_result`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from core.jobs import Progress, ensure_progress

log = logging.getLogger(__name__)

RESOURCE_METRIC = {"LUT": "lut", "FF": "ff", "DSP": "dsp", "BRAM_18K": "bram", "URAM": "uram"}


def _file_stem(name: str) -> str:
    """A variant name made safe as a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip(".") or "variant"


def saved_config_path(ws, name: str) -> Path:
    """Where the workspace keeps variant ``name``'s hls4ml configuration."""
    return Path(ws.hls_dir) / "configs" / f"{_file_stem(name)}.yml"


def save_config(ws, name: str, config) -> Path:
    """Save ``config`` (an :class:`~core.hls.config.HlsConfig`) as variant ``name``'s configuration."""
    from core.atomic import atomic_write_text

    path = saved_config_path(ws, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, config.to_yaml())
    return path


def csim_result_path(ws, name: str) -> Path:
    """Where the workspace keeps variant ``name``'s last C-simulation result."""
    return Path(ws.hls_dir) / "csim" / f"{_file_stem(name)}.json"


def _confined_csim_path(ws, name: str) -> Path:
    """:func:`csim_result_path`, checked to stay in the workspace with links followed.

    Raises:
        core.workspace.WorkspaceError: A planted link (``hls`` or ``hls/csim`` pointing elsewhere)
            takes it outside the workspace.
    """
    from core.workspace.manifest import confined_path

    rel = csim_result_path(ws, name).relative_to(ws.root).as_posix()
    return confined_path(ws.root, rel, "The C-simulation result file")


def save_csim_result(ws, name: str, report, meta: dict[str, Any]) -> Path:
    """Store a C-simulation result of variant ``name`` (replacing the previous one).

    Args:
        ws: The workspace.
        name: The variant.
        report: The :class:`core.hls.convert.CsimReport`.
        meta: JSON-able facts about the run: ``source`` (which events), ``project_dir``,
            ``cache_hit``, ``compile_seconds`` / ``build_seconds`` [s], and for the muon trigger
            ``pt_resolution_robust_keras`` / ``pt_resolution_robust_csim`` (fractions, same events).

    Raises:
        core.workspace.WorkspaceError: The result folder is a link leading out of the workspace.
    """
    import json

    from core.atomic import atomic_write_text

    path = _confined_csim_path(ws, name)  # before mkdir: no folder is made through a planted link
    path.parent.mkdir(parents=True, exist_ok=True)
    path = _confined_csim_path(ws, name)
    data = {
        "format": 1,
        "variant": name,
        "model_digest": _model_digest(ws, name),
        "report": report.to_dict(),
        "meta": meta,
    }
    atomic_write_text(path, json.dumps(data, indent=1, default=float))
    return path


def load_csim_result(ws, name: str):
    """Variant ``name``'s stored C-simulation result as ``(CsimReport, meta)``, or None.

    None when none is stored, when it was stored for another model file under that name, or when
    the file is unreadable or not what :func:`save_csim_result` writes (a hand-edited number that
    is text, a layer without its numbers, a link): such a file is skipped with a log line and the
    user runs the C simulation again. Paths in ``meta`` (``project_dir``) are only shown, never used.
    """
    import json

    from core.workspace import WorkspaceError

    try:
        path = _confined_csim_path(ws, name)
        data = json.loads(_read_no_link(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, WorkspaceError) as exc:
        log.info("C-simulation result of %s not read (%s): run the C simulation again", name, exc)
        return None
    if not isinstance(data, dict) or data.get("model_digest") != _model_digest(ws, name):
        log.info("C-simulation result %s is not for the current model of %s: not shown", path, name)
        return None  # the variant's model changed since (retrained, replaced): not its result
    try:
        return _checked_csim(data)
    except (TypeError, ValueError) as exc:
        log.info("C-simulation result %s of %s skipped: %s; run the C simulation again", path, name, exc)
        return None


def _read_no_link(path: Path, limit: int = 16 << 20) -> str:
    """The text of ``path``, refusing a symbolic link (a planted link must not read elsewhere)."""
    import os

    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise ValueError(f"larger than {limit >> 20} MB")
    return raw.decode("utf-8")


_NUM = (int, float)
_REPORT_TYPES: dict[str, tuple] = {
    "task": (str,),
    "n_samples": (int,),
    "agreement": (*_NUM, type(None)),
    "max_abs_error": _NUM,
    "mean_abs_error": _NUM,
    "rmse": _NUM,
    "keras_metric": (*_NUM, type(None)),
    "hls_metric": (*_NUM, type(None)),
    "metric_name": (str, type(None)),
    "first_bad_layer": (str, type(None)),
    "tolerance": _NUM,
    "trace_samples": (int,),
}
_LAYER_TYPES: dict[str, tuple] = {
    **dict.fromkeys(("name", "hls_name", "class_name", "precision"), (str,)),
    **dict.fromkeys(("max_abs_error", "mean_abs_error", "rel_error", "keras_max_abs"), _NUM),
    **dict.fromkeys(("out_of_range", "bad"), (bool,)),
}
_META_TYPES: dict[str, tuple] = {
    **dict.fromkeys(("source", "project_dir", "variant"), (str, type(None))),
    "cache_hit": (bool, type(None)),
    **dict.fromkeys(
        (
            "compile_seconds",
            "build_seconds",
            "pt_resolution_robust_keras",
            "pt_resolution_robust_csim",
        ),
        (*_NUM, type(None)),
    ),
}


def _check_types(what: str, data: Any, types: dict[str, tuple], required: tuple[str, ...]) -> dict:
    if not isinstance(data, dict):
        raise TypeError(f"'{what}' must be an object")
    for key in required:
        if key not in data:
            raise ValueError(f"'{what}' has no '{key}'")
    for key, allowed in types.items():
        v = data.get(key)
        if key in data and (not isinstance(v, allowed) or (isinstance(v, bool) and bool not in allowed)):
            raise TypeError(f"'{what}.{key}' is {type(v).__name__}, not a {allowed[0].__name__}")
    return {k: data[k] for k in types if k in data}


def _checked_csim(data: dict[str, Any]):
    """``(CsimReport, meta)`` from a stored result, every field of the type the views format."""
    from core.hls.convert import CsimReport, LayerError

    report = data.get("report")
    fields_ = _check_types("report", report, _REPORT_TYPES, ("task", "n_samples", "max_abs_error"))
    fields_.setdefault("agreement", None)
    fields_.setdefault("mean_abs_error", fields_["max_abs_error"])
    fields_.setdefault("rmse", fields_["max_abs_error"])
    if fields_["n_samples"] < 0 or fields_.get("trace_samples", 0) < 0:
        raise ValueError("a negative number of samples")
    layers_raw = report.get("layers") or []
    if not isinstance(layers_raw, list):
        raise TypeError("'report.layers' must be a list")
    layers = [LayerError(**_check_types("layer", d, _LAYER_TYPES, tuple(_LAYER_TYPES))) for d in layers_raw]
    bad = fields_.get("first_bad_layer")
    if bad is not None and bad not in {la.name for la in layers}:
        raise ValueError(f"'first_bad_layer' {bad!r} names no layer of the report")
    raw_meta = data.get("meta") or {}
    meta = _check_types("meta", raw_meta, _META_TYPES, ())
    # other facts a newer run stored are kept when they are plain values (shown, never used)
    meta.update(
        {k: v for k, v in raw_meta.items() if k not in meta and isinstance(v, (str, int, float, bool))}
    )
    return CsimReport(**fields_, layers=layers), meta


def _model_digest(ws, name: str) -> str | None:
    """SHA-256 of variant ``name``'s model file (ties a stored result to the model it came from)."""
    from core.hls.cache import file_sha256

    try:
        return file_sha256(ws.path_of(name))
    except Exception:  # noqa: BLE001 - no file: nothing stored matches
        return None


def load_saved_config(ws, name: str):
    """Variant ``name``'s saved configuration, or None (none saved, or unreadable)."""
    from core.hls.config import HlsConfig

    path = saved_config_path(ws, name)
    try:
        return HlsConfig.from_yaml(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - a damaged file must not stop the view; it rebuilds the default
        return None


def estimate_metrics(est) -> dict[str, Any]:
    """The variant metrics of an analytic estimate (names end in ``_estimate``)."""
    res = est.resources()
    out: dict[str, Any] = {f"{k}_estimate": int(res[r]) for r, k in RESOURCE_METRIC.items()}
    out.update(
        latency_cycles_estimate=int(est.latency_cycles),
        latency_ns_estimate=float(est.latency_ns),
        ii_estimate=int(est.interval_cycles),
        clock_ns_estimate=float(est.clock_ns),
    )
    return out


def report_metrics(report) -> dict[str, Any]:
    """The variant metrics of a vendor synthesis report (names end in ``_report``)."""
    out: dict[str, Any] = {f"{k}_report": int(report.resources()[r]) for r, k in RESOURCE_METRIC.items()}
    out.update(
        latency_cycles_report=int(report.latency_cycles_max),
        latency_ns_report=float(report.latency_ns_max),
        ii_report=int(report.interval_max),
        clock_ns_report=float(report.clock_ns),
    )
    return out


def csim_metrics(report) -> dict[str, Any]:
    """The variant metrics of a C-simulation report."""
    out: dict[str, Any] = {"csim_max_abs_error": float(report.max_abs_error), "csim_rmse": float(report.rmse)}
    if report.agreement is not None:
        out["csim_agreement"] = float(report.agreement)
    return out


def is_qkeras(model) -> bool:
    """True when any layer comes from QKeras (its quantizers fix the precisions)."""
    return any(type(layer).__module__.startswith("qkeras") for layer in model.layers)


#: What :func:`synthesize_model` can do, in order (a sweep point asks for a subset).
HLS_MEASURES: tuple[str, ...] = ("autoprec", "csim", "estimate")


def apply_weight_formats(config, formats: dict[str, dict[str, str]] | None):
    """A copy of ``config`` with the weight precisions a ``fixed_point`` variant was made with.

    The ``fixed_point`` operation rounds every kernel and bias to ``ap_fixed<W,I>`` and records
    the precisions in its params (``formats``: ``{layer: {"kernel"|"bias"|...: precision}}``);
    hls4ml must store the weights in exactly those precisions, or the firmware is not the design
    the user quantized (and its cost not the one :func:`core.metrics.cost.model_cost` counts).

    Args:
        config: An :class:`~core.hls.config.HlsConfig` (not modified).
        formats: The variant's ``params["formats"]``; None or empty changes nothing. Layers the
            configuration does not have are skipped (a later operation may have removed them).

    Returns:
        The new configuration.
    """
    from core.hls.errors import HlsError

    new = config.copy()
    for layer, per_weight in (formats or {}).items():
        if not isinstance(per_weight, dict):
            continue
        try:
            row = new.layer(str(layer))
        except HlsError:
            continue  # no such layer any more
        fields = {"kernel": "weight", "bias": "bias"}
        if "pointwise_kernel" not in per_weight:  # a depthwise convolution's kernel is its weight
            fields["depthwise_kernel"] = "weight"
        for weight, precision in per_weight.items():
            field_name = fields.get(weight)
            if field_name is not None and row.precision(field_name) is not None:
                new.set(row.name, field_name, str(precision))
            else:  # a separable convolution's depthwise / pointwise kernel: hls4ml's '<key>_t'
                key = str(weight).replace("_kernel", "")
                row.extra.setdefault("Precision", {})[key] = str(precision)
    return new


def synthesize_model(
    model,
    dataset,
    settings=None,
    *,
    target: float = 0.99,
    n_calib: int = 2000,
    cache_root,
    measures: tuple[str, ...] | list[str] = HLS_MEASURES,
    weight_formats: dict[str, dict[str, str]] | None = None,
    label: str = "the model",
    adjust_config=None,
    progress: Progress | None = None,
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Configure, auto-tune, compile, C-simulate and estimate one Keras model (no workspace).

    The model-level work of :func:`synthesize_variant`, shared with the sweep points
    (:func:`core.sweep.point.run_point`): hls4ml configuration with ``settings`` → automatic
    precision on the validation events (a QKeras model keeps its quantizers' precisions instead)
    → the weight precisions a ``fixed_point`` operation chose, when given → g++ compile (cached
    under ``cache_root``) and C simulation against Keras → analytic estimate. For the muon
    trigger the C simulation's robust pT resolution is computed next to Keras's on the same events.

    Args:
        model: The Keras model (not modified).
        dataset: Its :class:`core.data.Dataset` (validation events calibrate and test).
        settings: :class:`~core.hls.config.HlsSettings` or a dict of its fields; None = defaults.
        target: Fraction of events on which the firmware must agree with Keras (argmax for
            classification, 1 % relative error for regression).
        n_calib: Validation events used for the precision search and the C simulation.
        cache_root: Folder of compiled hls4ml projects (:func:`core.hls.convert.compile_model`).
        measures: Subset of :data:`HLS_MEASURES`, plus ``"synth"``: the project is compiled
            (written to ``summary["project_dir"]``) for ``"csim"`` and ``"synth"``, so that the
            caller can run vendor synthesis in it; nothing else is done for ``"synth"`` here.
        weight_formats: ``{layer: {"kernel"|"bias": precision}}`` kept in the configuration
            after the precision search (see :func:`apply_weight_formats`).
        label: How log lines name the model (the variant's name).
        adjust_config: ``HlsConfig -> HlsConfig`` applied to the configuration made from
            ``settings`` before anything else (e.g. :meth:`core.hls.timing.EveryBxChoice.apply`:
            per-layer unrolling, which model-level settings cannot express); None: unchanged.
        progress: Job progress; cancellable.

    Returns:
        ``(config, summary, metrics)``: the :class:`~core.hls.config.HlsConfig` measured; a
        JSON-able summary (``precision`` per layer, ``auto_precision``, ``csim`` report dict,
        ``csim_meta`` {``n_events``, ``cache_hit``, ``compile_seconds``, ``build_seconds`` [s]},
        ``project_dir``, ``estimate``, and for the muon trigger ``pt_resolution_robust_keras`` /
        ``pt_resolution_robust_csim``; None for what was not measured); the metrics
        (:func:`csim_metrics`, :func:`estimate_metrics`, ``pt_resolution_robust_csim``...).

    Raises:
        HlsError: hls4ml cannot convert a layer, g++ failed, the precision search is impossible.
        Cancelled: When cancelled through ``progress``.
    """
    from core.hls.autoprec import auto_precision
    from core.hls.config import HlsSettings, make_config
    from core.hls.convert import compare_with_keras, compile_model
    from core.hls.estimate import estimate

    progress = ensure_progress(progress)
    measures = tuple(measures)
    if isinstance(settings, dict):
        settings = HlsSettings.from_dict(settings)
    x = np.asarray(dataset.x_val[:n_calib], dtype=np.float32)
    y = dataset.y_val[: len(x)]
    task = dataset.task
    config = make_config(model, settings)
    if adjust_config is not None:
        config = adjust_config(config)
    summary: dict[str, Any] = {"auto_precision": None, "csim": None, "csim_meta": None, "project_dir": None}
    if "autoprec" not in measures:
        progress.log(f"{label}: no precision search; tensors keep {config.settings.default_precision}")
    elif is_qkeras(model):
        # hls4ml reads the quantizers: weights, biases and quantized activations get exactly the
        # precisions the network was trained with; the C simulation below checks the rest.
        progress.log(
            f"{label} is a QKeras model: weights and activations take their quantizers' precisions "
            f"(no precision search); other tensors keep {config.settings.default_precision}"
        )
    else:
        progress.log(
            f"{label}: automatic precision on {len(x):,} validation events (target {100 * target:g} %)"
        )
        auto = auto_precision(
            model,
            x,
            task=task,
            target=target,
            config=config,
            # its own C simulation (a g++ build) only when one is asked for, and not for a
            # configuration the weight formats then change: the C simulation below checks it
            verify="csim" in measures and not weight_formats,
            cache_root=cache_root,
            progress=progress.sub(0.0, 0.7),
        )
        config = auto.apply(config)
        summary["auto_precision"] = auto.to_dict()
    if weight_formats:
        config = apply_weight_formats(config, weight_formats)
        progress.log(f"{label}: weights keep the precisions the fixed-point step chose")
    summary["precision"] = {
        row["name"]: {k: row[k] for k in ("weight", "bias", "result", "accum")}
        for row in config.to_dict()["layers"]
    }
    metrics: dict[str, Any] = {}
    if "csim" in measures or "synth" in measures:
        compiled = compile_model(model, config, cache_root, progress=progress.sub(0.7, 0.85))
        summary["project_dir"] = str(compiled.project_dir)
    if "csim" in measures:
        outputs: dict[str, np.ndarray] = {}
        report = compare_with_keras(
            model, compiled, x, y, task=task, outputs=outputs, progress=progress.sub(0.85, 0.95)
        )
        progress.log(report.summary())
        metrics.update(csim_metrics(report))
        summary.update(
            csim=report.to_dict(),
            csim_meta={
                "n_events": len(x),
                "cache_hit": bool(compiled.cache_hit),
                "compile_seconds": float(compiled.compile_seconds),
                "build_seconds": float(compiled.build_seconds),
            },
        )
        pt_true = dataset.extra.get("pt_val") if isinstance(dataset.extra, dict) else None
        if task == "regression" and pt_true is not None:
            from core.metrics.physics import pt_from_q_over_pt, pt_resolution

            pt_true = np.asarray(pt_true[: len(x)], dtype=np.float64)
            keras_res = pt_resolution(pt_from_q_over_pt(outputs["keras"][:, 0]), pt_true)["robust"]
            hls_res = pt_resolution(pt_from_q_over_pt(outputs["hls"][:, 0]), pt_true)["robust"]
            summary.update(pt_resolution_robust_keras=keras_res, pt_resolution_robust_csim=hls_res)
            # Keras on the same events as the C simulation: the number the firmware is compared
            # with (the Physics view's ``pt_resolution_robust`` is on the whole validation split).
            metrics["pt_resolution_robust_csim"] = float(hls_res)
            metrics["pt_resolution_robust_keras_csim"] = float(keras_res)
            progress.log(
                f"robust pT resolution on {len(x):,} events: Keras {100 * keras_res:.1f} %, "
                f"C simulation {100 * hls_res:.1f} %"
            )
    summary["estimate"] = None
    if "estimate" in measures:
        est = estimate(model, config)
        metrics.update(estimate_metrics(est))
        e = summary["estimate"] = est.to_dict()
        progress.log(
            f"estimate (analytic model, not a synthesis result): {e['latency_cycles']} cycles = "
            f"{e['latency_ns']:.0f} ns, LUT {e['lut']}, DSP {e['dsp']}"
        )
    return config, summary, metrics


def synthesize_variant(
    ws,
    name: str,
    *,
    n_calib: int = 2000,
    target: float = 0.99,
    adjust_config=None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Configure, auto-tune, compile and C-simulate variant ``name`` of workspace ``ws``.

    The model-level work is :func:`synthesize_model` (default hls4ml settings unless
    ``adjust_config`` changes them, every measure);
    this function loads the variant and its data set and stores the results in the workspace.

    Args:
        ws: The workspace.
        name: The variant (it needs a data set: its validation events calibrate and test).
        n_calib: Validation events used for the precision search and the C simulation.
        target: Fraction of events on which the firmware must agree with Keras (argmax for
            classification, 1 % relative error for regression).
        adjust_config: Passed to :func:`synthesize_model` (None: hls4ml's default settings).
        progress: Job progress; cancellable.

    Returns:
        A JSON-able summary: ``variant``, ``config_path``, ``project_dir``, ``precision``
        (per layer), ``csim`` (the report), ``estimate``, and for the muon trigger
        ``pt_resolution_robust_keras`` / ``pt_resolution_robust_csim``. The same numbers are
        stored in the variant's metrics.
    """
    from core import TrigLabError
    from core.data import load_dataset
    from core.hls.convert import CsimReport

    progress = ensure_progress(progress)
    v = ws[name]
    if not v.dataset:
        raise TrigLabError(
            f"Variant '{name}' has no data set; synthesis here calibrates on its validation events"
        )
    dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.03))
    model = ws.load_model(name)
    config, done, metrics = synthesize_model(
        model,
        dataset,
        target=target,
        n_calib=n_calib,
        cache_root=ws.hls_dir,
        label=name,
        adjust_config=adjust_config,
        progress=progress.sub(0.03, 0.97),
    )
    config_path = save_config(ws, name, config)
    summary: dict[str, Any] = {
        "variant": name,
        "config_path": str(config_path),
        "project_dir": done["project_dir"],
        "precision": done["precision"],
        "csim": done["csim"],
        "estimate": done["estimate"],
        "auto_precision": done["auto_precision"],
    }
    csim_meta = done["csim_meta"]
    meta = {
        "source": f"{v.dataset} validation split, {csim_meta['n_events']:,} events",
        "project_dir": done["project_dir"],
        **{k: csim_meta[k] for k in ("cache_hit", "compile_seconds", "build_seconds")},
    }
    for key in ("pt_resolution_robust_keras", "pt_resolution_robust_csim"):
        if key in done:
            summary[key] = done[key]
            meta[key] = float(done[key])
    report = CsimReport.from_dict(done["csim"])
    summary["csim_result_path"] = str(save_csim_result(ws, name, report, meta))
    ws.update_metrics(name, metrics)
    ws.save()
    progress.update(1.0, f"{name}: C simulation done")
    return summary
