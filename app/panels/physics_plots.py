"""The Physics view's plot pieces: the figure look, legends outside the data, the confusion matrix.

Legends sit in their own cell of the figure's grid, below their plot, so they never cover a
turn-on plateau or a resolution curve (pyqtgraph's ``addLegend`` anchors them inside the axes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt

MISSING = "—"


def style_plot(pi: pg.PlotItem, title: str, x: str, y: str) -> None:
    """White figure look with a closed frame, labelled axes, no SI prefixes."""
    from app.palette import style_axes

    pi.setTitle(title, color=(20, 20, 20), size="10pt")
    style_axes(pi, closed_frame=True)
    pi.setLabel("bottom", x)
    pi.setLabel("left", y)
    pi.showGrid(x=True, y=True, alpha=0.15)
    pi.setMenuEnabled(False)


def outside_legend(pi: pg.PlotItem, columns: int = 2) -> pg.LegendItem:
    """A legend for ``pi`` that is placed in the layout (below the plot), not over its data.

    ``pi.plot(..., name=...)`` adds to it as to pyqtgraph's own legend (``PlotItem.addItem``
    adds a named item to ``pi.legend``).
    """
    legend = pg.LegendItem(
        colCount=columns,
        brush=pg.mkBrush(255, 255, 255, 0),
        pen=pg.mkPen(None),
        labelTextColor=(20, 20, 20),
        verSpacing=-6,
        horSpacing=16,
    )
    pi.legend = legend
    return legend


def as_array(values: list) -> np.ndarray:
    """A list with Nones as a float array with NaNs."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def fmt_value(v: Any, digits: int = 3) -> str:
    """A table number with ``digits`` significant digits, in the locale; "—" when missing."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return MISSING
    from PySide6.QtCore import QLocale

    return QLocale().toString(float(v), "g", digits)


class ConfusionPlot(pg.PlotItem):
    """A confusion matrix: true class down, predicted class across, counts in the cells."""

    def __init__(self) -> None:
        super().__init__()
        style_plot(
            self,
            QCoreApplication.translate("PhysicsView", "Confusion matrix"),
            QCoreApplication.translate("PhysicsView", "predicted class"),
            QCoreApplication.translate("PhysicsView", "true class"),
        )
        self.showGrid(x=False, y=False)
        self.invertY(True)
        self.setAspectLocked(True)
        self.vb.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.ColorMap([0.0, 1.0], [(255, 255, 255), (0, 114, 178)]))  # white to blue
        self.addItem(self.image)
        self._texts: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None

    def set_matrix(self, matrix: list[list[int]] | None, title: str = "") -> None:
        """Show ``matrix`` (``[true][predicted]`` counts); None clears."""
        for t in self._texts:
            self.removeItem(t)
        self._texts = []
        self.matrix = None if matrix is None else np.asarray(matrix, dtype=np.int64)
        if title:
            self.setTitle(title, color=(20, 20, 20), size="10pt")
        if self.matrix is None or self.matrix.size == 0:
            self.image.clear()
            return
        m = self.matrix
        # row-normalised (fraction of each true class) so rare classes read as well as common ones
        frac = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        self.image.setImage(frac, levels=(0.0, 1.0))
        self.image.setRect(-0.5, -0.5, m.shape[1], m.shape[0])
        n = m.shape[0]
        if n <= 12:  # numbers in the cells while they fit
            for i in range(n):
                for j in range(m.shape[1]):
                    color = (255, 255, 255) if frac[i, j] > 0.55 else (20, 20, 20)
                    t = pg.TextItem(str(int(m[i, j])), color=color, anchor=(0.5, 0.5))
                    t.setPos(j, i)
                    self.addItem(t)
                    self._texts.append(t)
        ticks = [[(k, str(k)) for k in range(n)]]
        self.getAxis("bottom").setTicks(ticks)
        self.getAxis("left").setTicks(ticks)
        self.setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0.02)


THRESHOLD_STYLES = [(Qt.SolidLine, "o"), (Qt.DashLine, "t"), (Qt.DotLine, "s"), (Qt.DashDotLine, "d")]


def trigger_note(results: list[dict[str, Any]]) -> str:
    """One sentence on what "fires" means: the coincidence in front of the network."""
    from app.i18n import fmt_pct

    coinc = next((r.get("coincidence") for r in results if r.get("coincidence")), None)
    if not results:
        return ""
    if not coinc:
        return QCoreApplication.translate(
            "PhysicsView",
            "Trigger: predicted pT ≥ threshold (no hit coincidence: the data set does not say "
            "which layer is which).",
        )
    text = QCoreApplication.translate(
        "PhysicsView", "Trigger: hit coincidence ({0}) and predicted pT ≥ threshold."
    ).format(coinc["text"])
    eff = next(
        (r.get("coincidence_efficiency") for r in results if r.get("coincidence_efficiency") is not None),
        None,
    )
    noise = next(
        (r.get("noise_coincidence_rate") for r in results if r.get("noise_coincidence_rate") is not None),
        None,
    )
    if eff is not None and noise is not None:
        text += " " + QCoreApplication.translate(
            "PhysicsView", "The coincidence keeps {0} of the muons and {1} of the noise-only events."
        ).format(fmt_pct(eff, 1), fmt_pct(noise, 2))
    elif eff is not None:
        text += " " + QCoreApplication.translate(
            "PhysicsView", "The coincidence keeps {0} of the muons."
        ).format(fmt_pct(eff, 1))
    text += " " + QCoreApplication.translate(
        "PhysicsView", "“net only” is the fake rate if the network decided alone."
    )
    return text
