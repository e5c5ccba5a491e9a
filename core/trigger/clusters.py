"""Clusters of the RPC hit maps: runs of adjacent fired strips and their centres.

A cluster is a maximal run of adjacent fired strips in one layer. Its centre, in the continuous
strip coordinate (strip k spans [k, k + 1)), is the middle of the run; in **half-strip units**
(twice that coordinate) it is an integer: ``first + last + 1`` for a run from strip ``first`` to
strip ``last``. A one-strip cluster on strip k sits at 2k + 1, a two-strip cluster on k, k + 1 at
2k + 2 (the boundary between them). Differences of centres are whole half-strips, which is why the
coincidence windows of :mod:`core.trigger.roads` are counted in half-strips.
"""

from __future__ import annotations

import numpy as np

from core import TrigLabError


def as_hit_maps(hits, config=None) -> np.ndarray:
    """Hit maps as ``(N, layers, strips)`` (a trailing channel axis of 1 dropped).

    Args:
        hits: ``(N, layers, strips)`` or ``(N, layers, strips, 1)``.
        config: A :class:`~core.data.muon_rpc.MuonSimConfig` whose layers and strips they must have.

    Raises:
        TrigLabError: another shape.
    """
    h = np.asarray(hits)
    if h.ndim == 4 and h.shape[-1] == 1:
        h = h[..., 0]
    if h.ndim != 3 or (config is not None and h.shape[1:] != (config.n_layers, config.n_strips)):
        want = (
            f"{config.n_layers} layers x {config.n_strips} strips"
            if config is not None
            else "layers x strips"
        )
        raise TrigLabError(f"Hit maps of shape {h.shape[1:]} do not match the detector ({want})")
    return h


def cluster_centres(hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of every cluster of every layer, vectorised over events.

    Args:
        hits: Hit maps ``(N, layers, strips)`` or ``(N, layers, strips, 1)``; non-zero = fired.

    Returns:
        ``(centres, valid)``: ``centres`` float64 ``(N, layers, C)`` in half-strip units (see the
        module docstring), ``valid`` bool of the same shape (False in the padding). ``C`` is the
        largest number of clusters in any layer of any event (at least 1), clusters in strip order.
    """
    h = as_hit_maps(hits)
    n, n_layers, _ = h.shape
    fired = h != 0
    pad = np.zeros((n, n_layers, 1), dtype=bool)
    edges = np.diff(np.concatenate([pad, fired, pad], axis=2).astype(np.int8), axis=2)
    ev_s, ly_s, first = np.nonzero(edges == 1)  # run starts at strip `first`
    last = np.nonzero(edges == -1)[2] - 1  # same (event, layer, order) as the starts
    row = ev_s * n_layers + ly_s
    counts = np.bincount(row, minlength=n * n_layers)
    width = max(1, int(counts.max()) if len(counts) else 1)
    # position of each cluster within its (event, layer) row: index minus the row's first index
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(row)) - starts[row]
    centres = np.zeros((n * n_layers, width), dtype=np.float64)
    valid = np.zeros((n * n_layers, width), dtype=bool)
    centres[row, slot] = first + last + 1
    valid[row, slot] = True
    return centres.reshape(n, n_layers, width), valid.reshape(n, n_layers, width)


def pivot_deviations(
    centres: np.ndarray, valid: np.ndarray, pivot_layers: tuple[int, ...] | list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pivot candidate and, per layer, the signed distance of the nearest cluster to its line.

    Projective strips: the infinite-momentum line through a pivot cluster crosses every layer at
    the same half-strip coordinate, so the deviation of a cluster from it is a plain difference.

    Args:
        centres: Cluster centres ``(N, layers, C)`` [half-strips] from :func:`cluster_centres`.
        valid: Mask of real clusters, same shape.
        pivot_layers: Indices of the pivot layers (the layers of RPC2).

    Returns:
        ``(pivot, ok, dev)``: ``pivot`` ``(N, K)`` candidate centres [half-strips], ``ok`` ``(N, K)``
        which candidates exist, ``dev`` ``(N, K, layers)`` signed deviation [half-strips] of the
        cluster nearest to the candidate's line in each layer (``nan`` for a layer without clusters;
        the candidate's own layer gives 0). ``K = len(pivot_layers) · C``.
    """
    n, n_layers, width = centres.shape
    pivot = centres[:, list(pivot_layers)].reshape(n, -1)  # (N, K)
    ok = valid[:, list(pivot_layers)].reshape(n, -1)
    diff = centres[:, None, :, :] - pivot[:, :, None, None]  # (N, K, L, C)
    dist = np.where(valid[:, None], np.abs(diff), np.inf)
    nearest = np.argmin(dist, axis=-1)  # (N, K, L)
    dev = np.take_along_axis(diff, nearest[..., None], axis=-1)[..., 0]
    dev = np.where(np.isfinite(np.take_along_axis(dist, nearest[..., None], axis=-1)[..., 0]), dev, np.nan)
    return pivot, ok, dev
