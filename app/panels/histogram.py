"""One weight-histogram widget for the Weights view and the compression preview.

A layer's weights drawn the way both views need them: the non-zero values as bars, the zeros as
their own bar at 0 (a pruned layer's spike would otherwise flatten everything else), an optional
second histogram on identical bins as a light fill with its outline in front (another variant, or
the weights before compression), the ends of a fixed-point range as dashed lines, a note when the
zero bar is cut off scale, and a centred message when there is nothing to draw. A log count axis
draws log10 counts with empty bins at :data:`LOG_BASELINE`, so a count of 1 still shows.

Also here: how the views write the numbers of their statistics tables (one formatting for
sparsity everywhere: :func:`fmt_sparsity`).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QSizePolicy

from app.i18n import fmt_num, fmt_pct
from app.palette import BLUE, ORANGE, VERMILION
from core.weights import WeightHistogram

# Okabe-Ito (colour-blind safe): the shown weights blue, their zeros vermilion, a compared set orange.
CURRENT_COLOR = BLUE
ZERO_COLOR = VERMILION
COMPARE_COLOR = ORANGE
OVERFLOW_COLOR = (204, 51, 17)
LOG_BASELINE = math.log10(0.5)  # bars start at half a count on the log axis, so a count of 1 shows
ZERO_CLIP_FACTOR = 1.5  # a zero bar this much above the tallest other bar is drawn off scale
SPARSITY_DECIMALS = 1  # 27.8 %: one decimal wherever a sparsity is shown


# --- numbers ------------------------------------------------------------------------------------
def fmt_value(v: float | None, digits: int = 4) -> str:
    """A weight-scale number with ``digits`` significant digits, in the current locale ("—" when undefined)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return QLocale().toString(float(v), "g", digits)


def fmt_count(n: int) -> str:
    """An integer with thin-space thousands (``1 024``), as in the layer table."""
    return f"{int(n):,}".replace(",", "\u202f")


def fmt_sparsity(fraction: float) -> str:
    """A sparsity (fraction of zeros) as every view shows it: ``27.8 %`` (``—`` when undefined)."""
    return "—" if not math.isfinite(fraction) else fmt_pct(fraction, SPARSITY_DECIMALS)


def fmt_bytes(n: float) -> str:
    """A size in B / kB / MB (decimal prefixes, as file sizes), in the current locale."""
    if n < 1e3:
        return f"{fmt_num(n, 0 if n == int(n) else 1)} B"
    if n < 1e6:
        return f"{fmt_num(n / 1e3, 1)} kB"
    return f"{fmt_num(n / 1e6, 2)} MB"


def swatch(color: tuple[int, int, int], char: str = "■") -> str:
    """A coloured character for a rich-text key ("■ preview")."""
    return f"<span style='color:rgb{tuple(color)}; font-size:14pt'>{char}</span>"


# --- plot pieces ----------------------------------------------------------------------------------
def style_plot(pi: pg.PlotItem, small: bool = False) -> None:
    """White figure look: dark axes, a light grid, no SI prefixes (0.004 stays 0.004)."""
    for side in ("left", "bottom"):
        ax = pi.getAxis(side)
        ax.setPen(pg.mkPen(60, 60, 60))
        ax.setTextPen(pg.mkPen(20, 20, 20))
        ax.enableAutoSIPrefix(False)
        if small:
            font = QFont()
            font.setPointSize(7)
            ax.setStyle(tickFont=font, tickTextOffset=2)
    pi.showGrid(x=True, y=True, alpha=0.15)


def bar_item(color: tuple[int, int, int], alpha: int) -> pg.BarGraphItem:
    return pg.BarGraphItem(x0=[0], width=[1], height=[0], brush=pg.mkBrush(*color, alpha), pen=None)


def hatched_bar(color: tuple[int, int, int], width: float = 2) -> pg.BarGraphItem:
    """A hatched bar: the zeros of the second histogram, drawn over the first one's."""
    return pg.BarGraphItem(
        x0=[0],
        width=[1],
        height=[0],
        brush=QBrush(QColor(*color), Qt.BDiagPattern),
        pen=pg.mkPen(*color, width=width),
    )


def linear_top(tallest: int, zeros: int) -> float:
    """Top of a linear count axis: room above the bars; a zero spike more than
    :data:`ZERO_CLIP_FACTOR` times the tallest other bar is cut rather than flattening the rest."""
    if tallest > 0 and zeros > ZERO_CLIP_FACTOR * tallest:
        return 1.3 * tallest
    return 1.15 * max(tallest, zeros, 1)


def log_top(tallest: int, zeros: int) -> float:
    """Top of a log10 count axis: every bar, the zero bar included, with a quarter decade above."""
    return math.log10(max(tallest, zeros, 1)) + 0.25


def tops(counts: np.ndarray, log: bool) -> np.ndarray:
    """Bar tops on the count axis: counts, or log10 counts (empty bins at :data:`LOG_BASELINE`)."""
    c = np.asarray(counts, dtype=np.float64)
    if not log:
        return c
    return np.where(c > 0, np.log10(np.maximum(c, 1)), LOG_BASELINE)


def set_bars(item: pg.BarGraphItem, edges: np.ndarray, counts: np.ndarray, log: bool) -> None:
    base = LOG_BASELINE if log else 0.0
    t = tops(counts, log)
    item.setOpts(x0=edges[:-1], width=np.diff(edges), y0=np.full(t.shape, base), height=t - base)


def set_outline(item: pg.PlotDataItem, edges: np.ndarray, counts: np.ndarray, log: bool) -> None:
    """A histogram's outline as one step line, down to the axis at both ends."""
    base = LOG_BASELINE if log else 0.0
    t = tops(counts, log)
    x = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
    y = np.concatenate([[base], np.repeat(t, 2), [base]])
    item.setData(x, y)


def set_zero_bar(item: pg.BarGraphItem, h: WeightHistogram, log: bool) -> None:
    """One bar centred on 0, one bin wide (its own bar, whatever bin 0 falls in)."""
    width = float(h.edges[1] - h.edges[0])
    set_bars(item, np.array([-width / 2, width / 2]), np.array([h.zeros]), log)


def bars_of(item: pg.BarGraphItem) -> tuple[np.ndarray, np.ndarray]:
    """(edges, bar tops) read back from a bar item."""
    x0 = np.asarray(item.opts["x0"], dtype=np.float64)
    width = np.asarray(item.opts["width"], dtype=np.float64)
    y0 = np.asarray(item.opts["y0"], dtype=np.float64)
    height = np.asarray(item.opts["height"], dtype=np.float64)
    return np.append(x0, x0[-1] + width[-1]), y0 + height


def counts_from(t: np.ndarray, log: bool) -> np.ndarray:
    """Counts back from bar tops (the inverse of :func:`tops`)."""
    if not log:
        return np.rint(t).astype(np.int64)
    return np.where(t > LOG_BASELINE, np.rint(10.0**t), 0).astype(np.int64)


def zero_count(item: pg.BarGraphItem, log: bool) -> int:
    return int(counts_from(bars_of(item)[1], log)[0]) if item.isVisible() else 0


class HistogramPlot(pg.PlotWidget):
    """A weight histogram with its zeros apart, an optional overlay, range lines and a message.

    Args:
        main_color, main_alpha: The bars of the weights shown.
        overlay_color, overlay_alpha: The second histogram's fill (its outline is opaque).
        range_label_at: Where along the range lines their "min"/"max" labels sit (0 bottom, 1 top).

    Attributes:
        plot: The :class:`pyqtgraph.PlotItem`; views add their own items (zones, grids) to it.
        bars, zero_bar, overlay_bars, overlay_outline, overlay_zero_bar, min_line, max_line,
        off_scale_text, message_text: The items drawn.
    """

    def __init__(
        self,
        parent=None,
        *,
        main_color: tuple[int, int, int] = CURRENT_COLOR,
        main_alpha: int = 200,
        overlay_color: tuple[int, int, int] = COMPARE_COLOR,
        overlay_alpha: int = 80,
        range_label_at: float = 0.55,
    ) -> None:
        super().__init__(parent, background="w")
        # Never ask the window for room: the plot takes what the layout leaves (a 1366×768 projector).
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(120, 120)
        self.plot = self.getPlotItem()
        self.headroom = 0.0  # top fraction of the plot kept free (a legend sits there)
        self._count_range: tuple[float, float] | None = None  # (bottom, top) of the bars
        style_plot(self.plot)
        self.plot.vb.setMouseEnabled(x=True, y=False)
        self.bars = bar_item(main_color, main_alpha)
        self.zero_bar = bar_item(ZERO_COLOR, 235)
        self.overlay_bars = bar_item(overlay_color, overlay_alpha)
        self.overlay_outline = pg.PlotDataItem(pen=pg.mkPen(*overlay_color, width=2))
        self.overlay_zero_bar = hatched_bar(overlay_color)
        self.range_pen = pg.mkPen(OVERFLOW_COLOR, width=1.5, style=Qt.DashLine)
        label = {"position": range_label_at, "color": OVERFLOW_COLOR, "fill": (255, 255, 255, 210)}
        self.min_line = pg.InfiniteLine(
            angle=90, pen=self.range_pen, label="min", labelOpts={**label, "anchors": [(0, 0.5), (0, 0.5)]}
        )
        self.max_line = pg.InfiniteLine(
            angle=90, pen=self.range_pen, label="max", labelOpts={**label, "anchors": [(1, 0.5), (1, 0.5)]}
        )
        self.off_scale_text = pg.TextItem("", color=(20, 20, 20), anchor=(0, 0), fill=(255, 255, 255, 210))
        self.message_text = pg.TextItem("", color=(90, 90, 90), anchor=(0.5, 0.5))
        for item, z in (
            (self.overlay_bars, 0),
            (self.bars, 1),
            (self.zero_bar, 3),
            (self.overlay_zero_bar, 4),
            (self.min_line, 5),
            (self.max_line, 5),
            (self.off_scale_text, 10),
            (self.message_text, 10),
        ):
            item.setZValue(z)
            self.plot.addItem(item, ignoreBounds=True)
        # Straight into the view box: PlotItem would log-transform it a second time in log mode.
        self.overlay_outline.setZValue(6)
        self.plot.vb.addItem(self.overlay_outline, ignoreBounds=True)
        self._extra: list = []  # the views' own items, hidden with the rest by show_message
        self.log = False

    def add_item(self, item, z: float) -> None:
        """Add a view's own item (hidden with the histogram when a message is shown)."""
        item.setZValue(z)
        self.plot.addItem(item, ignoreBounds=True)
        self._extra.append(item)

    def show_histograms(self, h: WeightHistogram, overlay: WeightHistogram | None, log: bool = False) -> None:
        """Draw ``h`` (bars and zero bar) and ``overlay`` (fill, outline, hatched zero bar) or no overlay."""
        self.log = log
        self.message_text.setText("")
        self.plot.setLogMode(y=log)
        set_bars(self.bars, h.edges, h.counts, log)
        set_zero_bar(self.zero_bar, h, log)
        self.bars.setVisible(True)
        self.zero_bar.setVisible(h.zeros > 0)
        if overlay is not None:
            set_bars(self.overlay_bars, overlay.edges, overlay.counts, log)
            set_outline(self.overlay_outline, overlay.edges, overlay.counts, log)
            set_zero_bar(self.overlay_zero_bar, overlay, log)
        for item in (self.overlay_bars, self.overlay_outline):
            item.setVisible(overlay is not None)
        self.overlay_zero_bar.setVisible(overlay is not None and overlay.zeros > 0)

    def fit_counts(
        self, h: WeightHistogram, overlay: WeightHistogram | None = None, overlay_name: str = ""
    ) -> float:
        """Set the count axis for ``h`` and ``overlay``; a zero spike far above the rest is cut, with
        its count written next to it. Returns the axis' top (a count, or log10 count in log mode)."""
        tallest = max(int(h.counts.max(initial=0)), int(overlay.counts.max(initial=0)) if overlay else 0)
        zeros = max(h.zeros, overlay.zeros if overlay is not None else 0)
        self.off_scale_text.setText("")
        if self.log:
            top = log_top(tallest, zeros)
            self._count_range = (LOG_BASELINE, top)
            self._apply_count_range()
            return top
        top = linear_top(tallest, zeros)
        self._count_range = (0.0, top)
        self._apply_count_range()
        cut = [self.tr("{0} zeros").format(fmt_count(h.zeros))] if h.zeros > top else []
        if overlay is not None and overlay.zeros > top:
            cut.append(self.tr("{0} in {1}").format(fmt_count(overlay.zeros), overlay_name))
        if cut:
            self.off_scale_text.setText(self.tr("▲ {0} (bar cut)").format(", ".join(cut)))
            self.off_scale_text.setPos(0.6 * float(h.edges[1] - h.edges[0]), top)
        return top

    def set_headroom(self, fraction: float) -> None:
        """Keep the top ``fraction`` (0–0.6) of the plot free of bars, for a legend drawn there."""
        fraction = min(max(float(fraction), 0.0), 0.6)
        if abs(fraction - self.headroom) > 0.005:
            self.headroom = fraction
            self._apply_count_range()

    def _apply_count_range(self) -> None:
        if self._count_range is None:
            return
        bottom, top = self._count_range
        self.plot.setYRange(bottom, bottom + (top - bottom) / (1.0 - self.headroom), padding=0)

    def show_range(self, lo: float | None, hi: float | None) -> None:
        """The dashed ends of a fixed-point range (None: hidden), labelled with their values."""
        for line, v, word in (
            (self.min_line, lo, self.tr("min")),
            (self.max_line, hi, self.tr("max")),
        ):
            line.setVisible(v is not None)
            if v is not None:
                line.setValue(v)
                line.label.setFormat(f" {word} {fmt_value(v, 6)} ")

    def show_message(self, msg: str) -> None:
        """Hide every item and show ``msg`` in the middle."""
        self._count_range = None
        for item in (
            self.bars,
            self.zero_bar,
            self.overlay_bars,
            self.overlay_outline,
            self.overlay_zero_bar,
            self.min_line,
            self.max_line,
            *self._extra,
        ):
            item.setVisible(False)
        self.off_scale_text.setText("")
        self.plot.setLogMode(y=False)
        self.log = False
        self.plot.setTitle("")
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)
        self.message_text.setText(msg)
        self.message_text.setPos(0.5, 0.5)

    def drawn(self) -> dict:
        """What the bars show, read back from the items: ``edges``, ``heights`` (bar tops as drawn),
        ``counts``, ``zeros`` and ``overlay_edges``/``overlay_counts``/``overlay_zeros`` (None
        without overlay)."""
        edges, t = bars_of(self.bars)
        out = {"edges": edges, "heights": t, "counts": counts_from(t, self.log)}
        out["zeros"] = zero_count(self.zero_bar, self.log)
        if self.overlay_bars.isVisible():
            oedges, ot = bars_of(self.overlay_bars)
            out.update(overlay_edges=oedges, overlay_counts=counts_from(ot, self.log))
            out["overlay_zeros"] = zero_count(self.overlay_zero_bar, self.log)
        else:
            out.update(overlay_edges=None, overlay_counts=None, overlay_zeros=None)
        return out
