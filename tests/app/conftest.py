"""App fixtures: a main window with temp settings and workspace, failing on leaks (napari habit)."""

from __future__ import annotations

import threading

import pytest

from app.panels.netron_view import prepare_webengine

# QtWebEngine must be prepared before pytest-qt creates the QApplication (the Graph panel works
# without QtWebEngine itself, offering the system browser, so that part stays optional).
prepare_webengine()


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(qapp):
    """As the app does (app.main_thread_gc): a job thread must never collect Qt wrappers."""
    from app.main_thread_gc import install

    install(qapp)
    yield


@pytest.fixture(autouse=True)
def _qt_settings_in_tmp(tmp_path_factory):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path_factory.mktemp("qsettings")))
    yield


@pytest.fixture(autouse=True)
def _no_leaked_job_threads():
    before = {t.ident for t in threading.enumerate()}
    yield
    import time

    deadline = time.time() + 10
    while True:
        leaked = [
            t
            for t in threading.enumerate()
            if t.name.startswith("job:") and t.ident not in before and t.is_alive()
        ]
        if not leaked or time.time() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"job threads still running after the test: {[t.name for t in leaked]}"


@pytest.fixture
def main_window(qtbot, tmp_path):
    """The main window, closed (jobs cancelled and joined) at the end; fails on leaked windows."""
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow, app_settings

    before = set(QApplication.topLevelWidgets())
    win = MainWindow(settings=app_settings())
    qtbot.addWidget(win)
    # The window shows a broken view as an error tab; a test window must have every view.
    assert win.panel_errors == {}, f"views that could not be created: {win.panel_errors}"
    win.show()
    yield win
    win.close()
    QApplication.processEvents()
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w not in before and w is not win and w.isVisible() and w.__class__.__name__ not in ("QMessageBox",)
    ]
    assert not leaked, f"windows left open: {leaked}"
