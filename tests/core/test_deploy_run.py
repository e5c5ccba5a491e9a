"""The run job and run packages, on STAND-IN targets (tests/core/deploy_stand_ins.py).

The real targets (emulator-hls, emulator-dpu) are tested in their own modules; here the run job's
own work is checked: events, caching, agreement and bit-exactness, task metrics, the stored report,
and the lab-server round trip (package → standalone runner in a fresh process → import).
"""

from __future__ import annotations

import json
import socket
import zipfile

import numpy as np
import pytest
from deploy_stand_ins import StandInDpu, StandInHls, server_run

from core.deploy import EMULATED_LABEL, DeployError

pytestmark = pytest.mark.usefixtures("stand_ins")


@pytest.fixture
def ws(ws_root, tmp_path):
    import shutil

    from core.workspace import Workspace

    dst = tmp_path / "ws"
    shutil.copytree(ws_root, dst)
    return Workspace.open(dst)


def test_local_run_measures_compares_and_stores_a_labelled_report(ws):
    from core.data import load_dataset
    from core.deploy.run import load_reports, load_run_outputs, run_variant
    from core.metrics import predict

    before = StandInDpu.builds
    rep = run_variant(ws, "dense", "stand-in-dpu", events=300, batch_size=64)
    assert rep.events == 300 and rep.batch_size == 64 and rep.emulated
    assert rep.label == f"stand-in-dpu ({EMULATED_LABEL})" and rep.source == "local"
    assert rep.throughput_eps > 0 and 0 < rep.latency_p50_s <= rep.latency_p99_s
    # float64 numpy against Keras float32: the same network, tiny differences, same classes
    k = rep.agreement["keras"]
    assert k["max_abs_diff"] < 1e-4 and k["argmax_agreement"] == 1.0 and "csim" not in rep.agreement
    digits = load_dataset("digits")
    x_val, y_val = digits.x_val[:300], digits.y_val[:300]
    keras_acc = float(np.mean(np.argmax(predict(ws.load_model("dense"), x_val), axis=1) == y_val))
    assert rep.task_metrics["accuracy"] == pytest.approx(keras_acc) and keras_acc > 0.8
    assert rep.task_metrics["keras"]["accuracy"] == pytest.approx(keras_acc)
    assert all(EMULATED_LABEL in line for line in rep.lines()[1:3])
    # stored: report, outputs, variant metrics under "emulated" keys
    stored = load_reports(ws, "dense")
    assert len(stored) == 1 and stored[0].to_dict()["note"].startswith("every number here is emulated on CPU")
    assert load_run_outputs(ws, stored[0]).shape == (300, 10)
    m = ws["dense"].metrics
    assert m["throughput_eps_emulated"] == rep.throughput_eps and m["run_target_emulated"] == rep.label
    assert not any(key.endswith("_u50") for key in m)
    # a second run uses the cached build; a changed variant would not
    run_variant(ws, "dense", "stand-in-dpu", events=100, batch_size=100)
    assert StandInDpu.builds == before + 1
    # the report round-trips through JSON
    from core.deploy.run import RunReport

    again = RunReport.from_dict(json.loads(json.dumps(rep.to_dict())))
    assert again.to_dict() == rep.to_dict()


def test_events_are_capped_to_the_split(ws):
    from core.deploy.run import run_variant

    rep = run_variant(ws, "dense", "stand-in-dpu", events=100_000, batch_size=1000)
    assert rep.events == 359  # digits' validation split


@pytest.mark.slow
def test_hls_path_checks_bit_exactness_and_lists_every_mismatch(ws):
    from core.deploy.run import run_variant

    rep = run_variant(ws, "dense", "stand-in-hls", events=200, batch_size=50)
    c = rep.agreement["csim"]
    assert c["exact_fraction"] == 1.0 and c["mismatching_events"] == 0 and rep.mismatches == []
    assert ws["dense"].metrics["csim_exact_emulated"] == 1.0
    # one event changed by one LSB in the kernel: it is found and listed by index
    StandInHls.flip_event = 17
    try:
        import shutil

        from core.deploy import get_target
        from core.deploy.run import build_artifact

        shutil.rmtree(build_artifact(ws, "dense", get_target("stand-in-hls")).path.parent)
        rep = run_variant(ws, "dense", "stand-in-hls", events=200, batch_size=50)
    finally:
        StandInHls.flip_event = None
    assert rep.agreement["csim"]["mismatching_events"] == 1
    assert [m["index"] for m in rep.mismatches] == [17]
    assert rep.mismatches[0]["target"][0] - rep.mismatches[0]["csim"][0] == pytest.approx(2.0**-10)
    assert "1 mismatching" in "\n".join(rep.lines())


def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(ws):
    from core.deploy.run import run_variant
    from core.hls.errors import HlsError

    manifest = (ws.root / "triglab.json").read_text()
    with pytest.raises(DeployError, match="Unknown target 'u51-hls'; known targets:.*stand-in-dpu"):
        run_variant(ws, "dense", "u51-hls", events=10)
    with pytest.raises(DeployError, match="cannot run here: no Alveo card found"):
        run_variant(ws, "dense", "stand-in-card", events=10)
    with pytest.raises(HlsError, match="GaussianNoise"):
        run_variant(ws, "noisy", "stand-in-hls", events=10)
    with pytest.raises(DeployError, match="at least 1"):
        run_variant(ws, "dense", "stand-in-dpu", batch_size=0)
    assert (ws.root / "triglab.json").read_text() == manifest
    assert not (ws.root / "deploy" / "runs").exists()


def test_auto_picks_the_path_by_the_documented_rule(ws):
    from core.deploy.run import choose_path

    assert choose_path(ws, "dense") == "dpu"  # float classification CNN/MLP: Vitis AI's int8
    from core.hls.config import make_config
    from core.hls.pipeline import save_config

    save_config(ws, "dense", make_config(ws.load_model("dense")))
    assert choose_path(ws, "dense") == "hls"  # went through synthesis: the hls4ml kernel


# --- the lab server round trip -------------------------------------------------------------------
def test_package_runs_on_the_server_and_imports_back_to_the_local_numbers(ws, tmp_path):
    from core.deploy.package import import_results, read_manifest, write_run_package, written_packages
    from core.deploy.run import run_variant

    local = run_variant(ws, "dense", "stand-in-dpu", events=250, batch_size=50)
    pkg = tmp_path / "dense.zip"
    assert write_run_package(ws, "dense", "stand-in-dpu", pkg, events=250, batch_size=50) == pkg
    manifest = read_manifest(pkg)
    names = set(zipfile.ZipFile(pkg).namelist())
    assert {"manifest.json", "inputs.npy", "expected.npy", "README.txt", "run_stand_in.py"} <= names
    assert "weights.npz" in names and manifest["runner"] == {"weights": "weights.npz"}
    assert manifest["schema"] == "triglab-run-package/1" and manifest["workspace"] == "deploy tests"
    readme = zipfile.ZipFile(pkg).read("README.txt").decode()
    assert "python3 pkg/run_stand_in.py --package pkg --out results.json" in readme
    assert [p["package_id"] for p in written_packages(ws)] == [manifest["package_id"]]

    results = server_run(pkg, tmp_path)
    imported = import_results(ws, "dense", results)
    assert not imported.emulated and imported.source.startswith("imported from 0000:3b:00.1")
    assert "xilinx_u50_gen3x16_xdma_5_202210_1" in imported.label
    assert imported.events == local.events and imported.batch_size == 50
    assert imported.agreement["keras"] == local.agreement["keras"]
    assert imported.agreement["emulator"]["exact_fraction"] == 1.0
    assert imported.task_metrics == local.task_metrics
    # the card's numbers are stored under the card's keys, the emulator's stay
    m = ws["dense"].metrics
    assert m["throughput_eps_u50"] == imported.throughput_eps and "throughput_eps_emulated" in m

    emulated = import_results(ws, "dense", server_run(pkg, tmp_path, "--emulator"))
    assert emulated.emulated and EMULATED_LABEL in emulated.label


def test_results_that_do_not_belong_are_refused(ws, tmp_path):
    from core.deploy.package import import_results, write_run_package

    pkg = tmp_path / "dense.zip"
    write_run_package(ws, "dense", "stand-in-dpu", pkg, events=50, batch_size=25)
    good = json.loads(server_run(pkg, tmp_path).read_text())
    manifest = (ws.root / "triglab.json").read_text()

    def refused(doc, match, variant="dense", raw=None):
        path = tmp_path / "bad.json"
        path.write_text(raw if raw is not None else json.dumps(doc))
        with pytest.raises(DeployError, match=match):
            import_results(ws, variant, path)

    refused(None, "not a valid results JSON", raw=json.dumps(good)[:500])
    refused({**good, "schema": "something/2"}, "not a TrigLab run results file")
    refused({**good, "package_id": "0123-abcd"}, "which this workspace did not write")
    refused(good, "results of variant 'dense', not 'noisy'", variant="noisy")
    refused({**good, "outputs": good["outputs"][:-1]}, "outputs of shape")
    bad = [row[:] for row in good["outputs"]]
    bad[3][2] = None
    refused({**good, "outputs": bad}, "NaN or infinite")
    refused({**good, "total_seconds": -1}, "no valid timings")
    refused({**good, "batch_size": "64; rm -rf /"}, "no valid batch_size")
    refused({**good, "batch_seconds": {"a": 1}}, "not an array of numbers|NaN")
    refused({**good, "outputs_file": "/etc/passwd", "total_seconds": "x"}, "no valid timings")
    assert (ws.root / "triglab.json").read_text() == manifest
    assert not (ws.root / "deploy" / "runs").exists()


# --- the real hls path ---------------------------------------------------------------------------
@pytest.mark.slow
def test_emulator_hls_is_bit_exact_and_its_package_imports_back_to_the_same_numbers(ws, tmp_path):
    """emulator-hls (g++ build of the kernel), then a u50-hls package written without Vitis: the
    server runs its emulator (fresh process, no PYTHONPATH) and the results import back."""
    from core.deploy.package import import_results, read_manifest, write_run_package
    from core.deploy.run import run_variant

    local = run_variant(ws, "dense", "emulator-hls", events=200, batch_size=64)
    assert local.label == "emulator-hls (emulated on CPU)"
    assert local.agreement["csim"]["exact_fraction"] == 1.0 and local.mismatches == []
    assert local.agreement["keras"]["argmax_agreement"] > 0.95

    pkg = write_run_package(ws, "dense", "u50-hls", tmp_path / "dense-u50.zip", events=200, batch_size=64)
    manifest = read_manifest(pkg)
    assert manifest["target"] == "u50-hls" and manifest["built_for_card"] is False
    assert manifest["runner"]["xclbin"] is None  # no v++ here: the build package travels instead
    readme = zipfile.ZipFile(pkg).read("README.txt").decode()
    assert "build it on the" in readme and "python3 pkg/run_hls.py --package pkg --out results.json" in readme

    imported = import_results(ws, "dense", server_run(pkg, tmp_path, "--emulator"))
    assert imported.target == "emulator-hls" and imported.emulated and EMULATED_LABEL in imported.label
    assert imported.source.startswith("imported from")
    assert f"on {socket.gethostname()}" in imported.label  # the server that ran it
    assert imported.agreement["csim"] == local.agreement["csim"]
    assert imported.agreement["keras"] == local.agreement["keras"]
    assert imported.task_metrics == local.task_metrics


def test_emulator_dpu_package_runs_on_the_server_and_imports_back(ws, tmp_path):
    """emulator-dpu locally, then a u50-dpu package (no Vitis AI here: the build package travels);
    the server runs run_dpu.py --emulator in a fresh process and the results import back."""
    from core.deploy.package import import_results, read_manifest, write_run_package
    from core.deploy.run import run_variant

    local = run_variant(ws, "dense", "emulator-dpu", events=200, batch_size=64)
    assert local.label == "emulator-dpu (emulated on CPU)" and "csim" not in local.agreement
    assert local.task_metrics["accuracy"] == pytest.approx(local.task_metrics["keras"]["accuracy"], abs=0.01)

    pkg = write_run_package(ws, "dense", "u50-dpu", tmp_path / "dense-dpu.zip", events=200, batch_size=64)
    manifest = read_manifest(pkg)
    assert manifest["built_for_card"] is False and manifest["runner"]["build_package"] == "build_package"
    assert "build_package/README.md" in zipfile.ZipFile(pkg).namelist()

    imported = import_results(ws, "dense", server_run(pkg, tmp_path, "--emulator"))
    assert imported.target == "emulator-dpu" and imported.emulated
    assert imported.agreement["emulator"]["exact_fraction"] == 1.0
    assert imported.agreement["keras"] == local.agreement["keras"]
    assert imported.task_metrics == local.task_metrics


# --- over ssh (stand-in ssh/scp on PATH) ---------------------------------------------------------
def test_run_remote_copies_runs_and_brings_back_results_that_import(ws, tmp_path, stand_in_ssh):
    from core.deploy.package import import_results, read_manifest, write_run_package
    from core.deploy.remote import run_remote
    from core.jobs import RecordingProgress

    pkg = write_run_package(ws, "dense", "stand-in-dpu", tmp_path / "dense.zip", events=80, batch_size=40)
    progress = RecordingProgress()
    results = run_remote(pkg, "lab-server.example.org", "student", progress)
    assert results == tmp_path / "dense.results.json"
    # the server's output streamed into the job log
    assert any(line.startswith("wrote ") for line in progress.lines)
    calls = [json.loads(line) for line in stand_in_ssh.read_text().splitlines()]
    assert [c[0] for c in calls] == ["ssh", "scp", "ssh", "scp"]
    assert all(c[1:5] == ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20"] for c in calls)
    assert calls[2][5] == "student@lab-server.example.org" and "run_stand_in.py --package" in calls[2][6]
    pid = read_manifest(pkg)["package_id"]
    assert calls[1][-1] == f"student@lab-server.example.org:triglab-runs/{pid}.zip"
    rep = import_results(ws, "dense", results)
    assert rep.source.startswith("imported from 0000:3b:00.1") and rep.events == 80


def test_run_remote_refuses_odd_hosts_and_reports_a_failed_step(ws, tmp_path, stand_in_ssh):
    from core.deploy.package import write_run_package
    from core.deploy.remote import run_remote

    pkg = write_run_package(ws, "dense", "stand-in-dpu", tmp_path / "dense.zip", events=20, batch_size=20)
    for host in ("-oProxyCommand=touch /tmp/x", "lab server", ""):
        with pytest.raises(DeployError, match="is not a host name"):
            run_remote(pkg, host, "student")
    with pytest.raises(DeployError, match="is not a user name"):
        run_remote(pkg, "lab", "-l root")
    assert not stand_in_ssh.exists()  # nothing was run
    with pytest.raises(DeployError, match="copying the results back on lab failed"):
        run_remote(pkg, "lab", "student", out=tmp_path / "no-such-folder" / "r.json")
