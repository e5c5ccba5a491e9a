"""Data sets: digits, the toy muon trigger simulation, the cache and user files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

import core.data.builtin as builtin
from core.data import Dataset, DatasetError, list_datasets, load_dataset, save_npz, split_indices
from core.data.muon_rpc import MuonSimConfig, deflection_strips, simulate_muon_rpc, simulate_noise_only
from core.jobs import Cancelled, RecordingProgress

CFG = MuonSimConfig()


@pytest.fixture(scope="module")
def muons() -> dict[str, np.ndarray]:
    return simulate_muon_rpc(40_000, seed=11)


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_dataset("digits")


def _station_centroid(hits: np.ndarray, station: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean fired-strip coordinate of a station's layers, and whether it has any hit."""
    layers = [i for i, s in enumerate(CFG.layer_station) if s == station]
    counts = hits[:, layers, :].sum(axis=1, dtype=np.float64)
    n = counts.sum(axis=1)
    centre = (counts * (np.arange(CFG.n_strips) + 0.5)).sum(axis=1) / np.maximum(n, 1)
    return centre, n > 0


# --- registry ----------------------------------------------------------------------------------
def test_registry_lists_builtin_sets():
    infos = {info.name: info for info in list_datasets()}
    assert infos["digits"].task == "classification"
    assert infos["muon_rpc"].task == "regression"
    assert infos["muon_rpc"].params["events"] == 100_000
    assert all(info.description for info in infos.values())


def test_unknown_name_and_parameter():
    with pytest.raises(DatasetError, match="Unknown data set 'nope'"):
        load_dataset("nope")
    with pytest.raises(DatasetError, match="no parameter 'evnts'"):
        load_dataset("muon_rpc", evnts=10)


def test_core_data_does_not_import_tensorflow_or_qt():
    code = "import sys, core.data; core.data.load_dataset('digits'); print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'PySide6')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- digits ------------------------------------------------------------------------------------
def test_digits_shapes_and_ranges(digits):
    assert digits.input_shape == (8, 8, 1)
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (1079, 359, 359)
    assert digits.x_train.dtype == np.float32 and digits.y_train.dtype == np.int64
    for split in ("train", "val", "test"):
        x = digits.x(split)
        assert 0.0 <= x.min() and x.max() <= 1.0
    assert digits.n_classes == digits.n_outputs == 10
    assert digits.loss == "sparse_categorical_crossentropy" and digits.metrics == ["accuracy"]


def test_digits_split_is_fixed_and_stratified(digits):
    again = load_dataset("digits")
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(digits.x(split), again.x(split))
        np.testing.assert_array_equal(digits.y(split), again.y(split))
    # Same on every machine: a change here changes everybody's published test accuracy.
    digest = hashlib.sha256(digits.y_test.tobytes() + digits.y_val.tobytes()).hexdigest()[:16]
    assert digest == "d0c5248252451e14"
    total = np.bincount(np.concatenate([digits.y(s) for s in ("train", "val", "test")]))
    for split, fraction in (("train", 0.6), ("val", 0.2), ("test", 0.2)):
        assert np.all(np.abs(np.bincount(digits.y(split), minlength=10) - fraction * total) <= 1)


def test_split_indices_partition():
    labels = np.repeat(np.arange(3), [50, 30, 20])
    parts = split_indices(100, (0.6, 0.2, 0.2), seed=3, labels=labels)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(100))


# --- muon simulation ---------------------------------------------------------------------------
def test_muon_shapes_and_dtypes(muons):
    n = 40_000
    assert muons["hits"].shape == (n, 6, 64) and muons["hits"].dtype == np.uint8
    assert set(np.unique(muons["hits"])) <= {0, 1}
    for key in ("q_over_pt", "pt", "eta"):
        assert muons[key].shape == (n,) and muons[key].dtype == np.float32
    assert set(np.unique(muons["charge"])) == {-1, 1}
    assert 3.0 <= muons["pt"].min() and muons["pt"].max() <= 50.0  # the generated range, 3-50 GeV
    np.testing.assert_allclose(muons["q_over_pt"], muons["charge"] / muons["pt"], rtol=1e-6)
    assert abs(muons["charge"].mean()) < 0.03
    assert np.abs(muons["eta"]).max() < 0.12


def test_muon_deterministic_by_seed():
    a, b, c = (simulate_muon_rpc(3000, seed=s) for s in (5, 5, 6))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["hits"], c["hits"])
    np.testing.assert_array_equal(simulate_noise_only(500, 5)["hits"], simulate_noise_only(500, 5)["hits"])


def test_infinite_momentum_track_fires_same_strip_in_every_layer():
    cfg = MuonSimConfig(pt_min=1e6, pt_max=1e6, efficiency=1.0, noise_prob=0.0, cluster_size_probs=(1.0,))
    hits = simulate_muon_rpc(200, seed=1, config=cfg)["hits"]
    strips = hits.argmax(axis=2)
    assert np.all(hits.sum(axis=2) == 1)
    assert np.all(strips == strips[:, :1])


def test_deflection_from_hit_maps_falls_with_pt(muons):
    outer, has_outer = _station_centroid(muons["hits"], 2)
    middle, has_middle = _station_centroid(muons["hits"], 1)
    ok = has_outer & has_middle
    bins = [3, 5, 8, 12, 18, 30, 50]
    means = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        sel = ok & (muons["pt"] >= lo) & (muons["pt"] < hi)
        means.append(np.abs(outer - middle)[sel].mean())
    assert all(a > b for a, b in zip(means[:-1], means[1:])), means
    # The simulation's own formula: ~30 strips / pT between middle and outer stations.
    expected = np.diff(deflection_strips(np.array([1 / 4.0]), CFG)[0, [2, 4]])[0]
    assert 0.6 * expected < means[0] < 1.4 * expected


def test_charge_sign_sets_bending_direction(muons):
    outer, has_outer = _station_centroid(muons["hits"], 2)
    middle, has_middle = _station_centroid(muons["hits"], 1)
    sel = has_outer & has_middle & (muons["pt"] < 10)
    bend = (outer - middle)[sel]
    assert bend[muons["charge"][sel] > 0].mean() > 2.0
    assert bend[muons["charge"][sel] < 0].mean() < -2.0


def test_layer_efficiency_for_contained_tracks(muons):
    expected = muons["entry_strip"][:, None] + deflection_strips(muons["q_over_pt"], CFG)
    inside = np.all((expected > 6) & (expected < CFG.n_strips - 6), axis=1) & (muons["pt"] > 8)
    hits = muons["hits"][inside]
    centre = np.floor(expected[inside]).astype(int)
    window = np.stack(
        [np.take_along_axis(hits, (centre + d)[..., None], axis=2)[..., 0] for d in range(-3, 4)]
    )
    efficiency = window.max(axis=0).mean(axis=0)
    assert inside.sum() > 10_000
    np.testing.assert_allclose(efficiency, 0.95, atol=0.01)


def test_low_pt_muons_lose_hits_outside_the_window(muons):
    _, has_outer = _station_centroid(muons["hits"], 2)
    low, high = muons["pt"] < 4, muons["pt"] > 15
    assert has_outer[low].mean() < has_outer[high].mean() - 0.1


def test_noise_only_occupancy():
    hits = simulate_noise_only(20_000, seed=2)["hits"]
    assert hits.shape == (20_000, 6, 64) and hits.dtype == np.uint8
    assert hits.mean() == pytest.approx(0.001, rel=0.05)


def test_hundred_thousand_events():
    out = simulate_muon_rpc(100_000, seed=1)
    assert out["hits"].shape == (100_000, 6, 64)


def test_simulation_reports_progress_and_cancels():
    progress = RecordingProgress()
    simulate_muon_rpc(40_000, seed=1, progress=progress)
    assert progress.updates[-1][0] == 1.0
    with pytest.raises(Cancelled):
        simulate_muon_rpc(40_000, seed=1, progress=RecordingProgress(cancel_after_updates=1))


def test_bad_config_is_a_dataset_error():
    with pytest.raises(DatasetError, match="cluster_size_probs"):
        MuonSimConfig(cluster_size_probs=(0.5, 0.2))


# --- muon_rpc data set and cache ---------------------------------------------------------------
def test_muon_dataset(tmp_path):
    ds = load_dataset("muon_rpc", events=2000, seed=4, noise_events=300, config={"noise_prob": 0.002})
    assert ds.task == "regression" and ds.loss == "mse" and ds.metrics == ["mse", "mae"]
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (1400, 300, 300)
    assert ds.input_shape == (6, 64, 1) and ds.x_train.dtype == np.float32
    assert ds.y_train.shape == (1400, 2) and ds.n_outputs == 2
    assert ds.target_names == ["q_over_pt", "eta"]
    np.testing.assert_allclose(ds.y_test[:, 0], ds.extra["charge_test"] / ds.extra["pt_test"], rtol=1e-6)
    assert ds.extra["x_noise"].shape == (300, 6, 64, 1)
    assert ds.meta["seed"] == 4 and ds.meta["config"]["noise_prob"] == 0.002
    json.dumps(ds.meta)


def test_muon_cache_is_reused(tmp_path, monkeypatch):
    first = load_dataset("muon_rpc", events=1000, noise_events=100, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("muon_rpc-*.npz"))) == 1

    def no_simulation(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(builtin, "simulate_muon_rpc", no_simulation)
    second = load_dataset("muon_rpc", events=1000, noise_events=100, cache_dir=tmp_path)
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(first.x(split), second.x(split))
        np.testing.assert_array_equal(first.y(split), second.y(split))
    for key in first.extra:
        np.testing.assert_array_equal(first.extra[key], second.extra[key])
    assert first.meta == second.meta
    with pytest.raises(AssertionError, match="cache was not used"):  # other parameters: new file
        load_dataset("muon_rpc", events=1000, seed=2, noise_events=100, cache_dir=tmp_path)


# --- user files --------------------------------------------------------------------------------
def test_saved_muon_file_loads_back(tmp_path):
    ds = load_dataset("muon_rpc", events=500, noise_events=50)
    path = save_npz(ds, tmp_path / "sub" / "muons.npz")
    back = load_dataset(path)
    assert back.name == "muons" and back.task == "regression"
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(ds.x(split), back.x(split))
        np.testing.assert_array_equal(ds.y(split), back.y(split))
    assert set(back.extra) == set(ds.extra)
    assert back.target_names == ds.target_names and back.meta["config"] == ds.meta["config"]
    assert back.meta["source"] == str(path)


def test_user_npz_without_val_carves_a_fixed_fifth(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((100, 5)), np.repeat(np.arange(4), 25)
    path = tmp_path / "cls.npz"
    np.savez(path, x_train=x, y_train=y, weights=np.ones(100))
    ds = load_dataset(path)
    assert ds.task == "classification" and ds.n_classes == 4
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (80, 20, 0)
    assert np.all(np.bincount(ds.y_val) == 5)
    assert ds.x_train.dtype == np.float32 and "weights" in ds.extra
    np.testing.assert_array_equal(load_dataset(path).x_val, ds.x_val)
    assert load_dataset(str(path), task="regression").task == "regression"


def test_user_h5_round_trip(tmp_path):
    import h5py

    rng = np.random.default_rng(1)
    arrays = {
        f"{xy}_{s}": rng.random((n, 3) if xy == "x" else (n,))
        for s, n in (("train", 30), ("val", 10), ("test", 10))
        for xy in "xy"
    }
    arrays["y_train"] = rng.integers(0, 3, 30)  # integer labels, but the file says regression
    path = tmp_path / "reg.h5"
    with h5py.File(path, "w") as f:
        for key, value in arrays.items():
            f[key] = value
        f.attrs["task"] = "regression"
    ds = load_dataset(path)
    assert ds.task == "regression" and ds.n_outputs == 1
    np.testing.assert_allclose(ds.x_test, arrays["x_test"].astype(np.float32))
    np.testing.assert_allclose(ds.y_val, arrays["y_val"].astype(np.float32))


def _write_bad(tmp_path, case: str):
    path = tmp_path / f"{case}.npz"
    x = np.zeros((10, 2))
    if case == "missing":
        return path
    if case == "corrupt":
        path.write_bytes(b"this is not a zip archive")
    elif case == "missing_key":
        np.savez(path, x_train=x)
    elif case == "mismatched":
        np.savez(path, x_train=x, y_train=np.zeros(9))
    elif case == "mismatched_val":
        np.savez(path, x_train=x, y_train=np.zeros(10), x_val=x, y_val=np.zeros(3))
    elif case == "pickled":
        np.savez(path, x_train=np.array([{}] * 10, dtype=object), y_train=np.zeros(10))
    elif case == "corrupt_h5":
        path = tmp_path / "bad.h5"
        path.write_bytes(b"\x89HDF\r\n garbage")
    return path


@pytest.mark.parametrize(
    "case, reason",
    [
        ("missing", "does not exist"),
        ("corrupt", "not a readable .npz"),
        ("missing_key", "'y_train' is missing"),
        ("mismatched", "10 samples but y_train has 9"),
        ("mismatched_val", "x_val has 10 samples but y_val has 3"),
        ("pickled", "pickled"),
        ("corrupt_h5", "not a readable HDF5"),
    ],
)
def test_bad_user_files(tmp_path, case, reason):
    path = _write_bad(tmp_path, case)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(path) in str(info.value) and reason in str(info.value)


def test_a_workspace_can_pin_dataset_parameters(tmp_path):
    from core.data import load_dataset, pin_params

    pin_params(tmp_path, "muon_rpc", events=1000, seed=4)
    ds = load_dataset("muon_rpc", cache_dir=tmp_path)
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 1000 and ds.meta["seed"] == 4
    explicit = load_dataset("muon_rpc", cache_dir=tmp_path, events=2000)
    assert len(explicit.x_train) + len(explicit.x_val) + len(explicit.x_test) == 2000
