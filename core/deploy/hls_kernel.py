"""The hls4ml kernel path: ``emulator-hls`` (g++, always there) and ``u50-hls`` (v++ + XRT, the card).

One kernel, one host program, two builds (sources: :mod:`core.deploy.hls_sources`):

* ``emulator-hls``: ``host.cpp`` + the generated ``triglab_kernel.cpp`` + the hls4ml firmware,
  compiled with g++ against TrigLab's in-process XRT shim into one executable (~5-10 s, cached).
  The kernel is the same C++ that goes to ``v++``, so its outputs are bit-exact with hls4ml's C
  simulation (``predict`` on float32). Timings are the CPU's: emulated, never the card's.
* ``u50-hls``: ``v++ -c -t hw --platform <U50 shell> -k triglab_kernel`` then ``v++ -l`` into an
  ``.xclbin`` (a cancellable job, output streamed to the log), and ``host.cpp`` compiled against
  the real XRT (``-lxrt_coreutil``). Needs Vitis, XRT and an installed U50 platform; without
  them :meth:`U50Hls.build` says what is missing, and :func:`write_build_package` writes the
  sources, commands and README for a machine that has them.

Both run the host program as a subprocess (cancellable) with the events in a float32 file; it
times every batch on the host, transfers included (write, sync, run, wait, sync, read).
An executable is only run if TrigLab built it: its SHA-256 is recorded in ``$TRIGLAB_HOME``
when built and checked before it runs (else: rebuild).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.deploy import (
    EMULATED_LABEL,
    Artifact,
    DeployError,
    Runner,
    RunOutput,
    Target,
    register_target,
)
from core.deploy import hls_sources as src
from core.deploy.standalone import run_hls
from core.hls import cache
from core.i18n import QT_TRANSLATE_NOOP
from core.jobs import Progress, SubprocessError, ensure_progress, run_subprocess

MARKER = "triglab_build.json"
BUILD_FORMAT = 1
PLATFORM_ROOTS = ("/opt/xilinx/platforms",)
XRT_DEFAULT = "/opt/xilinx/xrt"


# --- tools ---------------------------------------------------------------------------------------
@dataclass
class HlsTools:
    """What the hls4ml kernel flow found on this machine (minimal checks; see core.deploy.discovery)."""

    vpp: str | None = None
    xrt_root: str | None = None
    xrt_include: str | None = None
    xrt_lib: str | None = None
    platforms: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (what and why, how to fix)

    @property
    def platform(self) -> str | None:
        return self.platforms[0] if self.platforms else None


def find_hls_tools() -> HlsTools:
    """Look for ``v++`` (PATH), XRT (``$XILINX_XRT``, else /opt/xilinx/xrt) and U50 platforms.

    Platforms are searched where ``v++`` looks: ``$PLATFORM_REPO_PATHS`` (colon-separated) and
    /opt/xilinx/platforms, as ``<dir>/<name>/<name>.xpfm`` with ``u50`` in the name.
    """
    t = HlsTools(vpp=shutil.which("v++"))
    if t.vpp is None:
        t.missing.append(
            ("v++ (Vitis) is not on PATH",
             "install Vitis 2022.1+ (https://www.xilinx.com/support/download.html) and source its settings64.sh")
        )  # fmt: skip
    root = os.environ.get("XILINX_XRT") or XRT_DEFAULT
    inc, lib = Path(root) / "include", Path(root) / "lib"
    if (inc / "xrt" / "xrt_device.h").is_file() and any(lib.glob("libxrt_coreutil.so*")):
        t.xrt_root, t.xrt_include, t.xrt_lib = root, str(inc), str(lib)
    else:
        t.missing.append(
            (f"XRT was not found in {root} (include/xrt/xrt_device.h and lib/libxrt_coreutil.so)",
             "install XRT 2022.1 for the U50 (https://www.xilinx.com/products/boards-and-kits/alveo/u50.html, "
             "Getting Started) and source /opt/xilinx/xrt/setup.sh")
        )  # fmt: skip
    dirs = [d for d in os.environ.get("PLATFORM_REPO_PATHS", "").split(":") if d] + list(PLATFORM_ROOTS)
    for d in dirs:
        for xpfm in sorted(Path(d).glob("*/*.xpfm")):
            if "u50" in xpfm.stem.lower() and xpfm.stem not in t.platforms:
                t.platforms.append(xpfm.stem)
    if not t.platforms:
        t.missing.append(
            (f"no U50 platform (.xpfm) under {', '.join(dirs)}",
             f"install the U50 development target platform ({src.DEFAULT_U50_PLATFORM}) from the U50 page, "
             "or set PLATFORM_REPO_PATHS")
        )  # fmt: skip
    return t


# --- building ------------------------------------------------------------------------------------
def compiled_variant(ws, variant: str, progress: Progress | None = None):
    """The variant's hls4ml project, compiled (cached) with its saved configuration, and its interface.

    The configuration is the one synthesis saved (``<ws>/hls/configs/<variant>.yml``); without it,
    the default one (logged: a float model then gets hls4ml's default precision, untuned).
    """
    from core.hls.config import make_config
    from core.hls.convert import compile_model
    from core.hls.pipeline import load_saved_config

    progress = ensure_progress(progress)
    model = ws.load_model(variant)
    config = load_saved_config(ws, variant)
    if config is None:
        config = make_config(model)
        progress.log(
            f"{variant}: no saved hls4ml configuration (run synthesis first to tune it); "
            f"using the default ({config.settings.default_precision})"
        )
    compiled = compile_model(model, config, ws.hls_dir, progress=progress)
    return compiled, src.kernel_interface(compiled)


def write_build_package(ws, variant: str, out_dir: Path, progress: Progress | None = None, **options) -> Path:
    """Write the variant's kernel build package (sources, Makefile with the v++/g++ commands, README).

    Args:
        ws: The workspace.
        variant: The variant (converted and compiled with hls4ml, from the cache when possible).
        out_dir: The folder to create (must not exist, or be empty).
        progress: Job progress.
        **options: ``platform`` (default: the installed U50 platform, else
            ``xilinx_u50_gen3x16_xdma_5_202210_1``).

    Returns:
        ``out_dir``.
    """
    progress = ensure_progress(progress)
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise DeployError(
            f"{out_dir} already exists and is not empty; choose a new folder for the build package."
        )
    compiled, io = compiled_variant(ws, variant, progress.sub(0.0, 0.8))
    platform = options.get("platform") or find_hls_tools().platform or src.DEFAULT_U50_PLATFORM
    tmp = _tmp_sibling(out_dir)
    try:
        src.write_sources(compiled.project_dir, io, variant, tmp, platform)
        if out_dir.exists():
            out_dir.rmdir()
        tmp.replace(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress.log(f"Build package of {variant} for {platform}: {out_dir}")
    progress.update(1.0, "build package written")
    return out_dir


def _tmp_sibling(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")


def _run_step(cmd: list[str], cwd: Path, progress: Progress, what: str) -> None:
    progress.log("$ " + " ".join(cmd) + f"   (in {cwd})")
    try:
        run_subprocess(cmd, progress, cwd=cwd)
    except SubprocessError as exc:
        errors = [t for t in exc.tail if re.search(r"\berror\b", t, re.IGNORECASE)]
        shown = (errors or exc.tail)[-12:]
        raise DeployError(
            f"{what} failed (exit code {exc.returncode}); the full output is in the job log.\n"
            + "\n".join(shown)
        ) from exc


def _build(
    ws,
    variant: str,
    out_dir: Path,
    progress: Progress,
    tools: HlsTools | None,
    platform: str | None,
    emulator: bool = True,
) -> Artifact:
    """Sources + emulator (+ xclbin and real-XRT host when ``tools``), cached in ``out_dir``."""
    target = "u50-hls" if tools else "emulator-hls"
    compiled, io = compiled_variant(ws, variant, progress.sub(0.0, 0.25))
    out_dir = Path(out_dir)
    templates = [p for p in src.TEMPLATES.rglob("*") if p.is_file()]
    recipe = json.dumps([target, compiled.key, platform, emulator, src.emulator_command(io.project)])
    key = src.source_digest(templates, recipe)
    pkg = out_dir / "build_package"
    cached = _read_marker(out_dir)
    if cached and cached.get("key") == key and all(src.is_ours(pkg / p) for p in cached["executables"]):
        progress.log(f"{target}: {variant} already built in {out_dir} (sources unchanged, digests checked)")
        progress.update(1.0, "built (cached)")
        return _artifact(target, variant, out_dir, cached)

    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise DeployError(
            f"{out_dir} holds files that are not a TrigLab kernel build; choose an empty or new folder."
        )
    tmp = _tmp_sibling(out_dir)
    try:
        tpkg = tmp / "build_package"
        src.write_sources(compiled.project_dir, io, variant, tpkg, platform or src.DEFAULT_U50_PLATFORM)
        executables = []
        if emulator or not tools:
            (tpkg / "emulator").mkdir()
            shutil.copytree(tpkg / "firmware" / "weights", tpkg / "emulator" / "weights")
            progress.update(0.3, "g++: compiling the emulator (host + kernel + hls4ml firmware + XRT shim)")
            _run_step(src.emulator_command(io.project), tpkg, progress.sub(0.3, 0.5), "g++ (emulator-hls)")
            executables.append(f"emulator/{src.EMULATOR_NAME}")
        info: dict[str, Any] = {"interface": io.to_dict(), "hls_key": compiled.key, "variant": variant}
        if tools:
            (tpkg / "build").mkdir()
            compile_, link = src.vpp_commands(platform, io.project)
            progress.update(0.5, "v++ -c: high-level synthesis of the kernel")
            _run_step(compile_, tpkg, progress.sub(0.5, 0.75), "v++ -c (kernel synthesis)")
            info["csynth"] = _read_kernel_reports(tpkg / "build", io.project, progress)
            progress.update(0.75, "v++ -l: linking the kernel into the U50 shell")
            _run_step(link, tpkg, progress.sub(0.75, 0.95), "v++ -l (link)")
            if not (tpkg / "build" / src.XCLBIN_NAME).is_file():
                raise DeployError(
                    f"v++ -l finished but build/{src.XCLBIN_NAME} is missing (see the job log)."
                )
            progress.update(0.95, "g++: the host program against XRT")
            _run_step(src.host_command(tools.xrt_include, tools.xrt_lib), tpkg, progress, "g++ (host, XRT)")
            executables.append(src.HOST_NAME)
            info.update(platform=platform, xrt=tools.xrt_root, xclbin=f"build/{src.XCLBIN_NAME}",
                        reports=sorted(str(p.relative_to(tpkg)) for p in (tpkg / "build").rglob("*.rpt")))  # fmt: skip
        marker = {"format": BUILD_FORMAT, "key": key, "target": target, "executables": executables, **info}
        (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.replace(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    marker["sha256"] = {p: src.record_built(pkg / p) for p in executables}
    (out_dir / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    progress.update(1.0, f"{target}: built")
    return _artifact(target, variant, out_dir, marker)


def _read_kernel_reports(build: Path, project: str, progress: Progress) -> dict[str, Any]:
    """The C-synthesis reports ``v++ -c`` left (Vitis HLS ``*_csynth.xml``, kernel and network).

    Returns ``{"kernel": SynthReport dict, "network": ...}`` for those found (vendor HLS
    estimates after scheduling: not a measurement on the card).
    """
    from core.hls.errors import HlsError
    from core.hls.vendor import parse_csynth_xml

    out: dict[str, Any] = {}
    for role, top in (("kernel", src.KERNEL_NAME), ("network", project)):
        found = sorted(build.rglob(f"{top}_csynth.xml"))
        if not found:
            progress.log(f"v++ -c left no {top}_csynth.xml under {build}")
            continue
        try:
            rep = parse_csynth_xml(found[0])
        except HlsError as exc:
            progress.log(str(exc))
            continue
        out[role] = {**rep.to_dict(), "report_path": str(found[0].relative_to(build.parent))}
        progress.log(
            f"v++ -c report ({role} {top}, vendor HLS estimate): latency {rep.latency_cycles_min}-"
            f"{rep.latency_cycles_max} cycles, II {rep.interval_min}-{rep.interval_max}, LUT {rep.lut}, "
            f"FF {rep.ff}, DSP {rep.dsp}, BRAM_18K {rep.bram_18k}, clock {rep.clock_ns} ns "
            f"(estimated {rep.estimated_clock_ns} ns)"
        )
    return out


def _read_marker(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("format") == BUILD_FORMAT
        and isinstance(data.get("executables"), list)
    )
    return data if ok and all(isinstance(p, str) and ".." not in p for p in data["executables"]) else None


def _artifact(target: str, variant: str, out_dir: Path, marker: dict[str, Any]) -> Artifact:
    pkg = out_dir / "build_package"
    files = {
        "build_package": pkg,
        "emulator": pkg / "emulator" / src.EMULATOR_NAME,
        "weights": pkg / "emulator" / "weights",
        "kernel": pkg / "kernel" / f"{src.KERNEL_NAME}.cpp",
        "host_source": pkg / "host" / "host.cpp",
    }
    if target == "u50-hls":
        files.update(xclbin=pkg / "build" / src.XCLBIN_NAME, host=pkg / src.HOST_NAME)
    main = files["xclbin"] if target == "u50-hls" else files["emulator"]
    info = {k: v for k, v in marker.items() if k not in ("format", "executables")}
    return Artifact(target=target, variant=variant, path=main, files=files, info=info)


# --- running -------------------------------------------------------------------------------------
class _HostProgress(Progress):
    """Forwards the host program's lines to the job log; its progress lines move the bar."""

    def __init__(self, parent: Progress) -> None:
        super().__init__()
        self._parent = parent
        self._cancel = parent._cancel
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        m = re.match(r"TRIGLAB-PROGRESS (\d+) (\d+)", line)
        if m:
            done, total = int(m.group(1)), int(m.group(2))
            self._parent.update(done / max(total, 1), f"{done:,}/{total:,} events")
            return
        self.lines.append(line)
        self._parent.log(line)


class HlsRunner(Runner):
    """Runs the host program of an ``emulator-hls`` or ``u50-hls`` artifact on events."""

    def __init__(self, artifact: Artifact, emulated: bool) -> None:
        super().__init__(artifact)
        self.emulated = emulated
        self.exe = Path(artifact.files["emulator" if emulated else "host"])
        if not src.is_ours(self.exe):
            raise DeployError(
                f"{self.exe} was not built by TrigLab on this machine, or changed since: it will not be run. "
                f"Build the {artifact.target} target again."
            )
        self.interface = artifact.info["interface"]

    def run(self, x: np.ndarray, batch_size: int, progress=None) -> RunOutput:
        """Push ``x`` (events, *input shape) through the kernel in batches of ``batch_size``.

        Returns:
            The outputs (events, *output shape) float32 and the host-side wall time of every
            batch (s), transfers included; for the emulator, CPU time in the shim (emulated).
        """
        progress = ensure_progress(progress)
        x = np.asarray(x, dtype=np.float32)
        n_in = int(self.interface["n_in"])
        if x.ndim < 1 or len(x) == 0 or x[0].size != n_in:
            raise DeployError(
                f"The kernel takes events of {n_in} values ({'x'.join(map(str, self.interface['input_shape']))}); "
                f"got an array of shape {x.shape}."
            )
        if int(batch_size) < 1:
            raise DeployError(f"The batch size must be at least 1 (got {batch_size}).")
        hp = _HostProgress(progress)
        env = dict(os.environ)
        if self.emulated:
            env["TRIGLAB_HLS_WEIGHTS"] = str(self.artifact.files["weights"])
            xclbin = "emulated"
        else:
            xclbin = str(self.artifact.files["xclbin"])
            if self.artifact.info.get("xrt"):
                env.setdefault("XILINX_XRT", str(self.artifact.info["xrt"]))

        def run(cmd, env):
            try:
                run_subprocess(cmd, hp, env=env)
            except SubprocessError as exc:
                errors = [t for t in exc.tail if t.startswith("ERROR")] or exc.tail[-5:]
                raise DeployError(
                    f"The host program failed on {self.artifact.target}: " + " ".join(errors)
                ) from exc

        y, timings = run_hls.run_host_program(self.exe, x, int(batch_size), xclbin=xclbin, env=env, run=run)
        if self.emulated:
            device = f"emulator-hls ({EMULATED_LABEL})"
        else:
            device = f"{timings.get('bdf', '')} {timings.get('device', '')}".strip()
        return RunOutput(
            outputs=y.reshape(len(x), *self.interface["output_shape"]),
            batch_seconds=[float(s) for s in timings["batch_seconds"]],
            total_seconds=float(timings["total_seconds"]),
            device=device,
            log=hp.lines,
        )


def _package(artifact: Artifact, dest_dir: Path, emulated: bool) -> dict[str, Any]:
    """Copy the build package (with the emulator, and the xclbin if built) into ``dest_dir/hls``."""
    dest_dir = Path(dest_dir)
    pkg = Path(artifact.files["build_package"])
    shutil.copytree(pkg, dest_dir / "hls", ignore=shutil.ignore_patterns("_x", "logs", ".Xil", "*.xo"))
    emu = Path(artifact.files["emulator"])
    has_emulator = emu.is_file()
    has_xclbin = not emulated and Path(artifact.files.get("xclbin", "")).is_file()
    return {
        "schema": "triglab-hls-runner/1",
        "kind": "hls-kernel",
        "root": ".",
        "kernel": src.KERNEL_NAME,
        "interface": artifact.info["interface"],
        "data_format": "float32 little-endian, event after event (the Keras input flattened in C order)",
        "build_package": "hls",
        "emulator": f"hls/emulator/{src.EMULATOR_NAME}" if has_emulator else None,
        "emulator_sha256": cache.file_sha256(emu) if has_emulator else None,
        "weights": "hls/emulator/weights" if has_emulator else None,
        "xclbin": f"hls/build/{src.XCLBIN_NAME}" if has_xclbin else None,
        "host": f"hls/{src.HOST_NAME}" if has_xclbin else None,
        "runner_script": "run_hls.py",
        "platform": artifact.info.get("platform"),
    }


# --- targets -------------------------------------------------------------------------------------
@register_target("emulator-hls")
class EmulatorHls(Target):
    """The hls4ml kernel and host program compiled with g++ against TrigLab's XRT shim."""

    path = "hls"
    emulated = True
    description = QT_TRANSLATE_NOOP(
        "Deploy", "hls4ml XRT kernel + host program, g++ build on this CPU (bit-exact with the C simulation)"
    )

    def build(self, ws, variant: str, out_dir: Path, progress=None, **options) -> Artifact:
        """Compile the emulator executable for ``variant`` into ``out_dir`` (cached; a job)."""
        if shutil.which("g++") is None:
            raise DeployError("emulator-hls needs g++, which was not found (install g++).")
        return _build(ws, variant, Path(out_dir), ensure_progress(progress), None, None)

    def runner(self, artifact: Artifact) -> Runner:
        return HlsRunner(artifact, emulated=True)

    def package(self, artifact: Artifact, dest_dir: Path) -> dict[str, Any]:
        """Copy what the lab server needs into ``dest_dir``; returns the manifest's ``runner`` entry.

        Paths in the returned dict are relative to ``dest_dir`` (``root`` says where that is
        relative to the package folder: set it if ``dest_dir`` is a subfolder).
        """
        return _package(artifact, dest_dir, emulated=True)


@register_target("u50-hls")
class U50Hls(Target):
    """The hls4ml kernel built by v++ for the Alveo U50, driven through XRT by the host program."""

    path = "hls"
    emulated = False
    description = QT_TRANSLATE_NOOP(
        "Deploy", "hls4ml XRT kernel on an Alveo U50 (v++ build, XRT host program)"
    )

    def build(self, ws, variant: str, out_dir: Path, progress=None, **options) -> Artifact:
        """v++ -c / v++ -l into an xclbin, then the host against XRT (and the emulator); a job.

        Options: ``platform`` (default: the first installed U50 platform); ``emulator`` (default
        True: also compile the emulator executable, which the run package ships).

        Raises:
            DeployError: a tool is missing (the message lists them; write_build_package makes the
                sources for a machine that has them), or a step failed.
        """
        tools = find_hls_tools()
        if tools.missing:
            lines = "\n".join(f"- {m}: {f}" for m, f in tools.missing)
            raise DeployError(
                f"Cannot build {variant} for the U50 here:\n{lines}\n"
                "Write the build package instead (sources, the exact v++/g++ commands, README) and build it "
                "on a machine with Vitis and XRT."
            )
        platform = options.get("platform") or tools.platform
        emulator = bool(options.get("emulator", True))
        return _build(ws, variant, Path(out_dir), ensure_progress(progress), tools, platform, emulator)

    def runner(self, artifact: Artifact) -> Runner:
        return HlsRunner(artifact, emulated=False)

    def package(self, artifact: Artifact, dest_dir: Path) -> dict[str, Any]:
        """As :meth:`EmulatorHls.package`, with the xclbin and the XRT host program."""
        return _package(artifact, dest_dir, emulated=False)
