"""``sweep``: design-space sweeps of a variant on Dask (run, resume, list, show, materialize, job script).

    triglab-cli sweep WS --variant V --axis sparsity=0.5:0.95:6 --axis width=4,6,8 --axis reuse=1,2,4
    triglab-cli sweep WS --resume NAME            # finished points are not recomputed
    triglab-cli sweep WS --list | --show NAME | --materialize NAME:POINT [--as VARIANT]
    triglab-cli sweep --job-script FILE.yaml      # the batch script dask-jobqueue would submit

Points run on an embedded Dask cluster (one worker process per core) unless ``--workers N``,
``--scheduler ADDR``, ``--jobqueue FILE`` or ``--in-process`` says otherwise.
"""

from __future__ import annotations

import datetime as _dt
import re

from core import TrigLabError
from core.cli.common import (
    add_json,
    emit,
    non_negative_int,
    open_workspace,
    positive_float,
    positive_int,
    progress_for,
)


def _objective(text: str) -> tuple[str, str]:
    metric, _, sense = text.rpartition(":")
    if not metric or sense not in ("max", "min"):
        raise TrigLabError(f"--objective takes METRIC:max or METRIC:min (got '{text}')")
    return metric, sense


def _default_name(variant: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.+-]", "_", variant).strip("._+-")[:40] or "sweep"
    return f"{stem}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _where(args) -> dict:
    if args.in_process:
        return {"kind": "inprocess"}
    if args.scheduler:
        return {"kind": "scheduler", "address": args.scheduler}
    if args.jobqueue:
        return {"kind": "jobqueue", "jobqueue": args.jobqueue}
    return {"kind": "local", "workers": args.workers}


def build_spec(args):
    """The :class:`~core.sweep.spec.SweepSpec` the options describe (None: ``--resume`` alone)."""
    from core.sweep import axes
    from core.sweep.spec import DEFAULT_MEASURES, SweepSpec

    if args.resume and not args.axis:
        return None
    if not args.variant:
        raise TrigLabError("say which variant to sweep with --variant NAME")
    if not args.axis:
        raise TrigLabError("give at least one --axis, e.g. --axis sparsity=0.5:0.9:3")
    measures = (
        tuple(m.strip() for m in args.measure.split(",") if m.strip()) if args.measure else DEFAULT_MEASURES
    )
    return SweepSpec(
        name=args.resume or args.name or _default_name(args.variant),
        variant=args.variant,
        axes=[axes.parse_axis(t) for t in args.axis],
        fixed=dict(axes.parse_fixed(t) for t in args.set or []),
        strategy=args.strategy,
        trials=args.trials,
        hours=args.hours,
        objectives=[_objective(t) for t in args.objective or []],
        measures=measures,
        n_calib=args.n_calib,
        seed=args.seed,
        retries=args.retries,
    )


def cmd_sweep(args) -> int:
    if args.job_script:
        from core.sweep.jobqueue import job_script

        script = job_script(args.job_script)
        emit(args, {"job_script": script, "file": args.job_script}, script.rstrip("\n"))
        return 0
    if not args.ws:
        raise TrigLabError("give the workspace folder (triglab-cli sweep WS ...)")
    ws = open_workspace(args.ws)
    if args.list:
        return _list(args, ws)
    if args.show:
        return _show(args, ws, args.show)
    if args.materialize:
        return _materialize(args, ws)
    from core.sweep.runner import run_sweep
    from core.sweep.spec import SweepSpec

    spec = build_spec(args)
    summary = run_sweep(
        ws, spec if spec is not None else args.resume, where=_where(args), resume=bool(args.resume),
        progress=progress_for(args),
    )  # fmt: skip
    payload = {k: summary[k] for k in ("name", "variant", "db", "status", "counts", "total", "front")}
    payload.update(
        objectives=summary["objectives"],
        where=summary["where"],
        dashboard=summary["dashboard"],
        rows=summary["rows"],
        workspace=str(ws.root),
    )
    axes_ = SweepSpec.from_dict(summary["spec"]).axes
    text = _table(summary["name"], axes_, summary["rows"], summary["objectives"], summary["front"])
    emit(args, payload, text)
    return 0


def _list(args, ws) -> int:
    from core.sweep.store import list_sweeps

    sweeps = list_sweeps(ws)
    lines = [f"{len(sweeps)} sweep(s) in {ws.root}"]
    for s in sweeps:
        counts = s.get("counts") or {}
        lines.append(
            f"  {s['name']:32s} {s.get('variant', '')}  {s.get('strategy', '')}  "
            f"done {counts.get('done', 0)}, failed {counts.get('failed', 0)}, running {counts.get('running', 0)}"
        )
    emit(args, {"workspace": str(ws.root), "sweeps": sweeps}, "\n".join(lines))
    return 0


def _show(args, ws, name: str) -> int:
    from core.sweep.runner import front_keys, sweep_objectives, variant_task
    from core.sweep.spec import check_sweep_name
    from core.sweep.store import SweepStore, sweep_dir

    folder = sweep_dir(ws, check_sweep_name(name))
    if not folder.exists():
        raise TrigLabError(f"there is no sweep '{name}' in {ws.root} (see 'triglab-cli sweep WS --list')")
    with SweepStore.open(folder) as store:
        spec, meta, rows, counts = store.spec, store.meta, store.rows(), store.counts()
        db = str(store.db_path)
    objectives = sweep_objectives(spec, variant_task(ws, spec.variant))
    front = front_keys(rows, objectives)
    payload = {
        "workspace": str(ws.root),
        "name": spec.name,
        "variant": spec.variant,
        "db": db,
        "status": meta.get("status"),
        "spec": spec.to_dict(),
        "counts": counts,
        "total": meta.get("total"),
        "objectives": [list(o) for o in objectives],
        "rows": rows,
        "front": front,
    }
    emit(args, payload, _table(spec.name, spec.axes, rows, objectives, front))
    return 0


def _materialize(args, ws) -> int:
    from core.sweep.materialize import materialize_point

    sweep, sep, point = args.materialize.rpartition(":")
    if not sep or not sweep or not point:
        raise TrigLabError(f"--materialize takes SWEEP:POINT, e.g. mysweep:3 (got '{args.materialize}')")
    v = materialize_point(
        ws, sweep, int(point) if point.isdigit() else point, name=args.as_name, progress=progress_for(args)
    )
    emit(
        args,
        {
            "workspace": str(ws.root),
            "variant": v.name,
            "sweep": sweep,
            "point": point,
            "created": v.to_dict(),
        },
        f"created {v.name} in {ws.root} from point {point} of sweep {sweep}",
    )
    return 0


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def _table(name: str, axes_, rows: list[dict], objectives, front: list[str]) -> str:
    """Points (settings, status, the objectives' metrics, seconds), then the Pareto front."""
    metrics = [m for m, _ in objectives]
    head = ["#", "status"] + [a.label or a.name for a in axes_] + metrics + ["s"]
    table = [head]
    for r in rows:
        settings, values = r.get("settings") or {}, r.get("metrics") or {}
        table.append(
            [str(r["index"]), r["status"]]
            + [_fmt(settings.get(a.name)) for a in axes_]
            + [_fmt(values.get(m)) for m in metrics]
            + [_fmt(r.get("seconds"))]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = [f"sweep {name}: {len(rows)} point(s)"]
    lines += ["  " + "  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in table]
    for r in rows:
        if r["status"] == "failed":
            lines.append(f"  point {r['index']} failed: {r.get('error')}")
    sense = ", ".join(f"{m} {s}" for m, s in objectives)
    by_key = {r["key"]: r for r in rows}
    lines.append(f"Pareto front ({sense}): " + (", ".join(str(by_key[k]["index"]) for k in front) or "empty"))
    return "\n".join(lines)


def register(sub) -> None:
    from core.sweep.spec import STRATEGIES

    s = sub.add_parser(
        "sweep",
        help="design-space sweep of a variant (compression x hls4ml settings) on Dask; resume, list, show",
    )
    s.add_argument("ws", nargs="?", help="workspace folder")
    s.add_argument("--variant", help="the base variant (left untouched)")
    s.add_argument(
        "--axis", action="append", metavar="NAME=LO:HI:N|A,B,C",
        help="a swept setting, e.g. sparsity=0.5:0.95:6, width=4,6,8, reuse=1,2,4, bits@fc1=4,8 (repeatable)",
    )  # fmt: skip
    s.add_argument(
        "--set", action="append", metavar="NAME=VALUE",
        help="a setting equal in every point, e.g. prune.finetune_epochs=3 (repeatable)",
    )  # fmt: skip
    s.add_argument(
        "--strategy", default="grid", choices=STRATEGIES, help="how points are chosen (default grid)"
    )
    s.add_argument("--trials", type=positive_int, metavar="N", help="points to run for random, nsga2 and tpe")
    s.add_argument(
        "--hours", type=positive_float, metavar="H", help="time budget: no new point starts after it"
    )
    s.add_argument(
        "--objective", action="append", metavar="METRIC:max|min",
        help="objective of the search and the Pareto front (repeatable; default: the task metric and lut_estimate)",
    )  # fmt: skip
    s.add_argument(
        "--measure", metavar="LIST", help="comma-separated measures: task,autoprec,csim,estimate[,synth]"
    )
    s.add_argument(
        "--n-calib",
        type=positive_int,
        default=1000,
        metavar="N",
        help="validation events per point (default 1000)",
    )
    s.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the strategy and of every stage (default 0)",
    )
    s.add_argument(
        "--retries", type=non_negative_int, default=2,
        help="reruns of a point whose worker died or raised (default 2)",
    )  # fmt: skip
    where = s.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="embedded Dask cluster with N workers (default: cores)",
    )
    where.add_argument("--scheduler", metavar="ADDR", help="an existing Dask scheduler, e.g. tcp://host:8786")
    where.add_argument(
        "--jobqueue", metavar="FILE", help="dask-jobqueue YAML: workers as SLURM/HTCondor/PBS/LSF jobs"
    )
    where.add_argument("--in-process", action="store_true", help="no Dask: points one by one in this process")
    s.add_argument("--name", help="name of the sweep (folder sweeps/NAME; default VARIANT-DATE-TIME)")
    s.add_argument("--resume", metavar="NAME", help="continue sweep NAME: finished points are not recomputed")
    s.add_argument("--list", action="store_true", help="list the sweeps of the workspace")
    s.add_argument("--show", metavar="NAME", help="a sweep's points and its Pareto front")
    s.add_argument(
        "--materialize", metavar="SWEEP:POINT", help="make a point (index or key) a workspace variant"
    )
    s.add_argument("--as", dest="as_name", metavar="NAME", help="name of the materialized variant")
    s.add_argument(
        "--job-script", metavar="FILE", help="print the batch script of a --jobqueue file and exit"
    )
    add_json(s)
    s.set_defaults(func=cmd_sweep)
