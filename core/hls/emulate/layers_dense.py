"""Dense and convolution layers (``nnet_dense.h``, ``nnet_conv1d.h``, ``nnet_conv2d.h``).

hls4ml computes ``sum_i w_i x_i + b`` in an accumulator wide enough to be exact (``accum_t``
inferred from the input, weight and bias types and the number of terms) and casts it once to the
result type. The emulation is therefore float64 arithmetic on exact fixed-point values, then one
truncation: bit-exact. A Keras ``activation`` becomes a second hls4ml node,
``<layer>_<activation>`` (hls4ml splits it off the same way; ``<layer>_linear`` is a
pass-through that casts only when the configuration gives it another type).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, Fmt, LayerEmulator, Node, register
from core.hls.emulate.fixedpoint import accum_format

#: hls4ml's class of the node an activation becomes, for display.
ACTIVATION_CLASS = {
    "relu": "ReLU",
    "softmax": "Softmax",
    "sigmoid": "Sigmoid",
    "tanh": "TanH",
    "linear": "Linear",
}


class DenseEmulator(LayerEmulator):
    """``x @ weight + bias`` on the last axis (``nnet::dense``)."""

    tunable = ("weight", "bias", "result")
    exact_auto_result = True

    def __init__(self, weight: np.ndarray, bias: np.ndarray | None) -> None:
        super().__init__()
        self.weight = np.asarray(weight, np.float64)
        self.bias = np.zeros(self.weight.shape[-1]) if bias is None else np.asarray(bias, np.float64)

    def constants(self) -> dict[str, np.ndarray]:
        return {"weight": self.weight, "bias": self.bias}

    def n_terms(self) -> int:
        return int(np.prod(self.weight.shape[:-1]))

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return xs[0] @ ctx.constant("weight") + ctx.constant("bias")

    def accum(self, in_fmts: list[Fmt], fmt) -> Fmt:
        w, b = fmt("weight"), fmt("bias")
        if not in_fmts or in_fmts[0] is None or w is None or b is None:
            return None
        return accum_format(in_fmts[0], w, b, self.n_terms())


class ConvEmulator(DenseEmulator):
    """Keras's channels-last convolution, 1D or 2D (``nnet::conv_1d_cl``/``conv_2d_cl``)."""

    def __init__(
        self, weight: np.ndarray, bias: np.ndarray | None, strides: tuple[int, ...], padding: str
    ) -> None:
        super().__init__(weight, bias)
        self.strides = tuple(int(s) for s in strides)
        self.padding = padding

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return conv(xs[0], ctx.constant("weight"), ctx.constant("bias"), self.strides, self.padding)


def same_pads(
    sizes: tuple[int, ...], kernel: tuple[int, ...], strides: tuple[int, ...]
) -> list[tuple[int, int]]:
    """Keras's (and hls4ml's) ``same`` padding per spatial axis: ``(before, after)``, the extra
    one after."""
    pads = []
    for size, k, s in zip(sizes, kernel, strides):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, strides: tuple[int, ...], padding: str) -> np.ndarray:
    """Channels-last convolution (1D or 2D) by im2col and matrix products (``same`` pads zeros).
    Exact in float64 for fixed-point values."""
    k = w.shape[:-2]
    if padding == "same":
        x = np.pad(x, [(0, 0), *same_pads(x.shape[1:-1], k, strides), (0, 0)])
    elif padding != "valid":
        raise EmulationError(f"padding '{padding}' is not supported by the emulation")
    nd = len(k)
    out_shape = [(size - kk) // s + 1 for size, kk, s in zip(x.shape[1:-1], k, strides)]
    filters = w.shape[-1]
    wm = w.reshape(-1, filters)
    out = np.empty((x.shape[0], *out_shape, filters))
    # im2col a few events at a time: the patch matrix stays in the cache, one product per block.
    step = max(1, (1 << 19) // max(1, int(np.prod(out_shape)) * wm.shape[0]))
    strided = (slice(None),) + tuple(slice(None, None, s) for s in strides)
    order = (0, *range(1, 1 + nd), *range(2 + nd, 2 + 2 * nd), 1 + nd)  # (n, out..., k..., C)
    for start in range(0, x.shape[0], step):
        win = np.lib.stride_tricks.sliding_window_view(
            x[start : start + step], k, axis=tuple(range(1, 1 + nd))
        )
        cols = np.transpose(win[strided], order).reshape(-1, wm.shape[0])
        out[start : start + step] = (cols @ wm).reshape(-1, *out_shape, filters)
    out += b
    return out


def add_activation_node(
    ctx: BuildContext, layer: Any, node_name: str, activation: str | None = None
) -> Node | None:
    """Add the ``<layer>_<activation>`` node hls4ml splits off a layer with an activation.

    Args:
        ctx: The build context.
        layer: The Keras layer (its ``activation`` config unless ``activation`` is given).
        node_name: The node the activation follows (the layer's own node).
        activation: The activation's Keras name, overriding the layer's config.

    Returns:
        The new node (it gives the layer's Keras output); None for an activation that is not
        named by a string (a QKeras quantizer's config: the caller handles it).
    """
    act = activation if activation is not None else layer.get_config().get("activation", "linear")
    if not isinstance(act, str):
        return None
    # hls4ml adds '<layer>_linear' too: removed when its type is its input's, else a cast.
    name = f"{layer.name}_{act}"
    emu = ctx.activation(name, layer.name, act)
    return ctx.add(Node(name, layer.name, ACTIVATION_CLASS.get(act, act), [node_name], emu))


def kernel_and_bias(layer: Any, dtype=np.float64) -> tuple[np.ndarray, np.ndarray | None]:
    """A Dense/Conv layer's kernel and bias (None without one) as ``dtype`` arrays."""
    w = layer.get_weights()
    bias = np.asarray(w[1], dtype) if layer.get_config().get("use_bias", True) and len(w) > 1 else None
    return np.asarray(w[0], dtype), bias


@register("Dense")
def build_dense(layer: Any, ctx: BuildContext) -> None:
    kernel, bias = kernel_and_bias(layer)
    ctx.add(Node(layer.name, layer.name, "Dense", ctx.inputs_of(layer), DenseEmulator(kernel, bias)))
    add_activation_node(ctx, layer, layer.name)


def check_conv_options(layer: Any) -> None:
    """Raise :class:`EmulationError` for convolution options the emulation does not reproduce."""
    cfg = layer.get_config()
    name = layer.name
    if cfg.get("data_format", "channels_last") != "channels_last" or cfg.get("groups", 1) != 1:
        raise EmulationError(
            f"Auto precision emulates channels-last, ungrouped convolutions only ({name}).", name
        )
    if any(d != 1 for d in np.atleast_1d(cfg.get("dilation_rate", 1))):
        raise EmulationError(f"Auto precision cannot emulate dilated convolutions ({name}).", name)
    if cfg.get("padding", "valid") not in ("valid", "same"):
        raise EmulationError(f"Auto precision emulates 'valid' and 'same' padding only ({name}).", name)


@register("Conv1D", "Conv2D")
def build_conv(layer: Any, ctx: BuildContext) -> None:
    check_conv_options(layer)
    cfg = layer.get_config()
    kernel, bias = kernel_and_bias(layer)
    emu = ConvEmulator(kernel, bias, tuple(np.atleast_1d(cfg["strides"])), cfg["padding"])
    ctx.add(Node(layer.name, layer.name, type(layer).__name__, ctx.inputs_of(layer), emu))
    add_activation_node(ctx, layer, layer.name)
