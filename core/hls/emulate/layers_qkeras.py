"""QKeras layers, as hls4ml 1.3's QKeras handlers convert them.

* ``QDense``, ``QConv1D``, ``QConv2D``, ``QDepthwiseConv2D``: the weights and biases hold their
  quantizer's values (hls4ml applies the QKeras quantizer to the float weights) in the quantizer's
  precision (``quantized_bits(b, i)`` -> ``ap_fixed<b, i+1>``; ``bits == integer`` ->
  ``ap_int<b>``; ternary -> ``ap_int<2>``): those precisions are in :attr:`LayerEmulator.fixed`, the
  search never changes them. A quantizer with ``alpha`` other than 1/None on a QDense/QConv is
  factorized as hls4ml's ``qkeras_factorize_alpha`` does: the layer keeps ``q(w) / scale`` and a
  zero bias, and a ``<layer>_alpha`` node (an ``ApplyAlpha``: ``x * scale + bias``) follows, its
  result in the model's default precision for ``auto_po2`` (a power-of-two scale) or exact
  otherwise. (QDepthwiseConv2D is not factorized by hls4ml: its weights keep the alpha.)
* ``QActivation`` (and a QKeras ``activation=`` of a Q layer, node ``<layer>_<quantizer>``):
  ``quantized_relu`` -> ReLU (LeakyReLU with a negative slope), ``quantized_bits`` -> linear,
  ``quantized_tanh``/``quantized_sigmoid`` -> hard tanh/sigmoid (slope and shift 0.5) unless
  ``use_real_*``, ``binary`` -> ``binary_tanh`` (``x >= 0 ? 1 : -1``), ``ternary`` -> ternary tanh;
  the result precision is fixed by the quantizer (``quantized_relu(b, i)`` ->
  ``ap_ufixed<b, i, AP_RND_CONV, AP_SAT>``), and its rounding/saturation modes are the graph's
  result cast. In float mode the node returns what QKeras computes (the Keras output).
* ``QSeparableConv1D/2D`` split like ``SeparableConv`` (see :mod:`layers_depthwise`), each part
  with its quantizers.
* A BatchNormalization (or an ApplyAlpha fused with one) followed by a binary or threshold-0.5
  ternary activation becomes hls4ml's threshold node ``bnbt_<batchnorm>``
  (:class:`BatchNormThresholdEmulator`); a ternary with another threshold gets its own scale
  first and becomes ``bnbt_<activation>_scale``.
* ``QBatchNormalization`` is registered in :mod:`layers_bn` (hls4ml ignores its quantizers).

Not emulated (a clear :class:`EmulationError`): binary (xnor) and power-of-two weights, an alpha
on a QSeparableConv's pointwise quantizer (hls4ml 1.3 itself fails on it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.emulate.base import BuildContext, Ctx, EmulationError, LayerEmulator, Node, register
from core.hls.emulate.layers_act_extra import (
    HardActivation,
    LeakyReLUEmulator,
    TableActivation,
    constant_format,
)
from core.hls.emulate.layers_bn import BatchNormEmulator, remove_node
from core.hls.emulate.layers_dense import ConvEmulator, DenseEmulator, add_activation_node, kernel_and_bias
from core.hls.emulate.layers_depthwise import DepthwiseConvEmulator, PointwiseConvEmulator, check_options
from core.weights import FixedPointFormat


# --- quantizers as hls4ml reads them ---------------------------------------------------------------
def hls_quantizer(layer: Any, var: str) -> Any:
    """hls4ml's quantizer object for ``<var>_quantizer`` of a QKeras layer (None if unset)."""
    from hls4ml.converters.keras.qkeras import get_quantizer_from_config

    return get_quantizer_from_config({"class_name": type(layer).__name__, "config": layer.get_config()}, var)


def precision_format(hls_type: Any, layer: str, what: str) -> FixedPointFormat:
    """A :class:`FixedPointFormat` for an hls4ml precision type, or EmulationError."""
    from hls4ml.model.types import FixedPrecisionType, IntegerPrecisionType

    if isinstance(hls_type, (FixedPrecisionType, IntegerPrecisionType)):
        return FixedPointFormat.parse(str(hls_type))
    raise EmulationError(
        f"Auto precision cannot emulate layer {layer} yet: its {what} are binary or powers of two "
        f"(hls4ml type {type(hls_type).__name__}), not fixed point; its precisions are left to hls4ml.",
        layer,
    )


def quantized(
    layer: Any, var: str, values: np.ndarray, what: str
) -> tuple[np.ndarray, FixedPointFormat | None]:
    """``values`` as hls4ml stores them (the quantizer applied) and their precision (None: none)."""
    q = hls_quantizer(layer, var)
    if q is None:
        return np.asarray(values, np.float64), None
    fmt = precision_format(q.hls_type, layer.name, what)
    return np.asarray(q(np.asarray(values, np.float32)), np.float64), fmt


def _has_alpha(q: Any) -> bool:
    alpha = getattr(q, "alpha", None)
    return alpha is not None and not (isinstance(alpha, (int, float)) and alpha == 1)


def _factorized_kernel(
    layer: Any, kernel: np.ndarray, kvar: str = "kernel"
) -> tuple[np.ndarray, np.ndarray, Any]:
    """hls4ml's ``QKerasFactorizeAlpha`` on the kernel: ``(q(w)/scale re-quantized, scale, alpha)``."""
    import tensorflow as tf

    q = hls_quantizer(layer, kvar)
    fn = q.quantizer_fn
    qw = fn(tf.convert_to_tensor(np.asarray(kernel, np.float32)))
    raw = fn.scale
    n_out = kernel.shape[-1]
    # numpy types as hls4ml's pass has them (a float32 per-channel scale stays float32)
    scale = np.ones(n_out) * raw if isinstance(raw, (int, float)) else np.asarray(raw)
    new_w = (1.0 / scale) * qw.numpy()
    scale = scale.reshape(-1)
    cfg = dict(fn.get_config(), alpha=1)
    unit = fn.__class__.from_config(cfg)
    w = np.asarray(unit(np.asarray(new_w, np.float32)), np.float64)
    return w, np.asarray(scale, np.float64), fn.get_config().get("alpha")


class QDenseEmulator(DenseEmulator):
    """``x @ weight + bias`` with quantizer-fixed weight/bias precisions (``nnet::dense``)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, fixed: dict[str, FixedPointFormat]) -> None:
        super().__init__(weight, bias)
        self.fixed.update(fixed)
        self.tunable = tuple(f for f in DenseEmulator.tunable if f not in fixed)


class QConvEmulator(ConvEmulator):
    """Channels-last convolution with quantizer-fixed weight/bias precisions."""

    def __init__(self, weight, bias, fixed, strides: tuple[int, ...], padding: str) -> None:
        super().__init__(weight, bias, strides, padding)
        self.fixed.update(fixed)
        self.tunable = tuple(f for f in ConvEmulator.tunable if f not in fixed)


class ApplyAlphaEmulator(BatchNormEmulator):
    """hls4ml's ``ApplyAlpha`` after a QDense/QConv whose quantizer has an alpha scale."""

    tunable = ()


def _default_precision(ctx: BuildContext) -> FixedPointFormat:
    settings = getattr(ctx.config, "settings", None)
    return FixedPointFormat.parse(getattr(settings, "default_precision", None) or "ap_fixed<16,6>")


def _quantized_linear(
    layer: Any, ctx: BuildContext, kernel: np.ndarray, bias: np.ndarray | None, kvar: str = "kernel"
) -> tuple[np.ndarray, np.ndarray, dict[str, FixedPointFormat], ApplyAlphaEmulator | None]:
    """A quantized kernel and bias as hls4ml stores them: ``(weight, bias, fixed precisions,
    ApplyAlpha emulator or None)`` (``qkeras_factorize_alpha`` when a quantizer has an alpha)."""
    kq, bq = hls_quantizer(layer, kvar), hls_quantizer(layer, "bias")
    fixed: dict[str, FixedPointFormat] = {}
    n_out = kernel.shape[-1]
    b = np.zeros(n_out) if bias is None else np.asarray(bias, np.float64)
    if bq is not None and bias is not None:
        b, fixed["bias"] = quantized(layer, "bias", bias, "bias")
    if kq is None:
        return np.asarray(kernel, np.float64), b, fixed, None
    fixed["weight"] = precision_format(kq.hls_type, layer.name, "weights")
    if not (_has_alpha(kq) or (bq is not None and _has_alpha(bq))):
        return np.asarray(kq(kernel), np.float64), b, fixed, None
    w, scale, alpha = _factorized_kernel(layer, kernel, kvar)
    emu_alpha = ApplyAlphaEmulator(scale, b)
    # The ApplyAlpha's precisions are all `auto`: a power-of-two scale leaves its result at the
    # default precision, another scale is stored in the default precision (result exact).
    if alpha == "auto_po2":
        emu_alpha.fixed["result"] = _default_precision(ctx)
    else:
        emu_alpha.fixed["scale"] = _default_precision(ctx)
    emu_alpha.fixed["bias"] = fixed.get("bias") or _default_precision(ctx)
    return w, np.zeros(n_out), fixed, emu_alpha


def _build_q(layer: Any, ctx: BuildContext, make) -> None:
    """Shared by QDense/QConv: quantized constants, the optional ApplyAlpha and the activation."""
    kernel, bias = kernel_and_bias(layer, np.float32)  # quantizers act on float32
    w, b, fixed, alpha = _quantized_linear(layer, ctx, kernel, bias)
    cls = type(layer).__name__
    last = ctx.add(Node(layer.name, layer.name, cls, ctx.inputs_of(layer), make(w, b, fixed))).name
    if alpha is not None:
        last = ctx.add(Node(f"{layer.name}_alpha", layer.name, "ApplyAlpha", [last], alpha)).name
    add_q_activation(layer, ctx, last)


@register("QDense")
def build_qdense(layer: Any, ctx: BuildContext) -> None:
    _build_q(layer, ctx, QDenseEmulator)


@register("QConv1D", "QConv2D")
def build_qconv(layer: Any, ctx: BuildContext) -> None:
    strides, padding = check_options(layer)
    _build_q(layer, ctx, lambda w, b, fixed: QConvEmulator(w, b, fixed, strides, padding))


@register("QDepthwiseConv2D")
def build_qdepthwise(layer: Any, ctx: BuildContext) -> None:
    strides, padding = check_options(layer)
    kernel, bias = kernel_and_bias(layer, np.float32)  # quantizers act on float32
    w, wfmt = quantized(layer, "depthwise", kernel, "weights")
    emu = DepthwiseConvEmulator(w, None, strides, padding)
    if bias is not None:
        emu.bias, bfmt = quantized(layer, "bias", bias, "bias")
        if bfmt is not None:
            emu.fixed["bias"] = bfmt
    if wfmt is not None:
        emu.fixed["weight"] = wfmt
    emu.tunable = tuple(f for f in ("weight", "bias", "result") if f not in emu.fixed)
    ctx.add(Node(layer.name, layer.name, "DepthwiseConv2D", ctx.inputs_of(layer), emu))
    add_q_activation(layer, ctx, layer.name)


@register("QSeparableConv1D", "QSeparableConv2D")
def build_qseparable(layer: Any, ctx: BuildContext) -> None:
    """``<layer>_depthwise`` (depthwise quantizer, no bias) then ``<layer>_pointwise`` (pointwise
    and bias quantizers), as hls4ml splits it."""
    strides, padding = check_options(layer)
    weights = layer.get_weights()
    bias = weights[2] if layer.get_config().get("use_bias", True) and len(weights) > 2 else None
    dim = type(layer).__name__[-2:]
    dk, dfmt = quantized(layer, "depthwise", weights[0], "depthwise weights")
    dw = DepthwiseConvEmulator(dk, None, strides, padding)
    if dfmt is not None:
        dw.fixed["weight"] = dfmt
    dw.tunable = tuple(f for f in ("weight", "result") if f not in dw.fixed)
    dw_name, pw_name = f"{layer.name}_depthwise", f"{layer.name}_pointwise"
    ctx.add(Node(dw_name, layer.name, f"DepthwiseConv{dim}", ctx.inputs_of(layer), dw), keras_output=False)
    w, b, fixed, alpha = _quantized_linear(layer, ctx, np.asarray(weights[1], np.float32), bias, "pointwise")
    if alpha is not None:  # qkeras_factorize_alpha fails on the split node (it has no 'name')
        raise EmulationError(
            f"hls4ml 1.3 cannot convert {layer.name}: its pointwise/bias quantizer has an alpha scale; "
            "use alpha=1.",
            layer.name,
        )
    pw = PointwiseConvEmulator(w, b)
    pw.fixed.update(fixed)
    pw.tunable = tuple(f for f in ("weight", "bias", "result") if f not in fixed)
    ctx.add(Node(pw_name, layer.name, f"PointwiseConv{dim}", [dw_name], pw))
    add_q_activation(layer, ctx, pw_name)


# --- activations -----------------------------------------------------------------------------------
class QuantizedActivation(LayerEmulator):
    """A QKeras activation as hls4ml converts it; the result precision is the quantizer's.

    ``fixed_op`` computes hls4ml's function before the cast to the result type; in float mode the
    QKeras function itself (``float_fn``) gives the Keras output.
    """

    def __init__(self, fixed_op: LayerEmulator | None, kind: str, float_fn, result: FixedPointFormat) -> None:
        super().__init__()
        self.op, self.kind, self.float_fn = fixed_op, kind, float_fn
        self.fixed["result"] = result
        self.tunable = ()
        self.non_negative = not result.signed
        self.threshold = 0.5

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        x = xs[0]
        if not ctx.quantized:
            return np.asarray(self.float_fn(x.astype(np.float32)), np.float64)
        if self.kind == "binary_tanh":
            return np.where(x >= 0, 1.0, -1.0)
        if self.kind == "ternary_tanh":
            t = self.threshold
            fmt = ctx.in_fmts[0] if ctx.in_fmts else None
            if fmt is not None:  # thresholds stored in the input's type (floor)
                t = np.floor(t * 2.0**fmt.f) / 2.0**fmt.f
                lo = np.floor(-self.threshold * 2.0**fmt.f) / 2.0**fmt.f
            else:
                lo = -t
            return np.where(x > t, 1.0, np.where(x <= lo, -1.0, 0.0))
        if self.op is not None:
            return self.op.forward(xs, ctx)
        if self.kind == "relu":
            return np.maximum(x, 0.0)
        return x  # linear (quantized_bits): only the cast


def q_activation_emulator(activation: Any, float_fn, layer_name: str) -> tuple[str, LayerEmulator]:
    """``(hls4ml class, emulator)`` of a QKeras activation (a quantizer object, dict or string)."""
    from hls4ml.converters.keras.qkeras import get_activation_quantizer
    from hls4ml.utils.config import _get_precision_from_quantizer

    try:
        parsed = get_activation_quantizer(
            {"class_name": "QActivation", "config": {"name": layer_name, "activation": activation}}, None
        )
        result = precision_format(
            _get_precision_from_quantizer(parsed["activation_quantizer"]), layer_name, "output"
        )
    except EmulationError:
        raise
    except Exception as exc:
        raise EmulationError(
            f"Auto precision cannot emulate the QKeras activation of {layer_name}: {exc}", layer_name
        ) from None
    cls, kind = parsed["class_name"], parsed["activation"]
    op: LayerEmulator | None = None
    threshold = float(parsed.get("threshold", 0.33)) if kind == "ternary_tanh" else 0.5
    # A ternary threshold other than 0.5 puts an ApplyAlpha of its own between (no merge).
    if cls == "HardActivation":
        op = HardActivation(
            tanh=kind == "hard_tanh",
            slope=parsed["slope"],
            shift=parsed["shift"],
            slope_fmt=FixedPointFormat.parse(str(parsed["slope_prec"])),
            shift_fmt=FixedPointFormat.parse(str(parsed["shift_prec"])),
        )
    elif cls == "LeakyReLU":
        op = LeakyReLUEmulator(float(parsed["activ_param"]), constant_format(float(parsed["activ_param"])))
    elif kind in ("sigmoid", "tanh"):
        op = TableActivation(kind)
    elif kind not in ("relu", "linear", "binary_tanh", "ternary_tanh"):
        raise EmulationError(
            f"Auto precision cannot emulate the QKeras activation '{kind}' of {layer_name}.", layer_name
        )
    emu = QuantizedActivation(op, kind, float_fn, result)
    emu.threshold = threshold
    return cls, emu


def _keras_fn(fn):
    def call(x: np.ndarray) -> np.ndarray:
        import tensorflow as tf

        return fn(tf.constant(x, tf.float32)).numpy()

    return call


def add_q_activation(layer: Any, ctx: BuildContext, node_name: str) -> None:
    """The activation node of a QDense/QConv (``<layer>_<activation>``), if any."""
    act = layer.get_config().get("activation", "linear")
    if act is None or act == "linear":
        return
    if isinstance(act, str) and "(" not in act and not act.startswith(("quantized", "binary", "ternary")):
        add_activation_node(ctx, layer, node_name, act)
        return
    label = act["class_name"] if isinstance(act, dict) else str(act).split("(")[0]
    name = f"{layer.name}_{label}"
    cls, emu = q_activation_emulator(act, _keras_fn(layer.activation), name)
    _add_activation(ctx, name, layer.name, cls, [node_name], emu)


class BatchNormThresholdEmulator(LayerEmulator):
    """hls4ml's ``BatchNormalizationQuantizedTanh``: a BatchNormalization and the binary or
    ternary activation after it, merged into comparisons with per-channel thresholds
    (``nnet::normalize_binary_tanh``/``normalize_ternary_tanh``). Bit-exact by construction.

    The thresholds are ``-bias/scale`` (ternary: ``+- 0.5/scale`` around it), floored to the
    input's fractional bits and stored in the input's type. The binary output is hls4ml's
    ``ap_uint<1>``: 1 for +1 and **0 for -1**; in float the node gives Keras's +-1.
    """

    tunable = ()

    def __init__(self, bn: LayerEmulator, act: QuantizedActivation) -> None:
        super().__init__()
        self.scale = np.asarray(bn.scale, np.float32)
        self.bias = np.asarray(bn.bias, np.float32)
        self.float_scale, self.float_bias = bn.float_scale, bn.float_bias
        self.act = act
        self.binary = act.kind == "binary_tanh"
        self.fixed["result"] = FixedPointFormat(1, 1, False) if self.binary else FixedPointFormat(2, 2, True)

    def _stored(self, t: np.ndarray, fmt: FixedPointFormat | None) -> np.ndarray:
        from core.compress.quantize import hls4ml_weight_values

        if fmt is None:
            return np.asarray(t, np.float64)
        floored = np.floor(np.asarray(t, np.float64) * 2.0**fmt.f) / 2.0**fmt.f
        return hls4ml_weight_values(floored.astype(np.float32), fmt)

    def forward(self, xs: list[np.ndarray], ctx: Ctx) -> np.ndarray:
        x = xs[0]
        if not ctx.quantized:
            return self.act.forward([x * self.float_scale + self.float_bias], ctx)
        fmt = ctx.in_fmts[0] if ctx.in_fmts else None
        with np.errstate(divide="ignore", invalid="ignore"):
            t = -self.bias / self.scale
            if self.binary:
                return np.where(x >= self._stored(t, fmt), 1.0, 0.0)
            hi = self._stored(np.float32(0.5) / self.scale + t, fmt)
            lo = self._stored(np.float32(-0.5) / self.scale + t, fmt)
        return np.where(x > hi, 1.0, np.where(x <= lo, -1.0, 0.0))


def _add_activation(ctx: BuildContext, name: str, keras_name: str, cls: str, inputs: list[str], emu) -> None:
    prev = ctx.nodes.get(inputs[0]) if len(inputs) == 1 else None
    merges = emu.kind == "binary_tanh" or (emu.kind == "ternary_tanh" and emu.threshold == 0.5)
    if merges and prev is not None and isinstance(prev.emulator, BatchNormEmulator):
        # merge_batch_norm_quantized_tanh: the BatchNorm and the activation become one node
        remove_node(ctx, prev.name, f"bnbt_{prev.name}")
        node = Node(
            f"bnbt_{prev.name}",
            keras_name,
            "BatchNormalizationQuantizedTanh",
            list(prev.inputs),
            BatchNormThresholdEmulator(prev.emulator, emu),
            params={"folded": [prev.keras_name]},
        )
        ctx.add(node)
        return
    if emu.kind == "ternary_tanh" and emu.threshold != 0.5:
        # extract_ternary_threshold puts a `<name>_scale` ApplyAlpha before the ternary tanh and
        # merge_batch_norm_quantized_tanh fuses the two into one threshold node
        name, cls = f"bnbt_{name}_scale", "BatchNormalizationQuantizedTanh"
    ctx.add(Node(name, keras_name, cls, inputs, emu))


@register("QActivation")
def build_qactivation(layer: Any, ctx: BuildContext) -> None:
    inputs = ctx.inputs_of(layer)
    cls, emu = q_activation_emulator(layer.get_config()["activation"], _keras_fn(layer), layer.name)
    _add_activation(ctx, layer.name, layer.name, cls, inputs, emu)
