"""``walkthrough``: the classroom walkthroughs (hands-on 1 and 2) step by step from a terminal.

The same steps as the app's walkthrough panel (:mod:`core.walkthrough`), recorded in the same
workspace, so a class can start in the terminal and continue in the app (or the reverse).
"""

from __future__ import annotations

from pathlib import Path

from core import TrigLabError
from core.cli.common import add_json, emit, output_workspace, positive_int, progress_for


def _walkthrough(args):
    from core.walkthrough import WALKTHROUGHS, Scale

    scale = Scale()
    if args.events is not None:
        scale.events = args.events
        scale.max_train_samples = min(scale.max_train_samples or args.events, args.events)
        scale.unlabelled_events = min(scale.unlabelled_events, 8 * args.events)
    if args.epochs is not None:
        for field in ("teacher_epochs", "student_epochs", "digits_epochs", "finetune_epochs"):
            setattr(scale, field, args.epochs)
    return WALKTHROUGHS[args.name](scale)


def _default_root(name: str) -> Path:
    from core.workflows import default_home

    return default_home() / ("demo-handson1" if name == "handson1" else "demo-handson2")


def _step_key(w, given: str) -> str:
    keys = [s.key for s in w.steps]
    if given in keys:
        return given
    if given.isdigit() and 1 <= int(given) <= len(keys):
        return keys[int(given) - 1]
    listed = ", ".join(f"{i}={k}" for i, k in enumerate(keys, 1))
    raise TrigLabError(f"Walkthrough '{w.key}' has no step '{given}' (steps: {listed})")


def _listing(w, ws) -> tuple[list[dict], str]:
    rows, lines = [], [w.title]
    for i, step in enumerate(w.steps, 1):
        done = ws is not None and w.is_done(ws, step.key)
        result = w.result_of(ws, step.key) if ws is not None else None
        summary = w.summary(ws, step.key) if done else ""
        rows.append({"step": i, "key": step.key, "title": step.title, "done": done, "result": result})
        mark = "done" if done else "todo"
        extra = f"  -> {result}" if done and result is not None else ""
        lines.append(
            f"{i}. [{mark}] {step.key:9s} {step.title}{extra}" + (f" ({summary})" if summary else "")
        )
    return rows, "\n".join(lines)


def _run(w, ws, key: str, args, ran: list[dict]) -> None:
    step = w.ready_step(ws, key, replace=args.replace)  # says what is wrong before anything is printed
    index = w.steps.index(step) + 1
    progress = progress_for(args)
    progress.log(f"step {index}/{len(w.steps)}: {step.title}")
    result = w.run_step(ws, key, progress=progress, replace=args.replace)
    summary = w.summary(ws, key)
    ran.append({"step": index, "key": key, "result": result, "summary": summary})
    progress.log(f"step {index} done: {result}" + (f" ({summary})" if summary else ""))


def cmd_walkthrough(args) -> int:
    from core.workspace import Workspace

    w = _walkthrough(args)
    root = Path(args.ws) if args.ws else _default_root(args.name)
    exists = (root / "triglab.json").exists()
    if args.list or (args.reset and args.step is None):
        ws = Workspace.open(root) if exists else None
        if args.reset and ws is not None:
            w.reset(ws)
        rows, text = _listing(w, ws)
        emit(args, {"walkthrough": w.key, "workspace": str(root), "steps": rows}, text)
        return 0
    keys = [_step_key(w, args.step)] if args.step is not None else None
    if args.reset and keys and w.prerequisites(keys[0]):
        # refused before the reset: a failed command must not have thrown the progress away
        first = ", ".join(s.title for s in w.prerequisites(keys[0]))
        raise TrigLabError(
            f"--reset starts {w.key} again, and step '{keys[0]}' needs these steps first: {first}; "
            "run --reset without --step (it runs every step), or drop --reset"
        )
    ran: list[dict] = []
    ws = Workspace.open(root) if exists else None
    if ws is not None and args.reset:
        w.reset(ws)
    if ws is None:
        # A workspace this command creates is removed again if its first step fails; each later
        # step is recorded when it finishes, as with the app's Run buttons.
        with output_workspace(root) as ws:
            todo = keys or [s.key for s in w.steps]
            _run(w, ws, todo[0], args, ran)
        todo = todo[1:]
    else:
        todo = keys or [s.key for s in w.steps if not w.is_done(ws, s.key)]
    for key in todo:
        _run(w, ws, key, args, ran)
    rows, text = _listing(w, ws)
    if not ran:
        text += "\nnothing to run: every step is done (--reset starts again)"
    emit(args, {"walkthrough": w.key, "workspace": str(ws.root), "ran": ran, "steps": rows}, text)
    return 0


def register(sub) -> None:
    s = sub.add_parser(
        "walkthrough",
        help="run the classroom walkthroughs (hands-on 1: digits CNN; hands-on 2: muon trigger) step by step",
    )
    s.add_argument("name", choices=("handson1", "handson2"))
    s.add_argument("--ws", help="workspace folder (default: the one the app opens for this walkthrough)")
    s.add_argument(
        "--step", help="run only this step (its key or number; see --list); default: every step not done"
    )
    s.add_argument(
        "--replace",
        action="store_true",
        help="run a done --step again, replacing its result (the later steps built on it are undone)",
    )
    s.add_argument("--reset", action="store_true", help="remove what the walkthrough made and start again")
    s.add_argument("--list", action="store_true", help="list the steps and whether each is done")
    s.add_argument("--events", type=positive_int, help="hands-on 2: simulated muons (default 100,000)")
    s.add_argument("--epochs", type=positive_int, help="epochs of every training step (quick runs)")
    add_json(s)
    s.set_defaults(func=cmd_walkthrough)
