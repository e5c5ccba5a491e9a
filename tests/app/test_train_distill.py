"""The Train view's knowledge distillation: a real (tiny) teacher → student run through the UI."""

from __future__ import annotations

import numpy as np
import pytest

from app.jobs import DONE, JobManager
from app.panels.train_form import NO_TEACHER
from app.panels.train_view import TrainView
from app.state import AppState

JOB_TIMEOUT_MS = 180_000  # the first run in a session imports TensorFlow
TEACHER = "muon_cnn_teacher-trained"
STUDENT = "muon_cnn_student-init"


@pytest.fixture(scope="module")
def muon_workspace_module(tmp_path_factory):
    """Hands-on 2 on 2000 events, with a teacher trained for one quick epoch (built once)."""
    from core.data import load_dataset
    from core.workflows import ensure_handson2_workspace, train_variant

    ws = ensure_handson2_workspace(tmp_path_factory.mktemp("muon") / "ws", events=2000)
    dataset = load_dataset("muon_rpc", cache_dir=ws.data_dir)
    train_variant(ws, "muon_cnn_teacher-init", dataset, epochs=1, max_train_samples=500, name=TEACHER)
    return ws


@pytest.fixture
def workspace(muon_workspace_module, tmp_path):
    """A private copy a test may add variants to."""
    import shutil

    from core.workspace import Workspace

    dst = tmp_path / "ws"
    shutil.copytree(muon_workspace_module.root, dst)
    return Workspace.open(dst)


@pytest.fixture
def panel(qtbot, workspace):
    state, jobs = AppState(), JobManager()
    view = TrainView(state, jobs)
    qtbot.addWidget(view)
    state.set_workspace(workspace)
    view.source_combo.setCurrentText(STUDENT)
    yield view
    jobs.shutdown(timeout=60)
    assert all(not j.is_active() for j in jobs.jobs)


def _run_to_end(qtbot, job) -> None:
    qtbot.waitUntil(lambda: not job.is_active(), timeout=JOB_TIMEOUT_MS)
    assert job.wait(30)


def _legend_labels(panel) -> list[str]:
    return panel.plots.loss_legend.labels()


def test_teacher_choice_shows_its_settings_and_names_the_result(panel):
    extra = (panel.temperature_spin, panel.alpha_spin, panel.transfer_spin)
    assert panel.teacher_combo.itemText(0) == NO_TEACHER and panel.teacher_name() is None
    # Same listing as "Start from", after the "none" entry.
    teachers = [panel.teacher_combo.itemText(i) for i in range(1, panel.teacher_combo.count())]
    assert teachers == [panel.source_combo.itemText(i) for i in range(panel.source_combo.count())]
    assert not any(panel._form.isRowVisible(w) for w in extra)
    assert panel.name_edit.placeholderText() == "muon_cnn_student"
    assert panel.temperature_spin.value() == 2.0 and panel.alpha_spin.value() == pytest.approx(0.2)
    assert panel.transfer_spin.value() == 0 and panel.transfer_spin.singleStep() == 10_000
    assert panel.transfer_spin.maximum() == 2_000_000
    assert [panel.schedule_combo.itemText(i) for i in range(panel.schedule_combo.count())] == [
        "constant",
        "cosine",
    ]

    panel.set_teacher(TEACHER)
    assert all(panel._form.isRowVisible(w) for w in extra)
    assert panel.name_edit.placeholderText() == f"{STUDENT}-distilled"
    assert not panel.optimizer_combo.isEnabled()  # distillation always uses Adam
    assert not panel.temperature_spin.isEnabled()  # muon_rpc is a regression: T plays no role
    panel.form.select_dataset("digits")
    assert panel.temperature_spin.isEnabled()
    panel.form.select_dataset("muon_rpc")
    panel.set_teacher(None)
    assert not any(panel._form.isRowVisible(w) for w in extra)
    assert panel.name_edit.placeholderText() == "muon_cnn_student"


def test_distillation_run_adds_a_distilled_child_and_plots_the_loss_terms(qtbot, panel, workspace):
    n_before = len(workspace.variants)
    panel.set_teacher(TEACHER)
    panel.epochs_spin.setValue(1)
    panel.batch_spin.setValue(64)
    panel.max_samples_spin.setValue(500)
    panel.transfer_spin.setValue(1000)
    panel.temperature_spin.setValue(3.0)
    panel.alpha_spin.setValue(0.3)

    job = panel.start()
    assert job is not None and job.name == f"Distill {TEACHER} into {STUDENT}"
    assert panel.is_distilling()
    _run_to_end(qtbot, job)

    assert job.status == DONE, job.error
    assert len(workspace.variants) == n_before + 1
    v = workspace.variants[job.result.name]
    assert v.name == f"{STUDENT}-distilled"
    assert v.operation == "distill" and v.parent == STUDENT and v.dataset == "muon_rpc"
    p = v.params
    assert p["teacher"] == TEACHER and p["transfer_events"] == 1000
    assert p["temperature"] == pytest.approx(3.0) and p["alpha"] == pytest.approx(0.3)
    assert p["epochs_completed"] == 1 and p["max_train_samples"] == 500 and p["cancelled"] is False
    assert panel.state.current.name == v.name  # the result is selected, as after training

    curves = panel.curves()
    for key in ("loss", "val_loss", "hard_loss", "val_hard_loss", "distill_loss", "val_distill_loss"):
        x, y = curves[key]
        np.testing.assert_array_equal(x, [1.0])
        assert np.all(np.isfinite(y)) and np.all(y > 0)
    np.testing.assert_allclose(curves["hard_loss"][1], p["history"]["hard_loss"], rtol=1e-6)
    np.testing.assert_allclose(curves["distill_loss"][1], p["history"]["distill_loss"], rtol=1e-6)
    assert panel.metric_name() == "mae"
    # (500 labelled + 1000 teacher-labelled events) / 64 per batch = 24 batches.
    assert len(curves["batch_loss"][0]) == 24 and curves["batch_loss"][0][-1] == pytest.approx(1.0)
    labels = _legend_labels(panel)
    assert any("truth" in t for t in labels) and any("teacher" in t for t in labels)
    assert "dashed: validation" in labels
    assert "Done" in panel.status_label.text() and v.name in panel.status_label.text()
    assert not panel.error_label.isVisible()


def test_a_variant_cannot_teach_itself(panel):
    panel.set_teacher(STUDENT)
    assert panel.start() is None
    assert panel.jobs.jobs == []
    assert "cannot teach itself" in panel.error_label.text()
    assert not panel.error_label.isHidden()


def test_a_teacher_from_another_data_set_is_refused(panel, workspace):
    from core.workflows import add_zoo_variant

    add_zoo_variant(workspace, "handson_cnn", dataset="digits")
    panel.state.notify_variants_changed()
    panel.source_combo.setCurrentText(STUDENT)
    panel.set_teacher("handson_cnn-init")
    assert panel.start() is None
    assert panel.jobs.jobs == []
    text = panel.error_label.text()
    assert "digits" in text and "muon_rpc" in text


def test_plain_training_passes_the_schedule_and_looks_as_before(qtbot, panel, workspace):
    panel.epochs_spin.setValue(1)
    panel.max_samples_spin.setValue(500)
    panel.schedule_combo.setCurrentText("cosine")
    job = panel.start()
    assert job.name == f"Train {STUDENT}" and not panel.is_distilling()
    _run_to_end(qtbot, job)

    assert job.status == DONE, job.error
    v = job.result.variant
    assert v.operation == "train" and v.params["schedule"] == "cosine"
    curves = panel.curves()
    assert len(curves["loss"][0]) == 1 and len(curves["hard_loss"][0]) == 0
    assert _legend_labels(panel) == ["train, per batch (EMA)", "train", "validation"]


def test_a_teacher_with_other_outputs_fails_through_the_job_and_says_why(qtbot, panel, workspace, tmp_path):
    """Output widths are core's to check (it knows the data set): the failure shows as for training."""
    import tensorflow as tf

    from app.jobs import FAILED
    from core.workflows import import_model_file

    inp = tf.keras.Input((6, 64, 1))
    out = tf.keras.layers.Dense(3)(tf.keras.layers.Flatten()(inp))
    path = tmp_path / "three_outputs.keras"
    tf.keras.Model(inp, out, name="three_outputs").save(path)
    import_model_file(workspace, path)  # no data set: the form cannot tell it does not fit
    panel.state.notify_variants_changed()
    panel.source_combo.setCurrentText(STUDENT)
    panel.set_teacher("three_outputs")
    panel.epochs_spin.setValue(1)
    panel.max_samples_spin.setValue(500)
    n_before = len(workspace.variants)

    job = panel.start()
    _run_to_end(qtbot, job)

    assert job.status == FAILED
    text = panel.error_label.text()
    assert text.startswith("Distillation failed") and "3 outputs" in text
    assert "Failed" in panel.status_label.text() and panel.start_btn.isEnabled()
    assert len(workspace.variants) == n_before
