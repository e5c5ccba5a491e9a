"""Garbage is collected on the GUI thread only (a job thread collecting Qt wrappers deadlocks)."""

from __future__ import annotations

import gc
import threading

from app.main_thread_gc import install


def test_collection_is_off_in_threads_and_runs_from_the_gui_timer(qapp, qtbot):
    guard = install(qapp)
    assert install(qapp) is guard  # one per application
    assert not gc.isenabled()

    class Cycle:
        pass

    def make_garbage():
        for _ in range(5000):
            a, b = Cycle(), Cycle()
            a.b, b.a = b, a

    t = threading.Thread(target=make_garbage)
    t.start()
    t.join()
    assert gc.get_count()[0] > guard.threshold[0]  # nothing collected in the thread
    qtbot.waitUntil(lambda: gc.get_count()[0] < guard.threshold[0], timeout=3000)
