"""The confusion matrix of a classifier (what the Physics view shows for a classification task)."""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion_matrix(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Confusion matrix of a classifier's predicted class (argmax; a single score cuts at 0.5).

    Args:
        probs: Class scores, shape ``(N, C)`` (or ``(N,)`` / ``(N, 1)`` for a binary score).
        labels: Integer class labels, shape ``(N,)``.

    Returns:
        ``matrix`` (``[true][predicted]`` counts, C x C), ``classes`` (0..C-1) and ``accuracy``
        (fraction on the diagonal).
    """
    from sklearn.metrics import confusion_matrix as _sk_confusion

    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels).astype(int).ravel()
    if p.ndim == 1 or p.shape[1] == 1:
        pred, n_classes = (p.ravel() >= 0.5).astype(int), 2
    else:
        pred, n_classes = np.argmax(p, axis=1), p.shape[1]
    n_classes = max(n_classes, int(y.max()) + 1 if len(y) else 0)
    m = _sk_confusion(y, pred, labels=np.arange(n_classes))
    return {
        "matrix": m.astype(int).tolist(),
        "classes": list(range(n_classes)),
        "accuracy": float(np.trace(m) / max(m.sum(), 1)),
    }
