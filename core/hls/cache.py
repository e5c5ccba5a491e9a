"""The cache of compiled hls4ml projects: build folders, publication, and which libraries we trust.

**Only libraries we built are loaded.** Loading a shared library runs its constructors, so a
``.so`` planted in a workspace's ``hls/<key>/`` (a shared or downloaded workspace) would run code.
Every library :func:`core.hls.convert.compile_model` builds is recorded in a registry *outside*
the workspace, ``$TRIGLAB_HOME/hls-libraries.json``: the SHA-256 of the library and a digest of
the weight files it reads at run time (hls4ml's C simulation parses ``firmware/weights/*.txt``
into fixed-size arrays, so a changed weight file is as dangerous as a changed library). A cache
entry is used only when both digests are in the registry; otherwise it is rebuilt and the log
says why. The library is hashed and loaded through one open file descriptor, so it cannot be
swapped between the check and the load.

**Concurrent builds.** A build runs in a fresh folder ``<cache_root>/.<key>.tmp-<pid>-<random>``
and is moved into ``<cache_root>/<key>`` with one ``rename`` when complete (marker written,
digests registered). If another command published the same key meanwhile, its entry is used and
ours discarded; a key folder is never deleted while another command may be using it, only an
invalid one is moved aside first. hls4ml compiles the absolute weights folder into the library
(``WEIGHTS_DIR`` in ``build_lib.sh``); it is pointed at the final folder before g++ runs.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from core.atomic import FileLock, atomic_write_text, is_stale_temp, temp_name
from core.hls.errors import HlsError
from core.jobs import Progress

CACHE_FORMAT = 2
MARKER = "triglab_cache.json"
BUILD_LOG = "triglab_build.log"
REGISTRY = "hls-libraries.json"
#: The registry keeps the most recent entries only (a few hundred bytes each).
REGISTRY_MAX = 5000


def registry_path() -> Path:
    """``$TRIGLAB_HOME/hls-libraries.json``: digests of the libraries this user's TrigLab built."""
    from core.workflows import default_home

    return default_home() / REGISTRY


def _read_registry(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    libs = data.get("libraries") if isinstance(data, dict) else None
    return libs if isinstance(libs, dict) else {}


#: Libraries built by this process (trusted here even if ``$TRIGLAB_HOME`` changed meanwhile).
_BUILT_HERE: dict[str, str] = {}


def register_library(lib_sha: str, weights_sha: str, where: Path) -> None:
    """Record a library we built (under a lock; the registry is written atomically)."""
    _BUILT_HERE[lib_sha] = weights_sha
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_suffix(".lock")).hold():
        libs = _read_registry(path)
        libs[lib_sha] = {"weights": weights_sha, "built_in": str(where), "time": time.time()}
        if len(libs) > REGISTRY_MAX:
            newest = sorted(
                libs.items(), key=lambda kv: kv[1].get("time", 0) if isinstance(kv[1], dict) else 0
            )
            libs = dict(newest[-REGISTRY_MAX:])
        atomic_write_text(path, json.dumps({"format": 1, "libraries": libs}, indent=1))


def is_registered(lib_sha: str, weights_sha: str) -> bool:
    """Whether we built this library with these weight files."""
    if _BUILT_HERE.get(lib_sha) == weights_sha:
        return True
    entry = _read_registry(registry_path()).get(lib_sha)
    return isinstance(entry, dict) and entry.get("weights") == weights_sha


def weights_digest(project_dir: Path) -> str:
    """SHA-256 over the names and contents of ``firmware/weights`` (links refused: ``"!"``)."""
    h = hashlib.sha256()
    folder = project_dir / "firmware" / "weights"
    if folder.is_symlink() or not folder.is_dir():
        return "!"
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not entry.is_file(follow_symlinks=False):
            return "!"
        h.update(entry.name.encode() + b"\0")
        with open(entry.path, "rb") as fh:
            h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def _fd_sha256(fd: int) -> str:
    h = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return _fd_sha256(fd)
    finally:
        os.close(fd)


def load_trusted_library(lib_path: Path, project_dir: Path) -> tuple[Any | None, str]:
    """Load ``lib_path`` if we built it: ``(library, "")``, else ``(None, why not)``.

    The bytes are read once (no symbolic link followed), hashed, written to a private temporary
    file and loaded from there, so what is loaded is exactly what was checked; the unique name
    also keeps ``dlopen`` from handing back another library loaded under the same name.
    """
    try:
        fd = os.open(lib_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        return None, f"its library cannot be opened ({exc.strerror})"
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, f"its library cannot be read ({exc.strerror})"
    if not is_registered(hashlib.sha256(data).hexdigest(), weights_digest(project_dir)):
        return None, "its library or weight files were not built by this TrigLab (digest not in the registry)"
    private = Path(tempfile.mkdtemp(prefix="triglab-lib-"))
    copy = private / lib_path.name
    try:
        copy.write_bytes(data)
        return ctypes.cdll.LoadLibrary(str(copy)), ""
    except OSError as exc:
        raise HlsError(f"The compiled C simulation {lib_path.name} cannot be loaded: {exc}") from exc
    finally:
        shutil.rmtree(private, ignore_errors=True)  # the mapping outlives the file


# --- markers -----------------------------------------------------------------------------------
def read_marker(project_dir: Path) -> dict[str, Any] | None:
    """The cache entry's marker if the folder is a complete entry of this format, else None."""
    marker = project_dir / MARKER
    if project_dir.is_symlink() or not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    lib = data.get("lib")
    ok = (
        data.get("format") == CACHE_FORMAT
        and data.get("project_dir") == str(project_dir)  # the weights path compiled in
        and isinstance(lib, str)
        and re.fullmatch(r"firmware/[A-Za-z0-9_.\-]+\.so", lib) is not None
        and isinstance(data.get("stamp"), str)
        and (project_dir / lib).is_file()
    )
    return data if ok else None


def write_marker(project_dir: Path, data: dict[str, Any]) -> None:
    atomic_write_text(project_dir / MARKER, json.dumps(data, indent=2))


def remove_tree(path: Path) -> None:
    """Remove a project folder; a killed g++ may still be closing files, so try a few times."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
        return
    for _ in range(10):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.2)


# --- build folders -----------------------------------------------------------------------------
def new_build_dir(cache_root: Path, key: str) -> Path:
    """A fresh, private build folder next to the key folders (same file system: rename works)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    for entry in cache_root.iterdir():  # builds of killed runs
        if entry.name.startswith(".") and is_stale_temp(entry):
            remove_tree(entry)
    path = cache_root / temp_name(key)
    path.mkdir()
    return path


def point_weights_to(build_dir: Path, project_dir: Path) -> str:
    """Make the library read its weights from the final folder (``WEIGHTS_DIR`` is compiled in).

    Returns:
        hls4ml's ``build_lib.sh`` as it was: put it back after g++ ran, so that the published
        project (and an export of it) builds where it stands, as hls4ml wrote it.
    """
    script = build_dir / "build_lib.sh"
    text = script.read_text(encoding="utf-8")
    weights = str(project_dir / "firmware" / "weights").replace("'", "'\\''")
    new, n = re.subn(r"(?m)^WEIGHTS_DIR=.*$", lambda _m: f"WEIGHTS_DIR='\"{weights}\"'", text)
    if n != 1:
        raise HlsError("hls4ml's build_lib.sh has no WEIGHTS_DIR line: this hls4ml version is not supported")
    script.write_text(new, encoding="utf-8")
    config = build_dir / "hls4ml_config.yml"
    if config.is_file():  # for the user reading it: the project's real place
        config.write_text(
            config.read_text(encoding="utf-8").replace(str(build_dir), str(project_dir)), "utf-8"
        )
    return text


def publish(build_dir: Path, project_dir: Path, progress: Progress) -> bool:
    """Move a finished build into ``project_dir`` (atomic rename).

    Returns:
        True if ours is now the entry; False if another command published a valid entry first
        (ours is removed and theirs should be used).
    """
    for _ in range(5):
        try:
            os.rename(build_dir, project_dir)
            return True
        except OSError:
            if not os.path.lexists(project_dir):
                raise
        if read_marker(project_dir) is not None and _entry_trusted(project_dir):
            progress.log(f"Another command finished the same build first: using {project_dir}")
            remove_tree(build_dir)
            return False
        aside = project_dir.parent / temp_name(project_dir.name)
        try:
            os.rename(project_dir, aside)  # an invalid entry: out of the way, then gone
        except FileNotFoundError:
            continue
        progress.log(f"Replaced the invalid cache folder {project_dir}")
        remove_tree(aside)
    raise HlsError(f"Cannot place the compiled project in {project_dir}: another command keeps replacing it")


def _entry_trusted(project_dir: Path) -> bool:
    marker = read_marker(project_dir)
    if marker is None:
        return False
    try:
        lib_sha = file_sha256(project_dir / marker["lib"])
    except OSError:
        return False
    return is_registered(lib_sha, weights_digest(project_dir))
