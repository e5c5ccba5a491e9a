"""The commands that give the terminal what the app has: sensitivity, profile, import-report,
walkthrough, train --schedule, and hls settings on top of a --config file.

They run in this process through ``core.cli.main`` (TensorFlow is imported once); the JSON they
print is checked against what the core functions compute.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

STAND_IN = Path(__file__).resolve().parents[1] / "fixtures" / "fake_vitis" / "vitis-run"


def cli_json(capsys, *args) -> dict:
    from core.cli import main

    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_sensitivity_scans_each_layer_and_suggests(demo_workspace, capsys):
    ws = demo_workspace.root
    doc = cli_json(
        capsys, "sensitivity", ws, "--variant", "handson_cnn", "--sparsities", "0,0.9", "--bits", "8,2",
        "--max-samples", 100, "--layers", "fc1,output",
    )  # fmt: skip
    assert doc["layers"] == ["fc1", "output"] and doc["metric"] == "accuracy" and doc["samples"] == 100
    assert doc["sparsities"] == [0.0, 0.9] and doc["bit_widths"] == [8, 2]
    for layer in doc["layers"]:
        # sparsity 0 leaves the model as it is: the baseline
        assert doc["sparsity_curves"][layer][0] == pytest.approx(doc["baseline"])
        assert set(doc["suggestion"][layer]) == {"max_sparsity", "min_bits", "integer_bits"}
    # two-bit weights of the hidden layer lose accuracy: not suggested within one point
    assert doc["bit_curves"]["fc1"][1] < doc["baseline"] - 0.01
    assert doc["suggestion"]["fc1"]["min_bits"] == 8


def test_profile_counts_overflow_against_the_configured_precision(demo_workspace, capsys, tmp_path):
    from core.hls.config import HlsConfig, make_config

    ws = demo_workspace.root
    doc = cli_json(capsys, "profile", ws, "--variant", "handson_cnn", "--events", 200)
    assert doc["profile"]["n_samples"] == 200 and doc["calibration"] == "digits"
    names = [lp["name"] for lp in doc["profile"]["layers"]]
    assert {"conv1", "fc1", "output"} <= set(names)
    assert doc["checks"]["fc1"]["weight"]["format"] == "ap_fixed<16,6>"
    # A config with 2 integer bits for fc1's outputs: its ReLU outputs (up to ~10) overflow.
    config = make_config(demo_workspace.load_model("handson_cnn"))
    config.set("fc1", "result", "ap_fixed<8,2>")
    path = tmp_path / "narrow.yml"
    path.write_text(config.to_yaml())
    assert HlsConfig.from_yaml(path.read_text()).layer("fc1").result == "ap_fixed<8,2>"
    doc = cli_json(capsys, "profile", ws, "--variant", "handson_cnn", "--events", 200, "--config", path)
    check = doc["checks"]["fc1"]["result"]
    assert check["format"] == "ap_fixed<8,2>" and check["overflow"] > 0
    assert "fc1.result" in doc["overflowing"]


def test_hls_settings_apply_on_top_of_a_config_file(demo_workspace, capsys, tmp_path):
    from core.hls.config import make_config

    ws = demo_workspace.root
    path = tmp_path / "cfg.yml"
    path.write_text(make_config(demo_workspace.load_model("handson_cnn")).to_yaml())
    doc = cli_json(capsys, "hls", ws, "--variant", "handson_cnn", "estimate", "--config", path)
    assert doc["settings"]["io_type"] == "io_parallel" and doc["settings"]["clock_period_ns"] == 5.0
    doc = cli_json(
        capsys, "hls", ws, "--variant", "handson_cnn", "estimate", "--config", path,
        "--io-type", "io_stream", "--clock", "3.125",
    )  # fmt: skip
    assert doc["settings"]["io_type"] == "io_stream" and doc["settings"]["clock_period_ns"] == 3.125
    assert doc["estimate"]["clock_ns"] == 3.125


def _stand_in_report(tmp_path: Path) -> Path:
    """Run the vendor-tool stand-in on a minimal project: it writes a csynth.xml as Vitis does."""
    prj = tmp_path / "remote"
    prj.mkdir()
    (prj / "project.tcl").write_text(
        'set project_name "myproject"\nset part "xcu50-fsvh2104-2-e"\nset clock_period 5\n'
    )
    (prj / "build_opt.tcl").write_text("synth 1\n")
    tool = prj / "vitis-run"
    tool.write_text(STAND_IN.read_text())
    env = {"TRIGLAB_STANDIN_DELAY": "0", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, str(tool), "--tcl", "build_prj.tcl", "--mode", "hls"], cwd=prj, env=env, check=True
    )
    return prj / "myproject_prj" / "solution1" / "syn" / "report" / "myproject_csynth.xml"


def test_import_report_stores_the_vendor_numbers_on_the_variant(demo_workspace, capsys, tmp_path):
    from core.workspace import Workspace

    xml = _stand_in_report(tmp_path)
    ws = demo_workspace.root
    doc = cli_json(capsys, "hls", ws, "--variant", "handson_cnn", "import-report", xml)
    assert doc["report"]["dsp"] == 321 and doc["report"]["lut"] == 23456  # the stand-in's numbers
    m = Workspace.open(ws)["handson_cnn"].metrics
    assert m["dsp_report"] == 321 and m["lut_report"] == 23456 and m["latency_cycles_report"] == 14
    assert m["report_source"].startswith("imported from")
    # the project folder as well (its project.tcl was not written by hls4ml: the XML is read directly)
    doc = cli_json(capsys, "hls", ws, "--variant", "handson_cnn", "import-report", xml.parents[4])
    assert doc["report"]["ff"] == 6543


def test_walkthrough_lists_steps_and_runs_one(demo_workspace, capsys):
    from core.workspace import Workspace

    ws = demo_workspace.root
    doc = cli_json(capsys, "walkthrough", "handson1", "--ws", ws, "--list")
    assert [s["key"] for s in doc["steps"]] == ["train", "prune", "quantize", "int8", "dpu"]
    assert [s["done"] for s in doc["steps"]] == [True, False, False, False, False]
    doc = cli_json(capsys, "walkthrough", "handson1", "--ws", ws, "--step", "2", "--epochs", 1)
    assert [r["key"] for r in doc["ran"]] == ["prune"]
    made = doc["ran"][0]["result"]
    w = Workspace.open(ws)
    assert w[made].operation == "prune" and w[made].params["finetune_epochs"] == 1
    assert w.ui["walkthroughs"]["handson1"]["prune"] == made
    assert [s["done"] for s in doc["steps"]] == [True, True, False, False, False]
    doc = cli_json(capsys, "walkthrough", "handson1", "--ws", ws, "--reset")
    assert not any(s["done"] for s in doc["steps"])
    assert made not in Workspace.open(ws).variants


def test_train_with_a_cosine_schedule_records_it(demo_workspace, capsys):
    from core.train import lr_at_epoch
    from core.workspace import Workspace

    ws = demo_workspace.root
    doc = cli_json(
        capsys, "train", "--variant", "handson_cnn", "--data", "digits", "--epochs", 3, "--lr", "0.01",
        "--schedule", "cosine", "--max-samples", 200, "--out", ws,
    )  # fmt: skip
    assert doc["schedule"] == "cosine" and doc["epochs_completed"] == 3
    v = Workspace.open(ws)[doc["variant"]]
    assert v.params["schedule"] == "cosine" and v.params["max_train_samples"] == 200
    # Keras logs the rate it used each epoch: the cosine from lr down to lr/100
    used = doc["history"]["lr"]
    assert used == pytest.approx([lr_at_epoch(0.01, e, 3, "cosine") for e in range(3)], rel=1e-5)
    assert used[-1] == pytest.approx(1e-4, rel=1e-5)


def test_import_adds_a_model_file_as_a_root_variant(demo_workspace, capsys, tmp_path):
    from core.workspace import Workspace

    model_file = demo_workspace.path_of("handson_cnn")
    doc = cli_json(capsys, "import", tmp_path / "new_ws", model_file, "--data", "digits")
    w = Workspace.open(tmp_path / "new_ws")
    v = w[doc["variant"]]
    assert v.operation == "import" and v.parent is None and v.dataset == "digits"
    assert v.metrics["params"] == demo_workspace["handson_cnn"].metrics["params"]
