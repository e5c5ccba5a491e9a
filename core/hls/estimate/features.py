"""The design features the calibration reads: JSON-able numbers computed from model + config.

:func:`features` runs the analytic model (:mod:`core.hls.estimate.analytic`) and sums, over the
layers, the *terms* each layer cost produces (multiplier bits in LUTs, DSPs, adder bits, ReLU
bits, table look-ups, pooling comparators/adders, stream words, pipeline register bits, …), plus
design-level ones (the input port's bits, the analytic latency and interval, dataflow or not).
The calibration (:mod:`core.hls.estimate.calibration`) turns them into totals with coefficients
fitted on real reports. The dict holds plain numbers and short strings only, so a local store can
keep ``(features, report)`` pairs without the model.
"""

from __future__ import annotations

from typing import Any

SCHEMA = 1
"""Version of the features dict."""

TERMS: dict[str, tuple[str, ...]] = {
    "latency_cycles": ("lat_words", "lat_logic", "lat_lookup"),
    "ii": ("ii_pipe", "ii_frame", "ii_frame_logic"),
    "DSP": ("dsp_mult",),
    "LUT": (
        "one",
        "lut_mult",
        "lut_dsp",
        "lut_cascade",
        "lut_add",
        "lut_relu",
        "lut_table",
        "lut_pool_max",
        "lut_pool_avg",
        "lut_mem",
        "lut_stream",
        "lut_window",
    ),
    "FF": (
        "one",
        "in_bits",
        "ff_pipe",
        "ff_table",
        "ff_table_select",
        "ff_window",
        "ff_stream",
        "ff_stream_vivado",
    ),
    "BRAM_18K": ("bram_table", "bram_rom", "bram_fifo"),
}
"""The calibrated quantities and the terms each one is a non-negative combination of."""

COUNTS = frozenset({"lat_words", "ii_pipe", "ii_frame"})
"""Terms that count cycles exactly (stream words, pixel groups, reuse steps): the tool factor
does not scale them (a tool that adds a cycle of logic does not read 1024 pixels 1.3 times)."""

QUANTITIES = tuple(TERMS)


def features(
    model, config: Any = None, *, tool_version: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """The calibration features of the hls4ml design of ``model`` under ``config``.

    Args:
        model: The Keras model.
        config: As for :func:`core.hls.estimate.estimate`.
        tool_version: The vendor tool's version (e.g. ``'2024.1'``); None for the newest the
            calibration knows for the backend.
        **overrides: The what-if overrides of :func:`core.hls.estimate.estimate`.

    Returns:
        ``{'schema', 'backend', 'version', 'io_type', 'part', 'clock_ns', 'terms': {name: number}}``.
    """
    from core.hls.estimate.analytic import analyze

    _, design, cfg, _ = analyze(model, config, **overrides)
    return design_features(design, cfg, tool_version)


def design_features(design: dict[str, Any], cfg, tool_version: str | None) -> dict[str, Any]:
    """The features dict from the analytic model's design terms."""
    terms = {k: float(v) for k, v in design.items() if isinstance(v, (int, float)) and k not in _META}
    vitis_frame = bool(design.get("dataflow")) and str(cfg.backend).lower() == "vitis"
    # Vitis HLS does not overlap two inputs in a dataflow top: the interval is a whole frame
    terms["ii_frame"] = terms.get("lat_words", 0.0) + 1 if vitis_frame else 0.0
    terms["ii_frame_logic"] = terms.get("lat_logic", 0.0) if vitis_frame else 0.0
    if vitis_frame:
        terms["ii_pipe"] = 0.0
    terms["one"] = 1.0
    # Vivado HLS and Vitis HLS register a stream's words differently (2064 vs 326 FF for the same
    # Dense(64) + ReLU in io_stream): a term per backend
    vivado = str(cfg.backend).lower() == "vivado"
    terms["ff_stream_vivado"] = terms.get("ff_stream", 0.0) if vivado else 0.0
    if vivado:
        terms["ff_stream"] = 0.0
    for names in TERMS.values():
        for name in names:
            terms.setdefault(name, 0.0)
    return {
        "schema": SCHEMA,
        "backend": str(cfg.backend),
        "version": tool_version,
        "io_type": str(cfg.io_type),
        "part": getattr(cfg, "part", None),
        "clock_ns": float(cfg.clock_ns),
        "terms": terms,
    }


_META = {"backend", "io_type", "clock_ns", "dataflow"}
