"""Weight numerics: histograms with zeros apart, statistics, ap_fixed formats and quantization reports."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.weights import (
    FixedPointFormat,
    WeightHistogram,
    auto_bins,
    histogram,
    quantization_report,
    representable_fraction,
    shared_histograms,
    shared_range,
    weight_stats,
)


@pytest.fixture
def pruned() -> np.ndarray:
    """A 256x128 float32 kernel, half of it pruned to exact zeros (several blocks of the chunked code)."""
    rng = np.random.default_rng(7)
    w = rng.normal(0.0, 0.05, size=(256, 128)).astype(np.float32)
    w[rng.random(w.shape) < 0.5] = 0.0
    return w


# --- histogram ----------------------------------------------------------------------------------
def test_histogram_counts_nonzero_values_and_zeros_apart(pruned):
    h = histogram(pruned, bins=40)
    nz = pruned[pruned != 0].astype(np.float64)
    lo, hi = float(pruned.min()), float(pruned.max())
    ref_counts, ref_edges = np.histogram(nz, bins=40, range=(lo, hi))
    assert isinstance(h, WeightHistogram)
    np.testing.assert_array_equal(h.counts, ref_counts)
    np.testing.assert_allclose(h.edges, ref_edges, rtol=0, atol=1e-15)
    assert h.zeros == int(np.count_nonzero(pruned == 0)) > 0
    assert h.below == h.above == h.nonfinite == 0
    assert h.total == pruned.size and h.nonzero == nz.size
    assert h.sparsity == pytest.approx(h.zeros / pruned.size)
    assert h.counts.dtype == np.int64 and h.bins == 40
    np.testing.assert_allclose(h.centers, 0.5 * (ref_edges[1:] + ref_edges[:-1]))
    np.testing.assert_allclose(h.widths, np.diff(ref_edges))


def test_histogram_without_zeros_equals_numpy_histogram():
    x = np.random.default_rng(1).uniform(-3, 5, size=100_003)  # float64, not a multiple of a block
    h = histogram(x, bins=17)
    ref, _ = np.histogram(x, bins=17)
    np.testing.assert_array_equal(h.counts, ref)
    assert h.zeros == 0
    # Extremes: the minimum is in the first bin, the maximum in the (closed) last bin.
    assert h.counts[0] >= 1 and h.counts[-1] >= 1


def test_explicit_range_counts_outside_values_and_closes_the_last_bin():
    x = np.array([-2.0, -1.0, -0.5, 0.0, 0.0, 0.25, 0.999, 1.0, 1.5, 3.0], dtype=np.float32)
    h = histogram(x, bins=4, range=(-1.0, 1.0))
    np.testing.assert_allclose(h.edges, [-1.0, -0.5, 0.0, 0.5, 1.0])
    # -1 -> bin 0, -0.5 -> bin 1 (left edges belong to their bin), 0.25 -> bin 2, 0.999 and 1.0 -> bin 3.
    np.testing.assert_array_equal(h.counts, [1, 1, 1, 2])
    assert (h.zeros, h.below, h.above) == (2, 1, 2)
    assert h.total == x.size


def test_zeros_outside_an_explicit_range_are_still_zeros():
    x = np.array([0.0, 0.0, 0.0, 0.2, 0.3, 0.05])
    h = histogram(x, bins=2, range=(0.1, 0.3))
    np.testing.assert_array_equal(h.counts, [0, 2])
    assert (h.zeros, h.below, h.above) == (3, 1, 0)


def test_zero_tolerance_moves_near_zeros_to_the_zero_count(pruned):
    tol = 0.01
    h = histogram(pruned, bins=30, zero_tol=tol)
    small = np.abs(pruned) <= tol
    ref, _ = np.histogram(
        pruned[~small].astype(np.float64), bins=30, range=(float(pruned.min()), float(pruned.max()))
    )
    np.testing.assert_array_equal(h.counts, ref)
    assert h.zeros == int(small.sum()) > int((pruned == 0).sum())
    assert h.zero_tol == tol


def test_log_histogram_bins_magnitudes_on_log_spaced_edges(pruned):
    h = histogram(pruned, bins=25, log=True)
    a = np.abs(pruned[pruned != 0]).astype(np.float64)
    edges = np.logspace(np.log10(a.min()), np.log10(a.max()), 26)
    ref, _ = np.histogram(a, bins=edges)
    assert h.log
    np.testing.assert_allclose(h.edges, edges, rtol=1e-12)
    # Edges by arithmetic in log10 space: at most a value within rounding of an edge may move.
    assert np.abs(h.counts - ref).sum() <= 2 and h.counts.sum() == a.size
    assert h.zeros == int((pruned == 0).sum())
    np.testing.assert_allclose(h.centers, np.sqrt(edges[1:] * edges[:-1]))


def test_log_histogram_with_explicit_range():
    x = np.array([0.0, 1e-4, 1e-3, 1e-2, -0.1, 1.0, 10.0])
    h = histogram(x, bins=3, range=(1e-3, 1.0), log=True)
    np.testing.assert_allclose(h.edges, [1e-3, 1e-2, 1e-1, 1.0])
    np.testing.assert_array_equal(h.counts, [1, 1, 2])
    assert (h.zeros, h.below, h.above) == (1, 1, 1)


def test_degenerate_inputs():
    ones = histogram(np.ones(10), bins=4)
    np.testing.assert_allclose(ones.edges[[0, -1]], [0.5, 1.5])
    assert ones.counts.sum() == 10
    zeros = histogram(np.zeros(50, dtype=np.float32), bins=5)
    assert zeros.zeros == 50 and zeros.counts.sum() == 0 and zeros.sparsity == 1.0
    empty = histogram(np.array([]), bins=3)
    assert empty.total == 0 and empty.counts.tolist() == [0, 0, 0] and empty.sparsity == 0.0
    assert histogram(np.zeros(4), bins=3, log=True).zeros == 4
    ints = histogram(np.array([[0, 1], [2, 2]]), bins=2)
    assert ints.counts.tolist() == [0, 3] and ints.zeros == 1  # edges 0, 1, 2
    with_nan = histogram(np.array([np.nan, np.inf, -1.0, 0.0, 1.0]), bins=2)
    assert (with_nan.nonfinite, with_nan.zeros, with_nan.counts.tolist()) == (2, 1, [1, 1])
    with pytest.raises(ValueError):
        histogram(np.ones(3), bins=0)
    with pytest.raises(ValueError):
        histogram(np.ones(3), range=(1.0, 1.0))
    with pytest.raises(ValueError):
        histogram(np.ones(3), range=(0.0, 1.0), log=True)
    with pytest.raises(TypeError):
        histogram(np.array(["a"]))


def test_shared_histograms_use_identical_bins(pruned):
    dense = np.random.default_rng(3).normal(0.0, 0.08, size=pruned.shape).astype(np.float32)
    h_dense, h_pruned = shared_histograms(dense, pruned, bins=32)
    np.testing.assert_array_equal(h_dense.edges, h_pruned.edges)
    lo, hi = shared_range(dense, pruned)
    assert lo == min(dense.min(), pruned.min()) and hi == max(dense.max(), pruned.max())
    for h, w in ((h_dense, dense), (h_pruned, pruned)):
        assert h.below == h.above == 0 and h.total == w.size
        ref, _ = np.histogram(w[w != 0].astype(np.float64), bins=h.edges)
        np.testing.assert_array_equal(h.counts, ref)
    logs = shared_histograms(dense, pruned, bins=10, log=True)
    np.testing.assert_array_equal(logs[0].edges, logs[1].edges)
    assert shared_range(np.zeros(3)) == (-0.5, 0.5) and shared_range() == (-1.0, 1.0)


def test_auto_bins():
    assert auto_bins(0) == 10
    assert auto_bins(1000) == 20  # 2 * 1000^(1/3)
    assert auto_bins(10**9) == 200


# --- statistics ---------------------------------------------------------------------------------
def test_weight_stats_match_numpy(pruned):
    s = weight_stats(pruned)
    w = pruned.astype(np.float64)
    assert s["count"] == w.size and s["zeros"] == int((w == 0).sum())
    assert s["sparsity"] == pytest.approx((w == 0).mean())
    assert s["mean"] == pytest.approx(w.mean(), rel=1e-9, abs=1e-12)
    assert s["std"] == pytest.approx(w.std(), rel=1e-9)
    assert s["rms"] == pytest.approx(math.sqrt((w * w).mean()), rel=1e-9)
    assert (s["min"], s["max"]) == (w.min(), w.max())
    assert s["abs_max"] == np.abs(w).max()
    assert s["nonfinite"] == 0


def test_weight_stats_precise_for_large_mean_small_spread():
    # Batch-norm moving statistics: mean 1000, spread 1e-3, in float32.
    x = (1000.0 + np.random.default_rng(0).normal(0, 1e-3, 100_000)).astype(np.float32)
    assert weight_stats(x)["std"] == pytest.approx(x.astype(np.float64).std(), rel=1e-6)


def test_weight_stats_of_nothing_and_of_nan():
    s = weight_stats(np.array([], dtype=np.float32))
    assert s["count"] == 0 and math.isnan(s["mean"]) and math.isnan(s["std"])
    s = weight_stats(np.array([np.nan, 1.0, 3.0]))
    assert (s["count"], s["nonfinite"], s["mean"]) == (2, 1, 2.0)


# --- fixed point --------------------------------------------------------------------------------
def test_ap_fixed_range_and_step():
    f = FixedPointFormat(16, 6)  # hls4ml's default precision
    assert str(f) == "ap_fixed<16,6>" and (f.rounding, f.overflow) == ("TRN", "WRAP")
    assert f.lsb == 2.0**-10 and f.min == -32.0 and f.max == 32.0 - 2.0**-10
    g = FixedPointFormat(8, 3)
    assert str(g) == "ap_fixed<8,3>" and (g.lsb, g.min, g.max) == (0.03125, -4.0, 4.0 - 0.03125)
    assert (g.k, g.i, g.f) == (1, 2, 5)
    u = FixedPointFormat(8, 3, signed=False)
    assert str(u) == "ap_ufixed<8,3>" and (u.min, u.max) == (0.0, 8.0 - 0.03125)
    assert (u.k, u.i, u.f) == (0, 3, 5)
    wide_lsb = FixedPointFormat(4, 6)  # binary point right of the word: steps of 4
    assert (wide_lsb.lsb, wide_lsb.min, wide_lsb.max) == (4.0, -32.0, 28.0)
    sym = FixedPointFormat(8, 3, overflow="SAT_SYM")
    assert sym.min == -sym.max
    assert str(FixedPointFormat(8, 3, rounding="AP_RND", overflow="ap_sat")) == "ap_fixed<8,3,AP_RND,AP_SAT>"
    assert str(FixedPointFormat(8, 3, rounding="RND")) == "ap_fixed<8,3,AP_RND>"
    assert str(FixedPointFormat(8, 3, overflow="SAT")) == "ap_fixed<8,3,AP_TRN,AP_SAT>"


def test_parse_reads_hls4ml_and_hls_spellings():
    for text in ("ap_fixed<16,6>", "fixed<16,6>", " fixed< 16 , 6 > "):
        assert FixedPointFormat.parse(text) == FixedPointFormat(16, 6)
    assert FixedPointFormat.parse("fixed<8,3,RND,SAT>") == FixedPointFormat(
        8, 3, rounding="RND", overflow="SAT"
    )
    assert FixedPointFormat.parse("ap_ufixed<8,0,AP_RND_CONV,AP_SAT,0>") == FixedPointFormat(
        8, 0, signed=False, rounding="RND_CONV", overflow="SAT"
    )
    assert FixedPointFormat.parse("ap_int<8>") == FixedPointFormat(8, 8)
    assert FixedPointFormat.parse("uint<4>") == FixedPointFormat(4, 4, signed=False)
    fmt = FixedPointFormat(10, -2, rounding="RND_ZERO", overflow="SAT_SYM")
    assert FixedPointFormat.parse(str(fmt)) == fmt
    for bad in ("float", "fixed<8>", "ap_fixed<0,0>", "fixed<8,3,ROUND_UP>", "ap_int<8,3>"):
        with pytest.raises(ValueError):
            FixedPointFormat.parse(bad)
    with pytest.raises(ValueError):
        FixedPointFormat(8, 3, rounding="TRN", overflow="WRAP_SM")


def test_quantize_follows_ap_fixed_rounding_and_overflow():
    x = np.array([0.3, -0.3, 0.375, -0.375, 1.9, 2.1, -3.0, 0.1, -0.1])
    # ap_fixed<4,2>: step 0.25, range [-2, 1.75].
    trn_wrap = FixedPointFormat(4, 2).quantize(x)
    np.testing.assert_array_equal(trn_wrap, [0.25, -0.5, 0.25, -0.5, 1.75, -2.0, 1.0, 0.0, -0.25])
    rnd_sat = FixedPointFormat(4, 2, rounding="RND", overflow="SAT").quantize(x)
    np.testing.assert_array_equal(rnd_sat, [0.25, -0.25, 0.5, -0.25, 1.75, 1.75, -2.0, 0.0, -0.0])
    conv = FixedPointFormat(4, 2, rounding="RND_CONV", overflow="SAT").quantize([0.125, 0.375])
    np.testing.assert_array_equal(conv, [0.0, 0.5])  # ties to even
    # Shape kept, float64 out, every value on the grid, SAT inside the range.
    w = np.random.default_rng(2).normal(0, 3, size=(70, 1000)).astype(np.float32)
    f = FixedPointFormat(8, 3, rounding="RND", overflow="SAT")
    q = f.quantize(w)
    assert q.shape == w.shape and q.dtype == np.float64
    np.testing.assert_array_equal(q / f.lsb, np.round(q / f.lsb))
    assert q.min() == f.min and q.max() == f.max
    inside = (w > f.min) & (w < f.max)
    assert np.abs(q - w)[inside].max() <= f.lsb / 2


def test_flush_interval_is_where_values_become_zero():
    for rounding in ("TRN", "RND", "TRN_ZERO", "RND_CONV"):
        f = FixedPointFormat(6, 1, rounding=rounding)
        lo, hi = f.flush_interval
        x = np.linspace(-3 * f.lsb, 3 * f.lsb, 601)
        q = f.quantize(x)
        inner = (x > lo) & (x < hi)
        outer = (x < lo) | (x > hi)
        assert np.all(q[inner] == 0) and np.all(q[outer] != 0), rounding


def test_report_counts_overflow_and_underflow():
    f = FixedPointFormat(6, 2, rounding="RND", overflow="SAT")  # step 1/16, range [-2, 1.9375]
    x = np.array([0.0, 0.0, 0.01, -0.03, 0.04, 0.5, -1.0, 1.95, 2.5, -2.2, -2.02])
    # underflow: 0.01 and -0.03 round to 0 (0.04 rounds to 1/16); overflow: 2.5 and -2.2 round out
    # of range; 1.95 rounds to 1.9375 and -2.02 to -2.0, both in range; exact zeros are fine.
    r = quantization_report(x, f)
    assert (r["overflow"], r["underflow"], r["representable"], r["count"]) == (2, 2, 7, 11)
    assert r["representable_fraction"] == pytest.approx(7 / 11)
    assert representable_fraction(x, f) == pytest.approx(7 / 11)
    q = f.quantize(x)
    assert r["rms_error"] == pytest.approx(math.sqrt(np.mean((q - x) ** 2)))
    assert r["max_abs_error"] == pytest.approx(np.abs(q - x).max()) and r["max_abs_error"] == pytest.approx(
        0.5625
    )
    assert r["sparsity_after"] == pytest.approx(4 / 11)
    assert r["format"] == "ap_fixed<6,2,AP_RND,AP_SAT>" and r["lsb"] == 1 / 16
    # Truncation: a value a little above max truncates to max (no overflow) but small negatives go
    # to -lsb (no underflow), small positives to 0.
    t = FixedPointFormat(6, 2)
    rt = quantization_report(np.array([1.95, -0.01, 0.01, 0.0]), t)
    assert (rt["overflow"], rt["underflow"]) == (0, 1)


def test_representable_fraction_matches_a_brute_force_count(pruned):
    for fmt in (FixedPointFormat(16, 6), FixedPointFormat(8, 0, rounding="RND"), FixedPointFormat(6, -3)):
        w = pruned.astype(np.float64) * 4
        steps = w / fmt.lsb
        r = (np.floor(steps + 0.5) if fmt.rounding == "RND" else np.floor(steps)) * fmt.lsb
        bad = (r > fmt.max) | (r < fmt.min) | ((r == 0) & (w != 0))
        assert representable_fraction(w, fmt) == pytest.approx(1 - bad.mean(), abs=1e-12), str(fmt)
    assert representable_fraction(np.array([]), FixedPointFormat(8, 3)) == 1.0
    assert quantization_report(np.array([]), FixedPointFormat(8, 3))["representable_fraction"] == 1.0
