"""Pooling, padding, up-sampling and reshaping layers (``nnet_pooling.h``, ``nnet_padding.h``,
``nnet_image.h``, ``nnet_transpose.h``).

* Max pooling keeps its input's type (hls4ml's ``accum_t`` for it is the input type):
  pass-through. It pads ``same`` windows with the input type's top bit set: the most negative
  value of a signed type, which never wins, but ``2^(I-1)`` for an unsigned one, which does (so
  auto precision keeps the input of such a pooling signed).
* Average pooling sums the window in ``accum_t`` and divides by the number of cells inside the
  image (``count_pad`` is false: a ``same`` border divides by fewer, exactly as Keras). The
  ``ap_fixed`` division truncates the quotient toward zero at ``accum_t``'s step; the result is then
  cast to the result type. hls4ml infers ``accum_t`` as the input type with ``ceil(log2 n)`` more
  integer bits and twice as many more fractional bits (``n`` the window size); for *global* average
  pooling it leaves the default precision, so auto precision writes the inferred one.
* Zero padding, cropping, nearest up-sampling and Permute (hls4ml's Transpose) copy values into
  their input's type whatever the configuration says (hls4ml 1.3 ``model/layers.py`` gives their
  output the input's precision); Reshape and Flatten do not even copy (the output is the input
  variable): pass-through. Dropout is removed by
  hls4ml: its Keras layer is an alias of its input node.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, Fmt, LayerEmulator, Node, register
from core.hls.emulate.fixedpoint import quantize
from core.hls.emulate.layers_dense import same_pads
from core.weights import FixedPointFormat


class PassThrough(LayerEmulator):
    """Moves values around (padding, up-sampling, transpose) without computing any."""

    tunable = ()
    pass_through = True

    def __init__(self, fn, inplace: bool = False) -> None:
        super().__init__()
        self.fn = fn
        self.inplace = inplace

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return self.fn(xs[0])


def _windows(x: np.ndarray, pool: tuple[int, ...], strides: tuple[int, ...]) -> np.ndarray:
    win = np.lib.stride_tricks.sliding_window_view(x, pool, axis=tuple(range(1, 1 + len(pool))))
    return win[(slice(None),) + tuple(slice(None, None, s) for s in strides)]


def average_accum(in_fmt: FixedPointFormat, n: int) -> FixedPointFormat:
    """hls4ml's inferred ``accum_t`` of an average pooling over ``n`` cells."""
    extra = math.ceil(math.log2(n)) if n > 1 else 0
    return FixedPointFormat(in_fmt.width + 2 * extra, in_fmt.integer + extra, in_fmt.signed)


def fixed_mean(total: np.ndarray, count: np.ndarray | int, acc: FixedPointFormat) -> np.ndarray:
    """``total / count`` as hls4ml's ``y /= length`` computes it in ``accum_t``: the sum wrapped
    into ``acc``, the quotient truncated toward zero at its step."""
    s, _ = quantize(total, acc)
    raw = s * 2.0**acc.f  # exact integers
    q = np.sign(raw) * (np.abs(raw) // count)
    return q * 2.0**-acc.f


class PoolEmulator(LayerEmulator):
    """Max or average pooling over 1D/2D windows, ``valid`` or ``same``; ``pool=None``: global."""

    def __init__(
        self, op: str, pool: tuple[int, ...] | None, strides: tuple[int, ...] | None, padding: str
    ) -> None:
        super().__init__()
        self.op, self.pool, self.strides, self.padding = op, pool, strides, padding
        self.pass_through = op == "max"
        self.tunable = () if op == "max" else ("result",)
        #: hls4ml leaves a global pooling's ``auto`` accumulator at the default precision.
        self.auto_accum_is_default = pool is None
        #: Its input must be of a signed type (see :meth:`_max_pad`); set by the builder when
        #: 'same' padding really pads.
        self.signed_input = False

    def _cells(self, x: np.ndarray) -> int:
        return int(np.prod(self.pool if self.pool is not None else x.shape[1:-1]))

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        x = xs[0]
        axes = tuple(range(1, x.ndim - 1))
        if self.pool is None:  # global
            if self.op == "max":
                return x.max(axis=axes)
            total, count = x.sum(axis=axes), self._cells(x)
        else:
            nd = len(self.pool)
            if self.padding == "same":
                pads = [(0, 0), *same_pads(x.shape[1:-1], self.pool, self.strides), (0, 0)]
                fill = 0.0 if self.op == "average" else self._max_pad(ctx)
                inside = np.pad(np.ones((1, *x.shape[1:-1], 1)), pads)
                x = np.pad(x, pads, constant_values=fill)
            else:
                inside = np.ones((1, *x.shape[1:-1], 1))
            win_axes = tuple(range(-nd, 0))
            if self.op == "max":
                return _windows(x, self.pool, self.strides).max(axis=win_axes)
            total = _windows(x, self.pool, self.strides).sum(axis=win_axes)
            count = _windows(inside, self.pool, self.strides).sum(axis=win_axes)
        in_fmt = ctx.in_fmts[0] if ctx.in_fmts else None
        if not ctx.quantized or in_fmt is None:
            return total / count
        acc = ctx.fmt("accum") or average_accum(in_fmt, self._cells(xs[0]))
        return fixed_mean(total, count, acc)

    def _max_pad(self, ctx: Ctx) -> float:
        """hls4ml's ``pad_val`` for max pooling: the input type with its top bit set. For a signed
        type that is its most negative value, which never wins; for an unsigned one it is
        ``2^(I-1)``, which wins over every smaller value of the window (an hls4ml 1.3 bug: the
        padded border windows output it)."""
        in_fmt = ctx.in_fmts[0] if ctx.quantized and ctx.in_fmts else None
        if in_fmt is None or in_fmt.signed:
            return -np.inf
        return 2.0 ** (in_fmt.integer - 1)

    def accum(self, in_fmts: list[Fmt], fmt) -> Fmt:
        if self.op == "max" or not in_fmts or in_fmts[0] is None:
            return None
        return average_accum(in_fmts[0], int(np.prod(self.pool)) if self.pool is not None else self._n_global)

    def set_input_shape(self, shape: tuple[int, ...]) -> None:
        self._n_global = int(np.prod(shape[:-1]))


def _tuple(value: Any, nd: int) -> tuple[int, ...]:
    t = tuple(int(v) for v in np.atleast_1d(value))
    return t * nd if len(t) == 1 and nd > 1 else t


@register("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D")
def build_pooling(layer: Any, ctx: BuildContext) -> None:
    cls = type(layer).__name__
    cfg = layer.get_config()
    nd = 1 if cls.endswith("1D") else 2
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise EmulationError(
            f"Auto precision emulates channels-last pooling only ({layer.name}).", layer.name
        )
    pool = _tuple(cfg["pool_size"], nd)
    strides = _tuple(cfg.get("strides") or pool, nd)
    op = "max" if cls.startswith("Max") else "average"
    emu = PoolEmulator(op, pool, strides, cfg.get("padding", "valid"))
    if op == "max" and emu.padding == "same":
        pads = same_pads(tuple(layer.input_shape[1:-1]), pool, strides)
        emu.signed_input = any(p != (0, 0) for p in pads)
    ctx.add(Node(layer.name, layer.name, cls, ctx.inputs_of(layer), emu))


@register("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D")
def build_global_pooling(layer: Any, ctx: BuildContext) -> None:
    cls = type(layer).__name__
    cfg = layer.get_config()
    if cfg.get("keepdims") or cfg.get("data_format", "channels_last") != "channels_last":
        raise EmulationError(
            f"Auto precision emulates channels-last global pooling without keepdims only ({layer.name}).",
            layer.name,
        )
    emu = PoolEmulator("max" if "Max" in cls else "average", None, None, "valid")
    emu.set_input_shape(tuple(layer.input_shape[1:]))
    ctx.add(Node(layer.name, layer.name, cls, ctx.inputs_of(layer), emu))


def _add_pass(layer: Any, ctx: BuildContext, fn, inplace: bool = False) -> None:
    node = Node(layer.name, layer.name, type(layer).__name__, ctx.inputs_of(layer), PassThrough(fn, inplace))
    ctx.add(node)


def _border(layer: Any, amounts: Any) -> list[tuple[int, int]]:
    """``(before, after)`` per spatial axis of a padding or cropping layer (Keras normalises its
    argument to ``((t, b), (l, r))`` or ``(l, r)``); channels-last only."""
    if layer.get_config().get("data_format", "channels_last") != "channels_last":
        raise EmulationError(f"Auto precision emulates channels-last layers only ({layer.name}).", layer.name)
    if isinstance(amounts[0], (tuple, list)):
        return [(int(a), int(b)) for a, b in amounts]
    return [(int(amounts[0]), int(amounts[1]))]


@register("ZeroPadding1D", "ZeroPadding2D")
def build_zero_padding(layer: Any, ctx: BuildContext) -> None:
    pads = _border(layer, layer.padding)
    _add_pass(layer, ctx, lambda x: np.pad(x, [(0, 0), *pads, (0, 0)]), inplace=True)


@register("Cropping1D", "Cropping2D")
def build_cropping(layer: Any, ctx: BuildContext) -> None:
    index = (
        slice(None),
        *(slice(a, -b if b else None) for a, b in _border(layer, layer.cropping)),
        slice(None),
    )
    _add_pass(layer, ctx, lambda x: x[index], inplace=True)


@register("UpSampling1D", "UpSampling2D")
def build_upsampling(layer: Any, ctx: BuildContext) -> None:
    cfg = layer.get_config()
    if (
        cfg.get("interpolation", "nearest") != "nearest"
        or cfg.get("data_format", "channels_last") != "channels_last"
    ):
        raise EmulationError(
            f"Auto precision emulates channels-last nearest-neighbour up-sampling only ({layer.name}).",
            layer.name,
        )
    size = _tuple(cfg["size"], 1 if type(layer).__name__.endswith("1D") else 2)

    def up(x: np.ndarray) -> np.ndarray:
        for axis, s in enumerate(size, start=1):
            x = np.repeat(x, s, axis=axis)
        return x

    _add_pass(layer, ctx, up, inplace=True)


@register("Reshape", "Flatten")
def build_reshape(layer: Any, ctx: BuildContext) -> None:
    shape = tuple(int(d) for d in layer.output_shape[1:])
    _add_pass(layer, ctx, lambda x: x.reshape(x.shape[0], *shape), inplace=True)


@register("Permute")
def build_permute(layer: Any, ctx: BuildContext) -> None:
    dims = tuple(int(d) for d in layer.get_config()["dims"])
    _add_pass(layer, ctx, lambda x: np.transpose(x, (0, *dims)), inplace=True)


@register("Dropout")
def build_dropout(layer: Any, ctx: BuildContext) -> None:
    # Identity at inference; hls4ml removes the layer, so it has no node of its own.
    ctx.alias(layer.name, ctx.inputs_of(layer)[0])
