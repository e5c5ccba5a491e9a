"""``metrics``: physics metrics of a variant (pT resolution, turn-on curves, fake rate, ROC)."""

from __future__ import annotations

from core.cli.common import add_events, add_json, emit, open_workspace, positive_float, progress_for


def cmd_metrics(args) -> int:
    from core.metrics.physics import scalar_metrics, variant_trigger_metrics, workspace_dataset_params

    ws = open_workspace(args.ws)
    params = workspace_dataset_params(ws, args.variant)
    if args.events is not None:
        params["events"] = args.events
    thresholds = tuple(args.threshold or (10.0, 20.0))
    result = variant_trigger_metrics(
        ws, args.variant, thresholds, args.split, params, progress=progress_for(args)
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
    emit(args, {"workspace": str(ws.root), "metrics": scalars, **result}, "\n".join(lines))
    return 0


def register(sub) -> None:
    s = sub.add_parser("metrics", help="physics metrics of a variant: pT resolution, turn-on, fake rate, ROC")
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True, help="the variant to measure")
    s.add_argument(
        "--threshold",
        type=positive_float,
        action="append",
        help="trigger threshold in GeV, > 0 (repeatable; default 10, 20)",
    )
    s.add_argument("--split", default="val", choices=("train", "val", "test"))
    add_events(s, help="muon_rpc events (default: the workspace's cached simulation)")
    add_json(s)
    s.set_defaults(func=cmd_metrics)
