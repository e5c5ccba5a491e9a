"""The compression lab's apply side: prune, prune_tmot, cluster, lowrank, l1 and the sensitivity scan,
on the hands-on 1 CNN trained on digits (real numbers, a few epochs each)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.compress import CompressionError, get_operation, list_operations
from core.compress.masks import global_magnitude_masks, magnitude_mask, magnitude_masks, sparsity_of
from core.jobs import Cancelled, Progress, RecordingProgress
from core.metrics import evaluate

OPS = ("prune", "prune_tmot", "cluster", "lowrank", "l1")


@pytest.fixture(scope="module")
def baseline(digits):
    """handson_cnn trained once for the whole module (read-only for the tests)."""
    from core.train import train
    from core.zoo import build_model

    model = build_model("handson_cnn")
    train(model, digits, epochs=15, batch_size=32, lr=3e-3, seed=0)
    return model


@pytest.fixture(scope="module")
def baseline_accuracy(baseline, digits):
    return evaluate(baseline, digits)["accuracy"]


def run(name, model, dataset, progress=None, **params):
    op = get_operation(name)
    return op.fn(model, dataset, op.resolve(params), progress or Progress())


class Unchanged:
    """Snapshot of a model's weights; ``check()`` asserts they are identical."""

    def __init__(self, model):
        self.model, self.weights = model, [w.copy() for w in model.get_weights()]

    def check(self):
        now = self.model.get_weights()
        assert len(now) == len(self.weights)
        for a, b in zip(self.weights, now):
            np.testing.assert_array_equal(a, b)


def kernels(model):
    from core.compress.prune import kernels_of

    return kernels_of(model)


def kernel_zeros(model):
    return sparsity_of(kernels(model))


def assert_loads_plainly(model, tmp_path):
    """Saved as .h5 and loaded without trusting anything: plain Keras layers only."""
    from core.models import load_model, save_model

    path = save_model(model, tmp_path / "m.h5")
    loaded = load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    return loaded


# --- masks (pure numpy) ---------------------------------------------------------------------------


def test_masks_remove_exactly_the_smallest_weights():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(30, 7))
    keep = magnitude_mask(w, 0.6)
    assert keep.shape == w.shape and int((~keep).sum()) == round(0.6 * w.size)
    assert np.abs(w[~keep]).max() <= np.abs(w[keep]).min()
    a, b = rng.normal(size=100), 10 * rng.normal(size=300)  # b is much larger: global takes from a
    g = global_magnitude_masks({"a": a, "b": b}, 0.25)
    assert int((~g["a"]).sum() + (~g["b"]).sum()) == 100
    assert (~g["a"]).sum() > (~g["b"]).sum()
    p = magnitude_masks({"a": a, "b": b}, 0.25, scope="per_layer", per_layer={"b": 0.5})
    assert int((~p["a"]).sum()) == 25 and int((~p["b"]).sum()) == 150
    with pytest.raises(ValueError, match="no prunable weights named"):
        magnitude_masks({"a": a}, 0.5, per_layer={"zz": 0.1})


# --- prune ----------------------------------------------------------------------------------------


def test_prune_reaches_the_target_and_keeps_it_through_fine_tuning(baseline, digits, baseline_accuracy):
    before = Unchanged(baseline)
    res = run("prune", baseline, digits, sparsity=0.8, finetune_epochs=5)
    before.check()
    # Han et al.'s three panels: source, pruned (intermediate), retrained (final)
    [(suffix, pruned, step)] = res.intermediates
    assert suffix == "pruned"
    assert abs(kernel_zeros(pruned) - 0.8) <= 0.01
    assert step["sparsity_reached"] == pytest.approx(kernel_zeros(pruned), abs=1e-6)
    assert abs(kernel_zeros(res.model) - 0.8) <= 0.01
    assert res.params["sparsity_reached"] == pytest.approx(kernel_zeros(res.model), abs=1e-6)
    for name, k in kernels(pruned).items():  # the zeros stayed where pruning put them
        np.testing.assert_array_equal(kernels(res.model)[name][k == 0], 0)
    assert len(res.history["val_accuracy"]) == 5
    acc = evaluate(res.model, digits)["accuracy"]
    assert acc >= baseline_accuracy - 0.05, f"pruned 80% + fine-tuned: {acc:.3f} vs {baseline_accuracy:.3f}"
    assert evaluate(pruned, digits)["accuracy"] < acc  # fine-tuning recovered something


def test_prune_per_layer_scope_and_overrides(baseline, digits):
    res = run(
        "prune", baseline, digits, sparsity=0.5, scope="per_layer", per_layer={"fc1": 0.9}, finetune_epochs=0
    )
    assert res.intermediates == []
    by_layer = {n: sparsity_of([k]) for n, k in kernels(res.model).items()}
    assert by_layer["fc1"] == pytest.approx(0.9, abs=0.01)
    for name in ("conv1", "conv2", "output"):
        assert by_layer[name] == pytest.approx(0.5, abs=0.01)
    assert res.params["layer_sparsity"]["fc1"] == pytest.approx(0.9, abs=0.01)
    with pytest.raises(CompressionError, match="'relu1' is not a prunable layer"):
        run("prune", baseline, digits, per_layer={"relu1": 0.5}, finetune_epochs=0)


def test_prune_tmot_reaches_final_sparsity_after_strip(baseline, digits, baseline_accuracy, tmp_path):
    before = Unchanged(baseline)
    res = run("prune_tmot", baseline, digits, final_sparsity=0.7, epochs=4)
    before.check()
    assert abs(kernel_zeros(res.model) - 0.7) <= 0.01
    for name, s in res.params["layer_sparsity"].items():
        assert s == pytest.approx(0.7, abs=0.01), name
    assert res.params["end_step"] % res.params["frequency"] == 0
    assert [type(layer).__name__ for layer in res.model.layers] == [
        type(layer).__name__ for layer in baseline.layers
    ]
    assert evaluate(res.model, digits)["accuracy"] >= baseline_accuracy - 0.1
    assert_loads_plainly(res.model, tmp_path)


def test_pruning_schedule_ends_on_a_mask_update():
    from core.compress.prune import pruning_schedule_steps

    begin, end, freq = pruning_schedule_steps(1079, 32, 8, 0.75)
    assert (begin, freq) == (0, 17) and end % freq == 0 and end <= 0.75 * 34 * 8
    assert pruning_schedule_steps(10, 32, 1, 0.5) == (0, 1, 1)  # a single step still ends the ramp


# --- cluster --------------------------------------------------------------------------------------


def test_cluster_leaves_at_most_n_values_per_kernel(baseline, digits, baseline_accuracy, tmp_path):
    before = Unchanged(baseline)
    res = run("cluster", baseline, digits, clusters=8, epochs=1)
    before.check()
    assert res.params["clustered_layers"] == ["conv1", "conv2", "fc1", "output"]
    for name, k in kernels(res.model).items():
        assert np.unique(k).size <= 8, name
        assert res.params["unique_values"][name] <= 8
    assert evaluate(res.model, digits)["accuracy"] >= baseline_accuracy - 0.1
    assert_loads_plainly(res.model, tmp_path)
    # a kernel with no more weights than clusters has nothing to share: skipped, said so
    small = run("cluster", baseline, digits, clusters=200, epochs=0)  # conv1 has 144 weights
    assert "conv1" in small.params["skipped"] and "conv1" not in small.params["clustered_layers"]


# --- lowrank --------------------------------------------------------------------------------------


def test_lowrank_reduces_parameters_exactly_as_computed(baseline, digits):
    before = Unchanged(baseline)
    res = run("lowrank", baseline, digits, energy=0.9, finetune_epochs=1)
    before.check()
    info = res.params
    assert "fc1" in info["factored"]
    for name, f in info["factored"].items():  # only layers that shrink are factored
        assert f["params_after"] < f["params_before"], name
    fc1 = info["factored"]["fc1"]
    assert fc1["params_before"] == 128 * 128 + 128
    assert fc1["params_after"] == fc1["rank"] * (128 + 128) + 128
    assert fc1["energy_kept"] >= 0.9
    saved = sum(p["params_before"] - p["params_after"] for p in info["factored"].values())
    assert baseline.count_params() - res.model.count_params() == saved
    assert info["params_before"] - info["params_after"] == saved
    names = [layer.name for layer in res.model.layers]
    assert names[names.index("flatten") + 1 : names.index("flatten") + 3] == ["fc1_lr_a", "fc1_lr_b"]
    a, b = res.model.get_layer("fc1_lr_a"), res.model.get_layer("fc1_lr_b")
    assert a.units == fc1["rank"] and not a.use_bias and b.units == 128 and b.use_bias
    assert [s for s, _, _ in res.intermediates] == ["factored"]


def test_lowrank_at_full_rank_computes_what_the_original_did(baseline, digits):
    res = run("lowrank", baseline, digits, energy=1.0, force=True, include_conv=True, finetune_epochs=0)
    assert set(res.params["factored"]) == {"conv1", "conv2", "fc1", "output"}
    for p in res.params["factored"].values():
        assert p["rank"] == p["max_rank"]
    x = digits.x_val[:200]
    np.testing.assert_allclose(res.model.predict(x, verbose=0), baseline.predict(x, verbose=0), atol=1e-5)


def test_lowrank_functional_chain_and_branched_graphs():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    inp = tf.keras.Input((40,), name="x")
    h = tf.keras.layers.Dense(30, name="d1")(inp)
    out = tf.keras.layers.Dense(5, name="d2")(tf.keras.layers.Activation("relu", name="act")(h))
    model = tf.keras.Model(inp, out, name="chain")
    w = rng.normal(size=(40, 3)) @ rng.normal(size=(3, 30))  # rank 3 exactly
    model.get_layer("d1").set_weights([w.astype("float32"), rng.normal(size=30).astype("float32")])
    res = run("lowrank", model, None, energy=1.0, layers=["d1"], finetune_epochs=0)
    assert res.params["factored"]["d1"]["rank"] == 3
    assert res.model.count_params() == model.count_params() - 40 * 30 + 3 * 70
    x = rng.normal(size=(64, 40)).astype("float32")
    np.testing.assert_allclose(res.model.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-4)
    with pytest.raises(CompressionError, match="cannot be factored"):
        run("lowrank", model, None, layers=["act"], finetune_epochs=0)

    a = tf.keras.layers.Dense(30, name="a")(inp)
    b = tf.keras.layers.Dense(30, name="b")(inp)
    merged = tf.keras.layers.Add(name="add")([a, b])
    branched = tf.keras.Model(inp, tf.keras.layers.Dense(5, name="out")(merged))
    with pytest.raises(CompressionError, match="chain models only.*layer 'x' .* feeds 2 layers"):
        run("lowrank", branched, None, finetune_epochs=0)


# --- l1 (sparse regularization) ---------------------------------------------------------------------


def test_l1_retraining_shrinks_weights_then_prunes(baseline, digits, baseline_accuracy, tmp_path):
    from core.compress.sparse_reg import tiny_fraction

    before = Unchanged(baseline)
    res = run("l1", baseline, digits, strength=1e-4, epochs=4, sparsity=0.5, finetune_epochs=1)
    before.check()
    [(suffix, regularized, step)] = res.intermediates
    assert suffix == "regularized"
    tiny_source, tiny_reg = tiny_fraction(baseline), tiny_fraction(regularized)
    assert tiny_reg > tiny_source + 0.02, f"|w| < 1e-3: {tiny_source:.3f} -> {tiny_reg:.3f}"
    assert step["tiny_after_training"] == pytest.approx(tiny_reg, abs=1e-6)
    assert abs(kernel_zeros(res.model) - 0.5) <= 0.01
    for layer in (*res.model.layers, *regularized.layers):  # saved without the penalty
        assert getattr(layer, "kernel_regularizer", None) is None
    assert res.model.losses == []
    assert evaluate(res.model, digits)["accuracy"] >= baseline_accuracy - 0.1
    assert_loads_plainly(res.model, tmp_path)


# --- sensitivity ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sensitivity(baseline, digits):
    from core.compress.sensitivity import sensitivity_analysis

    before = Unchanged(baseline)
    result = sensitivity_analysis(baseline, digits, max_samples=300)
    before.check()
    return result


def test_sensitivity_curves(sensitivity, baseline, digits):
    s = sensitivity
    assert s.metric == "accuracy" and s.higher_is_better and s.samples == 300
    assert s.layers == ["conv1", "conv2", "fc1", "output"]
    base = evaluate(baseline, digits, max_samples=300)["accuracy"]
    assert s.baseline == pytest.approx(base, abs=1e-12)
    for layer in s.layers:
        assert len(s.sparsity_curves[layer]) == len(s.sparsities) == 7
        assert len(s.bit_curves[layer]) == len(s.bit_widths) == 9
        assert s.sparsity_curves[layer][0] == pytest.approx(base, abs=1e-12)  # sparsity 0 = untouched
        assert s.sparsity_curves[layer][-1] < s.sparsity_curves[layer][1]  # 95% hurts more than 25%
        assert s.bit_curves[layer][0] == pytest.approx(base, abs=0.01)  # 16 bits: as good as float
        assert s.integer_bits[layer] >= 1
    assert np.mean([s.bit_curves[n][-1] for n in s.layers]) < base - 0.1  # 2 bits hurts
    d = json.loads(json.dumps(s.to_dict()))
    assert d["sparsity_curves"] == s.sparsity_curves and d["integer_bits"] == s.integer_bits


def test_sensitivity_suggestions_respect_the_tolerance(sensitivity):
    s = sensitivity
    for tol in (0.0, 0.01, 0.05):
        for layer, sug in s.suggest(tol).items():
            i = s.sparsities.index(sug["max_sparsity"])
            assert all(s.drop(v) <= tol for v in s.sparsity_curves[layer][: i + 1])
            if i + 1 < len(s.sparsities):
                assert s.drop(s.sparsity_curves[layer][i + 1]) > tol
            if sug["min_bits"] is not None:
                j = s.bit_widths.index(sug["min_bits"])
                assert all(s.drop(v) <= tol for v in s.bit_curves[layer][: j + 1])
                if j + 1 < len(s.bit_widths):
                    assert s.drop(s.bit_curves[layer][j + 1]) > tol
    loose, strict = s.suggest(0.2), s.suggest(0.0)
    assert all(loose[n]["max_sparsity"] >= strict[n]["max_sparsity"] for n in s.layers)


def test_sensitivity_regression_drops_are_relative():
    from core.compress.sensitivity import SensitivityResult

    r = SensitivityResult(
        metric="mae",
        higher_is_better=False,
        relative=True,
        baseline=0.10,
        layers=["fc"],
        sparsities=[0.0, 0.5, 0.9],
        bit_widths=[8, 4],
        sparsity_curves={"fc": [0.10, 0.104, 0.2]},
        bit_curves={"fc": [0.1009, 0.12]},
        integer_bits={"fc": 1},
    )
    assert r.drop(0.104) == pytest.approx(0.04)
    assert r.suggest(0.05)["fc"] == {"max_sparsity": 0.5, "min_bits": 8, "integer_bits": 1}
    assert r.suggest(0.001)["fc"] == {"max_sparsity": 0.0, "min_bits": None, "integer_bits": 1}
    assert SensitivityResult.from_dict(r.to_dict()) == r


def test_sensitivity_fixed_point_uses_enough_integer_bits():
    from core.compress.sensitivity import auto_integer_bits

    assert [auto_integer_bits(v) for v in (0.0, 0.3, 0.5, 1.0, 1.5, 2.0, 5.0)] == [1, 1, 1, 1, 2, 2, 4]


# --- cancel, registry, workspace ----------------------------------------------------------------------


@pytest.mark.parametrize("name", OPS)
def test_cancel_before_running(name, baseline, digits):
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        run(name, baseline, digits, progress=progress)


def test_cancel_while_running(baseline, digits):
    from core.compress.sensitivity import sensitivity_analysis

    before = Unchanged(baseline)
    with pytest.raises(Cancelled):
        run("prune", baseline, digits, progress=RecordingProgress(cancel_after_updates=10), finetune_epochs=5)
    progress = RecordingProgress(cancel_after_updates=4)
    with pytest.raises(Cancelled):
        sensitivity_analysis(baseline, digits, max_samples=100, progress=progress)
    assert len(progress.updates) == 4  # stopped at the first check after the cancel
    before.check()


def test_operations_are_registered_with_their_parameters():
    ops = {op.name: op for op in list_operations()}
    assert set(OPS) <= set(ops)
    assert ops["prune"].resolve({})["finetune_epochs"] == 30  # a cap: early stopping on val_loss
    assert ops["prune"].resolve({})["patience"] == 5 and ops["prune"].resolve({})["monitor"] == "val_loss"
    assert ops["prune_tmot"].resolve({})["epochs"] == 30 and ops["prune_tmot"].resolve({})["ramp"] == 0.3
    assert ops["cluster"].resolve({})["clusters"] == 16
    assert ops["lowrank"].resolve({})["energy"] == 0.9
    assert ops["l1"].resolve({"kind": "l1l2"})["strength"] == 1e-4
    with pytest.raises(CompressionError):
        ops["cluster"].resolve({"clusters": 1})
    with pytest.raises(CompressionError):
        ops["prune"].resolve({"scope": "everywhere"})


def test_compress_variant_end_to_end(baseline, digits, tmp_path):
    from core.compress.apply import compress_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(baseline, "cnn", operation="train", dataset="digits")
    final = compress_variant(ws, "cnn", "prune", {"sparsity": 0.8, "finetune_epochs": 2}, dataset=digits)
    assert [v.name for v in ws.lineage(final.name)] == ["cnn", "cnn-prune-pruned", "cnn-prune"]
    ws = Workspace.open(ws.root)
    pruned, final = ws["cnn-prune-pruned"], ws["cnn-prune"]
    assert pruned.operation == "prune:pruned" and final.operation == "prune"
    for v in (pruned, final):
        assert 0 < v.metrics["val_accuracy"] <= 1
        assert 0.7 < v.metrics["sparsity"] < 0.8  # over all parameters, biases included
    assert abs(final.params["sparsity_reached"] - 0.8) <= 0.01
    assert len(final.params["history"]["val_accuracy"]) == 2
    assert abs(kernel_zeros(ws.load_model("cnn-prune")) - 0.8) <= 0.01
