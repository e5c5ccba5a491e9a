"""Baseline variants and trigger metrics for the UI tests, as issue 15's contract defines them.

``add_fake_baseline`` registers a variant with operation "baseline" and a JSON spec file, as
:func:`core.trigger.add_baseline` does, without tuning anything; ``fake_metrics`` is a
:func:`core.metrics.physics.trigger_metrics` result with the contract's keys (fitted turn-ons,
rate ratios, the strip-fit resolution limit). ``trigger_module`` gives the real
:mod:`core.trigger` when it exists and a stand-in module otherwise (STUB until issue 15's H1 work
is merged; then only the stand-in's branch goes).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def add_fake_baseline(ws, name: str = "roads-0.9", kind: str = "roads", dataset: str = "muon_rpc"):
    """A baseline variant (no network) in ``ws``: ``variants/<name>.json`` and its manifest entry."""
    from core.workspace import Variant

    rel = f"variants/{name}.json"
    (ws.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (ws.root / rel).write_text(json.dumps({"kind": kind, "stand_in": True}), encoding="utf-8")
    params = {"baseline": kind, "plateau": 0.9, "thresholds": [10.0, 20.0]}
    with ws.transaction():
        ws.variants[name] = Variant(name=name, file=rel, operation="baseline", params=params, dataset=dataset)
    return ws[name]


def _turn_on(threshold: float, pt50: float, width: float, plateau: float) -> dict[str, Any]:
    from scipy.special import erf

    edges = np.arange(3.0, 51.0, 1.0)
    centers = 0.5 * (edges[1:] + edges[:-1])
    eff = 0.5 * plateau * (1 + erf((centers - pt50) / (math.sqrt(2) * width)))
    total = np.full(len(centers), 200)
    passed = np.round(eff * total).astype(int)
    e = passed / total
    err = np.sqrt(np.maximum(e * (1 - e), 1e-4) / total)
    pt90 = pt50 + 1.2816 * width
    return {
        "threshold": threshold,
        "edges": edges.tolist(),
        "centers": centers.tolist(),
        "passed": passed.tolist(),
        "total": total.tolist(),
        "efficiency": e.tolist(),
        "lo": np.clip(e - err, 0, 1).tolist(),
        "hi": np.clip(e + err, 0, 1).tolist(),
        "cl": 0.6827,
        "pt50": pt50,
        "pt90": pt90,
        "fit": {
            "pt50": pt50,
            "pt50_err": 0.12,
            "width": width,
            "width_err": 0.05,
            "plateau": plateau,
            "plateau_err": 0.004,
            "pt90": pt90,
            "pt90_err": 0.21,
            "chi2": 40.0,
            "ndf": 44,
            "model": "erf",
        },
    }


def _resolution(scale: float) -> dict[str, Any]:
    edges = np.arange(3.0, 51.0, 1.0)
    centers = 0.5 * (edges[1:] + edges[:-1])
    hist_edges = np.linspace(-1, 1, 41)
    return {
        "n": 1000,
        "std": 0.3 * scale,
        "robust": 0.2 * scale,
        "bias": 0.01,
        "median": 0.0,
        "edges": edges.tolist(),
        "centers": centers.tolist(),
        "counts": [20] * len(centers),
        "bin_std": (0.25 * scale + 0.004 * centers).tolist(),
        "bin_robust": (0.2 * scale + 0.003 * centers).tolist(),
        "bin_bias": [0.0] * len(centers),
        "hist_edges": hist_edges.tolist(),
        "hist_counts": [25] * 40,
        "underflow": 0,
        "overflow": 0,
    }


def fake_metrics(
    thresholds=(10.0, 20.0), shift: float = 0.0, ratio: float = 0.6, fit: bool = True
) -> dict[str, Any]:
    """A trigger_metrics result with the contract's keys (``shift`` moves pT50, GeV)."""
    res: dict[str, Any] = {
        "dataset": "muon_rpc",
        "split": "val",
        "n": 1000,
        "task": "regression",
        "thresholds": [float(t) for t in thresholds],
        "resolution": _resolution(1.0),
        "pt_resolution": 0.3,
        "pt_resolution_robust": 0.2,
        "pt_bias": 0.01,
        "turn_on": {},
        "coincidence": None,
        "fake": {},
        "reference": "roads (variant 'roads-0.9')",
        "spectrum": "power law",
        "resolution_limit": _resolution(0.3),
    }
    for t in thresholds:
        k = f"{t:g}"
        curve = _turn_on(t, t + shift, 0.15 * t, 0.98)
        if not fit:
            curve["fit"] = None
        res["turn_on"][k] = curve
        f = curve["fit"] or {}
        res.update(
            {
                f"pt50_{k}": curve["pt50"],
                f"pt90_{k}": curve["pt90"],
                f"pt50_err_{k}": f.get("pt50_err"),
                f"pt90_err_{k}": f.get("pt90_err"),
                f"plateau_{k}": f.get("plateau"),
                f"plateau_err_{k}": f.get("plateau_err"),
                f"rate_ratio_{k}": ratio,
                f"rate_ratio_err_{k}": 0.05,
                f"fake_rate_{k}": 0.0003,
            }
        )
        res["fake"][k] = {"threshold": t, "rate": 0.0003, "lo": 0.0001, "hi": 0.0007, "passed": 3,
                          "total": 10000, "network_only_rate": 0.001}  # fmt: skip
    return res


def trigger_module(monkeypatch, added: list | None = None):
    """:mod:`core.trigger` whose ``add_baseline`` registers a fake baseline at once (no tuning;
    ``added`` collects its calls' keyword arguments)."""

    def add_baseline(ws, kind="roads", *, dataset="muon_rpc", plateau=0.9, thresholds=(10.0, 20.0),
                     name=None, progress=None):  # fmt: skip
        if added is not None:
            added.append({"kind": kind, "dataset": dataset, "plateau": plateau, "thresholds": thresholds})
        return add_fake_baseline(ws, name or f"{kind}-{plateau:g}", kind, dataset)

    import core.trigger as mod

    monkeypatch.setattr(mod, "add_baseline", add_baseline, raising=False)
    return mod
