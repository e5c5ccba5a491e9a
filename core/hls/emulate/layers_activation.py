"""Activations: ReLU, linear, hls4ml's stable softmax with its lookup tables, and others in
floating point (``nnet_activation.h``).

*Softmax.* hls4ml's ``softmax_stable`` looks ``exp(x_i - x_max)`` up in a table indexed by the top
bits of ``x_max - x_i`` (type ``inp_norm_t``), sums the exponentials in ``accum_t``, and looks the
inverse of the sum up in a second table (indexed by the top bits of the sum in ``inv_inp_t``).
:func:`softmax_hls` follows it table by table; the tables' values come from numpy's float32
``exp`` and ``1/x``, as the C++ computes them (a last-bit difference with the C library's ``exp``
would change, rarely, one table entry).

*Others* (sigmoid, tanh, softplus, softsign, swish, gelu...) are computed in floating point and
then rounded to the result: close to hls4ml's tables, not exact. They are registered as
:data:`~core.hls.emulate.base.FALLBACK_ACTIVATIONS`, used only when no exact emulator is
registered for the name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.hls.emulate.base import (
    FALLBACK_ACTIVATIONS,
    BuildContext,
    Ctx,
    EmulationError,
    LayerEmulator,
    Node,
    register,
    register_activation,
)
from core.hls.emulate.fixedpoint import cast, ceillog2
from core.weights import FixedPointFormat

# hls4ml's softmax tables and their types (FPGA backend defaults, fixed<18,8,RND,SAT>).
SOFTMAX_TABLE_SIZE = 1024
SOFTMAX_TABLE_FMT = FixedPointFormat(18, 8, True, "RND", "SAT")


class ReluEmulator(LayerEmulator):
    """``max(x, 0)``: never negative, so the result is unsigned."""

    non_negative = True

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return np.maximum(xs[0], 0.0)


class LinearEmulator(LayerEmulator):
    """The identity (hls4ml removes a ``linear`` activation, or casts to its result type)."""

    tunable = ()
    pass_through = True

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return xs[0]


class FloatActivation(LayerEmulator):
    """An activation computed in floating point, then rounded (close, not bit-exact)."""

    def __init__(
        self, fn: Callable[[np.ndarray], np.ndarray], bounded: tuple[int, bool] | None = None
    ) -> None:
        super().__init__()
        self.fn = fn
        self.bounded = bounded

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return self.fn(xs[0])


_FLOAT_ACT: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[int, bool] | None]] = {
    "sigmoid": (lambda x: 1.0 / (1.0 + np.exp(-x)), (1, False)),
    "tanh": (np.tanh, (1, True)),
    "softplus": (lambda x: np.logaddexp(0.0, x), None),
    "softsign": (lambda x: x / (1.0 + np.abs(x)), (1, True)),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), None),
    "selu": (
        lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))),
        None,
    ),
    "swish": (lambda x: x / (1.0 + np.exp(-x)), None),
    "gelu": (lambda x: 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))), None),
    "hard_sigmoid": (lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0), (1, False)),
}


def _float_factory(name: str):
    fn, bounded = _FLOAT_ACT[name]
    return lambda config, ctx, node_name: FloatActivation(fn, bounded)


for _name in _FLOAT_ACT:
    FALLBACK_ACTIVATIONS.setdefault(_name, _float_factory(_name))


# --- softmax -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SoftmaxSpec:
    """How hls4ml computes one softmax layer (from its configuration row)."""

    implementation: str = "stable"
    table_size: int = SOFTMAX_TABLE_SIZE
    inp_norm: FixedPointFormat | None = None  # None: derived from the input type
    exp_table: FixedPointFormat = SOFTMAX_TABLE_FMT
    inv_table: FixedPointFormat = SOFTMAX_TABLE_FMT
    inv_inp: FixedPointFormat = SOFTMAX_TABLE_FMT
    accum: FixedPointFormat = SOFTMAX_TABLE_FMT


def softmax_spec(config: Any, name: str) -> SoftmaxSpec:
    """The softmax settings of layer ``name`` in an ``HlsConfig`` (hls4ml's defaults otherwise)."""
    try:
        row = config.layer(name)
    except Exception:
        return SoftmaxSpec()
    extra = dict(getattr(row, "extra", {}) or {})

    def fmt(key: str, default: FixedPointFormat | None) -> FixedPointFormat | None:
        # hls4ml 1.3 reads a softmax's table types from `<key>_t` layer keys (`Precision` is ignored
        # for them); the accumulator is the row's own accum precision.
        text = extra.get(f"{key}_t")
        if text is None and key == "accum":
            text = getattr(row, "accum", None)
        if text is None or str(text) == "auto":
            return default
        try:
            return FixedPointFormat.parse(str(text))
        except ValueError:
            return default

    return SoftmaxSpec(
        implementation=str(extra.get("Implementation", "stable")).lower(),
        table_size=int(extra.get("TableSize", SOFTMAX_TABLE_SIZE)),
        inp_norm=fmt("inp_norm", None),
        exp_table=fmt("exp_table", SOFTMAX_TABLE_FMT),
        inv_table=fmt("inv_table", SOFTMAX_TABLE_FMT),
        inv_inp=fmt("inv_inp", SOFTMAX_TABLE_FMT),
        accum=fmt("accum", SOFTMAX_TABLE_FMT),
    )


def tuned_softmax(spec: SoftmaxSpec, inp_norm: FixedPointFormat | None) -> SoftmaxSpec:
    """``spec`` with the exp table indexed by ``inp_norm`` (all its bits: ``2^width`` entries) and
    the inverse table as large, indexed by every bit of its input (``inv_inp`` of the same width)."""
    if inp_norm is None:
        return spec
    inv = spec.inv_inp
    inv_inp = FixedPointFormat(inp_norm.width, inv.integer, inv.signed, inv.rounding, inv.overflow)
    return dataclasses.replace(spec, inp_norm=inp_norm, table_size=2**inp_norm.width, inv_inp=inv_inp)


def softmax_extra(spec: SoftmaxSpec, inp_norm: FixedPointFormat) -> dict[str, Any]:
    """The hls4ml layer keys that make a softmax use ``inp_norm`` (see :func:`tuned_softmax`)."""
    tuned = tuned_softmax(spec, inp_norm)
    return {"inp_norm_t": str(inp_norm), "inv_inp_t": str(tuned.inv_inp), "TableSize": tuned.table_size}


def _table_index(v: np.ndarray, fmt: FixedPointFormat, bits: int) -> np.ndarray:
    """hls4ml's ``softmax_idx_from_real_val``: the top ``bits`` bits of ``v`` (already of type
    ``fmt``) as an unsigned index."""
    raw = np.round(np.asarray(v, np.float64) * 2.0**fmt.f).astype(np.int64) & ((1 << fmt.width) - 1)
    return raw >> max(fmt.width - bits, 0)


def _table_inputs(fmt: FixedPointFormat, bits: int, size: int) -> np.ndarray:
    """hls4ml's ``softmax_real_val_from_idx``: the value of type ``fmt`` whose top ``bits`` bits
    are the index, for every index (float32, as the C++ computes the tables)."""
    raw = np.arange(size, dtype=np.int64) << max(fmt.width - bits, 0)
    if fmt.signed:
        raw = np.where(raw >= 1 << (fmt.width - 1), raw - (1 << fmt.width), raw)
    return (raw * 2.0**-fmt.f).astype(np.float32)


def softmax_float(x: np.ndarray) -> np.ndarray:
    """The softmax over the last axis, in floating point."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_hls(x: np.ndarray, in_fmt: FixedPointFormat, spec: SoftmaxSpec) -> np.ndarray | None:
    """hls4ml's ``softmax_stable`` (io_parallel) on inputs already of type ``in_fmt``, before the
    final cast to the result type (None for another implementation)."""
    if spec.implementation != "stable":
        return None
    table_size = spec.table_size
    if 2 ** min(in_fmt.width, spec.inv_table.width) < table_size:  # hls4ml's fix_softmax_table_size
        table_size = 2 ** min(in_fmt.width, spec.inv_table.width)
    exp_size = inv_size = table_size
    norm = spec.inp_norm
    if norm is None:  # ap_ufixed<W - s, I - s>: the input's step, one (sign) bit fewer
        s = int(in_fmt.signed)
        norm = FixedPointFormat(in_fmt.width - s, in_fmt.integer - s, False)
        if s:
            exp_size = min(table_size, 2 ** (in_fmt.width - 1))
    n_exp, n_inv = ceillog2(exp_size), ceillog2(inv_size)
    with np.errstate(over="ignore", divide="ignore"):
        exp_table = cast(np.exp(-_table_inputs(norm, n_exp, exp_size)).astype(np.float64), spec.exp_table)
        inv_in = _table_inputs(spec.inv_inp, n_inv, inv_size)
        inv = np.float32(1.0) / inv_in
    inv = np.where(np.isfinite(inv), inv, np.sign(inv) * 2.0 ** (spec.inv_table.width + 1)).astype(np.float64)
    inv_table = cast(inv, spec.inv_table)
    d = cast(x.max(axis=-1, keepdims=True) - x, norm)
    exp_res = cast(exp_table[np.minimum(_table_index(d, norm, n_exp), exp_size - 1)], spec.accum)
    total = cast(cast(exp_res.sum(axis=-1), spec.accum), spec.inv_inp)
    inv_sum = inv_table[np.minimum(_table_index(total, spec.inv_inp, n_inv), inv_size - 1)]
    return exp_res * inv_sum[..., None]


class SoftmaxEmulator(LayerEmulator):
    """hls4ml's softmax on the last axis; the table input ``inp_norm`` is searched too."""

    tunable = ("result", "inp_norm")
    bounded = (1, False)

    def __init__(self, spec: SoftmaxSpec | None = None) -> None:
        super().__init__()
        self.spec = spec or SoftmaxSpec()

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        x = xs[0]
        if ctx.quantized and ctx.in_fmts and ctx.in_fmts[0] is not None:
            v = softmax_hls(x, ctx.in_fmts[0], tuned_softmax(self.spec, ctx.fmt("inp_norm")))
            if v is not None:
                return v
        return softmax_float(x)


@register_activation("relu")
def _relu(config: dict[str, Any], ctx: BuildContext, name: str) -> LayerEmulator:
    return ReluEmulator()


@register_activation("linear")
def _linear(config: dict[str, Any], ctx: BuildContext, name: str) -> LayerEmulator:
    return LinearEmulator()


@register_activation("softmax")
def _softmax(config: dict[str, Any], ctx: BuildContext, name: str) -> LayerEmulator:
    return SoftmaxEmulator(softmax_spec(ctx.config, name))


# --- Keras layers ------------------------------------------------------------------------------
def _add_activation(layer: Any, ctx: BuildContext, act: str, class_name: str) -> None:
    emu = ctx.activation(layer.name, layer.name, act, layer.get_config())
    ctx.add(Node(layer.name, layer.name, class_name, ctx.inputs_of(layer), emu))


@register("Activation")
def build_activation(layer: Any, ctx: BuildContext) -> None:
    act = layer.get_config()["activation"]
    if not isinstance(act, str):
        raise EmulationError(f"the activation of layer {layer.name} is not a named one", layer.name)
    from core.hls.emulate.layers_dense import ACTIVATION_CLASS

    _add_activation(layer, ctx, act, ACTIVATION_CLASS.get(act, act))


@register("ReLU")
def build_relu(layer: Any, ctx: BuildContext) -> None:
    cfg = layer.get_config()
    if cfg.get("max_value") is not None or cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
        # hls4ml 1.3's Keras converter turns every ReLU layer into a plain relu, dropping these.
        raise EmulationError(
            f"layer {layer.name}: hls4ml converts ReLU(max_value, negative_slope, threshold) as a plain "
            "ReLU, which differs from Keras (use LeakyReLU, ThresholdedReLU or an Activation instead)",
            layer.name,
        )
    _add_activation(layer, ctx, "relu", "ReLU")


@register("Softmax")
def build_softmax(layer: Any, ctx: BuildContext) -> None:
    axis = layer.get_config().get("axis", -1)
    if axis not in (-1, len(layer.output_shape) - 1, [-1]):
        raise EmulationError(
            f"Auto precision emulates a softmax over the last axis only ({layer.name}).", layer.name
        )
    _add_activation(layer, ctx, "softmax", "Softmax")
