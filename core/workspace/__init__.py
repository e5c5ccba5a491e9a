"""Workspaces: a folder holding every variant of a study, with lineage and metrics.

Layout::

    WS/
      triglab.json     manifest (versioned schema, written atomically)
      variants/        one model file per variant (.h5 by default)
      data/            cached generated datasets (e.g. muon_rpc)
      jobs/            job logs
      hls/             hls4ml projects

A variant is never overwritten: compression, training and distillation create new variants
whose ``parent`` names the one they came from.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import TrigLabError
from core.atomic import atomic_write_bytes, atomic_write_text  # noqa: F401  (re-exported)

SCHEMA_VERSION = 1
MANIFEST = "triglab.json"


class WorkspaceError(TrigLabError):
    """A workspace that cannot be opened or changed as asked."""


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


@dataclass
class Variant:
    """One model of the workspace and where it came from.

    Attributes:
        name: unique within the workspace.
        file: model file, relative to the workspace folder.
        parent: the variant it was derived from (None for a root).
        operation: what made it: ``zoo``, ``import``, ``train``, ``prune``, ``quantize``, ...
        params: the operation's parameters (JSON-able).
        metrics: measured numbers (task metric, sizes, sparsity, ...). Estimates are stored
            under keys ending in ``_estimate``; nothing else here is an estimate.
        dataset: the dataset it is meant for.
        created: ISO time.
        notes: free text from the user.
    """

    name: str
    file: str
    parent: str | None = None
    operation: str = "import"
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    dataset: str | None = None
    created: str = field(default_factory=_now)
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Variant:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\- ]{0,79}$")


class Workspace:
    """A TrigLab workspace folder. Use :meth:`create` or :meth:`open`."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = Path(root)
        self.variants: dict[str, Variant] = {
            v["name"]: Variant.from_dict(v) for v in manifest.get("variants", [])
        }
        self.ui: dict[str, Any] = dict(manifest.get("ui", {}))
        self.created: str = manifest.get("created", _now())
        self.title: str = manifest.get("title", self.root.name)

    # --- open / create ---------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | os.PathLike, title: str | None = None) -> Workspace:
        """Create a new workspace folder (or open it if it already is one)."""
        root = Path(root)
        if (root / MANIFEST).exists():
            return cls.open(root)
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"Cannot create a workspace at '{root}': it is a file")
        for sub in ("variants", "data", "jobs", "hls"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        ws = cls(root, {"title": title or root.name, "created": _now()})
        ws.save()
        return ws

    @classmethod
    def open(cls, root: str | os.PathLike) -> Workspace:
        """Open an existing workspace; every variant and its metrics come back."""
        root = Path(root)
        path = root / MANIFEST
        if not path.exists():
            raise WorkspaceError(f"'{root}' is not a TrigLab workspace (no {MANIFEST})")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"Cannot read workspace manifest '{path}': {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("app") != "triglab":
            raise WorkspaceError(f"'{path}' is not a TrigLab workspace manifest")
        schema = manifest.get("schema", 0)
        if schema > SCHEMA_VERSION:
            raise WorkspaceError(
                f"Workspace '{root}' was written by a newer TrigLab (schema {schema} > {SCHEMA_VERSION}); "
                "update TrigLab to open it"
            )
        for sub in ("variants", "data", "jobs", "hls"):
            (root / sub).mkdir(exist_ok=True)
        return cls(root, manifest)

    @classmethod
    def open_or_create(cls, root: str | os.PathLike) -> Workspace:
        return cls.open(root) if (Path(root) / MANIFEST).exists() else cls.create(root)

    # --- folders ---------------------------------------------------------------------------
    @property
    def variants_dir(self) -> Path:
        return self.root / "variants"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def hls_dir(self) -> Path:
        return self.root / "hls"

    # --- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "app": "triglab",
            "schema": SCHEMA_VERSION,
            "title": self.title,
            "created": self.created,
            "saved": _now(),
            "variants": [v.to_dict() for v in self.variants.values()],
            "ui": self.ui,
        }

    def save(self) -> None:
        """Write the manifest atomically."""
        atomic_write_text(self.root / MANIFEST, json.dumps(self.to_dict(), indent=2, default=_json_default))

    # --- variants --------------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self.variants

    def __getitem__(self, name: str) -> Variant:
        try:
            return self.variants[name]
        except KeyError:
            known = ", ".join(self.variants) or "none"
            raise WorkspaceError(
                f"No variant '{name}' in workspace '{self.root}' (variants: {known})"
            ) from None

    def unique_name(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... whichever is free."""
        base = re.sub(r"[^A-Za-z0-9_.+\- ]", "_", base).strip() or "variant"
        if base not in self.variants:
            return base
        i = 2
        while f"{base}-{i}" in self.variants:
            i += 1
        return f"{base}-{i}"

    def path_of(self, name: str) -> Path:
        return self.root / self[name].file

    def add_variant(
        self,
        model,
        name: str,
        *,
        parent: str | None = None,
        operation: str = "import",
        params: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        dataset: str | None = None,
        fmt: str = "h5",
    ) -> Variant:
        """Save ``model`` as a new variant (the name is made unique) and persist the manifest."""
        from core.models import save_model

        if parent is not None and parent not in self.variants:
            raise WorkspaceError(f"Parent variant '{parent}' does not exist")
        name = self.unique_name(name)
        fname = re.sub(r"[^A-Za-z0-9_.+\-]", "_", name)
        rel = f"variants/{fname}.{fmt}"
        n = 2
        while (self.root / rel).exists():
            rel = f"variants/{fname}_{n}.{fmt}"
            n += 1
        save_model(model, self.root / rel)
        if parent is not None:  # written here from the parent's model: trusted if the user trusted it
            from core.models import trust

            trust.inherit(self.path_of(parent), self.root / rel, within=self.root)
        v = Variant(
            name=name,
            file=rel,
            parent=parent,
            operation=operation,
            params=dict(params or {}),
            metrics=dict(metrics or {}),
            dataset=dataset,
        )
        self.variants[name] = v
        self.save()
        return v

    def load_model(self, name: str):
        """Load the variant's Keras model (QKeras layers included)."""
        from core.models import load_model

        # Trust is the user's decision, remembered by file digest outside the workspace
        # (core.models.trust); nothing in the manifest (an old "trusted" flag) grants it.
        return load_model(self.path_of(name))

    def update_metrics(self, name: str, metrics: dict[str, Any]) -> None:
        self[name].metrics.update(metrics)
        self.save()

    def rename(self, old: str, new: str) -> Variant:
        """Rename a variant; children keep pointing at it. The model file keeps its name."""
        v = self[old]
        new = new.strip()
        if new == old:
            return v
        if not _NAME_RE.match(new):
            raise WorkspaceError(
                f"'{new}' is not a valid variant name (letters, digits, space, '_.+-'; at most 80 characters)"
            )
        if new in self.variants:
            raise WorkspaceError(f"A variant named '{new}' already exists")
        self.variants = {(new if k == old else k): val for k, val in self.variants.items()}
        v.name = new
        for child in self.variants.values():
            if child.parent == old:
                child.parent = new
        if self.ui.get("selected_variant") == old:
            self.ui["selected_variant"] = new
        self.save()
        return v

    def delete(self, name: str) -> None:
        """Delete a variant and its file. Its children are re-attached to its parent."""
        v = self[name]
        for child in self.variants.values():
            if child.parent == name:
                child.parent = v.parent
                child.params.setdefault("lineage_note", f"derived from deleted variant '{name}'")
        del self.variants[name]
        if self.ui.get("selected_variant") == name:
            self.ui.pop("selected_variant")
        self.save()
        files = [v.file, *dict(v.params.get("artifacts") or {}).values()]
        for rel in files:
            path = self.root / rel
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def children(self, name: str | None) -> list[Variant]:
        """Variants whose parent is ``name`` (``None``: the roots)."""
        return [v for v in self.variants.values() if v.parent == name]

    def lineage(self, name: str) -> list[Variant]:
        """The chain from the root to ``name`` (inclusive)."""
        chain, seen = [], set()
        cur: str | None = name
        while cur is not None and cur in self.variants and cur not in seen:
            seen.add(cur)
            chain.append(self.variants[cur])
            cur = self.variants[cur].parent
        return chain[::-1]


def _json_default(obj: Any):
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")
