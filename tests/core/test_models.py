"""core.models: loading every format safely, refusing code, reporting bad input, inspecting."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from core import TrigLabError
from core.models import (
    ModelLoadError,
    ModelSaveError,
    UntrustedModelError,
    inspect_model,
    load_model,
    model_file_kind,
    register_custom_object,
    save_model,
    scan_model_file,
    weight_arrays,
)


# --- helpers ---------------------------------------------------------------------------------
def small_cnn(seed: int = 0) -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((8, 8, 1), name="x")
    x = tf.keras.layers.Conv2D(3, 3, activation="relu", name="conv")(inp)
    x = tf.keras.layers.BatchNormalization(name="bn")(x)
    x = tf.keras.layers.MaxPooling2D(2, name="pool")(x)
    x = tf.keras.layers.Flatten(name="flat")(x)
    out = tf.keras.layers.Dense(4, activation="softmax", name="dense")(x)
    return tf.keras.Model(inp, out, name="small_cnn")


def qkeras_model() -> tf.keras.Model:
    from qkeras import QActivation, QConv2D, QDense, quantized_bits, quantized_relu

    tf.keras.utils.set_random_seed(1)
    inp = tf.keras.Input((8, 8, 1))
    x = QConv2D(
        4,
        (3, 3),
        kernel_quantizer=quantized_bits(6, 0, alpha=1),
        bias_quantizer=quantized_bits(6, 0, alpha=1),
        name="qconv",
    )(inp)
    x = QActivation(quantized_relu(5), name="qrelu")(x)
    x = tf.keras.layers.Flatten(name="flat")(x)
    out = QDense(
        3,
        kernel_quantizer=quantized_bits(4, 0, alpha=1),
        bias_quantizer=quantized_bits(4, 0, alpha=1),
        name="qdense",
    )(x)
    return tf.keras.Model(inp, out)


def write(model: tf.keras.Model, folder, fmt: str):
    """Write ``model`` in one of the four formats; returns the path to load."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt in ("h5", "keras"):
        return save_model(model, folder / f"model.{fmt}")
    if fmt == "savedmodel":
        model.save(folder / "saved", save_format="tf")
        return folder / "saved"
    (folder / "arch.json").write_text(model.to_json())
    model.save_weights(folder / "arch_weights.h5")
    return folder / "arch.json"


def assert_same_predictions(a: tf.keras.Model, b: tf.keras.Model, shape=(5, 8, 8, 1)) -> None:
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), atol=1e-6, rtol=0)


@pytest.fixture(scope="module")
def cnn():
    return small_cnn()


@pytest.fixture(scope="module")
def good_h5(cnn, tmp_path_factory):
    return save_model(cnn, tmp_path_factory.mktemp("good") / "good.h5")


# --- formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt, kind", [("h5", "h5"), ("keras", "keras"), ("savedmodel", "savedmodel"), ("json", "json+h5")]
)
def test_every_format_round_trips_with_the_same_predictions(cnn, tmp_path, fmt, kind):
    path = write(cnn, tmp_path, fmt)
    assert model_file_kind(path) == kind
    loaded = load_model(path)
    assert isinstance(loaded, tf.keras.Model) and loaded.optimizer is None  # never compiled
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in cnn.layers]
    assert_same_predictions(cnn, loaded)


def test_json_weights_can_be_given_explicitly_and_weights_override(cnn, tmp_path):
    (tmp_path / "net.json").write_text(cnn.to_json())
    cnn.save_weights(tmp_path / "w.h5")
    assert_same_predictions(cnn, load_model(tmp_path / "net.json", weights=tmp_path / "w.h5"))
    other = small_cnn(seed=7)
    other.save_weights(tmp_path / "other.h5")
    h5 = save_model(cnn, tmp_path / "m.h5")
    assert_same_predictions(other, load_model(h5, weights=tmp_path / "other.h5"))


def test_save_is_atomic_creates_folders_and_rejects_other_extensions(cnn, tmp_path):
    target = tmp_path / "a" / "b" / "m.keras"
    assert save_model(cnn, target) == target and target.is_file()
    save_model(cnn, target)  # overwrite in place
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.keras"]  # no temp files left
    with pytest.raises(ModelSaveError, match="unsupported extension"):
        save_model(cnn, tmp_path / "m.onnx")


@pytest.mark.parametrize("fmt", ["h5", "json", "keras"])
def test_qkeras_models_load_without_help_and_report_bits(tmp_path, fmt):
    model = qkeras_model()
    loaded = load_model(write(model, tmp_path, fmt))
    assert type(loaded.get_layer("qrelu")).__module__ == "qkeras.qlayers"
    assert_same_predictions(model, loaded)
    summary = inspect_model(loaded)
    conv, relu, dense = (summary.layer(n) for n in ("qconv", "qrelu", "qdense"))
    assert (conv.bits, relu.bits, dense.bits) == (6, 5, 4)
    assert conv.quantizer_bits == {"kernel": 6, "bias": 6}
    assert conv.quantizers["kernel"].startswith("quantized_bits(6,0")
    assert relu.quantizer.startswith("quantized_relu(5")
    assert summary.layer("flat").bits is None and not summary.layer("flat").quantized


def test_pruning_wrappers_load_and_are_counted_by_their_inner_layer(tmp_path):
    import tensorflow_model_optimization as tfmot

    base = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(4, name="d")])
    pruned = tfmot.sparsity.keras.prune_low_magnitude(base)
    loaded = load_model(save_model(pruned, tmp_path / "pruned.h5"))
    row = inspect_model(loaded).layers[0]
    assert row.type == "PruneLowMagnitude(Dense)"
    assert (row.params, row.macs) == (6 * 4 + 4, 6 * 4)
    assert set(weight_arrays(loaded)[row.name]) == {"kernel", "bias"}


def test_tf_op_layers_are_not_code(tmp_path):
    inp = tf.keras.Input((3,))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp) * 2.0 + 1.0)
    assert {type(layer).__name__ for layer in model.layers} >= {"TFOpLambda"}
    assert_same_predictions(model, load_model(save_model(model, tmp_path / "ops.h5")), shape=(4, 3))


# --- code in the file ------------------------------------------------------------------------
def lambda_model(marker) -> tf.keras.Model:
    """A model whose Lambda creates ``marker`` whenever its code runs (building, loading, calling)."""
    inp = tf.keras.Input((3,))
    out = tf.keras.layers.Lambda(lambda t, p=str(marker): (open(p, "a").close(), t * 2.0)[1], name="sneaky")(
        inp
    )
    return tf.keras.Model(inp, out)


@pytest.mark.parametrize("fmt", ["h5", "keras", "json", "savedmodel"])
def test_lambda_layers_are_refused_before_any_code_runs(tmp_path, fmt):
    marker = tmp_path / "code_ran"
    path = write(lambda_model(marker), tmp_path / "files", fmt)
    marker.unlink()  # building and saving ran the lambda; loading must not

    with pytest.raises(UntrustedModelError) as info:
        load_model(path)
    message = str(info.value)
    assert "'sneaky'" in message and "Lambda" in message and "trust=True" in message and "--trust" in message
    assert str(path) in message
    assert [(o.layer, o.class_name) for o in info.value.objects] == [("sneaky", "Lambda")]
    assert not marker.exists()
    assert [o.layer for o in scan_model_file(path)] == ["sneaky"]
    assert not marker.exists()

    model = load_model(path, trust=True)
    assert marker.exists()  # proves the check above would have caught code running
    np.testing.assert_allclose(model.predict(np.ones((1, 3), np.float32), verbose=0), 2.0)


def test_savedmodel_graph_functions_that_write_files_are_refused(tmp_path):
    inp = tf.keras.Input((3,))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp))

    def writer():
        tf.io.write_file(str(tmp_path / "written"), "data")
        return tf.constant(0)

    model.writer = tf.function(writer, input_signature=[])  # saved with the model's graph
    model.save(tmp_path / "sm", save_format="tf")
    with pytest.raises(UntrustedModelError, match="WriteFile"):
        load_model(tmp_path / "sm")
    assert not (tmp_path / "written").exists()


class Scale(tf.keras.layers.Layer):
    """A custom layer TrigLab does not know."""

    def call(self, x):
        return x * 3.0


def test_unknown_custom_objects_are_refused_and_can_be_registered(tmp_path, monkeypatch):
    inp = tf.keras.Input((2,))
    model = tf.keras.Model(inp, Scale(name="scale")(inp))
    path = save_model(model, tmp_path / "custom.h5")
    with pytest.raises(UntrustedModelError, match=r"layer 'scale' \(Scale\)"):
        load_model(path)
    with pytest.raises(ModelLoadError, match="register_custom_object") as info:
        load_model(path, trust=True)  # trusted, but Keras still cannot know the class
    assert not isinstance(info.value, UntrustedModelError)

    from core.models import registry

    monkeypatch.setattr(registry, "_registered", {})
    register_custom_object("Scale", Scale)
    assert_same_predictions(model, load_model(path), shape=(3, 2))


def test_the_checker_refuses_foreign_modules_lambdas_and_file_ops():
    from core.models.safety import find_untrusted_objects

    def dense(**extra):
        return {
            "class_name": "Dense",
            "config": {"name": "d", "trainable": True, **extra},
            "inbound_nodes": [],
        }

    assert find_untrusted_objects(dense(activation={"class_name": "function", "config": "relu"})) == []

    def op(function):
        return {"class_name": "TFOpLambda", "config": {"name": "op", "trainable": True, "function": function}}

    bad = [
        {"module": "os", "class_name": "Dense", "config": {}},
        dense(activation={"class_name": "__lambda__", "config": {"value": "..."}}),
        dense(activation={"class_name": "function", "config": "system", "module": "builtins"}),
        op("io.write_file"),
        op("compat.v1.py_func"),
        op("keras.models.load_model"),
        op("io.gfile.remove"),
        op("strings.join"),  # harmless, but not on the allow-list: exact names only
        {
            "class_name": "ClassMethod",
            "config": {"name": "c", "cls_symbol": "io.write_file", "method_name": "__call__"},
        },
        dense(kernel_initializer="io.write_file"),
    ]
    for config in bad:
        assert len(find_untrusted_objects(config)) == 1, config
    for function in ("math.multiply", "__operators__.add", "reshape", "nn.relu", "compat.v1.math.add"):
        assert find_untrusted_objects(op(function)) == [], function


# --- bad input -------------------------------------------------------------------------------
def expect_load_error(path, match: str, **kwargs) -> ModelLoadError:
    with pytest.raises(ModelLoadError, match=match) as info:
        load_model(path, **kwargs)
    error = info.value
    assert isinstance(error, TrigLabError) and not isinstance(error, UntrustedModelError)
    assert error.path == os.fspath(path) and f"'{os.fspath(path)}'" in str(error)
    return error


def test_missing_and_unsupported_files(tmp_path):
    expect_load_error(tmp_path / "nope.h5", "does not exist")
    expect_load_error(tmp_path / "nope", "does not exist")
    (tmp_path / "net.onnx").write_bytes(b"onnx")
    expect_load_error(tmp_path / "net.onnx", "not a Keras model format")
    (tmp_path / "empty_dir").mkdir()
    expect_load_error(tmp_path / "empty_dir", "not a TensorFlow SavedModel")
    tf.saved_model.save(tf.Module(), str(tmp_path / "not_keras"))
    expect_load_error(tmp_path / "not_keras", "no Keras metadata")


def test_truncated_and_random_files(good_h5, tmp_path):
    data = good_h5.read_bytes()
    (tmp_path / "half.h5").write_bytes(data[: len(data) // 2])
    expect_load_error(tmp_path / "half.h5", "truncated")
    (tmp_path / "noise.h5").write_bytes(np.random.default_rng(0).bytes(4096))
    expect_load_error(tmp_path / "noise.h5", "not an HDF5 file")
    (tmp_path / "noise.keras").write_bytes(np.random.default_rng(1).bytes(4096))
    expect_load_error(tmp_path / "noise.keras", "not a valid .keras archive")


def test_json_that_is_not_a_model_or_has_no_weights(cnn, tmp_path):
    (tmp_path / "foo.json").write_text(json.dumps({"foo": 1}))
    expect_load_error(tmp_path / "foo.json", "not a Keras model architecture")
    (tmp_path / "broken.json").write_text('{"class_name": "Functional", ')
    expect_load_error(tmp_path / "broken.json", "not valid JSON")
    (tmp_path / "alone.json").write_text(cnn.to_json())
    error = expect_load_error(tmp_path / "alone.json", "needs a weights file")
    assert "alone_weights.h5" in error.reason and "weights=" in error.hint


def test_weights_of_another_architecture_are_refused(cnn, tmp_path):
    (tmp_path / "cnn.json").write_text(cnn.to_json())
    inp = tf.keras.Input((5,))
    tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp)).save_weights(tmp_path / "mlp.h5")
    expect_load_error(tmp_path / "cnn.json", "do not match the architecture", weights=tmp_path / "mlp.h5")
    wider = tf.keras.Sequential([tf.keras.Input((8, 8, 1)), tf.keras.layers.Conv2D(5, 3)])
    (tmp_path / "one.json").write_text(
        tf.keras.Sequential([tf.keras.Input((8, 8, 1)), tf.keras.layers.Conv2D(3, 3)]).to_json()
    )
    wider.save_weights(tmp_path / "wider.h5")
    expect_load_error(tmp_path / "one.json", "do not match the architecture", weights=tmp_path / "wider.h5")


def test_a_weights_only_h5_says_what_is_missing(cnn, tmp_path):
    cnn.save_weights(tmp_path / "only_weights.h5")
    error = expect_load_error(tmp_path / "only_weights.h5", "only weights")
    assert "model.json" in error.hint


# --- inspection ------------------------------------------------------------------------------
def test_inspection_numbers_by_hand():
    inp = tf.keras.Input((6, 6, 1))
    x = tf.keras.layers.Conv2D(2, 3, name="conv")(inp)  # -> 4x4x2
    x = tf.keras.layers.Flatten(name="flat")(x)  # -> 32
    model = tf.keras.Model(inp, tf.keras.layers.Dense(3, name="dense")(x))
    conv_k = np.ones((3, 3, 1, 2), np.float32)
    conv_k[0, :, 0, 0] = 0.0  # 3 zeros
    dense_k = np.full((32, 3), 0.5, np.float32)
    dense_k[:10] = 0.0  # 30 zeros
    model.set_weights([conv_k, np.array([0.0, 1.0], np.float32), dense_k, np.zeros(3, np.float32)])

    s = inspect_model(model)
    conv, flat, dense = s.layer("conv"), s.layer("flat"), s.layer("dense")
    assert conv.output_shape == (4, 4, 2) and flat.output_shape == (32,) and dense.output_shape == (3,)
    assert (conv.params, dense.params, s.params) == (20, 99, 119)
    assert conv.macs == 4 * 4 * (3 * 3 * 1 * 2) == 288
    assert dense.macs == 32 * 3
    assert s.macs == 288 + 96 and flat.macs == 0
    assert (conv.nonzero, dense.nonzero, s.nonzero) == (18 - 3 + 1, 96 - 30, 16 + 66)
    assert s.trainable == 119
    assert s.sparsity == pytest.approx(1 - 82 / 119)
    assert s.size_dense == 119 * 4
    assert s.size_sparse == 82 * (4 + 1)  # every tensor has <= 256 entries: 1-byte indices
    blob = b"".join(a.astype("<f4").tobytes() for a in model.get_weights())
    assert s.size_gzip == len(gzip.compress(blob, compresslevel=6)) < s.size_dense

    d = json.loads(json.dumps(s.to_dict()))
    assert d["totals"]["nonzero"] == 82 and d["totals"]["macs"] == 384
    assert d["layers"][1]["output_shape"] == [4, 4, 2] and d["layers"][1]["quantizer"] is None
    arrays = weight_arrays(model)
    assert list(arrays) == ["conv", "dense"] and set(arrays["conv"]) == {"kernel", "bias"}
    np.testing.assert_array_equal(arrays["dense"]["kernel"], dense_k)


def test_inspection_counts_depthwise_separable_and_indices():
    inp = tf.keras.Input((10, 10, 4))
    x = tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw")(inp)  # 8x8x8
    x = tf.keras.layers.SeparableConv2D(5, 3, name="sep")(x)  # 6x6x5
    x = tf.keras.layers.Flatten()(x)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(300, name="wide")(x))  # 180x300 kernel
    s = inspect_model(model)
    assert s.layer("dw").macs == 8 * 8 * (3 * 3 * 4 * 2)
    assert s.layer("sep").macs == 6 * 6 * (3 * 3 * 8 + 8 * 5)
    wide = [a for a in model.get_weights()][-2:]
    nonzero_other = sum(int(np.count_nonzero(a)) for a in model.get_weights()[:-2])
    # the 54000-entry kernel needs 2-byte indices; everything else fits 1 byte
    assert (
        s.size_sparse
        == nonzero_other * 5 + int(np.count_nonzero(wide[0])) * 6 + int(np.count_nonzero(wide[1])) * 6
    )


def test_importing_core_models_does_not_import_tensorflow():
    code = "import sys, core.models; print(any(m.split('.')[0] in ('tensorflow', 'keras', 'qkeras') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
