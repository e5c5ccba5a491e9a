"""Weight numerics for the weight views and the compression lab's live preview: histograms, statistics
and what a fixed-point format (``ap_fixed<W,I>`` as hls4ml uses it) does to a set of weights.

Everything here is plain numpy on flat weight arrays and fast enough to follow a slider: the
histogram and the statistics of a million float32 weights take a few milliseconds
(``bench/bench_histogram.py``).

**Zeros.** A pruned layer has a spike at exactly 0 that would flatten every other bin, so
:func:`histogram` counts zeros (exact zeros, or ``|w| <= zero_tol``) apart from the other values:
``counts`` holds the non-zero values only, ``zeros`` the rest, and a view can draw them as two bars.

**Fixed point.** :class:`FixedPointFormat` is hls4ml's ``ap_fixed<W,I>``: ``W`` bits in total, ``I``
of them above the binary point *including the sign bit*. The step (LSB) is ``2^-(W-I)``; a signed
format holds ``[-2^(I-1), 2^(I-1) - LSB]``, an unsigned one ``[0, 2^I - LSB]``. Like ``ap_fixed``,
the default modes are truncation (``TRN``, towards -inf) and wrap-around (``WRAP``); hls4ml uses
them unless a precision says otherwise. The arithmetic is not re-implemented here: it is the numpy
emulation of the ``quantizers`` package that hls4ml itself depends on.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

ROUNDING_MODES = ("TRN", "RND", "RND_CONV", "TRN_ZERO", "RND_ZERO", "RND_MIN_INF", "RND_INF")
"""ap_fixed quantization modes (``AP_`` prefix optional): TRN floors, RND rounds half up,
RND_CONV half to even, RND_ZERO half towards zero, RND_MIN_INF half down, RND_INF half away from
zero, TRN_ZERO truncates towards zero."""

OVERFLOW_MODES = ("WRAP", "SAT", "SAT_SYM", "WRAP_SM")
"""ap_fixed overflow modes: WRAP wraps around (two's complement), SAT clips to the range, SAT_SYM
clips to a symmetric range (``min = -max``), WRAP_SM wraps in sign-magnitude."""

_EMPTY_RANGE = (-1.0, 1.0)
_EMPTY_LOG_RANGE = (1e-3, 1.0)


# --- histograms ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeightHistogram:
    """A histogram of weight values with the zeros counted apart.

    Attributes:
        edges: Bin edges, ``bins + 1`` values, in weight units (of ``|w|`` when ``log``: then
            the edges are spaced evenly in ``log10 |w|``).
        counts: Number of *non-zero* values in each bin (int64). Bins are half-open
            ``[edge_k, edge_k+1)`` except the last, which also holds its right edge.
        zeros: Number of values counted as zero (``|w| <= zero_tol``; exact zeros by default).
        below: Non-zero values left of the first edge (only with an explicit ``range``).
        above: Non-zero values right of the last edge (only with an explicit ``range``).
        nonfinite: NaN and infinite values, left out of everything else.
        log: True when the bins are on ``|w|`` with logarithmic spacing.
        zero_tol: The tolerance that defined ``zeros``.
    """

    edges: np.ndarray
    counts: np.ndarray
    zeros: int
    below: int = 0
    above: int = 0
    nonfinite: int = 0
    log: bool = False
    zero_tol: float = 0.0

    @property
    def bins(self) -> int:
        """Number of bins."""
        return int(self.counts.size)

    @property
    def centers(self) -> np.ndarray:
        """Bin centres (geometric centres when ``log``)."""
        if self.log:
            return np.sqrt(self.edges[:-1] * self.edges[1:])
        return 0.5 * (self.edges[:-1] + self.edges[1:])

    @property
    def widths(self) -> np.ndarray:
        """Bin widths, in weight units."""
        return np.diff(self.edges)

    @property
    def nonzero(self) -> int:
        """Number of non-zero (finite) values, inside or outside the bins."""
        return int(self.counts.sum()) + self.below + self.above

    @property
    def total(self) -> int:
        """Number of values histogrammed, zeros and non-finite ones included."""
        return self.nonzero + self.zeros + self.nonfinite

    @property
    def sparsity(self) -> float:
        """Fraction of the finite values counted as zero (0 for no values)."""
        finite = self.nonzero + self.zeros
        return self.zeros / finite if finite else 0.0


def histogram(
    values: ArrayLike,
    bins: int = 100,
    range: tuple[float, float] | None = None,  # noqa: A002 - the numpy name, on purpose
    log: bool = False,
    zero_tol: float = 0.0,
) -> WeightHistogram:
    """Histogram weight values, counting the zeros apart.

    Faster than ``np.histogram`` (bin indices by arithmetic and ``np.bincount``): about 3 ms for a
    million float32 values. A value within a rounding error (~1e-16 relative) of an inner edge may
    land in the neighbouring bin.

    Args:
        values: Weights, any shape (flattened) and any real dtype.
        bins: Number of equal-width bins (equal in ``log10 |w|`` when ``log``).
        range: ``(low, high)`` of the bins, in weight units (of ``|w|``, both > 0, when ``log``).
            Default: the smallest and largest value (non-zero magnitude when ``log``). With a
            range, values outside it are counted in ``below`` and ``above``.
        log: Histogram the magnitudes ``|w|`` on logarithmically spaced bins, to see how many
            weights are small compared with a fixed-point step.
        zero_tol: Values with ``|w| <= zero_tol`` count as zeros (weight units; 0 = exact zeros).

    Returns:
        The :class:`WeightHistogram`.

    Raises:
        ValueError: For ``bins < 1``, a negative ``zero_tol`` or an empty or non-finite range.
    """
    if bins < 1:
        raise ValueError(f"a histogram needs at least one bin, got bins={bins}")
    if not zero_tol >= 0:
        raise ValueError(f"zero_tol must be >= 0, got {zero_tol}")
    x, nonfinite, lo, hi = _finite_flat(values)
    explicit = range is not None
    if explicit:
        lo, hi = _check_range(range, log=log)
    elif log:
        lo, hi = _magnitude_range(x, zero_tol)
    if not explicit and math.isnan(lo):  # no (non-zero) values: an empty histogram on a sane range
        lo, hi = _EMPTY_LOG_RANGE if log else _EMPTY_RANGE
    lo, hi = _widen(lo, hi, log)
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1) if log else np.linspace(lo, hi, bins + 1)
    full = _bin_counts(x, lo, hi, bins, zero_tol, explicit, log)
    return WeightHistogram(
        edges=edges,
        counts=full[:bins].copy(),
        zeros=int(full[bins + 2]),
        below=int(full[bins]),
        above=int(full[bins + 1]),
        nonfinite=nonfinite,
        log=log,
        zero_tol=float(zero_tol),
    )


_CHUNK = 1 << 16  # values per block: the float64 and index temporaries stay in the CPU cache


def _bin_counts(
    x: np.ndarray, lo: float, hi: float, bins: int, zero_tol: float, explicit: bool, log: bool
) -> np.ndarray:
    """Counts per slot of the finite flat array ``x``: slots ``0..bins-1`` are the bins, then below,
    above and zeros. Bin indices come from ``floor((x - lo) / width)`` in float64, block by block,
    and one ``np.bincount`` per block (several times faster than ``np.histogram``)."""
    below_slot, above_slot, zero_slot = bins, bins + 1, bins + 2
    nslots = bins + 3
    full = np.zeros(nslots, np.int64)
    if x.size == 0:
        return full
    offset, span = (math.log10(lo), math.log10(hi)) if log else (lo, hi)
    scale = bins / (span - offset)

    def slots(c: np.ndarray, b: np.ndarray, i: np.ndarray) -> None:
        """Fill ``i`` with the slot of each value of ``c`` (zeros excepted), ``b`` as scratch."""
        if explicit or log:
            if log:
                np.absolute(c, out=b)
            else:
                np.copyto(b, c)
            if explicit:  # compared on the values themselves, so the range's ends are exact
                below, above = b < lo, b > hi
            if log:
                np.log10(b, out=b)
            b -= offset
            np.maximum(b, 0, out=b)  # out-of-range values get their own slot below
        else:
            np.subtract(c, offset, out=b)  # >= 0: lo is the minimum
        b *= scale
        np.minimum(b, bins - 1, out=b)  # the right end belongs to the last bin
        np.copyto(i, b, casting="unsafe")  # truncation is floor for b >= 0
        if explicit:
            i[below] = below_slot
            i[above] = above_slot

    n = min(_CHUNK, x.size)
    buf, idx = np.empty(n, np.float64), np.empty(n, np.intp)
    n_zero = 0
    with np.errstate(divide="ignore"):  # log10(0) = -inf for the zeros, which are set apart
        for start in builtins.range(0, x.size, _CHUNK):
            c = x[start : start + _CHUNK]
            b, i = buf[: c.size], idx[: c.size]
            slots(c, b, i)
            full += np.bincount(i, minlength=nslots)
            if zero_tol == 0:
                n_zero += int(np.count_nonzero(c == 0))
            else:  # rare: take the near-zeros back out of the bins they fell in
                zero = np.absolute(c) <= zero_tol
                n_zero += int(np.count_nonzero(zero))
                full -= np.bincount(i[zero], minlength=nslots)
        if zero_tol == 0 and n_zero:
            # Exact zeros all fell in one slot, the one 0 itself gets: computed the same way.
            one, b1, i1 = np.zeros(1, x.dtype), np.empty(1, np.float64), np.empty(1, np.intp)
            slots(one, b1, i1)
            full[i1[0]] -= n_zero
    full[zero_slot] = n_zero
    return full


def _magnitude_range(x: np.ndarray, zero_tol: float) -> tuple[float, float]:
    """Smallest and largest ``|w| > zero_tol`` (NaN, NaN when there is none)."""
    a = np.absolute(x)
    nonzero = a > zero_tol
    if not nonzero.any():
        return math.nan, math.nan
    return float(a[nonzero].min()), float(a.max())


def _widen(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """A range of non-zero width around a single value: one unit (as ``np.histogram``), or one
    decade for logarithmic bins."""
    if lo < hi:
        return lo, hi
    return (lo / math.sqrt(10.0), hi * math.sqrt(10.0)) if log else (lo - 0.5, hi + 0.5)


def shared_range(*values: ArrayLike, log: bool = False, zero_tol: float = 0.0) -> tuple[float, float]:
    """The ``(low, high)`` range that covers every array, for histograms on identical bins.

    Args:
        *values: Weight arrays (any shapes).
        log: Range of the non-zero magnitudes ``|w| > zero_tol`` instead of the values.
        zero_tol: Magnitudes at or below it are zeros (only used with ``log``).

    Returns:
        ``(low, high)`` in weight units, ``low < high``.
    """
    lows, highs = [], []
    for v in values:
        x, _, lo, hi = _finite_flat(v)
        if log:
            lo, hi = _magnitude_range(x, zero_tol)
        if not math.isnan(lo):
            lows.append(lo)
            highs.append(hi)
    if not lows:
        return _EMPTY_LOG_RANGE if log else _EMPTY_RANGE
    return _widen(min(lows), max(highs), log)


def shared_histograms(
    *values: ArrayLike, bins: int = 100, log: bool = False, zero_tol: float = 0.0
) -> tuple[WeightHistogram, ...]:
    """Histogram several weight arrays on identical bins (overlays: before and after pruning).

    Args:
        *values: Weight arrays (any shapes).
        bins: Number of bins.
        log: As in :func:`histogram`.
        zero_tol: As in :func:`histogram`.

    Returns:
        One :class:`WeightHistogram` per array, all with the same ``edges``; none has values
        ``below`` or ``above`` them.
    """
    rng = shared_range(*values, log=log, zero_tol=zero_tol)
    return tuple(histogram(v, bins=bins, range=rng, log=log, zero_tol=zero_tol) for v in values)


def auto_bins(n: int, lo: int = 10, hi: int = 200) -> int:
    """A readable number of bins for ``n`` values (Rice rule ``2 n^(1/3)``, clipped to ``[lo, hi]``)."""
    return int(min(hi, max(lo, round(2.0 * max(n, 0) ** (1.0 / 3.0)))))


# --- statistics ---------------------------------------------------------------------------------
def weight_stats(values: ArrayLike) -> dict[str, float]:
    """Summary statistics of weight values.

    Args:
        values: Weights, any shape and real dtype. NaN and infinities are left out (and counted).

    Returns:
        ``count`` (finite values), ``zeros`` (exact zeros), ``sparsity`` (``zeros / count``),
        ``mean``, ``std`` (population, ddof=0), ``rms`` (``sqrt(mean(w^2))``), ``min``, ``max``,
        ``abs_max`` (all in weight units; NaN when there are no values), ``nonfinite``.
    """
    x, nonfinite, lo, hi = _finite_flat(values)
    n = int(x.size)
    nan = math.nan
    if n == 0:
        keys = ("mean", "std", "rms", "min", "max", "abs_max")
        return {"count": 0, "zeros": 0, "sparsity": nan, **dict.fromkeys(keys, nan), "nonfinite": nonfinite}
    zeros = int(np.count_nonzero(x == 0))
    d = x.astype(np.float64)
    mean = float(d.sum()) / n
    d -= mean  # two passes: no cancellation when |mean| >> std (batch-norm statistics)
    var = float(np.dot(d, d)) / n
    return {
        "count": n,
        "zeros": zeros,
        "sparsity": zeros / n,
        "mean": mean,
        "std": math.sqrt(var),
        "rms": math.sqrt(var + mean * mean),
        "min": lo,
        "max": hi,
        "abs_max": max(abs(lo), abs(hi)),
        "nonfinite": nonfinite,
    }


def _finite_flat(values: ArrayLike) -> tuple[np.ndarray, int, float, float]:
    """``(x, nonfinite, low, high)``: the finite values of ``values`` as a flat float array (a view,
    no copy, when already a float array without NaN or infinities), how many were left out, and their
    minimum and maximum (NaN when there are none)."""
    x = np.asarray(values)
    if x.dtype.kind != "f":
        if x.dtype.kind not in "biu":
            raise TypeError(f"weights must be real numbers, got an array of {x.dtype}")
        x = x.astype(np.float64)
    x = x.reshape(-1)
    if x.size == 0:
        return x, 0, math.nan, math.nan
    lo, hi = float(x.min()), float(x.max())
    if math.isfinite(lo) and math.isfinite(hi):
        return x, 0, lo, hi
    ok = np.isfinite(x)
    x = x[ok]
    nonfinite = int(ok.size - x.size)
    if x.size == 0:
        return x, nonfinite, math.nan, math.nan
    return x, nonfinite, float(x.min()), float(x.max())


def _check_range(rng: Iterable[float], log: bool) -> tuple[float, float]:
    lo, hi = (float(v) for v in rng)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"histogram range must be finite with low < high, got ({lo}, {hi})")
    if log and lo <= 0:
        raise ValueError(f"a logarithmic histogram range must be > 0, got ({lo}, {hi})")
    return lo, hi


# --- fixed point --------------------------------------------------------------------------------
_FORMAT_RE = re.compile(
    r"^\s*(?:ap_)?(?P<u>u?)(?P<kind>fixed|int)\s*<\s*(?P<w>-?\d+)\s*(?:,\s*(?P<i>-?\d+)\s*)?"
    r"(?:,\s*(?P<rnd>\w+)\s*)?(?:,\s*(?P<ovf>\w+)\s*)?(?:,\s*(?P<nsat>\d+)\s*)?>\s*$",
    re.IGNORECASE,
)


def _mode(name: str, allowed: tuple[str, ...], what: str) -> str:
    mode = str(name).strip().upper()
    mode = mode[3:] if mode.startswith("AP_") else mode
    if mode not in allowed:
        raise ValueError(f"unknown {what} mode {name!r}; choose one of {', '.join(allowed)}")
    return mode


@dataclass(frozen=True)
class FixedPointFormat:
    """hls4ml's fixed-point type ``ap_fixed<W,I,Q,O>`` (or ``ap_ufixed`` when unsigned).

    Attributes:
        width: Total number of bits ``W`` (>= 1).
        integer: Bits above the binary point ``I``, the sign bit included (may be negative or larger
            than ``W``: the binary point may sit outside the word).
        signed: Two's complement (``ap_fixed``) or unsigned (``ap_ufixed``).
        rounding: Quantization mode, one of :data:`ROUNDING_MODES` (``AP_`` prefix accepted).
        overflow: Overflow mode, one of :data:`OVERFLOW_MODES` (``AP_`` prefix accepted).
    """

    width: int
    integer: int
    signed: bool = True
    rounding: str = "TRN"
    overflow: str = "WRAP"

    def __post_init__(self) -> None:
        if int(self.width) != self.width or self.width < 1:
            raise ValueError(f"a fixed-point format needs at least 1 bit, got width={self.width}")
        if int(self.integer) != self.integer:
            raise ValueError(f"integer bits must be a whole number, got {self.integer}")
        object.__setattr__(self, "width", int(self.width))
        object.__setattr__(self, "integer", int(self.integer))
        object.__setattr__(self, "signed", bool(self.signed))
        object.__setattr__(self, "rounding", _mode(self.rounding, ROUNDING_MODES, "rounding"))
        object.__setattr__(self, "overflow", _mode(self.overflow, OVERFLOW_MODES, "overflow"))
        if self.overflow == "WRAP_SM" and self.rounding not in ("RND", "RND_CONV"):
            raise ValueError("WRAP_SM overflow works only with RND or RND_CONV rounding")

    @classmethod
    def parse(cls, text: str) -> FixedPointFormat:
        """Read a precision as hls4ml and HLS write it.

        Args:
            text: ``"ap_fixed<16,6>"``, ``"fixed<8,3,RND,SAT>"``, ``"ap_ufixed<8,0,AP_RND,AP_SAT>"``,
                ``"ap_int<8>"`` (= ``ap_fixed<8,8>``), ``"uint<4>"``.

        Returns:
            The format.

        Raises:
            ValueError: If the text is not a fixed-point or integer precision.
        """
        m = _FORMAT_RE.match(text)
        if not m:
            raise ValueError(f"not a fixed-point precision: {text!r} (expected e.g. 'ap_fixed<16,6>')")
        width = int(m["w"])
        if m["kind"].lower() == "int":
            if m["i"] is not None or m["rnd"]:
                raise ValueError(f"an integer type takes only a width: {text!r}")
            integer = width
        elif m["i"] is None:
            raise ValueError(f"a fixed-point type needs <width,integer>: {text!r}")
        else:
            integer = int(m["i"])
        if m["nsat"] and int(m["nsat"]) != 0:
            raise ValueError(f"saturation bits are not supported: {text!r}")
        return cls(width, integer, signed=not m["u"], rounding=m["rnd"] or "TRN", overflow=m["ovf"] or "WRAP")

    # What the `quantizers` package calls k (sign bit), i (integer bits without it), f (fraction bits).
    @property
    def k(self) -> int:
        """1 for signed, 0 for unsigned (the ``quantizers`` convention)."""
        return int(self.signed)

    @property
    def i(self) -> int:
        """Integer bits without the sign bit (``I - k``)."""
        return self.integer - self.k

    @property
    def f(self) -> int:
        """Fractional bits ``W - I`` (negative when the LSB is above 1)."""
        return self.width - self.integer

    @property
    def lsb(self) -> float:
        """The step between representable values, ``2^-(W-I)`` (weight units)."""
        return 2.0 ** (-self.f)

    @property
    def min(self) -> float:
        """The most negative representable value (0 when unsigned; ``-max`` with SAT_SYM)."""
        if not self.signed:
            return 0.0
        if self.overflow == "SAT_SYM":
            return -self.max
        return -(2.0 ** (self.integer - 1))

    @property
    def max(self) -> float:
        """The largest representable value, ``2^(I-1) - LSB`` signed, ``2^I - LSB`` unsigned."""
        return 2.0**self.i - self.lsb

    @property
    def flush_interval(self) -> tuple[float, float]:
        """``(low, high)``: the values that this format's rounding turns into 0 (weight units;
        whether the ends themselves are included depends on the mode)."""
        lsb = self.lsb
        if self.rounding == "TRN":
            return 0.0, lsb
        if self.rounding == "TRN_ZERO":
            return -lsb, lsb
        return -lsb / 2, lsb / 2

    def __str__(self) -> str:
        args = [str(self.width), str(self.integer)]
        if self.rounding != "TRN" or self.overflow != "WRAP":
            args.append(f"AP_{self.rounding}")
        if self.overflow != "WRAP":
            args.append(f"AP_{self.overflow}")
        return f"ap_{'' if self.signed else 'u'}fixed<{','.join(args)}>"

    def quantize(self, values: ArrayLike) -> np.ndarray:
        """The values this format stores for ``values`` (rounding, then overflow handling).

        Args:
            values: Real values, any shape.

        Returns:
            float64 array of the same shape, each a multiple of :attr:`lsb`.
        """
        x = np.asarray(values)
        out = np.empty(x.shape, np.float64)
        flat_in, flat_out = x.reshape(-1), out.reshape(-1)
        quantizer = self._quantizer()
        for start in builtins.range(0, flat_in.size, _CHUNK):  # blocks: temporaries stay in cache
            c = np.asarray(flat_in[start : start + _CHUNK], dtype=np.float64)
            flat_out[start : start + c.size] = quantizer(c, self.k, self.i, self.f)
        return out

    def round_unbounded(self, values: ArrayLike) -> np.ndarray:
        """``values`` rounded to the LSB grid with this format's rounding but no overflow handling:
        what decides whether a value overflows (float64, same shape)."""
        from quantizers.fixed_point.fixed_point_ops_np import round_mode_registry_scaled_np

        x = np.asarray(values, dtype=np.float64)
        return np.asarray(round_mode_registry_scaled_np[self.rounding](x, self.f))

    def _quantizer(self) -> Any:
        # The numpy emulation of ap_fixed in `quantizers` (installed with hls4ml); imported on use.
        from quantizers.fixed_point.fixed_point_ops_np import get_fixed_quantizer_np

        return get_fixed_quantizer_np(self.rounding, self.overflow)


def _quantization_sums(x: np.ndarray, fmt: FixedPointFormat, errors: bool) -> dict[str, float]:
    """Overflow and underflow counts of the flat finite array ``x`` in ``fmt`` and, with ``errors``,
    the sum of squared and the largest absolute quantization errors and the zeros after quantizing.

    A value overflows when its rounded value lies outside ``[min, max]`` (so with TRN a value a bit
    above ``max`` that truncates to ``max`` does not); a non-zero value underflows when it rounds to 0.
    Works block by block, which keeps a million weights within a few milliseconds.
    """
    quantizer = fmt._quantizer() if errors else None
    sums = {"overflow": 0, "underflow": 0, "sq_error": 0.0, "max_abs_error": 0.0, "zeros_after": 0}
    for start in builtins.range(0, x.size, _CHUNK):
        c = np.asarray(x[start : start + _CHUNK], dtype=np.float64)
        r = fmt.round_unbounded(c)
        sums["overflow"] += int(np.count_nonzero((r > fmt.max) | (r < fmt.min)))
        sums["underflow"] += int(np.count_nonzero((r == 0) & (c != 0)))
        if quantizer is not None:
            q = np.asarray(quantizer(c, fmt.k, fmt.i, fmt.f), dtype=np.float64)
            sums["zeros_after"] += int(np.count_nonzero(q == 0))
            q -= c
            sums["sq_error"] += float(np.dot(q, q))
            sums["max_abs_error"] = max(sums["max_abs_error"], float(np.max(np.abs(q))))
    return sums


def representable_fraction(values: ArrayLike, fmt: FixedPointFormat) -> float:
    """Fraction of the weights that ``fmt`` holds without overflow and without flushing to zero.

    Exact zeros count as representable; a non-zero weight that rounds to 0 does not (underflow),
    nor does one whose rounded value is outside ``[fmt.min, fmt.max]`` (overflow).

    Args:
        values: Weights, any shape (NaN and infinities are left out).
        fmt: The fixed-point format.

    Returns:
        A fraction in [0, 1] (1.0 for no weights).
    """
    x = _finite_flat(values)[0]
    if x.size == 0:
        return 1.0
    sums = _quantization_sums(x, fmt, errors=False)
    return 1.0 - (sums["overflow"] + sums["underflow"]) / x.size


def quantization_report(values: ArrayLike, fmt: FixedPointFormat) -> dict[str, Any]:
    """What storing ``values`` in ``fmt`` does to them.

    Args:
        values: Weights, any shape (NaN and infinities are left out).
        fmt: The fixed-point format (its rounding and overflow modes apply).

    Returns:
        ``format`` (str), ``lsb``, ``min``, ``max`` (weight units), ``count``, ``overflow`` (values
        whose rounded value is out of range), ``underflow`` (non-zero values that become 0),
        ``representable`` (the others) and ``representable_fraction`` (1.0 for no weights),
        ``rms_error`` and ``max_abs_error`` (of quantized minus original, weight units),
        ``sparsity_after`` (fraction of zeros after quantization).
    """
    x = _finite_flat(values)[0]
    n = int(x.size)
    sums = _quantization_sums(x, fmt, errors=True)
    bad = sums["overflow"] + sums["underflow"]
    return {
        "format": str(fmt),
        "lsb": fmt.lsb,
        "min": fmt.min,
        "max": fmt.max,
        "count": n,
        "overflow": sums["overflow"],
        "underflow": sums["underflow"],
        "representable": n - bad,
        "representable_fraction": 1.0 - bad / n if n else 1.0,
        "rms_error": math.sqrt(sums["sq_error"] / n) if n else 0.0,
        "max_abs_error": sums["max_abs_error"],
        "sparsity_after": sums["zeros_after"] / n if n else 0.0,
    }
