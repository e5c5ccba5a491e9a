"""Every physics metric of a predictor at once: :func:`trigger_metrics` and its pieces.

A predictor is a Keras model or a baseline trigger from :mod:`core.trigger` (duck-typed:
``kind``, ``thresholds`` (tuple or None), ``fires(hits, T)`` (or None) and
``predict(x, batch_size=, verbose=)``). A baseline with ``fires`` decides with its own
coincidence windows, and only at the thresholds it was tuned for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core import TrigLabError
from core.metrics.physics.coincidence import (
    DEFAULT_COINCIDENCE,
    Coincidence,
    dataset_layer_stations,
    fake_rate,
)
from core.metrics.physics.common import DEFAULT_THRESHOLDS, pt_from_q_over_pt, thr_key
from core.metrics.physics.rates import (
    MUON_SPECTRUM,
    efficiency_above,
    rate_at_equal_efficiency,
    rate_ratio,
    spectrum_weights,
    trigger_rate,
)
from core.metrics.physics.resolution import pt_resolution
from core.metrics.physics.roc import classification_roc
from core.metrics.physics.turnon import turn_on_curve


def trigger_metrics(
    model,
    dataset,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    split: str = "val",
    bins: np.ndarray | None = None,
    progress=None,
    coincidence: Coincidence | None = DEFAULT_COINCIDENCE,
    reference: tuple[Any, str] | None = None,
) -> dict[str, Any]:
    """Every physics metric of ``model`` on one split of ``dataset`` (JSON-able).

    Regression (muon trigger; column 0 of the output is q/pT [1/GeV], true pT from
    ``extra['pt_<split>']`` or else from the q/pT target): keys ``task`` = ``"regression"``,
    ``pt_resolution`` (std of (pT_pred − pT_true)/pT_true), ``pt_resolution_robust``,
    ``pt_bias``, ``resolution`` (the full :func:`pt_resolution` dict), ``turn_on``
    {``"10"``: :meth:`TurnOnCurve.to_dict` with its ``fit``, ...}, and per threshold T
    (key ``"10"`` for 10 GeV):

    * ``pt50_T``, ``pt90_T`` [GeV]: from the erf fit when it converged, else binned;
      ``pt50_binned_T``, ``pt90_binned_T`` always binned; ``pt50_err_T``, ``pt90_err_T``,
      ``plateau_T``, ``plateau_err_T``, ``width_T`` from the fit (None without one);
    * ``eff_above_T``: efficiency for muons with true pT >= T at the nominal cut;
    * ``rate_T``, ``rate_err_T``: spectrum-weighted rate (relative units; ``spectrum`` says
      which dN/dpT, see :mod:`core.metrics.physics.rates`);
    * with a ``reference`` classical trigger tuned at T: ``rate_ratio_T``,
      ``rate_ratio_err_T`` = rate of this predictor at the cut ``network_cut_T`` where its
      efficiency above T equals the reference's, over the reference's rate (a baseline that
      decides with its own windows keeps its cut T); the full numbers in ``rates[T]``.

    Also ``reference`` (its label, or None), ``spectrum`` (text), ``resolution_limit`` (the
    strip fit's :func:`pt_resolution` on the same events, None when it cannot be had), and with
    ``extra['x_noise']`` ``fake_rate_T`` and ``fake`` {T: :func:`fake_rate`}. With a
    coincidence (and a data set whose metadata gives each layer's station) a network fires
    only on events that pass it: ``coincidence`` describes it, ``coincidence_efficiency`` is
    the fraction of muons that pass, ``noise_coincidence_rate`` that of noise-only events.

    Classification: ``task`` = ``"classification"``, ``roc_auc``, ``roc_auc_macro``, ``roc`` and
    ``confusion`` (:func:`core.metrics.confusion.confusion_matrix`).

    Args:
        model: A Keras model or a baseline trigger (see the module docstring).
        dataset: A :class:`core.data.Dataset`.
        thresholds: Trigger thresholds [GeV].
        split: ``"train"``, ``"val"`` or ``"test"``.
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).
        progress: Job progress and cancellation.
        coincidence: The hit coincidence in front of the network, or None for the network alone.
        reference: ``(classical trigger with fires, label)`` for the rate ratios, or None.
    """
    from core.jobs import ensure_progress
    from core.metrics import _split, predict

    progress = ensure_progress(progress)
    x, _ = _split(dataset, split)
    if len(x) == 0:
        raise TrigLabError(f"Dataset '{dataset.name}' has no events in the '{split}' split")
    progress.update(0.05, f"running the model on {len(x):,} {split} events")
    out = predict(model, x)
    progress.check_cancelled()
    noise_out = None
    x_noise = dataset.extra.get("x_noise") if dataset.task != "classification" else None
    if x_noise is not None and len(x_noise):
        progress.update(0.6, f"running the model on {len(x_noise):,} noise-only events")
        noise_out = predict(model, x_noise)
    progress.update(0.8, "turn-on fits, rates and the strip-fit limit")
    result = trigger_metrics_from_outputs(
        dataset,
        out,
        thresholds,
        split,
        bins,
        coincidence=coincidence,
        noise_out=noise_out,
        predictor=model,
        reference=reference,
    )
    progress.update(1.0, "done")
    return result


def _own_decision(predictor, hits: np.ndarray, threshold: float) -> np.ndarray | None:
    """A baseline's own decision at ``threshold`` (None for a network or an untuned threshold)."""
    fires = getattr(predictor, "fires", None)
    if not callable(fires):
        return None
    return np.asarray(fires(hits, float(threshold)), dtype=bool).ravel()


def _tuned(predictor, threshold: float) -> bool:
    tuned = getattr(predictor, "thresholds", None) or ()
    return any(abs(float(t) - float(threshold)) < 1e-9 for t in tuned)


def _generated_range(dataset, pt_true: np.ndarray) -> tuple[float, float]:
    """The flat generation range [GeV] from the simulation's metadata, else the events' range."""
    cfg = (getattr(dataset, "meta", None) or {}).get("config") or {}
    lo, hi = cfg.get("pt_min"), cfg.get("pt_max")
    if lo is None or hi is None or not 0 < float(lo) < float(hi):
        return float(np.min(pt_true)), float(np.max(pt_true))
    return float(lo), float(hi)


def resolution_limit(dataset, hits: np.ndarray, pt_true: np.ndarray, bins=None) -> dict[str, Any] | None:
    """The strip fit's :func:`pt_resolution` on ``hits`` (None without a muon simulation config)."""
    cfg = (getattr(dataset, "meta", None) or {}).get("config")
    if not cfg:
        return None
    from core.data.builtin import _muon_config
    from core.trigger.stripfit import strip_fit

    fit = strip_fit(hits, _muon_config(cfg))
    return pt_resolution(pt_from_q_over_pt(np.asarray(fit["q_over_pt"])), pt_true, bins)


def trigger_metrics_from_outputs(
    dataset,
    out: np.ndarray,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    split: str = "val",
    bins: np.ndarray | None = None,
    *,
    coincidence: Coincidence | None = DEFAULT_COINCIDENCE,
    noise_out: np.ndarray | None = None,
    predictor=None,
    reference: tuple[Any, str] | None = None,
) -> dict[str, Any]:
    """:func:`trigger_metrics` from outputs computed elsewhere (a C simulation, a card, an emulator).

    Args:
        dataset: The :class:`core.data.Dataset` the outputs belong to.
        out: Outputs on the first ``len(out)`` events of ``split`` (all of them, or a prefix).
        thresholds, split, bins, coincidence, reference: As for :func:`trigger_metrics`.
        noise_out: Outputs on the first ``len(noise_out)`` noise-only events
            (``extra['x_noise']``), for the fake rates; None leaves them out.
        predictor: The baseline trigger that made ``out`` when it decides with its own
            windows (``fires``); None or a network: decisions from the predicted pT.

    Returns:
        The same JSON-able dict as :func:`trigger_metrics`.
    """
    from core.metrics import _split

    x, y = _split(dataset, split)
    out = np.asarray(out)
    n = len(out)
    if n == 0 or n > len(x):
        raise TrigLabError(
            f"{n:,} outputs for the '{split}' split of '{dataset.name}', which has {len(x):,} events"
        )
    x, y = x[:n], y[:n]
    result: dict[str, Any] = {"dataset": dataset.name, "split": split, "n": int(n)}
    if dataset.task == "classification":
        roc = classification_roc(out, y)
        result.update(task="classification", roc=roc, roc_auc=roc["auc"], roc_auc_macro=roc["auc_macro"])
        from core.metrics.confusion import confusion_matrix

        result["confusion"] = confusion_matrix(out, y)
        return result

    q_pred = out[:, 0] if out.ndim == 2 else out.ravel()
    pt_true = dataset.extra.get(f"pt_{split}")
    if pt_true is None:
        y2 = np.asarray(y, dtype=np.float64)
        pt_true = pt_from_q_over_pt(y2[:, 0] if y2.ndim == 2 else y2)
    pt_true = np.asarray(pt_true, dtype=np.float64)[:n]
    pt_pred = pt_from_q_over_pt(q_pred)
    stations = dataset_layer_stations(dataset) if coincidence is not None else None
    accepted = coincidence.accepts(x, stations) if stations else None
    own_fires = callable(getattr(predictor, "fires", None))
    # A trigger that decides with its own windows measures no pT: its "pT" is the highest road that
    # fired, so a resolution computed from it would be a number about the thresholds, not the muons.
    res = None if own_fires else pt_resolution(pt_pred, pt_true, bins)
    weights = spectrum_weights(pt_true, *_generated_range(dataset, pt_true))
    ref_trigger, ref_label = reference if reference is not None else (None, None)
    result.update(
        task="regression",
        thresholds=[float(t) for t in thresholds],
        resolution=res,
        pt_resolution=res["std"] if res else None,
        pt_resolution_robust=res["robust"] if res else None,
        pt_bias=res["bias"] if res else None,
        turn_on={},
        rates={},
        coincidence=coincidence.to_dict() if accepted is not None else None,
        reference=ref_label,
        spectrum=MUON_SPECTRUM.describe(),
        resolution_limit=resolution_limit(dataset, x, pt_true, bins),
    )
    if accepted is not None:
        result["coincidence_efficiency"] = float(np.mean(accepted))
    for t in thresholds:
        if own_fires and not _tuned(predictor, t):
            # a classical trigger has no road at a threshold it was not tuned for
            result.setdefault("untuned_thresholds", []).append(float(t))
            result["tuned_thresholds"] = [float(v) for v in predictor.thresholds or ()]
            continue
        key = thr_key(t)
        fired_own = _own_decision(predictor, x, t) if own_fires else None
        curve = turn_on_curve(pt_pred, pt_true, t, bins, accepted=accepted, fired=fired_own).to_dict()
        result["turn_on"][key] = curve
        result.update(_curve_scalars(key, curve))
        fired = (
            fired_own if fired_own is not None else (pt_pred >= t) & (True if accepted is None else accepted)
        )
        classical = (
            _own_decision(ref_trigger, x, t) if ref_trigger is not None and _tuned(ref_trigger, t) else None
        )
        rates = _rate_figures(pt_pred, accepted, pt_true, fired, fired_own is not None, classical, t, weights)
        result["rates"][key] = rates
        result[f"eff_above_{key}"] = rates["eff_above"]
        result[f"rate_{key}"] = rates["rate"]
        result[f"rate_err_{key}"] = rates["rate_err"]
        if classical is not None:
            result[f"rate_ratio_{key}"] = rates["ratio"]
            result[f"rate_ratio_err_{key}"] = rates["ratio_err"]
            result[f"network_cut_{key}"] = rates["network_cut"]
    _fake_rates(result, dataset, noise_out, thresholds, coincidence, stations, predictor)
    return result


def _curve_scalars(key: str, curve: dict[str, Any]) -> dict[str, Any]:
    """``pt50_T``... of one turn-on curve dict: fitted values when the fit converged, else binned."""
    fit = curve.get("fit")
    out = {f"pt50_binned_{key}": curve["pt50"], f"pt90_binned_{key}": curve["pt90"]}
    out[f"pt50_{key}"] = fit["pt50"] if fit else curve["pt50"]
    out[f"pt90_{key}"] = fit["pt90"] if fit else curve["pt90"]
    for name in ("pt50_err", "pt90_err", "plateau", "plateau_err", "width"):
        out[f"{name}_{key}"] = fit[name] if fit else None
    return out


def _rate_figures(pt_pred, accepted, pt_true, fired, own, classical, threshold, weights) -> dict[str, Any]:
    """Rate, efficiency above T and (with a classical decision) the ratio at equal efficiency."""
    r = trigger_rate(fired, weights)
    out: dict[str, Any] = {
        "eff_above": efficiency_above(fired, pt_true, threshold),
        "rate": r["rate"],
        "rate_err": r["err"],
        "ratio": None,
        "ratio_err": None,
        "network_cut": None,
    }
    if classical is None:
        return out
    if own:  # its cut is its road: compared as it is, at its own efficiency
        rr = rate_ratio(fired, classical, weights)
        rc = trigger_rate(classical, weights)
        out.update(
            ratio=rr["ratio"],
            ratio_err=rr["err"],
            network_cut=float(threshold),
            eff_above_classical=efficiency_above(classical, pt_true, threshold),
            rate_classical=rc["rate"],
            rate_classical_err=rc["err"],
        )
        return out
    eq = rate_at_equal_efficiency(pt_pred, accepted, pt_true, classical, threshold, weights)
    out.update({k: v for k, v in eq.items() if k != "threshold"})
    return out


def _fake_rates(result, dataset, noise_out, thresholds, coincidence, stations, predictor) -> None:
    x_noise = dataset.extra.get("x_noise")
    if noise_out is None or x_noise is None or not len(noise_out):
        return
    noise_out = np.asarray(noise_out)
    x_noise = x_noise[: len(noise_out)]
    pt_noise = pt_from_q_over_pt(noise_out[:, 0] if noise_out.ndim == 2 else noise_out.ravel())
    noise_ok = coincidence.accepts(x_noise, stations) if stations else None
    if noise_ok is not None:
        result["noise_coincidence_rate"] = float(np.mean(noise_ok))
    result["fake"] = {}
    own_fires = callable(getattr(predictor, "fires", None))
    for t in thresholds:
        key = thr_key(t)
        if own_fires:
            if not _tuned(predictor, t):
                continue
            fired = _own_decision(predictor, x_noise, t)
            fr = fake_rate(np.where(fired, np.inf, -np.inf), t)
        else:
            fr = fake_rate(pt_noise, t, accepted=noise_ok)
        result["fake"][key] = fr
        result[f"fake_rate_{key}"] = fr["rate"]


def scalar_metrics(result: dict[str, Any]) -> dict[str, float | None]:
    """The single numbers of a :func:`trigger_metrics` result (what a variant stores)."""
    keep = (
        "pt_resolution",
        "pt_resolution_robust",
        "pt_bias",
        "roc_auc",
        "roc_auc_macro",
        "coincidence_efficiency",
        "noise_coincidence_rate",
    )
    prefixes = (
        "pt50_",
        "pt90_",
        "fake_rate_",
        "plateau_",
        "width_",
        "eff_above_",
        "rate_",
        "network_cut_",
    )
    return {
        k: v
        for k, v in result.items()
        if (k in keep or k.startswith(prefixes)) and (v is None or isinstance(v, (int, float)))
    }
