"""Sweep axes: from what the user types (``sparsity=0.5:0.95:6``) to checked values and stage plans.

An axis names one parameter of one stage, either by a short name (:data:`AXIS_ALIASES`:
``sparsity`` → ``prune.sparsity``, ``reuse`` → ``hls.reuse_factor``) or qualified as
``STAGE.PARAM`` with a stage among the registered compression operations of
:data:`~core.sweep.spec.STAGE_ORDER` and ``hls``. Forms of a value list:

- ``NAME=lo:hi:n`` — ``n`` evenly spaced values, both ends included (integer parameters: rounded
  and de-duplicated, so ``reuse=1:8:4`` gives 1, 3, 6, 8); ``NAME=lo:hi:n:log`` spaces them
  geometrically (``reuse=1:64:7:log`` gives 1, 2, 4, ..., 64). Optuna samples anywhere in
  ``[lo, hi]``.
- ``NAME=a,b,c`` — exactly these values (commas inside ``<...>`` belong to the value:
  ``precision=ap_fixed<16,6>,ap_fixed<12,4>``). Optuna picks among them.

Per-layer QKeras settings: ``bits@fc1`` (or ``qat.per_layer.fc1.weight_bits``) sweeps the weight
bits of layer ``fc1`` only; the value is merged into the ``per_layer`` dict of the ``qat`` stage.

Every value is checked by its owner before anything runs: the operation's own
:meth:`core.compress.Param.coerce` and :meth:`core.compress.Operation.resolve` (so the bounds
live in one place), :class:`core.hls.config.HlsSettings` for hls4ml settings. ``hls.target`` is the
automatic precision search's agreement target, a fraction in (0, 1].
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import inspect
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core import TrigLabError
from core.sweep import SweepError
from core.sweep.spec import MEASURES, STAGE_ORDER, STRATEGIES, SweepAxis, SweepSpec, check_sweep_name

#: Short axis names → qualified ``STAGE.PARAM``.
AXIS_ALIASES: dict[str, str] = {
    "sparsity": "prune.sparsity",
    "width": "fixed_point.width",
    "integer": "fixed_point.integer",
    "bits": "qat.weight_bits",
    "act_bits": "qat.act_bits",
    "clusters": "cluster.clusters",
    "rank": "lowrank.rank",
    "reuse": "hls.reuse_factor",
    "strategy": "hls.strategy",
    "io_type": "hls.io_type",
    "precision": "hls.default_precision",
    "target": "hls.target",
    "clock": "hls.clock_period_ns",
}

HLS = "hls"
#: The hls4ml settings a sweep may set (fields of HlsSettings) plus the auto-precision target.
HLS_PARAMS: tuple[str, ...] = (
    "reuse_factor",
    "strategy",
    "io_type",
    "default_precision",
    "clock_period_ns",
    "part",
    "backend",
    "target",
)
#: Measures that need the hls stage.
FPGA_MEASURES: tuple[str, ...] = tuple(m for m in MEASURES if m != "task")
OBJECTIVE_DIRECTIONS = ("max", "min")
MIN_CALIB = 10
MAX_VALUES = 1000  # per range axis: a typo like 0:1:100000 should not become a 100000-point grid
_REFUSED_STAGES = {
    "quantize_int8": "its result is a TFLite int8 model that hls4ml cannot read; sweep "
    "qat.weight_bits or fixed_point.width instead",
}
_PER_LAYER = "per_layer"


# --- what an axis name points at ---------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    """One settable quantity: a stage's parameter, or one field of one layer in qat's per_layer."""

    name: str
    stage: str
    param: str
    kind: str  # int, float, bool, choice, str, json
    layer: str | None = None

    def coerce(self, value: Any) -> Any:
        """The value as the stage will take it; raises the owner's error (TrigLabError)."""
        if self.stage == HLS:
            return _coerce_hls(self.param, value)
        if self.layer is not None:
            return _per_layer_param(self.param).coerce(value)
        return _op_param(self.stage, self.param).coerce(value)

    def bounds(self) -> tuple[float | None, float | None]:
        """The owner's (min, max) for a number, for messages (None where there is none)."""
        if self.stage == HLS:
            return None, None
        p = _per_layer_param(self.param) if self.layer is not None else _op_param(self.stage, self.param)
        return p.min, p.max


def _operation(stage: str):
    from core.compress import get_operation

    return get_operation(stage)


def _op_param(stage: str, name: str):
    return next(p for p in _operation(stage).params if p.name == name)


def _per_layer_fields() -> dict[str, str]:
    """The QKeras per-layer settings (fields of LayerQuantization) and their kinds."""
    from core.compress.qkeras_convert import LayerQuantization

    kinds = {}
    for f in dataclasses.fields(LayerQuantization):
        t = str(f.type)
        kinds[f.name] = next((k for k in ("bool", "int", "float") if k in t), "choice")
    return kinds


def _per_layer_param(field_name: str):
    """qat's own Param for a per-layer field when it has one (same bounds), else a plain typed one."""
    from core.compress import Param

    known = {p.name: p for p in _operation("qat").params}
    if field_name in known:
        return known[field_name]
    return Param(field_name, _per_layer_fields()[field_name], None)


def _hls_kinds() -> dict[str, str]:
    from core.hls.config import HlsSettings

    kinds = {"target": "float"}
    for f in dataclasses.fields(HlsSettings):
        if f.name in HLS_PARAMS:
            d = f.default
            kinds[f.name] = "int" if isinstance(d, int) else "float" if isinstance(d, float) else "choice"
    return kinds


def _coerce_hls(param: str, value: Any) -> Any:
    if param == "target":
        try:
            t = float(value)
        except (TypeError, ValueError):
            raise SweepError(f"the precision target must be a number, not {value!r}") from None
        if not (0.0 < t <= 1.0):
            raise SweepError(f"the precision target must be a fraction in (0, 1] (0.995 = 99.5 %), not {t}")
        return t
    from core.hls.config import HlsSettings

    # HlsSettings checks and normalises its own fields (e.g. 'latency' -> 'Latency').
    return getattr(HlsSettings(**{param: value}), param)


def _stages() -> list[str]:
    """The stages an axis may name: the registered operations of STAGE_ORDER, then hls."""
    from core.compress import list_operations

    ops = {op.name for op in list_operations()}
    return [s for s in STAGE_ORDER if s in ops or s == HLS]


def _unknown(label: str, name: str) -> SweepError:
    hint = difflib.get_close_matches(name, list(AXIS_ALIASES), n=1)
    more = f" Did you mean '{hint[0]}'?" if hint else ""
    return SweepError(
        f"Unknown axis '{label}': known short names are {', '.join(AXIS_ALIASES)}, or STAGE.PARAM with "
        f"a stage among {', '.join(_stages())} (e.g. prune.finetune_epochs).{more}"
    )


def _target(text: str, label: str | None = None) -> _Target:
    label = label or text
    name = str(text).strip()
    if "@" in name:
        base, layer = (s.strip() for s in name.split("@", 1))
        inner = _target(base, label)
        if inner.stage != "qat" or inner.layer is not None:
            raise SweepError(
                f"Axis '{label}': per-layer axes (NAME@LAYER) exist for the QKeras settings of the qat "
                f"stage only (bits@fc1, act_bits@fc1, qat.weight_integer@fc1)"
            )
        if not layer:
            raise SweepError(f"Axis '{label}': no layer name after '@' (e.g. bits@fc1)")
        name = f"qat.{_PER_LAYER}.{layer}.{inner.param}"
    name = AXIS_ALIASES.get(name, name)
    if "." not in name:
        raise _unknown(label, name)
    stage, param = name.split(".", 1)
    if stage in _REFUSED_STAGES:
        raise SweepError(f"Axis '{label}': a sweep cannot use the stage '{stage}': {_REFUSED_STAGES[stage]}")
    if stage not in _stages():
        raise _unknown(label, name)
    if stage == HLS:
        kinds = _hls_kinds()
        if param not in kinds:
            raise SweepError(
                f"Axis '{label}': hls has no setting '{param}'; a sweep can set {', '.join(HLS_PARAMS)}"
                + _did_you_mean(param, kinds)
            )
        return _Target(name, stage, param, kinds[param])
    params = {p.name: p for p in _operation(stage).params}
    if stage == "qat" and param.startswith(_PER_LAYER + "."):
        layer, _, field_name = param[len(_PER_LAYER) + 1 :].rpartition(".")
        fields = _per_layer_fields()
        if not layer or field_name not in fields:
            raise SweepError(
                f"Axis '{label}': a per-layer QKeras axis is qat.per_layer.LAYER.FIELD with FIELD among "
                f"{', '.join(fields)}" + _did_you_mean(field_name, fields)
            )
        return _Target(name, stage, field_name, _per_layer_param(field_name).kind, layer=layer)
    if param not in params:
        raise SweepError(
            f"Axis '{label}': {stage} has no parameter '{param}'; it takes {', '.join(params)}"
            + _did_you_mean(param, params)
        )
    return _Target(name, stage, param, params[param].kind)


def _did_you_mean(word: str, known) -> str:
    hint = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def _check_value(target: _Target, label: str, raw: Any) -> Any:
    """``raw`` coerced by its owner, or a SweepError naming the axis, the value and the rule."""
    try:
        return target.coerce(raw)
    except TrigLabError as exc:
        lo, hi = target.bounds()
        try:
            number = float(raw)
        except (TypeError, ValueError):
            number = None
        shown = _show(raw)
        owner = f"{target.stage}'s {target.param}" + (f" (layer {target.layer})" if target.layer else "")
        if number is not None and hi is not None and number > hi:
            why = f"{shown} is out of range: {owner} must be <= {_show(hi)}"
        elif number is not None and lo is not None and number < lo:
            why = f"{shown} is out of range: {owner} must be >= {_show(lo)}"
        else:
            why = f"{shown} is not accepted: {exc}"
        raise SweepError(f"Axis '{label}': {why}") from None


def _show(value: Any) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


# --- parsing -------------------------------------------------------------------------------------
def _split_list(text: str) -> list[str]:
    """Split on commas outside ``<...>`` (hls4ml precisions hold commas)."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def _split_assignment(text: str, what: str, example: str) -> tuple[str, str]:
    name, sep, value = str(text).partition("=")
    if not sep or not name.strip():
        raise SweepError(f"{what} '{text}' is not NAME=VALUES (e.g. {example})")
    return name.strip(), value.strip()


def _kind(target: _Target) -> str:
    return target.kind if target.kind in ("int", "float", "bool") else "choice"


def parse_axis(text: str) -> SweepAxis:
    """One axis from ``NAME=lo:hi:n[:log]`` or ``NAME=a,b,c`` (see the module docstring).

    Args:
        text: What the user typed, e.g. ``"sparsity=0.5:0.95:6"``, ``"reuse=1,2,4"``,
            ``"bits@fc1=4,6,8"``.

    Returns:
        The :class:`~core.sweep.spec.SweepAxis` (qualified name, checked values; ``low``/``high``
        for a range).

    Raises:
        SweepError: Unknown name, empty or malformed range, a value the stage refuses.
    """
    label, body = _split_assignment(text, "Axis", "sparsity=0.5:0.95:6 or reuse=1,2,4")
    target = _target(label)
    if not body:
        raise SweepError(f"Axis '{label}': no values (give lo:hi:n, e.g. {label}=0.5:0.9:3, or a list a,b,c)")
    if ":" in body and "<" not in body:
        return _parse_range(target, label, body)
    if target.kind == "json":
        raise SweepError(
            f"Axis '{label}': {target.name} takes a JSON object, it cannot be an axis; set it with "
            f"--set, or sweep one layer's field (e.g. bits@fc1=4,6,8)"
        )
    raw = _split_list(body)
    if any(not r for r in raw):
        raise SweepError(f"Axis '{label}': empty value in the list '{body}' (e.g. {label}=a,b,c)")
    values = _dedupe(_check_value(target, label, r) for r in raw)
    return SweepAxis(target.name, tuple(values), label=label, kind=_kind(target))


def _dedupe(values) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if not any(v == o and type(v) is type(o) for o in out):
            out.append(v)
    return out


def _parse_range(target: _Target, label: str, body: str) -> SweepAxis:
    parts = [p.strip() for p in body.split(":")]
    log = len(parts) == 4 and parts[3].lower() == "log"
    if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
        raise SweepError(f"Axis '{label}': '{body}' is not a range lo:hi:n (or lo:hi:n:log), e.g. 0.5:0.9:5")
    if any(not p for p in parts[:3]):
        raise SweepError(f"Axis '{label}': empty range '{body}': give lo:hi:n, e.g. {label}=0.5:0.9:5")
    # A str parameter whose values are whole numbers (fixed_point.integer) can be a range of ints.
    integer = target.kind == "int" or (target.kind == "str")
    if target.kind not in ("int", "float", "str"):
        raise SweepError(
            f"Axis '{label}': a range lo:hi:n needs a number; {target.name} is a {target.kind} setting, "
            f"give a list (e.g. {label}=a,b)"
        )
    try:
        lo, hi = float(parts[0]), float(parts[1])
        n = int(parts[2])
    except ValueError:
        raise SweepError(
            f"Axis '{label}': cannot read '{body}' as lo:hi:n (two numbers and a whole count)"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise SweepError(f"Axis '{label}': the ends of '{body}' must be finite numbers")
    if n < 1:
        raise SweepError(f"Axis '{label}': n must be >= 1 in lo:hi:n (got {n})")
    if n > MAX_VALUES:
        raise SweepError(f"Axis '{label}': n = {n} values is too many (at most {MAX_VALUES} per axis)")
    if lo > hi:
        raise SweepError(f"Axis '{label}': lo must be <= hi in lo:hi:n (got {_show(lo)} > {_show(hi)})")
    if n == 1 and lo != hi:
        raise SweepError(
            f"Axis '{label}': n = 1 cannot include both ends of {body}; use n >= 2 or a single value"
        )
    if integer and not (lo.is_integer() and hi.is_integer()):
        raise SweepError(f"Axis '{label}': {target.name} takes whole numbers: lo and hi must be integers")
    if log and lo <= 0:
        raise SweepError(f"Axis '{label}': a log range needs lo > 0 (got {_show(lo)})")
    grid = _spaced(lo, hi, n, log)
    if integer:
        raw: list[Any] = _dedupe(int(round(v)) for v in grid)
        lo, hi = int(lo), int(hi)
    else:
        raw = [float(f"{v:.10g}") for v in grid]  # 0.59, not 0.5900000000000001
    for r in (lo, hi, *raw):
        _check_value(target, label, r)
    # Keep ints for a whole-number str parameter: the operation turns them into its text itself.
    values = raw if target.kind == "str" else [target.coerce(r) for r in raw]
    kind = "int" if integer else "float"
    return SweepAxis(target.name, tuple(_dedupe(values)), label=label, low=lo, high=hi, log=log, kind=kind)


def _spaced(lo: float, hi: float, n: int, log: bool) -> list[float]:
    if n == 1:
        return [lo]
    if log:
        a, b = math.log(lo), math.log(hi)
        out = [math.exp(a + (b - a) * i / (n - 1)) for i in range(n)]
    else:
        out = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    out[0], out[-1] = lo, hi  # exact ends, whatever the rounding
    return out


def parse_fixed(text: str) -> tuple[str, Any]:
    """A setting equal in every point (``--set``): ``"NAME=VALUE"`` → ``(qualified name, value)``.

    Any parameter of a stage may be fixed, JSON ones included (``prune.per_layer={"fc1": 0.5}``).

    Raises:
        SweepError: Unknown name, or a value the stage refuses.
    """
    label, body = _split_assignment(text, "Setting", "prune.finetune_epochs=3")
    target = _target(label)
    if not body:
        raise SweepError(f"Setting '{label}': no value (e.g. {label}=VALUE)")
    return target.name, _check_value(target, label, body)


# --- the grid ------------------------------------------------------------------------------------
def grid_size(axes: Sequence[SweepAxis]) -> int:
    """Number of points of the full grid of ``axes`` (the product of their value counts)."""
    return math.prod(len(a.values) for a in axes)


def iter_grid(axes: Sequence[SweepAxis]) -> Iterator[dict[str, Any]]:
    """The grid points one by one, in :func:`grid_points` order (for grids too big for a list)."""
    names = [a.name for a in axes]
    for combo in itertools.product(*(a.values for a in axes)):
        yield dict(zip(names, combo, strict=True))


def grid_points(axes: Sequence[SweepAxis]) -> list[dict[str, Any]]:
    """Every point ``{qualified name: value}`` of the grid: the product of the axes' values, the
    first axis varying slowest (as written on the command line), the last fastest."""
    return list(iter_grid(axes))


def grid_point(axes: Sequence[SweepAxis], index: int) -> dict[str, Any]:
    """The point number ``index`` (0-based) of :func:`grid_points`, without building the grid."""
    out: dict[str, Any] = {}
    for a in reversed(axes):
        index, i = divmod(index, len(a.values))
        out[a.name] = a.values[i]
    return {a.name: out[a.name] for a in axes}


def default_objectives(task: str) -> list[tuple[str, str]]:
    """The Pareto objectives of a task when the user gives none: task metric and LUT estimate.

    Args:
        task: ``"classification"`` or ``"regression"`` (the muon trigger's pT regression).
    """
    if task == "classification":
        return [("val_accuracy", "max"), ("lut_estimate", "min")]
    if task == "regression":
        return [("pt_resolution_robust", "min"), ("lut_estimate", "min")]
    raise SweepError(f"No default objectives for task '{task}': give --objective METRIC:max|min")


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
