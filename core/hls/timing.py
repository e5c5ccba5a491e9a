"""Trigger timing in the trigger's units: latency and initiation interval in ns and bunch crossings.

The LHC brings bunches into collision every 25 ns (40 MHz, :data:`BX_NS`). A Level-0 trigger sees
every bunch crossing (BX), so its firmware must take a new event every 25 ns: a design **accepts
every bunch crossing** iff its initiation interval times the clock period is at most 25 ns
(``II · clock <= 25 ns``). One that takes an event every ``n`` crossings (``n = ceil(II·clock / 25
ns)``) misses ``n − 1`` of every ``n``. The latency is quoted in BX as a decimal
(``latency_ns / 25``, e.g. "6.8 BX"): it must fit the trigger's latency budget, a separate
question from the rate.

Where the numbers come from is kept with them: ``source = "estimate"`` for TrigLab's analytic
estimate (:mod:`core.hls.estimate`: an estimate, never a measurement) and ``"synthesis"`` for a
vendor C-synthesis report (:class:`core.hls.vendor.SynthReport`).

What decides the interval in hls4ml 1.3 (io_parallel, Vitis backend): a Dense layer with the
Latency strategy takes one input per ``reuse_factor`` cycles; a convolution computes its output
positions in ``n_partitions = positions / ParallelizationFactor`` groups, one group every
``reuse_factor`` cycles, and any convolution with ``n_partitions > 1`` makes the whole network a
DATAFLOW design (one process per layer). io_stream moves one pixel per cycle. So the recipe for
one event per BX is io_parallel, the Latency strategy, reuse factor 1 and the convolutions
unrolled (``ParallelizationFactor``, "unrolling") until ``II · clock <= 25 ns``.

:func:`settings_for_every_bx` applies io_parallel + Latency + reuse 1 and then the least
unrolling of the io_parallel convolutions (hls4ml's valid factors: divisors of the output
positions) whose *estimated* interval stays within one BX **including the estimate's expected
error on II** (the calibration's leave-one-out bar, ±26 % for the built-in one), so that a design
on the edge is not called good by an estimate that may be 26 % short.

Measured on hands-on 2's 4-bit student (Conv 6 of 6×5, stride 1×2 → 30 output positions; Dense 20;
Dense 2; U50, 5 ns clock; trained by the walkthrough at 20k events, 4 epochs), estimate with the
built-in calibration (DSP 0: the 4-bit products go to LUTs; LUT error bar ×/÷ 2.2, II ±26 %):

============================  =========  ==============  ===============  ======  =====  ========
conv1 ParallelizationFactor   II cycles  II ns (BX)      latency ns (BX)  LUT     FF     style
============================  =========  ==============  ===============  ======  =====  ========
1 (hls4ml's default)          30         150 (6.0)       170 (6.8)        31.3k   7.2k   dataflow
10                            5          25 (1.0)        25 (1.0)         70.3k   8.8k   dataflow
15                            4          20 (0.8)        20 (0.8)         92.0k   9.8k   dataflow
30 (fully unrolled)           1          5 (0.2)         10 (0.4)         157.0k  10.1k  pipeline
============================  =========  ==============  ===============  ======  =====  ========

Factors 10 and 15 reach 25 ns only at the estimate's central value (31 and 25.2 ns at the upper end
of its error); the fully unrolled convolution (n_partitions = 1) lets hls4ml pipeline the whole
network at II = 1 cycle, far from the edge, for ~5× the LUTs (18 % of the U50; the distilled
student: 119k against 28k). That is what :func:`settings_for_every_bx` picks for this student;
its C simulation agrees with Keras as before (robust pT resolution 36.8 % in both). The walkthrough
stores both estimates on the variant (:data:`EVERY_BX_METRIC`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

BX_NS = 25.0
"""The LHC bunch spacing (ns): 40 MHz bunch crossings."""

#: The metric key under which the walkthrough stores the default-vs-chosen comparison.
EVERY_BX_METRIC = "hls_every_bx"

_EPS = 1e-9  # float slack: 5 cycles × 5.0 ns is 25 ns, not "more than one BX"


# --- conversions ---------------------------------------------------------------------------------
def bx_per_event(ii_ns: float) -> int:
    """Bunch crossings between two events the design can take (1: every crossing).

    Args:
        ii_ns: Initiation interval (ns).
    """
    return max(1, math.ceil(ii_ns / BX_NS - _EPS))


def timing_from(
    latency_cycles: float | None, ii_cycles: float | None, clock_ns: float | None, source: str
) -> dict[str, Any]:
    """Latency and interval in cycles, ns and bunch crossings.

    Args:
        latency_cycles: Latency (clock cycles).
        ii_cycles: Initiation interval (clock cycles).
        clock_ns: Clock period (ns).
        source: ``"estimate"`` or ``"synthesis"``.

    Returns:
        ``latency_cycles``, ``latency_ns``, ``latency_bx`` (decimal, latency_ns / 25),
        ``ii_cycles``, ``ii_ns``, ``ii_bx`` (decimal), ``clock_ns``, ``every_bx`` (II·clock <= 25 ns),
        ``bx_per_event`` (crossings between two accepted events), ``source``. Values that cannot be
        computed (a number missing) are None.
    """

    def num(v):
        return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None

    lat, ii, clk = num(latency_cycles), num(ii_cycles), num(clock_ns)
    lat_ns = lat * clk if lat is not None and clk is not None else None
    ii_ns = ii * clk if ii is not None and clk is not None else None
    return {
        "latency_cycles": int(round(lat)) if lat is not None else None,
        "latency_ns": lat_ns,
        "latency_bx": lat_ns / BX_NS if lat_ns is not None else None,
        "ii_cycles": int(round(ii)) if ii is not None else None,
        "ii_ns": ii_ns,
        "ii_bx": ii_ns / BX_NS if ii_ns is not None else None,
        "clock_ns": clk,
        "every_bx": (ii_ns <= BX_NS + _EPS) if ii_ns is not None else None,
        "bx_per_event": bx_per_event(ii_ns) if ii_ns is not None else None,
        "source": source,
    }


def timing(estimate_or_report: Any) -> dict[str, Any]:
    """:func:`timing_from` of an estimate or a vendor report (objects or their ``to_dict()``).

    Args:
        estimate_or_report: A :class:`core.hls.estimate.Estimate` (``source`` "estimate"), a
            :class:`core.hls.vendor.SynthReport` (``source`` "synthesis"; its worst-case latency
            and interval), or either's ``to_dict()``.

    Raises:
        TypeError: Neither.
    """
    d = estimate_or_report if isinstance(estimate_or_report, dict) else None
    if d is None and hasattr(estimate_or_report, "to_dict"):
        d = estimate_or_report.to_dict()
    if not isinstance(d, dict):
        raise TypeError(f"timing() needs an Estimate or a SynthReport, not {type(estimate_or_report)}")
    if "interval_cycles" in d:  # Estimate
        return timing_from(d.get("latency_cycles"), d.get("interval_cycles"), d.get("clock_ns"), "estimate")
    if "interval_max" in d:  # SynthReport
        return timing_from(d.get("latency_cycles_max"), d.get("interval_max"), d.get("clock_ns"), "synthesis")
    raise TypeError("timing() needs an Estimate or a SynthReport (no interval in the dict)")


def timing_columns(metrics: dict[str, Any]) -> dict[str, Any]:
    """The timing of a variant from its stored metrics, for the Compare view.

    A vendor report (``*_report`` metrics) is preferred to the estimate (``*_estimate``, stored by
    :func:`core.hls.pipeline.synthesize_variant` and the Synthesis view). Older metrics without
    ``clock_ns_estimate`` get the clock from ``latency_ns_estimate / latency_cycles_estimate``.

    Args:
        metrics: A variant's ``metrics``.

    Returns:
        The keys of :func:`timing_from` (``latency_bx``, ``ii_bx``, ``every_bx``...; ``source``
        None and every value None when the variant has neither).
    """
    m = metrics or {}
    for suffix, source in (("report", "synthesis"), ("estimate", "estimate")):
        ii = m.get(f"ii_{suffix}")
        if not isinstance(ii, (int, float)):
            continue
        lat, lat_ns = m.get(f"latency_cycles_{suffix}"), m.get(f"latency_ns_{suffix}")
        clock = m.get(f"clock_ns_{suffix}")
        if not isinstance(clock, (int, float)) and isinstance(lat, (int, float)) and lat > 0:
            clock = lat_ns / lat if isinstance(lat_ns, (int, float)) else None
        return timing_from(lat, ii, clock, source)
    return timing_from(None, None, None, None)  # type: ignore[arg-type]


# --- text ----------------------------------------------------------------------------------------
def flag_text(t: dict[str, Any]) -> str | None:
    """The warning for a design that cannot take an event every bunch crossing (None when it can).

    English, for the CLI and logs; the app writes the same sentence through Qt's translation.
    """
    if t.get("every_bx") is not False:
        return None
    n = t["bx_per_event"]
    return (
        f"takes an event every {n} bunch crossings (II {t['ii_ns']:.0f} ns > {BX_NS:g} ns): it would miss "
        f"{n - 1} of {n} — lower the reuse factor, use io_parallel + Latency strategy, unroll the "
        "convolutions (ParallelizationFactor)"
    )


def timing_line(t: dict[str, Any]) -> str:
    """One line: latency and interval in cycles, ns and BX, with the flag (English, CLI)."""
    if t.get("ii_ns") is None:
        return "timing: no latency / interval numbers"
    label = "estimate" if t["source"] == "estimate" else "synthesis report"
    lat = (
        f"latency {t['latency_cycles']} cycles = {t['latency_ns']:.0f} ns = {t['latency_bx']:.1f} BX"
        if t.get("latency_ns") is not None
        else "latency —"
    )
    head = (
        f"timing ({label}, {BX_NS:g} ns bunch crossings): {lat}; II {t['ii_cycles']} cycles = "
        f"{t['ii_ns']:.0f} ns = {t['ii_bx']:.1f} BX at {t['clock_ns']:g} ns"
    )
    flag = flag_text(t)
    return head + ("; accepts an event every bunch crossing" if flag is None else f"; WARNING: {flag}")


# --- settings that accept every bunch crossing -------------------------------------------------------
def conv_positions(model, config) -> dict[str, int]:
    """Output positions of each convolution row of ``config`` (the user's layer names).

    Args:
        model: The Keras model.
        config: Its :class:`core.hls.config.HlsConfig`.
    """
    out = {}
    for row in config.layers():
        if "Conv" not in row.class_name or row.generated:
            continue
        try:
            shape = model.get_layer(row.name).output_shape
        except ValueError:
            continue
        if isinstance(shape, tuple) and len(shape) >= 3:
            out[row.name] = int(math.prod(int(d) for d in shape[1:-1]))
    return out


def unrolling(config) -> dict[str, int]:
    """``{convolution: ParallelizationFactor}`` of a configuration's rows that set one."""
    out = {}
    for row in config.layers():
        pf = (row.extra or {}).get("ParallelizationFactor")
        if "Conv" in row.class_name and isinstance(pf, int):
            out[row.name] = pf
    return out


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]  # hls4ml's valid ParallelizationFactors


def _summary(est) -> dict[str, Any]:
    res = est.resources()
    bar = est.error_bars.get("ii") or {}
    return {
        **timing(est),
        "DSP": int(res["DSP"]),
        "LUT": int(res["LUT"]),
        "FF": int(res["FF"]),
        "BRAM_18K": int(res["BRAM_18K"]),
        "pipeline_style": est.pipeline_style,
        "io_type": est.io_type,
        "ii_error": bar.get("rel"),
    }


@dataclass
class EveryBxChoice:
    """hls4ml settings that accept an event every bunch crossing, and what they cost.

    Attributes:
        io_type, strategy, reuse_factor: The model-level settings applied (every row follows).
        parallelization: ``{convolution: ParallelizationFactor}`` applied.
        default: :func:`timing` plus ``DSP``, ``LUT``, ``FF``, ``BRAM_18K``, ``pipeline_style``,
            ``ii_error`` of the estimate of the configuration as given.
        chosen: The same for the chosen settings.
        every_bx: True when the chosen estimate's interval, at the upper end of its error bar,
            is within one bunch crossing (False: even full unrolling does not get there).
    """

    io_type: str = "io_parallel"
    strategy: str = "Latency"
    reuse_factor: int = 1
    parallelization: dict[str, int] = field(default_factory=dict)
    default: dict[str, Any] = field(default_factory=dict)
    chosen: dict[str, Any] = field(default_factory=dict)
    every_bx: bool = False

    def apply(self, config):
        """A copy of ``config`` (an :class:`~core.hls.config.HlsConfig`) with these settings."""
        new = config.copy()
        new.set_setting("io_type", self.io_type)
        new.set_setting("strategy", self.strategy)
        new.set_setting("reuse_factor", self.reuse_factor)
        for row in new.layers():
            if row.reuse_factor is not None:
                row.reuse_factor = self.reuse_factor
            if row.strategy is not None:
                row.strategy = self.strategy
            if row.name in self.parallelization:
                row.extra["ParallelizationFactor"] = int(self.parallelization[row.name])
        return new

    def settings(self) -> dict[str, Any]:
        """The settings as plain data."""
        return {
            "io_type": self.io_type,
            "strategy": self.strategy,
            "reuse_factor": self.reuse_factor,
            "parallelization_factor": dict(self.parallelization),
        }

    def to_dict(self) -> dict[str, Any]:
        """What the walkthrough stores on the variant (:data:`EVERY_BX_METRIC`); ``source`` "estimate"."""
        return {
            "settings": self.settings(),
            "default": dict(self.default),
            "chosen": dict(self.chosen),
            "every_bx": self.every_bx,
            "source": "estimate",
        }

    def describe(self) -> str:
        """One English line (log, CLI)."""
        d, c = self.default, self.chosen
        pf = ", ".join(f"{k} ParallelizationFactor {v}" for k, v in self.parallelization.items()) or "no conv"
        return (
            f"every-BX settings: {self.io_type}, {self.strategy}, reuse {self.reuse_factor}, {pf}: "
            f"II {c['ii_cycles']} cycles = {c['ii_ns']:.0f} ns ({c['ii_bx']:.1f} BX), latency "
            f"{c['latency_ns']:.0f} ns ({c['latency_bx']:.1f} BX), DSP {c['DSP']}, LUT {c['LUT']}, FF {c['FF']} "
            f"against the default's II {d['ii_cycles']} cycles = {d['ii_ns']:.0f} ns ({d['ii_bx']:.1f} BX), "
            f"latency {d['latency_ns']:.0f} ns, DSP {d['DSP']}, LUT {d['LUT']}, FF {d['FF']} (estimates)"
        )


def _meets(summary: dict[str, Any]) -> bool:
    """Within one BX at the upper end of the estimate's expected error on II."""
    rel = summary.get("ii_error") or 0.0
    return summary["ii_ns"] * (1.0 + rel) <= BX_NS + _EPS


def settings_for_every_bx(model, config=None) -> EveryBxChoice:
    """The least unrolling that lets ``model`` take an event every bunch crossing (by the estimate).

    1. io_parallel, Latency strategy, reuse factor 1 for every layer.
    2. For targets ``t`` of the convolutions' partition counts, from the largest (no unrolling)
       down to 1: every io_parallel convolution gets the smallest ParallelizationFactor (a divisor
       of its output positions, as hls4ml requires) leaving at most ``t`` partitions.
    3. The first whose estimated II·clock, raised by the estimate's expected error on II, is at
       most 25 ns wins; if none does, the fully unrolled one is returned with ``every_bx`` False.

    Args:
        model: The Keras model (QKeras or float).
        config: Its :class:`~core.hls.config.HlsConfig` (the clock and precisions are kept);
            None: :func:`core.hls.config.make_config`'s default.

    Returns:
        The :class:`EveryBxChoice`, with the estimates of ``config`` and of the choice.
    """
    from core.hls.config import make_config
    from core.hls.estimate import estimate

    config = config if config is not None else make_config(model)
    default = _summary(estimate(model, config))
    positions = conv_positions(model, config)
    targets = sorted({math.ceil(p / d) for p in positions.values() for d in _divisors(p)}, reverse=True) or [
        1
    ]
    choice = EveryBxChoice(default=default)
    for t in targets:
        choice.parallelization = {
            name: min(d for d in _divisors(p) if math.ceil(p / d) <= t) for name, p in positions.items()
        }
        choice.chosen = _summary(estimate(model, choice.apply(config)))
        if _meets(choice.chosen):
            choice.every_bx = True
            break
    return choice
