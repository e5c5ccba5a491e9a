"""What a sweep is, as plain JSON-able data (no TensorFlow, no Dask, no Qt).

Vocabulary:

- A **stage** is one step of a point's pipeline: a registered compression operation
  (``prune``, ``cluster``, ``lowrank``, ``qat``, ``fixed_point``...; see
  :func:`core.compress.list_operations`) or ``hls`` (hls4ml settings + automatic precision +
  C simulation + estimate). Stages run in :data:`STAGE_ORDER`; a stage runs when an axis or a fixed
  setting names it (``hls`` always runs when the measures ask for anything FPGA-side).
- An **axis** (:class:`SweepAxis`) is one swept quantity: a qualified name ``STAGE.PARAM``
  (``prune.sparsity``, ``hls.reuse_factor``, ``qat.per_layer.fc1.weight_bits``) and its values.
- A **point** is one assignment ``{qualified name: value}`` of every axis. Its key
  (:func:`point_key`) is a digest of the assignment, the base model's digest and the fixed settings:
  the same point of the same sweep always has the same key, so ``--resume`` can skip it.

Point task and point result are the dicts that travel between the client and the workers
(:func:`core.sweep.point.run_point` takes a task and returns a result). They hold only bytes,
numbers and strings, never pickled Keras objects:

**Point task** (``dict``)::

    {
      "key": str,                    # point_key(...)
      "index": int,                  # order of proposal (0, 1, ...)
      "settings": {qualified name: value},      # this point's axis values
      "model": bytes,                # the base variant's model file, as stored (.h5 or .keras)
      "model_suffix": ".h5" | ".keras",
      "dataset": {"name": str, "params": dict}, # a built-in data set by name + pinned parameters,
                                                # or {"path": str} for a user file on a shared folder
      "stages": [{"stage": "prune", "params": {...}}, ...,   # resolved operation params, in order
                 {"stage": "hls", "params": {"settings": {HlsSettings fields},
                                             "target": 0.99}}],
      "measures": ["task", "autoprec", "csim", "estimate"] (+ "synth" when asked),
      "n_calib": int,                # validation events for the precision search and the C-sim
      "seed": int,
    }

**Point result** (``dict``)::

    {
      "key": str, "index": int,
      "status": "done" | "failed",
      "metrics": {name: number},     # e.g. val_accuracy, pt_resolution_robust, csim_agreement,
                                     # lut_estimate, latency_ns_estimate, ii_estimate, ...
      "error": str | None,           # for "failed": what went wrong, where (a user-level message)
      "model": bytes | None,         # the compressed model file (suffix as the task's)
      "hls_config": str | None,      # the hls4ml configuration YAML the point measured
      "params": dict,                # resolved per-stage params actually used (lineage)
      "log": [str],                  # the point's job log lines
      "seconds": float,              # wall time of the point on its worker
      "worker": str,                 # host:pid that ran it
    }
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from core.sweep import SweepError

#: Stages in the order a point runs them (compression first, hls4ml last). ``quantize_int8``
#: (TFLite) is not here: its result is a TFLite file hls4ml cannot read.
STAGE_ORDER: tuple[str, ...] = (
    "l1",
    "prune",
    "prune_tmot",
    "cluster",
    "lowrank",
    "qat",
    "fixed_point",
    "hls",
)

#: The measures a point can take, in the order it takes them.
MEASURES: tuple[str, ...] = ("task", "autoprec", "csim", "estimate", "synth")
DEFAULT_MEASURES: tuple[str, ...] = ("task", "autoprec", "csim", "estimate")

#: Search strategies (see :mod:`core.sweep.strategies`).
STRATEGIES: tuple[str, ...] = ("grid", "random", "nsga2", "tpe")

#: Point statuses in the store.
DONE, FAILED, RUNNING = "done", "failed", "running"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


def check_sweep_name(name: str) -> str:
    """``name`` if it is a valid sweep name (it names a folder of the workspace), else SweepError."""
    name = str(name).strip()
    if not _NAME_RE.match(name) or name in (".", ".."):
        raise SweepError(
            f"'{name}' is not a valid sweep name (letters, digits and '_.+-', starting with a letter "
            "or digit, at most 64 characters)"
        )
    return name


@dataclass(frozen=True)
class SweepAxis:
    """One swept quantity.

    Attributes:
        name: Qualified name ``STAGE.PARAM`` (``prune.sparsity``, ``hls.reuse_factor``,
            ``qat.per_layer.fc1.weight_bits`` for one layer of a QKeras model).
        values: The values of a grid (coerced to the parameter's type, each checked).
        label: What the user typed (``sparsity``), for messages and column titles.
        low, high: For a range axis (``lo:hi:n``), its bounds: Optuna samples inside them
            (``log`` for a log scale); None for a list axis (Optuna picks among ``values``).
        kind: ``int``, ``float``, ``bool`` or ``choice`` (strings).
    """

    name: str
    values: tuple[Any, ...]
    label: str = ""
    low: float | None = None
    high: float | None = None
    log: bool = False
    kind: str = "choice"

    @property
    def stage(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def param(self) -> str:
        return self.name.split(".", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "values": list(self.values),
            "label": self.label,
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepAxis:
        return cls(
            name=str(d["name"]),
            values=tuple(d["values"]),
            label=str(d.get("label", "")),
            low=d.get("low"),
            high=d.get("high"),
            log=bool(d.get("log", False)),
            kind=str(d.get("kind", "choice")),
        )


@dataclass
class SweepSpec:
    """A whole sweep, as the user asked for it (stored in the sweep database).

    Attributes:
        name: The sweep's name (folder ``sweeps/<name>/`` of the workspace).
        variant: The base variant (left untouched).
        axes: The swept quantities.
        fixed: Settings that are the same for every point, ``{qualified name: value}``
            (``prune.finetune_epochs: 3``, ``hls.io_type: "io_stream"``).
        strategy: One of :data:`STRATEGIES`.
        trials: Points to run for ``random``/``nsga2``/``tpe`` (None: the grid's size for
            ``grid``, which ignores it).
        hours: Optional time budget: no new point starts after it (running points finish).
        objectives: For ``nsga2``/``tpe`` and the Pareto front: ``[(metric, "max"|"min"), ...]``;
            empty = the task metric (max accuracy / min resolution) and ``lut_estimate`` (min).
        measures: Subset of :data:`MEASURES`.
        n_calib: Validation events for the precision search and the C simulation.
        seed: Seed of the strategy and of every stage that takes a ``seed`` parameter.
        retries: How many times Dask reruns a point whose worker died or raised.
    """

    name: str
    variant: str
    axes: list[SweepAxis] = field(default_factory=list)
    fixed: dict[str, Any] = field(default_factory=dict)
    strategy: str = "grid"
    trials: int | None = None
    hours: float | None = None
    objectives: list[tuple[str, str]] = field(default_factory=list)
    measures: tuple[str, ...] = DEFAULT_MEASURES
    n_calib: int = 1000
    seed: int = 0
    retries: int = 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "variant": self.variant,
            "axes": [a.to_dict() for a in self.axes],
            "fixed": dict(self.fixed),
            "strategy": self.strategy,
            "trials": self.trials,
            "hours": self.hours,
            "objectives": [list(o) for o in self.objectives],
            "measures": list(self.measures),
            "n_calib": self.n_calib,
            "seed": self.seed,
            "retries": self.retries,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepSpec:
        return cls(
            name=str(d["name"]),
            variant=str(d["variant"]),
            axes=[SweepAxis.from_dict(a) for a in d.get("axes", [])],
            fixed=dict(d.get("fixed", {})),
            strategy=str(d.get("strategy", "grid")),
            trials=d.get("trials"),
            hours=d.get("hours"),
            objectives=[(str(m), str(s)) for m, s in d.get("objectives", [])],
            measures=tuple(d.get("measures", DEFAULT_MEASURES)),
            n_calib=int(d.get("n_calib", 1000)),
            seed=int(d.get("seed", 0)),
            retries=int(d.get("retries", 2)),
        )


def canonical_json(data: Any) -> str:
    """Sorted, compact JSON: the form digests are taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def point_key(
    settings: dict[str, Any], model_digest: str, fixed: dict[str, Any], measures=(), dataset=None
) -> str:
    """The key of a point: 16 hex digits of the digest of what decides its result (its settings,
    the base model's bytes, the fixed settings, the measures and the data set with its parameters:
    a workspace whose muon events were changed does not resume onto points of the old events)."""
    what = {"settings": settings, "model": model_digest, "fixed": fixed, "measures": sorted(measures)}
    if dataset is not None:
        what["dataset"] = dataset
    blob = canonical_json(what)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
