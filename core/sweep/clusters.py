"""Where sweep points run: a small registry of executors, the hls4ml way.

=============  =====================================================================================
``inprocess``  No Dask: the points run one after the other in this process (tests, and the bench's
               sequential baseline).
``local``      An embedded ``distributed.LocalCluster``: worker *processes* with one thread each
               (TensorFlow is not thread-safe enough to share a process between points), as many
               workers as cores unless told, every socket on 127.0.0.1, the dashboard on loopback
               when bokeh is installed. Nothing to install or start; closed when the sweep ends.
``scheduler``  An existing Dask cluster, by its scheduler address (``tcp://host:8786``). TrigLab
               must be importable on its workers.
``jobqueue``   Workers started as batch jobs on SLURM, HTCondor, PBS or LSF by ``dask-jobqueue``,
               configured by a YAML file with its standard keys (see :mod:`core.sweep.jobqueue`).
=============  =====================================================================================

Every executor answers the same four calls: ``submit(fn, task, key=, retries=)``,
``landed(timeout)`` (the points that finished, in arrival order), ``cancel()`` and ``close()``.
A point that raised is retried ``retries`` times by Dask (``Client.submit(retries=)``); a point
whose worker *died* is rescheduled by the scheduler up to ``distributed.scheduler.allowed-failures``
times, which the embedded cluster sets to the same number (then it ends as ``KilledWorker``).

Versions this was written against: dask/distributed 2026.8.0, dask-jobqueue 0.9.0.
"""

from __future__ import annotations

import collections
import importlib.util
import logging
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from core import one_line
from core.sweep import SweepError

#: Environment every worker process gets: TensorFlow's C++ start-up chatter off.
WORKER_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2"}

#: Variables that can change a point's numbers (thread pools, oneDNN, hash seed, devices) or where
#: it reads its inputs. A worker gets the client's value of each, so that a point computes on a
#: local worker what it computes in-process. (``distributed`` would otherwise force the BLAS/OpenMP
#: pools of workers to one thread through ``distributed.nanny.pre-spawn-environ``.)
SAME_AS_CLIENT = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_DETERMINISTIC_OPS",
    "CUDA_VISIBLE_DEVICES",
    "PYTHONHASHSEED",
    "TRIGLAB_HOME",
    "TRIGLAB_SWEEP_CACHE",
)

#: Smallest memory a local worker is given (TensorFlow alone takes ~0.5 GB), bytes.
MIN_WORKER_MEMORY = 2 * 1024**3

#: The module a worker must import to run points (checked on a user's cluster before a sweep).
POINT_MODULE = "core.sweep.point"

#: Longest wait for a scheduler to answer (and to have a worker) before giving up [s].
SCHEDULER_TIMEOUT_S = 10.0

NO_DASHBOARD = "Dask dashboard: not available (bokeh is not installed)"

#: A landed point: (Dask key, its result dict or None, the error text when it failed).
Landed = tuple[str, "dict | None", "str | None"]


def has_bokeh() -> bool:
    """True when bokeh is importable (Dask serves its dashboard only then)."""
    return importlib.util.find_spec("bokeh") is not None


def worker_env() -> dict[str, str]:
    """The environment of a local worker: :data:`WORKER_ENV` plus the client's :data:`SAME_AS_CLIENT`."""
    env = {k: os.environ[k] for k in SAME_AS_CLIENT if k in os.environ}
    env.update(WORKER_ENV)
    return env


def quiet_dask_logs() -> None:
    """Dask logs every worker start/stop at INFO: keep the terminal and the job log for warnings."""
    for name in ("distributed", "dask", "dask_jobqueue", "tornado"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _quiet_worker():
    """A worker plugin turning TensorFlow's Python warnings ("compiled metrics have yet to be
    built"...) off on the embedded cluster's workers, as the CLI does in its own process. A plugin
    runs on every worker that joins, so a restarted worker is quiet too."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class QuietWorker(WorkerPlugin):
        def setup(self, worker) -> None:
            logging.getLogger("tensorflow").setLevel(logging.ERROR)

    return QuietWorker()


# --- the executors ----------------------------------------------------------------------------
class Executor:
    """Runs point functions somewhere; see the module docstring.

    Attributes:
        kind: The registry name.
        description: One line for people ("embedded Dask cluster: 2 workers on 127.0.0.1").
        dashboard: The Dask dashboard's URL, or None.
        dashboard_text: One line about the dashboard (its link, or why there is none).
    """

    kind = ""

    def __init__(self) -> None:
        self.description = ""
        self.dashboard: str | None = None
        self.dashboard_text = NO_DASHBOARD if not has_bokeh() else "Dask dashboard: none"

    @property
    def workers(self) -> int:
        """Points that can run at once (worker threads), at least 1."""
        return 1

    def submit(self, fn: Callable[[dict], dict], task: dict, *, key: str, retries: int) -> None:
        raise NotImplementedError

    def landed(self, timeout: float) -> list[Landed]:
        """Points finished since the last call, in arrival order (waits up to ``timeout`` s for one)."""
        raise NotImplementedError

    def pending(self) -> int:
        """Points submitted and not landed yet."""
        raise NotImplementedError

    def cancel(self) -> None:
        """Forget every pending point (running ones are stopped where the executor can)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the cluster (an embedded one is shut down with its worker processes)."""


EXECUTORS: dict[str, Callable[..., Executor]] = {}


def register_executor(name: str):
    """Class decorator adding an executor to :data:`EXECUTORS`."""

    def deco(factory):
        factory.kind = name
        EXECUTORS[name] = factory
        return factory

    return deco


def start_executor(where: dict[str, Any], *, retries: int = 2) -> Executor:
    """Start (or connect to) the executor ``where`` describes.

    Args:
        where: ``{"kind": "inprocess"|"local"|"scheduler"|"jobqueue", "workers": int,
            "address": str, "jobqueue": path, "timeout": seconds}``.
        retries: How many times a point whose worker died is rescheduled (embedded clusters).

    Raises:
        SweepError: unknown kind, unreachable scheduler, unusable jobqueue file.
    """
    kind = where.get("kind", "local")
    if kind not in EXECUTORS:
        raise SweepError(f"unknown place to run a sweep '{kind}' (choose one of: {', '.join(EXECUTORS)})")
    return EXECUTORS[kind](where, retries=retries)


@register_executor("inprocess")
class InProcessExecutor(Executor):
    """The points one by one in this process, with the same retry rule as Dask's."""

    def __init__(self, where: dict[str, Any] | None = None, *, retries: int = 2) -> None:
        super().__init__()
        self.description = "this process, one point at a time (no Dask)"
        self.dashboard_text = "Dask dashboard: none (in-process run)"
        self._queue: collections.deque = collections.deque()

    def submit(self, fn, task, *, key, retries) -> None:
        self._queue.append((key, fn, task, retries))

    def landed(self, timeout: float) -> list[Landed]:
        if not self._queue:
            return []
        key, fn, task, retries = self._queue.popleft()
        for attempt in range(retries + 1):
            try:
                return [(key, fn(task), None)]
            except Exception as exc:  # noqa: BLE001 - recorded as the point's error, like Dask does
                if attempt == retries:
                    return [(key, None, describe_error(exc, retries))]
        raise AssertionError("unreachable")

    def pending(self) -> int:
        return len(self._queue)

    def cancel(self) -> None:
        self._queue.clear()


class DaskExecutor(Executor):
    """Points as Dask futures of one ``distributed.Client``; the subclasses say where it connects."""

    def __init__(self) -> None:
        super().__init__()
        self._stack = ExitStack()  # closes the client, then the cluster, in reverse order
        self.client = None
        self._futures: dict[str, Any] = {}
        self._ac = None
        self._retries: dict[str, int] = {}
        self._finished = threading.Event()

    def _attach(self, client) -> None:
        from distributed import as_completed

        self.client = client
        self._stack.callback(client.close)
        self._ac = as_completed(loop=client.loop)  # futures land here in arrival order

    @property
    def workers(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - the scheduler is gone: the loop finds out on its own
            return 1

    def submit(self, fn, task, *, key, retries) -> None:
        future = self.client.submit(fn, task, key=key, retries=retries, pure=False)
        self._futures[key] = future
        self._retries[key] = retries
        self._ac.add(future)
        future.add_done_callback(lambda _: self._finished.set())

    def landed(self, timeout: float) -> list[Landed]:
        deadline = time.monotonic() + timeout
        self._finished.clear()
        if not self._ac.has_ready() and self._futures:
            # Sleep until a point finishes (set by the futures' done callback): no polling delay.
            self._finished.wait(timeout)
        while not self._ac.has_ready():  # as_completed queues it a moment after it finished
            if self._ac.is_empty() or time.monotonic() >= deadline:
                return []
            time.sleep(0.001)
        out: list[Landed] = []
        for future in self._ac.next_batch(block=False):
            key = str(future.key)
            if self._futures.pop(key, None) is None:
                continue  # cancelled meanwhile
            retries = self._retries.pop(key, 0)
            if future.status == "finished":
                out.append((key, future.result(), None))
            elif future.status == "error":
                out.append((key, None, describe_error(future.exception(), retries)))
            future.release()
        return out

    def pending(self) -> int:
        return len(self._futures)

    def cancel(self) -> None:
        futures = list(self._futures.values())
        self._futures.clear()
        if self._ac is not None:
            self._ac.clear()
        if futures:
            try:
                self.client.cancel(futures, force=True)
            except Exception:  # noqa: BLE001 - closing the cluster stops them anyway
                pass

    def close(self) -> None:
        self._futures.clear()
        self._stack.close()

    def _find_dashboard(self, source) -> None:
        try:
            # A Client of a scheduler it did not start makes up http://host:8787 when the scheduler
            # serves no dashboard (distributed's fallback): only a served one is shown.
            served = getattr(source, "cluster", True) is not None or "dashboard" in (
                source.scheduler_info().get("services") or {}
            )
            link = source.dashboard_link if served else None
        except Exception:  # noqa: BLE001 - a scheduler without the dashboard service
            link = None
        if link and getattr(source, "cluster", True) is None and not _page_answers(link):
            link = None  # its HTTP server runs, but without bokeh /status is a 404
        self.dashboard = link or None
        if self.dashboard:
            self.dashboard_text = f"Dask dashboard: {self.dashboard}"
        elif has_bokeh() or getattr(source, "cluster", True) is None:
            self.dashboard_text = "Dask dashboard: not served by this scheduler (it needs bokeh there)"


@register_executor("local")
class LocalExecutor(DaskExecutor):
    """An embedded ``LocalCluster`` on loopback: processes, one thread each, closed at the end."""

    def __init__(self, where: dict[str, Any], *, retries: int = 2) -> None:
        super().__init__()
        import dask
        import psutil
        from distributed import Client, LocalCluster

        quiet_dask_logs()
        n = int(where.get("workers") or os.cpu_count() or 1)
        if n < 1:
            raise SweepError(f"a sweep needs at least one worker (got {n})")
        memory = max(psutil.virtual_memory().total // n, MIN_WORKER_MEMORY)
        threads = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
        client_env = {k: os.environ[k] for k in threads if k in os.environ}
        # The scheduler reads allowed-failures when it starts: a dead worker's point is
        # rescheduled as many times as a point that raised is retried.
        config = {
            "distributed.scheduler.allowed-failures": int(retries),
            "distributed.nanny.pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": 65536, **client_env},
        }
        try:
            with dask.config.set(config):
                cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0" if has_bokeh() else None,
                    silence_logs=logging.WARNING,
                    memory_limit=memory,
                    env=worker_env(),
                )
            self._stack.callback(cluster.close)
            self._attach(Client(cluster, set_as_default=False))
        except RuntimeError as exc:  # "Nanny failed to start": a worker process could not start
            self._stack.close()
            raise SweepError(
                f"the embedded Dask cluster could not start its {n} worker process(es): {one_line(exc, 400)} "
                "(a Python script that runs a sweep must keep its code under "
                "'if __name__ == \"__main__\":', since every worker process imports it again)"
            ) from exc
        except BaseException:
            self._stack.close()
            raise
        self.cluster = cluster
        self.client.register_plugin(_quiet_worker(), name="triglab-quiet-worker")
        if has_bokeh():
            self._find_dashboard(cluster)
        self.description = (
            f"embedded Dask cluster: {n} worker process{'es' if n > 1 else ''} on 127.0.0.1, "
            f"{memory / 1024**3:.1f} GB each"
        )


@register_executor("scheduler")
class SchedulerExecutor(DaskExecutor):
    """An existing cluster reached by its scheduler's address."""

    def __init__(self, where: dict[str, Any], *, retries: int = 2) -> None:
        super().__init__()
        from distributed import Client

        quiet_dask_logs()
        address = str(where.get("address") or "").strip()
        if not address:
            raise SweepError("give the Dask scheduler's address, e.g. tcp://127.0.0.1:8786")
        timeout = where.get("timeout") or min(_connect_timeout(), SCHEDULER_TIMEOUT_S)
        try:
            self._attach(Client(address, timeout=timeout, set_as_default=False))
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address
            self._stack.close()
            raise SweepError(
                f"cannot reach the Dask scheduler at {address}: {one_line(exc, 400)} "
                f"(is 'dask scheduler' running there, and this address reachable from here?)"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except Exception:  # noqa: BLE001 - TimeoutError: a scheduler with no worker would wait forever
            self._stack.close()
            raise SweepError(
                f"the Dask scheduler at {address} has no workers: start some with 'dask worker {address}'"
            ) from None
        module = POINT_MODULE
        try:
            # A lambda travels by value: it runs even where TrigLab is missing, and says so.
            found = self.client.run(lambda: importlib.util.find_spec(module) is not None)
        except Exception as exc:  # noqa: BLE001 - a worker that cannot run plain Python
            found = {"?": f"{type(exc).__name__}: {one_line(exc, 400)}"}
        missing = sorted(w for w, ok in found.items() if ok is not True)
        if missing:
            self._stack.close()
            raise SweepError(
                f"TrigLab is not importable on {len(missing)} worker(s) of {address} ({missing[0]}...): "
                "install it in the workers' Python environment (or start 'dask worker' from it)"
            )
        self._find_dashboard(self.client)
        self.description = f"Dask scheduler {address} ({self.workers} worker threads)"


@register_executor("jobqueue")
class JobqueueExecutor(DaskExecutor):
    """Workers as batch jobs (dask-jobqueue); the user's file decides the jobs and the network."""

    def __init__(self, where: dict[str, Any], *, retries: int = 2) -> None:
        super().__init__()
        from distributed import Client

        quiet_dask_logs()
        path = where.get("jobqueue")
        if not path:
            raise SweepError("give the dask-jobqueue YAML file that describes the batch jobs")
        from core.sweep.jobqueue import cluster_class, read_jobqueue_file

        conf = read_jobqueue_file(path)
        cls = cluster_class(conf.kind)
        submit = cls.job_cls.submit_command
        if shutil.which(submit) is None:
            raise SweepError(
                f"'{submit}' is not on PATH: {conf.kind} jobs are submitted with it (run the sweep on the "
                f"batch system's login node, or print the job script with --job-script {path})"
            )
        kwargs = dict(conf.kwargs)
        options = dict(kwargs.pop("scheduler_options", {}) or {})
        options.setdefault("dashboard_address", "127.0.0.1:0" if has_bokeh() else None)
        try:
            cluster = cls(scheduler_options=options, silence_logs="warning", **kwargs)
        except (ValueError, TypeError) as exc:
            raise SweepError(f"{path}: {one_line(exc, 400)}") from None
        self._stack.callback(cluster.close)
        try:
            cluster.scale(jobs=conf.jobs)
            self._attach(Client(cluster, set_as_default=False))
        except BaseException:
            self._stack.close()
            raise
        if has_bokeh():
            self._find_dashboard(cluster)
        self.description = f"{conf.kind} jobs via dask-jobqueue ({conf.jobs} job(s), {path})"


def _page_answers(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 200 (a scheduler started elsewhere may lack bokeh)."""
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - the user's scheduler
            return r.status == 200
    except Exception:  # noqa: BLE001 - 404, refused, timeout: no dashboard to show
        return False


def _connect_timeout() -> float:
    """Dask's connect timeout (``distributed.comm.timeouts.connect``, $DASK_DISTRIBUTED__COMM__...) [s]."""
    import dask
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="seconds"))


def describe_error(exc: BaseException, retries: int) -> str:
    """A point's failure after Dask's retries, as one line a person reads."""
    if type(exc).__name__ == "KilledWorker":
        allowed = exc.args[2] if len(exc.args) > 2 and isinstance(exc.args[2], int) else retries
        return (
            f"the worker running this point died {allowed + 1} time(s) (killed, or out of memory); "
            "Dask gave up on it"
        )
    where = ""
    tb = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if tb:
        where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})"
    tries = f" after {retries + 1} attempts" if retries else ""
    return f"{type(exc).__name__}: {one_line(exc, 400)}{where}{tries}"
