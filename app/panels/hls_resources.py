"""The HLS view's Resources tab: FPGA resources and latency against the chosen part's capacity.

Two sources, never mixed up: the analytic estimate (always there, always labelled
"estimate (analytic model)", with its expected error per quantity as measured on the reference
designs) and a vendor report (after a build, or imported; labelled "vendor report"). Bars show the
fraction of the part's LUT / FF / DSP / BRAM / URAM each uses (none for a part whose capacity is
not known); the table gives the numbers, the latency and the initiation interval in cycles, ns and
bunch crossings (25 ns, :mod:`core.hls.timing`), the estimate's error bar and, when there is a
report, the ratio estimate / report. A line under the header says whether the design takes an event
every bunch crossing (II · clock ≤ 25 ns; the report's verdict when there is one, else the
estimate's, labelled), and what to change when it does not.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
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
RATIO_LABEL = QT_TRANSLATE_NOOP("ResourcesView", "estimate / report")
ERROR_LABEL = QT_TRANSLATE_NOOP("ResourcesView", "expected error")
#: The error bar of each row (keys of ``Estimate.error_bars``); the ns latency shares the cycles'.
ERROR_KEY = {
    "LUT": "LUT",
    "FF": "FF",
    "DSP": "DSP",
    "BRAM_18K": "BRAM_18K",
    "latency_cycles": "latency_cycles",
    "latency_ns": "latency_cycles",
    "ii": "ii",
    "latency_bx": "latency_cycles",
    "ii_ns": "ii",
    "ii_bx": "ii",
}
TIMING_ROWS = (
    ("latency_cycles", QT_TRANSLATE_NOOP("ResourcesView", "Latency (cycles)")),
    ("latency_ns", QT_TRANSLATE_NOOP("ResourcesView", "Latency (ns)")),
    ("latency_bx", QT_TRANSLATE_NOOP("ResourcesView", "Latency (bunch crossings)")),
    ("ii", QT_TRANSLATE_NOOP("ResourcesView", "Initiation interval (cycles)")),
    ("ii_ns", QT_TRANSLATE_NOOP("ResourcesView", "Initiation interval (ns)")),
    ("ii_bx", QT_TRANSLATE_NOOP("ResourcesView", "Initiation interval (bunch crossings)")),
    ("clock_ns", QT_TRANSLATE_NOOP("ResourcesView", "Clock period (ns)")),
)
#: Rows in bunch crossings (25 ns), shown with one decimal ("6.8").
BX_ROWS = ("latency_bx", "ii_bx")


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


def part_title(part: str | None) -> str:
    """The part as a title: ``xcu50-fsvh2104-2-e (Alveo U50)`` when the parts table names its board."""
    if not part:
        return ""
    from core.hls.parts import part_board

    board = part_board(part)
    return f"{part} ({board})" if board else part


def _fmt_ratio(e: Any, r: Any) -> str:
    if e is None or r is None or not math.isfinite(float(e)) or not math.isfinite(float(r)) or float(r) == 0:
        return MISSING
    return fmt_num(float(e) / float(r), 2) + "×"


def _fit_text(est: dict[str, float], rep: dict[str, float], part: str) -> str:
    """A warning naming the resources beyond the part's capacity ("" when everything fits)."""
    parts = []
    for label, fr in ((_tr(REPORT_LABEL), rep), (_tr(ESTIMATE_LABEL), est)):
        over = [f"{RESOURCE_LABELS[r]} {_fmt_pct(v)}" for r, v in fr.items() if v > 1.0]
        if over:
            parts.append(f"{', '.join(over)} ({label})")
    if not parts:
        return ""
    return (
        f"<span style='color:rgb{OVER_COLOR}'><b>"
        + html.escape(QCoreApplication.translate("ResourcesView", "Does not fit the {0}:").format(part))
        + "</b> "
        + QCoreApplication.translate(
            "ResourcesView", "{0}. Raise the reuse factor, use the Resource strategy, or fewer bits."
        ).format("; ".join(parts))
        + "</span>"
    )


def with_timing(numbers: dict[str, Any] | None, source: str) -> dict[str, Any] | None:
    """``numbers`` (cycles and clock) plus the :func:`core.hls.timing.timing_from` keys in ns and BX."""
    if not numbers:
        return None
    from core.hls.timing import timing_from

    t = timing_from(numbers.get("latency_cycles"), numbers.get("ii"), numbers.get("clock_ns"), source)
    out = dict(numbers)
    for key in ("latency_bx", "ii_ns", "ii_bx", "every_bx", "bx_per_event"):
        out[key] = t[key]
    if out.get("latency_ns") is None:
        out["latency_ns"] = t["latency_ns"]
    return out


def bx_text(numbers: dict[str, Any] | None, source_label: str) -> str:
    """Rich text: whether the design takes an event every bunch crossing, and what to change if not."""
    if not numbers or numbers.get("every_bx") is None:
        return ""
    from core.hls.timing import BX_NS

    ii_ns = fmt_sig(float(numbers["ii_ns"]), 3)
    if numbers["every_bx"]:
        return "<span style='color:rgb(0,114,80)'>✓</span> " + html.escape(
            QCoreApplication.translate(
                "ResourcesView", "Accepts an event every bunch crossing — {2}: II {0} ns ≤ {1} ns."
            ).format(ii_ns, fmt_num(BX_NS, 0), source_label)
        )
    n = int(numbers["bx_per_event"])
    return (
        f"<span style='color:rgb{OVER_COLOR}'><b>"
        + html.escape(QCoreApplication.translate("ResourcesView", "Misses bunch crossings"))
        + "</b> — "
        + html.escape(
            QCoreApplication.translate(
                "ResourcesView",
                "{3}: takes an event every {0} bunch crossings (II {1} ns > {2} ns), it would miss {4} of {0}. "
                "Lower the reuse factor, use io_parallel + Latency strategy, unroll the convolutions "
                "(ParallelizationFactor).",
            ).format(n, ii_ns, fmt_num(BX_NS, 0), source_label, n - 1)
        )
        + "</span>"
    )


class ResourcesView(QWidget):
    """Utilization bars and a numbers table: estimate and vendor report side by side.

    Signals:
        refit_requested(): The user asked to refit the estimate on this lab's stored reports.
    """

    refit_requested = Signal()

    def __init__(self, capacity: dict[str, int], part: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capacity: dict[str, int] | None = dict(capacity) if capacity is not None else None
        self.part = part
        self._error_bars: dict[str, dict[str, Any]] = {}
        self._calibration_source = ""
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
            label=self.tr("full"),
            labelOpts={"position": 0.05, "color": OVER_COLOR},
        )
        self.plot.addItem(self.estimate_bars)
        self.plot.addItem(self.report_bars)
        self.plot.addItem(self.full_line)
        self._bar_labels: list[pg.TextItem] = []

        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        # columns as wide as their text; when the tab is narrow the row names wrap (_fit_columns), and
        # past that the table scrolls sideways rather than eliding a number
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTextElideMode(Qt.ElideNone)
        self.table.setWordWrap(True)
        self.table.installEventFilter(self)
        self.fit_label = QLabel()
        self.fit_label.setWordWrap(True)
        self.fit_label.setTextFormat(Qt.RichText)
        # one event per 25 ns bunch crossing or not (the report's verdict when there is one)
        self.bx_label = QLabel()
        self.bx_label.setWordWrap(True)
        self.bx_label.setTextFormat(Qt.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        mute(self.note)
        self.calibration_label = QLabel()  # where the estimate's calibration comes from
        self.calibration_label.setWordWrap(True)
        small = self.calibration_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.calibration_label.setFont(small)
        mute(self.calibration_label)

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.plot_widget)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)  # the table keeps its three rows
        # five bars stay readable when the tab is narrow and its notes wrap to several lines
        self.plot_widget.setMinimumHeight(120)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.header)
        lay.addWidget(self.fit_label)
        lay.addWidget(self.bx_label)
        lay.addWidget(splitter, 1)
        lay.addWidget(self.note)
        from core.hls.calibration_store import pairs_path

        # "Refit" is a link at the end of the calibration line: a button beside it squeezed the line
        # (and the table above) when the tab is a third of a 1366 px screen
        self.calibration_label.setTextFormat(Qt.RichText)
        self.calibration_label.setToolTip(
            self.tr(
                "Refit: fit the estimate again on the reference designs plus the vendor reports stored in "
                "{0} (each build or import of a report adds one); the same as “triglab-cli hls calibrate”."
            ).format(pairs_path())
        )
        self.calibration_label.linkActivated.connect(lambda _link: self.refit_requested.emit())
        lay.addWidget(self.calibration_label)
        self._redraw()

    # --- data ------------------------------------------------------------------------------
    def set_part(self, part: str | None, capacity: dict[str, int] | None) -> None:
        """The part the design targets and its capacity (None: unknown, no utilization)."""
        self.part = part or ""
        self.capacity = dict(capacity) if capacity else None
        self._redraw()

    def set_estimate(
        self,
        numbers: dict[str, Any] | None,
        note: str = "",
        *,
        error_bars: dict[str, dict[str, Any]] | None = None,
        calibration_source: str = "",
    ) -> None:
        """The analytic estimate: :data:`RESOURCES` counts and the :data:`TIMING_ROWS` keys.

        Args:
            numbers: The estimate's numbers, or None.
            note: A line under the table (e.g. the schedule, or why the estimate failed).
            error_bars: ``Estimate.error_bars``: per quantity ``rel`` (fraction), ``coverage``,
                ``n`` and the full ``text``.
            calibration_source: Where the estimator's calibration comes from.
        """
        self._estimate = with_timing(numbers, "estimate")
        self._estimate_note = note
        self._error_bars = dict(error_bars or {}) if numbers else {}
        self._calibration_source = calibration_source if numbers else ""
        self._redraw()

    def set_report(self, numbers: dict[str, Any] | None, source: str = "") -> None:
        """A vendor report's numbers (same keys as the estimate), or None."""
        self._report = with_timing(numbers, "synthesis")
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

        rows = {self.table.item(i, 0).data(Qt.UserRole): i for i in range(self.table.rowCount())}
        return {
            "estimate": dict(self._estimate) if self._estimate else None,
            "report": dict(self._report) if self._report else None,
            # the columns' full names (their headers' tooltips; the headers are short)
            "labels": [self.table.horizontalHeaderItem(c).toolTip() for c in range(self.table.columnCount())],
            "headers": [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())],
            "utilization": {"estimate": bars(self.estimate_bars), "report": bars(self.report_bars)},
            "header": self.header.text(),
            "part": self.part,
            "capacity": dict(self.capacity) if self.capacity else None,
            "error_bars": {k: self.table.item(i, 2).text() for k, i in rows.items()},
            "error_tooltips": {k: self.table.item(i, 2).toolTip() for k, i in rows.items()},
            "ratios": {k: self.table.item(i, 4).text() for k, i in rows.items()},
            "calibration": self.calibration_label.text(),
            "bx": self.bx_label.text(),
            "every_bx": self._bx_numbers().get("every_bx") if self._bx_numbers() else None,
            "rows": {
                k: (self.table.item(i, 1).text(), self.table.item(i, 3).text()) for k, i in rows.items()
            },
        }

    def _bx_numbers(self) -> dict[str, Any] | None:
        """The numbers the bunch-crossing verdict reads: the vendor report's, else the estimate's."""
        return self._report if self._report and self._report.get("every_bx") is not None else self._estimate

    # --- drawing ---------------------------------------------------------------------------
    def _fractions(self, numbers: dict[str, Any] | None) -> dict[str, float]:
        if not numbers:
            return {}
        out = {}
        for r in RESOURCES:
            v, cap = numbers.get(r), (self.capacity or {}).get(r)
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
        title = part_title(self.part)
        where = title or self.tr("unknown part")
        self.plot.setLabel("bottom", html.escape(self.tr("% of the part's resources")))
        src = f" — {html.escape(self._report_source)}" if self._report and self._report_source else ""
        if self._estimate is None and self._report is None:
            self.header.setText(
                f"<span style='color:{muted_text()}'>" + self.tr("No resource numbers yet.") + "</span>"
            )
        else:
            unknown = (
                f" <span style='color:rgb{OVER_COLOR}'>"
                + html.escape(self.tr("Unknown part: utilization not computed."))
                + "</span>"
                if self.capacity is None
                else ""
            )
            self.header.setText(
                "<b>"
                + html.escape(where)
                + "</b>."
                + unknown
                + f" <span style='color:rgb{ESTIMATE_COLOR}'>▨</span> {_tr(ESTIMATE_LABEL)}"
                + (
                    f" &nbsp; <span style='color:rgb{REPORT_COLOR}'>■</span> {_tr(REPORT_LABEL)}{src}"
                    if self._report
                    else f" &nbsp; <span style='color:{muted_text()}'>"
                    + self.tr("(no vendor report: build, or import one)")
                    + "</span>"
                )
            )
        self.plot_widget.setVisible(self.capacity is not None)
        # Short under the table (the tab may get a third of a 1366 px screen); the whole story in the tooltip.
        notes = [self.tr("Estimate: an analytic model of the converted network, not a synthesis result.")]
        if self._estimate_note:
            notes.append(self._estimate_note)
        self.note.setText(" ".join(notes))
        self.note.setToolTip(
            self.tr(
                "The estimate is an analytic model of the converted network (multipliers by bit width, reuse "
                "factor, layer depth), not a synthesis result; a vendor report is what the HLS tool computed."
            )
            + (
                " "
                + self.tr(
                    "Its expected error per quantity (±) was measured leaving each reference design out in "
                    "turn; hover over a number for how often it held."
                )
                if self._error_bars
                else ""
            )
        )
        self.calibration_label.setText(
            html.escape(self.tr("Calibration: {0}").format(self._calibration_source))
            + " · <a href='refit'>"
            + html.escape(self.tr("Refit the estimate"))
            + "</a>"
            if self._calibration_source
            else ""
        )
        self.calibration_label.setVisible(bool(self._calibration_source))  # a calibrated estimator only
        self.fit_label.setText(_fit_text(est, rep, where))
        self.fit_label.setVisible(bool(self.fit_label.text()))
        bx = self._bx_numbers()
        self.bx_label.setText(bx_text(bx, _tr(REPORT_LABEL) if bx is self._report else _tr(ESTIMATE_LABEL)))
        self.bx_label.setVisible(bool(self.bx_label.text()))

    def _error_cell(self, key: str) -> tuple[str, str]:
        """``("± 40 %", full text)`` of a row's error bar ("" when the estimate has none)."""
        bar = self._error_bars.get(ERROR_KEY.get(key, ""))
        rel = bar.get("rel") if isinstance(bar, dict) else None
        if not isinstance(rel, (int, float)) or not math.isfinite(rel):
            return ("", "")
        from core.hls.estimate.results import format_error

        return (format_error(rel, fmt_num), str(bar.get("text", "")))  # as the estimate writes it

    def _fill_table(self) -> None:
        # Short headers (the tab shares 1366 px with the form and the docks); the full names are the
        # headers' tooltips, and the legend above names the estimate and the report.
        headers = (
            ("", ""),
            (self.tr("estimate"), _tr(ESTIMATE_LABEL)),
            ("±", _tr(ERROR_LABEL)),
            (self.tr("report"), _tr(REPORT_LABEL)),
            (self.tr("ratio"), _tr(RATIO_LABEL)),
            (
                self.tr("capacity"),
                self.tr("capacity of {0}").format(part_title(self.part) or self.tr("the part")),
            ),
        )
        for c, (text, tip) in enumerate(headers):
            item = self.table.horizontalHeaderItem(c) or QTableWidgetItem()
            item.setText(text)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(c, item)
        cap = self.capacity or {}
        rows: list[tuple[str, str, str, bool]] = []
        for r in RESOURCES:
            rows.append((r, RESOURCE_LABELS[r], _fmt_int(cap.get(r)) if self.capacity else MISSING, True))
        for key, label in TIMING_ROWS:
            rows.append((key, _tr(label), "", False))
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for i, (key, label, cap_text, is_res) in enumerate(rows):
            values = []
            for numbers in (self._estimate, self._report):
                v = numbers.get(key) if numbers else None
                values.append(v)
                if is_res or key in ("latency_cycles", "ii"):  # utilization: on the bars
                    values.append(_fmt_int(v))
                elif key in BX_ROWS:
                    values.append(MISSING if v is None else fmt_num(float(v), 1))
                else:
                    values.append(_fmt_num(v))
            (e, e_text, r, r_text) = values
            err, err_tip = self._error_cell(key) if self._estimate else ("", "")
            ratio = _fmt_ratio(e, r) if key != "clock_ns" and self._estimate and self._report else ""
            # what matters most first: a narrow tab scrolls the capacity out of sight, not the ratio
            cells = [label, e_text, err, r_text, ratio, cap_text]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment((Qt.AlignLeft if c == 0 else Qt.AlignRight) | Qt.AlignVCenter)
                if c == 0:
                    item.setFont(bold)
                    item.setData(Qt.UserRole, key)
                if c in (1, 2) and text and text != MISSING:
                    item.setForeground(QBrush(QColor(40, 90, 130)))
                if c in (1, 2) and err_tip:
                    item.setToolTip(err_tip)
                if c == 4 and text == MISSING:
                    item.setToolTip(self.tr("The report says 0: no ratio."))
                self.table.setItem(i, c, item)
        self._fit_columns()
        # Three rows at least (the table scrolls): every row as a minimum made the Synthesis view too
        # tall for a 768 px projector at 125 % font.
        heights = [self.table.rowHeight(r) for r in range(self.table.rowCount())]
        self.table.setMinimumHeight(sum(heights[:3]) + self.table.horizontalHeader().sizeHint().height() + 4)

    def _fit_columns(self) -> None:
        """Numbers at their full width; the row names take what is left (wrapping), down to 7 em."""
        t = self.table
        t.setColumnHidden(5, False)
        t.resizeColumnsToContents()
        widths = [t.columnWidth(c) for c in range(t.columnCount())]
        # the room inside the frame, a vertical scroll bar counted (it comes and goes with the rows)
        inside = t.width() - 2 * t.frameWidth() - t.verticalScrollBar().sizeHint().width()
        room = inside - sum(widths[1:5])  # estimate, ±, report, ratio stay whole
        least = 7 * t.fontMetrics().averageCharWidth()
        if widths[0] > room:
            t.setColumnWidth(0, max(room, least))
        # The capacity shows whole or not at all: a number cut by the frame misreads ("871." is not
        # 871 680); the bars above give the same capacity as their 100 %.
        t.setColumnHidden(5, t.columnWidth(0) + sum(widths[1:6]) > inside)
        t.resizeRowsToContents()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table and event.type() == QEvent.Resize:
            QTimer.singleShot(0, self._fit_columns)  # once the table has its new width
        return super().eventFilter(watched, event)
