"""Run a registered compression operation on a workspace variant and record the result."""

from __future__ import annotations

from typing import Any

from core.compress import OpResult, get_operation
from core.jobs import Progress, ensure_progress
from core.workspace import Variant, Workspace


def compress_variant(
    ws: Workspace,
    source: str,
    op: str,
    params: dict[str, Any] | None = None,
    *,
    dataset=None,
    name: str | None = None,
    progress: Progress | None = None,
) -> Variant:
    """Apply operation ``op`` to variant ``source``; returns the new (final) variant.

    Intermediate steps the operation keeps (e.g. pruned before fine-tuning) become variants in
    between, so lineage reads source -> pruned -> fine-tuned. Every variant is measured on the
    dataset's validation split; numbers an operation measured itself (e.g. TFLite int8 accuracy)
    take precedence.

    Args:
        ws: the workspace.
        source: name of the variant to compress (left untouched).
        op: a name from :func:`core.compress.list_operations`.
        params: operation parameters (strings are coerced, see :class:`core.compress.Param`).
        dataset: a :class:`core.data.Dataset`; default: the variant's own dataset, loaded (and
            cached) in the workspace.
        name: name of the final variant (default ``<source>-<op>``).
        progress: job progress.
    """
    from core.data import load_dataset
    from core.workflows import measure_model

    progress = ensure_progress(progress)
    operation = get_operation(op)
    resolved = operation.resolve(params)
    src = ws[source]
    if dataset is None and src.dataset:
        # Loaded even when the operation itself needs no data: every variant is measured on it.
        dataset = load_dataset(src.dataset, cache_dir=ws.data_dir, progress=progress.sub(0.0, 0.02))
    if dataset is None and operation.needs_dataset:
        from core.compress import CompressionError

        raise CompressionError(f"Variant '{source}' has no dataset; say which one to use")
    progress.update(0.02, f"{operation.title}: loading {source}")
    model = ws.load_model(source)
    result: OpResult = operation.fn(model, dataset, resolved, progress.sub(0.03, 0.93))
    progress.check_cancelled()
    progress.update(0.94, "measuring")
    base = name or f"{source}-{op}"
    parent = source
    ds_name = dataset.name if dataset is not None else src.dataset
    for suffix, m, p in result.intermediates:
        step_params = {**resolved, **p, "step": suffix}
        v = ws.add_variant(
            m,
            f"{base}-{suffix}",
            parent=parent,
            operation=f"{op}:{suffix}",
            params=step_params,
            metrics=measure_model(m, dataset, operation=f"{op}:{suffix}", params=step_params),
            dataset=ds_name,
        )
        parent = v.name
    final_params: dict[str, Any] = {**resolved, **result.params}
    metrics = {**measure_model(result.model, dataset, operation=op, params=final_params), **result.metrics}
    if result.history:
        final_params["history"] = result.history
    final = ws.add_variant(
        result.model, base, parent=parent, operation=op, params=final_params, metrics=metrics, dataset=ds_name
    )
    if result.artifacts:
        arts = {}
        for ext, data in result.artifacts.items():
            rel = f"variants/{final.file.rsplit('/', 1)[-1].rsplit('.', 1)[0]}.{ext}"
            from core.workspace import atomic_write_bytes

            atomic_write_bytes(ws.root / rel, data)
            arts[ext] = rel
        ws.update_params(final.name, {"artifacts": arts})
    progress.update(1.0, f"created '{final.name}'")
    return final
