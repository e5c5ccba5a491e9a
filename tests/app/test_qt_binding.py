"""Guards against the PySide6 6.12.0 bug that made pyqtgraph views abort the app.

PySide6 6.12.0 dropped a reference to ``None`` on every void method call (QPainter.setFont,
setPen, ...) on Python < 3.12; a plotting app then dies with "Fatal Python error: none_dealloc"
after a few thousand repaints. We pin a release without it; this test says so if it comes back.
"""

import sys

from PySide6.QtGui import QFont, QImage, QPainter


def test_void_qt_calls_do_not_leak_references_to_none(qapp):
    img = QImage(16, 16, QImage.Format_ARGB32)
    painter = QPainter(img)
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(2000):
        painter.setFont(font)
        painter.save()
        painter.restore()
    after = sys.getrefcount(None)
    painter.end()
    assert abs(after - before) < 50, f"refcount of None went {before} -> {after}: broken Qt binding"
