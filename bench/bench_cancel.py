"""Seconds from Cancel to the job giving up, for a subprocess job (g++, vendor tools).

``core.jobs.run_subprocess`` kills the whole process group when the job is cancelled; the tests
check *that* it does (tests/core/test_jobs.py, tests/core/test_hls_vendor.py), this measures *how
fast*: a child that would run 30 s (and has a grandchild of its own) is cancelled after 0.5 s.
Target: the job returns within 2 s of the cancel (the Jobs dock's button must feel immediate).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script

from core.jobs import Cancelled, Progress, run_subprocess  # noqa: E402

TARGET_S = 2.0
CODE = (
    "import subprocess, sys, time;"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']);"
    "print('started', flush=True); time.sleep(30)"
)


def once() -> float:
    progress = Progress()
    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.perf_counter())
        progress.cancel()

    threading.Timer(0.5, cancel).start()
    try:
        run_subprocess([sys.executable, "-c", CODE], progress)
    except Cancelled:
        return time.perf_counter() - cancelled_at[0]
    raise RuntimeError("the job was not cancelled")


def main() -> int:
    times = [once() for _ in range(5)]
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_S else "OVER"
    print(
        f"cancel -> job returns      {median:6.3f} s median of {len(times)} "
        f"(max {max(times):.3f} s; target {TARGET_S:.0f} s: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
