"""The Weights view's side panel: a fixed-point format (``ap_fixed<W,I>``) and the statistics table.

The format is what hls4ml stores the weights as; the panel says what it keeps of the layer's
weights (representable fraction, overflows, values flushed to 0). The statistics come from
:func:`core.weights.weight_stats` and :func:`core.weights.quantization_report`.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from app.panels.histogram import OVERFLOW_COLOR, HistogramPlot, fmt_count, fmt_sparsity, fmt_value
from core.weights import OVERFLOW_MODES, ROUNDING_MODES, FixedPointFormat

DEFAULT_WIDTH, DEFAULT_INTEGER = 16, 6  # hls4ml's default precision, ap_fixed<16,6>
FLUSH_COLOR = (120, 120, 120)


class FormatZones:
    """A fixed-point format on a histogram: red zones outside its range (nothing is tinted while
    every weight fits), the grey band of values that round to 0, its ends as dashed lines."""

    def __init__(self, hist: HistogramPlot) -> None:
        self.hist = hist
        overflow = pg.mkBrush(*OVERFLOW_COLOR, 38)
        self.overflow_low = pg.LinearRegionItem((0, 1), movable=False, brush=overflow, pen=pg.mkPen(None))
        self.overflow_high = pg.LinearRegionItem((0, 1), movable=False, brush=overflow, pen=pg.mkPen(None))
        self.flush_region = pg.LinearRegionItem(
            (0, 1), movable=False, brush=pg.mkBrush(*FLUSH_COLOR, 70), pen=pg.mkPen(None)
        )
        for item, z in ((self.overflow_low, -20), (self.overflow_high, -20), (self.flush_region, -19)):
            hist.add_item(item, z)
        # The legend's sample (region items have none).
        self.swatch = pg.BarGraphItem(
            x0=[0], width=[1], height=[1], brush=pg.mkBrush(*OVERFLOW_COLOR, 60), pen=hist.range_pen
        )

    def hide(self) -> None:
        for item in (self.overflow_low, self.overflow_high, self.flush_region):
            item.setVisible(False)
        self.hist.show_range(None, None)

    def show(self, fmt: FixedPointFormat, lo: float, hi: float) -> None:
        """Draw ``fmt`` on a view spanning ``lo``..``hi`` (weight units)."""
        self.flush_region.setRegion(fmt.flush_interval)
        self.hist.show_range(fmt.min, fmt.max)
        # Zones end far outside the view, not at infinity: Qt cannot paint a rectangle billions
        # of pixels wide.
        far = 100.0 * (hi - lo)
        self.overflow_low.setRegion((min(fmt.min, lo) - far, fmt.min))
        self.overflow_high.setRegion((fmt.max, max(fmt.max, hi) + far))
        for item in (self.overflow_low, self.overflow_high, self.flush_region):
            item.setVisible(True)

    def range(self) -> tuple[float, float] | None:
        """``(min, max)`` where the overflow zones start, None when no format is drawn."""
        if not self.hist.min_line.isVisible():
            return None
        return self.overflow_low.getRegion()[1], self.overflow_high.getRegion()[0]


class WeightsSide(QWidget):
    """Fixed-point format controls, what the format keeps, and the statistics table.

    Signals:
        changed(): The format changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats_table = QTableWidget(0, 2)
        self.stats_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.stats_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.stats_table.setAlternatingRowColors(True)
        self.stats_table.setTextElideMode(Qt.ElideMiddle)  # a narrow cell keeps both ends; tooltip: all
        self.stats_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.stats_table.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)
        self.stats_table.setMinimumHeight(80)
        # Two columns of whole numbers ("-0.0009766", "16 384 (82.4 %)") beside the row names.
        number = self.stats_table.fontMetrics().horizontalAdvance("16 384 (82.4 %)") + 10
        names = self.stats_table.fontMetrics().horizontalAdvance(self.tr("zeros (sparsity)")) + 16
        self.stats_table.setMinimumWidth(names + 2 * number)

        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, 64)
        self.width_spin.setValue(DEFAULT_WIDTH)
        self.width_spin.setToolTip(self.tr("W: total bits, sign included"))
        self.integer_spin = QSpinBox()
        self.integer_spin.setRange(-32, 64)
        self.integer_spin.setValue(DEFAULT_INTEGER)
        self.integer_spin.setToolTip(self.tr("I: bits left of the binary point, sign included"))
        self.rounding_combo = QComboBox()
        self.rounding_combo.addItems(ROUNDING_MODES)
        self.rounding_combo.setToolTip(self.tr("TRN floors (ap_fixed's default), RND rounds to nearest"))
        self.overflow_combo = QComboBox()
        self.overflow_combo.addItems(OVERFLOW_MODES)
        self.overflow_combo.setToolTip(
            self.tr("WRAP wraps around (ap_fixed's default), SAT clips to the range")
        )
        # The text wraps to the panel's width and never widens it (nor the window).
        self.format_label = QLabel("")
        self.format_label.setWordWrap(True)
        self.format_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.format_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        wi = QHBoxLayout()
        wi.addWidget(QLabel("W"))
        wi.addWidget(self.width_spin)
        wi.addWidget(QLabel("I"))
        wi.addWidget(self.integer_spin)
        modes = QHBoxLayout()
        modes.addWidget(self.rounding_combo)
        modes.addWidget(self.overflow_combo)
        fx = QGroupBox(self.tr("Fixed point, as hls4ml stores weights"))
        form = QFormLayout(fx)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.addRow("ap_fixed<W,I>", wi)
        form.addRow(self.tr("Rounding, overflow"), modes)
        form.addRow(self.format_label)
        for w in (self.width_spin, self.integer_spin):
            w.valueChanged.connect(lambda _v: self.changed.emit())
        for c in (self.rounding_combo, self.overflow_combo):
            c.currentIndexChanged.connect(lambda _i: self.changed.emit())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(fx)
        lay.addWidget(self.stats_table, 1)

    def fixed_point_format(self) -> FixedPointFormat:
        """The format set in the panel (ValueError for an impossible combination)."""
        return FixedPointFormat(
            self.width_spin.value(),
            self.integer_spin.value(),
            rounding=self.rounding_combo.currentText(),
            overflow=self.overflow_combo.currentText(),
        )

    def show_format_error(self, msg: str) -> None:
        self.format_label.setText(f"<span style='color:#c62828'>{html.escape(msg)}</span>")

    def show_format(self, fmt: FixedPointFormat, report: dict) -> None:
        """The format's step and range, and what it keeps of the weights (``report``)."""
        frac = report["representable_fraction"]
        color = "#2e7d32" if frac >= 0.999 else ("#ef6c00" if frac >= 0.95 else "#c62828")
        step = self.tr("step 2<sup>{0}</sup> = {1}, range [{2}, {3}]").format(
            -fmt.f, fmt_value(fmt.lsb), fmt_value(fmt.min, 6), fmt_value(fmt.max, 6)
        )
        kept = self.tr("{0} of these weights representable ({1} overflow, {2} flushed to 0).").format(
            f"<b style='color:{color}'>{fmt_pct(frac, 2)}</b>",
            fmt_count(report["overflow"]),
            fmt_count(report["underflow"]),
        )
        key = self.tr("Red: overflow zones; grey band: values that become 0.")
        self.format_label.setText(
            f"<b>{html.escape(str(fmt))}</b>: {step}<br>{kept} <span style='color:gray'>{key}</span>"
        )

    def clear(self) -> None:
        self.format_label.setText("")
        self.stats_table.setRowCount(0)
        self.stats_table.setColumnCount(0)

    def _column(self, st: dict, rep: dict | None) -> list[str]:
        out = [
            fmt_count(st["count"]),
            f"{fmt_count(st['zeros'])} ({fmt_sparsity(st['sparsity'])})",
            fmt_value(st["mean"]),
            fmt_value(st["std"]),
            fmt_value(st["rms"]),
            fmt_value(st["min"]),
            fmt_value(st["max"]),
            fmt_value(st["abs_max"]),
        ]
        if rep is not None:
            lsb = self.tr("{0} LSB").format(fmt_num(rep["rms_error"] / rep["lsb"], 2))
            out += [
                fmt_pct(rep["representable_fraction"], 2),
                fmt_count(rep["overflow"]),
                fmt_count(rep["underflow"]),
                f"{fmt_value(rep['rms_error'])} ({lsb})",
                fmt_value(rep["max_abs_error"]),
            ]
        return out

    def fill_stats(
        self, headers: list[str], s: dict, cs: dict | None, r: dict | None, cr: dict | None
    ) -> None:
        """One column of statistics per variant (``s``/``r`` this one, ``cs``/``cr`` the compared)."""
        labels = [
            self.tr("weights"),
            self.tr("zeros (sparsity)"),
            self.tr("mean"),
            self.tr("std"),
            self.tr("rms"),
            self.tr("min"),
            self.tr("max"),
            self.tr("max |w|"),
        ]
        if r is not None:
            labels += [
                self.tr("representable"),
                self.tr("overflow"),
                self.tr("flushed to 0"),
                self.tr("rms error"),
                self.tr("max error"),
            ]
        cols = [self._column(s, r)] + ([self._column(cs, cr)] if cs is not None else [])
        self.stats_table.setColumnCount(len(cols))
        for c, name in enumerate(headers):  # variant names may be long: elided, whole in the tooltip
            head = QTableWidgetItem(name)
            head.setToolTip(name)
            self.stats_table.setHorizontalHeaderItem(c, head)
        self.stats_table.setRowCount(len(labels))
        self.stats_table.setVerticalHeaderLabels(labels)
        for c, col in enumerate(cols):
            for row, text in enumerate(col):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setToolTip(text)
                self.stats_table.setItem(row, c, item)
