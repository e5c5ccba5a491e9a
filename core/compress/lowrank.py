"""Low-rank factorization by truncated SVD.

A Dense kernel ``W`` (``in × out``) is written ``W = U S Vᵀ`` and truncated to its ``r`` largest
singular values: ``W ≈ A B`` with ``A = U_r √S_r`` (``in × r``) and ``B = √S_r V_rᵀ`` (``r × out``).
The layer becomes two: ``<name>_lr_a`` = Dense(r, no bias, linear) and ``<name>_lr_b`` =
Dense(out, the original bias and activation). It pays when ``r·(in + out) < in·out``.

A convolution kernel ``(kh, kw, cin, cout)`` is read as a ``(kh·kw·cin) × cout`` matrix (each
output channel is a dot product with a flattened input patch) and factored the same way: a
``kh × kw`` convolution to ``r`` channels (same strides, padding and dilation, no bias) followed by
a 1×1 convolution to ``cout`` channels with the bias and activation. Conv1D works alike.

The rank comes from ``rank`` or, when ``rank`` is 0, from ``energy``: the smallest ``r`` keeping
that fraction of ``Σσ²`` (the squared Frobenius norm of the kernel). With ``r`` at the full rank
the factored layers compute what the original did, to float32 rounding.

The model is rebuilt layer by layer, so it must be a chain: a ``Sequential`` model or a functional
one without branches or merges.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.compress import CompressionError, OpResult, Param, register_operation
from core.compress.finetune import FINETUNE_PARAMS, cap_param, fine_tune
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model

_ENERGY_TOL = 1e-9  # energy = 1.0 must not be defeated by float64 noise in Σσ²


def factorable_kind(layer: Any) -> str | None:
    """``dense`` or ``conv`` for layers this module can factor (plain Keras Dense, Conv1D, Conv2D
    without groups), else None. QKeras layers are not factored (their quantizers would be lost)."""
    import tensorflow as tf

    cls = type(layer)
    if cls is tf.keras.layers.Dense:
        return "dense"
    if cls in (tf.keras.layers.Conv1D, tf.keras.layers.Conv2D) and getattr(layer, "groups", 1) == 1:
        return "conv"
    return None


def rank_for_energy(singular_values: np.ndarray, energy: float) -> int:
    """Smallest rank keeping at least ``energy`` (fraction) of ``Σσ²``; 1 for an all-zero kernel."""
    e = np.asarray(singular_values, dtype=np.float64) ** 2
    total = float(e.sum())
    if total <= 0:
        return 1
    kept = np.cumsum(e) / total
    return int(min(len(e), np.searchsorted(kept, energy - _ENERGY_TOL, side="left") + 1))


def factor_matrix(w: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Truncated SVD of ``w`` (``m × n``): ``A`` (``m × r``), ``B`` (``r × n``) with ``A B ≈ w``, and
    the fraction of ``Σσ²`` kept. Computed in float64."""
    u, s, vt = np.linalg.svd(np.asarray(w, dtype=np.float64), full_matrices=False)
    r = int(min(rank, len(s)))
    root = np.sqrt(s[:r])
    total = float(np.sum(s**2))
    kept = float(np.sum(s[:r] ** 2) / total) if total > 0 else 1.0
    return u[:, :r] * root, root[:, None] * vt[:r], kept


def _chain_layers(model) -> list:
    """The model's layers in order (input layer excluded), after checking that it is a chain."""
    import tensorflow as tf

    if isinstance(model, tf.keras.Sequential):
        return list(model.layers)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise CompressionError(
            f"Low-rank factorization rebuilds chain models only; '{model.name}' has "
            f"{len(model.inputs)} inputs and {len(model.outputs)} outputs"
        )
    entries = []
    for entry in model.get_config()["layers"]:
        nodes = entry.get("inbound_nodes") or []
        inbound = [item[0] for node in nodes for item in (node if isinstance(node, list) else [])]
        entries.append((entry.get("name") or entry["config"]["name"], len(nodes), inbound))
    consumers: dict[str, list[str]] = {}
    for name, _, inbound in entries:
        for src in inbound:
            consumers.setdefault(src, []).append(name)
    why = "Low-rank factorization rebuilds chain models only (Sequential, or functional without branches)"
    for src, users in consumers.items():
        if len(users) > 1:
            raise CompressionError(
                f"{why}: the output of layer '{src}' of '{model.name}' feeds {len(users)} layers "
                f"({', '.join(users)})"
            )
    prev = None
    for name, n_nodes, inbound in entries:
        if prev is not None and (n_nodes != 1 or inbound != [prev]):
            raise CompressionError(
                f"{why}: layer '{name}' of '{model.name}' takes {', '.join(inbound) or 'no input'}"
                + (" (a merge)" if len(inbound) > 1 else f", not the output of '{prev}'")
            )
        prev = name
    return [layer for layer in model.layers if not isinstance(layer, tf.keras.layers.InputLayer)]


def _kernel_matrix(layer, kind: str) -> np.ndarray:
    k = layer.kernel.numpy()
    return k if kind == "dense" else k.reshape(-1, k.shape[-1])


def _plan(layer, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Rank and parameter counts for one layer; ``reason`` is set when it is not worth factoring."""
    w = _kernel_matrix(layer, kind)
    m, n = w.shape
    s = np.linalg.svd(np.asarray(w, dtype=np.float64), compute_uv=False)
    max_rank = int(min(m, n))
    r = int(params["rank"]) if params["rank"] > 0 else rank_for_energy(s, params["energy"])
    r = max(1, min(r, max_rank))
    total = float(np.sum(s**2))
    bias = (
        layer.bias.shape.num_elements() if getattr(layer, "use_bias", False) and layer.bias is not None else 0
    )
    plan = {
        "kind": kind,
        "rank": r,
        "max_rank": max_rank,
        "energy_kept": round(float(np.sum(s[:r] ** 2) / total), 6) if total > 0 else 1.0,
        "params_before": m * n + bias,
        "params_after": r * (m + n) + bias,
    }
    if total <= 0:
        plan["reason"] = "its kernel is all zeros"
    elif r * (m + n) >= m * n and not params["force"]:
        plan["reason"] = (
            f"rank {r} would not reduce its parameters ({r}·({m}+{n}) = {r * (m + n)} >= {m}·{n} = {m * n})"
        )
    return plan


def _factored_layers(layer, kind: str, rank: int):
    """The two layers replacing ``layer`` (not yet built) and their kernels."""
    cfg = layer.get_config()
    name = layer.name
    a_mat, b_mat, _ = factor_matrix(_kernel_matrix(layer, kind), rank)
    cls = type(layer)
    shared = {"activity_regularizer": None, "bias_regularizer": None, "bias_constraint": None}
    if kind == "dense":
        a_cfg = {
            **cfg,
            **shared,
            "name": f"{name}_lr_a",
            "units": rank,
            "use_bias": False,
            "activation": "linear",
        }
        b_cfg = {**cfg, "name": f"{name}_lr_b"}
        a_kernel, b_kernel = a_mat, b_mat
    else:
        k = layer.kernel.shape
        nd = len(k) - 2
        a_cfg = {
            **cfg,
            **shared,
            "name": f"{name}_lr_a",
            "filters": rank,
            "use_bias": False,
            "activation": "linear",
        }
        b_cfg = {
            **cfg,
            "name": f"{name}_lr_b",
            "kernel_size": (1,) * nd,
            "strides": (1,) * nd,
            "dilation_rate": (1,) * nd,
            "padding": "valid",
        }
        a_kernel = a_mat.reshape(*k[:-1], rank)
        b_kernel = b_mat.reshape(*(1,) * nd, rank, k[-1])
    a, b = cls.from_config(a_cfg), cls.from_config(b_cfg)
    dtype = layer.kernel.dtype.as_numpy_dtype
    b_weights = [b_kernel.astype(dtype)] + ([layer.bias.numpy()] if layer.use_bias else [])
    return (a, [a_kernel.astype(dtype)]), (b, b_weights)


def factor_model(model, plans: dict[str, dict[str, Any]]):
    """A new model with each layer in ``plans`` replaced by its two factors (others copied).

    Args:
        model: A chain model (Sequential or functional without branches).
        plans: ``{layer name: {"kind": "dense"|"conv", "rank": r, ...}}``.

    Returns:
        The rebuilt model (same class kind, name and input).
    """
    import tensorflow as tf

    from core.models import custom_objects

    layers = _chain_layers(model)
    shape = tuple(model.input_shape[1:])
    input_name = getattr(model, "input_names", None) or [None]
    inp = tf.keras.Input(shape=shape, name=input_name[0], dtype=model.inputs[0].dtype)
    new_layers, weights = [], []
    with tf.keras.utils.custom_object_scope(custom_objects()):
        for layer in layers:
            plan = plans.get(layer.name)
            if plan is not None:
                for new, w in _factored_layers(layer, plan["kind"], plan["rank"]):
                    new_layers.append(new)
                    weights.append((new, w))
            elif isinstance(layer, tf.keras.Model):
                new = copy_model(layer)
                new_layers.append(new)
            else:
                new = type(layer).from_config(layer.get_config())
                new_layers.append(new)
                weights.append((new, layer.get_weights()))
    if isinstance(model, tf.keras.Sequential):
        rebuilt = tf.keras.Sequential([inp, *new_layers], name=model.name)
    else:
        x = inp
        for new in new_layers:
            x = new(x)
        rebuilt = tf.keras.Model(inp, x, name=model.name)
    for new, w in weights:
        new.set_weights(w)
    return rebuilt


@register_operation(
    "lowrank",
    "Low-rank factorization (SVD)",
    "Replace Dense (and optionally convolution) kernels by the product of two thin matrices from a "
    "truncated SVD, keeping a chosen rank or fraction of the kernel's energy, then fine-tune until the "
    "validation loss stops improving. A layer is factored only when this reduces its parameters.",
    params=(
        Param("rank", "int", 0, "Rank kept in every factored layer (0 = choose by 'energy').", 0, 100000),
        Param("energy", "float", 0.9, "Fraction of the kernel's Σσ² to keep when 'rank' is 0.", 0.01, 1.0),
        Param("layers", "json", [], 'Layers to factor, e.g. ["fc1"] (empty = every eligible Dense layer).'),
        Param("include_conv", "bool", False, "Also factor Conv1D/Conv2D layers when 'layers' is empty."),
        Param("force", "bool", False, "Factor even when it does not reduce the parameters (for checks)."),
        cap_param("finetune_epochs", "after factoring"),
        *FINETUNE_PARAMS,
    ),
)
def lowrank(model, dataset, params: dict[str, Any], progress: Progress) -> OpResult:
    """Truncated-SVD factorization of Dense/Conv kernels, then fine-tuning.

    Records ``factored`` ({layer: rank, max_rank, energy_kept (fraction), params_before,
    params_after}), ``skipped`` ({layer: reason}), the model's ``params_before``/``params_after``
    and, after fine-tuning, ``fine_tuning`` (epochs run, best epoch).
    """
    progress = ensure_progress(progress)
    progress.check_cancelled()
    chain = _chain_layers(model)  # fail early, naming the layer, for branched graphs
    names = params.get("layers") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CompressionError(f"Parameter 'layers' must be a JSON list of layer names, got {names!r}")
    by_name = {layer.name: layer for layer in chain}
    if names:
        for n in names:
            if n not in by_name:
                raise CompressionError(f"Model '{model.name}' has no layer '{n}'")
            if factorable_kind(by_name[n]) is None:
                raise CompressionError(
                    f"Layer '{n}' ({type(by_name[n]).__name__}) cannot be factored: only Dense, Conv1D "
                    "and Conv2D layers (without groups) can"
                )
        candidates = [by_name[n] for n in names]
    else:
        kinds = ("dense", "conv") if params["include_conv"] else ("dense",)
        candidates = [layer for layer in chain if factorable_kind(layer) in kinds]
    plans: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for layer in candidates:
        plan = _plan(layer, factorable_kind(layer), params)
        if "reason" in plan:
            skipped[layer.name] = plan["reason"]
        else:
            plans[layer.name] = plan
    if not plans:
        why = "; ".join(f"{n}: {r}" for n, r in skipped.items()) or "no Dense layer (try include_conv)"
        raise CompressionError(f"No layer of '{model.name}' would be factored ({why})")
    progress.update(0.02, f"factoring {len(plans)} layers")
    factored = factor_model(model, plans)
    before, after = int(model.count_params()), int(factored.count_params())
    for n, p in plans.items():
        progress.log(
            f"{n}: rank {p['rank']}/{p['max_rank']}, {p['energy_kept']:.1%} energy, "
            f"{p['params_before']} -> {p['params_after']} parameters"
        )
    info = {"factored": plans, "skipped": skipped, "params_before": before, "params_after": after}
    result = OpResult(model=factored, params=info)
    epochs = int(params["finetune_epochs"])
    if epochs > 0:
        result.intermediates.append(("factored", copy_model(factored), {"params_after": after}))
        progress.check_cancelled()
        run = fine_tune(
            factored,
            dataset,
            epochs=epochs,
            lr=params["lr"],
            batch_size=params["batch_size"],
            seed=params["seed"],
            patience=params["patience"],
            monitor=params["monitor"],
            progress=progress.sub(0.05, 1.0),
        )
        result.history, info["fine_tuning"] = run.history, run.record()
    progress.update(1.0, f"factored {len(plans)} layers: {before} -> {after} parameters")
    return result
