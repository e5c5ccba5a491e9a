"""Discovery: which Alveo cards and which AMD tools this machine has, and what is missing.

Everything is looked up, nothing is assumed, and every lookup can be fed recorded answers
(``env``, ``runner``, ``root``, ``find_module`` of :func:`discover`), so the tests replay the
outputs of machines we do not have. What is looked at, and where the facts come from:

**Cards.** XRT's own tool, ``xrt-smi`` (its name since XRT 2024.2) or ``xbutil`` (before), run as
``<tool> examine --format JSON --output <file>``: both refuse ``--format`` without ``--output``
("Please specify an output file to redirect the json to", XRT's ``SubCmdExamine.cpp``) and refuse
an existing file without ``--force``, so we give a fresh path. The default report is ``host``:
``{"system": {"host": {"xrt": {"version": ...}, "devices": [{"bdf", "vbnv", "id", "is_ready",
"device_class"?}]}}}`` (``ReportHost.cpp`` + ``XBUtilities::get_available_devices``; boost's JSON
writer gives every value as a string, ``"is_ready": "true"``). Device reports, when present, sit
in ``"devices": [{"device_id": "<bdf>", "thermals": [{"description", "temp_C", "is_present"}],
...}]`` (``ReportThermal.cpp``); a serial number is taken from any ``serial*`` key there. The PCI
bus sees a card even without XRT: ``lspci -D -nn -d 10ee:`` and, without lspci (pciutils),
``/sys/bus/pci/devices/*/{vendor,device}``. PCI ids from XRT's driver table (``devices.h``):
the U50 is ``10ee:5020`` (management function), ``10ee:5021`` (user function) and ``10ee:d020``
(factory/golden image); ``500c/500d`` are the U280.

**XRT.** ``XILINX_XRT`` or ``/opt/xilinx/xrt`` (AMD's packages, with the ``xocl``/``xclmgmt``
drivers: ``/sys/module/xocl`` when loaded); Debian's ``libxrt1``/``libxrt-dev`` (XRT 2022.1,
``/usr/include/xrt/xrt/xrt_kernel.h`` and ``libxrt_coreutil.so``: enough to compile the real-XRT
host program, not to drive a card — Debian ships no driver); ``pyxrt`` (ships in
``$XILINX_XRT/python``, not on PyPI: found with ``importlib`` without importing it, then imported
in a child process so a broken binding cannot take this one down). Installed platforms:
``<dir>/<name>/<name>.xpfm`` in ``$PLATFORM_REPO_PATHS`` and ``/opt/xilinx/platforms``, where
``v++ --platform`` looks (it needs the U50's).

**Vitis AI** (the DPU path; DPUCAHX8H is the U50's DPU [AMD PG367]; the Vitis AI Library
release notes list the plain U50 in 1.1-1.4, the U50LV/U55C from 2.0 [UG1354]): ``vart`` and ``xir``
importable, ``vai_c_tensorflow2`` on PATH, the U50 ``arch.json`` where the Vitis AI docker image
keeps it (``/opt/vitis_ai/compiler/arch/DPUCAHX8H/U50/arch.json``, or under the conda env's
``site-packages/vaic/arch``), and the quantizer (``tensorflow_model_optimization.quantization.
keras.vitis``, ``vitis_quantize``, in Vitis AI's own build of tfmot).

**hls4ml kernel flow**: ``v++``, ``vitis-run``/``vitis_hls`` (found by
:func:`core.hls.vendor.find_vendor_tools`), ``vivado``, each with the version its ``--version``/
``-version`` prints (a ``20YY.N`` release; the exact banner was not verified here); ``g++`` for the
emulators.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.deploy import Availability
from core.deploy.discovery_parse import (
    ALVEO_PCI_IDS,
    Card,
    parse_examine_json,
    parse_lspci,
    parse_version,
    pci_slot,
    scan_sysfs,
)

FOUND, PARTIAL, MISSING = "found", "partial", "missing"

U50_SHELL = "xilinx_u50_gen3x16_xdma_5_202210_1"
"""The U50 deployment platform of the 2022.1 release (the shell ``v++ --platform`` targets)."""

U50_ARCH_JSON = "/opt/vitis_ai/compiler/arch/DPUCAHX8H/U50/arch.json"
"""Where the Vitis AI docker image keeps the U50 DPU's architecture file."""


# --- what is found ---------------------------------------------------------------------------------
@dataclass
class Tool:
    """One tool or library looked for. ``path`` is where it was found; ``version`` as it reports it."""

    name: str
    found: bool
    path: str | None = None
    version: str | None = None
    detail: str = ""


@dataclass
class CheckItem:
    """One row of the checklist the Deploy tab and ``triglab-cli devices`` show."""

    item: str
    status: str  # FOUND, PARTIAL or MISSING
    detail: str
    why: str
    how: str


@dataclass
class CommandResult:
    """What a probe command returned (``returncode`` 127 when the program does not exist)."""

    returncode: int
    stdout: str = ""
    stderr: str = ""


CommandRunner = Callable[[Sequence[str], float], CommandResult]


def run_command(cmd: Sequence[str], timeout: float = 30.0) -> CommandResult:
    """Run a short probe command (a version query, ``xbutil examine``) and capture its output.

    Not :func:`core.jobs.run_subprocess`: these are bounded queries whose stdout we parse apart
    from stderr; the timeout kills a hung tool (a card driver that does not answer).
    """
    try:
        p = subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return CommandResult(127, "", f"{cmd[0]}: not found")
    except subprocess.TimeoutExpired:
        return CommandResult(124, "", f"{cmd[0]} did not answer within {timeout:.0f} s")
    except OSError as exc:
        return CommandResult(126, "", f"{cmd[0]}: {exc}")
    return CommandResult(p.returncode, p.stdout, p.stderr)


# --- the result -------------------------------------------------------------------------------------
@dataclass
class Discovery:
    """What :func:`discover` found.

    Attributes:
        cards: Alveo cards, merged across XRT, lspci and sysfs.
        tools: Tool key -> :class:`Tool` (``xrt``, ``xrt_tool``, ``xrt_driver``, ``xrt_dev``, ``pyxrt``,
            ``platform_u50``, ``vart``, ``xir``, ``vai_c``, ``arch_u50``, ``vitis_quantize``, ``v++``,
            ``vitis_hls``, ``vivado``, ``g++``, ``lspci``).
        xrt_version: XRT's version as its tool reports it.
        platforms: Installed platform names (``/opt/xilinx/platforms``).
        notes: Problems met while looking (a tool that failed, JSON that did not parse).
        seconds: How long discovery took (s).
        targets: Registered target name -> its :class:`Availability` here (filled by
            :func:`discovery_job`; empty after a bare :func:`discover`).
    """

    cards: list[Card] = field(default_factory=list)
    tools: dict[str, Tool] = field(default_factory=dict)
    xrt_version: str | None = None
    platforms: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    targets: dict[str, Availability] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        t = self.tools.get(key)
        return bool(t and t.found)

    @property
    def u50_cards(self) -> list[Card]:
        return [c for c in self.cards if c.is_u50]

    @property
    def usable_u50(self) -> list[Card]:
        """U50 cards XRT sees and reports ready: the ones a run can use."""
        return [c for c in self.u50_cards if c.seen_by_xrt and c.ready is not False]

    def checklist(self) -> list[CheckItem]:
        """The rows of the Deploy tab's checklist, cards first, then runtime, DPU, kernel, emulators."""
        from core.deploy.discovery_checklist import build_checklist  # noqa: PLC0415 - keeps this module small

        return build_checklist(self)

    def target_availability(self, name: str) -> Availability:
        """Whether the target ``name`` can *run* here; the reason and the fix when not."""
        from core.deploy.discovery_checklist import target_availability

        return target_availability(self, name)

    def build_availability(self, name: str) -> Availability:
        """Whether the target ``name`` can *build* its artifact here (v++, vai_c_tensorflow2...)."""
        from core.deploy.discovery_checklist import build_availability

        return build_availability(self, name)

    def summary(self) -> str:
        """One line: the cards, then what runs where."""
        if self.usable_u50:
            cards = "; ".join(c.describe() for c in self.usable_u50)
            head = f"Alveo U50 ready: {cards} (XRT {self.xrt_version or '?'})"
        elif self.u50_cards:
            head = f"Alveo U50 on the PCI bus but not usable: {self.u50_cards[0].describe()}"
        elif self.cards:
            head = f"No U50; other Xilinx cards: {', '.join(c.describe() for c in self.cards)}"
        else:
            head = "No Alveo card found"
        tools = [k for k in ("xrt", "vart", "vai_c", "v++", "vitis_hls", "vivado") if self.has(k)]
        tail = f"AMD tools: {', '.join(tools)}" if tools else "no AMD tools"
        emu = "emulators available" if self.has("g++") else "emulator-dpu only (no g++)"
        return f"{head}; {tail}; {emu}."

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``triglab-cli devices --json``)."""
        return {
            "summary": self.summary(),
            "cards": [dict(asdict(c), is_u50=c.is_u50) for c in self.cards],
            "xrt_version": self.xrt_version,
            "platforms": list(self.platforms),
            "tools": {k: asdict(t) for k, t in self.tools.items()},
            "checklist": [asdict(r) for r in self.checklist()],
            "notes": list(self.notes),
            "seconds": self.seconds,
            "targets": {k: asdict(a) for k, a in self.targets.items()},
        }


# --- discovery ----------------------------------------------------------------------------------------
def discover(
    env: Mapping[str, str] | None = None,
    runner: CommandRunner | None = None,
    root: str | os.PathLike = "/",
    find_module: Callable[[str, Sequence[str]], str | None] | None = None,
    progress=None,
) -> Discovery:
    """Look for Alveo cards and the AMD tools; never raises for what is missing.

    Args:
        env: Environment to read (``PATH``, ``XILINX_XRT``, ``CONDA_PREFIX``); default ``os.environ``.
        runner: Runs a probe command: ``runner(cmd, timeout_s) -> CommandResult``; default
            :func:`run_command`. Tests pass recorded outputs.
        root: Prefix of the file system paths looked at (``/opt/xilinx``, ``/sys``, ``/usr/include``).
        find_module: ``find_module(name, extra_paths) -> location or None`` for Python packages;
            default: ``importlib`` without importing them.
        progress: Optional job progress (the Deploy tab runs discovery as a light job).

    Returns:
        The :class:`Discovery`.
    """
    t0 = time.perf_counter()
    env = dict(os.environ if env is None else env)
    runner = runner or run_command
    root = Path(root)
    find_module = find_module or _find_module
    path = env.get("PATH", os.defpath)
    d = Discovery()

    def step(frac: float, msg: str) -> None:
        if progress is not None:
            progress.check_cancelled()
            progress.update(frac, msg)

    def which(name: str, *extra_dirs: Path) -> str | None:
        search = os.pathsep.join([path, *(str(x) for x in extra_dirs)])
        return shutil.which(name, path=search)

    def version_of(key: str, exe: str, args: Sequence[str], kind: str = "vendor") -> Tool:
        r = runner([exe, *args], 30.0)
        ver = parse_version(r.stdout + "\n" + r.stderr, kind)
        detail = "" if ver else f"'{Path(exe).name} {' '.join(args)}' gave no version (exit {r.returncode})"
        return Tool(key, True, exe, ver, detail)

    # XRT -----------------------------------------------------------------------------------------
    step(0.0, "looking for XRT")
    xrt_home = env.get("XILINX_XRT") or (
        str(root / "opt/xilinx/xrt") if (root / "opt/xilinx/xrt").is_dir() else None
    )
    xrt_dir = Path(xrt_home) if xrt_home else None
    d.tools["xrt"] = Tool("XRT", xrt_dir is not None and xrt_dir.is_dir(), str(xrt_dir) if xrt_dir else None)
    drivers = [m for m in ("xocl", "xclmgmt") if (root / "sys/module" / m).is_dir()]
    d.tools["xrt_driver"] = Tool("XRT drivers (xocl, xclmgmt)", bool(drivers), ", ".join(drivers) or None)
    bin_dirs = [xrt_dir / "bin"] if xrt_dir else []
    tool_exe, tool_name = None, None
    for name in ("xrt-smi", "xbutil"):
        tool_exe = which(name, *bin_dirs)
        if tool_exe:
            tool_name = name
            break
    d.tools["xrt_tool"] = Tool("xrt-smi / xbutil", bool(tool_exe), tool_exe)
    if tool_exe:
        step(0.1, f"{tool_name} examine")
        _examine(d, runner, tool_exe, tool_name)
    if d.tools["xrt"].found and d.xrt_version:
        d.tools["xrt"].version = d.xrt_version
    dev_dirs = [(xrt_dir / "include/xrt", xrt_dir / "lib")] if xrt_dir else []
    dev_dirs.append((root / "usr/include/xrt/xrt", root / "usr/lib/x86_64-linux-gnu"))
    dev = next(
        (
            (inc, lib)
            for inc, lib in dev_dirs
            if (inc / "xrt_kernel.h").is_file() and (lib / "libxrt_coreutil.so").exists()
        ),
        None,
    )
    d.tools["xrt_dev"] = Tool(
        "XRT headers + libxrt_coreutil", dev is not None, f"{dev[0]}, {dev[1]}" if dev else None
    )
    xrt_py = [str(xrt_dir / "python")] if xrt_dir else []
    loc = find_module("pyxrt", xrt_py)
    pyxrt = Tool("pyxrt", False, loc)
    if loc:
        # A child process: a binding built for another Python or missing libxrt must not crash us.
        code = f"import sys; sys.path[:0] = {xrt_py!r}; import pyxrt"
        r = runner([sys.executable, "-c", code], 30.0)
        pyxrt.found = r.returncode == 0
        pyxrt.detail = "" if pyxrt.found else f"found at {loc} but 'import pyxrt' fails: {_tail(r.stderr)}"
    d.tools["pyxrt"] = pyxrt
    # Where v++ looks for platforms: $PLATFORM_REPO_PATHS, then /opt/xilinx/platforms.
    pdirs = [Path(p) for p in env.get("PLATFORM_REPO_PATHS", "").split(os.pathsep) if p]
    pdirs.append(root / "opt/xilinx/platforms")
    xpfms = [x for pdir in pdirs if pdir.is_dir() for x in sorted(pdir.glob("*/*.xpfm"))]
    d.platforms = sorted({p.parent.name for p in xpfms})
    u50_pf = [p for p in xpfms if p.parent.name.lower().startswith("xilinx_u50_")]
    d.tools["platform_u50"] = Tool(
        "U50 platform (.xpfm)",
        bool(u50_pf),
        str(u50_pf[-1]) if u50_pf else None,
        u50_pf[-1].parent.name if u50_pf else None,
    )

    # cards on the PCI bus --------------------------------------------------------------------------
    step(0.3, "looking at the PCI bus")
    lspci = which("lspci", Path("/usr/sbin"), Path("/sbin"))
    d.tools["lspci"] = Tool("lspci", bool(lspci), lspci)
    bus: list[Card] = []
    if lspci:
        r = runner([lspci, "-D", "-nn", "-d", "10ee:"], 15.0)
        if r.returncode == 0:
            bus = parse_lspci(r.stdout)
        else:
            d.notes.append(f"lspci failed (exit {r.returncode}): {_tail(r.stderr)}")
    bus += scan_sysfs(root)
    _merge_bus_cards(d, bus)

    # Vitis AI -----------------------------------------------------------------------------------------
    step(0.5, "looking for Vitis AI")
    for key in ("vart", "xir"):
        loc = find_module(key, [])
        d.tools[key] = Tool(key, bool(loc), loc)
    vai_c = which("vai_c_tensorflow2")
    d.tools["vai_c"] = Tool("vai_c_tensorflow2", bool(vai_c), vai_c)
    arch_candidates = [root / U50_ARCH_JSON.lstrip("/")]
    if env.get("CONDA_PREFIX"):
        arch_candidates += sorted(
            Path(env["CONDA_PREFIX"]).glob("lib/python3*/site-packages/vaic/arch/DPUCAHX8H/U50/arch.json")
        )
    arch = next((p for p in arch_candidates if p.is_file()), None)
    d.tools["arch_u50"] = Tool("U50 DPU arch.json (DPUCAHX8H)", arch is not None, str(arch) if arch else None)
    tfmot = find_module("tensorflow_model_optimization", [])
    vq = Path(tfmot).parent / "quantization/keras/vitis" if tfmot else None
    vq_found = vq is not None and (vq / "__init__.py").is_file()
    d.tools["vitis_quantize"] = Tool(
        "vitis_quantize (Vitis AI quantizer)",
        vq_found,
        str(vq) if vq_found else None,
        detail=""
        if vq_found or not tfmot
        else "tensorflow_model_optimization is the PyPI build, without Vitis AI's quantizer",
    )

    # hls4ml kernel flow -----------------------------------------------------------------------------
    step(0.7, "looking for Vitis and Vivado")
    from core.hls.vendor import find_vendor_tools

    vpp = which("v++")
    d.tools["v++"] = version_of("v++", vpp, ["--version"]) if vpp else Tool("v++", False)
    hls = find_vendor_tools(path=path)
    hls_name = next((n for n in ("vitis-run", "vitis_hls") if n in hls.found), None)
    d.tools["vitis_hls"] = (
        version_of("vitis_hls", hls.found[hls_name], ["--version" if hls_name == "vitis-run" else "-version"])
        if hls_name
        else Tool("vitis-run / vitis_hls", False)
    )
    d.tools["vitis_hls"].name = hls_name or "vitis-run / vitis_hls"
    viv = which("vivado")
    d.tools["vivado"] = version_of("vivado", viv, ["-version"]) if viv else Tool("vivado", False)
    gxx = which(env.get("CXX", "g++")) or which("g++")
    d.tools["g++"] = version_of("g++", gxx, ["--version"], "gnu") if gxx else Tool("g++", False)
    d.seconds = time.perf_counter() - t0
    step(1.0, d.summary())
    return d


def discovery_job(progress=None) -> Discovery:
    """Discover, ask every registered target whether it can run here, and remember the result.

    The Deploy tab's Refresh and ``triglab-cli devices`` run this (a job: the probes run
    subprocesses, and importing the target modules may be slow). A target whose own check fails
    is reported unavailable with the error as the reason, so one broken target cannot hide the others.
    """
    from core.deploy import list_targets

    d = discover(progress=progress.sub(0.0, 0.9) if progress is not None else None)
    for target in list_targets():
        try:
            d.targets[target.name] = target.availability(d)
        except Exception as exc:  # noqa: BLE001 - a target's bug must not hide the checklist
            d.targets[target.name] = Availability(
                False, f"its availability check failed: {type(exc).__name__}: {exc}"
            )
    if progress is not None:
        progress.update(1.0, d.summary())
    return remember(d)


_CACHE: tuple[float, Discovery] | None = None


def discover_cached(max_age_s: float = 300.0) -> Discovery:
    """The last :func:`discover` result if younger than ``max_age_s`` (s), else a fresh one.

    For ``Target.availability(discovery=None)``: listing targets must not re-run ``xbutil`` each time.
    """
    global _CACHE
    if _CACHE is None or time.monotonic() - _CACHE[0] > max_age_s:
        _CACHE = (time.monotonic(), discover())
    return _CACHE[1]


def remember(d: Discovery) -> Discovery:
    """Make ``d`` the cached discovery (the Deploy tab's Refresh does this)."""
    global _CACHE
    _CACHE = (time.monotonic(), d)
    return d


def target_availability(name: str, discovery: Discovery | None = None) -> Availability:
    """Whether target ``name`` can run here (``discovery`` default: :func:`discover_cached`)."""
    return (discovery or discover_cached()).target_availability(name)


# --- helpers -------------------------------------------------------------------------------------------
def _examine(d: Discovery, runner: CommandRunner, exe: str, name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="triglab-xrt-") as tmp:
        out = Path(tmp) / "examine.json"
        r = runner([exe, "examine", "--format", "JSON", "--output", str(out)], 60.0)
        text = out.read_text(errors="replace") if out.is_file() else ""
    if not text:
        d.tools["xrt_tool"].found = False
        d.tools[
            "xrt_tool"
        ].detail = f"{name} is there but failed (exit {r.returncode}): {_tail(r.stderr or r.stdout)}"
        d.notes.append(d.tools["xrt_tool"].detail)
        return
    try:
        version, cards = parse_examine_json(text, name)
    except ValueError as exc:
        d.tools["xrt_tool"].detail = f"{name} examine output could not be read: {exc}"
        d.notes.append(d.tools["xrt_tool"].detail)
        return
    d.xrt_version = version
    d.tools["xrt_tool"].version = version
    d.tools["xrt_tool"].name = name
    d.cards.extend(cards)


def _merge_bus_cards(d: Discovery, bus: list[Card]) -> None:
    """Add the slots lspci/sysfs saw to the cards XRT saw (same slot = same card)."""
    by_slot = {pci_slot(c.bdf): c for c in d.cards}
    for c in bus:
        known = by_slot.get(pci_slot(c.bdf))
        if known is None:
            if pci_slot(c.bdf) in by_slot:
                continue
            by_slot[pci_slot(c.bdf)] = c
            d.cards.append(c)
            continue
        for pid in c.pci_ids:
            if pid not in known.pci_ids:
                known.pci_ids.append(pid)
        for s in c.seen_by:
            if s not in known.seen_by:
                known.seen_by.append(s)
        if not known.board or known.board == "Xilinx card":
            known.board = c.board


def _find_module(name: str, extra: Sequence[str]) -> str | None:
    """Where ``name`` would be imported from (sys.path, then ``extra``), without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None and extra:
        spec = importlib.machinery.PathFinder.find_spec(name, list(extra))
    if spec is None:
        return None
    return (
        spec.origin
        if spec.origin not in (None, "namespace")
        else str(list(spec.submodule_search_locations or [""])[0])
    )


def _tail(text: str, n: int = 2) -> str:
    lines = [ln.strip() for ln in (text or "").strip().splitlines() if ln.strip()]
    return " / ".join(lines[-n:]) if lines else "no output"


__all__ = [
    "ALVEO_PCI_IDS",
    "FOUND",
    "MISSING",
    "PARTIAL",
    "U50_ARCH_JSON",
    "U50_SHELL",
    "Card",
    "CheckItem",
    "CommandResult",
    "Discovery",
    "Tool",
    "discover",
    "discover_cached",
    "discovery_job",
    "parse_examine_json",
    "parse_lspci",
    "parse_version",
    "remember",
    "run_command",
    "scan_sysfs",
    "target_availability",
]
