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
    elif result.get("pt_resolution") is None:
        lines.append(
            "no pT resolution: a classical trigger decides with its coincidence windows, it measures no pT"
        )
        lines += _threshold_lines(result)
    else:
        lines.append(
            f"pT resolution (pT_pred - pT_true)/pT_true: std {result['pt_resolution']:.4f}, "
            f"robust (16-84% half-width) {result['pt_resolution_robust']:.4f}, bias {result['pt_bias']:+.4f}"
        )
        lines += _threshold_lines(result)
    lines.append(f"{len(scalars)} numbers stored on the variant (every one in --json)")
    emit(args, {"workspace": str(ws.root), "metrics": scalars, **result}, "\n".join(lines))
    return 0


def _pm(value, err, fmt: str = ".2f", unit: str = "") -> str:
    """``12.04 ± 0.05 GeV``; the value alone without an error; ``n/a`` without a value."""
    if value is None:
        return "n/a"
    text = f"{value:{fmt}}" + (f" ± {err:{fmt}}" if err is not None else "")
    return text + (f" {unit}" if unit else "")


def _first(*values):
    return next((v for v in values if v is not None), None)


def _threshold_lines(result: dict) -> list[str]:
    """Per threshold: turn-on (fitted, binned), plateau, efficiency above T, rate, ratio, fake rate."""
    lines = []
    fake = result.get("fake") or {}
    for key, curve in result["turn_on"].items():
        fit = curve.get("fit")
        p50, p90 = result[f"pt50_{key}"], result[f"pt90_{key}"]
        line = f"threshold {key} GeV: pT50 " + (
            _pm(p50, result.get(f"pt50_err_{key}"), unit="GeV") if p50 is not None else "not reached"
        )
        line += ", pT90 " + (
            _pm(p90, result.get(f"pt90_err_{key}"), unit="GeV") if p90 is not None else "not reached"
        )
        if fit:
            line += (
                f" (erf fit, chi2/ndf {fit['chi2']:.1f}/{fit['ndf']}; binned pT50 {_pm(curve['pt50'], None)})"
            )
            line += f", plateau {_pm(fit['plateau'], fit['plateau_err'], '.3f')}"
        else:
            line += " (binned: no erf fit)"
        if key in fake:
            fr = fake[key]
            line += f", fake rate {fr['rate']:.4g} [{fr['lo']:.2g}, {fr['hi']:.2g}] on {fr['total']:,} noise events"
        lines.append(line)
        rates = (result.get("rates") or {}).get(key) or {}
        if rates.get("rate") is not None:
            text = f"  efficiency above {key} GeV {_pm(rates['eff_above'], None, '.3f')}"
            text += (
                f", rate {_pm(rates['rate'], rates['rate_err'], '.3g')} (fraction of the falling spectrum)"
            )
            lines.append(text)
        if result.get("reference") and f"rate_ratio_{key}" in result:
            ratio = result[f"rate_ratio_{key}"]
            if ratio is None:
                why = (
                    "the classical trigger never fires"
                    if not rates.get("eff_above_classical")
                    else (
                        f"it cannot reach the classical efficiency above {key} GeV "
                        f"({_pm(rates.get('eff_above_classical'), None, '.3f')})"
                    )
                )
                lines.append(f"  rate vs classical: n/a ({why})")
            else:
                lines.append(
                    f"  rate vs classical {_pm(ratio, result[f'rate_ratio_err_{key}'], '.3f')} with its cut at "
                    f"{result[f'network_cut_{key}']:.2f} GeV (efficiency above {key} GeV "
                    f"{_pm(_first(rates.get('eff_above_network'), rates.get('eff_above')), None, '.3f')}, classical {_pm(rates.get('eff_above_classical'), None, '.3f')})"
                )
    untuned = result.get("untuned_thresholds") or []
    if untuned:
        tuned = ", ".join(f"{t:g}" for t in result.get("tuned_thresholds") or []) or "no threshold"
        lines.append(
            f"no road at {', '.join(f'{t:g}' for t in untuned)} GeV: this classical trigger was tuned at "
            f"{tuned} GeV (add one with: triglab-cli baseline WS --thresholds ...)"
        )
    if result.get("reference"):
        lines.append(f"classical trigger: {result['reference']}")
    if result.get("spectrum"):
        lines.append(f"rates weighted to {result['spectrum']}")
    limit = result.get("resolution_limit")
    if limit:
        lines.append(
            f"strip-fit limit on the same events: robust resolution {limit['robust']:.4f}, std {limit['std']:.4f}"
        )
    return lines


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
