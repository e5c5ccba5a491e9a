"""pT resolution: the width of (pT_pred − pT_true) / pT_true, overall and per bin of true pT."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core import TrigLabError
from core.metrics.physics.common import DEFAULT_PT_BINS, _json_float, _json_list

RESIDUAL_RANGE = (-1.0, 1.0)  # histogram range of (pT_pred − pT_true) / pT_true
RESIDUAL_BINS = 80


def _robust_half_width(r: np.ndarray) -> float:
    if len(r) == 0:
        return math.nan
    lo, hi = np.percentile(r, [16.0, 84.0])
    return float(hi - lo) / 2.0


def pt_resolution(pt_pred: np.ndarray, pt_true: np.ndarray, bins: np.ndarray | None = None) -> dict[str, Any]:
    """Relative pT resolution, overall and in bins of true pT.

    Args:
        pt_pred: Predicted pT [GeV], shape ``(N,)``.
        pt_true: True pT [GeV], shape ``(N,)``.
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).

    Returns:
        JSON-able dict: ``std`` (standard deviation of r = (pT_pred − pT_true) / pT_true),
        ``robust`` (half the 16–84 % interval of r), ``bias`` (mean of r), ``median``, ``n``;
        ``edges``, ``centers``, ``counts`` and per-bin ``bin_std``, ``bin_robust``,
        ``bin_bias`` (None for empty bins); and ``hist_edges`` / ``hist_counts``, a histogram of
        r over :data:`RESIDUAL_RANGE` with ``underflow`` / ``overflow`` counts.
    """
    pred = np.asarray(pt_pred, dtype=np.float64).ravel()
    true = np.asarray(pt_true, dtype=np.float64).ravel()
    if pred.shape != true.shape:
        raise TrigLabError(f"pt_pred has {len(pred)} entries but pt_true has {len(true)}")
    if np.any(true <= 0):
        raise TrigLabError("True pT must be positive")
    edges = np.asarray(DEFAULT_PT_BINS if bins is None else bins, dtype=np.float64)
    r = (pred - true) / true
    nb = len(edges) - 1
    idx = np.digitize(true, edges) - 1
    counts = np.zeros(nb, dtype=np.int64)
    b_std, b_rob, b_bias = (np.full(nb, np.nan) for _ in range(3))
    for i in range(nb):
        ri = r[idx == i]
        counts[i] = len(ri)
        if len(ri):
            b_std[i], b_rob[i], b_bias[i] = ri.std(), _robust_half_width(ri), ri.mean()
    hist, hist_edges = np.histogram(r, bins=RESIDUAL_BINS, range=RESIDUAL_RANGE)
    return {
        "n": int(len(r)),
        "std": _json_float(r.std()) if len(r) else None,
        "robust": _json_float(_robust_half_width(r)),
        "bias": _json_float(r.mean()) if len(r) else None,
        "median": _json_float(np.median(r)) if len(r) else None,
        "edges": _json_list(edges),
        "centers": _json_list(0.5 * (edges[1:] + edges[:-1])),
        "counts": counts.tolist(),
        "bin_std": _json_list(b_std),
        "bin_robust": _json_list(b_rob),
        "bin_bias": _json_list(b_bias),
        "hist_edges": _json_list(hist_edges),
        "hist_counts": hist.tolist(),
        "underflow": int(np.sum(r < RESIDUAL_RANGE[0])),
        "overflow": int(np.sum(r > RESIDUAL_RANGE[1])),
    }
