"""The compression lab's live preview panel: what it shows is what the core engine computes, and the
task metric follows the sliders through a coalescing worker."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.jobs import JobManager
from app.panels.compress_preview import CompressPreview, stats_texts
from app.state import AppState
from core.compress.preview import PreviewSettings, PruneSettings, QuantSettings, set_model_weights

METRIC_RE = re.compile(r"^val accuracy (\d+\.\d) % \(baseline (\d+\.\d) %, ([+−]\d+\.\d)\)$")


@pytest.fixture(scope="module")
def trained_ws(tmp_path_factory):
    """A workspace with a hands-on CNN trained for a few epochs on the digits."""
    from core.data import load_dataset
    from core.workflows import add_zoo_variant, train_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("preview") / "ws")
    init = add_zoo_variant(ws, "handson_cnn", dataset="digits")
    res = train_variant(ws, init.name, load_dataset("digits"), epochs=4, lr=3e-3, seed=0)
    ws.ui["selected_variant"] = res.variant.name
    ws.save()
    return ws


@pytest.fixture
def panel(qtbot, trained_ws):
    state, jobs = AppState(), JobManager()
    p = CompressPreview(state, jobs)
    qtbot.addWidget(p)
    p.resize(1100, 750)
    p.show()
    state.set_workspace(trained_ws)
    assert p.wait_idle(120), "the preview set-up did not finish"
    yield p
    p.wait_idle(60)
    jobs.shutdown()


def _kernel_sizes(panel) -> dict[str, int]:
    return {n: ws["kernel"].size for n, ws in panel.state.current.weights.items() if "kernel" in ws}


def test_works_without_a_variant(qtbot):
    p = CompressPreview(AppState(), JobManager())
    qtbot.addWidget(p)
    p.show()
    p.value_slider.setValue(50.0)
    p.apply_settings(PreviewSettings(PruneSettings(value=0.3), QuantSettings("fixed", 6, 2)))
    assert p.preview_result() is None
    assert p.plotted() == {}
    assert p.metric_text() == ""
    assert p.current_settings().quant.width == 6
    assert not p.busy() and p.wait_idle(1)
    assert not p.grab().isNull()


def test_slider_drives_the_statistics_shown(panel):
    slider = panel.value_slider
    slider.setValue(60.0)
    r = panel.preview_result()
    assert r.settings.prune.value == pytest.approx(0.6)
    n = sum(_kernel_sizes(panel).values())
    assert abs(r.prunable.pruned - round(0.6 * n)) <= 1
    shown = panel.shown_stats()
    lp = r.layers[panel.plotted()["layer"]]
    for row, (layer_text, model_text) in shown.items():
        i = list(shown).index(row)
        assert layer_text == stats_texts(lp.stats)[i]
        assert model_text == stats_texts(r.total)[i]
    pct = float(re.search(r"\(([\d.]+) %\)", shown["zeros (sparsity)"][1]).group(1))
    assert pct == pytest.approx(100 * r.total.sparsity, abs=0.051)  # one decimal, as everywhere

    # 8-bit fixed point: the size after is the non-zero weights at one byte each
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("fixed"))
    panel.width_spin.setValue(8)
    r = panel.preview_result()
    assert r.settings.quant.kind == "fixed" and r.settings.quant.width == 8
    assert r.total.bytes_after == r.total.nonzero
    assert panel.shown_stats()["size after"][1] == stats_texts(r.total)[8]
    assert panel.shown_stats()["size fp32"][1] == stats_texts(r.total)[7]
    before = r.total.nonzero
    slider.setValue(90.0)
    assert panel.preview_result().total.nonzero < before
    assert panel.shown_stats()["compression"][1] == stats_texts(panel.preview_result().total)[9]


def test_histogram_follows_the_slider_and_the_selected_layer(panel):
    panel.apply_settings(PreviewSettings(PruneSettings(value=0.5), QuantSettings("fixed", 8, 3)))
    panel.state.select_layer("fc1")
    shown = panel.plotted()
    lp = panel.preview_result().layers["fc1"]
    assert shown["layer"] == "fc1"
    np.testing.assert_array_equal(shown["after_counts"], lp.hist_after.counts)
    np.testing.assert_array_equal(shown["before_counts"], lp.hist_before.counts)
    assert shown["after_zeros"] == lp.hist_after.zeros == lp.tensors["kernel"].zeros
    np.testing.assert_allclose(shown["grid_x"], lp.grid)
    assert np.all(np.abs(shown["grid_x"] * 32 - np.round(shown["grid_x"] * 32)) < 1e-9)  # LSB 2^-5

    panel.value_slider.setValue(85.0)
    moved = panel.plotted()
    assert moved["after_zeros"] > shown["after_zeros"]
    assert moved["after_counts"].sum() < shown["after_counts"].sum()
    np.testing.assert_array_equal(moved["before_counts"], shown["before_counts"])  # the original stays

    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("none"))
    assert panel.plotted()["grid_x"].size == 0
    panel.state.select_layer("relu1")  # no weights: the panel keeps showing fc1
    assert panel.plotted()["layer"] == "fc1"


def test_per_layer_override(panel):
    sizes = _kernel_sizes(panel)
    panel.apply_settings(PreviewSettings(PruneSettings(value=0.8, scope="per_layer")))
    panel.set_override("conv1", 0.1)
    r = panel.preview_result()
    assert r.settings.prune.overrides == {"conv1": pytest.approx(0.1)}
    assert r.layers["conv1"].tensors["kernel"].pruned == round(0.1 * sizes["conv1"])
    assert r.layers["fc1"].tensors["kernel"].pruned == round(0.8 * sizes["fc1"])
    assert panel.reached_texts()["conv1"] == f"{100 * r.layers['conv1'].pruned_sparsity:.1f} %"
    panel.set_override("conv1", None)
    assert panel.preview_result().layers["conv1"].tensors["kernel"].pruned == round(0.8 * sizes["conv1"])


def test_accuracy_refresh_shows_a_number_without_touching_the_model(panel, trained_ws):
    from core.data import load_dataset
    from core.metrics import evaluate

    model = panel.state.current.model
    original = [w.copy() for w in model.get_weights()]
    panel.apply_settings(PreviewSettings(PruneSettings(value=0.7), QuantSettings("fixed", 8, 3)))
    assert panel.metric_text() == "computing…"
    assert panel.wait_idle(60)
    m = METRIC_RE.match(panel.metric_text())
    assert m, panel.metric_text()
    digits = load_dataset("digits")
    base = evaluate(model, digits, "val", max_samples=1000)["accuracy"]
    assert float(m.group(2)) == pytest.approx(100 * base, abs=0.051)
    for a, b in zip(original, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # evaluated on the panel's own copy


def test_slider_moves_are_coalesced_and_the_last_one_is_shown(panel):
    from core.data import load_dataset
    from core.metrics import evaluate
    from core.models.clone import copy_model

    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("fixed"))
    assert panel.wait_idle(60)
    before = panel.evaluations
    for i in range(20):  # a quick drag: no event processing in between
        panel.value_slider.setValue(50.0 + 2.0 * i)
    assert panel.metric_text() == "computing…"
    assert panel.wait_idle(60)
    assert panel.evaluations - before <= 3  # the first move, then only the latest
    last = panel.preview_result()
    assert last.settings.prune.value == pytest.approx(0.88)

    copy = copy_model(panel.state.current.model)
    set_model_weights(copy, last.weights())
    acc = evaluate(copy, load_dataset("digits"), "val", max_samples=1000)["accuracy"]
    m = METRIC_RE.match(panel.metric_text())
    assert m and float(m.group(1)) == pytest.approx(100 * acc, abs=0.051)

    # back to settings already evaluated: shown at once, nothing recomputed
    count = panel.evaluations
    panel.value_slider.setValue(50.0 + 2.0 * 19)
    assert METRIC_RE.match(panel.metric_text()) and not panel.busy()
    assert panel.evaluations == count


def test_settings_round_trip_and_hand_over_to_apply(panel, qtbot):
    s = PreviewSettings(
        PruneSettings("sparsity", 0.75, "per_layer", {"fc1": 0.5}),
        QuantSettings("fixed", 6, "auto", "RND", "SAT"),
    )
    panel.apply_settings(s)
    assert panel.current_settings() == s
    assert panel.preview_result().settings == s
    with qtbot.waitSignal(panel.settings_for_apply, timeout=1000) as sig:
        panel.apply_button.click()
    params = sig.args[0]
    assert params["sparsity"] == 0.75 and params["width"] == 6 and params["integer"] == "auto"
    assert params["per_layer"] == {"fc1": 0.5} and params["rounding"] == "RND"


def test_switching_to_a_threshold_keeps_the_preview(panel):
    panel.apply_settings(PreviewSettings(PruneSettings(value=0.6)))
    pruned = panel.preview_result().prunable.pruned
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("threshold"))
    r = panel.preview_result()
    assert r.settings.prune.mode == "threshold"
    assert abs(r.prunable.pruned - pruned) <= 0.01 * r.prunable.size  # the slider's resolution
    assert not panel.scope_combo.isEnabled()
    for kind in ("po2", "binary", "ternary"):
        panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(kind))
        assert panel.preview_result().settings.quant.kind == kind
        assert panel.plotted()["grid_x"].size > 0


def test_an_impossible_format_is_explained_not_raised(panel):
    panel.apply_settings(
        PreviewSettings(PruneSettings(value=0.5), QuantSettings("fixed", 8, 3, "TRN", "WRAP_SM"))
    )
    assert panel.preview_result() is None and panel.plotted() == {}
    assert "WRAP_SM" in panel.format_label.text() and "WRAP_SM" in panel.hist.message_text.toPlainText()
    panel.rounding_combo.setCurrentIndex(panel.rounding_combo.findData("RND"))
    assert panel.preview_result() is not None and panel.plotted()["layer"]
    assert panel.hist.message_text.toPlainText() == ""


def test_one_sparsity_reads_the_same_on_the_whole_screen(panel):
    """Issue 12: one layer's sparsity read 25.00 %, 27.78 % and 27.8 % on one screen."""
    from app.panels.histogram import fmt_sparsity

    panel.apply_settings(PreviewSettings(PruneSettings(value=0.2778, scope="per_layer")))
    panel.state.select_layer("fc1")
    lp = panel.preview_result().layers["fc1"]
    shown = fmt_sparsity(lp.pruned_sparsity)
    assert re.fullmatch(r"\d+\.\d %", shown)
    assert panel.reached_texts()["fc1"] == shown
    assert shown in panel.plot.titleLabel.text  # the kernel's zeros after, as the title says
    for cell in panel.shown_stats()["zeros (sparsity)"]:
        assert re.fullmatch(r"[\d\u202f]+ \(\d+\.\d %\)", cell), cell
