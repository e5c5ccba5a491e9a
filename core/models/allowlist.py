"""The objects TrigLab rebuilds from a model file without the user trusting it: an allow-list.

Keras 2.14 rebuilds a model from a tree of ``{"class_name": ..., "config": ...}`` objects. Some
built-in classes run whatever the file names while the model is rebuilt (``Lambda`` runs
marshalled bytecode; ``ClassMethod``/``InstanceMethod``/``TFOpLambda`` call a TensorFlow function
named in the file, e.g. ``tf.io.write_file``), and QKeras evaluates quantizer strings against the
globals of ``qkeras.quantizers``. So nothing is accepted for being merely known to Keras: an object
loads untrusted only if

1. its class is listed here: layers that compute only from their config (dense, convolutions,
   pooling, normalization, activations, reshaping, merging, embedding, recurrent), the model
   containers, QKeras Q-layers and quantizers, the tf-model-optimization wrappers TrigLab's own
   compression produces (pruning, clustering, quantization-aware training), Keras initializers,
   regularizers and constraints, and data markers of Keras' JSON encoders;
2. every argument that Keras or QKeras turns into a callable holds a known name: activations
   (Keras built-ins, or a QKeras quantizer), initializers, regularizers, constraints, quantizers (a
   QKeras quantizer name with literal arguments only, e.g. ``quantized_bits(4,0,alpha=1)``), and the
   TensorFlow function of a ``TFOpLambda`` (a fixed list of tensor maths, the ops ``x * 2 + 1`` in a
   functional model produce);
3. it names no code elsewhere: ``module`` inside Keras/QKeras/tfmot, ``registered_name`` equal to its
   class, and no ``function``/``cls_symbol``/``method_name`` arguments.

Names added with :func:`core.models.register_custom_object` are the user's own code and pass too.
"""

from __future__ import annotations

import ast
import re
from typing import Any

KERAS_LAYERS = frozenset(
    {
        # containers
        "Sequential", "Functional", "Model", "InputLayer",
        # core
        "Dense", "Activation", "Flatten", "Reshape", "Permute", "RepeatVector", "Masking",
        "ActivityRegularization", "Rescaling", "Embedding", "Identity",
        # convolutions
        "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
        # pooling
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
        "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
        # normalization, activations, regularization
        "BatchNormalization", "LayerNormalization", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
        "ThresholdedReLU", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
        "AlphaDropout", "GaussianDropout", "GaussianNoise",
        # reshaping
        "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
        "UpSampling1D", "UpSampling2D", "UpSampling3D",
        # merging
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
        # recurrent (the cell, if any, is checked as its own object)
        "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "Bidirectional",
        "TimeDistributed",
        # tensor maths recorded by the functional API; the function is checked (see TF_FUNCTIONS)
        "TFOpLambda", "SlicingOpLambda",
    }
)  # fmt: skip

QKERAS_LAYERS = frozenset(
    {
        "QActivation", "QAdaptiveActivation", "QDense", "QConv1D", "QConv2D", "QConv2DTranspose",
        "QDepthwiseConv2D", "QSeparableConv1D", "QSeparableConv2D", "QConv2DBatchnorm",
        "QDepthwiseConv2DBatchnorm", "QBatchNormalization", "QAveragePooling2D",
        "QGlobalAveragePooling2D", "QSimpleRNN", "QSimpleRNNCell", "QLSTM", "QLSTMCell", "QGRU",
        "QGRUCell", "QBidirectional", "QInitializer", "Clip",
    }
)  # fmt: skip

# Classes of qkeras.quantizers (QKeras 0.9) and its pure quantization functions.
QKERAS_QUANTIZERS = frozenset(
    {
        "quantized_bits", "quantized_po2", "quantized_relu", "quantized_relu_po2", "quantized_ulaw",
        "quantized_tanh", "quantized_sigmoid", "quantized_hswish", "bernoulli", "binary",
        "stochastic_binary", "ternary", "stochastic_ternary", "binary_sigmoid", "binary_tanh",
        "hard_sigmoid", "hard_tanh", "smooth_sigmoid", "smooth_tanh",
    }
)  # fmt: skip

TFMOT_OBJECTS = frozenset(
    {
        "PruneLowMagnitude", "PolynomialDecay", "ConstantSparsity", "ClusterWeights",
        "QuantizeWrapper", "QuantizeWrapperV2", "QuantizeAnnotate", "QuantizeLayer",
        "QuantizeAwareActivation", "NoOpActivation", "AllValuesQuantizer", "LastValueQuantizer",
        "MovingAverageQuantizer", "NoQuantizer", "Default8BitQuantizeConfig",
        "Default8BitConvQuantizeConfig", "Default8BitActivationQuantizeConfig",
        "Default8BitOutputQuantizeConfig", "Default8BitConvTransposeQuantizeConfig",
        "Default8BitQuantizeConfigRNN", "NoOpQuantizeConfig", "OutputOnlyConfig",
    }
)  # fmt: skip

INITIALIZERS = frozenset(
    {
        "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal",
        "VarianceScaling", "Orthogonal", "Identity", "GlorotUniform", "GlorotNormal", "HeUniform",
        "HeNormal", "LecunUniform", "LecunNormal",
    }
)  # fmt: skip
REGULARIZERS = frozenset({"L1", "L2", "L1L2", "OrthogonalRegularizer"})
CONSTRAINTS = frozenset({"MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "RadialConstraint", "Clip"})

# Metrics a SavedModel of a compiled model tracks (revived even with compile=False); "fn" is checked.
METRICS = frozenset({"Mean", "Sum", "MeanMetricWrapper", "Accuracy", "SparseCategoricalAccuracy",
                     "CategoricalAccuracy", "BinaryAccuracy", "MeanSquaredError", "MeanAbsoluteError"})  # fmt: skip

# Markers of Keras' JSON encoders: plain data (tuples, shapes, arrays, specs looked up in registries).
DATA_MARKERS = frozenset(
    {"__tuple__", "__ellipsis__", "__bytes__", "__tensor__", "__numpy__", "TensorShape", "TypeSpec",
     "InputSpec", "Policy"}
)  # fmt: skip

ALLOWED_CLASSES = (
    KERAS_LAYERS | QKERAS_LAYERS | QKERAS_QUANTIZERS | TFMOT_OBJECTS | INITIALIZERS | REGULARIZERS
    | CONSTRAINTS | METRICS | DATA_MARKERS
)  # fmt: skip

ACTIVATIONS = frozenset(
    {
        "linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "softplus", "softsign",
        "tanh", "elu", "selu", "exponential", "gelu", "swish", "silu", "mish", "leaky_relu",
        "log_softmax",
    }
)  # fmt: skip
METRIC_FUNCTIONS = frozenset(
    {
        "accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy",
        "mse", "mae", "mean_squared_error", "mean_absolute_error", "sparse_categorical_crossentropy",
        "categorical_crossentropy", "binary_crossentropy", "top_k_categorical_accuracy",
        "sparse_top_k_categorical_accuracy",
    }
)  # fmt: skip

# TFOpLambda/SlicingOpLambda call `tf.<function>`: only these pure tensor functions, exactly. Their
# output sizes are bounded by core.models.limits (no tile/broadcast_to/pad/gather, which can grow a
# tensor beyond what the parameter count can follow).
TF_FUNCTIONS = frozenset(
    {
        "__operators__.add", "__operators__.getitem", "__operators__.ne", "__operators__.eq",
        "math.add", "math.subtract", "math.multiply", "math.truediv", "math.divide",
        "math.floordiv", "math.negative", "math.abs", "math.sqrt", "math.rsqrt", "math.square",
        "math.exp", "math.log", "math.pow", "math.maximum", "math.minimum", "math.reciprocal",
        "math.sign", "math.round", "math.floor", "math.ceil", "math.sigmoid", "math.tanh",
        "math.reduce_sum", "math.reduce_mean", "math.reduce_max", "math.reduce_min",
        "math.reduce_prod", "math.greater", "math.less", "math.greater_equal", "math.less_equal",
        "math.equal", "math.l2_normalize", "math.softplus", "math.argmax", "math.argmin",
        "nn.relu", "nn.relu6", "nn.softmax", "nn.log_softmax", "nn.sigmoid", "nn.leaky_relu",
        "nn.elu", "nn.selu", "nn.softplus", "nn.bias_add", "nn.l2_normalize", "linalg.matmul",
        "reshape", "transpose", "expand_dims", "squeeze", "concat", "stack", "unstack", "split",
        "clip_by_value", "cast", "identity", "ones_like", "zeros_like", "where",
    }
)  # fmt: skip

ALLOWED_MODULE_ROOTS = ("keras", "qkeras", "tensorflow_model_optimization")
# Arguments that name code to import, look up or call; no allow-listed class has them (the two
# that do, TFOpLambda's "function" and a metric's "fn", are checked against their own lists).
CODE_ARGUMENTS = frozenset(
    {"function", "cls_symbol", "method_name", "module", "registered_name", "fn", "function_type",
     "output_shape", "output_shape_type", "output_shape_module", "arguments"}
)  # fmt: skip

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _snake_names(classes: frozenset[str]) -> frozenset[str]:
    """Keras also accepts a class by its snake_case alias ("glorot_uniform", "l1_l2")."""
    names = {_SNAKE.sub("_", c).lower() for c in classes} | {c.lower() for c in classes}
    return frozenset(names | classes)


INITIALIZER_NAMES = _snake_names(INITIALIZERS) | {"zero", "one", "uniform", "normal", "l1l2"}
REGULARIZER_NAMES = _snake_names(REGULARIZERS) | {"l1_l2"}
CONSTRAINT_NAMES = _snake_names(CONSTRAINTS) | {"maxnorm", "nonneg", "unitnorm", "min_max_norm"}


def quantizer_expression_problem(text: str) -> str | None:
    """Why a QKeras quantizer string is refused, or None for ``name`` / ``name(literal, k=literal)``.

    QKeras 0.9 (``qkeras.safe_eval``) looks the text before ``(`` up in the globals of
    ``qkeras.quantizers`` (which hold modules and helpers, not only quantizers) and calls it; so the
    name must be exactly a quantizer or a Keras activation, and the arguments plain literals.
    """
    head, paren, rest = text.partition("(")
    if head not in QKERAS_QUANTIZERS and head not in ACTIVATIONS:
        return f"the quantizer '{_short(text)}' is not a QKeras quantizer"
    if not paren:
        return None
    try:
        call = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError):
        return f"the quantizer '{_short(text)}' is not a plain call with literal arguments"
    values = [*getattr(call, "args", []), *(k.value for k in getattr(call, "keywords", []))]
    plain = isinstance(call, ast.Call) and all(k.arg for k in call.keywords) and rest.count("(") == 0
    if not plain or not all(_is_literal(v) for v in values):
        return f"the quantizer '{_short(text)}' is not a plain call with literal arguments"
    return None


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, str, bool, type(None)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_literal(e) for e in node.elts)
    return isinstance(node, ast.Name)  # QKeras reads a bare word as a string


def argument_problem(class_name: str, key: str, value: Any, custom: set[str]) -> str | None:
    """Why the string argument ``key=value`` of an allow-listed ``class_name`` is refused, or None.

    Only strings are judged here; nested ``{"class_name": ...}`` objects are checked as objects.
    """
    if not isinstance(value, str):
        return None
    if value in custom:
        return None
    if class_name in ("TFOpLambda", "SlicingOpLambda") and key == "function":
        name = value.removeprefix("tf.")
        if name.removeprefix("compat.v1.").removeprefix("compat.v2.") in TF_FUNCTIONS:
            return None
        return f"calls tf.{name}, which is not in TrigLab's list of plain tensor maths"
    if class_name in METRICS and key == "fn":
        return None if value in METRIC_FUNCTIONS else f"uses the unknown metric function '{_short(value)}'"
    if key in CODE_ARGUMENTS:
        return f"its argument '{key}' names code to run ('{_short(value)}')"
    if key.endswith("quantizer") or (key.endswith("activation") and class_name in QKERAS_LAYERS):
        return quantizer_expression_problem(value)
    if key.endswith("activation"):
        return None if value in ACTIVATIONS else f"'{key}' is '{_short(value)}', not a Keras activation"
    for suffix, names, what in (
        ("initializer", INITIALIZER_NAMES, "initializer"),
        ("regularizer", REGULARIZER_NAMES, "regularizer"),
        ("constraint", CONSTRAINT_NAMES, "constraint"),
    ):
        if key.endswith(suffix) and value not in names:
            return f"'{key}' is '{_short(value)}', not a Keras {what}"
    return None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
