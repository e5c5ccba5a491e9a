"""Operations on a workspace that the app, the CLI and the tests share.

Each is a job function (takes ``progress``) that leaves the workspace with a new, measured
variant, never touching its parent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.jobs import Progress, ensure_progress
from core.train import TrainResult, train
from core.workspace import Variant, Workspace


def default_home() -> Path:
    """TrigLab's per-user data folder (``$TRIGLAB_HOME``, else ``$XDG_DATA_HOME/triglab``)."""
    env = os.environ.get("TRIGLAB_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "triglab"


def measure_model(
    model,
    dataset=None,
    max_samples: int | None = None,
    *,
    operation: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The numbers a variant carries: structure, size and cost always, task metrics with a dataset.

    Keys: ``params``, ``nonzero``, ``sparsity`` (fraction), ``macs`` (per inference),
    ``size_dense`` / ``size_sparse`` / ``size_gzip`` / ``size_quantized`` (bytes), ``bits_max``,
    ``bits_mean``, ``weight_bits`` / ``act_bits`` (per layer), ``bops``, the energy estimate
    ``energy_pj_estimate`` (see :mod:`core.metrics.cost`), and the dataset's metrics on the
    validation split prefixed ``val_`` (e.g. ``val_accuracy``) when ``dataset`` is given.
    ``operation`` and ``params`` tell the cost model about weights stored in fewer bits than the
    Keras model shows (post-training fixed point, TFLite int8).
    """
    from core.metrics import evaluate
    from core.metrics.cost import cost_overrides_from_variant, model_cost
    from core.models import inspect_model

    summary = inspect_model(model)
    totals = summary.to_dict()["totals"]
    out: dict[str, Any] = {
        k: totals[k]
        for k in ("params", "nonzero", "sparsity", "macs", "size_dense", "size_sparse", "size_gzip")
    }
    overrides = cost_overrides_from_variant(operation or "", params or {}) if operation else {}
    cost = model_cost(model, summary, **overrides)
    for k in (
        "size_quantized",
        "bits_max",
        "bits_mean",
        "weight_bits",
        "act_bits",
        "bops",
        "energy_pj_estimate",
    ):
        if k in cost:
            out[k] = cost[k]
    if dataset is not None:
        for k, v in evaluate(model, dataset, "val", max_samples=max_samples).items():
            out[f"val_{k}"] = v
    return out


def add_zoo_variant(
    ws: Workspace,
    zoo_name: str,
    *,
    dataset: str | None = None,
    name: str | None = None,
    model=None,
    **params,
) -> Variant:
    """Add a zoo architecture to the workspace as a root variant (untrained, or ``model`` when given:
    the same architecture with the weights it started from)."""
    from core.zoo import build_model, get_zoo_entry

    entry = get_zoo_entry(zoo_name)
    model = model if model is not None else build_model(zoo_name, **params)
    return ws.add_variant(
        model,
        name or f"{zoo_name}-init",
        operation="zoo",
        params={"zoo": zoo_name, **params},
        metrics=measure_model(model),
        dataset=dataset or entry.dataset,
    )


@dataclass
class TrainVariantResult:
    variant: Variant
    train: TrainResult


def train_variant(
    ws: Workspace,
    source: str,
    dataset,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 1e-3,
    optimizer: str = "adam",
    seed: int = 0,
    name: str | None = None,
    max_train_samples: int | None = None,
    schedule: str = "constant",
    progress: Progress | None = None,
) -> TrainVariantResult:
    """Train a copy of variant ``source`` and add the result as its child.

    A cancelled training still yields a (usable, partly trained) variant, marked
    ``params["cancelled"] = True`` so nobody mistakes it for a finished one. A failed one
    (e.g. :class:`core.train.NonFiniteLossError`) adds nothing.
    """
    progress = ensure_progress(progress)
    settings = dict(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        optimizer=optimizer,
        schedule=schedule,
        seed=seed,
        max_train_samples=max_train_samples,
    )
    result = train(ws.load_model(source), dataset, progress=progress, **settings)
    return _add_trained(ws, source, result, dataset, settings, name, progress)


def train_zoo_variant(
    ws: Workspace,
    zoo_name: str,
    dataset,
    *,
    name: str | None = None,
    progress: Progress | None = None,
    **settings,
) -> TrainVariantResult:
    """Build zoo architecture ``zoo_name`` and train it on ``dataset``.

    The untrained ``<zoo>-init`` variant and the trained child are added only once the training
    has succeeded: a model that does not fit the data, a loss that turns NaN or any other failure
    leaves the workspace as it was.

    Args:
        ws: The workspace.
        zoo_name: A name from :func:`core.zoo.list_zoo`.
        dataset: A :class:`core.data.Dataset`.
        name: Name of the trained variant (default: the zoo name).
        progress: Job progress.
        **settings: ``epochs``, ``batch_size``, ``lr``, ``optimizer``, ``schedule``, ``seed``,
            ``max_train_samples`` (see :func:`core.train.train`).
    """
    from core.train import check_model_fits_data
    from core.zoo import build_model

    progress = ensure_progress(progress)
    model = build_model(zoo_name)
    check_model_fits_data(model, dataset)
    initial = [w.copy() for w in model.get_weights()]
    result = train(model, dataset, progress=progress, **settings)
    start = build_model(zoo_name)
    start.set_weights(initial)
    init = add_zoo_variant(ws, zoo_name, dataset=dataset.name, model=start)
    return _add_trained(ws, init.name, result, dataset, settings, name, progress)


def _add_trained(
    ws: Workspace, source: str, result: TrainResult, dataset, settings: dict[str, Any], name, progress
) -> TrainVariantResult:
    params = {k: v for k, v in settings.items() if k != "max_train_samples"}
    params.update(
        epochs_completed=result.epochs_completed, cancelled=result.cancelled, history=result.history
    )
    if settings.get("max_train_samples"):
        params["max_train_samples"] = settings["max_train_samples"]
    base = source[:-5] if source.endswith("-init") else f"{source}-trained"
    variant = ws.add_variant(
        result.model,
        name or base,
        parent=source,
        operation="train",
        params=params,
        metrics={**measure_model(result.model, dataset), "train_seconds": result.seconds},
        dataset=dataset.name,
    )
    progress.log(f"saved variant '{variant.name}'")
    return TrainVariantResult(variant, result)


DEMO_EPOCHS = 30


def ensure_demo_workspace(
    root: str | os.PathLike | None = None, progress: Progress | None = None
) -> Workspace:
    """The hands-on 1 demo: ``handson_cnn`` trained on ``digits``, done once and cached.

    Later calls find the trained variant and return at once.
    """
    from core.data import load_dataset

    progress = ensure_progress(progress)
    root = Path(root) if root else default_home() / "demo-handson1"
    ws = Workspace.open_or_create(root)
    if any(v.operation == "train" and not v.params.get("cancelled") for v in ws.variants.values()):
        return ws
    ws.title = "Hands-on 1 demo: handson_cnn on digits"
    progress.update(0.0, "building the hands-on 1 demo (first start only)")
    dataset = load_dataset("digits")
    init = next((v for v in ws.variants.values() if v.operation == "zoo"), None) or add_zoo_variant(
        ws, "handson_cnn", dataset="digits"
    )
    res = train_variant(
        ws, init.name, dataset, epochs=DEMO_EPOCHS, batch_size=32, lr=3e-3, seed=0, progress=progress
    )
    ws.ui["selected_variant"] = res.variant.name
    ws.ui.setdefault("walkthroughs", {}).setdefault("handson1", {})["train"] = res.variant.name
    ws.save()
    return ws


def export_variant(ws: Workspace, name: str, path: str | os.PathLike) -> Path:
    """Write variant ``name`` to ``path`` as ``.h5`` or ``.keras`` (by extension)."""
    import shutil

    from core import TrigLabError
    from core.models import save_model

    path = Path(path)
    if path.suffix not in (".h5", ".keras"):
        raise TrigLabError(f"Export to '{path}': choose a .h5 or .keras file name")
    src = ws.path_of(name)
    if src.suffix == path.suffix and src.is_file():
        from core.atomic import atomic_path

        with atomic_path(path) as tmp:
            shutil.copyfile(src, tmp)
    else:
        save_model(ws.load_model(name), path)
    return path


def import_model_file(
    ws: Workspace,
    path: str | os.PathLike,
    *,
    trust: bool = False,
    max_params: int | None = None,
    weights: str | os.PathLike | None = None,
    dataset: str | None = None,
    progress: Progress | None = None,
) -> Variant:
    """Load a model file (any format the loader reads) into the workspace as a root variant.

    Raises:
        core.models.ModelLoadError: the file cannot be read (the workspace is left unchanged).
        core.models.UntrustedModelError: it holds code (Lambda / custom objects), trust is False
            and the user never trusted this file. With ``trust`` (the user's explicit request), the
            file and the variant's copy are remembered as trusted (:mod:`core.models.trust`).
    """
    from core.models import load_model

    progress = ensure_progress(progress)
    progress.update(0.1, f"loading {Path(path).name}")
    model = load_model(path, trust=trust, weights=weights, max_params=max_params)
    progress.update(0.7, "measuring")
    stem = Path(path).stem if Path(path).suffix else Path(path).name
    params: dict[str, Any] = {"source": str(Path(path).resolve())}
    v = ws.add_variant(
        model, stem, operation="import", params=params, metrics=measure_model(model), dataset=dataset
    )
    if trust:  # the user's decision (--trust, "Trust this file"): for the file and its re-saved copy
        from core.models import trust as trust_store

        trust_store.remember(path)
        trust_store.remember(ws.path_of(v.name))
    progress.update(1.0, f"imported '{v.name}'")
    return v


def import_ml_stack(progress: Progress | None = None) -> str:
    """Import TensorFlow, QKeras and friends (slow: seconds). Returns a version line.

    The app calls this as its first background job so the window shows before TensorFlow loads.
    """
    progress = ensure_progress(progress)
    progress.update(0.05, "importing TensorFlow")
    import tensorflow as tf

    progress.update(0.7, "importing QKeras")
    import qkeras  # noqa: F401

    from core.models import custom_objects

    custom_objects()
    import keras

    line = f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    progress.log(line)
    progress.update(1.0, "ready")
    return line


HANDSON2_EVENTS = 100_000  # simulated muons of hands-on 2 (the walkthrough's Scale.events too)


def ensure_handson2_workspace(
    root: str | os.PathLike | None = None, events: int = HANDSON2_EVENTS, progress: Progress | None = None
) -> Workspace:
    """The hands-on 2 starting point: muon_rpc data generated (cached) and the two zoo CNNs."""
    from core.data import load_dataset, pin_params, pinned_params

    progress = ensure_progress(progress)
    root = Path(root) if root else default_home() / "demo-handson2"
    ws = Workspace.open_or_create(root)
    ws.title = "Hands-on 2: ATLAS L0 muon trigger"
    # Every later load of muon_rpc in this workspace (training, compression, synthesis,
    # physics) gets the same events. A workspace that already pins its events keeps them: its
    # variants were trained on them.
    if "muon_rpc" not in pinned_params(ws.data_dir):
        pin_params(ws.data_dir, "muon_rpc", events=events)
    progress.update(0.0, "simulating RPC hit maps (first start only)")
    load_dataset("muon_rpc", cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.8))
    ops = {v.params.get("zoo") for v in ws.variants.values() if v.operation == "zoo"}
    for zoo in ("muon_cnn_teacher", "muon_cnn_student"):
        if zoo not in ops:
            add_zoo_variant(ws, zoo, dataset="muon_rpc")
    ws.save()
    progress.update(1.0, "ready")
    return ws
