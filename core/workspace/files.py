"""Removing files of a workspace safely, and cleaning up after killed runs.

**Removal** (:func:`remove_inside`) walks from the workspace folder one component at a time with
``O_NOFOLLOW``: a symbolic link anywhere on the way (a planted ``variants -> /home``) stops it, so
nothing outside the workspace is ever unlinked, whatever the manifest says and even if a folder is
swapped for a link while we work. Only entries inside the workspace's folders are removed, never
the folders themselves, the manifest or the lock.

**Clean-up on open** (:func:`clean_leftovers`, run under the workspace lock):

1. Temporary files and build folders (``.<stem>.tmp-<pid>-...`` in the workspace, ``variants/``,
   ``data/``, ``jobs/``, ``hls/``, ``hls/configs/``, ``sweeps/``) whose writing process is gone, as decided by
   :func:`core.atomic.is_stale_temp`. A temporary file of a running command is never touched.
2. Model files in ``variants/`` (``.h5 .keras .hdf5 .tflite``) that no variant references (as
   ``file`` or an artifact) and that were last modified more than :data:`ORPHAN_AGE_SECONDS` ago.
   A new variant's file is moved into place and registered in one step under the lock, so such a
   file is left by a run killed in between; the age margin protects files that a running command
   writes next to its variant before registering them (e.g. a TFLite artifact) and files of an
   older TrigLab running at the same time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from core.atomic import is_stale_temp
from core.workspace.manifest import FOLDERS, path_parts

#: Unreferenced model files in ``variants/`` older than this (s) are removed on open.
ORPHAN_AGE_SECONDS = 600.0
MODEL_SUFFIXES = (".h5", ".hdf5", ".keras", ".tflite")


def remove_inside(root: Path, rel: str) -> bool:
    """Remove the file or folder ``rel`` of the workspace ``root``, never following a link out.

    Returns:
        True if something was removed; False if it was missing or refused (outside the
        workspace's folders, through a symbolic link, a folder of the workspace itself).
    """
    try:
        parts = path_parts(rel, "path")
    except Exception:
        return False
    if len(parts) < 2 or parts[0] not in FOLDERS:
        return False
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        for comp in parts[:-1]:
            try:
                nfd = os.open(comp, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            except OSError:
                return False  # missing, not a folder, or a symbolic link: do not go there
            os.close(fd)
            fd = nfd
        name = parts[-1]
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            return False
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(name, dir_fd=fd)  # fd-based: links inside are unlinked, never followed
        else:
            os.unlink(name, dir_fd=fd)  # a symbolic link itself goes, not what it points to
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def clean_leftovers(root: Path, referenced: Iterable[str], now: float | None = None) -> list[str]:
    """Remove what killed runs left in the workspace ``root`` (see the module docstring).

    Call it holding the workspace lock, with ``referenced`` read under that lock.

    Args:
        root: The workspace folder.
        referenced: Every path (relative to ``root``) that a variant references.
        now: The current time (s since the epoch).

    Returns:
        The relative paths removed.
    """
    now = time.time() if now is None else now
    removed: list[str] = []
    for sub in ("", *FOLDERS, "hls/configs"):
        folder = root / sub if sub else root
        for entry in _entries(folder):
            rel = f"{sub}/{entry.name}" if sub else entry.name
            if is_stale_temp(entry, now) and _remove_entry(root, rel, entry):
                removed.append(rel)
    keep = set()
    root_real = os.path.realpath(root)
    for r in referenced:
        if _is_path(r):  # as written, and where a link inside the workspace leads
            keep.add("/".join(path_parts(r, "path")))
            keep.add(os.path.relpath(os.path.realpath(root / r), root_real))
    for entry in _entries(root / "variants"):
        rel = f"variants/{entry.name}"
        if rel in keep or not entry.name.lower().endswith(MODEL_SUFFIXES) or entry.name.startswith("."):
            continue
        with contextlib.suppress(OSError):
            if now - entry.stat(follow_symlinks=False).st_mtime > ORPHAN_AGE_SECONDS and remove_inside(
                root, rel
            ):
                removed.append(rel)
    return removed


def _is_path(rel: str) -> bool:
    try:
        path_parts(rel, "path")
    except Exception:
        return False
    return True


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        if folder.is_symlink():
            return []
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


def _remove_entry(root: Path, rel: str, entry: os.DirEntry) -> bool:
    if "/" in rel:
        return remove_inside(root, rel)
    # A temporary manifest at the top level: a plain file, never a folder or through a link.
    with contextlib.suppress(OSError):
        if entry.is_file(follow_symlinks=False) or entry.is_symlink():
            os.unlink(entry.path)
            return True
    return False
