import threading

import numpy as np
import pytest

from core import TrigLabError
from core.jobs import RecordingProgress
from core.metrics import evaluate
from core.train import train
from core.zoo import build_model


@pytest.mark.slow
def test_handson_cnn_reaches_90_percent_on_digits(digits):
    model = build_model("handson_cnn")
    progress = RecordingProgress()
    res = train(model, digits, epochs=25, batch_size=32, lr=3e-3, seed=0, progress=progress)
    assert not res.cancelled and res.epochs_completed == 25
    assert len(res.history["val_accuracy"]) == 25
    acc = evaluate(res.model, digits, "val")["accuracy"]
    assert acc >= 0.90, f"validation accuracy {acc:.3f}"
    # one "epoch" report per epoch, batch reports in between, progress ends at 1
    assert [r for r in progress.reports if r[0] == "epoch"][-1][1]["epoch"] == 24
    assert sum(1 for r in progress.reports if r[0] == "batch") == 25 * int(np.ceil(len(digits.x_train) / 32))
    assert progress.updates[-1][0] == 1.0


def test_training_is_deterministic_with_a_seed(digits):
    runs = []
    for _ in range(2):
        res = train(build_model("handson_cnn", seed=1), digits, epochs=2, max_train_samples=256, seed=5)
        runs.append((res.history["loss"], res.model.get_weights()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_cancel_stops_after_the_current_batch_and_keeps_a_usable_model(digits):
    progress = RecordingProgress()
    seen = threading.Event()
    batches = []

    def on_report(kind, values):
        if kind == "batch":
            batches.append(values)
            if len(batches) == 3:
                progress.cancel()
                seen.set()

    progress.report = lambda kind, **v: on_report(kind, v)  # type: ignore[method-assign]
    res = train(build_model("handson_cnn"), digits, epochs=50, batch_size=16, progress=progress)
    assert seen.is_set() and res.cancelled
    assert len(batches) == 3, "training went on past the batch during which cancel was asked"
    assert res.epochs_completed == 0
    out = res.model.predict(digits.x_val[:8], verbose=0)
    assert out.shape == (8, 10) and np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_bad_hyperparameters_are_clear_errors(digits):
    with pytest.raises(TrigLabError, match="epochs >= 1"):
        train(build_model("handson_cnn"), digits, epochs=0)
    with pytest.raises(TrigLabError, match="Unknown optimizer"):
        train(build_model("handson_cnn"), digits, epochs=1, optimizer="magic")


def test_cosine_schedule_decays_to_a_hundredth_and_unknown_is_refused():
    from core.train import lr_at_epoch

    lrs = [lr_at_epoch(1e-2, e, 11, "cosine") for e in range(11)]
    assert lrs[0] == pytest.approx(1e-2) and lrs[-1] == pytest.approx(1e-4)
    assert lrs[5] == pytest.approx((1e-2 + 1e-4) / 2)  # half-way down at the middle epoch
    assert all(a > b for a, b in zip(lrs, lrs[1:]))
    assert lr_at_epoch(3e-3, 7, 10, "constant") == 3e-3
    with pytest.raises(TrigLabError, match="schedule"):
        lr_at_epoch(1e-3, 0, 10, "step")
