"""``triglab``: launch the desktop app.

The window appears before TensorFlow is imported (it loads in a background job).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

_T0 = time.perf_counter()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="triglab", description="TrigLab desktop app")
    p.add_argument(
        "model", nargs="?", help="a model file to open (.h5, .keras, SavedModel folder, model.json)"
    )
    p.add_argument("--demo", action="store_true", help="open the hands-on 1 demo workspace")
    p.add_argument("--workspace", help="open this workspace folder")
    p.add_argument("--screenshot", help="save a screenshot of the window to this PNG once ready, then quit")
    p.add_argument("--quit-after", type=float, help="quit after this many seconds (benchmarks)")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation headless, print one line, exit 0 if it works",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from app.selftest import main as self_test

        return self_test()
    from app.display_check import check_display

    msg = check_display()
    if msg:
        print(msg, file=sys.stderr)
        return 1
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        from app.panels.netron_view import prepare_webengine

        prepare_webengine()
    except ImportError:
        pass
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.i18n import LANGUAGE_KEY, install_translator
    from app.main_window import MainWindow, app_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TrigLab")
    app.setOrganizationName("TrigLab")
    # Before any window exists: texts are translated when widgets are built. "" = the system's.
    install_translator(app, app_settings().value(LANGUAGE_KEY, "", str))
    from app.app_icon import app_icon
    from app.preferences import apply_at_start

    app.setWindowIcon(app_icon())
    app.setDesktopFileName("triglab")  # matches resources/triglab.desktop (task bar icon on Wayland)
    win = MainWindow()
    apply_at_start(app, win)  # font scale and theme from Preferences
    win.show()
    shown = time.perf_counter() - _T0
    if os.environ.get("TRIGLAB_REPORT_STARTUP"):
        print(f"window shown after {shown:.3f} s", flush=True)
    QTimer.singleShot(0, lambda: win.start(demo=args.demo, workspace=args.workspace, model=args.model))
    if args.screenshot:
        _schedule_screenshot(app, win, args.screenshot)
    if args.quit_after:
        QTimer.singleShot(int(args.quit_after * 1000), win.close)
    return app.exec()


def _schedule_screenshot(app, win, path: str) -> None:
    """Wait until no job is running and a variant is shown, then grab the window and quit."""
    from PySide6.QtCore import QTimer

    def check():
        busy = any(j.is_active() for j in win.jobs.jobs)
        if busy or (win.state.workspace is not None and win.state.current is None):
            QTimer.singleShot(300, check)
            return
        QTimer.singleShot(1500, lambda: (win.grab().save(path), win.close()))

    QTimer.singleShot(1000, check)


if __name__ == "__main__":
    # The bundle runs this file: a sweep's embedded Dask cluster starts its workers with
    # multiprocessing, whose children re-enter the frozen executable here (PyInstaller's rule).
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
