"""One sweep point as a plain function of bytes and settings: :func:`run_point`.

The client builds a point task (:func:`make_task`: the base variant's model file as bytes, the
data set by name with its pinned parameters, the resolved stages; format in :mod:`core.sweep.spec`)
and a worker — this process, a local Dask worker or a batch node — runs it:

1. seeds (``tf.keras.utils.set_random_seed``, op determinism): the same task gives the same
   metrics in any process;
2. the model bytes go to a private temporary folder and load with
   :func:`core.models.load_model` (no trust is granted: a model that would run code fails);
3. the data set loads by name into the worker's cache folder (``$TRIGLAB_SWEEP_CACHE``, else
   ``triglab-sweep-<uid>`` in the temporary folder), or from a user file by path (a shared folder);
4. the compression stages run in the task's order through the registered operations' ``fn``;
5. the measures (:mod:`core.sweep.point_measures`): task metric, auto-precision, C simulation,
   estimate, vendor synthesis when the worker has the tool;
6. the result: the compressed model's file as bytes, the hls4ml configuration YAML measured, the
   metrics, the resolved params per stage, the log lines, the wall time and ``host:pid``.

A :class:`core.TrigLabError` (a stage refuses, the model is untrusted, hls4ml cannot convert a
layer) makes a ``failed`` result naming the stage: rerunning it would fail again. Anything else
is raised, so Dask retries the point on another worker. The temporary folder is always removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from core import TrigLabError
from core.jobs import Progress, ensure_progress
from core.sweep import SweepError
from core.sweep.point_cache import compressed_cache
from core.sweep.point_measures import HLS_SIDE, hls_metrics, numbers, task_metrics
from core.sweep.spec import DEFAULT_MEASURES, DONE, FAILED, STAGE_ORDER, canonical_json, point_key

MODEL_SUFFIXES = (".h5", ".keras")
CACHE_ENV = "TRIGLAB_SWEEP_CACHE"

#: Data sets this process loaded, by reference: a worker runs many points of one sweep.
_DATASETS: dict[str, Any] = {}
_DATASETS_KEPT = 2


# --- the task ------------------------------------------------------------------------------------
def dataset_ref(ws, name: str) -> dict[str, Any]:
    """How a worker finds variant ``name``'s data set: ``{"name", "params"}`` or ``{"path"}``.

    A built-in data set travels by name with the parameters the workspace uses for it
    (:func:`core.metrics.physics.workspace_dataset_params`: the variant's own, else the pinned
    ones); a user file by its absolute path, which the workers must see (a shared folder).

    Raises:
        SweepError: The variant has no data set.
    """
    from core.data import list_datasets
    from core.metrics.physics import workspace_dataset_params

    v = ws[name]
    if not v.dataset:
        raise SweepError(
            f"Variant '{name}' has no data set: a sweep fine-tunes and measures on one. "
            "Train or import it with a data set first."
        )
    if v.dataset in {info.name for info in list_datasets()}:
        return {"name": v.dataset, "params": workspace_dataset_params(ws, name)}
    path = Path(v.dataset).expanduser()
    if not path.is_absolute():
        path = ws.root / path
    return {"path": str(path.resolve())}


def base_inputs(ws, spec) -> dict[str, Any]:
    """What every point of a sweep takes from the workspace: the base variant's model file (bytes,
    suffix, digest) and its data set reference. Read once per run (:mod:`core.sweep.runner`).

    Raises:
        SweepError: The base variant has no data set, or is not a .h5/.keras model.
        core.workspace.WorkspaceError: No such variant, or its file leaves the workspace.
    """
    ref = dataset_ref(ws, spec.variant)
    path = ws.path_of(spec.variant)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise SweepError(
            f"Variant '{spec.variant}' is stored as '{suffix}': a sweep needs a .h5 or .keras model"
        )
    return {"model": data, "model_suffix": suffix, "dataset": ref, "digest": hashlib.sha256(data).hexdigest()}


def make_task(
    ws,
    spec,
    settings: dict[str, Any],
    index: int,
    stages: list[dict[str, Any]],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The point task of one assignment of the sweep's axes (format in :mod:`core.sweep.spec`).

    Args:
        ws: The workspace.
        spec: The :class:`~core.sweep.spec.SweepSpec` (its base variant, fixed settings,
            measures, ``n_calib``, ``seed``).
        settings: This point's axis values ``{qualified name: value}``.
        index: Order of proposal.
        stages: The resolved stages (:func:`core.sweep.plan.stage_plan`).
        base: :func:`base_inputs` of this sweep, when the caller read them already.

    Returns:
        The task dict: bytes, numbers and strings only.

    Raises:
        SweepError: The base variant has no data set.
        core.workspace.WorkspaceError: No such variant, or its file leaves the workspace.
    """
    base = base if base is not None else base_inputs(ws, spec)
    measures = tuple(spec.measures)
    return {
        "key": point_key(settings, base["digest"], spec.fixed, measures, base["dataset"]),
        "index": int(index),
        "settings": dict(settings),
        "model": base["model"],
        "model_suffix": base["model_suffix"],
        "dataset": base["dataset"],
        "stages": [dict(s) for s in stages],
        "measures": list(measures),
        "n_calib": int(spec.n_calib),
        "seed": int(spec.seed),
    }


# --- running it ----------------------------------------------------------------------------------
def cache_dir() -> Path:
    """This user's point cache: ``$TRIGLAB_SWEEP_CACHE``, else ``<tmp>/triglab-sweep-<uid>``.

    Holds the generated data sets (``data/``) and the compiled hls4ml projects (``hls/``); only
    libraries this user's TrigLab built are ever loaded from it (:mod:`core.hls.cache`).

    Raises:
        SweepError: The default folder exists but is a link or belongs to another user.
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        path = Path(env).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path
    uid = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    path = Path(tempfile.gettempdir()) / f"triglab-sweep-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    st = path.lstat()
    if path.is_symlink() or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        raise SweepError(
            f"The sweep cache folder {path} is a link or belongs to another user; "
            f"set {CACHE_ENV} to a folder of yours."
        )
    return path


def _dataset(ref: dict[str, Any], cache: Path, progress: Progress):
    """The data set of a task, loaded once per process."""
    from core.data import load_dataset

    memo = canonical_json(ref)
    if "path" in ref:  # a user file edited between two sweeps is read again
        with contextlib.suppress(OSError):
            st = os.stat(ref["path"])
            memo += f"\0{st.st_mtime_ns}\0{st.st_size}"
    if memo not in _DATASETS:
        if "path" in ref:
            ds = load_dataset(str(ref["path"]), progress=progress, **dict(ref.get("params") or {}))
        else:
            params = dict(ref.get("params") or {})
            ds = load_dataset(str(ref["name"]), cache_dir=cache / "data", progress=progress, **params)
        while len(_DATASETS) >= _DATASETS_KEPT:
            _DATASETS.pop(next(iter(_DATASETS)))
        _DATASETS[memo] = ds
    return _DATASETS[memo]


def _seed_everything(seed: int) -> bool:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic.

    Returns:
        Whether op determinism was on before (an in-process run turns it off again afterwards:
        the app's or the test session's other jobs keep TensorFlow's defaults).
    """
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    was_on = bool(getattr(tf_config, "is_op_determinism_enabled", lambda: True)())
    tf.keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    return was_on


def _restore_determinism(was_on: bool) -> None:
    from tensorflow.python.framework import config as tf_config

    if not was_on and hasattr(tf_config, "disable_op_determinism"):
        tf_config.disable_op_determinism()


def _collector(lines: list[str], parent: Progress | None) -> Progress:
    """A progress that keeps every log line and forwards everything to ``parent``."""

    def log(line: str) -> None:
        lines.append(line)
        if parent is not None:
            parent.log(line)

    p = Progress(
        on_update=parent.update if parent is not None else None,
        on_log=log,
        on_report=(lambda kind, values: parent.report(kind, **values)) if parent is not None else None,
    )
    if parent is not None:
        p._cancel = parent._cancel  # one cancel button
    return p


def _ordered(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for s in stages:
        if s.get("stage") not in STAGE_ORDER:
            raise SweepError(f"Unknown stage '{s.get('stage')}'; stages: {', '.join(STAGE_ORDER)}")
    return list(stages)


def run_point(task: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """Run one point task and return its point result (formats in :mod:`core.sweep.spec`).

    Args:
        task: A point task (:func:`make_task`).
        progress: Optional job progress (in-process runs); log lines are also kept in the result.

    Returns:
        The point result: ``status`` ``"done"`` with metrics, model bytes and hls4ml YAML, or
        ``"failed"`` with ``error`` naming the stage that refused.

    Raises:
        Anything that is not a :class:`core.TrigLabError` (a crash, an out-of-memory, a
        cancelled job): the runner retries the point.
    """
    t0 = time.perf_counter()
    lines: list[str] = []
    parent = ensure_progress(progress) if progress is not None else None
    prog = _collector(lines, parent)
    result: dict[str, Any] = {
        "key": task.get("key"),
        "index": task.get("index"),
        "status": FAILED,
        "metrics": {},
        "error": None,
        "model": None,
        "hls_config": None,
        "params": {},
        "log": lines,
        "seconds": 0.0,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    step = ["preparing the point"]
    tmp = Path(tempfile.mkdtemp(prefix="triglab-point-"))
    determinism_was_on = True
    try:
        determinism_was_on = _seed_everything(int(task.get("seed", 0)))
        _run(task, tmp, prog, result, step)
        result["status"] = DONE
    except TrigLabError as exc:
        result["error"] = f"{step[0]}: {exc}"
        prog.log(f"point failed at {step[0]}: {exc}")
    finally:
        _restore_determinism(determinism_was_on)
        shutil.rmtree(tmp, ignore_errors=True)
        result["seconds"] = time.perf_counter() - t0
    return result


def _run(task: dict[str, Any], tmp: Path, prog: Progress, result: dict[str, Any], step: list[str]) -> None:
    """The body of :func:`run_point`; ``step[0]`` always says what is running."""
    from core.compress import get_operation
    from core.models import load_model, save_model

    suffix = str(task.get("model_suffix", ".h5")).lower()
    if suffix not in MODEL_SUFFIXES:
        raise SweepError(f"model suffix '{suffix}' is not one of {', '.join(MODEL_SUFFIXES)}")
    measures = tuple(task.get("measures") or DEFAULT_MEASURES)
    stages = _ordered(task.get("stages") or [])
    cache = cache_dir()
    step[0] = "loading the base model"
    base = tmp / f"base{suffix}"
    base.write_bytes(task["model"])
    model = load_model(base)
    step[0] = "loading the data set"
    dataset = _dataset(task["dataset"], cache, prog.sub(0.0, 0.05))
    ops = [s for s in stages if s["stage"] != "hls"]
    # Points that differ only in hls4ml settings compress the same model the same way (seeded):
    # the first one's result is kept in the worker's cache and the others start from it.
    reuse = compressed_cache(cache, task, ops, suffix)
    cached = reuse.load(step) if ops else None
    if cached is not None:
        model, params, op_metrics, cost_op, cost_params = cached
        prog.log(f"compression stages {', '.join(s['stage'] for s in ops)}: reused from this worker's cache")
    else:
        params, op_metrics, cost_op, cost_params = {}, {}, "", {}
    for i, stage in enumerate(ops if cached is None else ()):
        name = stage["stage"]
        step[0] = f"stage '{name}'"
        prog.check_cancelled()
        op = get_operation(name)
        resolved = op.resolve(stage.get("params") or {})
        prog.log(f"{name}: {canonical_json(resolved)}")
        out = op.fn(
            model, dataset, resolved, prog.sub(0.05 + 0.45 * i / len(ops), 0.05 + 0.45 * (i + 1) / len(ops))
        )
        model = out.model
        params[name] = {**resolved, **out.params}
        if out.history:
            params[name]["history"] = out.history
        op_metrics.update(numbers(out.metrics))
        if cost_op != "fixed_point":  # its weight widths are what the cost model must know
            cost_op, cost_params = name, params[name]
    if ops and cached is None:
        reuse.save(model, params, op_metrics, cost_op, cost_params)
    metrics: dict[str, Any] = {}
    if "task" in measures:
        step[0] = "measuring the task metric"
        metrics.update(task_metrics(model, dataset, cost_op, cost_params, prog.sub(0.5, 0.6)))
        metrics.update(op_metrics)  # what an operation measured itself wins
    hls_side = tuple(m for m in measures if m in HLS_SIDE)
    if hls_side:
        step[0] = "stage 'hls'"
        hls_stage = next((s for s in stages if s["stage"] == "hls"), {"params": {}})
        formats = params.get("fixed_point", {}).get("formats")
        yaml_text, hls_out, hls_params = hls_metrics(
            model,
            dataset,
            dict(hls_stage.get("params") or {}),
            hls_side,
            n_calib=int(task.get("n_calib", 1000)),
            cache_root=cache / "hls",
            weight_formats=formats,
            work_dir=tmp,
            progress=prog.sub(0.6, 0.98),
        )
        metrics.update(hls_out)
        params["hls"] = hls_params
        result["hls_config"] = yaml_text
    step[0] = "saving the point's model"
    out_path = tmp / f"point{suffix}"
    save_model(model, out_path)
    result.update(model=out_path.read_bytes(), metrics=metrics, params=params)
    prog.update(1.0, "point done")
