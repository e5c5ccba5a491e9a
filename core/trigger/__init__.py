"""Baselines the networks are measured against: the classical trigger and the detector's limit.

A *baseline variant* is a workspace variant with no network: operation ``"baseline"``, its file a
JSON spec (``variants/<name>.json``) from which the baseline object is rebuilt, never code. Kinds are
registered in :data:`BASELINES`:

* ``roads`` — the ATLAS barrel coincidence-window trigger (:mod:`core.trigger.roads`), windows tuned
  on simulated muons at each threshold to keep a fraction ``plateau`` of them;
* ``stripfit`` — the least-squares fit of the strip hits (:mod:`core.trigger.stripfit`), the
  resolution the strip granularity allows.

Both objects have ``predict(x, batch_size=, verbose=)`` returning q/pT and η like a network, so the
physics code measures them like models (:func:`load_predictor`); the road trigger also answers
``fires(hits, T)`` at the thresholds it was tuned at. :meth:`core.workspace.Workspace.load_model`
refuses a baseline with :class:`~core.workspace.NotANetworkError`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import TrigLabError
from core.data.muon_rpc import MuonSimConfig
from core.jobs import Progress, ensure_progress
from core.trigger.roads import RoadTrigger, json_config, tune_roads
from core.trigger.spec import MAX_SPEC_BYTES, BaselineSpecError
from core.trigger.stripfit import StripFit

__all__ = [
    "BASELINES",
    "BaselineKind",
    "BaselineSpecError",
    "RoadTrigger",
    "StripFit",
    "add_baseline",
    "is_baseline",
    "load_baseline",
    "load_predictor",
    "not_a_network",
    "reference_trigger",
]

MUON_DATASET = "muon_rpc"
DEFAULT_PLATEAU = 0.9
DEFAULT_THRESHOLDS = (10.0, 20.0)  # [GeV]


@dataclass(frozen=True)
class BaselineKind:
    """One kind of baseline.

    Attributes:
        name: Registry key (the ``kind`` of its spec, the ``--trigger`` of the CLI).
        description: One line for people.
        build: ``(config, plateau, thresholds, progress) -> object`` making it for a simulation.
        from_json: Rebuilds it from its spec (strict: :class:`BaselineSpecError` naming the key).
        default_name: ``plateau -> name`` of a new variant.
    """

    name: str
    description: str
    build: Callable[[MuonSimConfig, float, tuple[float, ...], Progress], Any]
    from_json: Callable[[Any], Any]
    default_name: Callable[[float], str]


BASELINES: dict[str, BaselineKind] = {}


def register_baseline(kind: BaselineKind) -> BaselineKind:
    """Add a kind to :data:`BASELINES`."""
    BASELINES[kind.name] = kind
    return kind


register_baseline(
    BaselineKind(
        "roads",
        "classical coincidence-window trigger (ATLAS barrel low-pT/high-pT logic)",
        lambda config, plateau, thresholds, progress: tune_roads(
            config, thresholds, plateau, progress=progress
        ),
        RoadTrigger.from_json,
        lambda plateau: f"roads-{plateau:g}",
    )
)
register_baseline(
    BaselineKind(
        "stripfit",
        "least-squares fit of the strip hits: the detector's resolution limit",
        lambda config, plateau, thresholds, progress: StripFit(config),
        StripFit.from_json,
        lambda plateau: "stripfit",
    )
)


def is_baseline(variant) -> bool:
    """Whether a :class:`~core.workspace.Variant` is a baseline (no network): operation ``"baseline"``."""
    return getattr(variant, "operation", None) == "baseline"


_WHAT = {"roads": "the classical coincidence-window trigger", "stripfit": "the strip-fit resolution limit"}


def not_a_network(variant, action: str) -> str:
    """The message for a baseline asked to do what only a network does.

    Args:
        variant: The baseline :class:`~core.workspace.Variant`.
        action: What was asked, e.g. ``"load"``, ``"sweep"``.

    Returns:
        e.g. ``"'roads-0.9' is the classical coincidence-window trigger: it has no network to sweep"``.
    """
    what = _WHAT.get(str((variant.params or {}).get("baseline")), "a baseline")
    return f"'{variant.name}' is {what}: it has no network to {action}"


def _kind(name: Any) -> BaselineKind:
    if name not in BASELINES:
        raise TrigLabError(f"Unknown baseline '{name}': choose one of {', '.join(BASELINES)}")
    return BASELINES[name]


def _muon_params(ws, dataset: str) -> dict[str, Any]:
    """The loader parameters of the workspace's muon data set; refuses a workspace without one."""
    from core.data import pinned_params

    if dataset != MUON_DATASET:
        raise TrigLabError(f"Baselines need the simulated muon data set '{MUON_DATASET}', not '{dataset}'")
    pinned = pinned_params(ws.data_dir).get(dataset)
    if isinstance(pinned, dict):
        return dict(pinned)
    if any(v.dataset == dataset for v in ws.variants.values()):
        return {}
    raise TrigLabError(
        f"Workspace '{ws.root}' has no {dataset} data set: generate it first "
        "(hands-on 2's data step, or train a muon model in it), then add the baseline"
    )


def add_baseline(
    ws,
    kind: str = "roads",
    *,
    dataset: str = MUON_DATASET,
    plateau: float = DEFAULT_PLATEAU,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    name: str | None = None,
    progress: Progress | None = None,
):
    """Add a baseline variant to a workspace (a job: tuning and measuring take a few seconds).

    The baseline is built for the workspace's muon simulation (its pinned parameters), written as
    ``variants/<name>.json`` (the spec plus the :class:`MuonSimConfig` and data-set parameters it
    was made for) and registered in one step; then its physics metrics are measured and stored. If
    anything fails, nothing is left in the workspace.

    Args:
        ws: The :class:`~core.workspace.Workspace`.
        kind: A key of :data:`BASELINES` (``"roads"``, ``"stripfit"``).
        dataset: The data set (only ``"muon_rpc"``).
        plateau: Fraction in (0, 1) of the muons at each threshold the roads keep.
        thresholds: Thresholds [GeV] the roads are tuned at.
        name: Variant name (default ``roads-<plateau>`` / ``stripfit``; made unique).
        progress: Job progress and cancellation.

    Returns:
        The new :class:`~core.workspace.Variant` (operation ``"baseline"``, params ``baseline``,
        ``plateau``, ``thresholds``, ``dataset_params``; metrics the physics scalars).
    """
    from core.data.builtin import _muon_config
    from core.trigger.spec import thresholds_of
    from core.workspace import atomic_write_text, check_variant_name

    progress = ensure_progress(progress)
    bk = _kind(kind)
    plateau = float(plateau)
    if not 0.0 < plateau < 1.0:
        raise TrigLabError(f"The plateau fraction must be between 0 and 1 (exclusive), got {plateau:g}")
    thresholds = thresholds_of([float(t) for t in thresholds])
    vname = check_variant_name(name) if name is not None else bk.default_name(plateau)
    params = _muon_params(ws, dataset)
    config = _muon_config(params.get("config"))
    outside = [t for t in thresholds if not config.pt_min < t < config.pt_max]
    if outside:  # its turn-on could not be measured, nor reach its plateau, on these muons
        raise TrigLabError(
            f"Threshold {', '.join(f'{t:g}' for t in outside)} GeV is outside the generated "
            f"{config.pt_min:g}–{config.pt_max:g} GeV of '{dataset}': choose thresholds inside it"
        )
    progress.update(0.0, f"building the {kind} baseline")
    obj = bk.build(config, plateau, thresholds, progress.sub(0.0, 0.3))
    progress.check_cancelled()
    document = {**obj.to_json(), "dataset": dataset, "dataset_params": params}
    text = json.dumps(document, indent=2)
    v = ws.add_file_variant(
        lambda path: atomic_write_text(path, text),
        vname,
        operation="baseline",
        params={
            "baseline": kind,
            "plateau": plateau,
            "thresholds": list(thresholds),
            "dataset_params": params,
        },
        dataset=dataset,
        fmt="json",
    )
    try:
        metrics = _measure(ws, v.name, obj, params, thresholds, progress.sub(0.3, 1.0))
        ws.update_metrics(v.name, metrics)
    except BaseException:
        ws.delete(v.name)  # a failed command changes nothing
        raise
    progress.update(1.0, f"added baseline '{v.name}'")
    return ws[v.name]


def _measure(ws, name: str, obj, params: dict, thresholds, progress: Progress) -> dict[str, Any]:
    """The physics scalars of a baseline variant (what the Compare view lists)."""
    from core.metrics.physics import scalar_metrics, variant_trigger_metrics
    from core.workspace import NotANetworkError

    try:
        result = variant_trigger_metrics(ws, name, thresholds, progress=progress)
    except NotANetworkError:
        # physics code that does not load baselines through load_predictor yet: measure the object
        from core.data import load_dataset
        from core.metrics.physics import trigger_metrics

        dataset = load_dataset(MUON_DATASET, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.3), **params)
        result = trigger_metrics(obj, dataset, thresholds, progress=progress.sub(0.3, 1.0))
    return scalar_metrics(result)


def load_baseline(ws, name: str):
    """Rebuild a baseline variant's object from its JSON spec.

    Raises:
        TrigLabError: not a baseline; :class:`BaselineSpecError` for a file that is unreadable,
            too large or hand-edited into something that cannot be used (naming the key).
    """
    v = ws[name]
    if not is_baseline(v):
        raise TrigLabError(f"Variant '{name}' is a network, not a baseline")
    path = ws.path_of(name)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise BaselineSpecError(
                f"Baseline file '{v.file}' of '{name}' is {size:,} bytes; a spec is a few kB (at most {MAX_SPEC_BYTES:,})"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineSpecError(f"Cannot read baseline file '{v.file}' of '{name}': {exc}") from None
    kind = v.params.get("baseline")
    if not isinstance(data, dict) or data.get("kind") != kind:
        got = data.get("kind") if isinstance(data, dict) else None
        raise BaselineSpecError(f"kind in '{v.file}' is {got!r}, but variant '{name}' is a {kind!r} baseline")
    try:
        return _kind(kind).from_json(data)
    except BaselineSpecError as exc:
        raise BaselineSpecError(f"Baseline file '{v.file}' of '{name}': {exc}") from None


def load_predictor(ws, name: str):
    """What physics code runs for variant ``name``: its Keras model, or its baseline object."""
    return load_baseline(ws, name) if is_baseline(ws[name]) else ws.load_model(name)


def reference_trigger(ws, dataset, thresholds=DEFAULT_THRESHOLDS) -> tuple[RoadTrigger, str]:
    """The classical trigger the networks are compared with, and a label saying which it is.

    The newest ``roads`` baseline of the workspace made for the same data set and detector, tuned at
    every one of ``thresholds``; else a :class:`RoadTrigger` tuned in memory with the defaults
    (plateau 0.9, seed 0) for the data set's simulation.

    Args:
        ws: The workspace (None: always tune in memory).
        dataset: A loaded :class:`core.data.Dataset` (its ``meta["config"]`` is the simulation) or
            a data-set name (the workspace's pinned parameters give it).
        thresholds: Thresholds [GeV] it must answer.

    Returns:
        ``(trigger, label)``, label e.g. ``"roads (variant 'roads-0.9')"`` or
        ``"roads, plateau 0.9, tuned in memory"``.
    """
    from core.data.builtin import _muon_config
    from core.metrics.physics.common import thr_key

    if isinstance(dataset, str):
        name = dataset
        config = _muon_config(_muon_params(ws, name).get("config")) if ws is not None else MuonSimConfig()
    else:
        name = dataset.name
        config = _muon_config((getattr(dataset, "meta", None) or {}).get("config"))
    wanted = {thr_key(t) for t in thresholds}
    if ws is not None:
        candidates = [
            v
            for v in ws.variants.values()
            if is_baseline(v) and v.params.get("baseline") == "roads" and v.dataset == name
        ]
        for v in sorted(candidates, key=lambda v: v.created, reverse=True):
            try:
                trigger = load_baseline(ws, v.name)
            except TrigLabError:
                continue  # a damaged file is reported where it is opened; here the next one serves
            if wanted <= set(trigger.windows) and json_config(trigger.config) == json_config(config):
                return trigger, f"roads (variant '{v.name}')"
    trigger = _tuned_in_memory(config, tuple(sorted(float(t) for t in thresholds)))
    return trigger, f"roads, plateau {DEFAULT_PLATEAU:g}, tuned in memory"


@functools.lru_cache(maxsize=8)
def _tuned_in_memory(config: MuonSimConfig, thresholds: tuple[float, ...]) -> RoadTrigger:
    """The default tuning for a simulation (about 1 s; kept, as every variant's metrics ask for it)."""
    return tune_roads(config, thresholds, DEFAULT_PLATEAU)
