"""Run reports: what a run measured, stored in the workspace, and how outputs are compared.

A :class:`RunReport` is what :func:`core.deploy.run.run_variant` (a run here) and
:func:`core.deploy.package.import_results` (a run on the lab server) produce. It is stored as
``<ws>/deploy/runs/<variant>-<target>.json`` with the target's outputs next to it (``.npz``, for
the Physics view), and tied to the model file it ran (a remade variant does not inherit it).
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
from core.deploy import EMULATED_LABEL, DeployError

#: Mismatching events listed one by one in a report (the count is always complete).
MISMATCH_CAP = 100


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
    """The target's outputs stored with ``report`` (None when the file is gone, damaged or not numbers)."""
    path = report_path(ws, report.variant, report.target).with_suffix(".npz")
    try:
        with np.load(path, allow_pickle=False) as f:
            outputs = np.asarray(f["outputs"])
    except Exception:  # noqa: BLE001 (np.load raises EOFError, BadZipFile, ValueError, OSError...)
        return None
    return outputs if outputs.dtype.kind in "biuf" else None


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
    atomic_write_text(path, json.dumps(report.to_dict(), indent=2, default=json_default))
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


def json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")
