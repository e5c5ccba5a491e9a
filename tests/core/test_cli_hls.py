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
