"""``triglab-cli devices | deploy | run``: cards and tools found, run packages, runs on a target.

Registered into the main parser by :func:`register` (one call in ``core.cli.build_parser``).
"""

from __future__ import annotations

import argparse
from typing import Any

TARGET_HELP = "auto | u50-dpu | u50-hls | emulator-dpu | emulator-hls"


def _emit(args, payload: dict, text: str) -> None:
    from core.cli import _emit as emit

    emit(args, payload, text)


def _progress(args):
    from core.cli.progress import ConsoleProgress

    return ConsoleProgress(quiet=args.json)


def cmd_devices(args) -> int:
    """What discovery found: cards, runtimes and tools, with the reason and fix for what is missing."""
    from core.deploy import list_targets

    try:
        from core.deploy.discovery import discover
    except ModuleNotFoundError as exc:
        if exc.name != "core.deploy.discovery":
            raise
        discover = None
    payload: dict[str, Any] = {"targets": []}
    lines: list[str] = []
    found = None
    if discover is None:
        lines.append("card and tool discovery is not part of this TrigLab build")
    else:
        found = discover()
        payload["discovery"] = found.to_dict()
        lines.append(found.summary())
        for row in found.checklist():
            lines.append(f"  [{row.status:7s}] {row.item}: {row.detail}")
            if row.status != "FOUND":
                lines += [f"            why: {row.why}", f"            how: {row.how}"]
    lines.append("")
    lines.append("targets:")
    for t in list_targets():
        a = t.availability(found)
        payload["targets"].append(
            {
                "name": t.name,
                "path": t.path,
                "emulated": t.emulated,
                "ok": a.ok,
                "reason": a.reason,
                "fix": a.fix,
            }
        )
        state = "available" if a.ok else f"not available: {a.reason}" + (f" Fix: {a.fix}" if a.fix else "")
        lines.append(f"  {t.label:38s} {state}")
    _emit(args, payload, "\n".join(lines))
    return 0


def cmd_deploy(args) -> int:
    """Build for the card when the tools are here (else the target's build package) + a run package."""
    from core.deploy.package import read_manifest, write_run_package
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    path = write_run_package(
        ws,
        args.variant,
        args.target,
        args.out,
        events=args.events,
        batch_size=args.batch,
        progress=_progress(args),
    )
    manifest = {**read_manifest(path), "zip": str(path)}
    built = (
        "with the card's binary"
        if manifest.get("built_for_card")
        else "without the card's binary (no Vitis / Vitis AI here): build it on the server first, README.txt says how"
    )
    text = (
        f"run package {manifest['package_id']} for '{args.variant}' on {manifest['target']} written to "
        f"{args.out} ({manifest['events']:,} events), {built}.\nOn the server: python3 {manifest['script']} "
        f"--package DIR --out results.json; then here: triglab-cli run --import results.json {args.ws} "
        f'--variant "{args.variant}"'
    )
    _emit(args, manifest, text)
    return 0


def cmd_run(args) -> int:
    """Run a variant on a target, or import a results JSON from the lab server."""
    from core.workspace import Workspace

    ws = Workspace.open(args.ws)
    if args.import_:
        from core.deploy.package import import_results

        report = import_results(ws, args.variant, args.import_, progress=_progress(args))
    elif args.ssh:
        from core.deploy.remote import run_variant_remote

        report = run_variant_remote(
            ws, args.variant, args.target, args.ssh, args.events, args.batch, _progress(args),
            emulator=args.server_emulator,
        )  # fmt: skip
    else:
        from core.deploy.run import run_variant

        report = run_variant(
            ws, args.variant, args.target, events=args.events, batch_size=args.batch, progress=_progress(args)
        )
    _emit(args, report.to_dict(), "\n".join(report.lines()))
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def register(sub) -> None:
    """Add ``devices``, ``deploy`` and ``run`` to the CLI's subparsers."""
    from core.deploy.run import DEFAULT_BATCH, DEFAULT_EVENTS

    s = sub.add_parser(
        "devices", help="Alveo cards, XRT, Vitis AI and vendor tools found here, and deploy targets"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_devices)

    s = sub.add_parser(
        "deploy", help="build a variant for the U50 (or its build package) and write a run package"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True)
    s.add_argument("--target", required=True, help="u50-dpu | u50-hls (emulators too, to try the flow)")
    s.add_argument("--out", required=True, help="the run package to write (.zip)")
    s.add_argument("--events", type=_positive, default=DEFAULT_EVENTS, help="validation events to include")
    s.add_argument("--batch", type=_positive, default=DEFAULT_BATCH, help="events per batch on the server")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_deploy)

    s = sub.add_parser(
        "run", help="run a variant on the card or an emulator (throughput, latency, agreement, task metrics)"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True)
    s.add_argument("--target", default="auto", help=TARGET_HELP)
    s.add_argument("--events", type=_positive, default=DEFAULT_EVENTS, help="validation events to run")
    s.add_argument("--batch", type=_positive, default=DEFAULT_BATCH, help="events per batch")
    s.add_argument(
        "--import", dest="import_", metavar="RESULTS.json", help="import a lab server's results JSON"
    )
    s.add_argument(
        "--ssh", metavar="[USER@]HOST", help="run on the lab server over ssh (package, run, import)"
    )
    s.add_argument(
        "--server-emulator", action="store_true", help="with --ssh: run the package's emulator on the server"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_run)
