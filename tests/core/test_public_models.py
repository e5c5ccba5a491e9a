"""Public hls4ml-style models through automatic precision and C simulation, from the CLI.

The six architectures of hls4ml's example models (Dense; Conv1D; Dense + BatchNormalization;
BatchNormalization-first Conv2D jet tagger; QKeras QDense + QActivation; QKeras CNN), rebuilt and
briefly trained by ``tests/fixtures/public_models.py``, saved as json + h5 pairs, then run as a
user runs them (through the CLI's entry point, in process)::

    triglab-cli hls MODEL.json --calib CALIB.npz --auto-precision 0.99 csim --json

Each must exit 0 with at least 99 % argmax agreement between hls4ml's C simulation (real hls4ml,
real g++) and Keras on the 300 calibration events (issue 13, "Done when"); for QKeras layers the
weights keep the precision of their quantizers.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

import public_models  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C simulation"),
]


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory):
    """The folder of the rebuilt pairs and calibration files (each model built on first use)."""
    return tmp_path_factory.mktemp("public_models")


def _pair(folder: Path, name: str) -> tuple[Path, Path]:
    json_path = folder / f"{name}.json"
    calib = folder / f"{name}_calib.npz"
    if not json_path.exists():
        public_models.build_public_model(name, folder)
        public_models.write_calibration(name, calib)
    return json_path, calib


@pytest.mark.parametrize("name", public_models.NAMES)
def test_auto_precision_reaches_99_percent_in_csim(name, public_dir, capsys):
    from core.cli import main

    json_path, calib = _pair(public_dir, name)
    capsys.readouterr()
    # In process (the CLI's own entry point) rather than a subprocess: TensorFlow is imported once.
    code = main(["hls", str(json_path), "--calib", str(calib), "--auto-precision", "0.99", "csim", "--json"])
    out = capsys.readouterr()
    assert code == 0, f"{name}: {out.err[-2000:]}"
    doc = json.loads(out.out)
    assert doc["csim"]["n_samples"] == 300
    assert doc["agreement"] >= 0.99, (
        f"{name}: C simulation agrees with Keras on {doc['agreement']:.2%} of 300 events; "
        f"notes: {doc['auto_precision'].get('notes')}"
    )
    assert doc["auto_precision"]["agreement_csim"] >= 0.99
    # Every layer is emulated (BatchNorm and QKeras included): none left to hls4ml's rule.
    not_emulated = [n for n in doc["auto_precision"]["notes"] if "is not emulated" in n]
    assert not not_emulated, f"{name}: {not_emulated}"

    if name.startswith("qkeras"):
        from core.hls.config import make_config
        from core.models import load_model

        # The quantizers fix the weights: the search keeps what hls4ml derives from them.
        for row in make_config(load_model(json_path)).layers():
            for field in ("weight", "bias"):
                if field in row.quantized:
                    assert doc["precision"][row.name][field] == getattr(row, field), (row.name, field)
