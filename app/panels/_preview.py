"""Run one panel alone on the demo workspace (the Orange3 ``WidgetPreview`` habit)."""

from __future__ import annotations

import sys


def preview(panel_cls, title: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from app.jobs import JobManager
    from app.state import AppState
    from core.workflows import ensure_demo_workspace

    app = QApplication.instance() or QApplication(sys.argv)
    state, jobs = AppState(), JobManager()
    panel = panel_cls(state, jobs)
    panel.setWindowTitle(title or panel_cls.__name__)
    panel.resize(1000, 700)
    panel.show()
    state.set_workspace(ensure_demo_workspace())
    rc = app.exec()
    jobs.shutdown()
    return rc
