"""``triglab-cli``: the same core functions as the app, from a terminal.

``--json`` prints exactly one JSON document on stdout; logs and progress go to stderr.
Bad input (a :class:`core.TrigLabError`, a file that cannot be read, a value out of range) exits
with code 2 and one line on stderr; an unexpected failure exits with 1, also in one line, and
``--debug`` shows its traceback.

Commands live in modules listed in :data:`COMMAND_MODULES`; each has ``register(subparsers)``
adding its sub-commands. Adding a command module is one line there.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import traceback
from collections.abc import Sequence

from core import TrigLabError, one_line
from core.cli.common import emit as _emit  # noqa: F401 - the name modules written before the split import

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
PROG = "triglab-cli"

COMMAND_MODULES = (
    "core.cli.models",  # info, import, workspace, zoo, demo
    "core.cli.data",  # data, datasets
    "core.cli.train",  # train, distill
    "core.cli.compress",  # compress, ops, sensitivity
    "core.cli.metrics",  # metrics
    "core.cli.baseline",  # baseline (classical trigger, strip-fit limit)
    "core.cli.hls",  # hls (csim, build, estimate, export, import-report), profile
    "core.cli.walkthrough",  # walkthrough
    "core.cli.deploy",  # devices, deploy, run
    "core.cli.sweep",  # sweep (run, resume, list, show, materialize, job script)
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit 2), like every other bad input."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, from the modules of :data:`COMMAND_MODULES`."""
    p = _Parser(
        prog=PROG,
        description="TrigLab: inspect, train, compress, synthesize Keras models for real-time triggers.",
    )
    p.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # anywhere on the line, not only before the command
    argv = [a for a in argv if a != "--debug"]
    if not debug:
        # Keras' Python warnings ("compiled metrics have yet to be built"...) are not the user's business.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    # A killed command (SIGTERM) unwinds like Ctrl-C: run_subprocess then kills its g++ process group.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (TrigLabError, OSError, ValueError, MemoryError) as exc:
        # What the user gave cannot be used: a message, not a traceback.
        if debug:
            traceback.print_exc()
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if debug:
            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {one_line(exc)} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
