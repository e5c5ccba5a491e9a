"""Time from launching ``triglab`` to its main window being shown (target: <= 1.5 s on 2 cores).

Runs the real entry point offscreen several times with an empty TrigLab home (so nothing is
opened) and reports the median. TensorFlow is imported after the window shows, so it is not in
this figure, by design.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_S = 1.5
RUNS = 5


def one_run(home: str) -> float:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TRIGLAB_HOME=home,
        TRIGLAB_REPORT_STARTUP="1",
        XDG_CONFIG_HOME=home,
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--quit-after", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    shown = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("window shown"):
            shown = time.perf_counter() - t0
    proc.wait(timeout=60)
    if shown is None:
        raise RuntimeError("the app did not report its window")
    return shown


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        one_run(home)  # warm the file cache
        times = [one_run(home) for _ in range(RUNS)]
    med = statistics.median(times)
    print(
        f"launch -> window shown: median {med:.3f} s over {RUNS} runs (min {min(times):.3f}, max {max(times):.3f}); "
        f"target <= {TARGET_S} s: {'OK' if med <= TARGET_S else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
