"""The estimate against 60 real synthesis reports (hls4ml's baselines), per quantity.

For latency, interval, DSP, LUT, FF and BRAM_18K: the median ratio estimate / report and the
fraction of designs within 2× (a report of 0 counts as within when the estimate is ≤ 2), with the
shipped calibration (in sample) and by leave-one-out (each design predicted by a fit without it,
which is what the error bars state). The table is printed and written to
``build/estimate_calibration.md`` and ``.json``. Targets: median in [0.8, 1.25], ≥ 85 % within 2×.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from core.hls.estimate import calibration as cal_mod
from core.hls.estimate import estimate, features, shipped_calibration
from core.hls.estimate.features import QUANTITIES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hls_baselines"
ROOT = Path(__file__).resolve().parents[2]
TARGET_MEDIAN = (0.8, 1.25)
TARGET_WITHIN = 0.85


@pytest.fixture(scope="module")
def designs():
    sys.path.insert(0, str(FIXTURES))
    try:
        import designs as module
    finally:
        sys.path.remove(str(FIXTURES))
    return module


@pytest.fixture(scope="module")
def fixtures(designs):
    return designs.load_fixtures()


@pytest.fixture(scope="module")
def pairs(designs, fixtures):
    return designs.reference_pairs(fixtures)


@pytest.fixture(scope="module")
def table(pairs):
    shipped = shipped_calibration()
    rows = {"in_sample": cal_mod.evaluate(shipped, pairs), "leave_one_out": cal_mod.leave_one_out(pairs)}
    lines = [
        f"# Estimate vs {len(pairs)} hls4ml synthesis baselines ({shipped.source})",
        "",
        "| quantity | median ratio | within 2× | worst ratio | LOO median | LOO within 2× | LOO worst | error bar (LOO, 90 %) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for q in QUANTITIES:
        a, b = rows["in_sample"][q], rows["leave_one_out"][q]
        lines.append(
            f"| {cal_mod.LABELS[q]} | {a['median_ratio']:.2f} | {100 * a['within_2x']:.0f} % | {a['worst_ratio']:.2f} "
            f"| {b['median_ratio']:.2f} | {100 * b['within_2x']:.0f} % | {b['worst_ratio']:.2f} "
            f"| {shipped.error_text(q)} |"
        )
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    out = ROOT / "build"
    out.mkdir(exist_ok=True)
    (out / "estimate_calibration.md").write_text(text, encoding="utf-8")
    (out / "estimate_calibration.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return rows


def test_fixture_set_is_complete(fixtures):
    assert len(fixtures) == 60
    tools = {(f["tool"]["vendor"], f["tool"]["version"]) for f in fixtures}
    assert tools == {("Vivado", "2020.1"), ("Vitis", "2020.1"), ("Vitis", "2023.1"), ("Vitis", "2024.1")}
    for f in fixtures:
        assert f["source"]["repository"] == "fastmachinelearning/hls4ml"
        assert f["report"]["Available"]["DSP"] == 12288  # hls4ml's default part, the xcvu13p
        assert f["design"]["hls"]["part"] == "xcvu13p-flga2577-2-e"


def test_rebuilt_designs_are_deterministic(designs, fixtures):
    design = next(f["design"] for f in fixtures if f["design"]["test"] == "test_conv2d")
    a, b = (features(*designs.build(design)) for _ in range(2))
    assert a == b
    assert a["terms"]["dsp_mult"] > 0 and json.loads(json.dumps(a)) == a  # plain JSON


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_in_sample_targets(table, quantity):
    stats = table["in_sample"][quantity]
    assert TARGET_MEDIAN[0] <= stats["median_ratio"] <= TARGET_MEDIAN[1], stats
    assert stats["within_2x"] >= TARGET_WITHIN, stats


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_leave_one_out_targets(table, quantity):
    stats = table["leave_one_out"][quantity]
    assert TARGET_MEDIAN[0] <= stats["median_ratio"] <= TARGET_MEDIAN[1], stats
    assert stats["within_2x"] >= TARGET_WITHIN, stats


def test_shipped_calibration_is_the_fit_of_the_fixtures(pairs):
    """The shipped file is what make_calibration.py fits today (refit it when the model changes)."""
    shipped = shipped_calibration()
    refit = cal_mod.fit(pairs)
    for q in QUANTITIES:
        for term, value in refit.coef[q].items():
            assert shipped.coef[q][term] == pytest.approx(value, rel=1e-6, abs=1e-9), (q, term)
    assert shipped.n == len(pairs)


def test_estimate_uses_the_calibration_and_the_tool_version(designs, fixtures):
    fixture = next(f for f in fixtures if f["id"] == "Vitis-2024.1-dense_io_parallel-Vitis")
    model, config = designs.build(fixture["design"])
    luts = {v: estimate(model, config, tool_version=v).lut for v in ("2020.1", "2023.1", "2024.1")}
    assert luts["2020.1"] < luts["2024.1"]  # the same design: 178 vs 354 LUT in the reports
    est = estimate(model, config)
    assert est.tool == "Vitis 2024.1" and est.part == "xcvu13p-flga2577-2-e"
    assert est.capacity["DSP"] == 12288 and est.utilization()["DSP"] == pytest.approx(est.dsp / 12288)
    for q in QUANTITIES:
        bar = est.error_bars[q]
        assert bar["coverage"] == 0.9 and bar["n"] == 60 and bar["rel"] > 0
        assert "90 % of 60 reference designs" in bar["text"]


def test_unknown_part_has_no_utilization(designs, fixtures):
    model, config = designs.build(fixtures[0]["design"])
    est = estimate(model, config, part="xc9z999-made-up")
    assert est.capacity is None and est.utilization() is None
    d = est.to_dict()
    assert d["utilization"] is None and "xc9z999-made-up" in d["capacity_note"]


def test_local_calibration_wins_only_when_valid(tmp_path, monkeypatch, pairs):
    monkeypatch.setenv("TRIGLAB_HOME", str(tmp_path))
    assert cal_mod.active_calibration().source.startswith("built-in")
    path = tmp_path / "calibration" / "calibration.json"
    path.parent.mkdir()
    local = cal_mod.fit(pairs[:30], source="local: 30 reports of this lab")
    path.write_text(local.to_json())
    assert cal_mod.active_calibration().source == "local: 30 reports of this lab"
    data = json.loads(local.to_json())
    data["coef"]["LUT"]["__import__('os')"] = 1.0  # names are checked, never evaluated
    path.write_text(json.dumps(data))
    assert cal_mod.active_calibration().source.startswith("built-in")
    for bad in ("not json", "[]", json.dumps({"schema": "x"})):
        path.write_text(bad)
        with pytest.raises(cal_mod.CalibrationError):
            cal_mod.Calibration.from_json(bad)
        assert cal_mod.active_calibration().source.startswith("built-in")
    assert cal_mod.Calibration.from_json(local.to_json()) == local


def test_a_few_local_reports_refit_only_the_tool_factors(pairs):
    """A lab with a handful of reports of its own tool keeps the built-in coefficients and moves
    only its tool's factors (towards what its reports say)."""
    shipped = shipped_calibration()
    lab = []
    for f, r in [p for p in pairs if p[1]["vendor"] == "Vitis"][
        -8:
    ]:  # pretend a 'Vitis 2025.1' that reports 1.5x the LUTs
        r = dict(r, version="2025.1", LUT=round(1.5 * r["LUT"]))
        lab.append((dict(f, version="2025.1"), r))
    local = cal_mod.fit(lab, source="local: 8 reports", prior=shipped)
    assert local.coef == shipped.coef
    assert local.default_version["Vitis"] == "2025.1"
    assert local.factor("LUT", "Vitis 2025.1") > shipped.factor("LUT", "Vitis 2024.1")
    assert local.factor("DSP", "Vivado 2020.1") == shipped.factor("DSP", "Vivado 2020.1")
    # an unseen version falls back to its backend's newest known one
    assert shipped.factor("LUT", "Vitis 2030.2") == shipped.factor("LUT", "Vitis 2024.1")
    bars = cal_mod.with_error_bars(local, lab, prior=shipped).error_bars
    assert set(bars) == set(QUANTITIES) and all(b["n"] == 8 for b in bars.values())
