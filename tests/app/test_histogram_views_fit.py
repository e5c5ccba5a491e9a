"""The Weights view and the compression preview on a 1366×768 projector, at 100 % and 125 % font.

Every choice of every combo keeps the main window's minimum within the screen and never makes
the window grow; a slider being dragged keeps its value through a relayout (issue 12, point 5).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QStyleOptionSlider

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
MAX_WIDTH, MAX_HEIGHT = SCREEN_WIDTH - 16, SCREEN_HEIGHT - 60  # window decorations and taskbar


@pytest.fixture(params=[1.0, 1.25], ids=["font100", "font125"])
def projector(request, qtbot, demo_workspace):
    """The main window on the demo workspace, walkthrough shown, as large as the screen allows."""
    from app.main_window import MainWindow, app_settings

    app = QApplication.instance()
    font = QFont(app.font())
    scaled = QFont(font)
    scaled.setPointSizeF(font.pointSizeF() * request.param)
    app.setFont(scaled)
    win = MainWindow(settings=app_settings())
    qtbot.addWidget(win)
    try:
        assert win.panel_errors == {}
        win.show()
        win.start(workspace=str(demo_workspace.root))
        qtbot.waitUntil(lambda: win.state.current is not None, timeout=120_000)
        qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=120_000)
        win.walkthrough_dock.show()
        qtbot.waitUntil(win.walkthrough_dock.isVisible)
        win.resize(MAX_WIDTH, MAX_HEIGHT)
        qtbot.waitUntil(lambda: win.width() <= MAX_WIDTH and win.height() <= MAX_HEIGHT)
        yield win
    finally:
        win.close()
        QApplication.processEvents()
        app.setFont(font)


def _settle(qtbot, win):
    qtbot.wait(10)
    win.layout().activate()
    QApplication.processEvents()


def _check(win, size, what: str):
    hint = win.minimumSizeHint()
    assert hint.width() <= MAX_WIDTH and hint.height() <= MAX_HEIGHT, (
        f"{what}: the window needs {hint.width()}×{hint.height()} px, more than {MAX_WIDTH}×{MAX_HEIGHT}"
    )
    assert win.width() <= size.width() and win.height() <= size.height(), (
        f"{what}: the window grew from {size.width()}×{size.height()} to {win.width()}×{win.height()}"
    )


def _every_combo_choice(qtbot, win, page, name: str):
    """Choose every item of every visible combo of ``page`` (as a user would: ``activated`` too)."""
    size = win.size()
    count = len(page.findChildren(QComboBox))
    for k in range(count):
        for i in range(64):
            combos = page.findChildren(QComboBox)  # forms rebuild their combos
            if k >= len(combos) or i >= combos[k].count():
                break
            combo = combos[k]
            if not combo.isVisibleTo(page) or not combo.isEnabled():
                break
            text = combo.itemText(i)
            combo.setCurrentIndex(i)
            combo.activated.emit(i)
            _settle(qtbot, win)
            _check(win, size, f"{name}: {text!r} chosen")


def test_weights_view_choices_keep_the_window_on_screen(qtbot, projector):
    win = projector
    view = win.panels["weights"]
    win.tabs.setCurrentWidget(view)
    _settle(qtbot, win)
    _check(win, win.size(), "weights view shown")
    _every_combo_choice(qtbot, win, view, "weights view")
    view.show_all_layers(True)
    _settle(qtbot, win)
    _check(win, win.size(), "all layers")


def test_compress_preview_choices_keep_the_window_on_screen(qtbot, projector):
    win = projector
    cv = win.panels["compress"]
    win.tabs.setCurrentWidget(cv)
    cv.tabs.setCurrentWidget(cv.preview)
    _settle(qtbot, win)
    _check(win, win.size(), "compress preview shown")
    _every_combo_choice(qtbot, win, cv.preview, "compress preview")
    # Every kind once more from the start, each on a moved slider (new numbers, new texts).
    pv = cv.preview
    pv.mode_combo.setCurrentIndex(pv.mode_combo.findData("sparsity"))
    for k in range(pv.kind_combo.count()):
        pv.kind_combo.setCurrentIndex(k)
        for value in (0.0, 37.5, 99.0):
            pv.value_slider.setValue(value)
            _settle(qtbot, win)
            _check(win, win.size(), f"kind {pv.kind_combo.itemText(k)!r} at {value} %")
    cv.tabs.setCurrentWidget(cv.apply)
    _settle(qtbot, win)
    _every_combo_choice(qtbot, win, cv.apply, "compress apply")


def _mouse(widget, kind, pos: QPoint, buttons):
    event = QMouseEvent(
        kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), Qt.LeftButton, buttons, Qt.NoModifier
    )
    QApplication.sendEvent(widget, event)


def test_a_dragged_slider_keeps_its_value_through_a_relayout(qtbot, projector):
    win = projector
    cv = win.panels["compress"]
    win.tabs.setCurrentWidget(cv)
    cv.tabs.setCurrentWidget(cv.preview)
    pv = cv.preview
    pv.mode_combo.setCurrentIndex(pv.mode_combo.findData("sparsity"))
    pv.kind_combo.setCurrentIndex(pv.kind_combo.findData("none"))
    pv.value_slider.setValue(10.0)
    _settle(qtbot, win)
    slider = pv.value_slider._slider  # superqt's slider inside the labelled one
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderHandle, slider)
    start = handle.center()
    target = QPoint(start.x() + slider.width() // 3, start.y())
    _mouse(slider, QEvent.MouseButtonPress, start, Qt.LeftButton)
    _mouse(slider, QEvent.MouseMove, target, Qt.LeftButton)
    dragged = pv.value_slider.value()
    assert dragged > 20.0, "the drag did not move the slider"
    where = slider.mapTo(win, QPoint(0, 0)), slider.width()

    # Everything that changes the texts and may relayout the window, mid-drag.
    pv.kind_combo.setCurrentIndex(pv.kind_combo.findData("fixed"))
    pv.evaluator.request(pv.preview_result())
    win.resize(win.size())
    _settle(qtbot, win)
    assert (slider.mapTo(win, QPoint(0, 0)), slider.width()) == where, "the slider moved under the mouse"
    _mouse(slider, QEvent.MouseMove, target, Qt.LeftButton)  # the hand has not moved
    assert pv.value_slider.value() == pytest.approx(dragged)
    _mouse(slider, QEvent.MouseButtonRelease, target, Qt.NoButton)
    _settle(qtbot, win)
    assert pv.value_slider.value() == pytest.approx(dragged)
    assert pv.preview_result().settings.prune.value == pytest.approx(dragged / 100)
    pv.wait_idle(60)
