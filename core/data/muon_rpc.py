"""A seeded toy simulation of the ATLAS barrel RPC Level-0 muon trigger (DESIGN.md §5).

Everything happens in the bending plane (r, z). The solenoid bends muons in φ only, so up to
the toroid a muon from the interaction point is a straight line in (r, z); the barrel toroid's
field is azimuthal and bends it in z, i.e. in η.

* **Detector.** Six RPC layers in three stations (the doublets RPC1 and RPC2 around the
  middle MDT chambers at r ≈ 7.8 and 8.3 m, RPC3 on the outer chambers at r ≈ 10.2 m). Each
  layer has η strips read out in a window of ``n_strips`` strips.
* **Projective strips.** Strips have equal width in u = z / r = sinh η (3 cm at 8.3 m, so
  Δu ≈ 0.0036 ≈ Δη near η = 0). A straight track from the interaction point therefore fires
  the same strip index in every layer: bending shows up as a shift of the strip index.
* **Bending.** In a uniform field B from ``field_start_radius`` r0 outwards, a muon of
  momentum p (≈ pT in this window, cosh η < 1.004) has curvature radius R = p / (0.3 B)
  [m, GeV, T]; at radius r it is displaced from its straight line by
  (r − r0)² / 2R = 0.15 B (r − r0)² q / p metres (positive charges towards +z).
  In the outer station (RPC3) this is 22 strips at 3 GeV, 2.2 at 30 GeV and 1.3 at 50 GeV, the top
  of the generated range (3–50 GeV, so a 20 GeV threshold reaches its plateau inside it). The field
  starts before RPC1, so what a trigger sees is the bending relative to the straight line through
  the RPC2 hit: RPC1−RPC2 −2.4 / −0.71 / −0.36 / −0.14 strips and RPC3−RPC2 +10.0 / +3.0 / +1.5 /
  +0.6 strips at 3 / 10 / 20 / 50 GeV (times the charge): at 50 GeV less than one strip even in RPC3.
* **Multiple scattering.** One Gaussian kink of angle σθ = ``ms_angle`` / pT at
  ``ms_radius`` (the end of the calorimeters) displaces the hit in layer r by θ (r − r_ms).
* **Detector response.** Each layer fires with probability ``efficiency``; a fired layer gives
  a cluster of 1, 2 or 3 adjacent strips (the 2-strip cluster leans towards the side of the
  strip the muon crossed); every strip fires on its own with probability ``noise_prob``;
  strips outside the window are lost, so low-pT muons near the window edge lose outer hits.

Generation is vectorised over events, in fixed chunks, each chunk with its own generator
spawned from the seed: the output depends only on ``(n_events, seed, config)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.data.dataset import DatasetError
from core.jobs import Progress, ensure_progress

SIM_VERSION = 2  # bump when the generated events change, to invalidate caches (2: pT up to 50 GeV)
_CHUNK_EVENTS = 16_384
_STREAM_MUONS, _STREAM_NOISE, _STREAM_UNLABELLED = 0, 1, 2


@dataclass(frozen=True)
class MuonSimConfig:
    """Parameters of the toy RPC trigger simulation.

    Attributes:
        layer_radii: Radius of each RPC layer [m].
        layer_station: Station index (0 = RPC1, 1 = RPC2, 2 = RPC3) of each layer.
        field_tesla: Toroidal field strength [T], uniform from ``field_start_radius`` outwards.
        field_start_radius: Radius where the toroid field begins [m].
        strip_pitch: Strip width at ``pitch_radius`` [m]; other layers scale it by r / pitch_radius.
        pitch_radius: Radius at which ``strip_pitch`` is quoted [m].
        n_strips: Strips per layer in the read-out window.
        window_eta: η of the window centre.
        pt_min: Lowest generated transverse momentum [GeV] (uniform spectrum).
        pt_max: Highest generated transverse momentum [GeV].
        entry_margin: The straight-line strip position is uniform in
            [entry_margin, n_strips − entry_margin] [strips].
        ms_angle: Multiple-scattering kink width times pT [rad·GeV]: σθ = ms_angle / pT.
            0.03 keeps scattering a minor effect (about one strip at 3 GeV, a tenth at 30 GeV,
            0.08 strip at 50 GeV)
            so that the strip granularity dominates the resolution; a full Highland estimate
            for ~100 radiation lengths of calorimeter would be ~0.15.
        ms_radius: Radius of the multiple-scattering kink [m].
        efficiency: Probability that a layer records the muon.
        cluster_size_probs: Probabilities of clusters of 1, 2, 3, … strips.
        noise_prob: Probability that a strip fires on noise alone, per event.
    """

    layer_radii: tuple[float, ...] = (7.8, 7.82, 8.3, 8.32, 10.2, 10.22)
    layer_station: tuple[int, ...] = (0, 0, 1, 1, 2, 2)
    field_tesla: float = 0.5
    field_start_radius: float = 4.5
    strip_pitch: float = 0.03
    pitch_radius: float = 8.3
    n_strips: int = 64
    window_eta: float = 0.0
    pt_min: float = 3.0
    pt_max: float = 50.0
    entry_margin: float = 8.0
    ms_angle: float = 0.03
    ms_radius: float = 4.25
    efficiency: float = 0.95
    cluster_size_probs: tuple[float, ...] = (0.70, 0.25, 0.05)
    noise_prob: float = 0.001

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DatasetError(f"Invalid muon simulation setting: {problem}.")

    def _problem(self) -> str | None:
        if len(self.layer_radii) == 0 or len(self.layer_radii) != len(self.layer_station):
            return "layer_radii and layer_station must be non-empty and of equal length"
        if min(self.layer_radii) <= 0 or self.strip_pitch <= 0 or self.pitch_radius <= 0:
            return "radii and strip pitch must be positive"
        if self.n_strips < 4:
            return "n_strips must be at least 4"
        if not 0 < self.pt_min <= self.pt_max:
            return "need 0 < pt_min <= pt_max"
        if not 0 <= self.entry_margin < self.n_strips / 2:
            return "entry_margin must be in [0, n_strips / 2)"
        if not (0 <= self.efficiency <= 1 and 0 <= self.noise_prob <= 1):
            return "efficiency and noise_prob must be probabilities"
        if self.ms_angle < 0:
            return "ms_angle must be >= 0"
        probs = self.cluster_size_probs
        if not probs or min(probs) < 0 or not math.isclose(sum(probs), 1.0, abs_tol=1e-6):
            return "cluster_size_probs must be non-negative and sum to 1"
        return None

    @property
    def n_layers(self) -> int:
        """Number of RPC layers."""
        return len(self.layer_radii)

    @property
    def delta_u(self) -> float:
        """Strip width in u = z / r (≈ Δη near η = 0)."""
        return self.strip_pitch / self.pitch_radius

    def layer_pitch(self) -> np.ndarray:
        """Strip width of each layer [m], shape ``(n_layers,)``."""
        return self.delta_u * np.asarray(self.layer_radii, dtype=np.float64)

    def eta_of_strip(self, strip: np.ndarray | float) -> np.ndarray:
        """η of a continuous strip coordinate (strip k spans [k, k + 1))."""
        u = (
            math.sinh(self.window_eta)
            + (np.asarray(strip, dtype=np.float64) - self.n_strips / 2) * self.delta_u
        )
        return np.arcsinh(u)


def deflection_strips(q_over_pt: np.ndarray, config: MuonSimConfig = MuonSimConfig()) -> np.ndarray:
    """Magnetic displacement from the straight line, per layer, in strips.

    Args:
        q_over_pt: Charge over transverse momentum [1/GeV], shape ``(N,)``.
        config: Simulation parameters.

    Returns:
        Displacement [strips], shape ``(N, n_layers)``; positive towards higher strip index.
    """
    radii = np.asarray(config.layer_radii, dtype=np.float64)
    lever = np.clip(radii - config.field_start_radius, 0.0, None)
    metres_per_unit = 0.15 * config.field_tesla * lever**2  # [m·GeV]
    return np.asarray(q_over_pt, dtype=np.float64)[:, None] * (metres_per_unit / config.layer_pitch())


def simulate_muon_rpc(
    n_events: int,
    seed: int,
    config: MuonSimConfig = MuonSimConfig(),
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Simulate single muons crossing the RPC layers.

    Args:
        n_events: Number of muons.
        seed: Non-negative seed; the result depends only on ``(n_events, seed, config)``.
        config: Simulation parameters.
        progress: Job progress and cancellation.

    Returns:
        ``hits`` (N, n_layers, n_strips) uint8 hit maps; ``q_over_pt`` (N,) float32 [1/GeV];
        ``pt`` (N,) float32 [GeV]; ``charge`` (N,) int8 (±1); ``eta`` (N,) float32 of the
        straight-line track; ``entry_strip`` (N,) float32, its continuous strip coordinate.
    """
    n_events = _check_counts(n_events, seed)
    progress = ensure_progress(progress)
    out = {
        "hits": np.empty((n_events, config.n_layers, config.n_strips), dtype=np.uint8),
        "q_over_pt": np.empty(n_events, dtype=np.float32),
        "pt": np.empty(n_events, dtype=np.float32),
        "charge": np.empty(n_events, dtype=np.int8),
        "eta": np.empty(n_events, dtype=np.float32),
        "entry_strip": np.empty(n_events, dtype=np.float32),
    }
    for start, stop, rng in _chunks(n_events, seed, _STREAM_MUONS):
        progress.check_cancelled()
        chunk = _simulate_chunk(rng, stop - start, config)
        for key, value in chunk.items():
            out[key][start:stop] = value
        progress.update(stop / n_events, f"simulated {stop:,} of {n_events:,} muons")
    return out


def simulate_noise_only(
    n_events: int,
    seed: int,
    config: MuonSimConfig = MuonSimConfig(),
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Simulate events without a muon: strip noise only (for fake-rate studies).

    Uses a random stream independent of :func:`simulate_muon_rpc` for the same seed.

    Returns:
        ``hits`` (N, n_layers, n_strips) uint8.
    """
    hits = _hit_maps(n_events, seed, config, _STREAM_NOISE, _noise, "noise events", progress)
    return {"hits": hits}


def simulate_unlabelled(
    n_events: int,
    seed: int,
    config: MuonSimConfig = MuonSimConfig(),
    progress: Progress | None = None,
) -> np.ndarray:
    """Muon events whose truth is thrown away: hit maps only, for teacher-labelled distillation.

    In the experiment these would be recorded events, which have no true pT; here they are
    simulated like :func:`simulate_muon_rpc` but from a random stream of their own, so for the
    same seed they are different muons from the labelled ones and from the noise events.

    Returns:
        ``hits`` (N, n_layers, n_strips) uint8.
    """

    def muons(rng: np.random.Generator, n: int, cfg: MuonSimConfig) -> np.ndarray:
        return _simulate_chunk(rng, n, cfg)["hits"]

    return _hit_maps(n_events, seed, config, _STREAM_UNLABELLED, muons, "unlabelled muons", progress)


def _hit_maps(n_events, seed, config, stream, make, what: str, progress) -> np.ndarray:
    """Hit maps only, ``make(rng, n, config)`` chunk by chunk from random stream ``stream``."""
    n_events = _check_counts(n_events, seed)
    progress = ensure_progress(progress)
    hits = np.empty((n_events, config.n_layers, config.n_strips), dtype=np.uint8)
    for start, stop, rng in _chunks(n_events, seed, stream):
        progress.check_cancelled()
        hits[start:stop] = make(rng, stop - start, config)
        progress.update(stop / n_events, f"simulated {stop:,} of {n_events:,} {what}")
    return hits


def _check_counts(n_events: int, seed: int) -> int:
    if int(n_events) < 0 or int(seed) < 0:
        raise DatasetError(f"events and seed must be non-negative (got {n_events}, {seed}).")
    return int(n_events)


def _chunks(n_events: int, seed: int, stream: int):
    """(start, stop, generator) for fixed-size chunks; generators spawned from (stream, seed)."""
    n_chunks = -(-n_events // _CHUNK_EVENTS)
    children = np.random.SeedSequence([stream, int(seed)]).spawn(n_chunks)
    for i, child in enumerate(children):
        start = i * _CHUNK_EVENTS
        yield start, min(start + _CHUNK_EVENTS, n_events), np.random.Generator(np.random.PCG64(child))


def _noise(rng: np.random.Generator, n: int, config: MuonSimConfig) -> np.ndarray:
    shape = (n, config.n_layers, config.n_strips)
    return (rng.random(shape, dtype=np.float32) < config.noise_prob).view(np.uint8)


def _simulate_chunk(rng: np.random.Generator, n: int, config: MuonSimConfig) -> dict[str, np.ndarray]:
    n_layers, n_strips = config.n_layers, config.n_strips
    pt = rng.uniform(config.pt_min, config.pt_max, n)
    charge = rng.integers(0, 2, n).astype(np.int8) * 2 - 1
    entry = rng.uniform(config.entry_margin, n_strips - config.entry_margin, n)
    theta = rng.standard_normal(n) * (config.ms_angle / pt)  # [rad]
    fired = rng.random((n, n_layers)) < config.efficiency
    size_draw = rng.random((n, n_layers))
    hits = _noise(rng, n, config)

    q_over_pt = charge / pt
    radii = np.asarray(config.layer_radii, dtype=np.float64)
    ms_lever = np.clip(radii - config.ms_radius, 0.0, None) / config.layer_pitch()  # [strips/rad]
    position = entry[:, None] + deflection_strips(q_over_pt, config) + theta[:, None] * ms_lever
    centre = np.floor(position)
    leans_up = (position - centre) >= 0.5
    centre = centre.astype(np.int64)

    # Cluster of `size` strips around the crossed strip; an odd extra strip goes to the side
    # of the strip the muon crossed (charge sharing with the nearer neighbour).
    cumulative = np.cumsum(config.cluster_size_probs)[:-1]
    size = 1 + (size_draw[..., None] >= cumulative).sum(axis=-1)
    extra = size - 1
    below = extra // 2 + np.where(leans_up, 0, extra % 2)
    above = extra - below
    row = (np.arange(n)[:, None] * n_layers + np.arange(n_layers)) * n_strips  # (n, n_layers)
    flat = hits.reshape(-1)
    max_extra = len(config.cluster_size_probs) - 1
    for offset in range(-max_extra, max_extra + 1):
        strip = centre + offset
        keep = fired & (offset >= -below) & (offset <= above) & (strip >= 0) & (strip < n_strips)
        flat[(row + strip)[keep]] = 1

    return {
        "hits": hits,
        "q_over_pt": q_over_pt,
        "pt": pt,
        "charge": charge,
        "eta": config.eta_of_strip(entry),
        "entry_strip": entry,
    }
