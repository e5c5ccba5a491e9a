"""The strip fit: the resolution the strip granularity allows, and its strict spec."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.data.muon_rpc import MuonSimConfig, deflection_strips, simulate_muon_rpc
from core.trigger.clusters import cluster_centres
from core.trigger.spec import BaselineSpecError
from core.trigger.stripfit import StripFit, strip_fit

BASE = MuonSimConfig()
CLEAN = dataclasses.replace(BASE, efficiency=1.0, noise_prob=0.0, cluster_size_probs=(1.0,))


def robust(q_over_pt: np.ndarray, pt: np.ndarray) -> float:
    r = (1.0 / np.maximum(np.abs(q_over_pt), 1e-3) - pt) / pt
    lo, hi = np.percentile(r, [16, 84])
    return (hi - lo) / 2


@pytest.fixture(scope="module")
def clean():
    return simulate_muon_rpc(6000, 11, CLEAN)


def test_fit_beats_simpler_estimators_on_clean_events(clean):
    gls = strip_fit(clean["hits"], CLEAN)
    ols = strip_fit(clean["hits"], CLEAN, passes=0)  # no scattering term
    assert gls["ok"].mean() > 0.995
    assert np.mean(np.sign(gls["q_over_pt"]) == clean["charge"]) > 0.97
    # two points, RPC3 - RPC2 (first clusters), with the same range limits
    c, _ = cluster_centres(clean["hits"])
    d = deflection_strips(np.ones(1), CLEAN)[0]
    k2 = (c[:, 4, 0] - c[:, 2, 0]) / 2 / (d[4] - d[2])
    k2 = np.where(k2 >= 0, 1, -1) * np.clip(np.abs(k2), 1 / CLEAN.pt_max, 1 / CLEAN.pt_min)
    r_gls, r_ols, r_two = (robust(k, clean["pt"]) for k in (gls["q_over_pt"], ols["q_over_pt"], k2))
    assert r_gls < 0.9 * r_two, (r_gls, r_two)  # measured 0.20 vs 0.25
    assert r_gls <= 1.02 * r_ols, (r_gls, r_ols)
    assert 0.1 < r_gls < 0.3  # measured 0.20 on 15k events (module docstring)


def test_fewer_than_three_layers_give_no_estimate():
    d = simulate_muon_rpc(200, 2, CLEAN)
    hits = d["hits"].copy()
    hits[:, [0, 1, 3, 5]] = 0  # two layers left (one when the muon left the window in RPC3)
    fit = strip_fit(hits, CLEAN)
    assert not fit["ok"].any() and np.all(fit["q_over_pt"] == 0) and np.all(fit["n_layers"] <= 2)


def test_predict_and_spec():
    sf = StripFit(BASE)
    d = simulate_muon_rpc(500, 4, BASE)
    out = sf.predict(d["hits"][..., None].astype(np.float32))
    assert out.shape == (500, 2) and out.dtype == np.float32
    assert np.abs(out[:, 1] - d["eta"]).mean() < 0.01
    again = StripFit.from_json(sf.to_json())
    np.testing.assert_array_equal(again.predict(d["hits"]), out)
    assert sf.fires is None and sf.thresholds is None
    for key, value in (("passes", 2.5), ("passes", -1), ("kind", "roads"), ("config", [])):
        with pytest.raises(BaselineSpecError, match=key):
            StripFit.from_json({**sf.to_json(), key: value})
