"""The emulated hls4ml graph of a Keras model, run in float or in fixed point.

:func:`build_graph` walks the Keras layers in model order and asks the builder registered for each
class (:data:`core.hls.emulate.base.BUILDERS`) for its hls4ml nodes. A layer without a builder, or
whose builder cannot reproduce it (an option hls4ml handles differently from Keras), becomes a
*fallback* node: Keras itself computes it on the emulated input, and its result is rounded to the
precision hls4ml gives it (the configuration's, else the model's default precision). A fallback
node is never searched; :attr:`Graph.fallbacks` says why each one exists.

:meth:`Graph.run` computes every node in topological order (several inputs for merges) and can
re-run only what lies downstream of changed nodes, keeping the rest from a previous run: the
precision search changes one tensor at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import reduce
from typing import Any

import numpy as np

from core.hls.emulate.base import (
    BUILDERS,
    BuildContext,
    Ctx,
    EmulationError,
    Fmt,
    LayerEmulator,
    Node,
)
from core.hls.emulate.fixedpoint import common_format, parse_precision, quantize
from core.weights import FixedPointFormat

Formats = dict[tuple[str, str], Fmt]
DEFAULT_PRECISION = "ap_fixed<16,6>"


class InputEmulator(LayerEmulator):
    """A model input: the events as float32 (what the C simulation is given), then rounded."""

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        return np.asarray(xs[0], np.float32).astype(np.float64)


class FallbackEmulator(LayerEmulator):
    """A layer the emulator does not reproduce: Keras computes it, the result is rounded to the
    precision hls4ml's rule gives it (fixed, never searched)."""

    tunable = ()

    def __init__(self, layer: Any, result: FixedPointFormat | None, reason: str) -> None:
        super().__init__()
        self.layer = layer
        self.reason = reason
        if result is not None:
            self.fixed["result"] = result

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        import tensorflow as tf

        args = [tf.constant(np.asarray(x, np.float32)) for x in xs]
        out = self.layer(args if len(args) > 1 else args[0], training=False)
        return np.asarray(out, np.float64)


def config_precisions(config: Any) -> tuple[dict[str, dict[str, str]], str]:
    """``({node: {field: precision}}, default precision)`` of an ``HlsConfig`` (or None).

    Rows are keyed by their hls4ml name (and their user name); a row's other precisions under
    ``extra["Precision"]`` (BatchNorm ``scale``, ``param``...) count too, and a separable
    convolution's row gives its two nodes ``<sep>_depthwise``/``<sep>_pointwise`` the precisions
    hls4ml copies to them (:func:`~core.hls.emulate.layers_depthwise.separable_precisions`).
    """
    if config is None:
        return {}, DEFAULT_PRECISION
    from core.hls.emulate.layers_depthwise import separable_precisions
    from core.hls.profile import _default_precision, layer_precisions

    precs = layer_precisions(config)
    if hasattr(config, "layers") and callable(config.layers):
        for row in config.layers():
            if isinstance(row, Mapping):
                continue
            p = dict(precs.get(row.name, {}))
            extra = (getattr(row, "extra", None) or {}).get("Precision")
            if isinstance(extra, Mapping):
                p.update({str(k): str(v) for k, v in extra.items() if v is not None})
            for name in {row.name, getattr(row, "hls_name", None) or row.name}:
                precs[name] = p
            if "SeparableConv" in str(row.class_name):
                precs.update(separable_precisions(getattr(row, "hls_name", None) or row.name, p))
    return precs, _default_precision(config)


class Graph:
    """The hls4ml nodes of a Keras model, in topological order.

    Attributes:
        nodes: ``{hls4ml name: Node}`` in topological order.
        inputs: Names of the input nodes, in the order of the model's inputs.
        outputs: Names of the nodes giving the model's outputs.
        keras_output: Keras layer name -> node giving its output.
        fallbacks: Node name -> why Keras computes it (see the module docstring).
        evaluations: Fixed-point or float runs so far.
    """

    def __init__(self, model: Any, ctx: BuildContext, inputs: list[str], fallbacks: dict[str, str]) -> None:
        self.model = model
        self.nodes: dict[str, Node] = dict(ctx.nodes)
        self.inputs = inputs
        self.keras_output = dict(ctx.keras_output)
        self.outputs = [self.keras_output[t._keras_history.layer.name] for t in model.outputs]
        self.fallbacks = fallbacks
        self.evaluations = 0
        self.consumers: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for src in node.inputs:
                self.consumers[src].append(node.name)
        self._floats: dict[str, dict[str, np.ndarray]] = {}
        self._quantized: dict[tuple[str, str, str], np.ndarray] = {}

    # --- structure --------------------------------------------------------------------------------
    def __iter__(self):
        return iter(self.nodes.values())

    def node(self, name: str) -> Node:
        """The node called ``name`` (hls4ml's name)."""
        return self.nodes[name]

    def nodes_of(self, keras_name: str) -> list[Node]:
        """The nodes a Keras layer gives (a Dense with an activation: two), in order."""
        return [n for n in self.nodes.values() if n.keras_name == keras_name]

    def downstream(self, names: Iterable[str]) -> set[str]:
        """``names`` and every node that depends on one of them."""
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.consumers[name])
        return seen

    def checked_layers(self) -> dict[str, str]:
        """Keras layer -> node whose output must equal it (when several Keras layers end in one
        node, e.g. a BatchNorm folded into its Dense, only the last of them)."""
        last: dict[str, str] = {}
        for layer in self.model.layers:
            node = self.keras_output.get(layer.name)
            if node is not None:
                last[node] = layer.name
        return {keras: node for node, keras in last.items()}

    # --- values ------------------------------------------------------------------------------------
    def constant(self, node: Node, fld: str, fmt: Fmt) -> np.ndarray:
        """The stored tensor ``fld`` of ``node``: float, or as hls4ml writes it in ``fmt``
        (decimal text, then the format's rounding; cached)."""
        from core.compress.quantize import hls4ml_weight_values

        floats = self._floats.get(node.name)
        if floats is None:
            floats = self._floats[node.name] = {
                k: np.asarray(v, np.float64) for k, v in node.emulator.constants().items()
            }
        values = floats[fld]
        if fmt is None:
            return values
        key = (node.name, fld, str(fmt))
        if key not in self._quantized:
            self._quantized[key] = hls4ml_weight_values(values.astype(np.float32), fmt)
        return self._quantized[key]

    def result_format(self, fmts: Formats | None, name: str) -> Fmt:
        """The type of node ``name``'s output in a run with ``fmts`` (pass-through nodes keep
        their input's unless the formats give them one of their own)."""
        if fmts is None:
            return None
        node = self.nodes[name]
        emu = node.emulator
        own = emu.fixed.get("result") or fmts.get((name, "result"))
        if emu.pass_through:
            if own is not None and not emu.inplace:
                return own
            ins = [self.result_format(fmts, i) for i in node.inputs]
            if not ins or any(f is None for f in ins):
                return None
            return reduce(common_format, ins)  # several inputs (Concatenate): a type for all
        return own

    def run(
        self,
        xs: list[np.ndarray],
        fmts: Formats | None = None,
        *,
        changed: Iterable[str] | None = None,
        cached: dict[str, np.ndarray] | None = None,
        overflow: dict[str, int] | None = None,
        reference: dict[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Every node's output.

        Args:
            xs: The inputs, one array per model input (order of :attr:`inputs`).
            fmts: ``{(node, field): format}``; None runs in float. A missing or None result
                format means exact (no rounding).
            changed: Only these nodes and those downstream are computed; the others are taken
                from ``cached`` (a run with the same formats upstream).
            cached: A previous run's outputs (with ``changed``).
            overflow: Filled with the number of results that wrapped around, per node.
            reference: Keras's layer outputs (float runs): each node giving a Keras layer's output
                is compared as soon as it is computed (:meth:`check_float`), so that an error
                names the first layer that goes wrong.

        Returns:
            ``{node name: output}`` (float64, batch first).
        """
        self.evaluations += 1
        todo = self.downstream(changed) if changed is not None else None
        x_of = dict(zip(self.inputs, xs))
        checks = {node: keras for keras, node in self.checked_layers().items()} if reference else {}
        outs: dict[str, np.ndarray] = {}
        for name, node in self.nodes.items():
            if todo is not None and name not in todo:
                outs[name] = cached[name]
                continue
            ins = [outs[i] for i in node.inputs] if node.inputs else [x_of[name]]
            in_fmts = [self.result_format(fmts, i) for i in node.inputs]
            ctx = Ctx(node, fmts, in_fmts, self.constant)
            try:
                v = node.emulator.forward(ins, ctx)
            except (ValueError, IndexError, TypeError) as exc:  # shapes it does not understand
                raise EmulationError(
                    f"Auto precision's emulation fails at layer {node.keras_name} ({node.class_name}): {exc}",
                    node.keras_name,
                ) from exc
            if name in checks:
                v = self._check_layer(checks[name], name, v, reference)
            if fmts is not None:
                emu = node.emulator
                r = self.result_format(fmts, name)
                rounds = r is not None and (not emu.pass_through or r != (in_fmts[0] if in_fmts else None))
                if rounds:
                    v, n_over = quantize(v, r)
                    if overflow is not None:
                        overflow[name] = n_over
            outs[name] = v
        return outs

    def output(self, outs: dict[str, np.ndarray]) -> np.ndarray:
        """The model's (first) output from a run."""
        return outs[self.outputs[0]]

    def check_float(self, outs: dict[str, np.ndarray], keras: dict[str, np.ndarray]) -> None:
        """Raise unless a float run reproduces every Keras layer output given in ``keras``."""
        for keras_name, node_name in self.checked_layers().items():
            if node_name in outs:
                self._check_layer(keras_name, node_name, outs[node_name], keras)

    def _check_layer(
        self, keras_name: str, node_name: str, out: np.ndarray, keras: dict[str, np.ndarray]
    ) -> np.ndarray:
        """Raise unless ``out`` reproduces Keras's output of ``keras_name``; returns the output the
        next nodes take (Keras's own for a quantizer a float rounding flipped by one step)."""
        k = keras.get(keras_name)
        if k is None:
            return out
        k = np.asarray(k, np.float64)
        tol = 1e-3 * max(1.0, float(np.max(np.abs(k))) if k.size else 1.0)
        if k.size != out.size:
            diff = float("inf")
        else:
            k = k.reshape(out.shape)
            err = np.abs(out - k)
            diff = float(np.max(err)) if k.size else 0.0
            step = self.nodes[node_name].emulator.fixed.get("result")
            if diff > tol and step is not None:
                # A quantizer (QKeras) turns a last-bit difference of its input (float32 sums in
                # another order than TensorFlow's) into one whole step on the few values at a step's
                # edge: that is Keras's rounding, not the emulator's. Keras's values go on.
                off = err > tol
                if np.all(err[off] <= step.lsb * 1.001) and np.mean(off) <= 0.01:
                    return k
        if diff > tol:
            cls = type(self.model.get_layer(keras_name)).__name__
            raise EmulationError(
                f"Auto precision's emulation does not reproduce Keras at layer {keras_name} ({cls}, "
                f"hls4ml node {node_name}: difference {diff:.3g}); set its precisions by hand.",
                keras_name,
            )
        return out

    def config_formats(self, config: Any) -> Formats:
        """The formats a configuration gives each tensor, ``auto`` resolved as hls4ml does (weights,
        biases and other results: the default precision; a Dense or convolution result: exact)."""
        precs, default_text = config_precisions(config)
        default = FixedPointFormat.parse(default_text)
        fmts: Formats = {}
        for name, node in self.nodes.items():
            p = precs.get(name, {})
            emu = node.emulator
            for fld in emu.tunable:
                if fld == "inp_norm":
                    continue  # the softmax reads its table types from its own settings
                f = parse_precision(p.get(fld))
                if f is None and not (fld == "result" and emu.exact_auto_result):
                    f = default
                fmts[(name, fld)] = f
            if emu.pass_through:
                fmts[(name, "result")] = parse_precision(p.get("result"))
            if parse_precision(p.get("accum")) is not None:
                fmts[(name, "accum")] = parse_precision(p["accum"])
            elif getattr(emu, "auto_accum_is_default", False):
                fmts[(name, "accum")] = default
        return fmts


def build_graph(model: Any, config: Any = None) -> Graph:
    """The emulated hls4ml graph of a Keras model.

    Args:
        model: A built Keras model (Sequential or functional).
        config: The ``HlsConfig`` whose settings some layers read (softmax tables, precisions of
            fallback nodes); hls4ml's defaults when None.

    Returns:
        The :class:`Graph`.
    """
    import core.hls.emulate  # noqa: F401  (the layer modules register their builders)

    ctx = BuildContext(model, config)
    precs, default_text = config_precisions(config)
    # A Sequential model does not list its InputLayer among its layers: take the inputs from its tensors.
    inputs = [t._keras_history.layer.name for t in model.inputs]
    for name in inputs:
        ctx.add(Node(name, name, "Input", [], InputEmulator()))
    fallbacks: dict[str, str] = {}
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        builder = BUILDERS.get(cls)
        reason = f"no emulator for {cls} yet"
        if builder is not None:
            before = dict(ctx.nodes), dict(ctx.keras_output)
            try:
                builder(layer, ctx)
                continue
            except EmulationError as exc:
                ctx.nodes, ctx.keras_output = before
                reason = str(exc)
        result = parse_precision(precs.get(layer.name, {}).get("result")) or FixedPointFormat.parse(
            default_text
        )
        node = Node(
            layer.name, layer.name, cls, ctx.inputs_of(layer), FallbackEmulator(layer, result, reason)
        )
        ctx.add(node)
        fallbacks[layer.name] = reason
    return Graph(model, ctx, inputs, fallbacks)


__all__ = [
    "DEFAULT_PRECISION",
    "FallbackEmulator",
    "Graph",
    "InputEmulator",
    "build_graph",
    "config_precisions",
]
