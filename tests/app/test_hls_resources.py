"""The Synthesis view's Resources tab with a calibrated estimate: error bars, the ratio to a vendor
report, the chosen part's capacity; and what the view says when storing a result fails.

The calibrated estimator's new attributes (``error_bars``, ``part``, ``capacity``,
``calibration_source``) are put on the real estimate by a wrapper, so these tests hold with the
estimator before and after its calibration.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import pytest

from app.jobs import JobManager
from app.state import AppState

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from calibration_stand_in import write_csynth_xml  # noqa: E402

ERROR_BARS = {
    "latency_cycles": {
        "rel": 0.25,
        "coverage": 0.9,
        "n": 48,
        "text": "latency ±25 % (90 % of 48 reference designs)",
    },
    "ii": {"rel": 0.0, "coverage": 1.0, "n": 48, "text": "II ±0 % (100 % of 48 reference designs)"},
    "DSP": {"rel": 0.3, "coverage": 0.9, "n": 48, "text": "DSP ±30 % (90 % of 48 reference designs)"},
    "LUT": {"rel": 0.4, "coverage": 0.9, "n": 60, "text": "LUT ±40 % (90 % of 60 reference designs)"},
    "FF": {"rel": 0.5, "coverage": 0.9, "n": 48, "text": "FF ±50 % (90 % of 48 reference designs)"},
    "BRAM_18K": {"rel": 1.0, "coverage": 0.9, "n": 48, "text": "BRAM ±100 % (90 % of 48 reference designs)"},
}
U50 = "xcu50-fsvh2104-2-e"


@pytest.fixture(scope="module")
def jet_ws(tmp_path_factory):
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("res") / "ws")
    add_zoo_variant(ws, "jet_mlp")
    return ws


def calibrated(monkeypatch, *, part=U50, capacity="u50"):
    """Make ``core.hls.estimate.estimate`` return the real estimate with a calibration's attributes."""
    import core.hls.estimate as hest
    from core.hls.vendor import U50_CAPACITY

    real = hest.estimate

    def estimate(model, config):
        est = real(model, config)
        est.error_bars = ERROR_BARS
        est.part = part
        est.capacity = dict(U50_CAPACITY) if capacity == "u50" else capacity
        est.calibration_source = "shipped: 48 hls4ml synthesis baselines (Vivado HLS 2020.1, Vitis 2024.1)"
        return est

    monkeypatch.setattr(hest, "estimate", estimate)


@pytest.fixture
def panel(qtbot, jet_ws):
    from app.panels.hls_view import HlsView

    state, jobs = AppState(), JobManager()
    state.set_workspace(jet_ws)
    state.select_variant(next(iter(jet_ws.variants)))
    view = HlsView(state, jobs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    yield view
    jobs.shutdown()


def test_estimate_shows_its_error_bars_the_part_and_the_ratio_to_a_report(panel, monkeypatch, tmp_path):
    calibrated(monkeypatch)
    panel._refresh_estimate()
    est = panel.estimate()
    shown = panel.resources_shown()
    assert shown["labels"][2] == "expected error" and shown["labels"][4] == "estimate / report"
    assert shown["headers"][1:5] == ["estimate", "±", "report", "ratio"]
    assert shown["error_bars"]["LUT"] == "±40 %" and shown["error_bars"]["latency_ns"] == "±25 %"
    assert shown["error_bars"]["URAM"] == "" and shown["error_bars"]["clock_ns"] == ""
    assert shown["error_tooltips"]["LUT"] == ERROR_BARS["LUT"]["text"]
    assert "xcu50-fsvh2104-2-e (Alveo U50)" in shown["header"]
    assert "48 hls4ml synthesis baselines" in shown["calibration"]
    assert all(v == "" for v in shown["ratios"].values())  # no report yet: no ratio

    xml = write_csynth_xml(tmp_path / "myproject_csynth.xml", lut=2 * est.lut, dsp=max(est.dsp, 1))
    panel.import_reports(xml)
    shown = panel.resources_shown()
    assert shown["ratios"]["LUT"] == "0.50×"
    assert shown["ratios"]["latency_cycles"] == f"{est.latency_cycles / 14:.2f}×"
    assert shown["ratios"]["BRAM_18K"] == "—"  # the report says 0
    assert shown["ratios"]["clock_ns"] == ""
    # the status says whether the pair went into the calibration store
    assert "calibration store" in panel.status.text()


def test_utilization_follows_the_chosen_part_and_an_unknown_part_says_so(panel, monkeypatch):
    small = {"LUT": 53_200, "FF": 106_400, "DSP": 220, "BRAM_18K": 280, "URAM": 0}
    calibrated(monkeypatch, part="xc7z020clg400-1", capacity=small)
    panel._refresh_estimate()
    est = panel.estimate()
    shown = panel.resources_shown()
    assert shown["part"] == "xc7z020clg400-1" and shown["capacity"] == small
    assert shown["utilization"]["estimate"]["DSP"] == pytest.approx(est.dsp / 220)
    assert "xc7z020clg400-1" in shown["header"] and "Alveo" not in shown["header"]

    calibrated(monkeypatch, part="xcmystery-1", capacity=None)
    panel._refresh_estimate()
    shown = panel.resources_shown()
    assert shown["capacity"] is None and shown["utilization"]["estimate"] == {}
    assert "Unknown part: utilization not computed" in shown["header"]
    assert not panel.resources_view.plot_widget.isVisible()
    assert panel.resources_view.table.item(0, 5).text() == "—"  # capacity


def test_the_capacity_column_shows_whole_or_not_at_all(panel, monkeypatch, qtbot):
    """A number cut by the table's frame misreads ("871." for 871 680 in Italian): a narrow tab
    hides the capacity column, a wide one shows it whole."""
    calibrated(monkeypatch)
    panel._refresh_estimate()
    table = panel.resources_view.table

    def visible_whole() -> bool:
        right = table.columnViewportPosition(5) + table.columnWidth(5)
        return not table.isColumnHidden(5) and right <= table.viewport().width()

    panel.tabs.setCurrentWidget(panel.resources_view)
    panel.resize(1366, 768)
    qtbot.waitUntil(visible_whole, timeout=3000)
    panel.resize(700, 768)  # the tab narrower than the numbers need
    qtbot.waitUntil(lambda: table.isColumnHidden(5), timeout=3000)
    assert table.columnViewportPosition(4) + table.columnWidth(4) <= table.viewport().width()
    assert table.item(0, 1).text()  # the estimate itself stays


def _csim_result():
    from core.hls.convert import CsimReport

    report = CsimReport(
        task="classification",
        n_samples=100,
        agreement=0.99,
        max_abs_error=0.01,
        mean_abs_error=0.001,
        rmse=0.002,
    )
    return report, {"cache_hit": True, "source": "gauss", "project_dir": "/nowhere"}


def test_a_failed_estimate_after_the_c_simulation_is_said_and_the_numbers_kept(panel, monkeypatch):
    import core.hls.estimate as hest

    ws, lv = panel.state.workspace, panel._lv
    config = panel.config()

    def broken(model, config):
        raise RuntimeError("no cost model for this layer")

    monkeypatch.setattr(hest, "estimate", broken)
    panel._csim_done(lv, ws, config, _csim_result())
    text = panel.status.text()
    assert "C simulation: 99.00 % agreement" in text
    assert "The estimate of" in text and "no cost model for this layer" in text
    assert "the C-simulation numbers are stored" in text
    assert ws.variants[lv.name].metrics["csim_agreement"] == pytest.approx(0.99)


def test_a_configuration_that_cannot_be_saved_is_said_with_its_path(panel, monkeypatch):
    import app.panels.hls_actions as actions
    from core.hls.pipeline import saved_config_path

    ws, lv = panel.state.workspace, panel._lv

    def full_disk(*_args, **_kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(actions, "save_config", full_disk)
    panel._csim_done(lv, ws, panel.config(), _csim_result())
    text = panel.status.text()
    assert f"Could not save the configuration of {lv.name} to {saved_config_path(ws, lv.name)}" in text
    assert "the disk is full" in text
    assert panel.csim_report() is not None  # the result is shown all the same


def test_a_damaged_saved_configuration_is_said(qtbot, jet_ws):
    from app.panels.hls_view import HlsView
    from core.hls.pipeline import saved_config_path

    name = next(iter(jet_ws.variants))
    path = saved_config_path(jet_ws, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("HlsConfig: [unclosed\n")
    state, jobs = AppState(), JobManager()
    try:
        state.set_workspace(jet_ws)
        state.select_variant(name)
        view = HlsView(state, jobs)
        qtbot.addWidget(view)
        view.show()
        view.config()
        assert "could not be read" in view.status.text() and str(path) in view.status.text()
        assert view.config() is not None  # the default configuration is shown
    finally:
        path.unlink()
        jobs.shutdown()


def test_a_build_here_adds_its_pair_to_the_calibration_store(panel, monkeypatch, tmp_path):
    from calibration_stand_in import install

    from core.hls import calibration_store as cs
    from core.hls.vendor import parse_csynth_xml

    install(monkeypatch)
    ws, lv = panel.state.workspace, panel._lv
    config = panel.config()
    report = parse_csynth_xml(write_csynth_xml(tmp_path / "myproject_csynth.xml"))
    panel._build_done(lv, ws, config, (str(tmp_path / "prj"), report))
    assert "Added to the local calibration store (1 pairs)" in panel.status.text()
    (pair,) = cs.pairs()
    assert pair.meta["source"] == "built here" and pair.meta["variant"] == lv.name
    assert pair.report["dsp"] == 321 and pair.features["rf"] == config.settings.reuse_factor
    assert ws.variants[lv.name].metrics["dsp_report"] == 321
    # the same build again is not a second pair
    panel._build_done(lv, ws, config, (str(tmp_path / "prj"), report))
    assert "Already in the local calibration store" in panel.status.text() and len(cs.pairs()) == 1
    # a report for another clock is not this configuration's
    slow = parse_csynth_xml(write_csynth_xml(tmp_path / "slow_csynth.xml", clock=10.0))
    panel._build_done(lv, ws, config, (str(tmp_path / "prj"), slow))
    assert "Not added to the calibration store" in panel.status.text() and "10 ns" in panel.status.text()


def test_refit_the_estimate_from_the_resources_tab(panel, monkeypatch, qtbot):
    from calibration_stand_in import install

    from core.hls import calibration_store as cs

    calibrated(monkeypatch)
    panel._refresh_estimate()
    panel.tabs.setCurrentWidget(panel.resources_view)
    line = panel.resources_view.calibration_label
    assert line.isVisible() and "Refit the estimate</a>" in line.text()
    assert str(cs.pairs_path()) in line.toolTip()
    fits = install(monkeypatch)
    report = {"latency_cycles_max": 10, "interval_max": 1, "lut": 500, "ff": 300, "dsp": 4, "bram_18k": 0}
    cs.add({"dense_mults": 64}, report, {"source": "built here"})
    line.linkActivated.emit("refit")  # the user clicks the link
    job = panel.job("calibrate")
    qtbot.waitUntil(lambda: not job.is_active(), timeout=60_000)
    job.wait(10)
    assert job.status == "done", job.error
    assert "Estimate refitted on 3 reference designs and 1 report(s)" in panel.status.text()
    assert "LUT within 2× on 75 %" in panel.status.text()
    assert cs.calibration_path().is_file() and len(fits[-1]) == 4
