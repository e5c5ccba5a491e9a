"""The local calibration store: pairs added once, hand-edited lines skipped, refit saved atomically.

The store's mechanics are tested with a stand-in calibration module (``StandInCalibration``: it
records what it was fitted on); one test uses the real ``core.hls.estimate.calibration`` when this
TrigLab has it.
"""

from __future__ import annotations

import json

import pytest
from calibration_stand_in import REFERENCES, install

from core.hls import calibration_pairs as pairs_of
from core.hls import calibration_store as store
from core.hls.vendor import SynthReport


@pytest.fixture
def fitted(monkeypatch):
    """The stand-in installed as ``core.hls.estimate.calibration``; yields the list of fits."""
    return install(monkeypatch)


def _report(lut=5000, dsp=12, part="xcu50-fsvh2104-2-e", clock=5.0, version="2023.1") -> SynthReport:
    return SynthReport(
        latency_cycles_min=9,
        latency_cycles_max=10,
        interval_min=1,
        interval_max=1,
        lut=lut,
        ff=3000,
        dsp=dsp,
        bram_18k=0,
        uram=0,
        clock_ns=clock,
        part=part,
        tool_version=version,
        report_path="/somewhere/myproject_csynth.xml",
    )


META = {
    "variant": "v",
    "model_sha256": "ab" * 32,
    "vendor": "Vitis",
    "version": "2023.1",
    "source": "built here",
}


def test_add_stores_a_pair_once_and_reads_it_back():
    assert store.pairs() == []
    pair = store.add({"dense_mults": 64}, _report().to_dict(), META)
    assert pair is not None and pair.line == 1
    assert store.add({"dense_mults": 64}, _report().to_dict(), META) is None  # the same pair
    # the same report imported from another path is the same pair
    moved = {**_report().to_dict(), "report_path": "/elsewhere/x.xml"}
    assert store.add({"dense_mults": 64}, moved, META) is None
    # another report of the design, or another design, is a new pair
    assert store.add({"dense_mults": 64}, _report(lut=5100).to_dict(), META) is not None
    assert store.add({"dense_mults": 32}, _report().to_dict(), META) is not None
    got = store.pairs()
    assert [p.report["lut"] for p in got] == [5000, 5100, 5000]
    assert got[0].features == {"dense_mults": 64}
    assert got[0].meta["source"] == "built here" and got[0].meta["date"].endswith("+00:00")
    assert "report_path" not in got[0].report and "utilization" not in got[0].report
    lines = store.pairs_path().read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["format"] == store.FORMAT for line in lines)


def test_bad_pairs_are_refused_and_nothing_is_written():
    with pytest.raises(store.CalibrationStoreError, match="report.lut"):
        store.add({"x": 1}, {**_report().to_dict(), "lut": "many"}, META)
    with pytest.raises(store.CalibrationStoreError, match="cannot be stored"):
        store.add({"x": float("nan")}, _report().to_dict(), META)
    assert not store.pairs_path().exists()


def test_hand_edited_and_corrupt_lines_are_skipped_with_a_warning(caplog):
    store.add({"dense_mults": 64}, _report().to_dict(), META)
    path = store.pairs_path()
    good = path.read_text()
    path.write_text(
        good
        + "{not json\n"
        + json.dumps({"format": 1, "features": {"a": 1}, "report": {"lut": -3}, "meta": {}})
        + "\n"
        + json.dumps(["a", "list"])
        + "\n\n"
        + '{"format": 1, "features": {"__import__": "os"}, "report": '
        + json.dumps(_report(lut=77).to_dict())
        + ', "meta": {"source": "typed by hand"}}'  # no newline at the end: still read
    )
    contents = store.load()
    assert [p.report["lut"] for p in contents.pairs] == [5000, 77]
    assert [p.line for p in contents.pairs] == [1, 6]
    assert len(contents.skipped) == 3
    assert all(str(path) in s for s in contents.skipped)
    assert "line 2" in contents.skipped[0] and "line 3" in contents.skipped[1]
    assert "calibration store" in caplog.text
    # adding after a hand edit keeps every line the user wrote, bad ones included
    assert store.add({"dense_mults": 8}, _report().to_dict(), META) is not None
    text = path.read_text()
    assert text.startswith(good + "{not json\n") and len(text.splitlines()) == 7
    assert len(store.pairs()) == 3


def test_an_unreadable_store_is_an_empty_store(tmp_path):
    store.store_dir().mkdir(parents=True)
    store.pairs_path().symlink_to(tmp_path / "elsewhere.jsonl")  # a planted link is not followed
    (tmp_path / "elsewhere.jsonl").write_text(json.dumps({"format": 1}) + "\n")
    contents = store.load()
    assert contents.pairs == [] and "not read" in contents.skipped[0]


def test_refit_fits_on_references_plus_local_pairs_and_saves(fitted):
    store.add({"dense_mults": 64}, _report().to_dict(), META)
    store.add({"dense_mults": 32}, _report(lut=900).to_dict(), META)
    cal = store.refit()
    assert cal.n == len(REFERENCES) + 2
    features = [f for f, _r in fitted[-1]]
    assert features[: len(REFERENCES)] == [f for f, _r in REFERENCES]
    assert features[len(REFERENCES) :] == [{"dense_mults": 64}, {"dense_mults": 32}]
    assert json.loads(store.calibration_path().read_text()) == {"stand_in": True, "n": 5}
    assert store.read_calibration().n == 5
    assert not list(store.store_dir().glob(".*tmp*"))  # written atomically, no temporary left

    quality = store.fit_quality(REFERENCES)
    assert set(quality) == set(store.QUANTITIES)
    assert quality["LUT"]["median_ratio"] == pytest.approx(1.0 + 0.1 / 3)
    assert quality["LUT"]["worst"] is None  # not given by this module

    assert store.reset() == 2
    assert store.pairs() == [] and store.read_calibration() is None


def test_a_hand_edited_calibration_is_refused_naming_the_file(fitted):
    store.store_dir().mkdir(parents=True)
    store.calibration_path().write_text('{"n": "three"')
    with pytest.raises(store.CalibrationStoreError) as info:
        store.read_calibration()
    assert str(store.calibration_path()) in str(info.value) and "--reset" in str(info.value)


def test_a_failing_fit_leaves_the_previous_calibration(fitted, monkeypatch):
    import core.hls.estimate as hest

    store.refit()
    before = store.calibration_path().read_text()
    store.add({"dense_mults": 64}, _report().to_dict(), META)
    monkeypatch.setattr(hest.calibration, "fit", lambda pairs: 1 / 0)
    with pytest.raises(store.CalibrationStoreError, match=str(store.pairs_path())):
        store.refit()
    assert store.calibration_path().read_text() == before


def test_add_design_checks_the_design_and_says_what_it_did(fitted):
    from core.hls.config import make_config
    from core.zoo import build_model

    model = build_model("jet_mlp")
    config = make_config(model)
    out = pairs_of.add_design(
        model, config, _report(), variant="v", source="built here", model_sha256="cd" * 32
    )
    assert out.status == pairs_of.ADDED and out.total == 1 and str(store.pairs_path()) in out.detail
    pair = store.pairs()[0]
    assert pair.features == {"layers": len(model.layers), "rf": 1}
    assert pair.meta["vendor"] == "Vitis" and pair.meta["version"] == "2023.1"
    assert pair.meta["part"] == "xcu50-fsvh2104-2-e" and pair.meta["variant"] == "v"
    again = pairs_of.add_design(
        model, config, _report(), variant="v", source="imported from x.zip", model_sha256="cd" * 32
    )
    assert again.status == pairs_of.DUPLICATE and again.total == 1
    other = pairs_of.add_design(model, config, _report(part="xc7z020clg400-1"), variant="v", source="x")
    assert other.status == pairs_of.MISMATCH and "xc7z020clg400-1" in other.detail
    slow = pairs_of.add_design(model, config, _report(clock=10.0), variant="v", source="x")
    assert slow.status == pairs_of.MISMATCH and "10 ns" in slow.detail


def test_add_design_without_a_calibration_module_keeps_going(monkeypatch):
    import builtins

    from core.hls.config import make_config
    from core.zoo import build_model

    real_import = builtins.__import__

    def no_calibration(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "core.hls.estimate" and "calibration" in (fromlist or ()):
            raise ImportError("no calibration module")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_calibration)
    model = build_model("jet_mlp")
    out = pairs_of.add_design(model, make_config(model), _report(), variant="v", source="built here")
    assert out.status == pairs_of.UNAVAILABLE and "cannot be calibrated" in out.detail
    assert not store.pairs_path().exists()


def _real_calibration():
    try:
        from core.hls.estimate import calibration
    except ImportError:
        return None
    return calibration if hasattr(calibration, "builtin_references") else None


@pytest.mark.skipif(_real_calibration() is None, reason="core.hls.estimate.calibration not in this TrigLab")
def test_refit_with_the_real_calibration_round_trips():
    cal = _real_calibration()
    refs = cal.builtin_references()
    features, _ = refs[0]
    store.add(features, _report().to_dict(), {**META, "source": "imported from test"})
    fitted_cal = store.refit()
    again = store.read_calibration()
    assert again is not None and again.to_json() == fitted_cal.to_json()
    assert again.source.startswith("local: 60 reference designs + 1 pair(s)")
    # the estimator uses it from now on
    from core.hls.estimate import active_calibration

    assert active_calibration().to_json() == fitted_cal.to_json()


def test_an_exported_project_must_carry_the_variant_configuration(fitted, tmp_path):
    import zipfile

    from core.hls.config import make_config
    from core.hls.export import CONFIG_NAME
    from core.zoo import build_model

    model = build_model("jet_mlp")
    config = make_config(model)
    exported = tmp_path / "jet.zip"
    with zipfile.ZipFile(exported, "w") as zf:
        zf.writestr(f"myproject/{CONFIG_NAME}", config.to_yaml(output_dir="."))
        zf.writestr("myproject/myproject_prj/solution1/syn/report/myproject_csynth.xml", "<profile/>")
    assert pairs_of.config_in(exported) == config
    other = config.copy()
    other.set_setting("reuse_factor", 4)
    out = pairs_of.add_design(model, other, _report(), variant="v", source=f"imported from {exported}",
                           synthesized=pairs_of.config_in(exported))  # fmt: skip
    assert out.status == pairs_of.MISMATCH and out.reason == "config" and store.pairs() == []
    out = pairs_of.add_design(
        model, config, _report(), variant="v", source="x", synthesized=config_in_folder(tmp_path, config)
    )
    assert out.status == pairs_of.ADDED
    # a damaged configuration file is no configuration (the part and clock checks still apply)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / CONFIG_NAME).write_text("settings: [unclosed\n")
    assert pairs_of.config_in(tmp_path / "broken") is None


def config_in_folder(tmp_path, config):
    """A project folder with TrigLab's configuration; the config read back from its csynth.xml's place."""
    from core.hls.export import CONFIG_NAME

    prj = tmp_path / "prj"
    report = prj / "myproject_prj" / "solution1" / "syn" / "report"
    report.mkdir(parents=True)
    (prj / CONFIG_NAME).write_text(config.to_yaml(output_dir="."))
    (report / "myproject_csynth.xml").write_text("<profile/>")
    found = pairs_of.config_in(report / "myproject_csynth.xml")
    assert found == config
    return found
