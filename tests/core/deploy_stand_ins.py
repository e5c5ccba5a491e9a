"""STAND-IN deploy targets for the run/package tests (not TrigLab's real emulators or the card).

``stand-in-dpu``: a numpy softmax(x·W + b) of a one-Dense-layer variant, with a run package whose
standalone runner (tests/fixtures/deploy_stand_in/run_stand_in.py) computes the same on the
"server". ``stand-in-hls``: returns hls4ml's C simulation of the variant, optionally with one event
changed by one least significant bit, to check the bit-exactness report. ``stand-in-card``: never
available (a card that is not here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from core.deploy import _TARGETS, Artifact, Availability, Runner, RunOutput, Target, register_target

STANDALONE = Path(__file__).resolve().parents[1] / "fixtures" / "deploy_stand_in" / "run_stand_in.py"
NAMES = ("stand-in-dpu", "stand-in-hls", "stand-in-card")


class _BatchRunner(Runner):
    device = "stand-in (emulated on CPU)"

    def compute(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def run(self, x, batch_size, progress=None):
        outs, times = [], []
        t0 = time.perf_counter()
        for start in range(0, len(x), batch_size):
            tb = time.perf_counter()
            outs.append(self.compute(x[start : start + batch_size]))
            times.append(time.perf_counter() - tb)
        return RunOutput(np.concatenate(outs), times, time.perf_counter() - t0, self.device, ["stand-in ran"])


def softmax_dense(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = x.reshape(len(x), -1).astype(np.float64) @ w + b
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


class _DenseRunner(_BatchRunner):
    def __init__(self, artifact):
        super().__init__(artifact)
        with np.load(artifact.path) as f:
            self.w, self.b = f["w"], f["b"]

    def compute(self, x):
        return softmax_dense(x, self.w, self.b)


class StandInDpu(Target):
    path = "dpu"
    emulated = True
    description = "STAND-IN for tests: numpy softmax of one Dense layer"
    standalone_script = STANDALONE
    builds = 0

    def availability(self, discovery=None):
        return Availability(True)

    def build(self, ws, variant, out_dir, progress=None, **options):
        type(self).builds += 1
        dense = [layer for layer in ws.load_model(variant).layers if layer.get_weights()][-1]
        w, b = dense.get_weights()
        np.savez(out_dir / "weights.npz", w=w, b=b)
        return Artifact(self.name, variant, out_dir / "weights.npz", info={"stand_in": True})

    def runner(self, artifact):
        return _DenseRunner(artifact)

    def package(self, artifact, folder):
        shutil.copyfile(artifact.path, Path(folder) / "weights.npz")
        return {"weights": "weights.npz"}


class _CsimRunner(_BatchRunner):
    def __init__(self, artifact):
        super().__init__(artifact)
        from core.workspace import Workspace

        self.ws = Workspace.open(artifact.info["ws"])

    def run(self, x, batch_size, progress=None):
        from core.deploy.run import csim_outputs

        t0 = time.perf_counter()
        out = csim_outputs(self.ws, self.artifact.variant, x)[0]
        flip = self.artifact.info.get("flip_event")
        if flip is not None:
            out[flip, 0] += 2.0**-10
        n = (len(x) + batch_size - 1) // batch_size
        dt = time.perf_counter() - t0
        return RunOutput(out, [dt / n] * n, dt, self.device)


class StandInHls(Target):
    path = "hls"
    emulated = True
    description = "STAND-IN for tests: hls4ml's C simulation itself"
    flip_event: int | None = None

    def availability(self, discovery=None):
        return Availability(True)

    def build(self, ws, variant, out_dir, progress=None, **options):
        (out_dir / "csim.txt").write_text("stand-in")
        info = {"ws": str(ws.root), "flip_event": type(self).flip_event}
        return Artifact(self.name, variant, out_dir / "csim.txt", info=info)

    def runner(self, artifact):
        return _CsimRunner(artifact)


class StandInCard(Target):
    path = "hls"
    description = "STAND-IN for tests: a card that is not plugged in"

    def availability(self, discovery=None):
        return Availability(False, "no Alveo card found (stand-in)", "plug one in")


def register_stand_ins() -> None:
    for name, cls in zip(NAMES, (StandInDpu, StandInHls, StandInCard)):
        register_target(name)(cls)


def unregister_stand_ins() -> None:
    for name in NAMES:
        _TARGETS.pop(name, None)


def read_json(path) -> dict:
    return json.loads(Path(path).read_text())


def build_workspace(root: Path):
    """A workspace with a trained one-layer softmax on digits ("dense") and a model hls4ml refuses
    ("noisy": a GaussianNoise layer in front). Returns its folder."""
    import tensorflow as tf

    from core.data import load_dataset
    from core.workspace import Workspace

    ds = load_dataset("digits")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.Input((8, 8, 1)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(ds.x_train, ds.y_train, epochs=15, batch_size=64, verbose=0)
    noisy = tf.keras.Sequential(
        [tf.keras.Input((8, 8, 1)), tf.keras.layers.GaussianNoise(0.1), *model.layers]
    )
    ws = Workspace.create(root, title="deploy tests")
    ws.add_variant(model, "dense", dataset="digits")
    ws.add_variant(noisy, "noisy", dataset="digits")
    return ws.root


def server_run(pkg_zip, tmp_path, *extra):
    """Unzip and run the standalone runner as the lab server would: fresh process, no PYTHONPATH."""
    folder = tmp_path / "server"
    with zipfile.ZipFile(pkg_zip) as zf:
        for info in zf.infolist():  # as unzip does: files keep their permissions (the emulator runs)
            zf.extract(info, folder)
            mode = info.external_attr >> 16
            if mode:
                (folder / info.filename).chmod(mode & 0o777)
    m = json.loads((folder / "manifest.json").read_text())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = tmp_path / "results.json"
    r = subprocess.run(
        [sys.executable, folder / m["script"], "--package", folder, "--out", out, *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return out
