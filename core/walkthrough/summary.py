"""The one-line summaries under each step (the CLI's listing and the app's cards).

A summary is a list of :class:`Part`: a text marked for translation in the ``Walkthrough``
context with ``{0}``-style fields, and its values. Numbers stay numbers (:class:`Pct`,
:class:`Num`) until shown, so the CLI writes them its way and the app in the UI's locale
(``98,6 %`` in Italian).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.i18n import QT_TRANSLATE_NOOP
from core.workspace import Workspace


@dataclass(frozen=True)
class Pct:
    """A fraction shown as a percentage with one decimal (0.986 -> 98.6 %)."""

    value: float


@dataclass(frozen=True)
class Num:
    """A number shown with ``decimals`` digits after the point."""

    value: float
    decimals: int = 0


@dataclass(frozen=True)
class Part:
    """One part of a summary: ``text`` (translatable, ``{0}`` fields) and its values."""

    text: str
    args: tuple[Any, ...] = ()


def render(
    parts: list[Part],
    translate: Callable[[str], str] = lambda t: t,
    pct: Callable[[float], str] = lambda f: f"{100 * f:.1f} %",
    num: Callable[[float, int], str] = lambda v, d: f"{v:,.{d}f}",
) -> str:
    """The summary as one line ("; "-separated), with the caller's translation and number formats."""

    def value(a: Any) -> str:
        if isinstance(a, Pct):
            return pct(a.value)
        if isinstance(a, Num):
            return num(a.value, a.decimals)
        return str(a)

    return "; ".join(translate(p.text).format(*(value(a) for a in p.args)) for p in parts)


def _two_digits(v: float) -> Num:
    """Two significant digits (a latency of 0.52 ms, 12 ms)."""
    return Num(v, max(0, 1 - math.floor(math.log10(abs(v)))) if v else 0)


def step_parts(w: Any, ws: Workspace, key: str) -> list[Part]:
    """What step ``key`` of walkthrough ``w`` produced, with its numbers ([] when there is nothing to add)."""
    res = w.result_of(ws, key)
    names = [n for n in (res if isinstance(res, list) else [res]) if isinstance(n, str) and n in ws.variants]

    def metric(name: str, key: str) -> float | None:
        v = ws[name].metrics.get(key)
        return float(v) if isinstance(v, (int, float)) else None

    if key == "compare":
        parts = []
        for n in names:
            if ws[n].operation == "baseline":  # the classical trigger: the reference of the ratios
                continue
            r, ratio = metric(n, "pt_resolution_robust"), metric(n, "rate_ratio_20")
            if r is not None and ratio is not None:
                text = QT_TRANSLATE_NOOP(
                    "Walkthrough", "{0}: robust pT resolution {1}, rate at 20 GeV {2} × classical"
                )
                parts.append(Part(text, (n, Pct(r), Num(ratio, 2))))
            elif r is not None:
                parts.append(
                    Part(QT_TRANSLATE_NOOP("Walkthrough", "{0}: robust pT resolution {1}"), (n, Pct(r)))
                )
        return parts
    if key == "distill" and names:
        extra = ws[names[0]].params.get("transfer_events")
        return (
            [Part(QT_TRANSLATE_NOOP("Walkthrough", "{0} teacher-labelled events added"), (Num(extra),))]
            if extra
            else []
        )
    if key == "synthesis" and names:
        parts = []
        # Keras on the C simulation's own events (what the step logs and the Synthesis view shows);
        # the whole validation split's number only for results stored before it was kept.
        csim = metric(names[0], "pt_resolution_robust_csim")
        keras = metric(names[0], "pt_resolution_robust_keras_csim")
        if keras is None:
            keras = metric(names[0], "pt_resolution_robust")
        if csim is not None:
            parts.append(
                Part(
                    QT_TRANSLATE_NOOP("Walkthrough", "C simulation: robust pT resolution {0} (Keras {1})"),
                    (Pct(csim), Pct(keras) if keras is not None else "?"),
                )
            )
        bx = ws[names[0]].metrics.get("hls_every_bx")  # core.hls.timing.EVERY_BX_METRIC
        if isinstance(bx, dict):
            parts += every_bx_parts(bx)
            return parts
        latency = metric(names[0], "latency_ns_estimate")
        if latency is not None:
            parts.append(
                Part(QT_TRANSLATE_NOOP("Walkthrough", "latency ≈ {0} ns (estimate)"), (Num(latency),))
            )
        return parts
    if key in ("dpu", "run") and names:
        return run_parts(ws, names[0])
    return []


def every_bx_parts(record: dict[str, Any]) -> list[Part]:
    """The synthesis card's timing: the chosen settings' II and latency in ns and bunch crossings,
    and their cost against hls4ml's default (``record``: :meth:`core.hls.timing.EveryBxChoice.to_dict`)."""
    try:
        c, d = record["chosen"], record["default"]
        chosen = (Num(c["ii_ns"]), Num(c["ii_bx"], 1), Num(c["latency_ns"]), Num(c["latency_bx"], 1))
        cost = (Num(c["LUT"]), Num(d["LUT"]), Num(c["FF"]), Num(d["FF"]), Num(c["DSP"]), Num(d["DSP"]))
        default_ii = (Num(d["ii_ns"]), Num(d["bx_per_event"]))
    except (KeyError, TypeError):  # a hand-edited record: the card says nothing rather than fail
        return []
    if c.get("every_bx"):
        text = QT_TRANSLATE_NOOP(
            "Walkthrough",
            "accepts an event every bunch crossing: II {0} ns = {1} BX, latency {2} ns = {3} BX (estimate)",
        )
    else:
        text = QT_TRANSLATE_NOOP(
            "Walkthrough",
            "does NOT accept every bunch crossing: II {0} ns = {1} BX, latency {2} ns = {3} BX (estimate)",
        )
    return [
        Part(text, chosen),
        Part(
            QT_TRANSLATE_NOOP(
                "Walkthrough",
                "cost: LUT {0} (default settings {1}), FF {2} ({3}), DSP {4} ({5}); the default takes an "
                "event every {7} crossings (II {6} ns)",
            ),
            (*cost, *default_ii),
        ),
    ]


def step_summary(w: Any, ws: Workspace, key: str) -> str:
    """One line on what step ``key`` of walkthrough ``w`` produced ("" when there is nothing to add)."""
    return render(step_parts(w, ws, key))


def run_parts(ws: Workspace, name: str) -> list[Part]:
    """The numbers of the latest run of ``name``, labelled with where they come from."""
    from core.deploy.run import load_reports

    reports = load_reports(ws, name)
    if not reports:
        return []
    rep = reports[-1]
    speed = (rep.label, Num(rep.throughput_eps), _two_digits(1e3 * rep.latency_p99_s))
    if rep.emulated:
        text = QT_TRANSLATE_NOOP(
            "Walkthrough", "{0}: {1} events/s, p99 batch latency {2} ms (emulated on CPU)"
        )
        parts = [Part(text, speed)]
    else:
        text = QT_TRANSLATE_NOOP("Walkthrough", "{0}: {1} events/s, p99 batch latency {2} ms ({3})")
        parts = [Part(text, (*speed, rep.device))]
    t = rep.task_metrics
    if t.get("accuracy") is not None:
        parts.append(
            Part(
                QT_TRANSLATE_NOOP("Walkthrough", "accuracy {0} (Keras float {1})"),
                (Pct(t["accuracy"]), Pct(t["keras"]["accuracy"])),
            )
        )
    if t.get("pt_resolution_robust") is not None:
        parts.append(
            Part(
                QT_TRANSLATE_NOOP("Walkthrough", "robust pT resolution {0}"),
                (Pct(t["pt_resolution_robust"]),),
            )
        )
    c = rep.agreement.get("csim")
    if c:
        parts.append(
            Part(
                QT_TRANSLATE_NOOP("Walkthrough", "bit for bit equal to the C simulation on {0} of events"),
                (Pct(c["exact_fraction"]),),
            )
        )
    return parts


def run_summary(ws: Workspace, name: str) -> str:
    """The numbers of the latest run of ``name`` as one line (see :func:`run_parts`)."""
    return render(run_parts(ws, name))


def run_on_card_or_emulator(w: Any, ws: Workspace, name: str, path: str, progress) -> str:
    """Run variant ``name`` on the U50 (``path``: ``"hls"`` or ``"dpu"``) when one is here, else its emulator."""
    from core.deploy.run import card_or_emulator, run_variant

    target = card_or_emulator(path)
    progress.log(f"{name} runs on {target.label}")
    run_variant(
        ws, name, target.name, events=w.scale.run_events, batch_size=w.scale.run_batch, progress=progress
    )
    return name
