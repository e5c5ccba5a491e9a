"""``ap_fixed`` arithmetic in numpy: the few operations the emulator and the precision search share.

Values are float64 arrays holding fixed-point numbers exactly (53 significant bits are enough for
every width hls4ml's defaults and the search use). Truncation (``TRN``) and wrap-around (``WRAP``)
are ``ap_fixed``'s defaults and the fast path here; other modes go through
:meth:`core.weights.FixedPointFormat.quantize`.
"""

from __future__ import annotations

import math

import numpy as np

from core.weights import FixedPointFormat


def integer_bits(pos_max: float, neg_max: float, signed: bool) -> int:
    """Fewest integer bits (sign included) holding ``[-neg_max, pos_max]`` without overflow (TRN)."""
    bits = 1 if signed else 0
    if pos_max > 0:  # need pos_max < 2^(I - signed)
        bits = max(bits, math.floor(math.log2(pos_max)) + 1 + int(signed))
    if neg_max > 0 and signed:  # need neg_max <= 2^(I-1)
        bits = max(bits, math.ceil(math.log2(neg_max)) + 1)
    return bits


def fmt(integer: int, frac: int, signed: bool) -> FixedPointFormat:
    """``ap_fixed<integer + frac, integer>`` (``ap_ufixed`` when not ``signed``)."""
    return FixedPointFormat(integer + frac, integer, signed)


def quantize(x: np.ndarray, fmt: FixedPointFormat) -> tuple[np.ndarray, int]:
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


def cast(x: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """``x`` converted to ``fmt`` with its rounding and overflow modes (no overflow count)."""
    if fmt.rounding == "TRN" and fmt.overflow == "WRAP":
        return quantize(x, fmt)[0]
    return fmt.quantize(np.asarray(x, np.float64))


def ceillog2(x: int) -> int:
    """hls4ml's ``nnet::ceillog2`` (1 for x <= 2)."""
    return 1 if x <= 2 else 1 + ceillog2((x + 1) // 2)


def accum_format(
    in_fmt: FixedPointFormat, w_fmt: FixedPointFormat, b_fmt: FixedPointFormat, n_ops: int
) -> FixedPointFormat:
    """The accumulator hls4ml infers for a Dense or convolution (exact: no rounding, no overflow).

    Args:
        in_fmt: The input's precision.
        w_fmt: The weights' precision.
        b_fmt: The biases' precision.
        n_ops: Terms of each output's sum (hls4ml adds ``ceil(log2 n_ops)`` integer bits).
    """
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


def common_format(a: FixedPointFormat, b: FixedPointFormat) -> FixedPointFormat:
    """The narrowest precision holding every value of ``a`` and of ``b`` (hls4ml's rule for a
    Concatenate, Maximum or Minimum of two inputs of different types)."""
    if a == b:
        return a
    signed = a.signed or b.signed
    ia = a.integer + int(signed and not a.signed)
    ib = b.integer + int(signed and not b.signed)
    integer = max(ia, ib)
    return FixedPointFormat(integer + max(a.f, b.f), integer, signed)


def parse_precision(text: object) -> FixedPointFormat | None:
    """A precision string as a format; None for ``auto``, None, or a type that is not fixed point."""
    if text is None or str(text).strip().lower() == "auto":
        return None
    try:
        return FixedPointFormat.parse(str(text))
    except ValueError:
        return None
