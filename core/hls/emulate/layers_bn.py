"""BatchNormalization (and QKeras's QBatchNormalization): folded or scale-and-shift.

hls4ml 1.3 turns a BatchNormalization into ``scale = gamma / sqrt(var + eps)`` and
``bias = beta - scale * mean`` (float32, as its ``BatchNormalization.initialize``), then either

* folds it into the Dense/Conv1D/Conv2D (depthwise and pointwise included) before it
  (``fuse_batch_normalization``): only when that layer's ``result`` precision is ``auto``
  (unspecified), its output feeds nothing else, and the scale and bias are not quantized on both
  sides (QKeras weights keep the BatchNormalization apart unless its scale is all ones / bias all
  zeros). The weights become ``w * scale`` and ``b * scale + bias`` and the BatchNormalization node
  disappears; or
* keeps a ``BatchNormalization`` node computing ``x * scale + bias`` exactly (``nnet::normalize``:
  ``product(data, scale) + bias``) and casting it to its ``result``, with ``scale`` and ``bias``
  stored in their own precisions (config keys ``scale`` and ``bias``).

Two BatchNormalizations in a row fuse into the second when the first's result is ``auto``
(``fuse_consecutive_batch_normalization``); the ``<layer>_alpha`` scale hls4ml puts after a QKeras
layer with an alpha always fuses with a BatchNormalization that follows it.

QBatchNormalization converts the same way: hls4ml ignores its quantizers, while Keras applies
them to gamma, beta, mean and variance; the float pass follows Keras, the fixed-point pass hls4ml.

A quirk reproduced on purpose: folding into a *depthwise* convolution multiplies the
``(kh, kw, C, 1)`` kernel by the ``(C,)`` scale with numpy broadcasting, which gives a
``(kh, kw, C, C)`` array; the firmware reads its first ``kh*kw*C`` values in order (checked
against C-sim). The fixed-point pass computes that; the float pass keeps Keras's result, so the
difference shows up as a layer the search cannot bring to agreement.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, Fmt, LayerEmulator, Node, register
from core.hls.emulate.layers_activation import LinearEmulator

#: hls4ml classes a BatchNormalization may fold into (``isinstance(prev, (Dense, Conv1D, Conv2D))``).
FOLDABLE_CLASSES = (
    "Dense",
    "QDense",
    "Conv1D",
    "Conv2D",
    "QConv1D",
    "QConv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "QDepthwiseConv2D",
    "PointwiseConv1D",
    "PointwiseConv2D",
)


class BatchNormEmulator(LayerEmulator):
    """``x * scale + bias`` per channel (last axis), as ``nnet::normalize`` computes it.

    ``float_scale``/``float_bias`` are what Keras uses when it differs from what hls4ml stores
    (QBatchNormalization quantizes its parameters in Keras; hls4ml ignores those quantizers).
    """

    tunable = ("scale", "bias", "result")
    exact_auto_result = True  # hls4ml types an `auto` result exactly

    def __init__(self, scale: np.ndarray, bias: np.ndarray, float_scale=None, float_bias=None) -> None:
        super().__init__()
        self.scale = np.asarray(scale, np.float64)
        self.bias = np.asarray(bias, np.float64)
        self.float_scale = self.scale if float_scale is None else np.asarray(float_scale, np.float64)
        self.float_bias = self.bias if float_bias is None else np.asarray(float_bias, np.float64)

    def constants(self) -> dict[str, np.ndarray]:
        return {"scale": self.scale, "bias": self.bias}

    def n_terms(self) -> int:
        return 1

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        if not ctx.quantized:
            return xs[0] * self.float_scale + self.float_bias
        # The product and the sum are exact in C++ (full-width types); float64 is exact too for
        # the widths hls4ml uses (< 53 significant bits).
        return xs[0] * ctx.constant("scale") + ctx.constant("bias")


class FloatOverride(LayerEmulator):
    """Another node's emulator whose float pass uses Keras's constants instead of the firmware's.

    Used when hls4ml folds a BatchNormalization into a Dense/Conv with other numbers than Keras
    computes (QBatchNormalization's quantized parameters, the depthwise quirk): the fixed-point
    pass is the firmware's, the float pass stays equal to Keras. Everything else is the wrapped
    emulator's.
    """

    def __init__(self, inner: LayerEmulator, float_constants: dict[str, np.ndarray]) -> None:
        super().__init__()
        self.inner = inner
        self.float_constants = float_constants
        self.fixed = inner.fixed
        for attr in ("tunable", "pass_through", "bounded", "non_negative", "exact_auto_result", "inplace"):
            if hasattr(inner, attr):
                setattr(self, attr, getattr(inner, attr))

    def __getattr__(self, name: str) -> Any:  # the wrapped emulator's other attributes and methods
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def constants(self) -> dict[str, np.ndarray]:
        return self.inner.constants()

    def n_terms(self) -> int:
        return self.inner.n_terms()

    def accum(self, in_fmts: list[Fmt], fmt) -> Fmt:
        return self.inner.accum(in_fmts, fmt)

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        if ctx.quantized:
            return self.inner.forward(xs, ctx)
        floats = {**self.inner.constants(), **self.float_constants}
        return self.inner.forward(xs, Ctx(ctx.node, None, ctx.in_fmts, lambda node, fld, fmt: floats[fld]))


def scale_and_bias(layer: Any, keras: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """hls4ml's ``scale`` and ``bias`` of a Keras (Q)BatchNormalization, in float32 as hls4ml
    computes them from the stored weights.

    Args:
        layer: The Keras layer.
        keras: Compute instead what Keras uses in inference: a QBatchNormalization's parameters
            through its quantizers (hls4ml 1.3 ignores them).

    Returns:
        ``(scale, bias)``, float32 arrays of shape ``(channels,)``.
    """
    cfg = layer.get_config()
    axis = cfg.get("axis", -1)
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    rank = len(layer.input_shape)
    if [a % rank for a in axes] != [rank - 1]:
        raise EmulationError(
            f"Auto precision emulates BatchNormalization over the last (channel) axis only ({layer.name}).",
            layer.name,
        )
    weights = {}
    for w in layer.weights:
        key = w.name.split("/")[-1].split(":")[0]
        quantizer = (
            getattr(layer, f"{_QBN_QUANTIZERS.get(key, key)}_quantizer_internal", None) if keras else None
        )
        weights[key] = np.asarray((quantizer(w) if quantizer is not None else w).numpy(), np.float32)
    mean, var = weights["moving_mean"], weights["moving_variance"]
    gamma = weights["gamma"] if cfg.get("scale", True) else np.float32(1)
    beta = weights["beta"] if cfg.get("center", True) else np.float32(0)
    scale = (gamma / np.sqrt(var + np.float32(cfg.get("epsilon", 1e-3)))).astype(np.float32)
    bias = (beta - scale * mean).astype(np.float32)
    return np.broadcast_to(scale, mean.shape).copy(), np.broadcast_to(bias, mean.shape).copy()


_QBN_QUANTIZERS = {"moving_mean": "mean", "moving_variance": "variance"}


def _config_result(config: Any, node: Node) -> str | None:
    """The ``result`` precision text of ``node`` in the configuration (None: unknown).

    The two nodes of a separable layer take theirs from its row (``<part>_result``, else ``result``).
    """
    if config is None:
        return None
    try:
        return getattr(config.layer(node.name), "result", None)
    except Exception:  # no such row: hls4ml uses the model default, a specified precision
        pass
    for part in ("depthwise", "pointwise"):
        if node.name == f"{node.keras_name}_{part}":
            try:
                row = config.layer(node.keras_name)
            except Exception:
                return None
            precision = (getattr(row, "extra", {}) or {}).get("Precision") or {}
            return precision.get(f"{part}_result", getattr(row, "result", None))
    return None


def _quantizer_fields(layer: Any) -> set[str]:
    """Which of weight/bias hls4ml sees quantized in a Keras layer (its ``weight_quantizer``:
    QKeras's ``kernel_quantizer`` only, a depthwise kernel's quantizer is not checked)."""
    cfg = layer.get_config()
    out = set()
    if cfg.get("kernel_quantizer"):
        out.add("weight")
    if cfg.get("bias_quantizer"):
        out.add("bias")
    return out


def fold_target(layer: Any, ctx: BuildContext, scale: np.ndarray, bias: np.ndarray) -> Node | None:
    """The node hls4ml folds the BatchNormalization ``layer`` into, or None when it keeps it.

    Follows ``FuseBatchNormalization.match``/``transform`` of hls4ml 1.3 (see the module docstring).
    """
    inputs = ctx.inputs_of(layer)
    if len(inputs) != 1:
        return None
    parent = ctx.nodes[inputs[0]]
    if parent.class_name not in FOLDABLE_CLASSES or not hasattr(parent.emulator, "weight"):
        return None
    if _config_result(ctx.config, parent) != "auto":
        return None
    if len(ctx.consumers(parent.keras_name)) > 1:
        return None
    if any(n.inputs and parent.name in n.inputs for n in ctx.nodes.values()):
        return None  # something already reads the parent's output
    quantized = _quantizer_fields(ctx.model.get_layer(parent.keras_name)) if parent.keras_name else set()
    if quantized & {"weight"} and not np.all(scale == 1):
        return None
    w = np.asarray(parent.emulator.weight)
    if "bias" in quantized and not np.all(bias == 0):
        return None
    if parent.class_name.startswith(("Depthwise", "QDepthwise")) and w.shape[-1] != 1 and w.shape[-2] != 1:
        return None  # depth multiplier > 1: hls4ml's broadcast fails, we do not guess
    return parent


def fold(parent: Node, scale: np.ndarray, bias: np.ndarray, fscale: np.ndarray, fbias: np.ndarray) -> None:
    """Multiply ``parent``'s weights by ``scale`` and shift its bias, in float32 like hls4ml.

    ``fscale``/``fbias`` are Keras's (different for a QBatchNormalization): when the folded
    numbers differ from Keras's, the float pass uses Keras's (:class:`FloatOverride`).
    """
    emu = parent.emulator
    w = np.asarray(emu.weight, np.float32)
    b = np.asarray(emu.bias, np.float32)
    fused = scale * w  # numpy broadcasting on the last axis, as hls4ml does
    if fused.shape != w.shape:  # the depthwise quirk: the firmware reads the first values in order
        fused = fused.reshape(-1)[: w.size].reshape(w.shape)
    keras_w = w * fscale.reshape(w.shape[-2:]) if w.ndim >= 3 and w.shape[-1] != fscale.size else w * fscale
    keras_b = fscale * b + fbias
    emu.weight = fused.astype(np.float64)
    emu.bias = (scale * b + bias).astype(np.float32).astype(np.float64)
    # hls4ml keeps the folded layer's `auto` result (typed exactly): a searched one would stop the fold.
    emu.tunable = tuple(f for f in emu.tunable if f != "result")
    if not (np.array_equal(keras_w, fused) and np.array_equal(keras_b.astype(np.float32), emu.bias)):
        parent.emulator = FloatOverride(emu, {"weight": keras_w.astype(np.float64), "bias": keras_b})


def remove_node(ctx: BuildContext, name: str, replacement: str) -> Node:
    """Drop node ``name`` (hls4ml merged it into ``replacement``): the Keras layers it gave now
    come from ``replacement``."""
    node = ctx.nodes.pop(name)
    for keras_name, node_name in list(ctx.keras_output.items()):
        if node_name == name:
            ctx.alias(keras_name, replacement)
    return node


def _single_input(layer: Any, ctx: BuildContext) -> Node | None:
    inputs = ctx.inputs_of(layer)
    return ctx.nodes[inputs[0]] if len(inputs) == 1 else None


def drop_eliminated_linear(layer: Any, ctx: BuildContext) -> None:
    """Remove the ``<layer>_linear`` node before ``layer`` when hls4ml removes it before folding
    (``eliminate_linear_activation``: its type equals its input's, both ``auto`` included), so that
    the BatchNormalization sees the Dense/Conv it may fold into."""
    prev = _single_input(layer, ctx)
    if prev is None or not isinstance(prev.emulator, LinearEmulator) or len(prev.inputs) != 1:
        return
    parent = ctx.nodes[prev.inputs[0]]
    mine = _config_result(ctx.config, prev)
    if mine is not None and mine == _config_result(ctx.config, parent):
        remove_node(ctx, prev.name, parent.name)


@register("BatchNormalization", "QBatchNormalization")
def build_batchnorm(layer: Any, ctx: BuildContext) -> None:
    scale, bias = scale_and_bias(layer)
    drop_eliminated_linear(layer, ctx)
    fscale, fbias = scale_and_bias(layer, keras=True)
    prev = _single_input(layer, ctx)
    if (
        prev is not None
        and isinstance(prev.emulator, BatchNormEmulator)
        and (prev.class_name == "ApplyAlpha" or _config_result(ctx.config, prev) == "auto")
        and len(ctx.consumers(prev.keras_name)) == 1
    ):
        # fuse_consecutive_batch_normalization: the earlier node goes, this one computes both
        # (an ApplyAlpha of a QKeras layer always qualifies: its precisions are all `auto`).
        p = prev.emulator
        s0, b0 = p.scale.astype(np.float32), p.bias.astype(np.float32)
        remove_node(ctx, prev.name, layer.name)
        emu = BatchNormEmulator(
            (s0 * scale).astype(np.float64),
            (scale * b0 + bias).astype(np.float64),
            p.float_scale * fscale,
            fscale * p.float_bias + fbias,
        )
        ctx.add(Node(layer.name, layer.name, "BatchNormalization", list(prev.inputs), emu))
        return
    target = fold_target(layer, ctx, scale, bias)
    if target is not None:
        fold(target, scale, bias, fscale, fbias)
        target.params.setdefault("folded", []).append(layer.name)
        ctx.alias(layer.name, target.name)
        return
    if np.all(scale == 1) and np.all(bias == 0) and prev is not None:  # remove_nop_batch_normalization
        ctx.alias(layer.name, prev.name)
        return
    emu = BatchNormEmulator(scale, bias, fscale, fbias)
    ctx.add(Node(layer.name, layer.name, "BatchNormalization", ctx.inputs_of(layer), emu))
