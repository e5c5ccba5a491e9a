"""Several commands on one workspace at once: no lost update, no shared name, no deleted build.

Real parallel processes (the CLI, ``python -m core.cli``) on a copy of the demo workspace, and
threads and processes hammering the workspace lock directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.workspace import MANIFEST, Workspace

REPO = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}


def _run_together(commands: list[list[str]], timeout: float = 300) -> list[subprocess.CompletedProcess]:
    """Start every command at once (``python -m core.cli ...``) and wait for all of them."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "core.cli", *c],
            cwd=REPO,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    out = []
    for p, c in zip(procs, commands):
        stdout, stderr = p.communicate(timeout=timeout)
        out.append(subprocess.CompletedProcess(c, p.returncode, stdout, stderr))
    return out


@pytest.mark.slow
def test_parallel_compress_runs_keep_every_variant(demo_workspace):
    ws = demo_workspace
    source = ws.ui["selected_variant"]
    before = set(ws.variants)
    n = 3
    cmd = [
        "compress",
        str(ws.root),
        "--variant",
        source,
        "--op",
        "fixed_point",
        "--param",
        "width=8",
        "--json",
    ]
    results = _run_together([cmd] * n)
    for r in results:
        assert r.returncode == 0, r.stderr[-2000:]
    reported = [json.loads(r.stdout)["variant"] for r in results]
    assert len(set(reported)) == n, f"two runs claimed one name: {reported}"
    final = Workspace.open(ws.root)
    new = [v for v in final.variants if v not in before]
    assert sorted(new) == sorted(reported)
    files = [final[v].file for v in new]
    assert len(set(files)) == n
    for r in results:  # what each run says it created is really there
        assert all(c["name"] in final.variants for c in json.loads(r.stdout)["created"])
    import numpy as np

    x = np.zeros((1, *final.load_model(source).input_shape[1:]), np.float32)
    for name in new:
        assert final[name].parent == source and final[name].operation == "fixed_point"
        assert final.load_model(name).predict(x, verbose=0).shape[0] == 1
    leftovers = [p.name for p in (ws.root / "variants").iterdir() if ".tmp" in p.name]
    assert leftovers == [] and not (ws.root / ".triglab.tmp").exists()


@pytest.mark.slow
def test_two_csim_runs_on_one_variant_both_succeed(tmp_path):
    """Same variant, same configuration: one cache key; neither run deletes the other's build."""
    if shutil.which("g++") is None:
        pytest.fail("g++ is required for the C simulation")
    import tensorflow as tf

    ws = Workspace.create(tmp_path / "ws")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(8,), name="x"),
            tf.keras.layers.Dense(4, activation="relu", name="fc1"),
            tf.keras.layers.Dense(2, name="out"),
        ]
    )
    ws.add_variant(model, "tiny")
    cmd = ["hls", str(ws.root), "csim", "--variant", "tiny", "--calib", "gauss", "--json"]
    results = _run_together([cmd, cmd])
    for r in results:
        assert r.returncode == 0, r.stderr[-2000:]
    payloads = [json.loads(r.stdout) for r in results]
    assert payloads[0]["project_dir"] == payloads[1]["project_dir"]
    assert all(p["csim"]["max_abs_error"] < 0.1 for p in payloads)
    project = Path(payloads[0]["project_dir"])
    assert (project / "triglab_cache.json").is_file()
    assert [p.name for p in ws.hls_dir.iterdir() if p.name.startswith(".")] == []  # no build left over
    again = _run_together([cmd])[0]
    assert again.returncode == 0 and json.loads(again.stdout)["cache_hit"] is True


def test_threads_adding_variants_each_get_their_own(tmp_path):
    """Four threads, each with its own Workspace object on one folder, add variants in a loop."""
    import tensorflow as tf

    # One model per thread: Keras' save is not safe on one model object from several threads.
    models = [
        tf.keras.Sequential([tf.keras.layers.Input(shape=(2,)), tf.keras.layers.Dense(1)]) for _ in range(4)
    ]
    root = Workspace.create(tmp_path / "ws").root
    errors: list[BaseException] = []
    added: list[str] = []

    def worker(model) -> None:
        try:
            ws = Workspace.open(root)
            for _ in range(4):
                added.append(ws.add_variant(model, "v").name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    final = Workspace.open(root)
    assert sorted(final.variants) == sorted(added) and len(set(added)) == 16
    files = sorted(v.file for v in final.variants.values())
    assert (
        len(set(files)) == 16 and sorted(str(p.relative_to(root)) for p in root.glob("variants/*")) == files
    )


def test_processes_updating_one_workspace_lose_nothing(tmp_path):
    """Four processes increment one counter and add their own metrics 25 times each, at once."""
    root = Workspace.create(tmp_path / "ws").root
    (root / "variants" / "a.h5").write_text("model")
    data = json.loads((root / MANIFEST).read_text())
    data["variants"] = [{"name": "a", "file": "variants/a.h5"}]
    (root / MANIFEST).write_text(json.dumps(data))
    code = (
        "import sys\n"
        "from core.workspace import Workspace\n"
        "ws = Workspace.open(sys.argv[1])\n"
        "me = sys.argv[2]\n"
        "for i in range(25):\n"
        "    with ws.transaction():\n"
        "        ws.ui['counter'] = ws.ui.get('counter', 0) + 1\n"
        "    ws.update_metrics('a', {f'{me}-{i}': i})\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(root), f"p{k}"], cwd=REPO, env=_env())
        for k in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * 4
    final = Workspace.open(root)
    assert final.ui["counter"] == 100
    assert len(final["a"].metrics) == 100
