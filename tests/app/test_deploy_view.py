"""The Deploy tab: the discovery checklist, the target list with availability, a run and its result."""

from __future__ import annotations

import time
import types

import numpy as np
import pytest

import core.deploy as deploy
from app.i18n import fmt_num
from app.jobs import JobManager
from app.state import AppState
from core.deploy import EMULATED_LABEL, Availability, DeployError, Runner, RunOutput, Target
from core.deploy.discovery import MISSING, discover


class _DoublingRunner(Runner):
    """A stand-in 'device' that doubles its inputs, batch by batch, timing each batch."""

    def run(self, x, batch_size, progress=None):
        outs, times = [], []
        t0 = time.perf_counter()
        for i in range(0, len(x), batch_size):
            tb = time.perf_counter()
            outs.append(2.0 * x[i : i + batch_size])
            times.append(time.perf_counter() - tb)
        return RunOutput(
            np.concatenate(outs),
            times,
            time.perf_counter() - t0,
            f"{self.artifact.target} ({EMULATED_LABEL})",
        )


class FakeEmulator(Target):
    """Test-only target: always available, emulated."""

    path, emulated, description = "hls", True, "test stand-in"

    def availability(self, discovery=None):
        return Availability(True, "always (test stand-in)")

    def runner(self, artifact):
        return _DoublingRunner(artifact)


class FakeCard(Target):
    """Test-only target that is never available here."""

    path, emulated, description = "hls", False, "test stand-in card"

    def availability(self, discovery=None):
        return Availability(False, "no card in the test machine", "plug one in")


def _fake_run_variant(ws, variant, target, events, batch_size, progress=None):
    """Stand-in for core.deploy.run.run_variant: pushes events through the target's runner."""
    t = deploy.get_target(target)
    x = np.random.default_rng(0).normal(size=(events, 4)).astype(np.float32)
    with t.runner(deploy.Artifact(t.name, variant, ws.root)) as r:
        out = r.run(x, batch_size, progress)
    assert np.allclose(out.outputs, 2 * x)
    batch = np.asarray(out.batch_seconds)
    report = {
        "target": t.name,
        "emulated": t.emulated,
        "device": out.device,
        "events": events,
        "batch_size": batch_size,
        "throughput_eps": events / out.total_seconds,
        "latency_p50_s": float(np.percentile(batch, 50)),
        "latency_p99_s": float(np.percentile(batch, 99)),
        "agreement": {"keras": {"max_abs_diff": 0.0}, "csim": {"bit_exact": True, "mismatches": []}},
        "task_metrics": {"accuracy": 0.97},
        "label": t.label,
    }
    return types.SimpleNamespace(to_dict=lambda: report)


@pytest.fixture
def fake_targets(monkeypatch):
    for name, cls in (("fake-emulator", FakeEmulator), ("fake-card", FakeCard)):
        t = cls()
        t.name = name
        monkeypatch.setitem(deploy._TARGETS, name, t)
    run_module = types.ModuleType("core.deploy.run")
    run_module.run_variant = _fake_run_variant
    monkeypatch.setitem(__import__("sys").modules, "core.deploy.run", run_module)


@pytest.fixture
def view(qtbot, demo_workspace):
    from app.panels.deploy_view import DeployView

    state, jobs = AppState(), JobManager()
    state.set_workspace(demo_workspace)
    state.select_variant("handson_cnn")
    panel = DeployView(state, jobs)
    qtbot.addWidget(panel)
    yield panel
    jobs.shutdown()


def _nothing_here(tmp_path):
    (tmp_path / "bin").mkdir(parents=True)
    d = discover(env={"PATH": str(tmp_path / "bin")}, root=tmp_path, find_module=lambda n, e: None)
    d.targets = {t.name: t.availability(d) for t in deploy.list_targets()}
    return d


def test_checklist_of_a_machine_with_nothing(view, tmp_path, fake_targets):
    d = _nothing_here(tmp_path)
    view.show_discovery(d)
    rows = d.checklist()
    assert view.table.rowCount() == len(rows) >= 10
    assert [view.table.item(r, 0).text() for r in range(len(rows))] == [r.item for r in rows]
    assert all(view.table.item(r, 1).text() == "✘ missing" for r in range(len(rows)))
    assert view.summary.text().startswith("No Alveo card found")
    view.table.selectRow(0)
    html = view.explain.toPlainText()
    assert "Why it matters" in html and "How to get it" in html and "Alveo U50 product page" in html


def test_target_combo_disables_what_cannot_run(view, tmp_path, fake_targets):
    d = _nothing_here(tmp_path)
    view.show_discovery(d)
    states = view.target_states()
    assert states["fake-emulator"] is True and states["fake-card"] is False
    i = view.target_combo.findData("fake-card")
    tip = view.target_combo.itemData(i, 3)  # Qt.ToolTipRole
    assert "no card in the test machine" in tip and "plug one in" in tip
    assert not view.select_target("fake-card")
    assert view.select_target("fake-emulator") and view.run_btn.isEnabled()
    assert f"fake-emulator ({EMULATED_LABEL})" in view.target_combo.currentText()


def test_run_on_an_emulated_target_shows_throughput_and_the_label(qtbot, view, tmp_path, fake_targets):
    view.show_discovery(_nothing_here(tmp_path))
    assert view.select_target("fake-emulator")
    view.events_spin.setValue(1000)
    view.batch_spin.setValue(100)
    job = view.run()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert job.status == "done", job.error
    r = view.report
    assert r["events"] == 1000 and r["batch_size"] == 100 and r["throughput_eps"] > 0
    assert view.result_title() == f"Result — fake-emulator ({EMULATED_LABEL})"
    text = view.result_text.text()
    assert f"{fmt_num(r['throughput_eps'], 0)} events/s" in text and EMULATED_LABEL in text
    assert (
        "p50" in text and "p99" in text and "Agreement with C simulation" in text and "accuracy 0.97" in text
    )


def test_a_failing_run_says_why(qtbot, view, tmp_path, fake_targets, monkeypatch):
    def refuse(*_a, **_k):
        raise DeployError("This variant cannot be converted by hls4ml: Lambda layer 'x'.")

    monkeypatch.setattr(__import__("sys").modules["core.deploy.run"], "run_variant", refuse)
    view.show_discovery(_nothing_here(tmp_path))
    view.select_target("fake-emulator")
    errors = []
    view.error.connect(lambda title, msg: errors.append(msg))
    job = view.run()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert "Lambda layer" in view.status.text() and errors and view.report is None
    assert view.run_btn.isEnabled()


def test_refresh_runs_real_discovery_as_a_light_job(qtbot, view):
    job = view.refresh()
    assert job.light  # starts at once, beside a queued training
    qtbot.waitUntil(lambda: not job.is_active(), timeout=60_000)
    assert job.status == "done", job.error
    assert view.table.rowCount() == len(view.discovery.checklist())
    states = view.target_states()
    assert all(n in states for n in view.discovery.targets)
    assert any(view.table.item(r, 1).text() == "✘ missing" for r in range(view.table.rowCount()))
    assert MISSING in {r.status for r in view.discovery.checklist()}  # no card on a test machine


def test_imported_results_from_the_lab_server_and_a_missing_package_module(
    qtbot, view, tmp_path, monkeypatch, fake_targets
):
    import sys

    server = {
        "target": "u50-hls",
        "emulated": False,
        "device": "0000:3b:00.1 xilinx_u50_gen3x16_xdma_5_202210_1",
        "events": 2000,
        "batch_size": 256,
        "throughput_eps": 1.5e6,
        "latency_p50_s": 2.1e-4,
        "latency_p99_s": 3.4e-4,
        "agreement": {"csim": {"bit_exact": True}},
        "task_metrics": {"accuracy": 0.96},
        "label": "u50-hls",
    }
    calls = []

    def import_results(ws, variant, path, progress=None):
        calls.append((variant, path))
        return types.SimpleNamespace(to_dict=lambda: server)

    package = types.ModuleType("core.deploy.package")
    package.import_results = import_results
    monkeypatch.setitem(sys.modules, "core.deploy.package", package)
    job = view.import_results(str(tmp_path / "results.json"))
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert calls == [("handson_cnn", str(tmp_path / "results.json"))]
    assert view.result_title() == "Result — u50-hls"  # measured on the card: no emulation label
    assert EMULATED_LABEL not in view.result_text.text()
    assert (
        f"{fmt_num(1_500_000, 0)} events/s" in view.result_text.text()
        and "210.0 µs" in view.result_text.text()
    )

    # A report with its own lines() (core.deploy.run.RunReport) is shown with them, as the CLI does.
    server_lines = [
        "u50-hls on 0000:3b:00.1, 2,000 digits events",
        "throughput 1,500,000 events/s (on 0000:3b:00.1)",
    ]
    package.import_results = lambda ws, variant, path, progress=None: types.SimpleNamespace(
        to_dict=lambda: server, lines=lambda: server_lines
    )
    written = []

    def write_run_package(*a, progress=None, **k):
        written.append((a[1:], k))
        return str(a[3])

    package.write_run_package = write_run_package
    job = view.import_results(str(tmp_path / "results.json"))
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert view.result_text.text() == "<br>".join(server_lines)
    view.show_discovery(_nothing_here(tmp_path / "m"))
    view.select_target("fake-emulator")
    view.batch_spin.setValue(64)
    job = view.write_package(str(tmp_path / "pkg.zip"))
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    assert written == [
        (("handson_cnn", "fake-emulator", str(tmp_path / "pkg.zip"), 2000), {"batch_size": 64})
    ]
    assert "Run package written" in view.status.text()

    monkeypatch.setitem(sys.modules, "core.deploy.package", None)  # a build without it
    assert view.import_results(str(tmp_path / "results.json")) is None
    assert "not available in this build" in view.status.text()


def test_the_selected_variants_last_stored_run_is_shown(qtbot, view, demo_workspace):
    """A run made elsewhere (a walkthrough step, the CLI) shows when the tab opens on its variant."""
    from core.deploy.report import RunReport, model_digest, store_report

    assert view.result_text.text() == "No run yet."
    rep = RunReport(
        target="emulator-dpu",
        emulated=True,
        device="emulator-dpu (emulated on CPU)",
        label=f"emulator-dpu ({EMULATED_LABEL})",
        variant="handson_cnn",
        dataset="digits",
        events=359,
        batch_size=256,
        throughput_eps=12345.0,
        latency_p50_s=0.01,
        latency_p99_s=0.02,
        task_metrics={"accuracy": 0.9833},
        extra={"model_sha256": model_digest(demo_workspace, "handson_cnn")},
    )
    store_report(demo_workspace, rep, np.zeros((359, 10), np.float32))
    view.show()
    assert view.result_title() == f"Result — emulator-dpu ({EMULATED_LABEL})"
    assert "12,345 events/s" in view.result_text.text()
    assert view.status.text().startswith("Last run of handson_cnn")
    view.state.select_variant("handson_cnn-init")  # no run of its own
    assert view.result_text.text() == "No run yet."
