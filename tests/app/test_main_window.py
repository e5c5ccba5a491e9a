"""The main window as a user meets it (offscreen)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest


def _wait_jobs(qtbot, win, timeout=120_000):
    qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=timeout)


def _open(qtbot, win, ws):
    win.start(workspace=str(ws.root))
    _wait_jobs(qtbot, win)
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=30_000)


def test_window_opens_on_the_demo(qtbot, main_window, demo_workspace):
    win = main_window
    _open(qtbot, win, demo_workspace)
    assert win.ml_ready and win.ml_label.text().startswith("TensorFlow 2.14")
    lv = win.state.current
    assert lv.name == demo_workspace.ui["selected_variant"]
    assert win.model_view.table.rowCount() == len(lv.summary.layers) == 11
    assert "Total" in win.model_view.totals.text()
    assert lv.name in win.windowTitle()
    names = {
        win.variants_panel.tree.topLevelItem(0).text(0),
        win.variants_panel.tree.topLevelItem(0).child(0).text(0),
    }
    assert names == {"handson_cnn-init", "handson_cnn"}
    assert "acc" in win.variants_panel.tree.topLevelItem(0).child(0).text(2)


def test_selecting_a_layer_row_selects_it_everywhere(qtbot, main_window, demo_workspace):
    win = main_window
    _open(qtbot, win, demo_workspace)
    seen = []
    win.state.layer_selected.connect(seen.append)
    row = [win.model_view.table.item(r, 0).text() for r in range(win.model_view.table.rowCount())].index(
        "fc1"
    )
    win.model_view.table.selectRow(row)
    assert win.state.layer == "fc1" and seen[-1] == "fc1"
    data = win.panels["weights"].plotted()
    kernel = win.state.current.weights["fc1"]["kernel"]
    assert int(np.sum(data["counts"])) + int(data["zeros"]) == kernel.size


def test_corrupt_file_shows_an_error_and_leaves_the_workspace_intact(
    qtbot, main_window, demo_workspace, tmp_path
):
    win = main_window
    _open(qtbot, win, demo_workspace)
    manifest_before = (demo_workspace.root / "triglab.json").read_text()
    current = win.state.current.name
    bad = tmp_path / "corrupt.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(500))
    job = win.open_model_file(str(bad))
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    job.wait(10)
    qtbot.waitUntil(lambda: win.last_error is not None, timeout=5_000)
    title, message = win.last_error
    assert "Cannot open model" in title and "corrupt.h5" in message
    assert (demo_workspace.root / "triglab.json").read_text() == manifest_before
    assert win.state.current.name == current
    assert len(win.state.workspace.variants) == 2


def test_untrusted_lambda_model_offers_trust_explicitly(qtbot, main_window, demo_workspace, tmp_path):
    import tensorflow as tf

    win = main_window
    _open(qtbot, win, demo_workspace)
    m = tf.keras.Sequential(
        [tf.keras.layers.Input((3,)), tf.keras.layers.Lambda(lambda x: x * 2, name="doubler")]
    )
    path = tmp_path / "lam.h5"
    m.save(path)
    job = win.open_model_file(str(path))
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    qtbot.waitUntil(lambda: win.last_error is not None, timeout=5_000)
    assert "doubler" in win.last_error[1]
    assert len(win.state.workspace.variants) == 2
    # The user explicitly trusts it in the dialog: it opens as a new variant.
    [trust_btn] = [b for b in win.trust_box.buttons() if b.text().startswith("Trust this file")]
    trust_btn.click()
    qtbot.waitUntil(lambda: win.state.current is not None and win.state.current.name == "lam", timeout=30_000)
    # Remembered for this exact file (and the variant's copy) outside the workspace, not in the manifest.
    from core.models import trust

    assert trust.is_trusted(path) and trust.is_trusted(win.state.workspace.path_of("lam"))
    assert "trusted" not in win.state.workspace["lam"].params
    assert win.state.workspace.load_model("lam").get_layer("doubler") is not None
    job3 = win.open_model_file(str(path))  # the same file again: no question asked
    qtbot.waitUntil(lambda: not job3.is_active(), timeout=30_000)
    assert job3.exception is None and len(win.state.workspace.variants) == 4


def test_rename_delete_export_variant(qtbot, main_window, demo_workspace, tmp_path):
    win = main_window
    _open(qtbot, win, demo_workspace)
    vp = win.variants_panel
    win.state.select_variant("handson_cnn")
    vp._highlight("handson_cnn")
    vp.rename("cnn-trained")
    assert "cnn-trained" in win.state.workspace.variants
    assert (
        json.loads((demo_workspace.root / "triglab.json").read_text())["variants"][1]["name"] == "cnn-trained"
    )
    vp._highlight("cnn-trained")
    out = tmp_path / "exported.keras"
    vp.export(str(out))
    assert out.exists()
    from core.models import load_model

    x = win.state.workspace.load_model("cnn-trained")
    y = load_model(out)
    inp = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(x.predict(inp, verbose=0), y.predict(inp, verbose=0), rtol=1e-5)
    vp._highlight("cnn-trained")
    vp.delete(confirm=False)
    assert set(win.state.workspace.variants) == {"handson_cnn-init"}
    assert win.state.current.name == "handson_cnn-init"


def test_workspace_and_selection_reopen_as_they_were(qtbot, demo_workspace):
    from app.main_window import MainWindow, app_settings

    win = MainWindow(settings=app_settings())
    qtbot.addWidget(win)
    _open(qtbot, win, demo_workspace)
    win.state.select_variant("handson_cnn-init")
    win.tabs.setCurrentWidget(win.model_view)
    win.close()

    again = MainWindow(settings=app_settings())
    qtbot.addWidget(again)
    again.start()  # no arguments: the last workspace reopens
    _wait_jobs(qtbot, again)
    qtbot.waitUntil(lambda: again.state.current is not None, timeout=30_000)
    assert again.state.workspace.root == demo_workspace.root
    assert again.state.current.name == "handson_cnn-init"
    assert again.tabs.currentWidget() is again.model_view
    again.close()


def test_a_failing_job_does_not_take_the_app_down(qtbot, main_window):
    win = main_window

    def boom(progress=None):
        raise RuntimeError("simulated failure")

    job = win.jobs.submit("Boom", boom)
    qtbot.waitUntil(lambda: job.status == "failed", timeout=10_000)
    job.wait(5)
    assert "simulated failure" in job.error and "Traceback" in job.details
    win.job_dock.tree.setCurrentItem(win.job_dock._rows[id(job)][1])
    assert win.job_dock.copy_btn.isVisibleTo(win.job_dock)
    assert "simulated failure" in win.job_dock.details_text(job)
    assert win.isVisible()


def test_netron_server_answers_on_loopback_and_stops_when_the_window_closes(qtbot, demo_workspace):
    import urllib.error
    import urllib.request

    from app.main_window import MainWindow, app_settings

    win = MainWindow(settings=app_settings())
    qtbot.addWidget(win)
    win.show()
    _open(qtbot, win, demo_workspace)
    graph = win.panels["graph"]
    url = graph.show_model()
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
    win.close()
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(url, timeout=5)
