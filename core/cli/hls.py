"""hls4ml commands: ``hls`` (estimate, C-simulate, build, export, import a vendor report) and
``profile`` (each layer's weights and outputs against the ``ap_fixed`` precisions of the config)."""

from __future__ import annotations

from core import TrigLabError
from core.cli.common import (
    add_calibration,
    add_hls_settings,
    add_json,
    add_model_source,
    calibration_inputs,
    emit,
    fraction,
    hls_config,
    load_model_source,
    positive_int,
    progress_for,
)

ACTIONS = ("csim", "build", "estimate", "export", "import-report")


def _task(model, dataset) -> str:
    if dataset is not None:
        return dataset.task
    last = str(model.layers[-1].get_config())
    return "classification" if model.output_shape[-1] > 1 and "softmax" in last else "regression"


def _cache_root(ws):
    from core.workflows import default_home

    return ws.hls_dir if ws is not None else default_home() / "hls-cache"


def cmd_import_report(args) -> int:
    """``hls WS --variant V import-report PATH``: a report synthesized elsewhere, stored on the variant."""
    from core.hls.export import import_reports
    from core.hls.pipeline import report_metrics

    if not args.report:
        raise TrigLabError(
            "import-report needs the report: a project folder, its .zip or a *_csynth.xml file"
        )
    ws = None
    if args.variant:
        from core.cli.common import open_workspace

        ws = open_workspace(args.target)
        ws[args.variant]  # refuses an unknown variant before reading anything
    report = import_reports(args.report)
    payload = {"model": args.variant or str(args.target), "action": args.action, "report": report.to_dict()}
    lines = [
        f"vendor report {args.report}: latency {report.latency_cycles_max} cycles "
        f"({report.latency_ns_max:.0f} ns at {report.clock_ns} ns), II {report.interval_max}, "
        f"DSP {report.dsp}, LUT {report.lut}, FF {report.ff}, BRAM_18K {report.bram_18k}"
    ]
    if ws is not None:
        metrics = {**report_metrics(report), "report_source": f"imported from {args.report}"}
        ws.update_metrics(args.variant, metrics)
        payload["metrics"] = metrics
        lines.append(f"stored on variant '{args.variant}'")
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_hls(args) -> int:
    if args.action == "import-report":
        return cmd_import_report(args)
    if args.report:
        raise TrigLabError(f"'{args.report}': only import-report takes a path after the action")
    from core.hls import estimate as hest

    progress = progress_for(args)
    model, ws, label = load_model_source(args)
    dataset_name = ws[args.variant].dataset if ws is not None else None
    cache_root = _cache_root(ws)
    config = hls_config(args, model)
    calib = args.calib or dataset_name or "gauss"
    payload: dict = {"model": label, "action": args.action, "calibration": calib}
    x, dataset = (None, None)
    if args.action == "csim" or args.auto_precision is not None:
        x, dataset = calibration_inputs(calib, model, cache_dir=ws.data_dir if ws else None)
    task = _task(model, dataset)
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
    payload["settings"] = config.settings.to_dict()
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
    e, err = est.to_dict(), est.error_text
    lines.append(
        f"estimate (calibrated analytic model, not a synthesis result; {est.tool}): latency "
        f"{e['latency_cycles']} cycles {err('latency_cycles')} = {e['latency_ns']:.0f} ns at {e['clock_ns']} ns, "
        f"II {e['interval_cycles']} {err('ii')}, DSP {e['dsp']} {err('DSP')}, LUT {e['lut']} {err('LUT')}, "
        f"FF {e['ff']} {err('FF')}, BRAM_18K {e['bram_18k']} {err('BRAM_18K')}"
    )
    use = est.utilization()
    lines.append(
        f"  error bars: leave-one-out over {est.calibration_source}; part {est.part}: "
        + (", ".join(f"{k} {100 * v:.1f} %" for k, v in use.items()) if use else est.capacity_note)
    )
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_profile(args) -> int:
    from core.hls.profile import overflow_check, profile_model

    progress = progress_for(args)
    model, ws, label = load_model_source(args)
    dataset_name = ws[args.variant].dataset if ws is not None else None
    config = hls_config(args, model)
    calib = args.calib or dataset_name or "gauss"
    progress.update(0.0, f"calibration inputs: {calib}")
    x, _ = calibration_inputs(calib, model, n=args.events, cache_dir=ws.data_dir if ws else None)
    progress.update(0.3, "running the model on the calibration events")
    profile = profile_model(model, x, max_samples=args.events)
    checks = overflow_check(profile, config)
    progress.update(1.0, f"profiled {len(profile.layers)} layers")
    lines = [
        f"{label}: {profile.n_samples} calibration events ({calib}); per layer, the values' range "
        "against the configured precision (overflow: |v| beyond the format; below LSB: non-zero values "
        "that become 0)",
        f"{'layer':16s} {'tensor':7s} {'min':>10s} {'max':>10s}  {'precision':18s} {'overflow':>9s} {'<LSB':>9s}",
    ]
    for lp in profile.layers:
        tensors = [*lp.weights.items(), *([("result", lp.activation)] if lp.activation is not None else [])]
        for tensor, tp in tensors:
            check = checks.get(lp.name, {}).get(tensor)
            fmt = check["format"] if check else "-"
            over = f"{check['overflow']:,}" if check else "-"
            below = f"{check['below_lsb']:,}" if check else "-"
            lines.append(
                f"{lp.name:16s} {tensor:7s} {tp.min:10.4g} {tp.max:10.4g}  {fmt:18s} {over:>9s} {below:>9s}"
            )
    flagged = [
        f"{name}.{t}"
        for name, c in checks.items()
        for t, v in c.items()
        if v["overflow_fraction"] > args.warn
    ]
    if flagged:
        lines.append(f"overflow above {args.warn:.2%} of the values: {', '.join(flagged)}")
    payload = {"model": label, "calibration": calib, "profile": profile.to_dict(), "checks": checks}
    payload["overflowing"] = flagged
    emit(args, payload, "\n".join(lines))
    return 0


def register(sub) -> None:
    s = sub.add_parser(
        "hls", help="hls4ml: estimate, C-simulate, build or export a model; import a vendor report"
    )
    add_model_source(s)
    s.add_argument("action", choices=ACTIONS)
    s.add_argument(
        "report", nargs="?", help="import-report: a synthesized project folder, its .zip, or a *_csynth.xml"
    )
    add_calibration(s)
    add_hls_settings(s)
    s.add_argument(
        "--auto-precision",
        type=fraction,
        metavar="TARGET",
        help="choose precisions automatically for this agreement (e.g. 0.995)",
    )
    s.add_argument("--out", help="export: the .zip to write")
    add_json(s)
    s.set_defaults(func=cmd_hls)

    s = sub.add_parser(
        "profile", help="per-layer ranges of weights and outputs against the ap_fixed precisions (hls4ml)"
    )
    add_model_source(s)
    add_calibration(s)
    add_hls_settings(s)
    s.add_argument("--events", type=positive_int, default=2000, help="calibration events (default 2000)")
    s.add_argument(
        "--warn",
        type=fraction,
        default=0.0,
        help="flag tensors whose overflow exceeds this fraction (default 0)",
    )
    add_json(s)
    s.set_defaults(func=cmd_profile)
