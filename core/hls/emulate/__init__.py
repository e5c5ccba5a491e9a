"""Fixed-point emulation of hls4ml firmware (see :mod:`core.hls.emulate.base`).

Importing the package registers every layer module's builders; :func:`build_graph` turns a Keras
model into the emulated graph of its hls4ml nodes.
"""

from core.hls.emulate import (  # noqa: F401  (each module registers its builders)
    layers_act_extra,
    layers_activation,
    layers_bn,
    layers_dense,
    layers_depthwise,
    layers_merge,
    layers_qkeras,
    layers_shape,
)
from core.hls.emulate.base import EmulationError, LayerEmulator, Node
from core.hls.emulate.graph import Graph, build_graph

__all__ = ["EmulationError", "Graph", "LayerEmulator", "Node", "build_graph"]
