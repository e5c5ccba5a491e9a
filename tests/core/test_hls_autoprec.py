"""Profiling and automatic precision for hls4ml.

Most tests run the numpy emulation only (fast). Two slow tests compile a real hls4ml C simulation
(g++, one compile each) and check the chosen precisions there: the trained hands-on CNN and the
untrained jet MLP. Both also measure how closely the emulation reproduces the C simulation: on
these models it is bit-exact (every output of every event identical, softmax included).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from emulate_models import pooling_model

from core.hls.autoprec import auto_precision
from core.hls.errors import HlsError
from core.hls.profile import PERCENTILES, ModelProfile, TensorProfile, overflow_check, profile_model
from core.jobs import Cancelled, RecordingProgress
from core.weights import FixedPointFormat
from core.zoo import build_model


def _keras():
    import tensorflow as tf

    return tf.keras


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    return tmp_path_factory.mktemp("hls_cache")


@pytest.fixture(scope="module")
def trained_cnn(digits):
    """handson_cnn trained briefly on digits (~95% validation accuracy, ~3 s)."""
    from core.train import train

    return train(build_model("handson_cnn"), digits, epochs=10, seed=0).model


@pytest.fixture(scope="module")
def gauss_inputs():
    return np.random.default_rng(0).normal(size=(2000, 16)).astype(np.float32)


def exact_dense_model():
    """One Dense layer whose weights and biases are multiples of 1/16 inside ap_fixed<6,2>'s range
    [-2, 2): that precision holds them exactly, and some need its last bit and its top bit."""
    k = _keras()
    rng = np.random.default_rng(1)
    inp = k.Input((4,), name="input")
    model = k.Model(inp, k.layers.Dense(3, name="dense")(inp))
    w = rng.integers(-32, 32, size=(4, 3)) / 16.0
    w[0, 0], w[1, 1], w[2, 2] = 31 / 16, -2.0, 3 / 16  # the extremes, an odd number of 1/16
    model.get_layer("dense").set_weights([w.astype(np.float32), np.array([0.5, -0.25, 0.0625], np.float32)])
    x = (rng.integers(-4, 4, size=(500, 4)) / 2.0).astype(np.float32)  # exact in ap_fixed<3,2>
    return model, x


# --- profiling ------------------------------------------------------------------------------------
def test_profile_shapes_ranges_and_counts(digits):
    k = _keras()
    model = build_model("handson_cnn")
    x = digits.x_train[:300]
    profile = profile_model(model, x, max_samples=250)
    assert isinstance(profile, ModelProfile)
    assert profile.n_samples == 250
    assert profile.names == [
        "input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "output",
        "softmax",
    ]  # fmt: skip
    probe = k.Model(model.inputs, [model.get_layer(n).output for n in profile.names[1:]])
    truth = dict(zip(profile.names[1:], (np.asarray(a) for a in probe(x[:250], training=False))))
    truth["input"] = x[:250]
    for lp in profile.layers:
        act, a = lp.activation, truth[lp.name]
        assert lp.output_shape == a.shape[1:]
        assert act.count == a.size and act.zeros == int(np.count_nonzero(a == 0))
        assert act.abs_max == pytest.approx(float(np.max(np.abs(a))), rel=1e-6)
        assert act.min == pytest.approx(float(a.min()), rel=1e-6, abs=1e-9)
        for stats in (act.percentiles, act.abs_percentiles):
            values = [stats[f"p{p:g}"] for p in PERCENTILES]
            assert values == sorted(values)
        assert act.percentiles["p0"] == act.min and act.percentiles["p100"] == act.max
        assert act.abs_percentiles["p100"] == pytest.approx(act.abs_max)
        assert sum(act.log2_positive) + sum(act.log2_negative) == act.count - act.zeros
    conv1 = profile.layer("conv1")
    assert set(conv1.weights) == {"weight", "bias"}
    assert conv1.weights["weight"].count == 3 * 3 * 1 * 16 and conv1.weights["bias"].count == 16
    assert conv1.weights["weight"].abs_max == pytest.approx(
        float(np.abs(model.get_layer("conv1").kernel).max())
    )
    assert profile.layer("relu1").activation.min >= 0
    assert profile.layer("softmax").activation.max <= 1.0
    text = json.dumps(profile.to_dict())  # NaN (percentiles of the all-zero biases) as JSON's NaN
    assert json.dumps(ModelProfile.from_dict(json.loads(text)).to_dict()) == text


def test_overflow_and_lost_precision_counts_are_exact():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 2.0, 5000), rng.normal(0, 0.01, 5000), [0.0] * 7, [2.0, -2.0]])
    tp = TensorProfile.of(values)
    for text in ("ap_fixed<6,2>", "ap_fixed<8,3>", "ap_fixed<10,1>", "ap_ufixed<8,2>"):
        fmt = FixedPointFormat.parse(text)
        nz = values[values != 0]
        if fmt.signed:
            over = np.count_nonzero(np.abs(values) >= 2.0 ** (fmt.integer - 1))  # -2^(I-1) counted too
        else:
            over = np.count_nonzero((values < 0) | (values >= 2.0**fmt.integer))
        assert tp.overflow(fmt) == over, text
        assert tp.below_lsb(fmt) == np.count_nonzero(np.abs(nz) < fmt.lsb), text


def test_overflow_check_names_layers_and_resolves_auto(digits):
    model = build_model("handson_cnn")
    profile = profile_model(model, digits.x_train[:100])
    config = {
        "conv1": {"weight": "ap_fixed<4,0>", "bias": "auto", "result": "ap_fixed<8,-1>"},
        "fc1": {"weight": "ap_fixed<16,6>", "result": "auto"},
    }
    checks = overflow_check(profile, config)
    conv1 = checks["conv1"]
    kernel = model.get_layer("conv1").kernel.numpy()
    assert conv1["weight"]["format"] == "ap_fixed<4,0>"
    assert conv1["weight"]["overflow"] == np.count_nonzero(np.abs(kernel) >= 0.5)
    assert conv1["weight"]["below_lsb"] == np.count_nonzero((kernel != 0) & (np.abs(kernel) < 1 / 16))
    assert conv1["bias"]["format"] == "ap_fixed<16,6>"  # "auto" weights take the default precision
    assert 0 < conv1["result"]["overflow_fraction"] < 1  # activations beyond 0.25 wrap
    assert checks["fc1"]["result"]["format"] == "auto"  # typed exactly by hls4ml
    assert checks["pool1"]["result"]["format"] == "ap_fixed<16,6>"  # relu1's default, passed through


def test_overflow_check_types_copying_layers_as_their_input():
    import tensorflow as tf

    L = tf.keras.layers
    inp = L.Input((4, 2), name="inp")
    x = L.Conv1D(2, 1, name="conv")(inp)
    x = L.UpSampling1D(2, name="up")(x)
    x = L.Permute((2, 1), name="perm")(x)
    x = L.Cropping1D((0, 1), name="crop")(x)
    model = tf.keras.Model(inp, L.Flatten(name="fl")(x))
    profile = profile_model(model, np.random.default_rng(0).normal(0, 1, (50, 4, 2)))
    # hls4ml copies the input's type into these whatever their own result says
    config = {"conv": {"result": "ap_fixed<10,4>"}, "up": {"result": "ap_fixed<6,2>"}, "perm": {}, "crop": {}}
    checks = overflow_check(profile, config)
    for name in ("up", "perm", "crop"):
        assert checks[name]["result"]["format"] == "ap_fixed<10,4>", name


# --- automatic precision: emulation ----------------------------------------------------------------
def test_known_answer_uses_no_more_bits_than_needed():
    model, x = exact_dense_model()
    result = auto_precision(
        model, x, task="regression", rel_error=1e-9, target=1.0, margin=1.0, verify=False, config=None
    )
    assert result.agreement_emulated == 1.0
    dense = result.layer("dense")
    weight = FixedPointFormat.parse(dense.weight)
    assert weight.width <= 6 and (weight.integer, weight.f) == (2, 4)  # ap_fixed<6,2>: exactly enough
    assert dense.details["weight"]["agreement_one_bit_fewer"] < 1.0  # 3 fractional bits break it
    assert FixedPointFormat.parse(result.layer("input").result).width <= 3  # multiples of 1/2 in [-2, 2)
    result_fmt = FixedPointFormat.parse(dense.result)
    assert result_fmt.f <= 5  # x (1/2 steps) times w (1/16 steps): 1/32 steps are exact
    assert dense.details["result"]["agreement_one_bit_fewer"] < 1.0
    assert any("fractional 4: 3 gives" in why for why in dense.why)


def test_default_precision_overflows_where_auto_precision_does_not(gauss_inputs):
    model = build_model("jet_mlp", seed=1)
    x = 40.0 * gauss_inputs  # activations beyond ap_fixed<16,6>'s +-32: the default wraps around
    result = auto_precision(model, x, verify=False)
    assert result.agreement_start < 0.9
    assert result.agreement_emulated >= 0.995 and result.reached
    assert FixedPointFormat.parse(result.layer("input").result).integer >= 9  # |x| up to ~160 (x1.25)
    assert result.profile.layer("fc1").activation.abs_max > 32
    data = json.loads(json.dumps(result.to_dict()))
    assert data["layers"][0]["name"] == "input" and data["agreement_csim"] is None


def test_apply_sets_the_chosen_precisions(gauss_inputs):
    from core.hls.config import make_config

    model = build_model("jet_mlp")
    config = make_config(model)
    before = config.to_dict()
    result = auto_precision(model, gauss_inputs[:500], config=config, verify=False)
    new = result.apply(config)
    assert config.to_dict() == before  # not modified
    for choice in result.layers:
        row = new.layer(choice.name)
        for fld, value in choice.precisions().items():
            assert getattr(row, fld) == value, (choice.name, fld)
    assert new.layer("softmax").extra["inp_norm_t"] == result.layer("softmax").extra["inp_norm_t"]


def test_apply_writes_batchnorm_and_separable_keys_and_skips_nodes_without_rows():
    from emulate_models import batchnorm_qkeras_model

    from core.hls.config import make_config

    model, x = batchnorm_qkeras_model()
    config = make_config(model)
    result = auto_precision(model, x, config=config, verify=False, target=0.95)
    assert not [n for n in result.notes if "is not emulated" in n], result.notes
    names = [c.name for c in result.layers]
    assert {"sep_depthwise", "sep_pointwise", "qa_alpha", "bnbt_bn2"} <= set(names), names
    new = result.apply(config)
    bn = result.layer("bn")
    assert "scale" in bn.details  # searched, and written where hls4ml reads it
    assert new.layer("bn").extra["Precision"]["scale"] == bn.extra["Precision"]["scale"]
    assert new.layer("bn").result == bn.result
    sep = new.layer("sep").extra["Precision"]
    dw, pw = result.layer("sep_depthwise"), result.layer("sep_pointwise")
    assert (sep["depthwise"], sep["depthwise_result"]) == (dw.weight, dw.result)
    assert (sep["pointwise"], sep["pointwise_result"], new.layer("sep").bias) == (
        pw.weight,
        pw.result,
        pw.bias,
    )
    assert sep["depthwise_accum"] == dw.accum and sep["pointwise_accum"] == pw.accum
    # quantizer precisions stay as hls4ml spelled them (fixed<6,1,...>), still marked as quantized
    for name in ("qa", "qd"):
        assert new.layer(name).weight == config.layer(name).weight and "weight" in new.layer(name).quantized
    # the alpha and threshold nodes hold only what the model fixes: nothing searched, nothing lost
    assert not result.layer("qa_alpha").details and not result.layer("bnbt_bn2").details
    assert not [n for n in result.notes if "has no row" in n], result.notes
    # the precisions read back are those chosen: the emulation of the new configuration agrees
    from core.hls.emulate import build_graph

    graph = build_graph(model, new)
    fmts = graph.config_formats(new)
    assert (
        str(fmts[("sep_depthwise", "weight")]) == dw.weight
        and str(fmts[("bn", "scale")]) == bn.extra["Precision"]["scale"]
    )


def test_cancel(gauss_inputs):
    model = build_model("jet_mlp")
    with pytest.raises(Cancelled):
        auto_precision(
            model, gauss_inputs[:200], verify=False, progress=RecordingProgress(cancel_after_updates=3)
        )


def normalized_model():
    """Conv1D -> LayerNormalization (converted by hls4ml, not emulated) -> Dense softmax."""
    k = _keras()
    inp = k.Input((8, 2), name="inp")
    h = k.layers.Conv1D(3, 2, activation="relu", name="conv")(inp)
    h = k.layers.LayerNormalization(name="norm")(h)
    out = k.layers.Dense(3, activation="softmax", name="fc")(k.layers.Flatten(name="flat")(h))
    model = k.Model(inp, out)
    x = np.random.default_rng(2).normal(size=(300, 8, 2)).astype(np.float32)
    return model, x


def test_a_layer_without_emulator_is_left_to_hls4ml_and_the_rest_is_searched():
    model, x = normalized_model()
    result = auto_precision(model, x, verify=False)
    assert any(
        n.startswith(
            "layer norm (LayerNormalization) is not emulated: its precision is left to hls4ml's rule"
        )
        for n in result.notes
    )
    norm = result.layer("norm")
    assert norm.result == "ap_fixed<16,6>" and "not emulated" in norm.why[0]  # the configured default
    assert FixedPointFormat.parse(result.layer("conv").weight).width < 16  # the rest is searched
    assert result.agreement_emulated >= 0.995 and result.reached


def test_a_float_pass_that_disagrees_with_keras_names_the_layer(monkeypatch):
    from core.hls.emulate.base import BUILDERS, Node
    from core.hls.emulate.layers_activation import LinearEmulator

    def wrong(layer, ctx):  # "emulates" the normalization as an identity
        ctx.add(Node(layer.name, layer.name, "LayerNormalization", ctx.inputs_of(layer), LinearEmulator()))

    monkeypatch.setitem(BUILDERS, "LayerNormalization", wrong)
    model, x = normalized_model()
    with pytest.raises(HlsError, match="does not reproduce Keras at layer norm") as err:
        auto_precision(model, x, verify=False)
    assert err.value.layer == "norm"


def test_two_inputs_merged_inside_the_graph_are_searched():
    k = _keras()
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    fa = k.layers.Dense(5, activation="relu", name="fa")(a)
    h = k.layers.Concatenate(name="cat")([fa, k.layers.Dense(5, name="fb")(b)])
    model = k.Model([a, b], k.layers.Dense(2, activation="softmax", name="out")(h))
    rng = np.random.default_rng(0)
    result = auto_precision(model, [rng.normal(size=(300, 4)), rng.normal(size=(300, 3))])
    assert result.agreement_emulated >= 0.995 and result.agreement_csim is None
    assert "not verified in C simulation: TrigLab's C simulation takes one input" in result.notes
    relu, fb = (FixedPointFormat.parse(result.layer(n).result) for n in ("fa_relu", "fb"))
    cat = FixedPointFormat.parse(result.layer("cat").result)  # holds both inputs' values exactly
    assert cat.signed and cat.integer >= max(relu.integer + 1, fb.integer) and cat.f == max(relu.f, fb.f)


def test_a_target_reached_through_a_wrap_around_is_searched_again():
    """This untrained CNN always predicts class 1: the narrowest search reached 'the target' with
    the output wrapping around; the overflow then found costs an integer bit, which loses the
    target, so the fractional bits are searched again."""
    from emulate_models import _seeded

    k = _keras()
    inp = k.Input((9, 9, 2), name="inp")
    h = k.layers.ZeroPadding2D(((1, 0), (2, 1)), name="zp")(inp)
    h = k.layers.Conv2D(3, 3, padding="same", activation="relu", name="c1")(h)
    h = k.layers.UpSampling2D((2, 1), name="up")(h)
    h = k.layers.AveragePooling2D(3, strides=2, padding="same", name="ap")(h)
    h = k.layers.MaxPooling2D(2, padding="same", name="mp")(h)
    h = k.layers.Permute((2, 1, 3), name="transp")(h)
    h = k.layers.GlobalAveragePooling2D(name="gap")(k.layers.Conv2D(2, 1, name="c2")(h))
    model = _seeded(k.Model(inp, k.layers.Dense(3, activation="softmax", name="out")(h)), 23)
    x = np.random.default_rng(1).normal(size=(200, 9, 9, 2)).astype(np.float32)
    result = auto_precision(model, x, verify=False)
    assert any("overflows in the fixed-point emulation" in why for why in result.layer("out").why)
    assert result.agreement_emulated >= 0.995 and result.reached


# --- automatic precision: real C simulation ---------------------------------------------------------
@pytest.mark.slow
def test_trained_cnn_reaches_target_in_csim(trained_cnn, digits, cache_root):
    x = np.concatenate([digits.x_train, digits.x_val])
    result = auto_precision(trained_cnn, x, cache_root=cache_root)
    assert result.verify_rounds == 1
    assert result.agreement_csim >= 0.995 and result.reached
    # The emulation is bit-exact on this CNN (convolutions, ReLU, pooling, Dense, softmax tables).
    assert result.emulation_vs_csim["identical_fraction"] == 1.0
    assert result.emulation_vs_csim["max_abs_diff"] == 0.0
    weights = [FixedPointFormat.parse(c.weight).width for c in result.layers if c.weight]
    assert max(weights) < 16  # fewer bits than hls4ml's ap_fixed<16,6> everywhere
    assert result.storage_bits < 16 * sum(c.n_weights + c.n_biases for c in result.layers)


@pytest.mark.slow
def test_untrained_jet_mlp_agrees_in_csim(gauss_inputs, cache_root):
    model = build_model("jet_mlp", seed=0)
    result = auto_precision(model, gauss_inputs, cache_root=cache_root)
    assert result.agreement_csim >= 0.99
    # hls4ml's defaults tie near-equal classes in the softmax table; auto precision refines it.
    assert result.agreement_start < result.agreement_csim
    # Dense layers: the emulation reproduces the C simulation bit for bit.
    assert result.emulation_vs_csim["identical_fraction"] == 1.0
    assert result.csim_report["agreement"] == pytest.approx(result.agreement_csim)


@pytest.mark.slow
def test_a_layer_hls4ml_computes_differently_is_named_as_blocking(cache_root):
    """hls4ml 1.3 converts ReLU(max_value=1) as a plain ReLU: no precision can make the C simulation
    agree with Keras, and the result says where the error starts."""
    k = _keras()
    inp = k.Input((6,), name="inp")
    h = k.layers.Dense(8, name="fc1")(inp)
    h = k.layers.ReLU(max_value=1.0, name="clip")(h)
    model = k.Model(inp, k.layers.Dense(1, name="fc2")(h))
    x = 3.0 * np.random.default_rng(5).normal(size=(400, 6)).astype(np.float32)
    result = auto_precision(
        model, x, task="regression", rel_error=0.01, max_verify_rounds=2, cache_root=cache_root
    )
    assert any(n.startswith("layer clip (ReLU) is not emulated") for n in result.notes)
    assert result.agreement_emulated >= 0.995  # the emulation runs Keras's clipped ReLU...
    assert result.verify_rounds == 2 and not result.reached  # ...the firmware does not clip
    assert result.blocking_layer == "clip"
    assert "target missed in C simulation: the error starts at layer clip (ReLU)" in result.notes
    assert "target missed in C simulation" in result.summary()
    assert result.to_dict()["blocking_layer"] == "clip"


@pytest.mark.slow
def test_functional_cnn_with_same_pooling_reaches_target_in_csim(cache_root):
    """Padding, 'same' convolution and pooling, up-sampling, a transpose and global average
    pooling: the chosen precisions (pass-through types, average-pooling accumulators) reach the
    target in the C simulation, which the emulation reproduces bit for bit."""
    model, x = pooling_model()
    result = auto_precision(model, x, cache_root=cache_root)
    assert result.reached and result.agreement_csim >= 0.995 and result.blocking_layer is None
    assert result.emulation_vs_csim["identical_fraction"] == 1.0
    assert result.layer("gap").accum is not None  # hls4ml would sum it in the default precision
    assert result.layer("up").result == result.layer("c1_relu").result  # pass-through keeps the type
    # A ReLU is unsigned, except before a 'same' max pooling (hls4ml would pad with a winning value).
    assert FixedPointFormat.parse(result.layer("c1_relu").result).signed
    assert any("signed: it feeds mp's 'same' padding" in why for why in result.layer("c1_relu").why)
