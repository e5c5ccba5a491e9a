"""The Train view: real (tiny) training runs through the UI, live curves, cancel and failure."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.jobs import CANCELLED, DONE, FAILED, JobManager
from app.panels.train_plots import EMA_BETA
from app.panels.train_view import TrainView
from app.state import AppState

JOB_TIMEOUT_MS = 180_000  # the first run in a session imports TensorFlow


@pytest.fixture
def workspace(tmp_path):
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits")
    return ws


@pytest.fixture
def panel(qtbot, workspace):
    state, jobs = AppState(), JobManager()
    view = TrainView(state, jobs)
    qtbot.addWidget(view)
    state.set_workspace(workspace)
    yield view
    jobs.shutdown(timeout=60)  # never leave a worker thread behind
    assert all(not j.is_active() for j in jobs.jobs)


def _run_to_end(qtbot, job) -> None:
    qtbot.waitUntil(lambda: not job.is_active(), timeout=JOB_TIMEOUT_MS)
    assert job.wait(30)


def test_form_defaults_to_current_variant_and_its_dataset(panel, workspace):
    from core.workflows import add_zoo_variant

    assert panel.source_combo.currentText() == panel.state.current.name == "handson_cnn-init"
    assert panel.dataset_ref() == "digits"
    assert panel.name_edit.placeholderText() == "handson_cnn"
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()

    # A variant made for another data set switches the data set with it.
    add_zoo_variant(workspace, "muon_cnn_student", dataset="muon_rpc")
    panel.state.notify_variants_changed()
    panel.source_combo.setCurrentText("muon_cnn_student-init")
    assert panel.dataset_ref() == "muon_rpc"
    panel.source_combo.setCurrentText("handson_cnn-init")
    assert panel.dataset_ref() == "digits"


def test_short_run_adds_a_child_variant_and_plots_one_point_per_epoch(qtbot, panel, workspace):
    n_before = len(workspace.variants)
    panel.epochs_spin.setValue(3)
    panel.batch_spin.setValue(32)
    panel.max_samples_spin.setValue(300)
    panel.lr_spin.setValue(3e-3)
    panel.optimizer_combo.setCurrentText("adam")
    panel.seed_spin.setValue(7)
    panel.name_edit.setText("cnn-quick")
    epochs_seen: list[int] = []

    with qtbot.waitSignal(panel.state.variants_changed, timeout=JOB_TIMEOUT_MS):
        job = panel.start()
        assert job is not None and job.name == "Train handson_cnn-init"
        job.reported.connect(lambda kind, v: epochs_seen.append(v["epoch"]) if kind == "epoch" else None)
        assert panel.cancel_btn.isEnabled() and not panel.start_btn.isEnabled()
        assert not panel.epochs_spin.isEnabled()  # the form is locked while it runs
    _run_to_end(qtbot, job)

    assert job.status == DONE, job.error
    assert epochs_seen == [0, 1, 2]
    result = job.result
    v = result.variant
    assert len(workspace.variants) == n_before + 1
    assert v.name == "cnn-quick" and v.parent == "handson_cnn-init" and v.operation == "train"
    assert v.params["epochs"] == 3 and v.params["epochs_completed"] == 3
    assert v.params["max_train_samples"] == 300 and v.params["seed"] == 7
    assert v.params["lr"] == pytest.approx(3e-3) and v.params["cancelled"] is False
    # The new variant is current everywhere, and the form now starts from it.
    assert panel.state.current.name == "cnn-quick"
    assert panel.source_combo.currentText() == "cnn-quick"

    curves = panel.curves()
    hist = result.train.history
    for key in ("loss", "val_loss", "metric", "val_metric"):
        x, y = curves[key]
        np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])  # exactly one point per epoch
        assert np.all(np.isfinite(y))
    np.testing.assert_allclose(curves["loss"][1], hist["loss"], rtol=1e-6)
    np.testing.assert_allclose(curves["val_loss"][1], hist["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(curves["val_metric"][1], 100 * np.asarray(hist["val_accuracy"]), rtol=1e-6)
    assert panel.metric_name() == "accuracy"
    assert np.all((curves["metric"][1] >= 0) & (curves["metric"][1] <= 100))

    # 300 samples / 32 per batch = 10 batches per epoch, placed at fractional epochs.
    bx, by = curves["batch_loss"]
    assert len(bx) == 30
    np.testing.assert_allclose(bx[:3], [0.1, 0.2, 0.3])
    assert bx[-1] == pytest.approx(3.0) and np.all(np.diff(bx) > 0)
    assert np.all(np.isfinite(by)) and by[-1] < by[0]  # it learned

    assert "Done" in panel.status_label.text() and "cnn-quick" in panel.status_label.text()
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert not panel.error_label.isVisible()


def test_cancel_stops_after_a_batch_and_keeps_the_partial_variant(qtbot, panel, workspace):
    n_before = len(workspace.variants)
    panel.epochs_spin.setValue(500)
    panel.max_samples_spin.setValue(300)
    batches: list[dict] = []
    job = panel.start()
    job.reported.connect(lambda kind, v: batches.append(v) if kind == "batch" else None)
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=JOB_TIMEOUT_MS)

    panel.cancel()
    assert not panel.cancel_btn.isEnabled()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=15_000)
    assert job.wait(15)

    assert job.status in (CANCELLED, DONE)
    v = job.result.variant
    assert v.params["cancelled"] is True
    assert job.result.train.epochs_completed < 500
    assert len(workspace.variants) == n_before + 1 and v.parent == "handson_cnn-init"
    assert panel.state.current.name == v.name
    text = panel.status_label.text()
    assert "Cancelled" in text and "still added" in text and v.name in text
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert len(panel.curves()["loss"][0]) == len(job.result.train.history["loss"])


def test_failure_is_shown_and_the_panel_returns_to_idle(qtbot, panel, workspace, tmp_path):
    n_before = len(workspace.variants)
    panel.set_dataset_file(tmp_path / "missing.npz")
    assert panel.dataset_ref() == str(tmp_path / "missing.npz")
    job = panel.start()
    _run_to_end(qtbot, job)

    assert job.status == FAILED
    assert "does not exist" in panel.error_label.text()
    assert not panel.error_label.isHidden()
    assert "Failed" in panel.status_label.text()
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled() and panel.epochs_spin.isEnabled()
    assert len(workspace.variants) == n_before
    assert panel.state.current.name == "handson_cnn-init"


def test_batch_curve_is_an_ema_of_single_batch_losses(panel):
    """Keras reports a running mean per epoch; the curve must smooth the batches themselves."""
    # 70 samples, batches of 32: sizes 32, 32, 6; single-batch losses 3, 2, 1.
    panel.plots.reset()
    panel._on_report("setup", {"task": "classification", "n_train": 70, "batch_size": 32,
                               "steps_per_epoch": 3, "epochs": 2, "loss": "mse"})  # fmt: skip
    running = [3.0, (3 * 32 + 2 * 32) / 64, (3 * 32 + 2 * 32 + 1 * 6) / 70]
    for b, m in enumerate(running):
        panel._on_report("batch", {"epoch": 0, "batch": b, "step": b + 1, "loss": m})
    epoch_values = {"epoch": 0, "loss": running[-1], "val_loss": 2.0, "accuracy": 0.5, "val_accuracy": 0.6}
    panel._on_report("epoch", epoch_values)
    panel._on_report("epoch", epoch_values)  # a repeated report adds nothing

    x, y = panel.curves()["batch_loss"]
    np.testing.assert_allclose(x, [1 / 3, 2 / 3, 1.0])
    ema2 = EMA_BETA * 3 + (1 - EMA_BETA) * 2
    np.testing.assert_allclose(y, [3.0, ema2, EMA_BETA * ema2 + (1 - EMA_BETA) * 1])
    assert len(panel.curves()["loss"][0]) == 1
    np.testing.assert_allclose(panel.curves()["val_metric"][1], [60.0])


def test_learning_rate_box_steps_on_a_log_ladder(panel):
    panel.lr_spin.setValue(1e-3)
    panel.lr_spin.stepBy(1)
    assert panel.lr_spin.value() == pytest.approx(2e-3)
    panel.lr_spin.stepBy(2)
    assert panel.lr_spin.value() == pytest.approx(1e-2)
    panel.lr_spin.stepBy(-3)
    assert panel.lr_spin.value() == pytest.approx(1e-3)
    panel.lr_spin.lineEdit().setText("3e-4")
    panel.lr_spin.interpretText()
    assert panel.lr_spin.value() == pytest.approx(3e-4)
    assert panel.lr_spin.text() == "0.0003"


def test_without_a_workspace_the_panel_explains_and_does_not_start(qtbot):
    state, jobs = AppState(), JobManager()
    view = TrainView(state, jobs)
    qtbot.addWidget(view)
    assert not view.start_btn.isEnabled() and not view.cancel_btn.isEnabled()
    assert "Open a workspace" in view.status_label.text()
    assert view.start() is None and jobs.jobs == []
    assert "No variant" in view.error_label.text()


# --- following a job started elsewhere (a walkthrough step) --------------------------------------
def _fake_run(*, epochs: int, steps: int, distill: bool = False, hold=None, progress):
    """Reports like core.train_jobs.train_job / distill_job (setup, batch, epoch), without TF.

    With ``hold`` (a threading.Event) it waits after the last epoch until the event is set or the
    job is cancelled.
    """
    import time

    progress.report(
        "setup", task="classification", loss="sparse_categorical_crossentropy", n_train=10 * steps,
        n_val=50, epochs=epochs, batch_size=10, steps_per_epoch=steps, distill=distill,
    )  # fmt: skip
    for e in range(epochs):
        for b in range(steps):
            progress.check_cancelled()
            progress.report("batch", epoch=e, batch=b, step=e * steps + b + 1, loss=2.0 / (e + 1))
        values = {"loss": 2.0 / (e + 1), "val_loss": 2.5 / (e + 1), "accuracy": 0.5 + 0.1 * e}
        values["val_accuracy"] = 0.4 + 0.1 * e
        if distill:
            values.update(hard_loss=1.0 / (e + 1), val_hard_loss=1.2 / (e + 1))
            values.update(distill_loss=3.0 / (e + 1), val_distill_loss=3.5 / (e + 1))
        progress.report("epoch", epoch=e, **values)
        progress.update((e + 1) / epochs, f"epoch {e + 1}")
    while hold is not None and not hold.is_set():
        progress.check_cancelled()
        time.sleep(0.01)
    return "not-a-variant"


def test_follow_job_shows_a_real_training_job_started_elsewhere(qtbot, panel, workspace):
    """As a walkthrough step does: core.train_jobs.train_job submitted outside the view."""
    from core.train_jobs import train_job

    settings = {
        "source": "handson_cnn-init", "dataset_ref": "digits", "epochs": 2, "batch_size": 50,
        "lr": 5e-3, "optimizer": "sgd", "seed": 11, "variant_name": "walk-cnn",
        "max_train_samples": 200, "schedule": "cosine",
    }  # fmt: skip
    panel.epochs_spin.setValue(7)  # the view's own, unrelated settings
    panel.optimizer_combo.setCurrentText("adam")
    job = panel.jobs.submit("Walkthrough: train the CNN", train_job, workspace, **settings)
    panel.follow_job(job, settings)

    # The form shows the step's settings, locked; Cancel is for that job.
    assert panel.source_combo.currentText() == "handson_cnn-init" and panel.dataset_ref() == "digits"
    assert panel.epochs_spin.value() == 2 and panel.batch_spin.value() == 50
    assert panel.lr_spin.value() == pytest.approx(5e-3) and panel.optimizer_combo.currentText() == "sgd"
    assert panel.seed_spin.value() == 11 and panel.name_edit.text() == "walk-cnn"
    assert panel.max_samples_spin.value() == 200 and panel.schedule_combo.currentData() == "cosine"
    assert panel.teacher_name() is None and not panel.is_distilling()
    assert panel.job is job and panel.is_running()
    assert not panel.start_btn.isEnabled() and panel.cancel_btn.isEnabled()
    assert not panel.epochs_spin.isEnabled()
    assert panel.start() is job  # Start does not start a second run meanwhile
    _run_to_end(qtbot, job)

    assert job.status == DONE, job.error
    hist = job.result.train.history
    curves = panel.curves()
    np.testing.assert_array_equal(curves["loss"][0], [1.0, 2.0])
    np.testing.assert_allclose(curves["val_loss"][1], hist["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(curves["val_metric"][1], 100 * np.asarray(hist["val_accuracy"]), rtol=1e-6)
    assert len(curves["batch_loss"][0]) == 8  # 200 samples / 50 per batch, two epochs
    assert panel.state.current.name == "walk-cnn"
    text = panel.status_label.text()
    assert "Done" in text and "2 of 2 epochs" in text and "walk-cnn" in text
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert len(panel.curves()["loss"][0]) == 2  # the curves stay after it ends


def test_cancel_in_the_view_cancels_the_followed_job(qtbot, panel):
    import threading

    hold = threading.Event()
    job = panel.jobs.submit("Walkthrough step", _fake_run, epochs=2, steps=5, hold=hold)
    try:
        panel.follow_job(job, {"source": "handson_cnn-init", "epochs": 2, "batch_size": 10})
        qtbot.waitUntil(lambda: len(panel.curves()["loss"][0]) == 2, timeout=30_000)
        curves = panel.curves()
        np.testing.assert_allclose(curves["loss"][1], [2.0, 1.0])
        np.testing.assert_allclose(curves["val_metric"][1], [40.0, 50.0])
        np.testing.assert_allclose(curves["batch_loss"][0], np.arange(1, 11) / 5)
        assert "Epoch 2 of 2" in panel.status_label.text()

        qtbot.mouseClick(panel.cancel_btn, Qt.LeftButton)
        qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    finally:
        hold.set()
    assert job.status == CANCELLED and job.progress.cancelled
    text = panel.status_label.text()
    assert "Cancelled" in text and "2 of 2 epochs" in text and "no variant" not in text
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert len(panel.curves()["loss"][0]) == 2


def test_follow_job_of_a_distillation_shows_the_three_loss_curves(qtbot, panel):
    settings = {
        "teacher": "handson_cnn-init", "student": "walk-student", "dataset_ref": "digits",
        "epochs": 3, "batch_size": 10, "lr": 1e-2, "temperature": 3.0, "alpha": 0.3,
        "transfer_events": 20_000,
    }  # fmt: skip
    job = panel.jobs.submit("Walkthrough: distill", _fake_run, epochs=3, steps=4, distill=True)
    panel.follow_job(job, settings)
    # A student the step creates inside its job is shown by name all the same.
    assert panel.source_combo.currentText() == "walk-student" and panel.teacher_name() == "handson_cnn-init"
    assert panel.temperature_spin.value() == 3.0 and panel.alpha_spin.value() == pytest.approx(0.3)
    assert panel.transfer_spin.value() == 20_000 and panel.is_distilling()
    _run_to_end(qtbot, job)

    assert job.status == DONE
    curves = panel.curves()
    for key, first in (("loss", 2.0), ("hard_loss", 1.0), ("distill_loss", 3.0), ("val_distill_loss", 3.5)):
        np.testing.assert_array_equal(curves[key][0], [1.0, 2.0, 3.0])
        np.testing.assert_allclose(curves[key][1], [first, first / 2, first / 3])
    labels = panel.plots.loss_legend.labels()
    assert any(t.startswith("total") for t in labels) and "truth term (hard labels)" in labels
    assert "teacher term" in labels and "dashed: validation" in labels
    assert all(panel.plots._items[k].isVisible() for k in ("hard_loss", "distill_loss"))
    text = panel.status_label.text()
    assert "Done" in text and "val teacher term" in text and "new variant" not in text
    assert panel.state.current.name == "handson_cnn-init"  # nothing pretended to be the result


def test_follow_job_while_the_view_runs_its_own_shows_the_new_one(qtbot, panel, workspace):
    """The view's own run goes on in the Jobs dock; the followed job is what the view shows."""
    import threading

    hold = threading.Event()
    try:
        own = panel.jobs.submit("Own", _fake_run, epochs=1, steps=2, hold=hold)
        panel._show_job(own, {"epochs": 1}, followed=False)  # as start() does, without TF
        qtbot.waitUntil(lambda: len(panel.curves()["loss"][0]) == 1, timeout=30_000)
        job = panel.jobs.submit("Walkthrough step", _fake_run, epochs=2, steps=3)
        panel.follow_job(job, {"source": "handson_cnn-init", "epochs": 2})
        assert panel.job is job and own.is_active()
        assert len(panel.curves()["loss"][0]) == 0  # the new job's curves, empty so far
        assert "Queued" in panel.status_label.text() and "Own" in panel.status_label.text()
        assert panel.cancel_btn.isEnabled() and not panel.start_btn.isEnabled()
        hold.set()  # the own run ends; the followed one runs next
        _run_to_end(qtbot, own)
        _run_to_end(qtbot, job)
    finally:
        hold.set()
    assert own.status == DONE and job.status == DONE
    np.testing.assert_array_equal(panel.curves()["loss"][0], [1.0, 2.0])
    assert len(panel.curves()["batch_loss"][0]) == 6
    assert "Own" not in panel.status_label.text()


def test_legends_sit_above_the_plots_and_log_ticks_do_not_pile_up(qtbot, panel):
    import math

    from PySide6.QtCore import QPoint

    panel.resize(700, 560)
    panel.show()
    panel.plots.reset(distill=True)
    qtbot.waitExposed(panel)
    plots = panel.plots
    for legend, plot in ((plots.loss_legend, plots.loss_plot), (plots.metric_legend, plots.metric_plot)):
        # Qt widgets of their own, wholly above their plot: they cannot cover a curve.
        assert legend.isVisible() and not plot.isAncestorOf(legend)
        legend_bottom = legend.mapTo(panel, QPoint(0, legend.height())).y()
        assert legend_bottom <= plot.mapTo(panel, QPoint(0, 0)).y()
        assert legend.height() >= legend.heightForWidth(legend.width()) > 0  # no entry cut off
    axis = plots.loss_plot.getPlotItem().getAxis("left")
    axis.setLogMode(False, True)
    [(_spacing, ticks)] = axis.tickValues(math.log10(0.55), math.log10(2.3), 150)
    assert 2 <= len(ticks) <= 4
    assert np.all(np.diff(ticks) > 0.09)  # at least ~20 px apart on a 150 px axis


def test_axis_numbers_use_the_readers_decimal_point(panel):
    from PySide6.QtCore import QLocale

    axis = panel.metric_plot.getPlotItem().getAxis("bottom")
    before = QLocale()
    try:
        QLocale.setDefault(QLocale("it"))
        assert axis.tickStrings([0.5, 1.0, 1.5], 1.0, 0.5) == ["0,5", "1,0", "1,5"]
    finally:
        QLocale.setDefault(before)
    QLocale.setDefault(QLocale("en"))
    try:
        assert axis.tickStrings([0.5, 1.0, 1.5], 1.0, 0.5) == ["0.5", "1.0", "1.5"]
    finally:
        QLocale.setDefault(before)
