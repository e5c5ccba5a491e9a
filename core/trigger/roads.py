"""The classical trigger: ATLAS barrel coincidence windows ("roads") on the RPC hit maps.

**Logic.** The pivot plane is RPC2 (the two layers of station 1). Every cluster of a pivot layer is
a candidate; the infinite-momentum line from the interaction point through it crosses every layer
at the same half-strip coordinate (projective strips), and a road around that line is opened in the
confirm planes. Cluster centres are in half-strip units (:mod:`core.trigger.clusters`), so
deviations are whole half-strips. A window is a range ``[lo, hi]`` of allowed signed deviations
(the ATLAS coincidence matrix's windows are programmable sets of strip pairs, not necessarily
symmetric); in each layer the cluster nearest the line is the one tested.

* *Low-pT* (thresholds below :data:`LOW_PT_MAX` = 10 GeV): at least 3 of the 4 layers of
  RPC1+RPC2 inside the road. The candidate's own layer counts; the other pivot layer counts when it
  has a cluster within ±:data:`PIVOT_WINDOW` half-strips (the doublet coincidence, fixed), an RPC1
  layer when its deviation is inside the RPC1 window.
* *High-pT* (from 10 GeV on): the low-pT coincidence with the RPC1 window AND at least 1 of the 2
  RPC3 layers inside the RPC3 window. ATLAS runs MU10 with the low-pT logic; here it is high-pT
  because the RPC1−RPC2 lever of this toy cannot separate 10 from 5 GeV (measured below).

The event fires threshold T when any candidate passes T's logic.

**Windows tuned at the threshold.** For each T, ``n_muons`` muons of exactly pT = T are simulated
with the data set's :class:`~core.data.muon_rpc.MuonSimConfig` (``pt_min = pt_max = T``) from a seed
stream of their own (seed ``TUNING_SEED_BASE + 1000·seed + i`` for the i-th threshold, far from any
data set's seed). Among those that pass the majority with unlimited windows, the window is the
narrowest allowed range keeping a fraction ``plateau`` (default 0.9). Allowed ranges
(:func:`allowed_ranges`) are symmetric ``[-w, w]`` or one half-strip wider on one side
(``[-w, w+1]``, ``[-(w+1), w]``, both orientations tried); at equal width the one keeping the
fraction closest to ``plateau`` wins. The two charges bend to opposite sides and are equally likely,
so the one-sided half-strip keeps the step in between: the fraction kept moves in half-steps.
Low-pT: the RPC1 window. High-pT: first the RPC3 window (RPC3 carries the bending: four times
RPC1's lever) with RPC1 unlimited, then the narrowest RPC1 window that still keeps ``plateau``.
So the efficiency at pT = T is about the kept fraction × the plateau efficiency (the majority's
own, ~0.98 with 95 % layer efficiency); the fraction actually kept is stored
(``tuned[T]["fraction"]``, >= ``plateau``).

**Measured** (default config, 0.5 T, 3 cm strips; :func:`core.data.muon_rpc.deflection_strips`):
bending relative to the pivot line RPC1−RPC2 = −4.75 / −2.85 / −1.43 / −0.71 / −0.29 half-strips and
RPC3−RPC2 = +20.0 / +12.0 / +6.0 / +3.0 / +1.2 half-strips at 3 / 5 / 10 / 20 / 50 GeV (times the
charge). The field starts before RPC1, so RPC1 and RPC2 are bent almost alike: 5 and 10 GeV muons
differ by 1.4 half-strips (0.7 strip) in RPC1 (mean deviation −2.78 vs −1.39 half-strips, 20,000
muons each), while at a fixed pT the digitisation spreads the deviation over ~3 half-strips. A
low-pT 10 GeV road (RPC1 ±2, the narrowest keeping 0.9: it keeps 0.975) fires on 58 % of 5 GeV and
91 % of 7 GeV muons; the high-pT one below fires on 0.8 % / 1.4 % / 23 % at 5 / 7 / 8 GeV.

Tuned with the defaults (20,000 muons per threshold, seed 0, plateau 0.9, about 1 s for both):

* 10 GeV (high-pT): RPC3 ±6 (kept 0.94 with RPC1 unlimited; ±5 0.41, [−5, +6] 0.68, [−6, +7]
  0.97), then RPC1 ±2 (±1 0.51, [−2, +1] 0.71): kept 0.909.
* 20 GeV (high-pT): RPC3 [−4, +3] (kept 0.913; ±3 0.83, ±4 0.999), then RPC1 ±2 ([−2, +1]
  0.85): kept 0.912.

Plateau efficiency (50,000 muons of 50 GeV): 0.983 for both roads (the majority's own). Turn-on on
a flat 3–50 GeV sample (100,000 muons, 1 GeV bins, :func:`core.metrics.physics.fit_turn_on`):
10 GeV road pT50 = 8.74 ± 0.02 GeV, pT90 = 10.19 ± 0.03 GeV, plateau 0.982; 20 GeV road pT50 =
14.28 ± 0.03 GeV, pT90 = 18.47 ± 0.07 GeV, plateau 0.975. The error function describes these
turn-ons only roughly (χ²/ndf = 252/44 and 1099/44): the windows cut whole half-strips, so the
curve is a sum of steps, not a Gaussian smear.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from core import TrigLabError
from core.data.muon_rpc import MuonSimConfig, simulate_muon_rpc
from core.jobs import Progress, ensure_progress
from core.metrics.physics.common import thr_key
from core.trigger import spec
from core.trigger.clusters import as_hit_maps, cluster_centres, pivot_deviations

PIVOT_WINDOW = 2  # [half-strips] second pivot layer vs the candidate: 99.6 % of muons within ±2 (measured)
MIN_LAYERS = 3  # of the 4 layers of RPC1+RPC2 (ATLAS 3-of-4)
LOW_PT_MAX = 10.0  # [GeV] thresholds below this use the low-pT logic by default, from it the high-pT
SPEC_VERSION = 2  # 2: windows are ranges [lo, hi]; 1: half-widths w (read as [-w, w])
TUNING_SEED_BASE = 900_000_000  # tuning samples never share a seed with a data set's muons
MAX_WINDOW = 1024  # [half-strips] beyond any detector TrigLab simulates
_CHUNK = 1024  # events per block (the candidate x layer x cluster array stays small)


def default_logic(threshold: float) -> str:
    """``"low"`` below :data:`LOW_PT_MAX` (10 GeV), ``"high"`` from it on.

    ATLAS runs MU4–MU10 with the low-pT logic, but in this toy the RPC1−RPC2 lever separates 10 from
    5 GeV muons by only 1.4 half-strips (0.7 strip), against a ~3 half-strip spread at fixed pT: a
    low-pT 10 GeV road keeping 0.9 at 10 GeV fires on 58 % of 5 GeV muons, the high-pT one on
    0.8 % (measured, see the module docstring). Override per threshold with ``tune_roads(logic=)``.
    """
    return "low" if float(threshold) < LOW_PT_MAX else "high"


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
        windows: ``{"10": {"logic": "low"|"high", "low": [lo, hi], "high": [lo, hi] | None}}``:
            allowed deviations from the pivot line [half-strips] in RPC1 and RPC3 (a half-width w
            given to the constructor means ``[-w, w]``).
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
        self.windows = {}
        for k, v in windows.items():
            w = dict(v)
            w["low"] = as_window(w["low"])
            w["high"] = as_window(w["high"]) if w.get("high") is not None else None
            self.windows[thr_key(float(k))] = w
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
            road = f"RPC1 {_shown(w['low'])}"
            if w["logic"] == "high":
                road += f", RPC3 {_shown(w['high'])}"
            parts.append(f"{t:g} GeV {w['logic']}-pT ({road} half-strips)")
        return f"coincidence windows tuned to keep {self.plateau:g} at threshold: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON values (what a baseline variant's file holds)."""
        return {
            "kind": self.kind,
            "version": SPEC_VERSION,
            "plateau": self.plateau,
            "thresholds": list(self.thresholds),
            "windows": {
                k: {"logic": v["logic"], "low": list(v["low"]), "high": v["high"] and list(v["high"])}
                for k, v in self.windows.items()
            },
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
        if "version" in d and d["version"] not in (1, SPEC_VERSION):
            raise spec.BaselineSpecError(f"version must be 1 or {SPEC_VERSION}, got {d['version']!r}")
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
            low = _window_of(w.get("low"), f"{where}.low")
            high = None
            if logic == "high":
                high = _window_of(w.get("high"), f"{where}.high")
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


def _shown(window) -> str:
    lo, hi = window
    return f"±{hi:g}" if lo == -hi else f"[{lo:+g}, {hi:+g}]"


def json_config(config: MuonSimConfig) -> dict[str, Any]:
    """A :class:`MuonSimConfig` as JSON values (tuples as lists)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(config).items()}


def _window_of(value: Any, where: str) -> list[float]:
    """A window read from a spec: ``[lo, hi]`` with lo <= hi, or (version 1) a half-width w >= 0."""
    if not isinstance(value, list):
        return as_window(spec.need_number(value, where, 0, MAX_WINDOW, " half-strips"))
    if len(value) != 2:
        raise spec.BaselineSpecError(f"{where} must be [lo, hi] (half-strips), got a list of {len(value)}")
    lo, hi = (
        spec.need_number(v, f"{where}[{i}]", -MAX_WINDOW, MAX_WINDOW, " half-strips")
        for i, v in enumerate(value)
    )
    if lo > hi:
        raise spec.BaselineSpecError(f"{where} must be [lo, hi] with lo <= hi (half-strips), got {value}")
    return [lo, hi]


def _inside(dev: np.ndarray, window) -> np.ndarray:
    """Deviations inside the window ``[lo, hi]`` [half-strips] (NaN never is)."""
    with np.errstate(invalid="ignore"):
        return (dev >= window[0]) & (dev <= window[1])


def _majority(dev: np.ndarray, layout: _Layout, low, high) -> np.ndarray:
    """``(N, K)``: which candidates pass the logic with windows ``low``/``high`` = ``[lo, hi]`` or None."""
    with np.errstate(invalid="ignore"):
        count = (np.abs(dev[..., layout.pivot]) <= PIVOT_WINDOW).sum(axis=-1)
    count = count + _inside(dev[..., layout.low], low).sum(axis=-1)
    ok = count >= MIN_LAYERS
    if high is not None:
        ok &= _inside(dev[..., layout.high], high).any(axis=-1)
    return ok


def as_window(value: Any) -> list[float]:
    """A window as ``[lo, hi]`` [half-strips]: a half-width w (the format before ranges) is ``[-w, w]``."""
    if isinstance(value, (int, float)):
        return [-float(value), float(value)]
    lo, hi = value
    return [float(lo), float(hi)]


def _charge(dev: np.ndarray, layout: _Layout) -> np.ndarray:
    """Charge sign from the chosen candidate's deviations ``(N, layers)``: + bends up in RPC3, down in RPC1."""
    high = np.nansum(dev[:, layout.high], axis=1) if layout.high else np.zeros(len(dev))
    low = np.nansum(dev[:, layout.low], axis=1)
    sign = np.where(high != 0, np.sign(high), -np.sign(low))
    return np.where(sign == 0, 1.0, sign)


# --- tuning ------------------------------------------------------------------------------------
def allowed_ranges(width: int) -> list[tuple[float, float]]:
    """The windows of one width [half-strips] the tuning tries: symmetric, or one half-strip wider on a side.

    Width 2w gives ``[(-w, w)]``; width 2w + 1 gives ``[(-w, w + 1), (-(w + 1), w)]`` (both
    orientations: the two charges bend to opposite sides, so either side may be the wider).
    """
    w, odd = divmod(int(width), 2)
    if not odd:
        return [(-float(w), float(w))]
    return [(-float(w), float(w + 1)), (-float(w + 1), float(w))]


def _pad_stack(blocks: list[np.ndarray], fill) -> np.ndarray:
    """Blocks ``(n_i, K_i, ...)`` stacked into ``(sum n_i, max K_i, ...)``, padded with ``fill``."""
    width = max(b.shape[1] for b in blocks)
    pads = [((0, 0), (0, width - b.shape[1])) + ((0, 0),) * (b.ndim - 2) for b in blocks]
    return np.concatenate([np.pad(b, pad, constant_values=fill) for b, pad in zip(blocks, pads)])


def _narrowest(kept_with, plateau: float) -> tuple[list[float], float]:
    """The narrowest allowed range whose kept fraction is >= ``plateau``; at equal width the closest to it.

    Args:
        kept_with: ``(lo, hi) -> fraction`` kept with that window [half-strips].
        plateau: Fraction to reach.

    Returns:
        ``([lo, hi], fraction)``.
    """
    for width in range(0, 2 * MAX_WINDOW + 1):
        found = [(kept_with(r), r) for r in allowed_ranges(width)]
        found = [(f, r) for f, r in found if f >= plateau]
        if found:
            f, r = min(found, key=lambda fr: fr[0] - plateau)  # first orientation on a tie
            return [r[0], r[1]], float(f)
    raise TrigLabError(f"No window up to ±{MAX_WINDOW} half-strips keeps {plateau:g} of the threshold muons")


def _tune_windows(hits: np.ndarray, layout: _Layout, kind: str, plateau: float):
    """``(low, high, fraction)``: the windows of one threshold tuned on its muons ``hits``."""
    oks, devs = [], []
    for start in range(0, len(hits), _CHUNK):
        _, ok, dev = pivot_deviations(*cluster_centres(hits[start : start + _CHUNK]), layout.pivot)
        oks.append(ok)
        devs.append(dev)
    ok, dev = _pad_stack(oks, False), _pad_stack(devs, np.nan)

    def kept(low, high) -> np.ndarray:
        return (ok & _majority(dev, layout, low, high)).any(axis=1)

    unlimited = (-np.inf, np.inf)
    base = kept(unlimited, unlimited if kind == "high" else None)  # the majority with unlimited windows
    if not base.any():
        raise TrigLabError("No tuning muon passed the majority: the detector settings leave no coincidence")
    high = None
    if kind == "high":
        # RPC3 first (it carries the bending: four times RPC1's lever), RPC1 unlimited
        high, _ = _narrowest(lambda r: kept(unlimited, r)[base].mean(), plateau)
    low, fraction = _narrowest(lambda r: kept(r, high)[base].mean(), plateau)
    return low, high, fraction


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
        logic: Optional ``{"10": "low"}`` overriding :func:`default_logic` per threshold.

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
        sample_seed = TUNING_SEED_BASE + 1000 * int(seed) + i
        hits = simulate_muon_rpc(int(n_muons), sample_seed, mono)["hits"]
        progress.check_cancelled()
        low, high, fraction = _tune_windows(hits, layout, kind, plateau)
        windows[key] = {"logic": kind, "low": low, "high": high}
        tuned[key] = {"fraction": fraction, "n": int(n_muons), "seed": sample_seed}
    progress.update(1.0, "roads tuned")
    return RoadTrigger(windows, plateau, config, tuned)
