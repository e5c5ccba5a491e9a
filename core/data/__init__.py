"""Data sets: the registry of built-in sets (``digits``, ``muon_rpc``) and user files.

    from core.data import load_dataset, list_datasets
    ds = load_dataset("muon_rpc", events=20_000, seed=3, cache_dir=workspace / "cache")
    ds = load_dataset("my_data.npz")

NumPy only: TensorFlow is never imported here.
"""

from core.data import builtin as _builtin  # noqa: F401  (registers the built-in sets)
from core.data.builtin import unlabelled_inputs
from core.data.dataset import Dataset, DatasetError, split_indices
from core.data.files import load_user_file, save_npz
from core.data.registry import (
    DatasetInfo,
    list_datasets,
    load_dataset,
    pin_params,
    pinned_params,
    register_dataset,
)

__all__ = [
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "list_datasets",
    "load_dataset",
    "load_user_file",
    "pin_params",
    "pinned_params",
    "register_dataset",
    "save_npz",
    "split_indices",
    "unlabelled_inputs",
]
