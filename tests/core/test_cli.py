"""The CLI as a user runs it: a subprocess, JSON on stdout, exit code 2 on bad input."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

CLI = [sys.executable, "-m", "core.cli"]


def run(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, env=env, cwd=cwd
    )


@pytest.fixture(scope="module")
def qkeras_pair(tmp_path_factory):
    """A QKeras model saved hls4ml-style: model.json + model_weights.h5."""
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    tf.keras.utils.set_random_seed(0)
    m = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(16,)),
            QDense(
                8,
                kernel_quantizer=quantized_bits(6, 0, alpha=1),
                bias_quantizer=quantized_bits(6, 0, alpha=1),
                name="qd1",
            ),
            QActivation(quantized_relu(4), name="qrelu"),
            QDense(
                5,
                kernel_quantizer=quantized_bits(4, 0, alpha=1),
                bias_quantizer=quantized_bits(4, 0, alpha=1),
                name="qd2",
            ),
        ]
    )
    w = m.get_weights()
    w[0][:, :4] = 0.0  # 64 zeros in the first kernel
    m.set_weights(w)
    d = tmp_path_factory.mktemp("pair")
    (d / "model.json").write_text(m.to_json())
    m.save_weights(str(d / "model_weights.h5"))
    return d


def test_info_on_a_qkeras_json_h5_pair_prints_correct_totals(qkeras_pair):
    r = run("info", qkeras_pair / "model.json", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    t = doc["totals"]
    assert t["params"] == 16 * 8 + 8 + 8 * 5 + 5
    assert t["nonzero"] == t["params"] - 64 - (8 + 5)  # 64 zeroed kernel weights, biases start at 0
    assert t["macs"] == 16 * 8 + 8 * 5
    layers = {L["name"]: L for L in doc["layers"]}
    assert layers["qd1"]["bits"] == 6 and layers["qd2"]["bits"] == 4 and layers["qrelu"]["bits"] == 4
    assert "quantized_bits" in layers["qd1"]["quantizer"]
    # human-readable form too
    r2 = run("info", qkeras_pair / "model.json")
    assert r2.returncode == 0 and "qd1" in r2.stdout and "total:" in r2.stdout


def test_bad_input_exits_2_with_a_message_on_stderr(tmp_path):
    bad = tmp_path / "broken.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(200))
    r = run("info", bad, "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert str(bad) in r.stderr and "Traceback" not in r.stderr
    r = run("info", tmp_path / "missing.h5")
    assert r.returncode == 2 and "missing.h5" in r.stderr
    r = run("data", "no_such_dataset")
    assert r.returncode == 2 and "no_such_dataset" in r.stderr


def test_data_muon_rpc_writes_a_loadable_npz(tmp_path):
    out = tmp_path / "muon.npz"
    r = run("data", "muon_rpc", "--events", 2000, "--seed", 7, "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["dataset"] == "muon_rpc" and doc["task"] == "regression"
    assert doc["train"] + doc["val"] + doc["test"] == 2000
    assert doc["input_shape"] == [6, 64, 1]
    with np.load(out) as z:
        assert z["x_train"].shape[1:3] == (6, 64)
    from core.data import load_dataset

    back = load_dataset(str(out))
    assert back.task == "regression" and len(back.x_train) == doc["train"]


@pytest.mark.slow
def test_train_creates_a_workspace_with_a_measured_variant(tmp_path):
    ws = tmp_path / "ws"
    r = run("train", "--zoo", "handson_cnn", "--data", "digits", "--epochs", 3, "--out", ws, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"workspace", "variant", "parent", "epochs_completed", "history", "metrics"}
    assert doc["epochs_completed"] == 3 and len(doc["history"]["loss"]) == 3
    assert 0.0 < doc["metrics"]["val_accuracy"] <= 1.0
    assert doc["parent"] == "handson_cnn-init"
    from core.workspace import Workspace

    w = Workspace.open(ws)
    assert set(w.variants) == {"handson_cnn-init", doc["variant"]}
    r = run("workspace", ws, "--json")
    assert r.returncode == 0 and len(json.loads(r.stdout)["variants"]) == 2


def test_train_with_events_pins_them_for_the_later_commands(tmp_path):
    """`train --events N` makes N what compress/synthesis/physics/sweeps load, not the default."""
    from core.data import pinned_params
    from core.metrics.physics import workspace_dataset_params
    from core.workspace import Workspace

    ws = tmp_path / "ws"
    args = ("--data", "muon_rpc", "--batch", 256, "--max-samples", 500, "--out", ws, "--json")
    r = run("train", "--zoo", "muon_cnn_student", "--events", 2000, "--epochs", 1, "--name", "a", *args)
    assert r.returncode == 0, r.stderr
    assert pinned_params(ws / "data")["muon_rpc"] == {"events": 2000}
    r = run("train", "--zoo", "muon_cnn_student", "--events", 3000, "--epochs", 1, "--name", "b", *args)
    assert r.returncode == 0, r.stderr
    w = Workspace.open(ws)
    assert pinned_params(ws / "data")["muon_rpc"] == {"events": 2000}  # the first pin stays
    assert workspace_dataset_params(w, "a") == {"events": 2000}
    assert workspace_dataset_params(w, "b") == {"events": 3000}


def test_list_commands():
    r = run("zoo", "--json")
    assert r.returncode == 0 and "handson_cnn" in {e["name"] for e in json.loads(r.stdout)["zoo"]}
    r = run("datasets", "--json")
    assert r.returncode == 0 and {"digits", "muon_rpc"} <= {
        d["name"] for d in json.loads(r.stdout)["datasets"]
    }


def test_compress_runs_the_same_jobs_and_reports_json(tmp_path, digits):
    from core.workflows import add_zoo_variant, train_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    init = add_zoo_variant(ws, "handson_cnn", dataset="digits")
    trained = train_variant(ws, init.name, digits, epochs=3, lr=3e-3).variant
    r = run(
        "compress",
        ws.root,
        "--variant",
        trained.name,
        "--op",
        "prune",
        "--param",
        "sparsity=0.7",
        "--param",
        "finetune_epochs=1",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["operation"] == "prune" and len(doc["created"]) == 2
    assert abs(doc["params"]["sparsity_reached"] - 0.7) < 0.01
    assert "val_accuracy" in doc["metrics"]
    r = run("compress", ws.root, "--variant", trained.name, "--op", "prune", "--param", "sparsity=7")
    assert r.returncode == 2 and "sparsity" in r.stderr
    r = run("compress", ws.root, "--variant", trained.name, "--op", "shrink")
    assert r.returncode == 2 and "Unknown compression operation" in r.stderr
    r = run("ops", "--json")
    assert {"prune", "prune_tmot", "quantize_int8", "qat", "fixed_point", "cluster", "lowrank", "l1"} <= {
        o["name"] for o in json.loads(r.stdout)["operations"]
    }
