"""The Weights view: what it plots is what core.weights computes, for the layer the state selects."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from app.panels.weights_view import (
    ALL_WEIGHTS,
    LOG_BASELINE,
    NO_COMPARE,
    WeightsView,
    layer_values,
    match_layer,
)
from app.state import AppState, LoadedVariant
from core.weights import (
    FixedPointFormat,
    auto_bins,
    histogram,
    quantization_report,
    representable_fraction,
    shared_histograms,
    weight_stats,
)

ORDER = ["conv2d", "max_pooling2d", "flatten", "dense", "batch_normalization", "dense_1"]
WEIGHT_LAYERS = ["conv2d", "dense", "batch_normalization", "dense_1"]


def _float_weights(seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    f = np.float32
    return {
        "conv2d": {
            "kernel": rng.normal(0, 0.3, (3, 3, 1, 8)).astype(f),
            "bias": rng.normal(0, 0.02, 8).astype(f),
        },
        "dense": {
            "kernel": rng.normal(0, 0.12, (64, 32)).astype(f),
            "bias": rng.normal(0, 0.05, 32).astype(f),
        },
        "batch_normalization": {
            "gamma": (1 + rng.normal(0, 0.1, 32)).astype(f),
            "beta": rng.normal(0, 0.1, 32).astype(f),
            "moving_mean": rng.normal(0, 0.5, 32).astype(f),
            "moving_variance": rng.uniform(0.5, 2, 32).astype(f),
        },
        "dense_1": {"kernel": rng.normal(0, 0.25, (32, 10)).astype(f), "bias": np.zeros(10, f)},
    }


def _pruned(weights: dict, fraction: float = 0.5, prefix: str = "") -> dict:
    """Magnitude pruning of every kernel: exactly ``fraction`` of each kernel set to zero."""
    out = {}
    for layer, ws in weights.items():
        out[prefix + layer if "kernel" in ws else layer] = pruned = {}
        for name, a in ws.items():
            a = a.copy()
            if name == "kernel":
                order = np.argsort(np.abs(a), axis=None)
                a.reshape(-1)[order[: int(fraction * a.size)]] = 0.0
            pruned[name] = a
    return out


def _variant(name: str, weights: dict, order: list[str] = ORDER) -> LoadedVariant:
    summary = SimpleNamespace(layers=[SimpleNamespace(name=n) for n in order])
    return LoadedVariant(name, None, summary, weights, Path(f"/nonexistent/{name}.keras"))


class _Workspace:
    """The little of core.workspace.Workspace that AppState touches."""

    def __init__(self, names: list[str], selected: str) -> None:
        self.variants = dict.fromkeys(names)
        self.ui = {"selected_variant": selected}

    def save(self) -> None:
        pass


@pytest.fixture
def variants() -> dict[str, LoadedVariant]:
    float_w = _float_weights()
    return {
        "cnn-float": _variant("cnn-float", float_w),
        "cnn-pruned": _variant("cnn-pruned", _pruned(float_w)),
    }


@pytest.fixture
def state(variants) -> AppState:
    st = AppState()
    st.load_variant = lambda name: variants[name]  # no model files: the loaded variants directly
    st.set_workspace(_Workspace(list(variants), selected="cnn-pruned"))
    return st


@pytest.fixture
def panel(qtbot, state) -> WeightsView:
    view = WeightsView(state, None)
    qtbot.addWidget(view)
    view.resize(1100, 650)
    # not shown: nothing to paint (see the note on PySide6 6.12 in the report)
    return view


def _expected(values: np.ndarray, bins: int | None = None):
    return histogram(values, bins=bins or auto_bins(int(np.count_nonzero(values))))


# --- without a model ----------------------------------------------------------------------------
def test_opens_and_closes_cleanly_without_a_variant(qtbot):
    st = AppState()
    view = WeightsView(st, None)
    qtbot.addWidget(view)
    # not shown: nothing to paint (see the note on PySide6 6.12 in the report)
    assert st.current is None
    assert view.plotted() == {}
    assert view.hist.message_text.toPlainText() == "No model loaded"
    assert not view.hist.bars.isVisible() and view.stats_table.rowCount() == 0
    assert view.grid_plots() == {}
    assert view.layer_combo.count() == 0 and not view.layer_combo.isEnabled()
    view.log_check.setChecked(True)  # every control still safe to touch
    view.width_spin.setValue(8)
    view.show_all_layers(True)
    view.close()


# --- one layer ----------------------------------------------------------------------------------
def test_selected_layer_is_plotted_as_core_histogram(panel, state, variants):
    assert state.current.name == "cnn-pruned" and state.layer == "conv2d"  # first layer with weights
    assert [panel.layer_combo.itemText(i) for i in range(panel.layer_combo.count())] == WEIGHT_LAYERS

    state.select_layer("dense")
    kernel = variants["cnn-pruned"].weights["dense"]["kernel"]
    p = panel.plotted()
    h = _expected(kernel)
    assert (p["layer"], p["weight"], p["variant"]) == ("dense", "kernel", "cnn-pruned")
    np.testing.assert_allclose(p["edges"], h.edges)
    np.testing.assert_array_equal(p["counts"], h.counts)
    np.testing.assert_array_equal(p["heights"], h.counts)  # linear axis: bar tops are the counts
    assert panel.layer_combo.currentText() == "dense"
    assert p["compare_counts"] is None and p["compare_zeros"] is None

    # The panel's own combo selects the layer everywhere, and redraws.
    i = panel.layer_combo.findText("dense_1")
    panel.layer_combo.setCurrentIndex(i)
    panel.layer_combo.activated.emit(i)
    assert state.layer == "dense_1"
    np.testing.assert_array_equal(
        panel.plotted()["counts"], _expected(variants["cnn-pruned"].weights["dense_1"]["kernel"]).counts
    )


def test_half_zero_kernel_shows_exact_zero_bar(panel, state, variants):
    state.select_layer("dense")
    kernel = variants["cnn-pruned"].weights["dense"]["kernel"]
    assert np.count_nonzero(kernel == 0) == 1024  # half of 64 x 32
    p = panel.plotted()
    assert p["zeros"] == 1024 and p["counts"].sum() == 1024
    assert panel.hist.zero_bar.isVisible()
    edges, tops = panel.hist.zero_bar.opts["x0"], panel.hist.zero_bar.opts["height"]
    assert edges[0] < 0 < edges[0] + panel.hist.zero_bar.opts["width"][0]  # centred on 0
    assert tops[0] == 1024
    assert "cnn-pruned: zeros (1\u202f024)" in p["legend"]
    # The spike would flatten the rest: the axis stops above the other bars and says so.
    top = panel.plot.vb.viewRange()[1][1]
    assert p["counts"].max() < top < 1024
    assert "1\u202f024 zeros" in panel.hist.off_scale_text.toPlainText()
    # Statistics come from core.weights.weight_stats.
    s = weight_stats(kernel)
    assert p["stats"] == s
    assert panel.stats_table.item(1, 0).text() == "1\u202f024 (50.0 %)"


def test_weight_selector_kernel_bias_all(panel, state, variants):
    state.select_layer("dense")
    names = [panel.weight_combo.itemText(i) for i in range(panel.weight_combo.count())]
    assert names == ["kernel", "bias", ALL_WEIGHTS]
    w = variants["cnn-pruned"].weights["dense"]
    panel.weight_combo.setCurrentText("bias")
    np.testing.assert_array_equal(panel.plotted()["counts"], _expected(w["bias"]).counts)
    assert panel.plot.getAxis("bottom").labelText.startswith("bias value · bin width ")
    panel.weight_combo.setCurrentText(ALL_WEIGHTS)
    both = np.concatenate([w["kernel"].ravel(), w["bias"].ravel()])
    p = panel.plotted()
    np.testing.assert_array_equal(p["counts"], _expected(both).counts)
    assert p["zeros"] == 1024 and p["stats"]["count"] == 64 * 32 + 32
    # The choice survives a layer without it (batch norm falls back) and comes back after.
    panel.weight_combo.setCurrentText("bias")
    state.select_layer("batch_normalization")
    assert panel.plotted()["weight"] == "gamma"
    state.select_layer("dense")
    assert panel.plotted()["weight"] == "bias"


def test_bins_spin_sets_the_number_of_bins(panel, state, variants):
    state.select_layer("dense")
    panel.bins_spin.setValue(7)
    p = panel.plotted()
    assert len(p["counts"]) == 7
    np.testing.assert_array_equal(
        p["counts"], histogram(variants["cnn-pruned"].weights["dense"]["kernel"], 7).counts
    )


def test_log_toggle_draws_log10_counts(panel, state, variants):
    state.select_layer("dense")
    linear = panel.plotted()
    panel.log_check.setChecked(True)
    p = panel.plotted()
    assert p["log"] and panel.plot.getAxis("left").logMode
    c = linear["counts"]
    expected = np.where(c > 0, np.log10(np.maximum(c, 1)), LOG_BASELINE)
    np.testing.assert_allclose(p["heights"], expected)
    np.testing.assert_array_equal(p["counts"], c)  # recovered from the log bars
    assert p["zeros"] == 1024
    assert panel.plot.vb.viewRange()[1][1] > np.log10(1024)  # in log, nothing is cut
    assert panel.hist.off_scale_text.toPlainText() == ""
    panel.log_check.setChecked(False)
    assert not panel.plot.getAxis("left").logMode
    np.testing.assert_array_equal(panel.plotted()["heights"], c)


# --- overlay ------------------------------------------------------------------------------------
def test_compare_overlays_the_same_layer_on_identical_bins(panel, state, variants):
    state.select_layer("dense")
    combo = [panel.compare_combo.itemText(i) for i in range(panel.compare_combo.count())]
    assert combo == [NO_COMPARE, "cnn-float"]  # the other variants only
    panel.compare_combo.setCurrentIndex(1)
    panel.compare_combo.activated.emit(1)
    p = panel.plotted()
    pruned = variants["cnn-pruned"].weights["dense"]["kernel"]
    dense = variants["cnn-float"].weights["dense"]["kernel"]
    h, hc = shared_histograms(pruned, dense, bins=auto_bins(np.count_nonzero(dense)))
    assert p["compare"] == "cnn-float" and p["compare_layer"] == "dense"
    np.testing.assert_array_equal(p["edges"], p["compare_edges"])
    np.testing.assert_allclose(p["edges"], h.edges)
    np.testing.assert_array_equal(p["counts"], h.counts)
    np.testing.assert_array_equal(p["compare_counts"], hc.counts)
    assert p["compare_zeros"] == 0 and p["zeros"] == 1024
    assert p["compare_counts"].sum() == 2048
    legend = " | ".join(p["legend"])
    assert "cnn-pruned: non-zero" in legend and "cnn-float: non-zero (2\u202f048)" in legend
    # The outline traces the same bins.
    x, y = panel.hist.overlay_outline.getData()
    assert x[0] == h.edges[0] and x[-1] == h.edges[-1] and y.max() == hc.counts.max()
    assert panel.stats_table.columnCount() == 2
    assert panel.stats_table.horizontalHeaderItem(1).text() == "cnn-float"
    assert p["compare_stats"] == weight_stats(dense)

    # Back to nothing.
    panel.set_compare(None)
    p = panel.plotted()
    assert p["compare_counts"] is None and not panel.hist.overlay_bars.isVisible()
    assert panel.stats_table.columnCount() == 1


def test_compare_finds_layers_renamed_by_pruning_wrappers(qtbot):
    float_w = _float_weights(3)
    wrapped = _pruned(float_w, 0.8, prefix="prune_low_magnitude_")
    lvs = {"float": _variant("float", float_w), "pruned": _variant("pruned", wrapped, list(wrapped))}
    st = AppState()
    st.load_variant = lambda name: lvs[name]
    st.set_workspace(_Workspace(list(lvs), selected="pruned"))
    view = WeightsView(st, None)
    qtbot.addWidget(view)
    st.select_layer("prune_low_magnitude_dense")
    view.set_compare("float")
    p = view.plotted()
    assert p["compare_layer"] == "dense"
    assert p["zeros"] == int(0.8 * 2048) and p["compare_counts"].sum() == 2048


def test_match_layer_by_name_prefix_then_position_and_shape():
    a = {"d1": {"kernel": np.zeros((4, 3))}, "d2": {"kernel": np.zeros((3, 2))}}
    assert match_layer("d1", a, {"d1": {}, "x": {}}) == "d1"
    assert (
        match_layer("d2", a, {"prune_low_magnitude_d2": {"kernel": np.zeros((9, 9))}})
        == "prune_low_magnitude_d2"
    )
    renamed = {"dense_7": {"kernel": np.zeros((4, 3))}, "dense_8": {"kernel": np.zeros((3, 2))}}
    assert match_layer("d2", a, renamed) == "dense_8"  # same position, same shapes
    assert match_layer("d2", a, {"dense_7": {}, "dense_8": {"kernel": np.zeros((5, 2))}}) is None
    assert match_layer("d2", a, {"dense_7": {}}) is None


def test_compare_with_a_broken_variant_is_reported_not_raised(panel, state):
    def broken(name):
        raise OSError("file is gone")

    state.load_variant = broken
    panel.set_compare("cnn-float")
    assert "file is gone" in panel.notice.text()
    assert panel.plotted()["compare_counts"] is None


# --- fixed point --------------------------------------------------------------------------------
def test_representable_fraction_and_range_match_core(panel, state, variants):
    state.select_layer("dense")
    kernel = variants["cnn-pruned"].weights["dense"]["kernel"]
    assert (panel.width_spin.value(), panel.integer_spin.value()) == (16, 6)  # hls4ml's default
    p = panel.plotted()
    fmt = FixedPointFormat(16, 6)
    assert p["format"] == fmt and p["range"] == (fmt.min, fmt.max) == (-32.0, 32.0 - 2**-10)
    assert p["fraction_representable"] == representable_fraction(kernel, fmt) == 1.0

    # A tight format: some weights overflow, some flush to zero.
    panel.width_spin.setValue(6)
    panel.integer_spin.setValue(-1)  # range [-0.25, 0.2421875], step 2^-7
    panel.rounding_combo.setCurrentText("RND")
    panel.overflow_combo.setCurrentText("SAT")
    fmt = FixedPointFormat(6, -1, rounding="RND", overflow="SAT")
    p = panel.plotted()
    report = quantization_report(kernel, fmt)
    assert p["format"] == fmt and p["report"] == report
    assert 0 < report["overflow"] and 0 < p["fraction_representable"] < 1
    assert p["fraction_representable"] == pytest.approx(representable_fraction(kernel, fmt))
    assert p["range"] == (-0.25, 0.25 - 2**-7)
    assert panel.hist.min_line.value() == -0.25 and panel.hist.max_line.value() == 0.25 - 2**-7
    assert f"{100 * report['representable_fraction']:.2f} %" in panel.format_label.text()
    assert panel.zones.flush_region.getRegion() == fmt.flush_interval
    # The range's ends lie within the weights' span: both are in view.
    xmin, xmax = panel.plot.vb.viewRange()[0]
    assert xmin < -0.25 and 0.25 < xmax
    labels = [panel.stats_table.verticalHeaderItem(r).text() for r in range(panel.stats_table.rowCount())]
    assert panel.stats_table.item(labels.index("overflow"), 0).text() == str(report["overflow"])

    # An impossible combination is explained, not raised.
    panel.rounding_combo.setCurrentText("TRN")
    panel.overflow_combo.setCurrentText("WRAP_SM")
    p = panel.plotted()
    assert p["format"] is None and p["fraction_representable"] is None and p["range"] is None
    assert "WRAP_SM" in panel.format_label.text()
    np.testing.assert_array_equal(p["counts"], _expected(kernel).counts)  # the histogram stays


# --- all layers ---------------------------------------------------------------------------------
def test_grid_has_one_small_plot_per_weight_layer(qtbot, panel, state, variants):
    panel.show_all_layers(True)
    plots = panel.grid_plots()
    assert list(plots) == WEIGHT_LAYERS
    for layer, pi in plots.items():
        kind, values = layer_values(variants["cnn-pruned"].weights[layer], "kernel")
        title = pi.titleLabel.text
        assert layer in title and f"{100 * np.mean(values == 0):.1f} % zeros" in title
        bars = [it for it in pi.items if it.__class__.__name__ == "BarGraphItem"]
        heights = [np.asarray(b.opts["height"]) for b in bars]
        assert any(np.array_equal(hh, _expected(values).counts) for hh in heights), layer
    assert "50.0 % zeros" in plots["dense"].titleLabel.text
    assert "all weights" in plots["batch_normalization"].titleLabel.text  # no kernel: everything

    # A click on a small plot selects its layer; a double click opens it in the Layer tab.
    target = plots["dense_1"]
    event = SimpleNamespace(scenePos=lambda: target.sceneBoundingRect().center(), double=lambda: True)
    panel.grid_tab._on_click(event)
    assert state.layer == "dense_1" and panel.tabs.currentWidget() is panel.layer_tab
    assert "font-weight:bold" in panel.grid_plots()["dense_1"].titleLabel.text


def test_grid_follows_compare_and_variant(panel, state, variants):
    panel.set_compare("cnn-float")
    panel.show_all_layers(True)
    assert "cnn-float" in panel.grid_tab.hint.text()
    dense = panel.grid_plots()["dense"]
    assert any(it.__class__.__name__ == "PlotDataItem" for it in dense.vb.addedItems)  # the outline
    state.select_variant("cnn-float")  # compare == current now: the overlay goes away
    assert panel.compare_combo.currentText() == NO_COMPARE
    assert panel.plotted()["compare"] is None
    assert "0.0 % zeros" in panel.grid_plots()["dense"].titleLabel.text


def test_layer_without_weights_says_so(panel, state):
    state.select_layer("flatten")
    assert panel.plotted() == {}
    assert "has no weights" in panel.hist.message_text.toPlainText()
    assert panel.layer_combo.currentIndex() == -1
    state.select_layer("dense")
    assert panel.plotted()["layer"] == "dense" and panel.hist.message_text.toPlainText() == ""


def test_workspace_closed_clears_the_view(panel, state):
    state.set_workspace(None)
    assert panel.plotted() == {} and panel.hist.message_text.toPlainText() == "No model loaded"
    assert panel.compare_combo.count() == 1


# --- a real model -------------------------------------------------------------------------------
def test_real_keras_model_from_a_workspace(qtbot, tmp_path):
    from core.models import weight_arrays
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits")
    st = AppState()
    view = WeightsView(st, None)
    qtbot.addWidget(view)
    st.set_workspace(ws)
    p = view.plotted()
    weights = weight_arrays(st.current.model)
    assert p["layer"] == next(iter(weights)) == st.layer
    np.testing.assert_array_equal(p["counts"], _expected(weights[st.layer]["kernel"]).counts)
    assert list(view.grid_plots()) == list(weights)


# --- issue 12, point 6: the legend never covers bars ---------------------------------------------
@pytest.mark.parametrize("log", [False, True])
def test_the_legend_sits_above_the_tallest_bar(qtbot, panel, state, log):
    panel.resize(700, 420)  # a projector's share of the window: a short plot
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_compare("cnn-float")
    panel.log_check.setChecked(log)
    state.select_layer("dense")
    qtbot.wait(50)
    vb = panel.plot.vb
    assert panel.legend.items and vb.height() > 0
    legend_in_data = vb.mapSceneToView(panel.legend.sceneBoundingRect()).boundingRect()
    bars = [panel.hist.bars, panel.hist.zero_bar, panel.hist.overlay_bars, panel.hist.overlay_zero_bar]
    tallest = max(b.boundingRect().bottom() for b in bars if b.isVisible())  # data y grows upwards
    tallest = min(tallest, panel.hist._count_range[1])  # a zero spike far above the rest is cut there
    assert min(legend_in_data.top(), legend_in_data.bottom()) > tallest
    panel.resize(700, 300)  # shorter still: the legend takes a bigger share, the bars step down
    qtbot.wait(50)
    legend_in_data = vb.mapSceneToView(panel.legend.sceneBoundingRect()).boundingRect()
    assert (
        min(legend_in_data.top(), legend_in_data.bottom()) > tallest * (1 - 1e-9)
        or panel.hist.headroom == 0.6
    )
