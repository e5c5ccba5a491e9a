"""What a :class:`~core.deploy.discovery.Discovery` means for the user: checklist rows and target availability.

Each row says what was looked for, what was found (or why it is missing), why it matters for
TrigLab, and how to get it. Each deploy target (``core.deploy`` registry) asks here whether it can
run, and build, on this machine.
"""

from __future__ import annotations

from core.deploy import Availability
from core.deploy.discovery import (
    FOUND,
    MISSING,
    PARTIAL,
    U50_ARCH_JSON,
    U50_SHELL,
    CheckItem,
    Discovery,
)
from core.i18n import QT_TRANSLATE_NOOP

# How to get each missing piece, written out (the app shows text, not links to click).
# ({0} is the U50 shell's name: the app translates the template, then fills it in, see TEMPLATED.)
HOW_XRT_TEMPLATE = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "AMD's Alveo U50 product page (amd.com → Alveo U50 → Getting Started / Downloads) → choose your OS → "
    "download the Xilinx Runtime (XRT) 2022.1 package and the U50 deployment target platform "
    "({0}); install both (sudo apt install ./xrt_*.deb ./xilinx-u50-*.deb), flash the shell as AMD's U50 "
    "installation guide UG1370 says (xbmgmt program --base), cold-reboot, then check with 'xbutil examine'. See docs/U50.md.",
)
HOW_XRT = HOW_XRT_TEMPLATE.format(U50_SHELL)
HOW_PLATFORM_TEMPLATE = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "Same download page as XRT: the U50 'development target platform' package installs "
    "/opt/xilinx/platforms/{0}/{0}.xpfm, which v++ -l --platform needs.",
)
HOW_PLATFORM = HOW_PLATFORM_TEMPLATE.format(U50_SHELL)
HOW_PYXRT = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "Comes with XRT (not on PyPI): source /opt/xilinx/xrt/setup.sh so that $XILINX_XRT/python is on PYTHONPATH.",
)
HOW_XRT_DEV = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "Debian/Ubuntu: sudo apt install libxrt-dev libxrt1 (XRT 2022.1, headers + libxrt_coreutil); "
    "or AMD's XRT package (/opt/xilinx/xrt/include). Optional: only to compile the real-XRT host program.",
)
HOW_VITIS_AI = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "Vitis AI (github.com/Xilinx/Vitis-AI → the release's docs → Host Installation): pull the "
    "TensorFlow 2 CPU docker image (xilinx/vitis-ai-tensorflow2-cpu) and start it with docker_run.sh; "
    "vart, xir, vai_c_tensorflow2 and vitis_quantize are inside. Pick a release whose notes list the "
    "plain U50 for DPUCAHX8H (1.1-1.4 do; 2.0 onward list the U50LV/U55C). See docs/U50.md.",
)
HOW_VITIS = QT_TRANSLATE_NOOP(
    "DeployChecklist",
    "AMD Vitis unified software platform 2022.1 or newer (amd.com → Developer → Vitis → Downloads), "
    "then source <install>/settings64.sh so that v++, vitis_hls/vitis-run and vivado are on PATH.",
)
HOW_GXX = QT_TRANSLATE_NOOP("DeployChecklist", "Debian/Ubuntu: sudo apt install g++ (any C++14 compiler).")
HOW_LSPCI = QT_TRANSLATE_NOOP(
    "DeployChecklist", "Debian/Ubuntu: sudo apt install pciutils (gives lspci; optional, /sys is read too)."
)

#: Texts above made from a marked template: shown text -> (template, its arguments), so that the app
#: can show them translated (``translate("DeployChecklist", template).format(*arguments)``).
TEMPLATED: dict[str, tuple[str, tuple[str, ...]]] = {
    HOW_XRT: (HOW_XRT_TEMPLATE, (U50_SHELL,)),
    HOW_PLATFORM: (HOW_PLATFORM_TEMPLATE, (U50_SHELL,)),
}

RUN_PACKAGE_FIX = (
    "or write a run package (Deploy tab / triglab-cli deploy) and run it on the lab server that has the card"
)


def _status(found: bool) -> str:
    return FOUND if found else MISSING


def _tool_row(d: Discovery, key: str, item: str, why: str, how: str, missing: str) -> CheckItem:
    t = d.tools.get(key)
    if t is not None and t.found:
        detail = t.path or ""
        if t.version:
            detail = f"{t.version} — {detail}" if detail else t.version
        if t.detail:
            detail = f"{detail} ({t.detail})"
        return CheckItem(item, FOUND, detail, why, how)
    detail = (t.detail if t is not None and t.detail else "") or missing
    status = PARTIAL if t is not None and t.path else MISSING
    return CheckItem(item, status, detail, why, how)


def _card_row(d: Discovery) -> CheckItem:
    why = QT_TRANSLATE_NOOP(
        "DeployChecklist", "The card the course deploys to: both the DPU and the hls4ml kernel run on it."
    )
    ready = d.usable_u50
    if ready:
        detail = "; ".join(
            c.describe() + (f", serial {c.serial}" if c.serial else "") + f" (seen by {', '.join(c.seen_by)})"
            for c in ready
        )
        return CheckItem(QT_TRANSLATE_NOOP("DeployChecklist", "Alveo U50 card"), FOUND, detail, why, HOW_XRT)
    u50 = d.u50_cards
    if u50:
        c = u50[0]
        if not c.seen_by_xrt:
            detail = (
                f"{c.describe()} is on the PCI bus ({', '.join(c.pci_ids)}, seen by {', '.join(c.seen_by)}) "
                "but XRT does not see it: install XRT and the U50 shell, load the xocl driver."
            )
        else:
            detail = f"{c.describe()}: XRT sees it but reports it not ready (shell not loaded or card in recovery)."
        return CheckItem(
            QT_TRANSLATE_NOOP("DeployChecklist", "Alveo U50 card"), PARTIAL, detail, why, HOW_XRT
        )
    if d.cards:
        others = "; ".join(c.describe() for c in d.cards)
        return CheckItem(
            QT_TRANSLATE_NOOP("DeployChecklist", "Alveo U50 card"),
            MISSING,
            f"No U50; other Xilinx devices: {others}",
            why,
            HOW_XRT,
        )
    looked = "xrt-smi/xbutil" if d.has("xrt_tool") else "no xrt-smi/xbutil"
    looked += ", lspci" if d.has("lspci") else ", no lspci"
    return CheckItem(
        QT_TRANSLATE_NOOP("DeployChecklist", "Alveo U50 card"),
        MISSING,
        f"No Xilinx PCI device ({looked}, /sys/bus/pci). Runs use the emulators; {RUN_PACKAGE_FIX}.",
        why,
        HOW_XRT,
    )


def build_checklist(d: Discovery) -> list[CheckItem]:
    """Rows in the order a user would fix them: card, runtime, DPU path, kernel path, emulators."""
    rows = [_card_row(d)]
    xrt = d.tools.get("xrt")
    if xrt is not None and xrt.found:
        drv = d.tools.get("xrt_driver")
        detail = f"{xrt.version or 'version not read'} — {xrt.path}"
        status = FOUND
        if drv is not None and not drv.found:
            detail += "; the xocl/xclmgmt drivers are not loaded (no card, or the driver did not build)"
            status = PARTIAL if d.u50_cards else FOUND
        rows.append(
            CheckItem(
                QT_TRANSLATE_NOOP("DeployChecklist", "XRT (Xilinx Runtime)"),
                status,
                detail,
                QT_TRANSLATE_NOOP(
                    "DeployChecklist",
                    "Drives the card: loads the xclbin, moves buffers over PCIe, starts the kernel.",
                ),
                HOW_XRT,
            )
        )
    elif d.has("xrt_dev"):
        # Debian's libxrt1/libxrt-dev: the user-space libraries without AMD's drivers.
        rows.append(
            CheckItem(
                QT_TRANSLATE_NOOP("DeployChecklist", "XRT (Xilinx Runtime)"),
                PARTIAL,
                f"Only XRT's libraries and headers ({d.tools['xrt_dev'].path}, e.g. Debian's libxrt 2022.1): "
                "enough to compile the host program, not to drive a card (no $XILINX_XRT, no xocl driver).",
                QT_TRANSLATE_NOOP(
                    "DeployChecklist",
                    "Drives the card: loads the xclbin, moves buffers over PCIe, starts the kernel.",
                ),
                HOW_XRT,
            )
        )
    else:
        rows.append(
            CheckItem(
                QT_TRANSLATE_NOOP("DeployChecklist", "XRT (Xilinx Runtime)"),
                MISSING,
                "Neither $XILINX_XRT nor /opt/xilinx/xrt.",
                QT_TRANSLATE_NOOP(
                    "DeployChecklist",
                    "Drives the card: loads the xclbin, moves buffers over PCIe, starts the kernel.",
                ),
                HOW_XRT,
            )
        )
    rows.append(
        _tool_row(
            d,
            "xrt_tool",
            QT_TRANSLATE_NOOP("DeployChecklist", "xrt-smi / xbutil"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist", "Lists the cards and their shell (what this checklist reads)."
            ),
            HOW_XRT,
            "Not on PATH nor in $XILINX_XRT/bin.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "platform_u50",
            f"U50 platform ({U50_SHELL})",
            QT_TRANSLATE_NOOP(
                "DeployChecklist",
                "v++ links the hls4ml kernel against the platform (.xpfm) of the shell on the card.",
            ),
            HOW_PLATFORM,
            "No xilinx_u50_* platform under $PLATFORM_REPO_PATHS or /opt/xilinx/platforms"
            + (f" (installed: {', '.join(d.platforms)})" if d.platforms else "")
            + ".",
        )
    )
    rows.append(
        _tool_row(
            d,
            "pyxrt",
            QT_TRANSLATE_NOOP("DeployChecklist", "pyxrt (XRT's Python binding)"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist", "Lets the run-package runner drive the card from Python (u50-hls)."
            ),
            HOW_PYXRT,
            "Not importable (it ships with XRT, not on PyPI).",
        )
    )
    rows.append(
        _tool_row(
            d,
            "xrt_dev",
            QT_TRANSLATE_NOOP("DeployChecklist", "XRT headers + libxrt_coreutil"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist",
                "Compile the kernel path's host program against the real XRT (optional; the emulator uses a shim).",
            ),
            HOW_XRT_DEV,
            "No xrt/xrt_kernel.h with libxrt_coreutil.so (Debian libxrt-dev or $XILINX_XRT).",
        )
    )
    vart, xir = d.has("vart"), d.has("xir")
    rows.append(
        CheckItem(
            QT_TRANSLATE_NOOP("DeployChecklist", "Vitis AI runtime (vart, xir)"),
            FOUND if vart and xir else (PARTIAL if vart or xir else MISSING),
            ", ".join(
                f"{k}: {d.tools[k].path}" if d.has(k) else f"{k}: not importable" for k in ("vart", "xir")
            ),
            QT_TRANSLATE_NOOP("DeployChecklist", "Runs the compiled .xmodel on the U50's DPU (u50-dpu)."),
            HOW_VITIS_AI,
        )
    )
    rows.append(
        _tool_row(
            d,
            "vai_c",
            QT_TRANSLATE_NOOP("DeployChecklist", "vai_c_tensorflow2 (Vitis AI compiler)"),
            QT_TRANSLATE_NOOP("DeployChecklist", "Compiles the int8 model into a DPUCAHX8H .xmodel."),
            HOW_VITIS_AI,
            "Not on PATH.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "arch_u50",
            QT_TRANSLATE_NOOP("DeployChecklist", "U50 DPU arch.json (DPUCAHX8H)"),
            QT_TRANSLATE_NOOP("DeployChecklist", "Tells vai_c_tensorflow2 which DPU it compiles for."),
            HOW_VITIS_AI,
            f"Not at {U50_ARCH_JSON}.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "vitis_quantize",
            QT_TRANSLATE_NOOP("DeployChecklist", "Vitis AI quantizer (vitis_quantize)"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist",
                "Quantizes to int8 with the DPU's power-of-two scales (the emulator-dpu does the same in numpy).",
            ),
            HOW_VITIS_AI,
            "tensorflow_model_optimization.quantization.keras.vitis is not importable.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "v++",
            QT_TRANSLATE_NOOP("DeployChecklist", "v++ (Vitis compiler and linker)"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist",
                "Builds the hls4ml kernel into an .xclbin for the U50 (v++ -c, v++ -l --platform).",
            ),
            HOW_VITIS,
            "Not on PATH.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "vitis_hls",
            QT_TRANSLATE_NOOP("DeployChecklist", "vitis-run / vitis_hls"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist", "Synthesizes the hls4ml project (Synthesis tab) and the kernel inside v++."
            ),
            HOW_VITIS,
            "Not on PATH.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "vivado",
            QT_TRANSLATE_NOOP("DeployChecklist", "vivado"),
            QT_TRANSLATE_NOOP("DeployChecklist", "Implements the design inside v++ -l (place and route)."),
            HOW_VITIS,
            "Not on PATH.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "g++",
            QT_TRANSLATE_NOOP("DeployChecklist", "g++ (C++ compiler)"),
            QT_TRANSLATE_NOOP(
                "DeployChecklist", "Compiles the same kernel C++ for emulator-hls and hls4ml's C simulation."
            ),
            HOW_GXX,
            "Not on PATH.",
        )
    )
    rows.append(
        _tool_row(
            d,
            "lspci",
            QT_TRANSLATE_NOOP("DeployChecklist", "lspci (pciutils)"),
            QT_TRANSLATE_NOOP("DeployChecklist", "Sees a card on the PCI bus even without XRT."),
            HOW_LSPCI,
            "Not installed; /sys/bus/pci was read instead.",
        )
    )
    return rows


def target_availability(d: Discovery, name: str) -> Availability:
    """Whether target ``name`` can run here."""
    if name == "emulator-dpu":
        return Availability(True, "int8 the DPU way in numpy: always available (emulated on CPU).")
    if name == "emulator-hls":
        if d.has("g++"):
            return Availability(
                True,
                f"g++ {d.tools['g++'].version or ''} compiles the kernel (emulated on CPU).".replace(
                    "  ", " "
                ),
            )
        return Availability(False, "g++ is not on PATH: the kernel C++ cannot be compiled.", HOW_GXX)
    if name not in ("u50-hls", "u50-dpu"):
        return Availability(
            False, f"Unknown target {name!r}.", "Choose one of u50-hls, u50-dpu, emulator-hls, emulator-dpu."
        )
    missing = []
    if not d.usable_u50:
        missing.append(_card_row(d).detail if d.u50_cards else "no Alveo U50 card seen by XRT")
    if name == "u50-hls" and not (d.has("pyxrt") or d.has("xrt_dev")):
        missing.append("neither pyxrt nor the XRT headers to drive the kernel")
    if name == "u50-dpu":
        absent = [k for k in ("vart", "xir") if not d.has(k)]
        if absent:
            missing.append(f"{' and '.join(absent)} not importable (Vitis AI runtime)")
    if missing:
        how = HOW_XRT if name == "u50-hls" else f"{HOW_XRT} Then: {HOW_VITIS_AI}"
        return Availability(False, "; ".join(missing) + ".", f"{how} — {RUN_PACKAGE_FIX}.")
    card = d.usable_u50[0]
    return Availability(True, f"{card.describe()} (XRT {d.xrt_version or '?'}).")


def build_availability(d: Discovery, name: str) -> Availability:
    """Whether target ``name`` can build its artifact here (otherwise a build package is written)."""
    if name == "emulator-dpu":
        return Availability(True, "numpy only.")
    if name == "emulator-hls":
        return target_availability(d, name)
    if name == "u50-hls":
        absent = [
            label
            for key, label in (("v++", "v++"), ("platform_u50", f"the U50 platform {U50_SHELL}"))
            if not d.has(key)
        ]
        if absent:
            return Availability(
                False,
                f"{' and '.join(absent)} not found: the xclbin cannot be built here.",
                f"{HOW_VITIS} {HOW_PLATFORM} Or use the build package on a machine with Vitis.",
            )
        return Availability(
            True, f"v++ {d.tools['v++'].version or ''} with {d.tools['platform_u50'].version}."
        )
    if name == "u50-dpu":
        absent = [
            label
            for key, label in (("vai_c", "vai_c_tensorflow2"), ("arch_u50", "the U50 arch.json"))
            if not d.has(key)
        ]
        if absent:
            return Availability(
                False,
                f"{' and '.join(absent)} not found: the .xmodel cannot be compiled here.",
                f"{HOW_VITIS_AI} Or use the build package inside the Vitis AI docker image.",
            )
        return Availability(True, f"vai_c_tensorflow2 with {d.tools['arch_u50'].path}.")
    return Availability(
        False, f"Unknown target {name!r}.", "Choose one of u50-hls, u50-dpu, emulator-hls, emulator-dpu."
    )
