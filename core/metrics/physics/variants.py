"""Physics metrics of a workspace variant: its data set, its predictor, the classical reference."""

from __future__ import annotations

from typing import Any

from core import TrigLabError
from core.metrics.physics.coincidence import dataset_layer_stations
from core.metrics.physics.common import DEFAULT_THRESHOLDS
from core.metrics.physics.orchestrate import trigger_metrics


def reference_for_dataset(dataset, thresholds, ws=None) -> tuple[Any, str] | None:
    """The classical road trigger the rates of ``dataset`` are compared with, or None.

    :func:`core.trigger.reference_trigger`: the workspace's newest road trigger for that data set
    (``ws``), else one tuned in memory with the defaults for the data set's simulation (kept per
    process; sweep workers have no workspace). None for a data set that is not a muon simulation
    (no regression task, no simulation config or layer stations): there is nothing to compare with.
    """
    import core.trigger

    cfg = (getattr(dataset, "meta", None) or {}).get("config")
    if dataset.task != "regression" or not cfg or dataset_layer_stations(dataset) is None:
        return None
    return core.trigger.reference_trigger(ws, dataset, tuple(float(t) for t in thresholds))


def workspace_dataset_params(ws, name: str) -> dict[str, Any]:
    """Loader parameters for variant ``name``'s dataset in workspace ``ws``.

    ``variant.params["dataset_params"]`` when a workflow stored them, else the parameters the
    workspace pins for that data set (:func:`core.data.pin_params`, e.g. the hands-on 2 events),
    else ``{}`` (the loader's defaults).
    """
    from core.data import pinned_params

    v = ws[name]
    stored = v.params.get("dataset_params") if isinstance(v.params, dict) else None
    if isinstance(stored, dict):
        return dict(stored)
    if v.dataset:
        pinned = pinned_params(ws.data_dir).get(v.dataset)
        if isinstance(pinned, dict):
            return dict(pinned)
    return {}


def variant_trigger_metrics(
    ws,
    name: str,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    split: str = "val",
    dataset_params: dict[str, Any] | None = None,
    progress=None,
) -> dict[str, Any]:
    """Load variant ``name`` and its dataset (cached in the workspace), then :func:`trigger_metrics`.

    The predictor is :func:`core.trigger.load_predictor` (a Keras model, or a baseline trigger
    for a baseline variant); on the muon simulation the rates are compared with
    :func:`core.trigger.reference_trigger` (the workspace's newest road trigger for that data
    set, else one tuned in memory). ``dataset_params`` overrides
    :func:`workspace_dataset_params`. The result also carries ``variant`` and ``dataset_params``.
    """
    from core.data import load_dataset
    from core.jobs import ensure_progress

    progress = ensure_progress(progress)
    v = ws[name]
    if not v.dataset:
        raise TrigLabError(f"Variant '{name}' has no dataset; physics metrics need one")
    params = dict(dataset_params) if dataset_params is not None else workspace_dataset_params(ws, name)
    progress.update(0.0, f"loading {v.dataset}")
    dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.3), **params)
    progress.check_cancelled()
    import core.trigger

    model = core.trigger.load_predictor(ws, name)
    progress.update(0.3, "the classical trigger to compare with")
    reference = reference_for_dataset(dataset, thresholds, ws)
    progress.check_cancelled()
    result = trigger_metrics(
        model, dataset, thresholds, split, progress=progress.sub(0.35, 1.0), reference=reference
    )
    result["variant"] = name
    result["dataset_params"] = params
    return result
