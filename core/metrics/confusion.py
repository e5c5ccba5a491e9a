"""The confusion matrix of a classifier (what the Physics view shows for a classification task)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import TrigLabError

#: More classes than this, beyond the model's outputs, are not a classifier's labels.
MAX_CLASSES = 1000


def confusion_matrix(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Confusion matrix of a classifier's predicted class (argmax; a single score cuts at 0.5).

    Args:
        probs: Class scores, shape ``(N, C)`` (or ``(N,)`` / ``(N, 1)`` for a binary score).
        labels: Integer class labels, shape ``(N,)``.

    Returns:
        ``matrix`` (``[true][predicted]`` counts, C x C), ``classes`` (0..C-1) and ``accuracy``
        (fraction on the diagonal).

    Raises:
        TrigLabError: Labels and outputs differ in number, or the labels are not class numbers
            (negative, fractional, or far beyond the model's classes).
    """
    from sklearn.metrics import confusion_matrix as _sk_confusion

    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels)
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot labels
        y = np.argmax(y, axis=1)
    y = y.ravel()
    if p.ndim == 1 or p.shape[1] == 1:
        pred, n_classes = (p.ravel() >= 0.5).astype(int), 2
    else:
        pred, n_classes = np.argmax(p, axis=1), p.shape[1]
    if len(y) != len(pred):
        raise TrigLabError(f"{len(y):,} class labels for {len(pred):,} model outputs: they must be as many")
    if len(y) and not (np.all(np.isfinite(y)) and np.all(y == np.round(y)) and y.min() >= 0):
        raise TrigLabError("Class labels must be whole numbers from 0 (one per event) for a confusion matrix")
    y = y.astype(np.int64)
    top = int(y.max()) + 1 if len(y) else 0
    if top > max(n_classes, MAX_CLASSES):
        # a class the model never predicts gets its row, but not a matrix of millions of rows
        raise TrigLabError(
            f"Class label {top - 1:,} for a model with {n_classes} class outputs: "
            "these labels are not this model's classes (check the data set's task)"
        )
    n_classes = max(n_classes, top)
    m = _sk_confusion(y, pred, labels=np.arange(n_classes))
    return {
        "matrix": m.astype(int).tolist(),
        "classes": list(range(n_classes)),
        "accuracy": float(np.trace(m) / max(m.sum(), 1)),
    }
