"""The app's colours: Okabe–Ito, safe for colour-blind viewers (and for projectors).

Plots follow the theme chosen in Preferences (light or dark) and, in presentation mode, draw their
lines thicker. Both are process-wide settings kept here: :func:`style_axes` and pyqtgraph's
default colours read them, so plots made later match; :func:`restyle_plots` re-colours the plots
already on screen and :func:`scale_plot_lines` thickens (or restores) their lines.
"""

from __future__ import annotations

BLUE = (0, 114, 178)
VERMILION = (213, 94, 0)
BLUISH_GREEN = (0, 158, 115)
REDDISH_PURPLE = (204, 121, 167)
ORANGE = (230, 159, 0)
SKY_BLUE = (86, 180, 233)
BLACK = (0, 0, 0)
YELLOW = (240, 228, 66)

#: One colour per series (variant, layer), in this order.
SERIES = [BLUE, VERMILION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW]

#: Plot colours per theme: the view's background, the axes (lines, ticks) and their text.
PLOT_THEMES: dict[str, dict[str, tuple[int, int, int]]] = {
    "light": {"background": (255, 255, 255), "axis": (60, 60, 60), "text": (20, 20, 20)},
    "dark": {"background": (32, 33, 36), "axis": (170, 170, 170), "text": (230, 230, 230)},
}
THEMES = tuple(PLOT_THEMES)

_current = {"theme": "light", "line_scale": 1.0}
_ORIGINAL_PEN = "_triglab_pen"  # attribute holding a line's own pen while it is drawn thicker
_SCALED_PEN = "_triglab_scaled_pen"


def current_theme() -> str:
    """``"light"`` or ``"dark"``: the theme plots are drawn in."""
    return _current["theme"]


def plot_colors(theme: str | None = None) -> dict[str, tuple[int, int, int]]:
    """The plot colours (``background``, ``axis``, ``text``) of ``theme`` (default: the current one)."""
    return PLOT_THEMES.get(theme or _current["theme"], PLOT_THEMES["light"])


def set_plot_theme(theme: str) -> None:
    """Make ``theme`` the plots' theme, also pyqtgraph's default for plots made from now on."""
    import pyqtgraph as pg

    _current["theme"] = theme if theme in PLOT_THEMES else "light"
    c = plot_colors()
    pg.setConfigOptions(background=c["background"], foreground=c["text"])


def style_axes(plot_item, *, closed_frame: bool = False) -> None:
    """The figure look every plot shares: theme-coloured axes and tick labels, no SI-prefix rescaling.

    Args:
        plot_item: a ``pyqtgraph.PlotItem``.
        closed_frame: also draw the top and right axes (without values), as a closed frame.
    """
    import pyqtgraph as pg

    c = plot_colors()
    sides = ("left", "bottom", "top", "right") if closed_frame else ("left", "bottom")
    for side in sides:
        plot_item.showAxis(side)
        ax = plot_item.getAxis(side)
        ax.setPen(pg.mkPen(*c["axis"]))
        ax.setTextPen(pg.mkPen(*c["text"]))
        ax.enableAutoSIPrefix(False)
        if side in ("top", "right"):
            ax.setStyle(showValues=False)


def _graphics_views(root) -> list:
    import pyqtgraph as pg

    views = list(root.findChildren(pg.GraphicsView))
    if isinstance(root, pg.GraphicsView):
        views.append(root)
    return views


def restyle_plots(root) -> int:
    """Re-colour every pyqtgraph view under widget ``root`` in the current theme.

    Backgrounds, axes (lines, ticks, labels), titles and legends (text, box) take the theme's
    colours; data lines keep theirs (Okabe–Ito reads on both backgrounds, except its black).

    Returns:
        How many views were re-coloured.
    """
    import pyqtgraph as pg

    c = plot_colors()
    theme_texts = {pg.mkColor(*t["text"]).name() for t in PLOT_THEMES.values()}
    views = _graphics_views(root)
    for view in views:
        view.setBackground(c["background"])
        scene = view.scene()
        if scene is None:
            continue
        for item in scene.items():
            if isinstance(item, pg.AxisItem):
                item.setPen(pg.mkPen(*c["axis"]))
                item.setTextPen(pg.mkPen(*c["text"]))
            elif isinstance(item, pg.LegendItem):
                item.setLabelTextColor(c["text"])
                brush = item.brush()
                if brush is not None and brush.style() != pg.QtCore.Qt.BrushStyle.NoBrush:
                    # the panels' legends sit on a near-opaque box: the theme's background
                    item.setBrush(pg.mkBrush(*c["background"], brush.color().alpha()))
            elif isinstance(item, pg.LabelItem) and not isinstance(item.parentItem(), pg.LegendItem):
                color = item.opts.get("color")
                # Titles in the default colour follow the theme; a colour a panel chose stays.
                if color is None or pg.mkColor(color).name() in theme_texts:
                    item.setText(item.text, color=c["text"])
    return len(views)


def line_scale() -> float:
    """How much thicker than their own pens plot lines are drawn (1.0, or more in presentation mode)."""
    return _current["line_scale"]


def _line_items(view) -> list:
    import pyqtgraph as pg

    scene = view.scene()
    if scene is None:
        return []
    items = []
    for item in scene.items():
        if isinstance(item, (pg.PlotDataItem, pg.InfiniteLine)):
            items.append(item)
        elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
            items.append(item)
    return items


def _get_pen(item):
    return item.pen if hasattr(item, "currentPen") else item.opts.get("pen")


def _set_pen(item, pen) -> None:
    import pyqtgraph as pg

    if isinstance(item, pg.PlotDataItem) and pen is None:
        item.opts["pen"] = None
        item.updateItems(styleUpdate=True)
    else:
        item.setPen(pen)


def scale_plot_lines(root, factor: float) -> int:
    """Draw the lines of every plot under ``root`` ``factor`` times thicker (1.0 restores them).

    Each line's own pen is remembered the first time and restored exactly at ``factor`` 1.0, unless
    the panel has changed the pen since (then the panel's choice stays). Lines added later are
    thickened by the next call (presentation mode calls again when views change).

    Returns:
        How many lines were changed.
    """
    import pyqtgraph as pg

    _current["line_scale"] = float(factor)
    changed = 0
    for view in _graphics_views(root):
        for item in _line_items(view):
            pen = _get_pen(item)
            if factor == 1.0:
                if hasattr(item, _ORIGINAL_PEN):
                    if _get_pen(item) is getattr(item, _SCALED_PEN, None):
                        _set_pen(item, getattr(item, _ORIGINAL_PEN))
                        changed += 1
                    delattr(item, _ORIGINAL_PEN)
                continue
            if hasattr(item, _ORIGINAL_PEN) and pen is getattr(item, _SCALED_PEN, None):
                continue  # already thick
            if pen is None:
                continue
            qpen = pg.mkPen(pen)
            if qpen.style() == pg.QtCore.Qt.PenStyle.NoPen:
                continue
            setattr(item, _ORIGINAL_PEN, pen)
            thick = pg.mkPen(qpen)
            thick.setWidthF(max(1.0, qpen.widthF()) * factor)
            _set_pen(item, thick)
            setattr(item, _SCALED_PEN, _get_pen(item))
            changed += 1
    return changed


def muted_text() -> str:
    """Secondary text (notes, units, sources) as ``#rrggbb`` for rich text: 60 % of the window text
    colour on the window, so it stays readable in the dark theme too (a fixed ``#666`` is not)."""
    from PySide6.QtGui import QGuiApplication, QPalette

    pal = QGuiApplication.palette()
    fg, bg = pal.color(QPalette.WindowText), pal.color(QPalette.Window)
    mix = [round(0.6 * a + 0.4 * b) for a, b in zip(fg.getRgb()[:3], bg.getRgb()[:3])]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def plot_title_color() -> str:
    """The plots' text colour of the current theme as ``#rrggbb`` (for plot titles in rich text)."""
    return "#{:02x}{:02x}{:02x}".format(*plot_colors()["text"])


def plot_muted_color() -> str:
    """Secondary text in plots (a title's second part) as ``#rrggbb``: 60 % text on the plot's background."""
    c = plot_colors()
    return "#{:02x}{:02x}{:02x}".format(
        *(round(0.6 * a + 0.4 * b) for a, b in zip(c["text"], c["background"]))
    )


def mute(widget) -> None:
    """Draw ``widget``'s text in the palette's secondary colour (placeholder text), which follows the
    theme when it changes (a style sheet's fixed ``#666`` is unreadable on the dark theme)."""
    from PySide6.QtGui import QPalette

    widget.setForegroundRole(QPalette.PlaceholderText)
