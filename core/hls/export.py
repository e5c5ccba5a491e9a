"""Take an hls4ml project to a machine with the vendor tools, and bring its reports back.

* :func:`export_project_zip` zips the project folder the conversion wrote (firmware, Tcl scripts,
  test bench, weights), with the TrigLab/hls4ml YAML configuration and a ``README.txt`` that gives
  the exact command to run the synthesis (the one :func:`core.hls.vendor.build_command` builds).
* :func:`import_reports` reads the C-synthesis report of a finished project — a folder, a zip of
  it, or the ``*_csynth.xml`` file itself — so that numbers synthesized elsewhere come back into
  the variant.

How the report is found: the solution list ``<project>_prj/hls.app`` (``vivado_hls.app`` for
Vivado HLS) names the top function, and the report is
``<project>_prj/solution*/syn/report/<top>_csynth.xml``. The same folder holds one report per
sub-function (``dense_latency_..._csynth.xml``); without the ``.app`` file or ``project.tcl`` we
take the report with the most resources, which is the top (it contains all the others).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from core.hls.errors import HlsError
from core.hls.vendor import (
    BACKEND_TOOLS,
    SynthReport,
    VendorTools,
    build_command,
    build_options_tcl,
    parse_csynth_xml,
    parse_report,
    read_project_info,
)

CONFIG_NAME = "triglab_hls_config.yml"
"""The YAML configuration's name inside the zip (hls4ml's own ``hls4ml_config.yml`` stays as it is)."""
README_NAME = "README.txt"
_SKIP_SUFFIXES = (".so", ".o", ".pyc")
_SKIP_DIRS = ("__pycache__",)


def export_project_zip(
    project_dir: str | os.PathLike,
    zip_path: str | os.PathLike,
    config: Any = None,
    *,
    backend: str | None = None,
    csim: bool = False,
    synth: bool = True,
    cosim: bool = False,
    export: bool = False,
) -> Path:
    """Zip an hls4ml project so that its synthesis can run on another machine.

    The zip holds one folder named like the project folder, with everything the conversion wrote
    (except compiled C-simulation libraries, ``*.so``/``*.o``, which are of no use elsewhere), plus:

    * ``triglab_hls_config.yml`` — the configuration (``HlsConfig.to_yaml``) when ``config`` is given;
    * ``build_opt.tcl`` — for the Vitis backend, set to the steps chosen here (default: C synthesis
      only), as TrigLab's own build writes it;
    * ``README.txt`` — how to run the synthesis with the vendor tools and bring the reports back.

    Args:
        project_dir: The hls4ml project folder (``CompiledModel.project_dir``).
        zip_path: The zip file to write (its folder must exist; an existing file is replaced).
        config: The :class:`core.hls.config.HlsConfig` of the project, or None.
        backend: ``'Vitis'`` or ``'Vivado'``; default what ``project.tcl`` says.
        csim, synth, cosim, export: The steps the README's command (and ``build_opt.tcl``) run.

    Returns:
        The zip's path.

    Raises:
        HlsError: Not an hls4ml project folder.
    """
    project_dir = Path(project_dir).resolve()
    zip_path = Path(zip_path).resolve()
    info = read_project_info(project_dir)
    backend = backend or info.backend
    if backend not in BACKEND_TOOLS:
        raise HlsError(f"Vendor builds exist for the Vitis and Vivado backends, not '{backend}'.")
    steps = {"csim": csim, "synth": synth, "cosim": cosim, "export": export}
    root = project_dir.name
    extras: dict[str, str] = {}
    if config is not None:
        keras = "keras_model.keras" if (project_dir / "keras_model.keras").is_file() else None
        extras[CONFIG_NAME] = config.to_yaml(keras_model=keras, output_dir=".")
    if backend == "Vitis":
        extras["build_opt.tcl"] = build_options_tcl(**steps)
    extras[README_NAME] = _readme(project_dir, info, backend, steps, config is not None)
    tmp = zip_path.with_name(zip_path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(project_dir.rglob("*")):
            rel = path.relative_to(project_dir)
            if path.is_dir() or path == zip_path or path == tmp:
                continue
            if any(part in _SKIP_DIRS for part in rel.parts) or path.suffix in _SKIP_SUFFIXES:
                continue
            if rel.as_posix() in extras:
                continue
            zf.write(path, f"{root}/{rel.as_posix()}")
        for name, text in extras.items():
            zf.writestr(f"{root}/{name}", text)
    os.replace(tmp, zip_path)
    return zip_path


def _readme(project_dir: Path, info, backend: str, steps: dict[str, bool], has_config: bool) -> str:
    from importlib.metadata import version

    from core import __version__

    nobody = VendorTools(found={}, searched=(), path="")
    commands = [
        " ".join(_shell(a) for a in build_command(project_dir, backend, nobody, absolute=False, **steps))
    ]
    if backend == "Vitis":
        legacy = build_command(project_dir, "Vitis", VendorTools({"vitis_hls": "vitis_hls"}, (), ""), **steps)
        commands.append(" ".join(_shell(a) for a in [Path(legacy[0]).name, *legacy[1:]]))
    which = ", ".join(name for name, on in steps.items() if on) or "nothing"
    top = info.project_name
    lines = [
        f"hls4ml project '{top}' exported by TrigLab {__version__} on {_dt.date.today().isoformat()}",
        f"hls4ml {version('hls4ml')}, backend {backend}, part {info.part}, clock {info.clock_period_ns} ns.",
        "",
        "RUN THE SYNTHESIS (on a machine with the AMD/Xilinx tools on PATH,",
        f"e.g. after `source <{'Vitis' if backend == 'Vitis' else 'Vivado'} install>/settings64.sh`):",
        "",
        f"    cd {project_dir.name}",
        f"    {commands[0]}",
        "",
    ]
    if backend == "Vitis":
        lines += [
            "This is what hls4ml >= 1.2 runs for the Vitis backend (Vitis 2023.2 or newer). The steps",
            f"are set in build_opt.tcl (here: {which}; 1 = run, 0 = skip). With the standalone",
            "Vitis HLS of older releases (vitis_hls, before the unified vitis-run) run instead:",
            "",
            f"    {commands[1]}",
            "",
        ]
    else:
        lines += [f"The steps are the argument's name=value words (here: {which}).", ""]
    lines += [
        "C synthesis takes minutes to hours. Its report is written to",
        f"    {top}_prj/solution1/syn/report/{top}_csynth.xml   (and .rpt, human-readable)",
        "",
        "BRING THE NUMBERS BACK: zip this folder after the run (or at least project.tcl and",
        f"{top}_prj/) and use 'Import reports' on the variant in TrigLab",
        "(core.hls.export.import_reports in Python). The csynth.xml file alone also works.",
        "",
    ]
    if has_config:
        lines += [
            f"CONFIGURATION: {CONFIG_NAME} is the hls4ml configuration of this project. To write the",
            "project again from it (e.g. after editing precisions), in this folder:",
            "",
            f"    python -c \"import hls4ml; hls4ml.converters.convert_from_config('{CONFIG_NAME}').write()\"",
            "",
            "Layer names there are hls4ml's (a layer named 'input' is renamed); the TrigLab block maps",
            "them back to the model's names.",
            "",
        ]
    return "\n".join(lines)


def _shell(arg: str) -> str:
    return f'"{arg}"' if re.search(r"\s", arg) or not arg else arg


# --- import -------------------------------------------------------------------------------------------
def import_reports(path: str | os.PathLike, backend: str | None = None) -> SynthReport:
    """Read the synthesis report of a project built elsewhere.

    Args:
        path: A finished project folder, a zip of it (any folder depth inside), or a
            ``*_csynth.xml`` report.
        backend: ``'Vitis'`` or ``'Vivado'`` (only checked; both write the same format).

    Returns:
        The report (``source = 'vendor report'``).

    Raises:
        HlsError: The path does not exist, or holds no C-synthesis report.
    """
    path = Path(path)
    if not path.exists():
        raise HlsError(f"'{path}' does not exist.")
    if path.is_file() and path.suffix.lower() == ".xml":
        return parse_csynth_xml(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="triglab_import_") as tmp:
            _safe_extract(path, Path(tmp))
            report = _report_in(Path(tmp), backend, shown=path)
            report.report_path = f"{path}!{_inside(report.report_path, tmp)}"
            return report
    if path.is_dir():
        return _report_in(path, backend, shown=path)
    raise HlsError(f"'{path}' is not a project folder, a zip file or a csynth.xml report.")


def _report_in(folder: Path, backend: str | None, shown: Path) -> SynthReport:
    # 1. a project hls4ml can read (project.tcl + <name>_prj/)
    for tcl in sorted(folder.rglob("project.tcl"), key=lambda p: len(p.parts)):
        try:
            report = parse_report(tcl.parent, backend)
        except HlsError:
            continue
        if report is not None:
            return report
    # 2. the solution list names the top function
    for app in sorted(
        [*folder.rglob("hls.app"), *folder.rglob("vivado_hls.app")], key=lambda p: len(p.parts)
    ):
        top = _app_top(app)
        if top:
            found = sorted(app.parent.glob(f"*/syn/report/{top}_csynth.xml"))
            if found:
                return parse_csynth_xml(found[0])
    # 3. any csynth report: the top one has the most resources
    candidates = [p for p in folder.rglob("*csynth.xml") if p.is_file()]
    if not candidates:
        raise HlsError(
            f"No C-synthesis report in '{shown}': expected <project>_prj/solution1/syn/report/"
            "<project>_csynth.xml. Was the synthesis run (the csynth step) before zipping?"
        )
    reports = []
    for p in candidates:
        try:
            reports.append(parse_csynth_xml(p))
        except HlsError:
            continue
    if not reports:
        raise HlsError(f"The csynth.xml files in '{shown}' could not be read as synthesis reports.")
    return max(reports, key=lambda r: (r.lut + r.ff + 100 * r.dsp, r.latency_cycles_max))


def _app_top(app: Path) -> str | None:
    try:
        root = ET.parse(app).getroot()
    except (ET.ParseError, OSError):
        return None
    return root.get("top")


def _safe_extract(zip_path: Path, dest: Path) -> None:
    """Extract a zip, refusing members that would land outside ``dest``."""
    dest = dest.resolve()
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.infolist():
            target = (dest / member.filename).resolve()
            if dest != target and dest not in target.parents:
                raise HlsError(f"'{zip_path}' contains a path outside its folder: {member.filename}")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _inside(path: str | None, root: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path
