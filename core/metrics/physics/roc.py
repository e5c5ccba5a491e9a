"""ROC curves and AUC of classification data sets."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import TrigLabError
from core.metrics.physics.common import _json_list, _trapezoid


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """ROC curve and area under it for a binary decision.

    Args:
        scores: Higher means "more signal-like", shape ``(N,)``.
        labels: 1 (or True) for signal, 0 for background, shape ``(N,)``.

    Returns:
        ``fpr``, ``tpr`` (from (0, 0) to (1, 1)), ``thresholds`` (score cut of each point after
        the first), ``auc`` (trapezoid; 0.5 for a random classifier, 1 for a perfect one).
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels).astype(bool).ravel()
    if s.shape != y.shape:
        raise TrigLabError(f"{len(s)} scores but {len(y)} labels")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise TrigLabError("A ROC curve needs both signal and background examples")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    # One point per distinct score, so tied scores move along the diagonal (no optimistic steps).
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / n_pos]
    fpr = np.r_[0.0, fp / n_neg]
    return {
        "fpr": _json_list(fpr),
        "tpr": _json_list(tpr),
        "thresholds": _json_list(s[last]),
        "auc": _trapezoid(tpr, fpr),
    }


def classification_roc(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """ROC of a (multi-)class classifier: binary on class 1, else micro-averaged one-vs-rest.

    Args:
        probs: Class scores, shape ``(N, C)`` (or ``(N,)`` / ``(N, 1)`` for a binary score).
        labels: Integer class labels, shape ``(N,)``.

    Returns:
        :func:`roc_auc` of the curve, plus ``auc_macro`` (mean one-vs-rest AUC over classes that
        occur) and ``kind`` (``"binary"`` or ``"micro one-vs-rest"``).
    """
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels).astype(int).ravel()
    if p.ndim == 1 or p.shape[1] == 1:
        out = roc_auc(p.ravel(), y == 1)
        return {**out, "auc_macro": out["auc"], "kind": "binary"}
    if p.shape[1] == 2:
        out = roc_auc(p[:, 1], y == 1)
        return {**out, "auc_macro": out["auc"], "kind": "binary"}
    onehot = y[:, None] == np.arange(p.shape[1])[None, :]
    out = roc_auc(p.ravel(), onehot.ravel())
    per_class = [
        roc_auc(p[:, c], onehot[:, c])["auc"] for c in range(p.shape[1]) if 0 < onehot[:, c].sum() < len(y)
    ]
    return {**out, "auc_macro": float(np.mean(per_class)) if per_class else None, "kind": "micro one-vs-rest"}
