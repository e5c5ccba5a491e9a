"""Fit of a turn-on curve: error function with a plateau, binned binomial maximum likelihood.

Model (the usual Level-1/Level-0 muon trigger parametrisation)::

    ε(pT) = ε_plat / 2 · [1 + erf((pT − pT50) / (√2 σ))] = ε_plat · Φ((pT − pT50) / σ)

pT50 is where the curve reaches half its plateau, σ its width; pT90 := pT50 + 1.2816 σ is where
it reaches 90 % of the plateau (Φ(1.2816) = 0.9).

Method:

1. Each bin's expected efficiency is the model **averaged over the bin** for a flat true-pT
   spectrum (the generation spectrum): ε_bin = ε_plat · σ / (b − a) · [G(z_b) − G(z_a)] with
   G(z) = z Φ(z) + φ(z), z = (edge − pT50) / σ. A sharp step (σ → 0) then still fits: the bin
   that holds the step passes the fraction of it above pT50.
2. The negative log-likelihood of the counts, −Σ [k ln ε_bin + (n − k) ln(1 − ε_bin)], is
   minimised with bounds (L-BFGS-B, SciPy) from three starting points built from the binned
   curve (plateau = the highest 3-bin mean, pT50 = its half crossing, σ = half the 16–84 %
   distance, or one bin), keeping the best.
3. The covariance is the inverse of the Hessian of the negative log-likelihood (central
   finite differences). A parameter that ends on its bound is held fixed there: a plateau of
   exactly 1 gets as error the one-sided 68 % Clopper–Pearson distance from 1 of the bins
   above pT50 + 3σ; a width at its lower bound (a step sharper than the binning can resolve)
   gets ``width_err = None``.
4. ``chi2`` is the likelihood-ratio (Baker–Cousins) χ² against the saturated model, ``ndf`` =
   non-empty bins − free parameters.

The fit fails — :func:`fit_turn_on` returns None, never raises — when the curve has fewer than
four non-empty bins or no passed event, when pT50 lands in the first or last non-empty bin (a
flat curve, or a turn-on outside the range), when the Hessian is not positive definite, or when
pT50's error exceeds a tenth of the range (not determined by the data).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.metrics.physics.turnon import first_crossing

PT90_Z = 1.2815515655446004  # Φ⁻¹(0.9): pT90 = pT50 + PT90_Z · σ
_EPS = 1e-12


def _bin_efficiency(theta: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """ε_bin of the model for parameters ``theta = (pT50, σ, plateau)`` (see the module docstring)."""
    from scipy.special import ndtr

    mu, sigma, plat = float(theta[0]), float(theta[1]), float(theta[2])

    def g(z: np.ndarray) -> np.ndarray:
        return z * ndtr(z) + np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    za, zb = (lo - mu) / sigma, (hi - mu) / sigma
    return plat * sigma / (hi - lo) * (g(zb) - g(za))


def _nll(theta: np.ndarray, lo, hi, k, n) -> float:
    eps = np.clip(_bin_efficiency(theta, lo, hi), _EPS, 1.0 - _EPS)
    return float(-np.sum(k * np.log(eps) + (n - k) * np.log1p(-eps)))


def _deviance(theta: np.ndarray, lo, hi, k, n) -> float:
    """Baker–Cousins likelihood-ratio χ² of the binomial counts."""
    eps = np.clip(_bin_efficiency(theta, lo, hi), _EPS, 1.0 - _EPS)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(k / (n * eps)), 0.0)
        t2 = np.where(n - k > 0, (n - k) * np.log((n - k) / (n * (1.0 - eps))), 0.0)
    return float(2.0 * np.sum(t1 + t2))


def _hessian(f, x: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Central finite-difference Hessian of ``f`` at ``x``."""
    d = len(x)
    h = np.zeros((d, d))
    for i in range(d):
        for j in range(i, d):
            ei = np.zeros(d)
            ej = np.zeros(d)
            ei[i], ej[j] = steps[i], steps[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4.0 * steps[i] * steps[j]
            )
            h[i, j] = h[j, i] = v
    return h


def _starts(lo, hi, k, n, threshold: float) -> list[np.ndarray]:
    """Starting points (pT50, σ, plateau) from the binned curve."""
    x = 0.5 * (lo + hi)
    eff = k / n
    kk, nn = np.convolve(k, np.ones(3), "same"), np.convolve(n, np.ones(3), "same")
    plat = float(np.clip(np.max(kk / nn), 0.05, 1.0))
    width = float(np.median(hi - lo))
    mu = first_crossing(x, eff, 0.5 * plat)
    if mu is None or not lo[0] < mu < hi[-1]:
        mu = float(np.clip(threshold, lo[0] + width, hi[-1] - width))
    p16, p84 = first_crossing(x, eff, 0.16 * plat), first_crossing(x, eff, 0.84 * plat)
    sigma = 0.5 * (p84 - p16) if p16 is not None and p84 is not None and p84 > p16 else width
    return [np.array([mu, max(s, 0.05 * width), plat]) for s in (sigma, width, 0.1 * mu)]


def fit_turn_on(curve) -> dict[str, Any] | None:
    """Erf turn-on fit of a :class:`~core.metrics.physics.turnon.TurnOnCurve` (see the module docstring).

    Args:
        curve: The binned curve (``edges``, ``passed``, ``total``, ``threshold``).

    Returns:
        ``pt50``, ``pt50_err``, ``width``, ``width_err``, ``plateau``, ``plateau_err``, ``pt90``,
        ``pt90_err`` [GeV, plateau a fraction], ``chi2``, ``ndf``, ``model`` (``"erf"``); None
        when the fit fails (never raises).
    """
    try:
        return _fit(curve)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError):
        return None


def _fit(curve) -> dict[str, Any] | None:
    from scipy.optimize import minimize
    from scipy.stats import beta

    edges = np.asarray(curve.edges, dtype=np.float64)
    k_all = np.asarray(curve.passed, dtype=np.float64)
    n_all = np.asarray(curve.total, dtype=np.float64)
    ok = n_all > 0
    if ok.sum() < 4 or k_all.sum() == 0:
        return None
    lo, hi, k, n = edges[:-1][ok], edges[1:][ok], k_all[ok], n_all[ok]
    span = float(edges[-1] - edges[0])
    width_min = 1e-3 * float(np.min(hi - lo))
    bounds = [(float(edges[0]), float(edges[-1])), (width_min, span), (1e-3, 1.0)]

    def nll(t):
        return _nll(t, lo, hi, k, n)

    best = None
    for start in _starts(lo, hi, k, n, float(curve.threshold)):
        start = np.array([np.clip(v, b[0], b[1]) for v, b in zip(start, bounds)])
        res = minimize(nll, start, method="L-BFGS-B", bounds=bounds)
        if np.all(np.isfinite(res.x)) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        return None
    theta = best.x
    mu, sigma, plat = (float(v) for v in theta)
    bin_w = float(np.median(hi - lo))
    if not hi[0] <= mu <= lo[-1]:
        return None  # pT50 in the first or last bin: a flat curve, or a turn-on outside the range
    plat_fixed = plat > 1.0 - 1e-4
    sigma_fixed = sigma < 2.0 * width_min
    free = [0] + ([] if sigma_fixed else [1]) + ([] if plat_fixed else [2])
    if plat_fixed:
        theta = np.array([mu, sigma, 1.0])
    steps_all = np.array([1e-3 * max(sigma, 0.1 * bin_w), 1e-3 * max(sigma, 0.1 * bin_w), 1e-4])
    if not plat_fixed:
        steps_all[2] = min(1e-4, 0.5 * (1.0 - plat))

    def nll_free(t):
        full = theta.copy()
        full[free] = t
        return nll(full)

    hess = _hessian(nll_free, theta[free], steps_all[free])
    if not np.all(np.isfinite(hess)):
        return None
    try:
        np.linalg.cholesky(hess)  # positive definite, or no covariance
    except np.linalg.LinAlgError:
        return None
    cov_free = np.linalg.inv(hess)
    cov = np.zeros((3, 3))
    cov[np.ix_(free, free)] = cov_free
    errs = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    plat_err: float | None = float(errs[2])
    if plat_fixed:
        top = lo >= mu + 3.0 * sigma
        n_top, k_top = float(n[top].sum()), float(k[top].sum())
        if n_top > 0:
            lo_cp = beta.ppf((1.0 - 0.6826894921370859), k_top, n_top - k_top + 1) if k_top > 0 else 0.0
            plat_err = float(1.0 - lo_cp)  # one-sided: the plateau cannot exceed 1
        else:
            plat_err = None
    if errs[0] > 0.1 * span:
        return None  # pT50 not determined by the data
    pt90 = mu + PT90_Z * sigma
    var90 = cov[0, 0] + PT90_Z**2 * cov[1, 1] + 2.0 * PT90_Z * cov[0, 1]
    return {
        "model": "erf",
        "pt50": mu,
        "pt50_err": float(errs[0]),
        "width": sigma,
        "width_err": None if sigma_fixed else float(errs[1]),
        "plateau": float(theta[2]),
        "plateau_err": plat_err,
        "pt90": float(pt90),
        "pt90_err": float(math.sqrt(max(var90, 0.0))),
        "chi2": _deviance(theta, lo, hi, k, n),
        "ndf": int(len(k) - len(free)),
    }
