"""One answer per question: tf-model-optimization wrappers read the same everywhere
(:mod:`core.models.wrappers`), and one ``copy_model`` (:mod:`core.models.clone`) serves every
compression operation, its file round trip included."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow_model_optimization as tfmot

import core.models.clone as clone_module
from core.compress import get_operation
from core.hls.estimate import estimate
from core.models import inspect_model, weight_arrays
from core.models.wrappers import is_wrapper, layer_weights, named_weights, strip_wrappers, unwrap_layer
from core.zoo import build_model


def run_op(name, model, dataset, **params):
    op = get_operation(name)
    return op.fn(model, dataset, op.resolve(params), None)


def clustered(model):
    init = tfmot.clustering.keras.CentroidInitialization.LINEAR
    return tfmot.clustering.keras.cluster_weights(model, number_of_clusters=8, cluster_centroids_init=init)


def pruned(model):
    """Wrapped for pruning with half of each kernel already zeroed (as after some training)."""
    wrapped = tfmot.sparsity.keras.prune_low_magnitude(model)
    for layer in wrapped.layers:
        if hasattr(unwrap_layer(layer), "kernel"):
            kernel = unwrap_layer(layer).kernel
            values = kernel.numpy()
            values[np.abs(values) < np.median(np.abs(values))] = 0.0
            kernel.assign(values)
    return wrapped


@pytest.fixture(scope="module", params=["clustered", "pruned"])
def wrapped_and_plain(request):
    """A wrapped handson_cnn and the plain model tfmot strips it to (the reference reading)."""
    wrap = {"clustered": clustered, "pruned": pruned}[request.param]
    wrapped = wrap(build_model("handson_cnn"))
    return request.param, wrapped, strip_wrappers(wrapped)


def test_wrapper_helpers_see_the_inner_layer():
    model = clustered(build_model("jet_mlp"))
    outer = model.get_layer("cluster_fc1")
    assert is_wrapper(outer) and type(unwrap_layer(outer)).__name__ == "Dense"
    assert not is_wrapper(unwrap_layer(outer)) and unwrap_layer(unwrap_layer(outer)) is unwrap_layer(outer)
    kernel = layer_weights(outer)[0][1]
    assert kernel.shape == (16, 64) and len(np.unique(kernel)) <= 8  # centroids[indices]


def test_inspector_reads_a_wrapped_model_as_the_model_it_strips_to(wrapped_and_plain):
    kind, wrapped, plain = wrapped_and_plain
    rows, ref = inspect_model(wrapped).layers, inspect_model(plain).layers
    assert len(rows) == len(ref)
    for row, expected in zip(rows, ref):
        inner_type = row.type.split("(")[-1].rstrip(")")
        assert (inner_type, row.params, row.nonzero, row.macs, row.output_shape) == (
            expected.type,
            expected.params,
            expected.nonzero,
            expected.macs,
            expected.output_shape,
        ), (kind, row.name)
    assert inspect_model(wrapped).params == inspect_model(plain).params
    arrays, ref_arrays = list(weight_arrays(wrapped).values()), list(weight_arrays(plain).values())
    for got, expected in zip(arrays, ref_arrays, strict=True):
        assert list(got) == list(expected)
        for name in got:
            np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-7)


def test_estimate_reads_a_wrapped_model_as_the_model_it_strips_to(wrapped_and_plain):
    kind, wrapped, plain = wrapped_and_plain
    rows, ref = estimate(wrapped).layers, estimate(plain).layers
    assert [r.class_name for r in rows] == [r.class_name for r in ref]
    assert "Dense" in [r.class_name for r in rows] and "Conv2D" in [r.class_name for r in rows]
    for row, expected in zip(rows, ref):
        assert (row.multiplications, row.zero_weights, row.dsp, row.lut, row.latency_cycles) == (
            expected.multiplications,
            expected.zero_weights,
            expected.dsp,
            expected.lut,
            expected.latency_cycles,
        ), (kind, row.name)


def test_inspector_and_estimate_agree_on_kinds_and_weights(wrapped_and_plain):
    """The layer table and the estimate name the same kind for each wrapped layer, and for a
    Dense layer the estimate reads the kernel the table counts."""
    _, wrapped, _ = wrapped_and_plain
    table = {row.name: row for row in inspect_model(wrapped).layers}
    rows = {row.name: row for row in estimate(wrapped).layers}
    kernels = weight_arrays(wrapped)
    wrapped_layers = [layer for layer in wrapped.layers if is_wrapper(layer)]
    assert {unwrap_layer(layer).name for layer in wrapped_layers} >= {"conv1", "conv2", "fc1", "output"}
    for layer in wrapped_layers:
        row = rows[layer.name]
        assert table[layer.name].type == f"{type(layer).__name__}({row.class_name})"
        if row.class_name == "Dense":
            kernel = kernels[layer.name]["kernel"]
            # every zero of the table is skipped; multipliers only for the rest (±2^k are shifts)
            assert row.zero_weights >= kernel.size - np.count_nonzero(kernel)
            assert 0 < row.multiplications <= np.count_nonzero(kernel)


@pytest.fixture
def uncloneable(monkeypatch):
    """Make Keras' ``clone_model`` route fail, as it does for a model whose layers cannot be
    rebuilt from their configs, so every copy goes through the ``.h5`` round trip."""
    calls = []

    def refuse(model):
        calls.append(model.name)
        raise ValueError("this model cannot be cloned from its layer configs")

    monkeypatch.setattr(clone_module, "_clone", refuse)
    return calls


def test_copy_model_falls_back_to_a_file_round_trip(uncloneable):
    model = build_model("jet_mlp")
    copy = clone_module.copy_model(model)
    assert uncloneable == [model.name] and copy is not model
    assert [layer.name for layer in copy.layers] == [layer.name for layer in model.layers]
    for a, b in zip(copy.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("wrap", [clustered, pruned], ids=["clustered", "pruned"])
def test_quantization_ops_take_wrapped_models_that_cannot_be_cloned(wrap, uncloneable, digits):
    """int8, fixed point and QAT run on a pruning- or clustering-wrapped model whose copy needs the
    file round trip; each result is the plain model, with the wrapper's weights."""
    model = wrap(build_model("handson_cnn"))
    plain = strip_wrappers(model)
    kernel = plain.get_layer("fc1").get_weights()[0]

    int8 = run_op("quantize_int8", model, digits, calibration_samples=50)
    assert uncloneable and not any(is_wrapper(layer) for layer in int8.model.layers)
    assert int8.metrics["val_accuracy"] >= 0.0 and int8.metrics["size_tflite"] > 0
    scale = np.abs(kernel).max(axis=0) / 127
    np.testing.assert_allclose(int8.model.get_layer("fc1").get_weights()[0], kernel, atol=float(scale.max()))

    fixed = run_op("fixed_point", model, digits, width=8)
    assert not any(is_wrapper(layer) for layer in fixed.model.layers)
    q = fixed.model.get_layer("fc1").get_weights()[0]
    assert np.count_nonzero(q == 0) >= np.count_nonzero(kernel == 0)  # zeros stay zeros
    assert "fc1" in fixed.params["formats"]

    qat = run_op("qat", model, digits, epochs=1, weight_bits=4)
    assert type(qat.model.get_layer("fc1")).__name__ == "QDense"
    converted = qat.intermediates[0][1]
    np.testing.assert_allclose(converted.get_layer("fc1").get_weights()[0], kernel, atol=1e-7)


def test_quantization_wrapper_gives_back_the_float_kernel():
    """tfmot's QAT wrapper takes the kernel from its layer; the table and the estimate still read it."""
    base = build_model("jet_mlp")
    kernel = base.get_layer("fc1").get_weights()[0]
    model = tfmot.quantization.keras.quantize_model(base)
    layer = model.get_layer("quant_fc1")
    np.testing.assert_array_equal(dict((n, a) for n, _, a in named_weights(layer))["kernel"], kernel)
    row = inspect_model(model).layer("quant_fc1")
    assert (row.type, row.params, row.macs) == ("QuantizeWrapperV2(Dense)", 16 * 64 + 64, 16 * 64)
    est = {r.name: r for r in estimate(model).layers}["quant_fc1"]
    assert est.class_name == "Dense" and est.zero_weights <= 4  # a random kernel: ~no zeros
    assert 16 * 64 * 0.9 < est.multiplications + est.zero_weights <= 16 * 64
