"""Activations beyond relu/softmax/linear, as ``nnet_activation.h`` (hls4ml 1.3) computes them.

Table-based functions (sigmoid, tanh, softplus, softsign, elu, selu) are bit-exact: the table is
built as the C++ builds it (``in_val`` in float, the function in float/double, stored in
``table_t``: ``ap_fixed<18,8>`` TRN/WRAP unless the configuration's ``table`` says otherwise, of
``TableSize`` entries, 1024 by default) and indexed as the C++ indexes it (``int(x * N / 16) + N/2``
truncated toward zero, clipped; tanh ``/ 8``; elu/selu ``int(x * N / -8)`` for ``x < 0``). The
cast of the table value to the result type is the graph's result rounding.

LeakyReLU, ELU's alpha and ThresholdedReLU's theta are constants in ``param_t`` (hls4ml infers the
smallest fixed type holding them, at most 8 bits; theta takes the input's type); PReLU's alphas are
weights stored in the input's precision unless ``param`` is configured. hard_sigmoid is
``clip(slope * x + shift, 0, 1)`` with ``slope`` in ``ap_ufixed<16,0>`` and ``shift`` in
``ap_ufixed<2,0>``, exact before the cast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, LayerEmulator, Node, register, register_activation
from core.weights import FixedPointFormat

TABLE_SIZE = 1024
TABLE_FMT = FixedPointFormat(18, 8)
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def _row(bctx: BuildContext | None, name: str) -> Any:
    config = getattr(bctx, "config", None)
    if config is None:
        return None
    try:
        return config.layer(name)
    except Exception:
        return None


def _row_precision(row: Any, key: str) -> FixedPointFormat | None:
    """A precision of the layer's configuration row under ``Precision`` / ``<key>_t`` (None: auto)."""
    if row is None:
        return None
    extra = dict(getattr(row, "extra", {}) or {})
    text = (extra.get("Precision") or {}).get(key) if isinstance(extra.get("Precision"), dict) else None
    text = extra.get(f"{key}_t", text)
    if text is None or str(text) == "auto":
        return None
    try:
        return FixedPointFormat.parse(str(text))
    except ValueError:
        return None


def table_spec(bctx: BuildContext | None, name: str) -> tuple[int, FixedPointFormat]:
    """``(table size, table_t)`` of node ``name`` from the configuration (hls4ml's defaults)."""
    row = _row(bctx, name)
    size = TABLE_SIZE
    if row is not None:
        size = int((getattr(row, "extra", {}) or {}).get("TableSize", TABLE_SIZE))
    return size, _row_precision(row, "table") or TABLE_FMT


def constant_format(value: float) -> FixedPointFormat:
    """hls4ml's ``param_t`` for a constant (``_get_precision_from_constant``, at most 8 bits)."""
    from hls4ml.model.optimizer.passes.infer_precision import _get_precision_from_constant

    return FixedPointFormat.parse(str(_get_precision_from_constant(value)))


def _trunc_index(x: np.ndarray, num: int, den: int) -> np.ndarray:
    """C++ ``int(x * num / den)`` for an ``ap_fixed`` x: truncation toward zero."""
    return np.trunc(np.asarray(x, np.float64) * num / den).astype(np.int64)


def _table(fn: str, size: int, fmt: FixedPointFormat) -> np.ndarray:
    """The ``init_<fn>_table`` values, as the C++ computes and stores them in ``fmt``."""
    ii = np.arange(size, dtype=np.float64)
    if fn in ("elu", "selu"):
        x = (-8.0 * ii / size).astype(np.float32)
    elif fn == "tanh":
        x = (8.0 * (ii - size / 2.0) / size).astype(np.float32)
    else:
        x = (16.0 * (ii - size / 2.0) / size).astype(np.float32)
    with np.errstate(over="ignore"):
        if fn == "sigmoid":  # 1.0 / (1 + std::exp(-input)): exp and sum in float, division in double
            v = 1.0 / (np.float32(1) + np.exp(-x)).astype(np.float64)
        elif fn == "tanh":  # ::tanh(double)
            v = np.tanh(x.astype(np.float64))
        elif fn == "softplus":  # std::log(std::exp(input) + 1.)
            v = np.log(np.exp(x).astype(np.float64) + 1.0)
        elif fn == "softsign":
            v = x.astype(np.float64) / (np.abs(x).astype(np.float64) + 1.0)
        elif fn == "elu":  # std::exp(input) - 1.
            v = np.exp(x).astype(np.float64) - 1.0
        else:  # selu: lambda * (alpha * (std::exp(input) - 1.))
            v = SELU_LAMBDA * (SELU_ALPHA * (np.exp(x).astype(np.float64) - 1.0))
    return fmt.quantize(v)


def _float(fn: str, x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        if fn == "sigmoid":
            return 1.0 / (1.0 + np.exp(-x))
        if fn == "tanh":
            return np.tanh(x)
        if fn == "softplus":
            return np.logaddexp(0.0, x)
        if fn == "softsign":
            return x / (1.0 + np.abs(x))
        return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


class TableActivation(LayerEmulator):
    """sigmoid, tanh, softplus, softsign, elu (with alpha) and selu by hls4ml's lookup tables.

    Bit-exact with C-sim (the tables are built and indexed as ``nnet_activation.h`` does; the
    float functions may differ from glibc's by one ulp, which moves a table entry only when it
    falls exactly on a step of ``table_t``).
    """

    def __init__(
        self,
        fn: str,
        size: int = TABLE_SIZE,
        table_fmt: FixedPointFormat = TABLE_FMT,
        alpha: float = 1.0,
        param_fmt: FixedPointFormat | None = None,
    ):
        super().__init__()
        self.fn, self.size, self.table_fmt, self.alpha = fn, int(size), table_fmt, float(alpha)
        #: ELU's alpha type: the configuration's ``param``, else inferred from the constant
        self.param_fmt = param_fmt or constant_format(self.alpha)
        self.bounded = {"sigmoid": (1, False), "tanh": (1, True), "softsign": (1, True)}.get(fn)
        self.non_negative = fn in ("sigmoid", "softplus")
        self._table: np.ndarray | None = None

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        x = xs[0]
        if not ctx.quantized:
            if self.fn == "elu":
                return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))
            return _float(self.fn, x)
        if self._table is None:
            self._table = _table(self.fn, self.size, self.table_fmt)
        n = self.size
        if self.fn in ("elu", "selu"):
            idx = np.clip(_trunc_index(x, n, -8), 0, n - 1)
            neg = self._table[idx]
            if self.fn == "elu":
                return np.where(x >= 0, x, self.param_fmt.quantize(self.alpha) * neg)
            lam = FixedPointFormat(16, 1, False).quantize(SELU_LAMBDA)  # ap_ufixed<16,1> lambda
            return np.where(x >= 0, lam * x, neg)
        den, half = (8, n // 2) if self.fn == "tanh" else (16, n // 2)
        idx = np.clip(_trunc_index(x, n, den) + half, 0, n - 1)
        return self._table[idx]


class HardActivation(LayerEmulator):
    """``clip(slope * x + shift, 0, 1)`` (hard_sigmoid) or ``2 * that - 1`` (hard_tanh). Bit-exact."""

    def __init__(
        self, tanh: bool = False, slope: float = 0.2, shift: float = 0.5, slope_fmt=None, shift_fmt=None
    ):
        super().__init__()
        self.tanh = tanh
        self.slope, self.shift = float(slope), float(shift)
        self.slope_fmt = slope_fmt or FixedPointFormat(16, 0, False)
        self.shift_fmt = shift_fmt or FixedPointFormat(2, 0, False)
        self.bounded = (2, True) if tanh else (1, False)
        self.non_negative = not tanh

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        slope, shift = self.slope, self.shift
        if ctx.quantized:
            slope, shift = self.slope_fmt.quantize(slope), self.shift_fmt.quantize(shift)
        s = np.clip(slope * xs[0] + shift, 0.0, 1.0)
        return 2.0 * s - 1.0 if self.tanh else s


class LeakyReLUEmulator(LayerEmulator):
    """``x > 0 ? x : alpha * x`` with alpha in ``param_t`` (``nnet::leaky_relu``). Bit-exact."""

    def __init__(self, alpha: float, param_fmt: FixedPointFormat | None = None) -> None:
        super().__init__()
        self.alpha = float(alpha)
        self.param_fmt = param_fmt or constant_format(self.alpha)

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        a = self.param_fmt.quantize(self.alpha) if ctx.quantized else self.alpha
        return np.where(xs[0] > 0, xs[0], a * xs[0])


class ThresholdedReLUEmulator(LayerEmulator):
    """``x > theta ? x : 0`` with theta in the input's type (``nnet::thresholded_relu``). Bit-exact."""

    def __init__(self, theta: float, param_fmt: FixedPointFormat | None = None) -> None:
        super().__init__()
        self.theta = float(theta)
        self.param_fmt = param_fmt
        self.non_negative = self.theta >= 0

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        theta = self.theta
        fmt = self.param_fmt or (ctx.in_fmts[0] if ctx.quantized and ctx.in_fmts else None)
        if ctx.quantized and fmt is not None:
            theta = float(fmt.quantize(np.float64(theta)))
        return np.where(xs[0] > theta, xs[0], 0.0)


class PReLUEmulator(LayerEmulator):
    """``x > 0 ? x : alpha_i * x`` with the alphas stored as weights (``nnet::prelu``). Bit-exact.

    The alphas' precision is the configuration's ``param`` or, as hls4ml infers it, the input's.
    """

    def __init__(self, alpha: np.ndarray, param_fmt: FixedPointFormat | None = None) -> None:
        super().__init__()
        self.alpha = np.asarray(alpha, np.float64)
        self.param_fmt = param_fmt

    def constants(self) -> dict[str, np.ndarray]:
        return {"param": self.alpha}

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        from core.compress.quantize import hls4ml_weight_values

        a = self.alpha
        fmt = self.param_fmt or (ctx.in_fmts[0] if ctx.quantized and ctx.in_fmts else None)
        if ctx.quantized and fmt is not None:
            a = hls4ml_weight_values(self.alpha.astype(np.float32), fmt)
        return np.where(xs[0] > 0, xs[0], a * xs[0])


# --- registration --------------------------------------------------------------------------------
def _table_factory(fn: str):
    def factory(act_config: dict[str, Any], bctx: BuildContext, name: str) -> LayerEmulator:
        size, fmt = table_spec(bctx, name)
        param = _row_precision(_row(bctx, name), "param")
        return TableActivation(fn, size, fmt, float(act_config.get("alpha", 1.0)), param)

    return factory


for _fn in ("sigmoid", "tanh", "softplus", "softsign", "elu", "selu"):
    register_activation(_fn)(_table_factory(_fn))


@register_activation("hard_sigmoid")
def _hard_sigmoid(act_config: dict[str, Any], bctx: BuildContext, name: str) -> LayerEmulator:
    return HardActivation(tanh=False)


@register_activation("leaky_relu")
def _leaky_relu(act_config: dict[str, Any], bctx: BuildContext, name: str) -> LayerEmulator:
    # hls4ml's default for the `leaky_relu` activation string is 0.2 (the LeakyReLU layer's 0.3)
    alpha = float(act_config.get("negative_slope", act_config.get("alpha", 0.2)))
    return LeakyReLUEmulator(alpha, _row_precision(_row(bctx, name), "param"))


def _add(layer: Any, ctx: BuildContext, class_name: str, emu: LayerEmulator) -> None:
    ctx.add(Node(layer.name, layer.name, class_name, ctx.inputs_of(layer), emu))


@register("LeakyReLU")
def build_leaky_relu(layer: Any, ctx: BuildContext) -> None:
    cfg = layer.get_config()
    alpha = float(cfg.get("negative_slope", cfg.get("alpha", 0.3)))
    _add(layer, ctx, "LeakyReLU", LeakyReLUEmulator(alpha, _row_precision(_row(ctx, layer.name), "param")))


@register("ThresholdedReLU")
def build_thresholded_relu(layer: Any, ctx: BuildContext) -> None:
    theta = float(layer.get_config().get("theta", 1.0))
    emu = ThresholdedReLUEmulator(theta, _row_precision(_row(ctx, layer.name), "param"))
    _add(layer, ctx, "ThresholdedReLU", emu)


@register("ELU")
def build_elu(layer: Any, ctx: BuildContext) -> None:
    size, fmt = table_spec(ctx, layer.name)
    alpha = float(layer.get_config().get("alpha", 1.0))
    param = _row_precision(_row(ctx, layer.name), "param")
    _add(layer, ctx, "ELU", TableActivation("elu", size, fmt, alpha, param))


@register("PReLU")
def build_prelu(layer: Any, ctx: BuildContext) -> None:
    from core.hls.emulate.base import EmulationError

    if layer.get_config().get("shared_axes") is not None:
        raise EmulationError(f"hls4ml converts PReLU without shared_axes only ({layer.name}).", layer.name)
    alpha = np.asarray(layer.get_weights()[0], np.float32)
    _add(layer, ctx, "PReLU", PReLUEmulator(alpha, _row_precision(_row(ctx, layer.name), "param")))
