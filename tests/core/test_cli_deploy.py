"""triglab-cli devices / deploy / run, in process (stand-in targets from deploy_stand_ins)."""

from __future__ import annotations

import json
import shutil

import pytest
from deploy_stand_ins import server_run

from core.cli import main

pytestmark = pytest.mark.usefixtures("stand_ins")


@pytest.fixture
def ws(ws_root, tmp_path):
    dst = tmp_path / "ws"
    shutil.copytree(ws_root, dst)
    return dst


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def deploy(capsys, ws, pkg, events, *extra):
    """``triglab-cli deploy WS --variant dense --target stand-in-dpu --out PKG --events N ...``."""
    return cli(
        capsys,
        "deploy",
        ws,
        "--variant",
        "dense",
        "--target",
        "stand-in-dpu",
        "--out",
        pkg,
        "--events",
        events,
        *extra,
    )


def one_error_line(err: str, message: str) -> bool:
    """The error is one line on stderr, the last one (log lines may come before it), no traceback."""
    last = err.strip().splitlines()[-1]
    return last.startswith("triglab-cli: error: ") and message in last and "Traceback" not in err


def test_devices_lists_what_is_missing_and_every_target(capsys):
    code, out, _ = cli(capsys, "devices", "--json")
    assert code == 0
    doc = json.loads(out)
    names = {t["name"]: t for t in doc["targets"]}
    assert names["stand-in-card"]["ok"] is False and "no Alveo card" in names["stand-in-card"]["reason"]
    assert names["stand-in-dpu"]["ok"] is True
    if "discovery" in doc:  # with discovery merged: the checklist says what is missing and why
        assert all({"item", "status", "why", "how"} <= set(r) for r in doc["discovery"]["checklist"])
    code, out, _ = cli(capsys, "devices")
    assert code == 0 and "stand-in-dpu (emulated on CPU)" in out


def test_run_prints_labelled_numbers_and_json(capsys, ws):
    code, out, err = cli(
        capsys,
        "run",
        ws,
        "--variant",
        "dense",
        "--target",
        "stand-in-dpu",
        "--events",
        "120",
        "--batch",
        "40",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["target"] == "stand-in-dpu" and doc["emulated"] is True and doc["events"] == 120
    assert doc["label"] == "stand-in-dpu (emulated on CPU)" and "emulated on CPU" in doc["note"]
    assert doc["throughput_eps"] > 0 and doc["task_metrics"]["accuracy"] > 0.6
    code, out, _ = cli(capsys, "run", ws, "--variant", "dense", "--target", "stand-in-dpu", "--events", "50")
    assert code == 0 and "throughput" in out and "events/s (emulated on CPU)" in out


def test_deploy_then_import_round_trip(capsys, ws, tmp_path):
    import zipfile

    pkg = tmp_path / "p.zip"
    code, out, err = deploy(capsys, ws, pkg, 60, "--json")
    assert code == 0, err
    assert (
        json.loads(out)["package_id"] == json.loads(zipfile.ZipFile(pkg).read("manifest.json"))["package_id"]
    )
    results = server_run(pkg, tmp_path)
    code, out, err = cli(capsys, "run", "--import", results, ws, "--variant", "dense", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["source"].startswith("imported from 0000:3b:00.1") and doc["emulated"] is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["--variant", "dense", "--target", "u51-hls"], "Unknown target 'u51-hls'; known targets:"),
        (["--variant", "noisy", "--target", "stand-in-hls"], "GaussianNoise"),
        (["--variant", "nope", "--target", "stand-in-dpu"], "No variant 'nope'"),
        (["--variant", "dense", "--target", "stand-in-card"], "cannot run here"),
    ],
)
def test_bad_run_input_exits_2_with_one_line(capsys, ws, args, message):
    code, out, err = cli(capsys, "run", ws, *args, "--events", "10")
    assert code == 2 and out == ""
    assert one_error_line(err, message)


def test_bad_results_exit_2(capsys, ws, tmp_path):
    pkg = tmp_path / "p.zip"
    assert deploy(capsys, ws, pkg, 30)[0] == 0
    results = server_run(pkg, tmp_path)
    code, _, err = cli(capsys, "run", "--import", results, ws, "--variant", "noisy")
    assert code == 2 and one_error_line(err, "results of variant 'dense', not 'noisy'")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text(results.read_text()[:-40])
    code, _, err = cli(capsys, "run", "--import", corrupt, ws, "--variant", "dense")
    assert code == 2 and one_error_line(err, "not a valid results JSON")
    code, _, err = cli(
        capsys, "deploy", ws, "--variant", "dense", "--target", "stand-in-dpu", "--out", tmp_path / "p.tar"
    )
    assert code == 2 and one_error_line(err, "A run package is a .zip file")


def test_run_over_ssh_packages_runs_and_imports(capsys, ws, stand_in_ssh):
    code, out, err = cli(
        capsys, "run", ws, "--variant", "dense", "--target", "stand-in-dpu", "--events", "40",
        "--ssh", "student@lab", "--server-emulator", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["emulated"] is True and doc["source"].startswith("imported from stand-in emulator")
    assert doc["events"] == 40 and (ws / "deploy" / "packages" / "dense-stand-in-dpu.zip").is_file()
