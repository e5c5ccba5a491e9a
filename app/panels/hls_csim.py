"""The HLS view's C-simulation tab: how the bit-accurate C simulation agrees with Keras.

The headline is the agreement (classification: same predicted class; regression: output error
statistics) with how the library was obtained (compiled, and how long g++ took, or a cache hit).
Below it, layer by layer from hls4ml's trace: the relative error of each layer's output against
Keras, as bars on a log axis with the tolerance drawn, and as a table where the first layer that
goes wrong is highlighted.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt
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

from app.i18n import fmt_num, fmt_pct
from app.palette import BLUE, VERMILION, muted_text, style_axes
from app.panels.hls_profile import LayerAxis

OK_COLOR = BLUE
BAD_COLOR = VERMILION
FIRST_BAD_BG = QColor(255, 224, 204)
BAD_BG = QColor(255, 243, 230)
LOG_FLOOR = -8.0  # log10 of the smallest relative error drawn (exact layers sit there)

COLUMNS = (
    ("name", QT_TRANSLATE_NOOP("CsimView", "Layer")),
    ("hls_name", QT_TRANSLATE_NOOP("CsimView", "hls4ml layer")),
    ("class_name", QT_TRANSLATE_NOOP("CsimView", "Type")),
    ("precision", QT_TRANSLATE_NOOP("CsimView", "Output precision")),
    ("rel_error", QT_TRANSLATE_NOOP("CsimView", "Rel. error")),
    ("max_abs_error", "max |Δ|"),
    ("mean_abs_error", "mean |Δ|"),
    ("keras_max_abs", "max |Keras|"),
    ("out_of_range", QT_TRANSLATE_NOOP("CsimView", "Overflow")),
)


def _tr(text: str) -> str:
    """``text`` (a literal marked for lupdate elsewhere) in the user's language."""
    return QCoreApplication.translate("CsimView", text)


def short_precision(text: str) -> str:
    """``fixed<16,6,TRN,WRAP,0>`` -> ``fixed<16,6>``: hls4ml spells out ap_fixed's defaults."""
    t = str(text).strip()
    if "<" not in t or not t.endswith(">"):
        return t
    head, inner = t[:-1].split("<", 1)
    parts = [p.strip() for p in inner.split(",")]
    for n, default in ((5, "0"), (4, "WRAP"), (3, "TRN")):  # saturation bits, overflow, rounding
        if len(parts) == n and parts[-1] == default:
            parts.pop()
    return f"{head}<{','.join(parts)}>"


def _g(v: Any) -> str:
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(f):
        return "∞" if f > 0 else "—"
    return "0" if f == 0 else QLocale().toString(f, "g", 3)


fmt_sig = _g  # three significant digits in the locale, for the view's status line


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class _Pow10Axis(pg.AxisItem):
    """Ticks at whole powers of ten, written 10⁻³."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803
        lo, hi = sorted((minVal, maxVal))
        return [(1, list(range(math.ceil(lo), math.floor(hi) + 1)))]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"10{str(int(round(v))).translate(_SUPERSCRIPT)}" for v in values]


class CsimView(QWidget):
    """Agreement headline, per-layer error bars and table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.RichText)
        self.headline.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.headline.setStyleSheet("QLabel { padding: 6px; }")
        self.layer_axis = LayerAxis("left")
        self.plot_widget = pg.PlotWidget(
            background="w", axisItems={"left": self.layer_axis, "bottom": _Pow10Axis("bottom")}
        )
        self.plot = self.plot_widget.getPlotItem()
        style_axes(self.plot)
        self.plot.setLabel(
            "bottom", self.tr("relative error of the layer's output vs Keras (rms Δ / rms Keras)")
        )
        self.plot.showGrid(x=True, y=False, alpha=0.18)
        self.plot.invertY(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.vb.setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(
            x0=[LOG_FLOOR], width=[0], y=[0], height=0.6, brushes=[pg.mkBrush(None)], pens=[pg.mkPen(None)]
        )
        self.tolerance_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(*BAD_COLOR, width=1.5, style=Qt.DashLine),
            label=self.tr("tolerance"),
            labelOpts={"position": 0.03, "color": BAD_COLOR, "anchors": [(0, 0), (0, 0)]},
        )
        self.plot.addItem(self.bars)
        self.plot.addItem(self.tolerance_line)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_tr(c[1]) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.ElideMiddle)  # "ap_fixed<1…6>" keeps both ends; tooltip: all
        # Numbers and precisions are shown whole: the table scrolls sideways when narrow.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.plot_widget)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.headline)
        lay.addWidget(splitter, 1)
        self._report = None
        self.clear()

    def clear(self, message: str = "") -> None:
        self._report = None
        # one "&": this is a label quoting the button, not a button (where "&&" shows one "&")
        message = message or self.tr("Run “Convert & C-simulate” to compare the firmware with Keras.")
        self.headline.setText(f"<span style='color:{muted_text()}'>{html.escape(message)}</span>")
        self.table.setRowCount(0)
        self.layer_axis.set_names([])
        self._set_bars([], [], [])
        self.tolerance_line.setVisible(False)

    def _set_bars(self, rows: list[int], logs: list[float], brushes: list) -> None:
        """Horizontal bars from :data:`LOG_FLOOR` to ``log10(rel error)`` (a fresh item: pyqtgraph
        merges bar options, so switching between its x/x0 forms is not safe)."""
        self.plot.removeItem(self.bars)
        if rows:
            self.bars = pg.BarGraphItem(
                x0=np.full(len(rows), LOG_FLOOR),
                width=np.maximum(np.asarray(logs) - LOG_FLOOR, 0.02),
                y=np.asarray(rows, dtype=float),
                height=0.6,
                brushes=brushes,
                pens=[pg.mkPen(None)] * len(rows),
            )
        else:
            self.bars = pg.BarGraphItem(x0=[LOG_FLOOR], width=[0], y=[0], height=0.6)
            self.bars.setVisible(False)
        self.plot.addItem(self.bars)

    def set_result(self, report: Any, meta: dict[str, Any]) -> None:
        """Show a :class:`core.hls.convert.CsimReport`; ``meta``: ``cache_hit``, ``compile_seconds``,
        ``build_seconds``, ``source`` (calibration text), ``project_dir``, ``variant``, and for the
        muon trigger ``pt_resolution_robust_keras`` / ``pt_resolution_robust_csim`` (fractions,
        same events), shown side by side with one decimal as the job log writes them."""
        self._report = report
        self.headline.setText(_headline(report, meta))
        layers = list(getattr(report, "layers", []) or [])
        first_bad = getattr(report, "first_bad_layer", None)
        self.table.setRowCount(len(layers))
        bold = QFont()
        bold.setBold(True)
        for r, le in enumerate(layers):
            for c, (key, _) in enumerate(COLUMNS):
                v = getattr(le, key, None)
                if key == "out_of_range":
                    text = self.tr("yes") if v else ""
                elif key in ("rel_error", "max_abs_error", "mean_abs_error", "keras_max_abs"):
                    text = _g(v)
                else:
                    text = "" if v is None else (short_precision(v) if key == "precision" else str(v))
                item = QTableWidgetItem(text)
                if key == "precision" and v:
                    item.setToolTip(str(v))
                if key in ("rel_error", "max_abs_error", "mean_abs_error", "keras_max_abs"):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if le.name == first_bad:
                    item.setBackground(QBrush(FIRST_BAD_BG))
                    item.setFont(bold)
                    item.setToolTip(
                        self.tr("The first layer whose output goes wrong: look at its precision first")
                    )
                elif getattr(le, "bad", False):
                    item.setBackground(QBrush(BAD_BG))
                if key == "out_of_range" and v:
                    item.setForeground(QBrush(QColor(*BAD_COLOR)))
                self.table.setItem(r, c, item)
        # Bars: log10 relative error per traced layer.
        self.layer_axis.set_names([le.name for le in layers])
        tol = float(getattr(report, "tolerance", 0.05) or 0.05)
        if layers:
            logs, brushes = [], []
            for le in layers:
                rel = float(le.rel_error)
                y = math.log10(rel) if rel > 0 and math.isfinite(rel) else (LOG_FLOOR if rel == 0 else 2.0)
                logs.append(max(y, LOG_FLOOR))
                color = BAD_COLOR if le.bad else OK_COLOR
                brushes.append(pg.mkBrush(*color, 230 if le.name == first_bad else 160))
            self._set_bars(list(range(len(layers))), logs, brushes)
            lt = math.log10(tol)
            right = max(max(logs), lt) + 0.7
            left = max(min(min(logs), lt) - 1.0, LOG_FLOOR)
            self.plot.setXRange(math.floor(left), math.ceil(right), padding=0)
            self.plot.setYRange(-0.6, len(layers) - 0.4, padding=0)
            self.tolerance_line.setVisible(True)
            tol_text = self.tr("tolerance {0}").format(f"{100 * tol:g} %")
            self.tolerance_line.label.setFormat(tol_text)
            self.tolerance_line.setPos(lt)
            self.tolerance_line.label.setText(tol_text)
        else:
            self._set_bars([], [], [])
            self.tolerance_line.setVisible(False)

    def report(self) -> Any:
        return self._report

    def highlighted_layer(self) -> str | None:
        """The layer drawn as the first that goes wrong (None when every layer is fine)."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.font().bold():
                return item.text()
        return None


def _pct(v: float) -> str:
    return fmt_pct(v, 2) if v < 0.9999 or v == 1 else fmt_pct(v, 3)


def _headline(report: Any, meta: dict[str, Any]) -> str:
    lines = []
    n = getattr(report, "n_samples", 0)
    src = html.escape(meta.get("source") or QCoreApplication.translate("CsimView", "{0} events").format(n))
    if getattr(report, "agreement", None) is not None:
        a = float(report.agreement)
        color = "#2e7d32" if a >= 0.99 else ("#9a6700" if a >= 0.95 else "#c62828")
        lines.append(
            f"<span style='font-size:15pt; color:{color}'><b>{_pct(a)}</b></span> "
            + html.escape(
                QCoreApplication.translate(
                    "CsimView", "of the events get the same class from the C simulation as from Keras"
                )
            )
            + f" <span style='color:{muted_text()}'>({src})</span>"
        )
    else:
        lines.append(
            "<span style='font-size:13pt'><b>"
            + html.escape(QCoreApplication.translate("CsimView", "Output error"))
            + "</b></span> "
            + html.escape(QCoreApplication.translate("CsimView", "of the C simulation against Keras"))
            + f" <span style='color:{muted_text()}'>({src})</span>"
        )
    keras, fw = meta.get("pt_resolution_robust_keras"), meta.get("pt_resolution_robust_csim")
    if isinstance(keras, (int, float)) and isinstance(fw, (int, float)):
        lines.append(
            "<span style='font-size:12pt'>"
            + html.escape(
                QCoreApplication.translate(
                    "CsimView", "Robust pT resolution: firmware (C simulation) {0}, Keras {1}"
                )
            ).format(f"<b>{fmt_pct(fw, 1)}</b>", f"<b>{fmt_pct(keras, 1)}</b>")
            + "</span>"
        )
    lines.append(
        html.escape(
            QCoreApplication.translate(
                "CsimView", "C simulation − Keras at the output: max |Δ| {0}, mean |Δ| {1}, rms {2}"
            )
        ).format(_g(report.max_abs_error), _g(report.mean_abs_error), _g(report.rmse))
    )
    if (
        getattr(report, "metric_name", None)
        and report.keras_metric is not None
        and report.hls_metric is not None
    ):
        if report.metric_name == "accuracy":
            lines.append(
                html.escape(
                    QCoreApplication.translate(
                        "CsimView", "Accuracy on the labels: Keras {0}, C simulation {1}"
                    )
                ).format(fmt_pct(report.keras_metric, 2), fmt_pct(report.hls_metric, 2))
            )
        else:
            lines.append(
                html.escape(
                    QCoreApplication.translate("CsimView", "{0} on the targets: Keras {1}, C simulation {2}")
                ).format(html.escape(report.metric_name), _g(report.keras_metric), _g(report.hls_metric))
            )
    first_bad = getattr(report, "first_bad_layer", None)
    if first_bad:
        bad = next((le for le in report.layers if le.name == first_bad), None)
        why = (
            " — "
            + html.escape(
                QCoreApplication.translate("CsimView", "its values exceed the output precision's range")
            )
            if bad is not None and bad.out_of_range
            else ""
        )
        prec = (
            f" ({html.escape(short_precision(bad.precision))})" if bad is not None and bad.precision else ""
        )
        lines.append(
            f"<span style='color:rgb{BAD_COLOR}'>"
            + html.escape(QCoreApplication.translate("CsimView", "First layer that goes wrong:"))
            + f" <b>{html.escape(first_bad)}</b>{prec}{why}</span>"
        )
    elif getattr(report, "layers", None):
        lines.append(
            "<span style='color:#2e7d32'>"
            + html.escape(
                QCoreApplication.translate(
                    "CsimView", "Every traced layer within {0} relative error ({1} events traced)"
                ).format(f"{100 * report.tolerance:g} %", report.trace_samples)
            )
            + "</span>"
        )
    if meta.get("stored"):
        lines.append(
            f"<span style='color:{muted_text()}'>"
            + html.escape(
                QCoreApplication.translate("CsimView", "Stored result of this variant's last C simulation.")
            )
            + "</span>"
        )
    if meta.get("cache_hit"):
        lines.append(
            f"<span style='color:{muted_text()}'>"
            + html.escape(
                QCoreApplication.translate(
                    "CsimView", "Cache hit: the compiled library was reused, ready in {0} s (no g++)."
                ).format(fmt_num(meta.get("compile_seconds", 0), 1))
            )
            + "</span>"
        )
    elif meta.get("compile_seconds") is not None:
        g = meta.get("build_seconds")
        text = (
            QCoreApplication.translate("CsimView", "Converted and compiled in {0} s, g++ {1} s.").format(
                fmt_num(meta["compile_seconds"], 1), fmt_num(g, 1)
            )
            if g
            else QCoreApplication.translate("CsimView", "Converted and compiled in {0} s.").format(
                fmt_num(meta["compile_seconds"], 1)
            )
        )
        lines.append(f"<span style='color:{muted_text()}'>{html.escape(text)}</span>")
    return "<br>".join(lines)
