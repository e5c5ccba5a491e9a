"""Hardware cost of a model: bit widths, quantized size, bit operations (BOPs) and an energy estimate.

Everything is read from layer attributes, weight values and :func:`core.models.inspect_model`; no
TensorFlow graph is built and the model is never run.

**Bit widths.** A layer's *weight bits* are its QKeras weight quantizer's ``bits`` (kernel,
depthwise or pointwise), 32 for a float layer, or what ``weight_bits_override`` says (post-training
fixed-point variants keep float-valued Keras weights that are really ``ap_fixed<b, i>``: pass their
width, per layer or per tensor: :func:`cost_overrides_from_variant` reads it from a variant's
lineage). Each weight tensor of a layer has its own width in the size, memory and BOPs counts:
kernels take the kernel quantizer's, biases the bias quantizer's, a tensor whose role has no
quantizer is float (32 bits), and an override replaces what it names.
A layer's *activation bits* are those of the values feeding it: walking back through layers that
only move numbers around (reshape, flatten, max pooling, dropout, padding, cropping, up-sampling)
to the first layer that produces values — a ``QActivation`` or a QKeras layer with
an activation quantizer gives its bits; anything else (the model input, a float layer, an average
pooling, a float batch normalization) gives 32 (float). Several inputs (Add, Concatenate) take the
widest.

**Quantized size** (bytes), per weight tensor ``t`` with ``N_t`` entries, ``Z_t`` non-zero entries
and ``b_t`` bits, stored densely or as a coordinate list, whichever is smaller::

    size_quantized = ceil( Σ_t min( N_t·b_t , Z_t·(b_t + i_t) ) / 8 )

where ``i_t`` = 8, 16 or 32 index bits (the fewest bytes among 1, 2, 4 that address the tensor, as
``size_sparse`` in :mod:`core.models.inspect`). Weights are packed bit by bit (no byte padding per
value). For a float model with no zeros it equals ``size_dense``.

**BOPs** — bit operations per inference (Baskin et al., "UNIQ: Uniform Noise Injection for
Non-Uniform Quantization of Neural Networks", ACM TOCS 37, 2021; used by Coelho et al., "Automatic
heterogeneous quantization of deep neural networks for low-latency inference on the edge for
particle detectors", Nature Machine Intelligence 3, 675, 2021). A layer with ``m`` outputs, ``n``
inputs and a ``k×k`` kernel costs::

    BOPs ≈ m·n·k² · ( (1 − f_p)·b_a·b_w + b_a + b_w + log2(n·k²) )

with ``b_a``, ``b_w`` the activation and weight bits and ``f_p`` the fraction of the layer's kernel
weights that are exactly zero (pruned). The product term counts the multiplications, the rest the
additions into an accumulator of ``b_a + b_w + log2(n·k²)`` bits. Here ``m·n·k²`` is the layer's MAC
count from :func:`core.models.inspect_model` (so a convolution is multiplied by its output positions;
a Dense layer has ``k = 1``) and ``n·k²`` is the fan-in of one output: ``n`` for Dense, ``k²·cin/groups``
for a convolution, ``k²`` for a depthwise convolution, ``k²·cin`` for a transposed convolution (an
upper bound: strides spread the kernel), input + units for a recurrent layer; a separable
convolution is its depthwise and pointwise parts summed. Zeros produced by a quantizer itself (e.g.
ternary rounding small weights to 0) are not counted in ``f_p``: it is read from the stored values.

**Energy per inference — an estimate** (``energy_pj_estimate``, picojoules). Operation and memory
access energies at 45 nm, 0.9 V (M. Horowitz, "Computing's energy problem (and what we can do about
it)", ISSCC 2014, p. 10):

    ============================  ===========
    operation                     energy (pJ)
    ============================  ===========
    8-bit integer add             0.03
    16-bit integer add            0.05
    32-bit integer add            0.1
    32-bit float add              0.9
    8-bit integer multiply        0.2
    32-bit integer multiply       3.1
    32-bit float multiply         3.7
    32-bit SRAM read (8 kB)       5
    32-bit DRAM read              640
    ============================  ===========

Other widths are scaled from these points:

* integer multiply of ``b_a × b_w`` bits: ``0.2 pJ · (b_a·b_w / 64)^γ`` with
  ``γ = ln(3.1/0.2) / ln 16 ≈ 0.989``, the power law through the 8×8 and 32×32 points (an array
  multiplier has ``b_a·b_w`` partial products, so energy ≈ ∝ bits²);
* integer add of ``b`` bits (the accumulator, ``b = b_a + b_w + ⌈log2(n·k²)⌉`` as in BOPs): linear
  interpolation through (8, 0.03), (16, 0.05), (32, 0.1) pJ, proportional to ``b`` below 8 and above
  32 bits;
* memory: a ``b``-bit weight read costs ``b/32`` of a 32-bit word read (weights packed in words).

A layer whose weights *and* inputs are both float uses the float multiply and add; otherwise the
operation is fixed-point, with a float operand counted as 32 bits. Compute energy counts one
multiply and one accumulate per MAC with a non-zero weight (zero weights are skipped, as an FPGA
design does by not instantiating them); biases, activations, pooling and batch normalization are
not counted. Memory energy counts one fetch per non-zero weight (all of a layer's parameters, biases
and batch-normalization parameters included) from on-chip SRAM — on an FPGA trigger every weight
sits on chip; ``weight_memory="dram"`` prices the fetches at the DRAM figure instead. Activation
traffic is not counted. This is an order-of-magnitude figure to compare variants, not a power
measurement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import tensorflow as tf

    from core.models.inspect import ModelSummary

FLOAT_BITS = 32

# Horowitz, ISSCC 2014, 45 nm (pJ).
E_FLOAT32_MULT = 3.7
E_FLOAT32_ADD = 0.9
E_INT8_MULT = 0.2
E_INT32_MULT = 3.1
E_INT_ADD_POINTS = ((8, 0.03), (16, 0.05), (32, 0.1))
E_SRAM_READ_32 = 5.0
E_DRAM_READ_32 = 640.0
MULT_EXPONENT = math.log(E_INT32_MULT / E_INT8_MULT) / math.log(16.0)  # γ ≈ 0.989

_KERNEL_ROLES = ("kernel", "depthwise", "pointwise")
_KERNEL_NAMES = ("kernel", "depthwise_kernel", "pointwise_kernel")
# Layers that pass their input values through unchanged in number format.
_TRANSPARENT = (
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianDropout",
    "AlphaDropout",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
)


@dataclass
class LayerCost:
    """Cost numbers of one layer (see the module docstring for every formula).

    Attributes:
        name: Layer name.
        weight_bits: Headline weight bit width (kernel's; 32 for float), None for a layer without weights.
        act_bits: Bit width of the values feeding the layer (32 for float).
        params: Number of weights.
        nonzero: Weights that are not exactly zero.
        macs: Multiply-accumulates per inference.
        pruned_fraction: Fraction ``f_p`` of the kernel weights that are exactly zero.
        bops: Bit operations per inference.
        size_quantized_bits: Storage of the weights, in bits (dense or COO, whichever is smaller per tensor).
        dense_bits: Storage of the weights packed densely at their bit widths, in bits.
        energy_compute_pj: Estimated compute energy per inference, pJ.
        energy_memory_pj: Estimated weight-fetch energy per inference, pJ.
        float_ops: True when the MACs are float operations (float weights and float inputs).
    """

    name: str
    weight_bits: int | None
    act_bits: int
    params: int
    nonzero: int
    macs: int
    pruned_fraction: float
    bops: float
    size_quantized_bits: int
    dense_bits: int
    energy_compute_pj: float
    energy_memory_pj: float
    float_ops: bool


# --- energy scaling ---------------------------------------------------------------------------------
def mult_energy_pj(a_bits: float, w_bits: float, floating: bool = False) -> float:
    """Energy of one multiplication, pJ (Horowitz 2014 figures, scaled as the module docstring says).

    Args:
        a_bits: Activation (input) bit width.
        w_bits: Weight bit width.
        floating: True for a 32-bit float multiply.
    """
    if floating:
        return E_FLOAT32_MULT
    return E_INT8_MULT * (a_bits * w_bits / 64.0) ** MULT_EXPONENT


def add_energy_pj(bits: float, floating: bool = False) -> float:
    """Energy of one addition of ``bits``-bit integers (or a 32-bit float add), pJ."""
    if floating:
        return E_FLOAT32_ADD
    (b0, e0), _, (b2, e2) = E_INT_ADD_POINTS
    if bits <= b0:
        return e0 * bits / b0
    if bits >= b2:
        return e2 * bits / b2
    xs, ys = zip(*E_INT_ADD_POINTS)
    return float(np.interp(bits, xs, ys))


def read_energy_pj(bits: float, memory: str = "sram") -> float:
    """Energy of reading one ``bits``-bit value from on-chip SRAM (8 kB) or DRAM, pJ."""
    per_word = {"sram": E_SRAM_READ_32, "dram": E_DRAM_READ_32}[memory]
    return per_word * bits / 32.0


def accumulator_bits(a_bits: int, w_bits: int, fan_in: int) -> int:
    """Width of the accumulator of a dot product of ``fan_in`` terms: ``b_a + b_w + ⌈log2 fan_in⌉``."""
    return int(a_bits + w_bits + math.ceil(math.log2(max(fan_in, 1))))


def bops_formula(
    macs: float, fan_in: int, a_bits: float, w_bits: float, pruned_fraction: float = 0.0
) -> float:
    """BOPs of a layer part: ``macs·((1 − f_p)·b_a·b_w + b_a + b_w + log2(fan_in))``.

    Args:
        macs: Multiply-accumulates per inference, ``m·n·k²`` (× output positions for a convolution).
        fan_in: Inputs of one output, ``n·k²``.
        a_bits: Activation bits ``b_a``.
        w_bits: Weight bits ``b_w``.
        pruned_fraction: Fraction ``f_p`` of zero weights.
    """
    return macs * ((1.0 - pruned_fraction) * a_bits * w_bits + a_bits + w_bits + math.log2(max(fan_in, 1)))


# --- overrides ----------------------------------------------------------------------------------------
_FORMAT_WIDTH = re.compile(r"<\s*(\d+)")
_INT8_WEIGHTS = {"kernel": 8, "depthwise_kernel": 8, "pointwise_kernel": 8, "bias": 32}


def cost_overrides_from_variant(operation: str | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The bit widths a variant's lineage declares, as keyword arguments for :func:`model_cost`.

    Post-training quantized variants keep float Keras weights whose values lie on a fixed-point or
    int8 grid; only the operation knows the width. Recognised, in order:

    * ``params["weight_bits_override"]`` / ``params["act_bits_override"]``: taken as they are;
    * ``params["formats"]`` = ``{layer: {weight: "ap_fixed<W,I>"}}`` (the ``fixed_point`` operation):
      ``W`` per weight tensor; activations stay float (hls4ml quantizes them in C simulation);
    * an ``int8`` operation (``quantize_int8``): 8-bit kernels and 32-bit biases for the layers in
      ``params["weights_source"]`` (TFLite's int8 weights and int32 biases) and 8-bit activations
      everywhere (full-integer inference).

    QKeras variants need nothing: their quantizers are read from the model.

    Args:
        operation: The variant's ``operation``.
        params: The variant's ``params``.

    Returns:
        ``{"weight_bits_override": ..., "act_bits_override": ...}`` (only the keys that apply).
    """
    params = dict(params or {})
    out: dict[str, Any] = {}
    for key in ("weight_bits_override", "act_bits_override"):
        if params.get(key) is not None:
            out[key] = params[key]
    formats = params.get("formats")
    if "weight_bits_override" not in out and isinstance(formats, Mapping) and formats:
        widths: dict[str, dict[str, int]] = {}
        for layer, per_weight in formats.items():
            if isinstance(per_weight, Mapping):
                found = {
                    w: int(m.group(1)) for w, f in per_weight.items() if (m := _FORMAT_WIDTH.search(str(f)))
                }
                if found:
                    widths[str(layer)] = found
        if widths:
            out["weight_bits_override"] = widths
    if "int8" in (operation or "").lower() and "weight_bits_override" not in out:
        layers = params.get("weights_source")
        if isinstance(layers, Mapping) and layers:
            out["weight_bits_override"] = {str(layer): dict(_INT8_WEIGHTS) for layer in layers}
        else:
            out["weight_bits_override"] = {"*": dict(_INT8_WEIGHTS)}
        out.setdefault("act_bits_override", 8)
    return out


def _layer_override(override: Any, name: str) -> int | dict[str, int] | None:
    """A layer's entry in an override: an int (every tensor), ``{weight: bits}``, or None."""
    if override is None:
        return None
    if isinstance(override, Mapping):
        v = override.get(name, override.get("*"))
        if v is None:
            return None
        return {str(k): int(b) for k, b in v.items()} if isinstance(v, Mapping) else int(v)
    return int(override)


def _act_override(override: Any, name: str) -> int | None:
    v = _layer_override(override, name)
    if isinstance(v, dict):
        raise ValueError(f"act_bits_override for '{name}' must be a number of bits, not {v}")
    return v


# --- model walk -----------------------------------------------------------------------------------------
def _inbound_layers(layer: Any, known: set[int]) -> list[Any]:
    out = []
    for node in getattr(layer, "_inbound_nodes", []) or []:
        inbound = node.inbound_layers
        inbound = inbound if isinstance(inbound, (list, tuple)) else [inbound]
        for src in inbound:
            if id(src) in known or type(src).__name__ == "InputLayer":
                out.append(src)
    return out


def _output_bits(layer: Any, known: set[int], act_override: int | dict | None, depth: int = 0) -> int:
    """Bits of the values a layer outputs (32 for float)."""
    from core.models.inspect import _bits, _quantizers
    from core.models.wrappers import unwrap_layer

    if type(layer).__name__ == "InputLayer" or depth > 200:
        return _act_override(act_override, layer.name) or FLOAT_BITS
    counted = unwrap_layer(layer)
    q = _quantizers(counted).get("activation")
    if q is not None and (b := _bits(q)) is not None:
        return b
    if type(counted).__name__ in _TRANSPARENT:
        return _input_bits(layer, known, act_override, depth + 1)
    return FLOAT_BITS


def _input_bits(layer: Any, known: set[int], act_override: int | dict | None, depth: int = 0) -> int:
    """Bits of the values feeding a layer: see the module docstring."""
    own = _act_override(act_override, layer.name)
    if own is not None:
        return own
    sources = _inbound_layers(layer, known)
    if not sources:
        return FLOAT_BITS
    return max(_output_bits(src, known, act_override, depth) for src in sources)


def _array(v: Any) -> np.ndarray:
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


def _mac_parts(layer: Any, macs: int) -> list[tuple[float, int, list[np.ndarray], str]]:
    """A layer's MACs in parts ``(macs, fan_in, kernel arrays, kernel weight name)``, one fan-in each."""
    import tensorflow as tf

    L = tf.keras.layers
    if macs <= 0:
        return []
    if isinstance(layer, (L.SeparableConv1D, L.SeparableConv2D)):
        dw, pw = _array(layer.depthwise_kernel), _array(layer.pointwise_kernel)
        total = dw.size + pw.size
        return [
            (macs * dw.size / total, math.prod(dw.shape[:-2]), [dw], "depthwise_kernel"),
            (macs * pw.size / total, int(pw.shape[-2]), [pw], "pointwise_kernel"),
        ]
    if isinstance(layer, (L.DepthwiseConv1D, L.DepthwiseConv2D)):
        dw = _array(layer.depthwise_kernel)
        return [(macs, math.prod(dw.shape[:-2]), [dw], "depthwise_kernel")]
    if isinstance(layer, (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose)):
        k = _array(layer.kernel)
        return [(macs, math.prod(k.shape[:-2]) * int(k.shape[-1]), [k], "kernel")]
    if isinstance(layer, (L.RNN, L.Bidirectional)):
        rnns = [layer.forward_layer, layer.backward_layer] if isinstance(layer, L.Bidirectional) else [layer]
        arrays, fan_in = [], 1
        for rnn in rnns:
            cell = getattr(rnn, "cell", None)
            if hasattr(cell, "kernel") and hasattr(cell, "recurrent_kernel"):
                k, r = _array(cell.kernel), _array(cell.recurrent_kernel)
                arrays += [k, r]
                fan_in = int(k.shape[0]) + int(r.shape[0])
        return [(macs, fan_in, arrays, "kernel")] if arrays else []
    kernel = getattr(layer, "kernel", None)
    if kernel is not None:  # Dense, Conv1D/2D/3D and their QKeras versions
        k = _array(kernel)
        return [(macs, math.prod(k.shape[:-1]), [k], "kernel")]
    return []


def _tensor_role(weight_name: str) -> str:
    short = weight_name.rsplit("/", 1)[-1]
    if short.endswith("_kernel") and short != "kernel":
        short = short[: -len("_kernel")]  # depthwise_kernel -> depthwise, recurrent_kernel -> recurrent
    if short.startswith("moving_"):
        short = short[len("moving_") :]  # moving_mean -> mean
    return short


# --- public API -----------------------------------------------------------------------------------------
def layer_costs(
    model: tf.keras.Model,
    summary: ModelSummary | None = None,
    *,
    weight_bits_override: int | Mapping[str, Any] | None = None,
    act_bits_override: int | Mapping[str, int] | None = None,
    weight_memory: str = "sram",
) -> list[LayerCost]:
    """Per-layer bit widths, size, BOPs and energy estimate (formulas in the module docstring).

    Args:
        model: A built Keras / QKeras model.
        summary: Its :func:`core.models.inspect_model` result (computed when not given).
        weight_bits_override: Weight bits of variants whose float weights are really fixed-point:
            an int (every tensor of every layer), or per layer (``"*"`` for the others) an int or
            ``{weight name: bits}`` (``kernel``, ``bias``...; unlisted tensors keep their own width).
            :func:`cost_overrides_from_variant` builds it from a variant's lineage.
        act_bits_override: Bits of the activations feeding each layer: an int or ``{layer: bits}``.
        weight_memory: ``"sram"`` (on-chip, default) or ``"dram"``: where weights are fetched from.

    Returns:
        One :class:`LayerCost` per layer of ``model.layers``, in model order.
    """
    from core.models.inspect import inspect_model
    from core.models.wrappers import named_weights, unwrap_layer

    if weight_memory not in ("sram", "dram"):
        raise ValueError(f"weight_memory must be 'sram' or 'dram', not {weight_memory!r}")
    summary = summary if summary is not None else inspect_model(model)
    known = {id(layer) for layer in model.layers}
    out: list[LayerCost] = []
    for layer, row in zip(model.layers, summary.layers):
        counted = unwrap_layer(layer)
        override = _layer_override(weight_bits_override, layer.name)
        roles_bits = dict(row.quantizer_bits)

        def tensor_bits(weight_name: str, roles_bits=roles_bits, override=override) -> int:
            short = weight_name.rsplit("/", 1)[-1]
            if isinstance(override, int):
                return override
            if isinstance(override, dict) and short in override:
                return override[short]
            return int(roles_bits.get(_tensor_role(weight_name), FLOAT_BITS))

        if isinstance(counted, _keras_model_class()):
            inner = layer_costs(
                counted,
                weight_bits_override=weight_bits_override,
                act_bits_override=act_bits_override,
                weight_memory=weight_memory,
            )
            out.append(_sum_nested(layer.name, row, inner, _input_bits(layer, known, act_bits_override)))
            continue

        named = named_weights(layer)
        names = [n for n, _, _ in named]
        kernels = [n for n in names if n.rsplit("/", 1)[-1] in _KERNEL_NAMES]
        if kernels:
            w_bits: int | None = tensor_bits(kernels[0])
        else:
            w_bits = max((tensor_bits(n) for n in names), default=None)
        a_bits = _input_bits(layer, known, act_bits_override)

        dense_bits = quant_bits = 0
        memory = 0.0
        for wname, _, arr in named:
            b = tensor_bits(wname)
            nnz = int(np.count_nonzero(arr))
            index_bits = 8 * _index_bytes(arr.size)
            dense_bits += arr.size * b
            quant_bits += min(arr.size * b, nnz * (b + index_bits))
            memory += nnz * read_energy_pj(b, weight_memory)

        # Float MACs only when neither operand has a fixed-point format (quantizer or override).
        float_weights = override is None and not any(r in roles_bits for r in _KERNEL_ROLES)
        float_acts = a_bits == FLOAT_BITS and _act_override(act_bits_override, layer.name) is None
        floating = float_weights and float_acts
        bops = compute = 0.0
        zeros = total = 0
        for part_macs, fan_in, arrays, kernel_name in _mac_parts(counted, row.macs):
            b_w = tensor_bits(kernel_name)
            size = sum(a.size for a in arrays)
            z = sum(a.size - int(np.count_nonzero(a)) for a in arrays)
            zeros, total = zeros + z, total + size
            fp = z / size if size else 0.0
            bops += bops_formula(part_macs, fan_in, a_bits, b_w, fp)
            acc = accumulator_bits(a_bits, b_w, fan_in)
            per_mac = mult_energy_pj(a_bits, b_w, floating) + add_energy_pj(acc, floating)
            compute += part_macs * (1.0 - fp) * per_mac
        out.append(
            LayerCost(
                name=layer.name,
                weight_bits=w_bits,
                act_bits=a_bits,
                params=row.params,
                nonzero=row.nonzero,
                macs=row.macs,
                pruned_fraction=zeros / total if total else 0.0,
                bops=bops,
                size_quantized_bits=int(quant_bits),
                dense_bits=int(dense_bits),
                energy_compute_pj=compute,
                energy_memory_pj=memory,
                float_ops=floating and row.macs > 0,
            )
        )
    return out


def model_cost(
    model: tf.keras.Model,
    summary: ModelSummary | None = None,
    *,
    weight_bits_override: int | Mapping[str, Any] | None = None,
    act_bits_override: int | Mapping[str, int] | None = None,
    weight_memory: str = "sram",
) -> dict[str, Any]:
    """The cost numbers a variant's metrics dict carries (formulas in the module docstring).

    Args:
        model: A built Keras / QKeras model.
        summary: Its :func:`core.models.inspect_model` result (computed when not given).
        weight_bits_override: Weight bits of post-training quantized variants, as for
            :func:`layer_costs`; see :func:`cost_overrides_from_variant`.
        act_bits_override: Bits of the activations feeding each layer (int or ``{layer: bits}``).
        weight_memory: ``"sram"`` (default) or ``"dram"``, where weights are fetched from.

    Returns:
        ``weight_bits`` / ``act_bits`` ({layer: bits}, layers with weights), ``bits_max`` (widest
        headline weight width), ``bits_mean`` (bits per stored parameter, parameter-weighted),
        ``size_dense`` / ``size_sparse`` / ``size_gzip`` (bytes, from inspect), ``size_quantized``
        (bytes), ``bops`` (bit operations per inference), ``energy_pj_estimate`` (pJ per inference)
        and ``energy_breakdown_pj_estimate`` (``{"compute": pJ, "memory": pJ}``).
    """
    from core.models.inspect import inspect_model

    summary = summary if summary is not None else inspect_model(model)
    rows = layer_costs(
        model,
        summary,
        weight_bits_override=weight_bits_override,
        act_bits_override=act_bits_override,
        weight_memory=weight_memory,
    )
    with_weights = [r for r in rows if r.weight_bits is not None and r.params > 0]
    dense_bits = sum(r.dense_bits for r in rows)
    compute = sum(r.energy_compute_pj for r in rows)
    memory = sum(r.energy_memory_pj for r in rows)
    return {
        "weight_bits": {r.name: int(r.weight_bits) for r in with_weights},
        "act_bits": {r.name: int(r.act_bits) for r in with_weights},
        "bits_max": max((int(r.weight_bits) for r in with_weights), default=None),
        "bits_mean": (dense_bits / summary.params) if summary.params else None,
        "size_dense": summary.size_dense,
        "size_sparse": summary.size_sparse,
        "size_gzip": summary.size_gzip,
        "size_quantized": math.ceil(sum(r.size_quantized_bits for r in rows) / 8),
        "bops": float(sum(r.bops for r in rows)),
        "energy_pj_estimate": float(compute + memory),
        "energy_breakdown_pj_estimate": {"compute": float(compute), "memory": float(memory)},
    }


def _keras_model_class():
    import tensorflow as tf

    return tf.keras.Model


def _sum_nested(name: str, row: Any, inner: list[LayerCost], a_bits: int) -> LayerCost:
    widths = [c.weight_bits for c in inner if c.weight_bits is not None]
    macs = sum(c.macs for c in inner)
    zeros = sum(c.pruned_fraction * c.macs for c in inner)
    return LayerCost(
        name=name,
        weight_bits=max(widths) if widths else None,
        act_bits=a_bits,
        params=row.params,
        nonzero=row.nonzero,
        macs=row.macs,
        pruned_fraction=zeros / macs if macs else 0.0,
        bops=sum(c.bops for c in inner),
        size_quantized_bits=sum(c.size_quantized_bits for c in inner),
        dense_bits=sum(c.dense_bits for c in inner),
        energy_compute_pj=sum(c.energy_compute_pj for c in inner),
        energy_memory_pj=sum(c.energy_memory_pj for c in inner),
        float_ops=all(c.float_ops for c in inner),
    )


def _index_bytes(n: int) -> int:
    from core.models.inspect import _index_bytes as index_bytes

    return index_bytes(n)
