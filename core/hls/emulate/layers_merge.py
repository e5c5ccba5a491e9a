"""Merge layers of functional models (``nnet_merge.h``): Add, Subtract, Multiply, Average,
Maximum, Minimum, Concatenate, Dot.

hls4ml computes each element in ``ap_fixed`` arithmetic, which is exact for these operations
(a sum or product of two fixed-point numbers gets a type wide enough for it; Average multiplies the
sum by ``ap_ufixed<1,0>(0.5)``, exact too), and casts it once to the result type: float64
arithmetic then one rounding, bit-exact. Dot sums its products in ``accum_t`` (emulated exact).
Concatenate, Maximum and Minimum only select values: they are pass-through, and their result type
is the narrowest that holds both inputs' (hls4ml's rule for ``auto``).
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, LayerEmulator, Node, register

_OPS = {
    "Add": np.add,
    "Subtract": np.subtract,
    "Multiply": np.multiply,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
}


class MergeEmulator(LayerEmulator):
    """An element-wise merge of two (or more) inputs."""

    def __init__(self, op: str) -> None:
        super().__init__()
        self.op = op
        # Selecting one of the inputs computes nothing: the values keep their (common) type.
        self.pass_through = op in ("Maximum", "Minimum")
        self.tunable = () if self.pass_through else ("result",)

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        if self.op == "Average":
            return reduce(np.add, xs) * (1.0 / len(xs))
        return reduce(_OPS[self.op], xs)


class ConcatenateEmulator(LayerEmulator):
    """Concatenation along ``axis`` (values copied: pass-through)."""

    tunable = ()
    pass_through = True

    def __init__(self, axis: int) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return np.concatenate(xs, axis=self.axis)


class DotEmulator(LayerEmulator):
    """The dot product of two vectors (hls4ml's ``dot1d``): one output per event."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def n_terms(self) -> int:
        return self.n

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return np.sum(xs[0] * xs[1], axis=-1, keepdims=True)


@register("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
def build_merge(layer: Any, ctx: BuildContext) -> None:
    cls = type(layer).__name__
    node = Node(layer.name, layer.name, cls, ctx.inputs_of(layer), MergeEmulator(cls))
    ctx.add(node)


@register("Concatenate")
def build_concatenate(layer: Any, ctx: BuildContext) -> None:
    axis = int(layer.get_config().get("axis", -1))
    node = Node(layer.name, layer.name, "Concatenate", ctx.inputs_of(layer), ConcatenateEmulator(axis))
    ctx.add(node)


@register("Dot")
def build_dot(layer: Any, ctx: BuildContext) -> None:
    cfg = layer.get_config()
    shapes = layer.input_shape
    if cfg.get("normalize") or any(len(s) != 2 for s in shapes):
        raise EmulationError(
            f"Auto precision emulates Dot of two vectors without normalization only ({layer.name}).",
            layer.name,
        )
    node = Node(layer.name, layer.name, "Dot", ctx.inputs_of(layer), DotEmulator(int(shapes[0][-1])))
    ctx.add(node)
