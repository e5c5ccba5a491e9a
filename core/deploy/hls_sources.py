"""The sources of the hls4ml XRT kernel: generated kernel, host program, build package, commands.

From a compiled hls4ml project (:func:`core.hls.convert.compile_model`) TrigLab writes an XRT
kernel the way hls4ml's pending ``VitisAccelerator`` backend does (its ``kernel_wrapper``): a
top function ``triglab_kernel(const float *in, float *out, unsigned int n_events)`` with
``m_axi`` ports for the two buffers (bundles ``gmem0``/``gmem1``) and ``s_axilite`` for the
event count and the control, which loops over the events and, in one DATAFLOW region per event,
reads the event, calls the hls4ml network (``myproject``: arrays for ``io_parallel``,
``hls::stream`` for ``io_stream``) and writes its outputs.

Data format on the wire: float32, event after event, the Keras input flattened in C order; the
outputs likewise. The kernel converts each float to the network's input type by assignment
(``input_t(x)``), exactly what hls4ml's C simulation (``predict`` → ``convert_data``) does, and
each result back with ``float(y)``. So the kernel is bit-exact with ``predict`` on float32
inputs by construction, at the cost of a float→fixed converter per input in the fabric
(4 bytes per input on PCIe instead of the 2 of a packed ``ap_fixed<16,6>``).

The same files form the *build package* (:func:`write_sources`): the hls4ml firmware, the
kernel, ``host.cpp`` (XRT native C++ API), TrigLab's XRT shim for the emulator, a Makefile and a
README with the exact ``v++``/``g++`` commands (:func:`vpp_commands`, :func:`host_command`,
:func:`emulator_command`: the Makefile is written from these, so the job and the package run
the same command lines).
"""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Any

from core.deploy import DeployError
from core.hls import cache

TEMPLATES = Path(__file__).parent / "templates" / "hls_kernel"
KERNEL_NAME = "triglab_kernel"
XCLBIN_NAME = "triglab.xclbin"
HOST_NAME = "triglab_host"
EMULATOR_NAME = "triglab_host_emu"
#: g++ flags of the emulator and of the real host (the hls4ml firmware builds with C++11 or later).
CXXFLAGS = ["-O2", "-std=c++17", "-Wno-unknown-pragmas", "-Wno-deprecated-declarations"]
#: The U50's shell of XRT 2022.1 (the platform name ``v++ --platform`` takes).
DEFAULT_U50_PLATFORM = "xilinx_u50_gen3x16_xdma_5_202210_1"


@dataclass
class KernelInterface:
    """What the kernel wrapper needs to know about the hls4ml network (one input, one output)."""

    project: str
    io_type: str
    in_type: str
    out_type: str
    n_in: int
    n_out: int
    input_shape: list[int]
    output_shape: list[int]
    input_precision: str
    output_precision: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kernel_interface(compiled) -> KernelInterface:
    """The interface of a compiled hls4ml model (:class:`core.hls.convert.CompiledModel`).

    Raises:
        DeployError: the network has several inputs or outputs (the wrapper packs one of each).
    """
    hm = compiled.hls_model
    ins, outs = hm.get_input_variables(), hm.get_output_variables()
    if len(ins) != 1 or len(outs) != 1:
        raise DeployError(
            f"The XRT kernel wrapper handles networks with one input and one output; this one has "
            f"{len(ins)} input(s) and {len(outs)} output(s). Merge them in the model (Concatenate) first."
        )

    def size(var) -> int:
        n = 1
        for d in var.shape:
            n *= int(d)
        return n

    return KernelInterface(
        project=str(hm.config.get_project_name()),
        io_type=str(hm.config.get_config_value("IOType")),
        in_type=ins[0].type.name,
        out_type=outs[0].type.name,
        n_in=size(ins[0]),
        n_out=size(outs[0]),
        input_shape=[int(d) for d in ins[0].shape],
        output_shape=[int(d) for d in outs[0].shape],
        input_precision=str(ins[0].type.precision.definition_cpp()),
        output_precision=str(outs[0].type.precision.definition_cpp()),
    )


# --- kernel generation ---------------------------------------------------------------------------
def _io_code(io: KernelInterface) -> dict[str, str]:
    """The read/write loops and buffers of the wrapper for the network's IO type."""
    ind = "        "
    if io.io_type == "io_stream":
        read_param = f"hls::stream<{io.in_type}> &buf"
        write_param = f"hls::stream<{io.out_type}> &buf"
        read_body = (
            f"    for (unsigned int i = 0; i < {io.n_in} / {io.in_type}::size; i++) {{\n"
            "        #pragma HLS PIPELINE\n"
            f"        {io.in_type} word;\n"
            f"        for (unsigned int j = 0; j < {io.in_type}::size; j++) {{\n"
            "            #pragma HLS UNROLL\n"
            f"            word[j] = {io.in_type}::value_type(in[event * {io.n_in} + i * {io.in_type}::size + j]);\n"
            "        }\n"
            "        buf.write(word);\n"
            "    }"
        )
        write_body = (
            f"    for (unsigned int i = 0; i < {io.n_out} / {io.out_type}::size; i++) {{\n"
            "        #pragma HLS PIPELINE\n"
            f"        {io.out_type} word = buf.read();\n"
            f"        for (unsigned int j = 0; j < {io.out_type}::size; j++) {{\n"
            "            #pragma HLS UNROLL\n"
            f"            out[event * {io.n_out} + i * {io.out_type}::size + j] = float(word[j]);\n"
            "        }\n"
            "    }"
        )
        buffers = (
            f'{ind}hls::stream<{io.in_type}> in_buf("triglab_in");\n'
            f'{ind}hls::stream<{io.out_type}> out_buf("triglab_out");'
        )
    elif io.io_type == "io_parallel":
        read_param = f"{io.in_type} buf[{io.n_in}]"
        write_param = f"{io.out_type} buf[{io.n_out}]"
        read_body = (
            f"    for (unsigned int j = 0; j < {io.n_in}; j++) {{\n"
            "        #pragma HLS PIPELINE\n"
            f"        buf[j] = {io.in_type}(in[event * {io.n_in} + j]);\n"
            "    }"
        )
        write_body = (
            f"    for (unsigned int j = 0; j < {io.n_out}; j++) {{\n"
            "        #pragma HLS PIPELINE\n"
            f"        out[event * {io.n_out} + j] = float(buf[j]);\n"
            "    }"
        )
        buffers = (
            f"{ind}{io.in_type} in_buf[{io.n_in}];\n"
            f"{ind}#pragma HLS ARRAY_PARTITION variable=in_buf complete\n"
            f"{ind}{io.out_type} out_buf[{io.n_out}];\n"
            f"{ind}#pragma HLS ARRAY_PARTITION variable=out_buf complete"
        )
    else:
        raise DeployError(f"The XRT kernel wrapper knows io_parallel and io_stream, not {io.io_type!r}.")
    return {
        "read_param": read_param,
        "write_param": write_param,
        "read_body": read_body,
        "write_body": write_body,
        "buffers": buffers,
        "in_var": "in_buf",
        "out_var": "out_buf",
    }


def render_kernel(io: KernelInterface, variant: str) -> dict[str, str]:
    """The kernel's header and source, ``{file name: text}``."""
    values = {
        **io.to_dict(),
        **_io_code(io),
        "variant": variant,
        "input_shape": "x".join(map(str, io.input_shape)),
        "output_shape": "x".join(map(str, io.output_shape)),
    }
    out = {}
    for name in ("triglab_kernel.h", "triglab_kernel.cpp"):
        out[name] = Template((TEMPLATES / f"{name}.tpl").read_text(encoding="utf-8")).substitute(values)
    return out


# --- command lines -------------------------------------------------------------------------------
def vpp_commands(platform: str, project: str = "myproject") -> list[list[str]]:
    """``v++ -c`` (kernel → .xo) and ``v++ -l`` (.xo → .xclbin), run in the build package folder."""
    common = ["-t", "hw", "--platform", platform, "--temp_dir", "build/_x", "--log_dir", "build/logs"]
    compile_ = ["v++", "-c", *common, "-k", KERNEL_NAME, "-I", "firmware", "-I", "kernel",
                "--report_dir", "build/reports", "-o", f"build/{KERNEL_NAME}.xo",
                f"kernel/{KERNEL_NAME}.cpp", f"firmware/{project}.cpp"]  # fmt: skip
    link = ["v++", "-l", *common, "--report_dir", "build/reports", "-o", f"build/{XCLBIN_NAME}",
            f"build/{KERNEL_NAME}.xo"]  # fmt: skip
    return [compile_, link]


def host_command(xrt_include: str, xrt_lib: str, output: str = HOST_NAME) -> list[str]:
    """g++ of the host program against the real XRT (run in the build package folder)."""
    return ["g++", *CXXFLAGS, "-I", xrt_include, "-I", "kernel", "host/host.cpp", "-o", output,
            "-L", xrt_lib, "-Wl,-rpath," + xrt_lib, "-lxrt_coreutil", "-luuid", "-pthread"]  # fmt: skip


def emulator_command(project: str = "myproject", output: str = f"emulator/{EMULATOR_NAME}") -> list[str]:
    """g++ of the emulator: host.cpp + kernel + hls4ml firmware + the XRT shim, one executable."""
    return ["g++", *CXXFLAGS, "-I", "xrt_shim", "-I", "kernel", "-I", "firmware", "-I", "firmware/ap_types",
            "-include", "xrt_shim/triglab_weights_dir.h", "-DWEIGHTS_DIR=triglab_weights_dir()",
            "host/host.cpp", f"kernel/{KERNEL_NAME}.cpp", f"firmware/{project}.cpp",
            "xrt_shim/emulator_glue.cpp", "-o", output]  # fmt: skip


# --- the build package ---------------------------------------------------------------------------
def write_sources(
    project_dir: Path, io: KernelInterface, variant: str, dest: Path, platform: str = DEFAULT_U50_PLATFORM
) -> dict[str, Path]:
    """Write the build package into ``dest`` (created): firmware, kernel, host, shim, Makefile, README.

    Args:
        project_dir: The hls4ml project (``firmware/`` inside).
        io: Its kernel interface (:func:`kernel_interface`).
        variant: The variant's name (written into the comments and the README).
        dest: The package folder; must not exist yet or be empty.
        platform: The U50 shell written into the Makefile (``make PLATFORM=...`` overrides it).

    Returns:
        ``{role: path}`` of the main files.
    """
    dest.mkdir(parents=True, exist_ok=True)
    fw_src, fw = Path(project_dir) / "firmware", dest / "firmware"
    # The firmware without the C-simulation library (a binary we do not ship).
    shutil.copytree(fw_src, fw, ignore=shutil.ignore_patterns("*.so", "*.o"))
    (dest / "kernel").mkdir()
    for name, text in render_kernel(io, variant).items():
        (dest / "kernel" / name).write_text(text, encoding="utf-8")
    (dest / "host").mkdir()
    shutil.copy2(TEMPLATES / "host.cpp", dest / "host" / "host.cpp")
    shutil.copytree(TEMPLATES / "xrt_shim", dest / "xrt_shim")
    (dest / "Makefile").write_text(_makefile(io, platform), encoding="utf-8")
    (dest / "README.md").write_text(_readme(io, variant, platform), encoding="utf-8")
    (dest / "kernel_interface.json").write_text(json.dumps(io.to_dict(), indent=2), encoding="utf-8")
    return {
        "kernel": dest / "kernel" / f"{KERNEL_NAME}.cpp",
        "kernel_header": dest / "kernel" / f"{KERNEL_NAME}.h",
        "host_source": dest / "host" / "host.cpp",
        "makefile": dest / "Makefile",
        "readme": dest / "README.md",
        "firmware": fw,
    }


def _make_line(cmd: list[str]) -> str:
    # make expands $(VAR) inside the shell's single quotes too.
    return "\t" + " ".join(shlex.quote(c) for c in cmd)


def _makefile(io: KernelInterface, platform: str) -> str:
    vc, vl = vpp_commands("$(PLATFORM)", io.project)
    host = host_command("$(XILINX_XRT)/include", "$(XILINX_XRT)/lib")
    emu = emulator_command(io.project)
    return "\n".join(
        [
            "# Build the hls4ml XRT kernel for the Alveo U50 (written by TrigLab; needs Vitis v++ and XRT).",
            "#   make xclbin   -> build/triglab.xclbin   (v++ -c then v++ -l: hours, not minutes)",
            "#   make host     -> triglab_host           (the host program against the real XRT)",
            "#   make emulator -> emulator/triglab_host_emu (g++ only: the kernel emulated on CPU)",
            f"PLATFORM ?= {platform}",
            "XILINX_XRT ?= /opt/xilinx/xrt",
            "",
            ".PHONY: all xclbin host emulator",
            "all: xclbin host",
            "xclbin: build/triglab.xclbin",
            "host: triglab_host",
            "emulator: emulator/triglab_host_emu",
            "",
            f"build/{KERNEL_NAME}.xo: kernel/{KERNEL_NAME}.cpp kernel/{KERNEL_NAME}.h firmware/{io.project}.cpp",
            "\tmkdir -p build",
            _make_line(vc),
            "",
            f"build/{XCLBIN_NAME}: build/{KERNEL_NAME}.xo",
            _make_line(vl),
            "",
            f"{HOST_NAME}: host/host.cpp kernel/{KERNEL_NAME}.h",
            _make_line(host),
            "",
            f"emulator/{EMULATOR_NAME}: host/host.cpp kernel/{KERNEL_NAME}.cpp firmware/{io.project}.cpp",
            "\tmkdir -p emulator && cp -r firmware/weights emulator/",
            _make_line(emu),
            "",
        ]
    )


def _readme(io: KernelInterface, variant: str, platform: str) -> str:
    vc, vl = (" ".join(shlex.quote(c) for c in cmd) for cmd in vpp_commands(platform, io.project))
    host = " ".join(shlex.quote(c) for c in host_command("$XILINX_XRT/include", "$XILINX_XRT/lib"))
    return f"""# hls4ml XRT kernel of variant '{variant}' for the Alveo U50 (TrigLab build package)

This folder builds the variant's hls4ml network as an XRT kernel (`{KERNEL_NAME}`) and the host
program that runs it. It needs a machine with Vitis (`v++`, with Vitis HLS and Vivado), XRT and the
U50 platform (`{platform}`, under `/opt/xilinx/platforms`); TrigLab wrote it because this
machine has not got them.

    source /opt/xilinx/xrt/setup.sh && source <Vitis install>/settings64.sh
    make xclbin host            # or: make PLATFORM=<your U50 shell> xclbin host

The exact commands (the Makefile runs the same):

    mkdir -p build
    {vc}
    {vl}
    {host}

Run on the card: `./{HOST_NAME} --xclbin build/{XCLBIN_NAME} --input events.bin --output out.bin
--timings timings.json --events N --batch B`. `events.bin` holds N x {io.n_in} float32 (the input
{"x".join(map(str, io.input_shape))}, C order); `out.bin` receives N x {io.n_out} float32. The
kernel converts each float to {io.input_precision} exactly as hls4ml's C simulation does, so the
card's outputs must match the C simulation bit for bit.

`make emulator` builds the same host and kernel C++ with g++ against TrigLab's XRT shim
(`xrt_shim/`): that is the `emulator-hls` target, whose numbers are emulated on CPU.

Files: `firmware/` (hls4ml {io.io_type} project, network `{io.project}`), `kernel/` (the
wrapper), `host/host.cpp` (XRT native C++ API), `xrt_shim/` (emulator only).
"""


# --- digests of what we built --------------------------------------------------------------------
# One registry for everything TrigLab compiled (hls4ml libraries and these executables):
# core.hls.cache, under $TRIGLAB_HOME, locked and written atomically. An executable has no
# weight files of its own (its weights are compiled in or read from the package): digest "".
def record_built(path: Path) -> str:
    """Record the SHA-256 of an executable TrigLab just built (in ``$TRIGLAB_HOME``); returns it."""
    digest = cache.file_sha256(Path(path))
    cache.register_library(digest, "", Path(path).parent)
    return digest


def is_ours(path: Path) -> bool:
    """True when ``path`` is an executable TrigLab built and nobody changed since."""
    path = Path(path)
    return path.is_file() and not path.is_symlink() and cache.is_registered(cache.file_sha256(path), "")


def source_digest(files: list[Path], extra: str = "") -> str:
    """A digest of source files (names and contents) and a string (e.g. the command line)."""
    h = hashlib.sha256(extra.encode())
    for f in sorted(files):
        h.update(f"\0{f.name}\0".encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:20]
