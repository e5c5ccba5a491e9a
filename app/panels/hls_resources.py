"""The HLS view's Resources tab: FPGA resources and latency against the Alveo U50's capacity.

Two sources, never mixed up: the analytic estimate (always there, always labelled
"estimate (analytic model)") and a vendor report (after a build, or imported; labelled
"vendor report"). Bars show the fraction of the U50's LUT / FF / DSP / BRAM / URAM each uses; the
table gives the numbers, the latency in cycles and ns, and the initiation interval.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_sig
from app.palette import BLUE, SKY_BLUE, VERMILION, mute, muted_text, style_axes
from app.panels.hls_profile import LayerAxis

RESOURCES = ("LUT", "FF", "DSP", "BRAM_18K", "URAM")
RESOURCE_LABELS = {"LUT": "LUT", "FF": "FF", "DSP": "DSP", "BRAM_18K": "BRAM 18K", "URAM": "URAM"}
ESTIMATE_LABEL = QT_TRANSLATE_NOOP("ResourcesView", "estimate (analytic model)")
REPORT_LABEL = QT_TRANSLATE_NOOP("ResourcesView", "vendor report")
ESTIMATE_COLOR = SKY_BLUE  # Okabe–Ito sky blue, hatched: not a measurement
REPORT_COLOR = BLUE  # Okabe–Ito blue, solid
OVER_COLOR = VERMILION
MISSING = "—"
TIMING_ROWS = (
    ("latency_cycles", QT_TRANSLATE_NOOP("ResourcesView", "Latency (cycles)")),
    ("latency_ns", QT_TRANSLATE_NOOP("ResourcesView", "Latency (ns)")),
    ("ii", QT_TRANSLATE_NOOP("ResourcesView", "Initiation interval (cycles)")),
    ("clock_ns", QT_TRANSLATE_NOOP("ResourcesView", "Clock period (ns)")),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResourcesView", text)


def _fmt_int(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return MISSING
    return fmt_num(round(float(v)), 0)


def _fmt_num(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return MISSING
    v = float(v)
    return fmt_num(v, 0) if abs(v) >= 100 else fmt_sig(v, 3)


def _fmt_pct(frac: float | None) -> str:
    if frac is None or not math.isfinite(frac):
        return ""
    pct = 100 * frac
    if pct == 0:
        return "0 %"
    return f"{fmt_sig(pct, 2)} %" if pct < 10 else f"{fmt_num(pct, 0)} %"


def _fit_text(est: dict[str, float], rep: dict[str, float]) -> str:
    """A warning naming the resources beyond the U50's capacity ("" when everything fits)."""
    parts = []
    for label, fr in ((_tr(REPORT_LABEL), rep), (_tr(ESTIMATE_LABEL), est)):
        over = [f"{RESOURCE_LABELS[r]} {_fmt_pct(v)}" for r, v in fr.items() if v > 1.0]
        if over:
            parts.append(f"{', '.join(over)} ({label})")
    if not parts:
        return ""
    return (
        f"<span style='color:rgb{OVER_COLOR}'><b>"
        + QCoreApplication.translate("ResourcesView", "Does not fit the U50:")
        + "</b> "
        + QCoreApplication.translate(
            "ResourcesView", "{0}. Raise the reuse factor, use the Resource strategy, or fewer bits."
        ).format("; ".join(parts))
        + "</span>"
    )


class ResourcesView(QWidget):
    """Utilization bars and a numbers table: estimate and vendor report side by side."""

    def __init__(self, capacity: dict[str, int], part: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capacity = dict(capacity)
        self.part = part
        self._estimate: dict[str, Any] | None = None
        self._report: dict[str, Any] | None = None
        self._report_source = ""
        self._estimate_note = ""

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.RichText)
        self.resource_axis = LayerAxis("left")
        self.resource_axis.set_names([RESOURCE_LABELS[r] for r in RESOURCES])
        self.plot_widget = pg.PlotWidget(background="w", axisItems={"left": self.resource_axis})
        self.plot = self.plot_widget.getPlotItem()
        style_axes(self.plot)
        self.plot.setLabel("bottom", self.tr("fraction of the Alveo U50's resources (%)"))
        self.plot.showGrid(x=True, y=False, alpha=0.18)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.vb.setMouseEnabled(x=False, y=False)
        self.plot.invertY(True)
        hatched = QBrush(QColor(*ESTIMATE_COLOR), Qt.BDiagPattern)
        self.estimate_bars = pg.BarGraphItem(
            x0=[0], width=[0], y=[0], height=[0], brush=hatched, pen=pg.mkPen(*ESTIMATE_COLOR, width=1.5)
        )
        self.report_bars = pg.BarGraphItem(
            x0=[0], width=[0], y=[0], height=[0], brush=pg.mkBrush(*REPORT_COLOR, 210), pen=None
        )
        self.full_line = pg.InfiniteLine(
            pos=100,
            angle=90,
            pen=pg.mkPen(*OVER_COLOR, width=1.5, style=Qt.DashLine),
            label=self.tr("U50 full"),
            labelOpts={"position": 0.05, "color": OVER_COLOR},
        )
        self.plot.addItem(self.estimate_bars)
        self.plot.addItem(self.report_bars)
        self.plot.addItem(self.full_line)
        self._bar_labels: list[pg.TextItem] = []

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            ["", self.tr("U50 capacity"), _tr(ESTIMATE_LABEL), _tr(REPORT_LABEL)]
        )
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.fit_label = QLabel()
        self.fit_label.setWordWrap(True)
        self.fit_label.setTextFormat(Qt.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        mute(self.note)

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.plot_widget)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.header)
        lay.addWidget(self.fit_label)
        lay.addWidget(splitter, 1)
        lay.addWidget(self.note)
        self._redraw()

    # --- data ------------------------------------------------------------------------------
    def set_estimate(self, numbers: dict[str, Any] | None, note: str = "") -> None:
        """The analytic estimate: :data:`RESOURCES` counts and the :data:`TIMING_ROWS` keys."""
        self._estimate = dict(numbers) if numbers else None
        self._estimate_note = note
        self._redraw()

    def set_report(self, numbers: dict[str, Any] | None, source: str = "") -> None:
        """A vendor report's numbers (same keys as the estimate), or None."""
        self._report = dict(numbers) if numbers else None
        self._report_source = source
        self._redraw()

    def shown(self) -> dict[str, Any]:
        """What the tab shows: ``estimate`` / ``report`` (numbers or None), their column
        ``labels``, ``utilization`` ``{"estimate"|"report": {resource: fraction}}`` read back from
        the bars, and the ``header`` text."""

        def bars(item: pg.BarGraphItem) -> dict[str, float]:
            if not item.isVisible():
                return {}
            w = np.asarray(item.opts["width"], dtype=float)
            y = np.asarray(item.opts["y"], dtype=float)
            out = {}
            for wi, yi in zip(w, y):
                out[RESOURCES[int(round(yi))]] = wi / 100.0
            return out

        return {
            "estimate": dict(self._estimate) if self._estimate else None,
            "report": dict(self._report) if self._report else None,
            "labels": [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())],
            "utilization": {"estimate": bars(self.estimate_bars), "report": bars(self.report_bars)},
            "header": self.header.text(),
        }

    # --- drawing ---------------------------------------------------------------------------
    def _fractions(self, numbers: dict[str, Any] | None) -> dict[str, float]:
        if not numbers:
            return {}
        out = {}
        for r in RESOURCES:
            v, cap = numbers.get(r), self.capacity.get(r)
            if v is not None and cap:
                out[r] = float(v) / cap
        return out

    def _redraw(self) -> None:
        est, rep = self._fractions(self._estimate), self._fractions(self._report)
        for t in self._bar_labels:
            self.plot.removeItem(t)
        self._bar_labels = []
        both = bool(est) and bool(rep)
        h = 0.36 if both else 0.6
        for item, fr, offset, numbers in (
            (self.estimate_bars, est, -h / 2 if both else 0.0, self._estimate),
            (self.report_bars, rep, h / 2 if both else 0.0, self._report),
        ):
            item.setVisible(bool(fr))
            if not fr:
                continue
            rows = [RESOURCES.index(r) for r in fr]
            widths = [100 * fr[r] for r in fr]
            item.setOpts(
                x0=np.zeros(len(rows)),
                width=np.array(widths),
                y=np.array(rows, float) + offset,
                height=np.full(len(rows), h * 0.92),
            )
            for r, y in zip(fr, rows):
                t = pg.TextItem(
                    f"{_fmt_int(numbers.get(r))} ({_fmt_pct(fr[r])})", color=(40, 40, 40), anchor=(0, 0.5)
                )
                font = QFont()
                font.setPointSize(8)
                t.setFont(font)
                t.setPos(100 * fr[r], y + offset)
                self.plot.addItem(t)
                self._bar_labels.append(t)
        top = max([*(100 * v for v in est.values()), *(100 * v for v in rep.values()), 0.0])
        xmax = max(1.0, top * 1.35)
        self.full_line.setVisible(top >= 60)
        self.plot.setXRange(0, xmax if top < 60 else max(top * 1.2, 110), padding=0)
        self.plot.setYRange(-0.6, len(RESOURCES) - 0.4, padding=0)
        self._fill_table()
        part = f" ({self.part})" if self.part else ""
        src = f" — {self._report_source}" if self._report and self._report_source else ""
        if self._estimate is None and self._report is None:
            self.header.setText(
                f"<span style='color:{muted_text()}'>" + self.tr("No resource numbers yet.") + "</span>"
            )
        else:
            self.header.setText(
                "<b>"
                + self.tr("Resources and latency on the Alveo U50")
                + f"</b>{part}. "
                + f"<span style='color:rgb{ESTIMATE_COLOR}'>▨</span> {_tr(ESTIMATE_LABEL)}"
                + (
                    f" &nbsp; <span style='color:rgb{REPORT_COLOR}'>■</span> {_tr(REPORT_LABEL)}{src}"
                    if self._report
                    else f" &nbsp; <span style='color:{muted_text()}'>"
                    + self.tr("(no vendor report: build, or import one)")
                    + "</span>"
                )
            )
        notes = [
            self.tr(
                "The estimate is an analytic model of the converted network (multipliers by bit width, reuse "
                "factor, layer depth), not a synthesis result; a vendor report is what the HLS tool computed."
            )
        ]
        if self._estimate_note:
            notes.append(self._estimate_note)
        self.note.setText(" ".join(notes))
        self.fit_label.setText(_fit_text(est, rep))
        self.fit_label.setVisible(bool(self.fit_label.text()))

    def _fill_table(self) -> None:
        rows: list[tuple[str, str, Any, Any, bool]] = []
        for r in RESOURCES:
            rows.append((RESOURCE_LABELS[r], _fmt_int(self.capacity.get(r)), r, r, True))
        for key, label in TIMING_ROWS:
            rows.append((_tr(label), "", key, key, False))
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for i, (label, cap, ek, rk, is_res) in enumerate(rows):
            cells = [label, cap]
            for numbers, k in ((self._estimate, ek), (self._report, rk)):
                v = numbers.get(k) if numbers else None
                if is_res:
                    cap_v = self.capacity.get(k)
                    frac = float(v) / cap_v if v is not None and cap_v else None
                    pct = _fmt_pct(frac)
                    cells.append(f"{_fmt_int(v)}" + (f"  ({pct})" if pct else ""))
                elif k in ("latency_cycles", "ii"):
                    cells.append(_fmt_int(v))
                else:
                    cells.append(_fmt_num(v))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment((Qt.AlignLeft if c == 0 else Qt.AlignRight) | Qt.AlignVCenter)
                if c == 0:
                    item.setFont(bold)
                if c == 2 and text != MISSING:
                    item.setForeground(QBrush(QColor(40, 90, 130)))
                self.table.setItem(i, c, item)
        self.table.resizeRowsToContents()
        # Three rows at least (the table scrolls): every row as a minimum made the Synthesis view too
        # tall for a 768 px projector at 125 % font.
        heights = [self.table.rowHeight(r) for r in range(self.table.rowCount())]
        self.table.setMinimumHeight(sum(heights[:3]) + self.table.horizontalHeader().sizeHint().height() + 4)
