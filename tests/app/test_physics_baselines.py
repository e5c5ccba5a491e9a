"""The Physics view with the classical trigger: baselines drawn as references, fitted turn-ons,
the per-threshold table from a metrics dict, the strip-fit limit, "Add classical trigger".

Fast: the results are issue 15's metrics dicts (tests/app/baseline_stub.py), put in the view's
cache as its job would; no network is loaded and nothing is simulated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from baseline_stub import add_fake_baseline, fake_metrics, trigger_module

from app.jobs import JobManager
from app.panels.physics_table import fmt_interval, fmt_pm
from app.panels.physics_view import PhysicsView
from app.state import AppState


@pytest.fixture
def ws(tmp_path):
    from core.workspace import Variant, Workspace

    ws = Workspace.create(tmp_path / "ws", "baselines")
    with ws.transaction():  # a network's entry: its metrics come from the cache, it is never loaded
        ws.variants["student"] = Variant(name="student", file="variants/student.h5", dataset="muon_rpc")
    add_fake_baseline(ws, "roads-0.9")
    return ws


@pytest.fixture
def view(qtbot, ws):
    state, jobs = AppState(), JobManager()
    state.workspace = ws  # no variant selected: nothing to load
    panel = PhysicsView(state, jobs)
    qtbot.addWidget(panel)
    panel.resize(1200, 850)
    panel.show()
    yield panel
    jobs.shutdown(timeout=10)


def _show(view, results: dict) -> None:
    for name, res in results.items():
        view._cache[name] = ((10.0, 20.0), res)
    view.set_checked(list(results))
    view._show(list(results))


def test_baseline_is_drawn_as_a_reference_with_fitted_turn_ons(view):
    net, roads = fake_metrics(shift=-1.0, ratio=0.6), fake_metrics(ratio=1.0)
    _show(view, {"student": net, "roads-0.9": roads})
    drawn = view.plotted()
    assert view.candidates() == ["student", "roads-0.9"]
    assert drawn["baselines"] == {"roads-0.9": "roads"}
    # the fitted curve is drawn over the points: the error function of the fit's numbers
    for name, res in (("student", net), ("roads-0.9", roads)):
        for k in ("10", "20"):
            f, fit = drawn["turn_on"][name][k]["fit"], res["turn_on"][k]["fit"]
            i = int(np.argmin(abs(f["x"] - fit["pt50"])))
            expected = (
                0.5
                * fit["plateau"]
                * (1 + math.erf((f["x"][i] - fit["pt50"]) / (math.sqrt(2) * fit["width"])))
            )
            assert f["y"][i] == pytest.approx(expected, abs=1e-9)
            assert f["y"][-1] == pytest.approx(fit["plateau"], abs=1e-3)
    labels = [label.text for _s, label in view.legends["turn_on"].items]
    assert sum("classical trigger (roads-0.9)" in t for t in labels) == 2
    assert len(labels) == 4
    # the road trigger has no resolution to show; the strip-fit limit is the reference line
    assert set(drawn["resolution"]) == {"student"}
    np.testing.assert_allclose(drawn["resolution_limit"]["y"], net["resolution_limit"]["bin_robust"])
    assert any("strip-fit limit" in label.text for _s, label in view.legends["resolution"].items)


def test_table_values_come_from_the_metrics_dict(view):
    net = fake_metrics(ratio=0.62)
    _show(view, {"student": net, "roads-0.9": fake_metrics(ratio=1.0)})
    rows = view.plotted()["table"]
    assert [(r["variant"], r["threshold"]) for r in rows] == [
        ("student", "10"),
        ("student", "20"),
        ("roads-0.9", "10"),
        ("roads-0.9", "20"),
    ]
    r20 = rows[1]
    assert r20["plateau"] == net["plateau_20"] and r20["plateau_err"] == net["plateau_err_20"]
    assert r20["pt90"] == net["pt90_20"] and r20["pt90_err"] == net["pt90_err_20"]
    assert r20["rate_ratio"] == 0.62 and r20["rate_ratio_err"] == 0.05
    assert (r20["fake_rate"], r20["fake_lo"], r20["fake_hi"]) == (0.0003, 0.0001, 0.0007)
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    col = {h: c for c, h in enumerate(headers)}
    cell = lambda r, h: view.table.item(r, col[h]).text()  # noqa: E731
    assert cell(1, "Plateau eff.") == fmt_pm(0.98, 0.004, 100, "%")
    assert "±" in cell(1, "Plateau eff.") and "±" in cell(1, "pT90 (GeV)")
    assert cell(1, "pT90 (GeV)") == fmt_pm(net["pt90_20"], 0.21)
    assert cell(1, "Rate vs classical") == fmt_pm(0.62, 0.05)
    assert cell(1, "Fake rate (noise)") == fmt_interval(0.0003, 0.0001, 0.0007)
    assert "[" in cell(1, "Fake rate (noise)")
    # the resolution once per variant, never for the road trigger
    assert rows[0]["pt_resolution_robust"] == 0.2 and "pt_resolution_robust" not in rows[1]
    assert cell(2, "σ(pT)/pT robust") == "—"


def test_a_failed_fit_keeps_the_binned_points(view):
    _show(view, {"student": fake_metrics(fit=False)})
    curve = view.plotted()["turn_on"]["student"]["10"]
    assert curve["fit"] is None and len(curve["y"]) > 10
    row = view.plotted()["table"][0]
    assert row["pt50"] is not None and row["pt50_err"] is None  # the binned crossing, no error


def test_results_without_the_new_keys_still_draw(view):
    """A result from before issue 15 (no fit, no rates): drawn, "—" in the new columns."""
    old = fake_metrics()
    for k in ("10", "20"):
        old["turn_on"][k].pop("fit")
        for q in ("plateau", "plateau_err", "pt50_err", "pt90_err", "rate_ratio", "rate_ratio_err"):
            old.pop(f"{q}_{k}")
    old.pop("resolution_limit")
    _show(view, {"student": old})
    assert view.plotted()["resolution_limit"] is None
    assert view.plotted()["turn_on"]["student"]["20"]["fit"] is None
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert view.table.item(0, headers.index("Rate vs classical")).text() == "—"


def test_add_classical_trigger_submits_a_job_and_draws_it(qtbot, view, ws, monkeypatch):
    import app.panels.physics_view as pv

    added: list = []
    trigger_module(monkeypatch, added)
    monkeypatch.setattr(
        pv, "physics_job", lambda ws, names, thr, progress=None: {n: fake_metrics() for n in names}
    )
    view._cache["student"] = ((10.0, 20.0), fake_metrics())
    view.set_checked(["student"])
    assert view.plateau_spin.value() == pytest.approx(0.9)
    view.plateau_spin.setValue(0.95)
    view.thresholds_edit.setText("10, 20")
    assert view.add_classical_btn.isEnabled()
    job = view.add_classical()
    assert job is not None
    qtbot.waitUntil(lambda: not job.is_active(), timeout=10_000)
    assert job.status == "done", job.error
    assert added == [{"kind": "roads", "dataset": "muon_rpc", "plateau": 0.95, "thresholds": (10.0, 20.0)}]
    qtbot.waitUntil(lambda: "roads-0.95" in view.plotted()["baselines"], timeout=10_000)
    assert view.checked() == ["student", "roads-0.95"]
    assert ws["roads-0.95"].operation == "baseline"


def test_selecting_a_baseline_shows_it_in_physics(qtbot, view, ws, monkeypatch):
    import app.panels.physics_view as pv

    trigger_module(monkeypatch)
    calls = []

    def job(ws, names, thr, progress=None):
        calls.append(list(names))
        return {n: fake_metrics() for n in names}

    monkeypatch.setattr(pv, "physics_job", job)
    view.set_checked([])
    view.state.select_variant("roads-0.9")  # loads nothing: it has no network
    assert view.state.current is None and view.state.selected == "roads-0.9"
    qtbot.waitUntil(lambda: "roads-0.9" in view.plotted()["baselines"], timeout=10_000)
    assert calls == [["roads-0.9"]] and view.checked() == ["roads-0.9"]


def test_train_and_sweep_forms_offer_only_networks(qtbot, tmp_path):
    """The classical trigger has no network: it is neither a training's start, a teacher nor a sweep's base."""
    import tensorflow as tf

    from app.jobs import JobManager
    from app.panels.sweep_view import SweepView
    from app.panels.train_view import TrainView
    from app.state import AppState, network_names
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(2)])
    ws.add_variant(model, "net", operation="train", dataset="muon_rpc")
    add_fake_baseline(ws, "roads-0.9")
    assert network_names(ws) == ["net"]
    state, jobs = AppState(), JobManager()
    train, sweep = TrainView(state, jobs), SweepView(state, jobs)
    qtbot.addWidget(train)
    qtbot.addWidget(sweep)
    state.set_workspace(ws)
    combos = (train.form.source_combo, sweep.form.variant_combo)
    assert [[c.itemText(i) for i in range(c.count())] for c in combos] == [["net"], ["net"]]
    teacher = train.form.teacher_combo
    assert "roads-0.9" not in [teacher.itemData(i) for i in range(teacher.count())]
    jobs.shutdown(timeout=10)
