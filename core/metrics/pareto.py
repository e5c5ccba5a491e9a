"""Pareto fronts over variants and the registry of axes a comparison can use.

A variant is on the Pareto front of two axes when no other variant is at least as good on both and
strictly better on one (e.g. no variant is both smaller and more accurate). The Compare view plots
any two :data:`AXES` against each other and highlights the front.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import QT_TRANSLATE_NOOP


def pareto_front(
    points: Sequence[Sequence[float | None]], maximize: Sequence[bool] = (True, False)
) -> list[int]:
    """Indices of the non-dominated points of a 2-D set.

    Point ``p`` dominates ``q`` when it is at least as good on both axes and strictly better on one
    ("good" is larger for an axis with ``maximize`` True, smaller otherwise). Identical points do
    not dominate each other, so duplicates on the front are all returned. Points with a missing
    coordinate (None, NaN or infinite) are never on the front and never dominate.

    Args:
        points: ``(x, y)`` pairs.
        maximize: Per axis, whether higher is better.

    Returns:
        Indices into ``points``, sorted by x ascending (then y ascending, then index): the order to
        draw the front as a line.
    """
    if len(maximize) != 2:
        raise ValueError(f"pareto_front is 2-D: maximize needs 2 flags, got {len(maximize)}")
    signs = [1.0 if m else -1.0 for m in maximize]
    valid: list[tuple[int, float, float]] = []
    for i, p in enumerate(points):
        if len(p) != 2:
            raise ValueError(f"point {i} has {len(p)} coordinates, expected 2")
        x, y = _finite(p[0]), _finite(p[1])
        if x is not None and y is not None:
            valid.append((i, x, y))
    # Sort by "goodness" on x (best first), then on y: a point can only be dominated by one before it.
    order = sorted(valid, key=lambda t: (-signs[0] * t[1], -signs[1] * t[2], t[0]))
    front: list[tuple[int, float, float]] = []
    best_y: float | None = None  # best y (in goodness units) among strictly better-x points so far
    group_x: float | None = None
    group_best: float | None = None
    for i, x, y in order:
        gy = signs[1] * y
        if group_x is None or x != group_x:  # a new x value: earlier groups are strictly better on x
            if group_best is not None:
                best_y = group_best if best_y is None else max(best_y, group_best)
            group_x, group_best = x, None
        dominated_by_better_x = best_y is not None and gy <= best_y
        dominated_in_group = group_best is not None and gy < group_best
        if not dominated_by_better_x and not dominated_in_group:
            front.append((i, x, y))
        group_best = gy if group_best is None else max(group_best, gy)
    return [i for i, _, _ in sorted(front, key=lambda t: (t[1], t[2], t[0]))]


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass(frozen=True)
class Axis:
    """A quantity a comparison can put on an axis.

    Attributes:
        key: The variant metrics key (``val_accuracy``, ``bops``...).
        label: Axis label with units, e.g. ``"gzip size (kB)"``.
        higher_is_better: True for a task metric such as accuracy, False for costs.
        scale: Displayed value = metric value × scale (bytes → kB: 1e-3).
        task: True for task metrics (accuracy, MAE): the usual Y axis.
    """

    key: str
    label: str
    higher_is_better: bool
    scale: float = 1.0
    task: bool = False

    def value(self, metrics: Mapping[str, Any] | None) -> float | None:
        """The displayed value of this axis for a metrics dict, None when missing or not finite."""
        if not metrics or self.key not in metrics:
            return None
        v = _finite(metrics[self.key])
        return None if v is None else v * self.scale


#: The choosable axes, in menu order (task metrics first). Labels are marked for translation: the
#: app shows ``QCoreApplication.translate("Metrics", axis.label)``.
AXES: dict[str, Axis] = {
    a.key: a
    for a in (
        Axis("val_accuracy", QT_TRANSLATE_NOOP("Metrics", "Validation accuracy (%)"), True, 100.0, task=True),
        Axis("val_mae", QT_TRANSLATE_NOOP("Metrics", "Validation MAE (target units)"), False, task=True),
        Axis("params", QT_TRANSLATE_NOOP("Metrics", "Parameters"), False),
        Axis("nonzero", QT_TRANSLATE_NOOP("Metrics", "Non-zero parameters"), False),
        Axis("macs", QT_TRANSLATE_NOOP("Metrics", "MACs per inference"), False),
        Axis("size_gzip", QT_TRANSLATE_NOOP("Metrics", "gzip size (kB)"), False, 1e-3),
        Axis("size_quantized", QT_TRANSLATE_NOOP("Metrics", "Quantized size (kB)"), False, 1e-3),
        Axis("bops", QT_TRANSLATE_NOOP("Metrics", "BOPs per inference (10⁶)"), False, 1e-6),
        Axis(
            "energy_pj_estimate",
            QT_TRANSLATE_NOOP("Metrics", "Energy per inference, estimate (nJ)"),
            False,
            1e-3,
        ),
        Axis("latency_ns_estimate", QT_TRANSLATE_NOOP("Metrics", "Latency, estimate (ns)"), False),
        Axis("latency_ns_report", QT_TRANSLATE_NOOP("Metrics", "Latency, vendor report (ns)"), False),
        Axis("dsp_estimate", QT_TRANSLATE_NOOP("Metrics", "DSP, estimate"), False),
        Axis("lut_estimate", QT_TRANSLATE_NOOP("Metrics", "LUT, estimate"), False),
        Axis("csim_agreement", QT_TRANSLATE_NOOP("Metrics", "C-sim agreement with Keras (%)"), True, 100.0),
        Axis(
            "pt_resolution_robust",
            QT_TRANSLATE_NOOP("Metrics", "pT resolution, robust width (%)"),
            False,
            100.0,
        ),
        Axis("pt50_10", QT_TRANSLATE_NOOP("Metrics", "pT at 50 % efficiency, 10 GeV threshold (GeV)"), False),
        Axis("pt50_20", QT_TRANSLATE_NOOP("Metrics", "pT at 50 % efficiency, 20 GeV threshold (GeV)"), False),
        Axis(
            "pt90_10",
            QT_TRANSLATE_NOOP("Metrics", "pT at 90 % of the plateau, 10 GeV threshold (GeV)"),
            False,
        ),
        Axis(
            "pt90_20",
            QT_TRANSLATE_NOOP("Metrics", "pT at 90 % of the plateau, 20 GeV threshold (GeV)"),
            False,
        ),
        Axis(
            "rate_ratio_10",
            QT_TRANSLATE_NOOP("Metrics", "Rate vs classical trigger at equal efficiency, 10 GeV"),
            False,
        ),
        Axis(
            "rate_ratio_20",
            QT_TRANSLATE_NOOP("Metrics", "Rate vs classical trigger at equal efficiency, 20 GeV"),
            False,
        ),
    )
}


def available_axes(metrics_list: Iterable[Mapping[str, Any]]) -> list[Axis]:
    """The axes of :data:`AXES` that at least one of the metrics dicts has a finite value for."""
    metrics_list = list(metrics_list)
    return [a for a in AXES.values() if any(a.value(m) is not None for m in metrics_list)]


def task_axis(metrics_list: Iterable[Mapping[str, Any]]) -> Axis | None:
    """The task-metric axis to show by default: the one most variants have (accuracy on ties)."""
    metrics_list = list(metrics_list)
    counts = [(sum(a.value(m) is not None for m in metrics_list), a) for a in AXES.values() if a.task]
    best = max(counts, key=lambda t: t[0], default=(0, None))
    return best[1] if best[0] > 0 else None
