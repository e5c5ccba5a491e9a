"""Per-layer numbers of a Keras model: shapes, parameters, sparsity, MACs, quantizers and sizes.

Everything is read from layer attributes and weight values; no TensorFlow graph is built, so this
is fast enough to refresh a table after every edit.

**MACs** (multiply-accumulates per inference, batch of one) are counted from the kernel shapes:

* ``Dense``/``QDense``: ``in × out``, times the number of positions it is applied to when the input
  has more than one non-batch dimension.
* ``Conv1D/2D/3D`` and QKeras ``QConv*``: output positions × kernel size × ``cin / groups`` ×
  ``cout`` (i.e. output positions × kernel weights).
* ``DepthwiseConv1D/2D``: output positions × kernel size × ``cin`` × depth multiplier.
* ``SeparableConv1D/2D``: the depthwise part plus output positions × ``cin·dm`` × ``cout``.
* ``Conv*DTranspose``: input positions × kernel weights (each input pixel is scattered).
* ``SimpleRNN``/``GRU``/``LSTM`` (also inside ``Bidirectional``): time steps × (kernel +
  recurrent kernel weights).
* A nested model counts the MACs of its layers.
* Everything else counts 0: batch normalization (folded into a scale and shift, or into the
  previous layer, at inference), pooling, activations, merges, reshapes, dropout. Layers we do not
  model (attention, embeddings, locally connected, ``TimeDistributed``) also count 0.

Pruning does not lower the MAC count: it is the dense count, what an FPGA without zero-skipping
performs. Unknown dimensions (``None``) count as 1.

**Sizes** (bytes, of the weights only):

* ``size_dense``: every parameter as a float32 (4 bytes).
* ``size_sparse``: each non-zero value as a float32 plus its flat index inside its own tensor, the
  index stored in the fewest bytes among 1, 2 and 4 that can address that tensor (≤ 256 entries:
  1 byte, ≤ 65 536: 2 bytes, else 4) — a coordinate-list (COO) encoding.
* ``size_gzip``: all weight arrays as little-endian float32, concatenated in layer order and
  compressed with gzip at level 6 (what "zip the file" gains, e.g. from pruned zeros).

Layers wrapped for training by tf-model-optimization (pruning, clustering, quantization wrappers,
:mod:`core.models.wrappers`) are reported by their inner layer (type ``PruneLowMagnitude(Dense)``)
with the weights it computes with (a clustered kernel as ``centroids[indices]``); the wrappers'
masks, centroids, indices and counters are bookkeeping and are not counted.
"""

from __future__ import annotations

import dataclasses
import gzip
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.models.wrappers import named_weights, unwrap_layer

if TYPE_CHECKING:
    import tensorflow as tf

Shape = tuple[int | None, ...]

_QUANTIZER_SUFFIX = "_quantizer_internal"
_MAIN_BITS_ROLES = ("kernel", "depthwise", "pointwise", "activation")


@dataclass
class LayerSummary:
    """One row of the layer table.

    Attributes:
        name: Layer name.
        type: Class name (``PruneLowMagnitude(Dense)`` for a wrapped layer).
        output_shape: Output shape without the batch axis, or a string for several outputs
            (``"?"`` if unknown).
        params: Number of weights (all variables of the layer).
        trainable: Number of trainable weights.
        nonzero: Number of weights that are not exactly zero (stored float values, before any
            quantizer is applied).
        macs: Multiply-accumulates per inference (see the module docstring for the rules).
        quantizers: QKeras quantizer per role (``kernel``, ``bias``, ``activation``, ``depthwise``,
            ...), as QKeras prints it, e.g. ``"quantized_bits(6,0,0,alpha=1)"``.
        quantizer_bits: Bit width per role, from the quantizer's ``bits``.
        bits: The layer's headline bit width: the weights' (kernel, depthwise or pointwise) or,
            for ``QActivation``, the activation's; None for float layers.
    """

    name: str
    type: str
    output_shape: Shape | str
    params: int
    trainable: int
    nonzero: int
    macs: int
    quantizers: dict[str, str] = field(default_factory=dict)
    quantizer_bits: dict[str, int] = field(default_factory=dict)
    bits: int | None = None

    @property
    def quantized(self) -> bool:
        """True for QKeras layers with at least one quantizer."""
        return bool(self.quantizers)

    @property
    def quantizer(self) -> str | None:
        """The quantizers in one line for a table cell: ``"quantized_relu(4,0)"`` for a single one,
        ``"kernel=...; bias=..."`` for several, None for a float layer."""
        if not self.quantizers:
            return None
        if len(self.quantizers) == 1:
            return next(iter(self.quantizers.values()))
        return "; ".join(f"{role}={q}" for role, q in self.quantizers.items())

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary of the fields plus ``quantizer`` (shapes become lists)."""
        d = dataclasses.asdict(self)
        if isinstance(self.output_shape, tuple):
            d["output_shape"] = list(self.output_shape)
        d["quantizer"] = self.quantizer
        return d


@dataclass
class ModelSummary:
    """Totals and per-layer rows of a model; see the module docstring for MACs and sizes.

    Attributes:
        name: Model name.
        layers: One row per layer, in model order.
        params: Total number of weights.
        trainable: Total trainable weights.
        nonzero: Total weights that are not exactly zero.
        sparsity: Fraction of zero weights, ``1 - nonzero / params`` (0 for no weights).
        macs: Total MACs per inference.
        size_dense: Bytes as dense float32.
        size_sparse: Bytes as non-zero float32 values plus per-tensor indices.
        size_gzip: Bytes of the float32 weights after gzip level 6.
    """

    name: str
    layers: list[LayerSummary]
    params: int
    trainable: int
    nonzero: int
    sparsity: float
    macs: int
    size_dense: int
    size_sparse: int
    size_gzip: int

    def layer(self, name: str) -> LayerSummary:
        """The row of the layer called ``name`` (KeyError if there is none)."""
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able ``{"name": ..., "layers": [row, ...], "totals": {params, trainable, nonzero,
        sparsity, macs, size_dense, size_sparse, size_gzip}}``."""
        skip = {"name", "layers"}
        totals = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}
        return {"name": self.name, "layers": [row.to_dict() for row in self.layers], "totals": totals}


def inspect_model(model: tf.keras.Model) -> ModelSummary:
    """Summarize a model layer by layer.

    Args:
        model: A built Keras model (functional or sequential; QKeras and pruned layers included).

    Returns:
        The per-layer rows and the totals.
    """
    rows: list[LayerSummary] = []
    arrays: list[np.ndarray] = []
    for layer in model.layers:
        counted = unwrap_layer(layer)
        named = named_weights(layer)
        trainable_ids = {id(v) for v in (*layer.trainable_weights, *counted.trainable_weights)}
        layer_arrays = [a for _, _, a in named]
        arrays.extend(layer_arrays)
        quantizers = _quantizers(counted)
        quantizer_bits = {role: b for role, q in quantizers.items() if (b := _bits(q)) is not None}
        rows.append(
            LayerSummary(
                name=layer.name,
                type=_type_name(layer, counted),
                output_shape=_shape_for_table(layer),
                params=sum(int(a.size) for a in layer_arrays),
                trainable=sum(int(a.size) for _, v, a in named if id(v) in trainable_ids),
                nonzero=sum(int(np.count_nonzero(a)) for a in layer_arrays),
                macs=_macs(counted),
                quantizers={role: str(q) for role, q in quantizers.items()},
                quantizer_bits=quantizer_bits,
                bits=next((quantizer_bits[r] for r in _MAIN_BITS_ROLES if r in quantizer_bits), None),
            )
        )
    params = sum(r.params for r in rows)
    nonzero = sum(r.nonzero for r in rows)
    return ModelSummary(
        name=model.name,
        layers=rows,
        params=params,
        trainable=sum(r.trainable for r in rows),
        nonzero=nonzero,
        sparsity=(1.0 - nonzero / params) if params else 0.0,
        macs=sum(r.macs for r in rows),
        size_dense=4 * params,
        size_sparse=sum(int(np.count_nonzero(a)) * (4 + _index_bytes(a.size)) for a in arrays),
        size_gzip=_gzip_size(arrays),
    )


def weight_arrays(model: tf.keras.Model) -> dict[str, dict[str, np.ndarray]]:
    """The weight values of every layer that has weights, for the weight views.

    Args:
        model: A Keras model.

    Returns:
        ``{layer name: {weight name: array}}`` in model order. Weight names are the variable's own
        name (``kernel``, ``bias``, ``gamma``, ``moving_mean``...), or its path inside the layer
        when two variables share a name. Wrapped layers give their inner layer's weights.
        Layers without weights are left out.
    """
    result: dict[str, dict[str, np.ndarray]] = {}
    for layer in model.layers:
        named = named_weights(layer)
        if named:
            result[layer.name] = {name: array for name, _, array in named}
    return result


def _type_name(layer: Any, counted: Any) -> str:
    outer = type(layer).__name__
    return outer if counted is layer else f"{outer}({type(counted).__name__})"


def _shape(layer: Any, which: str) -> Shape | list[Shape] | None:
    """A layer's input or output shape including the batch axis, or None if Keras cannot tell."""
    try:
        shape = getattr(layer, f"{which}_shape")
    except (AttributeError, RuntimeError, ValueError):
        try:
            shape = getattr(layer, f"get_{which}_shape_at")(0)
        except Exception:
            return None
    if isinstance(shape, list) and len(shape) == 1:
        shape = shape[0]
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape) if shape is not None else None


def _shape_for_table(layer: Any) -> Shape | str:
    shape = _shape(layer, "output")
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(str(tuple(s[1:])) for s in shape)
    return tuple(None if d is None else int(d) for d in shape[1:])


def _positions(shape: Any, channels_last: bool) -> int:
    """Number of spatial positions in a (batch, ..., channels) shape; unknown sizes count as 1."""
    if not isinstance(shape, tuple) or len(shape) < 2:
        return 1
    spatial = shape[1:-1] if channels_last else shape[2:]
    return math.prod(int(d) if d is not None else 1 for d in spatial)


def _size(variable: Any) -> int:
    return math.prod(int(d) for d in variable.shape)


def _macs(layer: Any) -> int:
    import tensorflow as tf

    layers = tf.keras.layers
    if isinstance(layer, tf.keras.Model):
        return sum(_macs(unwrap_layer(inner)) for inner in layer.layers)
    channels_last = getattr(layer, "data_format", "channels_last") != "channels_first"
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        out = _positions(_shape(layer, "output"), channels_last)
        return out * (_size(layer.depthwise_kernel) + _size(layer.pointwise_kernel))
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return _positions(_shape(layer, "output"), channels_last) * _size(layer.depthwise_kernel)
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        return _positions(_shape(layer, "input"), channels_last) * _size(layer.kernel)
    if isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D)):
        return _positions(_shape(layer, "output"), channels_last) * _size(layer.kernel)
    if isinstance(layer, layers.Dense):
        return _positions(_shape(layer, "input"), True) * _size(layer.kernel)
    if isinstance(layer, (layers.RNN, layers.Bidirectional)):
        steps = _positions(_shape(layer, "input"), True)
        rnns = (
            [layer.forward_layer, layer.backward_layer]
            if isinstance(layer, layers.Bidirectional)
            else [layer]
        )
        return steps * sum(_recurrent_weights(rnn) for rnn in rnns)
    return 0


def _recurrent_weights(rnn: Any) -> int:
    cell = getattr(rnn, "cell", None)
    if hasattr(cell, "kernel") and hasattr(cell, "recurrent_kernel"):
        return _size(cell.kernel) + _size(cell.recurrent_kernel)
    return 0


def _is_quantizer(obj: Any) -> bool:
    # QKeras quantizers are objects with a `bits` attribute; Keras activations are plain functions.
    return obj is not None and hasattr(obj, "bits") and not callable(obj.bits)


def _quantizers(layer: Any) -> dict[str, Any]:
    """QKeras quantizer objects of a layer by role (duck-typed: QKeras is not imported)."""
    found: dict[str, Any] = {}
    for attr, value in vars(layer).items():
        if attr.endswith(_QUANTIZER_SUFFIX) and value is not None:
            found[attr[: -len(_QUANTIZER_SUFFIX)]] = value
    for attr in ("quantizer", "activation"):  # QActivation keeps it in `quantizer`
        value = getattr(layer, attr, None)
        if "activation" not in found and _is_quantizer(value):
            found["activation"] = value
    return found


def _bits(quantizer: Any) -> int | None:
    try:
        return int(np.asarray(quantizer.bits))
    except (AttributeError, TypeError, ValueError):
        return None


def _index_bytes(n: int) -> int:
    if n <= 1 << 8:
        return 1
    if n <= 1 << 16:
        return 2
    return 4


def _gzip_size(arrays: list[np.ndarray]) -> int:
    data = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)
    return len(gzip.compress(data, compresslevel=6, mtime=0))
