"""The compression lab's live what-if preview: pruning masks and weight quantization, in plain numpy,
fast enough to follow a slider (no training, no TensorFlow).

What a preview does to each weight tensor, in this order:

1. **Pruning** (kernels only; biases and other weights are never pruned). The ``round(s × n)``
   smallest-magnitude weights of a kernel become 0 — exactly that many, as the ``prune``
   operation (:mod:`core.compress.masks`) removes them. ``scope="global"`` ranks the kernels of
   every layer together (one magnitude threshold for the network), ``"per_layer"`` brings each
   kernel to the target. A per-layer override (``{layer: sparsity}``) gives a sensitive layer
   its own target; the global ranking then runs over the other layers. In ``mode="threshold"``
   the value is a magnitude instead (weight units): every kernel weight with ``|w| <= value`` goes
   (the scope does not matter then); overrides stay sparsities.
2. **Quantization** (kernels and biases; batch-normalization and other weights stay float):

   * ``fixed``: ``ap_fixed<W,I>`` with its rounding and overflow modes, computed by
     :meth:`core.weights.FixedPointFormat.quantize` (the ``quantizers`` package's emulation).
     ``integer="auto"`` picks per tensor the fewest integer bits that hold its largest weight
     without overflow. The preview rounds the float value itself; hls4ml first prints each weight
     as a decimal with ``W - I`` digits, which moves a rare weight by one step — the
     ``fixed_point`` operation is the bit-exact one.
   * ``po2``: ``±2^e`` (QKeras ``quantized_po2`` style): one sign bit and ``bits - 1`` exponent
     bits, one code kept for 0, so ``2^(bits-1) - 1`` exponents ending at the largest weight's,
     ``e_max = round(log2 max|w|)``. ``log2 |w|`` is rounded to the nearest integer and clipped
     to the exponent range (so nothing overflows); ``|w| < 2^(e_min - 1)`` (closer to 0 than to
     the smallest power) becomes 0.
   * ``binary``: ``{-a, +a}`` with ``a`` = mean ``|w|`` of the non-zero weights of the tensor
     (XNOR-Net's optimal scale); ``w >= 0`` maps to ``+a``.
   * ``ternary``: ``{-a, 0, +a}``: ``|w| <= t × max|w|`` becomes 0 (``t`` = the threshold, a
     fraction of the tensor's largest magnitude; 0.33 is what QKeras's ``ternary(alpha="auto")``
     uses), ``a`` = mean ``|w|`` of the weights above it (the ternary-weight-networks scale).

   Scales and thresholds come from the tensor's weights *before* pruning, so moving the sparsity
   slider never re-quantizes: every mode has ``Q(0) = 0`` except binary, and a weight that is
   pruned (or was already 0) stays 0 whatever the quantizer, so ``Q(mask × w) = mask × Q(w)``.

**Speed.** A :class:`PreviewEngine` sorts each kernel by magnitude once, so the magnitude threshold
for a target sparsity is a lookup, and the global ranking is one merge of those sorted arrays. A
quantized tensor is kept in that order with suffix sums of its squared errors, overflow,
underflow and non-zero counts: the statistics for any number of pruned weights are then O(1),
and only the histograms count the kept weights (incrementally, from the previous slider
position). Only a change of the quantizer re-quantizes (~15 ms per million weights), and only the
layers whose settings changed are recomputed (``bench/bench_preview.py``).

**Sizes.** ``bytes_dense`` counts every weight at 32 bits; ``bytes_after`` counts the non-zero
weights at the quantizer's bits (32 when not quantized). The indices of a sparse format are not
counted: hls4ml unrolls a layer and drops the multiplications by zero weights at synthesis.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from core.compress.masks import check_sparsity, prune_count
from core.models.wrappers import named_variables
from core.weights import OVERFLOW_MODES, ROUNDING_MODES, FixedPointFormat, WeightHistogram, auto_bins

PRUNE_MODES = ("sparsity", "threshold")
SCOPES = ("global", "per_layer")
QUANT_KINDS = ("none", "fixed", "po2", "binary", "ternary")
PRUNABLE_NAMES = ("kernel",)
"""Weights the preview prunes (by their short name), as the ``prune`` operation: Dense and
convolution kernels."""
QUANTIZED_NAMES = ("kernel", "depthwise_kernel", "pointwise_kernel", "bias")
"""Weights the preview quantizes, as the ``fixed_point`` operation."""
MAX_GRID_LINES = 128
"""At most this many grid lines are drawn (finer grids are thinned by powers of two)."""
MAX_BINS = 200
_FLOAT_BITS = 32
_LAYER_CACHE = 8  # layer previews kept per layer (recent slider positions)
_QUANT_CACHE = 4  # quantized states kept per tensor (recent quantizer settings)


# --- settings -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PruneSettings:
    """What to prune.

    Attributes:
        mode: ``sparsity`` (``value`` is the fraction of kernel weights to remove, 0..1) or
            ``threshold`` (``value`` is a magnitude in weight units: ``|w| <= value`` goes).
        value: The target sparsity (fraction) or magnitude threshold (weight units).
        scope: ``global`` (one ranking over the kernels of every layer not overridden) or
            ``per_layer`` (each kernel to the target). Ignored in ``threshold`` mode.
        overrides: ``{layer: sparsity}``: layers with their own target (a fraction, whatever the
            mode), e.g. a sensitive first layer kept at 0.3.
    """

    mode: str = "sparsity"
    value: float = 0.0
    scope: str = "global"
    overrides: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in PRUNE_MODES:
            raise ValueError(f"unknown pruning mode {self.mode!r}; choose one of {', '.join(PRUNE_MODES)}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown pruning scope {self.scope!r}; choose one of {', '.join(SCOPES)}")
        value = float(self.value)
        if self.mode == "sparsity":
            check_sparsity(value)
        elif not value >= 0:
            raise ValueError(f"a magnitude threshold must be >= 0, got {self.value}")
        object.__setattr__(self, "value", value)
        overrides = {str(k): float(v) for k, v in dict(self.overrides or {}).items()}
        for name, s in overrides.items():
            check_sparsity(s, f"sparsity of '{name}'")
        object.__setattr__(self, "overrides", overrides)


@dataclass(frozen=True)
class QuantSettings:
    """How to quantize kernels and biases.

    Attributes:
        kind: ``none``, ``fixed`` (``ap_fixed<W,I>``), ``po2``, ``binary`` or ``ternary``.
        width: ``W``, total bits of a fixed-point weight, sign included.
        integer: ``I``, integer bits with the sign, or ``"auto"`` (per tensor, the fewest that
            hold its largest weight).
        rounding: ap_fixed rounding mode (``TRN`` truncates, ``RND`` rounds to nearest...).
        overflow: ap_fixed overflow mode (``WRAP`` wraps around, ``SAT`` saturates...).
        po2_bits: Bits of a power-of-two weight (sign + exponent code), >= 2.
        ternary_threshold: Ternary dead band as a fraction of the tensor's largest ``|w|``.
    """

    kind: str = "none"
    width: int = 8
    integer: int | str = "auto"
    rounding: str = "TRN"
    overflow: str = "WRAP"
    po2_bits: int = 4
    ternary_threshold: float = 0.33

    def __post_init__(self) -> None:
        if self.kind not in QUANT_KINDS:
            raise ValueError(f"unknown quantizer {self.kind!r}; choose one of {', '.join(QUANT_KINDS)}")
        if not 1 <= int(self.width) <= 32:
            raise ValueError(f"a fixed-point width must be 1..32 bits, got {self.width}")
        object.__setattr__(self, "width", int(self.width))
        if str(self.integer).strip().lower() == "auto":
            object.__setattr__(self, "integer", "auto")
        else:
            object.__setattr__(self, "integer", int(self.integer))
        if self.rounding.upper().removeprefix("AP_") not in ROUNDING_MODES:
            raise ValueError(
                f"unknown rounding mode {self.rounding!r}; choose one of {', '.join(ROUNDING_MODES)}"
            )
        if self.overflow.upper().removeprefix("AP_") not in OVERFLOW_MODES:
            raise ValueError(
                f"unknown overflow mode {self.overflow!r}; choose one of {', '.join(OVERFLOW_MODES)}"
            )
        object.__setattr__(self, "rounding", self.rounding.upper().removeprefix("AP_"))
        object.__setattr__(self, "overflow", self.overflow.upper().removeprefix("AP_"))
        if not 2 <= int(self.po2_bits) <= 16:
            raise ValueError(f"power-of-two weights need 2..16 bits, got {self.po2_bits}")
        object.__setattr__(self, "po2_bits", int(self.po2_bits))
        if not 0.0 <= float(self.ternary_threshold) < 1.0:
            raise ValueError(
                f"the ternary threshold is a fraction of max|w| in [0, 1), got {self.ternary_threshold}"
            )
        object.__setattr__(self, "ternary_threshold", float(self.ternary_threshold))

    def key(self) -> tuple:
        """The fields that matter for ``kind`` (equal keys quantize identically)."""
        if self.kind == "fixed":
            return ("fixed", self.width, self.integer, self.rounding, self.overflow)
        if self.kind == "po2":
            return ("po2", self.po2_bits)
        if self.kind == "ternary":
            return ("ternary", self.ternary_threshold)
        return (self.kind,)


@dataclass(frozen=True)
class PreviewSettings:
    """Everything a preview depends on: pruning, then quantization."""

    prune: PruneSettings = field(default_factory=PruneSettings)
    quant: QuantSettings = field(default_factory=QuantSettings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (see :meth:`from_dict`)."""
        p, q = self.prune, self.quant
        return {
            "prune": {"mode": p.mode, "value": p.value, "scope": p.scope, "overrides": dict(p.overrides)},
            "quant": {
                "kind": q.kind,
                "width": q.width,
                "integer": q.integer,
                "rounding": q.rounding,
                "overflow": q.overflow,
                "po2_bits": q.po2_bits,
                "ternary_threshold": q.ternary_threshold,
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PreviewSettings:
        """Settings from :meth:`to_dict`'s form (missing keys take their defaults)."""
        return cls(PruneSettings(**dict(d.get("prune") or {})), QuantSettings(**dict(d.get("quant") or {})))


def apply_params(settings: PreviewSettings, result: PreviewResult | None = None) -> dict[str, Any]:
    """The parameters of the compression operations that make these settings real.

    Pruning keys as the ``prune`` operation takes them (``sparsity``, ``scope``, ``per_layer``;
    in threshold mode ``sparsity`` is the one the threshold reached over the kernels, from
    ``result``); ``quantizer`` (the kind) and, for ``fixed``, ``width``, ``integer``,
    ``rounding``, ``overflow`` as ``fixed_point`` takes them; for the QKeras kinds ``mode``,
    ``weight_bits`` and ``ternary_threshold`` as ``qat`` takes them.
    """
    p, q = settings.prune, settings.quant
    sparsity = p.value
    if p.mode == "threshold":
        sparsity = result.prunable.sparsity if result is not None else 0.0
    out: dict[str, Any] = {
        "sparsity": round(float(sparsity), 4),
        "scope": p.scope,
        "per_layer": dict(p.overrides),
        "quantizer": q.kind,
    }
    if q.kind == "fixed":
        out.update(width=q.width, integer=q.integer, rounding=q.rounding, overflow=q.overflow)
    elif q.kind in ("po2", "binary", "ternary"):
        out.update(
            mode=q.kind, weight_bits=q.po2_bits if q.kind == "po2" else (1 if q.kind == "binary" else 2)
        )
        if q.kind == "ternary":
            out["ternary_threshold"] = q.ternary_threshold
    return out


# --- pure functions -----------------------------------------------------------------------------
def magnitude_threshold(sorted_abs: np.ndarray, sparsity: float) -> float:
    """The magnitude threshold that removes a fraction ``sparsity`` of weights: an O(1) lookup.

    Args:
        sorted_abs: ``|w|`` sorted ascending (flat).
        sparsity: Fraction to remove, in [0, 1).

    Returns:
        The largest magnitude removed (weight units; 0.0 when nothing is removed): with
        :func:`prune_mask`, exactly ``round(sparsity × n)`` weights go unless magnitudes tie.
    """
    k = prune_count(int(sorted_abs.size), sparsity)
    return float(sorted_abs[k - 1]) if k else 0.0


def prune_mask(w: ArrayLike, threshold: float) -> np.ndarray:
    """Keep-mask of the weights above a magnitude threshold.

    Args:
        w: Weights, any shape.
        threshold: Magnitude (weight units); ``|w| <= threshold`` is removed.

    Returns:
        Boolean array shaped like ``w``, True = keep.
    """
    return np.abs(np.asarray(w)) > threshold


def quantize_po2(w: ArrayLike, bits: int, max_abs: float | None = None) -> np.ndarray:
    """Powers of two ``±2^e`` with ``2^(bits-1) - 1`` exponents ending at ``round(log2 max|w|)``.

    Args:
        w: Weights, any shape.
        bits: Bits per weight (one sign bit, ``bits - 1`` for the exponent code, one code for 0).
        max_abs: The magnitude that fixes the largest exponent (default: ``max |w|``).

    Returns:
        float64 array shaped like ``w``: ``sign(w) 2^round(log2|w|)``, the exponent clipped to the
        range; 0 where ``|w| < 2^(e_min - 1)`` (and for ``w = 0``).
    """
    x = np.asarray(w, dtype=np.float64)
    if max_abs is None:
        max_abs = float(np.max(np.abs(x))) if x.size else 0.0
    return _po2(x, *_po2_exponents(max_abs, bits))


def quantize_binary(w: ArrayLike, scale: float | None = None) -> np.ndarray:
    """Binary weights ``{-a, +a}`` (``w >= 0`` gives ``+a``, so 0 maps to ``+a``, not 0).

    Args:
        w: Weights, any shape.
        scale: ``a`` (default: mean ``|w|`` of the non-zero weights, XNOR-Net's scale).

    Returns:
        float64 array shaped like ``w``.
    """
    x = np.asarray(w, dtype=np.float64)
    a = _binary_scale(x) if scale is None else float(scale)
    return np.where(x >= 0, a, -a)


def quantize_ternary(w: ArrayLike, threshold: float, scale: float | None = None) -> np.ndarray:
    """Ternary weights ``{-a, 0, +a}``.

    Args:
        w: Weights, any shape.
        threshold: Dead band as a fraction of ``max |w|``: ``|w| <= threshold × max|w|`` becomes 0.
        scale: ``a`` (default: mean ``|w|`` of the weights above the band, as ternary weight
            networks).

    Returns:
        float64 array shaped like ``w``.
    """
    x = np.asarray(w, dtype=np.float64)
    delta = float(threshold) * (float(np.max(np.abs(x))) if x.size else 0.0)
    a = _ternary_scale(x, delta) if scale is None else float(scale)
    return _ternary(x, delta, a)


def quantization_grid(
    settings: PreviewSettings | QuantSettings,
    lo: float,
    hi: float,
    quantizer: TensorQuantizer | None = None,
    max_lines: int = MAX_GRID_LINES,
) -> np.ndarray:
    """The values a quantizer can produce between ``lo`` and ``hi``: the lines to draw.

    Args:
        settings: The quantization settings.
        lo, hi: The range to draw over (weight units).
        quantizer: The tensor's resolved quantizer (:attr:`LayerPreview.quantizer`); without it,
            one is resolved from ``[lo, hi]`` as if those were the tensor's extreme weights (right
            for ``fixed`` and ``po2``; binary and ternary scales need the real weights).
        max_lines: Cap: a finer fixed-point grid is thinned to every 2nd, 4th... step; a
            power-of-two grid keeps its largest magnitudes.

    Returns:
        Sorted grid values (float64; empty for ``none``).
    """
    quant = settings.quant if isinstance(settings, PreviewSettings) else settings
    if quantizer is None:
        quantizer = resolve_quantizer(quant, np.array([lo, hi], dtype=np.float64))
    return quantizer.grid(lo, hi, max_lines)


# --- resolved quantizers ------------------------------------------------------------------------
@dataclass(frozen=True)
class TensorQuantizer:
    """A quantizer with the numbers resolved for one tensor (integer bits, scale, exponents).

    Attributes:
        kind: One of :data:`QUANT_KINDS`.
        bits: Bits per stored weight (32 for ``none``).
        fmt: The fixed-point format (``fixed`` only).
        scale: ``a`` of binary and ternary weights (weight units).
        threshold: Ternary dead band (weight units).
        exponents: ``(e_min, e_max)`` of power-of-two weights.
    """

    kind: str
    bits: int
    fmt: FixedPointFormat | None = None
    scale: float = 0.0
    threshold: float = 0.0
    exponents: tuple[int, int] = (0, 0)

    def quantize(self, w: np.ndarray) -> np.ndarray:
        """Quantized values of ``w`` (float64, same shape)."""
        if self.kind == "fixed":
            assert self.fmt is not None
            return self.fmt.quantize(w)
        x = np.asarray(w, dtype=np.float64)
        if self.kind == "po2":
            return _po2(x, *self.exponents)
        if self.kind == "binary":
            return np.where(x >= 0, self.scale, -self.scale)
        if self.kind == "ternary":
            return _ternary(x, self.threshold, self.scale)
        return x

    def overflows(self, w: np.ndarray) -> np.ndarray:
        """Which values overflow: for fixed point, those whose rounded value is outside the range
        (as :func:`core.weights.quantization_report` counts them); nothing for the other kinds."""
        if self.kind != "fixed":
            return np.zeros(np.shape(w), bool)
        fmt = self.fmt
        assert fmt is not None
        # Rounding moves a value by less than one step and keeps grid points, so only values
        # within one step outside the range need rounding to decide.
        over = (w > fmt.max + fmt.lsb) | (w < fmt.min - fmt.lsb)
        edge = ((w > fmt.max) | (w < fmt.min)) & ~over
        if edge.any():
            r = fmt.round_unbounded(w[edge])
            over[edge] = (r > fmt.max) | (r < fmt.min)
        return over

    def grid(self, lo: float, hi: float, max_lines: int = MAX_GRID_LINES) -> np.ndarray:
        """The representable values in ``[lo, hi]``, at most ``max_lines`` (see
        :func:`quantization_grid`)."""
        if self.kind == "fixed":
            assert self.fmt is not None
            lsb = self.fmt.lsb
            a, b = max(lo, self.fmt.min), min(hi, self.fmt.max)
            if a > b:
                return np.zeros(0)
            first, last = math.ceil(a / lsb - 1e-9), math.floor(b / lsb + 1e-9)
            count = last - first + 1
            stride = 1
            while count / stride > max_lines:
                stride *= 2
            first = math.ceil(first / stride) * stride
            return np.arange(first, last + 1, stride, dtype=np.float64) * lsb
        if self.kind == "po2":
            e_min, e_max = self.exponents
            mags = 2.0 ** np.arange(e_max, e_min - 1, -1, dtype=np.float64)
            mags = mags[: max(1, (max_lines - 1) // 2)]
            values = np.concatenate([-mags, [0.0], mags[::-1]])
        elif self.kind == "binary":
            values = np.array([-self.scale, self.scale])
        elif self.kind == "ternary":
            values = np.array([-self.scale, 0.0, self.scale])
        else:
            return np.zeros(0)
        return values[(values >= lo) & (values <= hi)]

    def describe(self) -> str:
        """Short text: ``ap_fixed<8,3>``, ``po2 4 bits (±2^-6..2^-1)``, ``binary ±0.031``..."""
        if self.kind == "fixed":
            return str(self.fmt)
        if self.kind == "po2":
            e_min, e_max = self.exponents
            return f"po2 {self.bits} bits (±2^{e_min}..2^{e_max})"
        if self.kind == "binary":
            return f"binary ±{self.scale:.4g}"
        if self.kind == "ternary":
            return f"ternary {{0, ±{self.scale:.4g}}}, |w| ≤ {self.threshold:.4g} → 0"
        return "float32"


def resolve_quantizer(quant: QuantSettings, w: np.ndarray) -> TensorQuantizer:
    """The quantizer of ``quant`` for the tensor ``w`` (auto integer bits, scales, exponents).

    Args:
        quant: The settings.
        w: The tensor's weights before pruning (flat or any shape).

    Returns:
        The :class:`TensorQuantizer`.
    """
    x = np.asarray(w).reshape(-1)
    max_abs = float(np.max(np.abs(x))) if x.size else 0.0
    if quant.kind == "fixed":
        integer = quant.integer
        if integer == "auto":
            integer = _auto_integer(x, quant)
        fmt = FixedPointFormat(quant.width, int(integer), True, quant.rounding, quant.overflow)
        return TensorQuantizer("fixed", quant.width, fmt=fmt)
    if quant.kind == "po2":
        return TensorQuantizer("po2", quant.po2_bits, exponents=_po2_exponents(max_abs, quant.po2_bits))
    if quant.kind == "binary":
        return TensorQuantizer("binary", 1, scale=_binary_scale(x))
    if quant.kind == "ternary":
        delta = quant.ternary_threshold * max_abs
        return TensorQuantizer("ternary", 2, scale=_ternary_scale(x, delta), threshold=delta)
    return TensorQuantizer("none", _FLOAT_BITS)


def _auto_integer(x: np.ndarray, quant: QuantSettings) -> int:
    """Fewest integer bits (sign included) holding the tensor's extremes after rounding."""
    if not x.size:
        return 1
    lo, hi = float(np.min(x)), float(np.max(x))
    m = max(abs(lo), abs(hi))
    if m == 0.0 or not math.isfinite(m):
        return 1
    start = math.floor(math.log2(m))  # never enough for +m, at most one too few for -m
    extremes = np.array([lo, hi], dtype=np.float64)
    for integer in range(start, start + 4):
        fmt = FixedPointFormat(quant.width, integer, True, quant.rounding, quant.overflow)
        r = fmt.round_unbounded(extremes)
        if r.max() <= fmt.max and r.min() >= fmt.min:
            return integer
    return start + 4  # pragma: no cover - the loop always finds one


def _po2_exponents(max_abs: float, bits: int) -> tuple[int, int]:
    e_max = round(math.log2(max_abs)) if max_abs > 0 and math.isfinite(max_abs) else 0
    return e_max - (2 ** (bits - 1) - 2), e_max


def _po2(x: np.ndarray, e_min: int, e_max: int) -> np.ndarray:
    a = np.abs(x)
    with np.errstate(divide="ignore"):
        e = np.clip(np.round(np.log2(a)), e_min, e_max)
    q = np.copysign(np.exp2(e), x)
    q[a < 2.0 ** (e_min - 1)] = 0.0
    return q


def _binary_scale(x: np.ndarray) -> float:
    a = np.abs(x[x != 0])
    return float(a.mean()) if a.size else 0.0


def _ternary_scale(x: np.ndarray, delta: float) -> float:
    a = np.abs(x)
    a = a[a > delta]
    return float(a.mean()) if a.size else 0.0


def _ternary(x: np.ndarray, delta: float, a: float) -> np.ndarray:
    return np.where(np.abs(x) > delta, np.copysign(a, x), 0.0)


# --- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewStats:
    """What a preview does to a set of weights (a tensor, a layer or the model).

    Attributes:
        size: Number of weights.
        pruned: Weights held at 0 by pruning (those already 0 included).
        zeros: Zeros in the preview (pruned, or quantized to 0).
        overflow: Kept weights outside the quantizer's range (wrapped or clipped).
        underflow: Kept non-zero weights that the quantizer turns into 0.
        sq_error: Sum of squared errors, preview minus original (weight units squared).
        max_abs_error: Largest ``|preview - original|`` (weight units; pruning included).
        bits_after: Bits of the stored non-zero weights (``nonzero × bits`` summed).
    """

    size: int = 0
    pruned: int = 0
    zeros: int = 0
    overflow: int = 0
    underflow: int = 0
    sq_error: float = 0.0
    max_abs_error: float = 0.0
    bits_after: int = 0

    def __add__(self, other: PreviewStats) -> PreviewStats:
        return PreviewStats(
            self.size + other.size,
            self.pruned + other.pruned,
            self.zeros + other.zeros,
            self.overflow + other.overflow,
            self.underflow + other.underflow,
            self.sq_error + other.sq_error,
            max(self.max_abs_error, other.max_abs_error),
            self.bits_after + other.bits_after,
        )

    @property
    def nonzero(self) -> int:
        """Non-zero weights in the preview."""
        return self.size - self.zeros

    @property
    def sparsity(self) -> float:
        """Fraction of zeros in the preview (0 for no weights)."""
        return self.zeros / self.size if self.size else 0.0

    @property
    def rms_error(self) -> float:
        """``sqrt(mean((preview - original)^2))`` over all the weights (weight units)."""
        return math.sqrt(self.sq_error / self.size) if self.size else 0.0

    @property
    def bytes_dense(self) -> int:
        """Every weight at 32-bit float (bytes)."""
        return self.size * _FLOAT_BITS // 8

    @property
    def bytes_after(self) -> float:
        """The non-zero weights at the quantizer's bits (bytes; sparse indices not counted)."""
        return self.bits_after / 8

    @property
    def compression(self) -> float:
        """``bytes_dense / bytes_after`` (inf when nothing is left)."""
        return self.bytes_dense / self.bytes_after if self.bits_after else math.inf


@dataclass(frozen=True, eq=False)
class LayerPreview:
    """One layer under a preview.

    Attributes:
        name: The layer.
        stats: Over all its weights.
        tensors: :class:`PreviewStats` per weight name.
        quantizers: The resolved :class:`TensorQuantizer` per weight name.
        histogrammed: The weights in the histograms (kernels; else all).
        hist_before: Histogram of the original weights (zeros apart).
        hist_after: Histogram of the preview, on the same bins.
        grid: Quantization grid values within the histogram's range (at most
            :data:`MAX_GRID_LINES`; empty when not quantized).
        target: The sparsity asked of its kernels (None in threshold mode or without kernels).
        threshold: The largest kernel magnitude removed (weight units; 0 when none).
    """

    name: str
    stats: PreviewStats
    tensors: dict[str, PreviewStats]
    quantizers: dict[str, TensorQuantizer]
    histogrammed: tuple[str, ...]
    hist_before: WeightHistogram
    hist_after: WeightHistogram
    grid: np.ndarray
    target: float | None
    threshold: float
    _parts: tuple = field(default=(), repr=False)  # ((_Tensor, _Quantized, k), ...)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def quantizer(self) -> TensorQuantizer | None:
        """The quantizer of the (first) histogrammed weight, the one the grid shows."""
        return self.quantizers.get(self.histogrammed[0]) if self.histogrammed else None

    @property
    def pruned_sparsity(self) -> float:
        """Fraction of its prunable (kernel) weights held at zero by pruning (0 without kernels)."""
        n = sum(t.size for t, _, _ in self._parts if t.prunable)
        return sum(k for t, _, k in self._parts if t.prunable) / n if n else 0.0

    def weights(self) -> dict[str, np.ndarray]:
        """``{weight name: preview values}`` (original shapes and dtypes; computed on first use)."""
        if not self._cache:
            self._cache.update({t.name: t.materialize(q, k) for t, q, k in self._parts})
        return dict(self._cache)


@dataclass(frozen=True, eq=False)
class PreviewResult:
    """A preview of the whole model.

    Attributes:
        settings: What was previewed.
        layers: :class:`LayerPreview` by layer name, in model order.
        total: Over every weight of the model.
        prunable: Over the prunable kernels only (``prunable.sparsity`` is the pruning reached).
        threshold: The global magnitude threshold (weight units; the largest removed magnitude in
            global sparsity mode, the value in threshold mode, None per layer).
    """

    settings: PreviewSettings
    layers: dict[str, LayerPreview]
    total: PreviewStats
    prunable: PreviewStats
    threshold: float | None

    def weights(self, changed_only: bool = True) -> dict[str, dict[str, np.ndarray]]:
        """``{layer: {weight name: preview values}}``.

        Args:
            changed_only: Leave out weights the preview never touches (batch normalization...).
        """
        out = {}
        for name, lp in self.layers.items():
            touched = {t.name for t, _, _ in lp._parts if t.prunable or t.quantized}
            ws = {n: a for n, a in lp.weights().items() if not changed_only or n in touched}
            if ws:
                out[name] = ws
        return out


# --- engine -------------------------------------------------------------------------------------
def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class _Quantized:
    """A tensor quantized with one quantizer, in the tensor's magnitude order, with suffix sums."""

    def __init__(self, t: _Tensor, quantizer: TensorQuantizer) -> None:
        w = t.w_sorted
        q = quantizer.quantize(w).astype(t.dtype)
        q[w == 0] = 0  # pruned stays pruned (binary has Q(0) != 0)
        self.quantizer, self.q_sorted = quantizer, q
        e = q.astype(np.float64) - w
        nz = q != 0
        self.q_min = float(q.min()) if q.size else 0.0
        self.q_max = float(q.max()) if q.size else 0.0
        # Suffix sums over sorted positions: element k sums the kept weights when k are pruned.
        self.suf_sq = _suffix_sum(e * e, t.prunable)
        self.suf_err = _suffix_max(np.abs(e), t.prunable)
        self.suf_ovf = _suffix_sum(quantizer.overflows(w), t.prunable)
        self.suf_unf = _suffix_sum(~nz & (w != 0), t.prunable)
        self.suf_nz = _suffix_sum(nz, t.prunable)
        self.bins: dict[tuple, _Binned] = {}


class _Binned:
    """Histogram bin indices of a quantized tensor (kept in magnitude order) on a layer's edges,
    with the counts of the last pruning level so a slider step only counts the weights it moves."""

    def __init__(self, q_sorted: np.ndarray, w_sorted: np.ndarray, edges: np.ndarray) -> None:
        self.nbins = edges.size - 1
        self.index = _bin_index(q_sorted, edges)
        self.before = np.bincount(_bin_index(w_sorted, edges), minlength=self.nbins + 1)
        self._last: tuple[int, np.ndarray] | None = None

    def kept_counts(self, k: int) -> np.ndarray:
        """Counts per slot (bins, then zeros) of the weights kept when the ``k`` smallest go."""
        m, n = self.nbins + 1, self.index.size
        if self._last is not None and abs(k - self._last[0]) < n - k:
            k0, c0 = self._last
            c = c0.copy()
            if k > k0:
                c -= np.bincount(self.index[k0:k], minlength=m)
            elif k < k0:
                c += np.bincount(self.index[k:k0], minlength=m)
        else:
            c = np.bincount(self.index[k:], minlength=m)
        self._last = (k, c)
        return c


def _bin_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin of each value on equal-width ``edges`` (the last bin closed), zeros in slot ``bins``."""
    bins = edges.size - 1
    lo, hi = float(edges[0]), float(edges[-1])
    b = (np.asarray(x, np.float64) - lo) * (bins / (hi - lo))
    np.clip(b, 0, bins - 1, out=b)
    idx = b.astype(np.intp)
    idx[x == 0] = bins
    return idx


def _suffix_sum(x: np.ndarray, full: bool) -> np.ndarray:
    """``out[k] = sum(x[k:])`` for k = 0..n (only k = 0 and n when not ``full``)."""
    if not full:
        return np.array([x.sum(dtype=np.float64 if x.dtype.kind == "f" else np.int64), 0])
    dtype = np.float64 if x.dtype.kind == "f" else (np.int32 if x.size < 2**31 else np.int64)
    out = np.zeros(x.size + 1, dtype)
    np.cumsum(x[::-1], dtype=dtype, out=out[-2::-1])
    return out


def _suffix_max(x: np.ndarray, full: bool) -> np.ndarray:
    if not full:
        return np.array([float(x.max()) if x.size else 0.0, 0.0])
    out = np.zeros(x.size + 1, np.float64)
    if x.size:
        np.maximum.accumulate(x[::-1], out=out[-2::-1])
    return out


class _Tensor:
    """One weight tensor with what the preview needs precomputed (sorted magnitudes if prunable)."""

    def __init__(
        self, layer: str, name: str, w: ArrayLike, prunable: bool, quantized: bool, counter: Counter
    ):
        self.layer, self.name = layer, name
        self.w = np.asarray(w)
        if self.w.dtype.kind != "f":
            self.w = self.w.astype(np.float32)
        self.dtype = self.w.dtype
        self.size = int(self.w.size)
        self.prunable, self.quantized = prunable, quantized
        self._counter = counter
        self._sorted: tuple | None = None
        self.quant: OrderedDict[tuple, _Quantized] = OrderedDict()

    def _prepare(self) -> tuple:
        if self._sorted is None:
            flat = self.w.reshape(-1)
            if self.prunable:
                self._counter["sort"] += 1
                order = np.argsort(np.abs(flat))
                w_sorted = flat[order].astype(np.float64)
            else:
                order, w_sorted = None, flat.astype(np.float64)
            abs_sorted = np.abs(w_sorted)
            pre_sq = np.zeros(w_sorted.size + 1)
            np.cumsum(w_sorted * w_sorted, out=pre_sq[1:])
            zeros = int(np.count_nonzero(w_sorted == 0))
            self._sorted = (order, w_sorted, abs_sorted, pre_sq, zeros)
        return self._sorted

    @property
    def order(self) -> np.ndarray | None:
        return self._prepare()[0]

    @property
    def w_sorted(self) -> np.ndarray:
        """float64 values in magnitude order (prunable) or as stored (flat)."""
        return self._prepare()[1]

    @property
    def abs_sorted(self) -> np.ndarray:
        return self._prepare()[2]

    @property
    def zeros(self) -> int:
        return self._prepare()[4]

    def quantized_with(self, quant: QuantSettings) -> _Quantized:
        settings = quant if self.quantized else QuantSettings()
        key = settings.key()
        if key in self.quant:
            self.quant.move_to_end(key)
            return self.quant[key]
        self._counter["quantize"] += 1
        qz = _Quantized(self, resolve_quantizer(settings, self.w_sorted))
        self.quant[key] = qz
        while len(self.quant) > _QUANT_CACHE:
            self.quant.popitem(last=False)
        return qz

    def stats(self, qz: _Quantized, k: int) -> PreviewStats:
        """Statistics with the ``k`` smallest weights pruned: O(1) from the prefix/suffix sums."""
        _, _, abs_sorted, pre_sq, zeros = self._prepare()
        k = max(k, zeros) if self.prunable else 0
        nonzero = int(qz.suf_nz[k])
        return PreviewStats(
            size=self.size,
            pruned=k,
            zeros=self.size - nonzero,
            overflow=int(qz.suf_ovf[k]),
            underflow=int(qz.suf_unf[k]),
            sq_error=float(pre_sq[k] + qz.suf_sq[k]),
            max_abs_error=max(float(abs_sorted[k - 1]) if k else 0.0, float(qz.suf_err[k])),
            bits_after=nonzero * qz.quantizer.bits,
        )

    def materialize(self, qz: _Quantized, k: int) -> np.ndarray:
        """The preview values in the tensor's own shape and dtype."""
        q = qz.q_sorted
        if self.order is None:
            return q.reshape(self.w.shape).copy()
        kept = q.copy()
        kept[:k] = 0
        out = np.empty(self.size, self.dtype)
        out[self.order] = kept
        return out.reshape(self.w.shape)


class PreviewEngine:
    """Previews pruning and quantization of a model's weights, caching what a slider move keeps.

    Args:
        weights: ``{layer: {weight name: array}}`` (as :func:`core.models.weight_arrays` gives).
        prunable: ``{(layer, weight name)}`` to prune (default: weights named ``kernel``).
        quantized: ``{(layer, weight name)}`` to quantize (default: :data:`QUANTIZED_NAMES`).

    Attributes:
        calls: Counts of the expensive steps (``sort``, ``merge``, ``quantize``, ``bin``,
            ``layer``), to check the caching.
        result: The last :class:`PreviewResult` (None before :meth:`apply`).
    """

    def __init__(
        self,
        weights: Mapping[str, Mapping[str, ArrayLike]],
        prunable: Iterable[tuple[str, str]] | None = None,
        quantized: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.calls: Counter = Counter()
        pr = set(prunable) if prunable is not None else None
        qu = set(quantized) if quantized is not None else None
        self._layers: dict[str, list[_Tensor]] = {}
        for layer, ws in weights.items():
            tensors = []
            for name, w in ws.items():
                is_p = (layer, name) in pr if pr is not None else _short(name) in PRUNABLE_NAMES
                is_q = (layer, name) in qu if qu is not None else _short(name) in QUANTIZED_NAMES
                tensors.append(_Tensor(layer, name, w, is_p, is_q or is_p, self.calls))
            if tensors:
                self._layers[layer] = tensors
        self._merged: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._layer_cache: dict[str, OrderedDict[tuple, LayerPreview]] = {
            n: OrderedDict() for n in self._layers
        }
        self._edges: dict[tuple, np.ndarray] = {}
        self._recent_quant: OrderedDict[tuple, None] = OrderedDict()
        self.result: PreviewResult | None = None

    # --- what there is ---------------------------------------------------------------------
    @property
    def layers(self) -> list[str]:
        """Layers with weights, in model order."""
        return list(self._layers)

    @property
    def prunable_layers(self) -> list[str]:
        """Layers with at least one prunable weight."""
        return [n for n, ts in self._layers.items() if any(t.prunable for t in ts)]

    def max_abs(self) -> float:
        """Largest magnitude among the prunable weights (weight units; the threshold slider's end)."""
        m = [float(np.max(np.abs(t.w))) for ts in self._layers.values() for t in ts if t.prunable and t.size]
        return max(m, default=0.0)

    def size(self) -> int:
        """Number of weights."""
        return sum(t.size for ts in self._layers.values() for t in ts)

    # --- preview ---------------------------------------------------------------------------
    def apply(self, settings: PreviewSettings) -> PreviewResult:
        """Preview ``settings``; layers whose pruning level and quantizer are unchanged are reused.

        Args:
            settings: What to preview. Overrides must name prunable layers.

        Returns:
            The :class:`PreviewResult` (also kept as :attr:`result`).

        Raises:
            ValueError: An override names a layer without prunable weights.
        """
        p = settings.prune
        unknown = sorted(set(p.overrides) - set(self.prunable_layers))
        if unknown:
            raise ValueError(
                f"no prunable weights in layer(s) {unknown}; prunable: {', '.join(self.prunable_layers) or 'none'}"
            )
        self._touch_quantizer(settings.quant.key())
        counts, threshold = self._prune_counts(p)
        layers: dict[str, LayerPreview] = {}
        total, prunable = PreviewStats(), PreviewStats()
        for name, tensors in self._layers.items():
            ks = tuple(counts.get(id(t), 0) for t in tensors)
            target = p.overrides.get(name, p.value if p.mode == "sparsity" else None)
            lp = self._layer(
                name, tensors, ks, settings.quant, target if any(t.prunable for t in tensors) else None
            )
            layers[name] = lp
            total = total + lp.stats
            for t in tensors:
                if t.prunable:
                    prunable = prunable + lp.tensors[t.name]
        self.result = PreviewResult(settings, layers, total, prunable, threshold)
        return self.result

    def _touch_quantizer(self, key: tuple) -> None:
        """Keep the layer previews of the recent quantizers only: each holds its quantized arrays,
        which the tensors' own caches would otherwise drop."""
        self._recent_quant[key] = None
        self._recent_quant.move_to_end(key)
        while len(self._recent_quant) > _QUANT_CACHE:
            old, _ = self._recent_quant.popitem(last=False)
            for cache in self._layer_cache.values():
                for k in [k for k in cache if k[1] == old]:
                    del cache[k]

    def weights_for_model(self, result: PreviewResult | None = None) -> dict[str, dict[str, np.ndarray]]:
        """The preview weights to write into a model copy (:func:`set_model_weights`).

        Args:
            result: A result of this engine (default: the last one).

        Returns:
            ``{layer: {weight name: array}}`` of the weights the preview changes.

        Raises:
            ValueError: Nothing has been previewed yet.
        """
        result = result or self.result
        if result is None:
            raise ValueError("no preview yet: call apply() first")
        return result.weights(changed_only=True)

    # --- internals -------------------------------------------------------------------------
    def _prune_counts(self, p: PruneSettings) -> tuple[dict[int, int], float | None]:
        """``{id(tensor): weights to prune}`` and the global threshold (weight units)."""
        counts: dict[int, int] = {}
        prunable = [(n, t) for n, ts in self._layers.items() for t in ts if t.prunable]
        rest = []
        for layer, t in prunable:
            if layer in p.overrides:
                counts[id(t)] = prune_count(t.size, p.overrides[layer])
            elif p.mode == "threshold":
                counts[id(t)] = int(np.searchsorted(t.abs_sorted, p.value, side="right"))
            elif p.scope == "per_layer":
                counts[id(t)] = prune_count(t.size, p.value)
            else:
                rest.append(t)
        if p.mode == "threshold":
            return counts, p.value
        if p.scope == "per_layer" or not rest:
            return counts, None
        merged = self._merged_abs(rest)
        total = prune_count(merged.size, p.value)
        if total == 0:
            counts.update({id(t): 0 for t in rest})
            return counts, 0.0
        v = float(merged[total - 1])
        left = [int(np.searchsorted(t.abs_sorted, v, side="left")) for t in rest]
        need = total - sum(left)  # magnitudes tied with the threshold: the first layers take them
        for t, k in zip(rest, left):
            ties = int(np.searchsorted(t.abs_sorted, v, side="right")) - k
            take = min(ties, need)
            counts[id(t)] = k + take
            need -= take
        return counts, v

    def _merged_abs(self, tensors: list[_Tensor]) -> np.ndarray:
        key = tuple(f"{t.layer}/{t.name}" for t in tensors)
        if key not in self._merged:
            self.calls["merge"] += 1
            # A stable sort merges the already sorted runs in O(n log runs).
            self._merged[key] = np.sort(np.concatenate([t.abs_sorted for t in tensors]), kind="stable")
            while len(self._merged) > 4:
                self._merged.popitem(last=False)
        return self._merged[key]

    def _layer(
        self,
        name: str,
        tensors: list[_Tensor],
        ks: tuple[int, ...],
        quant: QuantSettings,
        target: float | None,
    ) -> LayerPreview:
        key = (ks, quant.key(), target)
        cache = self._layer_cache[name]
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        self.calls["layer"] += 1
        qzs = [t.quantized_with(quant) for t in tensors]
        parts = tuple((t, qz, max(k, t.zeros) if t.prunable else 0) for t, qz, k in zip(tensors, qzs, ks))
        per = {t.name: t.stats(qz, k) for t, qz, k in parts}
        stats = PreviewStats()
        for s in per.values():
            stats = stats + s
        hist = [i for i, t in enumerate(tensors) if t.prunable] or list(range(len(tensors)))
        before, after, grid = self._histograms(name, [parts[i] for i in hist], quant)
        kernels = [(t, k) for t, _, k in parts if t.prunable]
        thr = max((float(t.abs_sorted[k - 1]) for t, k in kernels if k), default=0.0)
        lp = LayerPreview(
            name=name,
            stats=stats,
            tensors=per,
            quantizers={t.name: qz.quantizer for t, qz, _ in parts},
            histogrammed=tuple(tensors[i].name for i in hist),
            hist_before=before,
            hist_after=after,
            grid=grid,
            target=target,
            threshold=thr,
            _parts=parts,
        )
        cache[key] = lp
        while len(cache) > _LAYER_CACHE:
            cache.popitem(last=False)
        return lp

    def _histograms(
        self, layer: str, parts: list[tuple[_Tensor, _Quantized, int]], quant: QuantSettings
    ) -> tuple[WeightHistogram, WeightHistogram, np.ndarray]:
        """Before and after histograms of a layer's kernels on shared edges, and its grid."""
        qz0 = parts[0][1]
        ekey = (layer, quant.key() if parts[0][0].quantized else ("none",))
        edges = self._edges.get(ekey)
        if edges is None:
            edges = self._layer_edges(parts)
            self._edges[ekey] = edges
        nbins = edges.size - 1
        before = np.zeros(nbins + 1, np.int64)
        after = np.zeros(nbins + 1, np.int64)
        pruned = 0
        for t, qz, k in parts:
            ekey_t = (float(edges[0]), float(edges[-1]), nbins)
            binned = qz.bins.get(ekey_t)
            if binned is None:
                self.calls["bin"] += 1
                binned = _Binned(qz.q_sorted, t.w_sorted, edges)
                qz.bins = {ekey_t: binned}
            before += binned.before
            after += binned.kept_counts(k)
            pruned += k
        h_before = WeightHistogram(edges=edges, counts=before[:nbins], zeros=int(before[nbins]))
        h_after = WeightHistogram(edges=edges, counts=after[:nbins], zeros=int(after[nbins]) + pruned)
        grid = qz0.quantizer.grid(float(edges[0]), float(edges[-1]))
        return h_before, h_after, grid

    @staticmethod
    def _layer_edges(parts: list[tuple[_Tensor, _Quantized, int]]) -> np.ndarray:
        """Equal-width edges over the original and quantized values; one bin per grid step,
        centred on the grid values, when a fixed-point grid is coarse enough to see."""
        vals = [(float(t.w_sorted.min()), float(t.w_sorted.max())) for t, _, _ in parts if t.size]
        vals += [(qz.q_min, qz.q_max) for t, qz, _ in parts if t.size]
        n = sum(t.size for t, _, _ in parts)
        lo = min((a for a, _ in vals), default=-1.0)
        hi = max((b for _, b in vals), default=1.0)
        quantizer = parts[0][1].quantizer
        if quantizer.kind == "fixed" and quantizer.fmt is not None:
            lsb = quantizer.fmt.lsb
            first, last = math.floor(lo / lsb + 0.5), math.ceil(hi / lsb - 0.5)
            if last - first + 1 <= MAX_BINS:
                return (np.arange(first, last + 2, dtype=np.float64) - 0.5) * lsb
        if not lo < hi:
            lo, hi = lo - 0.5, hi + 0.5
        return np.linspace(lo, hi, auto_bins(n, lo=20, hi=MAX_BINS) + 1)


def set_model_weights(model: Any, weights: Mapping[str, Mapping[str, np.ndarray]]) -> None:
    """Write ``{layer: {weight name: array}}`` into a Keras model (names as
    :func:`core.models.weight_arrays` gives them; training wrappers are looked through,
    :mod:`core.models.wrappers`).

    Args:
        model: A Keras model (changed in place: use a copy).
        weights: The arrays to assign; other weights are left as they are.

    Raises:
        ValueError: A layer or weight name the model does not have.
    """
    for layer_name, arrays in weights.items():
        try:
            layer = model.get_layer(layer_name)
        except ValueError:
            raise ValueError(f"the model has no layer '{layer_name}'") from None
        variables = dict(named_variables(layer))
        for name, value in arrays.items():
            if name not in variables:
                raise ValueError(
                    f"layer '{layer_name}' has no weight '{name}' (it has {', '.join(variables)})"
                )
            variables[name].assign(value)


class PreviewEvaluator:
    """The task metric of preview weights on a validation subset, with a private model copy.

    Built once per model (in a worker: it copies the model and compiles its forward pass, about a
    second); :meth:`evaluate` then writes preview weights into the copy and runs the subset through
    a compiled ``model(x, training=False)`` — no ``model.predict`` overhead — in a few
    milliseconds for the hands-on CNN (``bench/bench_preview.py``). The caller's model is never
    touched. Not thread-safe: run one evaluation at a time.

    Args:
        model: The Keras model previewed.
        dataset: A :class:`core.data.Dataset` (its task picks the metrics).
        x, y: Samples to use instead of the dataset's split.
        max_samples: At most this many samples of ``split``.
        split: The dataset split (``"val"``).

    Attributes:
        metric: The primary metric's name (``accuracy``, ``mae``...).
        higher_is_better: Its direction.
        baseline: The metrics of the original weights on the subset.
        samples: Number of samples evaluated.
    """

    def __init__(
        self,
        model: Any,
        dataset: Any,
        *,
        x: np.ndarray | None = None,
        y: np.ndarray | None = None,
        max_samples: int = 1000,
        split: str = "val",
    ) -> None:
        import tensorflow as tf

        from core.metrics import primary_metric
        from core.models.clone import copy_model

        self.dataset = dataset
        if x is None or y is None:
            x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
            x, y = x[:max_samples], y[:max_samples]
        self.x, self.y = np.asarray(x), np.asarray(y)
        self.samples = int(len(self.x))
        self.metric, self.higher_is_better = primary_metric(dataset.task)
        self.model = copy_model(model)
        self._x = tf.constant(self.x)
        self._forward = tf.function(lambda a: self.model(a, training=False))
        self.baseline = self._metrics()  # also traces the compiled forward pass

    def evaluate(self, weights: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, float]:
        """Metrics with ``weights`` (``{layer: {name: array}}``, e.g.
        :meth:`PreviewEngine.weights_for_model`) written into the private copy."""
        set_model_weights(self.model, weights)
        return self._metrics()

    def _metrics(self) -> dict[str, float]:
        from core.metrics import metrics_from_outputs

        out = np.asarray(self._forward(self._x))
        return metrics_from_outputs(self.dataset, out, self.y)


__all__ = [
    "MAX_GRID_LINES",
    "LayerPreview",
    "PreviewEngine",
    "PreviewEvaluator",
    "PreviewResult",
    "PreviewSettings",
    "PreviewStats",
    "PruneSettings",
    "QuantSettings",
    "TensorQuantizer",
    "apply_params",
    "magnitude_threshold",
    "prune_mask",
    "quantization_grid",
    "quantize_binary",
    "quantize_po2",
    "quantize_ternary",
    "resolve_quantizer",
    "set_model_weights",
]
