"""The Physics view: two muon variants computed in a job and overlaid; the plotted data is core's."""

from __future__ import annotations

import numpy as np
import pytest

from app.jobs import JobManager
from app.panels.physics_view import PhysicsView, parse_thresholds
from app.state import AppState
from core import TrigLabError

EVENTS, SEED = 3000, 1


@pytest.fixture
def muon_workspace(tmp_path):
    """Two untrained students (different seeds) and a small muon simulation in the workspace cache.

    The workspace pins the simulation's parameters (as the hands-on 2 set-up does, see
    ``core.metrics.physics.workspace_dataset_params``), so the panel uses the cached events and
    nothing is simulated again at the default 100k events.
    """
    from core.data import load_dataset, pin_params
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "physics test")
    pin_params(ws.data_dir, "muon_rpc", events=EVENTS, seed=SEED)
    load_dataset("muon_rpc", cache_dir=ws.data_dir)
    for seed in (0, 1):
        add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc", name=f"student-s{seed}", seed=seed)
    return ws


@pytest.fixture
def view(qtbot, muon_workspace):
    state, jobs = AppState(), JobManager()
    panel = PhysicsView(state, jobs)
    qtbot.addWidget(panel)
    panel.resize(1200, 850)
    panel.show()
    state.set_workspace(muon_workspace)
    yield panel
    jobs.shutdown(timeout=10)


def test_parse_thresholds():
    assert parse_thresholds("10, 20") == (10.0, 20.0)
    assert parse_thresholds("7.5 15;15") == (7.5, 15.0)
    for bad in ("", "ten", "-5"):
        with pytest.raises(TrigLabError):
            parse_thresholds(bad)


def test_compute_overlays_two_variants_matching_core(qtbot, view, muon_workspace, tmp_path):
    from core.data import load_dataset
    from core.metrics.physics import trigger_metrics
    from core.workspace import Workspace

    names = ["student-s0", "student-s1"]
    assert view.candidates() == names
    assert view.checked() == names  # few variants: all checked at first
    job = view.compute(names)
    assert job is not None
    qtbot.waitUntil(lambda: not job.is_active(), timeout=60_000)
    assert job.status == "done", job.error
    qtbot.waitUntil(lambda: len(view.plotted()["turn_on"]) == 2, timeout=5_000)

    drawn = view.plotted()
    assert set(drawn["turn_on"]) == set(names)
    for name in names:
        assert set(drawn["turn_on"][name]) == {"10", "20"}  # one curve per threshold and variant
    assert drawn["thresholds"] == [10.0, 20.0]
    assert set(drawn["resolution"]) == set(names) and set(drawn["residuals"]) == set(names)
    # one table row per variant and threshold
    assert [(r["variant"], r["threshold"]) for r in drawn["table"]] == [
        (n, k) for n in names for k in ("10", "20")
    ]
    assert view.table.rowCount() == 4

    # The plotted points are core's numbers for the same model and data.
    ds = load_dataset("muon_rpc", events=EVENTS, seed=SEED, cache_dir=muon_workspace.data_dir)
    core_res = trigger_metrics(muon_workspace.load_model("student-s1"), ds, (10, 20))
    curve = core_res["turn_on"]["20"]
    eff = np.array([np.nan if v is None else v for v in curve["efficiency"]])
    ok = np.isfinite(eff)
    np.testing.assert_allclose(drawn["turn_on"]["student-s1"]["20"]["y"], eff[ok], atol=1e-6)
    np.testing.assert_allclose(drawn["turn_on"]["student-s1"]["20"]["x"], np.array(curve["centers"])[ok])
    assert view.result("student-s1")["pt_resolution"] == pytest.approx(core_res["pt_resolution"], rel=1e-5)
    assert view.result("student-s0")["dataset_params"] == {"events": EVENTS, "seed": SEED}
    # The two seeds give different networks, hence different curves.
    assert view.result("student-s0")["pt_resolution"] != view.result("student-s1")["pt_resolution"]

    # The single numbers are stored on the variants (for the Compare view) and saved.
    stored = Workspace.open(muon_workspace.root)["student-s0"].metrics
    assert {"pt_resolution", "pt50_10", "pt90_20", "fake_rate_10"} <= set(stored)

    # Same thresholds again: served from the cache, no job.
    assert view.compute(names) is None
    view.grab().save(str(tmp_path / "physics.png"))


def test_show_variants_ticks_exactly_those_and_draws_them(qtbot, view, muon_workspace):
    """What a walkthrough step calls: the untrained ``*-init`` variant is unticked, the step's are
    ticked and drawn (computed in a job as when the user ticks them)."""
    from core.workflows import add_zoo_variant

    add_zoo_variant(muon_workspace, "muon_cnn_student", dataset="muon_rpc", name="student-init", seed=2)
    view.state.notify_variants_changed()
    view.set_checked(["student-init"])
    names = ["student-s0", "student-s1"]
    view.show_variants(names)
    assert view.checked() == names
    assert view.job is not None
    qtbot.waitUntil(lambda: not view.job.is_active(), timeout=60_000)
    assert view.job.status == "done", view.job.error
    qtbot.waitUntil(lambda: set(view.plotted()["turn_on"]) == set(names), timeout=5_000)
    drawn = view.plotted()
    assert set(drawn["resolution"]) == set(names)
    assert [r["variant"] for r in drawn["table"]] == [n for n in names for _k in ("10", "20")]
    assert all(len(c["20"]["y"]) > 3 for c in drawn["turn_on"].values())
    assert view.result("student-init") is None  # never computed
    assert not view.thresholds_edit.isHidden()  # regression: the GeV thresholds are there
    # legends sit in their own grid cells (below the plots), not over the data
    for key, pi in (("turn_on", view.turn_on_plot), ("resolution", view.resolution_plot)):
        legend = view.legends[key]
        assert legend.parentItem() is not pi.vb and legend.scene() is view.glw.scene()
        # (once the graphics layout has placed it: changing its columns re-lays it out)
        qtbot.waitUntil(
            lambda legend=legend, pi=pi: not legend.sceneBoundingRect().intersects(pi.vb.sceneBoundingRect()),
            timeout=3_000,
        )
        # (+1 in the resolution plot: the strip-fit limit, when core computes it)
        limit = drawn["resolution_limit"] is not None
        assert len(legend.items) == (4 if key == "turn_on" else 2 + limit)


def test_bad_thresholds_show_a_message(view):
    view.thresholds_edit.setText("ten")
    assert view.compute() is None
    assert "Thresholds must be numbers" in view.status.text()


def test_classification_variant_shows_roc(qtbot, tmp_path):
    import tensorflow as tf

    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "cls")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.layers.Input((8, 8, 1)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10, "softmax")]
    )
    ws.add_variant(model, "digits-mlp", operation="zoo", dataset="digits")
    state, jobs = AppState(), JobManager()
    panel = PhysicsView(state, jobs)
    qtbot.addWidget(panel)
    state.set_workspace(ws)
    try:
        job = panel.compute(["digits-mlp"])
        qtbot.waitUntil(lambda: not job.is_active(), timeout=60_000)
        assert job.status == "done", job.error
        qtbot.waitUntil(lambda: "digits-mlp" in panel.plotted()["roc"], timeout=5_000)
        roc = panel.plotted()["roc"]["digits-mlp"]
        assert 0.0 <= roc["auc"] <= 1.0 and roc["fpr"][0] == 0.0 and roc["tpr"][-1] == 1.0
        assert panel.plotted()["turn_on"] == {}
        assert panel.plotted()["table"][0]["roc_auc"] == pytest.approx(roc["auc"])
        # what a classification task has: ROC and a confusion matrix, no GeV threshold field
        assert panel.plotted()["layout"] == "classification"
        assert panel.thresholds_edit.isHidden() and panel.thresholds_label.isHidden()
        assert panel.confusion_plot.scene() is not None and panel.turn_on_plot.scene() is None
        from core.data import load_dataset
        from core.metrics.confusion import confusion_matrix

        ds = load_dataset("digits", cache_dir=ws.data_dir)
        expected = confusion_matrix(model.predict(ds.x("val"), verbose=0), ds.y("val"))
        matrix = panel.plotted()["confusion"]["digits-mlp"]
        assert panel.plotted()["confusion_shown"] == "digits-mlp"
        assert matrix == expected["matrix"] and np.array(matrix).shape == (10, 10)
        assert np.array(matrix).sum() == len(ds.x("val"))
        np.testing.assert_array_equal(panel.confusion_plot.matrix, matrix)
        assert panel.plotted()["table"][0]["accuracy"] == pytest.approx(expected["accuracy"])
    finally:
        jobs.shutdown(timeout=10)


def test_a_stored_run_is_one_more_curve_labelled_with_its_target(qtbot, view, muon_workspace):
    """A run report's outputs (here: a stand-in emulator's, the Keras outputs + a shift) draw as a curve."""
    from core.deploy import RunOutput
    from core.deploy.run import keras_outputs, make_report, store_report, variant_events

    ws = muon_workspace
    ev = variant_events(ws, "student-s0", 400)
    keras = keras_outputs(ws, "student-s0", ev.x)
    out = keras * 1.5  # a target that computes something else: its own curve, not the variant's
    run = RunOutput(out, [0.01, 0.01], 0.02, "stand-in")
    store_report(ws, make_report(ev, run, target="emulator-hls", emulated=True, variant="student-s0",
                                 batch_size=200, keras=keras), out)  # fmt: skip
    job = view.compute(["student-s0"])
    qtbot.waitUntil(lambda: not job.is_active(), timeout=60_000)
    assert job.status == "done", job.error
    label = "student-s0 on emulator-hls (emulated on CPU)"
    qtbot.waitUntil(lambda: label in view.plotted()["turn_on"], timeout=5_000)
    drawn = view.plotted()
    assert set(drawn["resolution"]) == {"student-s0", label}
    assert [r["variant"] for r in drawn["table"]] == ["student-s0"] * 2 + [label] * 2
    title = view.turn_on_plot.titleLabel
    assert "emulated on CPU" in getattr(title, "full_text", title.text)
    # Long names (a run's label) on a projector-narrow view: legends and titles elide, whole in
    # their tooltips, and the plots never need more than the view's width.
    from PySide6.QtCore import Qt

    view.resize(760, 560)
    view.show()
    qtbot.waitUntil(lambda: view.glw.viewport().width() < 620, timeout=5_000)
    view._fit_legends()
    qtbot.wait(50)
    need = view.glw.ci.effectiveSizeHint(Qt.MinimumSize).width()
    assert need <= view.glw.viewport().width(), (need, view.glw.viewport().width())
    labels = [lb for _s, lb in view.legends["turn_on"].items]
    assert any(lb.text != lb.full_text and lb.toolTip() == lb.full_text for lb in labels)
    run_res = view.result(label)
    assert run_res["n"] == 400 and run_res["run_of"] == "student-s0"
    assert run_res["pt_resolution"] != view.result("student-s0")["pt_resolution"]
    # the variant's stored numbers are its own, not the run's
    assert ws["student-s0"].metrics["pt_resolution"] == view.result("student-s0")["pt_resolution"]
