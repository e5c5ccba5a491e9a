"""Sweeps on Dask (core/sweep/clusters.py, core/sweep/runner.py) with a stand-in point function.

The point function is ``tests/fixtures/sweep_stub.py`` (a stand-in: it sleeps and returns metrics
that are a fixed function of the settings), so these tests check Dask's side: the same rows on an
embedded LocalCluster, on a real ``dask scheduler`` + ``dask worker`` and in-process; a worker
killed mid-point; cancel and resume; clean starts and failures that leave nothing on disk; the
job scripts of dask-jobqueue files. Every embedded cluster is gone when ``run_sweep`` returns.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JOBQUEUE = FIXTURES / "jobqueue"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def stub_point():
    """The stand-in point function (0.3 s a point) instead of the real one, for the whole module."""
    sys.path.insert(0, str(FIXTURES))
    from sweep_stub import stand_in_points

    with stand_in_points(seconds=0.3):
        yield
    sys.path.remove(str(FIXTURES))


@pytest.fixture(scope="module")
def ws(tmp_path_factory, stub_point):
    from sweep_stub import build_workspace

    return build_workspace(tmp_path_factory.mktemp("sweep") / "ws")


@pytest.fixture(autouse=True)
def stub(monkeypatch, tmp_path):
    """Each point writes its worker's pid in ``tmp_path/pids/<key>.pid``."""
    (tmp_path / "pids").mkdir()
    monkeypatch.setenv("TRIGLAB_STUB_PID_DIR", str(tmp_path / "pids"))
    return tmp_path / "pids"


def spec_2x2(name: str, **kw):
    from core.sweep.axes import parse_axis
    from core.sweep.spec import SweepSpec

    axes = [parse_axis("sparsity=0.5,0.8"), parse_axis("reuse=1,2")]
    return SweepSpec(name=name, variant="tiny", axes=axes, fixed={"prune.finetune_epochs": 0}, **kw)


def comparable(rows):
    return [(r["key"], r["index"], r["settings"], r["status"], r["metrics"]) for r in rows]


def worker_children() -> list[psutil.Process]:
    """Python child processes of this test process (worker processes of an embedded cluster; not
    e.g. the QtWebEngine helpers an earlier app test of the same session started)."""
    me = psutil.Process()
    out = []
    for c in me.children(recursive=True):
        try:
            cmd = " ".join(c.cmdline())
        except psutil.Error:  # gone meanwhile
            continue
        if "resource_tracker" not in cmd and ("spawn_main" in cmd or "distributed" in cmd or "dask" in cmd):
            out.append(c)
    return out


@pytest.fixture(scope="module")
def in_process_rows(ws):
    """The reference: the 2x2 grid run in this process (no Dask)."""
    from core.jobs import RecordingProgress
    from core.sweep.runner import run_sweep

    progress = RecordingProgress()
    summary = run_sweep(ws, spec_2x2("ref"), where={"kind": "inprocess"}, progress=progress)
    assert summary["counts"] == {"done": 4, "failed": 0, "running": 0}
    assert [k for k, _ in progress.reports].count("sweep_point") == 4
    return summary["rows"]


def test_a_local_cluster_gives_the_rows_of_an_in_process_run(ws, in_process_rows):
    from core.jobs import RecordingProgress
    from core.sweep.clusters import NO_DASHBOARD, has_bokeh
    from core.sweep.runner import run_sweep

    progress = RecordingProgress()
    summary = run_sweep(ws, spec_2x2("local"), where={"kind": "local", "workers": 2}, progress=progress)
    assert comparable(summary["rows"]) == comparable(in_process_rows)
    assert summary["status"] == "done" and summary["where"].startswith("embedded Dask cluster: 2 worker")
    # two worker processes did the work, and none of them is left
    assert len({r["worker"] for r in summary["rows"]}) == 2
    assert all(r["worker"].split(":")[1] != str(os.getpid()) for r in summary["rows"])
    assert not worker_children()
    statuses = [v for k, v in progress.reports if k == "sweep_status"]
    assert statuses[-1]["done"] == 4 and statuses[-1]["total"] == 4 and statuses[-1]["running"] == 0
    assert statuses[-1]["eta_s"] == 0
    if not has_bokeh():
        assert statuses[-1]["dashboard"] is None and statuses[-1]["dashboard_text"] == NO_DASHBOARD
        assert NO_DASHBOARD in progress.lines
    # Dask overhead per point was measured (submit -> result minus the point's own time)
    assert summary["overhead_s"] is not None and summary["overhead_s"] >= 0


def test_a_killed_worker_s_point_is_rerun_and_every_point_completes(ws, stub, monkeypatch):
    from core.jobs import RecordingProgress
    from core.sweep.runner import run_sweep

    monkeypatch.setenv("TRIGLAB_STUB_POINT_S", "1.5")
    outcome = {}

    def run():
        outcome["summary"] = run_sweep(
            ws, spec_2x2("killed"), where={"kind": "local", "workers": 2}, progress=RecordingProgress()
        )

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while not list(stub.glob("*.pid")) and time.monotonic() < deadline:
        time.sleep(0.05)
    first = next(iter(stub.glob("*.pid")))
    victim = int(first.read_text())
    os.kill(victim, signal.SIGKILL)  # a worker dies in the middle of a point
    thread.join(timeout=120)
    assert not thread.is_alive()
    rows = outcome["summary"]["rows"]
    assert [r["status"] for r in rows] == ["done"] * 4
    killed_key = first.name.removesuffix(".pid")
    killed_row = next(r for r in rows if r["key"] == killed_key)
    assert killed_row["worker"].split(":")[1] != str(victim)  # rerun by another (or the restarted) worker
    assert not worker_children()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(*cmd, env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), *map(str, cmd)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_a_sweep_runs_on_a_separate_dask_scheduler_and_worker(ws, in_process_rows, tmp_path, monkeypatch):
    from core.sweep import SweepError, clusters
    from core.sweep.runner import run_sweep

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    where = {"kind": "scheduler", "address": address, "timeout": 60}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(FIXTURES)]))
    worker_args = ("worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")
    scheduler = _start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard", env=env)
    try:
        worker = _start(*worker_args, "--local-directory", tmp_path, env=env)
        try:
            # workers that cannot import the point function are refused before anything is written
            # (this venv has TrigLab installed, so the test asks them for a module nobody has)
            with monkeypatch.context() as mp:
                mp.setattr(clusters, "POINT_MODULE", "core.sweep.not_installed_here")
                with pytest.raises(SweepError, match="TrigLab is not importable on 1 worker"):
                    run_sweep(ws, spec_2x2("remote"), where=where)
            assert not (ws.root / "sweeps" / "remote").exists()
            summary = run_sweep(ws, spec_2x2("remote"), where=where)
            worker_pids = {str(c.pid) for c in psutil.Process(worker.pid).children(recursive=True)}
        finally:
            _stop(worker)
        assert comparable(summary["rows"]) == comparable(in_process_rows)
        assert summary["where"].startswith(f"Dask scheduler {address}")
        assert {r["worker"].split(":")[1] for r in summary["rows"]} <= worker_pids
    finally:
        _stop(scheduler)


def test_an_unreachable_scheduler_is_a_clear_error_and_leaves_nothing(ws):
    from core.sweep import SweepError
    from core.sweep.runner import run_sweep

    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    with pytest.raises(SweepError, match=f"cannot reach the Dask scheduler at {address}"):
        run_sweep(ws, spec_2x2("nowhere"), where={"kind": "scheduler", "address": address, "timeout": 2})
    assert not (ws.root / "sweeps" / "nowhere").exists()


def test_job_scripts_of_slurm_and_htcondor_files():
    from core.sweep.jobqueue import job_script, read_jobqueue_file

    slurm = job_script(JOBQUEUE / "slurm.yaml")
    for line in (
        "#SBATCH -J dask-worker", "#SBATCH -p short", "#SBATCH -A trigger-l0", "#SBATCH --cpus-per-task=4",
        "#SBATCH -t 02:00:00", "#SBATCH --constraint=avx2", "source /opt/triglab/venv/bin/activate",
    ):  # fmt: skip
        assert line in slurm.splitlines()
    assert "--nworkers 4" in slurm and "--nthreads 1" in slurm and "distributed.cli.dask_worker" in slurm
    assert read_jobqueue_file(JOBQUEUE / "slurm.yaml").jobs == 2
    condor = job_script(JOBQUEUE / "htcondor.yaml")
    assert condor.startswith("#!/usr/bin/env condor_submit")
    for line in (
        "MY.DaskWorkerCores = 2", "MY.DaskWorkerMemory = 4000000000", "MY.DaskWorkerDisk = 2000000000",
        '+JobFlavour = "espresso"', 'requirements = OpSysAndVer == "AlmaLinux9"', "Executable = /bin/sh", "Queue",
    ):  # fmt: skip
        assert line in condor.splitlines()


def test_a_sweep_runs_on_workers_started_as_batch_jobs(ws, in_process_rows, tmp_path, monkeypatch):
    """dask-jobqueue's SLURMCluster with stand-in sbatch/scancel (tests/fixtures/jobqueue/bin) that
    run the job script on this machine: the real submit, worker start-up, and scancel at the end."""
    from core.sweep.runner import run_sweep

    monkeypatch.setenv("PATH", f"{JOBQUEUE / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), str(FIXTURES)]))
    monkeypatch.setenv("TRIGLAB_STANDIN_JOB_DIR", str(tmp_path))
    summary = run_sweep(
        ws, spec_2x2("batch"), where={"kind": "jobqueue", "jobqueue": str(JOBQUEUE / "local_slurm.yaml")}
    )
    assert comparable(summary["rows"]) == comparable(in_process_rows)
    assert summary["where"].startswith("slurm jobs via dask-jobqueue (1 job(s)")
    pids = {int(r["worker"].split(":")[1]) for r in summary["rows"]}
    assert len(pids) == 1 and os.getpid() not in pids
    from process_checks import wait_until_dead

    assert not wait_until_dead(pids, seconds=20), "scancel left the batch job's worker running"
    assert list(tmp_path.glob("job-*.log"))  # the job ran through the stand-in sbatch


@pytest.mark.parametrize(
    "text, message",
    [
        ("kind: slurm\ncores: 4\nmemory: 8GB\nqueues: short\n", "unknown key 'queues' for slurm"),
        ("kind: slurm\ncores: four\nmemory: 8GB\n", "'cores' must be a whole number"),
        ("kind: slurm\ncores: 4\nmemory: 8GB\njob_extra_directives: --exclusive\n", "'job_extra_directives' must be a list"),
        ("kind: slurm\ncores: 4\nmemory: 8GB\nwalltime: 1:00:00\n", "'walltime' must be a quoted time"),
        ("kind: moab\ncores: 4\nmemory: 8GB\n", "unknown batch system 'moab'"),
        ("cores: 4\nmemory: 8GB\n", "add 'kind: slurm'"),
        ("kind: pbs\ncores: 4\n", "dask-jobqueue refuses it: You must specify how much cores and memory"),
        ("jobqueue:\n  slurm: {cores: 4, memory: 8GB}\n  pbs: {cores: 4, memory: 8GB}\n", "exactly one batch system"),
        ("kind: slurm\n  cores: [4\n", "is not valid YAML"),
    ],
)  # fmt: skip
def test_a_malformed_jobqueue_file_is_refused_before_anything_starts(ws, tmp_path, text, message):
    from core.sweep import SweepError
    from core.sweep.runner import run_sweep

    path = tmp_path / "farm.yaml"
    path.write_text(text)
    with pytest.raises(SweepError, match=message.replace("(", r"\(").replace("[", r"\[")):
        run_sweep(ws, spec_2x2("farm"), where={"kind": "jobqueue", "jobqueue": str(path)})
    assert not (ws.root / "sweeps" / "farm").exists()


def test_a_batch_system_that_is_not_installed_is_named(ws):
    from core.sweep import SweepError
    from core.sweep.runner import run_sweep

    with pytest.raises(SweepError, match="'sbatch' is not on PATH"):
        run_sweep(ws, spec_2x2("slurm"), where={"jobqueue": str(JOBQUEUE / "slurm.yaml")})
    assert not (ws.root / "sweeps" / "slurm").exists()


def test_bad_axes_leave_no_sweep_folder(ws):
    from core.sweep import SweepError
    from core.sweep.axes import parse_axis
    from core.sweep.runner import run_sweep
    from core.sweep.spec import SweepAxis, SweepSpec

    with pytest.raises(SweepError):
        parse_axis("sparsity=1.5,0.5")
    bad = SweepSpec(name="bad", variant="tiny", axes=[SweepAxis("prune.nonsense", (1, 2))])
    with pytest.raises(SweepError, match="nonsense"):
        run_sweep(ws, bad, where={"kind": "local", "workers": 1})
    assert not (ws.root / "sweeps" / "bad").exists()
    assert not worker_children()


def test_a_point_that_keeps_raising_is_a_failed_row_with_its_error(ws, monkeypatch):
    from core.sweep.axes import parse_axis
    from core.sweep.runner import CRASH_PREFIX, run_sweep
    from core.sweep.spec import SweepSpec

    monkeypatch.setenv("TRIGLAB_STUB_RAISE", "1")
    monkeypatch.setenv("TRIGLAB_STUB_POINT_S", "0")
    spec = SweepSpec(name="raising", variant="tiny", axes=[parse_axis("sparsity=0.5,0.99")], retries=1)
    summary = run_sweep(ws, spec, where={"kind": "inprocess"})
    failed = [r for r in summary["rows"] if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["settings"] == {"prune.sparsity": 0.99}
    assert failed[0]["error"].startswith(CRASH_PREFIX + "RuntimeError: stand-in failure for sparsity 0.99")
    assert "after 2 attempts" in failed[0]["error"]
    assert summary["counts"] == {"done": 1, "failed": 1, "running": 0}


def test_a_point_that_kills_its_worker_every_time_is_a_failed_row(ws, monkeypatch):
    from core.sweep.axes import parse_axis
    from core.sweep.runner import CRASH_PREFIX, run_sweep
    from core.sweep.spec import SweepSpec

    monkeypatch.setenv("TRIGLAB_STUB_DIE", "1")
    spec = SweepSpec(name="dying", variant="tiny", axes=[parse_axis("sparsity=0.5,0.99")], retries=1)
    summary = run_sweep(ws, spec, where={"kind": "local", "workers": 1})
    by_sparsity = {r["settings"]["prune.sparsity"]: r for r in summary["rows"]}
    assert by_sparsity[0.5]["status"] == "done"  # the restarted worker ran the other point
    assert by_sparsity[0.99]["status"] == "failed"
    assert by_sparsity[0.99]["error"] == (
        CRASH_PREFIX
        + "the worker running this point died 2 time(s) (killed, or out of memory); Dask gave up on it"
    )
    assert not worker_children()


def test_resume_reruns_crashed_points_but_not_user_level_failures(ws, monkeypatch):
    from core.sweep.axes import parse_axis
    from core.sweep.runner import CRASH_PREFIX, run_sweep
    from core.sweep.spec import SweepSpec

    monkeypatch.setenv("TRIGLAB_STUB_POINT_S", "0")
    monkeypatch.setenv("TRIGLAB_STUB_RAISE", "1")
    monkeypatch.setenv("TRIGLAB_STUB_REFUSE", "1")
    spec = SweepSpec(name="flaky", variant="tiny", axes=[parse_axis("sparsity=0.5,0.7,0.99")], retries=0)
    first = {
        r["settings"]["prune.sparsity"]: r for r in run_sweep(ws, spec, where={"kind": "inprocess"})["rows"]
    }
    assert [first[s]["status"] for s in (0.5, 0.7, 0.99)] == ["done", "failed", "failed"]
    assert first[0.99]["error"].startswith(CRASH_PREFIX) and not first[0.7]["error"].startswith(CRASH_PREFIX)
    monkeypatch.delenv("TRIGLAB_STUB_RAISE")  # the crash was transient
    again = {
        r["settings"]["prune.sparsity"]: r
        for r in run_sweep(ws, "flaky", where={"kind": "inprocess"}, resume=True)["rows"]
    }
    assert again[0.99]["status"] == "done" and again[0.99]["attempts"] == 2  # rerun
    assert again[0.7] == first[0.7] and again[0.5] == first[0.5]  # not touched


def test_cancel_keeps_the_finished_points_and_resume_recomputes_none_of_them(ws, monkeypatch):
    from core.jobs import Cancelled, Progress
    from core.sweep import SweepError
    from core.sweep.runner import run_sweep
    from core.sweep.store import SweepStore, sweep_dir

    monkeypatch.setenv("TRIGLAB_STUB_POINT_S", "0")
    points = []

    def on_report(kind, values):
        if kind == "sweep_point":
            points.append(values)
            if len(points) == 2:
                first_run.cancel()

    first_run = Progress(on_report=on_report)
    with pytest.raises(Cancelled):
        run_sweep(ws, spec_2x2("cut"), where={"kind": "inprocess"}, progress=first_run)
    with SweepStore.open(sweep_dir(ws, "cut")) as store:
        assert store.meta["status"] == "cancelled"
        before = {r["key"]: r["finished"] for r in store.rows("done")}
    assert len(before) == 2
    # a different spec under the same name is refused; the name alone resumes
    with pytest.raises(SweepError, match="other settings"):
        run_sweep(ws, spec_2x2("cut", seed=7), where={"kind": "inprocess"}, resume=True)
    summary = run_sweep(
        ws, "cut", where={"kind": "inprocess"}, resume=True, progress=Progress(on_report=on_report)
    )
    rows = summary["rows"]
    assert [r["status"] for r in rows] == ["done"] * 4 and summary["status"] == "done"
    assert {r["key"]: r["finished"] for r in rows if r["key"] in before} == before
    assert len(points) == 4  # two before the cancel, two after the resume


def test_the_time_budget_stops_new_points(ws):
    from core.sweep.runner import run_sweep
    from core.sweep.store import SweepStore, sweep_dir

    summary = run_sweep(ws, spec_2x2("budget", hours=0.5 / 3600), where={"kind": "inprocess"})
    assert summary["status"] == "time budget used"
    assert 1 <= summary["counts"]["done"] < 4 and summary["counts"]["running"] == 0
    with SweepStore.open(sweep_dir(ws, "budget")) as store:
        assert store.meta["status"] == "time budget used" and store.meta["total"] == 4


def test_the_embedded_cluster_listens_on_loopback_only():
    from core.sweep.clusters import start_executor

    ex = start_executor({"kind": "local", "workers": 1})
    try:
        info = ex.client.scheduler_info()
        addresses = [info["address"], *info["workers"]]
        assert all(a.startswith("tcp://127.0.0.1:") for a in addresses), addresses
        me = psutil.Process()
        listening = [
            c.laddr.ip
            for p in [me, *me.children(recursive=True)]
            for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert listening and set(listening) == {"127.0.0.1"}, listening
        assert ex.workers == 1
    finally:
        ex.close()
    assert not worker_children()


def test_the_real_point_gives_the_same_rows_on_a_local_cluster_as_in_process(ws, monkeypatch, tmp_path):
    """The seeded 2x2 grid with the real run_point (one fine-tuning epoch of the digits CNN, task
    metric only): worker processes compute exactly what this process computes."""
    import core.sweep.runner as runner
    from core.sweep.axes import parse_axis
    from core.sweep.point import run_point
    from core.sweep.spec import SweepSpec

    monkeypatch.setattr(runner, "point_function", lambda: run_point)
    axes = [parse_axis("sparsity=0.5,0.8"), parse_axis("prune.finetune_epochs=0,1")]
    rows = {}
    for kind in ("inprocess", "local"):
        # Each run its own worker cache: the workers compute, rather than reuse this process's models.
        monkeypatch.setenv("TRIGLAB_SWEEP_CACHE", str(tmp_path / f"cache-{kind}"))
        spec = SweepSpec(
            name=f"real-{kind}", variant="tiny", axes=axes, measures=("task",), n_calib=100, seed=3
        )
        summary = runner.run_sweep(ws, spec, where={"kind": kind, "workers": 2})
        assert summary["counts"]["done"] == 4, [r["error"] for r in summary["rows"]]
        rows[kind] = comparable(summary["rows"])
    assert rows["local"] == rows["inprocess"]
    assert not worker_children()
