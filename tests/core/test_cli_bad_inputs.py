"""Every bad input the hardening review found, run as a user runs it.

Each row is one ``triglab-cli`` command on a private copy of the demo workspace (or on bad files
made here). Each must exit with 2, print exactly one non-empty line on stderr and no traceback,
and leave the workspace byte for byte as it was (manifest and file list).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

CLI = [sys.executable, "-m", "core.cli"]


def run_cli(*args, env_extra=None):
    """The command as a user runs it: a subprocess."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env_extra or {}))
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


def run_main(capfd, *args) -> tuple[int, str]:
    """The same command in this process (TensorFlow is imported once for the whole table):
    ``(exit code, everything written to stderr, file descriptor 2 included)``."""
    from core.cli import main

    capfd.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's refusals
        code = exc.code
    return code, capfd.readouterr().err


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    """Data files that are wrong in one way each."""
    d = tmp_path_factory.mktemp("bad_data")
    rng = np.random.default_rng(0)
    digits_x = rng.random((60, 8, 8, 1)).astype("float32")
    labels = np.arange(60) % 10
    np.savez(d / "wrong_shape.npz", x_train=rng.random((60, 3, 3)).astype("float32"), y_train=labels)
    np.savez(d / "labels_out_of_range.npz", x_train=digits_x, y_train=np.full(60, 42))
    np.savez(
        d / "labels_beyond_names.npz", x_train=digits_x, y_train=labels, target_names=np.array(["a", "b"])
    )
    np.savez(d / "no_samples.npz", x_train=np.zeros((0, 8, 8, 1), "float32"), y_train=np.zeros(0, "int64"))
    nan_x = digits_x.copy()
    nan_x[7, 2, 3, 0] = np.nan
    np.savez(d / "nan_inputs.npz", x_train=nan_x, y_train=labels)
    np.savez(
        d / "inf_targets.npz",
        x_train=rng.random((60, 4)).astype("float32"),
        y_train=np.where(np.arange(60) == 11, np.inf, 1.0).astype("float32"),
    )
    np.savez(d / "calib_wrong_shape.npz", x_train=rng.random((60, 5)).astype("float32"), y_train=labels)
    # Finite data whose squared error overflows float32 at the first step: the loss becomes inf.
    np.savez(
        d / "huge_targets.npz",
        x_train=rng.random((64, 16)).astype("float32"),
        y_train=np.full((64, 5), 1e30, "float32"),
    )
    (d / "not_a_config.yml").write_text("just: [a, list\n")
    return d


def _state(root: Path) -> tuple[bytes, list[str]]:
    manifest = (root / "triglab.json").read_bytes()
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    return manifest, files


def _manifest(ws: Path, change) -> None:
    path = ws / "triglab.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _schema_text(m):
    m["schema"] = "abc"


def _variants_text(m):
    m["variants"] = "x"


def _variant_without_file(m):
    del m["variants"][0]["file"]


def _null_variant(m):
    m["variants"].append(None)


# (id, command with {ws} / {bad} / {new} placeholders, manifest change or None, marks)
ROWS = [
    ("data-wrong-shape", "train --variant handson_cnn --data {bad}/wrong_shape.npz --epochs 1 --out {ws}"),
    (
        "labels-out-of-range",
        "train --variant handson_cnn --data {bad}/labels_out_of_range.npz --epochs 1 --out {ws}",
    ),
    ("labels-beyond-target-names", "data {bad}/labels_beyond_names.npz"),
    ("no-samples", "train --variant handson_cnn --data {bad}/no_samples.npz --epochs 1 --out {ws}"),
    ("nan-inputs", "train --variant handson_cnn --data {bad}/nan_inputs.npz --epochs 1 --out {ws}"),
    ("inf-targets", "data {bad}/inf_targets.npz"),
    ("loss-becomes-inf", "train --zoo jet_mlp --data {bad}/huge_targets.npz --epochs 1 --out {ws} --json"),
    (
        "loss-becomes-inf-new-ws",
        "train --zoo jet_mlp --data {bad}/huge_targets.npz --epochs 1 --out {new} --json",
    ),
    ("hls-config-missing", "hls {ws} --variant handson_cnn estimate --config {bad}/missing.yml"),
    ("hls-config-not-yaml", "hls {ws} --variant handson_cnn estimate --config {bad}/not_a_config.yml"),
    ("hls-calib-wrong-shape", "hls {ws} --variant handson_cnn csim --calib {bad}/calib_wrong_shape.npz"),
    ("profile-calib-wrong-shape", "profile {ws} --variant handson_cnn --calib {bad}/calib_wrong_shape.npz"),
    ("hls-workspace-without-variant", "hls {ws} estimate"),
    ("data-events-beyond-memory", "data muon_rpc --events 1000000000000"),
    (
        "distill-unlabelled-on-digits",
        "distill {ws} --teacher handson_cnn --student handson_cnn --unlabelled 100",
    ),
    ("zoo-model-does-not-fit-data", "train --zoo jet_mlp --data digits --epochs 1 --out {ws}"),
    ("zoo-model-does-not-fit-data-new-ws", "train --zoo jet_mlp --data digits --epochs 1 --out {new}"),
    ("max-samples-0", "train --variant handson_cnn --data digits --epochs 1 --max-samples 0 --out {ws}"),
    (
        "max-samples-negative",
        "train --variant handson_cnn --data digits --epochs 1 --max-samples -3 --out {ws}",
    ),
    ("train-events-0", "train --variant handson_cnn --data muon_rpc --events 0 --epochs 1 --out {ws}"),
    ("train-epochs-0", "train --variant handson_cnn --data digits --epochs 0 --out {ws}"),
    ("train-lr-nan", "train --variant handson_cnn --data digits --lr nan --out {ws}"),
    ("train-unknown-variant", "train --variant nope --data digits --epochs 1 --out {ws}"),
    ("train-variant-no-workspace", "train --variant handson_cnn --data digits --epochs 1 --out {new}"),
    (
        "fixed-point-integer-beyond-width",
        "compress {ws} --variant handson_cnn --op fixed_point --param integer=99",
    ),
    (
        "fixed-point-integer-not-a-number",
        "compress {ws} --variant handson_cnn --op fixed_point --param integer=x",
    ),
    ("prune-sparsity-nan", "compress {ws} --variant handson_cnn --op prune --param sparsity=nan"),
    (
        "bool-param-not-a-bool",
        "compress {ws} --variant handson_cnn --op cluster --param preserve_sparsity=maybe",
    ),
    ("metrics-threshold-nan", "metrics {ws} --variant handson_cnn --threshold nan"),
    ("metrics-threshold-inf", "metrics {ws} --variant handson_cnn --threshold inf"),
    ("metrics-threshold-negative", "metrics {ws} --variant handson_cnn --threshold -5"),
    ("distill-alpha-beyond-1", "distill {ws} --teacher handson_cnn --student handson_cnn --alpha 2"),
    ("sensitivity-sparsity-1", "sensitivity {ws} --variant handson_cnn --sparsities 0.5,1.5"),
    ("import-report-missing", "hls {ws} --variant handson_cnn import-report {bad}/nothing_here"),
    ("walkthrough-unknown-step", "walkthrough handson1 --ws {ws} --step 99"),
    ("import-missing-model", "import {ws} {bad}/missing.h5"),
    ("import-missing-model-new-ws", "import {new} {bad}/missing.h5"),
    ("unknown-option", "workspace {ws} --bogus"),
    pytest.param("manifest-schema-text", "workspace {ws}", _schema_text, id="manifest-schema-text"),
    pytest.param("manifest-variants-text", "workspace {ws}", _variants_text, id="manifest-variants-text"),
    pytest.param(
        "manifest-variant-without-file",
        "workspace {ws}",
        _variant_without_file,
        id="manifest-no-file",
    ),
    pytest.param("manifest-null-variant", "workspace {ws}", _null_variant, id="manifest-null-variant"),
]
ROWS = [r if hasattr(r, "values") else pytest.param(*r, None, id=r[0]) for r in ROWS]


@pytest.mark.parametrize("name, command, change", ROWS)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    name, command, change, demo_workspace, bad, tmp_path, capfd
):
    ws = demo_workspace.root
    if change is not None:
        _manifest(ws, change)
    new = tmp_path / "new_ws"
    before = _state(ws)
    args = command.format(ws=ws, bad=bad, new=new).split()
    code, err = run_main(capfd, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, f"{name}: exit {code}\n{err}"
    assert "Traceback" not in err
    assert len(lines) == 1, f"{name}: {len(lines)} lines on stderr:\n{err}"
    assert _state(ws) == before, f"{name} changed the workspace"
    assert not new.exists(), f"{name} left a new workspace behind"


@pytest.mark.parametrize(
    "command",
    [
        "train --variant handson_cnn --data {bad}/nan_inputs.npz --epochs 1 --out {ws}",
        "metrics {ws} --variant handson_cnn --threshold nan",
        "hls {ws} --variant handson_cnn estimate --config {bad}/missing.yml",
    ],
)
def test_as_a_subprocess_too(command, demo_workspace, bad):
    """A few rows as a user really runs them: a fresh interpreter, TensorFlow's own start-up
    output included in what must stay one line."""
    ws = demo_workspace.root
    before = _state(ws)
    r = run_cli(*command.format(ws=ws, bad=bad).split())
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    assert len([line for line in r.stderr.splitlines() if line.strip()]) == 1, r.stderr
    assert _state(ws) == before


def test_a_training_that_blows_up_names_the_cause(demo_workspace, bad, capfd):
    ws = demo_workspace.root
    code, err = run_main(capfd, "train", "--zoo", "jet_mlp", "--data", bad / "huge_targets.npz", "--out", ws)
    assert code == 2
    assert "loss became inf at epoch 1, batch 1" in err and "nothing was saved" in err
    names = [v["name"] for v in json.loads((ws / "triglab.json").read_text())["variants"]]
    assert not any(n.startswith("jet_mlp") for n in names)  # neither the init nor the trained one


def test_non_finite_data_names_the_count_and_the_first_sample(bad, capfd):
    code, err = run_main(capfd, "data", bad / "nan_inputs.npz")
    assert code == 2
    assert "x_train holds 1 non-finite value(s) (NaN), the first in sample 7" in err
    code, err = run_main(capfd, "data", bad / "inf_targets.npz")
    assert code == 2 and "y_train" in err and "(inf)" in err and "sample 11" in err


def test_memory_refusal_gives_the_numbers(capfd, monkeypatch):
    code, err = run_main(capfd, "data", "muon_rpc", "--events", 10**12)
    assert code == 2
    assert "1,000,000,000,000 events" in err and "TB of memory" in err and "at most" in err
    # A limit of the user's own is honoured too (1 MB cannot hold 10,000 events).
    monkeypatch.setenv("TRIGLAB_MEMORY_LIMIT_GB", "0.001")
    code, err = run_main(capfd, "data", "muon_rpc", "--events", 10_000)
    assert code == 2 and "0.0 GB is available" in err


def test_unexpected_errors_are_one_line_with_a_hint_and_debug_shows_the_traceback(monkeypatch, capsys):
    import core.cli.models
    from core.cli import main

    def broken(args):
        raise RuntimeError("something\nwe did not foresee")

    monkeypatch.setattr(core.cli.models, "cmd_zoo", broken)
    assert main(["zoo"]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "triglab-cli: internal error: RuntimeError: something we did not foresee "
        "(run with --debug for the traceback)"
    ]
    assert main(["zoo", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_distillation_stops_when_the_loss_turns_non_finite():
    """Distillation trains through core.train.train: the same guard stops it, and no NaN student
    comes back."""
    import tensorflow as tf

    from core.data import Dataset
    from core.distill import distill_model
    from core.train import NonFiniteLossError

    rng = np.random.default_rng(1)

    def mlp(name):
        return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)], name=name)

    x = rng.random((64, 4)).astype("float32")
    huge = np.full((64, 1), 1e30, "float32")  # finite, but its square is not (float32)
    ds = Dataset("huge", "regression", x, huge, x[:16], huge[:16], x[:0], huge[:0])
    with pytest.raises(NonFiniteLossError, match="loss became inf"):
        distill_model(mlp("teacher"), mlp("student"), ds, alpha=0.5, epochs=1, batch_size=32)
