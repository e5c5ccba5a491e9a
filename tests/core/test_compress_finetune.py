"""Fine-tuning that stops on the validation split (core.compress.finetune): the best epoch's
weights come back, pruning masks still hold, tfmot/QKeras wrappers restore whole, the rule is
deterministic, and with the defaults prune 80 % + 8 bits keeps the digits CNN within a point."""

from __future__ import annotations

import numpy as np
import pytest

from core.compress import CompressionError, get_operation
from core.compress.finetune import fine_tune
from core.jobs import Progress
from core.metrics import evaluate


def run_op(name, model, dataset, **params):
    op = get_operation(name)
    return op.fn(model, dataset, op.resolve(params), Progress())


def recorder():
    """A Keras callback keeping a copy of all the weights at every epoch's end."""
    import tensorflow as tf

    class Record(tf.keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs: list[list[np.ndarray]] = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append([w.copy() for w in self.model.get_weights()])

    return Record()


def assert_weights_equal(model, weights):
    now = model.get_weights()
    assert len(now) == len(weights)
    for a, b in zip(now, weights):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def conflict():
    """Validation labels opposite to the training labels: every epoch of training makes the
    validation loss worse, so epoch 1 is the best one whatever the machine."""
    from core.data.dataset import Dataset

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int64")
    return Dataset(
        "conflict",
        "classification",
        x[:300],
        y[:300],
        x[300:],
        1 - y[300:],
        x[:0],
        y[:0],
        target_names=["a", "b"],
    )


def small_dense(seed=0):
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    return tf.keras.Sequential(
        [
            tf.keras.Input((8,)),
            tf.keras.layers.Dense(16, activation="relu", name="fc1"),
            tf.keras.layers.Dense(2, activation="softmax", name="out"),
        ],
        name="small",
    )


def pruned_dense():
    from core.compress.prune import prune_by_magnitude

    model = small_dense()
    return model, prune_by_magnitude(model, 0.5)


def assert_masks_hold(model, masks):
    for name, keep in masks.items():
        kernel = model.get_layer(name).kernel.numpy()
        assert np.all(kernel[~keep] == 0), name
        assert np.count_nonzero(kernel) <= keep.sum()


def tune_pruned(dataset, epochs, patience):
    """Fine-tune the half-pruned small network; returns the model, its masks, the weights at every
    epoch's end and the :class:`FineTuneRun`."""
    model, masks = pruned_dense()
    rec = recorder()
    run = fine_tune(
        model,
        dataset,
        epochs=epochs,
        lr=1e-2,
        batch_size=32,
        seed=0,
        patience=patience,
        masks=masks,
        callbacks=[rec],
    )
    return model, masks, rec.epochs, run


# --- the stopping rule ----------------------------------------------------------------------------


def test_early_stopping_restores_the_best_epoch_and_keeps_the_masks(conflict):
    model, masks, epochs, run = tune_pruned(conflict, 10, 2)
    assert (run.epochs_run, run.best_epoch, run.stopped_early) == (3, 1, True)
    assert run.monitor == "val_loss" and run.best_value == pytest.approx(run.history["val_loss"][0])
    assert len(run.history["val_loss"]) == 3 and run.history["val_loss"][2] > run.history["val_loss"][0]
    assert_weights_equal(model, epochs[0])
    assert_masks_hold(model, masks)
    assert run.record() == {
        "epochs_run": 3,
        "best_epoch": 1,
        "cap": 10,
        "patience": 2,
        "monitor": "val_loss",
        "best_value": round(run.history["val_loss"][0], 6),
        "stopped_early": True,
    }


def test_at_the_cap_the_best_epoch_is_restored_too(conflict):
    # Keras 2.14's EarlyStopping alone would keep the last epoch here
    model, masks, epochs, run = tune_pruned(conflict, 3, 5)
    assert (run.epochs_run, run.best_epoch, run.stopped_early) == (3, 1, False)
    assert_weights_equal(model, epochs[0])
    assert_masks_hold(model, masks)


def test_patience_zero_trains_every_epoch_and_keeps_the_last(conflict):
    model, masks, epochs, run = tune_pruned(conflict, 4, 0)
    assert (run.epochs_run, run.best_epoch, run.monitor, run.best_value) == (4, 4, None, None)
    assert_weights_equal(model, epochs[-1])


def test_monitor_the_task_metric(conflict):
    model = small_dense()
    run = fine_tune(
        model, conflict, epochs=6, lr=1e-2, batch_size=32, seed=0, patience=2, monitor="val_metric"
    )
    acc = run.history["val_accuracy"]
    assert run.monitor == "val_accuracy"
    assert run.best_epoch == int(np.argmax(acc)) + 1  # higher is better; ties keep the earlier epoch
    assert evaluate(model, conflict)["accuracy"] == pytest.approx(acc[run.best_epoch - 1], abs=1e-6)
    with pytest.raises(CompressionError, match="monitor"):
        get_operation("prune").resolve({"monitor": "val_auc"})


@pytest.fixture(scope="module")
def baseline(digits):
    """handson_cnn trained once for the module (read-only for the tests)."""
    from core.train import train
    from core.zoo import build_model

    model = build_model("handson_cnn")
    train(model, digits, epochs=15, batch_size=32, lr=3e-3, seed=0)
    return model


def test_best_epoch_is_the_lowest_validation_loss_and_the_rule_is_seeded(baseline, digits):
    """A noisy fine-tuning (high rate) of the pruned digits CNN: the weights kept are those of the
    epoch with the lowest validation loss, and the same seed stops at the same epoch."""
    from core.compress.prune import prune_by_magnitude
    from core.models.clone import copy_model

    runs = []
    for _ in range(2):
        model = copy_model(baseline)
        masks = prune_by_magnitude(model, 0.8)
        rec = recorder()
        run = fine_tune(
            model, digits, epochs=6, lr=1e-2, batch_size=64, seed=3, patience=2, masks=masks, callbacks=[rec]
        )
        losses = run.history["val_loss"]
        assert len(losses) == run.epochs_run == len(rec.epochs)
        assert run.best_epoch == int(np.argmin(losses)) + 1
        assert_weights_equal(model, rec.epochs[run.best_epoch - 1])
        assert_masks_hold(model, masks)
        assert evaluate(model, digits)["loss"] == pytest.approx(losses[run.best_epoch - 1], rel=2e-3)
        runs.append((run.record(), model.get_weights()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


# --- every fine-tuning operation restores its best epoch, wrappers included -------------------------


@pytest.mark.parametrize(
    "name, params",
    [
        ("prune", {"sparsity": 0.5, "finetune_epochs": 6}),
        ("prune_tmot", {"final_sparsity": 0.5, "epochs": 8, "ramp": 0.4}),
        ("cluster", {"clusters": 6, "epochs": 6, "lr": 1e-2}),
        ("lowrank", {"rank": 3, "layers": ["fc1"], "finetune_epochs": 6}),
        ("l1", {"epochs": 1, "sparsity": 0.5, "finetune_epochs": 6}),
        ("qat", {"weight_bits": 6, "act_bits": 6, "epochs": 6}),
    ],
)
def test_operations_keep_their_best_epoch(name, params, conflict):
    """On the conflicting data the best epoch is the first one that may count: what comes back is
    that epoch's network, through tfmot's and QKeras' wrappers too, not the last epoch's."""
    res = run_op(name, small_dense(), conflict, patience=3, lr=params.pop("lr", 1e-2), **params)
    ft = res.params["fine_tuning"]
    losses = res.history["val_loss"][-ft["epochs_run"] :]  # l1: after its regularized retraining
    first = 0
    if name == "prune_tmot":  # only epochs whose masks are final may count
        first = res.params["end_step"] // -(-len(conflict.x_train) // 32)
        assert res.params["sparsity_reached"] == pytest.approx(0.5, abs=0.02)
    assert ft["monitor"] == "val_loss" and ft["best_epoch"] == first + 1 < ft["epochs_run"]
    assert ft["best_value"] == pytest.approx(min(losses[first:]), abs=1e-6)
    assert losses[-1] > ft["best_value"] * 1.01
    # the returned (stripped, for tfmot) model is the best epoch's network
    assert evaluate(res.model, conflict)["loss"] == pytest.approx(ft["best_value"], rel=1e-3)


def test_qat_holds_a_pruned_models_zeros(baseline, digits):
    from core.compress.prune import kernel_sparsity

    pruned = run_op("prune", baseline, digits, sparsity=0.8, finetune_epochs=0).model
    res = run_op("qat", pruned, digits, weight_bits=8, epochs=2, patience=1)
    assert res.params["kept_zeros"] == pytest.approx(kernel_sparsity(pruned)[0], abs=1e-6)
    assert kernel_sparsity(res.model)[0] >= kernel_sparsity(pruned)[0] - 1e-6
    loose = run_op("qat", pruned, digits, weight_bits=8, epochs=1, patience=0, keep_zeros=False)
    assert "kept_zeros" not in loose.params and kernel_sparsity(loose.model)[0] < 0.5


# --- acceptance: the defaults keep the digits CNN within a point ----------------------------------


@pytest.mark.slow
def test_defaults_keep_the_digits_cnn_within_a_point_at_80_percent_and_8_bits(demo_workspace, digits):
    """The demo network (handson_cnn, 30 epochs), as ``triglab-cli compress`` runs it with the
    defaults: prune 80 % then ap_fixed width 8, and QAT at 8 bits (of the float and of the pruned
    network), each within 1 point of float accuracy on the validation split."""
    from core.compress.apply import compress_variant

    ws = demo_workspace
    float_acc = ws["handson_cnn"].metrics["val_accuracy"]
    pruned = compress_variant(ws, "handson_cnn", "prune", {"sparsity": 0.8}, dataset=digits)
    fixed = compress_variant(ws, pruned.name, "fixed_point", {"width": 8}, dataset=digits)
    qat = compress_variant(ws, "handson_cnn", "qat", {"weight_bits": 8}, dataset=digits)
    pruned_qat = compress_variant(ws, pruned.name, "qat", {"weight_bits": 8}, dataset=digits, name="pq")
    for v in (pruned, fixed, qat, pruned_qat):
        assert v.metrics["val_accuracy"] >= float_acc - 0.01, (v.name, v.metrics["val_accuracy"], float_acc)
    for v in (fixed, pruned_qat):
        assert abs(v.params.get("sparsity_reached", pruned.params["sparsity_reached"]) - 0.8) <= 0.01
        assert v.metrics["sparsity"] >= pruned.metrics["sparsity"] - 1e-6
    ft = pruned.params["fine_tuning"]
    assert ft["cap"] == 30 and ft["patience"] == 5 and ft["best_epoch"] <= ft["epochs_run"] <= 30
    assert len(pruned.params["history"]["val_loss"]) == ft["epochs_run"]
