"""Where a sweep point's files live: ``points/<key><suffix>``, found from the key alone.

A point's key (:func:`core.sweep.spec.point_key`) is lower-case hex, so it is a safe file name;
anything else names no file. Nothing read from the sweep database (its ``model_file`` column) ever
decides a path, and a symbolic link planted in ``points/`` (or ``points/`` itself made a link) is
never read or written through. Files are written atomically (:mod:`core.atomic`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from core.atomic import atomic_write_bytes, atomic_write_text, describe_os_error, is_stale_temp
from core.sweep import SweepError

POINTS = "points"
#: Model file suffixes a point may have (the base variant's format).
MODEL_SUFFIXES = (".h5", ".keras")
CONFIG_SUFFIX = ".yml"
_KEY_RE = re.compile(r"^[0-9a-f]{8,64}$")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"


def is_key(key: Any) -> bool:
    """Whether ``key`` has the form of a point key (8 to 64 lower-case hex digits)."""
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def check_key(key: Any) -> str:
    """``key`` if it is a point key, else SweepError."""
    if not is_key(key):
        raise SweepError(f"{key!r} is not a point key (8 to 64 lower-case hex digits)")
    return key


def model_suffix(key: str, model: Any, declared: Any = None) -> str:
    """The suffix of a point's model file: ``declared`` if it is one we know, else from its first bytes.

    Raises:
        SweepError: ``model`` is not bytes, or neither an HDF5 file nor a ZIP (.keras) archive.
    """
    if not isinstance(model, (bytes, bytearray)):
        raise SweepError(f"point {key}: the model is {type(model).__name__}, not bytes")
    if declared in MODEL_SUFFIXES:
        return declared
    if model.startswith(_HDF5_MAGIC):
        return ".h5"
    if model.startswith(_ZIP_MAGIC):
        return ".keras"
    raise SweepError(f"point {key}: the model is neither an HDF5 (.h5) file nor a .keras archive")


class PointFiles:
    """The ``points/`` folder of one sweep folder."""

    def __init__(self, sweep_folder: str | os.PathLike) -> None:
        self.folder = Path(sweep_folder) / POINTS

    def _usable(self) -> bool:
        return not self.folder.is_symlink()

    def find(self, key: Any, suffixes: Sequence[str] = MODEL_SUFFIXES) -> Path | None:
        """The regular file ``points/<key><suffix>`` (first suffix that exists), or None."""
        if not is_key(key) or not self._usable():
            return None
        for suffix in suffixes:
            path = self.folder / f"{key}{suffix}"
            with suppress(OSError):
                if stat.S_ISREG(os.lstat(path).st_mode):  # a planted link is not a point file
                    return path
        return None

    def names(self) -> set[str]:
        """Names of the regular files in ``points/`` (one listing for many rows)."""
        if not self._usable():
            return set()
        try:
            with os.scandir(self.folder) as it:
                return {e.name for e in it if e.is_file(follow_symlinks=False)}
        except OSError:
            return set()

    def model_name(self, key: Any, names: set[str]) -> str | None:
        """``points/<key><suffix>`` relative to the sweep folder if that model is in ``names``."""
        if not is_key(key):
            return None
        return next((f"{POINTS}/{key}{s}" for s in MODEL_SUFFIXES if f"{key}{s}" in names), None)

    def write(self, key: str, model: bytes | None, suffix: str, config: str | None) -> str | None:
        """Write a point's model and hls4ml configuration; the model's relative path (or None).

        Raises:
            SweepError: ``points/`` is a link, or the disk is full / read-only.
        """
        check_key(key)
        if model is None and config is None:
            return None
        if not self._usable():
            raise SweepError(f"'{self.folder}' is a symbolic link; TrigLab does not write through it")
        try:
            if config is not None:
                atomic_write_text(self.folder / f"{key}{CONFIG_SUFFIX}", config)
            if model is None:
                return None
            atomic_write_bytes(self.folder / f"{key}{suffix}", bytes(model))
            for other in MODEL_SUFFIXES:  # a point has one model file
                if other != suffix:
                    (self.folder / f"{key}{other}").unlink(missing_ok=True)
        except OSError as exc:
            raise SweepError(
                f"Cannot write the files of point {key} in '{self.folder}': {describe_os_error(exc)}"
            ) from exc
        return f"{POINTS}/{key}{suffix}"

    def clean_temp_files(self) -> None:
        """Remove temporary files whose writer is gone (a run killed between write and rename)."""
        if not self._usable():
            return
        with suppress(OSError), os.scandir(self.folder) as it:
            for entry in it:
                if entry.name.startswith(".") and is_stale_temp(entry.path):
                    with suppress(OSError):
                        os.unlink(entry.path)  # a link itself goes, never what it points to
