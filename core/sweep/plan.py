"""From a sweep's axes to what each point runs: per-stage parameters, and the whole spec's checks.

:func:`stage_plan` merges the fixed settings and one point's axis values into each stage's full,
resolved parameters (the ``"stages"`` of a point task, see :mod:`core.sweep.spec`);
:func:`validate_spec` checks a whole sweep before anything is written (every axis value, every
combination within a stage, strategy, objectives, measures), so a bad sweep is refused at once
instead of failing point after point. Parsing what the user types is :mod:`core.sweep.axes`.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

from core import TrigLabError
from core.sweep import SweepError
from core.sweep.axes import (
    _PER_LAYER,
    FPGA_MEASURES,
    HLS,
    MIN_CALIB,
    OBJECTIVE_DIRECTIONS,
    _check_value,
    _operation,
    _show,
    _target,
    grid_point,
    grid_size,
    iter_grid,
)
from core.sweep.spec import MEASURES, STAGE_ORDER, STRATEGIES, SweepSpec, check_sweep_name


# --- merging settings into per-stage parameters ------------------------------------------------
def _given(spec: SweepSpec, settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per stage, the parameters the fixed settings and the point's settings give (coerced)."""
    given: dict[str, dict[str, Any]] = {}
    labels = {a.name: a.label or a.name for a in spec.axes}
    for name, value in [*spec.fixed.items(), *settings.items()]:
        target = _target(name, labels.get(name))
        value = _check_value(target, labels.get(name, name), value)
        params = given.setdefault(target.stage, {})
        if target.layer is None:
            earlier = params.get(target.param)
            if target.param == _PER_LAYER and isinstance(earlier, dict) and isinstance(value, dict):
                # One layer's field set before the whole dict: keep it on top of the dict's entry.
                value = copy.deepcopy(value)
                for layer, entry in earlier.items():
                    merged = value.get(layer)
                    value[layer] = {**merged, **entry} if isinstance(merged, dict) else entry
            params[target.param] = value
            continue
        per_layer = copy.deepcopy(params.get(_PER_LAYER) or {})
        if not isinstance(per_layer, dict):
            raise SweepError(
                f"qat.per_layer must be a JSON object {{layer: {{field: value}}}}, not {per_layer!r}"
            )
        entry = per_layer.setdefault(target.layer, {})
        if not isinstance(entry, dict):
            raise SweepError(
                f"qat.per_layer['{target.layer}'] must be a JSON object of settings, not {entry!r}"
            )
        entry[target.param] = value
        params[_PER_LAYER] = per_layer
    return given


def _default_target() -> float:
    from core.hls.autoprec import auto_precision

    return float(inspect.signature(auto_precision).parameters["target"].default)


def _resolve_stage(stage: str, given: dict[str, Any], seed: int) -> dict[str, Any]:
    """A stage's full parameters (defaults + given, checked by the stage's owner)."""
    if stage == HLS:
        from core.hls.config import HlsSettings

        fields = {k: v for k, v in given.items() if k != "target"}
        target = given.get("target")
        return {
            "settings": HlsSettings(**fields).to_dict(),
            "target": float(target) if target is not None else _default_target(),
        }
    op = _operation(stage)
    given = dict(given)
    if "seed" not in given and any(p.name == "seed" for p in op.params):
        given["seed"] = seed
    resolved = op.resolve(given)
    if stage == "qat" and resolved.get(_PER_LAYER):
        _check_qat_layers(resolved)
    return resolved


def _check_qat_layers(resolved: dict[str, Any]) -> None:
    """Each layer's QKeras settings (globals + its overrides) as the qat operation will build them."""
    from core.compress.qkeras_convert import LayerQuantization, QuantizationConfig

    names = {f.name for f in dataclasses.fields(LayerQuantization)}
    base = {k: v for k, v in resolved.items() if k in names}
    base["bias_bits"] = base.get("bias_bits") or None  # qat: 0 = as the weights
    config = QuantizationConfig.from_dict({**base, _PER_LAYER: resolved[_PER_LAYER]})
    for layer in config.per_layer:
        config.for_layer(layer)


def _stages_of(spec: SweepSpec) -> list[str]:
    named = {_target(n).stage for n in [*spec.fixed, *(a.name for a in spec.axes)]}
    if any(m in FPGA_MEASURES for m in spec.measures):
        named.add(HLS)
    return [s for s in STAGE_ORDER if s in named]


def stage_plan(spec: SweepSpec, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``"stages"`` list of a point task: each stage with its resolved parameters, in order.

    Compression stages named by an axis or a fixed setting come in
    :data:`~core.sweep.spec.STAGE_ORDER`, each with every parameter resolved (defaults filled,
    ``spec.seed`` as ``seed`` unless fixed or swept); ``hls`` comes last when the measures ask
    for anything FPGA-side, as ``{"settings": {HlsSettings fields}, "target": fraction}``.

    Args:
        spec: The sweep.
        settings: The point ``{qualified name: value}``.

    Raises:
        SweepError: A stage refuses this point's values (the message names them).
    """
    given = _given(spec, settings)
    plan = []
    for stage in _stages_of(spec):
        try:
            params = _resolve_stage(stage, given.get(stage, {}), spec.seed)
        except SweepError:
            raise
        except TrigLabError as exc:
            shown = ", ".join(f"{k}={_show(v)}" for k, v in settings.items())
            raise SweepError(f"Point ({shown}): {stage} refuses it: {exc}") from None
        plan.append({"stage": stage, "params": params})
    return plan


# --- the whole spec ------------------------------------------------------------------------------
MAX_CHECKED_COMBINATIONS = 20000  # per stage; beyond, each value alone is still checked


def validate_spec(spec: SweepSpec) -> None:
    """Check a whole sweep before anything runs; raise SweepError saying what, where and the fix.

    Checks: the name; strategy, trials (>= 1 for random/nsga2/tpe), objectives (``max``/``min``),
    measures, ``n_calib`` (>= 10); every axis (known stage/parameter, values, no duplicate, not
    also a fixed setting, hls axes only with an FPGA measure); and every combination of each
    stage's values with the fixed settings, resolved by the stage itself.
    """
    check_sweep_name(spec.name)
    if spec.strategy not in STRATEGIES:
        raise SweepError(f"Unknown strategy '{spec.strategy}': choose one of {', '.join(STRATEGIES)}")
    if spec.strategy != "grid":
        if spec.trials is None or isinstance(spec.trials, bool) or int(spec.trials) < 1:
            raise SweepError(
                f"Strategy '{spec.strategy}' needs a number of points: give --trials N with N >= 1 "
                f"(got {spec.trials})"
            )
    if spec.hours is not None and not float(spec.hours) > 0:
        raise SweepError(f"The time budget must be positive (hours), not {spec.hours}")
    if int(spec.retries) < 0:
        raise SweepError(f"Retries must be >= 0, not {spec.retries}")
    for metric, direction in spec.objectives:
        if not str(metric).strip():
            raise SweepError("An objective needs a metric name (e.g. val_accuracy:max, lut_estimate:min)")
        if direction not in OBJECTIVE_DIRECTIONS:
            raise SweepError(
                f"Objective '{metric}': direction '{direction}' must be max or min (e.g. {metric}:max)"
            )
    bad = [m for m in spec.measures if m not in MEASURES]
    if bad or not spec.measures:
        raise SweepError(f"Unknown measure(s) {bad or '(none)'}: choose among {', '.join(MEASURES)}")
    if int(spec.n_calib) < MIN_CALIB:
        raise SweepError(f"n_calib must be >= {MIN_CALIB} validation events (got {spec.n_calib})")
    _validate_axes(spec)


def _validate_axes(spec: SweepSpec) -> None:
    if not spec.axes:
        raise SweepError("A sweep needs at least one axis (e.g. --axis sparsity=0.5:0.9:3)")
    seen: dict[str, str] = {}
    fixed = {_target(n).name: n for n in spec.fixed}
    fpga = any(m in FPGA_MEASURES for m in spec.measures)
    for axis in spec.axes:
        label = axis.label or axis.name
        target = _target(axis.name, label)
        if target.name != axis.name:
            raise SweepError(
                f"Axis '{label}': '{axis.name}' is not a qualified name (expected {target.name})"
            )
        if target.name in seen:
            raise SweepError(
                f"Axis '{label}' sweeps {target.name} like axis '{seen[target.name]}': give it once"
            )
        seen[target.name] = label
        if not axis.values:
            raise SweepError(f"Axis '{label}': empty (give lo:hi:n or a list of values)")
        if target.kind == "json":
            raise SweepError(f"Axis '{label}': {target.name} takes a JSON object, set it with --set instead")
        for v in axis.values:
            _check_value(target, label, v)
        if axis.low is not None or axis.high is not None:
            if axis.low is None or axis.high is None or axis.low > axis.high:
                raise SweepError(f"Axis '{label}': lo must be <= hi (got {axis.low}:{axis.high})")
            for v in (axis.low, axis.high):
                _check_value(target, label, v)
        if target.name in fixed:
            raise SweepError(
                f"Axis '{label}' also has a fixed value (--set {fixed[target.name]}=...): keep one of the two"
            )
        if target.layer is not None:
            per_layer = spec.fixed.get(f"qat.{_PER_LAYER}")
            if isinstance(per_layer, dict) and target.param in (per_layer.get(target.layer) or {}):
                raise SweepError(
                    f"Axis '{label}' also has a fixed value in qat.per_layer['{target.layer}']: keep one"
                )
        if target.stage == HLS and not fpga:
            raise SweepError(
                f"Axis '{label}' sets hls4ml but the measures ({', '.join(spec.measures)}) take nothing on "
                f"the FPGA side: add estimate (or autoprec, csim)"
            )
        if target.name == "hls.target" and "autoprec" not in spec.measures:
            raise SweepError(f"Axis '{label}' is the auto-precision target: add the measure autoprec")
    for stage in _stages_of(spec):
        _validate_stage(spec, stage)


def _validate_stage(spec: SweepSpec, stage: str) -> None:
    """Resolve every combination of this stage's axis values with the fixed settings."""
    axes = [a for a in spec.axes if _target(a.name).stage == stage]
    combos: Iterator[dict[str, Any]] | list[dict[str, Any]]
    if grid_size(axes) <= MAX_CHECKED_COMBINATIONS:
        combos = iter_grid(axes)
    else:  # too many: each value alone, with the others at their first value
        combos = [{**grid_point(axes, 0), a.name: v} for a in axes for v in a.values]
    labels = {a.name: a.label or a.name for a in axes}
    for combo in combos:
        given = _given(spec, combo).get(stage, {})
        try:
            _resolve_stage(stage, given, spec.seed)
        except TrigLabError as exc:
            shown = ", ".join(f"{labels[k]}={_show(v)}" for k, v in combo.items())
            with_fixed = any(_target(n).stage == stage for n in spec.fixed)
            where = f"Axis value(s) {shown}" if shown else "The fixed settings"
            where += " with the fixed settings" if shown and with_fixed else ""
            raise SweepError(f"{where}: the {stage} stage refuses them: {exc}") from None
