"""``triglab-cli sweep``: user errors (exit 2, one line, no sweep folder left), the JSON and text
outputs, --list/--show, --job-script, and a client SIGKILLed mid-sweep then ``--resume``.

Points run the stand-in point function of ``tests/fixtures/sweep_stub.py`` (no TensorFlow work):
in this process by patching the runner, in a subprocess through ``sweep_stub.py`` (a test-only
entry point that runs ``triglab-cli`` with the stand-in).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from process_checks import wait_until_dead

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = Path(__file__).resolve().parents[2]
GRID = ["--axis", "sparsity=0.5,0.8", "--axis", "reuse=1,2"]


@pytest.fixture(scope="module", autouse=True)
def stub_point():
    sys.path.insert(0, str(FIXTURES))
    from sweep_stub import stand_in_points

    with stand_in_points(seconds=0):
        yield
    sys.path.remove(str(FIXTURES))


@pytest.fixture(scope="module")
def ws(tmp_path_factory, stub_point):
    from sweep_stub import build_workspace

    return build_workspace(tmp_path_factory.mktemp("sweepcli") / "ws").root


def run_main(capfd, *args) -> tuple[int, str, str]:
    from core.cli import main

    capfd.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse refuses a value while parsing
        code = exc.code
    out = capfd.readouterr()
    return code, out.out, out.err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_sweep_prints_its_points_and_front_and_can_be_listed_and_shown(ws, capfd):
    code, out, err = run_main(
        capfd, "sweep", ws, "--variant", "tiny", *GRID, "--in-process", "--name", "cli", "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["name"] == "cli" and doc["status"] == "done" and Path(doc["db"]).is_file()
    assert doc["counts"] == {"done": 4, "failed": 0, "running": 0} and doc["total"] == 4
    assert [r["settings"] for r in doc["rows"]] == [
        {"prune.sparsity": s, "hls.reuse_factor": r} for r in (1, 2) for s in (0.5, 0.8)
    ]  # hls4ml axes slowest: a reuse factor's points reuse the first one's compressed models
    assert doc["objectives"] == [["val_accuracy", "max"], ["lut_estimate", "min"]]
    # the front: no other point has both a higher accuracy and fewer LUTs
    by_key = {r["key"]: r["metrics"] for r in doc["rows"]}
    assert doc["front"]
    for k in doc["front"]:
        a, lut = by_key[k]["val_accuracy"], by_key[k]["lut_estimate"]
        assert not any(m["val_accuracy"] > a and m["lut_estimate"] < lut for m in by_key.values())
    code, out, _ = run_main(capfd, "sweep", ws, "--show", "cli")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "sweep cli: 4 point(s)"
    assert lines[1].split() == ["#", "status", "sparsity", "reuse", "val_accuracy", "lut_estimate", "s"]
    assert lines[2].split()[:4] == ["0", "done", "0.5", "1"]
    assert lines[-1].startswith("Pareto front (val_accuracy max, lut_estimate min): ")
    code, out, _ = run_main(capfd, "sweep", ws, "--list", "--json")
    assert code == 0 and "cli" in [s["name"] for s in json.loads(out)["sweeps"]]
    best = next(r for r in doc["rows"] if r["key"] == doc["front"][0])
    code, out, err = run_main(
        capfd, "sweep", ws, "--materialize", f"cli:{best['index']}", "--as", "best", "--json"
    )
    assert code == 0, err
    created = json.loads(out)["created"]
    assert created["name"] == "best" and created["parent"] == "tiny" and created["operation"] == "sweep"
    code, _, err = run_main(capfd, "sweep", ws, "--materialize", "cli")
    assert code == 2 and "SWEEP:POINT" in err


def test_job_script_prints_the_batch_script(capfd):
    code, out, _ = run_main(capfd, "sweep", "--job-script", FIXTURES / "jobqueue" / "slurm.yaml")
    assert code == 0 and out.startswith("#!/usr/bin/env bash") and "#SBATCH -p short" in out
    code, out, _ = run_main(capfd, "sweep", "--job-script", FIXTURES / "jobqueue" / "htcondor.yaml", "--json")
    assert code == 0 and "MY.DaskWorkerCores = 2" in json.loads(out)["job_script"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--axis", "nonsense=1,2"], "nonsense"),
        (["--axis", "sparsity=0.5:0.9:0"], "sparsity"),
        (["--axis", "sparsity=0.5,1.5"], "1.5"),
        (["--axis", "sparsity=0.5", "--jobqueue", FIXTURES / "jobqueue" / "bad.yaml"], "unknown key 'cpus' for slurm"),
        (["--axis", "sparsity=0.5", "--scheduler", "CLOSED"], "cannot reach the Dask scheduler at tcp://127.0.0.1:"),
        (["--axis", "sparsity=0.5", "--workers", "0"], "must be >= 1"),
        (["--axis", "sparsity=0.5", "--strategy", "random"], "--trials"),
        (["--axis", "bits@nolayer=4,8"], "names layer 'nolayer', which variant 'tiny' does not have"),
    ],
)  # fmt: skip
def test_user_errors_exit_2_with_one_line_and_leave_no_sweep(ws, capfd, args, message):
    import dask

    args = [f"tcp://127.0.0.1:{free_port()}" if a == "CLOSED" else a for a in args]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):  # not 10 s for a closed port
        code, out, err = run_main(capfd, "sweep", ws, "--variant", "tiny", "--name", "bad", *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert not (Path(ws) / "sweeps" / "bad").exists()


def test_resume_of_a_missing_sweep_and_of_another_spec_are_refused(ws, capfd):
    code, _, err = run_main(capfd, "sweep", ws, "--resume", "never-ran", "--in-process")
    assert code == 2 and "there is no sweep 'never-ran'" in err
    assert run_main(capfd, "sweep", ws, "--variant", "tiny", *GRID, "--in-process", "--name", "twice")[0] == 0
    code, _, err = run_main(capfd, "sweep", ws, "--variant", "tiny", *GRID, "--in-process", "--name", "twice")
    assert code == 2 and "a sweep named 'twice' already exists" in err
    code, _, err = run_main(
        capfd, "sweep", ws, "--variant", "tiny", "--axis", "sparsity=0.1", "--resume", "twice"
    )
    assert code == 2 and "other settings" in err


def _rows(db: Path) -> list[tuple]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("SELECT key, status, finished, attempts FROM points ORDER BY idx").fetchall()
    except sqlite3.Error:
        return []


def test_a_client_killed_mid_sweep_resumes_without_recomputing_finished_points(ws):
    """The real point function (digits CNN, no fine-tuning, task metric only) on an embedded
    cluster of one worker: SIGKILL of the CLI leaves no worker behind, and --resume runs only
    the points that had not finished (their rows keep their time stamps and one attempt)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "core.cli", "sweep", str(ws)]
    db = Path(ws) / "sweeps" / "killed" / "sweep.db"
    proc = subprocess.Popen(
        [*cmd, "--variant", "tiny", "--axis", "sparsity=0.1:0.8:8", "--set", "prune.finetune_epochs=0",
         "--measure", "task", "--n-calib", "100", "--workers", "1", "--name", "killed"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while not any(r[1] == "done" for r in _rows(db)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    assert not wait_until_dead(workers, seconds=15), "a worker process outlived the killed client"
    before = {key: finished for key, status, finished, _ in _rows(db) if status == "done"}
    assert 1 <= len(before) < 8
    done = subprocess.run(
        [*cmd, "--resume", "killed", "--workers", "1", "--json"], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    doc = json.loads(done.stdout)
    assert doc["counts"] == {"done": 8, "failed": 0, "running": 0} and doc["status"] == "done"
    after = {key: (finished, attempts) for key, _, finished, attempts in _rows(db)}
    assert {k: after[k] for k in before} == {k: (t, 1) for k, t in before.items()}  # not run again
    assert all(0 <= r["metrics"]["val_accuracy"] <= 1 for r in doc["rows"])


def test_a_baseline_variant_is_refused_up_front(ws, capfd):
    """The classical trigger has no network: the sweep says so instead of failing to read its JSON
    spec as a Keras model, and leaves no sweep behind."""
    from core.data.muon_rpc import MuonSimConfig
    from core.trigger.roads import tune_roads
    from core.workspace import Workspace, atomic_write_text

    spec = json.dumps(tune_roads(MuonSimConfig(), n_muons=300).to_json())
    Workspace.open(ws).add_file_variant(
        lambda path: atomic_write_text(path, spec),
        "roads-0.9",
        operation="baseline",
        params={"baseline": "roads", "plateau": 0.9, "thresholds": [10.0, 20.0]},
        dataset="muon_rpc",
        fmt="json",
    )
    code, out, err = run_main(capfd, "sweep", ws, "--variant", "roads-0.9", *GRID, "--name", "roads")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "triglab-cli: error: 'roads-0.9' is the classical coincidence-window trigger: it has no network to sweep; "
        "sweep a network variant instead"
    ]
    assert not (Path(ws) / "sweeps" / "roads").exists()
