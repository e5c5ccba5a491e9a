"""The run job: push a variant's events through a target and say how fast and how right it was.

:func:`run_variant` does, for one variant and one target (see :mod:`core.deploy`):

1. **Events.** The variant's data set, loaded with the parameters the workspace pins (the same
   events training and synthesis saw), first ``events`` events of the validation split.
2. **Target.** ``"auto"`` picks the path by :func:`choose_path` (below) and then the card target
   of that path (``u50-hls`` / ``u50-dpu``) when it is available here, else its emulator.
3. **Build** with ``target.build``, cached in ``<ws>/deploy/<target>/<variant>/`` under a key made
   of the model file, the saved hls4ml configuration and the target (a changed variant rebuilds).
4. **Run** through ``target.runner(artifact)``: outputs and the wall time of every batch,
   transfers included.
5. **Compare and measure** (:func:`make_report`): throughput (events/s), batch latency p50/p99 (s),
   agreement with Keras float (max/mean abs difference, argmax agreement for classification) and,
   on the hls path, with hls4ml's C simulation of the variant's saved configuration: the fraction
   of events whose outputs are *bit for bit* equal, and every mismatching event by index (up to
   :data:`MISMATCH_CAP`). The task's own metrics come from the target's outputs: accuracy for
   classification, pT resolution and turn-on curves for the muon trigger
   (:func:`core.metrics.physics.trigger_metrics_from_outputs`).

The report (:mod:`core.deploy.report`) is stored as ``<ws>/deploy/runs/<variant>-<target>.json``
(the outputs next to it in ``.npz``, for the Physics view) and its summary numbers go into the
variant's metrics under keys that say where they come from: ``throughput_eps_emulated`` for an emulator, ``throughput_eps_u50``
for the card. An emulated report says "emulated on CPU" in its label and in every summary line.

Which path (:func:`choose_path`): a variant that went through synthesis (it has a saved hls4ml
configuration) or is a QKeras model, or that regresses (the muon trigger), goes the **hls4ml
kernel** way; a float classification network (hands-on 1's CNN) goes the **DPU** way, where Vitis
AI quantizes it to int8 itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core import TrigLabError
from core.deploy import EMULATED_LABEL, Artifact, DeployError, RunOutput, Target, get_target
from core.deploy.report import (  # noqa: F401  (re-exported: the run job's public names)
    MISMATCH_CAP,
    RunReport,
    agreement,
    deploy_dir,
    json_default,
    load_reports,
    load_run_outputs,
    mismatch_list,
    model_digest,
    report_path,
    safe_name,
    store_report,
)
from core.jobs import Progress, ensure_progress

#: Events of the validation split a run uses by default.
DEFAULT_EVENTS = 10_000
DEFAULT_BATCH = 256
ARTIFACT_RECORD = "artifact.json"


# --- choosing a target -------------------------------------------------------------------------
def choose_path(ws, variant: str) -> str:
    """``"hls"`` or ``"dpu"``: which way onto the card a variant goes (module docstring)."""
    from core.hls.pipeline import is_qkeras, saved_config_path

    v = ws[variant]
    if saved_config_path(ws, variant).exists():
        return "hls"
    from core.data import list_datasets

    tasks = {i.name: i.task for i in list_datasets()}
    if tasks.get(v.dataset or "") == "regression" or is_qkeras(ws.load_model(variant)):
        return "hls"
    return "dpu"


def card_or_emulator(path: str) -> Target:
    """The card target of ``path`` (``u50-hls`` / ``u50-dpu``) when usable here, else its emulator."""
    try:
        card = get_target(f"u50-{path}")
        if card.availability().ok:
            return card
    except DeployError:
        pass
    return get_target(f"emulator-{path}")


def resolve_target(ws, variant: str, target: str = "auto") -> Target:
    """The :class:`~core.deploy.Target` for ``target`` (``"auto"``: card if there, else emulator)."""
    return card_or_emulator(choose_path(ws, variant)) if target == "auto" else get_target(target)


# --- events ------------------------------------------------------------------------------------
@dataclass
class RunEvents:
    """The events a run pushes through: the first ``len(x)`` of one split of the variant's data."""

    dataset: Any
    split: str
    x: np.ndarray
    dataset_params: dict[str, Any]

    @property
    def y(self) -> np.ndarray:
        return getattr(self.dataset, f"y_{self.split}")[: len(self.x)]


def variant_events(
    ws, variant: str, events: int = DEFAULT_EVENTS, dataset=None, split: str = "val", progress=None
) -> RunEvents:
    """The first ``events`` events of ``split`` of the variant's data set (all of them if fewer).

    Args:
        dataset: A loaded :class:`core.data.Dataset` to use instead (tests, the walkthrough).
    """
    from core.data import load_dataset
    from core.metrics.physics import workspace_dataset_params

    progress = ensure_progress(progress)
    v = ws[variant]
    params = workspace_dataset_params(ws, variant)
    if dataset is None:
        if not v.dataset:
            raise DeployError(
                f"Variant '{variant}' has no data set; a run needs events (and their truth) to push "
                "through the target. Give the variant a data set (train it on one) first."
            )
        dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress, **params)
    x_all = getattr(dataset, f"x_{split}")
    if int(events) < 1:
        raise DeployError(f"Run at least one event (got {events}).")
    x = np.ascontiguousarray(np.asarray(x_all[: int(events)], dtype=np.float32))
    if len(x) == 0:
        raise DeployError(f"Data set '{dataset.name}' has no events in its '{split}' split.")
    if len(x) < events:
        progress.log(f"the {split} split has {len(x):,} events: running all of them, not {events:,}")
    return RunEvents(dataset, split, x, params)


def inputs_digest(x: np.ndarray) -> str:
    """SHA-256 of the events (float32, C order): ties packages and results to their inputs."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()


# --- references --------------------------------------------------------------------------------
def keras_outputs(ws, variant: str, x: np.ndarray) -> np.ndarray:
    """Keras float outputs of the variant, one row per event."""
    from core.metrics import predict

    out = predict(ws.load_model(variant), x)
    return np.asarray(out, dtype=np.float32).reshape(len(x), -1)


def csim_outputs(ws, variant: str, x: np.ndarray, progress: Progress | None = None) -> tuple[np.ndarray, str]:
    """hls4ml's C simulation of the variant on ``x``, and which configuration was used.

    The configuration is the one synthesis saved for the variant (``"saved"``), else TrigLab's
    default for the model (``"default"``), the same rule the hls targets follow.

    Raises:
        core.hls.errors.HlsError: hls4ml cannot convert the model (the message names the layer).
    """
    from core.deploy.hls_kernel import compiled_variant
    from core.hls.convert import csimulate
    from core.hls.pipeline import saved_config_path

    progress = ensure_progress(progress)
    which = "saved" if saved_config_path(ws, variant).is_file() else "default"
    compiled, _ = compiled_variant(ws, variant, progress.sub(0.0, 0.6))
    out = csimulate(compiled, x, progress=progress.sub(0.6, 1.0))
    if isinstance(out, list):
        raise DeployError(f"Variant '{variant}' has several outputs; runs support one output only.")
    return np.asarray(out, dtype=np.float32).reshape(len(x), -1), which


def check_convertible(ws, variant: str) -> None:
    """Raise the hls4ml error now (before any build) when hls4ml cannot convert the variant."""
    from core.hls.config import make_config

    make_config(ws.load_model(variant))


# --- comparing ---------------------------------------------------------------------------------
def task_metrics(ev: RunEvents, out: np.ndarray) -> dict[str, Any]:
    """The task's single numbers computed from outputs ``out`` on the run's events.

    Classification: ``accuracy`` (fraction) and ``loss``. Regression (the muon trigger): the
    numbers :func:`core.metrics.physics.scalar_metrics` keeps (``pt_resolution_robust``,
    ``pt50_<thr>``, ``pt90_<thr>``...) plus ``mse`` and ``mae``; the full curves are recomputed
    from the stored outputs when drawn (:func:`run_physics`). ``task`` says which.
    """
    from core.metrics import metrics_from_outputs
    from core.metrics.physics import scalar_metrics, trigger_metrics_from_outputs

    ds = ev.dataset
    shaped = np.asarray(out, dtype=np.float64)
    res: dict[str, Any] = {"task": ds.task}
    if ds.task != "classification":
        res.update(scalar_metrics(trigger_metrics_from_outputs(ds, shaped, split=ev.split)))
    for k, v in metrics_from_outputs(ds, shaped, ev.y).items():
        if k in ("accuracy", "loss", "mse", "mae"):
            res[k] = v
    return res


def make_report(
    ev: RunEvents,
    run: RunOutput,
    *,
    target: str,
    emulated: bool,
    variant: str,
    batch_size: int,
    keras: np.ndarray,
    csim: np.ndarray | None = None,
    source: str = "local",
    label: str | None = None,
    extra: dict[str, Any] | None = None,
) -> RunReport:
    """The report of one run from its raw output and the references (shared by local and imported runs)."""
    out = np.asarray(run.outputs, dtype=np.float32).reshape(len(ev.x), -1)
    if not np.all(np.isfinite(out)):
        raise DeployError(f"The outputs of {target} contain NaN or infinite values; the run is not usable.")
    task = ev.dataset.task
    times = np.asarray(run.batch_seconds, dtype=np.float64)
    agree: dict[str, Any] = {"keras": agreement(out, keras, task)}
    mismatches: list[dict[str, Any]] = []
    if csim is not None:
        agree["csim"] = agreement(out, csim, task, exact=True)
        mismatches = mismatch_list(out, csim)
    metrics = task_metrics(ev, out)
    metrics["keras"] = {k: v for k, v in task_metrics(ev, keras).items() if k != "task"}
    if label is None:
        label = f"{target} ({EMULATED_LABEL})" if emulated else f"{target} on {run.device}"
    return RunReport(
        target=target,
        emulated=bool(emulated),
        device=run.device,
        label=label,
        variant=variant,
        dataset=ev.dataset.name,
        events=len(out),
        batch_size=int(batch_size),
        throughput_eps=len(out) / max(run.total_seconds, 1e-9),  # a clock too coarse to see the run
        latency_p50_s=float(np.percentile(times, 50)) if times.size else 0.0,
        latency_p99_s=float(np.percentile(times, 99)) if times.size else 0.0,
        agreement=agree,
        mismatches=mismatches,
        task_metrics=metrics,
        source=source,
        extra={"split": ev.split, "dataset_params": ev.dataset_params, **(extra or {})},
    )


# --- building ----------------------------------------------------------------------------------
def artifact_key(ws, variant: str, target: Target) -> str:
    """Hash of what a build depends on: the model file, the saved hls4ml configuration, the target
    and whether its tools are here."""
    from core.hls.pipeline import saved_config_path

    # A card target built without its tools makes a build package: once they are installed, build again.
    h = hashlib.sha256(f"{target.name}\0{can_build(target)}".encode())
    for path in (ws.path_of(variant), saved_config_path(ws, variant)):
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:20]


def can_build(target: Target) -> bool:
    """Whether ``target`` can build its artifact here (v++, Vitis AI...; discovery's answer).

    Emulators always can (a missing g++ is their build's own error); a card target without its tools
    makes at most a build package.
    """
    if target.emulated:
        return True
    from core.deploy.discovery import discover_cached

    return discover_cached().build_availability(target.name).ok


def build_artifact(ws, variant: str, target: Target, progress: Progress | None = None) -> Artifact:
    """``target.build`` into ``<ws>/deploy/<target>/<variant>/``, or the cached artifact there."""
    progress = ensure_progress(progress)
    out_dir = deploy_dir(ws) / safe_name(target.name) / safe_name(variant)
    record = out_dir / ARTIFACT_RECORD
    key = artifact_key(ws, variant, target)
    try:
        d = json.loads(record.read_text(encoding="utf-8"))
        if d.get("key") == key and _inside(out_dir, Path(d["path"])):
            art = Artifact(
                target=d["target"],
                variant=d["variant"],
                path=out_dir / d["path"],
                files={k: out_dir / p for k, p in d.get("files", {}).items() if _inside(out_dir, Path(p))},
                info=d.get("info", {}),
            )
            if art.path.exists():
                progress.log(f"{target.name}: using the build cached in {out_dir}")
                return art
    except (OSError, ValueError, KeyError, TypeError):
        pass
    out_dir.mkdir(parents=True, exist_ok=True)
    art = target.build(ws, variant, out_dir, progress=progress)
    _record_artifact(record, key, art, out_dir)
    return art


def _inside(folder: Path, rel: Path) -> bool:
    # A record is read back from disk: only paths that stay inside the build folder are followed.
    try:
        return not rel.is_absolute() and (folder / rel).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _record_artifact(record: Path, key: str, art: Artifact, out_dir: Path) -> None:
    from core.atomic import atomic_write_text

    def rel(p: Path) -> str | None:
        try:
            return str(Path(p).resolve().relative_to(out_dir.resolve()))
        except ValueError:
            return None

    main = rel(art.path)
    if main is None:
        return  # built outside its folder: not cacheable, built again next time
    files = {k: r for k, p in art.files.items() if (r := rel(p)) is not None}
    data = {"key": key, "target": art.target, "variant": art.variant, "path": main, "files": files}
    try:
        data["info"] = json.loads(json.dumps(art.info, default=json_default))
    except TypeError:
        data["info"] = {}
    atomic_write_text(record, json.dumps(data, indent=2))


# --- the job -----------------------------------------------------------------------------------
def run_variant(
    ws,
    variant: str,
    target: str = "auto",
    events: int = DEFAULT_EVENTS,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    dataset=None,
) -> RunReport:
    """Run ``variant`` on ``target`` and store the report (a job; see the module docstring).

    Args:
        ws: The workspace.
        variant: The variant to run.
        target: A registered target name, or ``"auto"``.
        events: Events of the validation split to push through (all of them if fewer).
        batch_size: Events per batch (one write + run + read each).
        progress: Job progress; cancellable between steps and batches.
        dataset: The variant's data set, already loaded (else it is loaded from the workspace).

    Returns:
        The :class:`RunReport` (also saved, see :func:`store_report`).

    Raises:
        DeployError: unknown target, a target not available here, no data set, bad sizes.
        core.hls.errors.HlsError: hls4ml cannot convert the variant (hls path).
    """
    progress = ensure_progress(progress)
    ws[variant]  # a clear error for an unknown variant before anything else
    if int(batch_size) < 1:
        raise DeployError(f"The batch size must be at least 1 event (got {batch_size}).")
    t = resolve_target(ws, variant, target)
    avail = t.availability()
    if not avail.ok:
        fix = f" To fix: {avail.fix}" if avail.fix else ""
        raise DeployError(f"Target {t.name} cannot run here: {avail.reason.rstrip('.')}.{fix}")
    if t.path == "hls":
        check_convertible(ws, variant)
    progress.log(f"target: {t.label}")
    ev = variant_events(ws, variant, events, dataset=dataset, progress=progress.sub(0.0, 0.05))
    progress.check_cancelled()
    progress.update(0.05, f"building {variant} for {t.name}")
    art = build_artifact(ws, variant, t, progress=progress.sub(0.05, 0.5))
    progress.check_cancelled()
    progress.update(0.5, f"running {len(ev.x):,} events on {t.label}")
    with t.runner(art) as runner:
        run = runner.run(ev.x, int(batch_size), progress=progress.sub(0.5, 0.8))
    for line in run.log:
        progress.log(line)
    progress.update(0.8, "Keras float reference")
    keras = keras_outputs(ws, variant, ev.x)
    csim = None
    extra: dict[str, Any] = {"artifact": art.info, "inputs_sha256": inputs_digest(ev.x)}
    if t.path == "hls":
        progress.update(0.85, "C simulation reference")
        csim, which = csim_outputs(ws, variant, ev.x, progress=progress.sub(0.85, 0.97))
        extra["csim_config"] = which
    report = make_report(
        ev, run, target=t.name, emulated=t.emulated, variant=variant, batch_size=batch_size,
        keras=keras, csim=csim, extra=extra,
    )  # fmt: skip
    path = store_report(ws, report, run.outputs)
    progress.log(f"report saved in {path}")
    progress.update(1.0, f"{variant} ran on {t.label}")
    return report


def run_physics(
    ws, variant: str, thresholds=None, progress: Progress | None = None
) -> dict[str, dict[str, Any]]:
    """Physics metrics of every stored run of ``variant`` on a regression task, from the run's outputs.

    Returns:
        ``{curve label: trigger_metrics result}``, the label naming the variant and the target with
        its "emulated on CPU" tag (e.g. ``"student on emulator-hls (emulated on CPU)"``); each result
        also carries ``run_of`` (the variant) and ``emulated``. On the muon simulation the rates
        are compared with :func:`core.trigger.reference_trigger` (``rate_ratio_T``), as for the
        variant's own metrics.
    """
    from core.data import load_dataset
    from core.metrics.physics import DEFAULT_THRESHOLDS, reference_for_dataset, trigger_metrics_from_outputs

    progress = ensure_progress(progress)
    v = ws[variant]
    out: dict[str, dict[str, Any]] = {}
    for rep in load_reports(ws, variant):
        if rep.task_metrics.get("task") != "regression":
            continue
        outputs = load_run_outputs(ws, rep)
        if outputs is None:
            if report_path(ws, rep.variant, rep.target).with_suffix(".npz").exists():
                progress.log(
                    f"stored run of '{variant}' on {rep.target} skipped: its outputs file is unreadable"
                )
            continue
        params = rep.extra.get("dataset_params") or {}
        try:
            if not isinstance(params, dict) or {"cache_dir", "progress"} & set(params):
                raise TypeError(f"its dataset parameters are not a data set's ({params!r:.80})")
            ds = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress, **params)
            thr = tuple(thresholds or DEFAULT_THRESHOLDS)
            res = trigger_metrics_from_outputs(
                ds,
                outputs,
                thr,
                split=str(rep.extra.get("split", "val")),
                reference=reference_for_dataset(ds, thr, ws),  # card runs get rate ratios too
            )
        except (TrigLabError, TypeError, ValueError) as exc:
            # one damaged or hand-edited stored run must not take every variant's curves with it
            progress.log(f"stored run of '{variant}' on {rep.target} skipped: {exc}")
            continue
        out[f"{variant} on {rep.label}"] = {**res, "run_of": variant, "emulated": rep.emulated}
    return out
