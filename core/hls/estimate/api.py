"""The estimate: the analytic model's design, calibrated totals, error bars and the part's capacity."""

from __future__ import annotations

from typing import Any

from core.hls.estimate.analytic import analyze
from core.hls.estimate.calibration import Calibration, active_calibration
from core.hls.estimate.features import design_features
from core.hls.estimate.results import Estimate
from core.hls.parts import part_capacity

_ROW_FIELDS = {"DSP": "dsp", "LUT": "lut", "FF": "ff", "BRAM_18K": "bram_18k"}


def estimate(
    model,
    config: Any = None,
    *,
    clock_period_ns: float | None = None,
    io_type: str | None = None,
    backend: str | None = None,
    precision: str | None = None,
    reuse_factor: int | None = None,
    strategy: str | None = None,
    part: str | None = None,
    tool_version: str | None = None,
    calibration: Calibration | None = None,
) -> Estimate:
    """Estimate latency and resources of the hls4ml design of a Keras model, with error bars.

    Args:
        model: The Keras model (float, QKeras or pruned); its shapes and weights are read.
        config: An :class:`core.hls.config.HlsConfig`, an hls4ml config dict (``{'Model': ...,
            'LayerName': ...}`` or a whole hls4ml YAML structure) or None for hls4ml's defaults
            (``ap_fixed<16,6>``, reuse 1, Latency, io_parallel, 5 ns). Rows are looked up by the
            user's layer names; layers without a row use the model defaults: the default
            precision for weights, biases and results (as ``make_config`` sets them) and
            hls4ml's exact width for accumulators. An explicit ``'auto'`` result is exact too.
        clock_period_ns, io_type, backend, part: Override the configuration's.
        precision: Use this precision for every weight, bias, input and result (what-if; the
            accumulators stay as configured).
        reuse_factor: Use this reuse factor for every layer (what-if).
        strategy: Use this strategy (``'Latency'`` / ``'Resource'``) for every layer (what-if).
        tool_version: The vendor tool's version the totals are for (e.g. ``'2023.1'``); None for
            the newest the calibration knows for the backend.
        calibration: The calibration to use; None for :func:`active_calibration` (a lab's local
            one when valid, else the built-in one).

    Returns:
        The :class:`Estimate`, labelled ``'estimate (analytic model)'``, with error bars per
        quantity, the calibration it used and the utilization of the configured part.
    """
    est, design, cfg, row_terms = analyze(
        model,
        config,
        clock_period_ns=clock_period_ns,
        io_type=io_type,
        backend=backend,
        precision=precision,
        reuse_factor=reuse_factor,
        strategy=strategy,
        part=part,
    )
    cal = calibration or active_calibration()
    feats = design_features(design, cfg, tool_version)
    tool = cal.tool(feats)
    totals = cal.predict(feats)
    for row, terms in zip(est.layers, row_terms, strict=True):
        for quantity, name in _ROW_FIELDS.items():
            setattr(row, name, round(cal.scale(quantity, terms, tool)))
    est.latency_cycles = round(totals["latency_cycles"])
    est.interval_cycles = max(1, round(totals["ii"]))
    est.dsp, est.lut = round(totals["DSP"]), round(totals["LUT"])
    est.ff, est.bram_18k = round(totals["FF"]), round(totals["BRAM_18K"])
    est.error_bars = {
        q: {**bar, "text": cal.error_text(q)} for q, bar in cal.error_bars.items() if q in totals
    }
    est.calibration_source = cal.source
    est.tool = tool
    est.part = cfg.part
    est.capacity = part_capacity(cfg.part)
    return est
