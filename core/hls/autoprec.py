"""Automatic precision: the fewest ``ap_fixed`` bits per layer that keep the firmware in agreement
with the Keras model.

hls4ml's default ``ap_fixed<16,6>`` often breaks a model silently: small weights lose their
precision, large activations wrap around. :func:`auto_precision` chooses every layer's weight,
bias and result precision from the model and calibration data instead.

**Method.**

1. *Integer bits* (sign included), so that nothing overflows on the calibration data:

   - weights and biases: the fewest that hold the largest value, ``ceil(log2 max|w|) + 1``
     (one more when the largest positive weight is a power of two, or when hls4ml's decimal text
     rounds it up past the range);
   - results (activations): the same rule on the largest ``|activation| x margin`` over the
     calibration events (``margin`` 1.25 by default leaves headroom for events beyond them);
     ReLU outputs, never negative, are unsigned (``ap_ufixed``: no sign bit); bounded outputs
     (softmax, sigmoid: ``ap_ufixed<W,1>``; tanh: ``ap_fixed<W,1>``) get their bound whatever
     the data;
   - max pooling, flatten and reshape keep their input's type (they compute nothing);
   - accumulators are exact, as hls4ml infers them (the width of weight x input plus
     ``ceil(log2 n)`` bits for the ``n`` terms of the sum): the only rounding is the result's;
   - a result that still overflows in the fixed-point emulation gets one more bit.

2. *Fractional bits*, searched with a fast numpy emulation of the firmware's fixed-point forward
   pass (Dense, Conv1D/2D, ReLU and other activations, pooling, flatten, hls4ml's stable softmax
   with its lookup tables). Weights are quantized as hls4ml writes them (decimal text, then
   truncation: :func:`core.compress.quantize.hls4ml_weight_values`), every result is truncated
   (``TRN``) and wrapped (``WRAP``) like ``ap_fixed``'s defaults. First one common number of
   fractional bits for every tensor, by bisection: the smallest that reaches the target; then each
   tensor (largest first) is trimmed on its own, by bisection, while the target still holds; a
   last pass tries one bit fewer everywhere (the agreement is monotonic in the bits only up to an
   event or two). The agreement is measured against the Keras model on the calibration events:

   - classification: the fraction of events where the firmware's argmax equals Keras's
     (default target 99.5 %);
   - regression: the fraction of events where every output is within ``rel_error`` of Keras's,
     relative to ``max(|y|, rms(y))`` per output (the RMS keeps outputs near zero from
     demanding infinite precision; default ``rel_error`` 1 %, target 99.5 %).

   The softmax is searched too. hls4ml's stable softmax looks ``exp(x_i - x_max)`` up in a table
   indexed by the top bits of ``x_max - x_i``: with the default 1024 entries over [0, 16) two
   classes closer than 1/64 get the same exponential, the same probability, and the argmax then
   picks the first of them (an untrained or uncertain network loses a few percent of agreement
   there). Its table input becomes ``ap_ufixed<W,3,AP_TRN,AP_SAT>`` (beyond 8 the exponential is
   below the table's step anyway) with ``2^W`` entries, ``W`` searched like a fractional width
   (``TableSize`` and the inverse table's input ``inv_inp_t`` follow).

3. *Verification* (``verify=True``): one real C simulation (hls4ml + g++, bit-accurate) on the
   calibration events confirms the agreement. If it misses the target, one fractional bit is
   added where hls4ml's per-layer trace says the error starts and the C simulation runs again
   (at most ``max_verify_rounds`` times).

The result says, per layer, what was chosen and why (``"result ap_fixed<10,3>: integer 3: max
|activation| 3.18 on 2000 calibration events (x1.25 headroom); fractional 7: 6 gives 99.25 % <
target"``).

**Emulation fidelity.** Dense, convolutions, ReLU, max pooling and flatten are bit-exact (float64
arithmetic on values that are exact in it up to 53 significant bits). The softmax follows hls4ml's
``stable`` implementation table by table; its exponentials come from numpy's float32 ``exp``,
which could differ from the C library's in the last bit (and then, rarely, in one table entry).
On the hands-on CNN and the jet MLP every output of every event equals the C simulation's
(``AutoPrecisionResult.emulation_vs_csim``). Sigmoid, tanh and the other table-based activations,
and average pooling, are emulated in floating point and then rounded: close, not exact. A
starting configuration with a narrower accumulator than hls4ml's exact one is emulated as exact.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.jobs import Progress, ensure_progress
from core.weights import FixedPointFormat

TASKS = ("classification", "regression")
_DENSE_LIKE = ("dense", "conv1d", "conv2d")
_PASS_KINDS = ("maxpool", "reshape", "identity")
# hls4ml's softmax tables and their types (FPGA backend defaults, fixed<18,8,RND,SAT>).
_SOFTMAX_TABLE_SIZE = 1024
_SOFTMAX_TABLE_FMT = FixedPointFormat(18, 8, True, "RND", "SAT")


# --- errors --------------------------------------------------------------------------------------
def _error(message: str, layer: str | None = None) -> Exception:
    from core.hls.errors import HlsError

    return HlsError(message, layer=layer)


# --- results -------------------------------------------------------------------------------------
@dataclass
class LayerChoice:
    """The precisions chosen for one layer (as hls4ml names it) and why.

    Attributes:
        name: The layer name (the Keras name; ``<name>_<activation>`` for an activation that Keras
            fuses into a Dense or convolution and hls4ml splits off).
        class_name: The operation (``"Dense"``, ``"Conv2D"``, ``"ReLU"``, ``"Softmax"``, ``"Input"``,
            ``"MaxPooling2D"``...).
        weight: ``ap_fixed<W,I>`` of the weights (None for layers without weights).
        bias: ``ap_fixed<W,I>`` of the biases.
        result: Precision of the layer's output.
        accum: Precision of the accumulator (exact; None for layers without one).
        why: One line per chosen precision, human readable.
        details: Per tensor (``"weight"``, ``"bias"``, ``"result"``): ``integer``, ``fractional``,
            ``signed``, ``max_abs`` (largest magnitude seen), ``agreement_one_bit_fewer`` (emulated
            agreement with one fractional bit fewer, None at the minimum).
        n_weights: Number of weights (kernel) and ``n_biases`` of biases, for storage bits.
        n_biases: Number of biases.
        extra: Other hls4ml layer keys chosen (softmax: ``inp_norm_t``, ``inv_inp_t`` and
            ``TableSize``: its exp table indexed finely enough, see :func:`auto_precision`).
    """

    name: str
    class_name: str
    weight: str | None = None
    bias: str | None = None
    result: str | None = None
    accum: str | None = None
    why: list[str] = field(default_factory=list)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    n_weights: int = 0
    n_biases: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def precisions(self) -> dict[str, str]:
        """``{"weight"|"bias"|"result"|"accum": precision}`` of the fields that are set."""
        return {k: v for k in ("weight", "bias", "result", "accum") if (v := getattr(self, k)) is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class_name": self.class_name,
            **dict.fromkeys(("weight", "bias", "result", "accum")),
            **self.precisions(),
            "why": list(self.why),
            "details": {k: dict(v) for k, v in self.details.items()},
            "n_weights": self.n_weights,
            "n_biases": self.n_biases,
            "extra": dict(self.extra),
        }


@dataclass
class AutoPrecisionResult:
    """What :func:`auto_precision` chose and how well it agrees with Keras.

    Attributes:
        task: ``"classification"`` or ``"regression"``.
        target: Required agreement (fraction of events, 0..1).
        rel_error: Regression tolerance (relative), None for classification.
        layers: One :class:`LayerChoice` per hls4ml layer, in model order (input first).
        agreement_emulated: Agreement of the chosen precisions in the emulation.
        agreement_start: Agreement of the starting configuration (hls4ml's defaults unless a
            config was given) in the emulation, for comparison.
        agreement_csim: Agreement in the real C simulation (None without verification).
        reached: Whether the target was reached (in the C simulation when verified).
        n_events: Calibration events used.
        margin: Headroom factor on the largest activations.
        max_width: Widest precision allowed.
        total_bits: Sum of the widths of every chosen weight, bias and result precision.
        storage_bits: Bits of all weights and biases as stored (count x width).
        evaluations: Emulated forward passes run by the search.
        verify_rounds: C simulations run.
        emulation_vs_csim: How closely the emulation reproduced the C simulation's outputs:
            ``identical_fraction`` (events with bit-identical outputs), ``max_abs_diff``,
            ``argmax_agreement``; None without verification.
        csim_report: The C-simulation report's dict (``CsimReport.to_dict()``), None without.
        notes: Remarks for the user (target not reachable, bits added after verification...).
        seconds: Wall time.
        profile: The calibration profile (:class:`core.hls.profile.ModelProfile`).
    """

    task: str
    target: float
    rel_error: float | None
    layers: list[LayerChoice]
    agreement_emulated: float
    agreement_start: float | None = None
    agreement_csim: float | None = None
    reached: bool = False
    n_events: int = 0
    margin: float = 1.25
    max_width: int = 32
    total_bits: int = 0
    storage_bits: int = 0
    evaluations: int = 0
    verify_rounds: int = 0
    emulation_vs_csim: dict[str, Any] | None = None
    csim_report: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    profile: Any = None

    def layer(self, name: str) -> LayerChoice:
        """The choice for the layer called ``name``."""
        for choice in self.layers:
            if choice.name == name:
                return choice
        raise KeyError(f"no layer named {name!r} in the auto-precision result")

    def precisions(self) -> dict[str, dict[str, str]]:
        """``{layer: {field: precision}}`` for every layer."""
        return {c.name: c.precisions() for c in self.layers}

    def apply(self, config: Any) -> Any:
        """A copy of ``config`` (an ``HlsConfig``) with the chosen precisions.

        Layers the config does not list are skipped. An hls4ml ``<name>_linear`` layer (the
        linear activation hls4ml adds after a Dense or convolution) gets its parent's result
        precision, so that hls4ml removes it instead of inserting a cast.

        Args:
            config: The configuration to start from (not modified).

        Returns:
            The new configuration.
        """
        new = config.copy()
        names = set(_config_layer_names(new))
        for choice in self.layers:
            for fld, value in choice.precisions().items():
                if choice.name in names:
                    _config_set(new, choice.name, fld, value)
            linear = f"{choice.name}_linear"
            if choice.result is not None and linear in names:
                _config_set(new, linear, "result", choice.result)
            if choice.extra and choice.name in names:
                new.layer(choice.name).extra.update(choice.extra)
        return new

    def summary(self) -> str:
        """A few lines for a log or a terminal."""
        pct = _pct
        head = f"auto precision ({self.task}, target {pct(self.target)}"
        head += f", rel. error {self.rel_error:g})" if self.rel_error is not None else ")"
        lines = [head]
        start = f" (start: {pct(self.agreement_start)})" if self.agreement_start is not None else ""
        lines.append(f"  emulated agreement {pct(self.agreement_emulated)}{start} on {self.n_events} events")
        if self.agreement_csim is not None:
            lines.append(f"  C-simulation agreement {pct(self.agreement_csim)}")
        lines.append(
            f"  {self.total_bits} bits over all precisions; weights and biases {self.storage_bits} bits"
        )
        for c in self.layers:
            precs = ", ".join(f"{k} {v}" for k, v in c.precisions().items())
            lines.append(f"  {c.name} ({c.class_name}): {precs}")
            lines.extend(f"      {w}" for w in c.why)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (the profile included, as its own ``to_dict``)."""
        return {
            "task": self.task,
            "target": self.target,
            "rel_error": self.rel_error,
            "layers": [c.to_dict() for c in self.layers],
            "agreement_emulated": self.agreement_emulated,
            "agreement_start": self.agreement_start,
            "agreement_csim": self.agreement_csim,
            "reached": self.reached,
            "n_events": self.n_events,
            "margin": self.margin,
            "max_width": self.max_width,
            "total_bits": self.total_bits,
            "storage_bits": self.storage_bits,
            "evaluations": self.evaluations,
            "verify_rounds": self.verify_rounds,
            "emulation_vs_csim": self.emulation_vs_csim,
            "csim_report": self.csim_report,
            "notes": list(self.notes),
            "seconds": self.seconds,
            "profile": self.profile.to_dict() if self.profile is not None else None,
        }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100.0 * x:.2f} %"


# --- config access (HlsConfig from core.hls.config) ---------------------------------------------
def _config_layer_names(config: Any) -> list[str]:
    names = []
    for row in config.layers():
        names.append(row["name"] if isinstance(row, dict) else row.name)
    return names


def _config_set(config: Any, layer: str, fld: str, value: str) -> None:
    from core.hls.errors import HlsError

    try:
        config.set(layer, fld, value)
    except HlsError:  # a field this layer does not have in hls4ml
        pass


# --- fixed-point helpers -------------------------------------------------------------------------
def _integer_bits(pos_max: float, neg_max: float, signed: bool) -> int:
    """Fewest integer bits (sign included) holding ``[-neg_max, pos_max]`` without overflow (TRN)."""
    bits = 1 if signed else 0
    if pos_max > 0:  # need pos_max < 2^(I - signed)
        bits = max(bits, math.floor(math.log2(pos_max)) + 1 + int(signed))
    if neg_max > 0 and signed:  # need neg_max <= 2^(I-1)
        bits = max(bits, math.ceil(math.log2(neg_max)) + 1)
    return bits


def _fmt(integer: int, frac: int, signed: bool) -> FixedPointFormat:
    return FixedPointFormat(integer + frac, integer, signed)


def _quantize(x: np.ndarray, fmt: FixedPointFormat) -> tuple[np.ndarray, int]:
    """``x`` stored in ``fmt`` (a new float64 array) and how many values overflowed."""
    if fmt.rounding != "TRN" or fmt.overflow != "WRAP":
        q = fmt.quantize(x)
        r = fmt.round_unbounded(x)
        return q, int(np.count_nonzero((r > fmt.max) | (r < fmt.min)))
    q = np.multiply(x, 2.0**fmt.f, dtype=np.float64)  # exact: a power of two
    np.floor(q, out=q)
    lo = -(2.0 ** (fmt.width - 1)) if fmt.signed else 0.0
    span = 2.0**fmt.width
    n_over = 0
    if q.size and (q.min() < lo or q.max() >= lo + span):  # rare: count, then wrap around
        n_over = int(np.count_nonzero((q < lo) | (q >= lo + span)))
        q -= lo
        np.mod(q, span, out=q)
        q += lo
    q *= 2.0**-fmt.f
    return q, n_over


def _ceillog2(x: int) -> int:
    """hls4ml's ``nnet::ceillog2`` (1 for x <= 2)."""
    return 1 if x <= 2 else 1 + _ceillog2((x + 1) // 2)


def _accum_format(
    in_fmt: FixedPointFormat, w_fmt: FixedPointFormat, b_fmt: FixedPointFormat, n_ops: int
) -> FixedPointFormat:
    """The accumulator hls4ml infers for a Dense or convolution (exact: no rounding, no overflow)."""
    n = math.ceil(math.log2(n_ops)) if n_ops > 1 else 0
    width = w_fmt.width + in_fmt.width + n
    integers = w_fmt.integer + in_fmt.integer + n
    signed = w_fmt.signed or in_fmt.signed
    frac = width - integers
    integers = (
        max(integers + int(b_fmt.signed and not signed), b_fmt.integer + int(signed and not b_fmt.signed)) + 1
    )
    width = integers + max(frac, b_fmt.width - b_fmt.integer)
    return FixedPointFormat(width, integers, signed or b_fmt.signed)


# --- the emulated model ----------------------------------------------------------------------------
@dataclass
class _Op:
    """One hls4ml layer of a chain: what it computes and what it holds."""

    name: str
    kind: str  # input dense conv1d conv2d relu softmax act maxpool avgpool reshape identity
    class_name: str
    keras_name: str
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def tunable(self) -> tuple[str, ...]:
        if self.kind in _DENSE_LIKE:
            return ("weight", "bias", "result")
        if self.kind in _PASS_KINDS:
            return ()
        if self.kind == "softmax":
            return ("result", "inp_norm")
        return ("result",)

    @property
    def n_ops(self) -> int:
        """Terms of each output's sum (Dense: inputs; convolution: kernel size x channels)."""
        return int(np.prod(self.weight.shape[:-1])) if self.weight is not None else 0


_ACTIVATION_CLASS = {
    "relu": "ReLU",
    "softmax": "Softmax",
    "sigmoid": "Sigmoid",
    "tanh": "TanH",
    "linear": "Linear",
}


def _activation_op(name: str, keras_name: str, activation: str) -> _Op:
    if activation == "relu":
        return _Op(name, "relu", "ReLU", keras_name)
    if activation == "softmax":
        return _Op(name, "softmax", "Softmax", keras_name)
    if activation == "linear":
        return _Op(name, "identity", "Linear", keras_name)
    if activation in (
        "sigmoid",
        "tanh",
        "softplus",
        "softsign",
        "elu",
        "selu",
        "swish",
        "gelu",
        "hard_sigmoid",
    ):
        return _Op(
            name, "act", _ACTIVATION_CLASS.get(activation, activation), keras_name, params={"fn": activation}
        )
    raise _error(
        f"Auto precision cannot emulate the activation '{activation}' of layer {keras_name}.", keras_name
    )


def _build_ops(model: Any) -> list[_Op]:
    """The hls4ml layers of a Keras model that is a single chain, in order."""
    from core.hls.profile import _input_layer_names

    inputs = _input_layer_names(model)
    if len(inputs) != 1 or len(model.outputs) != 1:
        raise _error("Auto precision handles models with one input and one output.")
    ops = [_Op(inputs[0], "input", "Input", inputs[0])]
    previous = inputs[0]
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        name = layer.name
        try:
            parent = layer.input._keras_history.layer.name
        except (AttributeError, ValueError, RuntimeError):
            parent = None
        if parent is not None and parent != previous:
            raise _error(
                f"Auto precision handles models whose layers form a single chain; layer {name} takes "
                f"its input from {parent}, not from {previous}.",
                name,
            )
        previous = name
        cfg = layer.get_config()
        if cls in ("Dense", "Conv1D", "Conv2D"):
            w = layer.get_weights()
            kernel = np.asarray(w[0], np.float64)
            bias = np.asarray(w[1], np.float64) if cfg.get("use_bias", True) and len(w) > 1 else None
            if bias is None:
                bias = np.zeros(kernel.shape[-1])
            params: dict[str, Any] = {}
            if cls != "Dense":
                if cfg.get("data_format", "channels_last") != "channels_last" or cfg.get("groups", 1) != 1:
                    raise _error(f"Auto precision handles channels-last convolutions only ({name}).", name)
                if any(d != 1 for d in np.atleast_1d(cfg.get("dilation_rate", 1))):
                    raise _error(f"Auto precision cannot emulate dilated convolutions ({name}).", name)
                params = {"strides": tuple(np.atleast_1d(cfg["strides"])), "padding": cfg["padding"]}
            kind = cls.lower()
            ops.append(_Op(name, kind, cls, name, kernel, bias, params))
            act = cfg.get("activation", "linear")
            if act != "linear":
                ops.append(_activation_op(f"{name}_{act}", name, act))
        elif cls == "Activation":
            ops.append(_activation_op(name, name, cfg["activation"]))
        elif cls == "ReLU":
            if cfg.get("max_value") is not None or cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
                raise _error(f"Auto precision emulates plain ReLU only ({name}).", name)
            ops.append(_Op(name, "relu", "ReLU", name))
        elif cls == "Softmax":
            ops.append(_Op(name, "softmax", "Softmax", name))
        elif cls in ("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"):
            if cfg.get("padding", "valid") != "valid":
                raise _error(f"Auto precision emulates 'valid' pooling only ({name}).", name)
            kind = "maxpool" if cls.startswith("Max") else "avgpool"
            params = {
                "pool": tuple(np.atleast_1d(cfg["pool_size"])),
                "strides": tuple(np.atleast_1d(cfg["strides"])),
            }
            ops.append(_Op(name, kind, cls, name, params=params))
        elif cls in ("Flatten", "Reshape"):
            ops.append(_Op(name, "reshape", cls, name, params={"shape": tuple(layer.output_shape[1:])}))
        elif cls == "Dropout":
            ops.append(_Op(name, "identity", cls, name))
        else:
            raise _error(
                f"Auto precision cannot emulate layer {name} ({cls}) yet; set its precisions by hand.", name
            )
    return ops


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, strides: tuple[int, ...], padding: str) -> np.ndarray:
    """Keras's channels-last convolution (1D or 2D) by im2col and matrix products (``same`` pads
    zeros, the extra one at the end). Exact in float64 for fixed-point values."""
    k = w.shape[:-2]
    if padding == "same":
        pads = []
        for size, kk, s in zip(x.shape[1:-1], k, strides):
            total = max((math.ceil(size / s) - 1) * s + kk - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    elif padding != "valid":
        raise _error(f"padding '{padding}' is not supported by the emulation")
    nd = len(k)
    out_shape = [(size - kk) // s + 1 for size, kk, s in zip(x.shape[1:-1], k, strides)]
    filters = w.shape[-1]
    wm = w.reshape(-1, filters)
    out = np.empty((x.shape[0], *out_shape, filters))
    # im2col a few events at a time: the patch matrix stays in the cache, one product per block.
    step = max(1, (1 << 19) // max(1, int(np.prod(out_shape)) * wm.shape[0]))
    strided = (slice(None),) + tuple(slice(None, None, s) for s in strides)
    order = (0, *range(1, 1 + nd), *range(2 + nd, 2 + 2 * nd), 1 + nd)  # (n, out..., k..., C)
    for start in range(0, x.shape[0], step):
        win = np.lib.stride_tricks.sliding_window_view(
            x[start : start + step], k, axis=tuple(range(1, 1 + nd))
        )
        cols = np.transpose(win[strided], order).reshape(-1, wm.shape[0])
        out[start : start + step] = (cols @ wm).reshape(-1, *out_shape, filters)
    out += b
    return out


def _pool(x: np.ndarray, pool: tuple[int, ...], strides: tuple[int, ...], reduce: Callable) -> np.ndarray:
    win = np.lib.stride_tricks.sliding_window_view(x, pool, axis=tuple(range(1, 1 + len(pool))))
    sl = (slice(None),) + tuple(slice(None, None, s) for s in strides)
    win = win[sl]
    return reduce(win, axis=tuple(range(-len(pool), 0)))


_FLOAT_ACT = {
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: (
        1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))
    ),
    "swish": lambda x: x / (1.0 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}


def _softmax_float(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class _SoftmaxSpec:
    """How hls4ml computes one softmax layer (from its configuration row)."""

    implementation: str = "stable"
    table_size: int = _SOFTMAX_TABLE_SIZE
    inp_norm: FixedPointFormat | None = None  # None: derived from the input type
    exp_table: FixedPointFormat = _SOFTMAX_TABLE_FMT
    inv_table: FixedPointFormat = _SOFTMAX_TABLE_FMT
    inv_inp: FixedPointFormat = _SOFTMAX_TABLE_FMT
    accum: FixedPointFormat = _SOFTMAX_TABLE_FMT


def _softmax_spec(config: Any, name: str) -> _SoftmaxSpec:
    """The softmax settings of layer ``name`` in an ``HlsConfig`` (hls4ml's defaults otherwise)."""
    try:
        row = config.layer(name)
    except Exception:
        return _SoftmaxSpec()
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

    return _SoftmaxSpec(
        implementation=str(extra.get("Implementation", "stable")).lower(),
        table_size=int(extra.get("TableSize", _SOFTMAX_TABLE_SIZE)),
        inp_norm=fmt("inp_norm", None),
        exp_table=fmt("exp_table", _SOFTMAX_TABLE_FMT),
        inv_table=fmt("inv_table", _SOFTMAX_TABLE_FMT),
        inv_inp=fmt("inv_inp", _SOFTMAX_TABLE_FMT),
        accum=fmt("accum", _SOFTMAX_TABLE_FMT),
    )


def _tuned_softmax(spec: _SoftmaxSpec, inp_norm: FixedPointFormat | None) -> _SoftmaxSpec:
    """``spec`` with the exp table indexed by ``inp_norm`` (all its bits: ``2^width`` entries) and
    the inverse table as large, indexed by every bit of its input (``inv_inp`` of the same width)."""
    if inp_norm is None:
        return spec
    inv = spec.inv_inp
    inv_inp = FixedPointFormat(inp_norm.width, inv.integer, inv.signed, inv.rounding, inv.overflow)
    return dataclasses.replace(spec, inp_norm=inp_norm, table_size=2**inp_norm.width, inv_inp=inv_inp)


def _softmax_extra(spec: _SoftmaxSpec, inp_norm: FixedPointFormat) -> dict[str, Any]:
    """The hls4ml layer keys that make a softmax use ``inp_norm`` (see :func:`_tuned_softmax`)."""
    tuned = _tuned_softmax(spec, inp_norm)
    return {"inp_norm_t": str(inp_norm), "inv_inp_t": str(tuned.inv_inp), "TableSize": tuned.table_size}


def _cast(x: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """``x`` converted to ``fmt`` with its rounding and overflow modes."""
    if fmt.rounding == "TRN" and fmt.overflow == "WRAP":
        return _quantize(x, fmt)[0]
    return fmt.quantize(np.asarray(x, np.float64))


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


def _softmax_hls(x: np.ndarray, in_fmt: FixedPointFormat, spec: _SoftmaxSpec) -> np.ndarray | None:
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
    n_exp, n_inv = _ceillog2(exp_size), _ceillog2(inv_size)
    with np.errstate(over="ignore", divide="ignore"):
        exp_table = _cast(np.exp(-_table_inputs(norm, n_exp, exp_size)).astype(np.float64), spec.exp_table)
        inv_in = _table_inputs(spec.inv_inp, n_inv, inv_size)
        inv = np.float32(1.0) / inv_in
    inv = np.where(np.isfinite(inv), inv, np.sign(inv) * 2.0 ** (spec.inv_table.width + 1)).astype(np.float64)
    inv_table = _cast(inv, spec.inv_table)
    d = _cast(x.max(axis=-1, keepdims=True) - x, norm)
    exp_res = _cast(exp_table[np.minimum(_table_index(d, norm, n_exp), exp_size - 1)], spec.accum)
    total = _cast(_cast(exp_res.sum(axis=-1), spec.accum), spec.inv_inp)
    inv_sum = inv_table[np.minimum(_table_index(total, spec.inv_inp, n_inv), inv_size - 1)]
    return exp_res * inv_sum[..., None]


class _Emulator:
    """Forward passes of the chain of ``_Op`` on fixed calibration inputs, float or fixed point."""

    def __init__(self, ops: list[_Op], x: np.ndarray, softmax: dict[str, _SoftmaxSpec] | None = None) -> None:
        self.ops = ops
        self.x = np.asarray(x, np.float32)
        self.softmax = dict(softmax or {})
        self.evaluations = 0
        self._wcache: dict[tuple[str, str, str], np.ndarray] = {}

    def _weights(self, op: _Op, which: str, fmt: FixedPointFormat | None) -> np.ndarray:
        from core.compress.quantize import hls4ml_weight_values

        values = op.weight if which == "weight" else op.bias
        if fmt is None:
            return values
        key = (op.name, which, str(fmt))
        if key not in self._wcache:
            self._wcache[key] = hls4ml_weight_values(values.astype(np.float32), fmt)
        return self._wcache[key]

    def run(
        self,
        fmts: dict[tuple[str, str], FixedPointFormat | None] | None,
        start: int = 0,
        cached: list[np.ndarray] | None = None,
        overflow: dict[str, int] | None = None,
    ) -> list[np.ndarray]:
        """Outputs of every op (list, op order).

        Args:
            fmts: ``{(op name, "weight"|"bias"|"result"): format}``; None = float everywhere; a
                missing or None result = exact (no rounding).
            start: First op to compute; ``cached`` must then hold the outputs of the ops before.
            cached: Outputs of a previous run (only ``[:start]`` is used).
            overflow: Filled with the number of overflowing results per op, when given.
        """
        self.evaluations += 1
        outs: list[np.ndarray] = list(cached[:start]) if start else []
        quant = fmts is not None
        in_fmt: FixedPointFormat | None = None
        if start:
            in_fmt = self.result_format(fmts, start - 1) if quant else None
        a = outs[-1] if start else self.x
        for i in range(start, len(self.ops)):
            op = self.ops[i]
            rfmt = fmts.get((op.name, "result")) if quant else None
            if op.kind == "input":
                v = a.astype(np.float32).astype(np.float64)
            elif op.kind in _DENSE_LIKE:
                w = self._weights(op, "weight", fmts.get((op.name, "weight")) if quant else None)
                b = self._weights(op, "bias", fmts.get((op.name, "bias")) if quant else None)
                if op.kind == "dense":
                    v = a @ w + b
                else:
                    v = _conv(a, w, b, op.params["strides"], op.params["padding"])
            elif op.kind == "relu":
                v = np.maximum(a, 0.0)
            elif op.kind == "softmax":
                v = None
                if quant and in_fmt is not None:
                    spec = _tuned_softmax(
                        self.softmax.get(op.name, _SoftmaxSpec()), fmts.get((op.name, "inp_norm"))
                    )
                    v = _softmax_hls(a, in_fmt, spec)
                if v is None:
                    v = _softmax_float(a)
            elif op.kind == "act":
                v = _FLOAT_ACT[op.params["fn"]](a)
            elif op.kind == "maxpool":
                v = _pool(a, op.params["pool"], op.params["strides"], np.max)
            elif op.kind == "avgpool":
                v = _pool(a, op.params["pool"], op.params["strides"], np.mean)
            elif op.kind == "reshape":
                v = a.reshape(a.shape[0], *op.params["shape"])
            else:  # identity
                v = a
            if quant and op.kind not in _PASS_KINDS:
                if rfmt is not None:
                    v, n_over = _quantize(v, rfmt)
                    if overflow is not None:
                        overflow[op.name] = n_over
                    in_fmt = rfmt
                else:
                    in_fmt = None
            outs.append(v)
            a = v
        return outs

    def result_format(self, fmts: dict, index: int) -> FixedPointFormat | None:
        """The type of op ``index``'s output (pass-through ops keep their input's)."""
        while index >= 0 and self.ops[index].kind in _PASS_KINDS:
            index -= 1
        return fmts.get((self.ops[index].name, "result")) if index >= 0 else None


# --- agreement -----------------------------------------------------------------------------------
class _Scorer:
    def __init__(self, reference: np.ndarray, task: str, rel_error: float) -> None:
        self.task = task
        self.ref = np.asarray(reference, np.float64).reshape(len(reference), -1)
        self.rel_error = rel_error
        self.ref_arg = self.ref.argmax(axis=1)
        rms = np.sqrt(np.mean(self.ref**2, axis=0))
        self.scale = np.maximum(np.abs(self.ref), np.where(rms > 0, rms, 1.0))

    def __call__(self, out: np.ndarray) -> float:
        y = np.asarray(out, np.float64).reshape(len(out), -1)
        if self.task == "classification":
            return float(np.mean(y.argmax(axis=1) == self.ref_arg))
        ok = np.all(np.abs(y - self.ref) <= self.rel_error * self.scale, axis=1)
        return float(np.mean(ok))


# --- the search ----------------------------------------------------------------------------------
@dataclass
class _Tensor:
    op: int
    fld: str
    integer: int
    signed: bool
    f_min: int
    f_max: int
    size: int
    max_abs: float
    frac: int = 0
    note: str = ""
    extremes: tuple[float, float] | None = None  # weights: (largest, smallest) value

    def integer_at(self, frac: int) -> int:
        """Integer bits at ``frac`` fractional bits: one more for weights whose largest magnitude
        hls4ml's decimal printing rounds up past the range (0.99999 written as "1.000")."""
        if self.extremes is None:
            return self.integer
        fmt = _fmt(self.integer, frac, self.signed)
        from core.compress.quantize import hls4ml_decimal

        printed = hls4ml_decimal(np.asarray(self.extremes, np.float64), fmt)
        return self.integer + int(printed[0] > fmt.max or printed[1] < fmt.min)

    def format_at(self, frac: int) -> FixedPointFormat:
        """The precision at ``frac`` fractional bits."""
        if self.fld == "inp_norm":
            return FixedPointFormat(self.integer + frac, self.integer, False, "TRN", "SAT")
        return _fmt(self.integer_at(frac), frac, self.signed)


def auto_precision(
    model: Any,
    x_calib: Any,
    *,
    task: str = "classification",
    target: float = 0.995,
    rel_error: float = 0.01,
    config: Any = None,
    max_width: int = 32,
    margin: float = 1.25,
    max_samples: int = 2000,
    verify: bool = True,
    max_verify_rounds: int = 2,
    cache_root: Any = None,
    progress: Progress | None = None,
) -> AutoPrecisionResult:
    """Choose per-layer ``ap_fixed`` precisions with the fewest bits that keep the firmware in
    agreement with the Keras model (method in the module docstring).

    Args:
        model: A Keras model whose layers form a chain (Dense, Conv1D/2D, activations, pooling,
            flatten, dropout).
        x_calib: Calibration inputs ``(N, *input_shape)``; the first ``max_samples`` are used.
        task: ``"classification"`` (argmax agreement) or ``"regression"`` (relative error).
        target: Fraction of calibration events that must agree (0..1).
        rel_error: Regression only: the relative error an output may have, relative to
            ``max(|y|, rms(y))``.
        config: The ``HlsConfig`` to start from (its other settings are kept); default
            ``make_config(model)``.
        max_width: Widest precision allowed (bits).
        margin: Headroom factor on the largest activation when choosing integer bits (>= 1).
        max_samples: Most calibration events used.
        verify: Confirm with a real C simulation (compiles the model with g++).
        max_verify_rounds: Most C simulations (each adds a bit where the trace shows the error
            starting, when the target is missed).
        cache_root: Folder for compiled projects (a temporary folder when None).
        progress: Job progress; cancellable between steps.

    Returns:
        The :class:`AutoPrecisionResult`.

    Raises:
        HlsError: For a model the emulation cannot handle or inconsistent arguments.
        Cancelled: When cancelled through ``progress``.
    """
    from core.hls.profile import profile_with_outputs

    progress = ensure_progress(progress)
    t0 = time.perf_counter()
    if task not in TASKS:
        raise _error(f"task must be one of {TASKS}, got {task!r}")
    if not 0.0 < target <= 1.0:
        raise _error(f"target must be a fraction in (0, 1], got {target}")
    if task == "regression" and not rel_error > 0:
        raise _error(f"rel_error must be > 0, got {rel_error}")
    if margin < 1.0:
        raise _error(f"margin must be >= 1, got {margin}")
    if max_width < 2:
        raise _error(f"max_width must be >= 2, got {max_width}")

    progress.update(0.0, "profiling on calibration data")
    ops = _build_ops(model)
    try:
        profile, keras_outputs = profile_with_outputs(model, x_calib, max_samples=max_samples)
    except ValueError as exc:
        raise _error(f"Calibration data: {exc}") from None
    x = keras_outputs[ops[0].name]
    reference = keras_outputs[model.layers[-1].name]
    n = int(x.shape[0])
    progress.check_cancelled()

    if config is None:
        from core.hls.config import make_config

        config = make_config(model)
    specs = {op.name: _softmax_spec(config, op.name) for op in ops if op.kind == "softmax"}
    emu = _Emulator(ops, x, specs)
    float_outs = emu.run(None)
    _check_float_pass(ops, float_outs, keras_outputs)
    scorer = _Scorer(reference, task, rel_error)
    notes: list[str] = []
    agreement_start = None
    try:
        agreement_start = scorer(emu.run(_config_formats(ops, config))[-1])
    except (ValueError, KeyError, TypeError) as exc:
        notes.append(f"the starting configuration could not be emulated ({exc})")
    progress.update(0.1, "integer bits")

    tensors = _integer_plan(ops, float_outs, specs, margin, max_width, n)
    search = _Search(emu, ops, tensors, scorer, target, progress.sub(0.1, 0.6 if verify else 0.95))
    search.run()
    agreement = search.best_score
    if agreement < target:
        notes.append(
            f"the target {_pct(target)} was not reached in emulation within {max_width} bits "
            f"(best {_pct(agreement)})"
        )
    progress.check_cancelled()

    result = _make_result(
        ops,
        tensors,
        search,
        task,
        target,
        rel_error if task == "regression" else None,
        n,
        margin,
        max_width,
    )
    result.agreement_start = agreement_start
    result.notes.extend(notes)
    result.profile = profile
    result.evaluations = emu.evaluations

    if verify:
        _verify(
            model, x, config, result, ops, tensors, search, scorer, max_verify_rounds, cache_root, progress
        )
    result.reached = (
        result.agreement_csim if result.agreement_csim is not None else result.agreement_emulated
    ) >= target
    result.evaluations = emu.evaluations
    result.seconds = time.perf_counter() - t0
    progress.update(1.0, "done")
    progress.log(result.summary())
    return result


def _check_float_pass(ops: list[_Op], outs: list[np.ndarray], keras: dict[str, np.ndarray]) -> None:
    """The float emulation must reproduce Keras; otherwise it does not understand the model."""
    last = {op.keras_name: i for i, op in enumerate(ops)}  # Keras gives a fused activation's output only
    for i, (op, out) in enumerate(zip(ops, outs)):
        k = keras.get(op.keras_name)
        if k is None or last[op.keras_name] != i:
            continue
        k = np.asarray(k, np.float64).reshape(out.shape)
        tol = 1e-3 * max(1.0, float(np.max(np.abs(k))))
        if float(np.max(np.abs(out - k))) > tol:
            raise _error(
                f"Auto precision's emulation does not reproduce Keras at layer {op.name} "
                f"(difference {float(np.max(np.abs(out - k))):.3g}); set its precisions by hand.",
                op.keras_name,
            )


def _config_formats(ops: list[_Op], config: Any) -> dict[tuple[str, str], FixedPointFormat | None]:
    """The formats a configuration gives each emulated tensor, "auto" resolved as hls4ml does."""
    from core.hls.profile import _default_precision, layer_precisions

    precs = layer_precisions(config)
    default = FixedPointFormat.parse(_default_precision(config))
    fmts: dict[tuple[str, str], FixedPointFormat | None] = {}

    def parse(text: str | None) -> FixedPointFormat | None:
        if text is None or str(text).strip().lower() == "auto":
            return None
        return FixedPointFormat.parse(str(text))

    in_fmt: FixedPointFormat | None = None
    for op in ops:
        p = precs.get(op.name, {})
        if op.kind in _PASS_KINDS:
            r = parse(p.get("result"))
            fmts[(op.name, "result")] = r if r is not None else in_fmt
            in_fmt = fmts[(op.name, "result")]
            continue
        if op.kind in _DENSE_LIKE:
            w = parse(p.get("weight")) or default
            b = parse(p.get("bias")) or default
            fmts[(op.name, "weight")], fmts[(op.name, "bias")] = w, b
            r = parse(p.get("result"))
            if r is None:
                r = _accum_format(in_fmt, w, b, op.n_ops) if in_fmt is not None else None
        else:
            r = parse(p.get("result")) or default
        fmts[(op.name, "result")] = r
        in_fmt = r
    return fmts


# Activations with a bounded output: (integer bits, signed) whatever the calibration data.
_BOUNDED = {
    "softmax": (1, False),
    "sigmoid": (1, False),
    "hard_sigmoid": (1, False),
    "tanh": (1, True),
    "softsign": (1, True),
}
_MAX_SOFTMAX_TABLE_BITS = 13  # exp and inverse tables of at most 8192 entries each


def _integer_plan(
    ops: list[_Op],
    outs: list[np.ndarray],
    specs: dict[str, _SoftmaxSpec],
    margin: float,
    max_width: int,
    n_events: int,
) -> list[_Tensor]:
    """Integer bits, signedness and fractional-bit bounds of every tunable tensor."""
    tensors: list[_Tensor] = []
    for i, op in enumerate(ops):
        for fld in op.tunable:
            f_limit = max_width
            if fld in ("weight", "bias"):
                values = op.weight if fld == "weight" else op.bias
                v = values.astype(np.float32).astype(np.float64)
                pos, neg = float(max(v.max(), 0.0)), float(max(-v.min(), 0.0))
                signed = True
                integer = _integer_bits(pos, neg, signed)
                note = f"max |{fld}| {max(pos, neg):.3g}"
                size = int(v.size)
            elif fld == "inp_norm":
                # x_max - x_i indexes the exp table; beyond (f+1) ln 2 the table holds exp = 0 anyway,
                # so the range stops there and every index bit goes into the step.
                v = np.zeros(0)
                exp_fmt = specs[op.name].exp_table
                reach = (exp_fmt.f + 1) * math.log(2.0)
                signed, integer = False, max(1, math.ceil(math.log2(reach)))
                note = (
                    f"softmax exp-table input x_max - x in [0, {2**integer}) (exp < its table step "
                    f"beyond {reach:.2g}); the table has 2^width entries"
                )
                f_limit = min(max_width, _MAX_SOFTMAX_TABLE_BITS)
                size = 0
            else:
                v = outs[i]
                fn = op.params.get("fn", op.kind)
                pos, neg = float(max(v.max(), 0.0)), float(max(-v.min(), 0.0))
                what = "input" if op.kind == "input" else "activation"
                note = f"max |{what}| {max(pos, neg):.3g} on {n_events} calibration events"
                if fn in _BOUNDED:
                    integer, signed = _BOUNDED[fn]
                    note += f" ({fn} is bounded by 1)"
                else:
                    signed = op.kind != "relu"
                    integer = _integer_bits(pos * margin, neg * margin, signed)
                    if margin != 1.0:
                        note += f" (x{margin:g} headroom)"
                size = int(np.prod(v.shape[1:]))
            if integer > f_limit:
                raise _error(
                    f"Layer {op.name} needs {integer} integer bits for its {fld}, more than max_width={max_width}.",
                    op.keras_name,
                )
            f_min = max(0, 1 - integer) if fld != "inp_norm" else max(0, 4 - integer)
            f_max = max(f_min, f_limit - integer)
            max_abs = float(np.max(np.abs(v))) if v.size else 0.0
            extremes = (float(v.max()), float(v.min())) if fld in ("weight", "bias") and v.size else None
            tensors.append(
                _Tensor(i, fld, integer, signed, f_min, f_max, size, max_abs, note=note, extremes=extremes)
            )
    return tensors


def _next_computing(ops: list[_Op], i: int) -> int | None:
    """Index of the first op after ``i`` that is not pass-through."""
    for j in range(i + 1, len(ops)):
        if ops[j].kind not in _PASS_KINDS:
            return j
    return None


class _Search:
    """Fractional bits: a common width by bisection, then each tensor trimmed by bisection."""

    def __init__(
        self,
        emu: _Emulator,
        ops: list[_Op],
        tensors: list[_Tensor],
        scorer: _Scorer,
        target: float,
        progress: Progress,
    ) -> None:
        self.emu, self.ops, self.tensors, self.scorer, self.target = emu, ops, tensors, scorer, target
        self.progress = progress
        self.best_score = 0.0
        self.reachable = True
        self.fewer: dict[int, float | None] = {}
        self.common_frac = 0
        self.outs: list[np.ndarray] | None = None

    def formats(self, override: dict[int, int] | None = None) -> dict[tuple[str, str], FixedPointFormat]:
        fmts: dict[tuple[str, str], FixedPointFormat] = {}
        for k, t in enumerate(self.tensors):
            frac = override.get(k, t.frac) if override else t.frac
            fmts[(self.ops[t.op].name, t.fld)] = t.format_at(frac)
        for i, op in enumerate(self.ops):  # pass-through ops keep their input's type
            if op.kind in _PASS_KINDS:
                fmts[(op.name, "result")] = self.emu.result_format(fmts, i - 1)
        return fmts

    def score(self, override: dict[int, int] | None = None, start: int = 0) -> tuple[float, list[np.ndarray]]:
        self.progress.check_cancelled()
        outs = self.emu.run(self.formats(override), start=start, cached=self.outs if start else None)
        return self.scorer(outs[-1]), outs

    def _set_common(self, frac: int) -> None:
        for t in self.tensors:
            t.frac = min(max(frac, t.f_min), t.f_max)

    def run(self) -> None:
        hi = max(t.f_max for t in self.tensors)
        lo = min(t.f_min for t in self.tensors)
        self._set_common(hi)
        s_hi, outs = self.score()
        self.progress.update(0.05, f"widest: {_pct(s_hi)}")
        if s_hi < self.target:  # unreachable: keep the widest
            self.best_score, self.outs, self.common_frac, self.reachable = s_hi, outs, hi, False
            return
        best = (hi, s_hi, outs)
        while lo < best[0]:
            mid = (lo + best[0]) // 2
            self._set_common(mid)
            s, outs = self.score()
            if s >= self.target:
                best = (mid, s, outs)
            else:
                lo = mid + 1
        self.common_frac, self.best_score, self.outs = best
        self._set_common(best[0])
        self.progress.update(0.3, f"common fractional bits {best[0]}: {_pct(best[1])}")
        order = sorted(range(len(self.tensors)), key=lambda k: (-self.tensors[k].size, self.tensors[k].op))
        for step, k in enumerate(order):
            self._trim(k)
            self.progress.update(
                0.3 + 0.5 * (step + 1) / len(order), f"trimming {self.ops[self.tensors[k].op].name}"
            )
        self.polish(order)
        self.progress.update(1.0, f"searched: {_pct(self.best_score)}")

    def polish(self, order: list[int], passes: int = 3) -> None:
        """One bit fewer for each tensor in turn, kept when the target still holds, until a pass
        changes nothing (the agreement is not exactly monotonic in the bits: one event more or
        less). That last pass leaves in ``self.fewer`` each tensor's agreement with one bit fewer."""
        for _ in range(passes):
            changed = False
            self.fewer = {}
            for k in order:
                t = self.tensors[k]
                if t.frac <= t.f_min:
                    self.fewer[k] = None
                    continue
                s, outs = self.score({k: t.frac - 1}, start=t.op)
                if s >= self.target:
                    t.frac -= 1
                    self.outs, self.best_score, changed = outs, s, True
                    s, _ = self.score({k: t.frac - 1}, start=t.op) if t.frac > t.f_min else (None, None)
                self.fewer[k] = s
            if not changed:
                return
        self.fewer = {}  # still changing: measured again on demand

    def _trim(self, k: int) -> None:
        t = self.tensors[k]
        start = t.op
        lo, hi = t.f_min, t.frac
        best_outs, best_score = None, None
        while lo < hi:
            mid = (lo + hi) // 2
            s, outs = self.score({k: mid}, start=start)
            if s >= self.target:
                hi, best_outs, best_score = mid, outs, s
            else:
                lo = mid + 1
        if best_outs is not None and hi < t.frac:
            t.frac = hi
            self.outs, self.best_score = best_outs, best_score

    def one_bit_fewer(self, k: int) -> float | None:
        """Emulated agreement with tensor ``k`` one fractional bit narrower (None at its minimum)."""
        if k in self.fewer:
            return self.fewer[k]
        t = self.tensors[k]
        if t.frac <= t.f_min:
            return None
        s, _ = self.score({k: t.frac - 1}, start=t.op)
        return s

    def refresh(self) -> float:
        """Re-run the whole emulation at the current formats (after a change of integer bits)."""
        self.fewer = {}
        s, outs = self.score()
        self.best_score, self.outs = s, outs
        return s


def _make_result(
    ops: list[_Op],
    tensors: list[_Tensor],
    search: _Search,
    task: str,
    target: float,
    rel_error: float | None,
    n_events: int,
    margin: float,
    max_width: int,
) -> AutoPrecisionResult:
    """Per-layer choices with their explanation (one extra emulation per tensor: one bit fewer)."""
    emu = search.emu
    # No result may overflow on the calibration events; a wrap found here costs one integer bit.
    for _ in range(3):
        overflow: dict[str, int] = {}
        emu.run(search.formats(), overflow=overflow)
        grown = False
        for t in tensors:
            name = ops[t.op].name
            if t.fld == "result" and overflow.get(name, 0):
                t.integer += 1
                t.f_max = max(t.f_min, max_width - t.integer)
                t.frac = min(t.frac, t.f_max)
                t.note += f"; +1 after {overflow[name]} overflows in the fixed-point emulation"
                grown = True
        if not grown:
            break
        search.refresh()
    fmts = search.formats()
    by_op: dict[int, list[int]] = {}
    for k, t in enumerate(tensors):
        by_op.setdefault(t.op, []).append(k)
    choices: list[LayerChoice] = []
    total_bits = storage = 0
    for i, op in enumerate(ops):
        choice = LayerChoice(op.name, op.class_name)
        if op.kind in _PASS_KINDS:
            r = fmts.get((op.name, "result"))
            choice.result = str(r) if r is not None else None
            choice.why.append("result: same type as its input (it computes nothing)")
            choices.append(choice)
            continue
        for k in by_op.get(i, []):
            t = tensors[k]
            f = fmts[(op.name, t.fld)]
            fewer = search.one_bit_fewer(k) if search.reachable else None
            choice.details[t.fld] = {
                "format": str(f),
                "integer": f.integer,
                "fractional": t.frac,
                "signed": t.signed,
                "max_abs": t.max_abs,
                "agreement_one_bit_fewer": fewer,
            }
            if not search.reachable:
                why_f = f"fractional {t.frac}: the most max_width allows (the target is out of reach)"
            elif fewer is None:
                why_f = f"fractional {t.frac}: the fewest possible"
            else:
                why_f = f"fractional {t.frac}: {t.frac - 1} gives {_pct(fewer)}"
                why_f += " < target" if fewer < target else " (also reaches the target)"
            sign = "" if t.signed else " (unsigned: never negative)"
            if t.fld == "inp_norm":
                choice.extra = _softmax_extra(emu.softmax.get(op.name, _SoftmaxSpec()), f)
                choice.why.append(
                    f"softmax table input {f}, {choice.extra['TableSize']} entries: integer {t.integer}: "
                    f"{t.note}; {why_f}"
                )
                continue
            setattr(choice, t.fld, str(f))
            total_bits += f.width
            grown = " (+1: hls4ml's decimal text rounds the largest up)" if f.integer > t.integer else ""
            choice.why.append(f"{t.fld} {f}: integer {f.integer}{grown}{sign}: {t.note}; {why_f}")
        if op.kind in _DENSE_LIKE:
            in_fmt = emu.result_format(fmts, i - 1)
            acc = _accum_format(in_fmt, fmts[(op.name, "weight")], fmts[(op.name, "bias")], op.n_ops)
            choice.accum = str(acc)
            choice.why.append(f"accum {acc}: exact for {op.n_ops} terms (as hls4ml infers it)")
            choice.n_weights, choice.n_biases = int(op.weight.size), int(op.bias.size)
            storage += choice.n_weights * fmts[(op.name, "weight")].width
            storage += choice.n_biases * fmts[(op.name, "bias")].width
        choices.append(choice)
    return AutoPrecisionResult(
        task=task,
        target=target,
        rel_error=rel_error,
        layers=choices,
        agreement_emulated=search.best_score,
        n_events=n_events,
        margin=margin,
        max_width=max_width,
        total_bits=total_bits,
        storage_bits=storage,
    )


# --- verification by C simulation ----------------------------------------------------------------
def _verify(
    model: Any,
    x: np.ndarray,
    config: Any,
    result: AutoPrecisionResult,
    ops: list[_Op],
    tensors: list[_Tensor],
    search: _Search,
    scorer: _Scorer,
    max_rounds: int,
    cache_root: Any,
    progress: Progress,
) -> None:
    """Compile, C-simulate and compare; add a bit where the trace shows the error starting."""
    import tempfile

    from core.hls.convert import compare_with_keras, compile_model, csimulate

    tmp = None
    if cache_root is None:
        tmp = tempfile.TemporaryDirectory(prefix="triglab-autoprec-")
        cache_root = tmp.name
    try:
        rounds = max(1, int(max_rounds))
        for r in range(rounds):
            span = 0.4 / rounds
            sub = progress.sub(0.6 + r * span, 0.6 + (r + 1) * span)
            progress.check_cancelled()
            sub.update(0.0, f"C simulation {r + 1}: compiling")
            compiled = compile_model(model, result.apply(config), cache_root, progress=sub.sub(0.0, 0.8))
            sub.update(0.8, "C simulation: comparing with Keras")
            report = compare_with_keras(model, compiled, x, task=result.task)
            y_csim = np.asarray(csimulate(compiled, x))
            result.verify_rounds = r + 1
            result.csim_report = report.to_dict() if hasattr(report, "to_dict") else None
            result.agreement_csim = scorer(y_csim)
            result.emulation_vs_csim = _emulation_match(search.outs[-1], y_csim)
            if result.agreement_csim >= result.target or r + 1 >= rounds:
                break
            bad = getattr(report, "first_bad_layer", None)
            grown = _add_bit(ops, tensors, bad)
            search.refresh()
            new = _make_result(
                ops,
                tensors,
                search,
                result.task,
                result.target,
                result.rel_error,
                result.n_events,
                result.margin,
                result.max_width,
            )
            keep = {k: getattr(result, k) for k in ("agreement_start", "profile", "notes")}
            result.layers, result.total_bits, result.storage_bits = (
                new.layers,
                new.total_bits,
                new.storage_bits,
            )
            result.agreement_emulated = new.agreement_emulated
            for k, v in keep.items():
                setattr(result, k, v)
            result.notes.append(
                f"C simulation {r + 1} agreed on {_pct(result.agreement_csim)} < {_pct(result.target)}: "
                f"one more fractional bit for {grown}"
            )
    finally:
        if tmp is not None:
            tmp.cleanup()


def _add_bit(ops: list[_Op], tensors: list[_Tensor], layer: str | None) -> str:
    """One more fractional bit for the tensors of the Keras layer ``layer`` (of the last layer
    before the output when the trace names none); returns what grew."""
    chosen = {i for i, op in enumerate(ops) if layer is not None and op.keras_name == layer}
    if not any(t.op in chosen for t in tensors):
        computing = [t.op for t in tensors if ops[t.op].kind != "softmax"]
        chosen = {max(computing)} if computing else set()
    touched = []
    for t in tensors:
        if t.op in chosen and t.frac < t.f_max:
            t.frac += 1
            touched.append(f"{ops[t.op].name} {t.fld}")
    return ", ".join(touched) or "nothing (already at max_width)"


def _emulation_match(emu: np.ndarray, csim: np.ndarray) -> dict[str, Any]:
    """How closely the emulated outputs reproduce the C simulation's."""
    a = np.asarray(emu, np.float64).reshape(len(emu), -1)
    b = np.asarray(csim, np.float64).reshape(len(csim), -1)
    # The C simulation returns float32 when given float32: compare at that precision.
    a32 = a.astype(np.float32).astype(np.float64)
    same = np.all(a32 == b, axis=1)
    return {
        "identical_fraction": float(np.mean(same)),
        "max_abs_diff": float(np.max(np.abs(a32 - b))) if a.size else 0.0,
        "argmax_agreement": float(np.mean(a.argmax(axis=1) == b.argmax(axis=1))),
        "events": int(len(a)),
    }
