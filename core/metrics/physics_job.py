"""The Physics view's job: trigger figures of merit of several variants (no Qt here)."""

from __future__ import annotations

from typing import Any


def physics_job(ws, names: list[str], thresholds: tuple[float, ...], *, progress=None) -> dict[str, Any]:
    """Physics metrics of each variant in ``names`` (a job function): {name: trigger_metrics result}."""
    from core.deploy.run import run_physics
    from core.jobs import ensure_progress
    from core.metrics.physics import variant_trigger_metrics

    progress = ensure_progress(progress)
    out: dict[str, Any] = {}
    for i, name in enumerate(names):
        progress.check_cancelled()
        sub = progress.sub(i / len(names), (i + 1) / len(names))
        out[name] = variant_trigger_metrics(ws, name, thresholds, progress=sub)
        out.update(run_physics(ws, name, thresholds))
        progress.log(f"physics metrics of '{name}' computed")
    progress.update(1.0, "done")
    return out
