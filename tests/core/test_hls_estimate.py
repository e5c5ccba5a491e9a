"""The analytic latency/resource estimate: its trends on the zoo models and its order of magnitude.

The estimate is a model, not a measurement; these tests check what it must get right whatever its
constants: wider numbers and less reuse cost more, reuse costs cycles, more layers cost latency,
pruned weights cost nothing with the Latency strategy, and the hls4ml jet tagger lands in the
~100 ns class of the hls4ml paper (loosely: within a factor 3).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.hls.estimate import SOURCE, Estimate, compare, estimate
from core.hls.vendor import U50_CAPACITY, SynthReport


@pytest.fixture(scope="module")
def jet():
    from core.zoo import build_model

    return build_model("jet_mlp")


@pytest.fixture(scope="module")
def jet_config(jet):
    from core.hls.config import make_config

    return make_config(jet)


def _with(config, **settings):
    c = config.copy()
    for name, value in settings.items():
        c.set_setting(name, value)
    return c


def test_estimate_is_labelled_and_serializable(jet, jet_config):
    est = estimate(jet, jet_config)
    assert isinstance(est, Estimate)
    assert est.source == SOURCE == "estimate (analytic model)"
    assert est.clock_ns == 5.0 and est.io_type == "io_parallel" and est.pipeline_style == "pipeline"
    names = [row.name for row in est.layers]
    assert names[:2] == ["fc1", "relu1"] and names[-1] == "softmax"
    # the total is calibrated; the rows are the analytic schedule's stages (a pipeline: they add up)
    assert 0 < est.latency_cycles <= 2 * sum(row.latency_cycles for row in est.layers)
    assert abs(est.dsp - sum(row.dsp for row in est.layers)) <= len(est.layers) and est.dsp > 0
    d = json.loads(json.dumps(est.to_dict()))
    assert d["source"] == SOURCE and d["latency_ns"] == est.latency_cycles * 5.0
    assert set(d["utilization"]) == set(U50_CAPACITY)
    assert est.utilization()["DSP"] == pytest.approx(est.dsp / U50_CAPACITY["DSP"])
    assert est.part == "xcu50-fsvh2104-2-e" and est.capacity == U50_CAPACITY
    assert set(d["error_bars"]) == {"latency_cycles", "ii", "DSP", "LUT", "FF", "BRAM_18K"}
    assert d["calibration_source"].startswith("built-in: 60 hls4ml baseline reports")
    assert Estimate.from_dict(d) == est


def test_jet_tagger_is_in_the_100_ns_class(jet, jet_config):
    """hls4ml's jet tagger (16-64-32-32-5, ap_fixed<16,6>, reuse 1) is a ~100 ns design at 5 ns
    (JINST 13 P07027). The estimate only has to land in that class: within a factor ~3."""
    est = estimate(jet, jet_config)
    assert 100 / 3 <= est.latency_ns <= 100 * 3
    assert est.interval_cycles == 1
    # reuse 1, 16-bit operands: at most one DSP per product (4256 products); products by small
    # constant weights go to LUTs, as the tools do (half of a normal(0, 0.05) Conv2D's did)
    assert 0.5 * 4256 <= est.dsp <= 4256


@pytest.mark.parametrize(
    "widths", [(4, 6, 8, 10), (12, 16, 20, 24)], ids=["LUT multipliers", "DSP multipliers"]
)
def test_wider_precision_costs_more(jet, jet_config, widths):
    ests = [estimate(jet, _with(jet_config, default_precision=f"ap_fixed<{w},2>")) for w in widths]
    luts = [e.lut for e in ests]
    ffs = [e.ff for e in ests]
    dsps = [e.dsp for e in ests]
    assert ffs == sorted(ffs) and ffs[-1] > ffs[0], ffs
    assert dsps == sorted(dsps), dsps
    if widths[0] > 10:  # wider constants move products from LUTs to DSPs: DSPs grow, LUTs need not
        assert dsps[0] > 0 and len(set(dsps)) == len(dsps), dsps
    else:  # narrow products go to LUTs: only the softmax's 18-bit multiplications use DSPs
        assert luts == sorted(luts) and len(set(luts)) == len(luts), luts
        assert max(dsps) <= 10


def test_dsp_threshold_between_narrow_and_wide(jet, jet_config):
    narrow = estimate(jet, _with(jet_config, default_precision="ap_fixed<8,3>"))
    wide = estimate(jet, _with(jet_config, default_precision="ap_fixed<16,6>"))
    assert narrow.dsp < wide.dsp / 100
    assert narrow.ff < wide.ff * 4  # not a blow-up elsewhere


def test_smaller_reuse_factor_costs_more_and_is_faster(jet, jet_config):
    ests = {rf: estimate(jet, _with(jet_config, reuse_factor=rf)) for rf in (1, 2, 4, 8)}
    dsp = [ests[rf].dsp for rf in (1, 2, 4, 8)]
    lut = [ests[rf].lut for rf in (1, 2, 4, 8)]
    lat = [ests[rf].latency_cycles for rf in (1, 2, 4, 8)]
    assert dsp == sorted(dsp, reverse=True) and dsp[0] > 3 * dsp[-1], dsp
    assert lut == sorted(lut, reverse=True) and lut[0] > lut[-1], lut
    assert lat == sorted(lat) and lat[-1] > lat[0], lat
    assert ests[4].interval_cycles == 4
    assert {row.reuse_factor for row in ests[4].layers if row.class_name == "Dense"} == {4}


def test_invalid_reuse_factor_snaps_like_hls4ml(jet, jet_config):
    """hls4ml replaces a reuse factor that does not divide the layer by the closest valid one."""
    est = estimate(jet, _with(jet_config, reuse_factor=3))
    fc1 = est.layer("fc1")  # 16 x 64: 3 is invalid
    from hls4ml.backends import get_backend

    backend = get_backend("Vitis")
    valid = backend.get_valid_reuse_factors(16, 64)
    assert fc1.reuse_factor == backend.get_closest_reuse_factor(valid, 3)


def test_more_layers_more_latency(jet, jet_config):
    import tensorflow as tf

    from core.hls.config import make_config

    L = tf.keras.layers
    one = tf.keras.Sequential(
        [L.Input((16,), name="input"), L.Dense(5, name="output"), L.Activation("softmax", name="softmax")]
    )
    small = estimate(one, make_config(one))
    big = estimate(jet, jet_config)
    assert big.latency_cycles > small.latency_cycles
    assert big.dsp > small.dsp


def test_pruned_weights_cost_no_multiplier_with_latency_strategy(jet, jet_config):
    from core.models.clone import copy_model

    pruned = copy_model(jet)
    for layer in pruned.layers:
        if layer.get_weights():
            kernel, bias = layer.get_weights()
            cut = np.quantile(np.abs(kernel), 0.8)
            layer.set_weights([np.where(np.abs(kernel) < cut, 0.0, kernel), bias])
    dense, sparse = estimate(jet, jet_config), estimate(pruned, jet_config)
    assert sparse.multipliers < 0.25 * dense.multipliers
    assert sparse.dsp < 0.25 * dense.dsp
    assert sparse.lut < dense.lut
    fc2 = sparse.layer("fc2")
    assert fc2.zero_weights >= 0.79 * 64 * 32 and any("are 0" in note for note in fc2.notes)
    # With the Resource strategy the weights are read from memory: zeros are multiplied too.
    res = _with(jet_config, strategy="Resource")
    assert estimate(pruned, res).multipliers == estimate(jet, res).multipliers


def test_resource_strategy_puts_weights_in_bram(jet, jet_config):
    est = estimate(jet, _with(jet_config, strategy="Resource", reuse_factor=64))
    assert est.pipeline_style == "dataflow"
    assert est.bram_18k > estimate(jet, jet_config).bram_18k
    assert est.dsp < 200


def test_cnn_and_io_stream(jet_config):
    from core.hls.config import HlsSettings, make_config
    from core.zoo import build_model

    cnn = build_model("handson_cnn")
    par = estimate(cnn, make_config(cnn))
    stream = estimate(cnn, make_config(cnn, HlsSettings(io_type="io_stream")))
    assert par.pipeline_style == stream.pipeline_style == "dataflow"  # convolutions
    conv1 = par.layer("conv1")
    assert conv1.multipliers == 3 * 3 * 1 * 16 - conv1.zero_weights - _pow2(conv1)
    assert conv1.latency_cycles >= 64  # 8x8 output pixels, one per cycle
    assert stream.latency_cycles > 0 and stream.io_type == "io_stream"
    assert par.dsp > U50_CAPACITY["DSP"]  # 16-bit, reuse 1: does not fit, and the estimate says so
    assert par.utilization()["DSP"] > 1


def _pow2(row) -> int:
    for note in row.notes:
        if "±2^k" in note:
            return int(note.split()[0])
    return 0


def test_qkeras_precisions_come_from_the_quantizers():
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    from core.hls.config import make_config

    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input((16,), name="input"),
            QDense(
                32,
                kernel_quantizer=quantized_bits(6, 0, alpha=1),
                bias_quantizer=quantized_bits(6, 0, alpha=1),
                name="fc1",
            ),
            QActivation(quantized_relu(6), name="relu1"),
            QDense(
                5,
                kernel_quantizer=quantized_bits(6, 0, alpha=1),
                bias_quantizer=quantized_bits(6, 0, alpha=1),
                name="fc2",
            ),
        ]
    )
    est = estimate(model, make_config(model))
    assert est.layer("fc1").precision["weight"] == 6
    assert est.layer("fc2").precision["input"] == 6  # the quantized ReLU's output
    assert est.dsp == 0  # 6-bit weights: LUT multipliers


def test_defaults_without_config_and_dict_config(jet, jet_config):
    assert estimate(jet).latency_cycles == estimate(jet, jet_config).latency_cycles
    as_dict = estimate(jet, jet_config.to_hls4ml())
    assert as_dict.dsp == estimate(jet, jet_config).dsp
    # the what-if overrides
    assert estimate(jet, jet_config, reuse_factor=4).interval_cycles == 4
    assert (
        estimate(jet, jet_config, clock_period_ns=2.5).latency_cycles
        > estimate(jet, jet_config).latency_cycles
    )


def test_compare_with_a_report(jet, jet_config):
    est = estimate(jet, jet_config)
    report = SynthReport(
        latency_cycles_min=18, latency_cycles_max=20, interval_min=1, interval_max=1,
        lut=100_000, ff=20_000, dsp=4000, bram_18k=4, uram=0, clock_ns=5.0,
    )  # fmt: skip
    rows = {(r["quantity"], r["unit"]): r for r in compare(est, report)}
    assert rows[("latency", "ns")]["report"] == 100.0
    assert rows[("latency", "cycles")]["ratio"] == pytest.approx(est.latency_cycles / 20)
    assert rows[("DSP", "count")]["capacity"] == U50_CAPACITY["DSP"]
    assert rows[("URAM", "count")]["ratio"] is None


def test_batchnorm_is_folded_only_where_hls4ml_folds_it():
    """hls4ml folds a BatchNormalization into the Dense before it only when that Dense's result
    type is 'auto', it has no activation and nothing else reads it; otherwise it is a
    scale-and-shift layer of its own (multipliers, adders)."""
    import tensorflow as tf

    from core.hls.config import make_config

    L = tf.keras.layers

    def model(activation=None):
        return tf.keras.Sequential(
            [
                L.Input((8,), name="input"),
                L.Dense(16, activation=activation, name="fc"),
                L.BatchNormalization(name="bn"),
                L.Dense(4, name="out"),
            ]
        )

    plain = model()
    explicit = make_config(plain)  # TrigLab writes an explicit result precision: hls4ml keeps the BN
    kept = estimate(plain, explicit).layer("bn")
    assert kept.multipliers == 16 and not any("folded" in n for n in kept.notes)
    auto = explicit.copy()
    auto.set("fc", "result", "auto")
    folded = estimate(plain, auto).layer("bn")
    assert folded.multipliers == 0 and any("folded" in n for n in folded.notes)
    relu = model("relu")
    auto_relu = make_config(relu)
    auto_relu.set("fc", "result", "auto")
    assert estimate(relu, auto_relu).layer("bn").multipliers == 16  # an activation in between


def test_compare_rows_carry_the_error_bar(jet, jet_config):
    est = estimate(jet, jet_config)
    inside = SynthReport(
        latency_cycles_min=est.latency_cycles, latency_cycles_max=est.latency_cycles, interval_min=1,
        interval_max=1, lut=est.lut, ff=est.ff, dsp=10 * est.dsp, bram_18k=est.bram_18k, uram=0, clock_ns=5.0,
    )  # fmt: skip
    rows = {(r["quantity"], r["unit"]): r for r in compare(est, inside)}
    assert rows[("LUT", "count")]["inside"] is True
    assert rows[("LUT", "count")]["error"] == est.error_bars["LUT"]["rel"]
    assert rows[("DSP", "count")]["inside"] is False  # 10x the estimate: outside ±15 %
    assert rows[("URAM", "count")]["error"] is None and rows[("URAM", "count")]["inside"] is None


def test_part_capacities():
    from core.hls.parts import PART_CAPACITY, part_capacity

    assert part_capacity("xcu50-fsvh2104-2-e") == U50_CAPACITY
    assert part_capacity("xcvu13p-flga2577-2-e")["DSP"] == 12288  # hls4ml baselines' Available*
    assert part_capacity("XCU250-figd2104-2L-e") == PART_CAPACITY["xcu250"]
    assert part_capacity("xc7z020clg400-1")["LUT"] == 53_200
    assert part_capacity("xcu55c-fsvh2892-2L-e") != part_capacity("xcu50-fsvh2104-2-e")
    assert part_capacity("xcfoo") is None and part_capacity(None) is None


def test_features_are_json_and_predict_the_totals(jet, jet_config):
    from core.hls.estimate import active_calibration, features

    feats = json.loads(json.dumps(features(jet, jet_config)))
    assert feats["backend"] == "Vitis" and feats["part"] == "xcu50-fsvh2104-2-e"
    totals = active_calibration().predict(feats)
    est = estimate(jet, jet_config)
    assert round(totals["DSP"]) == est.dsp and round(totals["LUT"]) == est.lut
    assert round(totals["latency_cycles"]) == est.latency_cycles


def test_a_synthesis_report_becomes_a_reference_pair(jet, jet_config):
    from core.hls.estimate import features, fit, report_dict, shipped_calibration

    rep = SynthReport(
        latency_cycles_min=18, latency_cycles_max=20, interval_min=1, interval_max=1,
        lut=100_000, ff=20_000, dsp=4000, bram_18k=4, uram=0, clock_ns=5.0, tool_version="2023.2",
    )  # fmt: skip
    r = report_dict(rep, "Vitis")
    assert (
        r["WorstLatency"] == 20 and r["LUT"] == 100_000 and (r["vendor"], r["version"]) == ("Vitis", "2023.2")
    )
    cal = fit([(features(jet, jet_config), r)], prior=shipped_calibration())
    assert cal.factor("LUT", "Vitis 2023.2") != shipped_calibration().factor("LUT", "Vitis 2023.2")
