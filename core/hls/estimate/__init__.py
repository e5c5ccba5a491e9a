"""Latency and resource *estimate* of an hls4ml design, for when no vendor synthesis is available.

The analytic model (:mod:`core.hls.estimate.analytic`) gives per-layer costs from the Keras model
and the hls4ml configuration; its totals are calibrated against real synthesis reports
(:mod:`core.hls.estimate.calibration`), and every estimate carries its measured error bars.
"""

from core.hls.estimate.api import estimate
from core.hls.estimate.calibration import (
    Calibration,
    CalibrationError,
    active_calibration,
    builtin_references,
    evaluate,
    fit,
    leave_one_out,
    local_path,
    report_dict,
    shipped_calibration,
    with_error_bars,
)
from core.hls.estimate.features import features
from core.hls.estimate.results import SOURCE, Estimate, LayerEstimate, compare

__all__ = [
    "SOURCE",
    "Calibration",
    "CalibrationError",
    "Estimate",
    "LayerEstimate",
    "active_calibration",
    "builtin_references",
    "compare",
    "evaluate",
    "estimate",
    "features",
    "fit",
    "leave_one_out",
    "local_path",
    "report_dict",
    "shipped_calibration",
    "with_error_bars",
]
