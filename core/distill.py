"""Knowledge distillation: train a small (e.g. QKeras) student to mimic a trained teacher.

Classification (Hinton et al. 2015)::

    L = α · CE(y, softmax(s)) + (1 − α) · T² · KL(softmax(t / T) ‖ softmax(s / T))

with ``s`` and ``t`` the student's and teacher's *logits*; the T² keeps the gradient scale of the
soft term independent of the temperature. Regression::

    L = α · MSE(y, s) + (1 − α) · MSE(t, s)

i.e. the teacher's prediction is blended with the truth as the target; the temperature plays no
role. A good teacher's prediction is close to E[y | x], a less noisy target than the truth itself,
which is why a small student learns faster from it.

Logits. Zoo classifiers end with a separate ``Activation("softmax")`` layer: the logits are the
input of that layer, taken with a sub-model that shares the layers (training the sub-model trains
the student). A model whose last layer has a built-in softmax activation gives only probabilities;
then ``log p`` is used, which equals the logits up to a per-sample constant, and softmax is blind
to that constant.

Events without truth (a *transfer set*, as in Buciluă et al. 2006, where model compression began).
The teacher can label inputs that have no truth at all: for the muon trigger, recorded events
(simulated here, their truth thrown away, see :func:`core.data.unlabelled_inputs`). Those events
take the teacher's output as their target in both terms (classification: its argmax as the hard
label), so on them only the teacher speaks. This is where a regression student gains from its
teacher. On the labelled events alone it does not: with an MSE loss, E[(s − y)²] and
E[(s − t)²] have the same minimiser when the teacher predicts E[y | x], and measured on the
hands-on 2 student (20k events, 3 seeds) the distilled student was no better than the one trained
alone (0.43 vs 0.41 robust pT resolution, cosine schedule). With 56k teacher-labelled events
added and the same number of gradient steps for both, the gain depends on how scarce the truth is:
with 14k labelled events 0.31 against 0.34 over 8 runs (within each other's spread), with 3.5k
labelled events 0.371 / 0.389 / 0.370 against 0.424 / 0.529 / 0.423 (measured with a former
3.5k-event test, 3–30 GeV muons). At the classroom size (7k labelled, 3–50 GeV) the numbers of
every seed are in docs/numbers/handson2.json; tests/test_readme_numbers.py checks the gain.

Speed. The teacher is frozen, so its outputs (logits) on the training and validation samples are
computed once and packed next to the targets; each training step runs only the student.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import TrigLabError
from core.jobs import Progress, ensure_progress

TASKS = ("classification", "regression")


class DistillationError(TrigLabError):
    """The teacher / student pair or the settings cannot be distilled."""


def _check(task: str, temperature: float, alpha: float) -> None:
    if task not in TASKS:
        raise DistillationError(f"Distillation needs a classification or regression task, not '{task}'")
    if not (temperature > 0) or not math.isfinite(temperature):
        raise DistillationError(f"The temperature must be a positive number (got {temperature})")
    if not 0.0 <= alpha <= 1.0:
        raise DistillationError(f"α weighs the hard-label loss and must be in [0, 1] (got {alpha})")


# --- the loss, numpy (reference) and TensorFlow (training) -----------------------------------------
def _np_log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def distillation_loss(
    y: np.ndarray,
    student: np.ndarray,
    teacher: np.ndarray,
    *,
    task: str,
    temperature: float = 2.0,
    alpha: float = 0.1,
) -> tuple[float, float, float]:
    """The distillation loss of one batch, in numpy (the reference the TF version is tested against).

    Args:
        y: Truth: integer class labels, shape ``(N,)`` (classification), or targets ``(N, K)``.
        student: Student logits ``(N, C)`` (classification) or predictions ``(N, K)``.
        teacher: Teacher logits or predictions, same shape as ``student``.
        task: ``"classification"`` or ``"regression"``.
        temperature: Softening temperature T (> 0); classification only.
        alpha: Weight of the hard-label loss, in [0, 1]; the distillation term gets 1 − α.

    Returns:
        ``(total, hard, distill)``, each a mean over the batch (nats for classification, squared
        target units for regression); ``total = α · hard + (1 − α) · distill``.
    """
    _check(task, temperature, alpha)
    s = np.asarray(student, dtype=np.float64)
    t = np.asarray(teacher, dtype=np.float64)
    if task == "classification":
        labels = np.asarray(y).astype(int).reshape(-1)
        hard = float(-np.mean(_np_log_softmax(s)[np.arange(len(labels)), labels]))
        log_pt = _np_log_softmax(t / temperature)
        log_ps = _np_log_softmax(s / temperature)
        kl = np.sum(np.exp(log_pt) * (log_pt - log_ps), axis=-1)
        distill = float(temperature**2 * np.mean(kl))
    else:
        y = np.asarray(y, dtype=np.float64).reshape(s.shape)
        hard = float(np.mean((s - y) ** 2))
        distill = float(np.mean((s - t) ** 2))
    return alpha * hard + (1 - alpha) * distill, hard, distill


def distillation_loss_tf(y, student, teacher, *, task: str, temperature: float = 2.0, alpha: float = 0.1):
    """TensorFlow version of :func:`distillation_loss` (differentiable); returns three scalar tensors."""
    import tensorflow as tf

    _check(task, temperature, alpha)
    s = tf.cast(student, tf.float32)
    t = tf.cast(teacher, tf.float32)
    if task == "classification":
        labels = tf.cast(tf.reshape(y, [-1]), tf.int32)
        hard = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=s))
        log_pt = tf.nn.log_softmax(t / temperature, axis=-1)
        log_ps = tf.nn.log_softmax(s / temperature, axis=-1)
        kl = tf.reduce_sum(tf.exp(log_pt) * (log_pt - log_ps), axis=-1)
        distill = temperature**2 * tf.reduce_mean(kl)
    else:
        y = tf.reshape(tf.cast(y, tf.float32), tf.shape(s))
        hard = tf.reduce_mean(tf.square(s - y))
        distill = tf.reduce_mean(tf.square(s - t))
    return alpha * hard + (1 - alpha) * distill, hard, distill


# --- logits ----------------------------------------------------------------------------------------
def _is_softmax(activation) -> bool:
    return getattr(activation, "__name__", str(activation)) == "softmax"


def logits_model(model):
    """A model giving the logits of a softmax classifier (shares the layers, hence the weights).

    A final ``Activation("softmax")`` layer is cut off. A final layer with a built-in softmax
    activation is wrapped with ``log`` instead (logits up to a per-sample constant).
    A model without a final softmax is returned unchanged.
    """
    import tensorflow as tf

    last = model.layers[-1]
    if type(last).__name__ in ("Activation", "Softmax", "QActivation") and (
        type(last).__name__ == "Softmax" or _is_softmax(getattr(last, "activation", None))
    ):
        return tf.keras.Model(model.inputs, last.input, name=f"{model.name}_logits")
    if _is_softmax(getattr(last, "activation", None)):
        logp = tf.math.log(tf.clip_by_value(model.outputs[0], 1e-12, 1.0))
        return tf.keras.Model(model.inputs, logp, name=f"{model.name}_logits")
    return model


# --- the training model ---------------------------------------------------------------------------
def make_distiller(student, *, task: str, n_outputs: int, temperature: float, alpha: float):
    """A Keras model that trains ``student`` on targets packed as ``[truth, teacher output]``.

    The packed target of one sample is ``concat(y, t)``: for classification ``y`` is the label
    (one column) and ``t`` the teacher's ``n_outputs`` logits; for regression both have
    ``n_outputs`` columns. ``fit`` logs ``loss``, ``hard_loss``, ``distill_loss`` and the student's
    task metric (``accuracy`` or ``mae``), each also with the ``val_`` prefix.
    """
    import tensorflow as tf

    _check(task, temperature, alpha)
    net = logits_model(student) if task == "classification" else student
    n_y = 1 if task == "classification" else n_outputs

    class Distiller(tf.keras.Model):
        def __init__(self) -> None:
            super().__init__(name="distiller")
            self.student = student
            self.net = net
            self.loss_tracker = tf.keras.metrics.Mean(name="loss")
            self.hard_tracker = tf.keras.metrics.Mean(name="hard_loss")
            self.distill_tracker = tf.keras.metrics.Mean(name="distill_loss")
            if task == "classification":
                self.task_metric = tf.keras.metrics.SparseCategoricalAccuracy(name="accuracy")
            else:
                self.task_metric = tf.keras.metrics.MeanAbsoluteError(name="mae")

        @property
        def metrics(self):
            return [self.loss_tracker, self.hard_tracker, self.distill_tracker, self.task_metric]

        def call(self, x, training=False):
            return self.net(x, training=training)

        def _step(self, data, training: bool):
            x, packed = data
            y, t = packed[:, :n_y], packed[:, n_y:]
            with tf.GradientTape() as tape:
                s = self.net(x, training=training)
                total, hard, distill = distillation_loss_tf(
                    y, s, t, task=task, temperature=temperature, alpha=alpha
                )
                if training and self.net.losses:
                    total_reg = total + tf.add_n(self.net.losses)
                else:
                    total_reg = total
            if training:
                grads = tape.gradient(total_reg, self.net.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.net.trainable_variables))
            self.loss_tracker.update_state(total)
            self.hard_tracker.update_state(hard)
            self.distill_tracker.update_state(distill)
            self.task_metric.update_state(tf.reshape(y, [-1]) if task == "classification" else y, s)
            return {m.name: m.result() for m in self.metrics}

        def train_step(self, data):
            return self._step(data, True)

        def test_step(self, data):
            return self._step(data, False)

    return Distiller()


@dataclass
class _PackedData:
    """What :func:`core.train.train` reads from a dataset, with targets packed for the distiller."""

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


def teacher_outputs(teacher, x: np.ndarray, task: str, batch_size: int = 1024) -> np.ndarray:
    """The teacher's logits (classification) or predictions (regression) on ``x``, float32."""
    net = logits_model(teacher) if task == "classification" else teacher
    return np.asarray(net.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)


def _pack(y: np.ndarray, t: np.ndarray, task: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32).reshape(len(y), -1)
    if task == "classification":
        y = y[:, :1]
    return np.concatenate([y, t.reshape(len(t), -1)], axis=1)


@dataclass
class DistillResult:
    """What :func:`distill_model` returns.

    Attributes:
        student: the trained student (a usable model even when cancelled).
        history: per-epoch ``loss``, ``hard_loss``, ``distill_loss``, ``mae``/``accuracy`` and their
            ``val_`` versions.
        epochs_completed: whole epochs finished.
        cancelled: True when the user stopped the job.
        seconds: wall time of training (teacher inference included).
    """

    student: Any
    history: dict[str, list[float]]
    epochs_completed: int
    cancelled: bool
    seconds: float


def distill_model(
    teacher,
    student,
    dataset,
    *,
    temperature: float = 2.0,
    alpha: float = 0.1,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int = 256,
    seed: int = 0,
    max_train_samples: int | None = None,
    schedule: str = "constant",
    transfer_x: np.ndarray | None = None,
    progress: Progress | None = None,
) -> DistillResult:
    """Train ``student`` in place on ``dataset`` with the frozen ``teacher``'s help.

    Runs through :func:`core.train.train`, so progress, live curves (``report("epoch", ...)``
    with ``loss``, ``hard_loss``, ``distill_loss``, ``val_loss``, ``val_mae``/``val_accuracy``)
    and cancel behave as in plain training.

    Args:
        teacher: trained Keras model (not modified).
        student: Keras/QKeras model with the same output width; trained in place.
        dataset: a :class:`core.data.Dataset` (classification or regression).
        temperature: softening temperature T (classification).
        alpha: weight of the hard-label loss in [0, 1]; the teacher term gets 1 − α.
        epochs: passes over the training samples.
        lr: Adam learning rate.
        batch_size: samples per step.
        seed: seeds shuffling and any layer randomness.
        max_train_samples: use only the first N training samples.
        schedule: learning-rate schedule (see :func:`core.train.lr_at_epoch`).
        transfer_x: inputs without truth, labelled by the teacher and trained on together with the
            labelled ones (see the module docstring); None for none.
        progress: job progress.
    """
    import time

    import tensorflow as tf

    from core.train import make_optimizer, train

    progress = ensure_progress(progress)
    task = dataset.task
    _check(task, temperature, alpha)
    n_out = int(dataset.n_outputs)
    for role, m in (("teacher", teacher), ("student", student)):
        width = int(m.outputs[0].shape[-1])
        if width != n_out:
            raise DistillationError(
                f"The {role} '{m.name}' has {width} outputs but '{dataset.name}' needs {n_out}"
            )
    t0 = time.monotonic()
    x, y = dataset.x_train, dataset.y_train
    if max_train_samples:
        x, y = x[:max_train_samples], y[:max_train_samples]
    progress.update(0.0, "running the teacher on the training samples")
    t_train = teacher_outputs(teacher, x, task)
    y_packed = _pack(y, t_train, task)
    if transfer_x is not None and len(transfer_x):
        transfer_x = np.asarray(transfer_x, dtype=np.float32)
        if transfer_x.shape[1:] != tuple(x.shape[1:]):
            raise DistillationError(
                f"The events without truth have shape {transfer_x.shape[1:]}, the data set's {tuple(x.shape[1:])}"
            )
        progress.update(0.0, f"the teacher labels {len(transfer_x):,} events without truth")
        t_extra = teacher_outputs(teacher, transfer_x, task)
        y_extra = np.argmax(t_extra, axis=1) if task == "classification" else t_extra
        y_packed = np.concatenate([y_packed, _pack(y_extra, t_extra, task)])
        x = np.concatenate([np.asarray(x, dtype=np.float32), transfer_x])
        progress.log(f"{len(transfer_x):,} events without truth take the teacher's output as their target")
    packed = _PackedData(
        name=dataset.name,
        task=task,
        x_train=x,
        y_train=y_packed,
        x_val=dataset.x_val,
        y_val=_pack(dataset.y_val, teacher_outputs(teacher, dataset.x_val, task), task),
    )
    progress.log(f"distilling '{teacher.name}' into '{student.name}': T={temperature:g}, α={alpha:g}")
    tf.keras.utils.set_random_seed(int(seed))
    distiller = make_distiller(student, task=task, n_outputs=n_out, temperature=temperature, alpha=alpha)
    distiller.compile(optimizer=make_optimizer("adam", lr))
    res = train(
        distiller,
        packed,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        compile=False,
        schedule=schedule,
        progress=progress,
    )
    return DistillResult(student, res.history, res.epochs_completed, res.cancelled, time.monotonic() - t0)


def distill_variant(
    ws,
    teacher: str,
    student: str,
    *,
    dataset=None,
    temperature: float = 2.0,
    alpha: float = 0.1,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int = 256,
    seed: int = 0,
    max_train_samples: int | None = None,
    schedule: str = "constant",
    transfer_events: int = 0,
    name: str | None = None,
    progress: Progress | None = None,
):
    """Distill workspace variant ``teacher`` into a copy of variant ``student``.

    The result is a new child of ``student`` (operation ``"distill"``) whose params record the
    teacher, T, α, epochs, lr, seed and the history; a cancelled run is marked ``cancelled``.

    Args:
        ws: the :class:`core.workspace.Workspace`.
        teacher: name of the trained teacher variant.
        student: name of the student variant (left untouched).
        dataset: a loaded :class:`core.data.Dataset`; by default the student's (or teacher's)
            dataset, loaded from the workspace's data cache.
        temperature, alpha, epochs, lr, batch_size, seed, max_train_samples, schedule: see
            :func:`distill_model`.
        transfer_events: how many events without truth the teacher labels on top of the
            training split (simulated data sets only, see :func:`core.data.unlabelled_inputs`).
        name: name of the new variant (default ``<student>-distilled``).
        progress: job progress.

    Returns:
        The new :class:`core.workspace.Variant`.
    """
    from core.workflows import measure_model

    progress = ensure_progress(progress)
    t_var, s_var = ws[teacher], ws[student]
    if dataset is None:
        from core.data import load_dataset

        ds_name = s_var.dataset or t_var.dataset
        if not ds_name:
            raise DistillationError(f"Variant '{student}' has no dataset; say which one to distill on")
        dataset = load_dataset(ds_name, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.05))
    transfer_x = None
    if transfer_events:
        from core.data import DatasetError, unlabelled_inputs

        if int(transfer_events) < 0:
            raise DistillationError(
                f"The number of events without truth must be >= 0 (got {transfer_events})"
            )
        try:
            transfer_x = unlabelled_inputs(dataset, int(transfer_events), progress.sub(0.05, 0.08))
        except DatasetError as exc:
            raise DistillationError(str(exc)) from exc
    result = distill_model(
        ws.load_model(teacher),
        ws.load_model(student),
        dataset,
        schedule=schedule,
        transfer_x=transfer_x,
        temperature=temperature,
        alpha=alpha,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        max_train_samples=max_train_samples,
        progress=progress.sub(0.08, 0.97),
    )
    params: dict[str, Any] = {
        "teacher": teacher,
        "temperature": temperature,
        "alpha": alpha,
        "epochs": epochs,
        "lr": lr,
        "batch_size": batch_size,
        "seed": seed,
        "schedule": schedule,
        "transfer_events": int(transfer_events or 0),
        "epochs_completed": result.epochs_completed,
        "cancelled": result.cancelled,
        "history": result.history,
    }
    if max_train_samples:
        params["max_train_samples"] = max_train_samples
    metrics = measure_model(result.student, dataset, operation="distill", params=params)
    variant = ws.add_variant(
        result.student,
        name or f"{student}-distilled",
        parent=student,
        operation="distill",
        params=params,
        metrics={**metrics, "train_seconds": result.seconds},
        dataset=dataset.name,
    )
    progress.update(1.0, f"saved variant '{variant.name}'")
    progress.log(f"saved variant '{variant.name}'")
    return variant
