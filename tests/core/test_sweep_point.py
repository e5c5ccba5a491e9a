"""One sweep point as a plain function of bytes and settings (core.sweep.point).

A tiny digits MLP: one point with the C simulation (g++, cached, module-scoped), the others
without; the vendor synthesis runs against the STAND-IN ``tests/fixtures/fake_vitis/vitis-run``
(not the AMD tool), so its numbers are the stand-in's made-up ones.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = ROOT / "tests" / "fixtures" / "fake_vitis" / "vitis-run"
STAND_IN_LUT = 23456  # what the stand-in's report says (made up)


def _resolved(op: str, **params):
    from core.compress import get_operation

    return {"stage": op, "params": get_operation(op).resolve(params)}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A private sweep cache, TrigLab home and temporary folder for the module's points."""
    base = tmp_path_factory.mktemp("sweep_point")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRIGLAB_SWEEP_CACHE", str(base / "cache"))
        mp.setenv("TRIGLAB_HOME", str(base / "home"))
        (base / "tmp").mkdir()
        mp.setattr(tempfile, "tempdir", str(base / "tmp"))
        yield base


@pytest.fixture(scope="module")
def ws(env):
    """A workspace with a small MLP trained on digits (``tiny``)."""
    import tensorflow as tf

    from core.data import load_dataset
    from core.workspace import Workspace

    ws = Workspace.create(env / "ws")
    ds = load_dataset("digits")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input((8, 8, 1)),
            tf.keras.layers.Flatten(name="flatten"),  # named: the lowrank test refers to it
            tf.keras.layers.Dense(16, activation="relu", name="fc1"),
            tf.keras.layers.Dense(10, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ds.x_train, ds.y_train, epochs=8, batch_size=32, verbose=0)
    ws.add_variant(model, "tiny", operation="train", dataset="digits")
    ws.save()
    return ws


def _spec(**kw):
    from core.sweep.spec import SweepSpec

    return SweepSpec(name="s", variant=kw.pop("variant", "tiny"), n_calib=200, seed=3, **kw)


PRUNE_FIXED = [
    _resolved("prune", sparsity=0.6, finetune_epochs=1),
    _resolved("fixed_point", width=8),
]


@pytest.fixture(scope="module")
def csim_point(ws, env):
    """prune 60 % + ap_fixed<8> weights + hls4ml (auto-precision, C simulation, estimate) and
    the stand-in vendor tool on PATH (``synth``)."""
    from core.sweep.point import make_task, run_point

    tools = env / "tools"
    tools.mkdir()
    shutil.copy(STAND_IN, tools / "vitis-run")
    stages = [*PRUNE_FIXED, {"stage": "hls", "params": {"settings": {"reuse_factor": 2}, "target": 0.99}}]
    spec = _spec(measures=("task", "autoprec", "csim", "estimate", "synth"))
    task = make_task(ws, spec, {"prune.sparsity": 0.6, "hls.reuse_factor": 2}, 0, stages)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
        mp.setenv("TRIGLAB_STANDIN_DELAY", "0")
        return task, run_point(task)


def test_make_task_carries_bytes_and_the_data_set_by_name(ws):
    from core.sweep.point import make_task
    from core.sweep.spec import point_key

    task = make_task(ws, _spec(), {"prune.sparsity": 0.6}, 4, PRUNE_FIXED)
    assert task["model"] == ws.path_of("tiny").read_bytes() and task["model_suffix"] == ".h5"
    assert task["dataset"] == {"name": "digits", "params": {}}
    assert task["index"] == 4 and task["n_calib"] == 200 and task["seed"] == 3
    assert task["stages"] == PRUNE_FIXED and task["measures"] == ["task", "autoprec", "csim", "estimate"]
    import hashlib

    digest = hashlib.sha256(task["model"]).hexdigest()
    assert task["key"] == point_key({"prune.sparsity": 0.6}, digest, {}, task["measures"], task["dataset"])
    # other data set parameters (e.g. another number of muon events), another point
    assert (
        point_key(
            {"prune.sparsity": 0.6}, digest, {}, task["measures"], {"name": "digits", "params": {"x": 1}}
        )
        != task["key"]
    )
    # the same point of the same sweep always has the same key; another point another
    assert make_task(ws, _spec(), {"prune.sparsity": 0.6}, 9, PRUNE_FIXED)["key"] == task["key"]
    assert make_task(ws, _spec(), {"prune.sparsity": 0.7}, 4, PRUNE_FIXED)["key"] != task["key"]


def test_a_variant_without_data_set_cannot_be_swept(ws):
    from core.sweep import SweepError
    from core.sweep.point import make_task

    ws.add_variant(ws.load_model("tiny"), "nodata", operation="import")
    with pytest.raises(SweepError, match="'nodata' has no data set"):
        make_task(ws, _spec(variant="nodata"), {}, 0, [])


def test_prune_fixed_point_hls_point_measures_everything(csim_point, env):
    from core.sweep.spec import DONE

    task, r = csim_point
    assert r["status"] == DONE and r["error"] is None, r["error"]
    assert set(r) == {
        "key",
        "index",
        "status",
        "metrics",
        "error",
        "model",
        "hls_config",
        "params",
        "log",
        "seconds",
        "worker",
    }
    assert r["key"] == task["key"] and r["index"] == 0
    m = r["metrics"]
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in m.values())
    assert 0.5 <= m["val_accuracy"] <= 1.0  # a trained digits MLP, lightly pruned
    assert 0.0 <= m["csim_agreement"] <= 1.0 and m["csim_agreement"] >= 0.9
    # the sparsity asked for, reached (kernels) and fine-tuning kept it
    assert r["params"]["prune"]["sparsity_reached"] == pytest.approx(0.6, abs=0.01)
    assert m["sparsity"] == pytest.approx(0.6 * 1184 / m["params"], abs=0.01)  # biases stay
    for k in ("lut", "ff", "dsp", "bram"):
        assert m[f"{k}_estimate"] >= 0 and 0 <= m[f"{k}_util_estimate"] < 100
    assert m["lut_estimate"] > 0 and m["latency_ns_estimate"] > 0 and m["ii_estimate"] >= 1
    assert m["lut_util_estimate"] == pytest.approx(100 * m["lut_estimate"] / 871_680)  # the U50's
    assert m["bops"] > 0 and m["nonzero"] < m["params"]
    assert 0 < m["autoprec_agreement"] <= 1 and m["autoprec_storage_bits"] > 0
    # the stand-in vendor tool's report: a measurement, named apart from the estimate
    assert m["lut_report"] == STAND_IN_LUT and m["lut_estimate"] != STAND_IN_LUT
    assert list((env / "cache" / "hls").glob("*/*_prj")) == []  # it ran in a copy of the project
    assert list((env / "cache" / "hls").glob("*/firmware"))  # of the cached one
    # the hls4ml configuration: the point's settings and the fixed-point step's weight widths
    from core.hls.config import HlsConfig

    config = HlsConfig.from_yaml(r["hls_config"])
    assert config.settings.reuse_factor == 2
    formats = r["params"]["fixed_point"]["formats"]
    for layer in ("fc1", "out"):
        assert config.layer(layer).weight == formats[layer]["kernel"]
        assert config.layer(layer).bias == formats[layer]["bias"]
        assert config.layer(layer).reuse_factor == 2
    assert r["params"]["hls"]["settings"]["reuse_factor"] == 2 and r["params"]["hls"]["target"] == 0.99
    assert r["params"]["prune"]["finetune_epochs"] == 1
    # the compressed model comes back as a file's bytes: pruned and on the 8-bit grid
    path = env / "point.h5"
    path.write_bytes(r["model"])
    import numpy as np

    from core.models import load_model

    point_model = load_model(path)
    kernels = np.concatenate([point_model.get_layer(n).kernel.numpy().ravel() for n in ("fc1", "out")])
    assert (kernels == 0).mean() == pytest.approx(0.6, abs=0.01)
    assert r["seconds"] > 0 and r["worker"].endswith(f":{os.getpid()}")
    assert any("argmax agreement" in line for line in r["log"])
    assert list(Path(tempfile.gettempdir()).glob("triglab-point-*")) == []  # cleaned


def _failed(ws, env, stages, model_bytes=None, measures=("task",)):
    from core.sweep.point import make_task, run_point

    task = make_task(ws, _spec(measures=measures), {}, 1, stages)
    if model_bytes is not None:
        task["model"] = model_bytes
    r = run_point(task)
    assert r["status"] == "failed" and r["model"] is None and r["metrics"] == {}
    assert list(Path(tempfile.gettempdir()).glob("triglab-point-*")) == []
    return r


def test_a_stage_that_refuses_fails_the_point_with_its_message(ws, env):
    r = _failed(ws, env, [_resolved("lowrank", layers=["flatten"], finetune_epochs=0)])
    assert r["error"].startswith("stage 'lowrank': ")
    assert "'flatten'" in r["error"] and "cannot be factored" in r["error"]
    assert any(line.startswith("point failed at stage 'lowrank': ") for line in r["log"])
    r = _failed(ws, env, [{"stage": "prune", "params": {"sparsity": 1.5}}])
    assert r["error"].startswith("stage 'prune': ") and "sparsity" in r["error"]
    r = _failed(
        ws, env, [{"stage": "hls", "params": {"settings": {"reuse_factor": 0}}}], measures=("estimate",)
    )
    assert r["error"].startswith("stage 'hls': ") and "reuse factor" in r["error"]


def test_an_untrusted_model_is_not_loaded(ws, env, tmp_path):
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.Input((4,)), tf.keras.layers.Lambda(lambda x: x * 2)])
    model.save(tmp_path / "lambda.h5")
    r = _failed(ws, env, [], model_bytes=(tmp_path / "lambda.h5").read_bytes())
    assert r["error"].startswith("loading the base model: ") and "Lambda" in r["error"]


_CHILD = """
import pickle, sys
from core.sweep.point import run_point
task = pickle.load(open(sys.argv[1], "rb"))
r = run_point(task)
pickle.dump({k: r[k] for k in ("status", "error", "metrics", "params")}, open(sys.argv[2], "wb"))
"""


def test_same_task_same_metrics_in_another_process(ws, env, tmp_path):
    """Fine-tuning, fixed point and the estimate (no C simulation): bit-identical numbers in
    this process and in a fresh one; without a vendor tool the synthesis is skipped, said so."""
    from core.sweep.point import make_task, run_point

    stages = [*PRUNE_FIXED, {"stage": "hls", "params": {"settings": {"strategy": "Resource"}}}]
    spec = _spec(measures=("task", "estimate", "synth"))
    task = make_task(ws, spec, {"prune.sparsity": 0.6}, 2, stages)
    from tensorflow.python.framework import config as tf_config

    before = tf_config.is_op_determinism_enabled()
    here = run_point(task)
    assert here["status"] == "done", here["error"]
    # this process's other jobs keep the determinism setting they had (an earlier training may
    # have turned it on: core.train.set_seed)
    assert tf_config.is_op_determinism_enabled() == before
    assert "val_accuracy" in here["metrics"] and "lut_estimate" in here["metrics"]
    assert not any(k.startswith("csim") or k.endswith("_report") for k in here["metrics"])
    assert any(line.startswith("vendor synthesis skipped: No vendor tool") for line in here["log"])
    (tmp_path / "task.pkl").write_bytes(pickle.dumps(task))
    env_vars = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env_vars["TRIGLAB_SWEEP_CACHE"] = str(tmp_path / "child-cache")  # computes, not reuses
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "task.pkl"), str(tmp_path / "out.pkl")],
        check=True,
        env=env_vars,
        timeout=600,
    )
    there = pickle.loads((tmp_path / "out.pkl").read_bytes())
    assert there["status"] == "done"
    assert there["metrics"] == here["metrics"]
    assert there["params"]["prune"]["history"] == here["params"]["prune"]["history"]


def test_points_differing_only_in_hls_settings_reuse_the_compressed_model(ws, env):
    """The second reuse factor starts from the first one's fine-tuned model (same numbers, no
    fine-tuning); a damaged cache entry is computed again."""
    from core.sweep.point import cache_dir, make_task, run_point

    spec = _spec(measures=("task", "estimate"))
    stages = [
        _resolved("prune", sparsity=0.55, finetune_epochs=1),
        {"stage": "hls", "params": {"settings": {}}},
    ]
    first = run_point(make_task(ws, spec, {"prune.sparsity": 0.55, "hls.reuse_factor": 1}, 0, stages))
    stages[1] = {"stage": "hls", "params": {"settings": {"reuse_factor": 4}}}
    second = run_point(make_task(ws, spec, {"prune.sparsity": 0.55, "hls.reuse_factor": 4}, 1, stages))
    assert first["status"] == second["status"] == "done"
    assert not any("reused from this worker's cache" in line for line in first["log"])
    assert any("reused from this worker's cache" in line for line in second["log"])
    assert second["metrics"]["val_accuracy"] == first["metrics"]["val_accuracy"]
    assert second["params"]["prune"] == first["params"]["prune"]
    assert second["metrics"]["lut_estimate"] < first["metrics"]["lut_estimate"]  # reuse 4: fewer multipliers
    for info in (cache_dir() / "compressed").glob("*.json"):
        info.write_text("{damaged")
    third = run_point(make_task(ws, spec, {"prune.sparsity": 0.55, "hls.reuse_factor": 4}, 2, stages))
    assert not any("reused from this worker's cache" in line for line in third["log"])
    assert third["metrics"]["val_accuracy"] == first["metrics"]["val_accuracy"]


def test_apply_weight_formats_keeps_the_fixed_point_widths():
    import tensorflow as tf

    from core.hls.config import make_config
    from core.hls.pipeline import apply_weight_formats

    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input((4,)),
            tf.keras.layers.Dense(3, name="fc1"),
            tf.keras.layers.Dense(2, name="fc2"),
        ]
    )
    config = make_config(model)
    formats = {
        "fc1": {"kernel": "ap_fixed<6,1>", "bias": "ap_fixed<6,-1>"},
        "gone": {"kernel": "ap_fixed<4,1>"},
    }
    new = apply_weight_formats(config, formats)
    assert new.layer("fc1").weight == "ap_fixed<6,1>" and new.layer("fc1").bias == "ap_fixed<6,-1>"
    assert new.layer("fc2").weight == config.layer("fc2").weight  # not named: unchanged
    assert config.layer("fc1").weight == config.settings.default_precision  # the input is not changed
    assert apply_weight_formats(config, None) == config


def test_a_muon_point_measures_the_physics_view_numbers(env):
    """The muon student: the data set travels by name with the workspace's pinned parameters,
    and the point's pT resolution, turn-on and fake rate are the Physics view's numbers."""
    from core.data import load_dataset, pin_params
    from core.metrics.physics import scalar_metrics, trigger_metrics
    from core.sweep.point import make_task, run_point
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(env / "muon_ws")
    pin_params(ws.data_dir, "muon_rpc", events=3000, seed=1)
    add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc", name="student", seed=0)
    ws.save()
    task = make_task(
        ws, _spec(variant="student", measures=("task",)), {}, 0, [_resolved("fixed_point", width=10)]
    )
    assert task["dataset"] == {"name": "muon_rpc", "params": {"events": 3000, "seed": 1}}
    r = run_point(task)
    assert r["status"] == "done", r["error"]
    m = r["metrics"]
    for key in ("pt_resolution_robust", "pt50_10", "pt50_20", "fake_rate_10", "fake_rate_20", "val_mse"):
        assert key in m, key
    assert m["pt_resolution_robust"] > 0 and 0 <= m["fake_rate_10"] <= 1
    path = env / "student_point.h5"
    path.write_bytes(r["model"])
    from core.models import load_model

    dataset = load_dataset("muon_rpc", cache_dir=ws.data_dir)
    expected = scalar_metrics(trigger_metrics(load_model(path), dataset))
    assert m["pt_resolution_robust"] == pytest.approx(expected["pt_resolution_robust"])
    assert m["fake_rate_10"] == pytest.approx(expected["fake_rate_10"])
    assert m["bits_max"] == 10  # the fixed-point widths reach the cost model


def test_a_muon_point_measures_the_rate_ratio_to_the_classical_trigger(env, monkeypatch):
    """``rate_ratio_10`` / ``rate_ratio_20`` are point metrics, so ``--objective rate_ratio_20:min``
    has a number to minimise (the classical trigger here: the bending-cut stand-in of the road
    trigger, in place of :func:`core.metrics.physics.reference_for_dataset`'s tuned roads)."""
    from trigger_stand_in import BendingCutTrigger

    from core.data import pin_params
    from core.sweep.point import make_task, run_point
    from core.sweep.spec import SweepSpec
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    monkeypatch.setattr(
        "core.metrics.physics.reference_for_dataset",
        lambda dataset, thresholds: (BendingCutTrigger(), "stand-in"),
    )
    ws = Workspace.create(env / "muon_rate_ws")
    pin_params(ws.data_dir, "muon_rpc", events=3000, seed=1)
    add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc", name="student", seed=0)
    ws.save()
    spec = SweepSpec(
        name="s",
        variant="student",
        n_calib=200,
        seed=3,
        measures=("task",),
        objectives=[("rate_ratio_20", "min")],
    )
    r = run_point(make_task(ws, spec, {}, 0, []))
    assert r["status"] == "done", r["error"]
    for key in (
        "rate_ratio_10",
        "rate_ratio_20",
        "rate_ratio_err_20",
        "network_cut_20",
        "rate_20",
        "eff_above_20",
    ):
        assert key in r["metrics"], key
    assert r["metrics"]["rate_ratio_20"] > 0


def test_a_keras_format_variant_comes_back_in_its_format(ws, env):
    from core.sweep.point import make_task, run_point

    ws.add_variant(ws.load_model("tiny"), "tiny_keras", operation="import", dataset="digits", fmt="keras")
    task = make_task(ws, _spec(variant="tiny_keras", measures=("task",)), {}, 0, [])
    assert task["model_suffix"] == ".keras"
    r = run_point(task)
    assert r["status"] == "done", r["error"]
    assert r["model"][:2] == b"PK" and r["hls_config"] is None and r["params"] == {}
    from core.data import load_dataset
    from core.metrics import evaluate

    expected = evaluate(ws.load_model("tiny"), load_dataset("digits"), "val")["accuracy"]
    assert r["metrics"]["val_accuracy"] == pytest.approx(expected)  # no stage: the base model's
