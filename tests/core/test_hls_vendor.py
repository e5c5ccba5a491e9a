"""Vendor synthesis jobs, report parsing, U50 capacity, export and import of hls4ml projects.

No Vivado/Vitis here: the build job runs against ``tests/fixtures/fake_vitis/vitis-run``, a
STAND-IN script (not the AMD tool) that each test copies onto a private PATH under the name it
needs (``vitis-run``, ``vitis_hls``, ``vivado_hls``). It checks the command line hls4ml 1.3 uses,
prints log lines slowly, writes a C-synthesis report in the vendor's XML format where the tool
writes it, fails or sleeps on request. The projects are real hls4ml 1.3 projects (jet_mlp,
written, not compiled). The one test that needs the real tools is marked ``vendor`` and runs only
with ``TRIGLAB_VENDOR_TESTS=1``.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import pytest
from process_checks import cancel_while_the_tool_runs

from core.hls.errors import HlsError
from core.hls.vendor import (
    U50_CAPACITY,
    U50_PART,
    SynthReport,
    build_command,
    build_options_tcl,
    find_vendor_tools,
    parse_csynth_xml,
    parse_report,
    read_project_info,
    run_synthesis,
)
from core.jobs import Cancelled, RecordingProgress

STAND_IN = Path(__file__).resolve().parents[1] / "fixtures" / "fake_vitis" / "vitis-run"
# What the stand-in writes unless told otherwise (see its REPORT table).
STAND_IN_NUMBERS = {"best": 12, "worst": 14, "LUT": 23456, "FF": 6543, "DSP": 321, "BRAM_18K": 4, "URAM": 0}


# --- fixtures -----------------------------------------------------------------------------------------
def _write_project(out_dir: Path, backend: str):
    import hls4ml

    from core.hls.config import HlsSettings, make_config
    from core.hls.convert import hls4ml_ready_model
    from core.zoo import build_model

    model = build_model("jet_mlp")
    config = make_config(model, HlsSettings(backend=backend))
    ready, _ = hls4ml_ready_model(model)
    s = config.settings
    hls_model = hls4ml.converters.convert_from_keras_model(
        ready,
        hls_config=config.to_hls4ml(),
        output_dir=str(out_dir),
        project_name=s.project_name,
        backend=s.backend,
        part=s.part,
        clock_period=s.clock_period_ns,
        io_type=s.io_type,
    )
    hls_model.write()
    return config


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One written (not compiled) hls4ml project per backend, shared read-only by the tests."""
    root = tmp_path_factory.mktemp("hls_projects")
    return {
        backend: (root / backend, _write_project(root / backend, backend)) for backend in ("Vitis", "Vivado")
    }


@pytest.fixture
def project(written, tmp_path):
    """A private copy of a written project: ``project('Vitis') -> (path, HlsConfig)``."""

    def make(backend: str = "Vitis") -> tuple[Path, object]:
        src, config = written[backend]
        dst = tmp_path / f"prj_{backend}"
        shutil.copytree(src, dst)
        return dst, config

    return make


@pytest.fixture
def stand_in(tmp_path):
    """Put the stand-in on a private PATH under the given names: ``stand_in('vitis-run') -> PATH``."""

    def make(*names: str) -> str:
        bin_dir = tmp_path / ("bin_" + "_".join(names) if names else "bin_empty")
        bin_dir.mkdir()
        text = STAND_IN.read_text()
        body = text.split("\n", 1)[1]
        for name in names:
            exe = bin_dir / name
            exe.write_text(f"#!{sys.executable}\n{body}")  # this interpreter: no python3 needed on PATH
            exe.chmod(0o755)
        return str(bin_dir)

    return make


@pytest.fixture
def on_path(monkeypatch):
    """Make ``dir`` the whole PATH (the tools see nothing else)."""

    def set_path(bin_dir: str) -> str:
        monkeypatch.setenv("PATH", bin_dir)
        return bin_dir

    return set_path


# --- U50 and tool discovery ---------------------------------------------------------------------------
def test_u50_capacity():
    assert U50_PART == "xcu50-fsvh2104-2-e"
    assert U50_CAPACITY == {"LUT": 871_680, "FF": 1_743_360, "DSP": 5_952, "BRAM_18K": 2_688, "URAM": 640}
    report = SynthReport(10, 12, 1, 1, lut=87_168, ff=0, dsp=5_952, bram_18k=1_344, uram=0, clock_ns=5.0)
    assert report.utilization() == {"LUT": 0.1, "FF": 0.0, "DSP": 1.0, "BRAM_18K": 0.5, "URAM": 0.0}
    assert report.latency_ns == 60.0 and report.latency_ns_min == 50.0
    back = SynthReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert back == report


def test_find_vendor_tools_says_what_was_searched(stand_in):
    empty = stand_in()
    tools = find_vendor_tools(empty)
    assert not tools.available and tools.tool_for("Vitis") is None
    text = tools.explanation()
    assert text == f"No vendor tool: searched vitis-run, vitis_hls, vivado_hls on PATH={empty}"

    both = stand_in("vitis-run", "vivado_hls")
    tools = find_vendor_tools(os.pathsep.join([empty, both]))
    assert tools.found == {"vitis-run": f"{both}/vitis-run", "vivado_hls": f"{both}/vivado_hls"}
    assert tools.tool_for("Vitis") == "vitis-run" and tools.tool_for("vivado") == "vivado_hls"
    assert tools.to_dict()["searched"] == ["vitis-run", "vitis_hls", "vivado_hls"]

    only_vivado = find_vendor_tools(stand_in("vivado_hls"))
    assert only_vivado.tool_for("Vitis") is None
    assert "needs vitis-run or vitis_hls" in only_vivado.explanation("Vitis")


def test_find_vendor_tools_uses_the_environment_path(stand_in, on_path):
    path = on_path(stand_in("vitis_hls"))
    tools = find_vendor_tools()
    assert tools.path == path and tools.tool_for("Vitis") == "vitis_hls"


# --- the command line --------------------------------------------------------------------------------
def test_build_command_is_hls4ml_s(project, stand_in):
    from hls4ml.backends.vitis.vitis_backend import VitisBackend
    from hls4ml.backends.vivado.vivado_backend import VivadoBackend

    prj, _ = project("Vitis")
    tools = find_vendor_tools(stand_in("vitis-run", "vitis_hls", "vivado_hls"))
    cmd = build_command(prj, "Vitis", tools)
    assert cmd[0] == tools.found["vitis-run"]
    # the string hls4ml 1.3 runs, read from hls4ml itself
    assert "'vitis-run --tcl build_prj.tcl --mode hls'" in inspect.getsource(VitisBackend.build)
    assert " ".join(["vitis-run", *cmd[1:]]) == "vitis-run --tcl build_prj.tcl --mode hls"

    vivado = build_command(prj, "Vivado", tools, csim=True, synth=True)
    assert vivado[1:3] == ["-f", "build_prj.tcl"]
    expected = "reset=False csim=True synth=True cosim=False validation=False export=False vsynth=False fifo_opt=False"
    assert vivado[3] == expected
    assert "vivado_hls -f build_prj.tcl" in inspect.getsource(VivadoBackend.build)
    # without the tool, the bare name (for a README); with absolute=True it is an error
    nothing = find_vendor_tools(stand_in())
    assert build_command(prj, "Vitis", nothing, absolute=False)[0] == "vitis-run"
    with pytest.raises(HlsError, match="needs vitis-run or vitis_hls"):
        build_command(prj, "Vitis", find_vendor_tools(stand_in("vivado_hls")))


def test_build_options_match_hls4ml_template():
    import hls4ml

    template = Path(hls4ml.__file__).parent / "templates" / "vitis" / "build_opt.tcl"
    ours = build_options_tcl(csim=True, synth=True, cosim=True, validation=True)
    assert ours == template.read_text()


def test_read_project_info(project):
    prj, _ = project("Vitis")
    info = read_project_info(prj)
    assert (info.project_name, info.backend, info.part, info.clock_period_ns) == (
        "myproject",
        "Vitis",
        U50_PART,
        5.0,
    )
    assert read_project_info(project("Vivado")[0]).backend == "Vivado"
    with pytest.raises(HlsError, match="not an hls4ml project"):
        read_project_info(prj / "firmware")


# --- the build job ------------------------------------------------------------------------------------
def test_run_synthesis_streams_the_log_and_reads_the_report(
    project, stand_in, on_path, tmp_path, monkeypatch
):
    prj, _ = project("Vitis")
    on_path(stand_in("vitis-run", "vivado_hls"))
    args_file = tmp_path / "args.jsonl"
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(args_file))
    monkeypatch.setenv("TRIGLAB_STANDIN_DELAY", "0.05")
    seen: list[tuple[float, str]] = []
    progress = RecordingProgress()
    progress.log = lambda line: seen.append((time.monotonic(), line)) or progress.lines.append(line)
    assert parse_report(prj, "Vitis") is None  # not synthesized yet

    report = run_synthesis(prj, "Vitis", progress=progress)

    # exactly hls4ml's invocation, in the project folder, with the steps in build_opt.tcl
    call = json.loads(args_file.read_text().splitlines()[0])
    assert call == {"tool": "vitis-run", "argv": ["--tcl", "build_prj.tcl", "--mode", "hls"], "cwd": str(prj)}
    assert (
        "synth      1" in (prj / "build_opt.tcl").read_text()
        and "csim       0" in (prj / "build_opt.tcl").read_text()
    )
    # streamed: lines arrived one by one while the tool ran, not all at the end
    lines = [line for _, line in seen]
    assert lines[0].startswith("$ ") and "vitis-run --tcl build_prj.tcl --mode hls" in lines[0]
    assert any("STAND-IN" in line for line in lines) and "***** C/RTL SYNTHESIS *****" in lines
    stamps = [t for t, line in seen if "STAND-IN" in line or "HLS 200" in line]
    assert stamps[-1] - stamps[0] > 0.1
    assert any("synthesis" in message for _, message in progress.updates)
    assert progress.updates[-1] == (1.0, "synthesis done")
    assert (prj / "build_stdout.log").read_text().splitlines() == lines[1:]
    # the report, through hls4ml's parse_vivado_report
    assert report.source == "vendor report"
    assert (report.latency_cycles_min, report.latency_cycles_max) == (12, 14)
    assert (report.interval_min, report.interval_max) == (1, 1)
    assert report.resources() == {"LUT": 23456, "FF": 6543, "DSP": 321, "BRAM_18K": 4, "URAM": 0}
    assert report.clock_ns == 5.0 and report.estimated_clock_ns == pytest.approx(4.372) and report.timing_met
    assert report.latency_ns == 70.0 and report.part == U50_PART and report.tool_version == "2023.2"
    assert report.available == U50_CAPACITY
    assert report.report_path.endswith("myproject_prj/solution1/syn/report/myproject_csynth.xml")
    assert parse_report(prj) == report


def test_vivado_backend_runs_vivado_hls(project, stand_in, on_path, tmp_path, monkeypatch):
    prj, _ = project("Vivado")
    on_path(stand_in("vitis-run", "vivado_hls"))
    args_file = tmp_path / "args.jsonl"
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(args_file))
    report = run_synthesis(prj, "Vivado")
    call = json.loads(args_file.read_text())
    assert call["tool"] == "vivado_hls" and call["argv"][:2] == ["-f", "build_prj.tcl"]
    assert "synth=True" in call["argv"][2] and "csim=False" in call["argv"][2]
    assert (prj / "myproject_prj" / "vivado_hls.app").is_file()
    assert report.dsp == 321  # the report says DSP48E, as Vivado HLS does


def test_vitis_hls_is_the_fallback_for_the_vitis_backend(project, stand_in, on_path, tmp_path, monkeypatch):
    prj, _ = project("Vitis")
    on_path(stand_in("vitis_hls"))
    args_file = tmp_path / "args.jsonl"
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(args_file))
    report = run_synthesis(prj, "Vitis")
    assert json.loads(args_file.read_text())["argv"][:2] == ["-f", "build_prj.tcl"]
    assert report.lut == 23456


def test_no_tool_says_which_names_were_searched(project, stand_in, on_path):
    prj, _ = project("Vitis")
    path = on_path(stand_in())
    with pytest.raises(HlsError) as err:
        run_synthesis(prj, "Vitis")
    assert str(err.value) == f"No vendor tool: searched vitis-run, vitis_hls, vivado_hls on PATH={path}"


def test_wrong_backend_for_the_project(project, stand_in, on_path):
    prj, _ = project("Vivado")
    on_path(stand_in("vitis-run", "vivado_hls"))
    with pytest.raises(HlsError, match="written for the Vivado backend"):
        run_synthesis(prj, "Vitis")


def test_non_zero_exit_is_an_error_with_the_log_tail(project, stand_in, on_path, monkeypatch):
    prj, _ = project("Vitis")
    on_path(stand_in("vitis-run"))
    monkeypatch.setenv("TRIGLAB_STANDIN_EXIT", "3")
    progress = RecordingProgress()
    with pytest.raises(HlsError) as err:
        run_synthesis(prj, "Vitis", progress=progress)
    text = str(err.value)
    assert "vitis-run failed with exit code 3" in text
    assert "failure requested by the test" in text and "build_stdout.log" in text
    assert any("failure requested" in line for line in progress.lines)
    assert parse_report(prj) is None


def test_cancel_kills_the_tool_and_its_children(project, stand_in, on_path, tmp_path, monkeypatch):
    prj, _ = project("Vitis")
    on_path(stand_in("vitis-run"))
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("TRIGLAB_STANDIN_SLEEP", "120")
    monkeypatch.setenv("TRIGLAB_STANDIN_PIDFILE", str(pidfile))
    progress = RecordingProgress()
    error = cancel_while_the_tool_runs(
        lambda: run_synthesis(prj, "Vitis", progress=progress), progress, pidfile
    )
    assert isinstance(error, Cancelled)


# --- reports ---------------------------------------------------------------------------------------------
def test_parse_csynth_xml_reads_the_vendor_format(project, stand_in, on_path):
    prj, _ = project("Vitis")
    on_path(stand_in("vitis-run"))
    run_synthesis(prj, "Vitis")
    xml = prj / "myproject_prj" / "solution1" / "syn" / "report" / "myproject_csynth.xml"
    direct = parse_csynth_xml(xml)
    via_hls4ml = parse_report(prj)
    assert direct.resources() == via_hls4ml.resources()
    assert direct.latency_cycles_max == via_hls4ml.latency_cycles_max == 14
    bad = prj / "not_a_report.xml"
    bad.write_text("<profile><UserAssignments/></profile>")
    with pytest.raises(HlsError, match="not a C-synthesis report"):
        parse_csynth_xml(bad)


# --- export and import ---------------------------------------------------------------------------------
def test_export_zip_round_trip(project, tmp_path):
    from core.hls.config import HlsConfig
    from core.hls.export import CONFIG_NAME, README_NAME, export_project_zip

    prj, config = project("Vitis")
    (prj / "firmware" / "myproject-deadbeef.so").write_bytes(b"\x7fELF")  # a C-sim library: left out
    zip_path = export_project_zip(prj, tmp_path / "jet.zip", config)
    assert zip_path == tmp_path / "jet.zip" and zip_path.is_file()
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        root = prj.name
        for needed in ("project.tcl", "build_prj.tcl", "build_opt.tcl", "firmware/myproject.cpp",
                       "firmware/parameters.h", "myproject_test.cpp", CONFIG_NAME, README_NAME):  # fmt: skip
            assert f"{root}/{needed}" in names, needed
        assert not any(n.endswith(".so") for n in names)
        zf.extractall(tmp_path / "unzipped")
    out = tmp_path / "unzipped" / root
    assert (out / "build_opt.tcl").read_text() == build_options_tcl(synth=True)
    readme = (out / README_NAME).read_text()
    assert "vitis-run --tcl build_prj.tcl --mode hls" in readme
    assert "vitis_hls -f build_prj.tcl" in readme and "myproject_csynth.xml" in readme
    again = HlsConfig.from_yaml((out / CONFIG_NAME).read_text())
    assert again.settings == config.settings
    assert [r.name for r in again.layers()] == [r.name for r in config.layers()]
    assert read_project_info(out).backend == "Vitis"


def test_export_vivado_readme_gives_the_vivado_command(project, tmp_path):
    from core.hls.export import export_project_zip

    prj, _ = project("Vivado")
    zip_path = export_project_zip(prj, tmp_path / "v.zip")
    with zipfile.ZipFile(zip_path) as zf:
        readme = zf.read(f"{prj.name}/README.txt").decode()
        assert f"{prj.name}/build_opt.tcl" not in zf.namelist()
    assert 'vivado_hls -f build_prj.tcl "reset=False csim=False synth=True' in readme


def test_synthesize_elsewhere_then_import(project, stand_in, on_path, tmp_path):
    """Export, 'another machine' runs the synthesis on the unzipped folder, the result comes back."""
    from core.hls.export import export_project_zip, import_reports

    prj, config = project("Vitis")
    zip_path = export_project_zip(prj, tmp_path / "jet.zip", config)
    elsewhere = tmp_path / "elsewhere"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(elsewhere)
    remote = elsewhere / prj.name
    on_path(stand_in("vitis-run"))
    expected = run_synthesis(remote, "Vitis")  # what the remote user ran (the README's command)

    back = tmp_path / "finished.zip"
    shutil.make_archive(str(back.with_suffix("")), "zip", elsewhere)
    from_zip = import_reports(back)
    assert from_zip.resources() == expected.resources()
    assert from_zip.latency_cycles_max == expected.latency_cycles_max
    assert from_zip.report_path.startswith(f"{back}!") and from_zip.report_path.endswith(
        "myproject_csynth.xml"
    )
    assert import_reports(remote).resources() == expected.resources()
    xml = remote / "myproject_prj" / "solution1" / "syn" / "report" / "myproject_csynth.xml"
    assert import_reports(xml).resources() == expected.resources()
    # only the reports folder, with sub-function reports next to the top one: the top is found
    reports = tmp_path / "reports_only"
    shutil.copytree(xml.parent, reports)
    small = reports / "dense_latency_config2_s_csynth.xml"
    small.write_text(
        xml.read_text().replace("<LUT>23456</LUT>", "<LUT>99</LUT>").replace("<FF>6543</FF>", "<FF>9</FF>")
    )
    assert import_reports(reports).lut == 23456


def test_import_without_a_report_is_an_error(project, tmp_path):
    from core.hls.export import import_reports

    prj, _ = project("Vitis")
    with pytest.raises(HlsError, match="No C-synthesis report"):
        import_reports(prj)
    with pytest.raises(HlsError, match="does not exist"):
        import_reports(tmp_path / "missing.zip")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.txt", "x")
    with pytest.raises(HlsError, match="outside its folder"):
        import_reports(evil)
    assert not (tmp_path / "escape.txt").exists()


# --- the real tools (skipped unless asked for) ------------------------------------------------------------
@pytest.mark.vendor
@pytest.mark.skipif(
    os.environ.get("TRIGLAB_VENDOR_TESTS") != "1", reason="needs Vitis/Vivado (TRIGLAB_VENDOR_TESTS=1)"
)
def test_real_vendor_synthesis(project):
    tools = find_vendor_tools()
    if not tools.available:
        pytest.skip(tools.explanation())
    backend = "Vitis" if tools.tool_for("Vitis") else "Vivado"
    prj, _ = project(backend)
    report = run_synthesis(prj, backend, tools=tools, progress=RecordingProgress())
    assert report.latency_cycles_max > 0 and report.dsp + report.lut > 0
