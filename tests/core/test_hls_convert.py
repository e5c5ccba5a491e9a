"""hls4ml configuration, conversion, cached g++ compile and C simulation against Keras.

Real hls4ml 1.3 and real g++. Two full compiles (jet_mlp at ap_fixed<18,8> and at ap_fixed<6,2>),
shared through module fixtures, plus a compile cancelled at its first g++ step and one that fails
at once on corrupted source.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import hls4ml  # noqa: F401 - required: a broken install must fail here, not skip
import numpy as np
import pytest

from core.hls import (
    HlsConfig,
    HlsError,
    HlsSettings,
    cache_key,
    compare_with_keras,
    compile_model,
    csimulate,
    hls4ml_ready_model,
    make_config,
)
from core.hls import convert as hls_convert  # noqa: E402
from core.jobs import Cancelled, Progress, RecordingProgress  # noqa: E402

needs_gpp = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C simulation")
JET_LAYERS = ["input", "fc1", "fc1_linear", "relu1", "fc2", "fc2_linear", "relu2", "fc3", "fc3_linear",
              "relu3", "output", "output_linear", "softmax"]  # fmt: skip
TRACED = ["fc1", "relu1", "fc2", "relu2", "fc3", "relu3", "output", "softmax"]


@pytest.fixture(scope="module")
def jet():
    from core.zoo import build_model

    return build_model("jet_mlp", seed=0)


@pytest.fixture(scope="module")
def x_jet():
    # Wide inputs spread the untrained network's logits, so few classes are near-tied.
    return (4.0 * np.random.default_rng(1).normal(size=(2000, 16))).astype(np.float32)


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    return tmp_path_factory.mktemp("hls_cache")


@pytest.fixture(scope="module")
def compiled_jet(jet, cache_root):
    """jet_mlp compiled once at ap_fixed<18,8> (compile 1 of 2)."""
    progress = RecordingProgress()
    config = make_config(jet, HlsSettings(default_precision="ap_fixed<18,8>"))
    return compile_model(jet, config, cache_root, progress=progress), progress


# --- configuration (no compile) ---------------------------------------------------------------
def test_make_config_rows_for_jet_mlp(jet):
    config = make_config(jet)
    rows = {r.name: r for r in config.layers()}
    assert [r.name for r in config.layers()] == JET_LAYERS
    assert config.name_map == {"input": "input_layer"}  # hls4ml refuses a layer named 'input'
    assert rows["input"].class_name == "InputLayer" and not rows["input"].generated
    assert rows["fc1_linear"].generated and not rows["fc1"].generated
    fc1 = rows["fc1"]
    assert fc1.class_name == "Dense"
    assert (fc1.weight, fc1.bias, fc1.result, fc1.accum) == ("ap_fixed<16,6>",) * 3 + ("auto",)
    assert fc1.reuse_factor == 1 and fc1.strategy == "Latency"
    assert rows["relu1"].weight is None and rows["relu1"].result == "ap_fixed<16,6>"
    assert rows["softmax"].class_name == "Softmax"
    assert rows["softmax"].extra["inp_norm_t"] == "ap_ufixed<10,4,AP_TRN,AP_SAT>"
    assert rows["softmax"].extra["inv_inp_t"] == "ap_ufixed<10,3,AP_TRN,AP_SAT>"  # sum of 5 exps < 8

    hls = config.to_hls4ml()
    assert "input_layer" in hls["LayerName"] and "input" not in hls["LayerName"]
    assert hls["Model"] == {
        "Precision": {"default": "ap_fixed<16,6>"},
        "ReuseFactor": 1,
        "Strategy": "Latency",
        "BramFactor": 1_000_000_000,
        "TraceOutput": False,
    }
    assert hls["LayerName"]["fc1"]["Precision"]["weight"] == "ap_fixed<16,6>"
    # The user's model is untouched: its input layer keeps its name.
    assert hls4ml_ready_model(jet)[0] is not jet
    assert hls_convert.keras_layer_names(jet)[0] == "input"


def test_renamed_layers_of_a_functional_model():
    import tensorflow as tf

    inp = tf.keras.Input(shape=(6,), name="input")
    hidden = tf.keras.layers.Dense(8, activation="relu", name="dense-1")(inp)
    out = tf.keras.layers.Dense(2, name="input_scale")(hidden)
    model = tf.keras.Model(inp, out)
    config = make_config(model)
    assert config.name_map == {"input": "input_layer", "dense-1": "dense_1"}
    rows = {r.name: r for r in config.layers()}
    assert rows["dense-1_relu"].generated and rows["dense-1_relu"].hls_name == "dense_1_relu"
    assert rows["input_scale"].hls_name is None  # not renamed, although it starts with 'input_'
    assert list(config.to_hls4ml()["LayerName"]) == [
        "input_layer",
        "dense_1",
        "dense_1_relu",
        "input_scale",
        "input_scale_linear",
    ]
    assert config.layer("dense_1") is rows["dense-1"] and config.user_name("dense_1_relu") == "dense-1_relu"
    ready, name_map = hls4ml_ready_model(model)
    assert [layer.name for layer in ready.layers] == ["input_layer", "dense_1", "input_scale"]
    x = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    np.testing.assert_array_equal(ready.predict(x, verbose=0), model.predict(x, verbose=0))
    assert HlsConfig.from_yaml(config.to_yaml()) == config


def test_edit_and_yaml_round_trip(jet, tmp_path):
    config = make_config(jet)
    config.set("fc1", "weight", "ap_fixed<8,3>")
    config.set("fc1", "reuse_factor", 4)
    config.set("fc2", "strategy", "resource")
    config.set("input", "result", "ap_fixed<12,4>")
    config.set_setting("io_type", "io_stream")
    config.set_setting("clock_period_ns", 4.0)
    config.set_setting("default_precision", "ap_fixed<14,5>")
    rows = {r.name: r for r in config.layers()}
    assert rows["fc1"].weight == "ap_fixed<8,3>"  # edited: kept
    assert rows["fc1"].bias == rows["fc2"].weight == "ap_fixed<14,5>"  # followed the default
    assert rows["fc2"].strategy == "Resource" and rows["fc3"].strategy == "Latency"
    assert config.settings.clock_mhz == pytest.approx(250.0)

    for layer, field, value in [
        ("fc1", "weight", "float32"),
        ("fc1", "reuse_factor", 0),
        ("fc1", "reuse_factor", 1.5),
        ("fc1", "strategy", "Fastest"),
        ("relu1", "weight", "ap_fixed<8,3>"),
        ("nope", "weight", "ap_fixed<8,3>"),
        ("fc1", "colour", "red"),
    ]:
        with pytest.raises(HlsError):
            config.set(layer, field, value)
    with pytest.raises(HlsError):
        config.set_setting("io_type", "io_serial")
    with pytest.raises(HlsError):
        HlsSettings(default_precision="auto")

    text = config.to_yaml(keras_model=str(tmp_path / "jet_hls4ml.keras"), output_dir="jet_prj")
    assert HlsConfig.from_yaml(text) == config
    assert HlsConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.copy() == config and config.copy() is not config

    import yaml

    data = yaml.safe_load(text)
    assert data["Backend"] == "Vitis" and data["Part"] == "xcu50-fsvh2104-2-e"
    assert data["IOType"] == "io_stream" and data["ClockPeriod"] == 4.0
    assert data["HLSConfig"]["LayerName"]["input_layer"]["Precision"]["result"] == "ap_fixed<12,4>"
    assert data["HLSConfig"]["LayerName"]["fc1"]["ReuseFactor"] == 4

    # Another machine: plain hls4ml reads the file and the renamed model it points to.

    ready, _ = hls4ml_ready_model(jet)
    ready.save(tmp_path / "jet_hls4ml.keras")
    (tmp_path / "config.yml").write_text(text, encoding="utf-8")
    graph = hls4ml.converters.convert_from_config(str(tmp_path / "config.yml"))
    fc1 = graph.graph["fc1"]
    assert fc1.get_attr("reuse_factor") == 4
    assert str(fc1.get_attr("weight_t").precision).startswith("fixed<8,3")
    assert graph.config.get_config_value("IOType") == "io_stream"
    assert graph.config.get_strategy(graph.graph["fc2"]).lower() == "resource"


def test_qkeras_layers_take_their_quantizers(jet):
    from core.compress.qkeras_convert import to_qkeras
    from core.weights import FixedPointFormat

    qmodel = to_qkeras(jet, {"weight_bits": 6, "weight_integer": 0, "act_bits": 8, "act_integer": 3})
    config = make_config(qmodel)
    rows = {r.name: r for r in config.layers()}
    fc1 = rows["fc1"]
    assert fc1.class_name == "QDense" and set(fc1.quantized) == {"weight", "bias"}
    w = FixedPointFormat.parse(fc1.weight)
    assert (w.width, w.integer, w.signed) == (6, 1, True)  # quantized_bits(6, 0) = ap_fixed<6,1>
    relu = FixedPointFormat.parse(rows["relu1"].result)
    assert (relu.width, relu.integer, relu.signed) == (8, 3, False)  # quantized_relu(8, 3)
    assert rows["relu1"].quantized == ("result",)
    assert rows["softmax"].quantized == () and rows["softmax"].result == "ap_fixed<16,6>"
    # A change of the default precision leaves quantizer precisions alone; an edit takes over.
    config.set_setting("default_precision", "ap_fixed<20,8>")
    assert rows["fc1"].weight == fc1.weight and rows["fc1"].result == "ap_fixed<20,8>"
    config.set("fc1", "weight", "ap_fixed<4,1>")
    assert rows["fc1"].quantized == ("bias",)


def test_unsupported_layer_names_it_and_changes_nothing(tmp_path):
    import tensorflow as tf

    class TimesTwo(tf.keras.layers.Layer):
        def call(self, x):
            return 2.0 * x

    inp = tf.keras.Input(shape=(4,), name="x")
    out = tf.keras.layers.Dense(3, name="dense")(TimesTwo(name="times_two")(inp))
    model = tf.keras.Model(inp, out)
    with pytest.raises(HlsError) as err:
        make_config(model)
    assert err.value.layer == "times_two" and "'times_two'" in str(err.value)
    assert "TimesTwo" in str(err.value)
    root = tmp_path / "cache"
    with pytest.raises(HlsError) as err:
        compile_model(model, None, root)
    assert err.value.layer == "times_two"
    assert not root.exists()


def test_config_of_another_model_is_refused(jet, tmp_path):
    from core.zoo import build_model

    with pytest.raises(HlsError, match="another model"):
        compile_model(jet, make_config(build_model("handson_cnn")), tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


# --- compile and C simulation -----------------------------------------------------------------
@pytest.mark.slow
@needs_gpp
def test_compile_streams_gpp_and_agrees_with_keras(jet, compiled_jet, x_jet):
    compiled, progress = compiled_jet
    assert not compiled.cache_hit
    assert compiled.lib_path.is_file() and compiled.project_dir.parent.exists()
    assert compiled.name_map == {"input": "input_layer"}
    # streamed as steps; the commands and warnings are in the log file (compiled.log) only
    assert any(line.startswith("g++: compiling the network") for line in progress.lines)
    assert any(line.startswith("+ g++") and " -c " in line for line in compiled.log)
    assert not any(": warning:" in line for line in progress.lines)
    assert any("g++" in message for _, message in progress.updates)
    assert progress.updates[-1][0] == 1.0
    assert compiled.build_seconds > 0 and compiled.compile_seconds >= compiled.build_seconds

    y = csimulate(compiled, x_jet[:10])
    assert y.shape == (10, 5) and y.dtype == np.float32
    assert csimulate(compiled, x_jet[:1]).shape == (1, 5)
    with pytest.raises(HlsError, match="shape"):
        csimulate(compiled, np.zeros((3, 15), np.float32))

    report = compare_with_keras(jet, compiled, x_jet, trace_samples=500)
    assert report.agreement >= 0.99
    assert report.max_abs_error < 0.1
    assert [la.name for la in report.layers] == TRACED
    for la in report.layers:
        assert np.isfinite([la.max_abs_error, la.mean_abs_error, la.rel_error]).all()
        assert la.rel_error < report.tolerance and not la.out_of_range
        assert la.precision.startswith(("fixed<", "ufixed<"))
    assert report.first_bad_layer is None and report.trace_samples == 500
    json.dumps(report.to_dict())
    assert "agreement" in report.summary()

    labels = np.argmax(jet.predict(x_jet, verbose=0), axis=1)
    with_y = compare_with_keras(jet, compiled, x_jet[:200], labels[:200], trace_samples=0)
    assert with_y.metric_name == "accuracy" and with_y.keras_metric == 1.0 and with_y.layers == []
    regression = compare_with_keras(jet, compiled, x_jet[:100], task="regression", trace_samples=10)
    assert regression.agreement is None and regression.rmse < 0.05 and len(regression.layers) == len(TRACED)

    # hls4ml's own YAML of the project reads back into the same configuration.
    own = HlsConfig.from_yaml((compiled.project_dir / "hls4ml_config.yml").read_text())
    assert own.settings == compiled.config.settings
    assert own.layer("fc1").weight == "ap_fixed<18,8>"


@pytest.mark.slow
@needs_gpp
def test_unchanged_configuration_is_a_cache_hit_without_gpp(
    jet, compiled_jet, cache_root, x_jet, monkeypatch
):
    from core.zoo import build_model

    first, _ = compiled_jet

    def no_gpp(*args, **kwargs):
        raise AssertionError("a cache hit must not run the build script")

    monkeypatch.setattr(hls_convert, "run_subprocess", no_gpp)
    same_model = build_model("jet_mlp", seed=0)  # a fresh object with the same weights
    config = make_config(same_model, HlsSettings(default_precision="ap_fixed<18,8>"))
    progress = RecordingProgress()
    again = compile_model(same_model, config, cache_root, progress=progress)
    assert again.cache_hit and again.key == first.key and again.project_dir == first.project_dir
    # (how fast a cache hit is: bench/bench_hls.py)
    assert again.log == first.log and again.build_seconds == pytest.approx(first.build_seconds)
    np.testing.assert_array_equal(csimulate(again, x_jet[:300]), csimulate(first, x_jet[:300]))
    assert compare_with_keras(same_model, again, x_jet[:300], trace_samples=20).layers

    # Anything that changes the firmware changes the key.
    other = config.copy()
    other.set("fc2", "reuse_factor", 2)
    assert cache_key(same_model, other) != first.key
    retrained = build_model("jet_mlp", seed=1)
    assert cache_key(retrained, config) != first.key
    assert cache_key(same_model, config) == first.key


@pytest.mark.slow
@needs_gpp
def test_cancel_during_gpp_leaves_no_cache_entry(jet, cache_root, compiled_jet):
    before = sorted(p.name for p in cache_root.iterdir())
    config = make_config(jet, HlsSettings(default_precision="ap_fixed<14,6>"))
    key = cache_key(jet, config)
    seen: list[str] = []

    def on_log(line: str) -> None:
        seen.append(line)
        if line.startswith("g++: compiling the network"):  # the step g++ is on: cancel
            progress.cancel()

    progress = Progress(on_log=on_log)
    with pytest.raises(Cancelled):
        compile_model(jet, config, cache_root, progress=progress)
    assert any(line.startswith("g++: compiling the network") for line in seen)
    assert not (cache_root / key).exists()
    assert sorted(p.name for p in cache_root.iterdir()) == before


@pytest.mark.slow
@needs_gpp
def test_gpp_failure_reports_the_compiler_lines(jet, cache_root, compiled_jet, monkeypatch):
    original = hls_convert._run_build_script

    def corrupt_then_build(project_dir, progress, log):
        source = project_dir / "firmware" / "myproject.cpp"
        source.write_text("this_is_not_cpp triglab_corrupted;\n" + source.read_text())
        return original(project_dir, progress, log)

    monkeypatch.setattr(hls_convert, "_run_build_script", corrupt_then_build)
    config = make_config(jet, HlsSettings(default_precision="ap_fixed<12,5>"))
    with pytest.raises(HlsError) as err:
        compile_model(jet, config, cache_root)
    message = str(err.value)
    assert "g++" in message and "Last compiler lines" in message
    assert "this_is_not_cpp" in message and "error" in message
    # the whole compiler output is kept in a file the message names
    failed_log = Path(re.search(r"the full compiler output is in (\S+?\.log)", message).group(1))
    assert "this_is_not_cpp" in failed_log.read_text()
    assert not (cache_root / cache_key(jet, config)).exists()


@pytest.mark.slow
@needs_gpp
def test_too_narrow_precision_names_the_first_bad_layer(jet, cache_root, x_jet):
    """Compile 2 of 2: ap_fixed<6,2> wraps fc1's outputs (|x| up to ~10 > 2)."""
    config = make_config(jet, HlsSettings(default_precision="ap_fixed<6,2>"))
    compiled = compile_model(jet, config, cache_root)
    report = compare_with_keras(jet, compiled, x_jet[:1000], trace_samples=200)
    assert report.first_bad_layer == "fc1"
    fc1 = report.layers[0]
    assert fc1.name == "fc1" and fc1.bad and fc1.out_of_range and fc1.rel_error > report.tolerance
    assert report.agreement < 0.9
    assert "fc1" in report.summary() and "range" in report.summary()


def test_config_and_convert_do_not_import_each_other():
    # Both start from core.hls.readiness; neither imports the other (issue 13, point 9).
    import ast

    root = Path(__file__).resolve().parents[2] / "core" / "hls"

    def imported(module: str) -> set[str]:
        tree = ast.parse((root / f"{module}.py").read_text(encoding="utf-8"))
        out = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.add(node.module)
            elif isinstance(node, ast.Import):
                out.update(alias.name for alias in node.names)
        return out

    assert "core.hls.config" in imported("convert")  # one way only: convert uses the configuration
    assert "core.hls.convert" not in imported("config")
    assert not {"core.hls.config", "core.hls.convert"} & imported("readiness")


def test_1d_and_2d_separable_layers_in_one_model_are_refused_by_name():
    """hls4ml 1.3's two separable-convolution headers share an include guard: g++ would fail."""
    import tensorflow as tf

    from core.hls.config import make_config
    from core.hls.errors import HlsError

    a = tf.keras.Input((8, 2), name="track")
    b = tf.keras.Input((4, 4, 1), name="image")
    x = tf.keras.layers.Flatten()(tf.keras.layers.DepthwiseConv1D(3, name="dw1")(a))
    y = tf.keras.layers.Flatten()(tf.keras.layers.DepthwiseConv2D(3, name="dw2")(b))
    model = tf.keras.Model([a, b], tf.keras.layers.Concatenate()([x, y]))
    with pytest.raises(
        HlsError, match=r"dw1 \(DepthwiseConv1D\) and dw2 \(DepthwiseConv2D\).*include guard"
    ) as err:
        make_config(model)
    assert err.value.layer == "dw1"
