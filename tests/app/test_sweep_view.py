"""The Sweep view: the form's grid count and errors, the live plot and table fed by a stand-in sweep
job's reports, Make variant, the parallel job beside the queue, the tab in the main window.

The sweep job here is a stand-in (``fake_run_sweep``) that emits the reports the real
:func:`core.sweep.runner.run_sweep` emits, so no model is trained and no Dask cluster starts.
"""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from app.i18n import fmt_num
from app.jobs import DONE, RUNNING, JobManager
from app.state import AppState
from core.metrics.pareto import pareto_front

AXES = [("sparsity", "0.5:0.9:3"), ("reuse", "1,2")]
# key, sparsity, reuse, accuracy, LUT, latency (ns); None = failed
_POINTS = [
    ("p0", 0.5, 1, 0.975, 9000, 60),
    ("p1", 0.5, 2, 0.975, 6000, 75),
    ("p2", 0.7, 1, 0.970, 5200, 55),
    ("p3", 0.7, 2, 0.962, 4000, 70),
    ("p4", 0.9, 1, 0.940, 4500, 50),
    ("p5", 0.9, 2, None, None, None),
]
JOBQUEUE = Path(__file__).resolve().parents[1] / "fixtures" / "jobqueue"
ERROR = "prune: sparsity 0.9 with reuse 2 left a layer without weights"


def _rows() -> list[dict]:
    rows = []
    for i, (key, sp, reuse, acc, lut, lat) in enumerate(_POINTS):
        row = {
            "key": key,
            "index": i,
            "settings": {"prune.sparsity": sp, "hls.reuse_factor": reuse},
            "status": "done" if acc is not None else "failed",
            "metrics": {"val_accuracy": acc, "lut_estimate": lut, "latency_ns_estimate": lat}
            if acc is not None
            else {},
            "error": None if acc is not None else ERROR,
            "seconds": 1.5,
            "worker": "127.0.0.1:1",
        }
        rows.append(row)
    return rows


class FakeSweep:
    """Stand-in for core.sweep.runner.run_sweep: reports every point, then waits for ``release``."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.release = threading.Event()
        self.fail = ""  # a message: the sweep fails before it starts, as run_sweep does

    def __call__(self, ws, spec, *, where=None, resume=False, progress=None):
        self.calls.append({"spec": spec, "where": where, "resume": resume})
        if self.fail:
            from core.sweep import SweepError

            raise SweepError(self.fail)
        rows = _rows()
        done = failed = 0
        for row in rows:
            progress.check_cancelled()
            done += row["status"] == "done"
            failed += row["status"] == "failed"
            progress.report("sweep_point", **row)
            progress.report(
                "sweep_status",
                done=done,
                running=len(rows) - done - failed,
                failed=failed,
                total=len(rows),
                eta_s=12.0,
                dashboard="http://127.0.0.1:8787/status",
                where=where["kind"],
            )
            progress.update((done + failed) / len(rows), f"{done + failed}/{len(rows)}")
        while not self.release.wait(0.02):
            progress.check_cancelled()
        return {"name": spec.name, "done": done, "failed": failed}


@pytest.fixture
def fake_runner(monkeypatch):
    fake = FakeSweep()
    module = types.ModuleType("core.sweep.runner")
    module.run_sweep = fake
    monkeypatch.setitem(sys.modules, "core.sweep.runner", module)
    yield fake
    fake.release.set()


@pytest.fixture
def workspace(tmp_path):
    import tensorflow as tf

    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "sweep test")
    model = tf.keras.Sequential([tf.keras.layers.InputLayer((4,)), tf.keras.layers.Dense(3)])
    ws.add_variant(model, "base", operation="train", metrics={"val_accuracy": 0.98}, dataset="digits")
    return ws


@pytest.fixture
def view(qtbot, workspace):
    from app.panels.sweep_view import SweepView

    state, jobs = AppState(), JobManager()
    panel = SweepView(state, jobs)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    state.set_workspace(workspace)
    qtbot.waitUntil(lambda: state.current is not None, timeout=30_000)
    yield panel
    jobs.shutdown(timeout=10)


def _start(qtbot, view, fake):
    view.form.set_axes(AXES)
    view.form.name_edit.setText("s1")
    job = view.run()
    assert job is not None, view.form.message.text()
    qtbot.waitUntil(lambda: len(view.plot.plotted().get("keys", [])) == 5, timeout=10_000)
    return job


# --- the form ------------------------------------------------------------------------------------
def test_form_counts_the_grid_and_flags_bad_rows(view):
    form = view.form
    form.set_axes(AXES)
    assert form.grid_size() == 6 and form.row_errors() == {}
    assert "6" in form.count_label.text()
    assert form.axes_table.item(0, 2).text() == "3" and form.axes_table.item(1, 2).text() == "2"
    form.set_axes([("sparsity", "0.5:0.9:5"), ("reuse", "1,2,4"), ("width", "4,6,8")])
    assert form.grid_size() == 45

    form.set_axes(AXES + [("no_such_knob", "1,2"), ("reuse", "3")])
    errors = form.row_errors()
    assert set(errors) == {2, 3}
    assert "no_such_knob" in errors[2]
    assert "twice" in errors[3]
    assert form.grid_size() is None and "red" in form.count_label.text()
    assert form.axes_error.isVisibleTo(form) and "Row 3" in form.axes_error.text()
    assert form.axes_table.item(2, 2).text() == "✘" and form.axes_table.item(2, 2).toolTip() == errors[2]
    with pytest.raises(Exception, match="Axis row 3"):
        form.spec()

    form.set_axes(AXES)  # fixed: the count is back, the message gone
    assert form.grid_size() == 6 and not form.axes_error.isVisibleTo(form)
    spec = form.spec()
    assert [a.name for a in spec.axes] == ["prune.sparsity", "hls.reuse_factor"]
    assert spec.variant == "base" and spec.strategy == "grid" and spec.trials is None


def test_form_where_and_strategy(view):
    form = view.form
    form.where_box.where_combo.setCurrentIndex(form.where_box.where_combo.findData("scheduler"))
    with pytest.raises(Exception, match="address"):
        form.where()
    form.where_box.address_edit.setText("tcp://127.0.0.1:8786")
    assert form.where() == {"kind": "scheduler", "address": "tcp://127.0.0.1:8786"}
    form.remember_where()
    from app.panels.sweep_form import SweepForm

    again = SweepForm()  # the address and the choice are remembered
    assert again.where() == {"kind": "scheduler", "address": "tcp://127.0.0.1:8786"}
    again.deleteLater()
    # a batch system file: its job script (nothing submitted), or what is wrong with it
    box = form.where_box
    box.where_combo.setCurrentIndex(box.where_combo.findData("jobqueue"))
    assert box.jobqueue_row.isVisibleTo(form) and not box.address_edit.isVisibleTo(form)
    box.jobqueue_edit.setText(str(JOBQUEUE / "slurm.yaml"))
    assert form.where() == {"kind": "jobqueue", "jobqueue": str(JOBQUEUE / "slurm.yaml")}
    dlg = box.show_job_script()
    script = dlg.findChild(QPlainTextEdit).toPlainText()
    assert "#SBATCH" in script and "--constraint=avx2" in script
    dlg.close()
    box.jobqueue_edit.setText(str(JOBQUEUE / "bad.yaml"))
    assert box.show_job_script() is None
    assert box.where_error.isVisibleTo(form) and "cpus" in box.where_error.text()
    form.where_box.where_combo.setCurrentIndex(form.where_box.where_combo.findData("local"))
    form.where_box.workers_spin.setValue(2)
    assert form.where() == {"kind": "local", "workers": 2}
    form.set_axes(AXES)
    form.strategy_combo.setCurrentIndex(form.strategy_combo.findData("random"))
    form.trials_spin.setValue(4)
    assert form.trials_spin.isEnabled()
    spec = form.spec()
    assert spec.strategy == "random" and spec.trials == 4


# --- the live view -------------------------------------------------------------------------------
def test_reports_draw_points_front_and_failed_rows(qtbot, view, fake_runner):
    job = _start(qtbot, view, fake_runner)
    assert job.parallel and job.status == RUNNING
    call = fake_runner.calls[0]
    assert call["spec"].name == "s1" and call["resume"] is False and call["where"]["kind"] == "local"
    p = view.plot.plotted()
    assert p["x_key"] == "lut_estimate" and p["y_key"] == "val_accuracy"
    assert p["colour_key"] == "latency_ns_estimate"
    assert sorted(p["keys"]) == ["p0", "p1", "p2", "p3", "p4"]
    done = [r for r in _rows() if r["status"] == "done"]
    want = pareto_front(
        [(r["metrics"]["lut_estimate"], r["metrics"]["val_accuracy"]) for r in done], maximize=(False, True)
    )
    assert p["front_keys"] == [done[i]["key"] for i in want] == ["p3", "p2", "p1"]
    # accuracy in %, as the Metrics axes show it
    assert p["y"][p["keys"].index("p0")] == pytest.approx(97.5)
    # hovering a point: its settings (as the axes are named) and its measures
    tip = view.plot._tip(0, 0, "p2").splitlines()
    assert tip[0].startswith("point 2") and tip[1:3] == ["sparsity = 0.7", "reuse = 1"]
    assert f"Validation accuracy (%): {fmt_num(97, 0)}" in tip and f"LUT, estimate: {fmt_num(5200, 0)}" in tip
    # the status line and the dashboard link
    assert view.status.bar.value() == 6 and view.status.bar.maximum() == 6
    assert "failed 1" in view.status.counts.text() and "ETA" in view.status.counts.text()
    assert "http://127.0.0.1:8787/status" in view.status.dashboard.text()
    # the table lists every point, the failed one with its error in red
    assert view.table.rowCount() == 6
    assert view.table.failed_rows() == [("p5", f"failed: {ERROR}")]
    assert not view.form.run_btn.isEnabled() and view.form.cancel_btn.isEnabled()
    fake_runner.release.set()
    qtbot.waitUntil(lambda: job.status == DONE, timeout=10_000)
    qtbot.waitUntil(lambda: view.form.run_btn.isEnabled())
    assert view.table.rowCount() == 6 and len(view.plot.plotted()["keys"]) == 5


def test_axis_choice_changes_the_plot(qtbot, view, fake_runner):
    _start(qtbot, view, fake_runner)
    view.plot.set_axes(x="latency_ns_estimate", colour="")
    p = view.plot.plotted()
    assert p["x_key"] == "latency_ns_estimate" and p["colour_key"] is None
    lat = {r["key"]: r["metrics"].get("latency_ns_estimate") for r in _rows()}
    assert p["x"] == [lat[k] for k in p["keys"]]
    # lower latency and higher accuracy: p4 (50 ns), p2 (55 ns, better accuracy), p0 (60 ns, best accuracy)
    assert p["front_keys"] == ["p4", "p2", "p0"]
    assert not view.plot.colour_bar.isVisible()
    view.plot.set_axes(colour="lut_estimate")
    assert view.plot.plotted()["colour_key"] == "lut_estimate" and view.plot.colour_bar.isVisible()
    # the table follows the chosen measures
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers[:3] == ["#", "sparsity", "reuse"] and "LUT, estimate" in headers
    with pytest.raises(ValueError):
        view.plot.set_axes(x="not_measured")


def test_clicking_a_point_selects_it_and_make_variant_materializes_it(qtbot, view, fake_runner, monkeypatch):
    calls = []

    def fake_materialize(ws, sweep, point, name=None, progress=None):
        calls.append((sweep, point))
        return ws.add_variant(
            ws.load_model("base"), f"base-{sweep}-{point}", parent="base", operation="sweep"
        )

    module = types.ModuleType("core.sweep.materialize")
    module.materialize_point = fake_materialize
    monkeypatch.setitem(sys.modules, "core.sweep.materialize", module)
    _start(qtbot, view, fake_runner)
    assert not view.make_btn.isEnabled()
    spot = next(s for s in view.plot.scatter.points() if s.data() == "p2")
    view.plot._on_clicked(view.plot.scatter, [spot])
    assert view.selected == "p2"
    assert (
        view.table.item(view.table.currentRow(), 0).text() == "2"
    )  # the stored index, as the CLI and the variant name give it
    assert view.plot.selected_ring.points()[0].data() == "p2"
    assert view.make_btn.isEnabled()
    view.select_point("p5")  # a failed point cannot become a variant
    assert not view.make_btn.isEnabled()
    view.table.selectRow(next(r for r in range(6) if view.table.item(r, 0).text() == "2"))
    assert view.selected == "p2"
    job = view.make_variant()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=10_000)
    assert calls == [("s1", "p2")]
    assert view.state.current.name == "base-s1-p2"


def test_a_wrong_form_starts_nothing(view, fake_runner):
    view.form.set_axes([("sparsity", "0.5:0.9:3"), ("bogus", "1")])
    assert view.run() is None
    assert fake_runner.calls == [] and view.jobs.jobs == []
    assert "Axis row 2" in view.form.message.text()


def test_a_sweep_that_cannot_start_says_why_and_lists_nothing(qtbot, view, fake_runner):
    fake_runner.fail = "cannot reach the Dask scheduler at tcp://10.0.0.1:8786 (timed out after 10 s)"
    view.form.set_axes(AXES)
    view.form.name_edit.setText("s2")
    job = view.run()
    qtbot.waitUntil(lambda: not job.is_active() and view.form.run_btn.isEnabled(), timeout=10_000)
    assert "cannot reach the Dask scheduler" in view.form.message.text()
    assert view.shown is None and view.sweep_combo.count() == 0
    assert view.table.rowCount() == 0 and view.plot.plotted()["keys"] == []


# --- jobs beside the queue -----------------------------------------------------------------------
def test_a_parallel_job_runs_while_queued_jobs_run(qtbot):
    jobs = JobManager()
    started, gate, seen = threading.Event(), threading.Event(), []

    def busy(progress=None):
        # Holds the queue until the sweep runs: a sweep queued behind it would never start.
        while not started.wait(0.02):
            progress.check_cancelled()
        return "first"

    def long_sweep(progress=None):
        started.set()
        # Ends only when a job queued after it has run: a sweep holding the queue would never end.
        while not gate.wait(0.02):
            progress.check_cancelled()
        return "sweep"

    def train(progress=None):
        seen.append("train")
        gate.set()
        return "trained"

    first = jobs.submit("queued before", busy)
    sweep = jobs.submit("sweep", long_sweep, parallel=True)
    trainer = jobs.submit("train", train)
    qtbot.waitUntil(lambda: not any(j.is_active() for j in (first, sweep, trainer)), timeout=10_000)
    assert (first.status, trainer.status, sweep.status) == (DONE, DONE, DONE)
    assert sweep.result == "sweep" and seen == ["train"]
    assert sweep in jobs.jobs  # listed in the Jobs dock, unlike a light job
    jobs.shutdown()


def test_a_parallel_job_is_cancelled_from_the_dock(qtbot):
    from app.jobs import CANCELLED
    from app.panels.job_dock import JobDock

    jobs = JobManager()
    dock = JobDock(AppState(), jobs)
    qtbot.addWidget(dock)

    def forever(progress=None):
        while True:
            progress.check_cancelled()
            progress.update(0.5, "half")
            threading.Event().wait(0.02)

    job = jobs.submit("sweep", forever, parallel=True)
    _job, _item, _bar, cancel = dock._rows[id(job)]
    qtbot.waitUntil(lambda: job.fraction == 0.5)
    assert cancel.isEnabled()
    cancel.click()
    qtbot.waitUntil(lambda: job.status == CANCELLED, timeout=10_000)
    jobs.shutdown()


# --- the main window -----------------------------------------------------------------------------
def test_the_sweep_tab_is_in_the_main_window(main_window):
    from app.panels.sweep_view import SweepView

    win = main_window
    assert isinstance(win.panels["sweep"], SweepView)
    order = list(win.panels)
    assert order.index("compare") < order.index("sweep") < order.index("hls")
    assert win.tabs.tabText(win.tabs.indexOf(win.panels["sweep"])) == "Sweep"


# --- a workspace with stored sweeps ------------------------------------------------------------------
def _store_sweep(ws, name, created, results, running=()):
    from core.sweep.spec import SweepAxis, SweepSpec
    from core.sweep.store import SweepStore, sweep_dir

    spec = SweepSpec(
        name=name,
        variant="base",
        axes=[SweepAxis("prune.sparsity", (0.5, 0.9), "sparsity", 0.5, 0.9, kind="float")],
    )
    store = SweepStore.create(sweep_dir(ws, name), spec, {"created": created})
    for key, index, settings in running:
        store.mark_running(key, index, settings)
    for r in results:
        store.record(r)
    return store


def _stored(i, acc=None, lut=None, error=None):
    return {
        "key": f"{i:016x}",
        "index": i,
        "settings": {"prune.sparsity": 0.5 + 0.2 * i},
        "status": "failed" if error else "done",
        "metrics": {} if error else {"val_accuracy": acc, "lut_estimate": lut},
        "error": error,
        "model": None,
        "hls_config": None,
        "seconds": 2.0,
        "worker": "host:1",
    }


def test_opening_a_workspace_shows_its_newest_sweep_and_follows_another_writer(qtbot, workspace, fake_runner):
    from app.panels.sweep_view import SweepView

    _store_sweep(workspace, "older", "2026-01-01T10:00:00", [_stored(0, 0.9, 100.0)]).close()
    writer = _store_sweep(
        workspace,
        "newer",
        "2026-01-02T10:00:00",
        [_stored(0, 0.95, 900.0), _stored(1, 0.93, 400.0), _stored(3, error=ERROR)],
        running=[(f"{2:016x}", 2, {"prune.sparsity": 0.9})],
    )
    state, jobs = AppState(), JobManager()
    view = SweepView(state, jobs)
    qtbot.addWidget(view)
    view.show()
    state.set_workspace(workspace)
    assert [view.sweep_combo.itemText(i) for i in range(view.sweep_combo.count())] == ["older", "newer"]
    assert view.shown == "newer" and view.sweep_combo.currentText() == "newer"
    assert sorted(view.plot.plotted()["keys"]) == [f"{0:016x}", f"{1:016x}"]
    assert view.table.rowCount() == 4
    assert view.table.failed_rows() == [(f"{3:016x}", f"failed: {ERROR}")]
    assert "running 1" in view.status.counts.text()
    # another process is still writing it: the view re-reads the store
    assert view._poll_timer.isActive()
    writer.record(_stored(2, 0.96, 300.0))
    writer.close()
    view._poll()
    assert len(view.plot.plotted()["keys"]) == 3
    assert view.plot.plotted()["front_keys"] == [f"{2:016x}"]  # best accuracy and fewest LUTs
    # the other sweep picked in the menu: shown, its settings in the form; then Resume of it
    view.sweep_combo.setCurrentIndex(view.sweep_combo.findData("older"))
    view.sweep_combo.activated.emit(view.sweep_combo.currentIndex())
    assert view.plot.plotted()["keys"] == [f"{0:016x}"] and not view._poll_timer.isActive()
    assert view.form.grid_size() == 2 and view.form.name_edit.text() == ""
    assert [a.name for a in view.form.spec().axes] == ["prune.sparsity"]
    job = view.resume()
    qtbot.waitUntil(lambda: bool(fake_runner.calls), timeout=5_000)
    call = fake_runner.calls[0]
    assert call["resume"] is True and call["spec"].name == "older"
    fake_runner.release.set()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=10_000)
    jobs.shutdown()


def test_make_variant_with_the_real_store(qtbot, view, workspace):
    """A stored point becomes a variant through core.sweep.materialize, and the view selects it."""
    model = workspace.path_of("base")
    point = {**_stored(0, 0.97, 500.0), "model": model.read_bytes(), "model_suffix": model.suffix}
    _store_sweep(workspace, "real", "2026-01-03T10:00:00", [point]).close()
    view.on_workspace()
    assert view.shown == "real"
    view.select_point(point["key"])
    job = view.make_variant()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert job.status == DONE, job.error
    v = view.state.workspace.variants[view.state.current.name]
    assert (v.name, v.parent, v.operation) == ("real-p0", "base", "sweep")
    assert v.params["point"] == point["key"] and v.metrics["lut_estimate"] == 500.0
