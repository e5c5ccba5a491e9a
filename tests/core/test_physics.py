"""Physics metrics of the trigger task: resolution, turn-on curves, Clopper–Pearson, fake rate, ROC."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import beta

from core.metrics.physics import (
    DEFAULT_PT_BINS,
    clopper_pearson,
    fake_rate,
    pt_from_q_over_pt,
    pt_resolution,
    roc_auc,
    scalar_metrics,
    trigger_metrics,
    turn_on_curve,
)


def _uniform_pt(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(3.0, 50.0, n)  # the generated range


def test_pt_from_q_over_pt_caps_straight_tracks():
    pt = pt_from_q_over_pt(np.array([0.1, -0.05, 0.0, 1e-6]))
    assert pt == pytest.approx([10.0, 20.0, 1000.0, 1000.0])


@pytest.mark.parametrize("threshold", [10.0, 20.0])
def test_perfect_predictor_turn_on_is_a_step_at_the_threshold(threshold):
    pt = _uniform_pt(20_000)
    curve = turn_on_curve(pt, pt, threshold)
    centers = curve.centers
    below, above = curve.edges[1:] <= threshold, curve.edges[:-1] >= threshold
    assert np.all(curve.efficiency[below] == 0.0)
    assert np.all(curve.efficiency[above] == 1.0)
    width = np.diff(DEFAULT_PT_BINS)[0]
    assert abs(curve.pt_at(0.5) - threshold) <= width
    assert threshold <= curve.pt_at(0.9) <= threshold + width
    # Error bars: exact 0 and 1 have a one-sided interval.
    assert np.all(curve.lo[above] < 1.0) and np.all(curve.hi[above] == 1.0)
    assert np.all(curve.lo[below] == 0.0) and np.all(curve.hi[below] > 0.0)
    assert np.array_equal(curve.total, np.histogram(pt, DEFAULT_PT_BINS)[0])
    assert len(centers) == len(DEFAULT_PT_BINS) - 1
    json.dumps(curve.to_dict())


def test_turn_on_never_reached_and_empty_bins():
    pt = _uniform_pt(1000)
    curve = turn_on_curve(np.zeros_like(pt), pt, 10.0, bins=np.array([0.0, 1.0, 2.0, 10.0, 31.0]))
    assert curve.pt_at(0.5) is None
    d = curve.to_dict()
    assert d["efficiency"][:2] == [None, None] and d["total"][:2] == [0, 0]


@pytest.mark.parametrize("cl", [0.683, 0.95])
def test_clopper_pearson_matches_scipy_beta_quantiles(cl):
    alpha = 1.0 - cl
    for k, n in [(1, 10), (5, 10), (37, 120), (999, 1000)]:
        lo, hi = clopper_pearson(k, n, cl)
        assert lo == pytest.approx(beta.ppf(alpha / 2, k, n - k + 1), rel=1e-12)
        assert hi == pytest.approx(beta.ppf(1 - alpha / 2, k + 1, n - k), rel=1e-12)
        assert lo < k / n < hi


def test_clopper_pearson_edges_and_arrays():
    lo, hi = clopper_pearson(0, 20, 0.95)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 20))  # closed form for k = 0
    lo, hi = clopper_pearson(20, 20, 0.95)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / 20))  # closed form for k = n
    assert clopper_pearson(0, 0) == (0.0, 1.0)
    lo, hi = clopper_pearson(np.array([0, 3, 10]), np.array([10, 10, 10]))
    assert lo.shape == (3,) and lo[0] == 0.0 and hi[2] == 1.0 and lo[1] < 0.3 < hi[1]
    with pytest.raises(Exception, match="k <= n"):
        clopper_pearson(5, 3)


def test_resolution_of_gaussian_smearing():
    rng = np.random.default_rng(1)
    pt = _uniform_pt(50_000, seed=2)
    sigma = 0.08
    pred = pt * (1.0 + sigma * rng.standard_normal(len(pt)))
    res = pt_resolution(pred, pt)
    assert res["std"] == pytest.approx(sigma, rel=0.03)
    assert res["robust"] == pytest.approx(sigma, rel=0.03)
    assert abs(res["bias"]) < 0.003
    assert sum(res["counts"]) == len(pt)
    assert np.allclose(res["bin_robust"], sigma, rtol=0.15)
    assert sum(res["hist_counts"]) + res["underflow"] + res["overflow"] == len(pt)
    json.dumps(res)


def test_fake_rate_all_pass_and_none_pass():
    all_pass = fake_rate(np.full(500, 50.0), 20.0)
    assert all_pass["rate"] == 1.0 and all_pass["hi"] == 1.0 and all_pass["lo"] < 1.0
    none_pass = fake_rate(np.full(500, 5.0), 20.0)
    assert none_pass["rate"] == 0.0 and none_pass["lo"] == 0.0 and 0.0 < none_pass["hi"] < 0.01
    assert none_pass["total"] == 500 and none_pass["passed"] == 0


def test_roc_auc_perfect_and_random():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 20_000)
    perfect = roc_auc(labels + 0.1 * rng.random(len(labels)), labels)
    assert perfect["auc"] == pytest.approx(1.0)
    assert perfect["fpr"][0] == 0.0 and perfect["tpr"][-1] == 1.0 and perfect["fpr"][-1] == 1.0
    random = roc_auc(rng.random(len(labels)), labels)
    assert random["auc"] == pytest.approx(0.5, abs=0.02)
    constant = roc_auc(np.zeros(len(labels)), labels)  # all tied: the diagonal, not a step
    assert constant["auc"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def tiny_muons(tmp_path_factory):
    from core.data import load_dataset

    return load_dataset("muon_rpc", events=3000, seed=1, cache_dir=tmp_path_factory.mktemp("muon"))


def test_trigger_metrics_on_tiny_muon_dataset(tiny_muons):
    from core.zoo import build_model

    model = build_model("muon_cnn_student", seed=0)
    result = trigger_metrics(model, tiny_muons, thresholds=(10, 20))
    for key in ("pt_resolution", "pt_resolution_robust", "turn_on", "resolution"):
        assert key in result
    for thr in ("10", "20"):
        assert f"pt50_{thr}" in result and f"pt90_{thr}" in result
        assert 0.0 <= result[f"fake_rate_{thr}"] <= 1.0
        assert sum(result["turn_on"][thr]["total"]) == len(tiny_muons.x_val)
    assert result["fake"]["10"]["total"] == len(tiny_muons.extra["x_noise"])
    json.dumps(result)
    scalars = scalar_metrics(result)
    assert set(scalars) >= {"pt_resolution", "pt50_10", "pt90_20", "fake_rate_20"}
    assert all(v is None or isinstance(v, float) for v in scalars.values())


def test_trigger_metrics_classification(digits):
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.layers.Input((8, 8, 1)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10, "softmax")]
    )
    result = trigger_metrics(model, digits)
    assert result["task"] == "classification"
    assert 0.0 <= result["roc_auc"] <= 1.0 and "turn_on" not in result


def test_cli_metrics_prints_and_stores_on_the_variant(tmp_path, tiny_muons, capsys):
    from core.cli import main
    from core.data import load_dataset, pin_params
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    pin_params(ws.data_dir, "muon_rpc", events=3000, seed=1)
    load_dataset("muon_rpc", cache_dir=ws.data_dir)
    v = add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc")
    assert main(["metrics", str(ws.root), "--variant", v.name, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["dataset_params"] == {"events": 3000, "seed": 1}  # the pinned simulation
    assert payload["n"] == len(tiny_muons.x_val)
    assert {"pt_resolution", "pt50_10", "fake_rate_20"} <= set(payload["metrics"])
    stored = Workspace.open(ws.root)[v.name].metrics
    assert stored["pt_resolution"] == pytest.approx(payload["pt_resolution"])
    assert payload["spectrum"] and {"10", "20"} <= set(payload["rates"])
    assert payload["metrics"]["rate_10"] == pytest.approx(payload["rates"]["10"]["rate"])
    assert main(["metrics", str(ws.root), "--variant", v.name, "--threshold", "15"]) == 0
    text = capsys.readouterr().out
    assert "threshold 15 GeV: pT50" in text and "efficiency above 15 GeV" in text
    assert "rates weighted to dN/dpT" in text


# --- the hit coincidence in front of the network -------------------------------------------------


def test_coincidence_counts_fired_layers_of_the_inner_stations():
    from core.metrics.physics import Coincidence

    stations = [0, 0, 1, 1, 2, 2]
    hits = np.zeros((4, 6, 64, 1), dtype=np.float32)
    hits[0, [0, 1, 2, 3], 10] = 1  # all four inner layers: passes
    hits[1, [0, 1, 2], 10] = 1  # three of four: passes (majority 3/4)
    hits[2, [0, 1, 4, 5], 10] = 1  # two inner + two outer: fails (RPC3 does not count)
    hits[3, [0, 2, 3], [5, 40, 63]] = 1  # hits far apart still count: the network judges the track
    c = Coincidence()
    assert c.layers(stations) == [0, 1, 2, 3]
    assert c.accepts(hits, stations).tolist() == [True, True, False, True]
    assert Coincidence(min_layers=4).accepts(hits, stations).tolist() == [True, False, False, False]
    assert "3 layers of RPC1+RPC2" in c.describe()
    with pytest.raises(Exception, match="layers"):
        c.accepts(hits[:, :5], stations)


def test_turn_on_and_fake_rate_include_the_coincidence():
    pt_true = np.linspace(3, 50, 2000)
    pt_pred = pt_true.copy()
    accepted = np.ones(len(pt_true), dtype=bool)
    accepted[::4] = False  # a quarter of the muons fail the coincidence
    curve = turn_on_curve(pt_pred, pt_true, 10.0, accepted=accepted)
    plateau = curve.efficiency[curve.centers > 12]
    assert np.allclose(plateau, 0.75, atol=0.06)
    fr = fake_rate(np.full(400, 1000.0), 20.0, accepted=np.arange(400) < 3)
    assert fr["rate"] == pytest.approx(3 / 400) and fr["network_only_rate"] == 1.0


def test_trigger_metrics_apply_the_coincidence_to_noise_and_muons(tiny_muons):
    from core.zoo import build_model

    model = build_model("muon_cnn_student", seed=0)
    with_c = trigger_metrics(model, tiny_muons, thresholds=(20,))
    without = trigger_metrics(model, tiny_muons, thresholds=(20,), coincidence=None)
    # Strip noise of 0.1 % fires ~6 % of the layers of an empty event: 3 of 4 is rare.
    assert with_c["noise_coincidence_rate"] < 0.01
    assert with_c["coincidence_efficiency"] > 0.95  # 95 % efficient layers, 3 of 4 needed
    assert with_c["fake_rate_20"] <= with_c["noise_coincidence_rate"]
    assert with_c["fake"]["20"]["network_only_rate"] == without["fake_rate_20"]
    assert with_c["coincidence"]["min_layers"] == 3 and without["coincidence"] is None
    assert sum(with_c["turn_on"]["20"]["passed"]) <= sum(without["turn_on"]["20"]["passed"])


# --- baselines, the classical reference, rates ----------------------------------------------------
class _Oracle:
    """A perfect "network": the true q/pT of the split it was made for, q/pT 0 on anything else."""

    def __init__(self, y):
        self.y = np.asarray(y, dtype=np.float32)

    def predict(self, x, batch_size=1024, verbose=0):
        return self.y if len(x) == len(self.y) else np.zeros((len(x), 2), np.float32)


def test_trigger_metrics_compare_with_the_classical_reference(tiny_muons):
    from trigger_stand_in import BendingCutTrigger

    ref = BendingCutTrigger()
    result = trigger_metrics(
        _Oracle(tiny_muons.y_val), tiny_muons, thresholds=(10, 20), reference=(ref, "bending cut")
    )
    assert result["reference"] == "bending cut" and "fitted to" in result["spectrum"]
    for thr in ("10", "20"):
        rates = result["rates"][thr]
        # a perfect estimator at the classical trigger's efficiency above T fires less below T
        assert rates["eff_above_network"] == pytest.approx(rates["eff_above_classical"], abs=0.02)
        assert result[f"rate_ratio_{thr}"] < 1.0 and result[f"rate_ratio_err_{thr}"] > 0
        assert result[f"network_cut_{thr}"] >= float(thr)
        assert 0 < result[f"rate_{thr}"] < 1 and result[f"rate_err_{thr}"] > 0
        assert result[f"eff_above_{thr}"] > 0.9  # the coincidence loses a few per cent
        assert result[f"pt50_binned_{thr}"] is not None
    scalars = scalar_metrics(result)
    assert {"rate_ratio_10", "rate_ratio_err_20", "network_cut_10", "eff_above_20", "rate_10"} <= set(scalars)
    assert {"plateau_10", "pt50_err_10", "width_20", "pt50_binned_10"} <= set(scalars)
    json.dumps(result)
    assert result["resolution_limit"]["robust"] > 0 and result["resolution_limit"]["n"] == result["n"]


def test_a_baseline_decides_with_its_own_windows_at_its_tuned_thresholds_only(tiny_muons):
    from trigger_stand_in import BendingCutTrigger

    trig = BendingCutTrigger(thresholds=(10.0, 20.0))
    result = trigger_metrics(trig, tiny_muons, thresholds=(10, 15, 20), reference=(trig, "itself"))
    assert set(result["turn_on"]) == {"10", "20"}  # no road at 15 GeV
    pt = tiny_muons.extra["pt_val"]
    fired = trig.fires(tiny_muons.x_val, 20.0)
    assert sum(result["turn_on"]["20"]["passed"]) == int(fired.sum())
    assert result["rate_ratio_20"] == pytest.approx(1.0) and result["network_cut_20"] == 20.0
    assert result["eff_above_20"] == pytest.approx(fired[pt >= 20].mean())
    noise_fired = trig.fires(tiny_muons.extra["x_noise"], 10.0)
    assert result["fake_rate_10"] == pytest.approx(noise_fired.mean())
    # fitted pT50 next to the binned one, within the fit's error and a bin
    fit = result["turn_on"]["10"]["fit"]
    if fit is not None:
        assert result["pt50_10"] == fit["pt50"]
        assert abs(fit["pt50"] - result["pt50_binned_10"]) < 3 * fit["pt50_err"] + 1.0


def test_without_a_reference_there_are_no_ratios(tiny_muons):
    result = trigger_metrics(_Oracle(tiny_muons.y_val), tiny_muons, thresholds=(20,))
    assert result["reference"] is None and "rate_ratio_20" not in result
    assert result["rates"]["20"]["ratio"] is None and result["rate_20"] > 0


@pytest.fixture
def stand_in_trigger_package(monkeypatch):
    """core.trigger's contract names replaced by stand-ins, to see that the physics code goes
    through them: ``load_predictor`` (the bending cut for the variant 'roads', else the Keras
    model), ``reference_trigger`` (records its calls) and ``stripfit.strip_fit`` (the bending
    estimate). Returns the list of ``reference_trigger`` calls."""
    from trigger_stand_in import BendingCutTrigger

    import core.trigger
    import core.trigger.stripfit

    calls = []

    def load_predictor(ws, name):
        return BendingCutTrigger() if name == "roads" else ws.load_model(name)

    def reference_trigger(ws, dataset, thresholds):
        calls.append((dataset.name, tuple(thresholds)))
        return BendingCutTrigger(thresholds), "roads (stand-in)"

    def strip_fit(hits, config):
        q = BendingCutTrigger(config=config).predict(hits)[:, 0]
        return {"q_over_pt": q, "ok": q != 0, "n_layers": np.full(len(q), 6)}

    monkeypatch.setattr(core.trigger, "load_predictor", load_predictor)
    monkeypatch.setattr(core.trigger, "reference_trigger", reference_trigger)
    monkeypatch.setattr(core.trigger.stripfit, "strip_fit", strip_fit)
    return calls


def test_variant_metrics_use_the_trigger_package_by_its_contract_names(tmp_path, stand_in_trigger_package):
    from core.data import load_dataset, pin_params
    from core.metrics.physics import pt_from_q_over_pt, pt_resolution, variant_trigger_metrics
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    pin_params(ws.data_dir, "muon_rpc", events=3000, seed=1)
    ds = load_dataset("muon_rpc", cache_dir=ws.data_dir)
    v = add_zoo_variant(ws, "muon_cnn_student", dataset="muon_rpc")
    ws.add_variant(ws.load_model(v.name), "roads", operation="import", dataset="muon_rpc")
    net = variant_trigger_metrics(ws, v.name)
    assert net["reference"] == "roads (stand-in)" and stand_in_trigger_package == [("muon_rpc", (10.0, 20.0))]
    assert {"rate_ratio_10", "rate_ratio_20", "network_cut_20"} <= set(net)
    # the strip-fit limit on the same events
    from trigger_stand_in import BendingCutTrigger

    q = BendingCutTrigger().predict(ds.x_val)[:, 0]
    expected = pt_resolution(pt_from_q_over_pt(q), ds.extra["pt_val"])
    assert net["resolution_limit"]["robust"] == pytest.approx(expected["robust"])
    roads = variant_trigger_metrics(ws, "roads")  # the baseline, measured against itself
    assert roads["rate_ratio_10"] == pytest.approx(1.0) and roads["rate_ratio_20"] == pytest.approx(1.0)


def test_against_the_real_road_trigger(tiny_muons):
    """The road trigger against itself gives 1, a perfect estimator cuts its rate at equal
    efficiency, the strip-fit limit comes with the result."""
    from core.trigger import reference_trigger

    roads, label = reference_trigger(None, tiny_muons, (10.0, 20.0))
    own = trigger_metrics(roads, tiny_muons, reference=(roads, label))
    assert own["reference"] == label
    assert own["rate_ratio_10"] == pytest.approx(1.0) and own["rate_ratio_20"] == pytest.approx(1.0)
    assert own["resolution_limit"]["robust"] > 0 and own["resolution_limit"]["n"] == own["n"]
    perfect = trigger_metrics(_Oracle(tiny_muons.y_val), tiny_muons, reference=(roads, label))
    for thr in ("10", "20"):
        r = perfect["rates"][thr]
        assert r["eff_above_network"] >= r["eff_above_classical"]  # reachable behind the coincidence
        assert r["ratio"] < 1.0 - 3 * r["ratio_err"]
