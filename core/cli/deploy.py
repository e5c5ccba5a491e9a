"""``triglab-cli devices | deploy | run``: cards and tools found, run packages, runs on a target.

Listed in ``core.cli.COMMAND_MODULES``; :func:`register` adds the sub-commands.
"""

from __future__ import annotations

from typing import Any

from core.cli.common import add_json, emit, open_workspace, positive_int, progress_for

TARGET_HELP = "auto | u50-dpu | u50-hls | emulator-dpu | emulator-hls"


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
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_deploy(args) -> int:
    """Build for the card when the tools are here (else the target's build package) + a run package."""
    from core.deploy.package import read_manifest, write_run_package

    ws = open_workspace(args.ws)
    path = write_run_package(
        ws,
        args.variant,
        args.target,
        args.out,
        events=args.events,
        batch_size=args.batch,
        progress=progress_for(args),
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
    emit(args, manifest, text)
    return 0


def cmd_run(args) -> int:
    """Run a variant on a target, or import a results JSON from the lab server."""
    ws = open_workspace(args.ws)
    if args.import_:
        from core.deploy.package import import_results

        report = import_results(ws, args.variant, args.import_, progress=progress_for(args))
    elif args.ssh:
        from core.deploy.remote import run_variant_remote

        report = run_variant_remote(
            ws, args.variant, args.target, args.ssh, args.events, args.batch, progress_for(args),
            emulator=args.server_emulator,
        )  # fmt: skip
    else:
        from core.deploy.run import run_variant

        report = run_variant(
            ws,
            args.variant,
            args.target,
            events=args.events,
            batch_size=args.batch,
            progress=progress_for(args),
        )
    emit(args, report.to_dict(), "\n".join(report.lines()))
    return 0


def register(sub) -> None:
    """Add ``devices``, ``deploy`` and ``run`` to the CLI's subparsers."""
    from core.deploy.run import DEFAULT_BATCH, DEFAULT_EVENTS

    s = sub.add_parser(
        "devices", help="Alveo cards, XRT, Vitis AI and vendor tools found here, and deploy targets"
    )
    add_json(s)
    s.set_defaults(func=cmd_devices)

    s = sub.add_parser(
        "deploy", help="build a variant for the U50 (or its build package) and write a run package"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True)
    s.add_argument("--target", required=True, help="u50-dpu | u50-hls (emulators too, to try the flow)")
    s.add_argument("--out", required=True, help="the run package to write (.zip)")
    s.add_argument("--events", type=positive_int, default=DEFAULT_EVENTS, help="validation events to include")
    s.add_argument("--batch", type=positive_int, default=DEFAULT_BATCH, help="events per batch on the server")
    add_json(s)
    s.set_defaults(func=cmd_deploy)

    s = sub.add_parser(
        "run", help="run a variant on the card or an emulator (throughput, latency, agreement, task metrics)"
    )
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--variant", required=True)
    s.add_argument("--target", default="auto", help=TARGET_HELP)
    s.add_argument("--events", type=positive_int, default=DEFAULT_EVENTS, help="validation events to run")
    s.add_argument("--batch", type=positive_int, default=DEFAULT_BATCH, help="events per batch")
    s.add_argument(
        "--import", dest="import_", metavar="RESULTS.json", help="import a lab server's results JSON"
    )
    s.add_argument(
        "--ssh", metavar="[USER@]HOST", help="run on the lab server over ssh (package, run, import)"
    )
    s.add_argument(
        "--server-emulator", action="store_true", help="with --ssh: run the package's emulator on the server"
    )
    add_json(s)
    s.set_defaults(func=cmd_run)
