"""Keras model -> "dpu model" (:class:`core.deploy.dpu_numpy.DpuModel`): Vitis AI ``pof2s``
post-training quantization, calibrated on the task's events, in numpy.

The algorithm follows ``vai_q_tensorflow2``'s default for DPU targets (``VitisQuantizer(model,
quantize_strategy="pof2s").quantize_model(calib_dataset=...)``; Vitis AI 3.0, UG1414):

1. **Optimize the float graph**: Dropout removed, BatchNormalization folded into the preceding
   Conv2D/Dense (``w * gamma / sqrt(var + eps)``, bias likewise), a ReLU that follows a
   Conv2D/Dense fused into it (the DPU applies it before writing the int8 result).
2. **Weights and biases**: one fix position per tensor, min-MSE over five candidates (method 1),
   round half to even; 8-bit biases, as in the pof2s strategy file.
3. **Calibration**: the calibration events go through the fake-quantized network in batches of 32
   (the quantizer's default for arrays). In each batch the input position is the non-overflow one
   (method 0) and every Conv2D/Dense output position the min-MSE one with DPU rounding; the next
   layer sees the batch's quantized values. The position kept for each tensor is the one chosen in
   most batches (``get_most_common_quantize_info``).
4. **Hardware limits** (``adjust_shift_cut`` / ``adjust_shift_bias``): ``shift_cut = fix_in +
   fix_w - fix_out`` is brought into [0, 16] by moving the weights' position, ``shift_bias = fix_in
   + fix_w - fix_b`` into [min(0, -(24 - (8 + shift_cut))), 16] by moving the bias position.
5. **Integers**: weights to int8 and biases to 8-bit codes at the final positions.

What the engine computes with the result, and how it differs from a real DPU, is written in
:mod:`core.deploy.dpu_numpy`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from core.deploy import DeployError
from core.deploy import dpu_numpy as dn
from core.jobs import Progress, ensure_progress

CLE_STEPS, CLE_THRESHOLD, CLE_CLIP = 10, 0.1, (0.1, 10.0)
#: Calibration batch size (the quantizer's default when ``calib_dataset`` is a numpy array).
CALIB_BATCH = 32
SHIFT_CUT_RANGE = (0, 16)
SHIFT_BIAS_MAX = 16

_SUPPORTED = (
    "InputLayer, Conv2D, Dense, ReLU / Activation('relu'), MaxPooling2D, AveragePooling2D, Flatten, "
    "Dropout, BatchNormalization after a Conv2D/Dense, and a final softmax"
)


def _refuse(layer, why: str) -> DeployError:
    return DeployError(
        f"Layer '{layer.name}' ({type(layer).__name__}) cannot go to the DPU emulator: {why}. "
        f"The emulator runs {_SUPPORTED}; change the model or deploy it on the hls4ml path."
    )


def _activation_name(layer) -> str:
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", str(act)) if act is not None else "linear"


def _chain(model) -> list:
    """The model's layers in order, refusing graphs that branch (the emulator runs a chain)."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if type(model).__name__ != "Sequential":
        prev = None
        for layer in layers:
            inbound = layer.inbound_nodes[0].inbound_layers if layer.inbound_nodes else []
            inbound = inbound if isinstance(inbound, list) else [inbound]
            names = [getattr(x, "name", None) for x in inbound]
            if len(inbound) != 1 or (prev is not None and names[0] != prev.name):
                raise _refuse(layer, "the model branches or merges (the emulator runs one chain of layers)")
            prev = layer
    return layers


def lower_keras(model) -> tuple[tuple[int, ...], list[dict[str, Any]]]:
    """The float ops of ``model`` (BN folded, ReLU fused, Dropout gone), or a refusal.

    Returns:
        ``(input_shape, ops)``; each op a dict with ``op``, ``name`` and, for conv2d/dense,
        float64 arrays ``w`` and ``b``.
    """
    from core.models.wrappers import strip_wrappers

    model = strip_wrappers(model)
    input_shape = tuple(int(d) for d in model.input_shape[1:])
    ops: list[dict[str, Any]] = []
    for layer in _chain(model):
        kind = type(layer).__name__
        cfg = layer.get_config()
        last = ops[-1] if ops else None
        if kind in ("Conv2D", "Dense"):
            w, *rest = layer.get_weights()
            b = rest[0] if rest else np.zeros(w.shape[-1])
            op: dict[str, Any] = {"op": "conv2d" if kind == "Conv2D" else "dense", "name": layer.name}
            if kind == "Conv2D":
                if tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1) or cfg.get("groups", 1) != 1:
                    raise _refuse(layer, "dilated or grouped convolutions are not emulated")
                if cfg.get("data_format", "channels_last") != "channels_last":
                    raise _refuse(layer, "only channels_last (NHWC) is emulated")
                op.update(strides=list(cfg["strides"]), padding=cfg["padding"])
            op.update(w=np.asarray(w, np.float64), b=np.asarray(b, np.float64), relu=False)
            ops.append(op)
            act = _activation_name(layer)
            if act == "relu":
                op["relu"] = True
            elif act == "softmax":
                ops.append({"op": "softmax", "name": f"{layer.name}_softmax"})
            elif act != "linear":
                raise _refuse(layer, f"its activation '{act}' is not emulated")
        elif kind == "BatchNormalization":
            if last is None or last["op"] not in ("conv2d", "dense") or last["relu"]:
                raise _refuse(layer, "a BatchNormalization is folded only right after a Conv2D/Dense")
            axis = cfg.get("axis", -1)
            axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
            if axis not in (-1, len(layer.input_shape) - 1):
                raise _refuse(layer, f"it normalizes axis {axis}, not the channels (last axis)")
            gamma, beta, mean, var = _bn_params(layer)
            scale = gamma / np.sqrt(var + float(cfg.get("epsilon", 1e-3)))
            last["w"] = last["w"] * scale
            last["b"] = (last["b"] - mean) * scale + beta
        elif kind in ("Activation", "ReLU"):
            act = cfg.get("activation", "relu") if kind == "Activation" else "relu"
            if kind == "ReLU" and (
                cfg.get("max_value") is not None
                or float(cfg.get("negative_slope", 0)) != 0.0
                or float(cfg.get("threshold", 0)) != 0.0
            ):
                raise _refuse(layer, "ReLU6, leaky or thresholded ReLU are not emulated")
            if act == "linear":
                continue
            if act == "softmax":
                ops.append({"op": "softmax", "name": layer.name})
            elif (
                act == "relu" and last is not None and last["op"] in ("conv2d", "dense") and not last["relu"]
            ):
                last["relu"] = True
            else:
                raise _refuse(
                    layer, f"activation '{act}' here is not emulated (a ReLU must follow a Conv2D/Dense)"
                )
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            if cfg.get("data_format", "channels_last") != "channels_last":
                raise _refuse(layer, "only channels_last (NHWC) is emulated")
            if kind == "AveragePooling2D" and cfg["padding"] != "valid":
                raise _refuse(layer, "average pooling with 'same' padding is not emulated")
            strides = cfg.get("strides") or cfg["pool_size"]
            ops.append(
                {
                    "op": "maxpool" if kind == "MaxPooling2D" else "avgpool",
                    "name": layer.name,
                    "size": list(cfg["pool_size"]),
                    "strides": list(strides),
                    "padding": cfg["padding"],
                }
            )
        elif kind == "Flatten":
            ops.append({"op": "flatten", "name": layer.name})
        elif kind == "Dropout":
            continue  # identity at inference; the quantizer removes it (remove_dropout)
        else:
            raise _refuse(layer, "this layer type is not emulated")
        if any(o["op"] == "softmax" for o in ops[:-1]):
            raise _refuse(layer, "softmax must be the last layer (it runs on the CPU after the DPU)")
    if not any(o["op"] in ("conv2d", "dense") for o in ops):
        raise DeployError("The model has no Conv2D or Dense layer: there is nothing for the DPU to compute.")
    return input_shape, ops


def _bn_params(layer) -> tuple[np.ndarray, ...]:
    cfg = layer.get_config()
    values = {w.name.split("/")[-1].split(":")[0]: w.numpy() for w in layer.weights}
    n = int(values["moving_mean"].shape[0])
    gamma = values.get("gamma", np.ones(n)) if cfg.get("scale", True) else np.ones(n)
    beta = values.get("beta", np.zeros(n)) if cfg.get("center", True) else np.zeros(n)
    return tuple(
        np.asarray(v, np.float64) for v in (gamma, beta, values["moving_mean"], values["moving_variance"])
    )


def equalize(ops: list[dict[str, Any]], steps: int = CLE_STEPS) -> int:
    """Cross-layer equalization of adjacent Conv2D pairs, in place; returns the number of pairs."""
    pairs = [(h, t) for h, t in zip(ops, ops[1:]) if h["op"] == t["op"] == "conv2d"]
    for _ in range(steps):
        for head, tail in pairs:
            oc = head["w"].shape[3]
            head_abs = np.abs(np.concatenate([head["w"].reshape(-1, oc), head["b"].reshape(1, -1)]))
            tail_abs = np.abs(tail["w"].transpose(0, 1, 3, 2).reshape(-1, oc))
            b, a = head_abs.max(axis=0), tail_abs.max(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.clip(np.sqrt(a / b), *CLE_CLIP)
            scale[(a + b) < CLE_THRESHOLD] = 1.0
            scale[~np.isfinite(scale)] = 1.0
            head["w"] = head["w"] * scale.reshape(1, 1, 1, -1)
            head["b"] = head["b"] * scale
            tail["w"] = tail["w"] / scale.reshape(1, 1, -1, 1)
    return len(pairs)


def _calibrate(ops: list[dict], x: np.ndarray, progress: Progress) -> tuple[int, dict[int, int]]:
    """Per-batch positions (input: method 0; conv/dense outputs: method 1), most common kept."""
    votes: dict[Any, Counter] = {}
    starts = range(0, len(x), CALIB_BATCH)
    for j, start in enumerate(starts):
        progress.check_cancelled()
        batch = np.asarray(x[start : start + CALIB_BATCH], np.float64)
        pos = dn.fix_pos_non_overflow(batch)
        votes.setdefault("input", Counter())[pos] += 1
        y = dn.fake_quantize(batch, pos, "dpu")
        for i, op in enumerate(ops):
            kind = op["op"]
            if kind in ("conv2d", "dense"):
                w = dn.fake_quantize(op["w"], op["fix_w"], "py3")
                b = dn.fake_quantize(op["b"], op["fix_b"], "py3")
                acc = (
                    dn.conv_acc(y, w, tuple(op["strides"]), op["padding"])
                    if kind == "conv2d"
                    else dn.dense_acc(y, w)
                )
                y = acc + b
                if op["relu"]:
                    y = np.maximum(y, 0.0)
                pos = dn.fix_pos_min_mse(y, "dpu")
                votes.setdefault(i, Counter())[pos] += 1
                y = dn.fake_quantize(y, pos, "dpu")
            elif kind == "maxpool":
                y = dn.pool(y, tuple(op["size"]), tuple(op["strides"]), op["padding"], "max")
            elif kind == "avgpool":
                k, n = dn.avgpool_multiplier(*op["size"])
                y = dn.pool(y, tuple(op["size"]), tuple(op["strides"]), op["padding"], "sum") * k / 2.0**n
                y = dn.fake_quantize(y, pos, "dpu")  # the pool keeps its input's position
            elif kind == "flatten":
                y = y.reshape(len(y), -1)
        progress.update((j + 1) / len(starts), f"calibration batch {j + 1}/{len(starts)}")
    most = {key: c.most_common(1)[0][0] for key, c in votes.items()}
    return most.pop("input"), most


def keras_to_dpu(
    model, x_calib: np.ndarray, progress: Progress | None = None, source: str = "", cle: bool = True
) -> dn.DpuModel:
    """Quantize ``model`` the pof2s way, calibrated on ``x_calib``.

    Args:
        model: a float Keras model (not modified).
        x_calib: calibration events, float, shape (N, *input_shape); a few hundred are enough.
        progress: job progress; cancellable between calibration batches.
        source: provenance written into the model (e.g. the variant name).
        cle: cross-layer equalization first, as the quantizer does by default.

    Returns:
        The dpu model (ops with int8 weights, 8-bit bias codes and fix positions).

    Raises:
        DeployError: a layer the emulator does not run, or no calibration events.
    """
    progress = ensure_progress(progress)
    input_shape, ops = lower_keras(model)
    n_cle = equalize(ops) if cle else 0
    x_calib = np.asarray(x_calib, np.float32)
    if len(x_calib) == 0:
        raise DeployError(
            "No calibration events: the DPU quantizer needs a few hundred events of the task's data."
        )
    if tuple(x_calib.shape[1:]) != input_shape:
        raise DeployError(
            f"Calibration events have shape {x_calib.shape[1:]}; the model expects {input_shape}."
        )
    for op in ops:
        if op["op"] in ("conv2d", "dense"):
            op["fix_w"] = dn.fix_pos_min_mse(op["w"], "py3")
            op["fix_b"] = dn.fix_pos_min_mse(op["b"], "py3")
    input_fix, out_fix = _calibrate(ops, x_calib, progress)

    arrays: dict[str, np.ndarray] = {}
    fix = input_fix
    for i, op in enumerate(ops):
        if op["op"] not in ("conv2d", "dense"):
            continue
        op["fix_in"], op["fix_out"] = fix, out_fix[i]
        _adjust_shifts(op, progress)
        arrays[f"w{i}"] = dn.quantize(op.pop("w"), op["fix_w"], "py3")
        arrays[f"b{i}"] = dn.quantize(op.pop("b"), op["fix_b"], "py3").astype(np.int32)
        fix = op["fix_out"]
    meta = {
        "schema": dn.SCHEMA,
        "scheme": "Vitis AI pof2s: per-tensor symmetric int8, power-of-two scales (not TFLite int8)",
        "input_shape": list(input_shape),
        "input_fix": int(input_fix),
        "output_fix": int(fix),
        "ops": ops,
        "source": source,
        "cle_pairs": n_cle,
        "calibration": {
            "events": len(x_calib),
            "batch_size": CALIB_BATCH,
            "method": "most common per-batch position",
        },
    }
    return dn.DpuModel(meta, arrays)


def _adjust_shifts(op: dict, progress: Progress) -> None:
    """Bring shift_cut and shift_bias into the DPU's ranges (the quantizer's refine step)."""
    lo, hi = SHIFT_CUT_RANGE
    sc = op["fix_in"] + op["fix_w"] - op["fix_out"]
    if not lo <= sc <= hi:
        new = min(max(sc, lo), hi)
        op["fix_w"] = new + op["fix_out"] - op["fix_in"]
        progress.log(
            f"{op['name']}: shift_cut {sc} outside [{lo}, {hi}]; weight fix position moved to {op['fix_w']}"
        )
        sc = new
    sb = op["fix_in"] + op["fix_w"] - op["fix_b"]
    sb_min = min(0, -(24 - (8 + sc)))
    if not sb_min <= sb <= SHIFT_BIAS_MAX:
        new = min(max(sb, sb_min), SHIFT_BIAS_MAX)
        op["fix_b"] = op["fix_in"] + op["fix_w"] - new
        progress.log(
            f"{op['name']}: shift_bias {sb} outside [{sb_min}, {SHIFT_BIAS_MAX}]; bias fix position moved to {op['fix_b']}"
        )
