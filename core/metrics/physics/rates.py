"""Trigger rates from a falling muon spectrum, and the rate at equal efficiency.

The simulation generates muons with a **flat** pT spectrum (every pT equally well measured).
Real muons fall steeply with pT, so a trigger's rate is dominated by the many low-pT muons that
fire it by mistake, below its threshold. Events are therefore **reweighted** from the flat
generation density to a falling dN/dpT (:func:`spectrum_weights`), and the rate of a trigger is
the weighted fraction of muons in [pt_min, pt_max] that fire it (:func:`trigger_rate`):
relative units — we quote ratios; no absolute scale is claimed.

**The spectrum (MUON_SPECTRUM): fitted to the ATLAS inclusive muon cross-section.**
dN/dpT ∝ (1 + pT/p0)^−n (a power law with a soft turnover at low pT), with
**p0 = 1.98 ± 0.34 GeV, n = 5.47 ± 0.13** (χ² = 14.1 for 22 degrees of freedom), from a
least-squares fit (:func:`fit_spectrum`, the model averaged over each bin) to the 25 bins of
4 < pT < 52 GeV of:

    ATLAS Collaboration, "Measurements of the electron and muon inclusive cross-sections in
    proton–proton collisions at √s = 7 TeV with the ATLAS detector", Phys. Lett. B 707 (2012)
    438, arXiv:1109.0525 — muon dσ/dpT [nb/GeV], |η| < 2.5, after subtraction of W/Z/γ*
    (HEPData ins926145, table 3; as distributed in Rivet's reference file
    ATLAS_2011_I926145.yoda, histogram d03-x01-y01; errors: the total given there).

The fitted numbers are :data:`ATLAS_2011_MUON_XSEC` (bin centre, half-width [GeV], dσ/dpT and
its error [nb/GeV]). A pure power law pT^−n fits them worse (n = 4.69 ± 0.02, χ² = 69 for 23
degrees of freedom): the local index steepens from ~4.4 (4–10 GeV) to ~5.5 (20–50 GeV). Below
4 GeV (our range starts at 3) the fit is extrapolated. Only the *shape* is used, and rates are
relative: the barrel window at η ≈ 0 is narrower than |η| < 2.5, and muons from W/Z/γ*, which
the measurement subtracts and which take over towards high pT, are left out (these are rates of
muons from heavy-flavour decays). The figure of merit is a ratio of two triggers' rates at the
same threshold, dominated by the muons just below it, and depends on the spectrum much less
than either rate does.

**Rate at equal efficiency** (:func:`rate_at_equal_efficiency`): at threshold T the network's
cut T' is moved until its efficiency for muons with true pT >= T (flat spectrum: the signal
region above threshold) equals the classical trigger's there; then
ratio = rate_network(T') / rate_classical(T). The asymptotic plateau of a network does not
depend on its cut, so "equal plateau efficiency" is realised as equal efficiency above
threshold. The search is monotone over the network's predicted pT (sorted), not a grid.

Statistical errors come from the weights (delta method for a ratio of weighted sums over the
same events, so the correlation of numerator and denominator is included); the error of the
matched cut itself is not propagated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core import TrigLabError


@dataclass(frozen=True)
class PowerLawSpectrum:
    """dN/dpT ∝ (1 + pT/p0)^−index, or pT^−index when ``p0`` is 0 (relative units).

    Attributes:
        index: The power n.
        p0: The turnover scale [GeV] (0: a pure power law).
        fitted: True only if the parameters came from a fit to published numbers.
        source: Where the parameters come from (paper, table, fit range, χ²).
    """

    index: float
    p0: float = 0.0
    fitted: bool = False
    source: str = ""

    def density(self, pt: np.ndarray) -> np.ndarray:
        """Unnormalised dN/dpT at ``pt`` [GeV]."""
        pt = np.asarray(pt, dtype=np.float64)
        base = 1.0 + pt / self.p0 if self.p0 > 0 else pt
        return np.power(base, -float(self.index))

    def describe(self) -> str:
        """One line for reports: the law, and whether it was fitted or assumed."""
        law = f"(1 + pT/{self.p0:.3g} GeV)^-{self.index:.3g}" if self.p0 > 0 else f"pT^-{self.index:g}"
        how = "fitted to" if self.fitted else "assumed"
        return f"dN/dpT ∝ {law} ({how} {self.source})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": float(self.index),
            "p0": float(self.p0),
            "fitted": self.fitted,
            "source": self.source,
        }


#: ATLAS, Phys. Lett. B 707 (2012) 438 (arXiv:1109.0525), HEPData ins926145 table 3: inclusive
#: muon dσ/dpT, |η| < 2.5, √s = 7 TeV, after W/Z/γ* subtraction, 4 < pT < 52 GeV. Columns: bin
#: centre [GeV], half-width [GeV], dσ/dpT [nb/GeV], total error [nb/GeV].
ATLAS_2011_MUON_XSEC = np.array(
    [
        (4.5, 0.5, 3490.0, 230.1),
        (5.5, 0.5, 1390.0, 90.09),
        (6.5, 0.5, 680.0, 40.11),
        (7.5, 0.5, 364.0, 23.09),
        (8.5, 0.5, 210.0, 13.15),
        (9.5, 0.5, 130.0, 8.062),
        (10.5, 0.5, 84.0, 5.099),
        (11.5, 0.5, 53.0, 3.132),
        (13.0, 1.0, 31.0, 2.062),
        (15.0, 1.0, 16.1, 1.170),
        (17.0, 1.0, 9.2, 0.6030),
        (19.0, 1.0, 5.3, 0.3027),
        (21.0, 1.0, 3.2, 0.2022),
        (23.0, 1.0, 1.87, 0.1334),
        (25.0, 1.0, 1.2, 0.1020),
        (27.0, 1.0, 0.84, 0.07280),
        (29.0, 1.0, 0.6, 0.06325),
        (31.0, 1.0, 0.43, 0.05385),
        (33.0, 1.0, 0.26, 0.04472),
        (35.0, 1.0, 0.2, 0.03606),
        (37.0, 1.0, 0.13, 0.03162),
        (39.0, 1.0, 0.088, 0.03220),
        (42.0, 2.0, 0.074, 0.02193),
        (46.0, 2.0, 0.056, 0.01304),
        (50.0, 2.0, 0.025, 0.008602),
    ]
)


def fit_spectrum(table: np.ndarray = ATLAS_2011_MUON_XSEC) -> dict[str, Any]:
    """Least-squares fit of A·(1 + pT/p0)^−n, averaged over each bin, to a binned dσ/dpT.

    Args:
        table: Rows (bin centre, half-width [GeV], dσ/dpT, error), as :data:`ATLAS_2011_MUON_XSEC`.

    Returns:
        ``A``, ``p0`` [GeV], ``n``, their errors ``A_err``, ``p0_err``, ``n_err`` (from the
        Jacobian at the minimum), ``chi2``, ``ndf``, and ``range`` [GeV].
    """
    from scipy.optimize import least_squares

    x, hw, y, err = (np.asarray(c, dtype=np.float64) for c in np.asarray(table).T)
    lo, hi = x - hw, x + hw

    def model(p: np.ndarray) -> np.ndarray:
        a, p0, n = p
        prim = p0 / (1.0 - n) * ((1.0 + hi / p0) ** (1.0 - n) - (1.0 + lo / p0) ** (1.0 - n))
        return a * prim / (hi - lo)

    start = np.array([y[0] * (1.0 + x[0] / 2.0) ** 5.0, 2.0, 5.0])
    res = least_squares(lambda p: (model(p) - y) / err, start, x_scale="jac", bounds=([0, 0.05, 1.5], np.inf))
    cov = np.linalg.inv(res.jac.T @ res.jac)
    e = np.sqrt(np.diag(cov))
    return {
        "A": float(res.x[0]),
        "p0": float(res.x[1]),
        "n": float(res.x[2]),
        "A_err": float(e[0]),
        "p0_err": float(e[1]),
        "n_err": float(e[2]),
        "chi2": float(np.sum(res.fun**2)),
        "ndf": int(len(y) - 3),
        "range": (float(lo[0]), float(hi[-1])),
    }


# The result of fit_spectrum() on ATLAS_2011_MUON_XSEC (a test re-fits and checks these).
MUON_SPECTRUM = PowerLawSpectrum(
    index=5.47,
    p0=1.98,
    fitted=True,
    source="the ATLAS 7 TeV inclusive muon cross-section, arXiv:1109.0525 (HEPData ins926145 table 3), "
    "4-52 GeV, chi2/ndf 14.1/22",
)


def spectrum_weights(
    pt_true: np.ndarray, pt_min: float, pt_max: float, spectrum: PowerLawSpectrum = MUON_SPECTRUM
) -> np.ndarray:
    """Weights that turn a flat generated pT spectrum into ``spectrum``.

    Args:
        pt_true: True pT of the generated muons [GeV], shape ``(N,)`` (flat in [pt_min, pt_max]).
        pt_min: Lowest generated pT [GeV].
        pt_max: Highest generated pT [GeV].
        spectrum: The target dN/dpT.

    Returns:
        Weights ``(N,)``, 0 outside [pt_min, pt_max], mean 1 over the events inside it.
    """
    pt = np.asarray(pt_true, dtype=np.float64).ravel()
    if not 0 < pt_min < pt_max:
        raise TrigLabError(f"Need 0 < pt_min < pt_max for the spectrum weights, got {pt_min}, {pt_max} GeV")
    inside = (pt >= pt_min) & (pt <= pt_max)
    w = np.where(inside, spectrum.density(np.where(inside, pt, 1.0)), 0.0)
    total = float(w.sum())
    return w * (float(inside.sum()) / total) if total > 0 else w


def trigger_rate(fired: np.ndarray, weights: np.ndarray) -> dict[str, float | None]:
    """Spectrum-weighted fraction of muons that fire.

    Args:
        fired: Boolean ``(N,)``: the trigger's decision per muon.
        weights: :func:`spectrum_weights` of the same muons.

    Returns:
        ``rate`` (Σ w·fired / Σ w) and ``err`` (its statistical error,
        √Σ w²(fired − rate)² / Σ w); both None without weight.
    """
    f = np.asarray(fired, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    if f.shape != w.shape:
        raise TrigLabError(f"{len(f)} decisions but {len(w)} weights")
    total = float(w.sum())
    if total <= 0:
        return {"rate": None, "err": None}
    rate = float(np.dot(w, f)) / total
    err = math.sqrt(float(np.sum(w * w * (f - rate) ** 2))) / total
    return {"rate": rate, "err": err}


def rate_ratio(fired_a: np.ndarray, fired_b: np.ndarray, weights: np.ndarray) -> dict[str, float | None]:
    """rate(a) / rate(b) over the same muons, with its statistical error.

    Returns:
        ``ratio`` and ``err`` (delta method, √Σ w²(a − ratio·b)² / Σ w·b, which includes the
        correlation of the two rates); None when b never fires.
    """
    a = np.asarray(fired_a, dtype=np.float64).ravel()
    b = np.asarray(fired_b, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    den = float(np.dot(w, b))
    if den <= 0:
        return {"ratio": None, "err": None}
    ratio = float(np.dot(w, a)) / den
    return {"ratio": ratio, "err": math.sqrt(float(np.sum(w * w * (a - ratio * b) ** 2))) / den}


def efficiency_above(fired: np.ndarray, pt_true: np.ndarray, threshold: float) -> float | None:
    """Fraction of muons with true pT >= ``threshold`` that fire (unweighted: flat spectrum)."""
    above = np.asarray(pt_true, dtype=np.float64).ravel() >= threshold
    n = int(above.sum())
    return float(np.asarray(fired, dtype=bool).ravel()[above].sum()) / n if n else None


def rate_at_equal_efficiency(
    pt_pred: np.ndarray,
    accepted: np.ndarray | None,
    pt_true: np.ndarray,
    classical_fired: np.ndarray,
    threshold: float,
    weights: np.ndarray,
) -> dict[str, Any]:
    """The network's rate relative to the classical trigger at equal efficiency above ``threshold``.

    Args:
        pt_pred: The network's predicted pT [GeV], ``(N,)``.
        accepted: Boolean ``(N,)``: events that passed the hit coincidence in front of the
            network (None: all).
        pt_true: True pT [GeV], ``(N,)``.
        classical_fired: Boolean ``(N,)``: the classical trigger's decision at ``threshold``.
        threshold: T [GeV].
        weights: :func:`spectrum_weights` of the events.

    Returns:
        ``network_cut`` T' [GeV], ``eff_above_classical``, ``eff_above_network`` (at T'),
        ``rate_classical``, ``rate_classical_err``, ``rate_network``, ``rate_network_err``,
        ``ratio``, ``ratio_err``. Fields that cannot be had are None (no muon above T, a
        classical trigger that never fires there, a network that cannot reach its efficiency).
    """
    pred = np.asarray(pt_pred, dtype=np.float64).ravel()
    true = np.asarray(pt_true, dtype=np.float64).ravel()
    cl = np.asarray(classical_fired, dtype=bool).ravel()
    ok = np.ones_like(cl) if accepted is None else np.asarray(accepted, dtype=bool).ravel()
    if not (pred.shape == true.shape == cl.shape == ok.shape == np.shape(weights)):
        raise TrigLabError("pt_pred, accepted, pt_true, classical_fired and weights need one entry per event")
    rc = trigger_rate(cl, weights)
    out: dict[str, Any] = {
        "threshold": float(threshold),
        "network_cut": None,
        "eff_above_classical": efficiency_above(cl, true, threshold),
        "eff_above_network": None,
        "rate_classical": rc["rate"],
        "rate_classical_err": rc["err"],
        "rate_network": None,
        "rate_network_err": None,
        "ratio": None,
        "ratio_err": None,
    }
    above = true >= threshold
    n_above = int(above.sum())
    eff_cl = out["eff_above_classical"]
    if not n_above or not eff_cl:
        return out
    # The k-th highest predicted pT among accepted muons above T is the highest cut that keeps
    # k of them, k = ceil(eff_classical · n_above): the efficiency is a step function of the cut.
    k = math.ceil(eff_cl * n_above - 1e-9)
    candidates = np.sort(pred[above & ok])[::-1]
    if k > len(candidates):
        out["eff_above_network"] = len(candidates) / n_above  # its best, still short
        return out
    cut = float(candidates[k - 1])
    net = ok & (pred >= cut)
    rn = trigger_rate(net, weights)
    rr = rate_ratio(net, cl, weights)
    out.update(
        network_cut=cut,
        eff_above_network=efficiency_above(net, true, threshold),
        rate_network=rn["rate"],
        rate_network_err=rn["err"],
        ratio=rr["ratio"],
        ratio_err=rr["err"],
    )
    return out
