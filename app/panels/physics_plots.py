"""The Physics view's plot pieces: the figure look, legends outside the data, the confusion matrix,
the turn-on curves (binned points and the fitted error function) and the resolution curves.

Legends sit in their own cell of the figure's grid, below their plot, so they never cover a
turn-on plateau or a resolution curve (pyqtgraph's ``addLegend`` anchors them inside the axes).

Baselines (variants with no network: the classical road trigger, the strip fit) are drawn in
greys with hollow symbols and dashed fits, so they read as references next to the networks'
Okabe–Ito colours.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt

MISSING = "—"

#: Legend columns: (most, fewest) — fewer on a narrow view (see :func:`fit_legend`).
LEGEND_COLUMNS = {"turn_on": (3, 2), "resolution": (2, 2), "residuals": (1, 1), "roc": (1, 1)}
#: Baselines' colours (near-black, then grey): references, not competitors.
BASELINE_COLORS = [(30, 30, 30), (130, 130, 130)]
#: Per threshold: (symbol) of a baseline's points; its fitted curve is dashed.
BASELINE_SYMBOLS = ["x", "+", "star", "d"]
#: The strip-fit resolution limit's line in the resolution plot.
LIMIT_PEN = (110, 110, 110)


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
    stations, n_min = coinc.get("stations"), coinc.get("min_layers")
    if isinstance(stations, list) and isinstance(n_min, int):  # said in the reader's language
        what = QCoreApplication.translate("PhysicsView", "at least {0} layers of {1} hit").format(
            n_min, "+".join(f"RPC{int(s) + 1}" for s in stations)
        )
    else:
        what = str(coinc.get("text", ""))
    text = QCoreApplication.translate(
        "PhysicsView", "Trigger: hit coincidence ({0}) and predicted pT ≥ threshold."
    ).format(what)
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
        "PhysicsView", "A fake rate's tooltip gives the rate if the network decided alone."
    )
    return text


# --- legends that fit their cell ---------------------------------------------------------------
def full_width(label) -> float:
    """The width (px) of a pyqtgraph LabelItem's whole text (before any eliding)."""
    from PySide6.QtGui import QFontMetrics

    full = getattr(label, "full_text", None)
    if full is None or label.text not in (full, getattr(label, "shown_text", None)):
        label.full_text = full = label.text  # new text since the last fit
    return QFontMetrics(label.item.font()).horizontalAdvance(full)


def elide_label(label, room: float) -> None:
    """Show a LabelItem's text elided in the middle to ``room`` px, whole in its tooltip."""
    from PySide6.QtGui import QFontMetrics

    full_width(label)
    if not label.full_text:
        return
    shown = QFontMetrics(label.item.font()).elidedText(label.full_text, Qt.ElideMiddle, max(int(room), 60))
    if shown != label.text:
        label.setText(shown)
    label.shown_text = shown
    label.setToolTip(label.full_text if shown != label.full_text else "")


def fit_legend(legend: pg.LegendItem, key: str, cell: float) -> None:
    """As many legend columns as fit ``cell`` px (at least the fewest of :data:`LEGEND_COLUMNS`),
    names too long for their column elided in the middle."""
    if not legend.items:
        return
    labels = [label for _sample, label in legend.items]
    widest = max(full_width(label) for label in labels) + 60
    most, least = LEGEND_COLUMNS[key]
    columns = max(least, min(most, int(cell // widest), len(labels)))
    legend.setColumnCount(columns)
    for label in labels:
        elide_label(label, cell / columns - 60)  # the sample and the spacing


# --- turn-on curves ----------------------------------------------------------------------------
def erf_turn_on(pt: np.ndarray, fit: dict[str, Any]) -> np.ndarray:
    """The fitted turn-on ε(pT) = ε_plat/2·[1 + erf((pT − pT50)/(√2·σ))] (core's model "erf")."""
    from scipy.special import erf

    width = max(float(fit["width"]), 1e-6)
    return 0.5 * float(fit["plateau"]) * (1.0 + erf((pt - float(fit["pt50"])) / (math.sqrt(2.0) * width)))


def usable_fit(curve: dict[str, Any]) -> dict[str, Any] | None:
    """The curve's fit when it has the numbers to draw (None: fit failed or not computed)."""
    fit = curve.get("fit")
    if not isinstance(fit, dict):
        return None
    try:
        ok = all(math.isfinite(float(fit[k])) for k in ("pt50", "width", "plateau"))
    except (KeyError, TypeError, ValueError):
        return None
    return fit if ok else None


def draw_turn_on(
    plot: pg.PlotItem,
    legend: pg.LegendItem,
    curve: dict[str, Any],
    color,
    style,
    symbol: str,
    label: str,
    baseline: bool = False,
) -> dict[str, Any]:
    """Binned efficiencies with their error bars and, when the fit converged, the fitted curve
    over them (the points then unjoined); one legend entry (line and symbol).

    Returns:
        What is drawn: ``x``, ``y``, ``lo``, ``hi`` (finite bins) and ``fit`` ({x, y} or None).
    """
    x, y = as_array(curve["centers"]), as_array(curve["efficiency"])
    lo, hi = as_array(curve["lo"]), as_array(curve["hi"])
    ok = np.isfinite(y)
    x, y, lo, hi = x[ok], y[ok], lo[ok], hi[ok]
    pen = pg.mkPen(*color, width=2, style=style)
    plot.addItem(
        pg.ErrorBarItem(x=x, y=y, top=hi - y, bottom=y - lo, beam=0.25, pen=pg.mkPen(*color, width=1))
    )
    sym = {
        "symbol": symbol,
        "symbolSize": 7 if baseline else 6,
        "symbolBrush": pg.mkBrush(255, 255, 255) if baseline else pg.mkBrush(*color),
        "symbolPen": pg.mkPen(*color, width=1.5) if baseline else None,
    }
    fit = usable_fit(curve)
    drawn_fit = None
    if fit is not None:
        edges = as_array(curve.get("edges") or curve["centers"])
        fx = np.linspace(float(np.nanmin(edges)), float(np.nanmax(edges)), 300)
        fy = erf_turn_on(fx, fit)
        plot.plot(x, y, pen=None, **sym)
        plot.plot(fx, fy, pen=pen)
        drawn_fit = {"x": fx, "y": fy}
        sample = pg.PlotDataItem([], [], pen=pen, **sym)  # the legend shows line and symbol
        legend.addItem(sample, label)
    else:
        plot.plot(x, y, pen=pen, name=label, **sym)
    return {"x": x, "y": y, "lo": lo, "hi": hi, "fit": drawn_fit}


def draw_resolution_limit(
    plot: pg.PlotItem, limit: dict[str, Any] | None, label: str
) -> dict[str, Any] | None:
    """The strip-fit resolution (the strip granularity's limit) as a grey dashed reference line."""
    if not isinstance(limit, dict) or not limit.get("centers") or not limit.get("bin_robust"):
        return None
    x, y = as_array(limit["centers"]), as_array(limit["bin_robust"])
    ok = np.isfinite(y)
    if not ok.any():
        return None
    plot.plot(x[ok], y[ok], pen=pg.mkPen(*LIMIT_PEN, width=2, style=Qt.DashLine), name=label)
    return {"x": x[ok], "y": y[ok]}
