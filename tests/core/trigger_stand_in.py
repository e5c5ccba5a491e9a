"""A stand-in for the classical road trigger of ``core.trigger`` (tests of the physics metrics):
it fires when the bending between the first RPC1 layer and the first RPC3 layer (fired-strip
centres) is inside a window set from the simulation's own deflection at the threshold. Not the
ATLAS road logic (no pivot, no majority, no tuning); the real one is tested where it lives. It has
the duck-typed baseline interface the metrics use: ``kind``, ``thresholds``, ``fires``,
``predict``."""

from __future__ import annotations

import numpy as np

from core.data.muon_rpc import MuonSimConfig, deflection_strips


class BendingCutTrigger:
    """Fires at T when |centre(RPC3) − centre(RPC1)| <= the bending of a pT = ``margin``·T muon."""

    kind = "roads"

    def __init__(self, thresholds=(10.0, 20.0), config: MuonSimConfig | None = None, margin: float = 1.0):
        self.thresholds = tuple(float(t) for t in thresholds)
        self.config = config or MuonSimConfig()
        d = deflection_strips(np.array([1.0]), self.config)[0]
        self.lever = float(d[4] - d[0])  # strips of bending per unit q/pT [strips·GeV]
        self.margin = float(margin)

    def _bending(self, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.asarray(hits, dtype=np.float64).reshape(len(hits), hits.shape[1], -1)
        idx = np.arange(h.shape[2], dtype=np.float64)
        n = h.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = (h * idx).sum(axis=2) / n
        ok = (n[:, 0] > 0) & (n[:, 4] > 0)
        return np.where(ok, centre[:, 4] - centre[:, 0], np.nan), ok

    def fires(self, hits: np.ndarray, threshold: float) -> np.ndarray:
        bend, ok = self._bending(hits)
        window = self.lever / (self.margin * float(threshold))
        return ok & (np.abs(np.nan_to_num(bend, nan=1e9)) <= window)

    def predict(self, x: np.ndarray, batch_size: int = 1024, verbose: int = 0) -> np.ndarray:
        bend, ok = self._bending(x)
        q = np.where(ok, np.nan_to_num(bend) / self.lever, 1.0)  # no hits: 1 GeV, never fires
        return np.stack([q, np.zeros_like(q)], axis=1).astype(np.float32)
