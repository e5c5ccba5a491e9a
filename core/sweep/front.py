"""The Pareto front of a sweep's points, over two or more objectives.

With two objectives the front is :func:`core.metrics.pareto.pareto_front`'s (the Compare view's,
same order: by the first objective); with more, a direct non-dominated filter (O(n² d), fine for
the thousands of points a sweep has).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.metrics.pareto import _finite, pareto_front
from core.sweep import SweepError
from core.sweep.spec import DONE


def pareto_rows(rows: Sequence[dict[str, Any]], objectives: Sequence[tuple[str, str]]) -> list[str]:
    """Keys of the points on the multi-objective Pareto front.

    Only ``done`` rows whose objective metrics are all finite take part. A point is on the front
    when no other is at least as good on every objective and strictly better on one (identical
    points are all kept).

    Args:
        rows: Rows as :meth:`SweepStore.rows` gives them.
        objectives: Two or more ``(metric, "max" | "min")``.

    Returns:
        The front's keys, ordered by the first objective's value (then the second's...).

    Raises:
        SweepError: Fewer than two objectives, or a direction other than max/min.
    """
    objectives = [(str(m), str(s)) for m, s in objectives]
    if len(objectives) < 2:
        raise SweepError(f"a Pareto front needs 2 or more objectives, got {len(objectives)}")
    bad = [f"{m}:{s}" for m, s in objectives if s not in ("max", "min")]
    if bad:
        raise SweepError(f"objective {bad[0]}: the direction must be 'max' or 'min'")
    cands: list[tuple[str, tuple[float, ...]]] = []
    for r in rows:
        if r.get("status") != DONE:
            continue
        values = tuple(_finite((r.get("metrics") or {}).get(m)) for m, _ in objectives)
        if all(v is not None for v in values):
            cands.append((r["key"], values))
    if len(objectives) == 2:
        front = pareto_front([v for _, v in cands], maximize=[s == "max" for _, s in objectives])
        return [cands[i][0] for i in front]
    signs = [1.0 if s == "max" else -1.0 for _, s in objectives]
    good = [tuple(sg * x for sg, x in zip(signs, v)) for _, v in cands]

    def dominated(i: int) -> bool:
        p = good[i]
        return any(all(a >= b for a, b in zip(q, p)) and q != p for q in good)

    keep = [i for i in range(len(cands)) if not dominated(i)]
    return [cands[i][0] for i in sorted(keep, key=lambda i: (cands[i][1], cands[i][0]))]
