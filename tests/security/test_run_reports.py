"""Stored run reports edited by hand or damaged: the Physics job skips them, with a log line.

One bad ``<ws>/deploy/runs/*`` file used to fail the whole Physics job (every variant's curves)
with an EOFError, a BadZipFile or a TypeError from its ``dataset_params``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.data import pin_params
from core.deploy.report import model_digest, report_path
from core.deploy.run import run_physics
from core.jobs import RecordingProgress
from core.workflows import add_zoo_variant
from core.workspace import Workspace

LABEL = "s on emulator-hls (emulated on CPU)"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("runs") / "ws")
    pin_params(ws.data_dir, "muon_rpc", events=2000)
    add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc", name="s")
    return ws


def _store(ws, outputs=None, raw: bytes | None = None, **extra):
    report = {
        "target": "emulator-hls",
        "emulated": True,
        "device": "cpu",
        "label": "emulator-hls (emulated on CPU)",
        "variant": "s",
        "dataset": "muon_rpc",
        "events": 100,
        "batch_size": 10,
        "throughput_eps": 1.0,
        "latency_p50_s": 0.1,
        "latency_p99_s": 0.1,
        "task_metrics": {"task": "regression"},
        "extra": {"split": "val", "dataset_params": {}, "model_sha256": model_digest(ws, "s"), **extra},
    }
    path = report_path(ws, "s", "emulator-hls")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report))
    npz = path.with_suffix(".npz")
    if raw is not None:
        npz.write_bytes(raw)
    else:
        with open(npz, "wb") as f:
            np.savez(f, outputs=np.zeros((100, 1), np.float32) if outputs is None else outputs)


def test_a_stored_run_gives_its_curves(ws):
    _store(ws)
    curves = run_physics(ws, "s")
    assert list(curves) == [LABEL]
    # compared with the classical trigger like the variant itself (no roads variant: tuned in memory)
    res = curves[LABEL]
    assert res["reference"] == "roads, plateau 0.9, tuned in memory"
    assert res["rates"]["20"]["ratio"] is not None and "rate_ratio_10" in res


@pytest.mark.parametrize(
    "kw",
    [
        {"raw": b""},
        {"raw": b"PK\x03\x04not a zip"},
        {"outputs": np.array(["a"] * 100)},
        {"outputs": np.zeros((10**5, 1), np.float32)},
        {"dataset_params": "abc"},
        {"dataset_params": {"cache_dir": "/etc"}},
        {"dataset_params": {"events": -5}},
        {"split": "../../etc"},
    ],
    ids=["empty", "not-zip", "text", "too-many", "params-text", "params-cache-dir", "params-bad", "split"],
)
def test_a_damaged_run_is_skipped_with_a_log_line(ws, kw):
    _store(ws, **kw)
    progress = RecordingProgress()
    assert run_physics(ws, "s", progress=progress) == {}
    assert any("skipped" in line for line in progress.lines)
