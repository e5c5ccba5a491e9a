"""The classical trigger: ATLAS barrel coincidence windows ("roads") on the RPC hit maps.

**Logic.** The pivot plane is RPC2 (the two layers of station 1). Every cluster of a pivot layer is
a candidate; the infinite-momentum line from the interaction point through it crosses every layer
at the same half-strip coordinate (projective strips), and a road of half-width w around that line
is opened in the confirm planes. Cluster centres are in half-strip units
(:mod:`core.trigger.clusters`), so deviations and windows are whole half-strips.

* *Low-pT* (thresholds <= 10 GeV): at least 3 of the 4 layers of RPC1+RPC2 inside the road. The
  candidate's own layer counts; the other pivot layer counts when it has a cluster within
  :data:`PIVOT_WINDOW` half-strips (the doublet coincidence, fixed), an RPC1 layer when it has one
  within ``w_low``.
* *High-pT* (above 10 GeV, ATLAS MU11–MU20): the low-pT coincidence with ``w_low`` AND at least 1 of
  the 2 RPC3 layers within ``w_high``.

The event fires threshold T when any candidate passes T's logic.

**Windows tuned at the threshold.** For each T, ``n_muons`` muons of exactly pT = T are simulated
with the data set's :class:`~core.data.muon_rpc.MuonSimConfig` (``pt_min = pt_max = T``) from a seed
stream of their own (seed ``TUNING_SEED_BASE + 1000·seed + i`` for the i-th threshold, far from any
data set's seed). Among those that pass the majority with unlimited windows, w(T) is the narrowest
road that keeps a fraction ``plateau`` (default 0.9): for low-pT the smallest ``w_low``; for high-pT
first the smallest ``w_high`` (RPC3 carries the bending: four times RPC1's lever) with ``w_low``
unlimited, then the smallest ``w_low`` that still keeps ``plateau``. So the efficiency at pT = T is
about ``plateau`` × the plateau efficiency (the majority's own efficiency, ~0.98 with 95 % layer
efficiency). Windows are whole half-strips, so the kept fraction jumps in steps: the fraction
actually kept is stored (``tuned[T]["fraction"]``) and is >= ``plateau``.

**Measured** (default config, 0.5 T, 3 cm strips; :func:`core.data.muon_rpc.deflection_strips`):
bending relative to the pivot line RPC1−RPC2 = −4.75 / −1.43 / −0.71 / −0.29 half-strips and
RPC3−RPC2 = +20.0 / +6.0 / +3.0 / +1.2 half-strips at 3 / 10 / 20 / 50 GeV (times the charge).
The field starts before RPC1, so RPC1 and RPC2 are bent almost alike: the low-pT road hardly
separates 10 GeV from 5 GeV, and RPC3 does the work.

Tuned with the defaults (20,000 muons per threshold, seed 0, plateau 0.9, about 1 s for both):
10 GeV (low-pT) w_low = 2 half-strips, keeping 0.975 of the 10 GeV muons (w_low = 1 keeps 0.64);
20 GeV (high-pT) w_high = 4 half-strips (3 keeps 0.825), then w_low = 2, keeping 0.998. The
steps are that coarse because at a fixed pT the deviation spreads over only ~2 half-strips
(digitisation; scattering is small), so the requested 0.9 is met as the first step above it.
Plateau efficiency (50,000 muons of 50 GeV): 0.986 (10 GeV road), 0.984 (20 GeV road), the
majority's own. On a flat 3–50 GeV sample (100,000 muons, 1 GeV bins) the 10 GeV road reaches
50 % at 4.8 GeV and 90 % at 7.1 GeV; the 20 GeV road 50 % at 12.1 GeV and 90 % at 14.8 GeV.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from core import TrigLabError
from core.data.muon_rpc import MuonSimConfig, simulate_muon_rpc
from core.jobs import Progress, ensure_progress
from core.trigger import spec
from core.trigger.clusters import as_hit_maps, cluster_centres, pivot_deviations

PIVOT_WINDOW = 2  # [half-strips] second pivot layer vs the candidate: 99.6 % of muons within ±2 (measured)
MIN_LAYERS = 3  # of the 4 layers of RPC1+RPC2 (ATLAS 3-of-4)
LOW_PT_MAX = 10.0  # [GeV] thresholds up to this use the low-pT logic by default
TUNING_SEED_BASE = 900_000_000  # tuning samples never share a seed with a data set's muons
MAX_WINDOW = 1024  # [half-strips] beyond any detector TrigLab simulates
_CHUNK = 1024  # events per block (the candidate x layer x cluster array stays small)


def thr_key(threshold: float) -> str:
    """``"10"`` for 10.0 GeV, ``"7.5"`` for 7.5 GeV (the key of ``windows`` and of the metrics)."""
    return f"{float(threshold):g}"


def default_logic(threshold: float) -> str:
    """``"low"`` up to 10 GeV (ATLAS MU4–MU10), ``"high"`` above (MU11–MU20)."""
    return "low" if float(threshold) <= LOW_PT_MAX else "high"


@dataclasses.dataclass
class _Layout:
    low: list[int]
    pivot: list[int]
    high: list[int]

    @classmethod
    def of(cls, config: MuonSimConfig) -> _Layout:
        st = list(config.layer_station)
        return cls(*([i for i, s in enumerate(st) if s == k] for k in (0, 1, 2)))


class RoadTrigger:
    """Coincidence-window trigger tuned at its thresholds (see the module docstring).

    Attributes:
        kind: ``"roads"``.
        thresholds: The thresholds it was tuned at [GeV], ascending.
        windows: ``{"10": {"logic": "low"|"high", "low": w, "high": w | None}}`` [half-strips].
        plateau: Fraction of the threshold muons the windows keep (requested).
        config: The simulation it was tuned for (geometry: which layer is which station).
        tuned: ``{"10": {"fraction": kept fraction, "n": muons}}`` measured when tuning.
    """

    kind = "roads"

    def __init__(
        self,
        windows: dict[str, dict[str, Any]],
        plateau: float,
        config: MuonSimConfig,
        tuned: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.windows = {thr_key(float(k)): dict(v) for k, v in windows.items()}
        self.thresholds = tuple(sorted(float(k) for k in self.windows))
        self.plateau = float(plateau)
        self.config = config
        self.tuned = dict(tuned or {})
        self._layout = _Layout.of(config)
        if not self._layout.pivot or not self._layout.low:
            raise TrigLabError("The road trigger needs layers of RPC1 (station 0) and RPC2 (station 1)")

    # --- decisions -------------------------------------------------------------------------------
    def fires(self, hits: np.ndarray, threshold: float) -> np.ndarray:
        """Which events fire the road of ``threshold``.

        Args:
            hits: Hit maps ``(N, layers, strips[, 1])``.
            threshold: One of :attr:`thresholds` [GeV].

        Returns:
            bool ``(N,)``.

        Raises:
            TrigLabError: ``threshold`` is not one it was tuned at.
        """
        key = thr_key(threshold)
        if key not in self.windows:
            tuned = ", ".join(self.windows)
            raise TrigLabError(f"The road trigger was tuned at {tuned} GeV only, not at {key} GeV")
        return self._evaluate(hits, [key])[0][key]

    def predict(self, x: np.ndarray, batch_size: int = 1024, verbose: int = 0) -> np.ndarray:
        """Outputs shaped like a network's: q/pT and η per event (duck-typed ``Model.predict``).

        q/pT = charge / (highest tuned threshold fired) [1/GeV], 1/1 GeV when none fires, so
        pT_pred >= T exactly when a road >= T fired. The charge is the side of the bending (RPC3,
        else RPC1); η is that of the pivot cluster (the window centre when there is none).

        Returns:
            float32 ``(N, 2)``.
        """
        keys = [thr_key(t) for t in self.thresholds]
        fired, pivot, charge = self._evaluate(x, keys)
        best = np.full(len(pivot), 1.0)
        for t, key in zip(self.thresholds, keys):
            best = np.where(fired[key], t, best)
        eta = self.config.eta_of_strip(np.where(np.isfinite(pivot), pivot / 2.0, self.config.n_strips / 2))
        q = (charge / best).astype(np.float32)
        # float32(1/T) may read back as a pT a hair below T: step towards 0 so pT_pred >= T stays exact
        q = np.where(1.0 / np.abs(q.astype(np.float64)) < best, np.nextafter(q, np.float32(0)), q)
        return np.stack([q, eta.astype(np.float32)], axis=1)

    def _evaluate(self, hits, keys: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Per key the fired mask, plus the chosen pivot [half-strips] and charge sign per event."""
        h = as_hit_maps(hits, self.config)
        n = len(h)
        fired = {k: np.zeros(n, dtype=bool) for k in keys}
        pivot_out = np.full(n, np.nan)
        charge_out = np.ones(n)
        for start in range(0, n, _CHUNK):
            sl = slice(start, min(start + _CHUNK, n))
            pivot, ok, dev = pivot_deviations(*cluster_centres(h[sl]), self._layout.pivot)
            # the candidate that shows: the one firing the highest road, else the most layers hit
            score = np.where(ok, np.isfinite(dev).sum(axis=2), -1).astype(np.float64)
            for rank, key in enumerate(keys, start=1):
                passes = ok & self._passes(dev, key)
                fired[key][sl] = passes.any(axis=1)
                score = np.where(passes, 100.0 * rank + score % 100, score)
            pick = np.argmax(score, axis=1)
            rows = np.arange(len(pick))
            has = ok[rows, pick]
            pivot_out[sl] = np.where(has, pivot[rows, pick], np.nan)
            charge_out[sl] = _charge(dev[rows, pick], self._layout)
        return fired, pivot_out, charge_out

    def _passes(self, dev: np.ndarray, key: str) -> np.ndarray:
        w = self.windows[key]
        return _majority(dev, self._layout, w["low"], w["high"] if w["logic"] == "high" else None)

    # --- text and JSON ---------------------------------------------------------------------------
    def describe(self) -> str:
        """One line: each threshold's logic and windows, and the plateau fraction."""
        parts = []
        for t in self.thresholds:
            w = self.windows[thr_key(t)]
            road = f"RPC1 ±{w['low']:g}"
            if w["logic"] == "high":
                road += f", RPC3 ±{w['high']:g}"
            parts.append(f"{t:g} GeV {w['logic']}-pT ({road} half-strips)")
        return f"coincidence windows tuned to keep {self.plateau:g} at threshold: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON values (what a baseline variant's file holds)."""
        return {
            "kind": self.kind,
            "version": 1,
            "plateau": self.plateau,
            "thresholds": list(self.thresholds),
            "windows": {k: dict(v) for k, v in self.windows.items()},
            "pivot_window": PIVOT_WINDOW,
            "min_layers": MIN_LAYERS,
            "tuned": self.tuned,
            "config": json_config(self.config),
        }

    @classmethod
    def from_json(cls, d: Any) -> RoadTrigger:
        """Build from :meth:`to_json` output, every key checked (a hand-edited file is refused).

        Raises:
            core.trigger.spec.BaselineSpecError: one line naming the key that is wrong.
        """
        d = spec.need_dict(d, "the spec")
        spec.need_choice(d.get("kind"), "kind", (cls.kind,))
        plateau = spec.need_number(d.get("plateau"), "plateau", 1e-6, 1.0)
        if plateau >= 1.0:
            raise spec.BaselineSpecError("plateau must be below 1 (a road keeping every muon is unbounded)")
        config = spec.config_of(d.get("config"))
        thresholds = spec.thresholds_of(d.get("thresholds"))
        raw = spec.need_dict(d.get("windows"), "windows")
        keys = [thr_key(t) for t in thresholds]
        if sorted(raw) != sorted(keys):
            raise spec.BaselineSpecError(
                f"windows must have exactly the keys of thresholds {keys}, got {sorted(raw)}"
            )
        windows = {}
        for key in keys:
            where = f"windows['{key}']"
            w = spec.need_dict(raw[key], where)
            logic = spec.need_choice(w.get("logic"), f"{where}.logic", ("low", "high"))
            low = spec.need_number(w.get("low"), f"{where}.low", 0, MAX_WINDOW, " half-strips")
            high = None
            if logic == "high":
                high = spec.need_number(w.get("high"), f"{where}.high", 0, MAX_WINDOW, " half-strips")
                if 2 not in config.layer_station:
                    raise spec.BaselineSpecError(
                        f"{where}.logic is 'high' but config has no RPC3 layers (station 2)"
                    )
            elif w.get("high") is not None:
                raise spec.BaselineSpecError(f"{where}.high must be null for low-pT logic")
            windows[key] = {"logic": logic, "low": low, "high": high}
        tuned = {}
        for key, entry in spec.need_dict(d.get("tuned", {}), "tuned").items():
            where = f"tuned['{key}']"
            if key not in windows:
                raise spec.BaselineSpecError(f"{where} is not one of the thresholds {keys}")
            entry = spec.need_dict(entry, where)
            tuned[key] = {
                "fraction": spec.need_number(entry.get("fraction"), f"{where}.fraction", 0.0, 1.0),
                "n": int(spec.need_number(entry.get("n"), f"{where}.n", 1, 1e9)),
                "seed": int(spec.need_number(entry.get("seed"), f"{where}.seed", 0, 2**63)),
            }
        try:
            return cls(windows, plateau, config, tuned)
        except TrigLabError as exc:  # the geometry: no RPC1 or RPC2 layers
            raise spec.BaselineSpecError(f"config.layer_station: {exc}") from None


def json_config(config: MuonSimConfig) -> dict[str, Any]:
    """A :class:`MuonSimConfig` as JSON values (tuples as lists)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(config).items()}


def _majority(dev: np.ndarray, layout: _Layout, w_low: float, w_high: float | None) -> np.ndarray:
    """``(N, K)``: which candidates pass the logic with these windows (NaN deviations never do)."""
    a = np.abs(dev)
    with np.errstate(invalid="ignore"):
        count = (a[..., layout.pivot] <= PIVOT_WINDOW).sum(axis=-1) + (a[..., layout.low] <= w_low).sum(
            axis=-1
        )
        ok = count >= MIN_LAYERS
        if w_high is not None:
            ok &= (a[..., layout.high] <= w_high).any(axis=-1)
    return ok


def _charge(dev: np.ndarray, layout: _Layout) -> np.ndarray:
    """Charge sign from the chosen candidate's deviations ``(N, layers)``: + bends up in RPC3, down in RPC1."""
    high = np.nansum(dev[:, layout.high], axis=1) if layout.high else np.zeros(len(dev))
    low = np.nansum(dev[:, layout.low], axis=1)
    sign = np.where(high != 0, np.sign(high), -np.sign(low))
    return np.where(sign == 0, 1.0, sign)


# --- tuning ------------------------------------------------------------------------------------
def _required(dev: np.ndarray, ok: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate the narrowest ``w_low`` passing the 3-of-4, and the narrowest ``w_high`` (1 of 2 RPC3)."""
    a = np.abs(dev)
    with np.errstate(invalid="ignore"):
        pivots = (a[..., layout.pivot] <= PIVOT_WINDOW).sum(axis=-1)
    need = MIN_LAYERS - pivots  # RPC1 layers still needed
    low = np.sort(np.nan_to_num(a[..., layout.low], nan=np.inf), axis=-1)
    idx = np.clip(need - 1, 0, low.shape[-1] - 1)
    req_low = np.where(need <= 0, 0.0, np.take_along_axis(low, idx[..., None], axis=-1)[..., 0])
    req_low = np.where(need > low.shape[-1], np.inf, req_low)
    req_high = (
        np.nan_to_num(a[..., layout.high], nan=np.inf).min(axis=-1)
        if layout.high
        else np.full(a.shape[:2], np.inf)
    )
    return np.where(ok, req_low, np.inf), np.where(ok, req_high, np.inf)


def _stack(blocks: list[np.ndarray]) -> np.ndarray:
    """Blocks ``(n_i, K_i)`` stacked into ``(sum n_i, max K_i)``, padded with +inf (no candidate)."""
    width = max(b.shape[1] for b in blocks)
    return np.concatenate(
        [np.pad(b, ((0, 0), (0, width - b.shape[1])), constant_values=np.inf) for b in blocks]
    )


def _quantile_window(required: np.ndarray, plateau: float) -> tuple[float, float]:
    """Smallest whole window keeping >= ``plateau`` of events with a finite requirement; (window, kept)."""
    req = np.sort(required[np.isfinite(required)])
    if len(req) == 0:
        raise TrigLabError("No tuning muon passed the majority: the detector settings leave no coincidence")
    w = float(math.ceil(req[max(0, math.ceil(plateau * len(req)) - 1)]))
    return w, float(np.mean(req <= w))


def tune_roads(
    config: MuonSimConfig,
    thresholds: tuple[float, ...] | list[float] = (10.0, 20.0),
    plateau: float = 0.9,
    n_muons: int = 20_000,
    seed: int = 0,
    progress: Progress | None = None,
    logic: dict[str, str] | None = None,
) -> RoadTrigger:
    """Tune the windows of every threshold on muons of exactly that pT (see the module docstring).

    Args:
        config: The data set's simulation (its pT range is replaced by pT = T).
        thresholds: Thresholds [GeV].
        plateau: Fraction in (0, 1) of the threshold muons (passing the unlimited majority) to keep.
        n_muons: Tuning muons per threshold.
        seed: Tuning seed (the sample of threshold i uses ``TUNING_SEED_BASE + 1000·seed + i``).
        progress: Job progress and cancellation.
        logic: Optional ``{"10": "high"}`` overriding :func:`default_logic` per threshold.

    Returns:
        The tuned :class:`RoadTrigger`.
    """
    progress = ensure_progress(progress)
    if not 0.0 < float(plateau) < 1.0:
        raise TrigLabError(f"The plateau fraction must be between 0 and 1 (exclusive), got {plateau:g}")
    thresholds = spec.thresholds_of([float(t) for t in thresholds])
    if int(n_muons) < 100:
        raise TrigLabError(f"Tuning needs at least 100 muons per threshold, got {n_muons}")
    layout = _Layout.of(config)
    logic = {thr_key(float(k)): v for k, v in (logic or {}).items()}
    windows, tuned = {}, {}
    for i, t in enumerate(sorted(thresholds)):
        key = thr_key(t)
        kind = spec.need_choice(logic.get(key, default_logic(t)), f"logic['{key}']", ("low", "high"))
        if kind == "high" and not layout.high:
            raise TrigLabError(f"High-pT logic at {key} GeV needs RPC3 layers (station 2) in the detector")
        progress.update(i / len(thresholds), f"tuning the {key} GeV road on {n_muons:,} muons of {key} GeV")
        mono = dataclasses.replace(config, pt_min=float(t), pt_max=float(t))
        sample = simulate_muon_rpc(int(n_muons), TUNING_SEED_BASE + 1000 * int(seed) + i, mono)
        progress.check_cancelled()
        req_low, req_high = [], []
        for start in range(0, int(n_muons), _CHUNK):
            pivot, ok, dev = pivot_deviations(
                *cluster_centres(sample["hits"][start : start + _CHUNK]), layout.pivot
            )
            lo, hi = _required(dev, ok, layout)
            req_low.append(lo)
            req_high.append(hi)
        lo, hi = _stack(req_low), _stack(req_high)  # (N, K) per candidate
        if kind == "low":
            w_low, kept = _quantile_window(lo.min(axis=1), plateau)
            w_high = None
        else:
            # RPC3 first, with RPC1 unlimited; then the narrowest RPC1 road that still keeps `plateau`
            w_high, _ = _quantile_window(np.where(np.isfinite(lo), hi, np.inf).min(axis=1), plateau)
            base = np.isfinite(np.where(np.isfinite(lo), hi, np.inf).min(axis=1))
            need_low = np.where(hi <= w_high, lo, np.inf).min(axis=1)
            w_low = float(math.ceil(np.sort(need_low[base])[max(0, math.ceil(plateau * base.sum()) - 1)]))
            kept = float(np.mean(need_low[base] <= w_low))
        windows[key] = {"logic": kind, "low": w_low, "high": w_high}
        tuned[key] = {"fraction": kept, "n": int(n_muons), "seed": TUNING_SEED_BASE + 1000 * int(seed) + i}
    progress.update(1.0, "roads tuned")
    return RoadTrigger(windows, plateau, config, tuned)
