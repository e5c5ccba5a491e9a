"""hls4ml commands: ``hls`` (estimate, C-simulate, build, export, import a vendor report) and
``profile`` (each layer's weights and outputs against the ``ap_fixed`` precisions of the config).

A vendor report (built here, or imported for a workspace variant) is also added to the local
calibration store (:mod:`core.hls.calibration_store`) when it is a synthesis of the variant's
configuration; ``hls calibrate`` refits the estimator on the reference designs plus those pairs."""

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

ACTIONS = ("csim", "build", "estimate", "export", "import-report", "calibrate")


def _task(model, dataset) -> str:
    if dataset is not None:
        return dataset.task
    last = str(model.layers[-1].get_config())
    return "classification" if model.output_shape[-1] > 1 and "softmax" in last else "regression"


def _cache_root(ws):
    from core.workflows import default_home

    return ws.hls_dir if ws is not None else default_home() / "hls-cache"


def _model_sha256(args, ws) -> str | None:
    """SHA-256 of the model file a pair of the calibration store belongs to."""
    from core.hls.cache import file_sha256

    try:
        return file_sha256(ws.path_of(args.variant) if ws is not None else args.target)
    except (OSError, KeyError, TypeError):
        return None


def _store_pair(
    args, ws, model, config, report, source: str, payload: dict, lines: list[str], synthesized=None
) -> None:
    """Add (model + config, report) to the calibration store and say what happened."""
    from core.hls.calibration_pairs import add_design

    out = add_design(
        model,
        config,
        report,
        variant=args.variant,
        source=source,
        model_sha256=_model_sha256(args, ws),
        synthesized=synthesized,
    )
    payload["calibration_store"] = {"status": out.status, "detail": out.detail, "local_pairs": out.total}
    lines.append(out.detail)


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
    from core.hls.timing import timing, timing_line

    payload["report_timing"] = timing(report)
    lines.append("  " + timing_line(payload["report_timing"]))
    if ws is not None:
        metrics = {**report_metrics(report), "report_source": f"imported from {args.report}"}
        ws.update_metrics(args.variant, metrics)
        payload["metrics"] = metrics
        lines.append(f"stored on variant '{args.variant}'")
    if ws is not None or args.config:
        # the pair for the calibration store: the design is the variant's saved configuration
        # (or the --config given), never a guess
        from core.hls.pipeline import load_saved_config

        model = ws.load_model(args.variant) if ws is not None else load_model_source(args)[0]
        config = hls_config(args, model) if args.config else load_saved_config(ws, args.variant)
        if config is None:
            payload["calibration_store"] = {"status": "no configuration", "detail": ""}
            lines.append(
                f"not added to the calibration store: variant '{args.variant}' has no saved hls4ml "
                "configuration (run csim first, or give the one synthesized with --config)"
            )
        else:
            from core.hls.calibration_pairs import config_in

            _store_pair(
                args, ws, model, config, report, f"imported from {args.report}", payload, lines,
                synthesized=config_in(args.report),
            )  # fmt: skip
    emit(args, payload, "\n".join(lines))
    return 0


def _ratio(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def _frac(v) -> str:
    return "—" if v is None else f"{100 * v:.0f} %"


def _bar(v) -> str:
    from core.hls.estimate.calibration import MIN_REL
    from core.hls.estimate.results import format_error

    return "—" if v is None else format_error(max(v, MIN_REL))  # as the estimate states it


def cmd_calibrate(args) -> int:
    """``hls calibrate [--reset]``: refit the estimator on the reference designs plus the local pairs."""

    from core.hls import calibration_store as cs

    if args.target or args.variant or args.report:
        raise TrigLabError(
            "calibrate takes no model: it refits the estimator on the reference designs and the reports "
            f"stored in {cs.pairs_path()}; run `triglab-cli hls calibrate [--reset]`"
        )
    if args.reset:
        n = cs.reset()
        payload = {"action": "calibrate", "reset": True, "removed_pairs": n, "store": str(cs.store_dir())}
        emit(args, payload, f"removed {n} local pair(s) and the refitted calibration from {cs.store_dir()}; "
             "the estimator uses the shipped calibration again")  # fmt: skip
        return 0
    from core.cli.common import progress_for

    result = cs.refit_job(progress_for(args))  # lines skipped in the store: warned on stderr
    before, after = result["quality"]["shipped"], result["quality"]["refitted"]
    payload = {"action": "calibrate", **result}
    lines = [
        f"calibration: {result['references']} reference designs + {result['local_pairs']} local pair(s) "
        f"from {cs.pairs_path()}"
        + (f" ({len(result['skipped'])} line(s) skipped)" if result["skipped"] else ""),
        "leave-one-out, estimate / report, shipped -> refitted:",
        f"  {'quantity':15s} {'median ratio':>14s} {'within 2x':>14s} {'error bar':>16s}",
    ]
    for q in cs.QUANTITIES:
        b, a = before[q], after[q]
        lines.append(
            f"  {q:15s} {_ratio(b['median_ratio']) + ' -> ' + _ratio(a['median_ratio']):>14s} "
            f"{_frac(b['within_2x']) + ' -> ' + _frac(a['within_2x']):>14s} "
            f"{_bar(b['rel']) + ' -> ' + _bar(a['rel']):>16s}"
        )
    if result["written"]:
        lines.append(f"saved {cs.calibration_path()}: estimates use it from now on")
    else:
        lines.append(
            "no local pairs yet: the shipped calibration stays (a vendor report built here, or imported "
            "with `hls WS --variant V import-report PATH`, adds one)"
        )
    emit(args, payload, "\n".join(lines))
    return 0


def _auto_precision_lines(res) -> list[str]:
    """What auto precision chose and whether the target holds (C simulation first)."""

    def pct(x):
        return "—" if x is None else f"{100 * x:.2f} %"

    where = f"C simulation {pct(res.agreement_csim)}, " if res.agreement_csim is not None else ""
    lines = [
        f"auto precision: target {pct(res.target)} {'reached' if res.reached else 'MISSED'} "
        f"({where}emulation {pct(res.agreement_emulated)}); {res.total_bits} bits over all precisions"
    ]
    if not res.reached and res.blocking_layer:
        lines.append(
            f"  the error starts at layer {res.blocking_layer}: set its precision by hand or widen it"
        )
    lines.extend(f"  note: {n}" for n in res.notes)
    return lines


def cmd_hls(args) -> int:
    if args.action == "calibrate":
        return cmd_calibrate(args)
    if args.reset:
        raise TrigLabError("--reset belongs to `hls calibrate` (it resets the local calibration store)")
    if not args.target:
        raise TrigLabError(
            f"hls {args.action} needs a model: a workspace folder with --variant NAME, or a model file"
        )
    if args.action == "import-report":
        return cmd_import_report(args)
    if args.report:
        raise TrigLabError(f"'{args.report}': only import-report takes a path after the action")
    from core.hls import estimate as hest
    from core.hls.timing import timing, timing_line

    progress = progress_for(args)
    model, ws, label = load_model_source(args)
    dataset_name = ws[args.variant].dataset if ws is not None else None
    cache_root = _cache_root(ws)
    saved = None
    if ws is not None and not args.config:
        from core.hls.pipeline import load_saved_config, saved_config_path

        saved = load_saved_config(ws, args.variant)  # e.g. a sweep point's, or edited in the app
    config = hls_config(args, model, saved=saved)
    every_bx = None
    if args.every_bx:
        from core.hls.timing import settings_for_every_bx

        every_bx = settings_for_every_bx(model, config)
        config = every_bx.apply(config)
    calib = args.calib or dataset_name or "gauss"
    payload: dict = {"model": label, "action": args.action, "calibration": calib}
    payload["configuration"] = (
        str(args.config) if args.config else str(saved_config_path(ws, args.variant)) if saved else "default"
    )
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
    lines = [f"{label}: {args.action} (hls4ml configuration: {payload['configuration']})"]
    if every_bx is not None:
        payload["every_bx"] = every_bx.to_dict()
        lines.append(every_bx.describe())
    if args.auto_precision is not None:
        lines.extend(_auto_precision_lines(res))
    if args.action == "csim":
        from core.hls.convert import compare_with_keras, compile_model

        compiled = compile_model(model, config, cache_root, progress=progress.sub(0.6, 0.95))
        y = dataset.y_val[: len(x)] if dataset is not None else None
        report = compare_with_keras(model, compiled, x, y, task=task)
        payload["csim"] = report.to_dict()
        payload["project_dir"] = str(compiled.project_dir)
        payload["cache_hit"] = compiled.cache_hit
        payload["agreement"] = report.to_dict().get("agreement")
        lines.append(report.summary())
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
        payload["report_timing"] = timing(rep)
        lines.append("  " + timing_line(payload["report_timing"]))
        _store_pair(args, ws, model, config, rep, "built here", payload, lines)
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
    payload["timing"] = timing(est)
    lines.append("  " + timing_line(payload["timing"]))
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


def _no_model_for_calibrate(parser) -> None:
    """Let ``hls calibrate`` be written without a model (the store is per user, not per model).

    argparse cannot make the first of two positionals optional when options (``--variant V``)
    sit between them, as in ``hls WS --variant V csim``: the lone ``WS`` would be taken for the
    action. So ``calibrate`` right after ``hls`` gets an empty target, which cmd_hls reads as
    "no model".
    """
    parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        args = list(args) if args is not None else None
        if args and args[0] == "calibrate":
            args.insert(0, "")
        return parse(args, namespace)

    parser.parse_known_args = parse_known_args


def register(sub) -> None:
    s = sub.add_parser(
        "hls",
        help="hls4ml: estimate, C-simulate, build or export a model; import a vendor report; "
        "calibrate the estimate on the reports",
    )
    add_model_source(s)
    s.add_argument("action", choices=ACTIONS)
    _no_model_for_calibrate(s)
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
    s.add_argument(
        "--every-bx",
        action="store_true",
        help="use settings that accept an event every 25 ns bunch crossing (io_parallel, Latency, reuse 1, "
        "the least convolution unrolling that gets there by the estimate); prints their cost",
    )
    s.add_argument("--out", help="export: the .zip to write")
    s.add_argument(
        "--reset",
        action="store_true",
        help="calibrate: remove the local pairs and the refitted calibration (back to the shipped one)",
    )
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
