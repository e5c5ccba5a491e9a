"""Is a Keras model ready for hls4ml? Layer names hls4ml accepts, and the layers it cannot convert.

Both the configuration (:func:`core.hls.config.make_config`) and the conversion
(:func:`core.hls.convert.compile_model`) start here: they rename the layers hls4ml refuses
(:func:`hls4ml_ready_model`), refuse a model with a layer hls4ml's Keras parser does not know
(:func:`refuse_unsupported`), and turn an hls4ml exception into an :class:`HlsError` that names the
user's layer (:func:`conversion_error`). This module imports neither of them.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from core.hls.errors import HlsError
from core.models.wrappers import WRAPPER_CLASSES

#: A C++ identifier: layer names become identifiers in the generated project.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Layer names hls4ml refuses although they are identifiers.
RESERVED = {"input"}


def hls4ml_ready_model(model) -> tuple[Any, dict[str, str]]:
    """The model with layer names hls4ml accepts, and the renaming applied.

    hls4ml refuses a layer named ``input`` (every zoo model has one), and layer names become C++
    identifiers. Such layers are renamed (``input`` -> ``input_layer``, invalid characters -> ``_``)
    in a clone with the same weights.

    Args:
        model: A built ``tf.keras`` Sequential or functional model. Not modified.

    Returns:
        ``(model_or_clone, {old name: new name})``; the model itself when nothing is renamed.

    Raises:
        HlsError: The model cannot be rebuilt from its config (e.g. a subclassed model).
    """
    names = keras_layer_names(model)
    used = set(names)
    name_map: dict[str, str] = {}
    for name in names:
        if IDENTIFIER.match(name) and name not in RESERVED:
            continue
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "layer"
        if base[0].isdigit():
            base = "l_" + base
        if base in RESERVED:
            base += "_layer"
        new, i = base, 2
        while new in used:
            new, i = f"{base}_{i}", i + 1
        used.add(new)
        name_map[name] = new
    if not name_map:
        return model, {}

    from core.models import model_from_config

    cfg = copy.deepcopy(model.get_config())
    for entry in cfg.get("layers", []):
        old = entry.get("config", {}).get("name", entry.get("name"))
        if old in name_map:
            entry["config"]["name"] = name_map[old]
            if "name" in entry:
                entry["name"] = name_map[old]
        if "inbound_nodes" in entry:
            entry["inbound_nodes"] = _rename_refs(entry["inbound_nodes"], name_map)
    for key in ("input_layers", "output_layers"):
        if key in cfg:
            cfg[key] = _rename_refs(cfg[key], name_map)
    try:
        clone = model_from_config(model, cfg)
        for layer in model.layers:
            weights = layer.get_weights()
            if weights:
                clone.get_layer(name_map.get(layer.name, layer.name)).set_weights(weights)
    except Exception as exc:
        renamed = ", ".join(f"'{a}'" for a in name_map)
        raise HlsError(
            f"Layer(s) {renamed} must be renamed for hls4ml, but the model cannot be rebuilt from its "
            f"configuration ({type(exc).__name__}: {exc}). Rename them in the model and try again."
        ) from exc
    return clone, name_map


def keras_layer_names(model) -> list[str]:
    """All layer names of a Keras model, its input layers included (``Sequential.layers`` omits them)."""
    try:
        entries = model.get_config().get("layers", [])
        names = [e.get("config", {}).get("name", e.get("name")) for e in entries]
        if all(isinstance(n, str) for n in names) and names:
            return names
    except Exception:
        pass
    return [layer.name for layer in model.layers]


def _rename_refs(value: Any, name_map: dict[str, str]) -> Any:
    """Rename layer references ``[name, node_index, tensor_index, ...]`` in a Keras config."""
    if isinstance(value, list):
        if (
            len(value) >= 3
            and isinstance(value[0], str)
            and isinstance(value[1], int)
            and value[0] in name_map
        ):
            return [name_map[value[0]], *[_rename_refs(v, name_map) for v in value[1:]]]
        return [_rename_refs(v, name_map) for v in value]
    if isinstance(value, dict):
        return {k: _rename_refs(v, name_map) for k, v in value.items()}
    return value


def unsupported_layers(model) -> list[tuple[str, str]]:
    """The ``(name, class name)`` of the layers hls4ml's Keras parser does not know."""
    import hls4ml

    supported = set(hls4ml.converters.get_supported_keras_layers()) | {"Dropout"}
    arch = json.loads(model.to_json())
    layers = arch.get("config", {}).get("layers", [])
    out = []
    for entry in layers:
        cls_name = entry.get("class_name", "")
        if cls_name not in supported:
            out.append((entry.get("config", {}).get("name", entry.get("name", "?")), cls_name))
    return out


def refuse_unsupported(ready, name_map: dict[str, str]) -> None:
    """Raise for the first layer of ``ready`` hls4ml cannot convert, by the user's name.

    Args:
        ready: The model from :func:`hls4ml_ready_model`.
        name_map: Its renaming (``{user's name: hls4ml's name}``).

    Raises:
        HlsError: Naming the layer, its class and what to do (e.g. strip a pruning wrapper).
    """
    bad = unsupported_layers(ready)
    if bad:
        hls_name, cls_name = bad[0]
        user = invert(name_map).get(hls_name, hls_name)
        raise HlsError(unsupported_message(user, cls_name), layer=user)
    _refuse_mixed_separable(ready, invert(name_map))


_SEPARABLE_1D = ("DepthwiseConv1D", "SeparableConv1D", "QSeparableConv1D")
_SEPARABLE_2D = ("DepthwiseConv2D", "SeparableConv2D", "QDepthwiseConv2D", "QSeparableConv2D")


def _refuse_mixed_separable(ready, user_names: dict[str, str]) -> None:
    """hls4ml 1.3's ``nnet_sepconv1d_latency.h`` and ``nnet_sepconv2d_latency.h`` share one include
    guard: a model with both 1D and 2D depthwise/separable layers does not compile. Say so before
    g++ fails with an undefined template."""
    one = next((layer for layer in ready.layers if type(layer).__name__ in _SEPARABLE_1D), None)
    two = next((layer for layer in ready.layers if type(layer).__name__ in _SEPARABLE_2D), None)
    if one is None or two is None:
        return
    a, b = user_names.get(one.name, one.name), user_names.get(two.name, two.name)
    raise HlsError(
        f"hls4ml 1.3 cannot compile 1D and 2D depthwise/separable convolutions in one model (layers {a} "
        f"({type(one).__name__}) and {b} ({type(two).__name__}): its headers nnet_sepconv1d_latency.h and "
        "nnet_sepconv2d_latency.h share an include guard). Use one kind, or a plain Conv1D/Conv2D for the other.",
        layer=a,
    )


def parse_layers(ready) -> list[dict[str, Any]]:
    """hls4ml's parsed layer list of ``ready`` (``{'name', 'class_name', ...}`` per hls4ml layer)."""
    import hls4ml

    arch = json.loads(ready.to_json())
    reader = hls4ml.converters.KerasModelReader(ready)
    layer_list, *_ = hls4ml.converters.parse_keras_model(arch, reader)
    return layer_list


def invert(name_map: dict[str, str]) -> dict[str, str]:
    """``{hls4ml's name: user's name}`` from ``{user's name: hls4ml's name}``."""
    return {hls: user for user, hls in name_map.items()}


def unsupported_message(layer: str, class_name: str) -> str:
    """What to tell the user about a layer hls4ml cannot convert."""
    import hls4ml

    if class_name in WRAPPER_CLASSES:
        return (
            f"Layer '{layer}' is wrapped for training ({class_name}); hls4ml {hls4ml.__version__} cannot "
            "convert the wrapper. Strip the pruning/clustering wrappers first (apply the compression)."
        )
    return (
        f"Layer '{layer}' ({class_name}) is not supported by hls4ml {hls4ml.__version__}: it cannot be "
        "converted for the FPGA. Replace it with supported layers (Dense, Conv1D/2D, pooling, "
        "activations, BatchNormalization...) or remove it."
    )


def conversion_error(exc: BaseException, name_map: dict[str, str], ready=None) -> HlsError:
    """An HlsError for a failed hls4ml step, naming the layer when the message mentions one."""
    text = f"{type(exc).__name__}: {exc}"
    inverse = invert(name_map)
    layer = None
    names = keras_layer_names(ready) if ready is not None else list(inverse)
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", str(exc)):
            layer = inverse.get(name, name)
            break
    where = f" at layer '{layer}'" if layer else ""
    return HlsError(f"hls4ml could not convert the model{where}: {text}", layer=layer)
