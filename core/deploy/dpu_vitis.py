"""The Vitis AI side of the DPU path: find the tools, quantize, compile, and the build package.

Vitis AI 3.0 is the last release with the Alveo U50's DPU (DPUCAHX8H). Its TensorFlow 2 flow,
as UG1414 (v3.0) and the Vitis AI tutorials give it, is:

1. quantize (conda env ``vitis-ai-tensorflow2`` in the Vitis AI docker)::

       from tensorflow_model_optimization.quantization.keras import vitis_quantize
       quantizer = vitis_quantize.VitisQuantizer(model, quantize_strategy="pof2s")
       quantized = quantizer.quantize_model(calib_dataset=x_calib, calib_batch_size=32)
       quantized.save("quantized.h5")

2. compile for the card's DPU configuration::

       vai_c_tensorflow2 -m quantized.h5 -a /opt/vitis_ai/compiler/arch/DPUCAHX8H/U50/arch.json \\
                         -o compiled -n NET           # -> compiled/NET.xmodel

   UG1414 from v2.0 on lists DPUCAHX8H for the U50LV and U55C; depending on the release the docker
   holds the configuration under ``DPUCAHX8H/U50`` or ``DPUCAHX8H/U50LV`` (``U50LV-DWC`` with
   depthwise convolution), so all three are searched, in that order,
3. run through VART on the machine with the card (see ``standalone/run_dpu.py``).

Here the quantize step runs the build package's own ``quantize.py`` with this Python when
``vitis_quantize`` is importable, and ``vai_c_tensorflow2`` as a cancellable job whose output
streams into the job log. Without the tools :func:`write_build_files` writes the same files and
commands for a machine that has them. Detection lives in :func:`find_vitis_ai` until the
project-wide discovery (``core.deploy.discovery``) takes it over.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.deploy import DeployError
from core.jobs import Progress, ensure_progress, run_subprocess

COMPILER = "vai_c_tensorflow2"
ARCH_ROOT = Path("/opt/vitis_ai/compiler/arch/DPUCAHX8H")
#: Where the Vitis AI 3.0 docker keeps the U50 DPU configurations, the regular card first.
ARCH_CANDIDATES = [ARCH_ROOT / d / "arch.json" for d in ("U50", "U50LV", "U50LV-DWC")]
QUANTIZE_STRATEGY = "pof2s"
CALIB_BATCH = 32
INSTALL_HINT = (
    "Vitis AI with the DPUCAHX8H DPU (3.0 is the last release that has it; from 2.0 on its notes name the "
    "U50LV/U55C, 1.1-1.4 the plain U50: check yours): its docker image with the "
    "vitis-ai-tensorflow2 conda environment (https://github.com/Xilinx/Vitis-AI, tag v3.0; "
    "UG1414 v3.0, https://docs.amd.com/r/3.0-English/ug1414-vitis-ai)"
)


@dataclass
class VitisAITools:
    """What of Vitis AI's DPU flow this machine has (None / False: not found)."""

    compiler: str | None = None
    arch_json: Path | None = None
    quantizer: bool = False
    vart: bool = False
    xir: bool = False
    card: str | None = None
    searched: dict[str, str] = field(default_factory=dict)

    @property
    def can_build(self) -> bool:
        return bool(self.compiler and self.arch_json and self.quantizer)

    @property
    def can_run(self) -> bool:
        return bool(self.vart and self.xir and self.card)

    def missing(self) -> list[str]:
        """One line per missing part, saying where it was looked for."""
        out = []
        if not self.quantizer:
            out.append(
                "the Vitis AI quantizer (tensorflow_model_optimization...vitis_quantize) is not importable"
            )
        if not self.compiler:
            out.append(f"'{COMPILER}' is not on PATH")
        if not self.arch_json:
            out.append(
                f"no U50 DPU arch.json (looked in {', '.join(str(p.parent) for p in ARCH_CANDIDATES)})"
            )
        if not (self.vart and self.xir):
            out.append("the Vitis AI runtime (python modules vart, xir) is not importable")
        if not self.card:
            out.append(f"no Alveo card found ({self.searched.get('card', 'lspci -d 10ee: found nothing')})")
        return out


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _quantizer_importable() -> bool:
    # Look for the file rather than importing: importing tf-model-optimization loads TensorFlow.
    try:
        spec = importlib.util.find_spec("tensorflow_model_optimization")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    base = Path(list(spec.submodule_search_locations)[0]) / "quantization" / "keras"
    return (base / "vitis_quantize.py").is_file() or (base / "vitis_quantize").is_dir()


def _find_card() -> tuple[str | None, str]:
    """(a description of the first Xilinx PCIe device, how it was searched)."""
    lspci = shutil.which("lspci")
    if not lspci:
        return None, "lspci is not installed"
    try:
        out = subprocess.run([lspci, "-d", "10ee:"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"lspci failed: {exc}"
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    return (lines[0], "lspci -d 10ee:") if lines else (None, "lspci -d 10ee: lists no Xilinx device")


def find_vitis_ai(discovery=None) -> VitisAITools:
    """Detect the DPU flow's parts on this machine.

    Args:
        discovery: the project-wide discovery result when there is one; an object with a
            ``vitis_ai`` attribute holding a :class:`VitisAITools` is used as is.
    """
    if discovery is not None and isinstance(getattr(discovery, "vitis_ai", None), VitisAITools):
        return discovery.vitis_ai
    card, how = _find_card()
    return VitisAITools(
        compiler=shutil.which(COMPILER),
        arch_json=next((p for p in ARCH_CANDIDATES if p.is_file()), None),
        quantizer=_quantizer_importable(),
        vart=_has_module("vart"),
        xir=_has_module("xir"),
        card=card,
        searched={"card": how},
    )


def net_name(variant: str) -> str:
    """The variant's name as a compiler network name (letters, digits, underscore)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", variant).strip("_") or "net"


def compile_command(
    quantized_h5: Path, arch_json: Path, out_dir: Path, name: str, compiler: str = COMPILER
) -> list[str]:
    """The exact ``vai_c_tensorflow2`` command line (short flags, as in the Vitis AI examples)."""
    return [compiler, "-m", str(quantized_h5), "-a", str(arch_json), "-o", str(out_dir), "-n", name]


def compile_xmodel(
    quantized_h5: Path,
    arch_json: Path,
    out_dir: Path,
    name: str,
    compiler: str = COMPILER,
    progress: Progress | None = None,
) -> Path:
    """Compile a quantized model into ``out_dir/NAME.xmodel`` (a cancellable job, log streamed).

    Raises:
        DeployError: the compiler ran but wrote no xmodel.
        core.jobs.SubprocessError / Cancelled: the compiler failed / the user cancelled.
    """
    progress = ensure_progress(progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress.log("$ " + " ".join(compile_command(quantized_h5, arch_json, out_dir, name, compiler)))
    run_subprocess(compile_command(quantized_h5, arch_json, out_dir, name, compiler), progress, cwd=out_dir)
    xmodel = out_dir / f"{name}.xmodel"
    if not xmodel.is_file():
        raise DeployError(f"{compiler} finished but wrote no {xmodel.name} in {out_dir}; see the job log.")
    return xmodel


# --- the build package ----------------------------------------------------------------------
QUANTIZE_PY = '''\
"""Vitis AI pof2s post-training quantization of model.h5, calibrated on calib.npy (written by TrigLab).

Run inside the Vitis AI 3.0 docker: conda activate vitis-ai-tensorflow2; python quantize.py
"""
import numpy as np
import tensorflow as tf
from tensorflow_model_optimization.quantization.keras import vitis_quantize

model = tf.keras.models.load_model("model.h5", compile=False)
calib = np.load("calib.npy", allow_pickle=False)
quantizer = vitis_quantize.VitisQuantizer(model, quantize_strategy="{strategy}")
quantized = quantizer.quantize_model(calib_dataset=calib, calib_batch_size={batch})
quantized.save("quantized.h5")
print("quantized.h5 written ({{}} calibration events)".format(len(calib)))
'''

BUILD_SH = """\
#!/bin/sh
# Quantize and compile {name} for the Alveo U50 DPU (DPUCAHX8H), Vitis AI 3.0 (written by TrigLab).
# Run inside the Vitis AI docker after: conda activate vitis-ai-tensorflow2
set -e
cd "$(dirname "$0")"
ARCH="${{ARCH:-{arch}}}"
if [ -z "$ARCH" ]; then
  for d in {arch_dirs}; do
    if [ -f "{arch_root}/$d/arch.json" ]; then ARCH="{arch_root}/$d/arch.json"; break; fi
  done
fi
if [ -z "$ARCH" ]; then
  echo "No U50 DPU (DPUCAHX8H) arch.json under {arch_root}; set ARCH=/path/to/arch.json" >&2
  exit 1
fi
python quantize.py
{compile}
echo "compiled/{name}.xmodel is ready"
"""

README = """\
# Build package: {variant} for the Alveo U50 DPU (Vitis AI 3.0)

TrigLab wrote this folder on a machine without Vitis AI. It holds what the Vitis AI tools need to
make the xmodel the U50's DPU (DPUCAHX8H) runs:

- `model.h5`: the float Keras model of variant `{variant}`;
- `calib.npy`: {n_calib} calibration events of its data set `{dataset}` (float32, shape {shape});
- `quantize.py`: Vitis AI post-training quantization, strategy `{strategy}` (power-of-two scales,
  per-tensor int8), calibration batch size {batch};
- `build.sh`: quantize, then compile.

## Steps

1. On a Linux machine with Docker: clone https://github.com/Xilinx/Vitis-AI, `git checkout v3.0`,
   start the TensorFlow 2 tools container (`./docker_run.sh xilinx/vitis-ai-tensorflow2-cpu:<a 3.0 tag>`;
   UG1414 v3.0, https://docs.amd.com/r/3.0-English/ug1414-vitis-ai, "Setting Up the Host").
2. Inside it, from this folder:

       conda activate vitis-ai-tensorflow2
       sh build.sh

   which runs exactly:

       python quantize.py
       {compile}

   `build.sh` takes the first of `{arch_root}/{{U50,U50LV,U50LV-DWC}}/arch.json` that exists;
   set `ARCH=/path/to/arch.json` to choose (e.g. the U50LV's for a low-voltage card).
3. Copy `compiled/{name}.xmodel` next to the run package and run it on the server with the card:

       python run_dpu.py --package DIR --out results.json --xmodel compiled/{name}.xmodel

   (the server needs XRT, the U50 shell and the DPU xclbin set up as in Vitis AI's
   `board_setup/alveo` instructions, and the Vitis AI runtime's `vart` and `xir` Python modules).

Until then, `python run_dpu.py --package DIR --out results.json --emulator` runs TrigLab's int8
emulation of the same scheme on the CPU; its numbers are labelled "emulated on CPU".
"""


def write_build_files(
    model, x_calib: np.ndarray, out_dir: Path, variant: str, dataset: str = "", arch_json: Path | None = None
) -> Path:
    """Write the files and exact commands that turn ``model`` into an xmodel where Vitis AI is.

    Args:
        model: the float Keras model (pruning wrappers already stripped).
        x_calib: calibration events, float32, (N, *input_shape).
        out_dir: the folder to fill (created).
        variant: the variant's name (gives the network name).
        dataset: the data set's name, for the README.
        arch_json: the DPU configuration to compile for (default: the first U50 one found where
            ``build.sh`` runs).

    Returns:
        ``out_dir``.
    """
    from core.models import save_model

    out_dir.mkdir(parents=True, exist_ok=True)
    name = net_name(variant)
    arch = arch_json
    save_model(model, out_dir / "model.h5")
    x_calib = np.asarray(x_calib, np.float32)
    np.save(out_dir / "calib.npy", x_calib)
    (out_dir / "quantize.py").write_text(QUANTIZE_PY.format(strategy=QUANTIZE_STRATEGY, batch=CALIB_BATCH))
    compile_line = " ".join(compile_command(Path("quantized.h5"), Path("$ARCH"), Path("compiled"), name))
    build = out_dir / "build.sh"
    arch_dirs = " ".join(p.parent.name for p in ARCH_CANDIDATES)
    build.write_text(
        BUILD_SH.format(
            name=name, arch=arch or "", arch_dirs=arch_dirs, arch_root=ARCH_ROOT, compile=compile_line
        )
    )
    build.chmod(0o755)
    (out_dir / "README.md").write_text(
        README.format(
            variant=variant,
            name=name,
            dataset=dataset or "?",
            n_calib=len(x_calib),
            shape=tuple(x_calib.shape),
            strategy=QUANTIZE_STRATEGY,
            batch=CALIB_BATCH,
            compile=compile_line.replace("$ARCH", str(arch or ARCH_CANDIDATES[0])),
            arch_root=ARCH_ROOT,
        )
    )
    return out_dir


def quantize_in_build_package(pkg_dir: Path, progress: Progress | None = None) -> Path:
    """Run the package's ``quantize.py`` with this Python (where ``vitis_quantize`` is importable).

    Returns:
        ``pkg_dir/quantized.h5``.
    """
    progress = ensure_progress(progress)
    if not _quantizer_importable():
        raise DeployError(
            f"The Vitis AI quantizer is not importable in {sys.executable}. Fix: {INSTALL_HINT}."
        )
    env = dict(os.environ)
    run_subprocess([sys.executable, "quantize.py"], progress, cwd=pkg_dir, env=env)
    out = pkg_dir / "quantized.h5"
    if not out.is_file():
        raise DeployError(f"quantize.py finished but wrote no {out}; see the job log.")
    return out
