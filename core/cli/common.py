"""What the command modules share: output (``--json`` or text), option definitions and value types.

An option two commands take is defined once here (``add_training_options``,
``add_model_source``...), so ``train`` and ``distill`` cannot drift apart. The value types refuse
nonsense (0 epochs, a NaN threshold) while the arguments are parsed, before anything runs.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core import TrigLabError


# --- output ----------------------------------------------------------------------------------
def emit(args, payload: dict, text: str) -> None:
    """``payload`` as one JSON document with ``--json``, else ``text``, on stdout."""
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, default=_default)
        sys.stdout.write("\n")
    else:
        print(text)


def _default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def progress_for(args):
    """The terminal progress of a command (silent with ``--json``: stdout holds only the document)."""
    from core.cli.progress import ConsoleProgress

    return ConsoleProgress(quiet=getattr(args, "json", False))


# --- value types (argparse ``type=``) ----------------------------------------------------------
def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    return _int_at_least(text, 0)


def _int_at_least(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be >= {low} (got {value})")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (NaN and inf are refused)."""
    value = finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0 (got {text})")
    return value


def finite_float(text: str) -> float:
    """A finite number (NaN and inf are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number (got {text})")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1]."""
    value = finite_float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {text})")
    return value


def float_list(text: str) -> list[float]:
    """Comma-separated finite numbers, e.g. ``0,0.5,0.9``."""
    return [finite_float(t) for t in _items(text)]


def int_list(text: str) -> list[int]:
    """Comma-separated integers >= 1, e.g. ``16,8,4``."""
    return [positive_int(t) for t in _items(text)]


def _items(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give at least one value (comma-separated)")
    return items


# --- shared options ----------------------------------------------------------------------------
def add_json(s: argparse.ArgumentParser) -> None:
    s.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def add_events(s: argparse.ArgumentParser, help: str = "events to simulate (muon_rpc)") -> None:
    s.add_argument("--events", type=positive_int, help=help)


def add_training_options(s: argparse.ArgumentParser, *, batch: int, optimizer: bool) -> None:
    """The options of every command that trains: epochs, batch, lr, schedule, seed, samples, name."""
    from core.train import OPTIMIZERS, SCHEDULES

    s.add_argument("--epochs", type=positive_int, default=10, help="passes over the training data")
    s.add_argument("--batch", type=positive_int, default=batch, help=f"samples per step (default {batch})")
    s.add_argument("--lr", type=positive_float, default=1e-3, help="learning rate (default 0.001)")
    if optimizer:
        s.add_argument("--optimizer", default="adam", choices=OPTIMIZERS)
    s.add_argument(
        "--schedule",
        default="constant",
        choices=SCHEDULES,
        help="learning-rate schedule: constant, or cosine (decays to lr/100 over the run)",
    )
    s.add_argument("--seed", type=non_negative_int, default=0)
    s.add_argument("--max-samples", type=positive_int, help="train on the first N samples only")
    s.add_argument("--name", help="name of the new variant")


def add_model_source(s: argparse.ArgumentParser) -> None:
    """``TARGET [--variant V] [--trust] [--max-params N]``: a workspace variant or a model file."""
    s.add_argument("target", help="a workspace folder (with --variant) or a model file")
    s.add_argument("--variant", help="the workspace variant")
    add_model_file_options(s)


def add_model_file_options(s: argparse.ArgumentParser) -> None:
    """``--trust`` and ``--max-params``, for commands that read a model file."""
    s.add_argument(
        "--trust",
        action="store_true",
        help="run the code this model file carries (Lambda layers, custom objects); remembered for "
        "this exact file (its SHA-256) in $TRIGLAB_HOME/trusted-models.json",
    )
    s.add_argument(
        "--max-params",
        type=positive_int,
        metavar="N",
        help="refuse models declaring more parameters (default 50,000,000, or $TRIGLAB_MAX_PARAMS)",
    )


def load_model_file(args, path, weights=None):
    """Load a model file with the user's ``--trust``/``--max-params``; a trusted file is remembered."""
    from core.models import load_model, trust

    model = load_model(path, trust=args.trust, weights=weights, max_params=args.max_params)
    if args.trust:
        trust.remember(path)
    return model


def add_calibration(s: argparse.ArgumentParser) -> None:
    s.add_argument("--calib", help="calibration data: dataset name, FILE.npz, gauss or uniform")


def add_hls_settings(s: argparse.ArgumentParser) -> None:
    """``--config YAML`` and the settings that apply on top of it (or of the default)."""
    s.add_argument("--config", help="hls4ml YAML config to use instead of the default")
    s.add_argument(
        "--io-type",
        choices=("io_parallel", "io_stream"),
        help="hls4ml I/O type (default io_parallel; applied on top of --config)",
    )
    s.add_argument(
        "--clock",
        type=positive_float,
        help="clock period in ns (default 5.0; applied on top of --config)",
    )


# --- workspaces ----------------------------------------------------------------------------------
@contextmanager
def output_workspace(root) -> Iterator:
    """Open the workspace at ``root``, or create it; a created one is removed again on failure.

    Only what this command created goes: a new folder entirely, or, in an existing folder that
    was not a workspace, the manifest and sub-folders it added. An existing workspace is
    opened as it is (the command itself must leave it unchanged on failure).
    """
    from core.workspace import Workspace

    root = Path(root)
    if (root / "triglab.json").exists():
        yield Workspace.open(root)
        return
    before = {p.name for p in root.iterdir()} if root.is_dir() else None
    ws = Workspace.create(root)
    try:
        yield ws
    except BaseException:
        if before is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for p in root.iterdir():
                if p.name in before:
                    continue
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
        raise


def open_workspace(root):
    """An existing workspace (never creates one)."""
    from core.workspace import Workspace

    return Workspace.open(root)


def load_model_source(args):
    """``(model, workspace or None, label)`` for ``TARGET [--variant V]``."""
    if args.variant:
        ws = open_workspace(args.target)
        return ws.load_model(args.variant), ws, f"{ws.root}:{args.variant}"
    if Path(args.target, "triglab.json").exists():
        raise TrigLabError(f"'{args.target}' is a workspace: say which variant with --variant NAME")
    return load_model_file(args, args.target), None, str(args.target)


def hls_config(args, model, saved=None):
    """The hls4ml configuration: ``--config``, else ``saved`` (a workspace variant's own, as the
    Synthesis view opens it), else the default for ``model``; ``--io-type`` and ``--clock`` applied
    on top when given."""
    from core.hls import config as hcfg

    if saved is not None and not args.config:
        if args.io_type:
            saved.set_setting("io_type", args.io_type)
        if args.clock:
            saved.set_setting("clock_period_ns", args.clock)
        return saved
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise TrigLabError(f"The hls4ml configuration '{path}' does not exist (--config).")
        try:
            config = hcfg.HlsConfig.from_yaml(path.read_text(encoding="utf-8"))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise TrigLabError(f"'{path}' is not an hls4ml configuration TrigLab can read ({exc}).") from None
        if args.io_type:
            config.set_setting("io_type", args.io_type)
        if args.clock:
            config.set_setting("clock_period_ns", args.clock)
        return config
    settings = {}
    if args.io_type:
        settings["io_type"] = args.io_type
    if args.clock:
        settings["clock_period_ns"] = args.clock
    return hcfg.make_config(model, hcfg.HlsSettings(**settings))


def calibration_inputs(spec: str, model, n: int = 1000, seed: int = 0, cache_dir=None):
    """Calibration inputs: a dataset name or file (its validation split), or ``gauss`` / ``uniform``
    samples of the model's input shape (standard normal / [0, 1)). Returns ``(x, dataset or None)``.

    Raises:
        TrigLabError: The data set's samples or targets do not fit the model.
    """
    import numpy as np

    from core.data import load_dataset
    from core.train import check_model_fits_data

    shape = tuple(int(d) for d in model.input_shape[1:])
    rng = np.random.default_rng(seed)
    if spec == "gauss":
        return rng.standard_normal((n, *shape)).astype("float32"), None
    if spec == "uniform":
        return rng.random((n, *shape)).astype("float32"), None
    ds = load_dataset(spec, cache_dir=cache_dir)
    check_model_fits_data(model, ds)
    return ds.x_val[:n], ds
