"""Magnitude-pruning masks in plain numpy, shared by the pruning operations, the sensitivity scan and
the live preview.

A mask is a boolean array shaped like its weights: True keeps a weight, False zeroes it. The
weights removed are always the smallest in magnitude, and exactly ``round(sparsity × size)`` of
them (ties between equal magnitudes are broken arbitrarily but reproducibly), so a requested
sparsity is met to one weight, not to "whatever a threshold happens to give". Weights that are
already zero are the smallest of all and are counted among the pruned ones.

Two scopes:

* **per layer**: every array reaches the target sparsity on its own;
* **global**: one magnitude threshold over all arrays together (Han et al. 2015's scheme in its
  simplest form): layers with many small weights lose more of them than layers with few.

Cost: one ``np.argpartition`` over the magnitudes, O(n); about 10 ms for a million weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

SCOPES = ("global", "per_layer")


def prune_count(size: int, sparsity: float) -> int:
    """Number of weights to remove from ``size`` for a target ``sparsity`` (fraction, 0..1)."""
    check_sparsity(sparsity)
    return int(min(size, max(0, round(size * float(sparsity)))))


def check_sparsity(sparsity: float, what: str = "sparsity") -> None:
    """Raise ``ValueError`` unless ``0 <= sparsity < 1``."""
    if not 0.0 <= float(sparsity) < 1.0:
        raise ValueError(f"{what} must be a fraction in [0, 1), got {sparsity}")


def magnitude_mask(values: ArrayLike, sparsity: float) -> np.ndarray:
    """Keep-mask removing the ``round(sparsity × size)`` smallest-magnitude entries of ``values``.

    Args:
        values: Weights, any shape.
        sparsity: Fraction of the entries to remove, in [0, 1).

    Returns:
        Boolean array shaped like ``values``; True = keep.
    """
    a = np.asarray(values)
    keep = np.ones(a.size, dtype=bool)
    k = prune_count(a.size, sparsity)
    if k:
        keep[_smallest(np.abs(a.reshape(-1)), k)] = False
    return keep.reshape(a.shape)


def global_magnitude_masks(arrays: Mapping[str, ArrayLike], sparsity: float) -> dict[str, np.ndarray]:
    """Keep-masks for several arrays with one magnitude ranking over all of them.

    Args:
        arrays: ``{name: weights}``.
        sparsity: Fraction of all their entries together to remove, in [0, 1).

    Returns:
        ``{name: boolean keep-mask}`` in the order of ``arrays``.
    """
    flats = {name: np.abs(np.asarray(a)).reshape(-1) for name, a in arrays.items()}
    total = sum(f.size for f in flats.values())
    keep = np.ones(total, dtype=bool)
    k = prune_count(total, sparsity)
    if k:
        keep[_smallest(np.concatenate(list(flats.values())) if flats else np.zeros(0), k)] = False
    masks, start = {}, 0
    for name, a in arrays.items():
        n = flats[name].size
        masks[name] = keep[start : start + n].reshape(np.shape(a))
        start += n
    return masks


def magnitude_masks(
    arrays: Mapping[str, ArrayLike],
    sparsity: float,
    scope: str = "global",
    per_layer: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """Keep-masks for named arrays: a target for all of them, optionally overridden per array.

    Args:
        arrays: ``{name: weights}`` (e.g. the kernels of the prunable layers).
        sparsity: Target fraction of zeros, in [0, 1), for the arrays not in ``per_layer``.
        scope: ``global`` (one threshold across those arrays) or ``per_layer`` (each array to
            the target).
        per_layer: ``{name: sparsity}`` for arrays that get their own target (always reached
            array by array).

    Returns:
        ``{name: boolean keep-mask}`` in the order of ``arrays``.

    Raises:
        ValueError: Unknown scope, unknown name in ``per_layer`` or a sparsity outside [0, 1).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown pruning scope {scope!r}; choose one of {', '.join(SCOPES)}")
    per_layer = dict(per_layer or {})
    unknown = sorted(set(per_layer) - set(arrays))
    if unknown:
        raise ValueError(f"no prunable weights named {unknown}; known: {', '.join(arrays)}")
    check_sparsity(sparsity)
    for name, s in per_layer.items():
        check_sparsity(s, f"sparsity of '{name}'")
    masks = {name: magnitude_mask(arrays[name], s) for name, s in per_layer.items()}
    rest = {name: a for name, a in arrays.items() if name not in per_layer}
    if scope == "global":
        masks.update(global_magnitude_masks(rest, sparsity))
    else:
        masks.update({name: magnitude_mask(a, sparsity) for name, a in rest.items()})
    return {name: masks[name] for name in arrays}


def apply_masks(arrays: Mapping[str, ArrayLike], masks: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``{name: weights × mask}`` (a new array per name, same dtype) for the names in ``masks``."""
    out = {}
    for name, mask in masks.items():
        a = np.asarray(arrays[name])
        out[name] = np.where(mask, a, np.zeros((), a.dtype))
    return out


def sparsity_of(arrays: Mapping[str, ArrayLike] | list[ArrayLike]) -> float:
    """Fraction of exact zeros over all the arrays together (0 for no entries)."""
    values = list(arrays.values()) if isinstance(arrays, Mapping) else list(arrays)
    total = sum(int(np.size(a)) for a in values)
    zeros = sum(int(np.size(a) - np.count_nonzero(a)) for a in values)
    return zeros / total if total else 0.0


def magnitude_threshold(arrays: Mapping[str, ArrayLike] | list[ArrayLike], sparsity: float) -> float:
    """The magnitude below which weights go at ``sparsity`` (global ranking), for display.

    Returns:
        The largest magnitude removed (0.0 when nothing is removed), in weight units.
    """
    values = list(arrays.values()) if isinstance(arrays, Mapping) else list(arrays)
    flat = np.concatenate([np.abs(np.asarray(a)).reshape(-1) for a in values]) if values else np.zeros(0)
    k = prune_count(flat.size, sparsity)
    if not k:
        return 0.0
    return float(np.max(flat[_smallest(flat, k)]))


def _smallest(magnitudes: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest entries of the flat array (``0 < k <= size``)."""
    if k >= magnitudes.size:
        return np.arange(magnitudes.size)
    return np.argpartition(magnitudes, k - 1, kind="introselect")[:k]
