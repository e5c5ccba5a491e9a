"""Projector-layout fixes (issue 12, points 6-8): docks that hide and come back, honest job bars
and log text, whole precisions and metrics, Bits/Quantizer of fixed-point variants, a graph that
says when no browser opens."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from app.jobs import CANCELLED, DONE, JobManager


# --- point 7: docks ------------------------------------------------------------------------------
def test_each_dock_hides_and_comes_back_from_the_view_menu_and_stays_so(qtbot, main_window):
    from app.main_window import MainWindow, app_settings

    win = main_window
    docks = (win.variants_dock, win.jobs_dock, win.walkthrough_dock)
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.menu() and "View" in a.text())
    for dock in docks:
        toggle = dock.toggleViewAction()
        assert toggle in view_menu.actions()
        assert toggle.isEnabled(), f"{dock.objectName()}: its View menu toggle is greyed out"
        if not dock.isVisible():
            toggle.trigger()
        assert dock.isVisible() and toggle.isChecked()
        toggle.trigger()
        assert not dock.isVisible() and not toggle.isChecked()
        toggle.trigger()
        assert dock.isVisible()

    # Hidden docks stay hidden in the next session (saved with the window's geometry).
    win.jobs_dock.toggleViewAction().trigger()
    assert not win.jobs_dock.isVisible()
    win.close()
    again = MainWindow(settings=app_settings())
    qtbot.addWidget(again)
    again.show()
    try:
        assert not again.jobs_dock.isVisible()
        assert again.variants_dock.isVisible()
        again.jobs_dock.toggleViewAction().trigger()
        assert again.jobs_dock.isVisible()
    finally:
        again.close()


# --- point 8: the job dock -----------------------------------------------------------------------
def _stops_when_cancelled(progress):
    """Like a training job: progress, then on cancel a last update(1.0, "cancelled") and a result."""
    progress.update(0.3, "epoch 3 of 10")
    while not progress.cancelled:
        threading.Event().wait(0.01)
    progress.update(1.0, "cancelled")
    return "partly trained"


def _quiet(progress):
    progress.update(0.5, "half way")
    return 1


def test_a_cancelled_job_bar_shows_where_it_stopped(qtbot):
    from app.panels.job_dock import JobDock

    jobs = JobManager()
    dock = JobDock(None, jobs)
    qtbot.addWidget(dock)
    job = jobs.submit("Train cnn", _stops_when_cancelled)
    qtbot.waitUntil(lambda: job.fraction > 0.2, timeout=10_000)
    job.cancel()
    qtbot.waitUntil(lambda: job.status == CANCELLED, timeout=10_000)
    job.wait(10)
    _, item, bar, cancel = dock._rows[id(job)]
    assert bar.value() == 300
    assert bar.text() == "cancelled at 30 %"
    assert item.text(2) == "cancelled" and item.text(0) == "Train cnn"
    assert not cancel.isEnabled()


def test_the_log_of_a_silent_job_reads_as_one_sentence(qtbot):
    from app.panels.job_dock import JobDock

    jobs = JobManager()
    dock = JobDock(None, jobs)
    qtbot.addWidget(dock)
    job = jobs.submit("Load TensorFlow", _quiet)
    qtbot.waitUntil(lambda: job.status == DONE, timeout=10_000)
    job.wait(10)
    dock.tree.setCurrentItem(dock._rows[id(job)][1])
    dock._on_status(job)
    assert dock.log.placeholderText() == "Load TensorFlow is done; it wrote no log output."
    _, item, bar, _ = dock._rows[id(job)]
    assert bar.value() == 1000 and bar.text() == "100 %"


# --- point 6: whole numbers ----------------------------------------------------------------------
def test_precisions_show_whole_in_a_narrow_layer_table(qtbot):
    from app.panels.hls_layers import FIELDS, LayerTable

    table = LayerTable()
    qtbot.addWidget(table)
    table.resize(420, 200)
    table.show()
    rows = [
        {
            "name": "conv2d_with_a_long_name",
            "class_name": "Conv2D",
            "weight": "ap_fixed<16,6>",
            "bias": "ap_fixed<16,6>",
            "result": "ap_fixed<18,8,AP_RND,AP_SAT>",
            "accum": "ap_fixed<32,12>",
            "reuse_factor": 1,
            "strategy": "Latency",
        }
    ]
    table.set_rows(rows)
    qtbot.wait(10)
    fm = table.fontMetrics()
    for field in ("weight", "bias", "result", "accum"):
        c = FIELDS.index(field)
        text = rows[0][field]
        assert table.item(0, c).text() == text
        assert table.columnWidth(c) >= fm.horizontalAdvance(text), f"{field} is cut off"
        assert text in table.item(0, c).toolTip().replace("&lt;", "<").replace("&gt;", ">")
    assert table.textElideMode() == Qt.ElideMiddle


def test_variant_parameters_read_as_text_not_json():
    from app.panels.variants_panel import params_text

    assert (
        params_text({"width": 8, "per_layer": {}, "integer": "auto"})
        == "width = 8; per_layer = —; integer = auto"
    )
    assert params_text({"per_layer": {"fc1": "ap_fixed<6,1>"}}) == "per_layer = fc1: ap_fixed<6,1>"
    assert params_text({}) == "—"


def test_the_accuracy_stays_in_sight_in_a_narrow_variants_dock(qtbot, main_window, demo_workspace):
    win = main_window
    win.start(workspace=str(demo_workspace.root))
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=120_000)
    tree = win.variants_panel.tree
    header = tree.header()
    assert header.visualIndex(2) == 1  # task metric right after the name
    win.resizeDocks([win.variants_dock], [260], Qt.Horizontal)
    qtbot.wait(50)
    metric_right = header.sectionViewportPosition(2) + header.sectionSize(2)
    assert metric_right <= tree.viewport().width(), "the accuracy column is cut off at 260 px"
    item = tree.topLevelItem(0).child(0)
    assert "acc" in item.text(2) and item.text(2) in item.toolTip(2)
    assert item.text(2).endswith("%")


# --- point 8: Model table of a fixed-point variant ------------------------------------------------
def test_model_table_fills_bits_and_quantizer_of_a_fixed_point_variant(qtbot, main_window, demo_workspace):
    from app.panels.model_view import COLUMNS
    from core.compress.apply import compress_variant

    src = next(v.name for v in demo_workspace.variants.values() if v.operation == "train")
    fixed = compress_variant(demo_workspace, src, "fixed_point", {"width": 6, "integer": "auto"})
    formats = fixed.params["formats"]
    win = main_window
    win.start(workspace=str(demo_workspace.root))
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=120_000)
    win.state.select_variant(fixed.name)
    table = win.model_view.table
    bits_col, quant_col = COLUMNS.index("Bits"), COLUMNS.index("Quantizer")
    shown = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert formats
    for layer, per_tensor in formats.items():
        r = shown[layer]
        assert table.item(r, bits_col).text() == "6"
        quant = table.item(r, quant_col).text()
        assert all(f in quant for f in set(per_tensor.values())), quant
        assert table.columnWidth(quant_col) >= table.fontMetrics().horizontalAdvance(quant), "cut off"
        assert quant in table.item(r, quant_col).toolTip()
        assert "fixed_point" in table.item(r, bits_col).toolTip()
    # Layers without weights stay empty (nothing was quantized there).
    plain = [r for name, r in shown.items() if name not in formats]
    assert plain and all(table.item(r, bits_col).text() == "" for r in plain)


# --- point 8: no browser -------------------------------------------------------------------------
def test_open_in_browser_says_so_when_no_browser_opens(qtbot, monkeypatch, demo_workspace):
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    from app.panels import netron_view
    from app.state import AppState

    monkeypatch.setattr(netron_view, "_load_webengine", lambda: None)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or False)
    view = netron_view.NetronView(AppState(), JobManager())
    qtbot.addWidget(view)
    try:
        model = demo_workspace.path_of(next(iter(demo_workspace.variants)))
        url = view.show_model(model)
        assert url
        with qtbot.waitSignal(view.error, timeout=5000) as blocker:
            view.open_in_browser()
        title, message = blocker.args
        assert opened == [url]
        assert "browser" in title.lower() and url in message
        assert QGuiApplication.clipboard().text() == url
        assert url in view.info.text()
    finally:
        view.shutdown()
