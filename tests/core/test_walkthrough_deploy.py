"""Hands-on 1 ends on the DPU: every step headless at a reduced size, the last one on emulator-dpu."""

from __future__ import annotations

import pytest

from core.walkthrough import Scale, handson1

TINY = Scale(digits_epochs=3, finetune_epochs=1, run_events=200, run_batch=50)


@pytest.mark.slow
def test_hands_on_1_runs_the_pruned_cnn_on_the_dpu_emulator(tmp_path):
    from core.deploy.run import load_reports
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h1")
    w = handson1(TINY)
    for step in w.steps:
        w.run_step(ws, step.key)
    assert w.next_step(ws) is None
    pruned = w.result_of(ws, "prune")
    assert w.result_of(ws, "dpu") == pruned
    (rep,) = load_reports(ws, pruned)
    assert rep.target == "emulator-dpu" and rep.emulated and rep.events == 200
    # int8 with power-of-two scales stays close to the float network on the same events
    assert abs(rep.task_metrics["accuracy"] - rep.task_metrics["keras"]["accuracy"]) <= 0.05
    m = ws[pruned].metrics
    assert m["throughput_eps_emulated"] == rep.throughput_eps
    card = w.summary(ws, "dpu")
    assert "emulator-dpu (emulated on CPU)" in card and "events/s" in card and "accuracy" in card
    step = next(s for s in w.steps if s.key == "dpu")
    assert step.title == "8-bit for the DPU, compile, run on the U50" and step.panel == "deploy"
