"""Commands about models and workspaces: ``info``, ``import``, ``workspace``, ``zoo``, ``demo``."""

from __future__ import annotations

import argparse

from core.cli.common import (
    add_json,
    add_model_file_options,
    emit,
    load_model_file,
    output_workspace,
    progress_for,
)


def cmd_info(args) -> int:
    from core.models import inspect_model

    model = load_model_file(args, args.model, weights=args.weights)
    summary = inspect_model(model)
    payload = {"model": str(args.model), **summary.to_dict()}
    emit(args, payload, summary_text(summary, title=str(args.model)))
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


def cmd_import(args) -> int:
    from core.workflows import import_model_file

    with output_workspace(args.ws) as ws:
        v = import_model_file(
            ws,
            args.model,
            trust=args.trust,
            max_params=args.max_params,
            weights=args.weights,
            dataset=args.data,
            progress=progress_for(args),
        )
    emit(
        args,
        {"workspace": str(ws.root), "variant": v.name, "file": str(ws.root / v.file), "metrics": v.metrics},
        f"imported '{v.name}' into {ws.root}",
    )
    return 0


def cmd_workspace(args) -> int:
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    payload = {"workspace": str(ws.root), "variants": [v.to_dict() for v in ws.variants.values()]}
    lines = [f"workspace {ws.root}: {len(ws.variants)} variant(s)"]
    for v in ws.variants.values():
        depth = len(ws.lineage(v.name)) - 1
        lines.append(f"{'  ' * depth}- {v.name} [{v.operation}] {v.dataset or ''}")
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_zoo(args) -> int:
    from core.zoo import list_zoo

    entries = [{"name": e.name, "dataset": e.dataset, "description": e.description} for e in list_zoo()]
    emit(args, {"zoo": entries}, "\n".join(f"{e['name']:18s} {e['description']}" for e in entries))
    return 0


def cmd_demo(args) -> int:
    from core.workflows import ensure_demo_workspace

    ws = ensure_demo_workspace(args.ws, progress=progress_for(args))
    return cmd_workspace(argparse.Namespace(ws=ws.root, json=args.json))


def register(sub) -> None:
    s = sub.add_parser("info", help="inspect a model file (layers, params, MACs, quantizers, sizes)")
    s.add_argument("model", help=".h5, .keras, SavedModel folder, or model.json (+ weights .h5)")
    s.add_argument("--weights", help="weights .h5 for a model.json (default: found next to it)")
    add_model_file_options(s)
    add_json(s)
    s.set_defaults(func=cmd_info)

    s = sub.add_parser(
        "import", help="add a model file to a workspace as a new root variant (as File > Open)"
    )
    s.add_argument("ws", help="workspace folder (created if needed)")
    s.add_argument("model", help=".h5, .keras, SavedModel folder, or model.json (+ weights .h5)")
    s.add_argument("--weights", help="weights .h5 for a model.json (default: found next to it)")
    s.add_argument("--data", help="the dataset the model works on (name or .npz/.h5 file)")
    add_model_file_options(s)
    add_json(s)
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("workspace", help="list a workspace's variants")
    s.add_argument("ws")
    add_json(s)
    s.set_defaults(func=cmd_workspace)

    s = sub.add_parser("zoo", help="list the model zoo")
    add_json(s)
    s.set_defaults(func=cmd_zoo)

    s = sub.add_parser("demo", help="create (once) the hands-on 1 demo workspace the app opens")
    s.add_argument("--ws", help="where (default: the user's TrigLab data folder)")
    add_json(s)
    s.set_defaults(func=cmd_demo)
