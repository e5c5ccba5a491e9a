import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from process_checks import alive

from core.jobs import Cancelled, Progress, RecordingProgress, SubprocessError, run_subprocess


def test_progress_sub_maps_fraction_and_shares_cancel():
    p = RecordingProgress()
    s = p.sub(0.5, 1.0)
    s.update(0.5, "half of second half")
    assert p.updates[-1] == (0.75, "half of second half")
    s.log("x")
    s.report("epoch", epoch=1)
    assert p.lines == ["x"] and p.reports == [("epoch", {"epoch": 1})]
    p.cancel()
    with pytest.raises(Cancelled):
        s.check_cancelled()


def test_update_clamps_fraction():
    p = RecordingProgress()
    p.update(1.7)
    p.update(-3)
    assert [f for f, _ in p.updates] == [1.0, 0.0]


def test_run_subprocess_streams_lines():
    p = RecordingProgress()
    out = run_subprocess([sys.executable, "-c", "print('a'); print('b')"], p)
    assert out == ["a", "b"] and p.lines == ["a", "b"]


def test_run_subprocess_failure_has_code_and_tail():
    with pytest.raises(SubprocessError) as ei:
        run_subprocess([sys.executable, "-c", "print('boom'); raise SystemExit(3)"], Progress())
    assert ei.value.returncode == 3 and "boom" in str(ei.value)


def test_run_subprocess_cancel_kills_process_group(tmp_path):
    marker = tmp_path / "child_survived"
    # The child starts a grandchild that would write the marker after 3 s: cancel must kill both
    # (waiting for the child's 30 s instead of killing would let the marker appear too). How fast
    # cancel returns is measured in bench/bench_cancel.py.
    grandchild = f"import time; time.sleep(3); open({str(marker)!r}, 'w')"
    code = (
        "import subprocess, sys, time;"
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}]);"
        "print('started', flush=True); time.sleep(30)"
    )
    p = Progress()
    threading.Timer(0.5, p.cancel).start()
    with pytest.raises(Cancelled):
        run_subprocess([sys.executable, "-c", code], p)
    time.sleep(3.5)
    assert not marker.exists()


def test_missing_command_is_a_clear_error():
    from core import TrigLabError

    with pytest.raises(TrigLabError, match="not found"):
        run_subprocess(["definitely-not-a-tool-xyz"], Progress())


def test_ctrl_c_kills_the_tool_and_its_children(tmp_path):
    """A CLI-like script runs ``sh`` with two ``sleep`` children; SIGINT to it kills all three."""
    pids = tmp_path / "pids"
    script = tmp_path / "cli.py"
    script.write_text(
        "from core.jobs import Progress, run_subprocess\n"
        f"run_subprocess(['sh', '-c', 'sleep 30 & echo $! >> {pids}; sleep 30 & echo $! >> {pids}; "
        f"echo $$ >> {pids}; wait'], Progress())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(pids.read_text().split()) == 3):
        assert proc.poll() is None and time.monotonic() < deadline, "the tool did not start"
        time.sleep(0.05)
    children = [int(p) for p in pids.read_text().split()]
    assert all(alive(p) for p in children)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    for _ in range(100):  # SIGKILLed processes vanish as soon as the kernel has reaped them
        if not any(alive(p) for p in children):
            break
        time.sleep(0.05)
    assert not [p for p in children if alive(p)]
