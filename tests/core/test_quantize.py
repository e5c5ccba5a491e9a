"""Quantization operations: TFLite int8, QKeras conversion and QAT, fixed point as hls4ml.

The two hls4ml tests compile C++ (a few seconds each) and are marked slow.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.compress import CompressionError, get_operation, list_operations
from core.compress.qkeras_convert import QuantizationConfig, quantizer_summary, to_qkeras
from core.compress.quantize import (
    auto_integer_bits,
    hls4ml_weight_values,
    read_tflite_weights,
    simulate_int8,
)
from core.metrics import evaluate
from core.weights import FixedPointFormat
from core.zoo import build_model

U50_PART = "xcu50-fsvh2104-2-e"


def run_op(name, model, dataset, **params):
    op = get_operation(name)
    return op.fn(model, dataset, op.resolve(params), None)


@pytest.fixture(scope="module")
def trained_cnn(digits):
    """handson_cnn trained on digits (~94% validation accuracy, a few seconds)."""
    from core.train import train

    return train(build_model("handson_cnn"), digits, epochs=25, batch_size=32, lr=3e-3, seed=0).model


def weights_of(model):
    return [w.copy() for w in model.get_weights()]


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def rename_input(model, name="x_in"):
    """A copy of a Sequential model whose input layer is not called 'input' (reserved by hls4ml)."""
    import tensorflow as tf

    from core.models import custom_objects

    cfg = model.get_config()
    cfg["layers"][0]["config"]["name"] = name
    clone = tf.keras.Sequential.from_config(cfg, custom_objects=custom_objects())
    clone.set_weights(model.get_weights())
    return clone


# --- registry -------------------------------------------------------------------------------------
def test_quantization_operations_are_registered_with_their_params():
    ops = {op.name: op for op in list_operations()}
    assert {"quantize_int8", "qat", "fixed_point"} <= set(ops)
    assert [p.name for p in ops["quantize_int8"].params] == ["calibration_samples"]
    fp = {p.name: p for p in ops["fixed_point"].params}
    assert (fp["width"].default, fp["integer"].default, fp["rounding"].default, fp["overflow"].default) == (
        8,
        "auto",
        "TRN",
        "WRAP",
    )
    qat = {p.name: p.default for p in ops["qat"].params}
    assert qat["weight_bits"] == 8 and qat["act_bits"] == 8 and qat["mode"] == "fixed" and qat["epochs"] == 30
    assert qat["patience"] == 5 and qat["keep_zeros"] is True  # epochs is a cap: stops on val_loss
    with pytest.raises(CompressionError, match="mode"):
        ops["qat"].resolve({"mode": "octal"})


# --- QKeras conversion ----------------------------------------------------------------------------
def test_to_qkeras_maps_layers_keeps_names_and_copies_weights():
    model = build_model("handson_cnn")
    before = weights_of(model)
    q = to_qkeras(model, {"weight_bits": 6, "weight_integer": 0, "act_bits": 5, "act_integer": 2})
    assert_same_weights(before, model.get_weights())  # input untouched
    assert [layer.name for layer in q.layers] == [layer.name for layer in model.layers]
    kinds = {layer.name: type(layer).__name__ for layer in q.layers}
    assert kinds["conv1"] == "QConv2D" and kinds["fc1"] == "QDense" and kinds["output"] == "QDense"
    assert kinds["relu1"] == "QActivation" and kinds["softmax"] == "Activation"
    assert kinds["pool1"] == "MaxPooling2D"
    assert_same_weights(before, q.get_weights())  # transfer
    summary = quantizer_summary(q)
    assert summary["conv1"]["kernel"] == "quantized_bits(6,0,0,alpha=1)"
    assert summary["fc1"]["bias"] == "quantized_bits(6,0,0,alpha=1)"
    assert str(q.get_layer("relu2").activation) == "quantized_relu(5,2)"


def test_to_qkeras_heterogeneous_modes_and_float_layers():
    model = build_model("handson_cnn")
    q = to_qkeras(
        model,
        {
            "weight_bits": 4,
            "mode": "po2",
            "per_layer": {
                "conv1": {"mode": "fixed", "weight_bits": 8, "weight_integer": 1},
                "conv2": {"mode": "binary"},
                "fc1": {"mode": "ternary", "ternary_threshold": 0.1},
                "output": {"quantize": False},
                "relu3": {"act_bits": 3, "act_integer": 1},
            },
        },
    )
    s = quantizer_summary(q)
    assert s["conv1"]["kernel"] == "quantized_bits(8,1,0,alpha=1)"
    assert s["conv2"]["kernel"].startswith("binary(alpha=1")
    assert s["fc1"]["kernel"] == "ternary(alpha=1,threshold=0.1)"
    assert type(q.get_layer("output")).__name__ == "Dense"
    assert str(q.get_layer("relu3").activation) == "quantized_relu(3,1)"
    # the ternary kernel really takes three values, the binary two
    fc1 = q.get_layer("fc1")
    assert set(np.unique(fc1.kernel_quantizer_internal(fc1.kernel).numpy())) <= {-1.0, 0.0, 1.0}
    conv2 = q.get_layer("conv2")
    assert set(np.unique(conv2.kernel_quantizer_internal(conv2.kernel).numpy())) <= {-1.0, 1.0}


def test_to_qkeras_converts_functional_models_and_inline_relu():
    import tensorflow as tf

    x = tf.keras.Input((6,), name="x")
    h = tf.keras.layers.Dense(5, activation="relu", name="hidden")(x)
    skip = tf.keras.layers.Dense(5, name="skip")(x)
    s = tf.keras.layers.Add(name="add")([h, skip])
    y = tf.keras.layers.ReLU(name="relu")(s)
    out = tf.keras.layers.Dense(2, activation="softmax", name="out")(y)
    model = tf.keras.Model(x, out)
    q = to_qkeras(model, {"weight_bits": 8, "act_bits": 8, "act_integer": 4})
    assert type(q.get_layer("hidden")).__name__ == "QDense"
    assert str(q.get_layer("hidden").activation) == "quantized_relu(8,4)"
    assert type(q.get_layer("relu")).__name__ == "QActivation"
    assert q.get_layer("out").activation.__name__ == "softmax"  # float softmax kept
    xin = np.random.default_rng(0).uniform(-1, 1, (16, 6)).astype(np.float32)
    np.testing.assert_allclose(q.predict(xin, verbose=0), model.predict(xin, verbose=0), atol=0.05)


def test_to_qkeras_conv1d_depthwise_and_requantization():
    import tensorflow as tf

    L = tf.keras.layers
    x = L.Input((16, 3), name="x")
    h = L.Activation("relu", name="r1")(L.Conv1D(4, 3, name="c1")(x))
    h = L.DepthwiseConv2D(3, depth_multiplier=2, name="dw")(L.Reshape((14, 4, 1), name="rs")(h))
    y = L.Dense(2, name="o")(L.Flatten(name="f")(L.ReLU(name="r2")(h)))
    model = tf.keras.Model(x, y)
    q6 = to_qkeras(model, {"weight_bits": 6})
    assert [type(layer).__name__ for layer in q6.layers[1:]] == [
        "QConv1D",
        "QActivation",
        "Reshape",
        "QDepthwiseConv2D",
        "QActivation",
        "Flatten",
        "QDense",
    ]
    assert quantizer_summary(q6)["dw"]["depthwise"] == "quantized_bits(6,0,0,alpha=1)"
    q3 = to_qkeras(q6, {"weight_bits": 3, "act_bits": 4, "act_integer": 1})  # QKeras in, new bits out
    assert quantizer_summary(q3)["c1"]["kernel"] == "quantized_bits(3,0,0,alpha=1)"
    assert str(q3.get_layer("r2").activation) == "quantized_relu(4,1)"
    assert_same_weights(q6.get_weights(), q3.get_weights())


def test_to_qkeras_explains_bad_settings():
    model = build_model("handson_cnn")
    with pytest.raises(CompressionError, match="does not have"):
        to_qkeras(model, {"per_layer": {"nope": {"weight_bits": 4}}})
    with pytest.raises(CompressionError, match="unknown setting"):
        to_qkeras(model, {"per_layer": {"fc1": {"bitz": 4}}})
    with pytest.raises(CompressionError, match="mode"):
        QuantizationConfig(mode="octal")
    with pytest.raises(CompressionError, match="sign"):
        QuantizationConfig(weight_bits=4, weight_integer=4)


def test_qkeras_variant_round_trips_through_h5_and_reports_its_bits(tmp_path):
    from core.models import inspect_model, load_model, save_model

    q = to_qkeras(build_model("handson_cnn"), {"weight_bits": 4, "act_bits": 6, "act_integer": 2})
    path = save_model(q, tmp_path / "q.h5")
    back = load_model(path)
    bits = {row.name: row.bits for row in inspect_model(back).layers}
    assert bits["conv1"] == 4 and bits["fc1"] == 4 and bits["relu1"] == 6 and bits["softmax"] is None
    x = np.random.default_rng(1).uniform(0, 1, (8, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(back.predict(x, verbose=0), q.predict(x, verbose=0))


# --- fixed point ----------------------------------------------------------------------------------
def test_hls4ml_weight_values_follow_its_decimal_printing():
    fmt = FixedPointFormat(8, 3)  # LSB 2^-5, TRN, WRAP
    w = np.array([0.0625 - 2e-6, -0.5 - 3e-6, 0.07, 4.3, -4.0, 0.0], np.float32)
    got = hls4ml_weight_values(w, fmt)
    # hls4ml prints "0.06250" and "-0.50000": the truncation then sees the grid point itself
    np.testing.assert_array_equal(got, [0.0625, -0.5, 0.0625, 4.28125 - 8, -4.0, 0.0])
    assert fmt.quantize(w)[0] == 0.03125  # what plain truncation of the float would give
    np.testing.assert_array_equal(hls4ml_weight_values(got, fmt), got)  # idempotent


def test_auto_integer_bits_is_the_fewest_without_overflow():
    assert auto_integer_bits(np.array([0.9, -0.3]), 8) == 1  # [-1, 0.992]
    assert auto_integer_bits(np.array([0.2, -0.1]), 8) == -1  # [-0.25, 0.248]
    assert auto_integer_bits(np.array([-0.25]), 8) == -1  # -2^(I-1) itself fits
    assert auto_integer_bits(np.array([3.99]), 8) == 3
    assert auto_integer_bits(np.array([3.999]), 8, rounding="RND") == 4  # rounds up to 4.0
    assert auto_integer_bits(np.zeros(3), 8) == 1


def test_fixed_point_op_quantizes_weights_per_tensor_and_keeps_zeros():
    model = build_model("handson_cnn", seed=3)
    fc1 = model.get_layer("fc1")
    k = fc1.get_weights()[0]
    k[:, :8] = 0.0  # pruned columns
    fc1.set_weights([k, fc1.get_weights()[1]])
    before = weights_of(model)
    res = run_op("fixed_point", model, None, width=6, rounding="RND", overflow="SAT")
    assert_same_weights(before, model.get_weights())
    formats = res.params["formats"]
    assert set(formats) == {"conv1", "conv2", "fc1", "output"}
    for layer in ("conv1", "conv2", "fc1", "output"):
        orig = dict(zip(("kernel", "bias"), model.get_layer(layer).get_weights()))
        new = dict(zip(("kernel", "bias"), res.model.get_layer(layer).get_weights()))
        for name in ("kernel", "bias"):
            fmt = FixedPointFormat.parse(formats[layer][name])
            assert fmt.width == 6 and fmt.rounding == "RND" and fmt.overflow == "SAT"
            if orig[name].any():
                assert fmt.integer == auto_integer_bits(orig[name], 6, "RND", "SAT")
            np.testing.assert_array_equal(new[name], hls4ml_weight_values(orig[name], fmt))
            assert np.all(new[name] / fmt.lsb == np.round(new[name] / fmt.lsb))  # on the grid
    assert np.all(res.model.get_layer("fc1").get_weights()[0][:, :8] == 0)
    assert res.params["counts"]["fc1"]["overflow"] == 0
    assert "weights only" in res.params["weights_only"]


def test_fixed_point_op_fixed_integer_bits_wrap_and_per_layer_override():
    import tensorflow as tf

    x = tf.keras.Input((3,), name="x")
    model = tf.keras.Model(x, tf.keras.layers.Dense(2, name="d")(x))
    model.set_weights([np.array([[4.5, 0.1], [-0.3, 0.0], [1.0, -5.0]], np.float32), np.array([0.2, -0.2])])
    res = run_op("fixed_point", model, None, width=8, integer="3")
    k = res.model.get_weights()[0]
    assert k[0, 0] == 4.5 - 8 and k[2, 1] == -5.0 + 8  # wrap-around, as ap_fixed<8,3>
    assert res.params["counts"]["d"]["overflow"] == 2
    res = run_op("fixed_point", model, None, per_layer={"d": {"kernel": "ap_fixed<8,4,AP_RND,AP_SAT>"}})
    assert res.params["formats"]["d"]["kernel"] == "ap_fixed<8,4,AP_RND,AP_SAT>"
    assert res.model.get_weights()[0][0, 0] == 4.5
    with pytest.raises(CompressionError, match="auto"):
        run_op("fixed_point", model, None, integer="three")


@pytest.mark.slow
def test_fixed_point_matches_hls4ml_csim_bit_for_bit(tmp_path):
    """The issue's key test: our ap_fixed<8,3> weights are what hls4ml's C simulation computes with.

    One hls4ml project with two parallel dense layers on the same input: ``dq`` holds the weights
    our ``fixed_point`` op produced, ``df`` the original float weights (hls4ml quantizes those
    itself). Both must give exactly ``x @ W_q + b_q`` on inputs that the input type holds exactly;
    the zero and one-hot inputs read the bias and every kernel row back out of the C simulation.
    """
    import hls4ml
    import tensorflow as tf

    rng = np.random.default_rng(0)
    w = rng.normal(0, 1.2, (8, 4)).astype(np.float32)
    b = rng.normal(0, 0.5, 4).astype(np.float32)
    w[0, 0], w[1, 1], w[2, 2] = 0.0625 - 2e-6, -0.5 - 3e-6, 4.3  # decimal-printing cases, an overflow
    b[3] = 0.25 - 1e-6
    x_in = tf.keras.Input((8,), name="x")
    single = tf.keras.Model(x_in, tf.keras.layers.Dense(4, name="dense")(x_in))
    single.set_weights([w, b])
    res = run_op("fixed_point", single, None, width=8, integer="3")
    assert res.params["formats"]["dense"] == {"kernel": "ap_fixed<8,3>", "bias": "ap_fixed<8,3>"}
    wq, bq = (a.astype(np.float64) for a in res.model.get_weights())

    dq, df = tf.keras.layers.Dense(4, name="dq"), tf.keras.layers.Dense(4, name="df")
    two = tf.keras.Model(x_in, [dq(x_in), df(x_in)])
    dq.set_weights([wq, bq])
    df.set_weights([w, b])
    cfg = hls4ml.utils.config_from_keras_model(two, granularity="name")
    wide = "ap_fixed<32,16>"
    for name in ("dq", "df"):
        cfg["LayerName"][name]["Precision"] = {
            "weight": "ap_fixed<8,3>",
            "bias": "ap_fixed<8,3>",
            "accum": wide,
            "result": wide,
        }
        cfg["LayerName"][f"{name}_linear"]["Precision"] = {"result": wide}
    cfg["LayerName"]["x"]["Precision"] = {"result": "ap_fixed<16,6>"}
    hls_model = hls4ml.converters.convert_from_keras_model(
        two,
        hls_config=cfg,
        backend="Vitis",
        output_dir=str(tmp_path / "hls"),
        io_type="io_parallel",
        part=U50_PART,
    )
    hls_model.compile()
    x = rng.integers(-64, 64, (64, 8)) / 16.0  # multiples of 2^-4 in [-4, 4): exact in ap_fixed<16,6>
    x = np.ascontiguousarray(np.concatenate([np.zeros((1, 8)), np.eye(8), x]))
    out_q, out_f = hls_model.predict(x)
    expected = x @ wq + bq  # exact in float64: 9 fractional bits, |value| < 2^8
    np.testing.assert_array_equal(out_q, expected)
    np.testing.assert_array_equal(out_f, expected)  # hls4ml's own quantization = our emulation
    naive = FixedPointFormat(8, 3).quantize(w)  # plain truncation of the float32 weights
    assert not np.array_equal(x @ naive + bq, out_f)


# --- TFLite int8 ----------------------------------------------------------------------------------
def test_quantize_int8_is_4x_smaller_and_within_1_percent(trained_cnn, digits):
    before = weights_of(trained_cnn)
    float_acc = evaluate(trained_cnn, digits)["accuracy"]
    assert float_acc > 0.9
    res = run_op("quantize_int8", trained_cnn, digits, calibration_samples=200)
    assert_same_weights(before, trained_cnn.get_weights())
    m = res.metrics
    assert m["val_accuracy"] >= float_acc - 0.01, (m["val_accuracy"], float_acc)
    assert "val_loss" in m
    size_dense = 4 * trained_cnn.count_params()
    # int8 kernels plus int32 biases: just under 4x; the flatbuffer adds its own bookkeeping
    assert size_dense / m["size_weights_int8"] >= 3.5
    assert m["size_tflite"] < m["size_tflite_float"] / 2
    assert res.artifacts["tflite"][4:8] == b"TFL3" and len(res.artifacts["tflite"]) == m["size_tflite"]
    assert res.params["weights_source"] == dict.fromkeys(("conv1", "conv2", "fc1", "output"), "tflite")
    # the Keras variant holds the 8-bit grid: conv kernels per output channel, dense per tensor
    for name in ("conv1", "conv2"):
        k = res.model.get_layer(name).get_weights()[0]
        steps = k / (np.abs(k).max(axis=(0, 1, 2)) / 127)
        np.testing.assert_allclose(steps, np.round(steps), atol=1e-3)
        assert len(np.unique(k[..., 0])) <= 255
        # the numpy fallback is the same per-channel scheme
        np.testing.assert_allclose(
            simulate_int8(trained_cnn.get_layer(name).get_weights()[0])[0], k, atol=1e-6
        )
    k = res.model.get_layer("fc1").get_weights()[0]
    steps = k / (np.abs(k).max() / 127)
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-3)
    # weight-only int8 costs (almost) nothing in Keras either
    assert evaluate(res.model, digits)["accuracy"] >= float_acc - 0.01


def test_read_tflite_weights_rejects_kernels_that_do_not_match(trained_cnn, digits):
    from core.compress.quantize import convert_tflite
    from core.models.clone import copy_model

    content = convert_tflite(trained_cnn, digits.x_train[:50])
    other = copy_model(trained_cnn)
    k, bias = other.get_layer("fc1").get_weights()
    other.get_layer("fc1").set_weights([k + 0.1, bias])
    found = read_tflite_weights(content, other)
    assert "fc1" not in found and {"conv1", "conv2", "output"} <= set(found)


# --- QAT --------------------------------------------------------------------------------------------
def test_qat_through_the_workspace_keeps_lineage_and_bits(tmp_path, trained_cnn, digits):
    from core.compress.apply import compress_variant
    from core.models import inspect_model
    from core.workflows import measure_model
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(
        trained_cnn, "cnn", operation="train", metrics=measure_model(trained_cnn, digits), dataset="digits"
    )
    v = compress_variant(
        ws, "cnn", "qat", {"weight_bits": 6, "act_bits": 6, "act_integer": 3, "epochs": 1}, dataset=digits
    )
    assert [x.name for x in ws.lineage(v.name)] == ["cnn", "cnn-qat-converted", "cnn-qat"]
    assert v.params["quantizers"]["fc1"]["kernel"] == "quantized_bits(6,0,0,alpha=1)"
    assert len(v.params["history"]["val_accuracy"]) == 1
    bits = {row.name: row.bits for row in inspect_model(ws.load_model(v.name)).layers}
    assert bits["conv1"] == 6 and bits["relu3"] == 6
    assert v.metrics["val_accuracy"] > 0.8

    v8 = compress_variant(ws, "cnn", "quantize_int8", {"calibration_samples": 100}, dataset=digits)
    art = ws.root / v8.params["artifacts"]["tflite"]
    assert art.read_bytes()[4:8] == b"TFL3" and v8.metrics["size_tflite"] == art.stat().st_size


@pytest.mark.slow
def test_qat_4bit_trains_and_hls4ml_csim_agrees(tmp_path, trained_cnn, digits):
    import hls4ml

    res = run_op(
        "qat", trained_cnn, digits, weight_bits=4, act_bits=4, act_integer=2, epochs=5, lr=1e-3, seed=0
    )
    q = res.model
    acc = evaluate(q, digits)["accuracy"]
    assert acc >= 0.85, acc
    assert {row for row in quantizer_summary(q)} == {"conv1", "conv2", "fc1", "output"}

    q_hls = rename_input(q)  # hls4ml reserves the layer name 'input'
    cfg = hls4ml.utils.config_from_keras_model(q_hls, granularity="name", backend="Vitis")
    assert cfg["LayerName"]["fc1"]["Precision"]["weight"].startswith("fixed<4,1")
    hls_model = hls4ml.converters.convert_from_keras_model(
        q_hls,
        hls_config=cfg,
        backend="Vitis",
        output_dir=str(tmp_path / "hls"),
        io_type="io_parallel",
        part=U50_PART,
    )
    hls_model.compile()
    x = np.ascontiguousarray(digits.x_val[:200])
    y_hls = np.asarray(hls_model.predict(x)).reshape(len(x), -1)
    y_q = q.predict(x, verbose=0)
    agreement = np.mean(np.argmax(y_hls, axis=1) == np.argmax(y_q, axis=1))
    assert agreement >= 0.9, agreement
