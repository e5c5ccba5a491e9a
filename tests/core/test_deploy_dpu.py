"""The Vitis AI DPU path: the pof2s int8 emulator, the u50-dpu build (stand-in compiler), run packages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from process_checks import cancel_while_the_tool_runs

from core.deploy import DeployError, get_target
from core.deploy import dpu_numpy as dn
from core.deploy import dpu_vitis as vitis
from core.jobs import Cancelled, RecordingProgress, SubprocessError

FAKE = Path(__file__).resolve().parents[1] / "fixtures" / "fake_vitis_ai"


def _dense_model(w_q, b_q, *, fix_in, fix_w, fix_b, fix_out, relu=False, softmax=False) -> dn.DpuModel:
    ops = [
        {
            "op": "dense",
            "name": "fc",
            "relu": relu,
            "fix_in": fix_in,
            "fix_w": fix_w,
            "fix_b": fix_b,
            "fix_out": fix_out,
        }
    ]
    if softmax:
        ops.append({"op": "softmax", "name": "sm"})
    meta = {
        "schema": dn.SCHEMA,
        "input_shape": [len(w_q)],
        "input_fix": fix_in,
        "output_fix": fix_out,
        "ops": ops,
    }
    return dn.DpuModel(meta, {"w0": np.asarray(w_q, np.int8), "b0": np.asarray(b_q, np.int32)})


# --- the arithmetic, by hand ----------------------------------------------------------------------------
def test_rounding_modes():
    x = np.array([2.5, -2.5, 1.5, -1.5, -2.6, 0.5, -0.5])
    assert dn.dpu_round(x).tolist() == [3, -2, 2, -1, -3, 1, 0]  # half up, as the DPU rounds
    assert dn.py3_round(x).tolist() == [2, -2, 2, -2, -3, 0, -0]  # half to even, for weights
    # the integer shift rounds half up too: 576/128 = 4.5 -> 5, -4.5 -> -4, 0.5 -> 1, -0.5 -> 0
    assert dn.shift_round(np.array([576, -576, 64, -64, 192, -193]), 7).tolist() == [5, -4, 1, 0, 2, -2]


def test_quantize_saturates_at_int8():
    assert dn.quantize(np.array([2.0, -3.0, 1.0, -2.0]), 6).tolist() == [127, -128, 64, -128]
    assert dn.quantize(np.array([0.0078125, -0.0078125]), 6).tolist() == [1, 0]  # 0.5 -> 1, -0.5 -> 0


def test_dense_2x2_computed_by_hand():
    # w = [[1.0, -0.5], [0.25, 0.75]] at fix 6; b = [3/32, -5/32] at fix 5; input fix 4, output fix 3
    model = _dense_model([[64, -32], [16, 48]], [3, -5], fix_in=4, fix_w=6, fix_b=5, fix_out=3)
    x = np.array([[0.5, -0.25]])
    x_q = model.quantize_input(x)
    assert x_q.tolist() == [[8, -4]]
    # acc = [8*64 - 4*16, -8*32 - 4*48] = [448, -448]; bias shift 4+6-5 = 5: + [96, -160] -> [544, -608]
    # output shift 4+6-3 = 7: 544/128 = 4.25 -> 4, -608/128 = -4.75 -> -5
    y_q = model.run_int(x_q)
    assert y_q.dtype == np.int8 and y_q.tolist() == [[4, -5]]
    np.testing.assert_array_equal(model.predict(x), [[0.5, -0.625]])
    relu = _dense_model([[64, -32], [16, 48]], [3, -5], fix_in=4, fix_w=6, fix_b=5, fix_out=3, relu=True)
    assert relu.run_int(x_q).tolist() == [[4, 0]]


def test_dense_saturates_at_plus_127_and_minus_128():
    model = _dense_model([[127, -128], [127, -128]], [0, 0], fix_in=6, fix_w=7, fix_b=7, fix_out=7)
    x_q = model.quantize_input(np.array([[1.984375, 1.984375]]))
    assert x_q.tolist() == [[127, 127]]
    # acc = [32258, -32512]; shift 6+7-7 = 6 -> [504, -508] -> saturated
    assert model.run_int(x_q).tolist() == [[127, -128]]


def test_negative_shift_bias_stays_exact():
    # bias fix above fix_in + fix_w: shift_bias = 2+3-7 = -2, the bias code 12 is worth 3 accumulator units
    model = _dense_model([[8]], [12], fix_in=2, fix_w=3, fix_b=7, fix_out=2)
    x_q = np.array([[4]], np.int8)  # 1.0
    # acc = 32 (1.0 at fix 5) + 3 = 35; shift 3: 4.375 -> 4
    assert model.run_int(x_q).tolist() == [[4]]


def test_fix_positions_follow_the_quantizer_methods():
    x = np.array([0.0, 0.3, 0.99])
    assert dn.fix_pos_non_overflow(x) == 7  # 0.99 * 128 = 126.7 fits, 0.99 * 256 does not
    assert dn.fix_pos_non_overflow(np.array([0.0, 1.0])) == 6  # 1.0 * 128 would overflow 127
    assert dn.fix_pos_non_overflow(np.array([-1.0, 0.0])) == 7  # -128 fits
    # min MSE may give up the largest values to resolve the rest (one outlier among small values)
    y = np.concatenate([np.full(1000, 0.01), [1.0]])
    assert dn.fix_pos_min_mse(y, "dpu") > dn.fix_pos_non_overflow(y)


def test_avgpool_multiplier_is_the_dpus():
    assert dn.avgpool_multiplier(2, 2) == (1, 2)
    assert dn.avgpool_multiplier(3, 3) == (7, 6)  # 7/64, not 1/9
    assert dn.avgpool_multiplier(7, 7) == (21, 10)


def test_model_file_round_trip_and_unknown_op(tmp_path):
    model = _dense_model([[64, -32], [16, 48]], [3, -5], fix_in=4, fix_w=6, fix_b=5, fix_out=3, softmax=True)
    model.save(tmp_path / "m.npz")
    again = dn.DpuModel.load(tmp_path / "m.npz")
    x = np.array([[0.5, -0.25], [0.1, 0.2]])
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert np.allclose(again.predict(x).sum(axis=1), 1.0)  # softmax on the CPU
    bad = dict(model.meta, ops=[{"op": "lstm", "name": "rnn"}])
    with pytest.raises(dn.DpuModelError, match="lstm"):
        dn.DpuModel(bad, {})


# --- conversion of Keras models -----------------------------------------------------------------------
def _keras():
    import tensorflow as tf

    return tf.keras


def test_unsupported_layer_is_refused_by_name():
    from core.deploy.dpu_convert import keras_to_dpu

    k = _keras()
    model = k.Sequential(
        [
            k.layers.Input((4,)),
            k.layers.Dense(3, name="fc"),
            k.layers.LeakyReLU(name="leaky"),
            k.layers.Dense(2),
        ]
    )
    with pytest.raises(DeployError, match=r"Layer 'leaky' \(LeakyReLU\)"):
        keras_to_dpu(model, np.zeros((8, 4), np.float32))


def test_batchnorm_is_folded_and_relu_fused():
    from core.deploy.dpu_convert import keras_to_dpu

    k = _keras()
    rng = np.random.default_rng(0)
    model = k.Sequential(
        [
            k.layers.Input((6, 6, 2)),
            k.layers.Conv2D(4, 3, padding="same", name="conv"),
            k.layers.BatchNormalization(name="bn"),
            k.layers.Activation("relu", name="relu"),
            k.layers.AveragePooling2D(2, name="avg"),
            k.layers.Dropout(0.5, name="drop"),
            k.layers.Flatten(),
            k.layers.Dense(3, name="out"),
        ]
    )
    bn = model.get_layer("bn")
    bn.set_weights(
        [rng.uniform(0.5, 2, 4), rng.normal(0, 0.3, 4), rng.normal(0, 0.3, 4), rng.uniform(0.5, 2, 4)]
    )
    x = rng.uniform(-1, 1, (200, 6, 6, 2)).astype(np.float32)
    dm = keras_to_dpu(model, x[:100])
    assert [op["op"] for op in dm.meta["ops"]] == ["conv2d", "avgpool", "flatten", "dense"]
    assert dm.meta["ops"][0]["relu"] is True
    y_float = model.predict(x[100:], verbose=0)
    y_dpu = dm.predict(x[100:])
    # int8 with power-of-two scales: agreement to a few output quanta, not bit-exact; the min-MSE
    # output position may let rare large values saturate (at 127 or -128 quanta)
    quantum = 2.0 ** (-dm.output_fix)
    inside = (y_dpu > -128 * quantum) & (y_dpu < 127 * quantum)
    assert inside.mean() > 0.95
    assert np.max(np.abs(y_dpu - y_float)[inside]) < 8 * quantum
    assert np.all(np.abs(y_float[~inside]) >= 120 * quantum)
    assert np.corrcoef(y_dpu.ravel(), y_float.ravel())[0, 1] > 0.99


def test_cross_layer_equalization_keeps_the_function_and_balances_channels():
    from core.deploy.dpu_convert import equalize

    rng = np.random.default_rng(1)
    w1 = rng.normal(0, 1, (3, 3, 2, 4)) * np.array([0.01, 1.0, 5.0, 0.2])  # badly balanced channels
    w2 = rng.normal(0, 1, (3, 3, 4, 3))
    ops = [
        {
            "op": "conv2d",
            "w": w1,
            "b": rng.normal(0, 0.1, 4),
            "relu": True,
            "strides": [1, 1],
            "padding": "same",
        },
        {"op": "conv2d", "w": w2, "b": np.zeros(3), "relu": False, "strides": [1, 1], "padding": "valid"},
        {"op": "flatten"},
    ]

    def forward(ops, x):
        h = np.maximum(dn.conv_acc(x, ops[0]["w"], (1, 1), "same") + ops[0]["b"], 0)
        return dn.conv_acc(h, ops[1]["w"], (1, 1), "valid") + ops[1]["b"]

    x = rng.normal(0, 1, (5, 6, 6, 2))
    before = forward(ops, x)
    assert equalize(ops) == 1
    np.testing.assert_allclose(forward(ops, x), before, rtol=1e-9, atol=1e-9)
    # converged: each channel's largest weight is the same on both sides of the ReLU
    head = np.abs(np.concatenate([ops[0]["w"].reshape(-1, 4), ops[0]["b"].reshape(1, -1)])).max(axis=0)
    tail = np.abs(ops[1]["w"].transpose(0, 1, 3, 2).reshape(-1, 4)).max(axis=0)
    np.testing.assert_allclose(head, tail, rtol=1e-6)


# --- emulator-dpu on the hands-on 1 CNN --------------------------------------------------------------
@pytest.fixture(scope="module")
def emulated(demo_workspace_session, tmp_path_factory):
    ws = demo_workspace_session
    variant = next(v.name for v in ws.variants.values() if v.operation == "train")
    target = get_target("emulator-dpu")
    artifact = target.build(ws, variant, tmp_path_factory.mktemp("emu"))
    return ws, variant, target, artifact


def test_emulator_keeps_the_digits_cnn_within_one_point(emulated, digits):
    ws, variant, target, artifact = emulated
    assert target.emulated and target.path == "dpu" and target.availability().ok
    keras_acc = float(
        np.mean(ws.load_model(variant).predict(digits.x_test, verbose=0).argmax(1) == digits.y_test)
    )
    with target.runner(artifact) as runner:
        out = runner.run(digits.x_test, batch_size=64)
    assert out.device == "emulator-dpu (emulated on CPU)"
    assert len(out.batch_seconds) == -(-len(digits.x_test) // 64)
    dpu_acc = float(np.mean(out.outputs.argmax(1) == digits.y_test))
    assert abs(dpu_acc - keras_acc) <= 0.01, (dpu_acc, keras_acc)
    assert artifact.info["calibration_events"] == 320 and artifact.info["softmax_on_cpu"]
    # a pooling sits between its two convolutions: the quantizer's equalization patterns do not match
    assert dn.DpuModel.load(artifact.path).meta["cle_pairs"] == 0


def test_pof2s_is_not_tflite_int8(emulated, digits):
    """The DPU's scales are per-tensor powers of two; TFLite's are per-channel floats."""
    import tensorflow as tf

    from core.compress.quantize import convert_tflite

    ws, variant, _, artifact = emulated
    dm = dn.DpuModel.load(artifact.path)
    for i, op in enumerate(dm.meta["ops"]):
        if op["op"] in ("conv2d", "dense"):
            assert all(isinstance(op[k], int) for k in ("fix_in", "fix_w", "fix_b", "fix_out"))
            assert dm.arrays[f"w{i}"].dtype == np.int8
    model = ws.load_model(variant)
    interpreter = tf.lite.Interpreter(model_content=convert_tflite(model, digits.x_train[:100]))
    scales = [
        d["quantization_parameters"]["scales"]
        for d in interpreter.get_tensor_details()
        if d["dtype"] == np.int8 and len(d["quantization_parameters"]["scales"]) > 1
    ]
    assert scales, "TFLite int8 has per-channel weight scales"
    log2 = np.log2(np.concatenate(scales))
    assert not np.allclose(log2, np.round(log2)), "TFLite's scales are not powers of two"


# --- u50-dpu: detection, build package, stand-in compiler --------------------------------------------
def test_u50_is_unavailable_here_and_says_why(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    avail = get_target("u50-dpu").availability()
    assert not avail.ok
    # Running needs the card and the Vitis AI runtime (discovery says which is missing); building
    # without vai_c_tensorflow2 falls back to a build package (next test).
    assert "no Alveo U50 card" in avail.reason and "vart and xir not importable" in avail.reason
    assert "Vitis AI" in avail.fix and "run package" in avail.fix


def test_u50_build_without_tools_writes_a_build_package(emulated, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    ws, variant, _, _ = emulated
    target = get_target("u50-dpu")
    progress = RecordingProgress()
    artifact = target.build(ws, variant, tmp_path / "u50", progress=progress)
    pkg = artifact.path
    assert artifact.info["kind"] == "build-package" and artifact.info["xmodel"] is None
    assert {p.name for p in pkg.iterdir()} == {
        "model.h5",
        "calib.npy",
        "quantize.py",
        "build.sh",
        "README.md",
    }
    assert np.load(pkg / "calib.npy").shape == (320, 8, 8, 1)
    name = vitis.net_name(variant)
    assert (
        f"vai_c_tensorflow2 -m quantized.h5 -a $ARCH -o compiled -n {name}" in (pkg / "build.sh").read_text()
    )
    assert 'quantize_strategy="pof2s"' in (pkg / "quantize.py").read_text()
    assert "calib_dataset=calib" in (pkg / "quantize.py").read_text()
    readme = (pkg / "README.md").read_text()
    assert (
        "/opt/vitis_ai/compiler/arch/DPUCAHX8H/U50/arch.json" in readme and "vitis-ai-tensorflow2" in readme
    )
    assert any("build package" in line for line in progress.lines)
    with pytest.raises(DeployError, match="no compiled xmodel"):
        target.runner(artifact)
    runner = target.package(artifact, tmp_path / "pkgdir")
    assert runner["xmodel"] is None and runner["build_package"] == "build_package"
    assert (tmp_path / "pkgdir" / "build_package" / "model.h5").is_file()


def test_write_build_package_alone_and_a_variant_without_data(demo_workspace, tmp_path):
    from core.deploy.dpu import write_build_package

    variant = next(v.name for v in demo_workspace.variants.values() if v.operation == "train")
    out = write_build_package(demo_workspace, variant, tmp_path / "bp", calibration_events=100)
    assert np.load(out / "calib.npy").shape == (100, 8, 8, 1) and (out / "model.h5").is_file()
    demo_workspace[variant].dataset = None
    with pytest.raises(DeployError, match="has no data set"):
        get_target("emulator-dpu").build(demo_workspace, variant, tmp_path / "emu")
    assert not (tmp_path / "emu").exists()


@pytest.fixture
def stand_in_tools(tmp_path, monkeypatch):
    """The stand-in compiler first on PATH, its made-up arch.json where the U50's is searched."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "vai_c_tensorflow2"
    exe.write_text(f"#!{sys.executable}\n" + (FAKE / "vai_c_tensorflow2").read_text().split("\n", 1)[1])
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(vitis, "ARCH_CANDIDATES", [FAKE / "arch.json"])
    return exe


def test_compile_runs_the_exact_command_and_streams_the_log(stand_in_tools, tmp_path, monkeypatch):
    args_file = tmp_path / "args.json"
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(args_file))
    h5 = tmp_path / "quantized.h5"
    h5.write_bytes(b"stand-in")
    progress = RecordingProgress()
    xmodel = vitis.compile_xmodel(h5, FAKE / "arch.json", tmp_path / "out", "handson_cnn", progress=progress)
    assert xmodel == tmp_path / "out" / "handson_cnn.xmodel" and xmodel.is_file()
    assert json.loads(args_file.read_text()) == [
        "-m", str(h5), "-a", str(FAKE / "arch.json"), "-o", str(tmp_path / "out"), "-n", "handson_cnn"
    ]  # fmt: skip
    assert any("Target architecture: DPUCAHX8H_STAND_IN" in line for line in progress.lines)
    assert any("Compile done" in line for line in progress.lines)
    monkeypatch.setenv("TRIGLAB_STANDIN_EXIT", "4")
    with pytest.raises(SubprocessError, match="exited with code 4"):
        vitis.compile_xmodel(h5, FAKE / "arch.json", tmp_path / "out2", "x", progress=RecordingProgress())


def test_cancel_kills_the_compiler_and_its_children(stand_in_tools, tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("TRIGLAB_STANDIN_SLEEP", "120")
    monkeypatch.setenv("TRIGLAB_STANDIN_PIDFILE", str(pidfile))
    h5 = tmp_path / "quantized.h5"
    h5.write_bytes(b"stand-in")
    progress = RecordingProgress()
    error = cancel_while_the_tool_runs(
        lambda: vitis.compile_xmodel(h5, FAKE / "arch.json", tmp_path / "out", "net", progress=progress),
        progress,
        pidfile,
    )
    assert isinstance(error, Cancelled)
    assert not (tmp_path / "out" / "net.xmodel").exists()


def test_u50_build_with_the_tools_compiles_an_xmodel(emulated, stand_in_tools, tmp_path, monkeypatch):
    ws, variant, _, _ = emulated

    def stand_in_quantizer(pkg_dir, progress=None):  # the real one needs Vitis AI's tf-model-optimization
        (pkg_dir / "quantized.h5").write_bytes((pkg_dir / "model.h5").read_bytes())
        return pkg_dir / "quantized.h5"

    monkeypatch.setattr(vitis, "_quantizer_importable", lambda: True)
    monkeypatch.setattr(vitis, "quantize_in_build_package", stand_in_quantizer)
    target = get_target("u50-dpu")
    progress = RecordingProgress()
    artifact = target.build(ws, variant, tmp_path / "u50", progress=progress)
    name = vitis.net_name(variant)
    assert artifact.info["kind"] == "xmodel" and artifact.path.name == f"{name}.xmodel"
    assert artifact.path.read_text().startswith("STAND-IN")
    assert any(
        line.startswith("$ vai_c_tensorflow2") or "vai_c_tensorflow2 -m" in line for line in progress.lines
    )
    runner = target.package(artifact, tmp_path / "pkg")
    assert runner["xmodel"] == f"{name}.xmodel" and (tmp_path / "pkg" / runner["xmodel"]).is_file()
    with pytest.raises(DeployError, match="Cannot run on the U50 here"):
        target.runner(artifact)


# --- the standalone runner, as the lab server runs it ----------------------------------------------
def _write_package(target, artifact, dest: Path, x: np.ndarray, batch_size: int = 50) -> Path:
    runner = target.package(artifact, dest)
    np.save(dest / "inputs.npy", x.astype(np.float32))
    manifest = {
        "package_id": "test-0001",
        "variant": artifact.variant,
        "target": target.name,
        "inputs": "inputs.npy",
        "batch_size": batch_size,
        "runner": runner,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest))
    return dest


def _standalone(pkg: Path, out: Path, *extra: str, sys_path: str = "") -> subprocess.CompletedProcess:
    """run_dpu.py in a fresh, isolated interpreter (-I: no PYTHONPATH, no script folder on sys.path);
    fails if anything of TrigLab or TensorFlow got imported."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import runpy, sys\n"
        f"sys.path[:0] = {[sys_path] if sys_path else []!r}\n"
        f"sys.argv = ['run_dpu.py', '--package', {str(pkg)!r}, '--out', {str(out)!r}, *{list(extra)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(pkg / 'run_dpu.py')!r}, run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    rc = e.code or 0\n"
        "else:\n"
        "    rc = 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('core', 'tensorflow', 'keras'))\n"
        "assert not bad, bad\n"
        "sys.exit(rc)\n"
    )
    return subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=pkg, env=env, capture_output=True, text=True, timeout=120
    )


def test_run_dpu_emulator_in_a_fresh_process(emulated, digits, tmp_path):
    _, _, target, artifact = emulated
    x = digits.x_test[:120]
    pkg = _write_package(target, artifact, tmp_path / "pkg", x)
    out = tmp_path / "results.json"
    proc = _standalone(pkg, out, "--emulator")
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    assert res["schema"] == "triglab-run-results/1" and res["package_id"] == "test-0001"
    assert res["emulated"] is True and res["device"] == "emulator-dpu (emulated on CPU)"
    assert res["target"] == "emulator-dpu" and res["events"] == 120 and res["batch_size"] == 50
    assert len(res["batch_seconds"]) == 3 and res["total_seconds"] >= sum(res["batch_seconds"]) * 0.5
    with target.runner(artifact) as runner:
        local = runner.run(x, 50).outputs
    np.testing.assert_array_equal(np.asarray(res["outputs"]), local)


def test_run_dpu_refuses_what_it_cannot_run(emulated, digits, tmp_path):
    _, _, target, artifact = emulated
    pkg = _write_package(target, artifact, tmp_path / "pkg", digits.x_test[:10])
    proc = _standalone(pkg, tmp_path / "r.json")  # no --emulator, and the package has no xmodel
    assert proc.returncode == 2 and "no compiled xmodel" in proc.stderr and "--emulator" in proc.stderr
    assert not (tmp_path / "r.json").exists()
    manifest = json.loads((pkg / "manifest.json").read_text())
    manifest["inputs"] = "../../etc/passwd"
    (pkg / "manifest.json").write_text(json.dumps(manifest))
    proc = _standalone(pkg, tmp_path / "r.json", "--emulator")
    assert proc.returncode == 2 and "inside the package" in proc.stderr


def test_runner_label_matches_the_standalone_script():
    from core.deploy import dpu
    from core.deploy.standalone import run_dpu

    assert dpu.EMULATOR_DEVICE == run_dpu.EMULATED_DEVICE == f"{get_target('emulator-dpu').label}"


@pytest.fixture
def stand_in_vart(monkeypatch):
    """The stand-in ``vart``/``xir`` modules importable, a stand-in card found; all undone after."""
    monkeypatch.syspath_prepend(str(FAKE / "python"))
    monkeypatch.setattr(vitis, "_find_card", lambda: ("stand-in Alveo U50 (test)", "test"))
    yield FAKE / "python"
    for name in ("vart", "xir"):
        sys.modules.pop(name, None)


def _stand_in_xmodel(pkg: Path, batch: int = 4) -> str:
    spec = {
        "stand_in": True,
        "dpu_model": str(pkg / "dpu_model.npz"),
        "engine": str(pkg / "dpu_numpy.py"),
        "batch": batch,
    }
    (pkg / "net.xmodel").write_text(json.dumps(spec))
    return "net.xmodel"


def test_run_dpu_card_path_through_stand_in_vart(emulated, digits, tmp_path, stand_in_vart):
    """run_dpu.py's VART calls (DPU subgraph, int8 buffers of the DPU batch, fix points, CPU softmax),
    against stand-in vart/xir modules that compute with the numpy engine: same numbers as the emulator."""
    _, _, target, artifact = emulated
    x = digits.x_test[:122]  # not a multiple of the DPU batch (4) nor of the run batch (50)
    pkg = _write_package(get_target("u50-dpu"), artifact, tmp_path / "pkg", x)
    manifest = json.loads((pkg / "manifest.json").read_text())
    manifest["runner"]["xmodel"] = _stand_in_xmodel(pkg)
    (pkg / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "results.json"
    proc = _standalone(pkg, out, sys_path=str(stand_in_vart))
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    assert res["emulated"] is False and "STAND-IN_dpu_subgraph" in res["device"]
    with target.runner(artifact) as runner:
        local = runner.run(x, 50).outputs
    np.testing.assert_array_equal(np.asarray(res["outputs"]), local)
    assert np.allclose(local.sum(axis=1), 1.0)  # softmax on the CPU after the DPU


def test_u50_runner_in_process_through_stand_in_vart(emulated, digits, tmp_path, stand_in_vart):
    _, _, target, artifact = emulated
    pkg = tmp_path / "x"
    target.package(artifact, pkg)
    xmodel = pkg / _stand_in_xmodel(pkg, batch=8)
    card = type(artifact)(
        "u50-dpu", artifact.variant, xmodel, dict(artifact.files), {**artifact.info, "kind": "xmodel"}
    )
    u50 = get_target("u50-dpu")
    with u50.runner(card) as runner:
        out = runner.run(digits.x_test[:30], batch_size=16)
    assert "STAND-IN" in out.device and "emulated" not in out.device and len(out.batch_seconds) == 2
    with target.runner(artifact) as emu:
        np.testing.assert_array_equal(out.outputs, emu.run(digits.x_test[:30], 16).outputs)
