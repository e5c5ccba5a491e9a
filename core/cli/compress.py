"""Compression commands: ``compress`` (apply an operation), ``ops`` (list them) and ``sensitivity``
(each layer pruned or narrowed on its own, as the Sensitivity view)."""

from __future__ import annotations

from core import TrigLabError
from core.cli.common import (
    add_json,
    emit,
    float_list,
    fraction,
    int_list,
    open_workspace,
    positive_int,
    progress_for,
)


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

    ws = open_workspace(args.ws)
    final = compress_variant(
        ws, args.variant, args.op, _parse_params(args.param), name=args.name, progress=progress_for(args)
    )
    # What this command added (another command may have added variants meanwhile).
    created = [ws[n] for n in ws.added if n in ws]
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
    emit(args, payload, "\n".join(lines))
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
    emit(args, {"operations": ops}, "\n".join(lines))
    return 0


def cmd_sensitivity(args) -> int:
    from core.compress.sensitivity import DEFAULT_BIT_WIDTHS, DEFAULT_SPARSITIES, sensitivity_analysis
    from core.data import load_dataset

    ws = open_workspace(args.ws)
    v = ws[args.variant]
    if not v.dataset:
        raise TrigLabError(f"Variant '{args.variant}' has no dataset to measure the sensitivity on.")
    progress = progress_for(args)
    dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress.sub(0, 0.05))
    result = sensitivity_analysis(
        ws.load_model(args.variant),
        dataset,
        layers=args.layers.split(",") if args.layers else None,
        sparsities=args.sparsities or DEFAULT_SPARSITIES,
        bit_widths=args.bits or DEFAULT_BIT_WIDTHS,
        max_samples=args.max_samples,
        progress=progress.sub(0.05, 1.0),
    )
    suggestion = result.suggest(args.tolerance)
    kind = "absolute" if not result.relative else "relative"
    lines = [
        f"{args.variant}: {result.metric} {result.baseline:.4g} on {result.samples} validation samples; "
        f"each layer alone, no retraining ({kind} tolerance {args.tolerance:g})",
        f"{'sparsity':16s}" + "".join(f"{s:>8.0%}" for s in result.sparsities),
    ]
    for name in result.layers:
        lines.append(f"  {name:14s}" + "".join(f"{m:8.4g}" for m in result.sparsity_curves[name]))
    lines.append(f"{'weight bits W':16s}" + "".join(f"{b:>8d}" for b in result.bit_widths))
    for name in result.layers:
        lines.append(f"  {name:14s}" + "".join(f"{m:8.4g}" for m in result.bit_curves[name]))
    lines.append("suggested (within tolerance):")
    for name, sug in suggestion.items():
        bits = (
            f"ap_fixed<{sug['min_bits']},{sug['integer_bits']}>" if sug["min_bits"] else "none of the widths"
        )
        lines.append(f"  {name:14s} sparsity up to {sug['max_sparsity']:.0%}, weights {bits}")
    payload = {"workspace": str(ws.root), "variant": args.variant, **result.to_dict()}
    payload.update(tolerance=args.tolerance, suggestion=suggestion)
    emit(args, payload, "\n".join(lines))
    return 0


def register(sub) -> None:
    s = sub.add_parser(
        "compress", help="compress a workspace variant (prune, quantize, qat, cluster, lowrank, l1 ...)"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True, help="the variant to compress (left untouched)")
    s.add_argument("--op", required=True, help="operation (see 'triglab-cli ops')")
    s.add_argument("--param", action="append", metavar="KEY=VALUE", help="operation parameter (repeatable)")
    s.add_argument("--name", help="name of the new variant")
    add_json(s)
    s.set_defaults(func=cmd_compress)

    s = sub.add_parser("ops", help="list the compression operations and their parameters")
    add_json(s)
    s.set_defaults(func=cmd_ops)

    s = sub.add_parser(
        "sensitivity",
        help="per-layer sensitivity: the metric with each layer alone pruned or narrowed to ap_fixed<W,I>",
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True, help="the variant to scan (left untouched)")
    s.add_argument("--layers", help="comma-separated layer names (default: every Dense/Conv layer)")
    s.add_argument(
        "--sparsities", type=float_list, help="comma-separated fractions (default 0,0.25,...,0.95)"
    )
    s.add_argument("--bits", type=int_list, help="comma-separated widths W (default 16,12,10,8,6,5,4,3,2)")
    s.add_argument(
        "--max-samples", type=positive_int, default=1000, help="validation samples per point (default 1000)"
    )
    s.add_argument(
        "--tolerance",
        type=fraction,
        default=0.01,
        help="allowed drop for the suggestions: absolute for accuracy, relative for an error (default 0.01)",
    )
    add_json(s)
    s.set_defaults(func=cmd_sensitivity)
