"""The HLS view driven as a user would: configuration table, profiling, auto precision, C simulation,
vendor build (with the test stand-in for Vitis), estimate and files.

Real hls4ml + g++: the compile-heavy flow is one slow test on jet_mlp (auto precision compiles once
to verify; the C simulation, the project export and the builds then hit the cache).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.jobs import JobManager
from app.state import AppState

FAKE_VITIS = Path(__file__).resolve().parents[1] / "fixtures" / "fake_vitis"


@pytest.fixture(scope="module")
def hls_ws(tmp_path_factory):
    """A workspace with jet_mlp (no dataset: Gaussian calibration) and an untrained handson_cnn
    (dataset digits); its hls/ cache is shared by the module's tests."""
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("hls") / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits")
    add_zoo_variant(ws, "jet_mlp")
    return ws


def _make_panel(qtbot, ws, variant, register=True):
    from app.panels.hls_view import HlsView

    state, jobs = AppState(), JobManager()
    state.set_workspace(ws)
    state.select_variant(variant)
    panel = HlsView(state, jobs)
    if register:  # qtbot closes it at the end
        qtbot.addWidget(panel)
    panel.resize(1400, 850)
    panel.show()
    return state, jobs, panel


@pytest.fixture
def jet(qtbot, hls_ws):
    state, jobs, panel = _make_panel(qtbot, hls_ws, "jet_mlp-init")
    yield state, jobs, panel
    jobs.shutdown()


def _wait(qtbot, job, timeout=300):
    assert job is not None
    qtbot.waitUntil(lambda: not job.is_active(), timeout=timeout * 1000)
    job.wait(10)
    assert job.status == "done", f"{job.name}: {job.status} {job.error}\n{job.details}"
    return job.result


def _no_vendor_path(tmp_path) -> str:
    """A PATH with the usual system folders and no vendor tool (and none of ours)."""
    empty = tmp_path / "empty_bin"
    empty.mkdir(exist_ok=True)
    return os.pathsep.join([str(empty), "/usr/bin", "/bin"])


# --- configuration table ------------------------------------------------------------------------
def test_panel_opens_with_one_row_per_layer_and_gaussian_calibration(jet):
    _state, _jobs, panel = jet
    config = panel.config()
    names = [r.name for r in config.layers()]
    assert panel.table.layers() == names
    assert panel.table.rowCount() == len(names)
    assert {"fc1", "fc2", "fc3", "output", "softmax"} <= set(names)
    assert panel.table.text("fc1", "weight") == config.layer("fc1").weight == "ap_fixed<16,6>"
    # jet_mlp has no dataset: Gaussian inputs of its input shape, the dataset choice disabled
    spec = panel.calibration_spec()
    assert spec.kind == "gauss" and spec.input_shape == (16,) and spec.task == "classification"
    assert not panel.calib_combo.model().item(0).isEnabled()
    assert config.settings.part == "xcu50-fsvh2104-2-e" and config.settings.backend == "Vitis"


def test_dataset_calibration_for_a_variant_with_a_dataset(qtbot, hls_ws):
    state, jobs, panel = _make_panel(qtbot, hls_ws, "handson_cnn-init")
    try:
        spec = panel.calibration_spec()
        assert spec.kind == "dataset" and spec.dataset == "digits" and spec.input_shape == (8, 8, 1)
        job = panel.run_profile()
        _wait(qtbot, job)
        plotted = panel.profiling_plotted()
        assert "digits validation split" in plotted["source"]
        assert {"conv1", "conv2", "fc1", "output"} <= set(plotted["weights"])
        assert plotted["layers"][0] == "input"
    finally:
        jobs.shutdown()


def test_editing_a_precision_updates_config_and_profiling_band(qtbot, jet):
    _state, jobs, panel = jet
    job = panel.run_profile()
    _wait(qtbot, job)
    assert job in jobs.jobs
    plotted = panel.profiling_plotted()
    assert plotted["layers"][:2] == ["input", "fc1"]
    assert plotted["weight_bands"]["fc1"] == pytest.approx((2.0**-10, 32 - 2.0**-10))
    w = plotted["weights"]["fc1"]
    assert 0 < w["p1"] <= w["p25"] <= w["p50"] <= w["p75"] <= w["p99"]

    assert panel.set_cell("fc1", "weight", "ap_fixed<8,2>")
    assert panel.config().layer("fc1").weight == "ap_fixed<8,2>"
    band = panel.profiling_plotted()["weight_bands"]["fc1"]
    assert band == pytest.approx((2.0**-6, 2 - 2.0**-6))  # re-drawn without re-profiling
    assert panel.job("profile") is job

    # A result edit: the band of the activations follows, and so does hls4ml's fc1_linear.
    assert panel.set_cell("fc1", "result", "ap_fixed<10,4>")
    assert panel.profiling_plotted()["result_bands"]["fc1"] == pytest.approx((2.0**-6, 8 - 2.0**-6))
    assert panel.config().layer("fc1_linear").result == "ap_fixed<10,4>"
    # A precision too narrow for the weights is drawn as overflow.
    panel.set_cell("fc2", "weight", "ap_fixed<4,-3>")
    assert panel.profiling_plotted()["status"]["weights"]["fc2"] == "overflow"
    # Reuse factor and strategy.
    assert panel.set_cell("fc2", "reuse_factor", "4")
    assert panel.set_cell("fc2", "strategy", "Resource")
    row = panel.config().layer("fc2")
    assert (row.reuse_factor, row.strategy) == (4, "Resource")
    # Same variant and calibration: the profile comes from the cache, no new job.
    assert panel.run_profile() is None


def test_invalid_precision_is_refused_in_red(jet):
    _state, _jobs, panel = jet
    before = panel.config().layer("fc2").bias
    assert not panel.set_cell("fc2", "bias", "ap_fixed<8")
    assert panel.config().layer("fc2").bias == before
    assert panel.table.is_invalid("fc2", "bias")
    item = panel.table.item(panel.table.layers().index("fc2"), 3)
    assert item.background().color().red() > 200 and item.background().color().green() < 220
    assert "not applied" in panel.status.text()
    assert panel.run_csim() is None  # nothing runs on a table with a refused cell
    assert "invalid" in panel.status.text()
    assert panel.set_cell("fc2", "bias", "ap_fixed<8,3>")  # fixing it clears the mark
    assert not panel.table.invalid_cells()
    assert panel.config().layer("fc2").bias == "ap_fixed<8,3>"
    assert not panel.set_cell("fc2", "reuse_factor", "0")
    assert not panel.set_cell("fc2", "strategy", "Fastest")
    with pytest.raises(KeyError):
        panel.set_cell("relu1", "weight", "ap_fixed<8,3>")  # an activation has no weights


def test_yaml_round_trip_through_the_panel(qtbot, jet, tmp_path):
    _state, _jobs, panel = jet
    panel.set_cell("fc1", "weight", "ap_fixed<9,2>")
    panel.set_cell("output", "result", "ap_fixed<12,5,RND,SAT>")
    panel.set_cell("fc3", "reuse_factor", "2")
    panel.clock_spin.setValue(3.125)
    panel.io_combo.setCurrentText("io_stream")
    edited = panel.config()
    assert edited.settings.clock_period_ns == 3.125 and edited.settings.io_type == "io_stream"
    path = panel.export_yaml(tmp_path / "jet.yml")
    assert "HLSConfig" in path.read_text()

    panel.set_cell("fc1", "weight", "ap_fixed<16,6>")
    panel.clock_spin.setValue(5.0)
    assert panel.config() != edited
    panel.load_yaml(path)
    assert panel.config() == edited
    assert panel.table.text("fc1", "weight") == "ap_fixed<9,2>"
    assert panel.table.text("fc3", "reuse_factor") == "2"
    assert panel.clock_spin.value() == 3.125 and panel.io_combo.currentText() == "io_stream"

    # A configuration of another model is refused with a message, through the error signal.
    from core.hls import HlsSettings, make_config
    from core.zoo import build_model

    other = make_config(build_model("muon_cnn_student"), HlsSettings())
    (tmp_path / "other.yml").write_text(other.to_yaml())
    with qtbot.waitSignal(panel.error, timeout=2000) as blocker:
        panel._guard("Cannot load the configuration", panel.load_yaml, tmp_path / "other.yml")
    assert "does not match" in blocker.args[1]
    assert panel.config() == edited


def test_build_button_follows_the_vendor_tools_on_path(jet, monkeypatch, tmp_path):
    _state, _jobs, panel = jet
    monkeypatch.setenv("PATH", _no_vendor_path(tmp_path))
    panel.refresh_vendor_tools()
    assert not panel.build_button.isEnabled()
    text = panel.build_reason_label.text()
    assert "No Vivado/Vitis HLS found" in text
    assert "vitis-run, vitis_hls, vivado_hls" in text and "PATH" in text and "empty_bin" in text
    assert "analytic estimate" in text and "export the project" in text
    assert panel.run_build() is None

    assert (FAKE_VITIS / "vitis-run").is_file(), "tests/fixtures/fake_vitis is missing"
    monkeypatch.setenv("PATH", str(FAKE_VITIS) + os.pathsep + _no_vendor_path(tmp_path))
    panel.refresh_vendor_tools()
    assert panel.build_button.isEnabled()
    assert "vitis-run" in panel.build_reason_label.text()
    # The stand-in is a Vitis tool: the Vivado backend cannot be built with it.
    panel.backend_combo.setCurrentText("Vivado")
    assert panel.config().settings.backend == "Vivado"
    assert not panel.build_button.isEnabled()
    assert "vivado_hls" in panel.build_reason_label.text()
    panel.backend_combo.setCurrentText("Vitis")
    assert panel.build_button.isEnabled()


def test_estimate_is_shown_and_labelled_as_an_estimate(jet):
    from core.hls.vendor import U50_CAPACITY

    _state, _jobs, panel = jet
    est = panel.estimate()
    assert est is not None and est.source == "estimate (analytic model)"
    shown = panel.resources_shown()
    assert "estimate (analytic model)" in shown["labels"] and "vendor report" in shown["labels"]
    assert shown["report"] is None  # nothing pretends to be a measurement
    assert "estimate (analytic model)" in shown["header"]
    assert shown["estimate"]["latency_cycles"] == est.latency_cycles
    assert shown["estimate"]["latency_ns"] == pytest.approx(est.latency_ns)
    assert shown["utilization"]["estimate"]["DSP"] == pytest.approx(est.dsp / U50_CAPACITY["DSP"])
    assert "not a synthesis result" in panel.resources_view.note.text()
    # A what-if edit updates the estimate: a reuse factor of 4 on the widest layer needs fewer DSPs.
    panel.set_cell("fc1", "reuse_factor", "4")
    assert panel.estimate().dsp < est.dsp


def test_late_job_signals_do_not_touch_a_deleted_panel(qtbot, hls_ws):
    from PySide6.QtWidgets import QApplication

    state, jobs, panel = _make_panel(qtbot, hls_ws, "jet_mlp-init", register=False)
    panel.set_calibration("gauss", 3000)
    job = panel.run_profile()
    assert job.is_active()
    panel.close()
    panel.deleteLater()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=120_000)
    job.wait(10)
    QApplication.processEvents()
    assert job.status == "done"
    jobs.shutdown()


# --- the real flow: auto precision, C simulation, export, vendor build (stand-in) -----------------
@pytest.mark.slow
def test_auto_precision_csim_export_and_build_through_the_ui(qtbot, jet, monkeypatch, tmp_path):
    from PySide6.QtCore import QTimer

    state, jobs, panel = jet
    ws = state.workspace
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()

    # Auto precision (emulation + one real C simulation to confirm) as a job.
    job = panel.run_auto_precision()
    assert job is not None and job in jobs.jobs and job.is_active()
    t0 = time.perf_counter()
    result = _wait(qtbot, job, timeout=600)
    # The GUI thread kept processing events while the job ran (a 20 ms timer kept ticking; the
    # job takes seconds, a blocked event loop would give at most one tick).
    assert len([t for t in ticks if t >= t0]) >= 5
    auto = panel.auto_precision_result()
    assert auto is result[2] and auto.reached
    why = panel.why_text.toPlainText()
    for layer in ("fc1", "fc2", "fc3", "output"):
        assert layer in why
    assert "integer" in why and "fractional" in why
    config = panel.config()
    assert config.layer("fc1").weight == auto.layer("fc1").weight != "ap_fixed<16,6>"
    assert panel.table.text("fc1", "weight") == config.layer("fc1").weight

    # C simulation of what auto precision chose: the library compiled to verify it is reused.
    ticks.clear()
    job = panel.run_csim()
    assert job is not None and job in jobs.jobs
    _wait(qtbot, job, timeout=600)
    report = panel.csim_report()
    assert report.agreement >= 0.99
    assert panel.csim_meta()["cache_hit"]
    assert "same class" in panel.csim_view.headline.text() and "Cache hit" in panel.csim_view.headline.text()
    assert panel.csim_view.table.rowCount() == len(report.layers) > 0
    assert panel.csim_view.highlighted_layer() == report.first_bad_layer
    metrics = ws.variants["jet_mlp-init"].metrics
    assert metrics["csim_agreement"] == pytest.approx(report.agreement)
    assert metrics["latency_ns_estimate"] == pytest.approx(panel.estimate().latency_ns)
    assert metrics["dsp_estimate"] == panel.estimate().dsp

    # Export the project (cache hit: no compile) to synthesize elsewhere.
    import zipfile

    job = panel.export_zip(tmp_path / "jet.zip")
    out = _wait(qtbot, job)
    names = zipfile.ZipFile(out).namelist()
    assert any(n.endswith("build_prj.tcl") for n in names) and any(n.endswith("README.txt") for n in names)

    # Vendor build with the stand-in tool: report shown next to the estimate, stored on the variant.
    monkeypatch.setenv("PATH", str(FAKE_VITIS) + os.pathsep + _no_vendor_path(tmp_path))
    panel.refresh_vendor_tools()
    assert panel.build_button.isEnabled()
    lines = []
    job = panel.run_build()
    job.logged.connect(lines.append)
    assert not panel.build_button.isEnabled() and panel.cancel_btn.isEnabled()
    _wait(qtbot, job)
    assert any("STAND-IN" in line for line in lines)  # the tool's log streamed into the job
    shown = panel.resources_shown()
    assert shown["report"]["DSP"] == 321 and shown["report"]["latency_cycles"] == 14
    assert shown["estimate"] is not None  # side by side
    assert shown["utilization"]["report"]["LUT"] == pytest.approx(23456 / 871_680)
    metrics = ws.variants["jet_mlp-init"].metrics
    assert metrics["dsp_report"] == 321 and metrics["latency_ns_report"] == pytest.approx(14 * 5.0)
    assert panel.build_button.isEnabled()

    # Cancel kills a running build.
    monkeypatch.setenv("TRIGLAB_STANDIN_SLEEP", "60")
    job = panel.run_build()
    qtbot.waitUntil(lambda: any("working for" in line for line in job.log_lines), timeout=60_000)
    panel.cancel_btn.click()
    qtbot.waitUntil(lambda: not job.is_active(), timeout=30_000)
    job.wait(10)
    assert job.status == "cancelled"
    assert panel.build_button.isEnabled()

    # A report made elsewhere comes back through "Import reports" (here: the stand-in's xml).
    xml = next(Path(panel.csim_meta()["project_dir"]).glob("*_prj/solution1/syn/report/*_csynth.xml"))
    state2, jobs2, other = _make_panel(qtbot, ws, "handson_cnn-init")
    try:
        rep = other.import_reports(xml)
        assert rep.dsp == 321
        assert other.resources_shown()["report"]["DSP"] == 321
        assert ws.variants["handson_cnn-init"].metrics["dsp_report"] == 321
        assert "imported" in ws.variants["handson_cnn-init"].metrics["report_source"]
    finally:
        jobs2.shutdown()
    timer.stop()


def _plain(label) -> str:
    """What a rich-text label shows (entities decoded)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


# --- a stored C-simulation result (hands-on 2's "synthesis" step) -------------------------------
@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """A small muon workspace whose student went through core.hls.pipeline.synthesize_variant
    (auto precision, g++, C simulation), as hands-on 2's "synthesis" step does; returns the
    workspace, the step's summary and its job log lines."""
    from core.data import load_dataset, pin_params
    from core.hls.pipeline import synthesize_variant
    from core.jobs import RecordingProgress
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("synth") / "ws")
    pin_params(ws.data_dir, "muon_rpc", events=3000, seed=1)
    load_dataset("muon_rpc", cache_dir=ws.data_dir)
    add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc", name="student", seed=0)
    add_zoo_variant(ws, "jet_mlp")  # another variant, shown before
    progress = RecordingProgress()
    summary = synthesize_variant(ws, "student", n_calib=300, progress=progress)
    return ws, summary, progress.lines


def test_show_csim_shows_the_stored_result_with_the_logged_numbers(qtbot, synthesized):
    ws, summary, lines = synthesized
    state, jobs, panel = _make_panel(qtbot, ws, "jet_mlp-init")
    try:
        _wait(qtbot, panel.run_profile())  # the other variant's profile in the Profiling tab
        assert "fc1" in panel.profiling_plotted()["layers"]
        panel.show_csim("student")
        assert state.current.name == "student" and panel.tabs.currentWidget() is panel.csim_view
        report, meta = panel.csim_report(), panel.csim_meta()
        assert meta["stored"] and report is not None  # shown from the workspace: nothing ran
        assert panel.job("csim") is None
        assert report.to_dict() == summary["csim"]
        m = ws["student"].metrics
        keras, firmware = meta["pt_resolution_robust_keras"], meta["pt_resolution_robust_csim"]
        assert firmware == pytest.approx(m["pt_resolution_robust_csim"])
        assert keras == pytest.approx(m["pt_resolution_robust_keras_csim"])
        assert keras == pytest.approx(summary["pt_resolution_robust_keras"])
        # the headline gives both, rounded as the step's log line writes them
        text = _plain(panel.csim_view.headline)
        logged = next(line for line in lines if line.startswith("robust pT resolution on"))
        for value in (keras, firmware):
            assert f"{100 * value:.1f} %" in text and f"{100 * value:.1f} %" in logged
        assert "Robust pT resolution" in text and "&&" not in text
        assert panel.csim_view.table.rowCount() == len(report.layers) > 0
        # the tabs follow the variant: no profile of jet_mlp-init is left
        assert panel.profiling_plotted() == {} and "student" in panel.profile_plot.message.text()
        # and the configuration is the one the step saved
        from core.hls.pipeline import load_saved_config

        assert panel.config().to_yaml() == load_saved_config(ws, "student").to_yaml()

        # a variant without a stored result says so, with one "&" in the button's name
        panel.show_csim("jet_mlp-init")
        assert panel.csim_report() is None
        shown = _plain(panel.csim_view.headline)
        assert "Convert & C-simulate" in shown and "&&" not in shown
    finally:
        jobs.shutdown()


def test_compiler_warnings_stay_in_the_log_file(synthesized):
    """g++'s deprecation warnings (ap_types) go to the build log file; the job log, which the
    views stream, gets the steps and one line counting them, naming the file."""
    ws, summary, lines = synthesized
    from core.hls.convert import BUILD_LOG

    log_file = Path(summary["project_dir"]) / BUILD_LOG
    full = log_file.read_text(encoding="utf-8")
    n = full.count(": warning:")
    assert n > 0  # hls4ml 1.3's ap_types with g++ 12
    assert not any("warning:" in line for line in lines)
    assert not any(line.startswith(("In file included from", "+ g++")) for line in lines)
    assert f"{n} compiler warnings, see {log_file}" in lines
    assert any(line.startswith("g++: compiling the network") for line in lines)


def test_target_defaults_come_from_the_preferences(qtbot, hls_ws, monkeypatch):
    """With ``app.preferences.hls_defaults`` (Preferences), a new configuration starts from its
    backend / part / clock; without the module, from core's defaults."""
    import sys
    import types

    from app.panels.hls_form import default_settings
    from core.hls.config import HlsSettings

    monkeypatch.setitem(sys.modules, "app.preferences", None)  # no Preferences: import fails
    assert default_settings() == HlsSettings()
    prefs = types.ModuleType("app.preferences")
    prefs.hls_defaults = lambda: {"backend": "Vivado", "part": "xcku115-flvb2104-2-i", "clock_ns": 4.0}
    monkeypatch.setitem(sys.modules, "app.preferences", prefs)
    hls_ws.ui.pop("selected_variant", None)
    state, jobs, panel = _make_panel(qtbot, hls_ws, "handson_cnn-init")
    try:
        s = panel.config().settings
        assert (s.backend, s.part, s.clock_period_ns) == ("Vivado", "xcku115-flvb2104-2-i", 4.0)
        assert panel.backend_combo.currentText() == "Vivado" and panel.clock_spin.value() == 4.0
    finally:
        jobs.shutdown()


def test_a_stored_csim_result_belongs_to_its_model_file(synthesized, tmp_path):
    """Retrained (or replaced) under the same name, a variant has no stored result any more."""
    import shutil

    from core.hls.pipeline import load_csim_result
    from core.workspace import Workspace

    ws, _summary, _lines = synthesized
    copy = Workspace.open(shutil.copytree(ws.root, tmp_path / "copy"))
    assert load_csim_result(copy, "student") is not None
    model = copy.load_model("student")
    model.layers[-1].set_weights([w * 0 for w in model.layers[-1].get_weights()])
    model.save(copy.path_of("student"))
    assert load_csim_result(copy, "student") is None


# --- a public hls4ml-style model with BatchNormalization, from the Synthesis view -------------------
@pytest.mark.slow
def test_auto_precision_of_a_batchnorm_model_from_the_synthesis_view(qtbot, tmp_path):
    """Issue 13's "Done when" in the app: the json + h5 pair of hls4ml's KERAS_3layer_batch_norm
    architecture (rebuilt, briefly trained) opened as File > Open does, then Auto precision with its
    C simulation: >= 99 % agreement, every layer emulated (BatchNorm too, none left to the fallback)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
    import public_models

    from core.workflows import import_model_file
    from core.workspace import Workspace

    json_path = public_models.build_public_model("KERAS_3layer_batch_norm", tmp_path / "model")
    ws = Workspace.create(tmp_path / "ws")
    v = import_model_file(ws, json_path)
    state, jobs, panel = _make_panel(qtbot, ws, v.name)
    try:
        result = _wait(qtbot, panel.run_auto_precision(), timeout=600)
        auto = panel.auto_precision_result()
        assert auto is result[2] and auto.reached and auto.agreement_csim >= 0.99
        assert not [n for n in auto.notes if "not emulated" in n]
        classes = {c.class_name for c in auto.layers}
        assert "BatchNormalization" in classes  # kept as its own layer, with its own precisions
        why = panel.why_text.toPlainText()
        assert "bn1" in why and "scale" in why
    finally:
        jobs.shutdown()


# --- timing in bunch crossings ---------------------------------------------------------------------
def test_resources_tab_gives_ns_and_bunch_crossings_and_flags_a_slow_design(qtbot):
    from app.panels.hls_resources import ResourcesView
    from core.hls.vendor import U50_CAPACITY

    view = ResourcesView(U50_CAPACITY, "xcu50-fsvh2104-2-e")
    qtbot.addWidget(view)
    view.resize(700, 600)
    res = {"LUT": 20000, "FF": 7000, "DSP": 0, "BRAM_18K": 0, "URAM": 0}
    # hands-on 2's student with hls4ml's default settings: II 30 cycles at 5 ns
    view.set_estimate({**res, "latency_cycles": 34, "latency_ns": 170.0, "ii": 30, "clock_ns": 5.0})
    shown = view.shown()
    assert shown["rows"]["latency_bx"][0] == "6.8" and shown["rows"]["ii_bx"][0] == "6.0"
    assert shown["rows"]["ii_ns"][0] == "150" and shown["rows"]["ii"][0] == "30"
    assert shown["every_bx"] is False
    assert "every 6 bunch crossings" in shown["bx"] and "miss 5 of 6" in shown["bx"]
    assert "ParallelizationFactor" in shown["bx"] and "estimate (analytic model)" in shown["bx"]
    assert shown["error_bars"]["ii_bx"] == shown["error_bars"]["ii"]  # same error bar as the cycles
    # a vendor report that takes every crossing decides, and says where the verdict comes from
    view.set_report({**res, "latency_cycles": 4, "latency_ns": 20.0, "ii": 1, "clock_ns": 5.0}, "stand-in")
    shown = view.shown()
    assert shown["every_bx"] is True and shown["rows"]["ii_bx"][1] == "0.2"
    assert "Accepts an event every bunch crossing" in shown["bx"] and "vendor report" in shown["bx"]


def test_synthesis_view_shows_the_every_bx_settings_the_walkthrough_saved(qtbot, tmp_path):
    """What hands-on 2's synthesis step leaves (the saved configuration with conv1 unrolled and the
    default-vs-chosen record) is what the Synthesis view shows: settings, BX verdict, cost."""
    from core.hls.config import make_config
    from core.hls.pipeline import estimate_metrics, save_config
    from core.hls.timing import EVERY_BX_METRIC, settings_for_every_bx
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "muon_cnn_student", name="student")
    add_zoo_variant(ws, "muon_cnn_student", name="plain")
    model = ws.load_model("student")
    choice = settings_for_every_bx(model)
    config = choice.apply(make_config(model))
    save_config(ws, "student", config)
    from core.hls.estimate import estimate

    ws.update_metrics(
        "student", {**estimate_metrics(estimate(model, config)), EVERY_BX_METRIC: choice.to_dict()}
    )
    state, jobs, panel = _make_panel(qtbot, ws, "plain")
    try:
        assert panel.resources_shown()["every_bx"] is False  # hls4ml's default: II 30 cycles
        state.select_variant("student")
        panel.estimate()
        shown = panel.resources_shown()
        assert shown["every_bx"] is True and "Accepts an event every bunch crossing" in shown["bx"]
        assert "conv1 ParallelizationFactor 30" in panel.resources_view.note.text()
        status = _plain(panel.status)
        assert "One event per bunch crossing: io_parallel, Latency, reuse 1" in status
        assert "conv1 ParallelizationFactor 30" in status and "(estimates)" in status
        from app.i18n import fmt_num

        lut = (fmt_num(choice.chosen["LUT"], 0), fmt_num(choice.default["LUT"], 0))
        assert f"LUT {lut[0]} against {lut[1]} with the default settings" in status
    finally:
        jobs.shutdown()
