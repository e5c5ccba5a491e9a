"""A workspace's variant record, its name rules, and the error for a variant with no network."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from core.workspace.manifest import WorkspaceError


class NotANetworkError(WorkspaceError):
    """The variant is a baseline (e.g. the classical road trigger): it has no network to load."""


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


def check_variant_name(name: str) -> str:
    """``name`` without surrounding spaces if it can name a variant, else WorkspaceError."""
    name = str(name).strip()
    if not _NAME_RE.match(name):
        raise WorkspaceError(
            f"'{name}' is not a valid variant name (letters, digits, space, '_.+-'; at most 80 characters)"
        )
    return name


def _file_stem(name: str) -> str:
    # File names stay well below the 255-byte limit (temporary names add ~25 characters).
    return re.sub(r"[^A-Za-z0-9_.+\-]", "_", name).lstrip(".")[:120] or "variant"
