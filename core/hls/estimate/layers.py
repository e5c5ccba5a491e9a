"""Per-layer costs of the analytic model (see :mod:`core.hls.estimate.analytic` for the model)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.hls.estimate.config import _Config
from core.hls.estimate.results import LayerEstimate
from core.models.wrappers import layer_weights, unwrap_layer
from core.weights import FixedPointFormat

# --- model constants (documented in the module docstring) -----------------------------------------
LUT_PER_PRODUCT_BIT = 0.75
"""LUTs per partial-product bit of a multiplier implemented in LUTs (k in ``k·w_a·w_b``)."""
DSP_MIN_WIDTH = 10
"""A product uses DSPs when both operands are wider than this (bits)."""
DSP_A_BITS, DSP_B_BITS = 27, 18
"""The DSP48E2 multiplier's operand widths."""
T_DSP_MUL_NS = 3.0
T_LUT_PP_NS = 0.5
T_ADD_NS = 0.8
T_CMP_NS = 0.8
T_RELU_NS = 0.4
LOOKUP_CYCLES = 1
ROM_BRAM_MIN_DEPTH = 32
"""A Resource-strategy weight ROM this deep or deeper goes to block RAM."""
FIFO_BRAM_MIN_BITS = 1024
TABLE_SIZE, TABLE_BITS = 1024, 18
_BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))

_FREE = {
    "InputLayer",
    "Flatten",
    "Reshape",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Permute",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "Concatenate",
    "RepeatVector",
}
_TABLE_ACTIVATIONS = (
    "sigmoid",
    "tanh",
    "softsign",
    "softplus",
    "elu",
    "selu",
    "gelu",
    "swish",
    "exponential",
)


# --- the schedule ------------------------------------------------------------------------------------
@dataclass
class _Op:
    """One step of a layer's schedule: combinational (``ns``) or a fixed number of cycles."""

    ns: float = 0.0
    cycles: int = 0
    live_bits: int = 0  # bits alive after the step (registered if a cycle boundary follows)


class _Clock:
    """Position in the schedule: whole cycles elapsed plus time used in the current cycle."""

    def __init__(self, usable_ns: float, cycles: int = 0, used: float = 0.0, last_live: int = 0) -> None:
        self.usable, self.cycles, self.used = usable_ns, cycles, used
        self.ff = 0
        self.last_live = last_live  # bits of the last values produced

    def copy(self) -> _Clock:
        return _Clock(self.usable, self.cycles, self.used, self.last_live)

    def key(self) -> tuple[int, float]:
        return self.cycles, self.used

    def boundary(self, live_bits: int) -> bool:
        """Close the current cycle (a register stage holding ``live_bits``); True if one was closed."""
        if self.used > 0:
            self.cycles += 1
            self.used = 0.0
            self.ff += live_bits
            return True
        return False

    def run(self, ops: list[_Op], live_in: int = 0) -> None:
        """Schedule ``ops`` (one layer) from the current position.

        Registers: a cut before the first operation holds the layer's input (``live_in`` bits);
        each cut inside the layer is counted with the *mean* width of the values the layer
        produces, not the width at the exact cut, so that the count changes smoothly with the
        operand widths instead of jumping with where a cut happens to fall.
        """
        comb = [op.live_bits for op in ops if not op.cycles]
        mean_live = int(round(sum(comb) / len(comb))) if comb else 0
        cuts, started = 0, False
        for op in ops:
            if op.cycles:
                if self.boundary(0):
                    cuts += started
                    self.ff += 0 if started else live_in
                self.cycles += op.cycles
                self.ff += op.live_bits
            elif op.ns > 0:
                if op.ns > self.usable or self.used + op.ns > self.usable:
                    if self.boundary(0):
                        cuts += started
                        self.ff += 0 if started else live_in
                    whole = math.ceil(op.ns / self.usable)
                    cuts += whole - 1
                    self.cycles += whole - 1
                    self.used = op.ns - (whole - 1) * self.usable
                else:
                    self.used += op.ns
            started = True
        self.ff += cuts * mean_live
        self.last_live = ops[-1].live_bits if ops else live_in

    def finish(self) -> int:
        """Cycles counting a partly used cycle as one."""
        return self.cycles + (1 if self.used > 0 else 0)


# --- per-layer costs ---------------------------------------------------------------------------------
@dataclass
class _Cost:
    est: LayerEstimate
    ops: list[_Op]
    out_fmt: FixedPointFormat
    words_out: int = 1  # stream words of the output tensor (io_stream)
    interval: int = 1
    barrier: bool = False  # forces dataflow


def _class_name(layer) -> str:
    return type(unwrap_layer(layer)).__name__


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, list):
        shape = shape[0]
    return tuple(int(d) if d is not None else 1 for d in tuple(shape)[1:])


def _words(shape: tuple[int, ...]) -> int:
    """Stream words of a tensor in io_stream: one per position, the last axis packed in a word."""
    return int(np.prod(shape[:-1])) if len(shape) > 1 else 1


def _is_mac(cls: str) -> bool:
    return any(k in cls for k in ("Dense", "Conv"))


def _layer_costs(
    layer, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool, fused_bn: bool
) -> list[_Cost]:
    inner = unwrap_layer(layer)
    name = layer.name
    out_shape = _shape(layer.output_shape)
    n_out_elems = int(np.prod(out_shape)) if out_shape else 1
    words_out = _words(out_shape)
    if cls in _FREE or cls == "Activation" and _activation_kind(inner) == "linear":
        res = cfg.fmt(name, cls, "result", fmt_in) if cls == "Activation" else fmt_in
        est = LayerEstimate(
            name, cls, notes=["no logic (data movement only)"] if cls not in ("InputLayer",) else []
        )
        if cls == "Activation":
            est.notes = ["linear activation: hls4ml removes it"]
        return [_Cost(est, [], res or fmt_in, words_out if cls not in ("Flatten", "Reshape") else words_in)]
    if _is_mac(cls):
        cost = _mac_cost(layer, name, cls, cfg, fmt_in, words_in, stream)
        activation = _activation_kind(inner)
        if activation in (None, "linear"):
            return [cost]
        act_name = f"{name}_{getattr(inner.activation, '__name__', activation)}"
        act = _activation_cost(
            act_name, "Activation", activation, cfg, cost.out_fmt, n_out_elems, words_out, stream
        )
        return [cost, act]
    if cls in (
        "Activation",
        "QActivation",
        "ReLU",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "Softmax",
        "ThresholdedReLU",
    ):
        kind = _activation_kind(inner) or cls.lower()
        return [_activation_cost(name, cls, kind, cfg, fmt_in, n_out_elems, words_out, stream)]
    if "Pooling" in cls:
        return [_pool_cost(inner, name, cls, cfg, fmt_in, words_in, stream)]
    if cls in ("BatchNormalization", "QBatchNormalization"):
        est = LayerEstimate(name, cls)
        if fused_bn:
            est.notes.append("folded into the previous layer (hls4ml fuses batch normalization)")
            return [_Cost(est, [], fmt_in, words_out)]
        w_res = cfg.fmt(name, cls, "result", cfg.default) or cfg.default
        dsp, lut, delay = _multiplier(fmt_in.width, cfg.default.width)
        n = n_out_elems if not stream else out_shape[-1]
        est.multiplications = est.multipliers = n
        est.dsp, est.lut = dsp * n, lut * n + n * w_res.width
        est.precision = {"input": fmt_in.width, "result": w_res.width}
        ops = [
            _Op(ns=delay, live_bits=n * (fmt_in.width + cfg.default.width)),
            _Op(ns=T_ADD_NS, live_bits=n * w_res.width),
        ]
        if stream:
            ops.insert(0, _Op(cycles=words_in))
        return [_Cost(est, ops, w_res, words_out, interval=words_in if stream else 1)]
    if cls in ("Add", "Subtract", "Average", "Maximum", "Minimum", "Multiply"):
        est = LayerEstimate(name, cls)
        w_res = cfg.fmt(name, cls, "result", fmt_in) or fmt_in
        n = n_out_elems if not stream else out_shape[-1]
        if cls == "Multiply":
            dsp, lut, delay = _multiplier(fmt_in.width, fmt_in.width)
            est.dsp, est.lut, est.multipliers = dsp * n, lut * n, n
        else:
            est.lut, delay = n * fmt_in.width, T_ADD_NS
        ops = [_Op(ns=delay, live_bits=n * w_res.width)]
        if stream:
            ops.insert(0, _Op(cycles=words_in))
        return [_Cost(est, ops, w_res, words_out, interval=words_in if stream else 1)]
    est = LayerEstimate(name, cls, notes=[f"{cls} is not modelled by the estimate (counted as free)"])
    return [_Cost(est, [], fmt_in, words_out)]


def _activation_kind(layer) -> str | None:
    """'linear', 'relu', 'softmax', 'sigmoid', ... or None when the layer has no activation."""
    cls = type(layer).__name__
    if cls == "Softmax":
        return "softmax"
    if cls in ("ReLU", "LeakyReLU", "PReLU", "ThresholdedReLU", "ELU"):
        return {"ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "leaky_relu"}.get(cls, cls.lower())
    act = getattr(layer, "activation", None)
    if act is None and cls == "QActivation":
        act = getattr(layer, "quantizer", None)
    if act is None:
        return None
    text = getattr(act, "__name__", None) or str(act)
    text = text.lower()
    if "softmax" in text:
        return "softmax"
    if "relu" in text:
        return "leaky_relu" if "leaky" in text else "relu"
    for kind in _TABLE_ACTIVATIONS:
        if kind in text:
            return kind
    if "hard_sigmoid" in text or "hard_tanh" in text:
        return "relu"  # piecewise linear: comparators, like a (clipped) ReLU
    return "linear"  # linear, quantized_bits (a cast), unknown: no logic


def _activation_cost(
    name: str,
    cls: str,
    kind: str,
    cfg: _Config,
    fmt_in: FixedPointFormat,
    n_elems: int,
    words: int,
    stream: bool,
) -> _Cost:
    est = LayerEstimate(name, cls)
    res = cfg.fmt(name, cls, "result", cfg.default) or cfg.default
    n = n_elems if not stream else max(1, n_elems // max(words, 1))  # parallel elements
    est.precision = {"input": fmt_in.width, "result": res.width}
    ops: list[_Op] = [_Op(cycles=words)] if stream else []
    if kind == "linear":
        est.notes.append("linear activation: hls4ml removes it")
        return _Cost(est, [], res, words)
    if kind in ("relu", "leaky_relu", "thresholdedrelu"):
        est.lut = math.ceil(n * res.width / 2)
        ops.append(_Op(ns=T_RELU_NS, live_bits=n * res.width))
        if kind == "leaky_relu":
            est.lut += n * res.width
            ops.append(_Op(ns=T_ADD_NS, live_bits=n * res.width))
    elif kind == "softmax":
        levels = _levels(n)
        est.lut = (n - 1) * fmt_in.width + n * fmt_in.width + (n - 1) * TABLE_BITS
        est.bram_18k = math.ceil(n / 2) + 1
        dsp, lut, delay = _multiplier(TABLE_BITS, TABLE_BITS)
        est.dsp, est.lut, est.multipliers = est.dsp + dsp * n, est.lut + lut * n, n
        ops += [_Op(ns=T_CMP_NS, live_bits=n * fmt_in.width) for _ in range(levels)]
        ops += [
            _Op(ns=T_ADD_NS, live_bits=n * fmt_in.width),
            _Op(cycles=LOOKUP_CYCLES, live_bits=n * TABLE_BITS),
            *[_Op(ns=T_ADD_NS, live_bits=n * TABLE_BITS) for _ in range(levels)],
            _Op(cycles=LOOKUP_CYCLES, live_bits=(n + 1) * TABLE_BITS),
            _Op(ns=delay, live_bits=n * res.width),
        ]
        est.notes.append("hls4ml's stable softmax: max, exp table, sum, 1/x table, multiply")
    else:  # a table look-up per element
        est.lut = math.ceil(n * fmt_in.width / 2)
        est.bram_18k = math.ceil(n / 2)
        ops += [
            _Op(ns=T_ADD_NS, live_bits=n * fmt_in.width),
            _Op(cycles=LOOKUP_CYCLES, live_bits=n * res.width),
        ]
        est.notes.append(f"{kind}: one {TABLE_SIZE}-entry table look-up per element")
    return _Cost(est, ops, res, words, interval=words if stream else 1)


def _pool_cost(
    layer, name: str, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool
) -> _Cost:
    est = LayerEstimate(name, cls)
    in_shape, out_shape = _shape(layer.input_shape), _shape(layer.output_shape)
    if "Global" in cls:
        pool = int(np.prod(in_shape[:-1])) if len(in_shape) > 1 else 1
    else:
        pool = int(np.prod(getattr(layer, "pool_size", (2,))))
    n_out = int(np.prod(out_shape))
    res = cfg.fmt(name, cls, "result", fmt_in) or fmt_in
    est.precision = {"input": fmt_in.width, "result": res.width}
    channels = out_shape[-1] if out_shape else 1
    parallel = channels if stream else n_out
    if stream and "Global" in cls:  # one running max/sum per channel, fed pixel by pixel
        est.lut = channels * fmt_in.width
    else:
        est.lut = max(pool - 1, 1) * parallel * fmt_in.width
    t_level = T_CMP_NS if "Max" in cls else T_ADD_NS
    ops: list[_Op] = [_Op(cycles=words_in)] if stream else []
    ops += [_Op(ns=t_level, live_bits=parallel * fmt_in.width) for _ in range(_levels(pool))]
    if "Average" in cls and pool & (pool - 1):  # 1/pool that is not a shift: a constant multiplication
        dsp, lut, delay = _multiplier(fmt_in.width, fmt_in.width)
        est.dsp, est.lut = est.dsp + dsp * parallel, est.lut + lut * parallel
        ops.append(_Op(ns=delay, live_bits=parallel * res.width))
    if stream and "Global" not in cls and len(in_shape) == 3:
        kh = int(getattr(layer, "pool_size", (2, 2))[0])
        b, lut = _buffer(in_shape[1], in_shape[2] * fmt_in.width, kh - 1)
        est.bram_18k += b
        est.lut += lut
    return _Cost(est, ops, res, _words(out_shape), interval=words_in if stream else 1)


def _mac_cost(
    layer, name: str, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool
) -> _Cost:
    """Dense and convolutions: multipliers, adder trees, weights memory. ``layer`` may be wrapped
    for training: the shapes are the wrapper's, the weights those of the layer inside
    (:func:`core.models.wrappers.layer_weights`), the settings the inner layer's."""
    est = LayerEstimate(name, cls)
    in_shape, out_shape = _shape(layer.input_shape), _shape(layer.output_shape)
    weights = [value for _, value in layer_weights(layer)]
    layer = unwrap_layer(layer)
    kernel = _quantized_kernel(layer, weights[0] if weights else np.zeros((1, 1)))
    use_bias = bool(getattr(layer, "use_bias", len(weights) > 1))
    w_fmt = cfg.fmt(name, cls, "weight", cfg.default) or cfg.default
    strategy = cfg.strategy(name, cls)
    resource = strategy.lower().startswith("resource")
    depthwise = "Depthwise" in cls
    if "Conv" in cls:
        n_filt = out_shape[-1]
        n_chan = in_shape[-1]
        kernel_size = int(np.prod(kernel.shape[:-2])) if kernel.ndim >= 3 else 1
        fan_in = kernel_size if depthwise else kernel_size * n_chan
        n_out = n_filt
        positions = int(np.prod(out_shape[:-1])) if len(out_shape) > 1 else 1
    else:
        fan_in = in_shape[-1] if in_shape else 1
        n_out = out_shape[-1] if out_shape else 1
        positions = int(np.prod(out_shape[:-1])) if len(out_shape) > 1 else 1
    n_weights = int(kernel.size)
    values = _hls_values(kernel, w_fmt)
    zeros = int(np.count_nonzero(values == 0))
    magnitude = np.abs(values[values != 0])
    pow2 = int(np.count_nonzero(np.exp2(np.round(np.log2(magnitude))) == magnitude)) if magnitude.size else 0
    outputs = max(n_weights // max(fan_in, 1), 1) if depthwise else max(n_out, 1)  # sums per pixel
    if resource:
        mults, terms = n_weights, fan_in + int(use_bias)
    else:
        mults = n_weights - zeros - pow2
        terms = max(1, math.ceil((n_weights - zeros) / outputs)) + int(use_bias)
    rf = _valid_reuse_factor(fan_in, n_weights // max(fan_in, 1), cfg.reuse_factor(name, cls))
    pf = int(cfg.extra(name, cls, "ParallelizationFactor", 1) or 1)
    conv_parallel = "Conv" in cls and not stream
    parallel_pixels = max(1, min(pf, positions)) if conv_parallel else 1
    n_partitions = math.ceil(positions / parallel_pixels) if conv_parallel else 1

    wa, wb = fmt_in.width, w_fmt.width
    acc = cfg.fmt(name, cls, "accum", None) or _exact_accum(fmt_in, w_fmt, fan_in, use_bias)
    # 'auto' is hls4ml's exact width; no row at all is TrigLab's default (make_config's choice)
    res = (
        acc if cfg.is_auto(name, cls, "result") else cfg.fmt(name, cls, "result", cfg.default) or cfg.default
    )
    dsp_each, lut_each, t_mul = _multiplier(wa, wb)
    multipliers = math.ceil(mults / rf) * parallel_pixels
    adders = math.ceil(outputs * max(terms - 1, 0) / rf) * parallel_pixels
    est.multiplications = mults * positions
    est.zero_weights = zeros
    est.multipliers = multipliers
    est.dsp = multipliers * dsp_each
    est.lut = multipliers * lut_each + adders * acc.width
    est.reuse_factor, est.strategy = rf, strategy
    est.precision = {"input": wa, "weight": wb, "accum": acc.width, "result": res.width}
    if zeros and not resource:
        est.notes.append(f"{zeros} of {n_weights} weights are 0 in {w_fmt}: no multiplier, no adder")
    if pow2 and not resource:
        est.notes.append(f"{pow2} weights are ±2^k: shifts, no multiplier")
    if resource:
        depth, width = rf, math.ceil(n_weights / rf) * wb
        if depth >= ROM_BRAM_MIN_DEPTH:
            est.bram_18k += _bram18(depth, width)
        else:
            est.lut += math.ceil(depth / 64) * width
    if rf > 1:
        est.ff += outputs * parallel_pixels * acc.width  # accumulators kept across the reuse cycles

    ops: list[_Op] = []
    if stream and "Conv" in cls:  # one input pixel every rf cycles
        ops.append(_Op(cycles=max(words_in * rf - 1, 0), live_bits=outputs * acc.width))
    else:
        if stream:  # read the whole input first
            ops.append(_Op(cycles=max(words_in - 1, 0)))
        if rf > 1:
            ops.append(_Op(cycles=rf - 1, live_bits=outputs * acc.width))
    if multipliers:  # a DSP registers its product inside (no fabric FF)
        ops.append(_Op(ns=t_mul, live_bits=0 if dsp_each else multipliers * (wa + wb)))
    for level in range(1, _levels(terms) + 1):
        alive = outputs * parallel_pixels * math.ceil(terms / 2**level) * acc.width
        ops.append(_Op(ns=T_ADD_NS, live_bits=alive))
    if ops:
        ops[-1].live_bits = outputs * parallel_pixels * res.width
    if conv_parallel and n_partitions > 1:
        ops.append(_Op(cycles=(n_partitions - 1) * rf, live_bits=outputs * parallel_pixels * res.width))
        est.notes.append(
            f"{n_partitions} groups of {parallel_pixels} output pixel(s), one every {rf} cycle(s)"
        )
    if stream and "Conv" in cls and len(in_shape) == 3:
        kh = int(kernel.shape[0]) if kernel.ndim == 4 else 1
        b, lut = _buffer(in_shape[1], in_shape[2] * wa, kh - 1)
        est.bram_18k += b
        est.lut += lut
    if stream:
        b, lut = _buffer(_words(out_shape), out_shape[-1] * res.width, 1)  # the output FIFO
        est.bram_18k += b
        est.lut += lut
        interval = max(words_in * rf, 1) if "Conv" in cls else max(words_in, rf)
    else:
        interval = n_partitions * rf
    barrier = conv_parallel and n_partitions != 1 or resource
    return _Cost(est, ops, res, _words(out_shape), interval=interval, barrier=barrier)


def _quantized_kernel(layer, kernel: np.ndarray) -> np.ndarray:
    """The kernel as QKeras quantizes it (hls4ml converts QKeras weights through the quantizer)."""
    quantizer = getattr(layer, "kernel_quantizer_internal", None) or getattr(
        layer, "depthwise_quantizer_internal", None
    )
    if quantizer is None:
        return np.asarray(kernel)
    try:
        return np.asarray(quantizer(kernel.astype(np.float32)))
    except Exception:
        return np.asarray(kernel)


def _hls_values(kernel: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """The weights as the firmware holds them (decimal text, then the weight type)."""
    from core.compress.quantize import hls4ml_weight_values

    try:
        return hls4ml_weight_values(np.asarray(kernel, dtype=np.float64), fmt).reshape(-1)
    except Exception:
        return fmt.quantize(np.asarray(kernel, dtype=np.float64)).reshape(-1)


def _exact_accum(a: FixedPointFormat, w: FixedPointFormat, n: int, bias: bool) -> FixedPointFormat:
    """hls4ml's 'auto' accumulator: no overflow, no rounding."""
    grow = math.ceil(math.log2(max(n, 1))) if n > 1 else 0
    integer = a.integer + w.integer + grow + int(bias)
    width = a.width + w.width + grow + int(bias)
    return FixedPointFormat(width, integer)


def _multiplier(wa: int, wb: int) -> tuple[int, int, float]:
    """(DSPs, LUTs, delay in ns) of one multiplier of ``wa`` × ``wb`` bits."""
    if min(wa, wb) > DSP_MIN_WIDTH:
        dsp = min(
            math.ceil(wa / DSP_A_BITS) * math.ceil(wb / DSP_B_BITS),
            math.ceil(wa / DSP_B_BITS) * math.ceil(wb / DSP_A_BITS),
        )
        glue = (dsp - 1) * (wa + wb)  # adding the partial products of cascaded DSPs
        return dsp, glue, T_DSP_MUL_NS + (T_ADD_NS if dsp > 1 else 0.0)
    lut = math.ceil(LUT_PER_PRODUCT_BIT * wa * wb)
    return 0, lut, T_LUT_PP_NS + T_ADD_NS * _levels(max(min(wa, wb), 1))


def _levels(n: int) -> int:
    """Depth of a binary tree over ``n`` inputs."""
    return math.ceil(math.log2(n)) if n > 1 else 0


def _bram18(depth: int, width: int) -> int:
    """BRAM_18K blocks for a memory of ``depth`` words of ``width`` bits (best 18 Kb shape)."""
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in _BRAM18_SHAPES)


def _buffer(depth: int, width: int, count: int) -> tuple[int, int]:
    """(BRAM_18K, LUTs) of ``count`` FIFOs/shift registers of ``depth`` × ``width`` bits."""
    if count <= 0 or depth <= 0:
        return 0, 0
    if depth > 32 and depth * width > FIFO_BRAM_MIN_BITS:
        return count * _bram18(depth, width), 0
    return 0, count * math.ceil(depth / 32) * width


def _valid_reuse_factor(n_in: int, n_out: int, rf: int) -> int:
    """hls4ml's valid reuse factor closest to ``rf`` (``FPGABackend._validate_reuse_factor``)."""
    n_in, n_out, rf = max(int(n_in), 1), max(int(n_out), 1), max(int(rf), 1)
    total = n_in * n_out

    def valid(r: int) -> bool:
        mult_factor = min(n_in, r)
        limit = math.ceil(total / mult_factor)
        ok = (limit % n_out == 0) or (r >= n_in)
        ok = ok and ((r % n_in == 0) or (r < n_in))
        return ok and total % r == 0

    if valid(rf):
        return rf
    divisors = sorted(d for d in _divisors(total) if valid(d))
    if not divisors:
        return 1
    return min(divisors, key=lambda d: (abs(d - rf), d))


def _divisors(n: int) -> set[int]:
    out: set[int] = set()
    for d in range(1, math.isqrt(n) + 1):
        if n % d == 0:
            out.update((d, n // d))
    return out
