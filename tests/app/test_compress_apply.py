"""The Apply form and Han et al.'s three panels, driven as a user would."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.jobs import JobManager
from app.state import AppState


@pytest.fixture
def state_jobs(demo_workspace):
    state, jobs = AppState(), JobManager()
    state.set_workspace(demo_workspace)
    state.select_variant("handson_cnn")
    yield state, jobs
    jobs.shutdown()


def test_form_is_built_from_the_operation_parameters(qtbot, state_jobs):
    from app.panels.compress_apply import CompressApply
    from core.compress import get_operation

    state, jobs = state_jobs
    panel = CompressApply(state, jobs)
    qtbot.addWidget(panel)
    panel.select_operation("prune")
    assert set(panel.fields) == {p.name for p in get_operation("prune").params}
    panel.set_params({"sparsity": 0.85, "finetune_epochs": 2})
    assert panel.params()["sparsity"] == pytest.approx(0.85) and panel.params()["finetune_epochs"] == 2
    panel.select_operation("fixed_point")
    assert "width" in panel.fields


def test_prune_through_the_ui_creates_the_han_lineage_and_three_panels(qtbot, state_jobs):
    from app.panels.compress_view import CompressView

    state, jobs = state_jobs
    view = CompressView(state, jobs)
    qtbot.addWidget(view)
    ws = state.workspace
    n_before = len(ws.variants)
    view.apply.select_operation("prune")
    view.apply.set_params({"sparsity": 0.8, "finetune_epochs": 2})
    job = view.apply.apply()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=120_000)
    job.wait(10)
    assert job.status == "done", job.error
    assert len(ws.variants) == n_before + 2
    final = state.current.name
    assert ws[final].operation == "prune" and ws[ws[final].parent].operation == "prune:pruned"
    assert ws[final].metrics["val_accuracy"] > 0.85
    state.select_layer("fc1")
    view.history.refresh()
    data = view.history.plotted()
    assert list(data) == ["Before pruning", "After pruning", "After retraining"]
    kernel = state.load_variant(final).weights["fc1"]["kernel"]
    assert data["After retraining"]["zeros"] == int(np.sum(kernel == 0))
    assert data["Before pruning"]["zeros"] == 0
    # sparsity of the pruned kernels is kept through fine-tuning
    assert data["After pruning"]["zeros"] == data["After retraining"]["zeros"]
    # identical bins in all three panels
    np.testing.assert_array_equal(data["Before pruning"]["edges"], data["After retraining"]["edges"])


def test_bad_parameters_are_reported_without_a_job(qtbot, state_jobs):
    from app.panels.compress_apply import CompressApply

    state, jobs = state_jobs
    panel = CompressApply(state, jobs)
    qtbot.addWidget(panel)
    panel.select_operation("prune")
    panel.set_params({"per_layer": "{not json"})
    assert panel.apply() is None
    assert "per_layer" in panel.status.text()
    assert not jobs.jobs


def test_an_empty_per_layer_parameter_reads_as_an_empty_field(qtbot, state_jobs):
    """Not as raw JSON "{}" (issue 12, point 8): empty, its format in the placeholder."""
    from app.panels.compress_apply import CompressApply

    state, jobs = state_jobs
    panel = CompressApply(state, jobs)
    qtbot.addWidget(panel)
    panel.select_operation("prune")
    field = panel.fields["per_layer"]
    assert field.text() == "" and '{"fc1": 0.9}' in field.placeholderText()
    assert panel.params()["per_layer"] == {}
    panel.set_params({"per_layer": {"fc1": 0.9}})
    assert json.loads(field.text()) == {"fc1": 0.9}
    panel.set_params({"per_layer": {}})
    assert field.text() == "" and panel.params()["per_layer"] == {}


def test_preview_settings_become_a_prune_then_quantize_plan(qtbot, state_jobs):
    from app.panels.compress_view import CompressView

    state, jobs = state_jobs
    view = CompressView(state, jobs)
    qtbot.addWidget(view)
    view._use_preview_settings(
        {
            "sparsity": 0.8,
            "scope": "global",
            "per_layer": {},
            "quantizer": "fixed",
            "width": 8,
            "integer": "auto",
            "rounding": "RND",
            "overflow": "SAT",
        }
    )
    assert view.apply.operation().name == "prune"
    assert view.apply.params()["sparsity"] == pytest.approx(0.8)
    assert view.pending_step[0] == "fixed_point"
    view._on_applied("x")
    assert view.apply.operation().name == "fixed_point"
    assert view.apply.params()["width"] == 8 and view.apply.params()["rounding"] == "RND"


def test_sensitivity_analysis_runs_as_a_job_and_feeds_the_apply_form(qtbot, state_jobs):
    from app.panels.compress_view import CompressView

    state, jobs = state_jobs
    view = CompressView(state, jobs)
    qtbot.addWidget(view)
    job = view.sensitivity.run()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=120_000)
    job.wait(10)
    assert job.status == "done", job.error
    res = view.sensitivity.result
    assert set(res.layers) == {"conv1", "conv2", "fc1", "output"}
    assert view.sensitivity.table.rowCount() == 4
    # sparsity 0 is the baseline for every layer
    for layer in res.layers:
        assert res.sparsity_curves[layer][res.sparsities.index(0.0)] == pytest.approx(res.baseline)
    view.sensitivity.use_btn.click()
    assert view.apply.operation().name == "prune"
    assert view.apply.params()["scope"] == "per_layer"
    import json

    per_layer = json.loads(view.apply.fields["per_layer"].text())
    assert set(per_layer) == set(res.layers)


@pytest.mark.slow
def test_hands_on_1_goal_through_the_ui_and_on_the_pareto_view(qtbot, state_jobs):
    """>= 80 % sparse and 8-bit, within 1 % of the float accuracy, shown on the Compare view."""
    from app.panels.compare_view import CompareView
    from app.panels.compress_view import CompressView

    state, jobs = state_jobs
    view, compare = CompressView(state, jobs), CompareView(state, jobs)
    qtbot.addWidget(view)
    qtbot.addWidget(compare)
    base = state.workspace["handson_cnn"].metrics["val_accuracy"]
    for op, params in (("prune", {"sparsity": 0.82, "finetune_epochs": 10}), ("fixed_point", {"width": 8})):
        view.apply.set_params(params, op=op)
        job = view.apply.apply()
        qtbot.waitUntil(lambda job=job: not job.is_active(), timeout=180_000)
        job.wait(10)
        assert job.status == "done", job.error
    final = state.current.name
    m = state.workspace[final].metrics
    assert m["sparsity"] >= 0.80 and m["bits_max"] == 8
    assert m["val_accuracy"] >= base - 0.01
    assert final in compare.plotted()["names"]
    assert final in [r["name"] for r in compare.table_rows()]
