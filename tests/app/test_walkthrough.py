"""The walkthrough panel: every step of hands-on 2 headless on a reduced data size; cancel, prerequisites,
replace-on-rerun, scrolling, promises, hit maps; the main window's routing of steps to the views."""

from __future__ import annotations

import pytest

from app.jobs import JobManager
from app.state import AppState
from core.walkthrough import Scale, handson1, handson2

TINY = Scale(
    events=4000,
    unlabelled_events=2000,
    teacher_epochs=2,
    student_epochs=2,
    batch_size=128,
    digits_epochs=3,
    finetune_epochs=1,
    synthesis_events=200,
)


@pytest.mark.slow
def test_hands_on_2_runs_every_step_through_the_panel(qtbot, tmp_path):
    from app.panels.walkthrough_panel import DONE, WalkthroughPanel
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h2")
    state, jobs = AppState(), JobManager()
    state.set_workspace(ws)
    panel = WalkthroughPanel(state, jobs, scale=TINY)
    qtbot.addWidget(panel)
    panel.set_walkthrough("handson2")
    shown = []
    panel.step_finished.connect(lambda _k, status, request: shown.append(request["view"]))
    for step in panel.walkthrough.steps:
        job = panel.run_step(step.key)
        qtbot.waitUntil(lambda job=job: not job.is_active(), timeout=180_000)
        job.wait(10)
        assert job.status == "done", f"{step.key}: {job.error}"
        qtbot.waitUntil(lambda k=step.key: panel.statuses()[k] == DONE, timeout=5_000)
    assert set(panel.statuses().values()) == {DONE}
    w = panel.walkthrough
    teacher, alone, distilled, classical = w.result_of(ws, "compare")
    assert ws[distilled].operation == "distill" and ws[distilled].params["teacher"] == teacher
    assert ws[classical].operation == "baseline" and ws[classical].params["plateau"] == 0.9
    for name in (teacher, alone, distilled):
        assert "pt_resolution" in ws[name].metrics
        # the figure of merit: the rate relative to the classical trigger, at both thresholds (the
        # turn-on fit of a network trained 2 epochs may fail: plateau_T is then not stored)
        assert {"rate_ratio_10", "rate_ratio_20"} <= set(ws[name].metrics)
    best = w.result_of(ws, "synthesis")
    assert best in (alone, distilled)
    assert ws[distilled].params["transfer_events"] == 2000
    # equal gradient steps: 2800 labelled events for 2 * (2800 + 2000) / 2800 = 3 epochs
    assert ws[alone].params["epochs"] == 3 and ws[alone].params["schedule"] == "cosine"
    # the synthesis step ran the C simulation: the firmware's resolution is on the variant, the
    # configuration is saved where the Synthesis view finds it
    m = ws[best].metrics
    assert m["pt_resolution_robust_csim"] > 0 and "csim_rmse" in m and "latency_ns_estimate" in m
    from core.hls.pipeline import load_saved_config

    assert load_saved_config(ws, best) is not None
    assert "noise_coincidence_rate" in ws[teacher].metrics
    # the cards say what came out, with numbers
    assert w.summary(ws, "compare").count("%") == 3  # the networks' resolutions, not the baseline's
    assert w.summary(ws, "compare").count("× classical") == 3
    assert "C simulation: robust pT resolution" in w.summary(ws, "synthesis")
    assert "C simulation" in panel.cards["synthesis"].result.text()
    # the Synthesis view opens the best student on the saved configuration, and says what it gave
    from app.panels.hls_view import HlsView

    state.select_variant(best)
    hls = HlsView(state, jobs)
    qtbot.addWidget(hls)
    hls.show()
    assert hls.config().to_yaml() == load_saved_config(ws, best).to_yaml()
    assert "Saved configuration" in hls.status.text() and "in C simulation" in hls.status.text()
    assert "physics" in shown and "hls" in shown
    # the last step ran the student on emulator-hls: bit for bit the C simulation, labelled emulated
    from core.deploy.run import load_reports

    (run,) = load_reports(ws, w.result_of(ws, "run"))
    assert run.variant == best and run.target == "emulator-hls"
    assert run.agreement["csim"]["exact_fraction"] == 1.0
    assert "emulated on CPU" in panel.cards["run"].result.text()
    # a teacher resets the workspace for the next class
    panel.reset(confirm=False)
    assert set(panel.statuses().values()) == {"not yet"}
    assert all(v.operation == "zoo" for v in ws.variants.values())
    assert load_reports(ws) == []  # the runs of deleted variants are not shown any more
    jobs.shutdown()


def test_steps_refuse_to_run_out_of_order(tmp_path):
    from core import TrigLabError
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h2")
    with pytest.raises(TrigLabError, match="first"):
        handson2(TINY).run_step(ws, "distill")


def test_hands_on_1_steps_are_explained():
    for w in (handson1(), handson2()):
        assert len(w.steps) >= 4
        for s in w.steps:
            assert s.title and s.explanation.count(".") >= 1 and len(s.explanation) > 60


# --- the panel without the long runs ------------------------------------------------------------------
def _panel(qtbot, tmp_path, key: str = "handson2"):
    from app.panels.walkthrough_panel import WalkthroughPanel
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / key)
    state, jobs = AppState(), JobManager()
    state.set_workspace(ws)
    panel = WalkthroughPanel(state, jobs, scale=TINY)
    qtbot.addWidget(panel)
    panel.set_walkthrough(key)
    return panel, ws, jobs


@pytest.fixture
def fake_steps(monkeypatch):
    """Steps that only record "@<key>" (a done result needing no variant), with the calls made."""
    from core.walkthrough import Walkthrough

    calls = []

    def run_step(self, ws, key, progress=None, *, replace=False):
        calls.append((key, replace))
        self.record(ws)[key] = f"@{key}"
        return f"@{key}"

    monkeypatch.setattr(Walkthrough, "run_step", run_step)
    return calls


def _run(qtbot, panel, key):
    job = panel.run_step(key)
    qtbot.waitUntil(lambda: key not in panel.running, timeout=120_000)
    job.wait(10)
    return job


def test_prerequisites_disable_run_with_the_step_to_run_first(qtbot, tmp_path):
    panel, ws, jobs = _panel(qtbot, tmp_path)
    c = panel.cards
    assert c["data"].button.isEnabled()
    assert not c["teacher"].button.isEnabled() and "Generate the muon data" in c["teacher"].button.toolTip()
    assert not c["distill"].button.isEnabled() and "Generate the muon data" in c["distill"].button.toolTip()
    panel.walkthrough.record(ws)["data"] = "@2000 events"
    panel.refresh()
    assert c["teacher"].button.isEnabled() and c["teacher"].button.toolTip() == ""
    assert c["teacher"].result.text() == ""  # nothing red left over
    assert not c["distill"].button.isEnabled()
    assert "Train the float teacher CNN" in c["distill"].button.toolTip()
    assert panel.run_step("distill") is None and jobs.jobs == []  # never submitted while it cannot run
    jobs.shutdown()


def test_rerunning_a_done_step_asks_before_replacing(qtbot, tmp_path, monkeypatch, fake_steps):
    from PySide6.QtWidgets import QMessageBox

    panel, ws, jobs = _panel(qtbot, tmp_path)
    panel.walkthrough.record(ws).update(data="@2000 events", teacher="@teacher")
    panel.refresh()
    assert panel.cards["data"].button.text() == "Run again…"
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    assert panel.run_step("data") is None
    assert fake_steps == [] and jobs.jobs == [] and panel.walkthrough.result_of(ws, "teacher") == "@teacher"
    assert "Train the float teacher CNN" in asked[0]  # it says which later steps it undoes
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    job = _run(qtbot, panel, "data")
    assert job.status == "done" and fake_steps == [("data", True)]
    _run(qtbot, panel, "student")  # not done: runs without asking, nothing to replace
    assert fake_steps[-1] == ("student", False)
    jobs.shutdown()


def test_a_cancelled_step_stays_not_done_with_its_reason(qtbot, tmp_path):
    from app.panels.walkthrough_panel import CANCELLED

    panel, ws, jobs = _panel(qtbot, tmp_path, "handson1")
    finished = []
    panel.step_finished.connect(lambda k, status, request: finished.append((k, status)))
    job = panel.run_step("train")
    # cancel once training has begun: the partly trained CNN must not become the step's result
    job.reported.connect(lambda kind, _v: job.cancel() if kind == "batch" else None)
    qtbot.waitUntil(lambda: "train" not in panel.running, timeout=120_000)
    job.wait(10)
    assert job.status == "cancelled" and finished == [("train", "cancelled")]
    assert panel.statuses()["train"] == CANCELLED
    assert "cancel" in panel.cards["train"].result.text()
    assert panel.cards["train"].button.isEnabled() and panel.cards["train"].button.text() == "Run"
    assert panel.walkthrough.result_of(ws, "train") is None
    assert list(ws.variants) == []
    assert not panel.cards["prune"].button.isEnabled()
    jobs.shutdown()


def test_after_a_step_the_next_card_is_in_view(qtbot, tmp_path, fake_steps):
    panel, ws, jobs = _panel(qtbot, tmp_path)
    panel.resize(300, 320)
    panel.show()
    qtbot.waitExposed(panel)
    for key in ("data", "teacher", "student", "alone"):
        _run(qtbot, panel, key)
    nxt = panel.cards["distill"]
    bar, view = panel.scroll.verticalScrollBar(), panel.scroll.viewport()

    def in_view():
        return bar.value() <= nxt.y() < bar.value() + view.height()

    qtbot.waitUntil(in_view, timeout=5_000)
    assert bar.value() > 0  # it did scroll
    jobs.shutdown()


def test_promise_is_checked_with_numbers(qtbot, tmp_path, monkeypatch):
    from core.walkthrough import Promise, Walkthrough

    panel, ws, jobs = _panel(qtbot, tmp_path, "handson1")
    panel.walkthrough.record(ws)["train"] = "@cnn"  # done without a variant
    monkeypatch.setattr(
        Walkthrough, "check", lambda self, ws, key: Promise(True, "within 1 point of float:", 0.981, 0.986)
    )
    panel.refresh()
    text = panel.cards["train"].promise.text()
    assert "within 1 point of float:" in text and "✓" in text and "98.6 → 98.1 %" in text
    monkeypatch.setattr(
        Walkthrough, "check", lambda self, ws, key: Promise(False, "within 1 point of float:", 0.9)
    )
    panel.refresh()
    assert "✗" in panel.cards["train"].promise.text() and "90.0 %" in panel.cards["train"].promise.text()
    jobs.shutdown()


def test_data_card_shows_a_few_hit_maps(qtbot, tmp_path):
    import numpy as np

    from core.data.files import atomic_savez
    from core.walkthrough.handson2 import HIT_MAPS_FILE, hit_map_examples

    panel, ws, jobs = _panel(qtbot, tmp_path)
    card = panel.cards["data"]
    assert not card.extra.isVisibleTo(panel)

    class Ds:  # the shape of muon_rpc's validation split
        rng = np.random.default_rng(0)
        x_val = (rng.random((50, 6, 64, 1)) < 0.05).astype(np.float32)
        extra = {"pt_val": rng.uniform(3, 30, 50).astype(np.float32), "charge_val": np.ones(50, np.int8)}

    maps = hit_map_examples(Ds, 4)
    assert maps["hits"].shape == (4, 6, 64) and np.all(np.diff(maps["pt"]) >= 0)
    ws.data_dir.mkdir(parents=True, exist_ok=True)
    atomic_savez(ws.data_dir / HIT_MAPS_FILE, maps)
    panel.walkthrough.record(ws)["data"] = "@50 events"
    panel.refresh()
    from PySide6.QtWidgets import QLabel

    pics = [lab for lab in card.extra.findChildren(QLabel) if not lab.pixmap().isNull()]
    assert card.extra.isVisibleTo(panel) and len(pics) == 4
    assert pics[0].pixmap().width() == 128 and pics[0].pixmap().height() == 18  # small, for the dock
    jobs.shutdown()


def test_walkthrough_chooser_shows_whole_titles_in_tooltip(qtbot, tmp_path):
    panel, ws, jobs = _panel(qtbot, tmp_path, "handson1")
    assert panel.combo.toolTip() == "Hands-on 1 — a small CNN on 8×8 digits"
    assert panel.combo.minimumSizeHint().width() < 260
    panel.set_walkthrough("handson2")
    assert panel.combo.toolTip() == "Hands-on 2 — the ATLAS Level-0 muon trigger"
    jobs.shutdown()


# --- the main window routes a step to its views ---------------------------------------------------------
class _FakeView:
    def __init__(self):
        self.calls = []

    def follow_job(self, job, settings):
        self.calls.append(("follow_job", job, settings))

    def show_variants(self, names):
        self.calls.append(("show_variants", names))

    def show_csim(self, variant):
        self.calls.append(("show_csim", variant))


class _FakeWindow:
    """What MainWindow's routing uses: its panels and show_view."""

    def __init__(self):
        from app.main_window import MainWindow

        self.panels = {"train": _FakeView(), "physics": _FakeView(), "hls": _FakeView(), "model": object()}
        self.shown = []
        self.show_view = self.shown.append
        self.on_started = lambda *a: MainWindow._on_step_started(self, *a)
        self.on_finished = lambda *a: MainWindow._on_step_finished(self, *a)


def test_main_window_routes_steps_to_their_views(qtbot, tmp_path, fake_steps):
    panel, ws, jobs = _panel(qtbot, tmp_path)
    win = _FakeWindow()
    panel.step_started.connect(win.on_started)
    panel.step_finished.connect(win.on_finished)
    w = panel.walkthrough
    w.record(ws).update(data="@d", student=["@student-4bit", "@student-ternary"])  # done, no variants
    panel.refresh()
    job = _run(qtbot, panel, "teacher")
    (call,) = win.panels["train"].calls
    assert call == ("follow_job", job, w.view_request(ws, "teacher")["train"])
    assert call[2]["variant_name"] == "teacher" and win.shown[0] == "train"
    w.record(ws).update(alone="@a")
    panel.refresh()
    _run(qtbot, panel, "distill")
    settings = win.panels["train"].calls[-1][2]
    assert settings["teacher"] == "@teacher" and settings["student"] == "@student-4bit"
    _run(qtbot, panel, "classical")  # the classical trigger's step shows it in Physics
    shows = lambda: [c for c in win.panels["physics"].calls if c[0] == "show_variants"]  # noqa: E731
    assert shows() == [("show_variants", ["@classical"])] and win.shown[-1] == "physics"
    _run(qtbot, panel, "compare")
    assert shows()[-1] == ("show_variants", ["@teacher", "@a", "@distill", "@classical"])
    w.record(ws).update(synthesis="@best")
    # a failed or cancelled step shows nothing new; a panel without the method is left alone
    win.on_finished("synthesis", "cancelled", {"view": "hls", "variant": "x"})
    win.on_finished("student", "done", {"view": "model"})
    assert win.panels["hls"].calls == []
    win.on_finished("synthesis", "done", w.view_request(ws, "synthesis"))
    assert win.panels["hls"].calls == [("show_csim", "@best")]
    jobs.shutdown()


def test_a_training_step_drives_the_real_train_view(qtbot, main_window, tmp_path, fake_steps):
    """In the window, a training step's job and settings reach the Train view (its follow_job)."""
    from core.workspace import Workspace

    win = main_window
    ws = Workspace.create(tmp_path / "h2")
    win.state.set_workspace(ws)
    panel = win.walkthrough_panel
    panel.set_walkthrough("handson2")
    panel.walkthrough.record(ws)["data"] = "@100000 events"
    panel.refresh()
    job = _run(qtbot, panel, "teacher")
    train = win.panels["train"]
    assert win.tabs.currentWidget() is train and train.job is job
    form = train.form
    assert (
        form.name_edit.text() == "teacher"
        and form.epochs_spin.value() == panel.walkthrough.scale.teacher_epochs
    )


def test_the_classical_step_keeps_the_network_views_and_failing_is_never_done(qtbot, tmp_path, monkeypatch):
    """The classical trigger's step (core.trigger stand-in: no tuning) is done without selecting a
    network-less variant; when it fails, its card says failed and it is not done."""
    import tensorflow as tf
    from baseline_stub import trigger_module

    from app.panels.walkthrough_panel import DONE, FAILED

    panel, ws, jobs = _panel(qtbot, tmp_path)
    model = tf.keras.Sequential([tf.keras.layers.Input((4,)), tf.keras.layers.Dense(1)])
    ws.add_variant(model, "teacher", operation="train", dataset="muon_rpc")
    panel.state.set_workspace(ws)
    panel.walkthrough.record(ws)["data"] = "@2000 events"
    panel.refresh()
    added = []
    trigger = trigger_module(monkeypatch, added)
    finished = []
    panel.step_finished.connect(lambda k, status, request: finished.append((k, status, request)))
    job = _run(qtbot, panel, "classical")
    assert job.status == "done", job.error
    assert added == [{"kind": "roads", "dataset": "muon_rpc", "plateau": 0.9, "thresholds": (10.0, 20.0)}]
    name = panel.walkthrough.result_of(ws, "classical")
    assert ws[name].operation == "baseline" and panel.statuses()["classical"] == DONE
    assert finished[-1] == ("classical", "done", {"view": "physics", "variants": [name]})
    assert panel.state.current.name == "teacher"  # the network views keep their network

    from core import TrigLabError

    def broken(*a, **k):
        raise TrigLabError("no muons pass the majority at 10 GeV")

    monkeypatch.setattr(trigger, "add_baseline", broken)
    panel.walkthrough.record(ws).pop("classical")
    ws.delete(name)
    panel.refresh()
    job = _run(qtbot, panel, "classical")
    assert job.status == "failed" and panel.statuses()["classical"] == FAILED
    assert (
        not panel.walkthrough.is_done(ws, "classical")
        and "majority" in panel.cards["classical"].result.text()
    )
    jobs.shutdown()


def test_the_physics_view_follows_a_steps_job(qtbot, tmp_path):
    """What the main window calls for a step that opens the Physics view: its status line shows the
    step's job, and how it ended."""
    from app.panels.physics_view import PhysicsView
    from core import TrigLabError

    state, jobs = AppState(), JobManager()
    view = PhysicsView(state, jobs)
    qtbot.addWidget(view)

    def step(progress=None):
        progress.update(0.5, "tuning the coincidence windows")
        raise TrigLabError("no muons pass the majority at 10 GeV")

    job = jobs.submit("Hands-on 2: Add the classical trigger", step)
    view.follow_job(job, {"view": "physics", "variants": []})
    qtbot.waitUntil(lambda: not job.is_active(), timeout=10_000)
    qtbot.waitUntil(lambda: "majority" in view.status.text(), timeout=5_000)
    assert view.status.text().startswith("Failed")
    jobs.shutdown()


def test_a_workspace_of_one_walkthrough_opens_with_its_cards(qtbot, tmp_path):
    """Opening hands-on 2's workspace while the panel shows hands-on 1 switches it to hands-on 2."""
    from app.panels.walkthrough_panel import WalkthroughPanel
    from app.state import AppState
    from core.workspace import Workspace

    state = AppState()
    panel = WalkthroughPanel(state, JobManager(), scale=TINY)
    qtbot.addWidget(panel)
    panel.set_walkthrough("handson1")
    ws = Workspace.create(tmp_path / "h2")
    ws.ui.setdefault("walkthroughs", {})["handson2"] = {"data": "@2000 events"}
    state.set_workspace(ws)
    assert panel.combo.currentData() == "handson2" and "classical" in panel.cards
