"""``baseline``: add the classical road trigger (or the strip-fit limit) to a workspace as a variant."""

from __future__ import annotations

import argparse

from core.cli.common import add_json, emit, finite_float, float_list, open_workspace, progress_for


def open_fraction(text: str) -> float:
    """A number strictly between 0 and 1 (the plateau fraction)."""
    value = finite_float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, exclusive (got {text})")
    return value


def positive_floats(text: str) -> list[float]:
    """Comma-separated thresholds > 0 [GeV], e.g. ``10,20``."""
    values = float_list(text)
    if any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"thresholds must be > 0 GeV (got {text})")
    return values


def cmd_baseline(args) -> int:
    from core.trigger import add_baseline, load_baseline

    ws = open_workspace(args.ws)
    v = add_baseline(
        ws,
        args.trigger,
        plateau=args.plateau,
        thresholds=tuple(args.thresholds),
        name=args.name,
        progress=progress_for(args),
    )
    obj = load_baseline(ws, v.name)
    lines = [f"added '{v.name}' to {ws.root}: {obj.describe()}"]
    for key, tuned in (getattr(obj, "tuned", None) or {}).items():
        lines.append(f"  {key} GeV road keeps {tuned['fraction']:.3f} of {tuned['n']:,} muons of {key} GeV")
    m = v.metrics
    for key in getattr(obj, "windows", None) or {}:
        if m.get(f"pt90_{key}") is not None:
            lines.append(
                f"  {key} GeV turn-on on the validation muons: pT50 {m[f'pt50_{key}']:.2f} GeV, "
                f"pT90 {m[f'pt90_{key}']:.2f} GeV, plateau {m.get(f'plateau_{key}') or float('nan'):.3f}"
            )
    shown = sum(val is not None for val in m.values())
    lines.append(
        f"{shown} numbers stored on the variant (triglab-cli metrics WS --variant {v.name} prints them)"
    )
    payload = {"workspace": str(ws.root), "variant": v.name, "spec": obj.to_json(), **v.to_dict()}
    emit(args, payload, "\n".join(lines))
    return 0


def register(sub) -> None:
    from core.trigger import BASELINES

    s = sub.add_parser(
        "baseline", help="add the classical coincidence-window trigger (or the strip fit) as a variant"
    )
    s.add_argument("ws", help="workspace folder (with the muon_rpc data set)")
    s.add_argument(
        "--trigger",
        required=True,
        choices=tuple(BASELINES),
        help="roads: the ATLAS low-pT/high-pT coincidence windows; stripfit: the least-squares limit",
    )
    s.add_argument(
        "--plateau",
        type=open_fraction,
        default=0.9,
        help="fraction of the muons at each threshold the roads keep (default 0.9)",
    )
    s.add_argument(
        "--thresholds", type=positive_floats, default=[10.0, 20.0], help="thresholds in GeV (default 10,20)"
    )
    s.add_argument("--name", help="name of the new variant (default roads-<plateau> / stripfit)")
    add_json(s)
    s.set_defaults(func=cmd_baseline)
