"""Noise-only fake rate and the RPC majority coincidence in front of the network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core import TrigLabError
from core.metrics.physics.common import ONE_SIGMA
from core.metrics.physics.turnon import clopper_pearson


def fake_rate(
    pred_pt_on_noise: np.ndarray,
    threshold: float,
    cl: float = ONE_SIGMA,
    accepted: np.ndarray | None = None,
) -> dict[str, Any]:
    """Fraction of noise-only events that fire: coincidence passed and predicted pT >= threshold.

    Args:
        pred_pt_on_noise: Predicted pT [GeV] on events without a muon, shape ``(N,)``.
        threshold: Trigger threshold [GeV].
        cl: Confidence level of the Clopper–Pearson interval.
        accepted: Optional boolean mask ``(N,)`` of events that passed the hit coincidence.

    Returns:
        ``rate`` (None without events), ``lo``, ``hi``, ``passed``, ``total``, ``threshold``,
        and ``network_only_rate``: the rate if the network alone decided (no coincidence).
    """
    pred = np.asarray(pred_pt_on_noise, dtype=np.float64).ravel()
    over = pred >= threshold
    n = int(len(pred))
    net_k = int(np.sum(over))
    if accepted is not None:
        over = over & np.asarray(accepted, dtype=bool).ravel()
    k = int(np.sum(over))
    lo, hi = clopper_pearson(k, n, cl)
    return {
        "threshold": float(threshold),
        "rate": k / n if n else None,
        "lo": lo,
        "hi": hi,
        "passed": k,
        "total": n,
        "network_only_rate": net_k / n if n else None,
    }


@dataclass(frozen=True)
class Coincidence:
    """The RPC majority coincidence in front of the network (ATLAS barrel low-pT logic).

    An event is accepted when at least ``min_layers`` of the layers that belong to ``stations``
    have at least one fired strip. The default, 3 of the 4 layers of RPC1 and RPC2, is the
    low-pT majority of the ATLAS barrel Level-0 muon trigger.
    """

    stations: tuple[int, ...] = (0, 1)
    min_layers: int = 3

    def layers(self, layer_station: list[int] | tuple[int, ...]) -> list[int]:
        """Indices of the layers that take part."""
        return [i for i, st in enumerate(layer_station) if int(st) in self.stations]

    def accepts(self, hits: np.ndarray, layer_station: list[int] | tuple[int, ...]) -> np.ndarray:
        """Boolean ``(N,)``: which hit maps ``(N, layers, strips[, 1])`` pass the coincidence."""
        hits = np.asarray(hits)
        n_layers = len(layer_station)
        if hits.ndim < 3 or hits.shape[1] != n_layers:
            raise TrigLabError(
                f"Hit maps of shape {hits.shape[1:]} do not have the {n_layers} layers of the detector"
            )
        idx = self.layers(layer_station)
        fired = hits[:, idx].reshape(len(hits), len(idx), -1).max(axis=-1) > 0
        return fired.sum(axis=1) >= self.min_layers

    def describe(self) -> str:
        names = "+".join(f"RPC{s + 1}" for s in self.stations)
        return f"at least {self.min_layers} layers of {names} hit"

    def to_dict(self) -> dict[str, Any]:
        return {"stations": list(self.stations), "min_layers": int(self.min_layers), "text": self.describe()}


DEFAULT_COINCIDENCE = Coincidence()


def dataset_layer_stations(dataset) -> list[int] | None:
    """The station of every RPC layer, from a simulated data set's metadata (None if unknown)."""
    meta = getattr(dataset, "meta", None) or {}
    stations = (meta.get("config") or {}).get("layer_station")
    return [int(s) for s in stations] if stations else None
