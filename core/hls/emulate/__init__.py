"""Fixed-point emulation of hls4ml firmware (see :mod:`core.hls.emulate.base`).

Importing the package registers every layer module's builders; :func:`build_graph` turns a Keras
model into the emulated graph of its hls4ml nodes.
"""

import importlib

from core.hls.emulate import layers_activation, layers_dense, layers_merge, layers_shape  # noqa: F401
from core.hls.emulate.base import EmulationError, LayerEmulator, Node
from core.hls.emulate.graph import Graph, build_graph

# Modules written alongside (BatchNorm, QKeras, extra activations, depthwise): registered when present.
for _module in ("layers_bn", "layers_qkeras", "layers_act_extra", "layers_depthwise"):
    try:
        importlib.import_module(f"{__name__}.{_module}")
    except ModuleNotFoundError as _exc:  # not there yet; a missing dependency inside it is an error
        if _exc.name != f"{__name__}.{_module}":
            raise

__all__ = ["EmulationError", "Graph", "LayerEmulator", "Node", "build_graph"]
