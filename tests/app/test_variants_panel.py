"""The Variants panel and the app state with a baseline variant (the classical trigger, no network)."""

from __future__ import annotations

from baseline_stub import add_fake_baseline, fake_metrics, trigger_module


def _item(panel, name):
    return panel._items[name]


def test_baseline_listed_with_its_icon_and_selecting_it_loads_no_network(
    qtbot, main_window, demo_workspace, monkeypatch
):
    import app.panels.physics_view as pv

    trigger_module(monkeypatch)
    # the Physics view draws the selected baseline: its metrics job is the contract's dict here
    monkeypatch.setattr(
        pv, "physics_job", lambda ws, names, thr, progress=None: {n: fake_metrics() for n in names}
    )
    add_fake_baseline(demo_workspace, "roads-0.9", dataset="digits")
    win = main_window
    win.start(workspace=str(demo_workspace.root))
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=60_000)
    network = win.state.current.name
    assert network != "roads-0.9"  # the app opens on a network, not on the baseline
    panel = win.variants_panel
    item = _item(panel, "roads-0.9")
    assert not item.icon(0).isNull()
    assert "no network" in item.toolTip(0) and "baseline (roads)" in item.text(1)
    assert _item(panel, network).icon(0).isNull()

    # selecting it: no model loaded, no error, the network views empty, Physics shows it
    win.last_error = None
    panel.tree.setCurrentItem(item)
    assert win.state.current is None and win.state.selected == "roads-0.9"
    assert getattr(win, "last_error", None) is None
    assert panel.selected_name() == "roads-0.9"
    assert not panel.export_action.isEnabled()  # no model file to export
    physics = win.panels["physics"]
    assert "roads-0.9" in physics.checked()
    qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=30_000)
    qtbot.waitUntil(lambda: "roads-0.9" in physics.plotted()["baselines"], timeout=10_000)
    # every view took the empty selection without an error tab or a dialog
    assert win.panel_errors == {} and win.last_error is None

    # back to a network: it loads as before
    panel.tree.setCurrentItem(_item(panel, network))
    assert win.state.current is not None and win.state.current.name == network
    assert panel.export_action.isEnabled()

    # reopened with the baseline selected: the app opens on the newest network
    win.state.select_variant("roads-0.9")
    assert win.state.workspace.ui["selected_variant"] == "roads-0.9"
    win.state.set_workspace(win.state.workspace)
    assert win.state.current is not None and win.state.current.name != "roads-0.9"


def test_deleting_the_selected_baseline_selects_a_network(qtbot, tmp_path):
    import tensorflow as tf

    from app.state import AppState
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    model = tf.keras.Sequential([tf.keras.layers.Input((4,)), tf.keras.layers.Dense(1)])
    ws.add_variant(model, "net", operation="zoo", dataset="muon_rpc")
    add_fake_baseline(ws, "roads-0.9")
    state = AppState()
    changed = []
    state.variant_changed.connect(changed.append)
    state.set_workspace(ws)
    assert state.current.name == "net"
    state.select_variant("roads-0.9")
    assert state.current is None and changed[-1] is None
    state.delete_variant("roads-0.9")
    assert state.current.name == "net" and state.selected == "net"
