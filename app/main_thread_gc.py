"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a threshold
is crossed; in TrigLab that is often a job thread (TensorFlow builds thousands of objects). When
such a collection frees the Python wrapper of a Qt object, its C++ destructor runs in the job
thread, or is handed to the GUI thread while the job thread still holds a Qt lock and waits for
the GIL: the GUI thread, holding the GIL, then waits for that lock for ever (seen as a frozen
window, and as a test suite hanging in a fixture's teardown). The remedy PyQt/PySide users apply:
switch automatic collection off and collect from a GUI-thread timer, with the same thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500

_instance: MainThreadGC | None = None


class MainThreadGC(QObject):
    """Collects generation 0/1/2 on the GUI thread when Python's own thresholds are exceeded."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(INTERVAL_MS)

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 > t0:
            gc.collect(0)
            if c1 > t1:
                gc.collect(1)
                if c2 > t2:
                    gc.collect(2)


def install(app: QObject) -> MainThreadGC:
    """Start collecting on the GUI thread of ``app`` (the QApplication); idempotent."""
    global _instance
    if _instance is None:
        _instance = MainThreadGC(app)
    return _instance
