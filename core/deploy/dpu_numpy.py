"""int8 inference the way a Vitis AI DPU computes it, in numpy only (the ``emulator-dpu`` engine).

This file imports nothing but numpy and the standard library: the run package ships it verbatim
next to ``run_dpu.py`` so that a lab server with only numpy can run the emulator.

The scheme: Vitis AI's ``pof2s`` (power-of-two scale) quantization, the default strategy of
``vai_q_tensorflow2`` for DPU targets (its ``vitis_pof2s_quantize_strategy.json``):

* every tensor — input, weights, bias, activations — is **per-tensor symmetric int8** with a
  power-of-two scale: ``value = q * 2**-fix`` with ``q`` in [-128, 127] and an integer *fix
  position* ``fix`` (the xmodel's ``fix_point`` attribute); no zero points, no per-channel
  scales, no float multipliers;
* weights and biases are rounded half to even (``round_mode 0``); inputs and activations with
  the DPU's round half up, ``floor(x + 0.5)`` (``round_mode 1``, "DPU_ROUND");
* the input's fix position is the largest that does not overflow on the calibration batch
  (``method 0``); weights, biases and activations take, among the five positions from the
  non-overflow one upwards, the one with the smallest squared error (``method 1``, "min MSE");
* a Conv2D/Dense computes, like the xir reference kernel ``conv2d-fix``::

      acc  = sum(x_q * w_q)                                 (exact integer accumulation)
      acc += b_q * 2**shift_bias,  shift_bias = fix_in + fix_w - fix_b
      y_q  = clip(dpu_round(acc * 2**-shift_cut), -128, 127),  shift_cut = fix_in + fix_w - fix_out
      y_q  = max(y_q, 0)  when a ReLU is fused into the layer

  with the quantizer's hardware limits applied beforehand (``shift_cut`` in [0, 16] by moving
  the weights' position, ``shift_bias`` in [min(0, sc - 16), 16] by moving the bias position);
* MaxPooling keeps the input's fix position (the quantizer aligns pool positions); AveragePooling
  multiplies the window sum by the DPU's integer approximation ``k / 2**n`` of ``1 / (kh*kw)``
  (exact for 2x2, 4x4; 7/64 for 3x3...), rounded half up; Flatten and Dropout move nothing;
* softmax does not run on the DPU: the xmodel's DPU subgraph ends at the logits and softmax runs
  on the CPU in float, as here.

This is **not** TensorFlow Lite's int8 (per-output-channel weight scales, zero points, float
scale multipliers, round half away from zero): the two schemes give different integers, and the
TFLite model in the compression lab is not what the DPU runs.

Known differences from a real DPU (DPUCAHX8H on the U50):

* cross-layer equalization follows the quantizer's Conv2D-pair patterns as written in its
  source; other graph optimizations of the quantizer (and its fast finetuning or bias correction,
  both off by default) are not reproduced, so a fix position or weight code can still differ
  from the xmodel's;
* LeakyReLU (the DPU uses slope 26/256 instead of 0.1), hard-sigmoid, ReLU6, element-wise
  add/concat with ``shift_read``/``shift_write`` and depthwise convolutions are not emulated:
  models using them are refused at conversion;
* accumulator width and intermediate saturation inside the engine are not modelled (sums are
  exact in int64; only the int8 output saturates), nor are the compiler's layer fusions, tiling
  or the DDR layout (NHWC with padded channels on the card);
* calibration follows the quantizer's algorithm (per-batch positions, the most common one kept)
  on numpy arrays; the real quantizer may choose a different position on ties;
* timings measure numpy on the CPU; they say nothing about the card's speed.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable

import numpy as np

SCHEMA = "triglab-dpu-model/1"
Q_MIN, Q_MAX = -128, 127
#: Ops this engine runs (anything else in a model file is refused).
OPS = ("conv2d", "dense", "maxpool", "avgpool", "flatten", "softmax")


# --- rounding and quantization (Vitis AI's vitis_round modes) --------------------------------
def dpu_round(x: np.ndarray) -> np.ndarray:
    """Round half up, ``floor(x + 0.5)``: the DPU's rounding (2.5 -> 3, -2.5 -> -2)."""
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5)


def py3_round(x: np.ndarray) -> np.ndarray:
    """Round half to even (2.5 -> 2, 3.5 -> 4): the quantizer's rounding of weights and biases."""
    return np.round(np.asarray(x, dtype=np.float64))


ROUNDING: dict[str, Callable[[np.ndarray], np.ndarray]] = {"dpu": dpu_round, "py3": py3_round}


def quantize(x: np.ndarray, fix: int, rounding: str = "dpu", bits: int = 8) -> np.ndarray:
    """Float values to signed integers ``q = clip(round(x * 2**fix))`` (int8 for 8 bits, else int32)."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    q = np.clip(ROUNDING[rounding](np.asarray(x, np.float64) * 2.0**fix), lo, hi)
    return q.astype(np.int8 if bits == 8 else np.int32)


def dequantize(q: np.ndarray, fix: int) -> np.ndarray:
    """Integers back to float: ``q * 2**-fix``."""
    return np.asarray(q, np.float64) * 2.0 ** (-fix)


def fake_quantize(x: np.ndarray, fix: int, rounding: str = "dpu", bits: int = 8) -> np.ndarray:
    """Quantize and dequantize (the float value the integer stands for)."""
    return dequantize(quantize(x, fix, rounding, bits), fix)


def fix_pos_non_overflow(x: np.ndarray, bits: int = 8) -> int:
    """The largest fix position at which no value of ``x`` overflows (quantizer ``method 0``).

    The range is made symmetric the quantizer's way: the negative side may reach 2**(bits-1), the
    positive side 2**(bits-1) - 1.
    """
    x = np.asarray(x, np.float64)
    if x.size == 0:
        return 0
    q_min, q_max = -float(1 << (bits - 1)), float((1 << (bits - 1)) - 1)
    ratio = -((1 << bits) - 2) / (1 << bits)
    lo, hi = float(x.min()), float(x.max())
    f_min, f_max = min(lo, hi / ratio), max(hi, lo * ratio)
    scale_inv = max(f_min / q_min, f_max / q_max, np.finfo(np.float64).eps)
    return int(np.floor(-np.log2(scale_inv)))


def fix_pos_min_mse(x: np.ndarray, rounding: str, bits: int = 8) -> int:
    """Among the non-overflow position and the four above it, the one with the least squared error
    (quantizer ``method 1``; the first one wins a tie)."""
    x = np.asarray(x, np.float64)
    p0 = fix_pos_non_overflow(x, bits)
    errors = [float(np.sum((x - fake_quantize(x, p0 + i, rounding, bits)) ** 2)) for i in range(5)]
    return p0 + int(np.argmin(errors))


# --- integer helpers ------------------------------------------------------------------------
def shift_round(v: np.ndarray, shift: int) -> np.ndarray:
    """``dpu_round(v * 2**-shift)`` on integers: an arithmetic right shift with half-up rounding
    (numpy's ``>>`` on signed integers floors), or a left shift when ``shift`` <= 0."""
    v = np.asarray(v, np.int64)
    if shift > 0:
        return (v + (1 << (shift - 1))) >> shift
    return v << (-shift)


def saturate(v: np.ndarray) -> np.ndarray:
    """Clip to [-128, 127] and store as int8 (the DPU saturates, it does not wrap)."""
    return np.clip(v, Q_MIN, Q_MAX).astype(np.int8)


def avgpool_multiplier(kh: int, kw: int) -> tuple[int, int]:
    """The DPU's ``k / 2**n`` approximating ``1 / (kh * kw)`` (Vitis AI's ``_get_avgpool_scale``)."""
    special = {(3, 3): (7, 6), (5, 5): (10, 8), (6, 6): (7, 8), (7, 7): (21, 10), (14, 14): (21, 12)}
    if (kh, kw) in special:
        return special[(kh, kw)]
    rec = kh * kw
    best: tuple[float, int, int] | None = None
    for n in range(int(7 + np.ceil(np.log2(rec)))):
        k = int(np.round(2.0**n / rec))
        err = abs(k / 2.0**n - 1.0 / rec)
        if best is None or err < best[0]:
            best = (err, k, n)
    assert best is not None
    return best[1], best[2]


# --- layer arithmetic shared by calibration (float64) and inference (integers as float64) ---
def _same_padding(size: int, k: int, s: int) -> tuple[int, int, int]:
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def _pad(x: np.ndarray, k: tuple[int, int], s: tuple[int, int], padding: str, value: float) -> np.ndarray:
    if padding == "valid":
        return x
    _, top, bottom = _same_padding(x.shape[1], k[0], s[0])
    _, left, right = _same_padding(x.shape[2], k[1], s[1])
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def _windows(x: np.ndarray, k: tuple[int, int], s: tuple[int, int]) -> np.ndarray:
    """(N, OH, OW, C, kh, kw) views of the kh x kw windows at stride s."""
    win = np.lib.stride_tricks.sliding_window_view(x, k, axis=(1, 2))
    return win[:, :: s[0], :: s[1]]


def conv_acc(x: np.ndarray, w: np.ndarray, strides: tuple[int, int], padding: str) -> np.ndarray:
    """Convolution sums, NHWC input and HWIO kernel, without bias.

    On integer codes the float64 matrix product is exact: every product is below 2**14 and a sum of
    up to 2**38 of them stays below 2**53 (float64's exact-integer range).
    """
    kh, kw, cin, cout = w.shape
    xp = _pad(np.asarray(x, np.float64), (kh, kw), strides, padding, 0.0)
    win = _windows(xp, (kh, kw), strides)  # (N, OH, OW, C, kh, kw)
    n, oh, ow = win.shape[:3]
    cols = win.reshape(n * oh * ow, cin * kh * kw)
    kernel = np.transpose(np.asarray(w, np.float64), (2, 0, 1, 3)).reshape(cin * kh * kw, cout)
    return (cols @ kernel).reshape(n, oh, ow, cout)


def dense_acc(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Dense sums ``x @ w`` (exact on integer codes, see :func:`conv_acc`)."""
    return np.asarray(x, np.float64) @ np.asarray(w, np.float64)


def pool(
    x: np.ndarray, size: tuple[int, int], strides: tuple[int, int], padding: str, kind: str
) -> np.ndarray:
    """Max pooling, or the window *sum* for average pooling (the caller scales it)."""
    fill = -np.inf if kind == "max" else 0.0
    xp = _pad(np.asarray(x, np.float64), size, strides, padding, fill)
    win = _windows(xp, size, strides)
    return win.max(axis=(-2, -1)) if kind == "max" else win.sum(axis=(-2, -1))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in float64 (it runs on the CPU, not on the DPU)."""
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def mac_fix(acc: np.ndarray, b_q: np.ndarray | None, op: dict) -> np.ndarray:
    """Bias, shift, round half up, ReLU and saturation of a Conv2D/Dense accumulator (int8 out)."""
    acc = np.asarray(np.rint(acc), np.int64)
    shift_cut = op["fix_in"] + op["fix_w"] - op["fix_out"]
    if b_q is not None:
        shift_bias = op["fix_in"] + op["fix_w"] - op["fix_b"]
        # Scale both by 2**k so that a negative shift_bias stays an integer operation.
        k = max(0, -shift_bias)
        acc = (acc << k) + (np.asarray(b_q, np.int64) << (shift_bias + k))
        shift_cut += k
    y = shift_round(acc, shift_cut)
    if op.get("relu"):
        y = np.maximum(y, 0)
    return saturate(y)


# --- the model ------------------------------------------------------------------------------
class DpuModelError(ValueError):
    """A dpu model file that this engine cannot run (wrong schema, unknown op, bad arrays)."""


class DpuModel:
    """A quantized network: a list of ops with integer weights and fix positions.

    Attributes:
        meta: JSON-able description: ``schema``, ``input_shape`` (without batch), ``input_fix``,
            ``output_fix``, ``ops`` (list of dicts), and provenance (``source``, ``calibration``).
        arrays: ``w{i}`` (int8) and ``b{i}`` (int32 holding 8-bit codes) of op ``i``.
    """

    def __init__(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        if meta.get("schema") != SCHEMA:
            raise DpuModelError(f"not a {SCHEMA} model (schema {meta.get('schema')!r})")
        for i, op in enumerate(meta.get("ops", [])):
            if op.get("op") not in OPS:
                raise DpuModelError(
                    f"op {i} ({op.get('name')!r}) is {op.get('op')!r}; this engine runs {OPS}"
                )
        self.meta = meta
        self.arrays = arrays

    # persistence: plain arrays and a JSON string, so loading never unpickles anything
    def save(self, path) -> None:
        """Write the model as an ``.npz`` (the JSON description is stored as a string array)."""
        with open(path, "wb") as fh:
            np.savez(fh, meta=np.array(json.dumps(self.meta)), **self.arrays)

    @classmethod
    def load(cls, path) -> DpuModel:
        """Read a model written by :meth:`save` (``allow_pickle=False``)."""
        try:
            with np.load(path, allow_pickle=False) as f:
                meta = json.loads(str(f["meta"]))
                arrays = {k: f[k] for k in f.files if k != "meta"}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise DpuModelError(f"cannot read dpu model {path}: {exc}") from exc
        return cls(meta, arrays)

    @property
    def input_fix(self) -> int:
        return int(self.meta["input_fix"])

    @property
    def output_fix(self) -> int:
        return int(self.meta["output_fix"])

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.meta["input_shape"])

    @property
    def has_softmax(self) -> bool:
        return bool(self.meta["ops"]) and self.meta["ops"][-1]["op"] == "softmax"

    def quantize_input(self, x: np.ndarray) -> np.ndarray:
        """Float events to the int8 codes the DPU reads (input fix position, round half up)."""
        x = np.asarray(x, np.float64)
        if tuple(x.shape[1:]) != self.input_shape:
            raise DpuModelError(
                f"input events have shape {x.shape[1:]}, the model expects {self.input_shape}"
            )
        return quantize(x, self.input_fix, "dpu")

    def run_int(self, x_q: np.ndarray) -> np.ndarray:
        """The DPU part: int8 input codes to the int8 codes of the last DPU layer."""
        y = np.asarray(x_q, np.int8)
        for i, op in enumerate(self.meta["ops"]):
            kind = op["op"]
            if kind == "softmax":
                break
            if kind == "conv2d":
                acc = conv_acc(y, self.arrays[f"w{i}"], tuple(op["strides"]), op["padding"])
                y = mac_fix(acc, self.arrays.get(f"b{i}"), op)
            elif kind == "dense":
                y = mac_fix(dense_acc(y, self.arrays[f"w{i}"]), self.arrays.get(f"b{i}"), op)
            elif kind == "maxpool":
                y = pool(y, tuple(op["size"]), tuple(op["strides"]), op["padding"], "max").astype(np.int8)
            elif kind == "avgpool":
                s = pool(y, tuple(op["size"]), tuple(op["strides"]), op["padding"], "sum")
                k, n = avgpool_multiplier(*op["size"])
                y = saturate(shift_round(np.rint(s).astype(np.int64) * k, n))
            elif kind == "flatten":
                y = y.reshape(len(y), -1)
        return y

    def output_from_int(self, y_q: np.ndarray) -> np.ndarray:
        """Dequantize the DPU's output codes; softmax in float on the CPU when the model ends with one."""
        y = dequantize(y_q, self.output_fix)
        return softmax(y) if self.has_softmax else y

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Float events in, float outputs out (quantize, integer layers, dequantize, CPU softmax)."""
        return self.output_from_int(self.run_int(self.quantize_input(x)))
