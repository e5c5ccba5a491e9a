"""Hostile model files: each attack is a generated file; each must be refused, naming the cause,
with nothing changed outside the file (no file written, none deleted, no temporary folder left),
while every model TrigLab itself produces still loads without trust."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import tensorflow as tf

from core import TrigLabError
from core.models import (
    ModelLoadError,
    ModelTooLargeError,
    UntrustedModelError,
    load_model,
    save_model,
    scan_model_file,
    trust,
)


# --- writing hostile files by hand -------------------------------------------------------------
def functional(*layers: dict, width: int = 3) -> dict:
    """A Functional model config: an input of ``width`` floats feeding ``layers`` in a chain."""
    nodes = [
        {
            "class_name": "InputLayer",
            "config": {"batch_input_shape": [None, width], "dtype": "float32", "name": "x"},
            "name": "x",
            "inbound_nodes": [],
        }
    ]
    previous = "x"
    for layer in layers:
        name = layer["config"]["name"]
        kwargs = layer.pop("call_kwargs", {})
        nodes.append({**layer, "name": name, "inbound_nodes": [[[previous, 0, 0, kwargs]]]})
        previous = name
    return {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": nodes,
            "input_layers": [["x", 0, 0]],
            "output_layers": [[previous, 0, 0]],
        },
        "keras_version": "2.14.0",
        "backend": "tensorflow",
    }


def layer(class_name: str, name: str, **config) -> dict:
    return {
        "class_name": class_name,
        "config": {"name": name, "trainable": True, "dtype": "float32", **config},
    }


def dense(name: str = "d", units: int = 2, **config) -> dict:
    return layer("Dense", name, **{"units": units, "activation": "linear", "use_bias": True, **config})


def write_h5(path: Path, config: dict) -> Path:
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode("utf-8")
        f.attrs["keras_version"] = "2.14.0"
        f.attrs["backend"] = "tensorflow"
    return path


def write_keras(path: Path, config: dict, metadata: dict | None = None, extra: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps(metadata or {"keras_version": "2.14.0"}))
        zf.writestr("config.json", json.dumps(config))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def write_json(path: Path, config: dict) -> Path:
    path.write_text(json.dumps(config))
    return path


WRITERS = {"h5": write_h5, "keras": write_keras, "json": write_json}


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with the digest of its content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def sandbox(tmp_path, monkeypatch, _triglab_home):
    """tmp_path holds the files, a victim file, the place a write would land, and the temp folder."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("keep me")
    (tmp_path / "files").mkdir()
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # Keras' temporary folders land here
    return tmp_path


def refused(sandbox: Path, path: Path, error=UntrustedModelError, match: str = "", **kwargs) -> TrigLabError:
    """Load ``path``; assert ``error`` naming ``match`` and that nothing changed anywhere we can see."""
    home = Path(trust.store_path()).parent
    before, home_before = snapshot(sandbox), snapshot(home)
    with pytest.raises(error, match=match) as info:
        load_model(path, **kwargs)
    assert snapshot(sandbox) == before and snapshot(home) == home_before
    assert not (sandbox / "outside" / "outside_marker").exists()
    assert (sandbox / "outside" / "victim.txt").read_text() == "keep me"
    return info.value


# --- code named in the file --------------------------------------------------------------------
def class_method_write(sandbox: Path) -> dict:
    target = str(sandbox / "outside" / "outside_marker")
    attack = layer("ClassMethod", "writer", cls_symbol="io.write_file", method_name="__call__")
    attack["call_kwargs"] = {"kwargs": {"filename": target, "contents": "pwned"}}
    return functional(attack)


def class_method_remove(sandbox: Path) -> dict:
    attack = layer("ClassMethod", "remover", cls_symbol="io.gfile", method_name="remove")
    attack["call_kwargs"] = {"kwargs": {"path": str(sandbox / "outside" / "victim.txt")}}
    return functional(attack)


@pytest.mark.parametrize("fmt", ["h5", "keras", "json"])
@pytest.mark.parametrize(
    "make, layer_name", [(class_method_write, "writer"), (class_method_remove, "remover")]
)
def test_class_method_layers_that_write_or_delete_files_are_refused(sandbox, fmt, make, layer_name):
    path = WRITERS[fmt](sandbox / "files" / f"attack.{fmt}", make(sandbox))
    error = refused(sandbox, path, match=rf"layer '{layer_name}' \(ClassMethod\)")
    assert "cls_symbol" in str(error) and [o.class_name for o in error.objects] == ["ClassMethod"]
    assert [o.layer for o in scan_model_file(path)] == [layer_name]


@pytest.mark.parametrize("class_name", ["TFOpLambda", "SlicingOpLambda"])
@pytest.mark.parametrize("function", ["io.write_file", "io.gfile.remove", "py_function", "compat.v1.py_func"])
def test_tf_op_layers_calling_anything_but_tensor_maths_are_refused(sandbox, class_name, function):
    attack = layer(class_name, "op", function=function)
    attack["call_kwargs"] = {"contents": "pwned"}
    path = write_h5(sandbox / "files" / "op.h5", functional(attack))
    error = refused(sandbox, path, match=rf"layer 'op' \({class_name}\).*tf\.{function}")
    assert "not in TrigLab's list of plain tensor maths" in str(error)


def test_lambda_bytecode_is_refused_before_it_runs(sandbox):
    marker = sandbox / "outside" / "outside_marker"
    inp = tf.keras.Input((3,))
    code = tf.keras.layers.Lambda(lambda t, p=str(marker): (open(p, "a").close(), t)[1], name="sneaky")
    path = save_model(tf.keras.Model(inp, code(inp)), sandbox / "files" / "lambda.h5")
    marker.unlink()  # building the model ran the code once; loading must not
    refused(sandbox, path, match=r"layer 'sneaky' \(Lambda\): runs Python code")


@pytest.mark.parametrize(
    "attack, cause",
    [
        (dense(activation="exec"), "'activation' is 'exec', not a Keras activation"),
        (dense(kernel_initializer="io.write_file"), "not a Keras initializer"),
        (dense(kernel_regularizer="print"), "not a Keras regularizer"),
        (dense(bias_constraint="os.remove"), "not a Keras constraint"),
        (
            dense(activation={"class_name": "function", "config": "system", "module": "os"}),
            "function 'system'",
        ),
        (
            dense(kernel_initializer={"class_name": "GlorotUniform", "config": {}, "module": "os"}),
            "module 'os'",
        ),
        (dense(kernel_initializer={"class_name": "Zeros", "config": {}, "registered_name": "x>y"}), "'x>y'"),
        ({**dense(), "module": "evil.layers"}, "module 'evil.layers'"),
        (dense(function="io.write_file"), "argument 'function' names code"),
        (layer("QActivation", "q", activation="safe_eval('x')"), "not a QKeras quantizer"),
        (layer("QActivation", "q", activation="get_quantizer"), "not a QKeras quantizer"),
        (layer("QActivation", "q", activation="quantized_bits(4, tf.io.write_file('f', 'x'))"), "literal"),
        (layer("QActivation", "q", activation="quantized_bits(4,0)(1)"), "literal"),
        (layer("QDense", "q", units=2, kernel_quantizer="np.save('f', 1)"), "not a QKeras quantizer"),
        (
            layer("QDense", "q", units=2, kernel_quantizer={"class_name": "safe_eval", "config": {}}),
            "unknown class",
        ),
        (layer("Scale", "scale"), "unknown class"),
        (
            {
                **functional(dense()),
                "compile_config": {"optimizer": "adam", "loss": "mse"},
                "config": {**functional(dense())["config"], "name": "inner", "trainable": True},
            },
            "training configuration",
        ),
        (layer("ClusterWeights", "c", layer=layer("Evil", "inner")), "unknown class"),
    ],
)
def test_allow_listed_layers_with_code_in_their_arguments_are_refused(sandbox, attack, cause):
    path = write_h5(sandbox / "files" / "args.h5", functional(attack))
    error = refused(sandbox, path, match=cause.replace("(", r"\(").replace(")", r"\)"))
    assert "layer '" in str(error)


def test_plain_quantizer_strings_and_keras_names_pass():
    from core.models.safety import find_untrusted_objects

    fine = functional(
        layer("QActivation", "a", activation="quantized_relu(4,0)"),
        layer("QActivation", "b", activation="quantized_bits(6, 0, alpha='auto_po2', keep_negative=True)"),
        layer("QDense", "c", units=2, kernel_quantizer="ternary", bias_quantizer="quantized_po2(4,-1)"),
        dense(
            "e", kernel_initializer="glorot_uniform", kernel_regularizer="l1_l2", bias_constraint="max_norm"
        ),
        layer("TFOpLambda", "f", function="math.multiply"),
        layer(
            "QLSTM", "g", units=2, recurrent_activation="quantized_sigmoid(4)", activation="quantized_tanh(4)"
        ),
    )
    assert find_untrusted_objects(fine) == []


def test_trusting_a_file_with_an_unknown_class_says_the_class_is_unknown(sandbox):
    path = write_h5(sandbox / "files" / "custom.h5", functional(layer("Scale", "scale")))
    error = refused(sandbox, path, ModelLoadError, match=r"'Scale' \(layer 'scale'\) is unknown", trust=True)
    assert not isinstance(error, UntrustedModelError) and "register_custom_object" in str(error)


def test_keras_archive_with_assets_is_refused_without_unpacking(sandbox):
    config = functional(dense())
    path = write_keras(sandbox / "files" / "assets.keras", config, extra={"assets/vocab.txt": "a\nb\n"})
    refused(sandbox, path, match=r"assets/vocab\.txt.*temporary folder")
    assert list((sandbox / "tmp").iterdir()) == []


# --- Keras 3 files -----------------------------------------------------------------------------
def keras3_config() -> dict:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "input_layer"},
                    "registered_name": None,
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {
                        "name": "dense",
                        "units": 2,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                        },
                    },
                    "registered_name": None,
                },
            ],
        },
        "registered_name": None,
    }


@pytest.mark.parametrize("metadata", [{"keras_version": "3.3.3", "date_saved": "2024-05-01"}, {}])
@pytest.mark.parametrize("given_trust", [False, True])
def test_keras3_files_are_named_as_such_not_as_unsafe(sandbox, metadata, given_trust):
    path = write_keras(sandbox / "files" / "k3.keras", keras3_config(), metadata=metadata)
    error = refused(sandbox, path, ModelLoadError, match="saved by Keras 3, which TrigLab's Keras 2.14 cannot read",
                    trust=given_trust)  # fmt: skip
    assert not isinstance(error, UntrustedModelError)


def test_keras3_h5_is_named_as_such(sandbox):
    path = write_h5(sandbox / "files" / "k3.h5", keras3_config())
    with h5py.File(path, "a") as f:
        f.attrs["keras_version"] = "3.1.0"
    refused(sandbox, path, ModelLoadError, match="saved by Keras 3")


# --- sizes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["h5", "keras", "json"])
def test_a_huge_declared_model_is_refused_before_allocation(sandbox, fmt):
    config = functional(dense("wide", units=100_000), width=100_000)
    path = WRITERS[fmt](sandbox / "files" / f"huge.{fmt}", config)
    error = refused(sandbox, path, ModelTooLargeError, match=r"10,000,100,000 parameters")
    assert (
        "layer 'wide' (Dense)" in str(error) and "--max-params" in str(error) and "max_params=" in str(error)
    )
    refused(sandbox, path, ModelTooLargeError, trust=True)  # trust lets code run, not memory blow up
    assert scan_model_file(path, max_params=20_000_000_000) == []  # raised limit: the scan passes


def reshape(name: str, *shape: int) -> dict:
    return layer("Reshape", name, target_shape=list(shape))


def tf_op(name: str, function: str, **kwargs) -> dict:
    return {**layer("TFOpLambda", name, function=function), "call_kwargs": kwargs}


def branching(width: int, *layers: dict) -> dict:
    """Like functional(), but a layer whose "from" names another layer reads that one instead."""
    config = functional(*[{k: v for k, v in node.items() if k != "from"} for node in layers], width=width)
    for node, spec in zip(config["config"]["layers"][1:], layers):
        if "from" in spec:
            node["inbound_nodes"][0][0][0] = spec["from"]
    return config


HUGE_VARIATIONS = {
    "conv": (functional(layer("Conv1D", "conv", filters=100_000, kernel_size=[3]), width=3000), "conv"),
    "embedding": (functional(layer("Embedding", "emb", input_dim=10**8, output_dim=10)), "emb"),
    "lstm": (functional(reshape("r", 1, 20_000), layer("LSTM", "lstm", units=10_000), width=20_000), "lstm"),
    "nested": (
        functional({"class_name": "Sequential", "config": {"name": "inner", "layers": [dense("deep", 100_000)]}},
                   width=100_000),
        "deep",
    ),
    "upsampling": (
        functional(reshape("r", 1000, 1), layer("UpSampling1D", "up", size=10**6), layer("Flatten", "f"),
                   dense("after", 10), width=1000),
        "after",
    ),
    "broadcasting": (
        branching(
            10_000,
            reshape("col", 10_000, 1),
            {**reshape("row", 1, 10_000), "from": "x"},
            {**tf_op("outer", "__operators__.add", y=["row", 0, 0]), "from": "col"},
            layer("Flatten", "f"),
            dense("after", 10),
        ),
        "after",
    ),
    "build_config": (
        functional({**dense("built", 10), "build_config": {"input_shape": [None, 10**8]}}, width=3),
        "built",
    ),
    "negative offset": (functional(dense("wide", 100_000), dense("neg", -(10**10)), width=100_000), "wide"),
}  # fmt: skip


@pytest.mark.parametrize("variation", list(HUGE_VARIATIONS))
def test_variations_of_a_huge_model_are_refused_naming_the_layer(sandbox, variation):
    config, big = HUGE_VARIATIONS[variation]
    path = write_h5(sandbox / "files" / "huge.h5", config)
    refused(sandbox, path, ModelTooLargeError, match=rf"the largest is layer '{big}'", trust=True)


@pytest.mark.parametrize("depth", [300, 2000])
def test_a_config_nested_too_deeply_is_refused_cleanly(sandbox, depth):
    opening = '{"class_name": "Sequential", "config": {"name": "s", "layers": ['
    text = opening * depth + json.dumps(dense("leaf")) + "]}}" * depth  # json.dumps would recurse
    path = sandbox / "files" / "deep.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = text.encode()
    refused(sandbox, path, ModelLoadError, trust=True)  # a clear error (JSON too deep, no weights), no crash


def test_parameter_limit_applies_to_real_models_and_can_be_raised(sandbox):
    model = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(5, name="d")])
    path = save_model(model, sandbox / "files" / "small.h5")
    refused(sandbox, path, ModelTooLargeError, match=r"declares 55 parameters.*limit of 50", max_params=50)
    assert load_model(path, max_params=55).count_params() == 55
    with pytest.raises(ModelLoadError, match="positive whole number"):
        load_model(path, max_params=0)


def test_the_default_limit_comes_from_the_users_environment(sandbox, monkeypatch):
    from core.workspace import Workspace

    ws = Workspace.open_or_create(sandbox / "ws")
    model = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(5, name="d")])
    v = ws.add_variant(model, "small", operation="import")
    monkeypatch.setenv("TRIGLAB_MAX_PARAMS", "50")
    with pytest.raises(ModelTooLargeError, match="TRIGLAB_MAX_PARAMS=N"):
        ws.load_model(v.name)  # workspace commands have no --max-params: the environment is the user's
    monkeypatch.setenv("TRIGLAB_MAX_PARAMS", "1_000")
    assert ws.load_model(v.name).count_params() == 55
    monkeypatch.setenv("TRIGLAB_MAX_PARAMS", "lots")
    with pytest.raises(ModelLoadError, match="TRIGLAB_MAX_PARAMS must be a positive whole number"):
        ws.load_model(v.name)


def stream_zeros(zf: zipfile.ZipFile, name: str, megabytes: int, prefix: bytes = b"") -> None:
    """Write a member of ``megabytes`` MB without holding it in memory (it compresses ~1000x)."""
    block = bytes(2**20)
    with zf.open(name, "w", force_zip64=True) as fh:
        fh.write(prefix)
        for _ in range(megabytes):
            fh.write(block)


def test_a_zip_bomb_config_is_refused_from_the_directory(sandbox):
    path = sandbox / "files" / "bomb.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "2.14.0"}))
        stream_zeros(zf, "config.json", 70, prefix=json.dumps(functional(dense())).encode() + b" " * 16)
    assert path.stat().st_size < 2**20  # under 1 MB on disk, 70 MB once inflated
    refused(sandbox, path, ModelTooLargeError, match="config.json|zip bomb")


def test_an_archive_expanding_beyond_the_limit_is_refused(sandbox, monkeypatch):
    from core.models import limits

    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 2**20)  # the real margin is 64 MB; same rule
    path = sandbox / "files" / "big_weights.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:  # stored: no ratio to spot
        zf.writestr("metadata.json", json.dumps({"keras_version": "2.14.0"}))
        zf.writestr("config.json", json.dumps(functional(dense())))
        zf.writestr("model.weights.h5", bytes(2 * 2**20))
    refused(
        sandbox,
        path,
        ModelTooLargeError,
        match=r"expands to 2 MB, above the 1 MB allowed for 1 par",
        max_params=1,
    )


@pytest.mark.parametrize("fmt", ["h5", "json"])
def test_oversize_architecture_text_is_not_read(sandbox, monkeypatch, fmt):
    from core.models import safety

    path = WRITERS[fmt](sandbox / "files" / f"long.{fmt}", functional(dense(), dense("e")))
    monkeypatch.setattr(safety, "MAX_CONFIG_BYTES", 200)  # the real limit is 64 MB
    refused(sandbox, path, ModelTooLargeError, match="any model architecture needs; it was not read")


# --- trust comes from the user only --------------------------------------------------------------
def lambda_model() -> tf.keras.Model:
    inp = tf.keras.Input((3,))
    return tf.keras.Model(inp, tf.keras.layers.Lambda(lambda t: t * 2.0, name="twice")(inp))


def test_a_manifest_saying_trusted_grants_nothing(sandbox):
    from core.workspace import Workspace

    ws = Workspace.open_or_create(sandbox / "ws")
    v = ws.add_variant(lambda_model(), "lam", operation="import")
    manifest = json.loads((ws.root / "triglab.json").read_text())
    [entry] = [e for e in manifest["variants"] if e["name"] == "lam"]
    entry["params"]["trusted"] = True  # a shared workspace claims trust
    (ws.root / "triglab.json").write_text(json.dumps(manifest))
    reopened = Workspace.open(ws.root)  # old manifests with the flag still open
    assert reopened["lam"].params["trusted"] is True
    with pytest.raises(UntrustedModelError, match=r"layer 'twice' \(Lambda\)"):
        reopened.load_model(v.name)


def test_trust_is_remembered_per_file_content_and_inherited_only_in_process(sandbox):
    from core.workspace import Workspace

    path = save_model(lambda_model(), sandbox / "files" / "lam.h5")
    with pytest.raises(UntrustedModelError):
        load_model(path)
    load_model(path, trust=True)  # one-off: not remembered
    assert not trust.is_trusted(path)

    trust.remember(path)  # the user's decision (--trust, "Trust this file")
    assert trust.store_path().is_file() and not str(trust.store_path()).startswith(str(sandbox))
    assert load_model(path).get_layer("twice") is not None

    copy = sandbox / "files" / "lam_copy.h5"
    copy.write_bytes(path.read_bytes() + b"\0")  # one byte more: another file
    with pytest.raises(UntrustedModelError):
        load_model(copy)

    # A variant written in-process from a trusted parent of the same workspace inherits the trust...
    ws = Workspace.open_or_create(sandbox / "ws")
    from core.workflows import import_model_file

    parent = import_model_file(ws, path, trust=True)
    child = ws.add_variant(ws.load_model(parent.name), "child", parent=parent.name, operation="copy")
    assert trust.is_trusted(ws.path_of(child.name)) and ws.load_model(child.name) is not None
    # ...but a variant whose parent the user never trusted does not.
    stranger = ws.add_variant(lambda_model(), "stranger", operation="import")
    grandchild = ws.add_variant(lambda_model(), "gc", parent=stranger.name, operation="copy")
    with pytest.raises(UntrustedModelError):
        ws.load_model(grandchild.name)


def test_a_corrupt_trust_store_trusts_nothing(sandbox):
    path = save_model(lambda_model(), sandbox / "files" / "lam.h5")
    trust.store_path().parent.mkdir(parents=True, exist_ok=True)
    trust.store_path().write_text("{not json")
    with pytest.raises(UntrustedModelError):
        load_model(path)
    trust.remember(path)
    assert trust.is_trusted(path)


# --- everything TrigLab produces loads without trust -----------------------------------------------
@pytest.fixture(scope="module")
def app_models():
    """The zoo, every registered compression of a small trained CNN, and the hands-on 2 students."""
    from core.compress import get_operation, list_operations
    from core.compress.qkeras_convert import to_qkeras
    from core.data import load_dataset
    from core.jobs import Progress
    from core.train import train
    from core.walkthrough import STUDENT_QUANT, TERNARY_QUANT
    from core.zoo import build_model, list_zoo

    digits = load_dataset("digits")
    small = dataclasses.replace(
        digits, x_train=digits.x_train[:256], y_train=digits.y_train[:256], x_val=digits.x_val[:64],
        y_val=digits.y_val[:64],
    )  # fmt: skip
    models = {entry.name: build_model(entry.name) for entry in list_zoo()}
    base = models["handson_cnn"]
    train(base, small, epochs=1, batch_size=64, seed=0)
    quick = {"epochs": 1, "finetune_epochs": 1, "calibration_samples": 16, "force": True, "rank": 2}
    runs = {op.name: {} for op in list_operations()}
    runs["qat_ternary"] = {"mode": "ternary"}
    for run, extra in runs.items():
        op = get_operation(run.split("_")[0] if run.startswith("qat_") else run)
        params = {p.name: quick[p.name] for p in op.params if p.name in quick} | extra
        result = op.fn(base, small, op.resolve(params), Progress())
        models[run] = result.model
        models.update({f"{run}-{suffix}": m for suffix, m, _ in result.intermediates})
    models["student-4bit"] = to_qkeras(models["muon_cnn_student"], STUDENT_QUANT)
    models["student-ternary"] = to_qkeras(models["muon_cnn_student"], TERNARY_QUANT)
    import tensorflow_model_optimization as tfmot

    tiny = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(4, name="d")])
    models["tfmot-wrapped"] = tfmot.sparsity.keras.prune_low_magnitude(tiny)
    return models


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_every_model_the_app_produces_loads_without_trust(app_models, tmp_path, fmt):
    from core.models.limits import declared_parameters
    from core.models.safety import read_architecture

    assert {"prune", "prune_tmot", "cluster", "quantize_int8", "fixed_point", "qat", "qat_ternary"} <= set(
        app_models
    )
    for name, model in app_models.items():
        path = save_model(model, tmp_path / f"{name}.{fmt}")
        assert scan_model_file(path) == [], name
        loaded = load_model(path)
        for a, b in zip(model.get_weights(), loaded.get_weights()):
            np.testing.assert_array_equal(a, b)
        declared = sum(p.params for p in declared_parameters(read_architecture(path, fmt)))
        if name != "tfmot-wrapped":  # wrappers are counted twice (weights and masks): an upper bound
            assert declared == model.count_params(), name
        else:
            assert declared >= model.count_params()


def layer_zoo() -> dict[str, tf.keras.Model]:
    """Small models using every family of allow-listed layers (Keras and QKeras)."""
    from qkeras import (
        QLSTM,
        QActivation,
        QAveragePooling2D,
        QBatchNormalization,
        QConv2DBatchnorm,
        QDense,
        QDepthwiseConv2D,
        QGlobalAveragePooling2D,
        QSeparableConv2D,
        quantized_bits,
    )

    L = tf.keras.layers
    q = quantized_bits(6, 0, alpha=1)
    img = tf.keras.Input((12, 12, 3))
    x = L.ZeroPadding2D(((1, 2), (0, 1)))(img)
    x = L.Cropping2D(1)(x)
    x = L.Conv2D(4, 3, strides=2, padding="same", activation="relu")(x)
    x = L.UpSampling2D((2, 3))(x)
    x = L.DepthwiseConv2D(3, depth_multiplier=2)(x)
    x = L.SeparableConv2D(5, 3, padding="same")(x)
    x = L.Conv2DTranspose(3, 3, strides=2)(x)
    x = L.BatchNormalization()(x)
    x = L.PReLU(shared_axes=[1, 2])(x)
    x = L.MaxPooling2D(3)(x)
    x = L.LayerNormalization()(x)
    a = L.GlobalAveragePooling2D()(x)
    b = L.Flatten()(L.AveragePooling2D(2, padding="same")(x))
    merged = L.Concatenate()([a, L.Dense(3)(b)])
    keras_conv = tf.keras.Model(img, L.Dense(2)(L.Dropout(0.1)(merged)))

    seq = tf.keras.Input((7,), dtype="int32")
    e = L.Embedding(50, 6)(seq)
    r = L.Bidirectional(L.LSTM(4, return_sequences=True))(e)
    r = L.TimeDistributed(L.Dense(3))(r)
    r = L.GRU(5, return_sequences=True)(r)
    r = L.SimpleRNN(2)(r)
    r = L.RepeatVector(3)(r)
    r = L.Permute((2, 1))(r)
    r = L.Conv1D(4, 2)(r)
    r = L.Reshape((-1,))(r)
    dot = L.Dot(axes=1)([L.Dense(4)(r), L.Dense(4)(r)])
    keras_seq = tf.keras.Model(seq, L.Add()([dot, L.Dense(1)(r)]))

    qimg = tf.keras.Input((10, 10, 2))
    y = QConv2DBatchnorm(4, 3, kernel_quantizer=q, bias_quantizer=q)(qimg)
    y = QDepthwiseConv2D(3, depthwise_quantizer=q, bias_quantizer=q)(y)
    y = QSeparableConv2D(3, 3, depthwise_quantizer=q, pointwise_quantizer=q, bias_quantizer=q)(y)
    y = QBatchNormalization()(y)
    y = QActivation("quantized_relu(4,0)")(y)
    y = QAveragePooling2D(2)(y)
    y = QGlobalAveragePooling2D()(y)
    qk = tf.keras.Model(qimg, QDense(2, kernel_quantizer=q, bias_quantizer=q)(y))

    qseq = tf.keras.Input((5, 3))
    z = QLSTM(4, kernel_quantizer=q, recurrent_quantizer=q, bias_quantizer=q, state_quantizer=q)(qseq)
    qrnn = tf.keras.Model(qseq, QDense(1, kernel_quantizer=q)(z))
    return {"keras_conv": keras_conv, "keras_seq": keras_seq, "qkeras_conv": qk, "qkeras_rnn": qrnn}


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_allow_listed_layer_families_load_and_are_counted_exactly(tmp_path, fmt):
    from core.models.limits import declared_parameters
    from core.models.safety import read_architecture

    for name, model in layer_zoo().items():
        if (name, fmt) == ("qkeras_rnn", "keras"):
            continue  # QKeras 0.9's QLSTM cannot be rebuilt from the .keras format (a QKeras limit)
        path = save_model(model, tmp_path / f"{name}.{fmt}")
        assert scan_model_file(path) == [], name
        declared = {p.layer: p.params for p in declared_parameters(read_architecture(path, fmt))}
        actual = {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}
        assert declared == actual, name
        assert load_model(path).count_params() == model.count_params()


@pytest.mark.parametrize("fmt", ["h5", "keras", "json", "savedmodel"])
def test_a_successful_load_writes_nothing_anywhere(sandbox, fmt):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, name="d")])
    files = sandbox / "files"
    if fmt == "savedmodel":
        model.save(files / "sm", save_format="tf")
        path = files / "sm"
    elif fmt == "json":
        path = write_json(files / "m.json", json.loads(model.to_json()))
        model.save_weights(files / "m_weights.h5")
    else:
        path = save_model(model, files / f"m.{fmt}")
    home = Path(trust.store_path()).parent
    before, home_before = snapshot(sandbox), snapshot(home)
    assert load_model(path).count_params() == 10
    assert snapshot(sandbox) == before and snapshot(home) == home_before  # incl. the temp folder


def test_a_savedmodel_whose_call_graph_writes_a_checkpoint_is_refused(sandbox):
    """SaveV2 belongs in TF's own saver function; inside a layer's graph it writes files when run."""
    target = str(sandbox / "outside" / "outside_marker")

    class Writer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3])])
        def __call__(self, x):
            tf.raw_ops.SaveV2(prefix=target, tensor_names=["x"], shape_and_slices=[""], tensors=[x])
            return x

    inp = tf.keras.Input((3,))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2, name="d")(inp))
    model.writer = Writer()  # saved with the model's graph
    model.save(sandbox / "files" / "sm", save_format="tf")
    refused(sandbox, sandbox / "files" / "sm", match=r"SaveV2 \(outside the checkpoint saver\)")
    assert load_model(sandbox / "files" / "sm", trust=True).get_layer("d") is not None  # the user's call
    assert not (sandbox / "outside" / "outside_marker").exists()
