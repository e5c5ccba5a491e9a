"""Vendor synthesis of an hls4ml project: find the AMD/Xilinx HLS tool, run it as a job, read its report.

hls4ml's ``build()`` runs the vendor tool with ``os.system``/``Popen`` and waits; we run the *same*
command line through :func:`core.jobs.run_subprocess`, so its output streams into the job log and
Cancel kills the whole process tree. What hls4ml 1.3 runs, in the project folder:

* **Vitis backend** (hls4ml >= 1.2, Vitis 2023.2+ unified tools): it writes ``build_opt.tcl``
  (``array set opt {reset 0 csim 1 synth 1 ...}``, read by ``build_prj.tcl``) and runs
  ``vitis-run --tcl build_prj.tcl --mode hls``.
* **Vitis HLS before the unified tools** (what hls4ml < 1.2 ran for the Vitis backend):
  ``vitis_hls -f build_prj.tcl "reset=False csim=True synth=True ..."``. hls4ml 1.3's Vitis
  ``build_prj.tcl`` reads ``build_opt.tcl`` instead of the arguments, so we write that file too.
* **Vivado backend**: ``vivado_hls -f build_prj.tcl "reset=False csim=True synth=True cosim=False
  validation=False export=False vsynth=False fifo_opt=False"`` (the Tcl script parses the
  ``name=value`` words of its argument; Tcl reads ``True``/``False`` as booleans).

**The report.** C synthesis writes ``<project>_prj/solution1/syn/report/<project>_csynth.xml``
(and the solution list in ``<project>_prj/hls.app``, ``vivado_hls.app`` for Vivado HLS). We read it
with hls4ml's own ``hls4ml.report.parse_vivado_report(project_dir)`` (the Vitis backend uses the same
function), which also picks up ``vivado_synth.rpt`` (Vivado logic synthesis, ``vsynth``) and the
co-simulation report when present. A report without its project (imported from elsewhere) is read
directly from the XML, with the same fields (:func:`parse_csynth_xml`).

**The U50.** The Alveo U50 carries an XCU50 (part ``xcu50-fsvh2104-2-e``, two SLRs, 8 GB HBM2).
Its programmable-logic capacity, from AMD's *Alveo U50 Data Center Accelerator Cards Data Sheet*
(DS965, card feature table): 872K LUTs, 1,743K registers, 5,952 DSP slices, 47.3 Mb of block RAM
(1,344 RAMB36 = 2,688 RAMB18, which is what HLS counts as ``BRAM_18K``) and 180 Mb of UltraRAM
(640 blocks of 288 Kb). The exact device counts below are the ones the AMD tools report for the
part (e.g. the ``AvailableResources`` of a csynth report targeting it). The platform shell takes
part of the device, so a kernel can use somewhat less than this in practice.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.hls.errors import HlsError
from core.hls.parts import U50_CAPACITY, utilization  # re-exported: they moved to core.hls.parts
from core.jobs import Progress, SubprocessError, ensure_progress, run_subprocess

U50_PART = "xcu50-fsvh2104-2-e"
"""The FPGA on the Alveo U50 card (speed grade -2, extended temperature)."""

RESOURCE_KEYS: tuple[str, ...] = ("LUT", "FF", "DSP", "BRAM_18K", "URAM")
"""The resources a report or an estimate gives, in display order."""

VENDOR_TOOL_NAMES: tuple[str, ...] = ("vitis-run", "vitis_hls", "vivado_hls")
"""The executables searched for on PATH, in order of preference."""

BACKEND_TOOLS: dict[str, tuple[str, ...]] = {
    "Vitis": ("vitis-run", "vitis_hls"),
    "Vivado": ("vivado_hls",),
}
"""Which tools can build a project of each hls4ml backend, preferred first."""

# Lines build_prj.tcl prints when it starts a step: (marker, fraction of the job, message).
_STAGES: tuple[tuple[str, float, str], ...] = (
    ("***** C SIMULATION *****", 0.05, "C simulation"),
    ("***** C/RTL SYNTHESIS *****", 0.15, "C/RTL synthesis (minutes to hours)"),
    ("***** C/RTL SIMULATION *****", 0.70, "C/RTL co-simulation"),
    ("***** C/RTL VALIDATION *****", 0.85, "comparing C and RTL simulation"),
    ("***** EXPORT IP *****", 0.88, "exporting the IP"),
    ("***** VIVADO SYNTHESIS *****", 0.90, "Vivado logic synthesis"),
)


# --- finding the tools ----------------------------------------------------------------------------
@dataclass(frozen=True)
class VendorTools:
    """Which vendor HLS tools are on PATH.

    Attributes:
        found: Tool name -> absolute path of the executable, for the tools found.
        searched: The names looked for, in order of preference.
        path: The PATH that was searched (``os.pathsep``-separated).
    """

    found: dict[str, str]
    searched: tuple[str, ...]
    path: str

    @property
    def available(self) -> bool:
        """True when at least one tool was found."""
        return bool(self.found)

    def tool_for(self, backend: str) -> str | None:
        """The name of the tool that would build a project of ``backend`` ('Vitis' or 'Vivado'), or None."""
        for name in BACKEND_TOOLS.get(_backend_name(backend), ()):
            if name in self.found:
                return name
        return None

    def explanation(self, backend: str | None = None) -> str:
        """One or two sentences for the UI: what was found, or why the build cannot run.

        Args:
            backend: When given, explain whether *this* backend can be built.
        """
        searched = ", ".join(self.searched)
        if not self.found:
            return f"No vendor tool: searched {searched} on PATH={self.path}"
        have = ", ".join(f"{name} ({p})" for name, p in self.found.items())
        if backend is None:
            return f"Found {have}."
        backend = _backend_name(backend)
        tool = self.tool_for(backend)
        if tool is not None:
            return f"The {backend} backend will be built with {tool} ({self.found[tool]})."
        needed = " or ".join(BACKEND_TOOLS.get(backend, ()))
        return (
            f"The {backend} backend needs {needed}, which is not on PATH ({self.path}); found {have}. "
            f"Switch the backend, or add the tool's bin folder to PATH (source the vendor's settings64.sh)."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"found": dict(self.found), "searched": list(self.searched), "path": self.path}


def find_vendor_tools(path: str | None = None) -> VendorTools:
    """Look for ``vitis-run``, ``vitis_hls`` and ``vivado_hls`` on PATH.

    Args:
        path: The search path (``os.pathsep``-separated); default the ``PATH`` environment variable.

    Returns:
        The tools found, with the names searched and the PATH used (for the UI's explanation).
    """
    if path is None:
        path = os.environ.get("PATH", os.defpath)
    found: dict[str, str] = {}
    for name in VENDOR_TOOL_NAMES:
        exe = shutil.which(name, path=path)
        if exe:
            found[name] = os.path.abspath(exe)
    return VendorTools(found=found, searched=VENDOR_TOOL_NAMES, path=path)


# --- the project ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectInfo:
    """What ``project.tcl`` of an hls4ml project says.

    Attributes:
        project_name: Name of the top function (``myproject`` by default).
        backend: ``'Vitis'``, ``'Vivado'`` or the raw value for other backends.
        part: FPGA part, e.g. ``xcu50-fsvh2104-2-e``.
        clock_period_ns: Target clock period (ns).
    """

    project_name: str
    backend: str
    part: str | None
    clock_period_ns: float | None


def read_project_info(project_dir: str | os.PathLike) -> ProjectInfo:
    """Read the project name, backend, part and clock from ``project.tcl``.

    Raises:
        HlsError: The folder is not an hls4ml Vivado/Vitis project (no ``project.tcl``).
    """
    tcl = Path(project_dir) / "project.tcl"
    if not tcl.is_file():
        raise HlsError(
            f"'{project_dir}' is not an hls4ml project folder: project.tcl is missing. "
            "Convert and write the model first."
        )
    values: dict[str, str] = {}
    for line in tcl.read_text(errors="replace").splitlines():
        m = re.match(r"\s*set\s+(\w+)\s+(.*?)\s*$", line)
        if m:
            values[m[1]] = m[2].strip().strip('"{}')
    if "project_name" not in values:
        raise HlsError(f"{tcl} does not set project_name; is it an hls4ml project?")
    clock = values.get("clock_period")
    try:
        clock_ns = float(clock) if clock is not None else None
    except ValueError:
        clock_ns = None
    return ProjectInfo(
        project_name=values["project_name"],
        backend=_backend_name(values.get("backend", "vivado")),
        part=values.get("part"),
        clock_period_ns=clock_ns,
    )


def build_options_tcl(
    *,
    reset: bool = False,
    csim: bool = False,
    synth: bool = True,
    cosim: bool = False,
    validation: bool = False,
    export: bool = False,
    vsynth: bool = False,
    fifo_opt: bool = False,
) -> str:
    """The ``build_opt.tcl`` text hls4ml 1.3's Vitis ``build()`` writes (which steps to run)."""
    opts = {
        "reset": reset,
        "csim": csim,
        "synth": synth,
        "cosim": cosim,
        "validation": validation,
        "export": export,
        "vsynth": vsynth,
        "fifo_opt": fifo_opt,
    }
    body = "".join(f"    {name:<10} {int(value)}\n" for name, value in opts.items())
    return "array set opt {\n" + body + "}\n"


def write_build_options(project_dir: str | os.PathLike, **steps: bool) -> Path:
    """Write ``build_opt.tcl`` into a Vitis project (see :func:`build_options_tcl` for ``steps``)."""
    path = Path(project_dir) / "build_opt.tcl"
    path.write_text(build_options_tcl(**steps))
    return path


def build_command(
    project_dir: str | os.PathLike,
    backend: str,
    tools: VendorTools | None = None,
    csim: bool = False,
    synth: bool = True,
    cosim: bool = False,
    export: bool = False,
    *,
    reset: bool = False,
    validation: bool = False,
    vsynth: bool = False,
    fifo_opt: bool = False,
    absolute: bool = True,
) -> list[str]:
    """The command line that builds the project, exactly as hls4ml's ``build()`` runs it.

    It runs in ``project_dir``. For the Vitis backend the steps also go into ``build_opt.tcl``
    (:func:`write_build_options`); :func:`run_synthesis` writes it.

    Args:
        project_dir: The hls4ml project folder (holds ``build_prj.tcl``).
        backend: ``'Vitis'`` or ``'Vivado'`` (case-insensitive).
        tools: The tools found (default: search PATH now). With ``absolute=False`` and no tool
            found, the preferred tool's name is used (for instructions to run elsewhere).
        csim, synth, cosim, export: Steps: C simulation, C synthesis, C/RTL co-simulation, IP export.
        reset, validation, vsynth, fifo_opt: The other options of hls4ml's ``build()``.
        absolute: Use the executable's absolute path (as found) rather than its bare name.

    Returns:
        The argument list.

    Raises:
        HlsError: No tool for this backend was found (only with ``absolute=True``).
    """
    backend = _backend_name(backend)
    if backend not in BACKEND_TOOLS:
        raise HlsError(f"Vendor builds exist for the Vitis and Vivado backends, not '{backend}'.")
    tools = tools if tools is not None else find_vendor_tools()
    name = tools.tool_for(backend)
    if name is None:
        if absolute:
            raise HlsError(tools.explanation(backend))
        name = BACKEND_TOOLS[backend][0]
    exe = tools.found[name] if absolute else name
    if name == "vitis-run":
        return [exe, "--tcl", "build_prj.tcl", "--mode", "hls"]
    # vitis_hls and vivado_hls: hls4ml formats Python booleans into one argument ("reset=False ...").
    flags = {
        "reset": reset,
        "csim": csim,
        "synth": synth,
        "cosim": cosim,
        "validation": validation,
        "export": export,
        "vsynth": vsynth,
        "fifo_opt": fifo_opt,
    }
    return [exe, "-f", "build_prj.tcl", " ".join(f"{k}={v}" for k, v in flags.items())]


# --- the report ------------------------------------------------------------------------------------
@dataclass
class SynthReport:
    """The numbers of a vendor C-synthesis report (HLS estimates after scheduling and binding).

    Attributes:
        latency_cycles_min, latency_cycles_max: Best- and worst-case latency (clock cycles).
        interval_min, interval_max: Initiation interval (cycles between two inputs).
        lut, ff, dsp, bram_18k, uram: Resources used.
        clock_ns: Target clock period (ns).
        estimated_clock_ns: Clock period HLS estimates it reaches (ns); above ``clock_ns`` means
            the timing is not met.
        part: FPGA part of the report, if known.
        available: The device's resources as the report gives them (``AvailableResources``).
        source: Where the numbers come from (``'vendor report'``).
        tool_version: ``ReportVersion`` of the XML (e.g. ``'2023.1'``), if read.
        report_path: The csynth report read, if known.
        vivado_synth: Post-synthesis resources from ``vivado_synth.rpt`` (the ``vsynth`` step), if any.
        cosim: Co-simulation latency and interval, if any.
    """

    latency_cycles_min: int
    latency_cycles_max: int
    interval_min: int
    interval_max: int
    lut: int
    ff: int
    dsp: int
    bram_18k: int
    uram: int
    clock_ns: float
    estimated_clock_ns: float | None = None
    part: str | None = None
    available: dict[str, int] = field(default_factory=dict)
    source: str = "vendor report"
    tool_version: str | None = None
    report_path: str | None = None
    vivado_synth: dict[str, Any] = field(default_factory=dict)
    cosim: dict[str, Any] = field(default_factory=dict)

    @property
    def latency_ns_min(self) -> float:
        """Best-case latency at the target clock (ns)."""
        return self.latency_cycles_min * self.clock_ns

    @property
    def latency_ns_max(self) -> float:
        """Worst-case latency at the target clock (ns)."""
        return self.latency_cycles_max * self.clock_ns

    @property
    def latency_ns(self) -> float:
        """Worst-case latency at the target clock (ns): the number a trigger budget compares with."""
        return self.latency_ns_max

    @property
    def timing_met(self) -> bool | None:
        """Whether the estimated clock period fits the target (None when unknown)."""
        if self.estimated_clock_ns is None:
            return None
        return self.estimated_clock_ns <= self.clock_ns

    def resources(self) -> dict[str, int]:
        """Resources used, keyed like :data:`U50_CAPACITY`."""
        return {"LUT": self.lut, "FF": self.ff, "DSP": self.dsp, "BRAM_18K": self.bram_18k, "URAM": self.uram}

    def utilization(self, capacity: dict[str, int] | None = None) -> dict[str, float]:
        """Fraction of the device used per resource (1.0 = full; above 1 does not fit).

        Args:
            capacity: Resources of the device; default the U50's (:data:`U50_CAPACITY`).
        """
        return utilization(self.resources(), capacity)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (with the derived ns latencies and the U50 utilization)."""
        d = asdict(self)
        d["latency_ns_min"] = self.latency_ns_min
        d["latency_ns_max"] = self.latency_ns_max
        d["utilization"] = self.utilization()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SynthReport:
        """Inverse of :meth:`to_dict` (derived keys are ignored)."""
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in names})


def parse_report(project_dir: str | os.PathLike, backend: str | None = None) -> SynthReport | None:
    """Read the C-synthesis report of a built project with hls4ml's report functions.

    Args:
        project_dir: The hls4ml project folder (with ``project.tcl`` and ``<project>_prj/``).
        backend: ``'Vitis'`` or ``'Vivado'``; both write the same report format, so this only
            checks the value (default: what ``project.tcl`` says).

    Returns:
        The report, or None when the project has not been synthesized.
    """
    from hls4ml.report import parse_vivado_report

    project_dir = Path(project_dir)
    info = read_project_info(project_dir)
    if backend is not None and _backend_name(backend) not in BACKEND_TOOLS:
        raise HlsError(f"Vendor reports exist for the Vitis and Vivado backends, not '{backend}'.")
    prj = project_dir / f"{info.project_name}_prj"
    if not prj.is_dir():
        return None
    if not ((prj / "hls.app").is_file() or (prj / "vivado_hls.app").is_file()):
        # hls4ml lists the solutions from the .app file; without it, read the XML ourselves.
        xml = _find_top_report(project_dir, info.project_name)
        return parse_csynth_xml(xml) if xml is not None else None
    chatter = io.StringIO()  # hls4ml prints "report not found" lines for every optional report
    try:
        with contextlib.redirect_stdout(chatter):
            raw = parse_vivado_report(str(project_dir))
    except (UnboundLocalError, KeyError, IndexError, ValueError, OSError):
        # hls4ml 1.3 reads project.tcl expecting its own lines (e.g. `set backend`) and fails on a
        # project written otherwise: read the top function's XML ourselves.
        xml = _find_top_report(project_dir, info.project_name)
        return parse_csynth_xml(xml) if xml is not None else None
    if not raw or "CSynthesisReport" not in raw:
        return None
    xml = _find_top_report(project_dir, info.project_name)
    report = _from_hls4ml(raw["CSynthesisReport"])
    report.part = info.part
    if xml is not None:
        report.report_path = str(xml)
        report.tool_version, report.part = _version_and_part(xml, info.part)
    if raw.get("VivadoSynthReport"):
        report.vivado_synth = {k: _to_number(v) for k, v in raw["VivadoSynthReport"].items()}
    if raw.get("CosimReport"):
        report.cosim = {k: _to_number(v) for k, v in raw["CosimReport"].items()}
    return report


def parse_csynth_xml(path: str | os.PathLike) -> SynthReport:
    """Read a ``*_csynth.xml`` file directly (the fields hls4ml's ``parse_vivado_report`` reads).

    Raises:
        HlsError: The file is not a C-synthesis report.
    """
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise HlsError(f"Cannot read the synthesis report '{path}': {exc}") from exc

    def text(xpath: str) -> str | None:
        node = root.find(xpath)
        return node.text.strip() if node is not None and node.text else None

    perf, area = root.find("./PerformanceEstimates"), root.find("./AreaEstimates")
    if perf is None or area is None or area.find("./Resources") is None:
        raise HlsError(f"'{path}' is not a C-synthesis report (no performance or area estimates).")
    raw: dict[str, str | None] = {
        "TargetClockPeriod": text("./UserAssignments/TargetClockPeriod"),
        "EstimatedClockPeriod": text("./PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod"),
        "BestLatency": text("./PerformanceEstimates/SummaryOfOverallLatency/Best-caseLatency"),
        "WorstLatency": text("./PerformanceEstimates/SummaryOfOverallLatency/Worst-caseLatency"),
        "IntervalMin": text("./PerformanceEstimates/SummaryOfOverallLatency/Interval-min"),
        "IntervalMax": text("./PerformanceEstimates/SummaryOfOverallLatency/Interval-max"),
    }
    for prefix, node in (("", area.find("./Resources")), ("Available", area.find("./AvailableResources"))):
        for child in node if node is not None else ():
            tag = "DSP" if child.tag == "DSP48E" else child.tag  # Vivado HLS says DSP48E, Vitis DSP
            raw[prefix + tag] = child.text
    report = _from_hls4ml(raw)
    report.report_path = str(path)
    report.tool_version, report.part = _version_and_part(path, None)
    return report


def _from_hls4ml(raw: dict[str, Any]) -> SynthReport:
    """A SynthReport from the ``CSynthesisReport`` dictionary of ``parse_vivado_report``."""
    best = _to_int(raw.get("BestLatency"))
    worst = _to_int(raw.get("WorstLatency"), best)
    available = {
        k: _to_int(raw.get("Available" + k)) for k in RESOURCE_KEYS if raw.get("Available" + k) is not None
    }
    clock = _to_float(raw.get("TargetClockPeriod"))
    return SynthReport(
        latency_cycles_min=best,
        latency_cycles_max=worst,
        interval_min=_to_int(raw.get("IntervalMin")),
        interval_max=_to_int(raw.get("IntervalMax"), _to_int(raw.get("IntervalMin"))),
        lut=_to_int(raw.get("LUT")),
        ff=_to_int(raw.get("FF")),
        dsp=_to_int(raw.get("DSP", raw.get("DSP48E"))),
        bram_18k=_to_int(raw.get("BRAM_18K")),
        uram=_to_int(raw.get("URAM")),
        clock_ns=clock if clock is not None else float("nan"),
        estimated_clock_ns=_to_float(raw.get("EstimatedClockPeriod")),
        available=available,
    )


def _find_top_report(project_dir: Path, project_name: str) -> Path | None:
    """``<name>_prj/<solution>/syn/report/<name>_csynth.xml``, solution1 first."""
    prj = project_dir / f"{project_name}_prj"
    candidates = sorted(prj.glob(f"*/syn/report/{project_name}_csynth.xml"))
    candidates.sort(key=lambda p: p.parts[-4] != "solution1")
    return candidates[0] if candidates else None


def _version_and_part(xml: str | os.PathLike, part: str | None) -> tuple[str | None, str | None]:
    try:
        root = ET.parse(xml).getroot()
    except (ET.ParseError, OSError):
        return None, part
    version = root.findtext("./ReportVersion/Version")
    return (version.strip() if version else None), (root.findtext("./UserAssignments/Part") or part)


def _to_number(value: Any) -> Any:
    for conv in (int, float):
        try:
            return conv(value)
        except (TypeError, ValueError):
            continue
    return value


def _to_int(value: Any, default: int = 0) -> int:
    """Report integers; 'undef' (data-dependent loops) and missing values become ``default``."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _to_float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _backend_name(backend: str) -> str:
    b = str(backend).strip().lower()
    return {"vitis": "Vitis", "vivado": "Vivado"}.get(b, str(backend))


# --- the job ---------------------------------------------------------------------------------------
class _BuildLog(Progress):
    """Forwards to the job's progress, copies every line to ``build_stdout.log`` and turns the
    step banners of ``build_prj.tcl`` into progress updates."""

    def __init__(self, parent: Progress, log_file: io.TextIOBase, start: float, stop: float) -> None:
        super().__init__()
        self._parent, self._file = parent, log_file
        self._start, self._stop = start, stop

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        self._parent.update(self._start + (self._stop - self._start) * self.fraction, message)

    def log(self, line: str) -> None:
        self._file.write(line + "\n")
        self._file.flush()
        self._parent.log(line)
        for marker, fraction, message in _STAGES:
            if marker in line:
                self.update(fraction, message)

    def report(self, kind: str, **values: Any) -> None:
        self._parent.report(kind, **values)

    def cancel(self) -> None:
        self._parent.cancel()

    @property
    def cancelled(self) -> bool:
        return self._parent.cancelled

    def check_cancelled(self) -> None:
        self._parent.check_cancelled()


def run_synthesis(
    project_dir: str | os.PathLike,
    backend: str = "Vitis",
    *,
    tools: VendorTools | None = None,
    progress: Progress | None = None,
    csim: bool = False,
    synth: bool = True,
    cosim: bool = False,
    export: bool = False,
    vsynth: bool = False,
    reset: bool = False,
) -> SynthReport | None:
    """Run the vendor HLS build of an hls4ml project as a job and read its report.

    The tool's output goes line by line to ``progress.log`` and to ``<project_dir>/build_stdout.log``;
    cancelling the job kills the tool and everything it started.

    Args:
        project_dir: The hls4ml project folder written by the conversion (``CompiledModel.project_dir``).
        backend: ``'Vitis'`` (``vitis-run``, or ``vitis_hls``) or ``'Vivado'`` (``vivado_hls``).
        tools: The tools found (default: search PATH now).
        progress: Job progress; cancellable.
        csim, synth, cosim, export, vsynth, reset: Steps of hls4ml's ``build_prj.tcl``. The default
            is C synthesis alone: it gives latency and resources; C simulation is what TrigLab's
            own C simulation already did.

    Returns:
        The synthesis report; None only when ``synth=False`` and no earlier report exists.

    Raises:
        HlsError: No tool for the backend on PATH (the message names the tools searched and the
            PATH), not an hls4ml project, the tool failed (the message ends with the log's tail),
            or it finished without writing a report.
        Cancelled: The user cancelled.
    """
    progress = ensure_progress(progress)
    project_dir = Path(project_dir)
    backend = _backend_name(backend)
    tools = tools if tools is not None else find_vendor_tools()
    if not tools.available:
        raise HlsError(tools.explanation())
    cmd = build_command(
        project_dir,
        backend,
        tools,
        csim=csim,
        synth=synth,
        cosim=cosim,
        export=export,
        vsynth=vsynth,
        reset=reset,
    )
    info = read_project_info(project_dir)
    if not (project_dir / "build_prj.tcl").is_file():
        raise HlsError(f"'{project_dir}' has no build_prj.tcl; write the hls4ml project again.")
    if info.backend in BACKEND_TOOLS and info.backend != backend:
        raise HlsError(
            f"The project in '{project_dir}' was written for the {info.backend} backend, not {backend}; "
            "convert it again with that backend."
        )
    if backend == "Vitis":
        write_build_options(
            project_dir, reset=reset, csim=csim, synth=synth, cosim=cosim, export=export, vsynth=vsynth
        )
    env = None
    if tools.path != os.environ.get("PATH", os.defpath):
        env = {**os.environ, "PATH": tools.path}  # the tool's own children need the same PATH
    tool = Path(cmd[0]).name
    progress.update(0.0, f"running {tool} in {project_dir}")
    progress.log("$ " + " ".join(_quote(a) for a in cmd))
    log_path = project_dir / "build_stdout.log"
    with open(log_path, "w", encoding="utf-8") as log_file:
        sink = _BuildLog(progress, log_file, 0.0, 0.97)
        try:
            run_subprocess(cmd, sink, cwd=project_dir, env=env)
        except SubprocessError as exc:
            tail = "\n".join(exc.tail[-25:])
            raise HlsError(
                f"{tool} failed with exit code {exc.returncode} (full log: {log_path}).\n"
                f"Last lines of the log:\n{tail}"
            ) from exc
    progress.update(0.98, "reading the synthesis report")
    report = parse_report(project_dir, backend)
    if report is None and synth:
        raise HlsError(
            f"{tool} finished but wrote no synthesis report "
            f"({project_dir / (info.project_name + '_prj')}/solution1/syn/report/{info.project_name}_csynth.xml); "
            f"see {log_path}."
        )
    progress.update(1.0, "synthesis done")
    return report


def _quote(arg: str) -> str:
    return f'"{arg}"' if (" " in arg or not arg) else arg


__all__ = [
    "BACKEND_TOOLS",
    "RESOURCE_KEYS",
    "U50_CAPACITY",
    "U50_PART",
    "VENDOR_TOOL_NAMES",
    "ProjectInfo",
    "SynthReport",
    "VendorTools",
    "build_command",
    "build_options_tcl",
    "find_vendor_tools",
    "parse_csynth_xml",
    "parse_report",
    "read_project_info",
    "run_synthesis",
    "utilization",
    "write_build_options",
]
