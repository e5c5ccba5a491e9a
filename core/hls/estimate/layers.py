"""Per-layer costs of the analytic model (see :mod:`core.hls.estimate.analytic` for the model)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.hls.estimate.config import _Config
from core.hls.estimate.results import LayerEstimate
from core.hls.estimate.schedule import _Cost, _Op
from core.models.wrappers import layer_weights, unwrap_layer
from core.weights import FixedPointFormat

# --- model constants (documented in the module docstring) -----------------------------------------
LUT_PER_PRODUCT_BIT = 0.75
"""LUTs per partial-product bit of a multiplier implemented in LUTs (k in ``k·w_a·w_b``)."""
DSP_MIN_WIDTH = 10
"""A product uses DSPs when both operands are wider than this (bits)."""
CONST_DSP_MIN_BITS = 6
"""A product by a constant weight uses DSPs when the weight's magnitude needs this many bits or more
(the baselines: half of the ``normal(0, 0.05)`` weights of a 16-bit Conv2D, those ≥ 32/1024, went to
DSPs; the others to LUTs)."""
DSP_A_BITS, DSP_B_BITS = 27, 18
"""The DSP48E2 multiplier's operand widths."""
T_DSP_MUL_NS = 2.0
T_LUT_PP_NS = 0.5
T_ADD_NS = 0.6
T_CMP_NS = 0.6
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
        terms = {"dsp_mult": est.dsp, "lut_mult": lut * n, "lut_add": n * w_res.width}
        return [_streamed(_Cost(est, ops, w_res, words_out, terms=terms), stream, words_in, n * w_res.width)]
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
        terms = {"dsp_mult": est.dsp, ("lut_mult" if cls == "Multiply" else "lut_add"): est.lut}
        return [_streamed(_Cost(est, ops, w_res, words_out, terms=terms), stream, words_in, n * w_res.width)]
    est = LayerEstimate(name, cls, notes=[f"{cls} is not modelled by the estimate (counted as free)"])
    return [_Cost(est, [], fmt_in, words_out)]


def _streamed(cost: _Cost, stream: bool, words_in: int, word_bits: int, fill: int = 1) -> _Cost:
    """In io_stream a layer reads ``words_in`` words (one per cycle) and passes its output through
    a FIFO of ``word_bits``-bit words: its busy time, the input it needs before its first output
    and the stream terms of the calibration."""
    if stream:
        cost.stream_cycles = max(cost.stream_cycles, words_in)
        cost.fill = max(cost.fill, min(fill, words_in))
        cost.interval = max(cost.interval, cost.stream_cycles)
        cost.terms["lut_stream"] = cost.terms.get("lut_stream", 0) + word_bits
        cost.terms["ff_stream"] = cost.terms.get("ff_stream", 0) + word_bits
    return cost


def _activation_kind(layer) -> str | None:
    """'linear', 'relu', 'softmax', 'sigmoid', ... or None when the layer has no activation."""
    cls = type(layer).__name__
    if cls == "Softmax":
        return "softmax"
    if cls in ("LeakyReLU", "PReLU"):
        return _leaky_kind(layer)
    if cls in ("ReLU", "ThresholdedReLU", "ELU"):
        return {"ReLU": "relu"}.get(cls, cls.lower())
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


def _leaky_kind(layer) -> str:
    """A leaky/parametric ReLU whose slopes are constants 0 or 1 is folded by HLS: a ReLU or a wire
    (the baselines: ``PReLU(alpha_initializer='zeros')`` costs what a ReLU costs, ``LeakyReLU(1.0)``
    almost nothing)."""
    try:
        if type(layer).__name__ == "PReLU":
            alpha = np.asarray(layer.get_weights()[0], dtype=np.float64)
        else:
            alpha = np.asarray(float(getattr(layer, "alpha", 0.3)))
    except Exception:
        return "leaky_relu"
    if alpha.size and np.all(alpha == 0):
        return "relu"
    if alpha.size and np.all(alpha == 1):
        return "linear"
    return "leaky_relu"


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
    ops: list[_Op] = []
    terms: dict[str, float] = {}
    if kind == "linear":
        est.notes.append("linear activation (or a slope of 1): no logic")
        return _streamed(_Cost(est, [], res, words), stream, words, n * res.width)
    if kind in ("relu", "leaky_relu", "thresholdedrelu"):
        est.lut = math.ceil(n * res.width / 2)
        ops.append(_Op(ns=T_RELU_NS, live_bits=n * res.width))
        terms["lut_relu"] = n * res.width
        if kind == "leaky_relu":
            est.lut += n * res.width
            ops.append(_Op(ns=T_ADD_NS, live_bits=n * res.width))
            terms["lut_relu"] += n * res.width
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
        terms.update(
            dsp_mult=est.dsp, lut_table=(2 * n + 1) * fmt_in.width, bram_table=est.bram_18k, lat_lookup=2
        )
        terms["lut_add"] = est.lut - lut * n
    else:  # a table look-up per element
        est.lut = math.ceil(n * fmt_in.width / 2)
        est.bram_18k = math.ceil(n / 2)
        ops += [
            _Op(ns=T_ADD_NS, live_bits=n * fmt_in.width),
            _Op(cycles=LOOKUP_CYCLES, live_bits=n * res.width),
        ]
        est.notes.append(f"{kind}: one {TABLE_SIZE}-entry table look-up per element")
        # an ELU/SELU also compares and selects (x > 0 ? x : table): its registers are a term of their own
        ff_key = "ff_table_select" if kind in ("elu", "selu") else "ff_table"
        terms.update({"lut_table": n * fmt_in.width, ff_key: n * (fmt_in.width + res.width)})
        terms.update(bram_table=est.bram_18k, lat_lookup=1)
    return _streamed(_Cost(est, ops, res, words, terms=terms), stream, words, n * res.width)


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
    ops: list[_Op] = [_Op(ns=t_level, live_bits=parallel * fmt_in.width) for _ in range(_levels(pool))]
    terms: dict[str, float] = {("lut_pool_max" if "Max" in cls else "lut_pool_avg"): est.lut}
    if "Average" in cls and pool & (pool - 1):  # 1/pool that is not a shift: a constant multiplication
        dsp, lut, delay = _multiplier(fmt_in.width, fmt_in.width)
        est.dsp, est.lut = est.dsp + dsp * parallel, est.lut + lut * parallel
        ops.append(_Op(ns=delay, live_bits=parallel * res.width))
        terms.update(dsp_mult=dsp * parallel, lut_mult=lut * parallel)
    if stream and "Global" not in cls and len(in_shape) == 3:
        kh = int(getattr(layer, "pool_size", (2, 2))[0])
        b, lut = _buffer(in_shape[1], in_shape[2] * fmt_in.width, kh - 1)
        est.bram_18k += b
        est.lut += lut
        terms.update(bram_fifo=b, lut_mem=lut)
    fill = words_in if "Global" in cls else (in_shape[1] if len(in_shape) == 3 else 1) + 1
    if stream and "Global" not in cls:
        terms.update(ff_window=pool * channels * fmt_in.width, lut_window=pool * channels * fmt_in.width)
    cost = _Cost(est, ops, res, _words(out_shape), terms=terms)
    return _streamed(cost, stream, words_in, channels * res.width, fill=fill)


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
    constant = not resource or rf == 1  # weights HLS sees as constants (folded bit by bit)
    dsp_each, lut_bits_each, t_mul, dsp_share, glue_each = _product_mapping(values, w_fmt, wa, constant)
    multipliers = math.ceil(mults / rf) * parallel_pixels
    adders = math.ceil(outputs * max(terms - 1, 0) / rf) * parallel_pixels
    est.multiplications = mults * positions
    est.zero_weights = zeros
    est.multipliers = multipliers
    est.dsp = round(multipliers * dsp_each)
    lut_bits = multipliers * lut_bits_each
    est.lut = math.ceil(LUT_PER_PRODUCT_BIT * lut_bits) + adders * acc.width
    cterms: dict[str, float] = {
        "dsp_mult": multipliers * dsp_each,
        "lut_mult": lut_bits,
        "lut_dsp": multipliers * dsp_share,
        "lut_cascade": multipliers * glue_each,
        "lut_add": adders * acc.width,
    }
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
            cterms["bram_rom"] = _bram18(depth, width)
        else:
            est.lut += math.ceil(depth / 64) * width
            cterms["lut_mem"] = math.ceil(depth / 64) * width
    if rf > 1:
        est.ff += outputs * parallel_pixels * acc.width  # accumulators kept across the reuse cycles

    ops: list[_Op] = []
    if rf > 1 and not (stream and "Conv" in cls):
        ops.append(_Op(cycles=rf - 1, live_bits=outputs * acc.width, wait=True))
    if multipliers:  # a DSP registers its product inside (no fabric FF)
        ops.append(_Op(ns=t_mul, live_bits=round(multipliers * (1 - dsp_share) * (wa + wb))))
    for level in range(1, _levels(terms) + 1):
        alive = outputs * parallel_pixels * math.ceil(terms / 2**level) * acc.width
        ops.append(_Op(ns=T_ADD_NS, live_bits=alive))
    if ops:
        ops[-1].live_bits = outputs * parallel_pixels * res.width
    if conv_parallel and n_partitions > 1:
        ops.append(
            _Op(cycles=(n_partitions - 1) * rf, live_bits=outputs * parallel_pixels * res.width, wait=True)
        )
        est.notes.append(
            f"{n_partitions} groups of {parallel_pixels} output pixel(s), one every {rf} cycle(s)"
        )
    fill = words_in
    if stream and "Conv" in cls:
        kh = int(kernel.shape[0]) if kernel.ndim == 4 else 1
        kw = int(kernel.shape[-3]) if kernel.ndim >= 3 else 1
        fill = (kh - 1) * (in_shape[1] if len(in_shape) == 3 else 1) + kw  # line buffer filled
        window = kh * kw * in_shape[-1] * wa  # the sliding window's registers and their muxes
        cterms.update(ff_window=window, lut_window=window)
        if len(in_shape) == 3:
            b, lut = _buffer(in_shape[1], in_shape[2] * wa, kh - 1)
            est.bram_18k += b
            est.lut += lut
            cterms.update(bram_fifo=b, lut_mem=cterms.get("lut_mem", 0) + lut)
    interval = n_partitions * rf
    barrier = conv_parallel and n_partitions != 1 or resource
    cost = _Cost(est, ops, res, _words(out_shape), interval=interval, barrier=barrier, terms=cterms)
    if stream:
        cost.stream_cycles = words_in * rf if "Conv" in cls else max(words_in, rf)
    return _streamed(cost, stream, words_in, out_shape[-1] * res.width, fill=fill)


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
    """The weights as the firmware holds them: hls4ml prints each one with as many decimals as
    the type has fractional bits, then casts it (:func:`core.compress.quantize.hls4ml_weight_values`
    does this bit for bit through text, ~50 ms per 100k weights; ``np.round`` to the same decimals
    differs from it only on rare ties, which does not move an estimate, and keeps it interactive)."""
    x = np.asarray(kernel, dtype=np.float64).reshape(-1)
    return fmt.quantize(np.round(x, max(0, int(fmt.f))))


def _exact_accum(a: FixedPointFormat, w: FixedPointFormat, n: int, bias: bool) -> FixedPointFormat:
    """hls4ml's 'auto' accumulator: no overflow, no rounding."""
    grow = math.ceil(math.log2(max(n, 1))) if n > 1 else 0
    integer = a.integer + w.integer + grow + int(bias)
    width = a.width + w.width + grow + int(bias)
    return FixedPointFormat(width, integer)


def _product_mapping(
    values: np.ndarray, w_fmt: FixedPointFormat, wa: int, constant: bool
) -> tuple[float, float, float, float, float]:
    """Mean cost of one product of a ``wa``-bit input by this layer's weights.

    Returns ``(DSPs, LUT partial-product bits, delay in ns, fraction of products in DSPs, bits
    of the adders joining the partial products of a product too wide for one DSP)``. A
    constant weight costs what its magnitude needs (HLS drops its leading zero bits; small ones
    become shift-and-add logic, :data:`CONST_DSP_MIN_BITS`); a weight read from memory costs its
    declared width. Zeros and ±2^k (no multiplier) are left out.
    """
    wb = w_fmt.width
    nz = np.abs(values[values != 0]) if constant else np.empty(0)
    if constant and nz.size:
        scaled = np.round(nz * 2.0 ** (w_fmt.width - w_fmt.integer))
        bits = np.floor(np.log2(np.maximum(scaled, 1))).astype(np.int64) + 1  # magnitude bits
        keep = scaled != np.exp2(bits - 1)  # powers of two are shifts
        bits = bits[keep]
        if bits.size:
            to_dsp = (bits >= CONST_DSP_MIN_BITS) & (wa > DSP_MIN_WIDTH)
            share = float(np.mean(to_dsp))
            table = np.array([_multiplier(wa, b + 1)[0] or 1 for b in range(int(bits.max()) + 1)])
            units = table[bits[to_dsp]]  # DSPs per product, by the weight's magnitude bits
            dsp = float(units.sum()) / bits.size if share else 0.0
            glue = float(np.sum((units > 1) * (wa + bits[to_dsp] + 1))) / bits.size if share else 0.0
            lut_bits = float(np.sum(wa * (bits[~to_dsp] + 1))) / bits.size
            delay = T_DSP_MUL_NS if share else T_LUT_PP_NS + T_ADD_NS * _levels(int(np.max(bits)) + 1)
            return dsp, lut_bits, delay, share, glue
    dsp, _, delay = _multiplier(wa, wb)
    if dsp:
        return float(dsp), 0.0, delay, 1.0, float((wa + wb) * (dsp > 1))
    return 0.0, float(wa * wb), delay, 0.0, 0.0


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
