"""Task metrics of a model on a dataset (physics metrics of the trigger task come with issue 6)."""

from __future__ import annotations

import numpy as np

from core import TrigLabError


def _split(dataset, split: str):
    try:
        return getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
    except AttributeError:
        raise TrigLabError(f"Dataset '{dataset.name}' has no '{split}' split") from None


def predict(model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Model outputs as a numpy array (no Keras progress bar)."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))


def evaluate(model, dataset, split: str = "val", max_samples: int | None = None) -> dict[str, float]:
    """The dataset's task metrics for ``model`` on one split.

    Classification: ``accuracy`` (fraction, 0..1) and ``loss`` (cross-entropy).
    Regression: ``mse``, ``mae`` over all targets, and ``rmse_<target>`` per target.
    """
    x, y = _split(dataset, split)
    if max_samples:
        x, y = x[:max_samples], y[:max_samples]
    out = predict(model, x)
    return metrics_from_outputs(dataset, out, y)


def metrics_from_outputs(dataset, out: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Task metrics from model outputs ``out`` and truth ``y`` (shared by Keras, TFLite, C-sim)."""
    if dataset.task == "classification":
        y = np.asarray(y).astype(int).reshape(-1)
        p = np.clip(out[np.arange(len(y)), y], 1e-12, 1.0)
        return {"accuracy": float(np.mean(np.argmax(out, axis=1) == y)), "loss": float(-np.mean(np.log(p)))}
    y = np.asarray(y, dtype=np.float64).reshape(out.shape)
    err = out - y
    res = {"mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err)))}
    names = list(getattr(dataset, "target_names", []) or [])
    if err.ndim == 2:
        for j in range(err.shape[1]):
            name = names[j] if j < len(names) else str(j)
            res[f"rmse_{name}"] = float(np.sqrt(np.mean(err[:, j] ** 2)))
    return res


def primary_metric(task: str) -> tuple[str, bool]:
    """The metric that sums a variant up, and whether higher is better."""
    return ("accuracy", True) if task == "classification" else ("mae", False)
