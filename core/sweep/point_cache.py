"""A worker's cache of compressed models, so that hls4ml-only axes do not fine-tune again.

A sweep of sparsity × width × reuse factor compresses and fine-tunes the same model the same way
for every reuse factor: the compression stages are seeded (:func:`core.sweep.point.run_point`
turns on op determinism), so their result depends only on the base model's bytes, the data set and
the stages' parameters. The first point of such a group saves its compressed model and what the
stages recorded; the others load it (``compressed/`` in the worker's cache folder,
:func:`core.sweep.point.cache_dir`) and go straight to the hls4ml measures.

The cache is the user's own folder (like the compiled hls4ml projects next to it); its models load
through :func:`core.models.load_model` without trust like any other, and an entry that cannot be
read (a crash while writing, a hand edit) is ignored and computed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from core.sweep.spec import canonical_json

log = logging.getLogger(__name__)


class CompressedCache:
    """One cache entry: ``<key><suffix>`` (the model) and ``<key>.json`` (what the stages recorded)."""

    def __init__(self, folder: Path, key: str, suffix: str) -> None:
        self.folder, self.key, self.suffix = folder, key, suffix
        self.model_path = folder / f"{key}{suffix}"
        self.info_path = folder / f"{key}.json"

    def load(self, step: list[str]) -> tuple[Any, dict, dict, str, dict] | None:
        """``(model, params, op_metrics, cost_op, cost_params)``, or None when not cached (or unreadable)."""
        from core import TrigLabError
        from core.models import load_model

        if not (self.info_path.is_file() and self.model_path.is_file()):
            return None
        step[0] = "loading the compressed model from the worker's cache"
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            model = load_model(self.model_path)
            return (
                model,
                dict(info["params"]),
                dict(info["op_metrics"]),
                str(info["cost_op"]),
                dict(info["cost_params"]),
            )
        except (OSError, ValueError, KeyError, TypeError, TrigLabError) as exc:
            log.warning("compressed-model cache entry %s unreadable (%s): computed again", self.key, exc)
            return None

    def save(self, model, params: dict, op_metrics: dict, cost_op: str, cost_params: dict) -> None:
        """Keep this point's compressed model for the next points of its group (best effort)."""
        from core.atomic import atomic_write_text
        from core.models import save_model

        info = {"params": params, "op_metrics": op_metrics, "cost_op": cost_op, "cost_params": cost_params}
        try:
            text = json.dumps(info, default=_plain)
            self.folder.mkdir(parents=True, exist_ok=True)
            save_model(model, self.model_path)  # atomic; the info last: it marks the entry complete
            atomic_write_text(self.info_path, text)
        except Exception as exc:  # noqa: BLE001 - a cache that cannot be written only costs time
            log.warning("compressed model not cached (%s): the next points compress again", exc)
            with contextlib.suppress(OSError):
                self.info_path.unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain JSON (the stages' params may hold them)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def compressed_cache(
    cache: Path, task: dict[str, Any], ops: list[dict[str, Any]], suffix: str
) -> CompressedCache:
    """The cache entry of a task's compression stages (the same for every hls4ml setting)."""
    what = canonical_json({"dataset": task.get("dataset"), "ops": ops, "seed": task.get("seed", 0)})
    key = hashlib.sha256(bytes(task["model"]) + b"\0" + what.encode()).hexdigest()[:24]
    return CompressedCache(cache / "compressed", key, suffix)
