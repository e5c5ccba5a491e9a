"""Cost metrics (bits, quantized size, BOPs, energy estimate) and Pareto fronts, hand-computed."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from core.metrics.cost import (
    MULT_EXPONENT,
    add_energy_pj,
    cost_overrides_from_variant,
    layer_costs,
    model_cost,
    mult_energy_pj,
    read_energy_pj,
)
from core.metrics.pareto import AXES, available_axes, pareto_front, task_axis


# --- tiny models -----------------------------------------------------------------------------------
def _dense_4_3(kernel=None, bias=None):
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(3, name="d")])
    kernel = np.arange(1, 13, dtype="float32").reshape(4, 3) / 10 if kernel is None else kernel
    bias = np.array([0.1, 0.2, 0.3], "float32") if bias is None else bias
    model.layers[0].set_weights([kernel, bias])
    return model


def _qdense(w_bits: int, a_bits: int | None, units: int = 3, sparsity: float = 0.0):
    """[QActivation(quantized_relu(a_bits))] -> QDense(units, w_bits weights and bias), all weights non-zero
    except the first ``sparsity`` fraction of the kernel."""
    import tensorflow as tf
    from qkeras import QActivation, QDense

    layers = [tf.keras.layers.InputLayer((4,))]
    if a_bits is not None:
        layers.append(QActivation(f"quantized_relu({a_bits})", name="act"))
    q = f"quantized_bits({w_bits},0,alpha=1)"
    layers.append(QDense(units, kernel_quantizer=q, bias_quantizer=q, name="qd"))
    model = tf.keras.Sequential(layers)
    kernel = np.full((4, units), 0.25, "float32")
    kernel.flat[: int(round(sparsity * kernel.size))] = 0.0
    model.get_layer("qd").set_weights([kernel, np.full(units, 0.125, "float32")])
    return model


def _e_mult(a: float, w: float) -> float:
    return 0.2 * (a * w / 64) ** MULT_EXPONENT


# --- energy table ------------------------------------------------------------------------------------
def test_energy_table_reproduces_horowitz_points():
    assert mult_energy_pj(8, 8) == pytest.approx(0.2)
    assert mult_energy_pj(32, 32) == pytest.approx(3.1)
    assert mult_energy_pj(32, 32, floating=True) == pytest.approx(3.7)
    assert MULT_EXPONENT == pytest.approx(0.989, abs=1e-3)  # ≈ bits²
    assert add_energy_pj(8) == pytest.approx(0.03)
    assert add_energy_pj(16) == pytest.approx(0.05)
    assert add_energy_pj(32) == pytest.approx(0.1)
    assert add_energy_pj(24) == pytest.approx(0.075)  # interpolated
    assert add_energy_pj(4) == pytest.approx(0.015)  # ∝ bits below 8
    assert add_energy_pj(64) == pytest.approx(0.2)  # ∝ bits above 32
    assert add_energy_pj(32, floating=True) == pytest.approx(0.9)
    assert read_energy_pj(32) == pytest.approx(5.0)
    assert read_energy_pj(4) == pytest.approx(0.625)
    assert read_energy_pj(32, "dram") == pytest.approx(640.0)


# --- hand-computed models ------------------------------------------------------------------------------
def test_float_dense_4_to_3():
    cost = model_cost(_dense_4_3())
    assert cost["weight_bits"] == {"d": 32} and cost["act_bits"] == {"d": 32}
    assert cost["bits_max"] == 32 and cost["bits_mean"] == pytest.approx(32.0)
    # m·n·k² = 12 MACs, fan-in 4: 12·(32·32 + 32 + 32 + log2 4) = 12·1090
    assert cost["bops"] == pytest.approx(13080.0)
    # 12 float MACs at 3.7 + 0.9 pJ; 15 non-zero float32 weights read from SRAM at 5 pJ
    assert cost["energy_breakdown_pj_estimate"]["compute"] == pytest.approx(12 * 4.6)
    assert cost["energy_breakdown_pj_estimate"]["memory"] == pytest.approx(75.0)
    assert cost["energy_pj_estimate"] == pytest.approx(55.2 + 75.0)
    # No zeros, 32 bits: dense storage, the same as size_dense (15·4 bytes).
    assert cost["size_quantized"] == cost["size_dense"] == 60
    assert {"size_sparse", "size_gzip"} <= set(cost)


def test_qdense_4_bit_weights_and_activations():
    cost = model_cost(_qdense(w_bits=4, a_bits=4))
    assert cost["weight_bits"] == {"qd": 4}
    assert cost["act_bits"] == {"qd": 4}
    assert cost["bits_max"] == 4 and cost["bits_mean"] == pytest.approx(4.0)
    assert cost["bops"] == pytest.approx(12 * (4 * 4 + 4 + 4 + 2))  # 312
    acc_bits = 4 + 4 + 2
    assert acc_bits == 10 and add_energy_pj(10) == pytest.approx(0.035)
    assert cost["energy_breakdown_pj_estimate"]["compute"] == pytest.approx(12 * (_e_mult(4, 4) + 0.035))
    assert cost["energy_breakdown_pj_estimate"]["memory"] == pytest.approx(15 * 5 * 4 / 32)
    assert cost["size_quantized"] == math.ceil(15 * 4 / 8)  # 7.5 -> 8 bytes
    assert cost["size_dense"] == 60


def test_qdense_4_bit_weights_with_float_inputs():
    cost = model_cost(_qdense(w_bits=4, a_bits=None))
    assert cost["act_bits"] == {"qd": 32}
    assert cost["bops"] == pytest.approx(12 * (32 * 4 + 32 + 4 + 2))  # 1992
    # Fixed-point MAC with the float operand counted as 32 bits: accumulator 32 + 4 + 2 bits.
    compute = 12 * (_e_mult(32, 4) + add_energy_pj(38))
    assert cost["energy_breakdown_pj_estimate"]["compute"] == pytest.approx(compute)


def test_half_pruned_dense():
    kernel = np.ones((4, 4), "float32")
    kernel[::2] = 0.0  # rows 0 and 2: 8 of 16 weights
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(4, name="p")])
    model.layers[0].set_weights([kernel, np.ones(4, "float32")])
    (row,) = layer_costs(model)
    assert row.pruned_fraction == pytest.approx(0.5)
    cost = model_cost(model)
    assert cost["bops"] == pytest.approx(16 * (0.5 * 1024 + 64 + 2))  # 9248
    assert cost["energy_breakdown_pj_estimate"]["compute"] == pytest.approx(8 * 4.6)  # zeros skipped
    assert cost["energy_breakdown_pj_estimate"]["memory"] == pytest.approx(12 * 5.0)
    # kernel: min(16·32, 8·(32+8)) = 320 bits as COO; bias: min(4·32, 4·40) = 128 bits dense
    assert cost["size_quantized"] == (320 + 128) // 8 == 56
    assert cost["size_dense"] == 80


def test_conv2d_multiplies_by_output_positions():
    import tensorflow as tf

    model = tf.keras.Sequential(
        [tf.keras.layers.InputLayer((5, 5, 2)), tf.keras.layers.Conv2D(3, 3, name="c")]  # -> (3, 3, 3)
    )
    kernel = np.full((3, 3, 2, 3), 0.5, "float32")
    model.layers[0].set_weights([kernel, np.full(3, 0.1, "float32")])
    cost = model_cost(model)
    macs = 9 * 3 * 3 * 2 * 3  # output positions × kernel weights = 486
    fan_in = 3 * 3 * 2  # n·k²
    assert cost["bops"] == pytest.approx(macs * (32 * 32 + 64 + math.log2(fan_in)))
    assert cost["energy_breakdown_pj_estimate"]["compute"] == pytest.approx(macs * 4.6)
    assert cost["energy_breakdown_pj_estimate"]["memory"] == pytest.approx((54 + 3) * 5.0)


def test_activation_bits_walk_through_pooling_and_flatten():
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense

    q4 = "quantized_bits(4,0,alpha=1)"
    model = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer((6, 6, 1)),
            QConv2D(2, 3, kernel_quantizer=q4, bias_quantizer=q4, name="conv"),
            QActivation("quantized_relu(3)", name="relu3"),
            tf.keras.layers.MaxPooling2D(name="pool"),
            tf.keras.layers.Flatten(name="flat"),
            QDense(3, kernel_quantizer=q4, bias_quantizer=q4, activation="quantized_relu(5)", name="fc"),
            tf.keras.layers.Dense(2, name="out"),
        ]
    )
    cost = model_cost(model)
    assert cost["weight_bits"] == {"conv": 4, "fc": 4, "out": 32}
    assert cost["act_bits"] == {"conv": 32, "fc": 3, "out": 5}
    assert cost["bits_max"] == 32


def test_weight_bits_override_for_fixed_point_variants():
    model = _dense_4_3()
    cost = model_cost(model, weight_bits_override={"d": 8})
    assert cost["weight_bits"] == {"d": 8} and cost["bits_max"] == 8
    assert cost["size_quantized"] == 15  # 15 weights × 8 bits
    assert cost["bops"] == pytest.approx(12 * (32 * 8 + 32 + 8 + 2))
    both = model_cost(model, weight_bits_override=8, act_bits_override=8)
    assert both["act_bits"] == {"d": 8}
    assert both["bops"] == pytest.approx(12 * (64 + 16 + 2))
    # Per tensor: a 6-bit kernel, the bias left as it is (float).
    mixed = model_cost(model, weight_bits_override={"d": {"kernel": 6}})
    assert mixed["weight_bits"] == {"d": 6}
    assert mixed["size_quantized"] == (12 * 6 + 3 * 32) // 8 == 21
    assert mixed["bits_mean"] == pytest.approx((12 * 6 + 3 * 32) / 15)


def test_overrides_from_the_quantize_operations_params():
    # fixed_point records the hls4ml format of every tensor it rounded.
    fixed = cost_overrides_from_variant(
        "fixed_point",
        {"width": 8, "formats": {"d": {"kernel": "ap_fixed<8,1>", "bias": "ap_fixed<10,3,RND,SAT>"}}},
    )
    assert fixed == {"weight_bits_override": {"d": {"kernel": 8, "bias": 10}}}
    cost = model_cost(_dense_4_3(), **fixed)
    assert cost["weight_bits"] == {"d": 8} and cost["act_bits"] == {"d": 32}
    assert cost["size_quantized"] == math.ceil((12 * 8 + 3 * 10) / 8) == 16  # 126 bits
    # TFLite int8: int8 kernels, int32 biases, int8 activations (full integer).
    int8 = cost_overrides_from_variant("quantize_int8", {"weights_source": {"d": "tflite"}})
    cost = model_cost(_dense_4_3(), **int8)
    assert cost["weight_bits"] == {"d": 8} and cost["act_bits"] == {"d": 8}
    assert cost["bops"] == pytest.approx(12 * (8 * 8 + 8 + 8 + 2))  # 984
    assert cost["size_quantized"] == (12 * 8 + 3 * 32) // 8 == 24
    # Explicit overrides pass through; QKeras and float variants need none.
    explicit = {"weight_bits_override": {"d": 4}, "act_bits_override": 6}
    assert cost_overrides_from_variant("custom", explicit) == explicit
    assert cost_overrides_from_variant("qat", {"weight_bits": 4, "mode": "ternary"}) == {}
    assert cost_overrides_from_variant("prune", {"sparsity": 0.8}) == {}
    assert cost_overrides_from_variant(None, None) == {}


# --- monotonicity ------------------------------------------------------------------------------------
def test_fewer_bits_fewer_bops_and_less_energy():
    costs = [model_cost(_dense_4_3())] + [model_cost(_qdense(b, b)) for b in (16, 8, 4, 2)]
    bops = [c["bops"] for c in costs]
    energy = [c["energy_pj_estimate"] for c in costs]
    sizes = [c["size_quantized"] for c in costs]
    assert bops == sorted(bops, reverse=True) and len(set(bops)) == len(bops)
    assert energy == sorted(energy, reverse=True) and len(set(energy)) == len(energy)
    assert sizes == sorted(sizes, reverse=True)


def test_more_sparsity_fewer_bops_and_less_energy():
    costs = [model_cost(_qdense(8, 8, units=4, sparsity=s)) for s in (0.0, 0.25, 0.5, 0.75)]
    bops = [c["bops"] for c in costs]
    energy = [c["energy_pj_estimate"] for c in costs]
    assert bops == sorted(bops, reverse=True) and len(set(bops)) == 4
    assert energy == sorted(energy, reverse=True) and len(set(energy)) == 4


def test_zoo_models_are_costed():
    from core.zoo import build_model

    model = build_model("handson_cnn")
    cost = model_cost(model)
    assert cost["bits_max"] == 32 and set(cost["weight_bits"]) == set(cost["act_bits"])
    macs = sum(r.macs for r in layer_costs(model))
    assert cost["bops"] > 1024 * macs  # at least the float products
    assert 0 < cost["size_quantized"] <= cost["size_dense"]
    parts = cost["energy_breakdown_pj_estimate"]
    assert cost["energy_pj_estimate"] == pytest.approx(parts["compute"] + parts["memory"])


# --- Pareto front ------------------------------------------------------------------------------------
def _brute_front(points, maximize):
    s = [1 if m else -1 for m in maximize]
    ok = [i for i, p in enumerate(points) if all(v is not None and math.isfinite(v) for v in p)]
    front = []
    for i in ok:
        gi = (s[0] * points[i][0], s[1] * points[i][1])
        dominated = False
        for j in ok:
            gj = (s[0] * points[j][0], s[1] * points[j][1])
            if gj[0] >= gi[0] and gj[1] >= gi[1] and gj != gi:
                dominated = True
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: (points[i][0], points[i][1], i))


def test_pareto_front_small_example():
    # (size kB, accuracy %): smaller size and higher accuracy are better
    pts = [(14.6, 97.8), (3.9, 96.9), (12.0, 95.5), (3.9, 96.0), (9.0, 90.2), (7.7, 97.1)]
    assert pareto_front(pts, maximize=(False, True)) == [1, 5, 0]
    # default direction: x maximized, y minimized
    assert pareto_front([(1, 1), (2, 1), (2, 0), (0, 5)]) == [2]


def test_pareto_front_ties_and_missing_values():
    pts = [(1.0, 2.0), (1.0, 2.0), (float("nan"), 9.0), (None, 1.0), (2.0, float("inf")), (0.5, 1.0)]
    assert pareto_front(pts, maximize=(False, True)) == [5, 0, 1]  # duplicates both kept
    assert pareto_front([], maximize=(False, True)) == []
    assert pareto_front([(1.0, 1.0), (1.0, 3.0)], maximize=(False, True)) == [1]  # same x, better y
    with pytest.raises(ValueError):
        pareto_front([(1.0, 2.0)], maximize=(True,))


@pytest.mark.parametrize("maximize", [(True, True), (True, False), (False, True), (False, False)])
def test_pareto_front_matches_brute_force(maximize):
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 12)
        pts = [(float(rng.randint(0, 5)), float(rng.randint(0, 5))) for _ in range(n)]
        assert pareto_front(pts, maximize) == _brute_front(pts, maximize)


def test_axes_registry_lists_only_measured_axes():
    old = {"val_accuracy": 0.97, "params": 100, "size_gzip": 400}
    new = {**old, "bops": 2e6, "energy_pj_estimate": 5e3, "size_quantized": 50}
    keys = [a.key for a in available_axes([old, new])]
    assert keys == ["val_accuracy", "params", "size_gzip", "size_quantized", "bops", "energy_pj_estimate"]
    assert "latency_ns_estimate" in [a.key for a in available_axes([{"latency_ns_estimate": 120.0}])]
    assert AXES["val_accuracy"].higher_is_better and not AXES["bops"].higher_is_better
    assert AXES["size_gzip"].value({"size_gzip": 1500}) == pytest.approx(1.5)  # kB
    assert "(kB)" in AXES["size_gzip"].label and "estimate" in AXES["energy_pj_estimate"].label
    assert AXES["bops"].value({"bops": float("nan")}) is None
    assert task_axis([old]).key == "val_accuracy"
    assert task_axis([{"val_mae": 0.1}, {"val_mae": 0.2}, old]).key == "val_mae"
    assert task_axis([{"params": 3}]) is None
