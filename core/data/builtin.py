"""The built-in data sets: ``digits`` (hands-on 1) and ``muon_rpc`` (hands-on 2)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from core.data.dataset import Dataset, DatasetError, split_indices
from core.data.files import atomic_savez
from core.data.muon_rpc import SIM_VERSION, MuonSimConfig, simulate_muon_rpc, simulate_noise_only
from core.data.registry import register_dataset
from core.jobs import Progress, ensure_progress

DIGITS_SPLIT = (0.6, 0.2, 0.2)
DIGITS_SPLIT_SEED = 8
MUON_SPLIT = (0.70, 0.15, 0.15)


@register_dataset(
    "digits",
    "classification",
    "scikit-learn's 1797 handwritten digits, 8x8 pixels in [0, 1], 10 classes; fixed stratified "
    "60/20/20 split. Ships with scikit-learn, nothing is downloaded.",
)
def load_digits(*, cache_dir: str | os.PathLike | None = None, progress: Progress | None = None) -> Dataset:
    """The 8x8 digits, shaped ``(N, 8, 8, 1)`` float32 in [0, 1], labels 0–9.

    The split is fixed (seed ``DIGITS_SPLIT_SEED``, stratified by class), hence identical on
    every machine. ``cache_dir`` is ignored: there is nothing to cache.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    progress = ensure_progress(progress)
    progress.update(0.0, "loading digits")
    bunch = sklearn_digits()
    x = (bunch.images / 16.0).astype(np.float32)[..., None]
    y = bunch.target.astype(np.int64)
    train, val, test = split_indices(len(y), DIGITS_SPLIT, DIGITS_SPLIT_SEED, labels=y)
    progress.update(1.0, "digits loaded")
    return Dataset(
        name="digits",
        task="classification",
        x_train=x[train],
        y_train=y[train],
        x_val=x[val],
        y_val=y[val],
        x_test=x[test],
        y_test=y[test],
        description="Handwritten digits 0-9, 8x8 grey-level images (scikit-learn's copy of UCI optdigits).",
        target_names=[str(d) for d in range(10)],
        meta={
            "source": "sklearn.datasets.load_digits",
            "split": list(DIGITS_SPLIT),
            "split_seed": DIGITS_SPLIT_SEED,
        },
    )


@register_dataset(
    "muon_rpc",
    "regression",
    "Toy ATLAS barrel RPC Level-0 muon trigger: 6x64 strip hit maps of single muons "
    "(pT 3-50 GeV, 0.5 T toroid); targets q/pT and eta. Seeded simulation, nothing downloaded.",
)
def load_muon_rpc(
    *,
    events: int = 100_000,
    seed: int = 1,
    noise_events: int = 10_000,
    config: MuonSimConfig | dict[str, Any] | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Simulated RPC hit maps for q/pT and η regression.

    Args:
        events: Number of simulated muons (split 70/15/15 in generation order).
        seed: Simulation seed.
        noise_events: Number of noise-only events, in ``extra["x_noise"]``.
        config: A :class:`MuonSimConfig`, or a dict of fields overriding the defaults.
        cache_dir: When given, the generated arrays are cached there and reused.
        progress: Job progress and cancellation.

    Returns:
        ``x`` (N, n_layers, n_strips, 1) float32 hit maps; ``y`` (N, 2) float32 with columns
        q/pT [1/GeV] and η. ``extra`` holds ``pt_*`` [GeV] and ``charge_*`` per split and
        ``x_noise``; ``meta`` the full config, seed and counts.
    """
    progress = ensure_progress(progress)
    config = _muon_config(config)
    events, seed, noise_events = int(events), int(seed), int(noise_events)
    if events < 10 or seed < 0 or noise_events < 0:
        raise DatasetError(
            f"muon_rpc needs events >= 10, seed >= 0 and noise_events >= 0 "
            f"(got events={events}, seed={seed}, noise_events={noise_events})."
        )
    _check_muon_memory(events, noise_events, config)
    meta = {
        "events": events,
        "seed": seed,
        "noise_events": noise_events,
        "sim_version": SIM_VERSION,
        "split": list(MUON_SPLIT),
        "config": json.loads(json.dumps(dataclasses.asdict(config))),  # tuples -> lists, as JSON
        "target_units": ["1/GeV", ""],
    }
    arrays = _read_cache(cache_dir, meta, progress)
    if arrays is None:
        muons = simulate_muon_rpc(events, seed, config, progress.sub(0.0, 0.85))
        noise = simulate_noise_only(noise_events, seed, config, progress.sub(0.85, 0.95))
        arrays = {**muons, "noise_hits": noise["hits"]}
        _write_cache(cache_dir, meta, arrays, progress)

    x = arrays["hits"].astype(np.float32)[..., None]
    y = np.stack([arrays["q_over_pt"], arrays["eta"]], axis=1).astype(np.float32)
    n_train, n_val = int(MUON_SPLIT[0] * events), int(MUON_SPLIT[1] * events)
    bounds = {
        "train": slice(0, n_train),
        "val": slice(n_train, n_train + n_val),
        "test": slice(n_train + n_val, None),
    }
    extra: dict[str, np.ndarray] = {"x_noise": arrays["noise_hits"].astype(np.float32)[..., None]}
    for split, rows in bounds.items():
        extra[f"pt_{split}"] = arrays["pt"][rows].astype(np.float32)
        extra[f"charge_{split}"] = arrays["charge"][rows].astype(np.int8)
    progress.update(1.0, "muon_rpc ready")
    return Dataset(
        name="muon_rpc",
        task="regression",
        **{f"x_{s}": x[rows] for s, rows in bounds.items()},
        **{f"y_{s}": y[rows] for s, rows in bounds.items()},
        description=(
            f"{events:,} simulated single muons in 6 RPC layers x {config.n_strips} eta strips "
            f"(seed {seed}); regress q/pT [1/GeV] and eta. {noise_events:,} noise-only events "
            "for fake-rate studies are in extra['x_noise']."
        ),
        target_names=["q_over_pt", "eta"],
        extra=extra,
        meta=meta,
    )


def _muon_bytes_per_event(config: MuonSimConfig) -> int:
    """Peak bytes per simulated event: the uint8 hit map, its float32 copy for Keras, the finite
    check's boolean mask, and ~40 bytes of targets and truth."""
    return config.n_layers * config.n_strips * (1 + 4 + 1) + 40


def _check_muon_memory(events: int, noise_events: int, config: MuonSimConfig, what: str = "muon_rpc") -> None:
    from core.data.memory import check_memory

    per_event = _muon_bytes_per_event(config)
    check_memory(
        f"{what} with {events:,} events" + (f" and {noise_events:,} noise events" if noise_events else ""),
        events,
        per_event,
        fixed_bytes=noise_events * per_event + 64e6,  # + one simulation chunk's temporaries
    )


def _muon_config(config: MuonSimConfig | dict[str, Any] | None) -> MuonSimConfig:
    if config is None or isinstance(config, MuonSimConfig):
        return config or MuonSimConfig()
    names = {f.name for f in dataclasses.fields(MuonSimConfig)}
    unknown = sorted(set(config) - names)
    if unknown:
        raise DatasetError(f"Unknown muon simulation setting(s): {', '.join(unknown)}.")
    tuples = {k: tuple(v) for k, v in config.items() if isinstance(v, list)}
    return MuonSimConfig(**{**config, **tuples})


_CACHE_KEYS = ("hits", "q_over_pt", "pt", "charge", "eta", "entry_strip", "noise_hits")


def _cache_path(cache_dir: str | os.PathLike, meta: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]
    return Path(cache_dir) / f"muon_rpc-{meta['events']}ev-seed{meta['seed']}-{digest}.npz"


def _read_cache(
    cache_dir: str | os.PathLike | None, meta: dict[str, Any], progress: Progress
) -> dict[str, np.ndarray] | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, meta)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in _CACHE_KEYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        progress.log(f"ignoring unreadable cache {path} ({exc}); simulating again")
        return None
    progress.log(f"read cached simulation {path}")
    return arrays


def _write_cache(
    cache_dir: str | os.PathLike | None,
    meta: dict[str, Any],
    arrays: dict[str, np.ndarray],
    progress: Progress,
) -> None:
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, meta)
    progress.update(0.96, "writing cache")
    try:
        atomic_savez(path, {key: arrays[key] for key in _CACHE_KEYS})
    except OSError as exc:  # a cache that cannot be written costs time, not correctness
        progress.log(f"could not write cache {path} ({exc})")
    else:
        progress.log(f"cached simulation in {path}")


def unlabelled_inputs(dataset: Dataset, n: int, progress: Progress | None = None) -> np.ndarray:
    """``n`` inputs without targets, drawn like ``dataset``'s own (for teacher-labelled distillation).

    Only simulated data sets can make more events: ``muon_rpc`` simulates ``n`` further muons
    with the data set's configuration and seed, from a random stream of their own (see
    :func:`core.data.muon_rpc.simulate_unlabelled`), as float32 hit maps ``(n, layers, strips, 1)``.

    Raises:
        DatasetError: For a data set that cannot generate more inputs.
    """
    from core.data.muon_rpc import simulate_unlabelled

    if dataset.name != "muon_rpc" or "config" not in dataset.meta:
        raise DatasetError(
            f"'{dataset.name}' cannot generate events without truth; only the simulated muon_rpc data set can."
        )
    config = _muon_config(dataset.meta["config"])
    _check_muon_memory(int(n), 0, config, what="muon_rpc events without truth")
    hits = simulate_unlabelled(int(n), int(dataset.meta.get("seed", 0)), config, progress)
    return hits.astype(np.float32)[..., None]
