"""A finished sweep point becomes a workspace variant: its model, its hls4ml configuration, its lineage.

What it does, in order (nothing is written until every check passed):

1. Open the sweep read-only and find the point (key, unique key prefix or index); only a ``done``
   point whose model file exists can become a variant.
2. Load the point's model through :func:`core.models.load_model` (the same safety checks as any
   model file) and read its hls4ml configuration (:meth:`HlsConfig.from_yaml`), if it has one.
3. In one workspace transaction: register the variant (parent = the sweep's base variant,
   operation ``sweep``, params = sweep, point key, index, settings and the stages' resolved
   params, metrics = the point's) and save its configuration with
   :func:`core.hls.pipeline.save_config`, where the Synthesis view opens it. If anything fails, the
   transaction rolls the variant back and the configuration file is restored as it was.

The variant's model file is a copy in ``variants/``: deleting the variant leaves the sweep whole,
and a sweep whose base variant was deleted still materializes (as a root, with a lineage note).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from core.sweep import SweepError
from core.sweep.spec import DONE
from core.sweep.store import SweepStore, sweep_dir
from core.workspace import Variant, Workspace, check_variant_name


def materialize_point(ws: Workspace, sweep: str, point: str | int, name: str | None = None) -> Variant:
    """Make point ``point`` of sweep ``sweep`` a variant of ``ws``.

    Args:
        ws: The workspace holding the sweep.
        sweep: The sweep's name.
        point: The point's key, a unique prefix of it, or its index (``3``, ``"3"``, ``"p3"``).
        name: The new variant's name (default ``<sweep>-p<index>``).

    Returns:
        The new variant.

    Raises:
        SweepError: No such sweep or point, a point that is not done or has no model file, a
            variant of that name exists. The workspace is then unchanged.
        core.models.ModelLoadError: The point's model file cannot be loaded safely.
        core.hls.HlsError: The point's hls4ml configuration cannot be read.
    """
    from core.hls.config import HlsConfig
    from core.models import load_model

    folder = sweep_dir(ws, sweep)
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for p in ws.sweeps_dir.glob("*") if p.is_dir())) or "none"
        raise SweepError(f"No sweep '{sweep}' in workspace '{ws.root}' (sweeps: {known})")
    with SweepStore.open(folder, readonly=True) as store:
        row = store.row(point)
        spec = store.spec
        meta = store.meta
        model_path = store.model_path(row["key"])
        config_path = store.config_path(row["key"])
    label = f"point {row['index']} ({row['key']}) of sweep '{sweep}'"
    if row["status"] != DONE:
        why = f": {row['error']}" if row.get("error") else ""
        raise SweepError(f"{label} is {row['status']}{why}; only a finished point can become a variant")
    if model_path is None:
        raise SweepError(f"{label} has no model file in '{store.points_dir}'")
    vname = check_variant_name(name if name is not None else f"{sweep}-p{row['index']}")
    if vname in ws.variants:
        raise SweepError(f"A variant named '{vname}' already exists; choose another name (--as NAME)")
    model = load_model(model_path)
    config = HlsConfig.from_yaml(config_path.read_text(encoding="utf-8")) if config_path else None

    params: dict[str, Any] = {
        "sweep": sweep,
        "point": row["key"],
        "index": row["index"],
        "settings": row["settings"],
        "stages": row["params"],
    }
    base = spec.variant
    parent = base if base in ws.variants else None
    if parent is None:
        params["lineage_note"] = f"derived from deleted variant '{base}'"
    dataset = ws.variants[base].dataset if parent else meta.get("dataset")
    fmt = model_path.suffix.lstrip(".")
    restore_config = None
    try:
        with ws.transaction():
            if vname in ws.variants:  # taken by another command since the check above
                raise SweepError(f"A variant named '{vname}' already exists; choose another name (--as NAME)")
            variant = ws.add_variant(
                model,
                vname,
                parent=parent,
                operation="sweep",
                params=params,
                metrics=row["metrics"],
                dataset=dataset if isinstance(dataset, str) else None,
                fmt=fmt,
            )
            if config is not None:
                restore_config = _save_config(ws, variant.name, config)
    except BaseException:
        if restore_config is not None:
            restore_config()
        if vname in ws.added and vname not in ws.variants:
            ws.added.remove(vname)
        raise
    return variant


def _save_config(ws: Workspace, name: str, config) -> Any:
    """Save variant ``name``'s configuration; returns how to put the old file back."""
    from core.atomic import atomic_write_bytes
    from core.hls.pipeline import save_config, saved_config_path
    from core.workspace.manifest import confined_path

    path = saved_config_path(ws, name)
    # hls/configs planted as a link elsewhere: refused before anything is written through it.
    confined_path(ws.root, path.relative_to(ws.root).as_posix(), f"The hls4ml configuration of '{name}'")
    old = path.read_bytes() if path.is_file() else None

    def restore(p: Path = path) -> None:
        with contextlib.suppress(OSError):
            if old is None:
                p.unlink(missing_ok=True)
            else:
                atomic_write_bytes(p, old)

    try:
        save_config(ws, name, config)
    except BaseException:
        restore()
        raise
    return restore
