"""Design-space sweeps: many compression + hls4ml points of one base variant, run on Dask.

A sweep scans axes (prune sparsity, fixed-point width, QKeras bits, clusters, rank, reuse factor,
strategy, io type, precision target...) around a base variant and keeps, per point, the task metric
and the FPGA cost (auto-precision, C-simulation agreement, estimate). The pieces, each a small module:

- :mod:`core.sweep.spec` — the data: :class:`~core.sweep.spec.SweepAxis`,
  :class:`~core.sweep.spec.SweepSpec`, the point task / result dicts that travel to workers, the
  stage order. Plain data, JSON-able; no TensorFlow.
- :mod:`core.sweep.axes` — ``parse_axis("sparsity=0.5:0.95:6")`` and the registry of short axis
  names (``sparsity`` → ``prune.sparsity``, ``reuse`` → ``hls.reuse_factor``...), every value
  checked against the operation / hls4ml setting before anything runs.
- :mod:`core.sweep.strategies` — registry of point proposers: ``grid``, ``random``, ``nsga2``,
  ``tpe`` (Optuna ask/tell), all seeded.
- :mod:`core.sweep.point` — :func:`~core.sweep.point.run_point`: one point as a plain function of
  files and settings (model bytes + data set name in, metrics + model bytes out). The same code
  runs in-process, on a local Dask worker and on a batch node.
- :mod:`core.sweep.store` — one SQLite database per sweep (WAL), a row per finished point.
- :mod:`core.sweep.clusters` — where points run: registry of executors (``inprocess``, ``local``
  = embedded ``distributed.LocalCluster``, ``scheduler`` = an existing one, ``jobqueue`` = SLURM /
  HTCondor / PBS / LSF workers from a dask-jobqueue YAML file).
- :mod:`core.sweep.runner` — :func:`~core.sweep.runner.run_sweep`: the job that proposes points,
  submits them with retries, writes each result as it lands and reports it for the live view.
- :mod:`core.sweep.materialize` — a finished point becomes a workspace variant (model, hls4ml
  configuration, lineage).
"""

from __future__ import annotations

from core import TrigLabError


class SweepError(TrigLabError):
    """A sweep cannot run as asked (bad axis, unreachable scheduler, damaged sweep database...)."""
