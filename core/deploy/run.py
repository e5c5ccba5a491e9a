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

The report is stored as ``<ws>/deploy/runs/<variant>-<target>.json`` (the outputs next to it in
``.npz``, for the Physics view) and its summary numbers go into the variant's metrics under keys
that say where they come from: ``throughput_eps_emulated`` for an emulator, ``throughput_eps_u50``
for the card. An emulated report says "emulated on CPU" in its label and in every summary line.

Which path (:func:`choose_path`): a variant that went through synthesis (it has a saved hls4ml
configuration) or is a QKeras model, or that regresses (the muon trigger), goes the **hls4ml
kernel** way; a float classification network (hands-on 1's CNN) goes the **DPU** way, where Vitis
AI quantizes it to int8 itself.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core import TrigLabError
from core.deploy import EMULATED_LABEL, Artifact, DeployError, RunOutput, Target, get_target
from core.jobs import Progress, ensure_progress

#: Mismatching events listed one by one in a report (the count is always complete).
MISMATCH_CAP = 100
#: Events of the validation split a run uses by default.
DEFAULT_EVENTS = 10_000
DEFAULT_BATCH = 256
ARTIFACT_RECORD = "artifact.json"


def safe_name(name: str) -> str:
    """A file-name-safe form of a variant or target name."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip(".") or "variant"


def deploy_dir(ws) -> Path:
    """``<ws>/deploy``: built artifacts, run reports, package records."""
    return Path(ws.root) / "deploy"


# --- the report ------------------------------------------------------------------------------
@dataclass
class RunReport:
    """What one run of a variant on a target measured (JSON-able through :meth:`to_dict`).

    Attributes:
        target: Target name (``emulator-hls``, ``u50-dpu``...).
        emulated: True when the numbers come from an emulator on this computer's CPU.
        device: What ran it (card BDF and shell, or the emulator's own description).
        label: How the numbers are captioned, e.g. ``"emulator-hls (emulated on CPU)"``.
        variant, dataset: What ran, on which data set (``split`` and parameters in ``extra``).
        events, batch_size: Events pushed through, events per batch.
        throughput_eps: Events per second over the whole run (transfers included).
        latency_p50_s, latency_p99_s: Median and 99th percentile of the per-batch wall time [s].
        agreement: ``{"keras": {...}, "csim": {...}}`` (``csim`` only on the hls path).
        mismatches: Events whose outputs differ from the C simulation:
            ``{"index", "target", "csim"}`` (index into the run's events), at most
            :data:`MISMATCH_CAP`; ``agreement["csim"]["mismatching_events"]`` has the count.
        task_metrics: Accuracy (classification) or the physics metrics (regression) computed
            from the target's outputs, and the same for Keras under ``keras``.
        created: ISO time.
        source: ``"local"`` or ``"imported from <device>"``.
        extra: Anything else worth keeping (split, dataset parameters, artifact facts, path).
    """

    target: str
    emulated: bool
    device: str
    label: str
    variant: str
    dataset: str
    events: int
    batch_size: int
    throughput_eps: float
    latency_p50_s: float
    latency_p99_s: float
    agreement: dict[str, Any] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    task_metrics: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=lambda: _dt.datetime.now().isoformat(timespec="seconds"))
    source: str = "local"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.emulated:
            d["note"] = f"every number here is {EMULATED_LABEL}, not measured on an Alveo card"
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunReport:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def lines(self) -> list[str]:
        """The report in a few lines for a job log, a terminal or a step card."""
        tag = f" ({EMULATED_LABEL})" if self.emulated else f" (on {self.device})"
        out = [
            f"{self.variant} on {self.label}, {self.events:,} {self.dataset} events in batches of "
            f"{self.batch_size}; {self.source}",
            f"throughput {self.throughput_eps:,.0f} events/s{tag}",
            f"latency per batch incl. transfers: p50 {1e3 * self.latency_p50_s:.3g} ms, "
            f"p99 {1e3 * self.latency_p99_s:.3g} ms{tag}",
        ]
        k = self.agreement.get("keras") or {}
        if k:
            text = f"vs Keras float: max |diff| {k['max_abs_diff']:.3g}"
            if k.get("argmax_agreement") is not None:
                text += f", same class on {100 * k['argmax_agreement']:.2f} % of events"
            out.append(text)
        c = self.agreement.get("csim") or {}
        if c:
            out.append(
                f"vs C simulation: bit for bit equal on {100 * c['exact_fraction']:.2f} % of events "
                f"({c['mismatching_events']} mismatching)"
            )
        t = self.task_metrics
        if t.get("accuracy") is not None:
            ka = (t.get("keras") or {}).get("accuracy")
            out.append(
                f"accuracy {100 * t['accuracy']:.2f} %{tag}"
                + (f" (Keras float {100 * ka:.2f} %)" if ka is not None else "")
            )
        if t.get("pt_resolution_robust") is not None:
            kr = (t.get("keras") or {}).get("pt_resolution_robust")
            text = f"robust pT resolution {100 * t['pt_resolution_robust']:.1f} %{tag}"
            out.append(text + (f" (Keras float {100 * kr:.1f} %)" if kr is not None else ""))
            for key in sorted((k[5:] for k in t if k.startswith("pt50_")), key=float):
                p50 = t[f"pt50_{key}"]
                out.append(
                    f"turn-on at {key} GeV reaches 50 % at "
                    + (f"{p50:.1f} GeV" if p50 is not None else "no pT in range")
                    + tag
                )
        return out


def report_path(ws, variant: str, target: str) -> Path:
    """Where the report of ``variant`` on ``target`` is stored (its outputs: same name, ``.npz``)."""
    return deploy_dir(ws) / "runs" / f"{safe_name(variant)}-{safe_name(target)}.json"


def model_digest(ws, variant: str) -> str | None:
    """SHA-256 of the variant's model file (None when it has none): ties reports to the model."""
    try:
        return hashlib.sha256(ws.path_of(variant).read_bytes()).hexdigest()
    except (OSError, KeyError, TrigLabError):
        return None


def load_reports(ws, variant: str | None = None) -> list[RunReport]:
    """The stored run reports of the workspace's variants (of one variant), oldest first.

    A report whose variant is gone, or whose model file changed since (a variant deleted and a new
    one made under the same name), is not returned.
    """
    folder = deploy_dir(ws) / "runs"
    reports, digests = [], {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            rep = RunReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue  # a damaged report does not hide the others
        if (variant is not None and rep.variant != variant) or rep.variant not in ws.variants:
            continue
        if rep.variant not in digests:
            digests[rep.variant] = model_digest(ws, rep.variant)
        if rep.extra.get("model_sha256") in (None, digests[rep.variant]):
            reports.append(rep)
    return sorted(reports, key=lambda r: r.created)


def load_run_outputs(ws, report: RunReport) -> np.ndarray | None:
    """The target's outputs stored with ``report`` (None when the file is gone)."""
    path = report_path(ws, report.variant, report.target).with_suffix(".npz")
    try:
        with np.load(path, allow_pickle=False) as f:
            return np.asarray(f["outputs"])
    except (OSError, KeyError, ValueError):
        return None


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
    from core.hls.config import make_config
    from core.hls.convert import compile_model, csimulate
    from core.hls.pipeline import load_saved_config

    progress = ensure_progress(progress)
    model = ws.load_model(variant)
    config = load_saved_config(ws, variant)
    which = "saved" if config is not None else "default"
    if config is None:
        config = make_config(model)
    compiled = compile_model(model, config, ws.hls_dir, progress=progress.sub(0.0, 0.6))
    out = csimulate(compiled, x, progress=progress.sub(0.6, 1.0))
    if isinstance(out, list):
        raise DeployError(f"Variant '{variant}' has several outputs; runs support one output only.")
    return np.asarray(out, dtype=np.float32).reshape(len(x), -1), which


def check_convertible(ws, variant: str) -> None:
    """Raise the hls4ml error now (before any build) when hls4ml cannot convert the variant."""
    from core.hls.config import make_config

    make_config(ws.load_model(variant))


# --- comparing ---------------------------------------------------------------------------------
def agreement(out: np.ndarray, ref: np.ndarray, task: str, exact: bool = False) -> dict[str, Any]:
    """How far ``out`` is from a reference ``ref`` (both ``(events, k)``).

    Returns:
        ``max_abs_diff``, ``mean_abs_diff`` (output units), ``argmax_agreement`` (fraction,
        classification only), and with ``exact`` the ``exact_fraction`` of events whose outputs
        are bit for bit equal and the ``mismatching_events`` count.
    """
    out = np.asarray(out, dtype=np.float32).reshape(len(out), -1)
    ref = np.asarray(ref, dtype=np.float32).reshape(len(ref), -1)
    if out.shape != ref.shape:
        raise DeployError(f"Outputs of shape {out.shape} cannot be compared with {ref.shape}.")
    d = np.abs(out.astype(np.float64) - ref)
    res: dict[str, Any] = {
        "max_abs_diff": float(d.max()) if d.size else 0.0,
        "mean_abs_diff": float(d.mean()) if d.size else 0.0,
        "argmax_agreement": None,
    }
    if task == "classification":
        res["argmax_agreement"] = float(np.mean(np.argmax(out, axis=1) == np.argmax(ref, axis=1)))
    if exact:
        equal = np.all(out == ref, axis=1)
        res["exact_fraction"] = float(np.mean(equal))
        res["mismatching_events"] = int(np.sum(~equal))
    return res


def mismatch_list(out: np.ndarray, ref: np.ndarray, cap: int = MISMATCH_CAP) -> list[dict[str, Any]]:
    """The events whose outputs differ from ``ref`` in any bit: index and both outputs."""
    out = np.asarray(out, dtype=np.float32).reshape(len(out), -1)
    ref = np.asarray(ref, dtype=np.float32).reshape(len(ref), -1)
    idx = np.flatnonzero(np.any(out != ref, axis=1))[:cap]
    return [{"index": int(i), "target": out[i].tolist(), "csim": ref[i].tolist()} for i in idx]


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
        throughput_eps=len(out) / run.total_seconds if run.total_seconds > 0 else float("inf"),
        latency_p50_s=float(np.percentile(times, 50)) if times.size else 0.0,
        latency_p99_s=float(np.percentile(times, 99)) if times.size else 0.0,
        agreement=agree,
        mismatches=mismatches,
        task_metrics=metrics,
        source=source,
        extra={"split": ev.split, "dataset_params": ev.dataset_params, **(extra or {})},
    )


def store_report(ws, report: RunReport, outputs: np.ndarray) -> Path:
    """Save the report (JSON) and the target's outputs (``.npz``) atomically; update the variant.

    The variant's metrics get ``throughput_eps_<where>``, ``latency_p50_s_<where>``,
    ``latency_p99_s_<where>``, ``run_target_<where>`` and, when compared, ``csim_exact_<where>``;
    ``<where>`` is ``emulated`` for an emulator and ``u50`` for the card.
    """
    from core.atomic import atomic_path, atomic_write_text

    path = report_path(ws, report.variant, report.target)
    with atomic_path(path.with_suffix(".npz")) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, outputs=np.asarray(outputs, dtype=np.float32))
    report.extra["outputs_file"] = str(path.with_suffix(".npz").relative_to(ws.root))
    report.extra["model_sha256"] = model_digest(ws, report.variant)
    atomic_write_text(path, json.dumps(report.to_dict(), indent=2, default=_json_default))
    where = "emulated" if report.emulated else "u50"
    metrics: dict[str, Any] = {
        f"throughput_eps_{where}": report.throughput_eps,
        f"latency_p50_s_{where}": report.latency_p50_s,
        f"latency_p99_s_{where}": report.latency_p99_s,
        f"run_target_{where}": report.label,
    }
    csim = report.agreement.get("csim")
    if csim:
        metrics[f"csim_exact_{where}"] = csim["exact_fraction"]
    ws.update_metrics(report.variant, metrics)
    return path


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


# --- building ----------------------------------------------------------------------------------
def artifact_key(ws, variant: str, target: Target) -> str:
    """Hash of what a build depends on: the model file, the saved hls4ml configuration, the target
    and whether its tools are here."""
    from core.hls.pipeline import saved_config_path

    # A card target built without its tools makes a build package: once they are installed, build again.
    h = hashlib.sha256(f"{target.name}\0{target.availability().ok}".encode())
    for path in (ws.path_of(variant), saved_config_path(ws, variant)):
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:20]


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
        data["info"] = json.loads(json.dumps(art.info, default=_json_default))
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
        raise DeployError(
            f"Target {t.name} cannot run here: {avail.reason}" + (f" {avail.fix}" if avail.fix else "")
        )
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
    for line in report.lines():
        progress.log(line)
    progress.update(1.0, f"report saved: {path.name}")
    return report


def run_physics(
    ws, variant: str, thresholds=None, progress: Progress | None = None
) -> dict[str, dict[str, Any]]:
    """Physics metrics of every stored run of ``variant`` on a regression task, from the run's outputs.

    Returns:
        ``{curve label: trigger_metrics result}``, the label naming the variant and the target with
        its "emulated on CPU" tag (e.g. ``"student on emulator-hls (emulated on CPU)"``); each result
        also carries ``run_of`` (the variant) and ``emulated``.
    """
    from core.data import load_dataset
    from core.metrics.physics import DEFAULT_THRESHOLDS, trigger_metrics_from_outputs

    progress = ensure_progress(progress)
    v = ws[variant]
    out: dict[str, dict[str, Any]] = {}
    for rep in load_reports(ws, variant):
        outputs = load_run_outputs(ws, rep)
        if outputs is None or rep.task_metrics.get("task") != "regression":
            continue
        params = rep.extra.get("dataset_params") or {}
        ds = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress, **params)
        res = trigger_metrics_from_outputs(
            ds, outputs, tuple(thresholds or DEFAULT_THRESHOLDS), split=rep.extra.get("split", "val")
        )
        out[f"{variant} on {rep.label}"] = {**res, "run_of": variant, "emulated": rep.emulated}
    return out
