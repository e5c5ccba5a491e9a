"""Turn-on curves: trigger efficiency against true pT with Clopper–Pearson intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core import TrigLabError
from core.metrics.physics.common import DEFAULT_PT_BINS, ONE_SIGMA, _json_list


def clopper_pearson(k, n, cl: float = ONE_SIGMA) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson (exact binomial) central confidence interval of an efficiency k / n.

    Args:
        k: Passed counts (scalar or array).
        n: Total counts (same shape as ``k``); n = 0 gives the uninformative (0, 1).
        cl: Confidence level (default 68.3 %, "1σ" error bars).

    Returns:
        ``(lo, hi)`` bounds of the efficiency (floats for scalar input, else arrays).
        lo = 0 when k = 0 and hi = 1 when k = n.
    """
    from scipy.stats import beta

    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise TrigLabError("Clopper-Pearson needs 0 <= k <= n")
    if not 0.0 < cl < 1.0:
        raise TrigLabError(f"Confidence level must be in (0, 1), got {cl}")
    alpha = 1.0 - cl
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k_arr > 0, beta.ppf(alpha / 2, k_arr, n_arr - k_arr + 1), 0.0)
        hi = np.where(k_arr < n_arr, beta.ppf(1 - alpha / 2, k_arr + 1, n_arr - k_arr), 1.0)
    lo = np.where(n_arr > 0, np.nan_to_num(lo, nan=0.0), 0.0)
    hi = np.where(n_arr > 0, np.nan_to_num(hi, nan=1.0), 1.0)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def first_crossing(x: np.ndarray, y: np.ndarray, level: float) -> float | None:
    """Where ``y(x)`` first reaches ``level``: linear interpolation from the point before.

    None if it never does; ``x[0]`` if it starts at or above it.
    """
    above = np.flatnonzero(np.asarray(y) >= level)
    if len(above) == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(x[0])
    x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


@dataclass
class TurnOnCurve:
    """Trigger efficiency against true pT for one threshold.

    Attributes:
        threshold: Trigger threshold on the predicted pT [GeV].
        edges: Bin edges of true pT [GeV], shape ``(B + 1,)``.
        passed: Muons per bin whose predicted pT >= threshold, shape ``(B,)``.
        total: Muons per bin, shape ``(B,)``.
        efficiency: passed / total (NaN for an empty bin).
        lo: Lower Clopper–Pearson bound of the efficiency.
        hi: Upper Clopper–Pearson bound of the efficiency.
        cl: Confidence level of ``lo`` / ``hi``.
    """

    threshold: float
    edges: np.ndarray
    passed: np.ndarray
    total: np.ndarray
    efficiency: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    cl: float = ONE_SIGMA

    @property
    def centers(self) -> np.ndarray:
        """Bin centres [GeV]."""
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    @property
    def err_lo(self) -> np.ndarray:
        """Length of the lower error bar (efficiency − lo)."""
        return self.efficiency - self.lo

    @property
    def err_hi(self) -> np.ndarray:
        """Length of the upper error bar (hi − efficiency)."""
        return self.hi - self.efficiency

    def pt_at(self, level: float) -> float | None:
        """True pT [GeV] where the curve first reaches ``level`` (e.g. 0.5, 0.9).

        Linear interpolation between the centres of the last bin below and the first bin at or
        above ``level`` (empty bins skipped). None if the curve never reaches it; the first
        centre if it starts above it.
        """
        ok = self.total > 0
        return first_crossing(self.centers[ok], self.efficiency[ok], level)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (NaN as None), with the binned ``pt50`` and ``pt90`` and ``fit``.

        ``fit`` is :func:`core.metrics.physics.turnon_fit.fit_turn_on` of the curve (None when
        the fit fails).
        """
        from core.metrics.physics.turnon_fit import fit_turn_on

        return {
            "threshold": float(self.threshold),
            "edges": _json_list(self.edges),
            "centers": _json_list(self.centers),
            "passed": [int(v) for v in self.passed],
            "total": [int(v) for v in self.total],
            "efficiency": _json_list(self.efficiency),
            "lo": _json_list(self.lo),
            "hi": _json_list(self.hi),
            "cl": float(self.cl),
            "pt50": self.pt_at(0.5),
            "pt90": self.pt_at(0.9),
            "fit": fit_turn_on(self),
        }


def turn_on_curve(
    pt_pred: np.ndarray,
    pt_true: np.ndarray,
    threshold: float,
    bins: np.ndarray | None = None,
    cl: float = ONE_SIGMA,
    accepted: np.ndarray | None = None,
    fired: np.ndarray | None = None,
) -> TurnOnCurve:
    """Trigger efficiency (predicted pT >= ``threshold``) in bins of true pT.

    Args:
        pt_pred: Predicted pT [GeV], shape ``(N,)``.
        pt_true: True pT [GeV], shape ``(N,)``.
        threshold: Trigger threshold [GeV].
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).
        cl: Confidence level of the Clopper–Pearson intervals.
        accepted: Optional boolean mask ``(N,)``: events that passed the hit coincidence; the
            others never fire (see :class:`Coincidence`).
        fired: Optional boolean ``(N,)``: the trigger's own decision (a classical trigger's
            coincidence windows); replaces ``pt_pred >= threshold`` and ``accepted``.
    """
    pred = np.asarray(pt_pred, dtype=np.float64).ravel()
    true = np.asarray(pt_true, dtype=np.float64).ravel()
    if pred.shape != true.shape:
        raise TrigLabError(f"pt_pred has {len(pred)} entries but pt_true has {len(true)}")
    if accepted is not None:
        accepted = np.asarray(accepted, dtype=bool).ravel()
        if accepted.shape != pred.shape:
            raise TrigLabError(f"accepted has {len(accepted)} entries but pt_pred has {len(pred)}")
        pred = np.where(accepted, pred, -np.inf)
    edges = np.asarray(DEFAULT_PT_BINS if bins is None else bins, dtype=np.float64)
    total, _ = np.histogram(true, bins=edges)
    if fired is not None:
        fired = np.asarray(fired, dtype=bool).ravel()
        if fired.shape != true.shape:
            raise TrigLabError(f"fired has {len(fired)} entries but pt_true has {len(true)}")
    else:
        fired = pred >= threshold
    passed, _ = np.histogram(true[fired], bins=edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(total > 0, passed / np.maximum(total, 1), np.nan)
    lo, hi = clopper_pearson(passed, total, cl)
    lo = np.where(total > 0, lo, np.nan)
    hi = np.where(total > 0, hi, np.nan)
    return TurnOnCurve(float(threshold), edges, passed, total, eff, lo, hi, cl)
