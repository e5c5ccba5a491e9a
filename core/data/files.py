"""User data files (``.npz``, ``.h5``) and :func:`save_npz`, which writes the same convention.

A file holds arrays named ``x_train``, ``y_train`` and optionally ``x_val``, ``y_val``,
``x_test``, ``y_test``. Any other array is kept in ``Dataset.extra``. Optional metadata:
``task`` (a string, or an HDF5 attribute, overriding the inferred task), ``target_names``,
``description`` and ``meta_json`` (a JSON string, what :func:`save_npz` writes).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from core.data.dataset import SPLITS, Dataset, DatasetError, non_finite_problem, split_indices
from core.jobs import Progress, ensure_progress

USER_FILE_SUFFIXES = (".npz", ".h5", ".hdf5")
_METADATA_KEYS = ("task", "target_names", "description", "meta_json")
_SPLIT_KEYS = tuple(f"{xy}_{s}" for s in SPLITS for xy in "xy")
_CARVED_VAL_FRACTION = 0.2
_CARVE_SEED = 20240611


def load_user_file(
    path: str | os.PathLike, *, task: str | None = None, progress: Progress | None = None
) -> Dataset:
    """Load a user data file.

    Without ``x_val``/``y_val``, a fixed 20 % of the training samples becomes the validation
    split (stratified for classification). Without ``x_test``/``y_test`` the test split is empty.
    The task is inferred (1-D integer ``y``: classification, otherwise regression) unless the
    file or the ``task`` argument says otherwise.

    Args:
        path: A ``.npz``, ``.h5`` or ``.hdf5`` file.
        task: ``"classification"`` or ``"regression"``, overriding the file and the inference.
        progress: Job progress.

    Raises:
        DatasetError: The file is missing, unreadable or does not follow the convention; the
            message names the file and the reason.
    """
    progress = ensure_progress(progress)
    path = Path(path)
    progress.update(0.0, f"reading {path.name}")
    if not path.is_file():
        raise DatasetError(f"Cannot load data file '{path}': the file does not exist.")
    suffix = path.suffix.lower()
    if suffix not in USER_FILE_SUFFIXES:
        raise DatasetError(
            f"Cannot load data file '{path}': unsupported type '{suffix}' "
            f"(use {', '.join(USER_FILE_SUFFIXES)})."
        )
    try:
        arrays, metadata = _read_npz(path) if suffix == ".npz" else _read_h5(path)
        dataset = _build(path, arrays, metadata, task)
    except DatasetError as exc:
        raise DatasetError(f"Cannot load data file '{path}': {exc}") from exc
    progress.update(1.0, f"loaded {path.name}")
    return dataset


def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":  # otherwise np.load would try (and refuse) to unpickle it
            raise DatasetError("not a readable .npz archive (no zip header)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise DatasetError("it contains pickled Python objects, which are refused for safety") from exc
        raise DatasetError(f"not a readable .npz archive ({exc})") from exc
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise DatasetError(f"not a readable .npz archive ({exc})") from exc
    metadata = {key: _as_python(arrays.pop(key)) for key in _METADATA_KEYS if key in arrays}
    return arrays, metadata


def _read_h5(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    try:
        import h5py
    except ImportError as exc:  # h5py ships with TensorFlow; guard a stripped install anyway
        raise DatasetError("reading .h5 files needs the h5py package") from exc
    arrays: dict[str, np.ndarray] = {}
    metadata: dict[str, Any] = {}
    try:
        with h5py.File(path, "r") as h5:
            for key, value in h5.attrs.items():
                if key in _METADATA_KEYS:
                    metadata[key] = _as_python(np.asarray(value))
            for key, item in h5.items():
                if not isinstance(item, h5py.Dataset):
                    continue
                value = np.asarray(item[()])
                if key in _METADATA_KEYS:
                    metadata[key] = _as_python(value)
                else:
                    arrays[key] = value
    except OSError as exc:
        raise DatasetError(f"not a readable HDF5 file ({exc})") from exc
    return arrays, metadata


def _as_python(value: np.ndarray) -> Any:
    """A metadata array as str or list[str] (HDF5 gives bytes)."""

    def text(v: Any) -> str:
        return v.decode() if isinstance(v, bytes) else str(v)

    value = np.asarray(value)
    return text(value.item()) if value.ndim == 0 else [text(v) for v in value.tolist()]


def _build(path: Path, arrays: dict[str, np.ndarray], metadata: dict[str, Any], task: str | None) -> Dataset:
    for key in ("x_train", "y_train"):
        if key not in arrays:
            found = ", ".join(sorted(arrays)) or "nothing"
            raise DatasetError(f"required array '{key}' is missing (found: {found})")
    for split in ("val", "test"):
        if (f"x_{split}" in arrays) != (f"y_{split}" in arrays):
            raise DatasetError(f"x_{split} and y_{split} must be given together")
    for key in _SPLIT_KEYS:
        dtype = arrays[key].dtype if key in arrays else np.dtype(np.float32)
        if not (np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.bool_)):
            raise DatasetError(f"array '{key}' is not numeric (dtype {dtype})")
        if key in arrays:
            if arrays[key].ndim == 0:
                raise DatasetError(f"array '{key}' is a single number; it needs one row per sample")
            # Checked here, before the validation split is carved, so the index is the file's.
            problem = non_finite_problem(key, arrays[key])
            if problem:
                raise DatasetError(problem)
    if len(arrays["x_train"]) == 0:
        raise DatasetError("x_train holds no samples")

    y_train = arrays["y_train"]
    task = task or metadata.get("task") or _infer_task(y_train)
    if task not in ("classification", "regression"):
        raise DatasetError(f"task must be 'classification' or 'regression', not '{task}'")

    def x_(a: np.ndarray) -> np.ndarray:
        return a.astype(np.float32, copy=False)

    def y_(a: np.ndarray) -> np.ndarray:
        if task == "classification":
            if not (np.issubdtype(a.dtype, np.integer) or np.array_equal(a, np.round(a))):
                raise DatasetError("classification labels must be integers")
            return a.astype(np.int64, copy=False)
        return a.astype(np.float32, copy=False)

    names = metadata.get("target_names", [])
    names = [names] if isinstance(names, str) else list(names)
    if task == "classification" and names:
        for key in ("y_train", "y_val", "y_test"):
            y = arrays.get(key)
            if y is not None and len(y) and int(np.max(y)) >= len(names):
                raise DatasetError(
                    f"{key} holds label {int(np.max(y))} but target_names lists {len(names)} classes "
                    f"(labels 0 to {len(names) - 1})"
                )
    split = {key: arrays[key] for key in _SPLIT_KEYS if key in arrays}
    if len(split["x_train"]) != len(split["y_train"]):
        raise DatasetError(
            f"x_train has {len(split['x_train'])} samples but y_train has {len(split['y_train'])}"
        )
    val_carved = "x_val" not in split
    if val_carved:
        x, y = split.pop("x_train"), split.pop("y_train")
        labels = y if task == "classification" and y.ndim == 1 else None
        fractions = (1 - _CARVED_VAL_FRACTION, _CARVED_VAL_FRACTION, 0.0)
        train, val, _ = split_indices(len(x), fractions, _CARVE_SEED, labels)
        if len(val) == 0 or len(train) == 0:
            raise DatasetError(
                f"{len(x)} training sample(s) are too few to set a validation split aside "
                "(20 % per class): add samples, or give x_val and y_val"
            )
        split.update(
            x_train=x[np.sort(train)], y_train=y[np.sort(train)], x_val=x[np.sort(val)], y_val=y[np.sort(val)]
        )
    if "x_test" not in split:
        x, y = split["x_train"], split["y_train"]
        split.update(x_test=x[:0], y_test=y[:0])

    meta: dict[str, Any] = {}
    if "meta_json" in metadata:
        try:
            meta = dict(json.loads(metadata["meta_json"]))
        except (ValueError, TypeError) as exc:
            raise DatasetError(f"meta_json is not a JSON object ({exc})") from exc
    meta.update(source=str(path), val_carved_from_train=val_carved, has_test=len(split["x_test"]) > 0)
    return Dataset(
        name=path.stem,
        task=task,
        **{key: (x_ if key[0] == "x" else y_)(value) for key, value in split.items()},
        description=str(metadata.get("description") or f"User data from {path.name}."),
        target_names=names,
        extra={k: v for k, v in arrays.items() if k not in _SPLIT_KEYS and v.dtype != object},
        meta=meta,
    )


def _infer_task(y: np.ndarray) -> str:
    return "classification" if y.ndim == 1 and np.issubdtype(y.dtype, np.integer) else "regression"


def save_npz(data: Dataset | Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write a data set to a compressed ``.npz`` that :func:`core.data.load_dataset` reads back.

    The file holds ``x_train`` … ``y_test``, every extra array under its own name, and the
    metadata (``task``, ``target_names``, ``description``, ``meta_json``). The write is atomic.

    Args:
        data: A :class:`Dataset`, or a mapping of arrays that already follows the key
            convention (at least ``x_train`` and ``y_train``).
        path: Output file; must end in ``.npz``. Parent folders are created.

    Returns:
        The path written.

    Raises:
        DatasetError: Bad path, missing required arrays, or an extra array named like a split.
    """
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise DatasetError(f"Cannot save data set to '{path}': the file name must end in .npz.")
    if isinstance(data, Dataset):
        clash = sorted(set(data.extra) & set(_SPLIT_KEYS + _METADATA_KEYS))
        if clash:
            raise DatasetError(f"Cannot save data set to '{path}': extra arrays named {clash} clash.")
        arrays: dict[str, Any] = {key: getattr(data, key) for key in _SPLIT_KEYS}
        arrays.update(data.extra)
        arrays.update(
            task=np.str_(data.task),
            target_names=np.array(data.target_names, dtype=str),
            description=np.str_(data.description),
            meta_json=np.str_(json.dumps(data.meta, sort_keys=True)),
        )
    else:
        arrays = dict(data)
        missing = [key for key in ("x_train", "y_train") if key not in arrays]
        if missing:
            raise DatasetError(f"Cannot save data set to '{path}': missing {', '.join(missing)}.")
    atomic_savez(path, arrays)
    return path


def atomic_savez(path: Path, arrays: Mapping[str, Any]) -> None:
    """``np.savez_compressed`` written atomically (see :mod:`core.atomic`)."""
    from core.atomic import atomic_path

    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **{key: np.asarray(value) for key, value in arrays.items()})
