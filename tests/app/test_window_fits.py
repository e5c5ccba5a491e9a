"""The main window fits a 1366×768 classroom projector (minus window decorations and taskbar)."""

from __future__ import annotations

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
MAX_WIDTH, MAX_HEIGHT = SCREEN_WIDTH - 16, SCREEN_HEIGHT - 60


def _open_demo(qtbot, win, ws):
    win.start(workspace=str(ws.root))
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=120_000)


def _visit_every_tab(qtbot, win):
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        qtbot.wait(50)
    qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=120_000)


def _assert_fits(win, what: str):
    hint, minimum = win.minimumSizeHint(), win.minimumSize()
    too_big = {
        key: (panel.minimumSizeHint().width(), panel.minimumSizeHint().height())
        for key, panel in win.panels.items()
    }
    for size in (hint, minimum):
        assert size.width() <= MAX_WIDTH and size.height() <= MAX_HEIGHT, (
            f"{what}: the window needs at least {size.width()}×{size.height()} px, more than "
            f"{MAX_WIDTH}×{MAX_HEIGHT}; the views need {too_big}"
        )


def test_window_fits_a_1366x768_projector(qtbot, main_window, demo_workspace):
    win = main_window
    _open_demo(qtbot, win, demo_workspace)
    _visit_every_tab(qtbot, win)
    win.walkthrough_dock.hide()
    qtbot.wait(50)
    _assert_fits(win, "walkthrough hidden")

    win.walkthrough_dock.show()
    qtbot.waitUntil(win.walkthrough_dock.isVisible)
    _visit_every_tab(qtbot, win)
    _assert_fits(win, "walkthrough shown")
    assert win.walkthrough_dock.minimumSizeHint().width() <= 280

    # The window really does get that small, every view still shown.
    win.resize(MAX_WIDTH, MAX_HEIGHT)
    qtbot.waitUntil(lambda: win.width() <= MAX_WIDTH and win.height() <= MAX_HEIGHT)
    assert win.tabs.width() > 600 and win.walkthrough_dock.width() >= 200


def test_window_still_fits_with_the_distillation_form(qtbot, main_window, demo_workspace):
    """Choosing a teacher adds rows to the Train form: it scrolls instead of growing the window."""
    win = main_window
    _open_demo(qtbot, win, demo_workspace)
    train = win.panels["train"]
    win.tabs.setCurrentWidget(train)
    assert train.teacher_combo.count() > 1
    train.teacher_combo.setCurrentIndex(1)
    qtbot.wait(50)
    _visit_every_tab(qtbot, win)
    win.walkthrough_dock.show()
    qtbot.waitUntil(win.walkthrough_dock.isVisible)
    _assert_fits(win, "teacher chosen in the Train view")
