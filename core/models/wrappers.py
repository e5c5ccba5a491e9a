"""Training wrappers of tf-model-optimization: which Keras layers wrap another, and how to read
the layer inside.

tf-model-optimization (tfmot) trains a layer differently by wrapping it:

* ``PruneLowMagnitude`` (pruning): the inner layer keeps its kernel, multiplied in place by a mask;
  the wrapper adds ``mask``, ``threshold`` and ``pruning_step``.
* ``ClusterWeights`` (weight sharing; ``ClusterWeightsRNN``/``ClusterWeightsMHA`` for recurrent and
  attention layers): the wrapper takes the kernel *away* from the inner layer and keeps the float
  original, the ``cluster_centroids`` and the ``pulling_indices``; the kernel the network computes
  with is ``centroids[pulling_indices]``.
* ``QuantizeWrapper``/``QuantizeWrapperV2`` (tfmot's fake-quantization training): the wrapper
  also takes the kernel from the inner layer and adds the quantizers' ranges.

Everything that reads a model (the layer table, the hls4ml estimate, the compression operations,
the QKeras conversion, the hls4ml config checks) asks the same two questions — *is this a
wrapper?* and *what are the weights of the layer inside?* — and answers them here, so a wrapped
model reads the same everywhere: as the plain model the wrapper will be stripped to.
``TimeDistributed`` and ``Bidirectional`` are Keras wrappers too, but they change what the layer
computes, so they are not looked through.

TensorFlow and tfmot are imported on first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Class names of the tfmot training wrappers (a wrapper holds its layer in ``.layer``).
WRAPPER_CLASSES: frozenset[str] = frozenset(
    {
        "PruneLowMagnitude",
        "ClusterWeights",
        "ClusterWeightsRNN",
        "ClusterWeightsMHA",
        "QuantizeWrapper",
        "QuantizeWrapperV2",
    }
)


def is_wrapper(layer: Any) -> bool:
    """True when ``layer`` is a tf-model-optimization training wrapper (see the module docstring)."""
    return type(layer).__name__ in WRAPPER_CLASSES and hasattr(layer, "layer")


def unwrap_layer(layer: Any) -> Any:
    """The layer inside any number of training wrappers (``layer`` itself when it is not wrapped)."""
    while is_wrapper(layer):
        layer = layer.layer
    return layer


def has_wrappers(model: Any) -> bool:
    """True when any top-level layer of ``model`` is a training wrapper."""
    return any(is_wrapper(layer) for layer in getattr(model, "layers", []))


def layer_variables(layer: Any) -> list[Any]:
    """The weight variables of the layer inside the wrappers, in that layer's order, without
    reading their values (for a clustering wrapper, each clustered weight's float original).

    Args:
        layer: A Keras layer, wrapped or not.
    """
    if not is_wrapper(layer):
        return list(layer.weights)
    inner = layer.layer
    if _is_clustering(layer):
        variables = list(inner.weights)
        for position, name in sorted(layer.position_original_weights.items()):
            variables.insert(position, layer.original_clusterable_weights[name])
        return variables
    # The inner layer's own variables, plus those a quantization wrapper took from it (tfmot keeps
    # them in ``_weight_vars`` as (variable, quantizer, quantizer variables)); the wrapper's
    # ``weights`` lists them in the inner layer's order, before its own bookkeeping.
    inside = {id(v) for v in layer_variables(inner)}
    inside |= {id(entry[0]) for entry in getattr(layer, "_weight_vars", ())}
    return [v for v in layer.weights if id(v) in inside]


def layer_weights(layer: Any) -> list[tuple[Any, np.ndarray]]:
    """``(variable, value)`` of each weight of the layer inside the wrappers, in that layer's order.

    For a plain layer: its own weights. For a pruning wrapper: the inner layer's (the kernel as
    masked so far). For a clustering wrapper: the inner layer's, with each clustered weight's
    value being ``centroids[pulling_indices]`` (the kernel the network computes with, what
    ``strip_clustering`` will write) and its variable the wrapper's float original. For a
    quantization wrapper: the inner layer's float weights. The wrappers' own bookkeeping (masks,
    centroids, indices, quantizer ranges, step counters) is never included.

    Args:
        layer: A Keras layer, wrapped or not.

    Returns:
        The list, empty for a layer without weights. Reading never changes the layer.
    """
    if not is_wrapper(layer):
        variables = list(layer.weights)
        return list(zip(variables, (np.asarray(v) for v in layer.get_weights()), strict=True))
    if _is_clustering(layer):
        return _clustered_weights(layer, layer.layer)
    return [(v, np.asarray(v.numpy())) for v in layer_variables(layer)]


def _is_clustering(layer: Any) -> bool:
    return bool(getattr(layer, "position_original_weights", None)) and hasattr(layer, "clustering_algorithms")


def _clustered_weights(wrapper: Any, inner: Any) -> list[tuple[Any, np.ndarray]]:
    """The inner layer's weights with the clustered ones put back where ``strip_clustering`` puts
    them (read-only: the wrapper's pulling indices are used as they are, not recomputed)."""
    out = list(zip(inner.weights, (np.asarray(v) for v in inner.get_weights()), strict=True))
    for position, name in sorted(wrapper.position_original_weights.items()):
        original = wrapper.original_clusterable_weights[name]
        algorithm = wrapper.clustering_algorithms[name]
        clustered = algorithm.get_clustered_weight(wrapper.pulling_indices[name], original)
        out.insert(position, (original, np.asarray(clustered)))
    return out


def strip_wrappers(model: Any) -> Any:
    """``model`` with its pruning and clustering wrappers replaced by plain layers holding the
    final (masked, clustered) weights — what TFLite and hls4ml can read. ``model`` itself is
    returned when it has no wrappers; tfmot's quantization wrappers cannot be stripped and stay.

    Args:
        model: A Keras model. Its layers are not replaced; tfmot's ``strip_clustering`` does
            refresh a clustering wrapper's pulling indices first (as its next forward pass would).
    """
    names = {type(layer).__name__ for layer in getattr(model, "layers", [])}
    if not names & WRAPPER_CLASSES:
        return model
    import tensorflow_model_optimization as tfmot

    if "PruneLowMagnitude" in names:
        model = tfmot.sparsity.keras.strip_pruning(model)
    if names & {"ClusterWeights", "ClusterWeightsRNN", "ClusterWeightsMHA"}:
        model = tfmot.clustering.keras.strip_clustering(model)
    return model


def named_variables(layer: Any) -> list[tuple[str, Any]]:
    """``(name, variable)`` of :func:`layer_variables`, named as the weight views name them: the
    variable's short name (``kernel``, ``bias``, ``gamma``...), or its path inside the layer when
    two variables of the layer share a short name.

    Args:
        layer: A Keras layer, wrapped or not.
    """
    variables = layer_variables(layer)
    return list(zip(_weight_names(unwrap_layer(layer).name, variables), variables, strict=True))


def named_weights(layer: Any) -> list[tuple[str, Any, np.ndarray]]:
    """``(name, variable, value)`` of :func:`layer_weights`, named as :func:`named_variables`.

    Args:
        layer: A Keras layer, wrapped or not.
    """
    pairs = layer_weights(layer)
    names = _weight_names(unwrap_layer(layer).name, [v for v, _ in pairs])
    return [(name, v, value) for name, (v, value) in zip(names, pairs, strict=True)]


def _weight_names(layer_name: str, variables: list[Any]) -> list[str]:
    prefix = f"{layer_name}/"
    paths = []
    for v in variables:
        path = v.name.split(":")[0]
        paths.append(path[len(prefix) :] if path.startswith(prefix) else path)
    shorts = [p.rsplit("/", 1)[-1] for p in paths]
    return [s if shorts.count(s) == 1 else p for s, p in zip(shorts, paths, strict=True)]
