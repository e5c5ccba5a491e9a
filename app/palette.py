"""The app's colours: Okabe–Ito, safe for colour-blind viewers (and for projectors)."""

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


def style_axes(plot_item, *, closed_frame: bool = False) -> None:
    """The figure look every plot shares: dark axes, dark tick labels, no SI-prefix rescaling.

    Args:
        plot_item: a ``pyqtgraph.PlotItem``.
        closed_frame: also draw the top and right axes (without values), as a closed frame.
    """
    import pyqtgraph as pg

    sides = ("left", "bottom", "top", "right") if closed_frame else ("left", "bottom")
    for side in sides:
        plot_item.showAxis(side)
        ax = plot_item.getAxis(side)
        ax.setPen(pg.mkPen(60, 60, 60))
        ax.setTextPen(pg.mkPen(20, 20, 20))
        ax.enableAutoSIPrefix(False)
        if side in ("top", "right"):
            ax.setStyle(showValues=False)
