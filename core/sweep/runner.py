"""Run a sweep: :func:`run_sweep`, the job behind ``triglab-cli sweep`` and the Sweep view.

The loop, on the client (the app's job thread or the CLI), keeps the workers busy and nothing heavy
runs here (no TensorFlow model is built in this process):

1. Check everything before anything is written: the spec (:func:`core.sweep.plan.validate_spec`),
   the base variant (it must load without trust: workers never run code from a model file), where
   to run (the embedded cluster starts, the scheduler answers, the jobqueue file is valid). A start
   that fails leaves no ``sweeps/<name>`` folder behind.
2. Create the sweep database (or open it for ``resume``), then ask the strategy for points, about
   two per worker in flight (one running, one queued, so a worker never waits for the client).
3. Each point: stage plan (:func:`core.sweep.plan.stage_plan`) -> task with the model as bytes
   (:func:`core.sweep.point.make_task`) -> ``run_point`` submitted with ``retries=spec.retries``
   and key ``sweep-<name>-<point key>``; the row is marked ``running`` when submitted.
4. Results are recorded as they land, in arrival order, on this thread (the store has one writer),
   reported (``sweep_point`` with the stored row, ``sweep_status`` with the counts and the ETA) and
   told to the strategy (multi-objective searches propose the next points from them).
5. Stop when the strategy has no more points, the time budget (``spec.hours``) is used (running
   points finish, no new one starts), or the user cancels (pending points are cancelled, their rows
   stay ``running`` so ``--resume`` reruns them). The embedded cluster is always shut down.

A point that raised after its retries, or whose worker died too often, is a ``failed`` row whose
error starts with :data:`CRASH_PREFIX`: ``--resume`` reruns those (and ``running`` rows), while a
point that failed with a user-level message (a stage refused its settings) is not rerun.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import statistics
import time
from typing import Any

from core.jobs import Cancelled, Progress, ensure_progress
from core.sweep import SweepError
from core.sweep.clusters import Executor, start_executor
from core.sweep.spec import DONE, FAILED, RUNNING, SweepSpec, check_sweep_name

#: Error text of a point Dask gave up on (exception after retries, or a dying worker).
CRASH_PREFIX = "crashed: "
#: Points in flight per worker thread.
IN_FLIGHT_PER_WORKER = 2
#: How long the loop waits for a result before it looks at cancel and the clock again [s].
POLL_S = 0.25


def point_function():
    """The function a worker runs for one point (:func:`core.sweep.point.run_point`)."""
    from core.sweep.point import run_point

    return run_point


def normalize_where(where: dict[str, Any] | None) -> dict[str, Any]:
    """``where`` with its kind filled in: ``local`` unless an address or a jobqueue file is given."""
    where = dict(where or {})
    if "kind" not in where:
        where["kind"] = (
            "scheduler" if where.get("address") else "jobqueue" if where.get("jobqueue") else "local"
        )
    return where


def run_sweep(
    ws,
    spec: SweepSpec | str,
    *,
    where: dict[str, Any] | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run (or resume) a sweep of ``spec.variant`` and store every point in ``sweeps/<name>/``.

    Args:
        ws: The workspace.
        spec: What to sweep. With ``resume``, the sweep's name is enough (a ``str``, or a spec
            without axes); a full spec must equal the stored one.
        where: Where points run: ``{"kind": "local"|"inprocess"|"scheduler"|"jobqueue",
            "workers": N, "address": "tcp://host:8786", "jobqueue": "FILE.yaml", "timeout": s}``
            (default: an embedded cluster with one worker per core).
        resume: Continue the existing sweep ``spec.name``: finished points are skipped, points left
            ``running`` (a crash, a cancel) or crashed are run again.
        progress: Job progress; reports ``sweep_point`` (the stored row of each landed point) and
            ``sweep_status`` (``done``, ``running`` = submitted and not landed, ``failed``,
            ``total``, ``workers``, ``eta_s`` [s], ``dashboard``, ``dashboard_text``, ``where``).

    Returns:
        ``{"name", "variant", "db", "status", "counts", "total", "rows", "front", "objectives",
        "where", "dashboard", "overhead_s", "spec"}``: ``status`` is ``done`` or ``time budget
        used``, ``front`` the Pareto front's point keys, ``overhead_s`` the median Dask overhead
        per point [s] (~0 in-process), ``spec`` the sweep's spec as a dict.

    Raises:
        SweepError: a bad spec, an existing sweep (new) or a missing one (resume), a base variant
            that needs trust, a cluster that cannot start or be reached. Nothing is on disk then.
        Cancelled: the user cancelled; the finished rows are kept (status ``cancelled`` in meta).
    """
    from core.sweep import plan
    from core.sweep.store import SweepStore, sweep_dir

    progress = ensure_progress(progress)
    where = normalize_where(where)
    name = check_sweep_name(spec if isinstance(spec, str) else spec.name)
    folder = sweep_dir(ws, name)
    # 1. Everything checked before the store exists (a failed start leaves nothing behind).
    if resume:
        if not folder.exists():
            raise SweepError(f"there is no sweep '{name}' in {ws.root} to resume (see 'sweep WS --list')")
        with SweepStore.open(folder) as existing:
            stored = existing.spec
        if isinstance(spec, SweepSpec) and spec.axes and spec.to_dict() != stored.to_dict():
            raise SweepError(
                f"sweep '{name}' was started with other settings: resume it without axes/options, "
                "or start a new sweep with --name"
            )
        spec = stored
    else:
        if isinstance(spec, str):
            raise SweepError("a new sweep needs its axes (a SweepSpec), not only a name")
        if folder.exists():
            raise SweepError(f"a sweep named '{name}' already exists: resume it, or choose another name")
        plan.validate_spec(spec)
    _check_base_variant(ws, spec.variant)
    _check_layer_names(ws, spec)
    task_kind = variant_task(ws, spec.variant)
    objectives = sweep_objectives(spec, task_kind)
    progress.update(0.0, "starting the workers")
    executor = start_executor(where, retries=spec.retries)
    store = None
    try:
        progress.log(f"sweep '{name}' on {executor.description}")
        progress.log(executor.dashboard_text)
        if resume:
            store = SweepStore.open(folder)
        else:
            store = SweepStore.create(folder, spec, meta=_meta(where, executor))
        loop = _Loop(ws, spec, store, executor, progress, resume=resume, task=task_kind)
        status = loop.run()
        rows = store.rows()
        front = front_keys(rows, objectives)
        summary = {
            "name": name,
            "variant": spec.variant,
            "db": str(store.db_path),
            "status": status,
            "counts": store.counts(),
            "total": loop.total,
            "rows": rows,
            "front": front,
            "objectives": [list(o) for o in objectives],
            "where": executor.description,
            "dashboard": executor.dashboard,
            "overhead_s": loop.overhead_s,
            "spec": spec.to_dict(),
        }
        return summary
    finally:
        executor.close()
        if store is not None:
            store.close()


class _Loop:
    """The propose -> submit -> record loop of one run (see the module docstring)."""

    def __init__(
        self, ws, spec: SweepSpec, store, executor: Executor, progress: Progress, *, resume: bool, task: str
    ) -> None:
        from core.sweep.strategies import make_strategy

        self.ws, self.spec, self.store, self.ex, self.progress = ws, spec, store, executor, progress
        self.resume, self.task = resume, task
        from core.sweep.point import base_inputs

        self.base = base_inputs(ws, spec)  # the model bytes and data set, read once for every point
        rows = store.rows()
        # Skipped on resume: done points and user-level failures. Rerun: running and crashed ones.
        self.rerun = {r["key"] for r in rows if _to_rerun(r)}
        finished = [r for r in rows if r["key"] not in self.rerun and r["status"] in (DONE, FAILED)]
        self.skip = {r["key"] for r in finished}
        self.indices = {r["key"]: r["index"] for r in rows}
        self.next_index = max(self.indices.values(), default=-1) + 1
        self.strategy = make_strategy(spec, finished, task=task)
        self.total = self.strategy.total
        self.settings: dict[str, dict] = {}  # key -> settings, for tell()
        self.submitted: dict[str, float] = {}  # key -> monotonic time of submit
        self.point_seconds: list[float] = []
        self.overheads: list[float] = []
        self.last_landed: dict[str, float] = {}  # worker -> monotonic time its last point landed
        self.done = sum(1 for r in finished if r["status"] == DONE)
        self.failed = len(finished) - self.done
        self.deadline = time.monotonic() + spec.hours * 3600 if spec.hours else None
        self.exhausted = False
        if resume:
            self.progress.log(
                f"resuming: {len(finished)} finished point(s) kept, {len(self.rerun)} to run again"
            )

    @property
    def overhead_s(self) -> float | None:
        """Median Dask overhead per point [s]: from submit (or from the end of the previous point on
        the same worker, when this one was queued behind it) to the result, minus the point's own
        time on the worker. Scheduling, data transfer, (de)serialization, the client's reaction."""
        return statistics.median(self.overheads) if self.overheads else None

    def run(self) -> str:
        self.store.set_meta(status="running", **({"resumed": _now()} if self.resume else {}))
        if self.total is not None:
            self.store.set_meta(total=self.total)
        try:
            while True:
                if self.progress.cancelled:
                    raise Cancelled("cancelled by the user")
                self._top_up()
                if not self.ex.pending():
                    break
                for key, result, error in self.ex.landed(POLL_S):
                    self._land(key, result, error)
        except BaseException as exc:
            # Cancel, Ctrl-C, a store that cannot be written: nothing more runs; rows of pending
            # points stay "running" so that --resume reruns them.
            stopped = (
                "cancelled" if isinstance(exc, (Cancelled, KeyboardInterrupt, SystemExit)) else "interrupted"
            )
            with contextlib.suppress(Exception):  # the first error is the one to report
                self.ex.cancel()
                self.store.set_meta(status=stopped, ended=_now())
                self._status()
            raise
        complete = self.exhausted or (self.total is not None and self.done + self.failed >= self.total)
        status = "time budget used" if self._out_of_time() and not complete else "done"
        self.store.set_meta(status=status, ended=_now())
        self._status()
        self.progress.update(1.0, f"{self.done} done, {self.failed} failed")
        return status

    # --- proposing -----------------------------------------------------------------------------
    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _top_up(self) -> None:
        from core.sweep import plan
        from core.sweep.point import make_task

        fn = point_function()
        slots = IN_FLIGHT_PER_WORKER * self.ex.workers if self.ex.kind != "inprocess" else 1
        while not self.exhausted and not self._out_of_time() and self.ex.pending() < slots:
            proposals = self.strategy.ask(slots - self.ex.pending())
            if not proposals:
                self.exhausted = True
                break
            before = self.ex.pending()
            for settings in proposals:
                stages = plan.stage_plan(self.spec, settings)
                task = make_task(self.ws, self.spec, settings, self.next_index, stages, self.base)
                key = task["key"]
                if key in self.skip or key in self.settings:
                    continue  # finished before this run (or proposed twice): never recomputed
                if key in self.indices:  # a point rerun on resume keeps its index
                    task["index"] = self.indices[key]
                else:
                    self.indices[key] = task["index"]
                    self.next_index += 1
                self.store.mark_running(key, task["index"], settings, retry_failed=key in self.rerun)
                self.settings[key] = settings
                self.submitted[key] = time.monotonic()
                self.ex.submit(fn, task, key=f"sweep-{self.spec.name}-{key}", retries=self.spec.retries)
            if self.ex.pending() == before:
                break  # only points already known: ask again after the next result, never spin
        self._status()

    # --- landing -------------------------------------------------------------------------------
    def _land(self, dask_key: str, result: dict | None, error: str | None) -> None:
        key = dask_key.rsplit("-", 1)[-1]
        settings = self.settings.pop(key, {})
        now = time.monotonic()
        submitted = self.submitted.pop(key, now)
        if result is None:
            result = {
                "key": key,
                "index": self.indices.get(key, -1),
                "status": FAILED,
                "metrics": {},
                "error": CRASH_PREFIX + (error or "unknown error"),
                "model": None,
                "hls_config": None,
                "params": {},
                "log": [],
                "seconds": None,  # not known: the point never returned
                "worker": "",
            }
        else:
            seconds = result.get("seconds")
            if isinstance(seconds, (int, float)):
                self.point_seconds.append(float(seconds))
                worker = str(result.get("worker") or "")
                began = max(submitted, self.last_landed.get(worker, submitted))
                self.overheads.append(max(now - began - float(seconds), 0.0))
                self.last_landed[worker] = now
        row = self.store.record(result)
        if row["status"] == DONE:
            self.done += 1
            self.progress.log(_landed_line(row, sweep_objectives(self.spec, self.task)))
        else:
            self.failed += 1
            self.progress.log(f"point {row['index']} failed: {row.get('error')}")
        self.strategy.tell(settings, row.get("metrics") if row["status"] == DONE else None)
        self.progress.report("sweep_point", **row)
        self._status()

    def _status(self) -> None:
        running = self.ex.pending()
        finished = self.done + self.failed
        total = self.total
        eta = None
        if self.point_seconds:
            mean = statistics.fmean(self.point_seconds)
            left = (total - finished) if total is not None else running
            eta = max(left, 0) * mean / self.ex.workers
        frac = finished / total if total else 0.0
        self.progress.update(
            frac, f"{finished} of {total if total is not None else '?'} points, {running} running"
        )
        self.progress.report(
            "sweep_status",
            done=self.done,
            running=running,
            failed=self.failed,
            total=total,
            workers=self.ex.workers,
            eta_s=eta,
            dashboard=self.ex.dashboard,
            dashboard_text=self.ex.dashboard_text,
            where=self.ex.description,
        )


def _to_rerun(row: dict[str, Any]) -> bool:
    return row["status"] == RUNNING or (
        row["status"] == FAILED and str(row.get("error") or "").startswith(CRASH_PREFIX)
    )


def _check_base_variant(ws, variant: str) -> None:
    """The base variant is a network (not a baseline) and loads without trust (workers never run a
    model file's code)."""
    from core.models import scan_model_file
    from core.trigger import is_baseline, not_a_network

    v = ws[variant]
    if is_baseline(v):  # its file is a JSON spec, not a model: say so before reading it as one
        raise SweepError(not_a_network(v, "sweep") + "; sweep a network variant instead")
    path = ws.path_of(variant)
    untrusted = scan_model_file(path)
    if untrusted:
        what = "; ".join(u.describe() for u in untrusted[:3])
        raise SweepError(
            f"variant '{variant}' holds code that would run when loaded ({what}): sweep workers load "
            "models without trust. Rebuild it without Lambda layers or custom objects to sweep it."
        )


def _check_layer_names(ws, spec: SweepSpec) -> None:
    """Every layer a setting names (``bits@fc1``, a ``per_layer`` dict, ``lowrank.layers``) is one
    of the base model's, read from its file as plain data: a typo is refused before the sweep
    exists instead of failing every point."""
    from core.models.io import model_file_kind
    from core.models.safety import read_architecture

    named: dict[str, str] = {}  # layer -> the setting that names it
    labels = {a.name: a.label or a.name for a in spec.axes}
    given = [(k, v) for k, v in spec.fixed.items()] + [(a.name, v) for a in spec.axes for v in a.values]
    for name, value in given:
        parts = name.split(".")
        if len(parts) == 4 and parts[1] == "per_layer":  # qat.per_layer.LAYER.FIELD
            named.setdefault(parts[2], labels.get(name, name))
        elif parts[-1] == "per_layer" and isinstance(value, dict):
            named.update({str(layer): labels.get(name, name) for layer in value})
        elif parts[-1] == "layers" and isinstance(value, (list, tuple)):
            named.update({str(layer): labels.get(name, name) for layer in value})
    if not named:
        return
    path = ws.path_of(spec.variant)
    arch = read_architecture(path, model_file_kind(path))
    layers = {
        str(entry.get("name") or (entry.get("config") or {}).get("name"))
        for entry in ((arch.get("config") or {}).get("layers") or [] if isinstance(arch, dict) else [])
        if isinstance(entry, dict)
    }
    unknown = sorted(set(named) - layers)
    if layers and unknown:
        raise SweepError(
            f"'{named[unknown[0]]}' names layer '{unknown[0]}', which variant '{spec.variant}' does not "
            f"have (its layers: {', '.join(sorted(layers))})"
        )


def variant_task(ws, variant: str) -> str:
    """``classification`` or ``regression``: the task of the variant's data set (classification
    when the variant or its data set is unknown)."""
    from core import TrigLabError
    from core.data import list_datasets

    try:
        dataset = ws[variant].dataset
    except TrigLabError:  # the base variant was deleted after the sweep ran
        return "classification"
    tasks = {d.name: d.task for d in list_datasets()}
    return tasks.get(dataset, "classification")


def _landed_line(row: dict[str, Any], objectives: list[tuple[str, str]]) -> str:
    """One log line per finished point: its settings and its objectives (a CLI run in a batch
    session has no progress bar; this is what its log shows)."""
    settings = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in (row.get("settings") or {}).items())
    metrics = row.get("metrics") or {}
    shown = ", ".join(
        f"{m}={metrics[m]:.4g}" for m, _ in objectives if isinstance(metrics.get(m), (int, float))
    )
    return f"point {row['index']} done in {row.get('seconds') or 0:.0f} s: {settings} -> {shown or 'no objective measured'}"


def sweep_objectives(spec: SweepSpec, task: str) -> list[tuple[str, str]]:
    """The sweep's objectives: its own, else the task's defaults (task metric and LUTs)."""
    from core.sweep import axes

    return list(spec.objectives) or list(axes.default_objectives(task))


def front_keys(rows: list[dict[str, Any]], objectives: list[tuple[str, str]]) -> list[str]:
    """Keys of the Pareto front of the ``done`` rows; with one objective, its best point(s)
    (what nothing else dominates); empty without objectives."""
    from core.metrics.pareto import _finite
    from core.sweep.front import pareto_rows

    if len(objectives) >= 2:
        return pareto_rows(rows, objectives)
    if not objectives:
        return []
    metric, sense = objectives[0]
    # the same rows and values as pareto_rows takes for two or more objectives
    values = {
        r["key"]: v
        for r in rows
        if r.get("status") == DONE and (v := _finite((r.get("metrics") or {}).get(metric))) is not None
    }
    if not values:
        return []
    best = max(values.values()) if sense == "max" else min(values.values())
    return [k for k, v in values.items() if v == best]


def _meta(where: dict[str, Any], executor: Executor) -> dict[str, Any]:
    import dask
    import distributed

    return {
        "where": {k: str(v) for k, v in where.items()},
        "where_description": executor.description,
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "started": _now(),
    }


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
