"""Running core job functions in the background and telling the UI about them.

One worker abstraction for the whole app: :class:`JobManager.submit` takes a core job function
``fn(*args, progress=..., **kwargs)`` and runs it in a worker thread. Its :class:`Job` object
emits Qt signals (delivered in the GUI thread): ``progressed``, ``logged``, ``reported``,
``succeeded``, ``failed``, ``cancelled``, ``finished``, ``status_changed``.

Heavy jobs (training, conversion...) run one at a time in submission order; the others wait as
"queued". ``light=True`` jobs (accuracy refreshes) run at once on their own thread, unlisted.
``parallel=True`` jobs (a sweep whose points run on Dask workers for hours) also start at once
beside the queue, but are listed in the Jobs dock like the others (progress, log, Cancel): the
user can still train or synthesize while they run.
A failing job never takes the app down: its exception becomes the ``failed`` signal.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core import TrigLabError
from core.jobs import Cancelled, Progress

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


class _SignalProgress(Progress):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        if not self.cancelled:
            self._job.fraction = self.fraction
        # After a cancel request the bar stays where the job stopped: a cancelled training reports
        # 1.0 ("cancelled") on its way out, which is not how far it got.
        self._job.message = message
        self._job.progressed.emit(self._job.fraction, message)

    def log(self, line: str) -> None:
        self._job.log_lines.append(line)
        self._job.logged.emit(line)

    def report(self, kind: str, **values: Any) -> None:
        self._job.reported.emit(kind, values)


class Job(QObject):
    """One background job and its state (all signals arrive in the GUI thread)."""

    progressed = Signal(float, str)
    logged = Signal(str)
    reported = Signal(str, dict)
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details (traceback)
    cancelled = Signal()
    finished = Signal()
    status_changed = Signal(str)

    _done_internal = Signal(str, object, str, str)  # status, result, message, details

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        args=(),
        kwargs=None,
        light: bool = False,
        parallel: bool = False,
    ) -> None:
        super().__init__()
        self.name = name
        self.fn, self.args, self.kwargs = fn, tuple(args), dict(kwargs or {})
        self.light = light
        self.parallel = parallel  # runs beside the queue (see JobManager.submit)
        self.status = QUEUED
        self.fraction, self.message = 0.0, ""
        self.log_lines: list[str] = []
        self.result: Any = None
        self.error: str = ""
        self.details: str = ""
        self.exception: BaseException | None = None  # what failed, for dialogs that offer a way out
        self.created = time.time()
        self.started: float | None = None
        self.ended: float | None = None
        self.progress = _SignalProgress(self)
        self._thread: threading.Thread | None = None
        self._done_internal.connect(self._on_done)

    # --- timing ----------------------------------------------------------------------------
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.ended or time.time()) - self.started

    def eta(self) -> float | None:
        """Seconds left, extrapolated from progress so far (None when unknown)."""
        if self.status != RUNNING or self.fraction <= 0.02:
            return None
        return self.elapsed() * (1.0 - self.fraction) / self.fraction

    # --- control ---------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the job to stop (cooperative); a queued job is dropped at once."""
        self.progress.cancel()
        if self.status == QUEUED:
            self._on_done(CANCELLED, None, self.tr("cancelled before it started"), "")

    def is_active(self) -> bool:
        return self.status in (QUEUED, RUNNING)

    def _start(self) -> None:
        self.status = RUNNING
        self.started = time.time()
        self.status_changed.emit(RUNNING)
        self._thread = threading.Thread(target=self._run, name=f"job:{self.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            result = self.fn(*self.args, progress=self.progress, **self.kwargs)
        except Cancelled as exc:
            self._done_internal.emit(CANCELLED, None, str(exc), "")
        except TrigLabError as exc:
            self.exception = exc
            self._done_internal.emit(FAILED, None, str(exc), traceback.format_exc())
        except BaseException as exc:  # a bug or a library error: report it, keep the app up
            self.exception = exc
            msg = f"{type(exc).__name__}: {exc}"
            self._done_internal.emit(FAILED, None, msg, traceback.format_exc())
        else:
            status = CANCELLED if self.progress.cancelled else DONE
            self._done_internal.emit(status, result, "", "")

    def _on_done(self, status: str, result: Any, message: str, details: str) -> None:
        if self.status in (DONE, FAILED, CANCELLED):
            return
        self.status, self.result, self.error, self.details = status, result, message, details
        self.ended = time.time()
        if status == FAILED:
            self.log_lines.append(self.tr("FAILED: {0}").format(message))
            self.failed.emit(message, details)
        elif status == CANCELLED:
            self.log_lines.append(self.tr("cancelled"))
            self.cancelled.emit()
        if status in (DONE, CANCELLED) and result is not None:
            # A cancelled training still returns a usable, partly trained result.
            self.succeeded.emit(result)
        self.status_changed.emit(status)
        self.finished.emit()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ends (tests, shutdown). True if it ended."""
        if self._thread is None:
            return self.status != QUEUED
        self._thread.join(timeout)
        return not self._thread.is_alive()


class JobManager(QObject):
    """Owns every job of the session; runs heavy jobs one at a time."""

    job_added = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[Job] = []
        self._queue: deque[Job] = deque()
        self._current: Job | None = None

    def submit(
        self,
        job_name: str,
        fn: Callable[..., Any],
        /,
        *args,
        light: bool = False,
        parallel: bool = False,
        **kwargs,
    ) -> Job:
        """Queue ``fn(*args, progress=..., **kwargs)``; returns its :class:`Job`.

        ``job_name`` and ``fn`` are positional-only, so ``fn`` may itself take ``name=``.
        ``light``: start at once, not listed (quick refreshes). ``parallel``: start at once beside
        the queue and list it (a long job whose work runs elsewhere, e.g. a sweep on Dask workers,
        must not hold back the jobs queued behind it).
        """
        job = Job(job_name, fn, args, kwargs, light=light, parallel=parallel)
        job.setParent(self)
        job.finished.connect(lambda j=job: self._on_finished(j))
        if light:
            job._start()
            return job
        self.jobs.append(job)
        self.job_added.emit(job)
        if parallel:
            # Started from the event loop, as queued jobs are: the caller connects its signals
            # first (a report emitted before the connection would be lost).
            QTimer.singleShot(0, lambda: job.status == QUEUED and job._start())
        else:
            self._queue.append(job)
            QTimer.singleShot(0, self._pump)
        return job

    def _pump(self) -> None:
        while self._current is None and self._queue:
            job = self._queue.popleft()
            if job.status == QUEUED:
                self._current = job
                job._start()

    def _on_finished(self, job: Job) -> None:
        if job is self._current:
            self._current = None
        self._pump()

    def active(self) -> list[Job]:
        return [j for j in self.jobs if j.is_active()]

    def cancel_all(self) -> None:
        for j in list(self.jobs):
            if j.is_active():
                j.cancel()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel everything and wait for worker threads (called when the app closes)."""
        self.cancel_all()
        deadline = time.time() + timeout
        for j in list(self.jobs):
            j.wait(max(0.0, deadline - time.time()))
