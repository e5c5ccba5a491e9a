"""The one-line summaries under each step (the CLI's listing and the app's cards)."""

from __future__ import annotations

from typing import Any

from core.workspace import Workspace


def step_summary(w: Any, ws: Workspace, key: str) -> str:
    """One line on what step ``key`` of walkthrough ``w`` produced ("" when there is nothing to add)."""
    res = w.result_of(ws, key)
    names = [n for n in (res if isinstance(res, list) else [res]) if isinstance(n, str) and n in ws.variants]

    def pct(name: str, metric: str) -> str | None:
        v = ws[name].metrics.get(metric)
        return f"{100 * v:.1f} %" if isinstance(v, (int, float)) else None

    if key == "compare":
        parts = [f"{n} {pct(n, 'pt_resolution_robust')}" for n in names if pct(n, "pt_resolution_robust")]
        return ("robust pT resolution: " + ", ".join(parts)) if parts else ""
    if key == "distill" and names:
        extra = ws[names[0]].params.get("transfer_events")
        return f"{extra:,} teacher-labelled events added" if extra else ""
    if key == "synthesis" and names:
        m = ws[names[0]].metrics
        parts = []
        if pct(names[0], "pt_resolution_robust_csim"):
            parts.append(
                f"C simulation: robust pT resolution {pct(names[0], 'pt_resolution_robust_csim')}"
                f" (Keras {pct(names[0], 'pt_resolution_robust')})"
            )
        if isinstance(m.get("latency_ns_estimate"), (int, float)):
            parts.append(f"latency ≈ {m['latency_ns_estimate']:.0f} ns (estimate)")
        return "; ".join(parts)
    if key in ("dpu", "run") and names:
        return run_summary(ws, names[0])
    return ""


def run_summary(ws: Workspace, name: str) -> str:
    """The numbers of the latest run of ``name``, labelled with where they come from."""
    from core.deploy.run import load_reports

    reports = load_reports(ws, name)
    if not reports:
        return ""
    rep = reports[-1]
    where = "emulated on CPU" if rep.emulated else rep.device
    parts = [
        f"{rep.label}: {rep.throughput_eps:,.0f} events/s, p99 batch latency {1e3 * rep.latency_p99_s:.2g} ms ({where})"
    ]
    t = rep.task_metrics
    if t.get("accuracy") is not None:
        parts.append(
            f"accuracy {100 * t['accuracy']:.1f} % (Keras float {100 * t['keras']['accuracy']:.1f} %)"
        )
    if t.get("pt_resolution_robust") is not None:
        parts.append(f"robust pT resolution {100 * t['pt_resolution_robust']:.1f} %")
    c = rep.agreement.get("csim")
    if c:
        parts.append(f"bit for bit equal to the C simulation on {100 * c['exact_fraction']:.1f} % of events")
    return "; ".join(parts)


def run_on_card_or_emulator(w: Any, ws: Workspace, name: str, path: str, progress) -> str:
    """Run variant ``name`` on the U50 (``path``: ``"hls"`` or ``"dpu"``) when one is here, else its emulator."""
    from core.deploy.run import card_or_emulator, run_variant

    target = card_or_emulator(path)
    progress.log(f"{name} runs on {target.label}")
    run_variant(
        ws, name, target.name, events=w.scale.run_events, batch_size=w.scale.run_batch, progress=progress
    )
    return name
