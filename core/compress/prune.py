"""Pruning by weight magnitude: after training (``prune``) and while training (``prune_tmot``).

**prune** (post-training, Han et al. 2015): zero the smallest-magnitude kernel weights of the Dense
and convolution layers, then fine-tune at a low learning rate with the zeros held in place until
the validation loss stops improving, keeping the best epoch (:mod:`core.compress.finetune`; the
course's fixed 2–5 epochs lost up to 1.1 points on the digits CNN at 80 % + 8 bits, see there).
The pruned model before fine-tuning is kept as an intermediate variant, so the weight views can show the three histograms of the paper (before pruning = the
source, after pruning, after retraining).

*Keeping the masks fixed.* A Keras callback multiplies every pruned kernel by its mask after each
training batch (and once before the first). The optimizer may move a pruned weight during a step,
but it is zeroed again before the next forward pass and before validation, so the sparsity after
fine-tuning is exactly the sparsity after pruning. We chose this over tfmot's ``ConstantSparsity``
because it keeps *our* masks (global or per-layer, exact counts) instead of recomputing a
per-layer threshold, and because the model stays a plain Keras model throughout (nothing to strip).

**prune_tmot** (training-aware, tensorflow-model-optimization): wrap each Dense/Conv layer in
``prune_low_magnitude`` with a ``PolynomialDecay`` schedule that raises the sparsity from
``initial_sparsity`` to ``final_sparsity`` over the first ``ramp`` fraction of the training steps,
re-choosing each layer's mask every ``frequency`` steps; the remaining steps train with the final
masks fixed. ``UpdatePruningStep`` advances the wrappers' step counter; ``strip_pruning`` then
gives back plain layers with sparse kernels. Early stopping only looks at the epochs after the
ramp (from the epoch holding ``end_step``): an epoch in the ramp would score a network that is not
yet as sparse as asked. Defaults: a cap of 30 epochs with the ramp over its first 30 % (9 epochs);
on the digits CNN at 80 % per layer this gave 98.05 % (float 98.61 %) where the former 8 epochs
with a 75 % ramp (2 epochs of recovery) gave 95.54 %.

The Keras-side helpers here (:func:`prunable_layers`...) and :mod:`core.compress.finetune`'s
(:func:`fine_tune`, ``FINETUNE_PARAMS``, re-exported here) are shared by the other compression
operations; models are copied with :func:`core.models.clone.copy_model`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.compress import CompressionError, OpResult, Param, register_operation
from core.compress.finetune import (  # noqa: F401 - re-exported: the operations' shared helpers
    FINETUNE_PARAMS,
    cap_param,
    fine_tune,
    keep_masks_callback,
)
from core.compress.masks import SCOPES, magnitude_masks, sparsity_of
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model

# --- helpers shared by the compression operations --------------------------------------------------


def is_prunable(layer: Any) -> bool:
    """True for a built Dense or convolution layer with a ``kernel`` (Conv1D/2D/3D and their
    transposes, QKeras ``QDense``/``QConv*``). Depthwise and separable convolutions are not."""
    import tensorflow as tf

    kinds = (tf.keras.layers.Dense, tf.keras.layers.Conv1D, tf.keras.layers.Conv2D, tf.keras.layers.Conv3D)
    return isinstance(layer, kinds) and getattr(layer, "kernel", None) is not None


def prunable_layers(model) -> list:
    """The model's top-level prunable layers, in model order (nested models are not searched)."""
    return [layer for layer in model.layers if is_prunable(layer)]


def kernels_of(model, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """``{layer name: kernel}`` of the prunable layers (or of the named ones), as numpy arrays."""
    layers = prunable_layers(model)
    if names is not None:
        by_name = {layer.name: layer for layer in layers}
        layers = [by_name[n] for n in names]
    return {layer.name: np.asarray(layer.kernel.numpy()) for layer in layers}


def set_kernels(model, arrays: dict[str, np.ndarray]) -> None:
    """Write kernels back by layer name."""
    for name, value in arrays.items():
        var = model.get_layer(name).kernel
        var.assign(np.asarray(value, dtype=var.dtype.as_numpy_dtype))


def check_layer_names(model, names, what: str = "prunable layer") -> None:
    """Raise CompressionError naming any of ``names`` that is not a prunable layer of ``model``."""
    known = [layer.name for layer in prunable_layers(model)]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CompressionError(
            f"{', '.join(repr(n) for n in unknown)} is not a {what} of model '{model.name}'. "
            f"Its prunable (Dense/Conv) layers: {', '.join(known) or 'none'}"
        )


def per_layer_targets(model, per_layer: Any, what: str = "per_layer") -> dict[str, float]:
    """Check a ``{layer: sparsity}`` parameter: names of prunable layers, fractions in [0, 0.99]."""
    if per_layer in (None, "", {}):
        return {}
    if not isinstance(per_layer, dict):
        raise CompressionError(
            f"Parameter '{what}' must be a JSON object {{layer: sparsity}}, got {per_layer!r}"
        )
    check_layer_names(model, list(per_layer))
    out = {}
    for name, s in per_layer.items():
        try:
            s = float(s)
        except (TypeError, ValueError):
            raise CompressionError(
                f"'{what}': the sparsity of '{name}' must be a number, got {s!r}"
            ) from None
        if not 0.0 <= s <= 0.99:
            raise CompressionError(f"'{what}': the sparsity of '{name}' must be in [0, 0.99], got {s}")
        out[name] = s
    return out


def prune_by_magnitude(
    model, sparsity: float, scope: str = "global", per_layer: dict[str, float] | None = None
) -> dict[str, np.ndarray]:
    """Zero the smallest-magnitude kernel weights of the prunable layers, in place.

    Biases are left alone (few, and each one matters).

    Args:
        model: The Keras model to prune (changed in place).
        sparsity: Target fraction of zeros in [0, 1) over the kernels not in ``per_layer``.
        scope: ``global`` (one magnitude threshold across those kernels) or ``per_layer``.
        per_layer: ``{layer name: sparsity}`` overrides, each reached layer by layer.

    Returns:
        ``{layer name: keep-mask}`` of every prunable layer.
    """
    kernels = kernels_of(model)
    if not kernels:
        raise CompressionError(f"Model '{model.name}' has no Dense or convolution layer to prune")
    try:
        masks = magnitude_masks(kernels, sparsity, scope, per_layer)
    except ValueError as exc:
        raise CompressionError(str(exc)) from exc
    set_kernels(model, {n: np.where(m, kernels[n], 0) for n, m in masks.items()})
    return masks


def zero_masks(model) -> dict[str, np.ndarray]:
    """``{layer: keep-mask}`` keeping the non-zero kernel weights of the prunable layers that have
    zeros (the masks a pruned model already carries; layers without zeros are left out)."""
    return {n: k != 0 for n, k in kernels_of(model).items() if not np.all(k)}


def kernel_sparsity(model, names: list[str] | None = None) -> tuple[float, dict[str, float]]:
    """Fraction of zeros over the prunable kernels (or the named ones), and per layer."""
    kernels = kernels_of(model, names)
    return sparsity_of(kernels), {n: sparsity_of([k]) for n, k in kernels.items()}


def rounded_fractions(d: dict[str, float]) -> dict[str, float]:
    """The values rounded to 6 decimals (fractions recorded in variant parameters)."""
    return {k: round(float(v), 6) for k, v in d.items()}


# --- prune: post-training magnitude pruning + fine-tuning ----------------------------------------


@register_operation(
    "prune",
    "Prune by magnitude",
    "Zero the smallest-magnitude weights of the Dense and convolution kernels (one threshold across "
    "the network, or each layer to its target), then fine-tune with the pruned weights held at zero "
    "until the validation loss stops improving (best epoch kept). Keeps the pruned model before "
    "fine-tuning as a variant of its own.",
    params=(
        Param(
            "sparsity", "float", 0.8, "Target fraction of zero kernel weights (0.8 = 80% removed).", 0.0, 0.99
        ),
        Param(
            "scope",
            "choice",
            "global",
            "global: one magnitude threshold over all kernels; per_layer: each layer to the target.",
            choices=SCOPES,
        ),
        Param("per_layer", "json", {}, "Per-layer targets overriding 'sparsity', e.g. {\"fc1\": 0.9}."),
        cap_param("finetune_epochs", "after pruning"),
        *FINETUNE_PARAMS,
    ),
)
def prune(model, dataset, params: dict[str, Any], progress: Progress) -> OpResult:
    """Post-training magnitude pruning, then fine-tuning with the masks held fixed.

    Params: ``sparsity`` (fraction), ``scope``, ``per_layer`` ({layer: fraction}),
    ``finetune_epochs`` (epoch cap), ``patience``, ``monitor``, ``lr``, ``batch_size``, ``seed``.
    Records ``sparsity_reached`` (fraction of zeros over the prunable kernels), ``layer_sparsity``,
    ``pruned_layers`` and ``fine_tuning`` (epochs run, best epoch: :meth:`FineTuneRun.record`).
    """
    progress = ensure_progress(progress)
    progress.check_cancelled()
    progress.update(0.0, "pruning by magnitude")
    pruned = copy_model(model)
    per_layer = per_layer_targets(pruned, params.get("per_layer"))
    masks = prune_by_magnitude(pruned, params["sparsity"], params["scope"], per_layer)
    reached, by_layer = kernel_sparsity(pruned, list(masks))
    step = {"sparsity_reached": round(reached, 6), "layer_sparsity": rounded_fractions(by_layer)}
    progress.log(
        f"pruned {len(masks)} kernels to {reached:.1%} zeros: "
        + ", ".join(f"{n} {s:.0%}" for n, s in by_layer.items())
    )
    result = OpResult(model=pruned, params={**step, "pruned_layers": list(masks)})
    epochs = int(params["finetune_epochs"])
    if epochs > 0:
        result.intermediates.append(("pruned", copy_model(pruned), dict(step)))
        progress.check_cancelled()
        run = fine_tune(
            pruned,
            dataset,
            epochs=epochs,
            lr=params["lr"],
            batch_size=params["batch_size"],
            seed=params["seed"],
            patience=params["patience"],
            monitor=params["monitor"],
            masks=masks,
            progress=progress.sub(0.05, 1.0),
        )
        result.history = run.history
        after, by_layer = kernel_sparsity(pruned, list(masks))
        result.params.update(
            sparsity_reached=round(after, 6),
            layer_sparsity=rounded_fractions(by_layer),
            fine_tuning=run.record(),
        )
    progress.update(1.0, f"pruned to {result.params['sparsity_reached']:.1%} zeros")
    return result


# --- prune_tmot: training-aware pruning with tensorflow-model-optimization ------------------------


def pruning_schedule_steps(
    train_samples: int, batch_size: int, epochs: int, ramp: float, frequency: int = 0
) -> tuple[int, int, int]:
    """Steps of a ``PolynomialDecay`` schedule that ends exactly on a mask update.

    tfmot updates the masks when ``(step - begin_step) % frequency == 0`` and ``step <= end_step``
    (the wrapper's step counts training batches from 1). If ``end_step`` is not a multiple of
    ``frequency`` the last update happens *before* the schedule reaches ``final_sparsity`` and the
    target is missed, so ``end_step`` is rounded down to a multiple of ``frequency``.

    Args:
        train_samples: Training samples per epoch.
        batch_size: Samples per step.
        epochs: Training epochs.
        ramp: Fraction of all steps over which the sparsity rises (the rest trains at fixed masks).
        frequency: Steps between mask updates; 0 = automatic (half an epoch, at most 100).

    Returns:
        ``(begin_step, end_step, frequency)``.
    """
    steps_per_epoch = max(1, math.ceil(train_samples / batch_size))
    total = steps_per_epoch * epochs
    ramp_steps = max(1, int(ramp * total))
    if frequency <= 0:
        frequency = max(1, min(100, steps_per_epoch // 2))
    frequency = min(frequency, ramp_steps)
    end_step = (ramp_steps // frequency) * frequency
    return 0, end_step, frequency


@register_operation(
    "prune_tmot",
    "Prune while training (tfmot)",
    "Training-aware magnitude pruning with tensorflow-model-optimization: the sparsity of each "
    "Dense/Conv kernel rises from an initial to a final value along a polynomial schedule while the "
    "network trains, then the pruning wrappers are stripped (plain layers, sparse kernels).",
    params=(
        Param(
            "final_sparsity",
            "float",
            0.8,
            "Fraction of zero kernel weights at the end, per layer.",
            0.0,
            0.99,
        ),
        Param("initial_sparsity", "float", 0.0, "Fraction of zeros when pruning starts.", 0.0, 0.99),
        Param(
            "epochs",
            "int",
            30,
            "Epoch cap of the training (pruning ramp plus recovery at the final masks; the ramp is a "
            "fraction of this cap); early stopping ('patience') looks only at the epochs after the ramp.",
            1,
            10000,
        ),
        Param(
            "per_layer",
            "json",
            {},
            "Per-layer final sparsity overriding 'final_sparsity' (0 = leave the layer).",
        ),
        Param(
            "ramp",
            "float",
            0.3,
            "Fraction of the epoch cap over which the sparsity rises (0.3 of 30 = 9 epochs).",
            0.05,
            1.0,
        ),
        Param(
            "frequency",
            "int",
            0,
            "Training steps between mask updates (0 = half an epoch, at most 100).",
            0,
            100000,
        ),
        *FINETUNE_PARAMS,
    ),
)
def prune_tmot(model, dataset, params: dict[str, Any], progress: Progress) -> OpResult:
    """Training-aware pruning with ``tfmot.sparsity.keras.prune_low_magnitude``.

    Records ``sparsity_reached`` (fraction of zeros over the pruned kernels), ``layer_sparsity``,
    ``begin_step``, ``end_step`` and ``frequency`` (training steps), and ``fine_tuning`` (epochs
    run, best epoch among those after the ramp).
    """
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot

    progress = ensure_progress(progress)
    progress.check_cancelled()
    work = copy_model(model)
    targets = {layer.name: float(params["final_sparsity"]) for layer in prunable_layers(work)}
    targets.update(per_layer_targets(work, params.get("per_layer")))
    targets = {n: s for n, s in targets.items() if s > 0}
    if not targets:
        raise CompressionError("Nothing to prune: every prunable layer has a target sparsity of 0")
    begin, end, freq = pruning_schedule_steps(
        len(dataset.x_train), params["batch_size"], params["epochs"], params["ramp"], params["frequency"]
    )
    initial = float(params["initial_sparsity"])
    sparsity = tfmot.sparsity.keras

    def wrap(layer):
        if layer.name not in targets:
            return layer  # the layer of our private copy, weights included
        final = targets[layer.name]
        schedule = sparsity.PolynomialDecay(
            initial_sparsity=min(initial, final),
            final_sparsity=final,
            begin_step=begin,
            end_step=end,
            frequency=freq,
        )
        try:
            return sparsity.prune_low_magnitude(layer, pruning_schedule=schedule)
        except ValueError as exc:
            raise CompressionError(
                f"tfmot cannot prune layer '{layer.name}' ({type(layer).__name__}): {exc}"
            ) from exc

    wrapped = tf.keras.models.clone_model(work, clone_function=wrap)
    progress.log(
        f"tfmot pruning of {len(targets)} layers: sparsity {initial:g} -> targets over steps {begin}..{end}, "
        f"mask update every {freq} steps"
    )
    # The last mask update (step end_step) falls in this 0-based epoch whether tfmot counts steps
    # from 0 or 1; from its end on the masks are final.
    steps_per_epoch = max(1, math.ceil(len(dataset.x_train) / params["batch_size"]))
    run = fine_tune(
        wrapped,
        dataset,
        epochs=params["epochs"],
        lr=params["lr"],
        batch_size=params["batch_size"],
        seed=params["seed"],
        patience=params["patience"],
        monitor=params["monitor"],
        callbacks=[sparsity.UpdatePruningStep()],
        start_epoch=end // steps_per_epoch,
        progress=progress.sub(0.0, 0.97),
    )
    stripped = copy_model(sparsity.strip_pruning(wrapped))
    reached, by_layer = kernel_sparsity(stripped, list(targets))
    want = sum(targets[n] * stripped.get_layer(n).kernel.shape.num_elements() for n in targets)
    want /= sum(stripped.get_layer(n).kernel.shape.num_elements() for n in targets)
    if abs(reached - want) > 0.01:
        progress.log(f"warning: reached {reached:.1%} zeros, asked for {want:.1%}")
    progress.update(1.0, f"pruned while training to {reached:.1%} zeros")
    return OpResult(
        model=stripped,
        params={
            "sparsity_reached": round(reached, 6),
            "layer_sparsity": rounded_fractions(by_layer),
            "pruned_layers": list(targets),
            "begin_step": begin,
            "end_step": end,
            "frequency": freq,
            "fine_tuning": run.record(),
        },
        history=run.history,
    )
