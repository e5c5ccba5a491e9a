"""The hls4ml kernel path: generated XRT kernel, one host program, emulator-hls and u50-hls.

Real hls4ml 1.3 and real g++: the emulator executable (host.cpp + kernel + hls4ml firmware + the
XRT shim) must agree bit for bit with hls4ml's C simulation (``predict``) on the hands-on 1 CNN
(io_parallel and io_stream) and the hands-on 2 QKeras muon student, for batch sizes that do not
divide the event count. ``v++`` is a stand-in script (tests/fixtures/fake_vpp); the real-XRT host
build is compiled and run to XRT's "Could not open device" when Debian's libxrt-dev is installed.
Builds are shared through module fixtures (each g++ build takes ~5-10 s).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from process_checks import alive

# hls4ml and g++ are required (make checks g++): no importorskip / skipif, a broken install fails.
from core.deploy import DeployError, get_target
from core.deploy import hls_kernel as hk
from core.deploy import hls_sources as hs
from core.jobs import Cancelled, Progress, RecordingProgress

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RUN_HLS = Path(hk.__file__).parent / "standalone" / "run_hls.py"
DEBIAN_XRT_INCLUDE = Path("/usr/include/xrt")
DEBIAN_XRT_LIB = Path("/usr/lib/x86_64-linux-gnu")
needs_xrt = pytest.mark.skipif(
    not (DEBIAN_XRT_INCLUDE / "xrt" / "xrt_device.h").is_file(),
    reason="Debian's libxrt-dev (XRT 2022.1 headers) is not installed: apt-get install libxrt-dev",
)


# --- one TrigLab home for the module: the digest registry of the built executables lives there ---
@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("triglab_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRIGLAB_HOME", str(path))
        yield path


@pytest.fixture(autouse=True)
def _triglab_home(home, monkeypatch):
    monkeypatch.setenv("TRIGLAB_HOME", str(home))
    yield home


@pytest.fixture(scope="module")
def ws(home, tmp_path_factory):
    """A workspace with the hands-on 2 QKeras student and the hands-on 1 CNN (untrained: exactness
    does not need training), the CNN twice: io_parallel and, by a saved configuration, io_stream."""
    from core.compress.qkeras_convert import to_qkeras
    from core.hls.config import HlsSettings, make_config
    from core.hls.pipeline import save_config
    from core.walkthrough import STUDENT_QUANT
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    w = Workspace.create(tmp_path_factory.mktemp("ws") / "ws")
    student = add_zoo_variant(w, "muon_cnn_student", dataset="muon_rpc")
    q = to_qkeras(w.load_model(student.name), STUDENT_QUANT)
    w.add_variant(q, "student-4bit", parent=student.name, operation="qkeras", dataset="muon_rpc")
    cnn = add_zoo_variant(w, "handson_cnn", dataset="digits", name="cnn")
    w.add_variant(w.load_model(cnn.name), "cnn-stream", parent=cnn.name, operation="import", dataset="digits")
    model = w.load_model("cnn-stream")
    save_config(w, "cnn-stream", make_config(model, HlsSettings(io_type="io_stream")))
    w.save()
    return w


_BUILDS: dict[str, object] = {}


def emulator_build(ws, variant):
    """emulator-hls built once per variant for the module."""
    if variant not in _BUILDS:
        _BUILDS[variant] = get_target("emulator-hls").build(
            ws, variant, ws.root / "deploy" / variant / "emulator-hls", progress=RecordingProgress()
        )
    return _BUILDS[variant]


def events(variant: str, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (6, 64, 1) if variant.startswith("student") else (8, 8, 1)
    # Hit-like values and wide ones (beyond ap_fixed<16,6>'s range: the wrap must match too).
    x = rng.normal(scale=3.0, size=(n, *shape)) * (rng.random((n, *shape)) < 0.5)
    x[: n // 10] *= 20.0
    return x.astype(np.float32)


def csim(ws, variant, x):
    from core.hls import csimulate

    compiled, _ = hk.compiled_variant(ws, variant)
    return csimulate(compiled, x)


# --- kernel sources -------------------------------------------------------------------------------
def test_generated_kernel_has_the_xrt_interface(ws):
    art = emulator_build(ws, "cnn")
    text = Path(art.files["kernel"]).read_text()
    assert 'extern "C" void triglab_kernel(const float *in, float *out, unsigned int n_events)' in text
    for pragma in (
        "INTERFACE m_axi port=in offset=slave bundle=gmem0",
        "INTERFACE m_axi port=out offset=slave bundle=gmem1",
        "INTERFACE s_axilite port=n_events",
        "INTERFACE s_axilite port=return",
        "DATAFLOW",
    ):
        assert f"#pragma HLS {pragma}" in text
    assert "myproject(in_buf, out_buf);" in text and "input_t(in[event * 64 + j])" in text
    stream = Path(emulator_build(ws, "cnn-stream").files["kernel"]).read_text()
    assert "hls::stream<input_t> in_buf" in stream and "input_t::value_type(" in stream
    assert art.info["interface"]["io_type"] == "io_parallel"
    assert art.info["interface"]["n_in"] == 64 and art.info["interface"]["n_out"] == 10


# --- bit-exactness with the C simulation ----------------------------------------------------------
@pytest.mark.parametrize(
    ("variant", "n", "batch"),
    [("student-4bit", 1001, 64), ("student-4bit", 77, 1000), ("cnn", 503, 50), ("cnn-stream", 301, 7)],
)
def test_emulator_is_bit_exact_with_csim(ws, variant, n, batch):
    art = emulator_build(ws, variant)
    x = events(variant, n)
    progress = RecordingProgress()
    with get_target("emulator-hls").runner(art) as runner:
        out = runner.run(x, batch, progress=progress)
    ref = csim(ws, variant, x)
    assert out.outputs.dtype == np.float32 and out.outputs.shape == ref.shape
    assert np.array_equal(out.outputs.view(np.uint32), ref.astype(np.float32).view(np.uint32))
    assert len(out.batch_seconds) == -(-n // batch) and all(s > 0 for s in out.batch_seconds)
    assert out.total_seconds >= max(out.batch_seconds)
    assert out.device == "emulator-hls (emulated on CPU)"
    assert progress.updates[-1][0] == pytest.approx(1.0)


def test_emulator_build_is_cached_and_refuses_foreign_executables(ws, tmp_path):
    art = emulator_build(ws, "student-4bit")
    progress = RecordingProgress()
    again = get_target("emulator-hls").build(
        ws, "student-4bit", ws.root / "deploy" / "student-4bit" / "emulator-hls", progress=progress
    )
    assert again.path == art.path and any("already built" in line for line in progress.lines)
    assert not any(line.startswith("$ g++") for line in progress.lines)
    # An executable whose bytes TrigLab did not build (here: a copy someone changed) is not run;
    # the registry holds digests of what we built, so an identical copy would be run.
    copy = tmp_path / "copy"
    shutil.copytree(Path(art.files["build_package"]).parent, copy)
    foreign = hk._artifact("emulator-hls", "student-4bit", copy, {"interface": art.info["interface"]})
    with open(foreign.path, "ab") as fh:
        fh.write(b"\0planted")
    with pytest.raises(DeployError, match="not built by TrigLab"):
        get_target("emulator-hls").runner(foreign)
    with get_target("emulator-hls").runner(art) as runner, pytest.raises(DeployError, match="384 values"):
        runner.run(np.zeros((3, 8, 8, 1), np.float32), 2)
    # A folder with someone else's files is not overwritten.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(DeployError, match="not a TrigLab kernel build"):
        get_target("emulator-hls").build(ws, "student-4bit", tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


# --- u50-hls: detection, stand-in v++, real XRT -----------------------------------------------------
def test_u50_without_tools_says_what_is_missing_and_writes_a_build_package(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("XILINX_XRT", str(tmp_path / "no_xrt"))
    monkeypatch.setenv("PLATFORM_REPO_PATHS", str(tmp_path / "no_platforms"))
    monkeypatch.setattr(hk, "PLATFORM_ROOTS", ())
    target = get_target("u50-hls")
    avail = target.availability()
    assert not avail.ok and "no Alveo U50 card" in avail.reason  # running needs the card (discovery)
    with pytest.raises(DeployError, match="Cannot build student-4bit for the U50 here") as exc:
        target.build(ws, "student-4bit", tmp_path / "out")
    assert "v++" in str(exc.value) and "XRT" in str(exc.value) and "platform" in str(exc.value)
    assert not (tmp_path / "out").exists()
    pkg = hk.write_build_package(ws, "student-4bit", tmp_path / "pkg")
    make = (pkg / "Makefile").read_text()
    vc, vl = hs.vpp_commands("$(PLATFORM)")
    assert "\t" + " ".join(vc).replace("$(PLATFORM)", "'$(PLATFORM)'") in make
    assert "\t" + " ".join(vl).replace("$(PLATFORM)", "'$(PLATFORM)'") in make
    assert f"PLATFORM ?= {hs.DEFAULT_U50_PLATFORM}" in make
    readme = (pkg / "README.md").read_text()
    assert "v++ -c -t hw --platform xilinx_u50_gen3x16_xdma_5_202210_1" in readme
    for f in ("kernel/triglab_kernel.cpp", "host/host.cpp", "firmware/myproject.cpp", "firmware/weights/w2.h",
              "xrt_shim/xrt/xrt_kernel.h"):  # fmt: skip
        assert (pkg / f).is_file(), f
    assert not list(pkg.rglob("*.so"))
    with pytest.raises(DeployError, match="not empty"):
        hk.write_build_package(ws, "student-4bit", tmp_path / "pkg")


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    """The stand-in v++ on PATH, a U50 platform folder, and XRT = Debian's libxrt-dev when present."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "v++").symlink_to(FIXTURES / "fake_vpp" / "v++")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    plat = tmp_path / "platforms" / hs.DEFAULT_U50_PLATFORM
    plat.mkdir(parents=True)
    (plat / f"{hs.DEFAULT_U50_PLATFORM}.xpfm").write_text("stand-in platform file for tests\n")
    monkeypatch.setenv("PLATFORM_REPO_PATHS", str(tmp_path / "platforms"))
    xrt = tmp_path / "xrt"
    xrt.mkdir()
    (xrt / "include").symlink_to(DEBIAN_XRT_INCLUDE)
    (xrt / "lib").symlink_to(DEBIAN_XRT_LIB)
    monkeypatch.setenv("XILINX_XRT", str(xrt))
    args = tmp_path / "vpp_args.jsonl"
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(args))
    return args


@needs_xrt
def test_u50_build_with_stand_in_vpp_and_real_xrt_host(ws, tmp_path, fake_tools):
    target = get_target("u50-hls")
    assert not hk.find_hls_tools().missing  # the build's tools (running also needs a card: discovery)
    progress = RecordingProgress()
    # emulator=False: the emulator build is covered above; here the v++ and XRT steps.
    art = target.build(ws, "student-4bit", tmp_path / "u50", progress=progress, emulator=False)
    calls = [json.loads(line) for line in fake_tools.read_text().splitlines()]
    expected = hs.vpp_commands(hs.DEFAULT_U50_PLATFORM)
    assert [["v++", *c["argv"]] for c in calls] == expected
    # Run in the build package (a temporary sibling folder until the build succeeded).
    assert all(Path(c["cwd"]).name == "build_package" for c in calls)
    assert any("Creating kernel: 'triglab_kernel'  (STAND-IN)" in line for line in progress.lines)  # streamed
    assert Path(art.path).name == "triglab.xclbin" and art.info["platform"] == hs.DEFAULT_U50_PLATFORM
    assert art.info["reports"] == ["build/reports/triglab_kernel/triglab_kernel_csynth.rpt"]
    # The csynth reports v++ -c left are read (the stand-in's made-up numbers).
    net = art.info["csynth"]["network"]
    assert (net["latency_cycles_min"], net["latency_cycles_max"], net["interval_min"]) == (9, 9, 1)
    assert (net["lut"], net["dsp"], net["clock_ns"]) == (7890, 12, pytest.approx(3.33))
    assert art.info["csynth"]["kernel"]["report_path"].endswith("triglab_kernel_csynth.xml")
    assert any("vendor HLS estimate" in line and "II 1-1" in line for line in progress.lines)
    # The host program built against the real XRT runs up to the runtime's own message.
    with (
        target.runner(art) as runner,
        pytest.raises(DeployError, match="Could not open device with index '0'"),
    ):
        runner.run(events("student-4bit", 10), 4)
    # The run package carries the xclbin and the real-XRT host (the emulator was not asked for).
    dest = tmp_path / "pkg"
    dest.mkdir()
    info = target.package(art, dest)
    for key in ("xclbin", "host"):
        assert (dest / info[key]).is_file(), key
    assert info["emulator"] is None and info["platform"] == hs.DEFAULT_U50_PLATFORM
    assert not (dest / "hls" / "build" / "_x").exists()


def test_u50_build_cancel_kills_the_stand_in_and_its_child(ws, tmp_path, fake_tools, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("TRIGLAB_STANDIN_SLEEP", "60")
    monkeypatch.setenv("TRIGLAB_STANDIN_PIDFILE", str(pidfile))
    monkeypatch.setattr(hk, "find_hls_tools", lambda: _tools_without_xrt_check())
    progress = Progress()
    result: dict[str, BaseException] = {}

    def job():
        try:
            get_target("u50-hls").build(
                ws, "student-4bit", tmp_path / "u50", progress=progress, emulator=False
            )
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            result["exc"] = exc

    thread = threading.Thread(target=job)
    thread.start()
    deadline = time.time() + 60
    while not pidfile.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert pidfile.exists(), "the stand-in v++ never started"
    time.sleep(0.2)
    pids = [int(p) for p in pidfile.read_text().split()]
    progress.cancel()
    thread.join(timeout=30)
    assert isinstance(result.get("exc"), Cancelled)
    for pid in pids:
        for _ in range(50):
            if not alive(pid):
                break
            time.sleep(0.1)
        assert not alive(pid), f"process {pid} survived the cancel"
    assert not (tmp_path / "u50").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".u50.tmp")]


def _tools_without_xrt_check():
    t = hk.HlsTools(vpp=shutil.which("v++"), xrt_root="/nonexistent", xrt_include="/x", xrt_lib="/x")
    t.platforms = [hs.DEFAULT_U50_PLATFORM]
    return t


def test_u50_build_failure_changes_nothing(ws, tmp_path, fake_tools, monkeypatch):
    monkeypatch.setenv("TRIGLAB_STANDIN_EXIT", "7")
    monkeypatch.setattr(hk, "find_hls_tools", lambda: _tools_without_xrt_check())
    with pytest.raises(DeployError, match=r"v\+\+ -c \(kernel synthesis\) failed \(exit code 7\)"):
        get_target("u50-hls").build(ws, "student-4bit", tmp_path / "u50", emulator=False)
    assert not (tmp_path / "u50").exists()


@needs_xrt
def test_real_xrt_host_reports_no_device(ws, tmp_path):
    """host.cpp compiled by the build package's Makefile against Debian's XRT 2022.1, then run:
    the real runtime finds no card."""
    pkg = Path(emulator_build(ws, "cnn").files["build_package"])
    work = tmp_path / "pkg"
    shutil.copytree(pkg, work, ignore=shutil.ignore_patterns("emulator"))
    xrt = tmp_path / "xrt"  # a folder laid out like /opt/xilinx/xrt
    xrt.mkdir()
    (xrt / "include").symlink_to(DEBIAN_XRT_INCLUDE)
    (xrt / "lib").symlink_to(DEBIAN_XRT_LIB)
    if shutil.which("make"):
        subprocess.run(["make", "host", f"XILINX_XRT={xrt}"], cwd=work, check=True)
    else:
        subprocess.run(hs.host_command(str(xrt / "include"), str(xrt / "lib")), cwd=work, check=True)
    events("cnn", 5).tofile(work / "in.bin")
    (work / "fake.xclbin").write_text("not an xclbin\n")
    cmd = ["./triglab_host", "--xclbin", "fake.xclbin", "--input", "in.bin", "--output", "out.bin",
           "--timings", "t.json", "--events", "5", "--batch", "2"]  # fmt: skip
    proc = subprocess.run(
        cmd, cwd=work, env={**os.environ, "XILINX_XRT": str(xrt)}, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Could not open device with index '0'" in proc.stderr


# --- the lab server's side --------------------------------------------------------------------------
def test_run_hls_standalone_in_a_fresh_process(ws, tmp_path):
    art = emulator_build(ws, "student-4bit")
    pkg = tmp_path / "package"
    pkg.mkdir()
    runner_info = get_target("emulator-hls").package(art, pkg)
    assert runner_info["xclbin"] is None and runner_info["emulator"]
    x = events("student-4bit", 203, seed=3)
    np.save(pkg / "events.npy", x)
    shutil.copy(RUN_HLS, pkg / "run_hls.py")
    manifest = {"package_id": "p1", "variant": "student-4bit", "target": "emulator-hls",
                "inputs": "events.npy", "batch_size": 50, "runner": runner_info}  # fmt: skip
    (pkg / "manifest.json").write_text(json.dumps(manifest))
    # A fresh interpreter, isolated (-I: no PYTHONPATH, so no TrigLab), from another folder.
    cmd = [
        sys.executable,
        "-I",
        str(pkg / "run_hls.py"),
        "--package",
        str(pkg),
        "--out",
        str(tmp_path / "r.json"),
    ]
    proc = subprocess.run([*cmd, "--emulator"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    res = json.loads((tmp_path / "r.json").read_text())
    assert res["schema"] == "triglab-run-results/1" and res["package_id"] == "p1"
    assert res["emulated"] is True and res["device"] == "emulator-hls (emulated on CPU)"
    assert res["events"] == 203 and res["batch_size"] == 50 and len(res["batch_seconds"]) == 5
    assert np.array_equal(np.asarray(res["outputs"], dtype=np.float32), csim(ws, "student-4bit", x))
    # On the card it needs an xclbin: a clear message, exit 2.
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and "no xclbin" in proc.stderr
    # A manifest pointing outside the package is refused.
    manifest["inputs"] = "../elsewhere.npy"
    (pkg / "manifest.json").write_text(json.dumps(manifest))
    proc = subprocess.run([*cmd, "--emulator"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and "outside the package" in proc.stderr
