"""Quantization operations: post-training int8 (TFLite), fixed point as hls4ml computes it, and
quantization-aware training with QKeras.

* ``quantize_int8`` — what an integer-only accelerator (the Vitis AI DPU on the U50, a micro
  controller) runs: full-integer TFLite with int8 weights, activations, inputs and outputs,
  calibrated on training samples; measured with the TFLite interpreter.
* ``fixed_point`` — each kernel and bias rounded to ``ap_fixed<W,I>`` exactly as hls4ml writes it
  into the firmware; activations stay float in Keras (hls4ml quantizes them in its C simulation).
* ``qat`` — QKeras quantizers on weights and ReLUs (:mod:`core.compress.qkeras_convert`), then
  training so the network adapts to them (the course's "training aware quantization").

TensorFlow, QKeras and hls4ml's ``quantizers`` are imported inside the functions.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from core.compress import CompressionError, OpResult, Param, bits_within, register_operation
from core.compress.finetune import DEFAULT_CAP, DEFAULT_PATIENCE, STOP_PARAMS, cap_param, fine_tune
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model
from core.models.wrappers import named_variables, strip_wrappers, unwrap_layer
from core.weights import OVERFLOW_MODES, ROUNDING_MODES, FixedPointFormat

# Layer weights that the fixed-point and int8 operations quantize (others, e.g. batch
# normalization, stay float).
_KERNEL_NAMES = ("kernel", "depthwise_kernel", "pointwise_kernel")
_QUANTIZED_WEIGHT_NAMES = (*_KERNEL_NAMES, "bias")


# --- shared helpers -----------------------------------------------------------------------------
def _is_qkeras(layer) -> bool:
    return type(layer).__module__.startswith("qkeras")


def _layer_weights(layer) -> dict[str, Any]:
    """``{name: variable}`` of the kernels and bias of a layer (of the layer inside a wrapper)."""
    return {name: v for name, v in named_variables(layer) if name in _QUANTIZED_WEIGHT_NAMES}


# --- TFLite int8 --------------------------------------------------------------------------------
def _calibration_batches(x: np.ndarray):
    def gen():
        for i in range(len(x)):
            yield [x[i : i + 1]]

    return gen


def convert_tflite(model, x_calibration: np.ndarray | None = None) -> bytes:
    """Convert a Keras model to a TFLite flatbuffer.

    Args:
        model: The Keras model.
        x_calibration: Inputs for full-integer calibration (float32, ``(N, *input_shape)``). None
            gives a float32 model.

    Returns:
        The flatbuffer bytes. With calibration: int8 weights (symmetric, per output channel for
        convolutions, per tensor for dense layers), int8 activations, int8 input and output,
        int32 biases.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if x_calibration is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = _calibration_batches(np.asarray(x_calibration, np.float32))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    try:
        return bytes(converter.convert())
    except Exception as exc:
        raise CompressionError(
            f"TFLite could not convert the model to {'int8' if x_calibration is not None else 'float'}: "
            f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        ) from exc


def tflite_predict(content: bytes, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run a TFLite model (int8 or float I/O) and return float outputs.

    int8 inputs are quantized with the input tensor's scale and zero point
    (``q = clip(round(x / scale) + zero_point, -128, 127)``); int8 outputs are dequantized
    (``(q - zero_point) * scale``).

    Args:
        content: The flatbuffer.
        x: Inputs, ``(N, *input_shape)``.
        batch_size: Samples per interpreter call (the batch axis is resized when the model allows
            it; otherwise one sample at a time).

    Returns:
        Outputs as float32, ``(N, *output_shape)``.
    """
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    x = np.asarray(x, np.float32)
    if inp["dtype"] in (np.int8, np.uint8):
        scale, zero = inp["quantization"]
        info = np.iinfo(inp["dtype"])
        xq = np.clip(np.round(x / scale) + zero, info.min, info.max).astype(inp["dtype"])
    else:
        xq = x.astype(inp["dtype"])
    results = []
    size = batch_size if int(inp["shape_signature"][0]) == -1 else 1
    current = None
    for start in range(0, len(xq), size):
        chunk = xq[start : start + size]
        if current != len(chunk):
            interpreter.resize_tensor_input(inp["index"], [len(chunk), *xq.shape[1:]])
            interpreter.allocate_tensors()
            current = len(chunk)
        interpreter.set_tensor(inp["index"], chunk)
        interpreter.invoke()
        results.append(np.array(interpreter.get_tensor(out["index"])))
    y = np.concatenate(results) if results else np.zeros((0,), np.float32)
    if out["dtype"] in (np.int8, np.uint8):
        scale, zero = out["quantization"]
        y = (y.astype(np.float32) - zero) * scale
    return y.astype(np.float32)


def _dequantized(interpreter, details: dict[int, dict], index: int) -> tuple[np.ndarray, np.ndarray]:
    """(float values, per-channel scales) of a constant quantized tensor."""
    q = interpreter.get_tensor(index).astype(np.float64)
    qp = details[index]["quantization_parameters"]
    scales = np.asarray(qp["scales"], np.float64)
    zeros = np.asarray(qp["zero_points"], np.float64)
    if scales.size == 0:
        raise ValueError("tensor is not quantized")
    if scales.size == 1:
        return (q - zeros[0]) * scales[0], scales
    shape = [1] * q.ndim
    shape[int(qp["quantized_dimension"])] = -1
    return (q - zeros.reshape(shape)) * scales.reshape(shape), scales


def _to_keras_layout(tfl: np.ndarray, keras_shape: tuple[int, ...], op: str) -> np.ndarray | None:
    """A TFLite filter rearranged to the Keras kernel layout, or None if the shapes do not fit."""
    if op == "FULLY_CONNECTED" and len(keras_shape) == 2:  # TFLite (out, in), Keras (in, out)
        w = tfl.T
    elif op == "CONV_2D" and len(keras_shape) == 4:  # TFLite (out, kh, kw, in), Keras (kh, kw, in, out)
        w = np.transpose(tfl, (1, 2, 3, 0))
    elif op == "CONV_2D" and len(keras_shape) == 3:  # Conv1D: TFLite (out, 1, k, in)
        w = np.transpose(tfl.reshape(tfl.shape[0], *tfl.shape[-2:]), (1, 2, 0))
    elif op == "DEPTHWISE_CONV_2D" and len(keras_shape) == 4:  # TFLite (1, kh, kw, in*m)
        w = tfl.reshape(keras_shape)
    else:
        return None
    return w if tuple(w.shape) == tuple(keras_shape) else None


def read_tflite_weights(content: bytes, model) -> dict[str, dict[str, np.ndarray]]:
    """The int8 kernels and int32 biases of a TFLite model, dequantized, mapped to Keras layers.

    A TFLite convolution or dense op is matched to the Keras layer whose name appears in its filter
    tensor's name (``model/conv1/Conv2D``) and whose kernel has the same shape once rearranged. The
    match is accepted only if every dequantized value lies within half a quantization step of the
    float weight: a kernel the converter changed (e.g. a batch normalization folded into it) is
    not claimed.

    Args:
        content: The int8 flatbuffer.
        model: The float Keras model it was converted from.

    Returns:
        ``{layer name: {"kernel": array, "bias": array, "scale": per-channel scales}}`` (Keras
        layouts, float32) for the layers that could be matched; the others are missing.
    """
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    interpreter.allocate_tensors()
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    candidates = {}
    for layer in model.layers:
        ws = _layer_weights(layer)
        kernel = ws.get("kernel", ws.get("depthwise_kernel"))
        if kernel is not None and "pointwise_kernel" not in ws:
            candidates[layer.name] = (kernel.numpy(), ws["bias"].numpy() if "bias" in ws else None)
    found: dict[str, dict[str, np.ndarray]] = {}
    for op in interpreter._get_ops_details():
        if op["op_name"] not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        inputs = list(op["inputs"])
        if len(inputs) < 2 or inputs[1] < 0:
            continue
        fname = details[inputs[1]]["name"] if inputs[1] in details else ""
        for lname, (kernel, bias) in candidates.items():
            if lname in found or f"/{lname}/" not in f"/{fname}":
                continue
            try:
                deq, scales = _dequantized(interpreter, details, inputs[1])
            except ValueError:
                break
            w = _to_keras_layout(deq, kernel.shape, op["op_name"])
            if w is None:
                continue
            step = np.broadcast_to(_keras_scales(scales, kernel.shape, op["op_name"]), kernel.shape)
            if np.any(np.abs(w - kernel) > 0.5 * step * (1 + 1e-4) + 1e-12):
                continue
            entry = {"kernel": w.astype(np.float32), "scale": scales.astype(np.float32)}
            if bias is not None and len(inputs) > 2 and inputs[2] >= 0:
                b, bscales = _dequantized(interpreter, details, inputs[2])
                b = b.reshape(-1)
                bstep = np.broadcast_to(bscales, b.shape) if bscales.size == b.size else bscales[0]
                if b.shape == bias.shape and np.all(np.abs(b - bias) <= 0.5 * bstep * (1 + 1e-4) + 1e-12):
                    entry["bias"] = b.astype(np.float32)
            found[lname] = entry
            break
    return found


def _keras_scales(scales: np.ndarray, keras_shape: tuple[int, ...], op: str) -> np.ndarray:
    if scales.size == 1:
        return scales.reshape(())
    if op == "DEPTHWISE_CONV_2D":
        return scales.reshape(keras_shape[-2], keras_shape[-1])
    return scales  # per output channel: the last Keras axis


def simulate_int8(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-channel int8 (as TFLite quantizes convolution filters), in numpy.

    ``scale_c = max|w_c| / 127``; ``w_q = clip(round(w / scale_c), -127, 127) * scale_c``.

    Args:
        kernel: A Keras kernel; the output channels are its last axis.

    Returns:
        (dequantized kernel float32, scales float32 per output channel).
    """
    w = np.asarray(kernel, np.float64)
    axes = tuple(range(w.ndim - 1))
    scale = np.max(np.abs(w), axis=axes) / 127.0
    safe = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.round(w / safe), -127, 127) * safe
    return q.astype(np.float32), scale.astype(np.float32)


def _weights_bytes_tflite(content: bytes) -> int:
    """Bytes of the constant (weight and bias) tensors stored in a TFLite flatbuffer."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    consts = set()
    for op in interpreter._get_ops_details():
        if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV"):
            consts.update(int(i) for i in op["inputs"][1:] if i >= 0)
    total = 0
    for d in interpreter.get_tensor_details():
        if d["index"] in consts:
            total += int(np.prod(d["shape"])) * np.dtype(d["dtype"]).itemsize
    return total


@register_operation(
    "quantize_int8",
    "Post-training int8 (TFLite)",
    "Full-integer 8-bit quantization with TensorFlow Lite, calibrated on training samples: int8 "
    "weights (per output channel for convolutions), activations, input and output, as integer-only "
    "accelerators (e.g. the Vitis AI DPU) run it. Accuracy is measured with the TFLite interpreter; "
    "the Keras variant holds the dequantized int8 weights so the weight views show the 8-bit grid.",
    params=(
        Param(
            "calibration_samples",
            "int",
            300,
            "training samples used to calibrate the activation ranges",
            min=1,
            max=100000,
        ),
    ),
)
def quantize_int8(model, dataset, params: dict[str, Any], progress: Progress | None = None) -> OpResult:
    """Post-training full-integer int8 quantization with TFLite.

    The converted model has int8 inputs and outputs (not float I/O): it is exactly what an integer
    pipeline runs, and the evaluation quantizes the inputs with the input tensor's scale and zero
    point and dequantizes the outputs. ``metrics`` holds the dataset's metrics on the validation
    split *from the TFLite interpreter* (``val_accuracy``, ``val_loss``...), ``size_tflite`` (bytes
    of the int8 flatbuffer), ``size_tflite_float`` (bytes of the float32 flatbuffer, for
    comparison) and ``size_weights_int8`` (bytes of the stored kernels and biases).

    The returned Keras model is a float copy of ``model`` whose kernels and biases are the int8
    values read back from the flatbuffer and dequantized (``q * scale``): a weight view shows the
    8-bit grid, and a Keras evaluation of it measures weight quantization alone (activations
    float). A layer whose TFLite tensors cannot be matched safely gets its kernel quantized in
    numpy instead (symmetric per output channel, :func:`simulate_int8`) and keeps its float bias;
    ``params["weights_source"]`` says which layers came from where.

    Args:
        model: A float Keras model (not modified).
        dataset: The :class:`core.data.Dataset` (training split for calibration, validation split
            for the metrics).
        params: ``calibration_samples``.
        progress: Job progress.
    """
    progress = ensure_progress(progress)
    n_cal = int(params.get("calibration_samples", 300))
    x_cal = np.asarray(dataset.x_train[:n_cal], np.float32)
    progress.update(0.05, f"converting to int8 TFLite ({len(x_cal)} calibration samples)")
    source = strip_wrappers(model)
    content = convert_tflite(source, x_cal)
    progress.check_cancelled()
    progress.update(0.45, "converting to float TFLite (size reference)")
    float_size = len(convert_tflite(source))
    progress.check_cancelled()
    progress.update(0.6, "evaluating with the TFLite interpreter")
    outputs = tflite_predict(content, dataset.x_val)
    from core.metrics import metrics_from_outputs

    metrics = {f"val_{k}": v for k, v in metrics_from_outputs(dataset, outputs, dataset.y_val).items()}
    metrics.update(
        size_tflite=len(content),
        size_tflite_float=float_size,
        size_weights_int8=_weights_bytes_tflite(content),
    )
    progress.check_cancelled()
    progress.update(0.85, "reading the int8 weights back")
    result_model = copy_model(source)
    found = read_tflite_weights(content, source)
    weights_source: dict[str, str] = {}
    for layer in result_model.layers:
        ws = _layer_weights(layer)
        kernel_name = next((n for n in _KERNEL_NAMES if n in ws), None)
        if kernel_name is None or _is_qkeras(unwrap_layer(layer)):
            continue
        if layer.name in found:
            ws[kernel_name].assign(found[layer.name]["kernel"])
            if "bias" in found[layer.name] and "bias" in ws:
                ws["bias"].assign(found[layer.name]["bias"])
            weights_source[layer.name] = "tflite"
        else:
            for name in _KERNEL_NAMES:
                if name in ws:
                    ws[name].assign(simulate_int8(ws[name].numpy())[0])
            weights_source[layer.name] = "numpy (symmetric per-channel int8, float bias)"
    input_scale, input_zero = _io_quantization(content)
    progress.update(1.0, f"int8: {metrics.get('val_accuracy', metrics.get('val_mae', float('nan'))):.4g}")
    return OpResult(
        model=result_model,
        artifacts={"tflite": content},
        metrics=metrics,
        params={
            "io": "int8 input and output (full integer)",
            "calibration_samples_used": len(x_cal),
            "weights_source": weights_source,
            "input_scale": input_scale,
            "input_zero_point": input_zero,
            "keras_model": "float copy holding the dequantized int8 weights; metrics are from the TFLite interpreter",
        },
    )


def _io_quantization(content: bytes) -> tuple[float, int]:
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    scale, zero = interpreter.get_input_details()[0]["quantization"]
    return float(scale), int(zero)


# --- fixed point as hls4ml ----------------------------------------------------------------------
def hls4ml_weight_values(values: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """The values hls4ml's firmware holds for ``values`` stored as ``fmt``, bit for bit.

    hls4ml writes each weight as decimal text with as many decimals as the format has fractional
    bits (``'{:.{f}f}'``, round-half-even on the exact binary value) and the C++ ``ap_fixed`` is
    then built from that decimal with the format's rounding and overflow (``TRN``/``WRAP`` unless
    the precision says otherwise). The decimal step matters: 0.062498 truncates to 0.03125 in
    ``ap_fixed<8,3>``, but hls4ml writes "0.06250" and the firmware holds 0.0625. Values already on
    the format's grid are unchanged (the operation is idempotent).

    Args:
        values: Weights, any shape (float32 or float64).
        fmt: The fixed-point format.

    Returns:
        float64 array of the same shape.
    """
    return fmt.quantize(hls4ml_decimal(values, fmt))


def auto_integer_bits(values: np.ndarray, width: int, rounding: str = "TRN", overflow: str = "WRAP") -> int:
    """The fewest integer bits (sign included) of a signed ``ap_fixed<width, I>`` holding ``values``
    without overflow after rounding — the finest step that still fits the largest weight.

    Args:
        values: Weights, any shape.
        width: Total bits.
        rounding, overflow: ap_fixed modes (rounding can push a value just below a power of two
            over the top).

    Returns:
        ``I`` (may be 0 or negative for small weights; 1 for an all-zero tensor).
    """
    x = np.asarray(values, np.float64).reshape(-1)
    x = x[np.isfinite(x)]
    m = float(np.max(np.abs(x))) if x.size else 0.0
    if m == 0.0:
        return 1
    start = math.floor(math.log2(m))  # never enough for +m, at most one too few for -m
    for integer in range(start, start + 4):
        fmt = FixedPointFormat(width, integer, True, rounding, overflow)
        r = fmt.round_unbounded(hls4ml_decimal(x, fmt))
        if r.max() <= fmt.max and r.min() >= -(2.0 ** (integer - 1)):
            return integer
    return start + 4  # pragma: no cover - the loop always finds one


def hls4ml_decimal(values: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """``values`` after hls4ml's decimal printing for ``fmt`` (before the ap_fixed conversion)."""
    x = np.asarray(values, np.float64)
    if not x.size:
        return x
    return np.char.mod(f"%.{max(0, fmt.f)}f", x.reshape(-1)).astype(np.float64).reshape(x.shape)


def _parse_integer(value: Any) -> int | None:
    """None for 'auto', else the integer bits."""
    if value is None or str(value).strip().lower() == "auto":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise CompressionError(f"Integer bits must be 'auto' or a whole number (got {value!r})") from None


def _layer_override(per_layer: dict[str, Any], layer: str, weight: str) -> str | None:
    spec = per_layer.get(layer)
    if spec is None:
        return None
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        role = "bias" if weight == "bias" else "kernel"
        return spec.get(role)
    raise CompressionError(
        f"per_layer['{layer}'] must be a precision like 'ap_fixed<6,2>' or {{'kernel': ..., 'bias': ...}}"
    )


@register_operation(
    "fixed_point",
    "Fixed point ap_fixed<W,I> (hls4ml)",
    "Rounds every kernel and bias to ap_fixed<W,I> exactly as hls4ml stores them in the FPGA "
    "firmware (default: truncation and wrap-around, as hls4ml). Weights only: activations stay "
    "float in Keras and are quantized in hls4ml's C simulation.",
    params=(
        Param("width", "int", 8, "total bits W of each weight, sign included", min=1, max=32),
        Param(
            "integer",
            "str",
            "auto",
            "integer bits I (sign included): 'auto' picks, per tensor, the fewest that avoid overflow",
            check=bits_within("width", allow_auto=True),
        ),
        Param(
            "rounding",
            "choice",
            "TRN",
            "TRN truncates towards -inf (hls4ml's default), RND rounds half up",
            choices=ROUNDING_MODES,
        ),
        Param(
            "overflow",
            "choice",
            "WRAP",
            "WRAP wraps around (hls4ml's default), SAT clips to the range",
            choices=OVERFLOW_MODES,
        ),
        Param(
            "per_layer",
            "json",
            {},
            'per-layer precisions, e.g. {"fc1": "ap_fixed<6,1>"} or {"fc1": {"kernel": ..., "bias": ...}}',
        ),
    ),
    needs_dataset=False,
)
def fixed_point(model, dataset, params: dict[str, Any], progress: Progress | None = None) -> OpResult:
    """Post-training fixed-point quantization of the weights, bit-exact with hls4ml.

    Every kernel (``kernel``, ``depthwise_kernel``, ``pointwise_kernel``) and ``bias`` of the
    float layers becomes the value hls4ml's firmware holds for it in ``ap_fixed<width, integer>``
    (:func:`hls4ml_weight_values`). With ``integer='auto'`` each tensor gets its own integer bits
    (:func:`auto_integer_bits`), so a kernel and its bias may differ; hls4ml needs the same
    precisions in its config (``params["formats"]`` lists them, per layer and tensor). Batch
    normalization and QKeras layers are left as they are (QKeras layers quantize themselves).
    Zeros stay zeros, so a pruned model keeps its sparsity. Pruning and clustering wrappers are
    stripped first (:func:`core.models.wrappers.strip_wrappers`): the result is the plain model
    hls4ml reads, with the layer names the stripped model has.

    Args:
        model: A Keras model (not modified).
        dataset: Unused (the weights alone decide); may be None.
        params: ``width``, ``integer``, ``rounding``, ``overflow``, ``per_layer``.
        progress: Job progress.

    Returns:
        The model with quantized weights; ``params`` records ``formats``
        (``{layer: {weight: "ap_fixed<8,1>"}}``), ``overflow`` and ``underflow`` counts per layer
        (values wrapped or clipped, non-zero values that became 0), ``weights_only`` and the
        layers left float.
    """
    from core.weights import quantization_report

    progress = ensure_progress(progress)
    width = int(params.get("width", 8))
    integer = _parse_integer(params.get("integer", "auto"))
    rounding = str(params.get("rounding", "TRN"))
    overflow = str(params.get("overflow", "WRAP"))
    per_layer = params.get("per_layer") or {}
    if isinstance(per_layer, str):
        per_layer = json.loads(per_layer) if per_layer.strip() else {}
    source = strip_wrappers(model)
    unknown = sorted(set(per_layer) - {layer.name for layer in source.layers})
    if unknown:
        raise CompressionError(f"per_layer names layer(s) {unknown} that the model does not have")

    result = copy_model(source)
    formats: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    skipped: list[str] = []
    layers = list(result.layers)
    for i, layer in enumerate(layers):
        progress.check_cancelled()
        inner = unwrap_layer(layer)
        ws = _layer_weights(layer)
        if not ws:
            if inner.weights:
                skipped.append(layer.name)
            continue
        if _is_qkeras(inner):
            skipped.append(layer.name)
            continue
        formats[layer.name], counts[layer.name] = {}, {"overflow": 0, "underflow": 0}
        for wname, var in ws.items():
            values = var.numpy()
            override = _layer_override(per_layer, layer.name, wname)
            if override is not None:
                try:
                    fmt = FixedPointFormat.parse(override)
                except ValueError as exc:
                    raise CompressionError(f"per_layer['{layer.name}']: {exc}") from None
            else:
                bits = (
                    integer if integer is not None else auto_integer_bits(values, width, rounding, overflow)
                )
                try:
                    fmt = FixedPointFormat(width, bits, True, rounding, overflow)
                except ValueError as exc:
                    raise CompressionError(str(exc)) from None
            report = quantization_report(hls4ml_decimal(values, fmt), fmt)
            counts[layer.name]["overflow"] += int(report["overflow"])
            counts[layer.name]["underflow"] += int(report["underflow"])
            var.assign(hls4ml_weight_values(values, fmt).astype(values.dtype))
            formats[layer.name][wname] = str(fmt)
        progress.update((i + 1) / len(layers), f"quantized {layer.name}")
    if not formats:
        raise CompressionError("The model has no float Dense or convolution weights to quantize")
    return OpResult(
        model=result,
        params={
            "formats": formats,
            "counts": counts,
            "weights_only": "weights only; activations are quantized in hls4ml's C simulation",
            "left_float": skipped,
        },
    )


# --- quantization-aware training ----------------------------------------------------------------
@register_operation(
    "qat",
    "Quantization-aware training (QKeras)",
    "Replaces Dense/Conv layers and ReLUs by QKeras layers with quantized weights and activations "
    "(fixed point, binary, ternary or powers of two; per layer if wanted), then trains so the "
    "network adapts to the quantization, until the validation loss stops improving (best epoch kept). "
    "hls4ml reads the bit widths from the quantizers.",
    params=(
        Param("weight_bits", "int", 8, "bits per weight (fixed and po2 modes)", min=1, max=32),
        Param(
            "weight_integer",
            "int",
            0,
            "integer bits of the weights, sign excluded (fixed mode)",
            min=0,
            max=31,
        ),
        Param(
            "bias_bits", "int", 0, "bits per bias; 0 = as the weights (8 for binary/ternary)", min=0, max=32
        ),
        Param("act_bits", "int", 8, "bits of the quantized ReLU outputs", min=1, max=32),
        Param(
            "act_integer",
            "int",
            3,
            "integer bits of the ReLU outputs (range 0 to 2^act_integer)",
            min=0,
            max=32,
        ),
        Param("mode", "choice", "fixed", "weight quantizer", choices=("fixed", "binary", "ternary", "po2")),
        Param("ternary_threshold", "float", 0.33, "ternary: |w| below this becomes 0", min=0.0, max=1.0),
        Param(
            "per_layer",
            "json",
            {},
            'per-layer overrides, e.g. {"fc1": {"weight_bits": 4}, "output": {"quantize": false}}',
        ),
        Param(
            "keep_zeros",
            "bool",
            True,
            "hold the source's zero kernel weights at zero while training (a pruned model stays as sparse)",
        ),
        cap_param("epochs", "with the quantizers", minimum=1),
        Param("lr", "float", 1e-3, "learning rate (Adam)", min=1e-8, max=10.0),
        Param("batch_size", "int", 32, "samples per gradient step", min=1, max=65536),
        Param("seed", "int", 0, "random seed of the training", min=0),
        *STOP_PARAMS,
    ),
)
def qat(model, dataset, params: dict[str, Any], progress: Progress | None = None) -> OpResult:
    """Quantization-aware training with QKeras.

    The float model is converted with :func:`core.compress.qkeras_convert.to_qkeras` (weights
    copied) and trained with :func:`core.compress.finetune.fine_tune`: at most ``epochs``, stopping
    after ``patience`` epochs without improvement of the validation loss (or metric, ``monitor``)
    and keeping the best epoch's float shadow weights (the quantizers have no state of their own:
    ``alpha=1``). With ``keep_zeros`` the kernels' zeros (a pruned source) are held at zero as
    ``prune`` holds its masks; the ``fixed``/``ternary`` quantizers map 0 to 0, ``po2`` to its
    smallest power of two and ``binary`` to ±1. The default ``act_integer=3`` gives ReLU
    outputs in ``[0, 8)``: the first two ReLUs of the trained hands-on CNN stay below ~6 for
    99.9% of the digits, and 8-bit activations with 3 integer bits keep its float accuracy before
    any retraining (2 integer bits clip and lose ~5 points).

    Args:
        model: A float (or QKeras) Keras model (not modified).
        dataset: The :class:`core.data.Dataset` to train on.
        params: See the registered parameters.
        progress: Job progress (training reports batches and epochs).

    Returns:
        The trained QKeras model, with the converted-but-untrained model as intermediate
        ``"converted"`` (post-training quantization with the same quantizers), the training
        history, ``params["quantizers"]`` (per layer and role), ``params["fine_tuning"]``
        (epochs run, best epoch) and, with ``keep_zeros``, ``params["kept_zeros"]`` (fraction of
        the kernels' weights held at zero).
    """
    from core.compress.prune import kernel_sparsity, zero_masks
    from core.compress.qkeras_convert import QuantizationConfig, quantizer_summary, to_qkeras

    progress = ensure_progress(progress)
    per_layer = params.get("per_layer") or {}
    if isinstance(per_layer, str):
        per_layer = json.loads(per_layer) if per_layer.strip() else {}
    config = QuantizationConfig(
        weight_bits=int(params.get("weight_bits", 8)),
        weight_integer=int(params.get("weight_integer", 0)),
        bias_bits=int(params["bias_bits"]) if params.get("bias_bits") else None,
        act_bits=int(params.get("act_bits", 8)),
        act_integer=int(params.get("act_integer", 3)),
        mode=str(params.get("mode", "fixed")),
        ternary_threshold=float(params.get("ternary_threshold", 0.33)),
        per_layer=per_layer,
    )
    progress.update(0.0, "converting to QKeras")
    converted = to_qkeras(model, config)
    trained = to_qkeras(model, config)  # an independent twin: "converted" stays untrained
    summary = quantizer_summary(trained)
    progress.log("quantizers: " + "; ".join(f"{k}: {v}" for k, v in summary.items()))
    masks = zero_masks(trained) if params.get("keep_zeros", True) else {}
    run = fine_tune(
        trained,
        dataset,
        epochs=int(params.get("epochs", DEFAULT_CAP)),
        batch_size=int(params.get("batch_size", 32)),
        lr=float(params.get("lr", 1e-3)),
        seed=int(params.get("seed", 0)),
        patience=int(params.get("patience", DEFAULT_PATIENCE)),
        monitor=str(params.get("monitor", "val_loss")),
        masks=masks,
        progress=progress.sub(0.05, 1.0),
    )
    kept = {"kept_zeros": round(kernel_sparsity(trained, list(masks))[0], 6)} if masks else {}
    return OpResult(
        model=trained,
        intermediates=[("converted", converted, {"quantizers": summary})],
        params={
            "quantizers": summary,
            "epochs_completed": run.epochs_run,
            "train_seconds": run.seconds,
            "fine_tuning": run.record(),
            **kept,
        },
        history=run.history,
    )
