"""The Weights view's "All layers" tab: one small histogram per layer, titled with its sparsity.

Small multiples on the same look as the Layer tab (:mod:`app.panels.histogram`): this variant's
bars, its zeros apart, and the compared variant as a fill with its outline. A click on a plot
selects its layer; a double click also asks to open it in the Layer tab.
"""

from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.palette import plot_muted_color, plot_title_color
from app.panels.histogram import (
    COMPARE_COLOR,
    CURRENT_COLOR,
    LOG_BASELINE,
    ZERO_COLOR,
    bar_item,
    fmt_sparsity,
    linear_top,
    log_top,
    set_bars,
    set_outline,
    set_zero_bar,
    style_plot,
    swatch,
)
from core.weights import WeightHistogram

ROW_HEIGHT = 190  # px per row of small plots; the tab scrolls beyond its height


class WeightsGrid(QWidget):
    """Small multiples of every layer's histogram.

    Signals:
        layer_clicked(str, bool): A plot was clicked: its layer, and whether it was a double click.
    """

    layer_clicked = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid_widget = pg.GraphicsLayoutWidget()
        self.grid_widget.setBackground("w")
        self.grid_widget.scene().sigMouseClicked.connect(self._on_click)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_widget)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.hint)
        lay.addWidget(scroll, 1)
        self.plots: dict[str, pg.PlotItem] = {}

    def clear(self, why: str) -> None:
        """No plots, ``why`` in the hint line."""
        self.grid_widget.clear()
        self.plots = {}
        self.grid_widget.setMinimumHeight(0)
        self.hint.setText(html.escape(why))

    def draw(
        self,
        layers: list[tuple[str, str, list[WeightHistogram]]],
        log: bool,
        selected: str,
        variant: str,
        compare: str | None,
    ) -> None:
        """Draw ``(layer, weight taken, [histogram, compared histogram?])`` for every layer."""
        self.grid_widget.clear()
        self.plots = {}
        ncols = max(1, min(4, math.ceil(math.sqrt(len(layers)))))
        for n, (layer, taken, hs) in enumerate(layers):
            pi = self.grid_widget.addPlot(row=n // ncols, col=n % ncols)
            _draw_small(pi, hs, log)
            pi.grid_info = (taken, hs[0].sparsity)
            self.plots[layer] = pi
        self.highlight(selected)
        self.grid_widget.setMinimumHeight(ROW_HEIGHT * math.ceil(len(layers) / ncols))
        key = [
            f"{swatch(CURRENT_COLOR)} " + self.tr("{0} non-zero").format(html.escape(variant)),
            f"{swatch(ZERO_COLOR)} " + self.tr("zeros"),
        ]
        if compare is not None:
            key.append(f"{swatch(COMPARE_COLOR, '▭')} {html.escape(compare)}")
        axes = (
            self.tr("x: weight value, y: weights per bin (log)")
            if log
            else self.tr("x: weight value, y: weights per bin")
        )
        click = self.tr("click a plot to select its layer, double-click to open it")
        self.hint.setText(
            " &nbsp; ".join(key)
            + f"<span style='color:gray'> &nbsp;·&nbsp; {axes} &nbsp;·&nbsp; {click}</span>"
        )

    def highlight(self, selected: str) -> None:
        """Retitle the small plots so the selected layer stands out (no redraw)."""
        for layer, pi in self.plots.items():
            taken, sparsity = pi.grid_info
            pi.setTitle(self._title(layer, taken, sparsity, layer == selected), size="8pt")

    def _title(self, layer: str, kind: str, sparsity: float, selected: bool) -> str:
        color = "#{:02x}{:02x}{:02x}".format(*CURRENT_COLOR) if selected else plot_title_color()
        weight = "bold" if selected else "normal"
        zeros = self.tr("{0} zeros").format(fmt_sparsity(sparsity))
        return (
            f"<span style='color:{color}; font-weight:{weight}'>{html.escape(layer)}</span>"
            f"<br><span style='color:{plot_muted_color()}'>{html.escape(kind)} · {html.escape(zeros)}</span>"
        )

    def _on_click(self, event) -> None:
        pos = event.scenePos()
        for layer, pi in self.plots.items():
            if pi.sceneBoundingRect().contains(pos):
                self.layer_clicked.emit(layer, bool(event.double()))
                return


def _draw_small(pi: pg.PlotItem, hs: list[WeightHistogram], log: bool) -> None:
    style_plot(pi, small=True)
    pi.setMenuEnabled(False)
    pi.setMouseEnabled(x=False, y=False)
    pi.hideButtons()
    pi.setLogMode(y=log)
    if len(hs) > 1:
        fill = bar_item(COMPARE_COLOR, 80)
        set_bars(fill, hs[1].edges, hs[1].counts, log)
        outline = pg.PlotDataItem(pen=pg.mkPen(COMPARE_COLOR, width=1.5))
        set_outline(outline, hs[1].edges, hs[1].counts, log)
        outline.setZValue(6)
        pi.addItem(fill)
        pi.vb.addItem(outline)  # not through PlotItem: no second log transform
    bars = bar_item(CURRENT_COLOR, 200)
    set_bars(bars, hs[0].edges, hs[0].counts, log)
    pi.addItem(bars)
    for hh, brush in zip(hs, (pg.mkBrush(*ZERO_COLOR, 235), QBrush(QColor(*COMPARE_COLOR), Qt.BDiagPattern))):
        if hh.zeros:
            zb = pg.BarGraphItem(x0=[0], width=[1], height=[0], brush=brush, pen=None)
            set_zero_bar(zb, hh, log)
            zb.setZValue(3)
            pi.addItem(zb)
    tallest = max(int(x.counts.max(initial=0)) for x in hs)
    zeros = max(x.zeros for x in hs)
    if log:
        pi.setYRange(LOG_BASELINE, log_top(tallest, zeros), padding=0)
    else:
        pi.setYRange(0, linear_top(tallest, zeros), padding=0)
    pi.setXRange(float(hs[0].edges[0]), float(hs[0].edges[-1]), padding=0.04)
