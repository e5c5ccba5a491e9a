"""Atomic file writes and file locks: everything TrigLab saves appears whole or not at all.

Write to a temporary file in the destination's folder (same file system, same suffix so that
libraries choosing a format by extension still work), then ``os.replace`` it into place. On any
failure (disk full, read-only folder, a crash of the writer) the temporary file goes and the old
file stays as it was.

Temporary names carry the writer's process id, ``.<stem>.tmp-<pid>-<random><suffix>``, so that a
later run can tell a temporary file left by a killed process (its writer is gone: remove it) from
one a running process is writing right now (keep it): :func:`is_stale_temp`.

:class:`FileLock` is an exclusive ``fcntl.flock`` lock (Linux): the kernel releases it when the
process dies, so a killed command never leaves a workspace locked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

#: ``.<stem>.tmp-<pid>-<random><suffix>`` (this module's temporary names).
_TEMP_RE = re.compile(r"^\..*\.tmp-(?P<pid>\d+)-[A-Za-z0-9_]+(\.[^/]*)?$")
#: ``.<stem>.<random>.tmp<suffix>``: the names of TrigLab versions before the process id.
_LEGACY_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\.[A-Za-z0-9]+)?$")
#: A temporary file whose writer's process id is gone is removed only after this (s): on a
#: shared file system the writer may be a live process of another machine.
TEMP_GRACE_SECONDS = 60.0
#: Names without a process id (older TrigLab), or whose process id was reused, after this (s).
TEMP_MAX_AGE_SECONDS = 24 * 3600.0


def temp_name(stem: str, suffix: str = "") -> str:
    """A fresh temporary name ``.<stem>.tmp-<pid>-<random><suffix>`` (not created)."""
    return f".{stem}.tmp-{os.getpid()}-{os.urandom(6).hex()}{suffix}"


def is_stale_temp(path: str | os.PathLike, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary file or folder left behind by a writer that is gone.

    The rule: a name of the form ``.<stem>.tmp-<pid>-...`` is stale when process ``pid`` no
    longer exists and the file is older than :data:`TEMP_GRACE_SECONDS`, or when it is older than
    :data:`TEMP_MAX_AGE_SECONDS` whatever the process (no write lasts that long: the id was
    reused). An older TrigLab's ``.<stem>.<random>.tmp<suffix>`` carries no process id: stale
    after 10 minutes.

    Args:
        path: The file or folder (not followed if it is a symbolic link).
        now: The current time (s since the epoch); ``time.time()`` when None.
    """
    p = Path(path)
    now = time.time() if now is None else now
    try:
        age = now - p.lstat().st_mtime
    except OSError:
        return False
    m = _TEMP_RE.match(p.name)
    if m is not None:
        if age > TEMP_MAX_AGE_SECONDS:
            return True
        return age > TEMP_GRACE_SECONDS and not _pid_alive(int(m["pid"]))
    return bool(_LEGACY_TEMP_RE.match(p.name)) and age > 600.0


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number we cannot ask about): keep its files
    return True


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on error it goes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.stem}.tmp-{os.getpid()}-", suffix=path.suffix, dir=path.parent
    )
    # mkstemp makes the file private (0600); the replaced file gets the mode any new file of the
    # user gets, so a workspace shared with a group (a class, a lab) stays readable to it.
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder is flushed; best effort (not every FS allows it).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (flushed to disk before it replaces the old file).

    Raises:
        OSError: the folder is not writable or the disk is full; ``path`` is unchanged and no
            temporary file is left.
    """
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def describe_os_error(exc: OSError) -> str:
    """What an ``OSError`` means for a user: "the disk is full", "the folder is read-only"..."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (or your quota is used up)"
    if code == errno.EROFS:
        return "the file system is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied (the folder is read-only for you)"
    if code == errno.ELOOP:
        return "it is a symbolic link, which TrigLab does not follow here"
    return exc.strerror or str(exc)


class LockTimeout(OSError):
    """The lock stayed held by another process for longer than the timeout."""


class FileLock:
    """An exclusive lock held through ``fcntl.flock`` on ``path`` (created if missing).

    Re-entrant: a thread holding it may take it again (nested ``with``); other threads of the
    process wait, and so do other processes. The kernel drops it when the process dies.

    Args:
        path: The lock file. A symbolic link there is refused (never followed).
        timeout: Seconds to wait for another process before :class:`LockTimeout`.
    """

    def __init__(self, path: str | os.PathLike, timeout: float = 120.0) -> None:
        self.path = Path(path)
        self.timeout = float(timeout)
        self._mutex = threading.RLock()
        self._fd: int | None = None
        self._depth = 0

    @property
    def depth(self) -> int:
        """How many nested holds the current holder has (0: not held)."""
        return self._depth

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the ``with`` block.

        Raises:
            LockTimeout: another process held it longer than ``timeout``.
            OSError: the lock file cannot be opened (read-only folder without one, a symlink).
        """
        with self._mutex:
            if self._depth == 0:
                self._fd = self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fd, self._fd = self._fd, None
                    os.close(fd)  # closing the descriptor releases the flock

    def _acquire(self) -> int:
        flags = os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | flags, 0o666)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            try:  # a read-only folder: flock works on a read-only descriptor too
                fd = os.open(self.path, os.O_RDONLY | flags)
            except FileNotFoundError:
                raise exc from None
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise LockTimeout(
                        errno.EAGAIN, f"{self.path} stayed locked for {self.timeout:g} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            except BaseException:
                os.close(fd)
                raise
