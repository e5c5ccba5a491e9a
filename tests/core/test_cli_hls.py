"""triglab-cli hls as a user runs it (subprocess, JSON)."""

import json
import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "core.cli"]


def run(*args, env_extra=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env_extra or {}))
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def jet_pair(tmp_path_factory):
    """jet_mlp saved hls4ml-style (model.json + model_weights.h5)."""
    from core.zoo import build_model

    m = build_model("jet_mlp")
    d = tmp_path_factory.mktemp("jet")
    (d / "model.json").write_text(m.to_json())
    m.save_weights(str(d / "model_weights.h5"))
    return d / "model.json"


def test_estimate_on_a_model_file_is_labelled_and_has_every_layer(jet_pair):
    r = run("hls", jet_pair, "estimate", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["estimate"]["source"].startswith("estimate")
    assert doc["estimate"]["latency_cycles"] > 0 and doc["estimate"]["dsp"] > 0
    assert {"fc1", "fc2", "fc3", "output"} <= set(doc["precision"])


@pytest.mark.slow
def test_csim_with_auto_precision_reports_agreement_and_chosen_precision(jet_pair, tmp_path):
    r = run(
        "hls",
        jet_pair,
        "csim",
        "--calib",
        "gauss",
        "--auto-precision",
        "0.99",
        "--json",
        env_extra={"TRIGLAB_HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert doc["agreement"] >= 0.99
    assert doc["auto_precision"]
    assert all(
        doc["precision"][k]["weight"].startswith(("ap_fixed", "fixed"))
        for k in ("fc1", "fc2", "fc3", "output")
    )
    assert doc["estimate"]["source"].startswith("estimate")


def test_build_without_vendor_tools_says_what_was_searched(jet_pair, tmp_path):
    r = run(
        "hls",
        jet_pair,
        "build",
        env_extra={"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "TRIGLAB_HOME": str(tmp_path)},
    )
    assert r.returncode == 2
    assert "vitis-run" in r.stderr and "vivado_hls" in r.stderr and "Traceback" not in r.stderr


# --- the calibration store: hls calibrate, and reports closing the loop ---------------------------
def _main(capsys, *args):
    from core.cli import main

    capsys.readouterr()
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_calibrate_refits_on_the_local_pairs_and_says_before_and_after(monkeypatch, capsys):
    from calibration_stand_in import REFERENCES, install

    from core.hls import calibration_store as cs

    fits = install(monkeypatch)
    code, out, err = _main(capsys, "hls", "calibrate", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["local_pairs"] == 0 and doc["references"] == len(REFERENCES) and not doc["written"]
    assert not cs.calibration_path().exists() and fits == []  # nothing to refit: the shipped one stays

    report = {"latency_cycles_max": 10, "interval_max": 1, "lut": 500, "ff": 300, "dsp": 4, "bram_18k": 0}
    cs.add({"dense_mults": 64}, report, {"source": "built here"})
    cs.add({"dense_mults": 32}, report, {"source": "built here"})
    code, out, err = _main(capsys, "hls", "calibrate")
    assert code == 0, err
    assert "3 reference designs + 2 local pair(s)" in out
    lut = next(line for line in out.splitlines() if line.strip().startswith("LUT"))
    # the error bar as the estimate states it: never below its ±10 % floor
    assert "1.03 -> 1.02" in lut and "67 % -> 80 %" in lut and "±13 % -> ±10 %" in lut
    assert str(cs.calibration_path()) in out
    assert json.loads(cs.calibration_path().read_text())["n"] == 5 and len(fits[-1]) == 5

    code, out, err = _main(capsys, "hls", "calibrate", "--reset", "--json")
    assert code == 0 and json.loads(out)["removed_pairs"] == 2
    assert not cs.calibration_path().exists() and not cs.pairs_path().exists()


def test_calibrate_refuses_a_hand_edited_calibration_and_changes_nothing(monkeypatch, capsys):
    from calibration_stand_in import install

    from core.hls import calibration_store as cs

    install(monkeypatch)
    cs.store_dir().mkdir(parents=True)
    cs.calibration_path().write_text('{"n": 3, oops')
    report = {"latency_cycles_max": 10, "interval_max": 1, "lut": 500, "ff": 300, "dsp": 4, "bram_18k": 0}
    cs.add({"dense_mults": 64}, report, {"source": "built here"})
    code, out, err = _main(capsys, "hls", "calibrate")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(cs.calibration_path()) in err and "--reset" in err
    assert cs.calibration_path().read_text() == '{"n": 3, oops'
    # a model, or --reset on another action, is refused in one line too
    code, _out, err = _main(capsys, "hls", "model.h5", "calibrate")
    assert code == 2 and "takes no model" in err
    code, _out, err = _main(capsys, "hls", "model.h5", "estimate", "--reset")
    assert code == 2 and "--reset belongs to" in err


def test_import_report_adds_the_variant_pair_to_the_calibration_store(monkeypatch, capsys, tmp_path):
    from calibration_stand_in import install, write_csynth_xml

    from core.hls import calibration_store as cs
    from core.hls.config import make_config
    from core.hls.pipeline import save_config
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    install(monkeypatch)
    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "jet_mlp")
    name = next(iter(ws.variants))
    xml = write_csynth_xml(tmp_path / "myproject_csynth.xml")
    # no saved configuration yet: the report is stored on the variant, not in the calibration store
    code, out, err = _main(capsys, "hls", ws.root, "--variant", name, "import-report", xml, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["calibration_store"]["status"] == "no configuration" and cs.pairs() == []

    save_config(ws, name, make_config(ws.load_model(name)))
    code, out, err = _main(capsys, "hls", ws.root, "--variant", name, "import-report", xml)
    assert code == 0, err
    assert "added to the calibration store" in out and "Vitis 2023.1" in out
    (pair,) = cs.pairs()
    assert pair.report["lut"] == 23456 and pair.meta["variant"] == name
    assert pair.meta["source"] == f"imported from {xml}" and len(pair.meta["model_sha256"]) == 64
    # the same report again: one pair; a report of another clock: not this configuration
    code, out, err = _main(capsys, "hls", ws.root, "--variant", name, "import-report", xml)
    assert "already in the calibration store" in out and len(cs.pairs()) == 1
    other = write_csynth_xml(tmp_path / "other_csynth.xml", clock=2.5)
    code, out, err = _main(capsys, "hls", ws.root, "--variant", name, "import-report", other)
    assert code == 0 and "not added to the calibration store" in out and "2.5 ns" in out
    assert len(cs.pairs()) == 1


@pytest.fixture(scope="module")
def muon_student_file(tmp_path_factory):
    """Hands-on 2's student architecture as a model file (float: the interval depends on the settings)."""
    from core.zoo import build_model

    path = tmp_path_factory.mktemp("student") / "student.keras"
    build_model("muon_cnn_student").save(path)
    return path


def test_estimate_gives_ns_and_bunch_crossings_and_flags_a_design_that_misses_some(capsys, muon_student_file):
    code, out, err = _main(capsys, "hls", muon_student_file, "estimate")
    assert code == 0, err
    assert "timing (estimate, 25 ns bunch crossings)" in out
    assert "II 30 cycles = 150 ns = 6.0 BX" in out and "= 6.8 BX" in out
    assert "WARNING: takes an event every 6 bunch crossings" in out and "miss 5 of 6" in out
    code, out, err = _main(capsys, "hls", muon_student_file, "estimate", "--json")
    t = json.loads(out)["timing"]
    assert (
        t["source"] == "estimate" and t["ii_bx"] == 6.0 and t["every_bx"] is False and t["bx_per_event"] == 6
    )


def test_every_bx_settings_from_the_cli_with_their_cost(capsys, muon_student_file):
    code, out, err = _main(capsys, "hls", muon_student_file, "estimate", "--every-bx", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["timing"]["every_bx"] is True and doc["timing"]["ii_cycles"] == 1
    assert doc["every_bx"]["settings"]["parallelization_factor"] == {"conv1": 30}
    assert doc["every_bx"]["default"]["ii_cycles"] == 30 and doc["every_bx"]["source"] == "estimate"
    assert doc["precision"]["conv1"]["reuse_factor"] == 1 and doc["settings"]["io_type"] == "io_parallel"
    code, out, err = _main(capsys, "hls", muon_student_file, "estimate", "--every-bx")
    assert "every-BX settings: io_parallel, Latency, reuse 1, conv1 ParallelizationFactor 30" in out
    assert "accepts an event every bunch crossing" in out and "WARNING" not in out
