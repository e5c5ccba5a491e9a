"""The classical road trigger on generated events: plateau, turn-on, windows, strict JSON."""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest

from core import TrigLabError
from core.data.muon_rpc import MuonSimConfig, simulate_muon_rpc, simulate_noise_only
from core.trigger.clusters import cluster_centres
from core.trigger.roads import RoadTrigger, allowed_ranges, tune_roads
from core.trigger.spec import BaselineSpecError

CFG = MuonSimConfig()
N_MONO = 4000


def mono(pt: float, n: int = N_MONO, seed: int = 77) -> dict:
    return simulate_muon_rpc(n, seed, dataclasses.replace(CFG, pt_min=pt, pt_max=pt))


@pytest.fixture(scope="module")
def roads() -> RoadTrigger:
    return tune_roads(CFG, (10.0, 20.0), plateau=0.9, n_muons=5000, seed=0)


def test_cluster_centres_in_half_strips():
    hits = np.zeros((2, 2, 8), np.uint8)
    hits[0, 0, [1, 2, 5]] = 1  # a 2-strip cluster on 1-2 (centre 2.0 strips), one on 5 (5.5)
    hits[1, 1, 7] = 1
    centres, valid = cluster_centres(hits)
    assert centres.shape == (2, 2, 2)
    assert centres[0, 0][valid[0, 0]].tolist() == [4.0, 11.0]
    assert centres[1, 1][valid[1, 1]].tolist() == [15.0]
    assert not valid[0, 1].any() and not valid[1, 0].any()


def test_kept_fraction_is_close_to_the_requested_plateau(roads):
    """With one-sided half-strip windows the steps are halved: the defaults land within 0.05 of 0.9
    (measured 0.909 and 0.912 on 20,000 muons; whole symmetric windows gave 0.975 and 0.998)."""
    for t in roads.thresholds:
        fraction = roads.tuned[f"{t:g}"]["fraction"]
        assert roads.plateau <= fraction < roads.plateau + 0.05, (t, fraction)
        assert roads.windows[f"{t:g}"]["logic"] == "high"  # 10 GeV too: see default_logic


def test_efficiency_at_threshold_over_plateau_is_the_tuned_fraction(roads):
    """eff(pT = T) / eff(50 GeV) equals the fraction the windows keep, within 3 binomial sigma
    (independent muons: the tuning sample has a seed of its own)."""
    plateau_hits = mono(50.0)["hits"]
    for t in roads.thresholds:
        key = f"{t:g}"
        kept = roads.tuned[key]["fraction"]
        assert kept >= roads.plateau
        eff_t = roads.fires(mono(t)["hits"], t).mean()
        eff_plat = roads.fires(plateau_hits, t).mean()
        # the majority alone: P(>= 3 of 4 layers at 95 %) = 0.986 (x P(>= 1 of 2) = 0.9975 for high-pT)
        assert 0.965 < eff_plat < 0.995
        ratio = eff_t / eff_plat
        sigma = math.sqrt(kept * (1 - kept) / N_MONO + eff_plat * (1 - eff_plat) / N_MONO) + 1e-3
        assert abs(ratio - kept) < 3 * sigma, (key, ratio, kept, sigma)


def test_turn_on_moves_up_with_the_threshold(roads):
    """Fitted turn-ons on a flat 3–50 GeV sample: pT50 and pT90 rise with the threshold, and each
    road is 90 % of its plateau near its threshold (measured on 100,000 muons: pT90 = 10.2 and
    18.5 GeV)."""
    from core.metrics.physics import fit_turn_on, turn_on_curve

    flat = simulate_muon_rpc(8000, 5, dataclasses.replace(CFG, pt_min=3.0, pt_max=50.0))
    fits = {}
    for t in roads.thresholds:
        curve = turn_on_curve(np.zeros(len(flat["pt"])), flat["pt"], t, fired=roads.fires(flat["hits"], t))
        fits[t] = fit_turn_on(curve)
        assert fits[t] is not None
        assert 0.7 * t < fits[t]["pt90"] < 1.15 * t, (t, fits[t])
    assert fits[10.0]["pt50"] + 3 < fits[20.0]["pt50"]
    assert fits[10.0]["pt90"] + 5 < fits[20.0]["pt90"]


def _width(window) -> float:
    return window[1] - window[0]


def test_windows_narrower_for_higher_thresholds():
    low = tune_roads(CFG, (4.0, 8.0), 0.9, n_muons=2000)
    assert _width(low.windows["4"]["low"]) > _width(low.windows["8"]["low"])  # measured ±4 and ±2
    high = tune_roads(CFG, (12.0, 20.0, 40.0), 0.9, n_muons=2000)
    w = [_width(high.windows[k]["high"]) for k in ("12", "20", "40")]
    assert w[0] > w[1] > w[2], w  # measured [-5, +6], [-4, +3], ±2
    assert all(high.windows[k]["logic"] == "high" for k in ("12", "20", "40"))
    assert low.windows["8"]["logic"] == "low" and low.windows["8"]["high"] is None
    for window in [*low.windows.values(), *high.windows.values()]:
        for side in ("low", "high"):
            if window[side] is not None:  # symmetric or one half-strip wider on one side
                lo, hi = window[side]
                assert lo <= 0 <= hi and abs(hi) - abs(lo) in (-1, 0, 1)


def test_predict_is_the_highest_road_fired(roads):
    d = simulate_muon_rpc(3000, 9, dataclasses.replace(CFG, pt_max=50.0))
    out = roads.predict(d["hits"][..., None].astype(np.float32))
    assert out.shape == (3000, 2) and out.dtype == np.float32
    pt_pred = 1.0 / np.abs(out[:, 0].astype(np.float64))
    for t in roads.thresholds:
        np.testing.assert_array_equal(pt_pred >= t, roads.fires(d["hits"], t))
    fired_any = roads.fires(d["hits"], 10.0)
    assert np.mean(np.sign(out[fired_any, 0]) == d["charge"][fired_any]) > 0.95
    assert np.abs(out[:, 1] - d["eta"]).mean() < 0.01  # the pivot strip: about a strip's width


def test_only_tuned_thresholds_and_noise(roads):
    with pytest.raises(TrigLabError, match="tuned at 10, 20 GeV only"):
        roads.fires(mono(20.0, 10)["hits"], 15.0)
    noise = simulate_noise_only(5000, 3, CFG)["hits"]
    assert roads.fires(noise, 10.0).mean() < 0.005


def test_json_round_trip(roads):
    again = RoadTrigger.from_json(roads.to_json())
    assert again.windows == roads.windows and again.thresholds == roads.thresholds
    hits = mono(12.0, 500)["hits"]
    np.testing.assert_array_equal(again.predict(hits), roads.predict(hits))


def _edit(doc: dict, path: str, value) -> dict:
    d = copy.deepcopy(doc)
    *keys, last = path.split("/")
    target = d
    for k in keys:
        target = target[k]
    target[last] = value
    return d


@pytest.mark.parametrize(
    "path, value, named",
    [
        ("kind", "neural", "kind"),
        ("plateau", "0.9", "plateau"),
        ("plateau", 1.5, "plateau"),
        ("windows/10/low", -3, "windows['10'].low"),
        ("windows/10/low", [3, -3], "windows['10'].low"),
        ("windows/10/low", [-1, 0, 1], "windows['10'].low"),
        ("windows/10/high", [-2, "2"], "windows['10'].high[1]"),
        ("windows/20/high", [-1e6, 2], "windows['20'].high[0]"),
        ("version", 7, "version"),
        ("windows/10/low", "wide", "windows['10'].low"),
        ("windows/20/high", None, "windows['20'].high"),
        ("windows/10/logic", "medium", "windows['10'].logic"),
        ("windows/10", [1, 2], "windows['10']"),
        ("thresholds", list(range(1, 100_000)), "thresholds"),
        ("thresholds", [10, True], "thresholds[1]"),
        ("config/layer_radii", [8.0] * 100_000, "config.layer_radii"),
        ("config/n_strips", 10**9, "config.n_strips"),
        ("config/pt_min", "3", "config.pt_min"),
        ("config/warp_drive", 1, "config"),
        ("config/layer_station", [0, 0, 2, 2, 2, 2], "config.layer_station"),
        ("tuned/10", {"fraction": "all"}, "tuned['10'].fraction"),
        ("tuned/15", {"fraction": 0.9, "n": 10, "seed": 1}, "tuned['15']"),
    ],
)
def test_hand_edited_spec_names_the_key(roads, path, value, named):
    with pytest.raises(BaselineSpecError) as err:
        RoadTrigger.from_json(_edit(roads.to_json(), path, value))
    assert named in str(err.value)


def test_bad_tuning_requests():
    with pytest.raises(TrigLabError, match="between 0 and 1"):
        tune_roads(CFG, (10.0,), plateau=1.0)
    with pytest.raises(TrigLabError, match="thresholds"):
        tune_roads(CFG, (10.0, 10.0))


def test_allowed_ranges():
    assert allowed_ranges(0) == [(0.0, 0.0)]
    assert allowed_ranges(4) == [(-2.0, 2.0)]
    assert allowed_ranges(7) == [(-3.0, 4.0), (-4.0, 3.0)]


def test_windows_are_the_narrowest_keeping_the_plateau(roads):
    """On the tuning sample itself (its seed is stored): the windows keep >= plateau; every narrower
    allowed range keeps less (RPC3 with RPC1 unlimited, then RPC1 with the tuned RPC3)."""
    from core.data.muon_rpc import simulate_muon_rpc as sim

    for t in roads.thresholds:
        key = f"{t:g}"
        tuned, windows = roads.tuned[key], roads.windows[key]
        sample = sim(tuned["n"], tuned["seed"], dataclasses.replace(CFG, pt_min=t, pt_max=t))["hits"]
        base = RoadTrigger({key: {**windows, "low": 1e9, "high": 1e9}}, 0.9, CFG).fires(sample, t)

        def kept(low, high, base=base, sample=sample, key=key, windows=windows, t=t):
            road = RoadTrigger({key: {**windows, "low": low, "high": high}}, 0.9, CFG)
            return road.fires(sample, t)[base].mean()

        assert kept(windows["low"], windows["high"]) == pytest.approx(tuned["fraction"])
        assert tuned["fraction"] >= roads.plateau
        for width in range(int(_width(windows["high"]))):
            for r in allowed_ranges(width):
                assert kept(1e9, list(r)) < roads.plateau, (key, r)
        for width in range(int(_width(windows["low"]))):
            for r in allowed_ranges(width):
                assert kept(list(r), windows["high"]) < roads.plateau, (key, r)


def test_a_file_of_the_old_format_loads(roads):
    """Version 1 specs stored half-widths w: they load as [-w, w] and decide as before."""
    old = roads.to_json()
    old["version"] = 1
    old["windows"] = {
        "10": {"logic": "low", "low": 2.0, "high": None},
        "20": {"logic": "high", "low": 2, "high": 4.0},
    }
    trigger = RoadTrigger.from_json(old)
    assert trigger.windows["10"] == {"logic": "low", "low": [-2.0, 2.0], "high": None}
    assert trigger.windows["20"] == {"logic": "high", "low": [-2.0, 2.0], "high": [-4.0, 4.0]}
    hits = mono(10.0, 2000)["hits"]
    # the old low-pT 10 GeV road, |deviation| <= 2 in RPC1: measured 0.975 of the 10 GeV muons kept
    assert 0.93 < trigger.fires(hits, 10.0).mean() < 0.99
    assert trigger.to_json()["windows"]["20"]["high"] == [-4.0, 4.0]  # written back as a range


def test_hit_maps_of_another_detector_are_refused(roads):
    with pytest.raises(TrigLabError, match="do not match the detector"):
        roads.predict(np.zeros((3, 6, 32), np.float32))
    with pytest.raises(TrigLabError, match="do not match the detector"):
        roads.fires(np.zeros((3, 5, 64, 1), np.float32), 10.0)
