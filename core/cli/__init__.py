"""``triglab-cli``: the same core functions as the app, from a terminal.

``--json`` prints exactly one JSON document on stdout; logs and progress go to stderr.
Bad input exits with code 2 and a one-paragraph message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from core import TrigLabError
from core.cli.progress import ConsoleProgress

EXIT_BAD_INPUT = 2


def _emit(args, payload: dict, text: str) -> None:
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, default=_default)
        sys.stdout.write("\n")
    else:
        print(text)


def _default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


# --- info ----------------------------------------------------------------------------------
def cmd_info(args) -> int:
    from core.models import inspect_model, load_model

    model = load_model(args.model, trust=args.trust, weights=args.weights)
    summary = inspect_model(model)
    payload = {"model": str(args.model), **summary.to_dict()}
    _emit(args, payload, summary_text(summary, title=str(args.model)))
    return 0


def summary_text(summary, title: str = "") -> str:
    """A fixed-width table of a :class:`core.models.ModelSummary` for the terminal."""
    d = summary.to_dict()
    rows = [("layer", "type", "output", "params", "non-zero", "MACs", "quantizer")]
    for L in d["layers"]:
        q = L.get("quantizer") or ""
        if L.get("bits") is not None:
            q = f"{q} ({L['bits']} bits)" if q else f"{L['bits']} bits"
        shape = (
            L["output_shape"]
            if isinstance(L["output_shape"], str)
            else "x".join(str(s) for s in L["output_shape"])
        )
        rows.append((L["name"], L["type"], shape, str(L["params"]), str(L["nonzero"]), str(L["macs"]), q))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [title] if title else []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    t = d["totals"]
    lines.append("")
    lines.append(
        f"total: {t['params']} parameters ({t['trainable']} trainable), {t['nonzero']} non-zero "
        f"(sparsity {100 * t['sparsity']:.1f}%), {t['macs']} MACs per inference"
    )
    lines.append(
        f"size: {t['size_dense']} B dense fp32, {t['size_sparse']} B sparse, {t['size_gzip']} B gzip"
    )
    return "\n".join(lines)


# --- data ----------------------------------------------------------------------------------
def cmd_data(args) -> int:
    from core.data import load_dataset, save_npz

    params = {}
    if args.events is not None:
        params["events"] = args.events
    if args.seed is not None:
        params["seed"] = args.seed
    ds = load_dataset(args.name, progress=ConsoleProgress(quiet=args.json), **params)
    out = None
    if args.out:
        out = save_npz(ds, args.out)
    payload = {
        "dataset": ds.name,
        "task": ds.task,
        "input_shape": list(ds.input_shape),
        "train": len(ds.x_train),
        "val": len(ds.x_val),
        "test": len(ds.x_test),
        "targets": list(ds.target_names),
        "meta": ds.meta,
        "out": str(out or args.out) if args.out else None,
    }
    text = (
        f"{ds.name} ({ds.task}): input {tuple(ds.input_shape)}, "
        f"{len(ds.x_train)}/{len(ds.x_val)}/{len(ds.x_test)} train/val/test"
        + (f"\nwritten to {payload['out']}" if args.out else "")
    )
    _emit(args, payload, text)
    return 0


# --- train ---------------------------------------------------------------------------------
def cmd_train(args) -> int:
    from core.data import load_dataset
    from core.workflows import add_zoo_variant, train_variant
    from core.workspace import Workspace

    ws = Workspace.open_or_create(args.out)
    progress = ConsoleProgress(quiet=args.json)
    if args.zoo:
        start = add_zoo_variant(ws, args.zoo, dataset=args.data)
        source = start.name
    else:
        source = ws[args.variant].name
    ds_name = args.data or ws[source].dataset
    if not ds_name:
        raise TrigLabError("Say which dataset to train on: --data NAME (or a .npz/.h5 file)")
    params = {}
    if args.events:
        params["events"] = args.events
    dataset = load_dataset(ds_name, cache_dir=ws.data_dir, progress=progress.sub(0, 0.05), **params)
    result = train_variant(
        ws,
        source,
        dataset,
        epochs=args.epochs,
        batch_size=args.batch,
        lr=args.lr,
        optimizer=args.optimizer,
        seed=args.seed,
        name=args.name,
        max_train_samples=args.max_samples,
        progress=progress.sub(0.05, 1.0),
    )
    v = result.variant
    payload = {
        "workspace": str(ws.root),
        "variant": v.name,
        "parent": v.parent,
        "file": str(ws.root / v.file),
        "dataset": v.dataset,
        "epochs_completed": result.train.epochs_completed,
        "cancelled": result.train.cancelled,
        "seconds": round(result.train.seconds, 2),
        "history": result.train.history,
        "metrics": v.metrics,
    }
    mtext = ", ".join(f"{k}={val:.4g}" for k, val in v.metrics.items() if isinstance(val, float))
    _emit(args, payload, f"variant '{v.name}' saved in {ws.root}\n{mtext}")
    return 0


# --- compress ------------------------------------------------------------------------------
def _parse_params(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, val = pair.partition("=")
        if not sep or not key:
            raise TrigLabError(f"--param takes key=value (got '{pair}')")
        out[key.strip()] = val.strip()
    return out


def cmd_compress(args) -> int:
    from core.compress.apply import compress_variant
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    before = set(ws.variants)
    final = compress_variant(
        ws,
        args.variant,
        args.op,
        _parse_params(args.param),
        name=args.name,
        progress=ConsoleProgress(quiet=args.json),
    )
    created = [v for v in ws.variants.values() if v.name not in before]
    payload = {
        "workspace": str(ws.root),
        "source": args.variant,
        "operation": args.op,
        "variant": final.name,
        "created": [v.to_dict() for v in created],
        "metrics": final.metrics,
        "params": {k: v for k, v in final.params.items() if k != "history"},
    }
    lines = [f"created {', '.join(v.name for v in created)} in {ws.root}"]
    lines += [
        f"  {k} = {v:.4g}" if isinstance(v, float) else f"  {k} = {v}"
        for k, v in final.metrics.items()
        if not isinstance(v, dict)
    ]
    _emit(args, payload, "\n".join(lines))
    return 0


def cmd_ops(args) -> int:
    from core.compress import list_operations

    ops = [
        {
            "name": o.name,
            "title": o.title,
            "description": o.description,
            "params": [
                {"name": p.name, "kind": p.kind, "default": p.default, "help": p.help} for p in o.params
            ],
        }
        for o in list_operations()
    ]
    lines = []
    for o in ops:
        lines.append(f"{o['name']:16s} {o['title']}")
        for p in o["params"]:
            lines.append(f"    {p['name']}={p['default']!r:10s} {p['help']}")
    _emit(args, {"operations": ops}, "\n".join(lines))
    return 0


# --- hls -----------------------------------------------------------------------------------
def calibration_inputs(spec: str, model, n: int = 1000, seed: int = 0, cache_dir=None):
    """Calibration inputs: a dataset name or file (its validation split), or ``gauss`` / ``uniform``
    samples of the model's input shape (standard normal / [0, 1)). Returns ``(x, dataset or None)``."""
    import numpy as np

    from core.data import load_dataset

    shape = tuple(int(d) for d in model.input_shape[1:])
    rng = np.random.default_rng(seed)
    if spec == "gauss":
        return rng.standard_normal((n, *shape)).astype("float32"), None
    if spec == "uniform":
        return rng.random((n, *shape)).astype("float32"), None
    ds = load_dataset(spec, cache_dir=cache_dir)
    return ds.x_val[:n], ds


def cmd_hls(args) -> int:
    from core.hls import config as hcfg
    from core.hls import estimate as hest
    from core.workflows import default_home

    progress = ConsoleProgress(quiet=args.json)
    ws = None
    if args.variant:
        from core.workspace import Workspace

        ws = Workspace.open(args.target)
        model = ws.load_model(args.variant)
        dataset_name = ws[args.variant].dataset
        cache_root = ws.hls_dir
        label = f"{ws.root}:{args.variant}"
    else:
        from core.models import load_model

        model = load_model(args.target, trust=args.trust)
        dataset_name = None
        cache_root = default_home() / "hls-cache"
        label = str(args.target)
    if args.config:
        from pathlib import Path

        config = hcfg.HlsConfig.from_yaml(Path(args.config).read_text())
    else:
        config = hcfg.make_config(model, hcfg.HlsSettings(io_type=args.io_type, clock_period_ns=args.clock))
    calib = args.calib or dataset_name or "gauss"
    payload: dict = {"model": label, "action": args.action, "calibration": calib}
    x, dataset = (None, None)
    if args.action in ("csim",) or args.auto_precision is not None:
        x, dataset = calibration_inputs(calib, model, cache_dir=ws.data_dir if ws else None)
    task = (
        dataset.task
        if dataset is not None
        else (
            "classification"
            if model.output_shape[-1] > 1 and "softmax" in str(model.layers[-1].get_config())
            else "regression"
        )
    )
    if args.auto_precision is not None:
        from core.hls.autoprec import auto_precision

        res = auto_precision(
            model,
            x,
            task=task,
            target=args.auto_precision,
            config=config,
            cache_root=cache_root,
            progress=progress.sub(0.0, 0.6),
        )
        config = res.apply(config)
        payload["auto_precision"] = res.to_dict()
    payload["precision"] = {
        row["name"]: {k: row[k] for k in ("weight", "bias", "result", "accum", "reuse_factor", "strategy")}
        for row in config.to_dict()["layers"]
    }
    est = hest.estimate(model, config)
    payload["estimate"] = est.to_dict()
    lines = [f"{label}: {args.action}"]
    if args.action == "csim":
        from core.hls.convert import compare_with_keras, compile_model

        compiled = compile_model(model, config, cache_root, progress=progress.sub(0.6, 0.95))
        y = dataset.y_val[: len(x)] if dataset is not None else None
        report = compare_with_keras(model, compiled, x, y, task=task)
        payload["csim"] = report.to_dict()
        payload["project_dir"] = str(compiled.project_dir)
        payload["cache_hit"] = compiled.cache_hit
        payload["agreement"] = report.to_dict().get("agreement")
        lines.append(f"C-simulation agreement with Keras: {payload['agreement']}")
    elif args.action == "build":
        from core.hls.convert import compile_model
        from core.hls.errors import HlsError
        from core.hls.vendor import find_vendor_tools, run_synthesis

        tools = find_vendor_tools()
        if tools.tool_for(config.settings.backend) is None:  # say so before spending a compile
            raise HlsError(tools.explanation(config.settings.backend))
        compiled = compile_model(model, config, cache_root, progress=progress.sub(0.6, 0.7))
        rep = run_synthesis(compiled.project_dir, config.settings.backend, progress=progress.sub(0.7, 1.0))
        payload["report"] = rep.to_dict()
        lines.append(f"vendor report: {rep.to_dict()}")
    elif args.action == "export":
        from core.hls.convert import compile_model
        from core.hls.export import export_project_zip

        if not args.out:
            raise TrigLabError("export needs --out FILE.zip")
        compiled = compile_model(model, config, cache_root, progress=progress.sub(0.6, 0.95))
        export_project_zip(compiled.project_dir, args.out, config=config)
        payload["out"] = str(args.out)
        lines.append(f"project exported to {args.out}")
    e = est.to_dict()
    lines.append(
        f"estimate (analytic model, not a synthesis result): latency {e['latency_cycles']} cycles = "
        f"{e['latency_ns']:.0f} ns at {e['clock_ns']} ns, DSP {e['dsp']}, LUT {e['lut']}, FF {e['ff']}, "
        f"BRAM_18K {e['bram_18k']}"
    )
    _emit(args, payload, "\n".join(lines))
    return 0


# --- metrics -------------------------------------------------------------------------------
def cmd_metrics(args) -> int:
    from core.metrics.physics import scalar_metrics, variant_trigger_metrics, workspace_dataset_params
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    params = workspace_dataset_params(ws, args.variant)
    if args.events:
        params["events"] = args.events
    thresholds = tuple(args.threshold or (10.0, 20.0))
    result = variant_trigger_metrics(
        ws, args.variant, thresholds, args.split, params, progress=ConsoleProgress(quiet=args.json)
    )
    scalars = scalar_metrics(result)
    ws.update_metrics(args.variant, scalars)
    lines = [f"{args.variant} on {result['dataset']} ({result['split']} split, {result['n']:,} events)"]
    if result["task"] == "classification":
        roc = result["roc"]
        lines.append(f"ROC AUC {result['roc_auc']:.4f} ({roc['kind']}), macro {result['roc_auc_macro']:.4f}")
    else:
        lines.append(
            f"pT resolution (pT_pred - pT_true)/pT_true: std {result['pt_resolution']:.4f}, "
            f"robust (16-84% half-width) {result['pt_resolution_robust']:.4f}, bias {result['pt_bias']:+.4f}"
        )
        for key in result["turn_on"]:
            p50, p90, fake = result[f"pt50_{key}"], result[f"pt90_{key}"], result.get("fake")
            line = f"threshold {key} GeV: pT50 " + (f"{p50:.2f} GeV" if p50 is not None else "not reached")
            line += ", pT90 " + (f"{p90:.2f} GeV" if p90 is not None else "not reached")
            if fake:
                fr = fake[key]
                line += f", fake rate {fr['rate']:.4g} [{fr['lo']:.2g}, {fr['hi']:.2g}]"
                line += f" on {fr['total']:,} noise events"
            lines.append(line)
    lines.append(f"stored on the variant: {', '.join(scalars)}")
    _emit(args, {"workspace": str(ws.root), "metrics": scalars, **result}, "\n".join(lines))
    return 0


# --- distill -------------------------------------------------------------------------------
def cmd_distill(args) -> int:
    from core.distill import distill_variant
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    v = distill_variant(
        ws,
        args.teacher,
        args.student,
        temperature=args.temperature,
        alpha=args.alpha,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch,
        seed=args.seed,
        max_train_samples=args.max_samples,
        schedule=args.schedule,
        transfer_events=args.unlabelled,
        name=args.name,
        progress=ConsoleProgress(quiet=args.json),
    )
    payload = {
        "workspace": str(ws.root),
        "variant": v.name,
        "parent": v.parent,
        "teacher": args.teacher,
        "temperature": args.temperature,
        "alpha": args.alpha,
        "transfer_events": v.params["transfer_events"],
        "epochs_completed": v.params["epochs_completed"],
        "cancelled": v.params["cancelled"],
        "history": v.params["history"],
        "metrics": v.metrics,
    }
    mtext = ", ".join(f"{k}={val:.4g}" for k, val in v.metrics.items() if isinstance(val, float))
    _emit(args, payload, f"variant '{v.name}' saved in {ws.root}\n{mtext}")
    return 0


# --- workspace / zoo / datasets --------------------------------------------------------------
def cmd_workspace(args) -> int:
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    payload = {"workspace": str(ws.root), "variants": [v.to_dict() for v in ws.variants.values()]}
    lines = [f"workspace {ws.root}: {len(ws.variants)} variant(s)"]
    for v in ws.variants.values():
        depth = len(ws.lineage(v.name)) - 1
        lines.append(f"{'  ' * depth}- {v.name} [{v.operation}] {v.dataset or ''}")
    _emit(args, payload, "\n".join(lines))
    return 0


def cmd_zoo(args) -> int:
    from core.zoo import list_zoo

    entries = [{"name": e.name, "dataset": e.dataset, "description": e.description} for e in list_zoo()]
    _emit(args, {"zoo": entries}, "\n".join(f"{e['name']:18s} {e['description']}" for e in entries))
    return 0


def cmd_datasets(args) -> int:
    from core.data import list_datasets

    infos = [{"name": i.name, "task": i.task, "description": i.description} for i in list_datasets()]
    _emit(
        args,
        {"datasets": infos},
        "\n".join(f"{i['name']:10s} {i['task']:15s} {i['description']}" for i in infos),
    )
    return 0


def cmd_demo(args) -> int:
    from core.workflows import ensure_demo_workspace

    ws = ensure_demo_workspace(args.ws, progress=ConsoleProgress(quiet=args.json))
    return cmd_workspace(argparse.Namespace(ws=ws.root, json=args.json))


# --- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="triglab-cli",
        description="TrigLab: inspect, train and compress Keras models for real-time triggers.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("info", help="inspect a model file (layers, params, MACs, quantizers, sizes)")
    s.add_argument("model", help=".h5, .keras, SavedModel folder, or model.json (+ weights .h5)")
    s.add_argument("--weights", help="weights .h5 for a model.json (default: found next to it)")
    s.add_argument("--trust", action="store_true", help="load files with Lambda layers / custom code")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("train", help="train a zoo model or a workspace variant; the result is a new variant")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--zoo", help="start from a zoo architecture (see 'triglab-cli zoo')")
    g.add_argument("--variant", help="start from this variant of the workspace")
    s.add_argument("--data", help="dataset name (see 'triglab-cli datasets') or a .npz/.h5 file")
    s.add_argument("--events", type=int, help="events to simulate (muon_rpc)")
    s.add_argument("--epochs", type=int, default=10)
    s.add_argument("--batch", type=int, default=32)
    s.add_argument("--lr", type=float, default=1e-3)
    s.add_argument("--optimizer", default="adam")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--name", help="name of the new variant")
    s.add_argument("--max-samples", type=int, help="train on the first N samples only")
    s.add_argument("--out", required=True, help="workspace folder (created if needed)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("data", help="generate / load a dataset and optionally write it as .npz")
    s.add_argument("name", help="dataset name, e.g. muon_rpc or digits")
    s.add_argument("--events", type=int, help="events to simulate (muon_rpc)")
    s.add_argument("--seed", type=int, help="simulation seed (muon_rpc)")
    s.add_argument("--out", help="write the dataset to this .npz file")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_data)

    s = sub.add_parser(
        "compress", help="compress a workspace variant (prune, quantize, qat, cluster, lowrank, l1 ...)"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True, help="the variant to compress (left untouched)")
    s.add_argument("--op", required=True, help="operation (see 'triglab-cli ops')")
    s.add_argument("--param", action="append", metavar="KEY=VALUE", help="operation parameter (repeatable)")
    s.add_argument("--name", help="name of the new variant")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_compress)

    s = sub.add_parser("ops", help="list the compression operations and their parameters")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ops)

    s = sub.add_parser("hls", help="hls4ml: C-simulate, estimate, build or export a model for the FPGA")
    s.add_argument("target", help="a workspace folder (with --variant) or a model file")
    s.add_argument("action", choices=("csim", "build", "estimate", "export"))
    s.add_argument("--variant", help="the workspace variant to synthesize")
    s.add_argument("--calib", help="calibration data: dataset name, FILE.npz, gauss or uniform")
    s.add_argument("--config", help="hls4ml YAML config to use instead of the default")
    s.add_argument(
        "--auto-precision",
        type=float,
        metavar="TARGET",
        help="choose precisions automatically for this agreement (e.g. 0.995)",
    )
    s.add_argument("--io-type", default="io_parallel", choices=("io_parallel", "io_stream"))
    s.add_argument("--clock", type=float, default=5.0, help="clock period in ns (default 5.0)")
    s.add_argument("--out", help="export: the .zip to write")
    s.add_argument("--trust", action="store_true", help="load model files with Lambda layers / custom code")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_hls)

    s = sub.add_parser("metrics", help="physics metrics of a variant: pT resolution, turn-on, fake rate, ROC")
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True, help="the variant to measure")
    s.add_argument(
        "--threshold",
        type=float,
        action="append",
        help="trigger threshold in GeV (repeatable; default 10, 20)",
    )
    s.add_argument("--split", default="val", choices=("train", "val", "test"))
    s.add_argument("--events", type=int, help="muon_rpc events (default: the workspace's cached simulation)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_metrics)

    s = sub.add_parser("distill", help="distill a teacher variant into a (e.g. QKeras) student variant")
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--teacher", required=True, help="the trained teacher variant")
    s.add_argument("--student", required=True, help="the student variant (left untouched)")
    s.add_argument("--temperature", type=float, default=2.0, help="softening temperature T (classification)")
    s.add_argument("--alpha", type=float, default=0.1, help="weight of the hard-label loss, 0..1")
    s.add_argument("--epochs", type=int, default=10)
    s.add_argument("--lr", type=float, default=1e-3)
    s.add_argument("--batch", type=int, default=256)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--max-samples", type=int, help="train on the first N samples only")
    s.add_argument(
        "--schedule", default="constant", choices=("constant", "cosine"), help="learning-rate schedule"
    )
    s.add_argument(
        "--unlabelled",
        type=int,
        default=0,
        metavar="N",
        help="also train on N events without truth, labelled by the teacher (simulated data sets)",
    )
    s.add_argument("--name", help="name of the new variant")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_distill)

    s = sub.add_parser("workspace", help="list a workspace's variants")
    s.add_argument("ws")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_workspace)

    s = sub.add_parser("zoo", help="list the model zoo")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_zoo)

    s = sub.add_parser("datasets", help="list the built-in datasets")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_datasets)

    s = sub.add_parser("demo", help="create (once) the hands-on 1 demo workspace the app opens")
    s.add_argument("--ws", help="where (default: the user's TrigLab data folder)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_demo)
    from core.cli import deploy  # devices, deploy, run (issue 10)

    deploy.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TrigLabError as exc:
        print(f"triglab-cli: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("triglab-cli: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
