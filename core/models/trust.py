"""The user's trust decisions: which model files may run the code they carry.

Only the user grants trust, for one exact file: the ``--trust`` flag on the command line or the
app's "Trust this file" button. The decision is remembered as the file's SHA-256 digest in
``$TRIGLAB_HOME/trusted-models.json``, outside every workspace, so nothing inside a workspace or a
model file (a manifest saying ``"trusted": true``, a renamed file) can grant it; changing one byte
of the file withdraws it.

A variant derived from a trusted model (pruned, quantized, re-saved on import) carries the same
code. It is trusted only by the operation that wrote it, in the same process, because its parent
file was trusted by the user (:func:`inherit`); never by reading anything back from disk.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STORE_NAME = "trusted-models.json"
_CHUNK = 1 << 20


def store_path() -> Path:
    """Where the digests live: ``trusted-models.json`` in TrigLab's per-user folder."""
    from core.workflows import default_home

    return default_home() / STORE_NAME


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a model file, or of every file of a SavedModel folder (names and contents).

    Args:
        path: A model file or a SavedModel folder (or its ``saved_model.pb``).

    Returns:
        The hex digest.
    """
    p = Path(path)
    if p.name == "saved_model.pb" and p.is_file():
        p = p.parent
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(q for q in p.rglob("*") if q.is_file()):
            h.update(f.relative_to(p).as_posix().encode("utf-8") + b"\0")
            _update(h, f)
            h.update(b"\0")
    else:
        _update(h, p)
    return h.hexdigest()


def _update(h: Any, f: Path) -> None:
    with open(f, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)


def is_trusted(path: str | os.PathLike[str]) -> bool:
    """True when the user trusted exactly this file content before.

    An unreadable store trusts nothing.
    """
    digests = _read_store()
    if not digests:
        return False
    try:
        return file_digest(path) in digests
    except OSError:
        return False


def remember(path: str | os.PathLike[str]) -> str:
    """Record the user's decision to trust ``path`` (call only on the user's explicit request).

    Args:
        path: The model file or SavedModel folder the user trusted.

    Returns:
        Its digest.
    """
    digest = file_digest(path)
    with _locked():
        digests = _read_store()
        if digest not in digests:
            digests[digest] = {
                "name": Path(path).name,
                "added": _dt.datetime.now(_dt.timezone.utc).isoformat(),
            }
            _write_store(digests)
    return digest


def inherit(
    parent: str | os.PathLike[str], child: str | os.PathLike[str], *, within: str | os.PathLike[str]
) -> bool:
    """Trust ``child`` when it was just written from ``parent`` and the user trusted ``parent``.

    Call it from the operation that wrote ``child`` from the model it loaded from ``parent``; never
    from what a manifest says.

    Args:
        parent: The file the model was loaded from.
        child: The file just written.
        within: The workspace folder; both files must be inside it.

    Returns:
        True when ``child`` is now trusted.
    """
    root = Path(within).resolve()
    if not all(Path(p).resolve().is_relative_to(root) for p in (parent, child)):
        return False
    if not is_trusted(parent):
        return False
    remember(child)
    return True


def _read_store() -> dict[str, dict[str, str]]:
    try:
        data = json.loads(store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, dict)}


def _write_store(digests: dict[str, dict[str, str]]) -> None:
    from core.atomic import atomic_write_text

    atomic_write_text(store_path(), json.dumps({"schema": 1, "files": digests}, indent=1, sort_keys=True))


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Serialize read-modify-write of the store between processes (two CLI runs trusting files)."""
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(STORE_NAME + ".lock"), "a") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: atomic replace still keeps the file whole
            pass
        yield
