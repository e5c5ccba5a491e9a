"""Sparse regularization: retrain with an L1, L2 or L1+L2 penalty on the kernels, then prune.

The course places it beside pruning: a penalty ``λ·Σ|w|`` (L1) pulls unimportant weights towards
zero during training, so that magnitude pruning afterwards removes weights the network has already
learnt to do without (L2, ``λ·Σw²``, shrinks all weights but rarely to zero; L1+L2 mixes both).

Steps: copy the model with ``kernel_regularizer`` set on every Dense/Conv layer, retrain
``epochs``, drop the regularizers (the model is rebuilt with plain layers, so it loads anywhere
and a later fine-tuning is not penalized), prune the smallest weights to ``sparsity`` (one global
magnitude threshold) and fine-tune with the pruned weights held at zero until the validation loss
stops improving (best epoch kept, :mod:`core.compress.finetune`). The regularized retraining itself
runs all its ``epochs``: its aim is to shrink weights, which the validation loss does not see. The
retrained model before pruning is kept as the intermediate variant ``regularized``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.compress import OpResult, Param, register_operation
from core.compress.finetune import FINETUNE_PARAMS, cap_param, fine_tune
from core.compress.prune import (
    is_prunable,
    kernel_sparsity,
    kernels_of,
    prune_by_magnitude,
    rounded_fractions,
)
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model

KINDS = ("l1", "l2", "l1l2")
TINY = 1e-3
"""Magnitude below which a weight counts as "tiny" in the recorded statistics (weight units)."""


def regularizer_config(kind: str, strength: float) -> dict[str, Any] | None:
    """The Keras config of an L1 / L2 / L1L2 regularizer (both terms ``strength`` for L1L2)."""
    if kind == "l1":
        return {"class_name": "L1", "config": {"l1": float(strength)}}
    if kind == "l2":
        return {"class_name": "L2", "config": {"l2": float(strength)}}
    if kind == "l1l2":
        return {"class_name": "L1L2", "config": {"l1": float(strength), "l2": float(strength)}}
    raise ValueError(f"unknown regularizer {kind!r}; choose one of {', '.join(KINDS)}")


def with_kernel_regularizer(model, regularizer: dict[str, Any] | None):
    """A copy of ``model`` whose Dense/Conv layers carry ``regularizer`` (None = no regularizer).

    Args:
        model: A Sequential or functional Keras model.
        regularizer: A regularizer config as from :func:`regularizer_config`, or None.

    Returns:
        The new model, with the same weight values.
    """
    import tensorflow as tf

    from core.models import custom_objects

    def rebuild(layer):
        cfg = layer.get_config()
        if is_prunable(layer):
            cfg["kernel_regularizer"] = regularizer
        return type(layer).from_config(cfg)

    with tf.keras.utils.custom_object_scope(custom_objects()):
        clone = tf.keras.models.clone_model(model, clone_function=rebuild)
    clone.set_weights(model.get_weights())
    return clone


def tiny_fraction(model, threshold: float = TINY) -> float:
    """Fraction of the Dense/Conv kernel weights with ``|w| < threshold`` (weight units)."""
    kernels = list(kernels_of(model).values())
    total = sum(k.size for k in kernels)
    return sum(int(np.count_nonzero(np.abs(k) < threshold)) for k in kernels) / total if total else 0.0


@register_operation(
    "l1",
    "Sparse regularization (L1 / L2)",
    "Retrain with an L1, L2 or L1+L2 penalty on the Dense/Conv kernels so that unimportant weights "
    "shrink towards zero, then prune the smallest ones by magnitude and fine-tune until the validation "
    "loss stops improving. The final model has plain layers (no regularizer).",
    params=(
        Param(
            "kind", "choice", "l1", "Penalty: l1 = λΣ|w| (sparsifies), l2 = λΣw², l1l2 = both.", choices=KINDS
        ),
        Param("strength", "float", 1e-4, "Penalty factor λ per weight (added to the loss).", 0.0, 1.0),
        Param(
            "epochs", "int", 10, "Epochs of regularized retraining (all run: no early stopping).", 1, 10000
        ),
        Param(
            "sparsity",
            "float",
            0.8,
            "Fraction of kernel weights to prune afterwards (0 = no pruning).",
            0.0,
            0.99,
        ),
        cap_param("finetune_epochs", "after pruning, without penalty,"),
        *FINETUNE_PARAMS,
    ),
)
def sparse_regularization(model, dataset, params: dict[str, Any], progress: Progress) -> OpResult:
    """Regularized retraining, then magnitude pruning and an optional short fine-tuning.

    Records ``tiny_before`` / ``tiny_after_training`` (fraction of kernel weights with ``|w|`` below
    1e-3, on the source and after regularized training), ``sparsity_reached`` and
    ``layer_sparsity`` (fractions of zeros over the kernels) and, after the fine-tuning,
    ``fine_tuning`` (its epochs run and best epoch; the history holds both trainings).
    """
    progress = ensure_progress(progress)
    progress.check_cancelled()
    reg = regularizer_config(params["kind"], params["strength"])
    regularized = with_kernel_regularizer(copy_model(model), reg)
    prune_now = params["sparsity"] > 0
    ft_epochs = int(params["finetune_epochs"]) if prune_now else 0
    train_end = 0.85 if ft_epochs else 0.97
    progress.update(0.0, f"retraining with {params['kind'].upper()} penalty {params['strength']:g}")
    history = fine_tune(
        regularized,
        dataset,
        epochs=params["epochs"],
        lr=params["lr"],
        batch_size=params["batch_size"],
        seed=params["seed"],
        progress=progress.sub(0.0, train_end),
    ).history
    plain = with_kernel_regularizer(regularized, None)
    info: dict[str, Any] = {
        "tiny_before": round(tiny_fraction(model), 6),
        "tiny_after_training": round(tiny_fraction(plain), 6),
    }
    progress.log(
        f"kernel weights with |w| < {TINY:g}: {info['tiny_before']:.1%} before, "
        f"{info['tiny_after_training']:.1%} after regularized training"
    )
    result = OpResult(model=plain, history=history)
    if prune_now:
        result.intermediates.append(("regularized", copy_model(plain), dict(info)))
        masks = prune_by_magnitude(plain, params["sparsity"], "global")
        if ft_epochs:
            progress.check_cancelled()
            tune = fine_tune(
                plain,
                dataset,
                epochs=ft_epochs,
                lr=params["lr"],
                batch_size=params["batch_size"],
                seed=params["seed"],
                patience=params["patience"],
                monitor=params["monitor"],
                masks=masks,
                progress=progress.sub(train_end, 0.99),
            )
            result.history = {k: [*history.get(k, []), *v] for k, v in tune.history.items()}
            info["fine_tuning"] = tune.record()
    reached, by_layer = kernel_sparsity(plain)
    result.params = {
        **info,
        "sparsity_reached": round(reached, 6),
        "layer_sparsity": rounded_fractions(by_layer),
    }
    progress.update(1.0, f"regularized and pruned to {reached:.1%} zeros")
    return result
