"""The Compare view: table, Pareto scatter, selection, axis choice and exports on a tiny workspace."""

from __future__ import annotations

import csv
import math

import pytest
from PySide6.QtCore import Qt

from app.jobs import JobManager
from app.panels.compare_table import ROW_KEYS, fmt_int
from app.panels.compare_view import CompareView
from app.state import AppState
from core.metrics.pareto import pareto_front

# Realistic hands-on 1 numbers, set by hand; None = not measured (an older variant has no BOPs).
_KEYS = (
    "val_accuracy",
    "params",
    "nonzero",
    "sparsity",
    "size_sparse",
    "size_gzip",
    "size_quantized",
    "macs",
    "bops",
    "energy_pj_estimate",
    "bits_max",
)
_TABLE = [
    ("base", None, "train", (0.978, 3658, 3658, 0.0, 21480, 13129, 14632, 101000, 27.8e6, 134800.0, 32)),
    ("pruned", "base", "prune", (0.969, 3658, 732, 0.8, 4392, 3900, 3660, 101000, 7.2e6, 30100.0, 32)),
    ("int8", "pruned", "quantize", (0.967, 3658, 732, 0.8, 4392, 3870, 1464, 101000, 1.9e6, 4200.0, 8)),
    ("q4", "base", "qkeras", (0.955, 3658, 3500, 0.04, 21000, 12000, 1829, 101000, 2.4e6, 9800.0, 4)),
    ("ternary", "q4", "qkeras", (0.902, 3658, 3400, 0.07, 21000, 9000, 915, 101000, 1.1e6, 7300.0, 2)),
    ("old", "base", "lowrank", (0.971, 2100, 2100, 0.0, 12400, 7700, None, 60000, None, None, None)),
]  # fmt: skip
VARIANTS = [
    (name, parent, op, {k: v for k, v in zip(_KEYS, values) if v is not None})
    for name, parent, op, values in _TABLE
]


@pytest.fixture
def workspace(tmp_path):
    import tensorflow as tf

    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "compare test")
    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(3)])
    for name, parent, op, metrics in VARIANTS:
        ws.add_variant(model, name, parent=parent, operation=op, metrics=metrics, dataset="digits")
    return ws


@pytest.fixture
def view(qtbot, workspace):
    state, jobs = AppState(), JobManager()
    panel = CompareView(state, jobs)
    qtbot.addWidget(panel)
    panel.resize(1100, 800)
    panel.show()
    state.set_workspace(workspace)
    yield panel
    jobs.shutdown(timeout=10)


def _spots(scatter):
    return {p.data(): (p.pos().x(), p.pos().y()) for p in scatter.points()}


def test_table_has_one_row_per_variant(view):
    rows = view.table_rows()
    assert [r["name"] for r in rows] == [v[0] for v in VARIANTS]
    assert view.table.rowCount() == len(VARIANTS)
    by_name = {r["name"]: r for r in rows}
    assert by_name["pruned"]["parent"] == "base" and by_name["pruned"]["operation"] == "prune"
    assert by_name["pruned"]["task_metric"] == "val_accuracy"
    assert by_name["pruned"]["sparsity"] == pytest.approx(0.8)
    assert by_name["int8"]["size_quantized_bytes"] == 1464
    assert by_name["old"]["bops"] is None  # measured before BOPs existed
    # ... and shows as a dash; kB and % columns are scaled.
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "old")
    assert view.table.item(row, headers.index("BOPs (10⁶)")).text() == "—"
    assert view.table.item(row, headers.index("gzip (kB)")).text() == "7.70"
    assert view.table.item(row, headers.index("Accuracy (%)")).text() == "97.1"
    assert view.table.isColumnHidden(headers.index("Latency est. (ns)"))  # nobody has one


def test_table_sorts_numerically(view):
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    view.table.sortByColumn(headers.index("gzip (kB)"), Qt.AscendingOrder)
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert names == ["int8", "pruned", "old", "ternary", "q4", "base"]


def test_default_axes_and_front_match_pareto_front(view):
    p = view.plotted()
    # 5 of 6 variants have BOPs, all have gzip sizes: X defaults to the cost most variants have.
    assert p["x_key"] == "size_gzip" and p["y_key"] == "val_accuracy"
    assert p["names"] == [v[0] for v in VARIANTS]
    assert p["x"] == pytest.approx([v[3]["size_gzip"] / 1000 for v in VARIANTS])
    assert p["y"] == pytest.approx([100 * v[3]["val_accuracy"] for v in VARIANTS])
    expected = pareto_front(list(zip(p["x"], p["y"])), maximize=(False, True))
    assert p["front_names"] == [p["names"][i] for i in expected] == ["int8", "pruned", "old", "base"]
    # Drawn: front points as diamonds, the rest as circles, a line through the front in x order.
    assert set(_spots(view.front_scatter)) == set(p["front_names"])
    assert set(_spots(view.scatter)) == {"q4", "ternary"}
    assert sorted(view._labels) == sorted(p["names"])  # every point is named
    xs, ys = view.front_line.getData()
    assert list(xs) == pytest.approx([math.log10(p["x"][p["names"].index(n)]) for n in p["front_names"]])
    assert list(ys) == pytest.approx([p["y"][p["names"].index(n)] for n in p["front_names"]])


def test_clicking_a_point_selects_the_variant(view):
    state = view.state
    assert state.current.name == "old"  # the workspace's last variant
    point = next(pt for pt in view.scatter.points() if pt.data() == "q4")
    view.scatter.sigClicked.emit(view.scatter, [point], None)
    assert state.current.name == "q4"
    # The current variant is ringed in the plot and selected in the table.
    (ring,) = view.current_marker.points()
    assert (ring.pos().x(), ring.pos().y()) == pytest.approx(_spots(view.scatter)["q4"])
    selected = view.table.selectionModel().selectedRows()
    assert [view.table.item(i.row(), 0).text() for i in selected] == ["q4"]
    front_point = next(pt for pt in view.front_scatter.points() if pt.data() == "int8")
    view.front_scatter.sigClicked.emit(view.front_scatter, [front_point], None)
    assert state.current.name == "int8"


def test_selecting_a_row_selects_the_variant(view):
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "ternary")
    view.table.selectRow(row)
    assert view.state.current.name == "ternary"


def test_changing_an_axis_replots_and_drops_variants_without_it(view, qtbot):
    view.set_axes(x="bops")
    p = view.plotted()
    assert p["x_key"] == "bops" and "old" not in p["names"] and p["missing"] == ["old"]
    assert p["x"] == pytest.approx([v[3]["bops"] / 1e6 for v in VARIANTS if "bops" in v[3]])
    assert p["front_names"] == ["ternary", "int8", "pruned", "base"]  # q4: bigger and worse than int8
    assert "old" in view.note.text() and view.note.isVisible()
    # Through the menu, as a user does; the choice survives a refresh.
    view.y_combo.setCurrentIndex(view.y_combo.findData("energy_pj_estimate"))
    view.y_combo.activated.emit(view.y_combo.currentIndex())
    assert view.plotted()["y_key"] == "energy_pj_estimate"
    assert view.plotted()["front_names"] == ["ternary", "int8"]  # both axes: lower is better
    view.state.notify_variants_changed()
    assert (view.plotted()["x_key"], view.plotted()["y_key"]) == ("bops", "energy_pj_estimate")
    # Linear x: the points sit at their values, not their logarithms.
    view.log_x.setChecked(False)
    assert not view.plotted()["log_x"]
    assert _spots(view.front_scatter)["ternary"][0] == pytest.approx(1.1)
    view.log_y.setChecked(True)
    assert view.plotted()["log_y"] and view.plotted()["y"][0] == pytest.approx(134.8)  # nJ, untransformed
    assert _spots(view.front_scatter)["ternary"][1] == pytest.approx(math.log10(7.3))


def test_refreshes_when_variants_change(view, workspace):
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(3)])
    workspace.add_variant(
        model, "tiny", parent="base", operation="distill", metrics={"val_accuracy": 0.99, "size_gzip": 1000}
    )
    view.state.notify_variants_changed()
    assert len(view.table_rows()) == len(VARIANTS) + 1
    assert view.plotted()["front_names"] == ["tiny"]  # smallest and most accurate: dominates all


def test_csv_export(view, tmp_path):
    path = view.export_csv(tmp_path / "variants.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(ROW_KEYS)  # no trigger numbers yet: no per-threshold keys
    assert len(rows) == 1 + len(VARIANTS)
    got = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert float(got["int8"]["bops"]) == pytest.approx(1.9e6)
    assert int(got["int8"]["size_gzip_bytes"]) == 3870
    assert float(got["pruned"]["task_value"]) == pytest.approx(0.969)
    assert got["old"]["bops"] == ""  # missing stays empty


def test_plot_exports_png_and_svg(view, tmp_path):
    png = view.export_plot(tmp_path / "pareto.png", width=800)
    svg = view.export_plot(tmp_path / "pareto.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "base" in text  # labels are in the vector file


def test_empty_state(qtbot):
    state = AppState()
    panel = CompareView(state)
    qtbot.addWidget(panel)
    assert panel.table_rows() == [] and panel.plotted()["names"] == []
    assert panel.table.rowCount() == 0


# --- issue 15: the classical trigger and the trigger columns ---------------------------------------
TRIGGER_METRICS = {
    "plateau_10": 0.981,
    "plateau_err_10": 0.004,
    "pt90_10": 12.34,
    "rate_ratio_10": 0.62,
    "plateau_20": 0.975,
    "pt90_20": 24.1,
    "rate_ratio_20": 0.55,
    "rate_ratio_err_20": 0.04,
    "lut_estimate": 12345,
    "dsp_estimate": 67,
    "latency_ns_estimate": 170.0,
    "latency_cycles_estimate": 34,
    "ii_estimate": 30,
    "clock_ns_estimate": 5.0,
}


@pytest.fixture
def trigger_view(qtbot, view, workspace):
    """The view with the trigger numbers on 'q4' (an hls4ml estimate of 34 cycles of latency and
    II 30 cycles at 5 ns, as the hands-on 2 student's defaults) and a baseline."""
    from baseline_stub import add_fake_baseline

    workspace.update_metrics("q4", TRIGGER_METRICS)
    add_fake_baseline(workspace, "roads-0.9", dataset="digits")
    workspace.update_metrics("roads-0.9", {"plateau_10": 0.978, "pt90_10": 11.2, "rate_ratio_10": 1.0})
    view.state.notify_variants_changed()
    return view


def _cells(view, name):
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == name)
    return {
        h: (view.table.item(row, c).text() if view.table.item(row, c) else None)
        for c, h in enumerate(headers)
    }


def test_trigger_columns_per_threshold_and_timing_in_bx(trigger_view):
    view = trigger_view
    q4 = _cells(view, "q4")
    assert q4["Plateau @10 (%)"] == "98.1" and q4["Plateau @20 (%)"] == "97.5"
    assert q4["pT90 @10 (GeV)"] == "12.3" and q4["Rate vs classical @20"] == "0.55"
    assert q4["FPGA est. (LUT / DSP)"] == f"{fmt_int(12345)} / 67"
    assert q4["Latency (BX)"] == "≈ 6.8"  # an estimate says so
    assert q4["II (BX)"] == "≈ 6 ⚠"  # cannot take every crossing: flagged
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    # the trigger columns come right after the task metric, the hardware ones last
    assert headers.index("Plateau @10 (%)") == headers.index("Accuracy (%)") + 1
    assert headers[-3:] == ["FPGA est. (LUT / DSP)", "Latency (BX)", "II (BX)"]
    ii = headers.index("II (BX)")
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "q4")
    assert "25 ns" in view.table.item(row, ii).toolTip()
    # a variant without the numbers: dashes
    assert _cells(view, "base")["Plateau @10 (%)"] == "—"
    by_name = {r["name"]: r for r in view.table_rows()}
    assert by_name["q4"]["rate_ratio_20"] == 0.55 and by_name["q4"]["every_bx"] is False


def test_baseline_is_listed_with_its_network_columns_blank(trigger_view, tmp_path):
    view = trigger_view
    roads = _cells(view, "roads-0.9")
    assert roads["Operation"] == "baseline"
    assert roads["Plateau @10 (%)"] == "97.8" and roads["Rate vs classical @10"] == "1.00"
    for network_only in ("Params", "BOPs (10⁶)", "Accuracy (%)", "FPGA est. (LUT / DSP)", "II (BX)"):
        assert roads[network_only] == "", network_only  # blank, not "0" nor "—"
    # the CSV has the trigger keys too
    path = view.export_csv(tmp_path / "v.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {r["name"]: r for r in rows}
    assert float(got["q4"]["rate_ratio_20"]) == pytest.approx(0.55)
    assert got["roads-0.9"]["baseline"] == "True" and got["roads-0.9"]["params"] == ""


def test_selecting_the_baseline_row_loads_no_network(trigger_view):
    view = trigger_view
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "roads-0.9")
    view.table.selectRow(row)
    assert view.state.current is None and view.state.selected == "roads-0.9"
    assert view.table.selectionModel().selectedRows()[0].row() == row
