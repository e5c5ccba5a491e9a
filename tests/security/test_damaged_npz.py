"""Damaged ``.npz`` files in a workspace (empty, cut short, not a zip) give the module's own error.

``np.load`` raises EOFError or zipfile.BadZipFile for them, which were not caught: a traceback
instead of "cannot read dpu model ...".
"""

from __future__ import annotations

import pytest

from core.deploy.dpu_numpy import DpuModel, DpuModelError


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04cut short", b"\x93NUMPY"])
def test_a_damaged_dpu_model_is_a_clear_error(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(DpuModelError, match="cannot read dpu model"):
        DpuModel.load(path)
