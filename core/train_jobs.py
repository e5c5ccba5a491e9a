"""The Train view's jobs: load a data set, then train or distill a variant (no Qt here).

:func:`train_job` wraps :func:`core.workflows.train_variant` and :func:`distill_job` wraps
:func:`core.distill.distill_variant`; both load the data set first (cached in the workspace's
data folder, so the GUI thread never waits for it) and report ``("setup", ...)`` with the numbers
a live plot needs to place batches in fractional epochs. The walkthroughs, the Train view and
the CLI run the same functions.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.jobs import Progress, ensure_progress


def _load_for_run(
    ws,
    dataset_ref: str,
    *,
    epochs: int,
    batch_size: int,
    max_train_samples: int | None,
    extra_train_samples: int = 0,
    progress: Progress,
    **setup: Any,
):
    """Load the data set (cached in the workspace's data folder) and report ``("setup", ...)``.

    The setup report carries what the live plot needs to place batches in fractional epochs
    (the batch reports do not). ``extra_train_samples`` are samples trained on besides the data
    set's own (a distillation's events without truth).
    """
    from core.data import load_dataset

    progress.update(0.0, f"loading data set {Path(dataset_ref).name}")
    dataset = load_dataset(dataset_ref, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.05))
    progress.check_cancelled()
    n_train = len(dataset.x_train)
    if max_train_samples:
        n_train = min(n_train, max_train_samples)
    n_train += int(extra_train_samples or 0)
    progress.report(
        "setup",
        dataset=dataset.name,
        task=dataset.task,
        loss=dataset.loss,
        n_train=n_train,
        n_val=len(dataset.x_val),
        epochs=epochs,
        batch_size=batch_size,
        steps_per_epoch=max(1, math.ceil(n_train / batch_size)),
        **setup,
    )
    return dataset


def train_job(
    ws,
    source: str,
    dataset_ref: str,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    optimizer: str,
    seed: int,
    variant_name: str | None = None,
    max_train_samples: int | None = None,
    schedule: str = "constant",
    progress: Progress | None = None,
):
    """Load the data set, then train variant ``source`` and add the result to ``ws``.

    ``variant_name`` is the new variant's name (not ``name``, which ``JobManager.submit`` takes).
    Loading is part of the job (a generated set can take seconds) and is cached in the
    workspace's data folder. Before training it reports ``("setup", ...)`` with the numbers the
    live plot needs to place batches in fractional epochs (the batch reports do not carry them).

    Returns:
        :class:`core.workflows.TrainVariantResult`.
    """
    from core.workflows import train_variant

    progress = ensure_progress(progress)
    dataset = _load_for_run(
        ws,
        dataset_ref,
        epochs=epochs,
        batch_size=batch_size,
        max_train_samples=max_train_samples,
        progress=progress,
    )
    return train_variant(
        ws,
        source,
        dataset,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        optimizer=optimizer,
        seed=seed,
        name=variant_name or None,
        max_train_samples=max_train_samples or None,
        schedule=schedule,
        progress=progress.sub(0.05, 1.0),
    )


def distill_job(
    ws,
    teacher: str,
    student: str,
    dataset_ref: str,
    *,
    temperature: float,
    alpha: float,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    schedule: str = "constant",
    transfer_events: int = 0,
    variant_name: str | None = None,
    max_train_samples: int | None = None,
    progress: Progress | None = None,
):
    """Load the data set, then distill variant ``teacher`` into a copy of ``student`` in ``ws``.

    The sibling of :func:`train_job` (same loading, same setup report, plus ``distill=True``);
    the arguments are those of :func:`core.distill.distill_variant`. ``transfer_events`` events
    without truth are trained on besides the training split, so they count in the batches per
    epoch.

    Returns:
        The new :class:`core.workspace.Variant` (operation ``"distill"``, child of ``student``).
    """
    from core.distill import distill_variant

    progress = ensure_progress(progress)
    dataset = _load_for_run(
        ws,
        dataset_ref,
        epochs=epochs,
        batch_size=batch_size,
        max_train_samples=max_train_samples,
        extra_train_samples=transfer_events,
        progress=progress,
        distill=True,
        teacher=teacher,
    )
    return distill_variant(
        ws,
        teacher,
        student,
        dataset=dataset,
        temperature=temperature,
        alpha=alpha,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        max_train_samples=max_train_samples or None,
        schedule=schedule,
        transfer_events=int(transfer_events or 0),
        name=variant_name or None,
        progress=progress.sub(0.05, 1.0),
    )
