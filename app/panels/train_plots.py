"""The Train view's live curves: loss and task metric per epoch, the per-batch loss, and legends.

Each plot has its legend in a row above it (a wrapping row of Qt widgets, never over the data:
loss curves fall into the corner a legend would take, accuracy climbs into the other one).
The per-batch loss is Keras' running mean turned back into single-batch losses, then smoothed
(:class:`BatchLossSmoother`, no Qt in it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QPointF, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.palette import BLUE, SERIES, VERMILION, mute, style_axes

EMA_BETA = 0.9  # smoothing of the per-batch loss: an effective window of ~10 batches

# Colour-blind-safe pair (Okabe-Ito): train blue, validation vermilion.
TRAIN_COLOR = BLUE
VAL_COLOR = VERMILION
BATCH_COLOR = (*BLUE, 70)
# Distillation: one colour per loss term (total keeps the train blue), validation dashed.
HARD_COLOR = SERIES[2]  # bluish green
DISTILL_COLOR = SERIES[3]  # reddish purple
LEGEND_KEY_COLOR = (90, 90, 90)

DISTILL_CURVES = ("hard_loss", "val_hard_loss", "distill_loss", "val_distill_loss")
CURVE_NAMES = ("loss", "val_loss", "batch_loss", "metric", "val_metric", *DISTILL_CURVES)

CTX = "TrainPlots"
METRIC_LABELS = {
    "accuracy": QT_TRANSLATE_NOOP("TrainPlots", "accuracy"),
    "mae": QT_TRANSLATE_NOOP("TrainPlots", "mean absolute error"),
    "mse": QT_TRANSLATE_NOOP("TrainPlots", "mean squared error"),
}
LOSS_LABELS = {
    "sparse_categorical_crossentropy": QT_TRANSLATE_NOOP("TrainPlots", "cross-entropy"),
    "categorical_crossentropy": QT_TRANSLATE_NOOP("TrainPlots", "cross-entropy"),
    "mse": QT_TRANSLATE_NOOP("TrainPlots", "mean squared error"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


class BatchLossSmoother:
    """Per-batch loss points from Keras' per-epoch running means: ``(x in epochs, smoothed loss)``.

    Keras reports the sample-weighted mean since the epoch began, so an EMA of that would lag and
    jump at every epoch start. With the batch size and the sample count known (the jobs' setup
    report) the single batch's loss is exact: ``(mean_b * n_b - mean_{b-1} * n_{b-1}) / size_b``;
    the EMA (``EMA_BETA``) is taken over those.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.steps_per_epoch: int | None = None
        self.n_train: int | None = None
        self.batch_size: int | None = None
        self._run_key: tuple[int, int] | None = None  # (epoch, batch) of the last running mean seen
        self._run_mean, self._run_count = 0.0, 0
        self._ema: float | None = None

    def setup(self, values: dict[str, Any]) -> None:
        self.steps_per_epoch = int(values.get("steps_per_epoch") or 1)
        self.n_train = int(values["n_train"]) if values.get("n_train") else None
        self.batch_size = int(values["batch_size"]) if values.get("batch_size") else None

    def add(self, values: dict[str, Any]) -> tuple[float, float] | None:
        """The point of one ``("batch", ...)`` report, or None for a non-finite loss."""
        running = float(values.get("loss", math.nan))
        if not np.isfinite(running):
            return None
        epoch, batch = int(values.get("epoch", 0)), int(values.get("batch", 0))
        steps = self.steps_per_epoch
        if steps is None:
            # Without the setup report, infer from the global step (exact from epoch 1 on).
            s = int(values.get("step", 0))
            steps = (s - batch - 1) // epoch if epoch > 0 else max(batch + 1, 1)
        x = epoch + (batch + 1) / max(steps, 1)
        loss = self._single_batch(epoch, batch, running)
        # Seeded with the first batch (not zero) so the start of the line is not pulled down.
        self._ema = loss if self._ema is None else EMA_BETA * self._ema + (1 - EMA_BETA) * loss
        return x, self._ema

    def _single_batch(self, epoch: int, batch: int, running: float) -> float:
        if self.n_train is None or self.batch_size is None:
            return running
        count = min((batch + 1) * self.batch_size, self.n_train)
        prev_mean, prev_count = 0.0, 0
        if batch > 0:
            if self._run_key == (epoch, batch - 1):
                prev_mean, prev_count = self._run_mean, self._run_count
            else:
                prev_count = None
        self._run_key, self._run_mean, self._run_count = (epoch, batch), running, count
        if prev_count is None or count <= prev_count:
            return running  # a missed report: fall back to the running mean for this one
        return (running * count - prev_mean * prev_count) / (count - prev_count)


# --- legends outside the plot area ----------------------------------------------------------------
class _FlowLayout(QLayout):
    """Left-to-right items that wrap onto more rows when the width runs out (Qt's flow example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12) -> None:
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int):  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int):  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, row_h = rect.x(), rect.y(), 0
        for item in self._items:
            w = item.sizeHint()
            if x + w.width() > rect.right() + 1 and row_h > 0:
                x, y, row_h = rect.x(), y + row_h + 2, 0
            if move:
                item.setGeometry(QRect(x, y, w.width(), w.height()))
            x += w.width() + self._spacing
            row_h = max(row_h, w.height())
        return y + row_h - rect.y()


class _LegendSample(QWidget):
    """A short stretch of a curve: its pen, and its symbol in the middle."""

    def __init__(self, item: pg.PlotDataItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._item = item
        self.setFixedSize(34, 14)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        opts = self._item.opts
        y = self.height() / 2
        p.setPen(pg.mkPen(opts["pen"]))
        p.drawLine(QPointF(1, y), QPointF(self.width() - 1, y))
        if opts.get("symbol") and opts.get("symbolBrush") is not None:
            p.setPen(Qt.NoPen)
            p.setBrush(pg.mkBrush(opts["symbolBrush"]))
            r = (opts.get("symbolSize") or 6) / 2
            p.drawEllipse(QPointF(self.width() / 2, y), r, r)


class PlotLegend(QWidget):
    """A plot's legend as a wrapping row above it: an optional title, then sample + name pairs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = _FlowLayout(self)
        self._labels: list[str] = []
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        pol = self.sizePolicy()
        pol.setHeightForWidth(True)
        self.setSizePolicy(pol)

    def set_entries(self, entries: list[tuple[pg.PlotDataItem, str]], title: str = "") -> None:
        while (item := self._layout.takeAt(0)) is not None:
            if item.widget() is not None:
                item.widget().hide()  # gone now, deleted later
                item.widget().deleteLater()
        self._labels = []
        if title:
            head = QLabel(title)
            mute(head)
            self._layout.addWidget(head)
        for plot_item, name in entries:
            entry = QWidget()
            row = QHBoxLayout(entry)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(4)
            row.addWidget(_LegendSample(plot_item))
            row.addWidget(QLabel(name))
            self._layout.addWidget(entry)
            self._labels.append(name)
        for i in range(self._layout.count()):
            # Now, not at the next event loop turn (Qt's default): the height must count them at once.
            self._layout.itemAt(i).widget().show()
        self._layout.invalidate()
        self.updateGeometry()

    def labels(self) -> list[str]:
        """The entries' names, in order (the title excluded)."""
        return list(self._labels)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._layout.heightForWidth(width)

    def sizeHint(self) -> QSize:  # noqa: N802
        w = max(self.width(), 300)
        return QSize(w, self.heightForWidth(w))


class _LocaleAxis(pg.AxisItem):
    """Tick labels with the reader's decimal point (``0,5`` in Italian), as in the status line."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        point = QLocale().decimalPoint()
        strings = super().tickStrings(values, scale, spacing)
        return strings if point == "." else [t.replace(".", point) for t in strings]


class _LossAxis(_LocaleAxis):
    """The loss axis: on a log scale, ticks at 1-2-5 (or fewer) per decade, as many as its height
    can label without overlap (pyqtgraph's own log ticks pile up on a short plot)."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's names)
        if not self.logMode or not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return super().tickValues(minVal, maxVal, size)
        room = max(2, int(size / (1.8 * QFontMetrics(QApplication.font()).height())))
        lo, hi = math.floor(minVal), math.ceil(maxVal)
        # One significant digit each: pyqtgraph labels log ticks with "%0.1g".
        ladders = [
            (1,),
            (1, 3),
            (1, 2, 5),
            (1, 2, 3, 5),
            (1, 2, 3, 5, 7),
            (1, 2, 3, 4, 6, 8),
            tuple(range(1, 10)),
        ]
        sets = [
            [
                math.log10(m) + e
                for e in range(lo, hi + 1)
                for m in mults
                if minVal <= math.log10(m) + e <= maxVal
            ]
            for mults in ladders
        ]
        fitting = [t for t in sets if 2 <= len(t) <= room]
        if fitting:
            return [(1.0, fitting[-1])]
        enough = [t for t in sets if len(t) >= 2]
        if enough:
            return [(1.0, enough[0])]
        return super().tickValues(minVal, maxVal, size)


def _style_plot(pw: pg.PlotWidget, ylabel: str) -> None:
    """White background, black axes and text, a closed frame: reads like a figure, prints like one."""
    pi = pw.getPlotItem()
    style_axes(pi, closed_frame=True)
    pi.setLabel("bottom", QCoreApplication.translate("TrainPlots", "epoch"))
    pi.setLabel("left", ylabel)
    pi.showGrid(x=True, y=True, alpha=0.15)
    pi.setMenuEnabled(True)
    pw.setMinimumHeight(140)


def _with_legend(legend: PlotLegend, plot: pg.PlotWidget) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(legend)
    lay.addWidget(plot, 1)
    return box


# --- the curves -----------------------------------------------------------------------------------
class TrainPlots(QWidget):
    """Loss (top) and task metric (bottom) against epochs, each with its legend above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.smoother = BatchLossSmoother()
        self.task = ""
        self.distilling = False  # the curves on show are those of a distillation
        self._metric = ""  # "accuracy" or "mae": from the setup report or the first epoch report
        self._loss_kind = ""
        self.last: dict[str, float] = {}  # the latest epoch report's values
        self._last_epoch = -1
        self._data: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in CURVE_NAMES}
        self._plotted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._dirty = False

        self.loss_plot = pg.PlotWidget(
            background="w", axisItems={"left": _LossAxis("left"), "bottom": _LocaleAxis("bottom")}
        )
        self.metric_plot = pg.PlotWidget(
            background="w", axisItems={"left": _LocaleAxis("left"), "bottom": _LocaleAxis("bottom")}
        )
        _style_plot(self.loss_plot, self.tr("loss"))
        _style_plot(self.metric_plot, self.tr("metric"))
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_legend = PlotLegend()
        self.metric_legend = PlotLegend()
        self._build_items()

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(_with_legend(self.loss_legend, self.loss_plot))
        splitter.addWidget(_with_legend(self.metric_legend, self.metric_plot))
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)  # the loss plot's legend is the taller one
        splitter.setStretchFactor(1, 2)
        # The plots share their epoch axis: its name once, under the lower plot.
        self.loss_plot.getPlotItem().setLabel("bottom", "")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(splitter)

        # Per-batch reports arrive hundreds of times a second on small data: plot at <= 20 Hz.
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(50)
        self._redraw_timer.timeout.connect(self._redraw_if_dirty)
        self.reset()

    def _build_items(self) -> None:
        dot = {"symbol": "o", "symbolSize": 6}

        def curve(pw, color, dashed=False, **kw):
            style = Qt.DashLine if dashed else Qt.SolidLine
            return pw.plot(pen=pg.mkPen(color, width=2, style=style), symbolBrush=color, symbolPen=None, **kw)

        self._items = {
            "batch_loss": self.loss_plot.plot(pen=pg.mkPen(BATCH_COLOR, width=1.2)),
            "loss": curve(self.loss_plot, TRAIN_COLOR, **dot),
            "val_loss": curve(self.loss_plot, VAL_COLOR, dashed=True, **dot),
            "metric": curve(self.metric_plot, TRAIN_COLOR, **dot),
            "val_metric": curve(self.metric_plot, VAL_COLOR, dashed=True, **dot),
        }
        # The distillation's loss terms: shown only while a distillation is on show.
        small = {"symbol": "o", "symbolSize": 5}
        for key, color in (
            ("hard_loss", HARD_COLOR),
            ("val_hard_loss", HARD_COLOR),
            ("distill_loss", DISTILL_COLOR),
            ("val_distill_loss", DISTILL_COLOR),
        ):
            style = Qt.DashLine if key.startswith("val_") else Qt.SolidLine
            item = self.loss_plot.plot(
                pen=pg.mkPen(color, width=1.6, style=style), symbolBrush=color, symbolPen=None, **small
            )
            item.setVisible(False)
            self._items[key] = item
        # A legend entry only: "dashed = validation" in place of one entry per validation curve.
        self._val_key = pg.PlotDataItem(pen=pg.mkPen(LEGEND_KEY_COLOR, width=2, style=Qt.DashLine))

    # --- state -----------------------------------------------------------------------------
    def reset(self, distill: bool = False) -> None:
        """Empty curves for a new run (a distillation shows its loss terms too)."""
        self.distilling = distill
        self._data = {k: ([], []) for k in CURVE_NAMES}
        self.last = {}
        self._last_epoch = -1
        self.smoother.reset()
        self.task = ""
        self._metric = ""
        self._loss_kind = ""
        self._set_distill_display(distill)
        self._set_metric_legend()
        self.metric_plot.getPlotItem().setLabel("left", self.tr("metric"))
        self._redraw()
        self.loss_plot.getPlotItem().enableAutoRange()
        self.metric_plot.getPlotItem().enableAutoRange()

    def start_live(self) -> None:
        self._redraw_timer.start()

    def stop_live(self) -> None:
        self._redraw_timer.stop()
        self._redraw()

    def set_log_y(self, on: bool) -> None:
        self.loss_plot.getPlotItem().setLogMode(y=on)

    def epochs_plotted(self) -> int:
        return len(self._data["loss"][0])

    def batches_plotted(self) -> int:
        return len(self._data["batch_loss"][0])

    def metric_name(self) -> str:
        """The task metric on the second plot (``accuracy`` or ``mae``; empty before a run)."""
        return self._metric

    # --- reports ---------------------------------------------------------------------------
    def on_report(self, kind: str, values: dict[str, Any]) -> None:
        """One job report: ``setup``, ``batch`` or ``epoch`` (see :mod:`core.train_jobs`)."""
        if kind == "setup":
            self.smoother.setup(values)
            self.task = values.get("task", "")
            self._loss_kind = values.get("loss") or ""
            self._set_distill_display(self.distilling)  # the legend title names the loss
            self._set_metric("accuracy" if self.task == "classification" else "mae")
        elif kind == "batch":
            point = self.smoother.add(values)
            if point is not None:
                xs, ys = self._data["batch_loss"]
                xs.append(point[0])
                ys.append(point[1])
                self._dirty = True
        elif kind == "epoch":
            self._on_epoch(values)

    def _on_epoch(self, v: dict[str, Any]) -> None:
        epoch = int(v.get("epoch", len(self._data["loss"][0])))
        if epoch <= self._last_epoch:
            return  # a repeated report must not add a second point for one epoch
        self._last_epoch = epoch
        if not self._metric:
            self._set_metric("accuracy" if "accuracy" in v else "mae")
        x = float(epoch + 1)  # plotted at the end of the epoch, in line with the batch curve
        scale = 100.0 if self._metric == "accuracy" else 1.0
        for key, src, s in (
            ("loss", "loss", 1.0),
            ("val_loss", "val_loss", 1.0),
            ("metric", self._metric, scale),
            ("val_metric", f"val_{self._metric}", scale),
            *((k, k, 1.0) for k in DISTILL_CURVES),
        ):
            if src in v:
                self._data[key][0].append(x)
                self._data[key][1].append(float(v[src]) * s)
        self.last.update({k: float(val) for k, val in v.items() if k != "epoch"})
        self._redraw()

    def _set_metric(self, metric: str) -> None:
        if metric == self._metric:
            return
        self._metric = metric
        pi = self.metric_plot.getPlotItem()
        # Written into the text, not as pyqtgraph units, which would add SI prefixes (m, k).
        if metric == "accuracy":
            pi.setLabel("left", self.tr("accuracy (%)"))
        else:
            pi.setLabel("left", _tr(METRIC_LABELS.get(metric, metric)))
        self._set_metric_legend()

    def _set_metric_legend(self) -> None:
        title = _tr(METRIC_LABELS[self._metric]).capitalize() + ":" if self._metric in METRIC_LABELS else ""
        self.metric_legend.set_entries(
            [(self._items["metric"], self.tr("train")), (self._items["val_metric"], self.tr("validation"))],
            title,
        )

    def _loss_title(self) -> str:
        """The legend's title: what the loss is (kept off the axis, where a long label is cut)."""
        if self._loss_kind in LOSS_LABELS:
            kind = _tr(LOSS_LABELS[self._loss_kind])
            if self.distilling and self.task == "classification":
                # The two terms are not the same kind of number.
                return self.tr("Loss ({0}; teacher term T²·KL):").format(kind)
            return self.tr("Loss ({0}):").format(kind)
        return self.tr("Loss:")

    def _set_distill_display(self, distill: bool) -> None:
        """Show the loss terms of a distillation, or the plain-training look.

        Distillation: one colour per term (total, truth, teacher), validation dashed, and a
        legend of terms with one "dashed: validation" key. Plain training: train blue, validation
        vermilion dashed, as always.
        """
        self.distilling = distill
        items = self._items
        val_color = TRAIN_COLOR if distill else VAL_COLOR
        items["val_loss"].setPen(pg.mkPen(val_color, width=2, style=Qt.DashLine))
        items["val_loss"].setSymbolBrush(val_color)
        for key in DISTILL_CURVES:
            items[key].setVisible(distill)
        if distill:
            entries = [
                (items["batch_loss"], self.tr("total, per batch (EMA)")),
                (items["loss"], self.tr("total: α·truth + (1−α)·teacher")),
                (items["hard_loss"], self.tr("truth term (hard labels)")),
                (items["distill_loss"], self.tr("teacher term")),
                (self._val_key, self.tr("dashed: validation")),
            ]
        else:
            entries = [
                (items["batch_loss"], self.tr("train, per batch (EMA)")),
                (items["loss"], self.tr("train")),
                (items["val_loss"], self.tr("validation")),
            ]
        self.loss_legend.set_entries(entries, self._loss_title())

    # --- drawing ---------------------------------------------------------------------------
    def _redraw_if_dirty(self) -> None:
        if self._dirty:
            self._redraw()

    def _redraw(self) -> None:
        self._dirty = False
        for key, item in self._items.items():
            xs, ys = self._data[key]
            x = np.asarray(xs, dtype=float)
            y = np.asarray(ys, dtype=float)
            item.setData(x, y)
            self._plotted[key] = (x, y)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is plotted, by name: ``loss``, ``val_loss``, ``batch_loss`` (EMA, x in fractional
        epochs), ``metric``, ``val_metric`` (accuracy in %, or the regression MAE), and for a
        distillation its loss terms ``hard_loss``, ``val_hard_loss``, ``distill_loss``,
        ``val_distill_loss`` (empty otherwise). x is in epochs."""
        self._redraw_if_dirty()
        return {k: (x.copy(), y.copy()) for k, (x, y) in self._plotted.items()}
