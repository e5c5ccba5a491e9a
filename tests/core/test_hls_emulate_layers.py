"""Layer emulators of core.hls.emulate (BatchNorm, QKeras, extra activations, depthwise/separable).

Each emulator is checked directly (its builder on a tiny Keras model, then ``forward`` node by node):
in float against Keras's own per-layer outputs, in fixed point against hls4ml's C simulation
(two compiled models, every precision set in the configuration, compared layer by layer with
``trace_layers``), and through the graph auto precision runs.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.compress.quantize import hls4ml_weight_values
from core.hls.emulate import layers_act_extra, layers_bn, layers_depthwise, layers_qkeras  # noqa: F401 (registers)
from core.hls.emulate.base import BUILDERS, BuildContext, Ctx, EmulationError, LayerEmulator, Node
from core.weights import FixedPointFormat

needs_gpp = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C simulation")


def _build(model, config=None) -> BuildContext:
    ctx = BuildContext(model, config)
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            ctx.add(Node(layer.name, layer.name, "Input", [], LayerEmulator()))
        else:
            BUILDERS[cls](layer, ctx)
    return ctx


def _fmts(config) -> dict:
    """{(hls4ml node, field): format} of every explicit precision of an HlsConfig."""
    from core.hls.emulate.layers_depthwise import separable_precisions

    out = {}
    for row in config.layers():
        name = row.hls_name or row.name
        precision = {f: getattr(row, f) for f in ("weight", "bias", "result") if getattr(row, f)}
        precision.update((row.extra or {}).get("Precision") or {})
        nodes = {name: precision}
        if "SeparableConv" in row.class_name:
            nodes = separable_precisions(name, precision)
        for node, fields in nodes.items():
            for key, text in fields.items():
                if key in ("weight", "bias", "result", "scale", "param") and text != "auto":
                    out[(node, key)] = FixedPointFormat.parse(text)
    return out


def _constant(node, fld, fmt):
    values = node.emulator.constants()[fld]
    return values if fmt is None else hls4ml_weight_values(np.asarray(values, np.float32), fmt)


def _run(ctx: BuildContext, x: np.ndarray, fmts: dict | None) -> dict[str, np.ndarray]:
    """Every node's output (rounded to its result precision in fixed point), like the graph does."""
    outs: dict[str, np.ndarray] = {}
    out_fmt: dict[str, FixedPointFormat | None] = {}
    for node in ctx.nodes.values():
        if not node.inputs:
            fmt = fmts.get((node.name, "result")) if fmts is not None else None
            outs[node.name] = np.asarray(x, np.float32).astype(np.float64)
            if fmt is not None:
                outs[node.name] = fmt.quantize(outs[node.name])
            out_fmt[node.name] = fmt
            continue
        in_fmts = [out_fmt[i] for i in node.inputs]
        c = Ctx(node, fmts, in_fmts, _constant)
        v = node.emulator.forward([outs[i] for i in node.inputs], c)
        fmt = in_fmts[0]
        if fmts is not None and not node.emulator.pass_through:
            fmt = c.fmt("result")
            if fmt is not None:
                v = fmt.quantize(v)
        outs[node.name], out_fmt[node.name] = v, fmt
    return outs


def _keras_outputs(model, x) -> dict[str, np.ndarray]:
    import tensorflow as tf

    layers = [lay for lay in model.layers if type(lay).__name__ != "InputLayer"]
    probe = tf.keras.Model(model.inputs, [lay.output for lay in layers])
    return {lay.name: np.asarray(o) for lay, o in zip(layers, probe(x.astype(np.float32)))}


def _check_float(model, x, config=None):
    ctx = _build(model, config)
    outs = _run(ctx, x, None)
    keras = _keras_outputs(model, x)
    last = {}  # several Keras layers ending in one node (a BatchNorm folded in): the last one
    for layer in model.layers:
        if layer.name in ctx.keras_output:
            last[ctx.keras_output[layer.name]] = layer.name
    for node, keras_name in last.items():
        if keras_name in keras:
            np.testing.assert_allclose(
                outs[node], keras[keras_name], rtol=2e-5, atol=2e-5, err_msg=keras_name
            )
    return ctx


def _random_batchnorms(model, seed: int) -> None:
    """Non-trivial statistics for every BatchNormalization of ``model``."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if "BatchNormalization" in type(layer).__name__:
            n = layer.get_weights()[0].shape[0]
            layer.set_weights(
                [rng.uniform(0.5, 2, n), rng.normal(0, 0.5, n), rng.normal(0, 0.5, n), rng.uniform(0.3, 3, n)]
            )


# --- models -----------------------------------------------------------------------------------
def _model_float():
    """BN unfolded after the input, Dense + BN folded, sigmoid, ELU, PReLU, LeakyReLU, tanh."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(3)
    L = tf.keras.layers
    inp = L.Input((6,), name="inp")
    x = L.BatchNormalization(name="bn0")(inp)
    x = L.Dense(8, name="d1")(x)
    x = L.BatchNormalization(name="bn1")(x)
    x = L.Activation("sigmoid", name="sig")(x)
    x = L.Dense(8, name="d2")(x)
    x = L.ELU(alpha=1.0, name="elu")(x)
    x = L.PReLU(name="prelu")(x)
    x = L.LeakyReLU(0.1, name="lrelu")(x)
    x = L.Activation("leaky_relu", name="lrelu2")(x)
    x = L.Dense(4, name="d3", activation="tanh")(x)
    model = tf.keras.Model(inp, x)
    rng = np.random.default_rng(0)
    for layer in model.layers:  # non-trivial BatchNorm statistics and PReLU slopes
        if isinstance(layer, L.BatchNormalization):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights(
                [rng.uniform(0.5, 2, n), rng.normal(0, 0.5, n), rng.normal(0, 0.5, n), rng.uniform(0.3, 3, n)]
            )
        if isinstance(layer, L.PReLU):
            layer.set_weights([rng.uniform(0, 0.5, layer.get_weights()[0].shape)])
    return model


def _model_qkeras():
    """QConv2D + quantized_relu(4,0) + DepthwiseConv2D + QDense quantized_bits(6,0,alpha=1) + linear."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense, quantized_bits

    tf.keras.utils.set_random_seed(4)
    L = tf.keras.layers
    q6 = quantized_bits(6, 0, alpha=1)
    inp = L.Input((6, 6, 2), name="inp")
    x = QConv2D(3, 3, kernel_quantizer=q6, bias_quantizer=q6, name="qc")(inp)
    x = QActivation("quantized_relu(4,0)", name="qr")(x)
    x = L.DepthwiseConv2D(2, name="dw")(x)
    x = L.Flatten(name="fl")(x)
    x = QDense(5, kernel_quantizer=q6, bias_quantizer=q6, name="qd")(x)
    x = QActivation(quantized_bits(6, 2, alpha=1), name="qb")(x)
    # alpha auto_po2: hls4ml's ApplyAlpha fuses with the BatchNorm, which merges with the binary
    x = QDense(4, kernel_quantizer=quantized_bits(6, 0), bias_quantizer=quantized_bits(6, 0), name="qa2")(x)
    x = tf.keras.layers.BatchNormalization(name="bn3")(x)
    x = QActivation("binary()", name="qbin3")(x)
    model = tf.keras.Model(inp, x)
    _random_batchnorms(model, 5)
    return model


def _model_more():
    """Depthwise + BN (folded), SeparableConv2D, hard_sigmoid, QDense with alpha='auto_po2'
    (hls4ml adds an ApplyAlpha), selu, softplus, softsign, ThresholdedReLU, quantized_tanh."""
    import tensorflow as tf
    from qkeras import QActivation, QDense, QSeparableConv2D, quantized_bits

    tf.keras.utils.set_random_seed(6)
    L = tf.keras.layers
    inp = L.Input((5, 5, 2), name="inp")
    x = L.DepthwiseConv2D(2, name="dwa")(inp)
    x = L.BatchNormalization(name="bna")(x)
    x = L.SeparableConv2D(3, 3, padding="same", name="sep")(x)
    x = QSeparableConv2D(
        3,
        2,
        depthwise_quantizer=quantized_bits(6, 1, alpha=1),
        pointwise_quantizer=quantized_bits(6, 0, alpha=1),  # (hls4ml 1.3 fails on other alphas here)
        bias_quantizer=quantized_bits(6, 0, alpha=1),
        name="qsep",
    )(x)
    x = L.Activation("hard_sigmoid", name="hsig")(x)
    x = L.Flatten(name="fl")(x)
    x = QDense(6, kernel_quantizer=quantized_bits(6, 0), bias_quantizer=quantized_bits(6, 0), name="qa")(x)
    x = L.Activation("selu", name="selu")(x)
    x = L.Activation("softplus", name="splus")(x)
    x = L.Activation("softsign", name="ssign")(x)
    x = L.ThresholdedReLU(0.1, name="trelu")(x)
    x = QActivation("quantized_tanh(4)", name="qt")(x)
    model = tf.keras.Model(inp, x)
    rng = np.random.default_rng(0)
    model.get_layer("bna").set_weights(
        [rng.uniform(0.5, 2, 2), rng.normal(0, 0.5, 2), rng.normal(0, 0.5, 2), rng.uniform(0.3, 3, 2)]
    )
    return model


def _model_qkeras_more():
    """QDepthwiseConv2D, QBatchNormalization, leaky quantized_relu, QConv1D with a QKeras
    activation, ELU(0.5), ternary and binary activations. (No 1D depthwise/separable: hls4ml 1.3's
    ``nnet_sepconv1d_latency.h`` has the 2D header's include guard, the two cannot be compiled
    together.)"""
    import tensorflow as tf
    from qkeras import QActivation, QBatchNormalization, QConv1D, QDense, QDepthwiseConv2D, quantized_relu
    from qkeras import quantized_bits as qb

    tf.keras.utils.set_random_seed(7)
    L = tf.keras.layers
    q6 = qb(6, 0, alpha=1)
    inp = L.Input((6, 6, 2), name="inp")
    x = QDepthwiseConv2D(
        3, depthwise_quantizer=qb(5, 1, alpha=1), bias_quantizer=qb(5, 1, alpha=1), name="qdw"
    )(inp)
    x = QBatchNormalization(name="qbn")(x)
    x = QActivation(quantized_relu(5, 2, negative_slope=0.25), name="qlr")(x)
    x = L.Reshape((16, 2), name="rs")(x)
    x = QConv1D(3, 3, kernel_quantizer=q6, bias_quantizer=q6, activation=quantized_relu(6, 2), name="qc1")(x)
    x = L.ELU(alpha=0.5, name="elu")(x)
    x = L.Flatten(name="fl")(x)
    x = QDense(6, kernel_quantizer=qb(4, 2, alpha=1), bias_quantizer=qb(4, 2, alpha=1), name="qd1")(x)
    x = QActivation("ternary()", name="qter")(x)
    x = QDense(3, kernel_quantizer=q6, bias_quantizer=q6, name="qd2")(x)
    x = QActivation("binary()", name="qbin")(x)
    x = QDense(3, kernel_quantizer="ternary", name="qt3")(x)  # ternary weights, alpha auto_po2
    x = L.BatchNormalization(name="bn4")(x)
    x = QActivation("ternary(threshold=0.5)", name="qter4")(x)  # merged with bn4
    model = tf.keras.Model(inp, x)
    _random_batchnorms(model, 0)
    return model


def _config(model, rows: dict[str, dict[str, str]]):
    """TrigLab's configuration of ``model`` with the given precisions (other keys than weight,
    bias, result go under the row's ``Precision``); generated ``_linear`` rows follow their layer."""
    from core.hls.config import make_config

    config = make_config(model)
    for name, fields in rows.items():
        for fld, value in fields.items():
            if fld in ("weight", "bias", "result"):
                config.set(name, fld, value)
            else:
                config.layer(name).extra.setdefault("Precision", {})[fld] = value
    for row in config.layers():
        if row.name.endswith("_linear"):
            config.set(row.name, "result", config.layer(row.name[: -len("_linear")]).result)
    return config


ROWS_FLOAT = {
    "inp": {"result": "ap_fixed<12,4>"},
    "bn0": {"scale": "ap_fixed<12,3>", "bias": "ap_fixed<10,3>", "result": "ap_fixed<14,5>"},
    "d1": {"weight": "ap_fixed<10,2>", "bias": "ap_fixed<10,3>", "result": "auto"},  # BN folds
    "bn1": {"result": "ap_fixed<16,6>"},
    "sig": {"result": "ap_fixed<10,1>"},
    "d2": {"weight": "ap_fixed<9,2>", "bias": "ap_fixed<9,2>", "result": "ap_fixed<12,4>"},
    "elu": {"result": "ap_fixed<12,4>"},
    "prelu": {"result": "ap_fixed<11,4>"},
    "lrelu": {"result": "ap_fixed<11,4>"},
    "lrelu2": {"result": "ap_fixed<11,4>"},
    "d3": {"weight": "ap_fixed<9,2>", "bias": "ap_fixed<9,2>", "result": "ap_fixed<12,5>"},
    "d3_tanh": {"result": "ap_fixed<9,1>"},
}
ROWS_QKERAS = {
    "inp": {"result": "ap_fixed<10,3>"},
    "qc": {"result": "ap_fixed<12,4>"},
    "dw": {"weight": "ap_fixed<8,2>", "bias": "ap_fixed<8,2>", "result": "ap_fixed<12,3>"},
    "fl": {"result": "ap_fixed<12,3>"},
    "qd": {"result": "ap_fixed<13,4>"},
    "qa2": {"result": "ap_fixed<12,4>"},
    "bn3": {"scale": "ap_fixed<12,4>", "bias": "ap_fixed<10,4>", "result": "ap_fixed<12,4>"},
}
ROWS_MORE = {
    "inp": {"result": "ap_fixed<10,3>"},
    "dwa": {"weight": "ap_fixed<9,2>", "bias": "ap_fixed<9,2>", "result": "auto"},  # BN folds
    "qsep": {"result": "ap_fixed<12,4>", "depthwise_result": "ap_fixed<12,4>"},
    "sep": {
        "bias": "ap_fixed<9,2>",
        "result": "ap_fixed<12,4>",
        "depthwise": "ap_fixed<8,2>",
        "pointwise": "ap_fixed<8,2>",
        "depthwise_result": "ap_fixed<14,5>",
    },
    "hsig": {"result": "ap_ufixed<8,1>"},
    "qa": {"result": "ap_fixed<12,4>"},
    "selu": {"result": "ap_fixed<11,4>"},
    "splus": {"result": "ap_fixed<11,4>"},
    "ssign": {"result": "ap_fixed<10,1>"},
    "trelu": {"result": "ap_fixed<10,1>"},
}
ROWS_QKERAS_MORE = {
    "inp": {"result": "ap_fixed<10,3>"},
    "qdw": {"result": "ap_fixed<12,4>"},
    "qbn": {"scale": "ap_fixed<10,3>", "bias": "ap_fixed<10,3>", "result": "ap_fixed<12,4>"},
    "qc1": {"result": "ap_fixed<12,4>"},
    "elu": {"result": "ap_fixed<11,4>"},
    "qd1": {"result": "ap_fixed<12,4>"},
    "qd2": {"result": "ap_fixed<12,4>"},
    "qt3": {"bias": "ap_fixed<8,3>", "result": "ap_fixed<10,4>"},
    "bn4": {"scale": "ap_fixed<12,4>", "bias": "ap_fixed<10,4>", "result": "ap_fixed<12,4>"},
}


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(1)
    return rng.normal(0, 1.5, (64, 6)), rng.uniform(-2, 2, (32, 6, 6, 2)), rng.uniform(-2, 2, (32, 5, 5, 2))


# --- float: equal to Keras ------------------------------------------------------------------------
def test_float_pass_matches_keras_batchnorm_and_activations(inputs):
    model = _model_float()
    ctx = _check_float(model, inputs[0], _config(model, ROWS_FLOAT))
    # d1's result is 'auto' and nothing else reads it: hls4ml folds bn1 into it; bn0 stays.
    assert ctx.keras_output["bn1"] == "d1" and ctx.nodes["d1"].params["folded"] == ["bn1"]
    assert "bn0" in ctx.nodes and ctx.nodes["bn0"].emulator.tunable == ("scale", "bias", "result")


def test_batchnorm_is_not_folded_when_the_dense_result_is_set(inputs):
    from core.hls.config import make_config

    model = _model_float()
    ctx = _check_float(model, inputs[0], make_config(model))  # TrigLab's config: explicit results
    assert ctx.keras_output["bn1"] == "bn1" and "folded" not in ctx.nodes["d1"].params


def test_float_pass_matches_keras_qkeras_and_depthwise(inputs):
    model = _model_qkeras()
    ctx = _check_float(model, inputs[1], _config(model, ROWS_QKERAS))
    qd, qr = ctx.nodes["qd"].emulator, ctx.nodes["qr"].emulator
    # point 2: the quantizers' precisions are fixed (ap_fixed<6,1>), only the result is searched
    assert qd.fixed == {"weight": FixedPointFormat(6, 1), "bias": FixedPointFormat(6, 1)}
    assert qd.tunable == ("result",)
    assert qr.fixed["result"] == FixedPointFormat(4, 0, False, "RND_CONV", "SAT") and qr.tunable == ()
    assert ctx.nodes["qb"].emulator.fixed["result"] == FixedPointFormat(6, 3, True, "RND_CONV", "SAT")


def test_float_pass_more_activations_and_separable():
    import tensorflow as tf
    from qkeras import QActivation

    tf.keras.utils.set_random_seed(5)
    L = tf.keras.layers
    inp = L.Input((5, 5, 2), name="inp")
    x = L.SeparableConv2D(3, 3, padding="same", name="sep")(inp)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Activation("selu", name="selu")(x)
    x = L.Activation("softplus", name="splus")(x)
    x = L.Activation("softsign", name="ssign")(x)
    x = L.Activation("hard_sigmoid", name="hsig")(x)
    x = L.ThresholdedReLU(0.3, name="trelu")(x)
    x = L.DepthwiseConv2D(2, depth_multiplier=2, strides=2, name="dw2")(x)
    x = QActivation("quantized_tanh(4)", name="qt")(x)
    x = QActivation("quantized_sigmoid(6)", name="qs")(x)  # hls4ml: hard sigmoid, ap_ufixed<6,0>
    x = L.Reshape((12, 2), name="rs")(x)
    x = L.DepthwiseConv1D(2, padding="same", name="dw1")(x)
    x = L.SeparableConv1D(2, 3, strides=2, depth_multiplier=2, name="sp1")(x)
    x = L.Activation("elu", name="elu")(x)
    model = tf.keras.Model(inp, x)
    x = np.random.default_rng(2).normal(0, 2, (16, 5, 5, 2))
    ctx = _check_float(model, x)
    # hls4ml's '<layer>_linear' follows the pointwise part (removed later when typed as its input)
    assert [n for n in ctx.nodes if n.startswith("sep")] == ["sep_depthwise", "sep_pointwise", "sep_linear"]
    assert ctx.keras_output["bn"] == "bn"  # no configuration: results are set, nothing folds
    qs = ctx.nodes["qs"]
    assert qs.class_name == "HardActivation" and qs.emulator.fixed["result"] == FixedPointFormat(
        6, 0, False, "RND_CONV", "SAT"
    )


def test_unsupported_qkeras_weights_are_named():
    import tensorflow as tf
    from qkeras import QDense

    inp = tf.keras.layers.Input((4,), name="inp")
    model = tf.keras.Model(inp, QDense(3, kernel_quantizer="binary", name="bd")(inp))
    with pytest.raises(EmulationError, match="bd") as err:
        _build(model)
    assert err.value.layer == "bd"


def test_table_index_follows_the_cpp_truncation():
    sig = layers_act_extra.TableActivation("sigmoid")
    ctx = Ctx(Node("s", "s", "Sigmoid", ["i"], sig), {}, [FixedPointFormat(16, 6)], _constant)
    x = np.array([-9.0, -1 / 64, -1 / 128, 0.0, 1 / 128, 1 / 64, 7.99])
    out = sig.forward([x], ctx)
    # int(x * 1024 / 16) truncates toward zero: -1/128 and 1/128 share the entry of 0
    assert out[0] == out.min() and out[2] == out[3] == out[4] and out[1] < out[2] < out[5]
    assert sig.bounded == (1, False) and sig.non_negative


# --- fixed point: equal to hls4ml's C simulation --------------------------------------------------
def _csim_check(model, config, x, tmp_path_factory, label):
    from core.hls.convert import compile_model, trace_layers

    compiled = compile_model(model, config, cache_root=tmp_path_factory.mktemp(label))
    traced = trace_layers(compiled, x.astype(np.float32))
    ctx = _build(model, config)
    outs = _run(ctx, x, _fmts(config))
    compared = []
    for name, node in ctx.nodes.items():
        if name in traced and node.inputs:
            emu = outs[name].reshape(len(x), -1)
            np.testing.assert_array_equal(emu, traced[name].reshape(len(x), -1), err_msg=name)
            compared.append(name)
    # The same through the graph auto precision runs, its formats read from the configuration.
    from core.hls.emulate import build_graph

    graph = build_graph(model, config)
    assert not graph.fallbacks, graph.fallbacks
    outs = graph.run([x], graph.config_formats(config))
    for name in compared:
        got = outs[name].reshape(len(x), -1)
        np.testing.assert_array_equal(got, traced[name].reshape(len(x), -1), err_msg=f"graph {name}")
    return ctx, compared


@needs_gpp
def test_fixed_point_matches_csim_batchnorm_and_activations(inputs, tmp_path_factory):
    model = _model_float()
    ctx, compared = _csim_check(model, _config(model, ROWS_FLOAT), inputs[0], tmp_path_factory, "float")
    assert {"bn0", "d1", "sig", "elu", "prelu", "lrelu", "lrelu2", "d3_tanh"} <= set(compared)


@needs_gpp
def test_fixed_point_matches_csim_qkeras(inputs, tmp_path_factory):
    model = _model_qkeras()
    ctx, compared = _csim_check(model, _config(model, ROWS_QKERAS), inputs[1], tmp_path_factory, "qkeras")
    assert {"qc", "qr", "dw", "qd", "qb", "qa2", "bnbt_bn3"} <= set(compared)
    assert "qa2_alpha" not in ctx.nodes  # fused into bn3, itself merged into the threshold node


@needs_gpp
def test_fixed_point_matches_csim_alpha_separable_and_tables(inputs, tmp_path_factory):
    model = _model_more()
    _check_float(model, inputs[2], _config(model, ROWS_MORE))  # the float pass keeps Keras's maths
    ctx, compared = _csim_check(model, _config(model, ROWS_MORE), inputs[2], tmp_path_factory, "more")
    assert ctx.keras_output["bna"] == "dwa"  # folded into the depthwise kernel, as hls4ml does
    # hls4ml 1.3 folds it with a mis-shaped kernel: the fixed-point pass has it, the float pass not
    assert isinstance(ctx.nodes["dwa"].emulator, layers_bn.FloatOverride)
    inner = ctx.nodes["dwa"].emulator.inner
    fmt = {"weight": FixedPointFormat(9, 2), "bias": FixedPointFormat(9, 2)}.get
    acc = ctx.nodes["dwa"].emulator.accum([FixedPointFormat(10, 3)], fmt)
    assert acc is not None and acc == inner.accum([FixedPointFormat(10, 3)], fmt)
    assert ctx.nodes["qa_alpha"].emulator.fixed["result"] == FixedPointFormat(16, 6)
    assert set(compared) >= {"dwa", "sep_depthwise", "sep_pointwise", "hsig", "qa", "qa_alpha", "selu"}
    assert set(compared) >= {"qsep_depthwise", "qsep_pointwise"}
    assert set(compared) >= {"splus", "ssign", "trelu", "qt"}


@needs_gpp
def test_fixed_point_matches_csim_qkeras_activations_and_1d(tmp_path_factory):
    model = _model_qkeras_more()
    x = np.random.default_rng(3).uniform(-2, 2, (32, 6, 6, 2))
    _check_float(model, x, _config(model, ROWS_QKERAS_MORE))  # QBatchNormalization as QKeras computes it
    ctx, compared = _csim_check(model, _config(model, ROWS_QKERAS_MORE), x, tmp_path_factory, "qmore")
    assert ctx.nodes["qdw"].emulator.fixed == {
        "weight": FixedPointFormat(5, 2),
        "bias": FixedPointFormat(5, 2),
    }
    assert set(compared) >= {"qdw", "qbn", "qlr", "qc1", "qc1_quantized_relu", "elu", "qd1"}
    assert set(compared) >= {"bnbt_qter_scale", "qd2", "qbin", "qt3", "bnbt_bn4"}


def test_batchnorm_fold_conditions_follow_hls4ml():
    import tensorflow as tf
    from qkeras import QDense, quantized_bits

    from core.hls.config import make_config

    L = tf.keras.layers
    inp = L.Input((4,), name="inp")
    q = QDense(3, kernel_quantizer=quantized_bits(6, 0, alpha=1), name="qd")(inp)
    a = L.BatchNormalization(name="bnq")(q)  # quantized weights: kept apart
    d = L.Dense(3, name="d")(inp)
    b1 = L.BatchNormalization(name="bn_a")(d)  # d feeds two layers: kept apart
    b2 = L.BatchNormalization(name="bn_b")(d)
    model = tf.keras.Model(inp, [a, b1, b2])
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            layer.set_weights([np.full(3, 2.0), np.full(3, 0.5), np.zeros(3), np.ones(3)])
    config = make_config(model)
    for name in ("qd", "d"):
        config.set(name, "result", "auto")
    ctx = _build(model, config)
    assert all(ctx.keras_output[n] == n for n in ("bnq", "bn_a", "bn_b"))
    assert ctx.nodes["qd"].emulator.fixed["weight"] == FixedPointFormat(6, 1)


def test_quantizer_precisions_are_those_hls4ml_derives():
    """Point 2: every precision a QKeras quantizer fixes equals config_from_keras_model's."""
    import hls4ml

    for model in (_model_qkeras(), _model_qkeras_more()):
        raw = hls4ml.utils.config_from_keras_model(model, granularity="name")["LayerName"]
        ctx = _build(model)
        checked = 0
        for node in ctx.nodes.values():
            precision = raw.get(node.name, raw.get(node.keras_name, {})).get("Precision", {})
            for fld, fmt in node.emulator.fixed.items():
                text = precision.get("depthwise" if fld == "weight" and "depthwise" in precision else fld)
                if node.name.startswith("bnbt_") or node.name.endswith("_alpha"):
                    continue  # nodes hls4ml adds later, not in the configuration
                assert FixedPointFormat.parse(text) == fmt, (node.name, fld, text, fmt)
                checked += 1
        assert checked >= 6


def test_separable_precisions_are_copied_as_hls4ml_copies_them():
    from core.hls.emulate.layers_depthwise import separable_precisions

    rows = separable_precisions(
        "sep",
        {"bias": "b", "result": "r", "depthwise": "dw", "pointwise": "pw", "depthwise_result": "dr"},
    )
    assert rows == {
        "sep_depthwise": {"bias": "b", "result": "dr", "weight": "dw"},
        "sep_pointwise": {"bias": "b", "result": "r", "weight": "pw"},
    }


def test_float_check_accepts_a_quantizer_step_flipped_by_float_rounding():
    """A QKeras quantizer turns a last-bit float difference of its input into one whole step:
    on a few values that is Keras's rounding (the next layers take Keras's values); more is not."""
    import tensorflow as tf
    from qkeras import QActivation

    from core.hls.emulate import build_graph

    inp = tf.keras.layers.Input((100,), name="inp")
    model = tf.keras.Model(inp, QActivation("quantized_relu(6,0)", name="qr")(inp))
    graph = build_graph(model)
    x = np.random.default_rng(0).uniform(0, 0.9, (2, 100))
    ours = np.asarray(model(x.astype(np.float32)), np.float64)
    one = ours.copy()
    one[0, 3] += 1 / 64  # one step on 1 of 200 values
    assert graph._check_layer("qr", "qr", ours, {"qr": one}) is not ours
    many = ours + 1 / 64  # every value one step off: the emulator is wrong
    with pytest.raises(EmulationError, match="qr"):
        graph._check_layer("qr", "qr", ours, {"qr": many})
    two = ours.copy()
    two[0, 3] += 2 / 64
    with pytest.raises(EmulationError):
        graph._check_layer("qr", "qr", ours, {"qr": two})
