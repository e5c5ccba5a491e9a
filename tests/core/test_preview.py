"""The compression lab's live preview: masks, quantizers, statistics, histograms and caching."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.compress.preview import (
    MAX_GRID_LINES,
    PreviewEngine,
    PreviewSettings,
    PruneSettings,
    QuantSettings,
    apply_params,
    magnitude_threshold,
    prune_mask,
    quantization_grid,
    quantize_binary,
    quantize_po2,
    quantize_ternary,
    resolve_quantizer,
)
from core.weights import OVERFLOW_MODES, ROUNDING_MODES, FixedPointFormat


def _model_weights(seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return {
        "conv": {
            "kernel": rng.normal(0, 0.3, (3, 3, 1, 8)).astype(np.float32),
            "bias": rng.normal(0, 0.05, 8),
        },
        "fc1": {
            "kernel": rng.normal(0, 0.08, (128, 64)).astype(np.float32),
            "bias": np.zeros(64, np.float32),
        },
        "bn": {"gamma": np.ones(64, np.float32), "beta": np.zeros(64, np.float32)},
        "out": {"kernel": rng.normal(0, 0.2, (64, 10)).astype(np.float32), "bias": rng.normal(0, 0.1, 10)},
    }


def _settings(sparsity=0.0, scope="global", quant=None, **prune) -> PreviewSettings:
    return PreviewSettings(PruneSettings(value=sparsity, scope=scope, **prune), quant or QuantSettings())


# --- pure functions -----------------------------------------------------------------------------
@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.5, 0.8, 0.953, 0.99])
def test_threshold_for_a_target_sparsity_removes_exactly_that_many(sparsity):
    w = np.random.default_rng(1).normal(0, 0.1, 10_007).astype(np.float32)
    thr = magnitude_threshold(np.sort(np.abs(w)), sparsity)
    removed = int(np.count_nonzero(~prune_mask(w, thr)))
    assert abs(removed - round(sparsity * w.size)) <= 1
    assert prune_mask(w, thr).shape == w.shape


def test_q_of_zero_is_zero_for_every_mode_but_binary():
    zero = np.zeros(3)
    for rnd in ROUNDING_MODES:
        for ovf in OVERFLOW_MODES:
            if ovf == "WRAP_SM" and rnd not in ("RND", "RND_CONV"):
                continue
            assert np.all(FixedPointFormat(6, 2, True, rnd, ovf).quantize(zero) == 0), (rnd, ovf)
    assert np.all(quantize_po2(zero, 4, max_abs=1.0) == 0)
    assert np.all(quantize_ternary(zero, 0.3, scale=0.5) == 0)
    assert np.all(quantize_binary(zero, scale=0.5) == 0.5)  # binary has no zero: the engine masks


@pytest.mark.parametrize(
    "quant",
    [
        QuantSettings("fixed", 6, 1, "RND", "SAT"),
        QuantSettings("fixed", 5, 0),
        QuantSettings("po2", 4),
        QuantSettings("ternary"),
    ],
)
def test_masking_commutes_with_quantizing(quant):
    """Q(mask · w) = mask · Q(w) with the quantizer resolved on the unpruned weights: why a sparsity
    move needs no re-quantization."""
    w = np.random.default_rng(2).normal(0, 0.3, 500)
    q = resolve_quantizer(quant, w)
    mask = prune_mask(w, magnitude_threshold(np.sort(np.abs(w)), 0.6))
    np.testing.assert_array_equal(q.quantize(mask * w), mask * q.quantize(w))


def test_quantized_values_are_in_their_sets():
    w = np.random.default_rng(3).normal(0, 0.2, 2000)
    po2 = quantize_po2(w, 4)
    e_max = round(math.log2(np.abs(w).max()))
    allowed = {0.0} | {s * 2.0**e for s in (1, -1) for e in range(e_max - 6, e_max + 1)}  # 2^3 - 1 exponents
    assert set(np.unique(po2)) <= allowed
    assert len(np.unique(np.abs(po2[po2 != 0]))) <= 7
    b = quantize_binary(w)
    a = np.abs(w).mean()
    assert set(np.unique(b)) == {-a, a}
    t = quantize_ternary(w, 0.33)
    vals = np.unique(t)
    assert len(vals) == 3 and vals[1] == 0 and vals[0] == -vals[2]
    dead = np.abs(w) <= 0.33 * np.abs(w).max()
    assert np.all(t[dead] == 0) and np.all(t[~dead] != 0)
    assert vals[2] == pytest.approx(np.abs(w[~dead]).mean())


def test_fixed_grid_is_the_lsb_lattice_capped():
    fmt_settings = QuantSettings("fixed", 8, 3)
    grid = quantization_grid(PreviewSettings(quant=fmt_settings), -0.5, 0.5)
    lsb = 2.0**-5
    np.testing.assert_allclose(np.diff(grid), lsb)
    assert grid[0] == -0.5 and grid[-1] == 0.5
    fine = quantization_grid(fmt_settings, -3.0, 3.0, max_lines=50)  # 193 steps: thinned to every 4th
    assert len(fine) <= 50
    steps = np.diff(fine) / lsb
    assert np.all(steps == steps[0]) and steps[0] in (2, 4, 8)
    assert len(quantization_grid(QuantSettings("fixed", 16, 6), -30, 30)) <= MAX_GRID_LINES
    assert quantization_grid(QuantSettings(), -1, 1).size == 0


# --- the engine: pruning ------------------------------------------------------------------------
@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.75, 0.95])
def test_per_layer_scope_brings_each_kernel_to_the_target(sparsity):
    engine = PreviewEngine(_model_weights())
    r = engine.apply(_settings(sparsity, "per_layer"))
    for layer in ("conv", "fc1", "out"):
        t = r.layers[layer].tensors["kernel"]
        assert abs(t.zeros - round(sparsity * t.size)) <= 1
        assert r.layers[layer].tensors["bias"].pruned == 0
    assert r.layers["bn"].stats.zeros == 64  # beta, untouched


@pytest.mark.parametrize("sparsity", [0.2, 0.6, 0.9])
def test_global_scope_ranks_all_kernels_together(sparsity):
    weights = _model_weights()
    engine = PreviewEngine(weights)
    r = engine.apply(_settings(sparsity))
    kernels = [weights[n]["kernel"] for n in ("conv", "fc1", "out")]
    n = sum(k.size for k in kernels)
    assert abs(r.prunable.zeros - round(sparsity * n)) <= 1
    preview = r.weights()
    names = ("conv", "fc1", "out")
    kept = np.concatenate([np.abs(w[preview[n]["kernel"] != 0]) for n, w in zip(names, kernels)])
    gone = np.concatenate([np.abs(w[preview[n]["kernel"] == 0]) for n, w in zip(names, kernels)])
    assert gone.max() <= kept.min()  # one threshold over the network
    assert r.threshold == pytest.approx(gone.max())
    # layers lose different fractions: the wide fc1 has the smallest weights
    fracs = [r.layers[n].pruned_sparsity for n in names]
    assert fracs[1] > fracs[0]


def test_global_ranking_meets_the_count_with_tied_magnitudes():
    w = {"a": {"kernel": np.array([0.1, -0.1, 0.1, 0.5])}, "b": {"kernel": np.array([-0.1, 0.1, 0.7, 0.2])}}
    r = PreviewEngine(w).apply(_settings(0.5))
    assert r.prunable.zeros == 4  # six weights tie at 0.1: exactly four go


def test_overrides_keep_their_own_target_and_the_rest_ranks_globally():
    weights = _model_weights()
    r = PreviewEngine(weights).apply(_settings(0.8, overrides={"conv": 0.25}))
    conv = r.layers["conv"].tensors["kernel"]
    assert conv.zeros == round(0.25 * conv.size)
    rest = r.layers["fc1"].tensors["kernel"] + r.layers["out"].tensors["kernel"]
    assert abs(rest.zeros - round(0.8 * rest.size)) <= 1
    with pytest.raises(ValueError, match="bn"):
        PreviewEngine(weights).apply(_settings(0.5, overrides={"bn": 0.5}))


def test_threshold_mode_removes_magnitudes_up_to_the_value():
    weights = _model_weights()
    r = PreviewEngine(weights).apply(PreviewSettings(PruneSettings("threshold", 0.1)))
    for layer in ("conv", "fc1", "out"):
        w = weights[layer]["kernel"]
        assert r.layers[layer].tensors["kernel"].zeros == np.count_nonzero(np.abs(w) <= 0.1)
    assert r.threshold == 0.1
    assert apply_params(r.settings, r)["sparsity"] == pytest.approx(r.prunable.sparsity, abs=1e-4)


def test_already_zero_weights_count_as_pruned_and_stay_zero_when_binarized():
    w = np.array([0.0, 0.0, 0.3, -0.2, 0.1, -0.4])
    r = PreviewEngine({"L": {"kernel": w}}).apply(_settings(0.0, quant=QuantSettings("binary")))
    p = r.weights()["L"]["kernel"]
    a = np.mean([0.3, 0.2, 0.1, 0.4])
    np.testing.assert_allclose(p, [0, 0, a, -a, a, -a])
    assert r.total.pruned == 2 and r.total.zeros == 2


# --- the engine: statistics ---------------------------------------------------------------------
def test_statistics_by_hand():
    w = np.array([0.5, -0.25, 0.1, -0.05, 0.0, 0.3, 1.2])
    quant = QuantSettings("fixed", 4, 1, "TRN", "WRAP")  # lsb 1/8, range [-1, 0.875]
    engine = PreviewEngine({"L": {"kernel": w}})

    s = engine.apply(_settings(0.0, quant=quant)).total
    # 0.5 → 0.5, -0.25 → -0.25, 0.1 → 0 (underflow), -0.05 → -0.125, 0 → 0, 0.3 → 0.25, 1.2 → wraps to -0.875
    errors = np.array([0, 0, -0.1, -0.075, 0, -0.05, -2.075])
    assert (s.size, s.pruned, s.zeros, s.overflow, s.underflow) == (7, 1, 2, 1, 1)
    assert s.rms_error == pytest.approx(math.sqrt(np.mean(errors**2)))
    assert s.max_abs_error == pytest.approx(2.075)
    assert s.bytes_dense == 28 and s.bytes_after == 5 * 4 / 8
    np.testing.assert_allclose(
        engine.weights_for_model()["L"]["kernel"], [0.5, -0.25, 0, -0.125, 0, 0.25, -0.875]
    )

    s = engine.apply(_settings(3 / 7, quant=quant)).total  # 0, -0.05, 0.1 pruned
    errors = np.array([0, 0, -0.1, 0.05, 0, -0.05, -2.075])
    assert (s.pruned, s.zeros, s.overflow, s.underflow, s.nonzero) == (3, 3, 1, 0, 4)
    assert s.sparsity == pytest.approx(3 / 7)
    assert s.rms_error == pytest.approx(math.sqrt(np.mean(errors**2)))
    assert s.compression == pytest.approx(28 / 2)


@pytest.mark.parametrize(
    "quant",
    [
        QuantSettings(),
        QuantSettings("fixed", 8, "auto", "RND", "SAT"),
        QuantSettings("fixed", 6, 0, "TRN", "WRAP"),
        QuantSettings("po2", 3),
        QuantSettings("binary"),
        QuantSettings("ternary", ternary_threshold=0.2),
    ],
)
@pytest.mark.parametrize("scope", ["global", "per_layer"])
def test_statistics_and_histograms_match_a_direct_computation(quant, scope):
    weights = _model_weights(4)
    engine = PreviewEngine(weights)
    for sparsity in (0.0, 0.4, 0.7, 0.45, 0.9, 0.1):  # up and down: the incremental counts too
        r = engine.apply(_settings(sparsity, scope, quant))
        preview = r.weights(changed_only=False)
        for layer, ws in weights.items():
            lp = r.layers[layer]
            for name, w in ws.items():
                p, w64 = preview[layer][name].astype(np.float64), np.asarray(w, np.float64)
                s = lp.tensors[name]
                assert s.zeros == np.count_nonzero(p == 0)
                assert s.sq_error == pytest.approx(np.sum((p - w64) ** 2), rel=1e-9, abs=1e-12)
                assert s.max_abs_error == pytest.approx(np.max(np.abs(p - w64)))
                newly_pruned = max(0, s.pruned - np.count_nonzero(w64 == 0))
                assert s.underflow == np.count_nonzero((p == 0) & (w64 != 0)) - newly_pruned
            hw = np.concatenate([preview[layer][n].reshape(-1) for n in lp.histogrammed]).astype(np.float64)
            ow = np.concatenate([np.asarray(ws[n]).reshape(-1) for n in lp.histogrammed]).astype(np.float64)
            edges = lp.hist_after.edges
            np.testing.assert_array_equal(lp.hist_before.edges, edges)
            assert lp.hist_after.zeros == np.count_nonzero(hw == 0)
            assert lp.hist_before.zeros == np.count_nonzero(ow == 0)
            np.testing.assert_array_equal(lp.hist_after.counts, np.histogram(hw[hw != 0], edges)[0])
            np.testing.assert_array_equal(lp.hist_before.counts, np.histogram(ow[ow != 0], edges)[0])
        assert r.total.size == sum(np.size(a) for ws in weights.values() for a in ws.values())


def test_fixed_point_matches_fixed_point_format():
    weights = _model_weights(5)
    for rnd, ovf in (("TRN", "WRAP"), ("RND", "SAT"), ("RND_CONV", "SAT_SYM")):
        quant = QuantSettings("fixed", 7, 1, rnd, ovf)
        r = PreviewEngine(weights).apply(_settings(0.0, quant=quant))
        fmt = FixedPointFormat(7, 1, True, rnd, ovf)
        for layer in ("conv", "fc1", "out"):
            for name in ("kernel", "bias"):
                w = weights[layer][name]
                expected = fmt.quantize(w).astype(np.asarray(w).dtype)
                np.testing.assert_array_equal(r.weights()[layer][name], expected)
        np.testing.assert_array_equal(r.weights(changed_only=False)["bn"]["gamma"], weights["bn"]["gamma"])
        assert "bn" not in r.weights()  # never changed, never written


def test_auto_integer_bits_are_the_fewest_without_overflow():
    weights = _model_weights(6)
    r = PreviewEngine(weights).apply(_settings(0.0, quant=QuantSettings("fixed", 8, "auto", "RND", "SAT")))
    for layer in ("conv", "fc1", "out"):
        q = r.layers[layer].quantizers["kernel"]
        w = weights[layer]["kernel"]
        assert r.layers[layer].tensors["kernel"].overflow == 0
        tighter = FixedPointFormat(8, q.fmt.integer - 1, True, "RND", "SAT")
        r_tight = tighter.round_unbounded(w)
        assert (r_tight > tighter.max).any() or (r_tight < tighter.min).any()


def test_grid_aligned_bins_put_each_fixed_point_value_in_its_own_bin():
    r = PreviewEngine(_model_weights()).apply(
        _settings(0.5, quant=QuantSettings("fixed", 6, 1, "RND", "SAT"))
    )
    lp = r.layers["out"]
    lsb = lp.quantizer.fmt.lsb
    np.testing.assert_allclose(np.diff(lp.hist_after.edges), lsb)
    centers = lp.hist_after.centers[lp.hist_after.counts > 0]
    np.testing.assert_allclose(centers / lsb, np.round(centers / lsb), atol=1e-9)
    assert set(np.round(lp.grid / lsb)) >= set(np.round(centers / lsb))


# --- the engine: caching ------------------------------------------------------------------------
def test_same_settings_reuse_every_layer_without_recomputation():
    engine = PreviewEngine(_model_weights())
    settings = _settings(0.6, quant=QuantSettings("fixed", 8, 3))
    first = engine.apply(settings)
    calls = dict(engine.calls)
    again = engine.apply(PreviewSettings.from_dict(settings.to_dict()))
    assert dict(engine.calls) == calls
    for name in first.layers:
        assert again.layers[name] is first.layers[name]
        for w in first.layers[name].weights():
            assert again.layers[name].weights()[w] is first.layers[name].weights()[w]


def test_a_sparsity_move_does_not_requantize_and_a_width_change_does():
    engine = PreviewEngine(_model_weights())
    quant = QuantSettings("fixed", 8, "auto")
    engine.apply(_settings(0.5, quant=quant))
    sorts, quantized = engine.calls["sort"], engine.calls["quantize"]
    assert sorts == 3  # one per kernel, once
    for s in (0.55, 0.6, 0.65, 0.2):
        engine.apply(_settings(s, quant=quant))
    assert (engine.calls["sort"], engine.calls["quantize"]) == (sorts, quantized)
    engine.apply(_settings(0.2, quant=QuantSettings("fixed", 6, "auto")))
    assert engine.calls["quantize"] == quantized + 6  # three kernels and three biases; bn stays float
    assert engine.calls["sort"] == sorts
    # back to the first quantizer: still cached
    engine.apply(_settings(0.5, quant=quant))
    assert engine.calls["quantize"] == quantized + 6


def test_only_the_layer_whose_override_changed_is_recomputed():
    engine = PreviewEngine(_model_weights())
    engine.apply(_settings(0.5, "per_layer"))
    before = engine.calls["layer"]
    r = engine.apply(_settings(0.5, "per_layer", overrides={"fc1": 0.9}))
    assert engine.calls["layer"] == before + 1
    assert r.layers["fc1"].target == 0.9
    assert r.layers["fc1"].tensors["kernel"].zeros == round(0.9 * 128 * 64)


# --- settings -----------------------------------------------------------------------------------
def test_settings_validate_and_round_trip():
    with pytest.raises(ValueError, match="sparsity"):
        PruneSettings(value=1.0)
    with pytest.raises(ValueError, match="scope"):
        PruneSettings(scope="layer")
    with pytest.raises(ValueError, match="quantizer"):
        QuantSettings("int3")
    with pytest.raises(ValueError, match="rounding"):
        QuantSettings("fixed", rounding="UP")
    s = PreviewSettings(
        PruneSettings("sparsity", 0.7, "per_layer", {"fc1": 0.5}),
        QuantSettings("fixed", 6, 2, "ap_rnd", "AP_SAT"),
    )
    assert s.quant.rounding == "RND" and s.quant.overflow == "SAT"
    assert PreviewSettings.from_dict(s.to_dict()) == s
    params = apply_params(s)
    assert params["sparsity"] == 0.7 and params["width"] == 6 and params["integer"] == 2
    assert params["per_layer"] == {"fc1": 0.5} and params["rounding"] == "RND"
    assert apply_params(PreviewSettings(quant=QuantSettings("ternary")))["mode"] == "ternary"


def test_preview_weights_write_into_a_keras_model():
    import tensorflow as tf

    from core.compress.preview import set_model_weights
    from core.models import weight_arrays

    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, name="d")])
    engine = PreviewEngine(weight_arrays(model))
    engine.apply(_settings(0.5, quant=QuantSettings("fixed", 4, 1)))
    set_model_weights(model, engine.weights_for_model())
    kernel = model.get_layer("d").kernel.numpy()
    assert np.count_nonzero(kernel == 0) >= 6
    np.testing.assert_array_equal(kernel, engine.weights_for_model()["d"]["kernel"])
    with pytest.raises(ValueError, match="no weight"):
        set_model_weights(model, {"d": {"gamma": np.ones(3)}})
