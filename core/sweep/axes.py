"""Sweep axes: from what the user types (``sparsity=0.5:0.95:6``) to checked values (plans: :mod:`core.sweep.plan`).

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

import dataclasses
import difflib
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core import TrigLabError
from core.sweep import SweepError
from core.sweep.spec import MEASURES, STAGE_ORDER, SweepAxis

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
