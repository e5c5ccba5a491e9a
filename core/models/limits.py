"""Size limits checked before TensorFlow allocates anything: declared parameters and archive sizes.

Keras creates every weight of a model while rebuilding it from the config, before any weight is
read from the file; a 2 kB JSON declaring ``Dense(100000)`` after a 100000-wide input asks for
10^10 float32 weights (40 GB). So the parameter count is computed from the config alone:

1. Walk the layers in order (``Sequential``) or along the ``inbound_nodes`` (``Functional``),
   starting from the ``InputLayer``/``batch_input_shape`` and ``build_config`` shapes.
2. For each layer class the rule gives its parameters and output shape, exactly for the common
   layers (``Dense``: in x units + units; ``Conv2D``: kh x kw x in/groups x filters + filters;
   recurrent layers; normalization; QKeras Q-layers count as their Keras twins; the tfmot
   wrappers count twice: weights plus masks, indices or quantizer ranges).
3. A shape the rules cannot follow (e.g. after a ``tf.reshape``) is bounded by the largest tensor
   seen so far, so the estimate stays above the truth.

Archives and text are measured before they are read: ``zipfile`` reports each member's uncompressed
size from the central directory, HDF5 the attribute's size, the file system the JSON's.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.models.wrappers import WRAPPER_CLASSES

DEFAULT_MAX_PARAMS = 50_000_000
"""Parameters a model may declare (50 M float32 = 200 MB) unless the user raises the limit."""
MAX_CONFIG_BYTES = 64 * 2**20
"""Largest architecture text read (config.json, model_config attribute, .json file)."""
MAX_COMPRESSION_RATIO = 1000
"""A zip member expanding more than this (and beyond 10 MB) is treated as a zip bomb."""
MAX_PARAMS_ENV = "TRIGLAB_MAX_PARAMS"
"""Environment variable raising the default limit for every load (workspace variants included)."""
MAX_PARAMS_HINT = (
    f"raise the limit with --max-params N on the command line, {MAX_PARAMS_ENV}=N in the environment "
    "(every command and the app), or load_model(path, max_params=N)"
)

Shape = tuple[int | None, ...] | None
# tfmot training wrappers (plus the QuantizeAnnotate marker): counted twice, for the masks,
# cluster indices or quantizer ranges.
_WRAPPERS = WRAPPER_CLASSES | {"QuantizeAnnotate"}
_CONTAINERS = ("Sequential", "Functional", "Model")
_RNN_GATES = {"SimpleRNN": 1, "QSimpleRNN": 1, "LSTM": 4, "QLSTM": 4, "GRU": 3, "QGRU": 3}


def default_max_params() -> int:
    """The parameter limit when none is given: ``$TRIGLAB_MAX_PARAMS`` (the user's), else 50 M.

    Raises:
        ValueError: The variable is set but is not a positive whole number.
    """
    text = os.environ.get(MAX_PARAMS_ENV, "").strip().replace("_", "")
    if not text:
        return DEFAULT_MAX_PARAMS
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{MAX_PARAMS_ENV} must be a positive whole number of parameters, not {text!r}")
    return int(text)


def max_archive_bytes(max_params: int) -> int:
    """Uncompressed bytes a .keras archive may hold: the config plus float32 weights, doubled."""
    return MAX_CONFIG_BYTES + 8 * max_params


@dataclass(frozen=True)
class LayerParams:
    """Parameters one layer declares in a config.

    Attributes:
        layer: The layer's name.
        class_name: Its class in the file.
        params: Parameters it will allocate (weights, biases, masks), an upper estimate.
    """

    layer: str
    class_name: str
    params: int


def declared_parameters(config: Any) -> list[LayerParams]:
    """Every layer's parameter count, from a config tree read by :mod:`core.models.safety`.

    Args:
        config: A model config (``{"class_name": "Functional", ...}``) or, for a SavedModel, the
            list of its objects' metadata (each layer with its ``build_input_shape``).

    Returns:
        One entry per layer holding weights, in file order.
    """
    counter = _Counter()
    if isinstance(config, list):  # SavedModel metadata: every layer carries its input shape
        for node in config:
            if isinstance(node, dict) and node.get("class_name") not in _CONTAINERS:
                counter.layer(node, _shape(node.get("build_input_shape")))
        return counter.found
    if isinstance(config, dict):
        counter.layer(config, None)
    return counter.found


class _Counter:
    def __init__(self) -> None:
        self.found: list[LayerParams] = []
        self.largest = 1  # elements of the largest tensor seen: the bound for unknown dimensions

    def layer(self, node: dict[str, Any], inp: Any) -> Any:
        """Record the node's parameters and return its output shape (None when unknown)."""
        cls = node.get("class_name")
        cfg = node.get("config")
        if not isinstance(cls, str) or not isinstance(cfg, dict):
            return None
        cfg = {k: _untuple(v) for k, v in cfg.items()}
        built = node.get("build_config")
        built_shape = _shape(built.get("input_shape")) if isinstance(built, dict) else None
        if inp is None:
            inp = built_shape
        if inp is None and "batch_input_shape" in cfg:
            inp = _shape(cfg.get("batch_input_shape"))
        if cls in _CONTAINERS:
            return self.container(cls, cfg, inp)
        params, out = self.rule(cls, cfg, inp)
        if built_shape is not None and built_shape != inp and not isinstance(inp, list):
            # Keras builds the layer for its build_config shape first: a larger one allocates more.
            params = max(params, self.rule(cls, cfg, built_shape)[0])
        if params:
            name = cfg.get("name") if isinstance(cfg.get("name"), str) else node.get("name", "?")
            self.found.append(LayerParams(str(name), cls, max(0, int(params))))
        for shape in out if isinstance(out, list) else [out]:
            if isinstance(shape, tuple):
                self.largest = max(self.largest, _size(shape))
        return out

    def container(self, cls: str, cfg: dict[str, Any], inp: Any) -> Any:
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            return None
        if cls == "Sequential":
            shape = inp
            for node in layers:
                if isinstance(node, dict):
                    shape = self.layer(node, shape if node.get("class_name") != "InputLayer" else None)
            return shape
        outputs: dict[str, Any] = {}
        last = None
        for node in layers:
            if not isinstance(node, dict):
                continue
            sources = [outputs.get(n) for n in _inbound_names(node.get("inbound_nodes"))]
            given = sources[0] if len(sources) == 1 else (sources or None)
            if not sources and node.get("class_name") != "InputLayer":
                given = inp
            if node.get("class_name") in _TF_OP_LAYERS:  # tensors and constants passed by keyword too
                given = sources + _keyword_inputs(node.get("inbound_nodes"), outputs)
            last = self.layer(node, given)
            name = node.get("name") or (node.get("config") or {}).get("name")
            outputs[str(name)] = last
        return last

    def inner(self, node: Any, inp: Any) -> tuple[int, Any]:
        """(parameters, output shape) of a wrapped layer, not recorded as a layer of its own."""
        if not isinstance(node, dict):
            return 0, None
        before = len(self.found)
        out = self.layer(node, inp)
        params = sum(p.params for p in self.found[before:])
        del self.found[before:]
        return params, out

    def rule(self, cls: str, cfg: dict[str, Any], inp: Any) -> tuple[int, Any]:
        """(parameters, output shape) of one layer given its input shape."""
        twin = cls.startswith("Q") and (cls[1:] in _KERAS_TWINS or cls.endswith("Batchnorm"))
        base = cls[1:] if twin else cls
        if cls in _WRAPPERS:
            params, out = self.inner(cfg.get("layer"), inp)
            return 2 * params, out
        if cls == "TimeDistributed":
            params, sub = self.inner(cfg.get("layer"), inp[1:] if isinstance(inp, tuple) else None)
            return params, (inp[:1] + sub if isinstance(inp, tuple) and isinstance(sub, tuple) else None)
        if cls in ("Bidirectional", "QBidirectional"):
            params, sub = self.inner(cfg.get("layer"), inp)
            backward = self.inner(cfg["backward_layer"], inp)[0] if cfg.get("backward_layer") else params
            if isinstance(sub, tuple) and sub and cfg.get("merge_mode", "concat") == "concat":
                sub = sub[:-1] + (_mul(sub[-1], 2),)
            return params + backward, sub
        if cls in _TF_OP_LAYERS:
            shape, size = _tf_op(str(cfg.get("function", "")), inp if isinstance(inp, list) else [inp])
            self.largest = max(self.largest, size)
            return 0, shape
        return _rule(base, cfg, inp, self.largest)


# Q-layers whose weights are those of the Keras layer of the same name without the Q.
_KERAS_TWINS = {
    "Dense", "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv1D",
    "SeparableConv2D", "BatchNormalization", "AveragePooling2D", "GlobalAveragePooling2D",
    "SimpleRNN", "LSTM", "GRU", "Activation",
}  # fmt: skip


def _rule(cls: str, cfg: dict[str, Any], inp: Any, bound: int) -> tuple[int, Any]:
    single = inp if isinstance(inp, tuple) else None
    last = _last(single, bound)
    bias = lambda n: n if cfg.get("use_bias", True) else 0  # noqa: E731
    if cls == "InputLayer":
        return 0, _shape(cfg.get("batch_input_shape") or cfg.get("batch_shape"))
    if cls == "Dense":
        units = _int(cfg.get("units"))
        return last * units + bias(units), (single[:-1] + (units,) if single else None)
    if cls == "Embedding":
        params = _int(cfg.get("input_dim")) * _int(cfg.get("output_dim"))
        return params, (single + (_int(cfg.get("output_dim")),) if single else None)
    if cls in ("Conv2DBatchnorm", "DepthwiseConv2DBatchnorm"):
        params, out = _rule(cls.removesuffix("Batchnorm"), cfg, inp, bound)
        return params + 4 * _last(out, bound) + 1, out  # folded batch norm: 4 per channel + a step counter
    if "Conv" in cls:
        return _conv(cls, cfg, single, last, bias)
    if "Pooling" in cls:
        return 0, _pool(cls, cfg, single)
    if cls in _RNN_GATES:
        units, gates = _int(cfg.get("units")), _RNN_GATES[cls]
        biases = gates * units * (2 if cls == "GRU" and cfg.get("reset_after", True) else 1)
        params = gates * units * (last + units) + (biases if cfg.get("use_bias", True) else 0)
        seq = cfg.get("return_sequences") and single and len(single) >= 2
        return params, ((single[0], units) if seq else (units,))
    if cls in ("BatchNormalization", "LayerNormalization"):
        axes = cfg.get("axis", -1)
        axes = axes if isinstance(axes, list) else [axes]
        width = math.prod(_dim(single, a, bound) for a in axes if isinstance(a, int)) if axes else last
        return (4 if cls == "BatchNormalization" else 2) * width, single
    if cls == "PReLU":
        shared = {a for a in (cfg.get("shared_axes") or []) if isinstance(a, int)}
        dims = [1 if i + 1 in shared else (d or bound) for i, d in enumerate(single or (bound,))]
        return math.prod(dims), single
    return 0, _reshaped(cls, cfg, inp, single)


def _conv(cls: str, cfg: dict[str, Any], single: Shape, channels: int, bias) -> tuple[int, Any]:
    rank = 3 if "3D" in cls else 1 if "1D" in cls else 2
    kernel = _ints(cfg.get("kernel_size"), rank)
    k = math.prod(kernel)
    filters = _int(cfg.get("filters"))
    if cls.startswith("Depthwise"):
        mult = _int(cfg.get("depth_multiplier", 1))
        params, out_ch = k * channels * mult + bias(channels * mult), channels * mult
    elif cls.startswith("Separable"):
        mult = _int(cfg.get("depth_multiplier", 1))
        params, out_ch = k * channels * mult + channels * mult * filters + bias(filters), filters
    else:
        groups = max(1, _int(cfg.get("groups", 1)))
        params, out_ch = k * (channels // groups or 1) * filters + bias(filters), filters
    if not single or len(single) != rank + 1:
        return params, None
    strides = _ints(cfg.get("strides", 1), rank)
    dilation = _ints(cfg.get("dilation_rate", 1), rank)
    same = cfg.get("padding") == "same"
    spatial = []
    for size, kk, s, d in zip(single[:-1], kernel, strides, dilation):
        if size is None:
            spatial.append(None)
        elif "Transpose" in cls:
            spatial.append(size * s if same else (size - 1) * s + kk)
        else:
            span = (kk - 1) * d + 1
            spatial.append(-(-size // s) if same else max(0, (size - span) // s + 1))
    return params, (*spatial, out_ch)


def _pool(cls: str, cfg: dict[str, Any], single: Shape) -> Shape:
    if not single:
        return None
    if cls.startswith("Global"):
        return tuple(1 for _ in single[:-1]) + single[-1:] if cfg.get("keepdims") else single[-1:]
    rank = len(single) - 1
    pool = _ints(cfg.get("pool_size", 2), rank)
    strides = _ints(cfg.get("strides") or pool, rank)
    same = cfg.get("padding") == "same"
    spatial = [
        None if n is None else (-(-n // s) if same else max(0, (n - p) // s + 1))
        for n, p, s in zip(single[:-1], pool, strides)
    ]
    return (*spatial, single[-1])


def _reshaped(cls: str, cfg: dict[str, Any], inp: Any, single: Shape) -> Any:
    """Output shape of the parameter-free layers (None when it cannot be followed)."""
    if cls == "Flatten":
        return (_size(single),) if single and None not in single else None
    if cls == "Reshape":
        target = [
            d if isinstance(d, int) and not isinstance(d, bool) and d >= 0 else -1
            for d in cfg.get("target_shape") or []
        ]
        if single and -1 in target and None not in single:
            known = math.prod(d for d in target if d != -1) or 1
            target = [_size(single) // known if d == -1 else d for d in target]
        return tuple(d if d >= 0 else None for d in target)
    if cls == "Permute" and single:
        return tuple(
            single[d - 1] for d in cfg.get("dims") or [] if isinstance(d, int) and 0 < d <= len(single)
        )
    if cls == "RepeatVector":
        return (_int(cfg.get("n")), *(single or (None,)))
    if cls in ("Concatenate",) and isinstance(inp, list) and all(isinstance(s, tuple) for s in inp):
        axis = cfg.get("axis", -1)
        try:
            total = sum(s[axis] or 0 for s in inp)
            out = list(inp[0])
            out[axis] = total
            return tuple(out)
        except (IndexError, TypeError):
            return None
    if cls in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        return inp[0] if isinstance(inp, list) and inp else single
    if cls.startswith(("ZeroPadding", "Cropping", "UpSampling")) and single:
        return _padded(cls, cfg, single)
    if cls == "Dot" and isinstance(inp, list) and len(inp) == 2 and all(isinstance(s, tuple) for s in inp):
        axes = cfg.get("axes", -1)
        a_ax, b_ax = (axes, axes) if isinstance(axes, int) else (tuple(axes) + (-1, -1))[:2]
        try:
            a, b = list(inp[0]), list(inp[1])
            del a[a_ax - 1 if a_ax > 0 else a_ax], b[b_ax - 1 if b_ax > 0 else b_ax]
            return tuple(a + b) or (1,)
        except (IndexError, TypeError):
            return None
    return single  # activations, dropout, noise, normalization-free pass-through layers


def _padded(cls: str, cfg: dict[str, Any], single: tuple[int | None, ...]) -> Shape:
    """ZeroPadding/Cropping add/remove rows per side; UpSampling repeats them."""
    rank = len(single) - 1
    key = (
        "size" if cls.startswith("UpSampling") else "padding" if cls.startswith("ZeroPadding") else "cropping"
    )
    value = cfg.get(key, 2 if key == "size" else 1)
    if isinstance(value, int) and not isinstance(value, bool):
        per_dim = [[value, value]] * rank if key != "size" else [[value]] * rank
    elif isinstance(value, list):
        per_dim = [v if isinstance(v, list) else ([v] if key == "size" else [v, v]) for v in value]
    else:
        return None
    spatial = []
    for n, amounts in zip(single[:-1], per_dim + [[0]] * rank):
        amounts = [_int(a) for a in amounts]
        if n is None:
            spatial.append(None)
        elif key == "size":
            spatial.append(n * (amounts[0] if amounts else 1))
        else:
            spatial.append(max(0, n + (1 if key == "padding" else -1) * sum(amounts)))
    return (*spatial, single[-1])


# What a TFOpLambda's output can be, from the allow-listed functions (core.models.allowlist):
# broadcasting maths can be as large as the product of its inputs' dimensions, concatenation the
# sum of its inputs, a matrix product rows x columns; everything else is at most its input.
_TF_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")
_BROADCASTING = ("__operators__.", "math.add", "math.subtract", "math.multiply", "math.truediv",
                 "math.divide", "math.floordiv", "math.pow", "math.maximum", "math.minimum",
                 "math.greater", "math.less", "math.equal", "where")  # fmt: skip


def _tf_op(function: str, inputs: list[Any]) -> tuple[Shape, int]:
    """(output shape or None, bound on its number of elements)."""
    name = function.removeprefix("tf.").removeprefix("compat.v1.").removeprefix("compat.v2.")
    shapes = [s for s in inputs if isinstance(s, tuple)]
    unknown = len(shapes) < len([s for s in inputs if s is not None]) or any(None in s for s in shapes)
    sizes = [_size(s) for s in shapes] or [1]
    if name.startswith(_BROADCASTING) and name != "__operators__.getitem":
        if unknown:
            return None, math.prod(sizes)
        rank = max(len(s) for s in shapes) if shapes else 0
        padded = [(1,) * (rank - len(s)) + s for s in shapes]
        out = tuple(max(dims) for dims in zip(*padded))
        return out, _size(out)
    if name in ("concat", "stack"):
        return None, sum(sizes)
    if name == "linalg.matmul" and len(shapes) == 2 and not unknown and shapes[0] and shapes[1]:
        out = shapes[0][:-1] + shapes[1][-1:]
        return out, _size(out)
    if name == "linalg.matmul":
        return None, math.prod(sizes)
    if name == "__operators__.getitem" or name.startswith(("math.reduce_", "math.arg")):
        return None, max(sizes)
    same = (
        shapes[0]
        if len(shapes) == 1 and name.startswith(("math.", "nn.", "cast", "identity", "clip"))
        else None
    )
    return same, max(sizes)


def _keyword_inputs(inbound: Any, outputs: dict[str, Any]) -> list[Any]:
    """Shapes of what a TF op layer takes by keyword: other layers' tensors, or constants."""
    if not isinstance(inbound, list) or not inbound:
        return []
    first = inbound[0]
    entries = [first] if first and isinstance(first[0], str) else first
    found: list[Any] = []
    for entry in entries if isinstance(entries, list) else []:
        kwargs = entry[3] if isinstance(entry, list) and len(entry) > 3 and isinstance(entry[3], dict) else {}
        for value in kwargs.values():
            if _is_tensor_ref(value) and value[0] in outputs:
                found.append(outputs[value[0]])
            elif isinstance(value, list):
                found.append(_literal_shape(value))
    return found


def _is_tensor_ref(value: Any) -> bool:
    return (
        isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )  # fmt: skip


def _literal_shape(value: Any) -> tuple[int, ...]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _inbound_names(inbound: Any) -> Iterator[str]:
    """Layer names feeding the first call of a layer, in both of Keras 2's layouts."""
    if not isinstance(inbound, list) or not inbound:
        return
    first = inbound[0]
    if isinstance(first, str):  # [name, node, tensor, kwargs] (TFOpLambda in .keras files)
        yield first
        return
    if isinstance(first, list):
        for entry in first:
            if isinstance(entry, list) and entry and isinstance(entry[0], str):
                yield entry[0]


def _shape(value: Any) -> Shape:
    """A config's shape ([null, 8, 8, 1]) without its batch dimension."""
    if isinstance(value, dict) and value.get("class_name") == "TensorShape":
        value = value.get("items")
    value = _untuple(value)
    if not isinstance(value, list) or not value:
        return None
    if isinstance(value[0], (list, dict)):  # several inputs: follow the first
        return _shape(value[0])
    return tuple(d if isinstance(d, int) and not isinstance(d, bool) and d >= 0 else None for d in value[1:])


def _untuple(value: Any) -> Any:
    """SavedModel metadata writes tuples as {"class_name": "__tuple__", "items": [...]}."""
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        value = value.get("items")
    if isinstance(value, list):
        return [_untuple(v) for v in value]
    return value


def _int(value: Any, default: int = 0) -> int:
    """A non-negative count from the config (a negative one cannot offset a huge layer)."""
    return max(0, value) if isinstance(value, int) and not isinstance(value, bool) else default


def _ints(value: Any, rank: int) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [max(1, value)] * rank
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return ([max(1, v) for v in value] + [1] * rank)[:rank]
    return [1] * rank


def _size(shape: Shape, unknown: int = 1) -> int:
    return math.prod(d if d is not None else unknown for d in shape) if shape else unknown


def _last(shape: Any, bound: int) -> int:
    return shape[-1] if isinstance(shape, tuple) and shape and shape[-1] is not None else bound


def _dim(shape: Shape, axis: int, bound: int) -> int:
    try:
        d = shape[axis - 1 if axis > 0 else axis] if shape else None
    except IndexError:
        d = None
    return d if d is not None else bound


def _mul(d: int | None, k: int) -> int | None:
    return None if d is None else d * k
