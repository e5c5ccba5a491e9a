"""The job protocol: how long operations report progress and get cancelled.

A job is a plain function that takes a ``progress`` argument and returns a result. The same
function runs in the app (in a worker thread, see ``app/jobs.py``), in the CLI (terminal
progress) and in tests (``Progress()`` records nothing and never cancels unless asked).

    def my_job(..., progress: Progress | None = None):
        progress = ensure_progress(progress)
        for i in range(n):
            progress.check_cancelled()      # raises Cancelled
            ...
            progress.update((i + 1) / n, f"step {i + 1}/{n}")
            progress.log("a line for the job log")
            progress.report("epoch", epoch=i, loss=...)   # structured data for live plots

Subprocesses (g++, vendor tools) go through :func:`run_subprocess`, which streams their output
to ``progress.log`` and kills the whole process group on cancel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from core import TrigLabError


class Cancelled(Exception):
    """Raised inside a job when the user asked to cancel it."""


class Progress:
    """Progress reporting and cooperative cancellation for one job.

    Subclasses (or the callbacks given to the constructor) decide where the reports go.
    ``cancel()`` may be called from any thread.
    """

    def __init__(
        self,
        on_update: Callable[[float, str], None] | None = None,
        on_log: Callable[[str], None] | None = None,
        on_report: Callable[[str, dict], None] | None = None,
    ) -> None:
        self._cancel = threading.Event()
        self._on_update = on_update
        self._on_log = on_log
        self._on_report = on_report
        self.fraction = 0.0
        self.message = ""

    # --- reporting -------------------------------------------------------------------------
    def update(self, fraction: float, message: str = "") -> None:
        """Report the fraction done (0..1) and a short status message."""
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.message = message
        if self._on_update:
            self._on_update(self.fraction, message)

    def log(self, line: str) -> None:
        """Append one line to the job log."""
        if self._on_log:
            self._on_log(line)

    def report(self, kind: str, **values: Any) -> None:
        """Structured data for live views (e.g. ``report("epoch", epoch=3, loss=0.1)``)."""
        if self._on_report:
            self._on_report(kind, values)

    # --- cancellation ----------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if the user asked to cancel."""
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")

    def sub(self, start: float, stop: float) -> Progress:
        """A view of this progress mapping 0..1 onto ``start..stop`` (for a job made of steps)."""
        return _SubProgress(self, start, stop)


class _SubProgress(Progress):
    def __init__(self, parent: Progress, start: float, stop: float) -> None:
        super().__init__()
        self._parent, self._start, self._stop = parent, start, stop
        self._cancel = parent._cancel

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        self._parent.update(self._start + (self._stop - self._start) * self.fraction, message)

    def log(self, line: str) -> None:
        self._parent.log(line)

    def report(self, kind: str, **values: Any) -> None:
        self._parent.report(kind, **values)


class RecordingProgress(Progress):
    """Keeps every update, log line and report (used by tests and the CLI's --json mode)."""

    def __init__(self, cancel_after_updates: int | None = None) -> None:
        super().__init__()
        self.updates: list[tuple[float, str]] = []
        self.lines: list[str] = []
        self.reports: list[tuple[str, dict]] = []
        self._cancel_after = cancel_after_updates

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        self.updates.append((self.fraction, message))
        if self._cancel_after is not None and len(self.updates) >= self._cancel_after:
            self.cancel()

    def log(self, line: str) -> None:
        self.lines.append(line)

    def report(self, kind: str, **values: Any) -> None:
        self.reports.append((kind, values))


class SubprocessError(TrigLabError):
    """A tool run by a job (g++, a vendor build) failed."""

    def __init__(self, cmd: Sequence[str], returncode: int, tail: list[str]) -> None:
        self.cmd, self.returncode, self.tail = list(cmd), returncode, tail
        last = "\n".join(tail[-20:])
        super().__init__(f"'{cmd[0]}' exited with code {returncode}.\nLast output lines:\n{last}")


def run_subprocess(
    cmd: Sequence[str],
    progress: Progress,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    poll_seconds: float = 0.1,
) -> list[str]:
    """Run a command, stream its output lines to ``progress.log``, kill it on cancel.

    The child gets its own process group so that cancelling kills everything it started
    (vendor tools spawn many children).

    Returns:
        All output lines (stdout and stderr merged).

    Raises:
        Cancelled: the user cancelled; the process group was killed. Any other interruption
            (``KeyboardInterrupt`` from Ctrl-C, ``SystemExit``) also kills the group, then
            propagates.
        SubprocessError: the command exited with a non-zero code.
        TrigLabError: the command was not found.
    """
    # A Ctrl-C while Popen is still starting the tool (a loaded machine) would raise before we
    # hold ``proc``, and the tool's process group (its own session) would outlive us: hold SIGINT
    # back until the guard below can kill the group. (The tool inherits the blocked SIGINT: it
    # runs in its own session, where no terminal sends one; it is stopped by SIGTERM/SIGKILL.)
    held = _hold_sigint()
    try:
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        _release_sigint(held)
        raise TrigLabError(f"Command not found: '{cmd[0]}'") from exc
    except BaseException:
        _release_sigint(held)
        raise
    lines: list[str] = []

    def _pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            progress.log(line)

    reader = threading.Thread(target=_pump, daemon=True)
    try:
        _release_sigint(held)  # a Ctrl-C held back is raised here, inside the guard
        reader.start()
        while proc.poll() is None:
            if progress.cancelled:
                _kill_group(proc)
                reader.join(timeout=2)
                raise Cancelled(f"cancelled by the user; '{cmd[0]}' was stopped")
            time.sleep(poll_seconds)
    except BaseException:
        # Ctrl-C (KeyboardInterrupt), SystemExit, an error in a log callback: the tool and
        # everything it started must not outlive us. The child runs in its own session, so the
        # terminal's SIGINT never reached it; kill its whole process group before re-raising.
        _kill_group(proc)
        if reader.is_alive():
            reader.join(timeout=2)
        raise
    reader.join(timeout=5)
    if proc.returncode != 0:
        raise SubprocessError(cmd, proc.returncode, lines)
    return lines


def _hold_sigint():
    """Block SIGINT in the main thread (where Python handles it); the previous mask, or None."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(held) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the child's process group, then SIGKILL what is left of it (the leader may exit
    on SIGTERM while a child of it ignores the signal)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass


def ensure_progress(progress: Progress | None) -> Progress:
    """The given progress, or a fresh silent one (jobs accept ``progress=None``)."""
    return progress if progress is not None else Progress()
