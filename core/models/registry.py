"""What TrigLab knows how to deserialize without the user trusting a file.

Two sets of names matter when a model file is checked before loading (see :mod:`core.models.safety`):

* Keras built-ins: layers, initializers, regularizers, constraints, activations, losses, metrics,
  optimizers and the model classes themselves. ``Lambda`` is deliberately left out: it carries
  Python bytecode.
* :func:`custom_objects`: QKeras layers and quantizers, the tf-model-optimization wrappers (pruning,
  clustering, quantization-aware training) and whatever was added with
  :func:`register_custom_object`. The same dictionary is handed to Keras when loading.

Everything here imports TensorFlow lazily, on first use.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

_lock = threading.Lock()
_registered: dict[str, Any] = {}

# Keras API functions that share a namespace with activations/losses/metrics but are not those.
_NOT_FUNCTIONS = {"get", "serialize", "deserialize"}


def register_custom_object(name: str, obj: Any) -> None:
    """Make a custom layer, quantizer or function loadable without trusting the file.

    Register only code you have imported yourself: files that mention ``name`` will then be
    deserialized with ``obj``.

    Args:
        name: The ``class_name`` (or registered name) Keras writes in the model config.
        obj: The class or function to build it with.
    """
    if not name or not isinstance(name, str):
        raise ValueError(f"custom object name must be a non-empty string, got {name!r}")
    with _lock:
        _registered[name] = obj


def custom_objects() -> dict[str, Any]:
    """Everything TrigLab loads without trust, beyond Keras built-ins.

    Returns:
        A new dictionary ``{name: class or function}``: QKeras objects, tf-model-optimization
        wrappers, then the objects added with :func:`register_custom_object` (which win on a clash).
        ``"QActivation"`` maps to a loading shim (a subclass whose ``from_config`` returns a real
        ``qkeras.QActivation``); build new layers from ``qkeras`` directly, not from this dict.
    """
    objects = dict(_default_custom_objects())
    with _lock:
        objects.update(_registered)
    return objects


def model_from_config(like: Any, config: dict[str, Any]) -> Any:
    """A new Keras model from ``config`` (a ``get_config()`` edited by the caller), of the same kind
    as ``like`` (Sequential or functional), with TrigLab's known objects in scope (never trust).

    Raises:
        Whatever Keras raises for a configuration it cannot build (callers say what they changed).
    """
    import tensorflow as tf

    objects = custom_objects()
    with tf.keras.utils.custom_object_scope(objects):
        if isinstance(like, tf.keras.Sequential):
            return tf.keras.Sequential.from_config(config, custom_objects=objects)
        return tf.keras.Model.from_config(config, custom_objects=objects)


@functools.lru_cache(maxsize=1)
def _default_custom_objects() -> dict[str, Any]:
    from qkeras.utils import _add_supported_quantized_objects

    objects: dict[str, Any] = {}
    _add_supported_quantized_objects(objects)
    objects["QActivation"] = _qactivation_loader()
    objects.update(_tfmot_objects())
    return objects


def _qactivation_loader() -> type:
    """A stand-in for ``QActivation`` in the custom objects that can read the .keras/JSON formats.

    QKeras 0.9 ``QActivation.get_config`` returns its quantizer object; the Keras 2.14 ``.keras``
    and ``to_json`` formats store it as a nested ``{"class_name": "quantized_relu", ...}`` dict,
    which ``QActivation.from_config`` passes on undeserialized, so rebuilding the model fails
    ("could not be deserialized properly"). This subclass only exists to turn that dict back into
    a quantizer; it returns a genuine ``qkeras.QActivation``, so loaded models are unchanged.
    """
    from qkeras import QActivation
    from qkeras.quantizers import get_quantizer

    class QActivationLoader(QActivation):
        @classmethod
        def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
            config = dict(config)
            if isinstance(config.get("activation"), dict):
                config["activation"] = get_quantizer(config["activation"])
            return QActivation.from_config(config)

    # Look like QActivation wherever a name is taken from the class (configs, hls4ml, messages).
    QActivationLoader.__name__ = QActivationLoader.__qualname__ = "QActivation"
    QActivationLoader.__module__ = QActivation.__module__
    return QActivationLoader


def _tfmot_objects() -> dict[str, Any]:
    """Pruning, clustering and QAT wrappers, read from tfmot's own deserialization scopes."""
    try:
        import tensorflow_model_optimization as tfmot
        from tensorflow_model_optimization.python.core.sparsity.keras import pruning_schedule
    except ImportError:  # pragma: no cover - tfmot is a pinned dependency
        return {}
    objects: dict[str, Any] = {
        "PolynomialDecay": pruning_schedule.PolynomialDecay,
        "ConstantSparsity": pruning_schedule.ConstantSparsity,
    }
    scopes = (
        tfmot.sparsity.keras.prune_scope,
        tfmot.clustering.keras.cluster_scope,
        tfmot.quantization.keras.quantize_scope,
    )
    for make_scope in scopes:
        # A Keras CustomObjectScope keeps the dictionaries it will install in `.custom_objects`.
        for mapping in getattr(make_scope(), "custom_objects", ()):
            if isinstance(mapping, dict):
                objects.update(mapping)
    return objects


@functools.lru_cache(maxsize=1)
def keras_builtin_classes() -> frozenset[str]:
    """Class names Keras itself can build from a config, minus ``Lambda``.

    Returns:
        Names of layers (including ``Functional``, ``Sequential``, ``Model``, ``InputLayer``,
        ``TFOpLambda``), initializers, regularizers, constraints, losses, metrics, optimizers,
        learning-rate schedules and the mixed-precision ``Policy``.
    """
    import tensorflow as tf

    names: set[str] = set()
    try:  # the exact table Keras 2.14 deserializes layers from; private, hence the fallback
        from keras.src.layers import serialization as layer_serialization

        layer_serialization.populate_deserializable_objects()
        names.update(layer_serialization.LOCAL.ALL_OBJECTS)
    except (ImportError, AttributeError):  # pragma: no cover - other Keras 2.x layouts
        names.update({"Functional", "Sequential", "Model", "InputLayer", "TFOpLambda", "SlicingOpLambda"})
    namespaces = (
        tf.keras.layers,
        tf.keras.initializers,
        tf.keras.regularizers,
        tf.keras.constraints,
        tf.keras.losses,
        tf.keras.metrics,
        tf.keras.optimizers,
        tf.keras.optimizers.legacy,
        tf.keras.optimizers.schedules,
        tf.keras.mixed_precision,
    )
    for namespace in namespaces:
        names.update(n for n in dir(namespace) if inspect.isclass(getattr(namespace, n, None)))
    names.discard("Lambda")
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def keras_builtin_functions() -> frozenset[str]:
    """Names of Keras' built-in activation, loss and metric functions (e.g. ``relu``, ``mse``)."""
    import tensorflow as tf

    names: set[str] = set()
    for namespace in (tf.keras.activations, tf.keras.losses, tf.keras.metrics):
        for n in dir(namespace):
            obj = getattr(namespace, n, None)
            if not n.startswith("_") and n not in _NOT_FUNCTIONS and inspect.isfunction(obj):
                names.add(n)
    return frozenset(names)
