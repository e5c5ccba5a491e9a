"""Knowledge distillation: the loss by hand, the training loop, the muon benefit, the CLI."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from core.distill import DistillationError, distillation_loss, distillation_loss_tf

# --- the loss ---------------------------------------------------------------------------------


def test_classification_loss_matches_a_hand_computed_case():
    # s = (1, 0), t = (0, 1), label 0, T = 2, α = 0.5.
    # hard = −ln(e / (e + 1)) = ln(1 + 1/e); softmax(t/2) = (a, b), softmax(s/2) = (b, a) with
    # a = 1 / (1 + e^0.5), b = 1 − a, so KL = (b − a) · ln(b / a) = (b − a) · 0.5, times T² = 4.
    a = 1 / (1 + math.exp(0.5))
    b = 1 - a
    hard = math.log(1 + math.exp(-1))
    distill = 4 * (b - a) * 0.5
    total, h, d = distillation_loss(
        np.array([0]),
        np.array([[1.0, 0.0]]),
        np.array([[0.0, 1.0]]),
        task="classification",
        temperature=2.0,
        alpha=0.5,
    )
    assert h == pytest.approx(hard, rel=1e-9)  # 0.31326
    assert d == pytest.approx(distill, rel=1e-9)  # 0.48984
    assert total == pytest.approx(0.5 * hard + 0.5 * distill, rel=1e-9)


def test_regression_loss_matches_a_hand_computed_case():
    # y = (1, 2), s = (1.5, 2), t = (1, 3): hard = 0.25 / 2, distill = (0.25 + 1) / 2.
    total, h, d = distillation_loss(
        np.array([[1.0, 2.0]]), np.array([[1.5, 2.0]]), np.array([[1.0, 3.0]]), task="regression", alpha=0.25
    )
    assert (h, d) == pytest.approx((0.125, 0.625))
    assert total == pytest.approx(0.25 * 0.125 + 0.75 * 0.625)


def test_identical_teacher_and_student_have_zero_distillation_loss():
    z = np.random.default_rng(0).normal(size=(5, 4))
    _, _, d = distillation_loss(np.zeros(5), z, z, task="classification", temperature=3.0)
    assert d == pytest.approx(0.0, abs=1e-12)


def test_tensorflow_loss_equals_the_numpy_reference():
    rng = np.random.default_rng(1)
    s, t = rng.normal(size=(32, 5)), rng.normal(size=(32, 5)) * 3
    y = rng.integers(0, 5, size=32)
    for T, alpha in ((1.0, 0.0), (4.0, 0.3), (2.0, 1.0)):
        ref = distillation_loss(y, s, t, task="classification", temperature=T, alpha=alpha)
        got = [
            float(v) for v in distillation_loss_tf(y, s, t, task="classification", temperature=T, alpha=alpha)
        ]
        assert got == pytest.approx(ref, rel=1e-5)
    yr = rng.normal(size=(32, 2))
    ref = distillation_loss(yr, s[:, :2], t[:, :2], task="regression", alpha=0.4)
    got = [float(v) for v in distillation_loss_tf(yr, s[:, :2], t[:, :2], task="regression", alpha=0.4)]
    assert got == pytest.approx(ref, rel=1e-5)


def test_bad_settings_are_refused_with_a_clear_message():
    with pytest.raises(DistillationError, match="temperature"):
        distillation_loss(
            np.zeros(1), np.zeros((1, 2)), np.zeros((1, 2)), task="classification", temperature=0
        )
    with pytest.raises(DistillationError, match="α"):
        distillation_loss(np.zeros(1), np.zeros((1, 2)), np.zeros((1, 2)), task="regression", alpha=1.5)


# --- the training loop on a classifier ----------------------------------------------------------


def test_logits_model_cuts_the_final_softmax(digits):
    from core.distill import logits_model
    from core.zoo import build_model

    m = build_model("handson_cnn")
    z = logits_model(m).predict(digits.x_val[:8], verbose=0)
    p = m.predict(digits.x_val[:8], verbose=0)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(axis=1, keepdims=True), p, rtol=1e-5, atol=1e-6)


def test_classification_distillation_reports_live_curves_and_cancels(digits):
    from core.distill import distill_model
    from core.jobs import Progress
    from core.train import train
    from core.zoo import build_model

    teacher = build_model("handson_cnn", seed=1)
    train(teacher, digits, epochs=3, batch_size=64, lr=3e-3, seed=0)
    epochs = []
    res = distill_model(
        teacher,
        build_model("handson_cnn", seed=2),
        digits,
        temperature=4.0,
        alpha=0.3,
        epochs=2,
        lr=3e-3,
        batch_size=64,
        progress=Progress(on_report=lambda kind, v: epochs.append(v) if kind == "epoch" else None),
    )
    assert res.epochs_completed == 2 and not res.cancelled
    keys = {"loss", "hard_loss", "distill_loss", "accuracy", "val_loss", "val_accuracy", "val_distill_loss"}
    assert keys <= set(epochs[-1]) and keys <= set(res.history)
    assert res.history["val_accuracy"][-1] > 0.5
    # The student is a plain classifier again (softmax output), trained.
    p = res.student.predict(digits.x_val[:4], verbose=0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)

    progress = Progress(on_report=lambda kind, v: progress.cancel() if kind == "batch" else None)
    res = distill_model(teacher, build_model("handson_cnn", seed=3), digits, epochs=3, progress=progress)
    assert res.cancelled and res.epochs_completed == 0


# --- the muon task ---------------------------------------------------------------------------------
# The acceptance test (a distilled 4-bit student beats the same student trained alone, 3 seeds) runs
# at the walkthrough's classroom size in tests/test_readme_numbers.py, from the same run as README's
# hands-on 2 numbers.


@pytest.fixture(scope="module")
def muon(tmp_path_factory):
    from core.data import load_dataset
    from core.zoo import build_model

    ds = load_dataset("muon_rpc", events=5_000, seed=1, cache_dir=tmp_path_factory.mktemp("muon"))
    return ds, build_model("muon_cnn_teacher")  # untrained: these tests only need its shapes


def test_unlabelled_muons_are_new_events_of_the_same_detector(muon):
    from core.data import DatasetError, load_dataset, unlabelled_inputs

    ds, _ = muon
    x = unlabelled_inputs(ds, 2000)
    assert x.shape == (2000, *ds.x_train.shape[1:]) and x.dtype == np.float32
    np.testing.assert_array_equal(x, unlabelled_inputs(ds, 2000))  # seeded
    # Not the labelled muons again (another random stream): event i differs from labelled event i
    # except by chance (straight high-pT tracks with single-strip clusters repeat: ~2 % of pairs).
    same = np.all(x == ds.x_train[:2000], axis=(1, 2, 3))
    assert same.mean() < 0.05
    # Same detector: as many fired strips per event on average (clusters of ~1.35 strips, 6 layers).
    assert np.mean(x.sum(axis=(1, 2, 3))) == pytest.approx(np.mean(ds.x_train.sum(axis=(1, 2, 3))), rel=0.05)
    with pytest.raises(DatasetError, match="cannot generate"):
        unlabelled_inputs(load_dataset("digits"), 10)


def test_distillation_refuses_events_of_another_shape(muon):
    from core.distill import DistillationError, distill_model
    from core.zoo import build_model

    ds, teacher = muon
    with pytest.raises(DistillationError, match="shape"):
        distill_model(
            teacher, build_model("muon_cnn_student"), ds, epochs=1, transfer_x=np.zeros((5, 6, 32, 1))
        )


# --- the CLI ---------------------------------------------------------------------------------------


def test_cli_distill_json(tmp_path):
    from core.workflows import ensure_handson2_workspace

    ws = ensure_handson2_workspace(tmp_path / "ws", events=2000)
    teacher = next(v.name for v in ws.variants.values() if v.params.get("zoo") == "muon_cnn_teacher")
    student = next(v.name for v in ws.variants.values() if v.params.get("zoo") == "muon_cnn_student")
    args = ["distill", ws.root, "--teacher", teacher, "--student", student, "--temperature", "3"]
    args += ["--alpha", "0.2", "--epochs", "1", "--max-samples", "500", "--unlabelled", "300", "--json"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run(
        [sys.executable, "-m", "core.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["parent"] == student and doc["teacher"] == teacher
    assert (doc["temperature"], doc["alpha"], doc["transfer_events"]) == (3.0, 0.2, 300)
    assert {"loss", "hard_loss", "distill_loss", "val_loss", "val_mae"} <= set(doc["history"])
    from core.workspace import Workspace

    v = Workspace.open(ws.root)[doc["variant"]]
    assert v.operation == "distill" and v.parent == student
    assert v.params["teacher"] == teacher and v.params["temperature"] == 3.0 and v.params["alpha"] == 0.2
    assert "val_mae" in v.metrics

    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "distill",
            str(ws.root),
            "--teacher",
            teacher,
            "--student",
            student,
        ]
        + ["--alpha", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert bad.returncode == 2 and "α" in bad.stderr
