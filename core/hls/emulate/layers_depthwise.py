"""Depthwise and separable convolutions (``nnet_sepconv1d.h``, ``nnet_sepconv2d.h``).

hls4ml 1.3 converts ``DepthwiseConv1D/2D`` into one node of that class (kernel
``(k..., C, depth_multiplier)``, output channel ``c * depth_multiplier + m``), and splits a
``SeparableConv1D/2D`` named ``sep`` into ``sep_depthwise`` (a depthwise convolution without bias:
hls4ml stores a zero ``uint<1>`` bias) followed by ``sep_pointwise`` (a 1x1 convolution holding the
layer's bias). Like a Dense, each output is an exact sum of products cast once to the result type,
so float64 on exact fixed-point values is bit-exact. The separable layer's precision keys
(``depthwise``, ``pointwise``, ``depthwise_result``, ...) map to the two nodes' ``weight`` and
``result`` the way hls4ml's ``separable_to_depthwise_and_conv`` copies them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, Fmt, LayerEmulator, Node, register
from core.hls.emulate.fixedpoint import accum_format
from core.hls.emulate.layers_dense import DenseEmulator, add_activation_node, same_pads
from core.weights import FixedPointFormat

_UINT1 = FixedPointFormat(1, 1, False)


def patches(x: np.ndarray, kernel: tuple[int, ...], strides: tuple[int, ...], padding: str) -> np.ndarray:
    """The convolution windows of a channels-last ``x``: shape ``(n, out..., k..., C)``.

    ``same`` pads zeros as Keras does (the odd one after).
    """
    if padding == "same":
        x = np.pad(x, [(0, 0), *same_pads(x.shape[1:-1], kernel, strides), (0, 0)])
    elif padding != "valid":
        raise EmulationError(f"padding '{padding}' is not supported by the emulation")
    nd = len(kernel)
    win = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=tuple(range(1, 1 + nd)))
    win = win[(slice(None),) + tuple(slice(None, None, s) for s in strides)]
    order = (0, *range(1, 1 + nd), *range(2 + nd, 2 + 2 * nd), 1 + nd)
    return np.transpose(win, order)


def depthwise(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, strides: tuple[int, ...], padding: str
) -> np.ndarray:
    """Keras's depthwise convolution (kernel ``(k..., C, M)``; output channel ``c * M + m``)."""
    nd = w.ndim - 2
    p = patches(x, w.shape[:nd], strides, padding)
    # (n, out..., k..., C) x (k..., C, M) -> (n, out..., C, M), summing the window axes only.
    letters = "abcdefgh"[:nd]
    spec = f"z{'opq'[:nd]}{letters}c,{letters}cm->z{'opq'[:nd]}cm"
    out = np.einsum(spec, p, w, optimize=True)
    return out.reshape(*out.shape[:-2], -1) + b


class DepthwiseConvEmulator(LayerEmulator):
    """A depthwise convolution (``nnet::depthwise_conv_*``); ``weight``, ``bias``, ``result``."""

    tunable = ("weight", "bias", "result")
    exact_auto_result = True  # hls4ml types an `auto` result exactly

    def __init__(
        self, weight: np.ndarray, bias: np.ndarray | None, strides: tuple[int, ...], padding: str
    ) -> None:
        super().__init__()
        self.weight = np.asarray(weight, np.float64)
        n_out = self.weight.shape[-2] * self.weight.shape[-1]
        self.bias = np.zeros(n_out) if bias is None else np.asarray(bias, np.float64)
        self.strides = tuple(int(s) for s in strides)
        self.padding = padding

    def constants(self) -> dict[str, np.ndarray]:
        return {"weight": self.weight, "bias": self.bias}

    def n_terms(self) -> int:
        return int(np.prod(self.weight.shape[:-2]))  # the kernel window: no sum over channels

    def accum(self, in_fmts: list[Fmt], fmt) -> Fmt:
        w = fmt("weight")
        if not in_fmts or in_fmts[0] is None or w is None:
            return None
        return accum_format(in_fmts[0], w, fmt("bias") or _UINT1, self.n_terms())  # separable: uint<1> bias

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return depthwise(xs[0], ctx.constant("weight"), ctx.constant("bias"), self.strides, self.padding)


class PointwiseConvEmulator(DenseEmulator):
    """The 1x1 convolution of a separable layer (``PointwiseConv1D/2D`` in hls4ml): a Dense on the
    channels of every position."""

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        w = ctx.constant("weight")
        return xs[0] @ w.reshape(-1, w.shape[-1]) + ctx.constant("bias")


def check_options(layer: Any) -> tuple[tuple[int, ...], str]:
    """``(strides, padding)`` of a convolution the emulation reproduces, else EmulationError."""
    cfg = layer.get_config()
    name = layer.name
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise EmulationError(f"Auto precision emulates channels-last convolutions only ({name}).", name)
    if any(d != 1 for d in np.atleast_1d(cfg.get("dilation_rate", 1))):
        raise EmulationError(f"Auto precision cannot emulate dilated convolutions ({name}).", name)
    if cfg.get("padding", "valid") not in ("valid", "same"):
        raise EmulationError(f"Auto precision emulates 'valid' and 'same' padding only ({name}).", name)
    return tuple(int(s) for s in np.atleast_1d(cfg["strides"])), cfg.get("padding", "valid")


def separable_precisions(name: str, precision: dict[str, str]) -> dict[str, dict[str, str]]:
    """The precisions hls4ml gives the two nodes of separable layer ``name``.

    ``separable_to_depthwise_and_conv`` copies the layer's ``Precision`` to both nodes, then moves
    ``depthwise``/``depthwise_accum``/``depthwise_result`` to the depthwise node's ``weight``/
    ``accum``/``result`` (``pointwise*`` likewise) and drops the other node's keys.

    Args:
        name: The separable layer's (hls4ml) name.
        precision: Its configuration's ``Precision`` dict (``weight``/``bias``/``result`` rows
            merged with the ``depthwise``... keys), values as written (``'auto'`` kept).

    Returns:
        ``{"<name>_depthwise": {field: precision}, "<name>_pointwise": {...}}``.
    """
    out = {}
    for part, other in (("depthwise", "pointwise"), ("pointwise", "depthwise")):
        p = {k: v for k, v in precision.items() if v is not None}
        for key, fld in ((part, "weight"), (f"{part}_accum", "accum"), (f"{part}_result", "result")):
            if key in p:
                p[fld] = p.pop(key)
        for key in (other, f"{other}_accum", f"{other}_result"):
            p.pop(key, None)
        out[f"{name}_{part}"] = p
    return out


@register("DepthwiseConv1D", "DepthwiseConv2D")
def build_depthwise(layer: Any, ctx: BuildContext) -> None:
    strides, padding = check_options(layer)
    w = layer.get_weights()
    bias = w[1] if layer.get_config().get("use_bias", True) and len(w) > 1 else None
    emu = DepthwiseConvEmulator(w[0], bias, strides, padding)
    ctx.add(Node(layer.name, layer.name, type(layer).__name__, ctx.inputs_of(layer), emu))
    add_activation_node(ctx, layer, layer.name)


@register("SeparableConv1D", "SeparableConv2D")
def build_separable(layer: Any, ctx: BuildContext) -> None:
    strides, padding = check_options(layer)
    w = layer.get_weights()
    bias = w[2] if layer.get_config().get("use_bias", True) and len(w) > 2 else None
    dim = type(layer).__name__[-2:]
    dw = DepthwiseConvEmulator(w[0], None, strides, padding)
    dw.tunable = ("weight", "result")  # its bias is a zero uint<1>
    dw_name, pw_name = f"{layer.name}_depthwise", f"{layer.name}_pointwise"
    ctx.add(Node(dw_name, layer.name, f"DepthwiseConv{dim}", ctx.inputs_of(layer), dw), keras_output=False)
    pw = PointwiseConvEmulator(w[1], bias)
    ctx.add(Node(pw_name, layer.name, f"PointwiseConv{dim}", [dw_name], pw))
    add_activation_node(ctx, layer, pw_name)
