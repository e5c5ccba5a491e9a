"""The :class:`Dataset` container shared by every data source, and the split helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import TrigLabError

TASKS = ("classification", "regression")
SPLITS = ("train", "val", "test")


class DatasetError(TrigLabError):
    """A data set cannot be loaded or built (unknown name, bad file, bad parameter)."""


@dataclass
class Dataset:
    """A data set split into train, validation and test arrays, ready for Keras.

    Attributes:
        name: Registered name (``"digits"``, ``"muon_rpc"``) or the stem of a user file.
        task: ``"classification"`` (``y`` holds integer class labels, shape ``(N,)``) or
            ``"regression"`` (``y`` holds float targets, shape ``(N,)`` or ``(N, n_targets)``).
        x_train: Training inputs, shape ``(N_train, *input_shape)``, float32.
        y_train: Training targets.
        x_val: Validation inputs.
        y_val: Validation targets.
        x_test: Test inputs (may hold zero rows when a user file has no test split).
        y_test: Test targets.
        description: One or two sentences for the UI.
        target_names: Class names (classification) or target column names (regression).
        extra: Additional arrays keyed by name (e.g. ``pt_test`` or ``x_noise`` for the muon
            trigger); ``*_train/_val/_test`` suffixes follow the main split.
        meta: JSON-able parameters that produced the data (seed, simulation config, source file).
    """

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    description: str = ""
    target_names: list[str] = field(default_factory=list)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = _check_arrays(self.task, {s: (self.x(s), self.y(s)) for s in SPLITS})
        if problem:
            raise DatasetError(f"Data set '{self.name}': {problem}")

    def x(self, split: str) -> np.ndarray:
        """The inputs of one split (``"train"``, ``"val"`` or ``"test"``)."""
        return getattr(self, f"x_{split}")

    def y(self, split: str) -> np.ndarray:
        """The targets of one split (``"train"``, ``"val"`` or ``"test"``)."""
        return getattr(self, f"y_{split}")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one input sample (without the batch dimension)."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def n_classes(self) -> int | None:
        """Number of classes (classification), or None for regression."""
        if self.task != "classification":
            return None
        top = max(int(self.y(s).max()) for s in SPLITS if len(self.y(s)))
        return max(top + 1, len(self.target_names))

    @property
    def n_outputs(self) -> int:
        """Width of the model's output layer: classes, or regression target columns."""
        if self.task == "classification":
            return int(self.n_classes or 0)
        return 1 if self.y_train.ndim == 1 else int(np.prod(self.y_train.shape[1:]))

    @property
    def loss(self) -> str:
        """The Keras loss that fits the task and the target encoding."""
        return "sparse_categorical_crossentropy" if self.task == "classification" else "mse"

    @property
    def metrics(self) -> list[str]:
        """The Keras metrics reported for the task."""
        return ["accuracy"] if self.task == "classification" else ["mse", "mae"]


def _check_arrays(task: str, splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> str | None:
    """Why the split arrays cannot form a data set, or None when they can."""
    if task not in TASKS:
        return f"task must be one of {', '.join(TASKS)}, not '{task}'"
    x_train, y_train = splits["train"]
    if len(x_train) == 0:
        return "the training split is empty"
    for split, (x, y) in splits.items():
        if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
            return f"x_{split} and y_{split} must be numpy arrays"
        if x.ndim < 2:
            return f"x_{split} must have a sample axis and at least one feature axis, got shape {x.shape}"
        if len(x) != len(y):
            return f"x_{split} has {len(x)} samples but y_{split} has {len(y)}"
        if x.shape[1:] != x_train.shape[1:]:
            return f"x_{split} samples have shape {x.shape[1:]}, x_train samples {x_train.shape[1:]}"
        if y.shape[1:] != y_train.shape[1:]:
            return f"y_{split} targets have shape {y.shape[1:]}, y_train targets {y_train.shape[1:]}"
        if not (np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.bool_)):
            return f"x_{split} is not numeric (dtype {x.dtype})"
        if task == "classification":
            if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
                return f"classification labels y_{split} must be 1-D integers, got {y.dtype} {y.shape}"
            if len(y) and int(y.min()) < 0:
                return f"classification labels y_{split} must be >= 0"
        elif not np.issubdtype(y.dtype, np.number):
            return f"regression targets y_{split} are not numeric (dtype {y.dtype})"
        for key, a in ((f"x_{split}", x), (f"y_{split}", y)):
            problem = non_finite_problem(key, a)
            if problem:
                return problem
    return None


def non_finite_problem(key: str, a: np.ndarray) -> str | None:
    """Why array ``key`` cannot be trained on (it holds NaN or inf), or None when every value is finite.

    A single NaN input or target turns every weight into NaN after one gradient step, so a data
    set with one is refused where it is loaded, naming how many values and the first sample.
    """
    if not np.issubdtype(a.dtype, np.floating):
        return None  # integers and booleans are always finite
    bad = ~np.isfinite(a)
    count = int(bad.sum())
    if not count:
        return None
    first = int(np.argmax(bad.reshape(len(a), -1).any(axis=1)))
    kinds = " and ".join(k for k, n in (("NaN", np.isnan(a).any()), ("inf", np.isinf(a).any())) if n)
    return (
        f"{key} holds {count:,} non-finite value(s) ({kinds}), the first in sample {first}; "
        "training needs finite numbers: drop or fix those samples"
    )


def split_indices(
    n: int,
    fractions: tuple[float, float, float],
    seed: int,
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed train/val/test index split, optionally stratified by class label.

    Uses numpy's legacy ``RandomState``, whose stream numpy guarantees never to change, so the
    same ``seed`` gives the same split on every machine and numpy version.

    Args:
        n: Number of samples.
        fractions: Train, validation and test fractions (summing to 1).
        seed: Seed of the permutation.
        labels: Class labels, shape ``(n,)``; when given, every class is split in the same
            proportions (each split's class counts are within one of the exact share).

    Returns:
        Index arrays for train, val and test, each shuffled.
    """
    rng = np.random.RandomState(seed)
    groups = [np.arange(n)] if labels is None else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        group = group[rng.permutation(len(group))]
        n_val = int(round(fractions[1] * len(group)))
        n_test = int(round(fractions[2] * len(group)))
        n_train = len(group) - n_val - n_test
        parts[0].append(group[:n_train])
        parts[1].append(group[n_train : n_train + n_val])
        parts[2].append(group[n_train + n_val :])
    out = []
    for pieces in parts:
        idx = np.concatenate(pieces)
        out.append(idx[rng.permutation(len(idx))])
    return out[0], out[1], out[2]
