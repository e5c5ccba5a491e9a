"""FPGA synthesis with hls4ml: configuration, conversion, C simulation, profiling, vendor builds.

hls4ml and TensorFlow are imported inside the functions that need them, so importing this package
stays fast. The modules:

* :mod:`core.hls.config`: :class:`HlsSettings`, :class:`HlsConfig`, :func:`make_config` (per-layer
  precisions, reuse factor, strategy; hls4ml YAML in and out).
* :mod:`core.hls.convert`: :func:`compile_model` (conversion + streamed, cancellable, cached g++
  compile); :mod:`core.hls.csim_compare`: :func:`csimulate`, :func:`compare_with_keras` (argmax
  agreement, per-layer trace); :mod:`core.hls.readiness`: the model as hls4ml will read it (names,
  unsupported layers, conversion errors).
* :mod:`core.hls.emulate`: hls4ml's fixed-point firmware in numpy, one registered emulator per layer
  kind; :mod:`core.hls.autoprec` searches precisions on it (:mod:`core.hls.autoprec_verify`: the C
  simulation that confirms them).
* :mod:`core.hls.estimate`: latency and resources, calibrated on real synthesis reports, with
  error bars; :mod:`core.hls.parts`: device capacities; :mod:`core.hls.calibration_store`: this
  lab's own (design, report) pairs and the refit.
* :mod:`core.hls.vendor`: Vivado/Vitis discovery, builds and report parsing.
"""

from __future__ import annotations

from core.hls.config import HlsConfig, HlsSettings, LayerRow, make_config
from core.hls.convert import (
    CompiledModel,
    CsimReport,
    LayerError,
    cache_key,
    compare_with_keras,
    compile_model,
    csimulate,
    hls4ml_ready_model,
    trace_layers,
)
from core.hls.errors import HlsError

__all__ = [
    "CompiledModel",
    "CsimReport",
    "HlsConfig",
    "HlsError",
    "HlsSettings",
    "LayerError",
    "LayerRow",
    "cache_key",
    "compare_with_keras",
    "compile_model",
    "csimulate",
    "hls4ml_ready_model",
    "make_config",
    "trace_layers",
]
