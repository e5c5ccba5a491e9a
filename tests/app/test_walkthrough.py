"""The walkthrough panel runs every step of hands-on 2 headless, on a reduced data size."""

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
    panel.show_view.connect(shown.append)
    for step in panel.walkthrough.steps:
        job = panel.run_step(step.key)
        qtbot.waitUntil(lambda job=job: not job.is_active(), timeout=180_000)
        job.wait(10)
        assert job.status == "done", f"{step.key}: {job.error}"
        qtbot.waitUntil(lambda k=step.key: panel.statuses()[k] == DONE, timeout=5_000)
    assert set(panel.statuses().values()) == {DONE}
    w = panel.walkthrough
    teacher, alone, distilled = w.result_of(ws, "compare")
    assert ws[distilled].operation == "distill" and ws[distilled].params["teacher"] == teacher
    for name in (teacher, alone, distilled):
        assert "pt_resolution" in ws[name].metrics
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
    assert w.summary(ws, "compare").count("%") == 3
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
