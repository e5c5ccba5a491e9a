"""FPGA synthesis with hls4ml: configuration, conversion, C simulation, profiling, vendor builds.

hls4ml and TensorFlow are imported inside the functions that need them, so importing this package
stays fast. The modules:

* :mod:`core.hls.config`: :class:`HlsSettings`, :class:`HlsConfig`, :func:`make_config` (per-layer
  precisions, reuse factor, strategy; hls4ml YAML in and out).
* :mod:`core.hls.convert`: :func:`compile_model` (conversion + streamed, cancellable, cached g++
  compile), :func:`csimulate`, :func:`compare_with_keras` (argmax agreement, per-layer trace).
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
