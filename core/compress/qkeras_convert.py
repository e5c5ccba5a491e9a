"""Turn a float Keras model into its QKeras twin, layer names and weights kept.

What becomes what:

* ``Dense`` → ``QDense``, ``Conv1D``/``Conv2D`` → ``QConv1D``/``QConv2D`` (kernel and bias
  quantizers), ``DepthwiseConv2D`` → ``QDepthwiseConv2D`` (depthwise and bias quantizers). Layers
  that already are QKeras layers of these kinds get the new quantizers (re-quantization).
* ``Activation('relu')``, ``ReLU()`` (plain, no cap, slope or threshold) and an inline
  ``activation='relu'`` → ``quantized_relu(act_bits, act_integer)`` (a ``QActivation`` layer, or
  the layer's own activation).
* Every other activation (softmax, sigmoid, tanh, linear) stays a float ``Activation``: hls4ml
  implements softmax and sigmoid with lookup tables of its own precision.
* Other layers (pooling, flatten, dropout, batch normalization...) are left unchanged.

The rewrite works on the model's Keras config, so Sequential and functional models of any topology
convert; pruning and clustering wrappers are stripped first (:mod:`core.models.wrappers`); nested
models, ``TimeDistributed`` and tfmot's own quantization wrappers do not convert. The float weights are
copied into the new layers (transfer): the QKeras model starts where the float model was and its
quantizers apply on the fly, in training and in inference.

**Weight quantizers** (``mode``), all with ``alpha=1`` so that the values are exactly what hls4ml
puts in hardware (no hidden per-channel scale):

* ``fixed``: ``quantized_bits(weight_bits, weight_integer, alpha=1)`` = ``ap_fixed<bits, integer + 1>``:
  ``weight_integer`` counts the integer bits *without* the sign, so the default 0 holds
  ``[-1, 1 - 2^-(bits-1)]``.
* ``binary``: ``binary(alpha=1)``, weights in {-1, +1}.
* ``ternary``: ``ternary(alpha=1, threshold=ternary_threshold)``, weights in {-1, 0, +1}; ``|w|``
  below the threshold becomes 0.
* ``po2``: ``quantized_po2(weight_bits)``, weights are signed powers of two (shifts, no multiplier).

Biases always use ``quantized_bits(bias_bits, bias_integer, alpha=1)`` (defaults: the weight bits
and integer bits; binary/ternary/po2 weights keep a fixed-point bias).

**Activations**: ``quantized_relu(act_bits, act_integer)`` = ``ap_ufixed<bits, integer>``, range
``[0, 2^act_integer)`` with step ``2^(act_integer - act_bits)``.

Heterogeneous quantization: ``per_layer`` maps a layer name to overrides of any of the fields above
(``{"fc1": {"weight_bits": 4}, "output": {"quantize": false}}``); ``quantize: false`` keeps that
layer float.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from core.compress import CompressionError
from core.models.wrappers import is_wrapper, strip_wrappers

MODES = ("fixed", "binary", "ternary", "po2")

_WEIGHTED = {
    "Dense": "QDense",
    "Conv1D": "QConv1D",
    "Conv2D": "QConv2D",
    "DepthwiseConv2D": "QDepthwiseConv2D",
}
_ALREADY_Q = {q: q for q in _WEIGHTED.values()}
_KERNEL_KEY = {"QDepthwiseConv2D": "depthwise_quantizer"}
_NESTED = ("Sequential", "Functional", "Model")


@dataclass(frozen=True)
class LayerQuantization:
    """How one layer is quantized (see the module docstring for the quantizers).

    Attributes:
        weight_bits: Bits of each weight (``fixed`` and ``po2``; binary uses 1, ternary 2).
        weight_integer: Integer bits of the weights, sign excluded (``fixed`` only).
        bias_bits: Bits of each bias; None means ``weight_bits`` (8 for binary/ternary).
        bias_integer: Integer bits of the biases, sign excluded; None means ``weight_integer``.
        act_bits: Bits of the quantized ReLU outputs.
        act_integer: Integer bits of the quantized ReLU outputs (no sign bit: ReLU is >= 0).
        mode: Weight quantizer, one of :data:`MODES`.
        ternary_threshold: Ternary only: ``|w|`` below this becomes 0 (weight units; QKeras'
            default is 0.33).
        quantize: False keeps the layer float.
    """

    weight_bits: int = 8
    weight_integer: int = 0
    bias_bits: int | None = None
    bias_integer: int | None = None
    act_bits: int = 8
    act_integer: int = 3
    mode: str = "fixed"
    ternary_threshold: float = 0.33
    quantize: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise CompressionError(
                f"Weight quantization mode must be one of {', '.join(MODES)}, not '{self.mode}'"
            )
        for name in ("weight_bits", "act_bits", "bias_bits"):
            value = getattr(self, name)
            if value is not None and not (1 <= int(value) <= 32):
                raise CompressionError(f"'{name}' must be between 1 and 32 bits (got {value})")
        if self.mode == "fixed" and self.weight_integer >= self.weight_bits:
            raise CompressionError(
                f"'weight_integer' ({self.weight_integer}) must be smaller than 'weight_bits' "
                f"({self.weight_bits}): one bit is the sign"
            )
        if self.act_integer > self.act_bits:
            raise CompressionError(
                f"'act_integer' ({self.act_integer}) cannot exceed 'act_bits' ({self.act_bits})"
            )
        if self.mode == "po2" and self.weight_bits < 2:
            raise CompressionError("po2 weights need at least 2 bits (sign and exponent)")

    def weight_quantizer(self):
        """The QKeras quantizer of the kernel (or depthwise kernel)."""
        import qkeras

        if self.mode == "binary":
            return qkeras.binary(alpha=1)
        if self.mode == "ternary":
            return qkeras.ternary(alpha=1, threshold=float(self.ternary_threshold))
        if self.mode == "po2":
            return qkeras.quantized_po2(int(self.weight_bits))
        return qkeras.quantized_bits(int(self.weight_bits), int(self.weight_integer), alpha=1)

    def bias_quantizer(self):
        """The QKeras quantizer of the bias: always fixed point."""
        import qkeras

        if self.bias_bits is not None:
            bits = int(self.bias_bits)
        else:
            bits = int(self.weight_bits) if self.mode in ("fixed", "po2") else 8
        integer = int(self.bias_integer if self.bias_integer is not None else self.weight_integer)
        if integer >= bits:
            raise CompressionError(
                f"bias integer bits ({integer}) must be smaller than the bias bits ({bits})"
            )
        return qkeras.quantized_bits(bits, integer, alpha=1)

    def relu_quantizer(self):
        """The QKeras quantized ReLU of the activations."""
        import qkeras

        return qkeras.quantized_relu(int(self.act_bits), int(self.act_integer))


@dataclass(frozen=True)
class QuantizationConfig(LayerQuantization):
    """Model-wide quantization settings plus per-layer overrides.

    Attributes:
        per_layer: ``{layer name: {field: value}}`` overriding the global fields for that layer.
    """

    per_layer: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> QuantizationConfig:
        """Build from a plain dict (unknown keys are an error)."""
        values = dict(values or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise CompressionError(
                f"Unknown quantization setting(s) {unknown}; known: {', '.join(sorted(known))}"
            )
        per_layer = values.get("per_layer") or {}
        if not isinstance(per_layer, dict):
            raise CompressionError(
                '\'per_layer\' must map layer names to settings, e.g. {"fc1": {"weight_bits": 4}}'
            )
        values["per_layer"] = per_layer
        return cls(**values)

    def for_layer(self, name: str) -> LayerQuantization:
        """The settings of layer ``name``: the global ones with its overrides applied."""
        base = {f.name: getattr(self, f.name) for f in dataclasses.fields(LayerQuantization)}
        overrides = self.per_layer.get(name) or {}
        if not isinstance(overrides, dict):
            raise CompressionError(f"per_layer['{name}'] must be a dict of settings, got {overrides!r}")
        unknown = sorted(set(overrides) - set(base))
        if unknown:
            raise CompressionError(
                f"per_layer['{name}']: unknown setting(s) {unknown}; known: {', '.join(base)}"
            )
        return LayerQuantization(**{**base, **overrides})


def to_qkeras(model, config: QuantizationConfig | dict[str, Any] | None = None):
    """A QKeras copy of ``model`` with quantized weights and ReLU activations.

    Args:
        model: A built float (or QKeras) ``tf.keras`` Sequential or functional model. Not modified.
        config: A :class:`QuantizationConfig` or a dict of its fields (``weight_bits``,
            ``weight_integer``, ``bias_bits``, ``bias_integer``, ``act_bits``, ``act_integer``,
            ``mode``, ``ternary_threshold``, ``per_layer``).

    Returns:
        A new, uncompiled model with the same layer names and the float weights copied in.

    Raises:
        CompressionError: A layer cannot be converted (nested model, ``TimeDistributed``, tfmot
            quantization wrapper, unknown layer in ``per_layer``) or a setting is invalid.
    """
    import tensorflow as tf

    from core.models import model_from_config

    cfg = config if isinstance(config, QuantizationConfig) else QuantizationConfig.from_dict(config)
    model = strip_wrappers(model)
    names = {layer.name for layer in model.layers}
    missing = sorted(set(cfg.per_layer) - names)
    if missing:
        raise CompressionError(f"per_layer names layer(s) {missing} that the model does not have")
    for layer in model.layers:
        kind = type(layer).__name__
        if is_wrapper(layer):
            raise CompressionError(
                f"Layer '{layer.name}' is wrapped for tf-model-optimization's own quantization "
                f"training ({kind}); QKeras needs the float model it was made from"
            )
        if kind == "TimeDistributed":
            raise CompressionError(
                f"Layer '{layer.name}' is TimeDistributed, which the QKeras conversion does not look "
                "inside; write the layer it applies at each step out (a Dense on the last axis does that)"
            )
        if isinstance(layer, tf.keras.Model):
            raise CompressionError(
                f"Layer '{layer.name}' is a nested model; QKeras conversion needs a flat model"
            )

    model_config = copy.deepcopy(model.get_config())
    for entry in model_config["layers"]:
        _convert_entry(entry, cfg)

    try:
        qmodel = model_from_config(model, model_config)
    except Exception as exc:
        raise CompressionError(f"QKeras could not rebuild the model: {type(exc).__name__}: {exc}") from exc

    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            qmodel.get_layer(layer.name).set_weights(weights)
    return qmodel


def quantizer_summary(qmodel) -> dict[str, dict[str, str]]:
    """The quantizers of each QKeras layer as text: ``{layer: {role: "quantized_bits(4,0,0,alpha=1)"}}``."""
    out: dict[str, dict[str, str]] = {}
    for layer in qmodel.layers:
        roles = {}
        for attr in ("kernel_quantizer", "depthwise_quantizer", "bias_quantizer"):
            q = getattr(layer, f"{attr}_internal", None)
            if q is not None:
                roles[attr.replace("_quantizer", "")] = str(q)
        act = getattr(layer, "activation", None)
        if act is not None and hasattr(act, "bits"):
            roles["activation"] = str(act)
        if roles:
            out[layer.name] = roles
    return out


def _serialize(quantizer) -> dict[str, Any]:
    import tensorflow as tf

    return tf.keras.utils.serialize_keras_object(quantizer)


def _is_plain_relu(entry: dict[str, Any]) -> bool:
    conf = entry["config"]
    cls = entry["class_name"]
    if cls == "Activation":
        return conf.get("activation") == "relu"
    if cls == "ReLU":
        return conf.get("max_value") is None and not conf.get("negative_slope") and not conf.get("threshold")
    if cls == "QActivation":
        act = conf.get("activation")
        text = act.get("class_name") if isinstance(act, dict) else str(act)
        return text in ("relu",) or text.startswith("quantized_relu")
    return False


def _set_class(entry: dict[str, Any], class_name: str) -> None:
    entry["class_name"] = class_name
    entry["module"] = "qkeras.qlayers"
    entry["registered_name"] = class_name


def _convert_entry(entry: dict[str, Any], cfg: QuantizationConfig) -> None:
    """Rewrite one layer entry of a Keras model config in place."""
    cls = entry["class_name"]
    conf = entry["config"]
    settings = cfg.for_layer(conf.get("name", ""))
    if not settings.quantize:
        return
    qcls = _WEIGHTED.get(cls) or _ALREADY_Q.get(cls)
    if qcls is not None:
        _set_class(entry, qcls)
        conf[_KERNEL_KEY.get(qcls, "kernel_quantizer")] = _serialize(settings.weight_quantizer())
        conf["bias_quantizer"] = _serialize(settings.bias_quantizer()) if conf.get("use_bias", True) else None
        if cls in _ALREADY_Q:
            # QKeras derived the clip constraint and the initializer from the old quantizer: drop
            # them so that the new quantizer sets its own range. (A float layer's constraints stay;
            # with none, QKeras clips the weights to the quantizer's range.)
            for key in ("kernel_constraint", "bias_constraint", "depthwise_constraint"):
                conf.pop(key, None)
            for key in ("kernel_initializer", "depthwise_initializer"):
                init = conf.get(key)
                if isinstance(init, dict) and init.get("class_name") == "QInitializer":
                    conf[key] = init["config"]["initializer"]
        act = conf.get("activation")
        if act == "relu" or (
            isinstance(act, dict) and str(act.get("class_name", "")).startswith("quantized_relu")
        ):
            conf["activation"] = _serialize(settings.relu_quantizer())
        return
    if _is_plain_relu(entry):
        name = conf["name"]
        new_conf = {
            "name": name,
            "trainable": conf.get("trainable", True),
            "dtype": conf.get("dtype", "float32"),
            "activation": str(settings.relu_quantizer()),
        }
        _set_class(entry, "QActivation")
        entry["config"] = new_conf
