"""Physics metrics of the muon trigger task: pT resolution, turn-on curves, fake rate, ROC.

A trigger fires when the predicted transverse momentum passes a threshold. Its figures of
merit, as in ATLAS Level-0 muon trigger papers:

* **pT resolution** — the width of (pT_pred − pT_true) / pT_true, overall and per bin of
  true pT (standard deviation, and the robust half-width of the 16–84 % interval, which a
  few wild predictions cannot inflate).
* **Turn-on curve** — the fraction of muons whose predicted pT passes the threshold, against
  true pT, with Clopper–Pearson (exact binomial) intervals; summarized by the pT where it
  reaches 50 % and 90 %.
* **Fake rate** — the fraction of noise-only events (no muon) that fire the trigger.
* **Coincidence.** As in the ATLAS barrel Level-0 trigger, the network only looks at events that
  pass a majority coincidence of the RPC layers (by default at least 3 of the 4 layers of the two
  inner doublets, RPC1 and RPC2). The trigger fires when the coincidence passes *and* the
  predicted pT passes the threshold; turn-on curves and fake rates both include it. Noise alone
  rarely passes it (strip noise 0.1 % gives ~0.1 % of noise-only events), whereas a network asked
  for the q/pT of an empty event predicts q/pT ≈ 0, i.e. pT ≈ 1000 GeV, and would fire on all of
  them. The network-only fake rate is reported next to it.
* **ROC / AUC** for classification data sets.

NumPy and SciPy only; the model is run through :func:`core.metrics.predict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core import TrigLabError

DEFAULT_PT_BINS = np.arange(3.0, 31.0, 1.0)  # 1 GeV bins over the simulated 3–30 GeV [GeV]
DEFAULT_THRESHOLDS = (10.0, 20.0)  # [GeV]
RESIDUAL_RANGE = (-1.0, 1.0)  # histogram range of (pT_pred − pT_true) / pT_true
RESIDUAL_BINS = 80
ONE_SIGMA = 0.6826894921370859  # central probability of ±1σ


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    fn = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz
    return float(fn(y, x))


def _json_float(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _json_list(a: np.ndarray) -> list:
    return [_json_float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def _thr_key(threshold: float) -> str:
    """``10`` for 10.0 GeV, ``7.5`` for 7.5 GeV (used in metric names like ``pt50_10``)."""
    return f"{float(threshold):g}"


# --- pT --------------------------------------------------------------------------------------
def pt_from_q_over_pt(q_over_pt: np.ndarray, min_abs: float = 1e-3) -> np.ndarray:
    """Transverse momentum from a (predicted) charge over pT.

    Args:
        q_over_pt: q/pT [1/GeV], any shape.
        min_abs: Smallest |q/pT| used [1/GeV]; caps the pT of near-straight tracks at
            1 / min_abs (1000 GeV by default) instead of dividing by zero.

    Returns:
        pT [GeV], same shape, float64.
    """
    q = np.abs(np.asarray(q_over_pt, dtype=np.float64))
    return 1.0 / np.maximum(q, float(min_abs))


def _robust_half_width(r: np.ndarray) -> float:
    if len(r) == 0:
        return math.nan
    lo, hi = np.percentile(r, [16.0, 84.0])
    return float(hi - lo) / 2.0


def pt_resolution(pt_pred: np.ndarray, pt_true: np.ndarray, bins: np.ndarray | None = None) -> dict[str, Any]:
    """Relative pT resolution, overall and in bins of true pT.

    Args:
        pt_pred: Predicted pT [GeV], shape ``(N,)``.
        pt_true: True pT [GeV], shape ``(N,)``.
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).

    Returns:
        JSON-able dict: ``std`` (standard deviation of r = (pT_pred − pT_true) / pT_true),
        ``robust`` (half the 16–84 % interval of r), ``bias`` (mean of r), ``median``, ``n``;
        ``edges``, ``centers``, ``counts`` and per-bin ``bin_std``, ``bin_robust``,
        ``bin_bias`` (None for empty bins); and ``hist_edges`` / ``hist_counts``, a histogram of
        r over :data:`RESIDUAL_RANGE` with ``underflow`` / ``overflow`` counts.
    """
    pred = np.asarray(pt_pred, dtype=np.float64).ravel()
    true = np.asarray(pt_true, dtype=np.float64).ravel()
    if pred.shape != true.shape:
        raise TrigLabError(f"pt_pred has {len(pred)} entries but pt_true has {len(true)}")
    if np.any(true <= 0):
        raise TrigLabError("True pT must be positive")
    edges = np.asarray(DEFAULT_PT_BINS if bins is None else bins, dtype=np.float64)
    r = (pred - true) / true
    nb = len(edges) - 1
    idx = np.digitize(true, edges) - 1
    counts = np.zeros(nb, dtype=np.int64)
    b_std, b_rob, b_bias = (np.full(nb, np.nan) for _ in range(3))
    for i in range(nb):
        ri = r[idx == i]
        counts[i] = len(ri)
        if len(ri):
            b_std[i], b_rob[i], b_bias[i] = ri.std(), _robust_half_width(ri), ri.mean()
    hist, hist_edges = np.histogram(r, bins=RESIDUAL_BINS, range=RESIDUAL_RANGE)
    return {
        "n": int(len(r)),
        "std": _json_float(r.std()) if len(r) else None,
        "robust": _json_float(_robust_half_width(r)),
        "bias": _json_float(r.mean()) if len(r) else None,
        "median": _json_float(np.median(r)) if len(r) else None,
        "edges": _json_list(edges),
        "centers": _json_list(0.5 * (edges[1:] + edges[:-1])),
        "counts": counts.tolist(),
        "bin_std": _json_list(b_std),
        "bin_robust": _json_list(b_rob),
        "bin_bias": _json_list(b_bias),
        "hist_edges": _json_list(hist_edges),
        "hist_counts": hist.tolist(),
        "underflow": int(np.sum(r < RESIDUAL_RANGE[0])),
        "overflow": int(np.sum(r > RESIDUAL_RANGE[1])),
    }


# --- efficiencies ----------------------------------------------------------------------------
def clopper_pearson(k, n, cl: float = ONE_SIGMA) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson (exact binomial) central confidence interval of an efficiency k / n.

    Args:
        k: Passed counts (scalar or array).
        n: Total counts (same shape as ``k``); n = 0 gives the uninformative (0, 1).
        cl: Confidence level (default 68.3 %, "1σ" error bars).

    Returns:
        ``(lo, hi)`` bounds of the efficiency (floats for scalar input, else arrays).
        lo = 0 when k = 0 and hi = 1 when k = n.
    """
    from scipy.stats import beta

    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise TrigLabError("Clopper-Pearson needs 0 <= k <= n")
    if not 0.0 < cl < 1.0:
        raise TrigLabError(f"Confidence level must be in (0, 1), got {cl}")
    alpha = 1.0 - cl
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k_arr > 0, beta.ppf(alpha / 2, k_arr, n_arr - k_arr + 1), 0.0)
        hi = np.where(k_arr < n_arr, beta.ppf(1 - alpha / 2, k_arr + 1, n_arr - k_arr), 1.0)
    lo = np.where(n_arr > 0, np.nan_to_num(lo, nan=0.0), 0.0)
    hi = np.where(n_arr > 0, np.nan_to_num(hi, nan=1.0), 1.0)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


@dataclass
class TurnOnCurve:
    """Trigger efficiency against true pT for one threshold.

    Attributes:
        threshold: Trigger threshold on the predicted pT [GeV].
        edges: Bin edges of true pT [GeV], shape ``(B + 1,)``.
        passed: Muons per bin whose predicted pT >= threshold, shape ``(B,)``.
        total: Muons per bin, shape ``(B,)``.
        efficiency: passed / total (NaN for an empty bin).
        lo: Lower Clopper–Pearson bound of the efficiency.
        hi: Upper Clopper–Pearson bound of the efficiency.
        cl: Confidence level of ``lo`` / ``hi``.
    """

    threshold: float
    edges: np.ndarray
    passed: np.ndarray
    total: np.ndarray
    efficiency: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    cl: float = ONE_SIGMA

    @property
    def centers(self) -> np.ndarray:
        """Bin centres [GeV]."""
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    @property
    def err_lo(self) -> np.ndarray:
        """Length of the lower error bar (efficiency − lo)."""
        return self.efficiency - self.lo

    @property
    def err_hi(self) -> np.ndarray:
        """Length of the upper error bar (hi − efficiency)."""
        return self.hi - self.efficiency

    def pt_at(self, level: float) -> float | None:
        """True pT [GeV] where the curve first reaches ``level`` (e.g. 0.5, 0.9).

        Linear interpolation between the centres of the last bin below and the first bin at or
        above ``level`` (empty bins skipped). None if the curve never reaches it; the first
        centre if it starts above it.
        """
        ok = self.total > 0
        x, y = self.centers[ok], self.efficiency[ok]
        above = np.flatnonzero(y >= level)
        if len(above) == 0:
            return None
        i = int(above[0])
        if i == 0:
            return float(x[0])
        x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
        return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (NaN as None), with ``pt50`` and ``pt90``."""
        return {
            "threshold": float(self.threshold),
            "edges": _json_list(self.edges),
            "centers": _json_list(self.centers),
            "passed": [int(v) for v in self.passed],
            "total": [int(v) for v in self.total],
            "efficiency": _json_list(self.efficiency),
            "lo": _json_list(self.lo),
            "hi": _json_list(self.hi),
            "cl": float(self.cl),
            "pt50": self.pt_at(0.5),
            "pt90": self.pt_at(0.9),
        }


def turn_on_curve(
    pt_pred: np.ndarray,
    pt_true: np.ndarray,
    threshold: float,
    bins: np.ndarray | None = None,
    cl: float = ONE_SIGMA,
    accepted: np.ndarray | None = None,
) -> TurnOnCurve:
    """Trigger efficiency (predicted pT >= ``threshold``) in bins of true pT.

    Args:
        pt_pred: Predicted pT [GeV], shape ``(N,)``.
        pt_true: True pT [GeV], shape ``(N,)``.
        threshold: Trigger threshold [GeV].
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).
        cl: Confidence level of the Clopper–Pearson intervals.
        accepted: Optional boolean mask ``(N,)``: events that passed the hit coincidence; the
            others never fire (see :class:`Coincidence`).
    """
    pred = np.asarray(pt_pred, dtype=np.float64).ravel()
    true = np.asarray(pt_true, dtype=np.float64).ravel()
    if pred.shape != true.shape:
        raise TrigLabError(f"pt_pred has {len(pred)} entries but pt_true has {len(true)}")
    if accepted is not None:
        accepted = np.asarray(accepted, dtype=bool).ravel()
        if accepted.shape != pred.shape:
            raise TrigLabError(f"accepted has {len(accepted)} entries but pt_pred has {len(pred)}")
        pred = np.where(accepted, pred, -np.inf)
    edges = np.asarray(DEFAULT_PT_BINS if bins is None else bins, dtype=np.float64)
    total, _ = np.histogram(true, bins=edges)
    passed, _ = np.histogram(true[pred >= threshold], bins=edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(total > 0, passed / np.maximum(total, 1), np.nan)
    lo, hi = clopper_pearson(passed, total, cl)
    lo = np.where(total > 0, lo, np.nan)
    hi = np.where(total > 0, hi, np.nan)
    return TurnOnCurve(float(threshold), edges, passed, total, eff, lo, hi, cl)


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


# --- classification --------------------------------------------------------------------------
def roc_auc(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """ROC curve and area under it for a binary decision.

    Args:
        scores: Higher means "more signal-like", shape ``(N,)``.
        labels: 1 (or True) for signal, 0 for background, shape ``(N,)``.

    Returns:
        ``fpr``, ``tpr`` (from (0, 0) to (1, 1)), ``thresholds`` (score cut of each point after
        the first), ``auc`` (trapezoid; 0.5 for a random classifier, 1 for a perfect one).
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels).astype(bool).ravel()
    if s.shape != y.shape:
        raise TrigLabError(f"{len(s)} scores but {len(y)} labels")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise TrigLabError("A ROC curve needs both signal and background examples")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    # One point per distinct score, so tied scores move along the diagonal (no optimistic steps).
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / n_pos]
    fpr = np.r_[0.0, fp / n_neg]
    return {
        "fpr": _json_list(fpr),
        "tpr": _json_list(tpr),
        "thresholds": _json_list(s[last]),
        "auc": _trapezoid(tpr, fpr),
    }


def classification_roc(probs: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """ROC of a (multi-)class classifier: binary on class 1, else micro-averaged one-vs-rest.

    Args:
        probs: Class scores, shape ``(N, C)`` (or ``(N,)`` / ``(N, 1)`` for a binary score).
        labels: Integer class labels, shape ``(N,)``.

    Returns:
        :func:`roc_auc` of the curve, plus ``auc_macro`` (mean one-vs-rest AUC over classes that
        occur) and ``kind`` (``"binary"`` or ``"micro one-vs-rest"``).
    """
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels).astype(int).ravel()
    if p.ndim == 1 or p.shape[1] == 1:
        out = roc_auc(p.ravel(), y == 1)
        return {**out, "auc_macro": out["auc"], "kind": "binary"}
    if p.shape[1] == 2:
        out = roc_auc(p[:, 1], y == 1)
        return {**out, "auc_macro": out["auc"], "kind": "binary"}
    onehot = y[:, None] == np.arange(p.shape[1])[None, :]
    out = roc_auc(p.ravel(), onehot.ravel())
    per_class = [
        roc_auc(p[:, c], onehot[:, c])["auc"] for c in range(p.shape[1]) if 0 < onehot[:, c].sum() < len(y)
    ]
    return {**out, "auc_macro": float(np.mean(per_class)) if per_class else None, "kind": "micro one-vs-rest"}


# --- everything at once ----------------------------------------------------------------------
def trigger_metrics(
    model,
    dataset,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    split: str = "val",
    bins: np.ndarray | None = None,
    progress=None,
    coincidence: Coincidence | None = DEFAULT_COINCIDENCE,
) -> dict[str, Any]:
    """Every physics metric of ``model`` on one split of ``dataset`` (JSON-able).

    Regression (muon trigger; column 0 of the output is q/pT [1/GeV], true pT from
    ``extra['pt_<split>']`` or else from the q/pT target): keys ``task`` = ``"regression"``,
    ``pt_resolution`` (std of (pT_pred − pT_true)/pT_true), ``pt_resolution_robust``,
    ``pt_bias``, ``resolution`` (the full :func:`pt_resolution` dict), ``turn_on``
    {``"10"``: :meth:`TurnOnCurve.to_dict`, ...}, ``pt50_<thr>``, ``pt90_<thr>`` [GeV], and
    with ``extra['x_noise']`` ``fake_rate_<thr>`` and ``fake`` {thr: :func:`fake_rate`}.
    With a coincidence (and a data set whose metadata gives each layer's station) the trigger
    fires only on events that pass it: ``coincidence`` describes it, ``coincidence_efficiency``
    is the fraction of muons that pass, ``noise_coincidence_rate`` that of noise-only events.

    Classification: ``task`` = ``"classification"``, ``roc_auc``, ``roc_auc_macro``, ``roc`` and
    ``confusion`` (:func:`core.metrics.confusion.confusion_matrix`).

    Args:
        model: A Keras model.
        dataset: A :class:`core.data.Dataset`.
        thresholds: Trigger thresholds [GeV].
        split: ``"train"``, ``"val"`` or ``"test"``.
        bins: Bin edges of true pT [GeV] (default :data:`DEFAULT_PT_BINS`).
        progress: Job progress and cancellation.
        coincidence: The hit coincidence in front of the network, or None for the network alone.
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
    result = trigger_metrics_from_outputs(
        dataset, out, thresholds, split, bins, coincidence=coincidence, noise_out=noise_out
    )
    progress.update(1.0, "done")
    return result


def trigger_metrics_from_outputs(
    dataset,
    out: np.ndarray,
    thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
    split: str = "val",
    bins: np.ndarray | None = None,
    *,
    coincidence: Coincidence | None = DEFAULT_COINCIDENCE,
    noise_out: np.ndarray | None = None,
) -> dict[str, Any]:
    """:func:`trigger_metrics` from outputs computed elsewhere (a C simulation, a card, an emulator).

    Args:
        dataset: The :class:`core.data.Dataset` the outputs belong to.
        out: Outputs on the first ``len(out)`` events of ``split`` (all of them, or a prefix).
        thresholds, split, bins, coincidence: As for :func:`trigger_metrics`.
        noise_out: Outputs on the first ``len(noise_out)`` noise-only events
            (``extra['x_noise']``), for the fake rates; None leaves them out.

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
    res = pt_resolution(pt_pred, pt_true, bins)
    result.update(
        task="regression",
        thresholds=[float(t) for t in thresholds],
        resolution=res,
        pt_resolution=res["std"],
        pt_resolution_robust=res["robust"],
        pt_bias=res["bias"],
        turn_on={},
        coincidence=coincidence.to_dict() if accepted is not None else None,
    )
    if accepted is not None:
        result["coincidence_efficiency"] = float(np.mean(accepted))
    for t in thresholds:
        curve = turn_on_curve(pt_pred, pt_true, t, bins, accepted=accepted).to_dict()
        key = _thr_key(t)
        result["turn_on"][key] = curve
        result[f"pt50_{key}"] = curve["pt50"]
        result[f"pt90_{key}"] = curve["pt90"]
    x_noise = dataset.extra.get("x_noise")
    if noise_out is not None and x_noise is not None and len(noise_out):
        noise_out = np.asarray(noise_out)
        x_noise = x_noise[: len(noise_out)]
        pt_noise = pt_from_q_over_pt(noise_out[:, 0] if noise_out.ndim == 2 else noise_out.ravel())
        noise_ok = coincidence.accepts(x_noise, stations) if stations else None
        if noise_ok is not None:
            result["noise_coincidence_rate"] = float(np.mean(noise_ok))
        result["fake"] = {}
        for t in thresholds:
            key = _thr_key(t)
            fr = fake_rate(pt_noise, t, accepted=noise_ok)
            result["fake"][key] = fr
            result[f"fake_rate_{key}"] = fr["rate"]
    return result


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
    prefixes = ("pt50_", "pt90_", "fake_rate_")
    return {
        k: v
        for k, v in result.items()
        if (k in keep or k.startswith(prefixes)) and (v is None or isinstance(v, (int, float)))
    }


# --- which data a variant was made for ------------------------------------------------------
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

    ``dataset_params`` overrides :func:`workspace_dataset_params`. The result also carries
    ``variant`` and ``dataset_params``.
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
    model = ws.load_model(name)
    result = trigger_metrics(model, dataset, thresholds, split, progress=progress.sub(0.3, 1.0))
    result["variant"] = name
    result["dataset_params"] = params
    return result
