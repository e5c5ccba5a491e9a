"""Weight sharing (clustering) with tensorflow-model-optimization.

Each Dense/Conv kernel's weights are grouped into ``clusters`` groups (k-means, centroids
initialized with k-means++ by default) and every weight is replaced by its group's centroid; a
fine-tuning at a low learning rate then trains the centroids (the gradient of a centroid is the sum
of its weights' gradients) until the validation loss stops improving, and the best epoch's
centroids and assignments are kept (:mod:`core.compress.finetune`). ``strip_clustering`` gives back plain layers whose kernels hold
at most ``clusters`` distinct values: a kernel can then be stored as a small table of centroids plus
a ``log2(clusters)``-bit index per weight (Han et al.'s "deep compression", second stage).

Biases are not clustered (tfmot clusters kernels only). A kernel with no more weights than
clusters is left as it is: there would be nothing to share.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.compress import CompressionError, OpResult, Param, register_operation
from core.compress.finetune import FINETUNE_PARAMS, cap_param, fine_tune
from core.compress.prune import prunable_layers
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model

INITS = ("kmeans++", "density", "linear", "random")
_TFMOT_INIT = {
    "kmeans++": "KMEANS_PLUS_PLUS",
    "density": "DENSITY_BASED",
    "linear": "LINEAR",
    "random": "RANDOM",
}


def unique_counts(model, names: list[str]) -> dict[str, int]:
    """Number of distinct values in each named layer's kernel."""
    return {n: int(np.unique(model.get_layer(n).kernel.numpy()).size) for n in names}


@register_operation(
    "cluster",
    "Cluster weights (weight sharing)",
    "Replace each Dense/Conv kernel's weights by a few shared values (k-means centroids), fine-tune "
    "the centroids until the validation loss stops improving, and strip the clustering wrappers: every kernel then holds at most "
    "'clusters' distinct values.",
    params=(
        Param("clusters", "int", 16, "Distinct values per kernel (16 = 4-bit indices).", 2, 256),
        cap_param("epochs", "of the centroids"),
        Param("init", "choice", "kmeans++", "How the centroids start.", choices=INITS),
        Param("preserve_sparsity", "bool", False, "Keep zero weights at zero (cluster a pruned model)."),
        Param(
            "lr", "float", 1e-4, "Learning rate of the fine-tuning (low: centroids move together).", 1e-7, 1.0
        ),
        *FINETUNE_PARAMS[1:],
    ),
)
def cluster(model, dataset, params: dict[str, Any], progress: Progress) -> OpResult:
    """Weight clustering with ``tfmot.clustering.keras.cluster_weights``.

    Records ``clustered_layers`` (names), ``unique_values`` ({layer: distinct kernel values after
    stripping}), ``skipped`` ({layer: reason}) and, after fine-tuning, ``fine_tuning`` (epochs run,
    best epoch).
    """
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot

    from core.train import set_seed

    progress = ensure_progress(progress)
    progress.check_cancelled()
    n = int(params["clusters"])
    if params["preserve_sparsity"] and n < 3:
        raise CompressionError("Sparsity-preserving clustering needs at least 3 clusters (one is zero)")
    work = copy_model(model)
    skipped: dict[str, str] = {}
    chosen = []
    for layer in prunable_layers(work):
        size = layer.kernel.shape.num_elements()
        if size <= n:
            skipped[layer.name] = f"kernel has {size} weights, not more than {n} clusters"
        else:
            chosen.append(layer.name)
    if not chosen:
        raise CompressionError(f"No Dense/Conv kernel of '{model.name}' has more than {n} weights to cluster")
    clustering = tfmot.clustering.keras
    init = getattr(clustering.CentroidInitialization, _TFMOT_INIT[params["init"]])

    def wrap(layer):
        if layer.name not in chosen:
            return layer
        try:
            return clustering.cluster_weights(
                layer,
                number_of_clusters=n,
                cluster_centroids_init=init,
                preserve_sparsity=bool(params["preserve_sparsity"]),
            )
        except ValueError as exc:
            raise CompressionError(
                f"tfmot cannot cluster layer '{layer.name}' ({type(layer).__name__}): {exc}"
            ) from exc

    set_seed(params["seed"])  # k-means++ draws its first centroids at random
    progress.update(0.02, f"clustering {len(chosen)} kernels into {n} values")
    wrapped = tf.keras.models.clone_model(work, clone_function=wrap)
    history: dict[str, list[float]] = {}
    info: dict[str, Any] = {}
    if params["epochs"] > 0:
        run = fine_tune(
            wrapped,
            dataset,
            epochs=params["epochs"],
            lr=params["lr"],
            batch_size=params["batch_size"],
            seed=params["seed"],
            patience=params["patience"],
            monitor=params["monitor"],
            progress=progress.sub(0.05, 0.97),
        )
        history, info["fine_tuning"] = run.history, run.record()
    stripped = copy_model(clustering.strip_clustering(wrapped))
    uniques = unique_counts(stripped, chosen)
    progress.log("distinct kernel values: " + ", ".join(f"{k} {v}" for k, v in uniques.items()))
    progress.update(1.0, f"clustered {len(chosen)} kernels into at most {n} values")
    return OpResult(
        model=stripped,
        params={"clustered_layers": chosen, "unique_values": uniques, "skipped": skipped, **info},
        history=history,
    )
