"""The fixed-point emulator's building blocks: nodes, layer emulators and their registries.

The emulator reproduces, in numpy, the forward pass hls4ml's firmware computes: one :class:`Node`
per hls4ml layer (named as hls4ml names it, so that its precisions are the configuration's), in a
graph that follows the Keras model's connections. What each node computes lives in a small
:class:`LayerEmulator` subclass; a *builder* registered for a Keras class turns one Keras layer
into its hls4ml nodes, the way hls4ml registers one handler per Keras class
(``@keras_handler('Dense')``). Adding a layer is adding one builder, one emulator class and its
test (``core/hls/emulate/layers_*.py``; the modules register themselves on import).

Conventions every emulator follows:

* arrays are float64, batch first, channels last, exactly as Keras lays them out;
* ``forward`` returns the layer's output *before* its result is rounded: the graph rounds it to
  the node's ``result`` precision (``TRN``/``WRAP`` like ``ap_fixed``'s defaults unless the format
  says otherwise) unless the emulator is ``pass_through``;
* constants (weights, biases, BatchNorm scale and bias) are taken through :meth:`Ctx.constant`,
  which quantizes them as hls4ml writes them into ``weights/*.h`` (decimal text, then truncation)
  when a precision is set, and returns the float values otherwise;
* in float mode (``ctx.quantized`` False) every precision is None and the output must equal
  Keras's to float32 accuracy: the graph checks this on the calibration events before any search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.hls.errors import HlsError
from core.weights import FixedPointFormat

Fmt = FixedPointFormat | None


class EmulationError(HlsError):
    """A layer the emulator cannot reproduce; ``layer`` names the Keras layer."""

    def __init__(self, message: str, layer: str | None = None) -> None:
        super().__init__(message)
        self.layer = layer


class LayerEmulator:
    """What one hls4ml layer computes, in float and in fixed point.

    Subclasses set the class attributes that apply and implement :meth:`forward`.
    """

    #: Precisions the automatic search chooses for this layer ("weight", "bias", "result", ...;
    #: "inp_norm" for the softmax's table input). Fields in :attr:`fixed` are never searched.
    tunable: tuple[str, ...] = ("result",)
    #: The output keeps the input's type and values (max pooling, reshape, padding, dropout):
    #: nothing is rounded and the node has no precision of its own to search.
    pass_through: bool = False
    #: ``(integer bits, signed)`` of a result bounded whatever the data (sigmoid: ``(1, False)``).
    bounded: tuple[int, bool] | None = None
    #: The result is never negative (ReLU): ``ap_ufixed``, no sign bit.
    non_negative: bool = False
    #: A pass-through layer whose output hls4ml always types as its input (Reshape and Flatten
    #: share the input variable; padding, cropping, up-sampling and transpose copy it into the
    #: input's type): a result precision in the configuration has no effect on it.
    inplace: bool = False
    #: hls4ml types an ``auto`` result exactly (Dense, convolutions: the accumulator's width)
    #: instead of giving it the default precision.
    exact_auto_result: bool = False

    def __init__(self) -> None:
        #: Precisions the model itself fixes (QKeras quantizers), never searched: {field: format}.
        self.fixed: dict[str, FixedPointFormat] = {}

    def constants(self) -> dict[str, np.ndarray]:
        """Float values of the stored tensors by field ("weight", "bias", ...), for the integer
        bits of their precisions. Empty for layers that store nothing."""
        return {}

    def n_terms(self) -> int:
        """Terms of each output's sum (Dense: inputs; convolution: kernel size x channels); 0 for a
        layer that sums nothing. hls4ml's exact accumulator adds ``ceil(log2 n)`` bits."""
        return 0

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        """The output for the inputs ``xs`` (one array per input node), before result rounding."""
        raise NotImplementedError

    def accum(self, in_fmts: list[Fmt], fmt: Callable[[str], Fmt]) -> Fmt:
        """The accumulator precision auto precision writes for this layer (None: it has none, or
        hls4ml's own rule is kept), given the input precisions and ``fmt(field)`` of its own."""
        return None


@dataclass
class Node:
    """One hls4ml layer of the emulated graph."""

    name: str  # hls4ml layer name: the configuration's key for its precisions
    keras_name: str  # the Keras layer it comes from (a fused activation: its Dense/Conv)
    class_name: str  # hls4ml class shown to the user ("Dense", "ReLU", "BatchNormalization", ...)
    inputs: list[str]  # names of the nodes feeding it, in order (empty for an input)
    emulator: LayerEmulator
    params: dict[str, Any] = field(default_factory=dict)  # free-form facts for messages and tests


class Ctx:
    """What a node's :meth:`LayerEmulator.forward` may ask while the graph runs it."""

    def __init__(
        self,
        node: Node,
        fmts: dict[tuple[str, str], Fmt] | None,
        in_fmts: list[Fmt],
        constant: Callable[[Node, str, Fmt], np.ndarray],
    ) -> None:
        self.node = node
        self.quantized = fmts is not None
        self._fmts = fmts or {}
        #: The precisions of the input tensors (None: float or exact).
        self.in_fmts = in_fmts
        self._constant = constant

    def fmt(self, fld: str) -> Fmt:
        """This node's precision for ``fld`` (None in float mode or when exact)."""
        if not self.quantized:
            return None
        return self.node.emulator.fixed.get(fld) or self._fmts.get((self.node.name, fld))

    def constant(self, fld: str) -> np.ndarray:
        """The stored tensor ``fld`` as the firmware holds it (float values in float mode)."""
        return self._constant(self.node, fld, self.fmt(fld))


class BuildContext:
    """What a builder may ask while the graph is built from the Keras model, in layer order."""

    def __init__(self, model: Any, config: Any = None) -> None:
        self.model = model
        self.config = config
        self.nodes: dict[str, Node] = {}  # by hls4ml name, in insertion (topological) order
        self.keras_output: dict[str, str] = {}  # Keras layer name -> node giving its output

    def inputs_of(self, layer: Any) -> list[str]:
        """The nodes feeding the Keras ``layer`` (after folding and renaming), in order."""
        names = []
        for node in _inbound_layers(layer):
            if node not in self.keras_output:
                raise EmulationError(
                    f"layer {layer.name} takes its input from {node}, which is not emulated", layer.name
                )
            names.append(self.keras_output[node])
        return names

    def add(self, node: Node, keras_output: bool = True) -> Node:
        """Add ``node``; by default it gives its Keras layer's output from now on."""
        if node.name in self.nodes:
            raise EmulationError(f"two emulated layers are named {node.name}", node.keras_name)
        self.nodes[node.name] = node
        if keras_output:
            self.keras_output[node.keras_name] = node.name
        return node

    def alias(self, keras_name: str, node_name: str) -> None:
        """The Keras layer ``keras_name`` is computed by ``node_name`` (BatchNorm folded into its
        Dense/Conv, a Dropout removed)."""
        self.keras_output[keras_name] = node_name

    def consumers(self, keras_name: str) -> list[Any]:
        """The Keras layers that take ``keras_name``'s output."""
        return [layer for layer in self.model.layers if keras_name in _inbound_layers(layer)]

    def activation(
        self, name: str, keras_name: str, activation: str, config: dict[str, Any] | None = None
    ) -> LayerEmulator:
        """The emulator of an activation function by its Keras name ("relu", "softmax", ...)."""
        factory = ACTIVATIONS.get(activation) or FALLBACK_ACTIVATIONS.get(activation)
        if factory is None:
            raise EmulationError(
                f"Auto precision cannot emulate the activation '{activation}' of layer {keras_name} yet.",
                keras_name,
            )
        return factory(dict(config or {}), self, name)


def _inbound_layers(layer: Any) -> list[str]:
    """Names of the Keras layers feeding ``layer`` (its first call in the model)."""
    try:
        inbound = layer.inbound_nodes[0]
    except (AttributeError, IndexError):
        return []
    layers = inbound.inbound_layers
    if not isinstance(layers, (list, tuple)):
        layers = [layers]
    return [lay.name for lay in layers]


Builder = Callable[[Any, BuildContext], None]
ActivationFactory = Callable[[dict[str, Any], BuildContext, str], LayerEmulator]

#: Keras class name -> builder adding that layer's hls4ml nodes to the context.
BUILDERS: dict[str, Builder] = {}
#: Keras activation name ("relu", "softmax", "elu", ...) -> emulator factory
#: ``factory(activation config, build context, node name)``.
ACTIVATIONS: dict[str, ActivationFactory] = {}
#: Activations computed in floating point and then rounded (close to hls4ml's tables, not exact):
#: used when :data:`ACTIVATIONS` has no exact emulator for the name.
FALLBACK_ACTIVATIONS: dict[str, ActivationFactory] = {}


def register(*keras_classes: str) -> Callable[[Builder], Builder]:
    """Register a builder for Keras classes (``@register("Dense", "QDense")``)."""

    def deco(fn: Builder) -> Builder:
        for cls in keras_classes:
            if cls in BUILDERS:
                raise RuntimeError(f"two emulator builders for {cls}")
            BUILDERS[cls] = fn
        return fn

    return deco


def register_activation(*names: str) -> Callable[[ActivationFactory], ActivationFactory]:
    """Register an activation emulator factory for Keras activation names."""

    def deco(fn: ActivationFactory) -> ActivationFactory:
        for name in names:
            if name in ACTIVATIONS:
                raise RuntimeError(f"two activation emulators for {name}")
            ACTIVATIONS[name] = fn
        return fn

    return deco
