"""Rates from a falling spectrum: reweighting, weighted rates, rate at equal efficiency."""

from __future__ import annotations

import numpy as np
import pytest

from core import TrigLabError
from core.metrics.physics import (
    ATLAS_2011_MUON_XSEC,
    MUON_SPECTRUM,
    PowerLawSpectrum,
    fit_spectrum,
    rate_at_equal_efficiency,
    spectrum_weights,
    trigger_rate,
)

PMIN, PMAX = 3.0, 50.0


def _flat(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(PMIN, PMAX, n)


def _analytic_rate(t: float, n: float, p0: float = 0.0) -> float:
    """Fraction of a pT^-n (p0 = 0) or (1 + pT/p0)^-n spectrum on [PMIN, PMAX] above t."""

    def u(p):
        return (1 + p / p0 if p0 else p) ** (1 - n)

    return (u(t) - u(PMAX)) / (u(PMIN) - u(PMAX))


@pytest.mark.parametrize("index,p0", [(4.5, 0.0), (3.0, 0.0), (MUON_SPECTRUM.index, MUON_SPECTRUM.p0)])
@pytest.mark.parametrize("threshold", [10.0, 20.0])
def test_reweighting_integrates_the_power_law(index, p0, threshold):
    spectrum = PowerLawSpectrum(index=index, p0=p0, source="test")
    pt = _flat(200_000, seed=int(index * 10 + threshold))
    w = spectrum_weights(pt, PMIN, PMAX, spectrum)
    r = trigger_rate(pt >= threshold, w)
    expected = _analytic_rate(threshold, index, p0)
    assert abs(r["rate"] - expected) < 3 * r["err"]
    assert r["err"] < 0.1 * expected


def test_rate_error_matches_the_spread_of_replicas():
    rates, errs = [], []
    for seed in range(40):
        pt = _flat(5000, seed=seed)
        r = trigger_rate(pt >= 10.0, spectrum_weights(pt, PMIN, PMAX))
        rates.append(r["rate"])
        errs.append(r["err"])
    assert np.std(rates) == pytest.approx(np.mean(errs), rel=0.35)


def test_weights_are_zero_outside_and_average_one_inside():
    pt = np.array([2.0, 3.0, 10.0, 50.0, 60.0])
    w = spectrum_weights(pt, PMIN, PMAX)
    assert w[0] == 0 and w[-1] == 0 and np.mean(w[1:4]) == pytest.approx(1.0)
    assert w[1] > w[2] > w[3]  # falling
    with pytest.raises(TrigLabError):
        spectrum_weights(pt, 10.0, 5.0)


def test_the_spectrum_is_the_fit_to_the_atlas_muon_cross_section():
    """MUON_SPECTRUM's numbers are what fit_spectrum() gives on the stored ATLAS table."""
    fit = fit_spectrum()
    assert fit["range"] == (4.0, 52.0) and fit["ndf"] == 22
    assert fit["n"] == pytest.approx(MUON_SPECTRUM.index, abs=0.005)
    assert fit["p0"] == pytest.approx(MUON_SPECTRUM.p0, abs=0.005)
    assert fit["chi2"] == pytest.approx(14.1, abs=0.05)
    assert fit["n_err"] == pytest.approx(0.13, abs=0.005) and fit["p0_err"] == pytest.approx(0.34, abs=0.005)
    assert MUON_SPECTRUM.fitted and "arXiv:1109.0525" in MUON_SPECTRUM.describe()
    # the fitted law reproduces the data it was fitted to within their errors, bin by bin (3 sigma)
    x, _, y, err = ATLAS_2011_MUON_XSEC.T
    model = fit["A"] * MUON_SPECTRUM.density(x)
    assert np.all(np.abs(model - y) < 3 * err)


def _smeared(pt: np.ndarray, rel: float, seed: int = 1) -> np.ndarray:
    return pt * (1 + rel * np.random.default_rng(seed).standard_normal(len(pt)))


@pytest.mark.parametrize("threshold", [10.0, 20.0])
def test_perfect_estimator_cuts_the_rate_of_a_smeared_one(threshold):
    pt = _flat(50_000)
    w = spectrum_weights(pt, PMIN, PMAX)
    classical = _smeared(pt, 0.25) >= threshold
    out = rate_at_equal_efficiency(pt, None, pt, classical, threshold, w)
    assert out["eff_above_network"] == pytest.approx(out["eff_above_classical"], abs=1e-3)
    assert out["network_cut"] > threshold  # the perfect estimator gives up its top muons instead
    assert out["ratio"] < 1 - 5 * out["ratio_err"]
    assert out["ratio"] == pytest.approx(out["rate_network"] / out["rate_classical"])


def test_classical_trigger_against_itself_gives_one():
    pt = _flat(20_000)
    w = spectrum_weights(pt, PMIN, PMAX)
    fired = _smeared(pt, 0.2) >= 10.0
    as_pt = np.where(fired, 10.0, 1.0)  # a predictor whose pT passes 10 GeV exactly when it fires
    out = rate_at_equal_efficiency(as_pt, None, pt, fired, 10.0, w)
    assert out["network_cut"] == 10.0
    assert out["ratio"] == pytest.approx(1.0) and out["ratio_err"] == pytest.approx(0.0, abs=1e-12)


def test_the_coincidence_limits_what_the_network_can_reach():
    pt = _flat(10_000)
    w = spectrum_weights(pt, PMIN, PMAX)
    classical = pt >= 10.0  # 100 % above threshold
    accepted = np.arange(len(pt)) % 10 != 0  # the network sees 90 %
    out = rate_at_equal_efficiency(pt, accepted, pt, classical, 10.0, w)
    assert out["network_cut"] is None and out["ratio"] is None
    assert out["eff_above_network"] == pytest.approx(0.9, abs=0.01)


def test_degenerate_inputs_give_none_not_exceptions():
    pt = _flat(1000)
    w = spectrum_weights(pt, PMIN, PMAX)
    none_above = rate_at_equal_efficiency(pt, None, pt, pt >= 10.0, 60.0, w)
    assert none_above["eff_above_classical"] is None and none_above["ratio"] is None
    never = rate_at_equal_efficiency(pt, None, pt, np.zeros(len(pt), bool), 10.0, w)
    assert never["eff_above_classical"] == 0.0 and never["network_cut"] is None and never["ratio"] is None
    assert never["rate_classical"] == 0.0
    assert trigger_rate(np.ones(3, bool), np.zeros(3)) == {"rate": None, "err": None}
    empty = rate_at_equal_efficiency(np.zeros(0), None, np.zeros(0), np.zeros(0, bool), 10.0, np.zeros(0))
    assert empty["ratio"] is None and empty["rate_classical"] is None
