"""Constants and small helpers shared by the physics metrics (units: GeV)."""

from __future__ import annotations

import math

import numpy as np

# 1 GeV bins over the generated 3–50 GeV. With the hands-on 2 validation split (15,000 muons)
# that is ~320 muons a bin, enough for 1 GeV bins up to the end of the range, and both
# thresholds (10, 20 GeV) rise inside 1 GeV bins. [GeV]
DEFAULT_PT_BINS = np.arange(3.0, 51.0, 1.0)
DEFAULT_THRESHOLDS = (10.0, 20.0)  # [GeV]
ONE_SIGMA = 0.6826894921370859  # central probability of ±1σ


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    fn = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz
    return float(fn(y, x))


def _json_float(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _json_list(a: np.ndarray) -> list:
    return [_json_float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def thr_key(threshold: float) -> str:
    """``10`` for 10.0 GeV, ``7.5`` for 7.5 GeV (used in metric names like ``pt50_10`` and as the
    key of a road trigger's windows)."""
    return f"{float(threshold):g}"


def pt_from_q_over_pt(q_over_pt: np.ndarray, min_abs: float = 1e-3) -> np.ndarray:
    """Transverse momentum from a (predicted) charge over pT.

    Args:
        q_over_pt: q/pT [1/GeV], any shape.
        min_abs: Smallest |q/pT| used [1/GeV]; caps the pT of near-straight tracks at
            1 / min_abs (1000 GeV by default) instead of dividing by zero.

    Returns:
        pT [GeV], same shape, float64.
    """
    q = np.abs(np.asarray(q_over_pt, dtype=np.float64))
    return 1.0 / np.maximum(q, float(min_abs))
