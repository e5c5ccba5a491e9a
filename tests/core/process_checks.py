"""Checks shared by the tests that cancel a running tool: is a process alive, and does cancelling
a job kill the tool and the child it started (the process group), not just the job's thread."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path


def alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_until_dead(pids, seconds: float = 5.0) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to go."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def cancel_while_the_tool_runs(job: Callable[[], object], progress, pidfile: Path) -> BaseException | None:
    """Run ``job`` in a thread until the stand-in tool has written "TOOL_PID CHILD_PID" to
    ``pidfile``, cancel ``progress``, and assert that the job ended and both processes are gone.

    Returns:
        What the job raised (the caller checks it is ``Cancelled``).
    """
    outcome: dict[str, BaseException] = {}

    def run():
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    tool_pid, child_pid = map(int, pidfile.read_text().split())
    assert alive(tool_pid) and alive(child_pid)
    progress.cancel()
    thread.join(timeout=15)  # a hang guard, not a speed check (bench/bench_cancel.py measures it)
    assert not thread.is_alive()
    assert not wait_until_dead([tool_pid, child_pid]), "the tool or its child survived the cancel"
    return outcome.get("error")
