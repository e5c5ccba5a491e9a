"""The workspace manifest ``triglab.json``: validation, path confinement, three-way merge.

Nothing read from a manifest decides to touch a path outside its workspace: every path field (a
variant's ``file``, its ``params.artifacts``) must be relative, free of ``..`` and resolve, symbolic
links followed, inside the workspace folder, or the manifest is refused with one line naming the
variant and the field (:func:`parse_manifest`). A manifest of the wrong shape (a ``null`` variant,
``"variants": "x"``, a schema that is not a number, duplicate names...) is refused the same way,
never with a traceback; one written by a newer TrigLab (higher ``schema``) is refused with a
message saying so.

Concurrent commands on one workspace merge their changes (:func:`merge_states`): under the
workspace lock each command re-reads the manifest and applies only what *it* changed since it last
read it (a three-way merge against that earlier reading), so two commands adding variants both
keep theirs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from core import TrigLabError

SCHEMA_VERSION = 1
MANIFEST = "triglab.json"
LOCK = "triglab.lock"
#: The workspace's own folders (never removed as a variant's file). ``sweeps`` holds one folder
#: per design-space sweep (its SQLite database and point files, see :mod:`core.sweep.store`).
FOLDERS = ("variants", "data", "jobs", "hls", "sweeps")


class WorkspaceError(TrigLabError):
    """A workspace that cannot be opened or changed as asked."""


class WorkspaceWriteError(WorkspaceError, OSError):
    """The workspace could not be written (read-only, disk full, locked): nothing was changed.

    Also an ``OSError``, so code that already tolerated a failed write keeps doing so.
    """


_STR, _OPT_STR, _DICT = (str,), (str, type(None)), (dict,)
_VARIANT_TYPES: dict[str, tuple[type, ...]] = {
    "name": _STR,
    "file": _STR,
    "parent": _OPT_STR,
    "operation": _STR,
    "params": _DICT,
    "metrics": _DICT,
    "dataset": _OPT_STR,
    "created": _STR,
    "notes": _STR,
}
_TYPE_WORDS = {str: "text", dict: "an object ({...})", type(None): "null"}


def _what(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def parse_manifest(data: Any, root: Path) -> dict[str, Any]:
    """Check a decoded ``triglab.json`` of the workspace ``root``.

    Args:
        data: The decoded JSON.
        root: The workspace folder (path fields are checked against it).

    Returns:
        ``data`` itself, known to be well formed.

    Raises:
        WorkspaceError: one line naming what is wrong and where, e.g.
            ``triglab.json in /ws: variant #3 has no 'file'``.
    """
    where = f"{MANIFEST} in {root}"
    if not isinstance(data, dict) or data.get("app") != "triglab":
        raise WorkspaceError(f"'{root / MANIFEST}' is not a TrigLab workspace manifest")
    schema = data.get("schema", 0)
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 0:
        raise WorkspaceError(f"{where}: 'schema' must be a whole number, not {schema!r}")
    if schema > SCHEMA_VERSION:
        raise WorkspaceError(
            f"Workspace '{root}' was written by a newer TrigLab (schema {schema} > {SCHEMA_VERSION}); "
            "update TrigLab to open it"
        )
    for key in ("title", "created", "saved"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise WorkspaceError(f"{where}: '{key}' must be text, not {_what(data[key])}")
    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        raise WorkspaceError(f"{where}: 'ui' must be an object, not {_what(ui)}")
    for key in ("selected_variant", "tab"):
        if ui.get(key) is not None and not isinstance(ui[key], str):
            raise WorkspaceError(f"{where}: 'ui.{key}' must be text, not {_what(ui[key])}")
    walk = ui.get("walkthroughs", {})
    if not isinstance(walk, dict) or not all(isinstance(r, dict) for r in walk.values()):
        raise WorkspaceError(f"{where}: 'ui.walkthroughs' must map each walkthrough to an object")
    variants = data.get("variants", [])
    if not isinstance(variants, list):
        raise WorkspaceError(f"{where}: 'variants' must be a list, not {_what(variants)}")
    seen: set[str] = set()
    for i, v in enumerate(variants, 1):
        _check_variant(v, i, seen, root, where)
    _check_lineage(variants, where)
    return data


def _check_lineage(variants: list[dict[str, Any]], where: str) -> None:
    """Refuse a parent chain that loops (the variants tree would lose those variants)."""
    parent = {v["name"]: v.get("parent") for v in variants}
    for name in parent:
        chain, cur = [], name
        while cur is not None and cur in parent:
            if cur in chain:
                loop = " -> ".join([*chain[chain.index(cur) :], cur])
                raise WorkspaceError(f"{where}: the parents of the variants form a loop ({loop})")
            chain.append(cur)
            cur = parent[cur]


def _check_variant(v: Any, i: int, seen: set[str], root: Path, where: str) -> None:
    label = f"variant #{i}"
    if not isinstance(v, dict):
        raise WorkspaceError(f"{where}: {label} is {_what(v)}, not an object")
    for key in ("name", "file"):
        if key not in v:
            raise WorkspaceError(f"{where}: {label} has no '{key}'")
    for key, types in _VARIANT_TYPES.items():
        if key in v and not isinstance(v[key], types):
            wanted = " or ".join(_TYPE_WORDS[t] for t in types)
            raise WorkspaceError(f"{where}: {label} field '{key}' must be {wanted}, not {_what(v[key])}")
    name = v["name"]
    if not name.strip() or any(ord(c) < 32 for c in name) or len(name) > 1000:
        raise WorkspaceError(f"{where}: {label} has an invalid name {name!r}")
    if name in seen:
        raise WorkspaceError(f"{where}: two variants are named '{name}' ({label} is the second)")
    seen.add(name)
    label = f"variant '{name}'"
    confined_path(root, v["file"], f"{where}: {label} field 'file'")
    artifacts = v.get("params", {}).get("artifacts")
    if artifacts is None:
        return
    if not isinstance(artifacts, dict):
        raise WorkspaceError(
            f"{where}: {label} field 'params.artifacts' must be an object, not {_what(artifacts)}"
        )
    for ext, rel in artifacts.items():
        confined_path(root, rel, f"{where}: {label} field 'params.artifacts.{ext}'")


def path_parts(rel: Any, what: str) -> tuple[str, ...]:
    """The components of a workspace-relative path, refusing absolute paths and ``..``.

    Raises:
        WorkspaceError: ``rel`` is not text, is empty, absolute, or climbs out with ``..``.
    """
    if not isinstance(rel, str) or not rel.strip() or "\0" in rel:
        raise WorkspaceError(f"{what} must be a path inside the workspace, not {rel!r}")
    p = PurePosixPath(rel)
    if p.is_absolute() or rel.startswith("~"):
        raise WorkspaceError(
            f"{what} is an absolute path ('{rel}'); a variant's files must be inside the workspace"
        )
    if ".." in p.parts:
        raise WorkspaceError(f"{what} ('{rel}') leaves the workspace with '..'")
    parts = tuple(x for x in p.parts if x not in ("", "."))
    if not parts or (len(parts) == 1 and parts[0] in (MANIFEST, LOCK)):
        raise WorkspaceError(f"{what} ('{rel}') names the workspace itself or its manifest")
    return parts


def confined_path(root: Path, rel: Any, what: str) -> Path:
    """``root / rel``, checked to stay inside the workspace ``root`` with symbolic links followed.

    Args:
        root: The workspace folder.
        rel: The relative path read from the manifest.
        what: How to name the field in the error (``"... variant 'a' field 'file'"``).

    Raises:
        WorkspaceError: ``rel`` is absolute, uses ``..``, or resolves (through a symbolic link)
            outside the workspace.
    """
    parts = path_parts(rel, what)
    full = Path(root).joinpath(*parts)
    root_real = Path(os.path.realpath(root))
    real = Path(os.path.realpath(full))
    if real == root_real or not real.is_relative_to(root_real):
        raise WorkspaceError(
            f"{what} ('{rel}') resolves to '{real}', outside the workspace (through a symbolic link)"
        )
    return full


# --- three-way merge ---------------------------------------------------------------------------
_MISSING: Any = object()


def merge3(base: Any, ours: Any, theirs: Any) -> Any:
    """Merge two edits of one JSON value: what we changed since ``base`` wins, else theirs.

    Objects merge key by key, so two commands updating different metrics of one variant both
    keep theirs. ``_MISSING`` stands for an absent key (a deletion).
    """
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    if isinstance(ours, dict) and isinstance(theirs, dict):
        b = base if isinstance(base, dict) else {}
        out = {}
        for key in [*theirs, *(k for k in ours if k not in theirs)]:
            r = merge3(b.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING))
            if r is not _MISSING:
                out[key] = r
        return out
    return ours


def merge_states(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Merge our in-memory workspace state with the manifest on disk.

    A state is ``{"title", "created", "ui", "variants": {name: variant dict}}``. ``base`` is the
    disk state when we last read it, ``ours`` the memory, ``theirs`` the disk now. A variant
    another command deleted stays deleted (its files are gone); one we deleted stays deleted; one
    only we or only they added is kept; one both added under the same name keeps theirs and ours
    is renamed (only possible for changes made outside the lock).
    """
    out: dict[str, Any] = {}
    for key in ("title", "created", "ui"):
        r = merge3(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING))
        if r is not _MISSING:
            out[key] = r
    bv, ov, tv = base["variants"], ours["variants"], theirs["variants"]
    variants: dict[str, Any] = {}
    for name in tv:
        if name in ov and name not in bv:
            continue  # both added one: ours gets a new name below
        r = merge3(bv.get(name, _MISSING), ov.get(name, _MISSING), tv[name])
        if r is not _MISSING:
            variants[name] = r
    for name, v in ov.items():
        if name in bv and name not in tv:
            continue  # deleted by another command
        if name not in tv:
            variants[name] = v
        elif name not in bv:
            variants[name] = tv[name]
            new, i = f"{name}-2", 2
            while new in variants or new in tv or new in ov:
                i += 1
                new = f"{name}-{i}"
            variants[new] = {**v, "name": new}
    out["variants"] = variants
    return out


# --- reading and writing ------------------------------------------------------------------------
#: A manifest holds names, parameters and numbers: anything larger is not one (bytes).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def read_manifest(root: Path) -> dict[str, Any]:
    """Read and check ``root/triglab.json`` (see :func:`parse_manifest`)."""
    path = root / MANIFEST
    try:
        if not path.is_file():  # a folder, a FIFO that would block, a device...
            raise WorkspaceError(f"Cannot read workspace manifest '{path}': it is not a regular file")
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise WorkspaceError(
                f"Cannot read workspace manifest '{path}': it is larger than {MAX_MANIFEST_BYTES >> 20} MB"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WorkspaceError(f"Cannot read workspace manifest '{path}': {exc}") from exc
    return parse_manifest(data, root)


def json_default(obj: Any):
    """``json.dumps`` help for numpy numbers and arrays, sets, tuples and paths."""
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
