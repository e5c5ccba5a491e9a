import sys
import threading
import time

import pytest

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
