"""Trigger rates from a falling muon spectrum, and the rate at equal efficiency.

The simulation generates muons with a **flat** pT spectrum (every pT equally well measured).
Real muons fall steeply with pT, so a trigger's rate is dominated by the many low-pT muons that
fire it by mistake, below its threshold. Events are therefore **reweighted** from the flat
generation density to a falling dN/dpT (:func:`spectrum_weights`), and the rate of a trigger is
the weighted fraction of muons in [pt_min, pt_max] that fire it (:func:`trigger_rate`):
relative units — we quote ratios; no absolute scale is claimed.

**The spectrum (MUON_SPECTRUM) — an assumption, not a fit.** dN/dpT ∝ pT^−n with n = 4.5 over
3–50 GeV. No fit was done: the search tool available when this was written returned the
abstracts of the published spectra (ATLAS, Phys. Lett. B 707 (2012) 438, arXiv:1109.0525:
inclusive muon cross-section for 4 < pT < 100 GeV, |η| < 2.5, √s = 7 TeV; ALICE, JHEP 09
(2019) 008, arXiv:1905.07207: muons from heavy-flavour decays, 2 < pT < 20 GeV/c) but not
their tables, and numbers must not be invented. Why n = 4.5: below ~30 GeV the inclusive muon
spectrum is dominated by semi-leptonic b and c decays, whose QCD spectra in this range fall
like a power law with a local index of roughly 4 to 5 (steepening with pT); 4.5 is the middle.
Above ~30 GeV W → μν adds a Jacobian peak near 40 GeV that a pure power law leaves out.
Replace this with a fit to the HEPData tables of the papers above when they are at hand
(:class:`PowerLawSpectrum` takes the fitted index and the source text). The figure of merit is
a *ratio* of two triggers' rates at the same threshold, which depends on n much less than
either rate does.

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
    """dN/dpT ∝ pT^−index (relative units).

    Attributes:
        index: The power n.
        fitted: True only if ``index`` came from a fit to published numbers.
        source: Where the index comes from (paper, table, fit range) or why it was assumed.
    """

    index: float
    fitted: bool
    source: str

    def density(self, pt: np.ndarray) -> np.ndarray:
        """Unnormalised dN/dpT at ``pt`` [GeV]."""
        return np.power(np.asarray(pt, dtype=np.float64), -float(self.index))

    def describe(self) -> str:
        """One line for reports: the law, and whether it was fitted or assumed."""
        how = "fitted" if self.fitted else "assumed"
        return f"dN/dpT ∝ pT^-{self.index:g} ({how}: {self.source})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": "power",
            "index": float(self.index),
            "fitted": self.fitted,
            "source": self.source,
            "text": self.describe(),
        }


MUON_SPECTRUM = PowerLawSpectrum(
    index=4.5,
    fitted=False,
    source=(
        "a stand-in for the heavy-flavour-dominated inclusive muon spectrum at the LHC "
        "(ATLAS arXiv:1109.0525, ALICE arXiv:1905.07207), not fitted to their tables"
    ),
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
