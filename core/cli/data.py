"""Commands about data sets: ``data`` (generate or load, write ``.npz``) and ``datasets`` (list)."""

from __future__ import annotations

from core.cli.common import add_json, emit, non_negative_int, positive_int, progress_for


def cmd_data(args) -> int:
    from core.data import load_dataset, save_npz

    params = {}
    if args.events is not None:
        params["events"] = args.events
    if args.seed is not None:
        params["seed"] = args.seed
    ds = load_dataset(args.name, progress=progress_for(args), **params)
    out = save_npz(ds, args.out) if args.out else None
    payload = {
        "dataset": ds.name,
        "task": ds.task,
        "input_shape": list(ds.input_shape),
        "train": len(ds.x_train),
        "val": len(ds.x_val),
        "test": len(ds.x_test),
        "targets": list(ds.target_names),
        "meta": ds.meta,
        "out": str(out) if out else None,
    }
    text = (
        f"{ds.name} ({ds.task}): input {tuple(ds.input_shape)}, "
        f"{len(ds.x_train)}/{len(ds.x_val)}/{len(ds.x_test)} train/val/test"
        + (f"\nwritten to {out}" if out else "")
    )
    emit(args, payload, text)
    return 0


def cmd_datasets(args) -> int:
    from core.data import list_datasets

    infos = [{"name": i.name, "task": i.task, "description": i.description} for i in list_datasets()]
    emit(
        args,
        {"datasets": infos},
        "\n".join(f"{i['name']:10s} {i['task']:15s} {i['description']}" for i in infos),
    )
    return 0


def register(sub) -> None:
    s = sub.add_parser("data", help="generate / load a dataset and optionally write it as .npz")
    s.add_argument("name", help="dataset name, e.g. muon_rpc or digits, or a .npz/.h5 file to check")
    s.add_argument("--events", type=positive_int, help="events to simulate (muon_rpc)")
    s.add_argument("--seed", type=non_negative_int, help="simulation seed (muon_rpc)")
    s.add_argument("--out", help="write the dataset to this .npz file")
    add_json(s)
    s.set_defaults(func=cmd_data)

    s = sub.add_parser("datasets", help="list the built-in datasets")
    add_json(s)
    s.set_defaults(func=cmd_datasets)
