"""The fixed-point emulator of hls4ml firmware (core.hls.emulate).

Float passes must equal Keras layer by layer; fixed-point passes must equal hls4ml's C simulation
bit for bit (two slow tests compile a functional model with merges and a CNN with 'same' pooling,
padding, up-sampling, a transpose and global average pooling, once each).
"""

from __future__ import annotations

import numpy as np
import pytest
from emulate_models import merge_model, pooling_model

from core.hls.emulate import build_graph
from core.hls.emulate.base import BUILDERS, EmulationError
from core.hls.emulate.graph import FallbackEmulator
from core.hls.profile import profile_with_outputs
from core.weights import FixedPointFormat


def _keras():
    import tensorflow as tf

    return tf.keras


def small_models():
    """Tiny models covering every builder of this package, with inputs."""
    k = _keras()
    rng = np.random.default_rng(3)
    models = {"merge": merge_model(), "pooling": pooling_model()}
    inp = k.Input((10, 3), name="inp")
    h = k.layers.MaxPooling1D(3, strides=2, padding="same", name="mp1")(
        k.layers.Cropping1D((1, 0), name="crop")(inp)
    )
    h2 = k.layers.AveragePooling1D(2, padding="same", name="ap1")(inp)
    h2 = k.layers.UpSampling1D(2, name="up1")(k.layers.ZeroPadding1D((1, 2), name="zp1")(h2))
    g = k.layers.Concatenate(name="cat")(
        [k.layers.GlobalMaxPooling1D(name="gmp")(h), k.layers.GlobalAveragePooling1D(name="gap")(h2)]
    )
    h3 = k.layers.Reshape((2, 3), name="rs")(g)
    h3 = k.layers.Permute((2, 1), name="transp")(h3)
    h3 = k.layers.Flatten(name="flat")(k.layers.Conv1D(2, 2, strides=2, padding="same", name="c1d")(h3))
    d = k.layers.Dot(axes=1, name="dot")([k.layers.Dense(4, name="d1")(h3), k.layers.Dense(4, name="d2")(h3)])
    mx = k.layers.Maximum(name="max")([k.layers.Dense(2, name="d3")(h3), k.layers.Dense(2, name="d4")(h3)])
    mn = k.layers.Minimum(name="min")([mx, k.layers.Dense(2, activation="tanh", name="d5")(h3)])
    out = k.layers.Activation("sigmoid", name="sig")(k.layers.Concatenate(name="cat2")([d, mn]))
    models["one_d"] = (k.Model(inp, out), rng.normal(size=(100, 10, 3)).astype(np.float32))
    seq = k.Sequential(
        [
            k.Input((6, 6, 1), name="x"),
            k.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv"),
            k.layers.GlobalAveragePooling2D(name="gap"),
            k.layers.Dropout(0.5, name="drop"),
            k.layers.ReLU(name="relu"),
            k.layers.Dense(2, name="fc"),
            k.layers.Softmax(name="sm"),
        ]
    )
    models["sequential"] = (seq, rng.normal(size=(100, 6, 6, 1)).astype(np.float32))
    return models


@pytest.fixture(scope="module")
def models():
    return small_models()


@pytest.mark.parametrize("name", ["merge", "pooling", "one_d", "sequential"])
def test_float_pass_equals_keras_layer_by_layer(models, name):
    model, x = models[name]
    graph = build_graph(model)
    assert not graph.fallbacks
    _, keras = profile_with_outputs(model, x)
    outs = graph.run([x], reference=keras)  # raises at the first layer that differs
    for layer in model.layers:  # every Keras layer's output is some node's (nothing folded here)
        ref = keras[layer.name]
        got = outs[graph.keras_output[layer.name]]
        assert np.allclose(got.reshape(ref.shape), ref, atol=1e-5, rtol=1e-5), layer.name
    ref = model.predict(x, verbose=0)
    assert np.allclose(graph.output(outs), ref, atol=1e-5)


def test_graph_names_and_connects_nodes_as_hls4ml(models):
    model, _ = models["merge"]
    graph = build_graph(model)
    names = "inp a a_relu b b_linear add mul avg sub cat out out_softmax".split()
    assert list(graph.nodes) == names  # as hls4ml names them (b_linear: a cast only if typed apart)
    assert graph.node("add").inputs == ["a_relu", "b_linear"]
    assert graph.node("out").inputs == ["cat"]  # the Dropout is gone: an alias of its input
    assert graph.keras_output["drop"] == "cat" and graph.outputs == ["out_softmax"]
    assert [n.name for n in graph.nodes_of("a")] == ["a", "a_relu"]
    assert graph.downstream(["avg"]) == {"avg", "sub", "cat", "out", "out_softmax"}


def test_pass_through_types_partial_runs_and_overflows(models):
    model, x = models["merge"]
    graph = build_graph(model)
    f = FixedPointFormat.parse
    fmts = {
        (n.name, fld): f("ap_fixed<12,4>") for n in graph for fld in n.emulator.tunable if fld != "inp_norm"
    }
    fmts[("a_relu", "result")] = f("ap_ufixed<9,3>")
    # Concatenate of ap_fixed<12,4> and ap_ufixed<9,3>: the narrowest type holding both.
    assert graph.result_format(fmts, "cat") == f("ap_fixed<12,4>")
    fmts[("sub", "result")] = f("ap_fixed<10,2>")
    assert graph.result_format(fmts, "cat") == f("ap_fixed<12,4>")
    fmts[("sub", "result")] = f("ap_fixed<14,3>")
    assert graph.result_format(fmts, "cat") == f("ap_fixed<15,4>")
    full = graph.run([x], fmts)
    narrower = dict(fmts)
    narrower[("avg", "result")] = f("ap_fixed<6,1>")  # |avg| often >= 0.5: wraps
    overflow: dict[str, int] = {}
    partial = graph.run([x], narrower, changed=["avg"], cached=full, overflow=overflow)
    again = graph.run([x], narrower)
    for name in graph.nodes:
        assert np.array_equal(partial[name], again[name]), name
        if name not in graph.downstream(["avg"]):
            assert partial[name] is full[name]  # not recomputed
    assert overflow["avg"] > 0 and set(overflow) == graph.downstream(
        ["avg"]
    )  # cat: exact cast to its wider type


def test_unknown_and_unreproducible_layers_fall_back_to_keras():
    k = _keras()
    inp = k.Input((8, 2), name="inp")
    h = k.layers.LayerNormalization(name="norm")(inp)
    h = k.layers.ReLU(max_value=1.0, name="relu6")(h)  # hls4ml converts it as a plain ReLU
    model = k.Model(inp, k.layers.Dense(2, name="fc")(k.layers.Flatten(name="flat")(h)))
    assert "LayerNormalization" not in BUILDERS
    graph = build_graph(model)
    assert set(graph.fallbacks) == {"norm", "relu6"}
    assert "plain ReLU" in graph.fallbacks["relu6"]
    emu = graph.node("norm").emulator
    assert isinstance(emu, FallbackEmulator) and emu.tunable == ()
    assert emu.fixed["result"] == FixedPointFormat.parse("ap_fixed<16,6>")  # hls4ml's default
    x = np.random.default_rng(4).normal(size=(50, 8, 2)).astype(np.float32) * 3
    _, keras = profile_with_outputs(model, x)
    graph.run([x], reference=keras)
    fixed = graph.run([x], {})  # only the fallbacks round (to their fixed precision)
    norm = fixed["norm"]
    assert np.array_equal(norm, np.floor(norm * 1024) / 1024)  # on ap_fixed<16,6>'s grid
    assert np.allclose(norm, keras["norm"], atol=1 / 1024)
    assert np.array_equal(fixed["relu6"], np.clip(norm, 0, 1))  # Keras on the emulated input
    with pytest.raises(EmulationError, match="not emulated"):
        from core.hls.emulate.base import BuildContext

        BuildContext(model).inputs_of(model.get_layer("fc"))


# --- bit-exact against hls4ml's C simulation ---------------------------------------------------------
def _csim_matches_emulation(model, x, precisions, tmp_path):
    from core.hls.config import make_config
    from core.hls.convert import compile_model, csimulate, trace_layers

    config = make_config(model)
    for name, text in precisions.items():
        config.set(name, "result", text)
    graph = build_graph(model, config)
    outs = graph.run([x], graph.config_formats(config))
    compiled = compile_model(model, config, tmp_path)
    traced = trace_layers(compiled, x)
    compared = 0
    for name, emulated in outs.items():
        if name in traced:
            got = traced[name].reshape(len(x), -1)
            assert np.array_equal(got, emulated.astype(np.float32).reshape(got.shape)), name
            compared += 1
    y = np.asarray(csimulate(compiled, x)).reshape(len(x), -1)
    assert np.array_equal(y, graph.output(outs).astype(np.float32).reshape(y.shape))
    return compared


@pytest.mark.slow
def test_merges_are_bit_exact_in_csim(tmp_path):
    model, x = merge_model()
    precisions = {
        "a": "ap_fixed<10,3>",
        "a_relu": "ap_ufixed<8,3>",
        "b": "ap_fixed<9,2>",
        "b_linear": "ap_fixed<7,2>",  # typed apart from b: hls4ml keeps it as a cast
        "add": "ap_fixed<12,4>",
        "mul": "ap_fixed<11,3>",
        "avg": "ap_fixed<10,3>",
        "sub": "ap_fixed<12,4>",
    }
    assert _csim_matches_emulation(model, x, precisions, tmp_path) >= 9


@pytest.mark.slow
def test_same_pooling_padding_upsampling_are_bit_exact_in_csim(tmp_path):
    model, x = pooling_model()
    precisions = {
        "c1": "ap_fixed<12,4>",
        "c1_relu": "ap_ufixed<9,3>",  # unsigned: hls4ml's 'same' max pooling pads it with 4.0
        "ap": "ap_fixed<10,3>",  # average over 4..9 cells: the division truncates
        "c2": "ap_fixed<12,4>",
        "gap": "ap_fixed<10,2>",  # global average: summed in the default ap_fixed<16,6>
    }
    assert _csim_matches_emulation(model, x, precisions, tmp_path) >= 10


def test_same_max_pooling_of_an_unsigned_type_outputs_its_padding():
    """hls4ml 1.3 pads 'same' max pooling with the input type's top bit set: 2^(I-1) for an
    unsigned type, which wins every border window (reproduced in C simulation above)."""
    model, x = pooling_model()
    graph = build_graph(model)
    assert graph.node("mp").emulator.signed_input and not graph.node("ap").emulator.signed_input
    f = FixedPointFormat.parse
    fmts = {("c1_relu", "result"): f("ap_ufixed<9,3>")}
    mp = graph.run([x], fmts)["mp"]
    assert np.all(mp[:, -1, :, :] == 4.0) and np.all(mp[:, :, -1, :] == 4.0)  # the padded border
    assert np.all(mp[:, :-1, :-1, :] < 4.0)
    fmts = {("c1_relu", "result"): f("ap_fixed<10,4>")}
    assert np.all(graph.run([x], fmts)["mp"] < 4.0)  # signed: the padding never wins
