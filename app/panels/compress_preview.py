"""The compression lab's live preview: move a slider, see what pruning and quantization do at once.

Left, the controls (:mod:`app.panels.preview_controls`). Right, the selected layer's weight
histogram before and after on the same bins (:class:`app.panels.histogram.HistogramPlot`), with
the quantization grid and the zeros as their own bar; the statistics of the layer and of the whole
model; and the task metric on a validation subset (:mod:`app.panels.preview_metric`).

Every number comes from :mod:`core.compress.preview`, recomputed on each slider move in the GUI
thread (well under a frame). The metric is re-evaluated in a light job on a private copy of the
model; slider moves made while it runs are coalesced: only the latest settings are evaluated next.

Layout: nothing on the right sizes itself by its text (labels wrap, table cells elide in the middle
with the whole text in a tooltip), so choosing a setting never widens the window, and the controls
never move under a dragged slider.
"""

from __future__ import annotations

import html
import math
import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num
from app.palette import BLUISH_GREEN, mute, muted_text, plot_muted_color, plot_title_color
from app.panels.histogram import (
    CURRENT_COLOR,
    OVERFLOW_COLOR,
    ZERO_COLOR,
    HistogramPlot,
    bars_of,
    fmt_bytes,
    fmt_count,
    fmt_sparsity,
    fmt_value,
    swatch,
)
from app.panels.preview_controls import PreviewControls
from app.panels.preview_metric import PreviewMetric
from core.compress.preview import PreviewEngine, PreviewResult, PreviewSettings, PreviewStats, apply_params

BEFORE_COLOR = (110, 110, 110)  # the original weights: neutral grey behind the preview
GRID_COLOR = BLUISH_GREEN
_CTX = "CompressPreview"
_STAT_ROWS = (
    QT_TRANSLATE_NOOP("CompressPreview", "weights"),
    QT_TRANSLATE_NOOP("CompressPreview", "zeros (sparsity)"),
    QT_TRANSLATE_NOOP("CompressPreview", "pruned"),
    QT_TRANSLATE_NOOP("CompressPreview", "flushed to 0"),
    QT_TRANSLATE_NOOP("CompressPreview", "overflow"),
    QT_TRANSLATE_NOOP("CompressPreview", "RMS error"),
    QT_TRANSLATE_NOOP("CompressPreview", "max |error|"),
    QT_TRANSLATE_NOOP("CompressPreview", "size fp32"),
    QT_TRANSLATE_NOOP("CompressPreview", "size after"),
    QT_TRANSLATE_NOOP("CompressPreview", "compression"),
)


def stats_texts(s: PreviewStats) -> list[str]:
    """The statistics column for ``s``, one text per row of the table (``_STAT_ROWS``)."""
    ratio = "—" if not math.isfinite(s.compression) else f"× {fmt_num(s.compression, 1)}"
    return [
        fmt_count(s.size),
        f"{fmt_count(s.zeros)} ({fmt_sparsity(s.sparsity)})",
        fmt_count(s.pruned),
        fmt_count(s.underflow),
        fmt_count(s.overflow),
        fmt_value(s.rms_error),
        fmt_value(s.max_abs_error),
        fmt_bytes(s.bytes_dense),
        fmt_bytes(s.bytes_after),
        ratio,
    ]


class CompressPreview(QWidget):
    """Live what-if preview of pruning and quantization for the current variant.

    Signals:
        settings_for_apply(dict): "Use these settings →": the compression operations' parameters
            (``sparsity``, ``scope``, ``per_layer``, ``quantizer``, ``width``, ``integer``...).
        preview_changed(object): A new :class:`core.compress.preview.PreviewResult`.
        metric_changed(str): The metric line's new text.
    """

    settings_for_apply = Signal(dict)
    preview_changed = Signal(object)
    metric_changed = Signal(str)

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self.engine: PreviewEngine | None = None
        self._lv = None
        self._layer = ""
        self._result: PreviewResult | None = None
        self._plotted: dict[str, Any] = {}
        self._error = ""  # why the settings cannot be previewed (an impossible format)
        self.evaluator = PreviewMetric(state, jobs, self)

        self.controls = PreviewControls()
        for name in (
            "mode_combo",
            "value_slider",
            "value_label",
            "scope_combo",
            "override_table",
            "kind_combo",
            "width_spin",
            "integer_spin",
            "auto_check",
            "rounding_combo",
            "overflow_combo",
            "po2_spin",
            "ternary_spin",
            "apply_button",
        ):
            setattr(self, name, getattr(self.controls, name))
        # The controls scroll rather than make the window taller; their width is fixed by the
        # font, not by what they show.
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        # Always there: a scroll bar that comes and goes with the quantization rows would narrow
        # the column, rewrap its notes and move the slider under a dragging hand (sparsity jumped).
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(self.controls.widest_minimum() + bar)
        views = self._build_views()
        split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(scroll)
        split.addWidget(views)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([scroll.minimumWidth(), 10_000])  # the controls at their width, the plot the rest
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        self.controls.changed.connect(self.refresh)
        self.controls.apply_clicked.connect(self._emit_for_apply)
        self.evaluator.changed.connect(self._show_metric)
        state.variant_changed.connect(self._on_variant)
        state.layer_selected.connect(self._on_layer_selected)
        state.workspace_changed.connect(lambda _ws: self.evaluator.clear_workspace())
        self._on_variant(state.current)

    # --- construction ----------------------------------------------------------------------
    def _build_views(self) -> QWidget:
        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumContentsLength(12)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip(self.tr("The layer shown (selecting it here selects it in every view)"))
        self.layer_combo.activated.connect(self._on_layer_combo)
        # What the layer's format is: wraps to the room there is, never widens the window.
        self.format_label = QLabel("")
        self.format_label.setTextFormat(Qt.RichText)
        self.format_label.setWordWrap(True)
        self.format_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("Layer")))
        head.addWidget(self.layer_combo)
        head.addStretch(1)

        self.hist = HistogramPlot(
            main_alpha=210, overlay_color=BEFORE_COLOR, overlay_alpha=55, range_label_at=0.6
        )
        self.plot = self.hist.plot
        self.plot.setLabel("left", self.tr("weights per bin"))
        self.plot.setLabel("bottom", self.tr("weight value"))
        self.grid_lines = pg.PlotDataItem(pen=pg.mkPen(*GRID_COLOR, 110, width=1))
        self.hist.add_item(self.grid_lines, -10)
        self.legend_label = QLabel("")
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)  # one line when there is room, two on a narrow window
        self.legend_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        self.stats_table = QTableWidget(len(_STAT_ROWS), 2)
        self.stats_table.setVerticalHeaderLabels([QCoreApplication.translate(_CTX, r) for r in _STAT_ROWS])
        self.stats_table.verticalHeaderItem(1).setToolTip(
            self.tr(
                "Zeros among all the weights (kernels and biases); the plot's title and the override "
                "table's 'reached' count the kernel alone."
            )
        )
        self.stats_table.setHorizontalHeaderLabels([self.tr("layer"), self.tr("whole model")])
        self.stats_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.stats_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.stats_table.setAlternatingRowColors(True)
        # A cell too narrow keeps both ends of its text ("90.4 kB"), the whole text in its tooltip.
        self.stats_table.setTextElideMode(Qt.ElideMiddle)
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        vh = self.stats_table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(max(self.stats_table.fontMetrics().height() + 4, vh.minimumSectionSize()))
        # Beside nothing, under the plot: the whole width for the numbers; it scrolls (never cuts)
        # when the window is too low for all its rows, and the splitter above it gives it more.
        self.stats_table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        header = self.stats_table.horizontalHeader().sizeHint().height()
        self._stats_height = vh.defaultSectionSize() * len(_STAT_ROWS) + header + 4
        self.stats_table.setMinimumHeight(vh.defaultSectionSize() * 3 + header + 4)
        number = self.stats_table.fontMetrics().horizontalAdvance("88 888 (88.8 %)") + 8
        self.stats_table.setMinimumWidth(vh.sizeHint().width() + 2 * number)

        # The task metric: a line of its own above the plot, as wide as the views.
        self.metric_label = QLabel("")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.metric_label.setFont(font)
        self.metric_label.setToolTip(self.tr("Task metric under the preview"))
        self.metric_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.metric_detail = QLabel("")
        mute(self.metric_detail)
        for label in (self.metric_label, self.metric_detail):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        self.plot_split = QSplitter(Qt.Vertical)
        self.plot_split.setChildrenCollapsible(False)
        self.plot_split.addWidget(self.hist)
        self.plot_split.addWidget(self.stats_table)
        self.plot_split.setStretchFactor(0, 1)
        self.plot_split.setStretchFactor(1, 0)
        self.plot_split.setSizes([400, self._stats_height])

        views = QWidget()
        vl = QVBoxLayout(views)
        vl.setContentsMargins(4, 0, 0, 0)
        vl.setSpacing(4)
        vl.addLayout(head)
        vl.addWidget(self.format_label)
        vl.addWidget(self.metric_label)
        vl.addWidget(self.metric_detail)
        vl.addWidget(self.legend_label)
        vl.addWidget(self.plot_split, 1)
        return views

    # --- settings --------------------------------------------------------------------------
    def current_settings(self) -> PreviewSettings:
        """The settings the controls show."""
        return self.controls.current_settings()

    def apply_settings(self, settings: PreviewSettings) -> None:
        """Show ``settings`` in the controls and preview them (one refresh)."""
        self.controls.apply_settings(settings)
        self.refresh()

    def set_override(self, layer: str, sparsity: float | None) -> None:
        """Give ``layer`` its own target sparsity (fraction), or follow the slider (None)."""
        self.controls.set_override(layer, sparsity)

    def _emit_for_apply(self) -> None:
        self.settings_for_apply.emit(apply_params(self.current_settings(), self._result))

    # --- state -----------------------------------------------------------------------------
    def _on_variant(self, lv) -> None:
        self._lv = lv
        self.engine = PreviewEngine(lv.weights) if lv is not None else None
        layers = self.engine.layers if self.engine is not None else []
        self.layer_combo.clear()
        self.layer_combo.addItems(layers)
        self.layer_combo.setEnabled(lv is not None)
        self.controls.set_engine(self.engine, self.engine.prunable_layers if self.engine is not None else [])
        self.evaluator.set_variant(lv, self.engine)
        self._layer = self._pick_layer(self.state.layer)
        self.refresh()

    def _pick_layer(self, wanted: str) -> str:
        if self.engine is None:
            return ""
        if wanted in self.engine.layers:
            return wanted
        if self._layer in self.engine.layers:
            return self._layer
        prunable = self.engine.prunable_layers
        return prunable[0] if prunable else (self.engine.layers[0] if self.engine.layers else "")

    def _on_layer_selected(self, name: str) -> None:
        layer = self._pick_layer(name)
        if layer != self._layer:
            self._layer = layer
            self._draw()

    def _on_layer_combo(self, index: int) -> None:
        if index >= 0:
            name = self.layer_combo.itemText(index)
            self._layer = name
            self.state.select_layer(name)
            self._draw()

    # --- preview ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Preview the controls' settings: statistics and histogram now, the metric in a job."""
        self._error = ""
        if self.engine is None:
            self._result = None
        else:
            try:
                self._result = self.engine.apply(self.current_settings())
            except ValueError as exc:  # an impossible format (e.g. WRAP_SM with TRN): say so
                self._result, self._error = None, str(exc)
        self.controls.result = self._result
        self._draw()
        if self._result is not None:
            self.preview_changed.emit(self._result)
            self.evaluator.request(self._result)

    def preview_result(self) -> PreviewResult | None:
        """The preview shown (None without a variant or with impossible settings)."""
        return self._result

    def _draw(self) -> None:
        r = self._result
        self.controls.show_reached(r)
        if r is None or self._layer not in r.layers:
            if self._error:
                msg = self._error
            elif self.engine is None:
                msg = self.tr("Open a model to preview its compression.")
            else:
                msg = self.tr("No weights.")
            self._show_message(msg)
            if self._error:
                self.format_label.setText(f"<span style='color:#c62828'>{html.escape(self._error)}</span>")
            return
        lp = r.layers[self._layer]
        self.layer_combo.setCurrentIndex(self.layer_combo.findText(self._layer))
        self._draw_histogram(lp)
        self._fill_stats(lp.stats, r.total)
        q = lp.quantizer
        desc = q.describe() if q is not None and q.kind != "none" else self.tr("float32 (not quantized)")
        what = ", ".join(lp.histogrammed)
        notes = []
        if lp.threshold:
            notes.append(self.tr("pruned |w| ≤ {0}").format(fmt_value(lp.threshold)))
        if q is not None and q.kind == "fixed" and q.fmt is not None:
            notes.append(
                self.tr("LSB {0}, range [{1}, {2}]").format(
                    fmt_value(q.fmt.lsb), fmt_value(q.fmt.min), fmt_value(q.fmt.max)
                )
            )
            if lp.grid.size > 1:
                stride = round(float(lp.grid[1] - lp.grid[0]) / q.fmt.lsb)
                if stride > 1:
                    notes.append(self.tr("grid lines every {0} LSB").format(stride))
        thr = "".join(f" · {n}" for n in notes)
        self.format_label.setText(
            f"<b>{html.escape(what)}</b> · {html.escape(desc)}<span style='color:{muted_text()}'>{html.escape(thr)}</span>"
        )

    def _draw_histogram(self, lp) -> None:
        hb, ha = lp.hist_before, lp.hist_after
        self.hist.show_histograms(ha, hb)
        top = self.hist.fit_counts(ha, hb, self.tr("original"))
        lo, hi = float(ha.edges[0]), float(ha.edges[-1])
        self.plot.setXRange(lo, hi, padding=0.03)
        grid = lp.grid
        if grid.size:
            self.grid_lines.setData(np.repeat(grid, 2), np.tile([0.0, top], grid.size), connect="pairs")
        else:
            self.grid_lines.setData([], [])
        self.grid_lines.setVisible(bool(grid.size))
        q = lp.quantizer
        fmt = q.fmt if q is not None and q.kind == "fixed" else None
        span = hi - lo

        def in_view(v):
            return v if v is not None and lo - 0.05 * span <= v <= hi + 0.05 * span else None

        ends = (in_view(fmt.min), in_view(fmt.max)) if fmt is not None else (None, None)
        self.hist.show_range(*ends)
        zeros_after = self.tr("{0} zeros after").format(fmt_sparsity(ha.sparsity))
        self.plot.setTitle(
            f"<span style='color:{plot_title_color()}'>{html.escape(lp.name)}</span>"
            f"<span style='color:{plot_muted_color()}'> · {html.escape(zeros_after)}</span>",
            size="10pt",
        )
        self._set_legend(q.kind if q is not None else "none", any(e is not None for e in ends))
        self._plotted = {"layer": lp.name, "before": hb, "after": ha, "grid": grid, "top": top}

    def _set_legend(self, kind: str, range_shown: bool) -> None:
        """The key above the plot: the grid and the fixed-point range only when they are drawn."""
        items = [
            f"{swatch(BEFORE_COLOR, '▭')} " + self.tr("original"),
            f"{swatch(CURRENT_COLOR)} " + self.tr("preview"),
            f"{swatch(ZERO_COLOR)} " + self.tr("zeros after"),
        ]
        if kind != "none":
            items.append(f"{swatch(GRID_COLOR, '┃')} " + self.tr("quantization grid"))
        if range_shown:
            items.append(f"{swatch(OVERFLOW_COLOR, '┆')} " + self.tr("fixed-point range"))
        self.legend_label.setToolTip(
            self.tr("Zeros after: the weights pruned or flushed to 0; the same bins before and after.")
        )
        self.legend_label.setText(
            " &nbsp; ".join(items)
            + "<span style='color:gray'> &nbsp;·&nbsp; "
            + self.tr("same bins before and after")
            + "</span>"
        )

    def _show_message(self, msg: str) -> None:
        self.hist.show_message(msg)
        self.legend_label.setText("")
        self.format_label.setText("")
        for row in range(self.stats_table.rowCount()):
            for col in range(2):
                self.stats_table.setItem(row, col, QTableWidgetItem(""))
        self._plotted = {}

    def _fill_stats(self, layer: PreviewStats, total: PreviewStats) -> None:
        self.stats_table.setHorizontalHeaderLabels(
            [self.tr("layer {0}").format(self._layer), self.tr("whole model")]
        )
        for col, s in enumerate((layer, total)):
            for row, text in enumerate(stats_texts(s)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setToolTip(text)
                self.stats_table.setItem(row, col, item)

    # --- metric ----------------------------------------------------------------------------
    def _show_metric(self, text: str, detail: str) -> None:
        self.metric_label.setText(text)
        # The first sentence on screen, all of it in the tooltip.
        self.metric_detail.setText(detail.split(". ")[0].rstrip(".") + ("." if detail else ""))
        self.metric_detail.setToolTip(detail)
        self.metric_changed.emit(text)

    def metric_text(self) -> str:
        """The metric line as shown ("computing…", "val accuracy 96.1 % (baseline 96.4 %, −0.3)"...)."""
        return self.metric_label.text()

    @property
    def evaluations(self) -> int:
        """Evaluations started (coalescing keeps it low)."""
        return self.evaluator.evaluations

    # --- for tests -------------------------------------------------------------------------
    def busy(self) -> bool:
        """True while a set-up or an evaluation runs or waits."""
        return self.evaluator.busy()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Process events until no job runs or waits (tests). True if idle in time."""
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.005)
        QCoreApplication.processEvents()
        return not self.busy()

    def shown_stats(self) -> dict[str, tuple[str, str]]:
        """``{row label (English): (layer text, whole-model text)}`` as the table shows them."""
        out = {}
        for row, label in enumerate(_STAT_ROWS):
            cells = [self.stats_table.item(row, c) for c in range(2)]
            out[label] = tuple(c.text() if c is not None else "" for c in cells)
        return out

    def reached_texts(self) -> dict[str, str]:
        """``{layer: reached sparsity text}`` of the override table."""
        return self.controls.reached_texts()

    def plotted(self) -> dict[str, Any]:
        """What the histogram shows: ``layer``, ``before``/``after`` (the histograms), ``grid``,
        ``after_counts``/``before_counts`` read back from the bars, ``after_zeros``, ``grid_x``
        (the grid lines' positions as drawn). Empty when nothing is plotted."""
        if not self._plotted:
            return {}
        out = dict(self._plotted)
        drawn = self.hist.drawn()
        out["edges"] = drawn["edges"]
        out["after_counts"] = drawn["counts"]
        out["before_counts"] = np.rint(bars_of(self.hist.overlay_bars)[1]).astype(np.int64)
        out["after_zeros"] = drawn["zeros"]
        x, _ = self.grid_lines.getData()
        out["grid_x"] = np.unique(x) if x is not None and len(x) else np.zeros(0)
        return out


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompressPreview, "TrigLab — compression lab preview"))
