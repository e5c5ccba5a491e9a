"""Erf fit of turn-on curves: agreement with the binned crossing, error coverage, failures."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

from core.metrics.physics import fit_turn_on, turn_on_curve
from core.metrics.physics.turnon_fit import PT90_Z

TRUE = {"pt50": 12.0, "width": 1.5, "plateau": 0.96}


def _erf_sample(n: int, seed: int, truth=TRUE) -> tuple[np.ndarray, np.ndarray]:
    """Flat true pT over 3–50 GeV; each muon fires with the erf probability of ``truth``."""
    rng = np.random.default_rng(seed)
    pt = rng.uniform(3.0, 50.0, n)
    p = truth["plateau"] * norm.cdf((pt - truth["pt50"]) / truth["width"])
    return pt, rng.random(n) < p


def test_fit_recovers_an_erf_and_agrees_with_the_binned_crossing():
    pt, fired = _erf_sample(15_000, seed=1)
    curve = turn_on_curve(pt, pt, 10.0, fired=fired)
    fit = fit_turn_on(curve)
    assert fit is not None and fit["model"] == "erf"
    for key in ("pt50", "width", "plateau"):
        assert abs(fit[key] - TRUE[key]) < 4 * fit[f"{key}_err"], key
    # pT50 is where the curve reaches half its plateau: the binned crossing of that level.
    binned = curve.pt_at(0.5 * fit["plateau"])
    assert abs(fit["pt50"] - binned) < 2 * fit["pt50_err"]
    assert fit["pt90"] == pytest.approx(fit["pt50"] + PT90_Z * fit["width"])
    assert fit["pt50_err"] < fit["pt90_err"] < 0.5
    assert fit["ndf"] == len(curve.total) - 3
    assert fit["chi2"] < fit["ndf"] + 5 * np.sqrt(2 * fit["ndf"])
    json.dumps(curve.to_dict())  # the fit travels with the curve, JSON-able
    assert curve.to_dict()["fit"]["pt50"] == pytest.approx(fit["pt50"])


def test_fit_errors_cover_the_truth_in_about_68_percent_of_replicas():
    hits = {"pt50": 0, "width": 0, "plateau": 0}
    n_rep = 40
    for seed in range(n_rep):
        pt, fired = _erf_sample(4000, seed=100 + seed)
        fit = fit_turn_on(turn_on_curve(pt, pt, 10.0, fired=fired))
        assert fit is not None
        for key in hits:
            hits[key] += abs(fit[key] - TRUE[key]) <= fit[f"{key}_err"]
    for key, k in hits.items():
        # 68.3 % of 40 is 27.3, binomial spread ±2.9: accept 19..36 (3σ)
        assert 19 <= k <= 36, (key, k)


def test_fit_of_a_real_toy_trigger_curve(tmp_path):
    """The bending-cut stand-in of the road trigger on simulated hit maps."""
    from trigger_stand_in import BendingCutTrigger

    from core.data import load_dataset
    from core.metrics import _split

    ds = load_dataset("muon_rpc", events=20_000, seed=3, cache_dir=tmp_path)
    x, _ = _split(ds, "train")
    pt = ds.extra["pt_train"]
    trig = BendingCutTrigger()
    curve = turn_on_curve(pt, pt, 10.0, fired=trig.fires(x, 10.0))
    fit = fit_turn_on(curve)
    assert fit is not None
    binned = curve.pt_at(0.5 * fit["plateau"])
    assert abs(fit["pt50"] - binned) < 3 * fit["pt50_err"] + 0.25  # + a quarter bin: interpolation
    assert 7.0 < fit["pt50"] < 13.0 and 0.5 < fit["plateau"] <= 1.0


def test_a_sharp_step_fits_with_its_width_at_the_limit():
    pt = np.random.default_rng(0).uniform(3.0, 50.0, 20_000)
    fit = fit_turn_on(turn_on_curve(pt, pt, 20.0))
    assert fit is not None
    assert fit["pt50"] == pytest.approx(20.0, abs=0.05)
    assert fit["plateau"] == 1.0 and 0 < fit["plateau_err"] < 1e-3
    assert fit["width_err"] is None  # sharper than the binning can tell


@pytest.mark.parametrize(
    "case",
    ["empty", "never fires", "always fires", "three bins"],
)
def test_degenerate_curves_give_none(case):
    pt = np.random.default_rng(0).uniform(3.0, 50.0, 5000)
    if case == "empty":
        curve = turn_on_curve(np.zeros(0), np.zeros(0), 10.0)
    elif case == "never fires":
        curve = turn_on_curve(pt, pt, 100.0)
    elif case == "always fires":
        curve = turn_on_curve(pt, pt, 1.0)
    else:
        curve = turn_on_curve(pt, pt, 10.0, bins=np.array([3.0, 8.0, 12.0, 50.0]))
    assert fit_turn_on(curve) is None
    assert curve.to_dict()["fit"] is None
