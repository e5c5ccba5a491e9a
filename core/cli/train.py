"""Commands that train: ``train`` (a zoo model or a variant) and ``distill`` (teacher into student).

Both take the same training options (:func:`core.cli.common.add_training_options`).
"""

from __future__ import annotations

from pathlib import Path

from core import TrigLabError
from core.cli.common import (
    add_events,
    add_json,
    add_training_options,
    emit,
    finite_float,
    non_negative_int,
    open_workspace,
    output_workspace,
    progress_for,
)


def _settings(args) -> dict:
    """The :func:`core.train.train` settings the shared options hold."""
    return {
        "epochs": args.epochs,
        "batch_size": args.batch,
        "lr": args.lr,
        "seed": args.seed,
        "max_train_samples": args.max_samples,
        "schedule": args.schedule,
    }


def _metrics_line(metrics: dict) -> str:
    return ", ".join(f"{k}={val:.4g}" for k, val in metrics.items() if isinstance(val, float))


def cmd_train(args) -> int:
    from core.data import load_dataset
    from core.workflows import train_variant, train_zoo_variant

    progress = progress_for(args)
    existing = Path(args.out, "triglab.json").exists()
    if args.variant and not existing:
        raise TrigLabError(f"No workspace at '{args.out}' to take variant '{args.variant}' from (--out).")
    if args.zoo:
        from core.zoo import get_zoo_entry

        ds_name = args.data or get_zoo_entry(args.zoo).dataset
    else:
        ds_name = args.data or open_workspace(args.out)[args.variant].dataset
    if not ds_name:
        raise TrigLabError("Say which dataset to train on: --data NAME (or a .npz/.h5 file)")
    params = {"events": args.events} if args.events is not None else {}
    settings = {**_settings(args), "optimizer": args.optimizer}
    # A new workspace is removed again when the command fails; an existing one only gains
    # variants once the training succeeded.
    with output_workspace(args.out) as ws:
        dataset = load_dataset(ds_name, cache_dir=ws.data_dir, progress=progress.sub(0, 0.05), **params)
        if args.zoo:
            result = train_zoo_variant(
                ws, args.zoo, dataset, name=args.name, progress=progress.sub(0.05, 1.0), **settings
            )
        else:
            result = train_variant(
                ws,
                ws[args.variant].name,
                dataset,
                name=args.name,
                progress=progress.sub(0.05, 1.0),
                **settings,
            )
    v = result.variant
    if params:
        _remember_dataset_params(ws, v.name, ds_name, params)
    payload = {
        "workspace": str(ws.root),
        "variant": v.name,
        "parent": v.parent,
        "file": str(ws.root / v.file),
        "dataset": v.dataset,
        "schedule": args.schedule,
        "epochs_completed": result.train.epochs_completed,
        "cancelled": result.train.cancelled,
        "seconds": round(result.train.seconds, 2),
        "history": result.train.history,
        "metrics": v.metrics,
    }
    emit(args, payload, f"variant '{v.name}' saved in {ws.root}\n{_metrics_line(v.metrics)}")
    return 0


def _remember_dataset_params(ws, variant: str, ds_name: str, params: dict) -> None:
    """Make the variant's data set parameters (``--events``) what later commands load.

    Compress, synthesis, physics and sweep points load a data set with the parameters the
    workspace pins for it: without a pin they would make the loader's default (100,000 muons), a
    different split from the one the variant was trained and validated on. The first ``--events``
    of a workspace pins them; another value is kept on the variant itself (``dataset_params``).
    """
    from core.data import pin_params, pinned_params

    pinned = pinned_params(ws.data_dir).get(ds_name)
    if pinned is None:
        pin_params(ws.data_dir, ds_name, **params)
    elif pinned != params:
        ws.update_params(variant, {"dataset_params": dict(params)})


def cmd_distill(args) -> int:
    from core.distill import distill_variant

    ws = open_workspace(args.ws)
    v = distill_variant(
        ws,
        args.teacher,
        args.student,
        temperature=args.temperature,
        alpha=args.alpha,
        transfer_events=args.unlabelled,
        name=args.name,
        progress=progress_for(args),
        **_settings(args),
    )
    payload = {
        "workspace": str(ws.root),
        "variant": v.name,
        "parent": v.parent,
        "teacher": args.teacher,
        "temperature": args.temperature,
        "alpha": args.alpha,
        "schedule": args.schedule,
        "transfer_events": v.params["transfer_events"],
        "epochs_completed": v.params["epochs_completed"],
        "cancelled": v.params["cancelled"],
        "history": v.params["history"],
        "metrics": v.metrics,
    }
    emit(args, payload, f"variant '{v.name}' saved in {ws.root}\n{_metrics_line(v.metrics)}")
    return 0


def register(sub) -> None:
    s = sub.add_parser("train", help="train a zoo model or a workspace variant; the result is a new variant")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--zoo", help="start from a zoo architecture (see 'triglab-cli zoo')")
    g.add_argument("--variant", help="start from this variant of the workspace")
    s.add_argument("--data", help="dataset name (see 'triglab-cli datasets') or a .npz/.h5 file")
    add_events(s)
    add_training_options(s, batch=32, optimizer=True)
    s.add_argument("--out", required=True, help="workspace folder (created if needed)")
    add_json(s)
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("distill", help="distill a teacher variant into a (e.g. QKeras) student variant")
    s.add_argument("ws", help="workspace folder")
    s.add_argument("--teacher", required=True, help="the trained teacher variant")
    s.add_argument("--student", required=True, help="the student variant (left untouched)")
    s.add_argument(
        "--temperature", type=finite_float, default=2.0, help="softening temperature T > 0 (classification)"
    )
    # T and α are checked by core.distill (one rule, one message, for the app too)
    s.add_argument("--alpha", type=finite_float, default=0.1, help="weight of the hard-label loss, 0..1")
    add_training_options(s, batch=256, optimizer=False)
    s.add_argument(
        "--unlabelled",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="also train on N events without truth, labelled by the teacher (simulated data sets)",
    )
    add_json(s)
    s.set_defaults(func=cmd_distill)
