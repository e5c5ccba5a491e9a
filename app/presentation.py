"""View → Presentation mode (F11): full screen, larger text, thicker plot lines, tidy docks.

Text is 140 % of the system size (the Preferences' size if that is larger); the Variants and Jobs
docks are hidden and the Walkthrough dock shown when a walkthrough is open: measured at
1366×768, the window needs 1212×734 px at 140 % without the Variants dock, 1513 px with it.
Entering remembers the window's geometry and state (docks, their sizes) and leaving restores them
exactly; the font goes back to the Preferences' scale and every line to its own pen.

Views may also build plots after the theme was applied (white, as they were written): when a view
is brought to the front its plots are re-coloured in the dark theme.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app import palette
from app import preferences as prefs

FONT_PERCENT = 140  # text size in presentation mode, % of the system's (at least the Preferences')
LINE_FACTOR = 2.0  # plot lines this many times thicker
_REFRESH_MS = 1000  # lines a view draws afterwards are thickened within this time


class PresentationMode(QObject):
    """Presentation mode of a :class:`~app.main_window.MainWindow` (its ``presentation``)."""

    toggled = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self._saved: tuple | None = None
        # Views redraw their plots (new curves with their own thin pens): thicken those too.
        self._timer = QTimer(self)
        self._timer.setInterval(_REFRESH_MS)
        self._timer.timeout.connect(self._thicken)
        window.tabs.currentChanged.connect(self._on_view_shown)

    def font_factor(self, percent: float | None = None) -> float:
        """How much larger than the Preferences' font scale (``percent``, %) the text is now."""
        percent = percent or prefs.value(prefs.FONT_SCALE_KEY)
        return max(FONT_PERCENT, percent) / percent if self.active else 1.0

    def set_active(self, on: bool) -> None:
        """Enter (``True``) or leave (``False``) presentation mode."""
        if on == self.active:
            return
        win, app = self.window, QApplication.instance()
        if on:
            self._saved = (win.windowState(), win.geometry(), win.saveState())
            self.active = True
            percent = prefs.value(prefs.FONT_SCALE_KEY)
            prefs.apply_font_scale(app, percent, self.font_factor(percent))
            # The class watches the views; failed jobs still show in the status bar.
            win.jobs_dock.hide()
            win.variants_dock.hide()
            if self._walkthrough_open():
                win.walkthrough_dock.show()
            win.showFullScreen()
            self._thicken()
            self._timer.start()
        else:
            self._timer.stop()
            self.active = False
            palette.scale_plot_lines(win, 1.0)
            prefs.apply_font_scale(app, prefs.value(prefs.FONT_SCALE_KEY))
            state, geometry, docks = self._saved
            if state & Qt.WindowMaximized:
                win.showMaximized()
            else:
                win.showNormal()
                # restoreGeometry() would clamp to the screen: the exact rectangle it had
                win.setGeometry(geometry)
            win.restoreState(docks)
            self._saved = None
        self.toggled.emit(on)

    def toggle(self) -> None:
        self.set_active(not self.active)

    def _walkthrough_open(self) -> bool:
        """A walkthrough is on screen, or the open workspace is a walkthrough's (it records steps)."""
        ws = self.window.state.workspace
        return self.window.walkthrough_dock.isVisible() or bool(ws is not None and ws.ui.get("walkthroughs"))

    def _on_view_shown(self, _index: int) -> None:
        # Views may build plots when first shown (white, as they were written): theme them too.
        view = self.window.tabs.currentWidget()
        if view is not None and palette.current_theme() != "light":
            palette.restyle_plots(view)
        if self.active:
            self._thicken()

    def _thicken(self) -> None:
        palette.scale_plot_lines(self.window, LINE_FACTOR)
