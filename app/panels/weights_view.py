"""The Weights view: the weight distribution of a layer, its statistics and what ap_fixed<W,I> keeps.

One layer at a time (tab "Layer"): a histogram of the non-zero values with the zeros as their own
bar at 0 (a pruned layer's spike would otherwise flatten everything else), the same layer of
another variant overlaid on identical bins ("compare with": before/after pruning), the range of a
fixed-point format shaded on the plot and the fraction of weights it represents. Every layer at once
(tab "All layers"): small multiples titled with the layer's sparsity; a click selects the layer.

The numbers all come from :mod:`core.weights`; this module only draws them.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.palette import BLUE, ORANGE, VERMILION
from core.weights import (
    OVERFLOW_MODES,
    ROUNDING_MODES,
    FixedPointFormat,
    WeightHistogram,
    auto_bins,
    histogram,
    quantization_report,
    shared_histograms,
    weight_stats,
)

ALL_WEIGHTS = "all weights"
NO_COMPARE = "— none —"
DEFAULT_WIDTH, DEFAULT_INTEGER = 16, 6  # hls4ml's default precision, ap_fixed<16,6>
LOG_BASELINE = math.log10(0.5)  # bars start at half a count on the log axis, so a count of 1 shows
ZERO_CLIP_FACTOR = 1.5  # a zero bar this much above the tallest other bar is drawn off scale

# Okabe-Ito (colour-blind safe): this variant blue, its zeros vermilion, the compared one orange.
CURRENT_COLOR = BLUE
ZERO_COLOR = VERMILION
COMPARE_COLOR = ORANGE
OVERFLOW_COLOR = (204, 51, 17)
FLUSH_COLOR = (120, 120, 120)
_PREFIXES = ("prune_low_magnitude_",)  # tf-model-optimization renames the layers it wraps


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return f"{v:.4g}"


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # thin space, as in the layer table


def _fmt_pct(v: float) -> str:
    return "—" if not math.isfinite(v) else f"{100 * v:.2f} %"


def _style_plot(pi: pg.PlotItem, small: bool = False) -> None:
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


def layer_values(weights: dict[str, np.ndarray], kind: str) -> tuple[str, np.ndarray]:
    """The weights of one layer to histogram.

    Args:
        weights: ``{weight name: array}`` of a layer.
        kind: A weight name (``kernel``, ``bias``...) or :data:`ALL_WEIGHTS`. A layer without that
            weight falls back to its kernel-like weights (``kernel``, ``depthwise_kernel``...) or,
            failing those, all of them.

    Returns:
        ``(what was taken, flat values)``: the weight name, or ``"kernel"`` / ``ALL_WEIGHTS`` for a
        fallback.
    """
    if kind in weights:
        return kind, np.asarray(weights[kind]).reshape(-1)
    if kind != ALL_WEIGHTS:
        kernels = [n for n in weights if n.endswith("kernel")]
        if len(kernels) == 1:
            return kernels[0], np.asarray(weights[kernels[0]]).reshape(-1)
        if kernels:
            return "kernel", np.concatenate([np.asarray(weights[n]).reshape(-1) for n in kernels])
    if not weights:
        return ALL_WEIGHTS, np.zeros(0, np.float32)
    return ALL_WEIGHTS, np.concatenate([np.asarray(a).reshape(-1) for a in weights.values()])


def match_layer(
    name: str, mine: dict[str, dict[str, np.ndarray]], other: dict[str, dict[str, np.ndarray]]
) -> str | None:
    """The layer of another variant that corresponds to layer ``name`` of this one.

    Args:
        name: A layer of this variant.
        mine: This variant's ``{layer: {weight: array}}`` (layers with weights, in model order).
        other: The other variant's, the same way.

    Returns:
        The same name; else the same name once tf-model-optimization's ``prune_low_magnitude_``
        prefix is removed; else the layer at the same position among those with weights, if its
        weights have the same names and shapes. None if there is none.
    """
    if name in other:
        return name

    def bare(n: str) -> str:
        for p in _PREFIXES:
            n = n[len(p) :] if n.startswith(p) else n
        return n

    for candidate in other:
        if bare(candidate) == bare(name):
            return candidate
    if name in mine:
        pos = list(mine).index(name)
        others = list(other)
        if pos < len(others):
            shapes = {k: np.shape(v) for k, v in mine[name].items()}
            if {k: np.shape(v) for k, v in other[others[pos]].items()} == shapes:
                return others[pos]
    return None


class WeightsView(QWidget):
    """Per-layer weight histogram with zeros apart, overlay, stats and fixed-point range; all layers."""

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self._compare_lv = None  # the LoadedVariant compared with, or None
        self._wanted_kind = "kernel"  # the weight the user asked for; layers without it fall back
        self._plotted: dict[str, Any] = {}
        self._grid: dict[str, pg.PlotItem] = {}
        self._grid_dirty = True
        # Grid redraws are coalesced: a variant change refreshes several times in a row.
        self._grid_timer = QTimer(self)
        self._grid_timer.setSingleShot(True)
        self._grid_timer.setInterval(0)
        self._grid_timer.timeout.connect(self._refresh_grid_if_shown)
        self._build_controls()
        self._build_layer_tab()
        self._build_grid_tab()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.layer_tab, "Layer")
        self.tabs.addTab(self.grid_tab, "All layers")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_grid_if_shown())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(self.controls)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.notice)

        state.variant_changed.connect(self._on_variant)
        state.layer_selected.connect(self._on_layer_selected)
        state.variants_changed.connect(self._fill_compare_combo)
        state.workspace_changed.connect(lambda _ws: self._set_compare(None))
        self._on_variant(state.current)

    # --- construction ----------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumContentsLength(18)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip("The layer shown (selecting it here selects it in every view)")
        self.weight_combo = QComboBox()
        self.weight_combo.setToolTip("Which of the layer's weights to histogram")
        self.compare_combo = QComboBox()
        self.compare_combo.setMinimumContentsLength(16)
        self.compare_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setToolTip("Overlay the same layer of another variant, on the same bins")
        self.bins_spin = QSpinBox()
        self.bins_spin.setRange(0, 1000)
        self.bins_spin.setSpecialValueText("auto")
        self.bins_spin.setToolTip("Number of bins (auto: 2·n^(1/3), between 10 and 200)")
        self.log_check = QCheckBox("Log counts")
        self.log_check.setToolTip("Logarithmic count axis: small tails and the zero spike at once")
        self.controls = QHBoxLayout()
        for label, w in (
            ("Layer", self.layer_combo),
            ("Weights", self.weight_combo),
            ("Compare with", self.compare_combo),
            ("Bins", self.bins_spin),
        ):
            self.controls.addWidget(QLabel(label))
            self.controls.addWidget(w)
            self.controls.addSpacing(8)
        self.controls.addWidget(self.log_check)
        self.controls.addStretch(1)
        # The combos keep their usual width when there is room, but on a narrow window (a 1366 px
        # classroom projector with the walkthrough open) they may shrink to ~8 characters, eliding.
        narrow = self.fontMetrics().horizontalAdvance("X" * 8) + 30
        for combo in (self.layer_combo, self.weight_combo, self.compare_combo):
            combo.setMinimumWidth(narrow)
        self.notice = QLabel("")
        self.notice.setStyleSheet("color: #8d6e63;")
        self.notice.setWordWrap(True)

        self.layer_combo.activated.connect(self._on_layer_combo)
        self.weight_combo.currentIndexChanged.connect(self._on_weight_combo)
        self.compare_combo.activated.connect(self._on_compare_combo)
        self.bins_spin.valueChanged.connect(lambda _v: self.refresh())
        self.log_check.toggled.connect(lambda _on: self.refresh())

    def _build_layer_tab(self) -> None:
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        _style_plot(self.plot)
        self.plot.setLabel("left", "weights per bin")
        self.legend = self.plot.addLegend(
            offset=(10, 10),  # top left: weight distributions are centred, the zero bar too
            labelTextColor=(20, 20, 20),
            brush=pg.mkBrush(255, 255, 255, 225),
            pen=pg.mkPen(180, 180, 180),
        )
        # Overflow zones outside the format's range (nothing is tinted while every weight fits),
        # the band that rounds to zero, and the range's ends as labelled dashed lines.
        overflow_brush = pg.mkBrush(*OVERFLOW_COLOR, 38)
        self.overflow_low = pg.LinearRegionItem(
            (0, 1), movable=False, brush=overflow_brush, pen=pg.mkPen(None)
        )
        self.overflow_high = pg.LinearRegionItem(
            (0, 1), movable=False, brush=overflow_brush, pen=pg.mkPen(None)
        )
        self.flush_region = pg.LinearRegionItem(
            (0, 1), movable=False, brush=pg.mkBrush(*FLUSH_COLOR, 70), pen=pg.mkPen(None)
        )
        line_pen = pg.mkPen(OVERFLOW_COLOR, width=1.5, style=Qt.DashLine)
        label = {"position": 0.55, "color": OVERFLOW_COLOR, "fill": (255, 255, 255, 210)}
        self.min_line = pg.InfiniteLine(
            angle=90, pen=line_pen, label="min", labelOpts={**label, "anchors": [(0, 0.5), (0, 0.5)]}
        )
        self.max_line = pg.InfiniteLine(
            angle=90, pen=line_pen, label="max", labelOpts={**label, "anchors": [(1, 0.5), (1, 0.5)]}
        )
        self.bars = _bar_item(CURRENT_COLOR, 200)
        self.zero_bar = _bar_item(ZERO_COLOR, 235)
        # The compared variant: a light fill behind and its outline in front, so both read at once.
        self.compare_bars = _bar_item(COMPARE_COLOR, 80)
        self.compare_outline = pg.PlotDataItem(pen=pg.mkPen(COMPARE_COLOR, width=2))
        self.compare_zero_bar = pg.BarGraphItem(
            x0=[0],
            width=[1],
            height=[0],
            brush=QBrush(QColor(*COMPARE_COLOR), Qt.BDiagPattern),
            pen=pg.mkPen(COMPARE_COLOR, width=2),
        )
        self.off_scale_text = pg.TextItem("", color=(20, 20, 20), anchor=(0, 0), fill=(255, 255, 255, 210))
        self.message_text = pg.TextItem("", color=(90, 90, 90), anchor=(0.5, 0.5))
        for item, z in (
            (self.overflow_low, -20),
            (self.overflow_high, -20),
            (self.flush_region, -19),
            (self.compare_bars, 0),
            (self.bars, 1),
            (self.zero_bar, 3),
            (self.compare_zero_bar, 4),
            (self.min_line, 5),
            (self.max_line, 5),
            (self.off_scale_text, 10),
            (self.message_text, 10),
        ):
            item.setZValue(z)
            self.plot.addItem(item, ignoreBounds=True)
        # Straight into the view box: PlotItem would log-transform it again in log mode.
        self.compare_outline.setZValue(6)
        self.plot.vb.addItem(self.compare_outline, ignoreBounds=True)
        # Legend swatches: region items have no legend sample, the overlay shows as fill + outline.
        self._overflow_swatch = pg.BarGraphItem(
            x0=[0], width=[1], height=[1], brush=pg.mkBrush(*OVERFLOW_COLOR, 60), pen=line_pen
        )
        self._compare_swatch = pg.BarGraphItem(
            x0=[0],
            width=[1],
            height=[1],
            brush=pg.mkBrush(*COMPARE_COLOR, 80),
            pen=pg.mkPen(COMPARE_COLOR, width=2),
        )
        self.plot.vb.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(True)

        # Side panel: statistics and fixed-point format.
        self.stats_table = QTableWidget(0, 2)
        self.stats_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.stats_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.stats_table.setAlternatingRowColors(True)
        self.stats_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.stats_table.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)

        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, 64)
        self.width_spin.setValue(DEFAULT_WIDTH)
        self.width_spin.setToolTip("W: total bits, sign included")
        self.integer_spin = QSpinBox()
        self.integer_spin.setRange(-32, 64)
        self.integer_spin.setValue(DEFAULT_INTEGER)
        self.integer_spin.setToolTip("I: bits left of the binary point, sign included")
        self.rounding_combo = QComboBox()
        self.rounding_combo.addItems(ROUNDING_MODES)
        self.rounding_combo.setToolTip("TRN floors (ap_fixed's default), RND rounds to nearest")
        self.overflow_combo = QComboBox()
        self.overflow_combo.addItems(OVERFLOW_MODES)
        self.overflow_combo.setToolTip("WRAP wraps around (ap_fixed's default), SAT clips to the range")
        self.format_label = QLabel("")
        self.format_label.setWordWrap(True)
        self.format_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        wi = QHBoxLayout()
        wi.addWidget(QLabel("W"))
        wi.addWidget(self.width_spin)
        wi.addWidget(QLabel("I"))
        wi.addWidget(self.integer_spin)
        modes = QHBoxLayout()
        modes.addWidget(self.rounding_combo)
        modes.addWidget(self.overflow_combo)
        fx = QGroupBox("Fixed point, as hls4ml stores weights")
        form = QFormLayout(fx)
        form.addRow("ap_fixed<W,I>", wi)
        form.addRow("Rounding, overflow", modes)
        form.addRow(self.format_label)
        for w in (self.width_spin, self.integer_spin):
            w.valueChanged.connect(lambda _v: self.refresh())
        for c in (self.rounding_combo, self.overflow_combo):
            c.currentIndexChanged.connect(lambda _i: self.refresh())

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(fx)
        sl.addWidget(self.stats_table, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.plot_widget)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([700, 320])
        self.layer_tab = QWidget()
        tl = QVBoxLayout(self.layer_tab)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(split)

    def _build_grid_tab(self) -> None:
        self.grid_widget = pg.GraphicsLayoutWidget()
        self.grid_widget.setBackground("w")
        self.grid_widget.scene().sigMouseClicked.connect(self._on_grid_click)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_widget)
        self.grid_tab = QWidget()
        gl = QVBoxLayout(self.grid_tab)
        gl.setContentsMargins(0, 0, 0, 0)
        self.grid_hint = QLabel("")
        self.grid_hint.setWordWrap(True)
        gl.addWidget(self.grid_hint)
        gl.addWidget(scroll, 1)

    # --- state -----------------------------------------------------------------------------
    def _weights(self) -> dict[str, dict[str, np.ndarray]]:
        lv = self.state.current
        return {} if lv is None else {k: v for k, v in lv.weights.items() if v}

    def _on_variant(self, lv) -> None:
        layers = list(self._weights())
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(layers)
        self.layer_combo.blockSignals(False)
        for w in (self.layer_combo, self.weight_combo, self.compare_combo):
            w.setEnabled(lv is not None)
        if self._compare_lv is not None and lv is not None and self._compare_lv.name == lv.name:
            self._compare_lv = None
        self._fill_compare_combo()
        self._grid_dirty = True
        self._on_layer_selected(self.state.layer)

    def _on_layer_selected(self, name: str) -> None:
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(self.layer_combo.findText(name) if name else -1)
        self.layer_combo.blockSignals(False)
        self._fill_weight_combo()
        self.refresh()
        self._highlight_grid()

    def _on_layer_combo(self, index: int) -> None:
        if index >= 0:
            self.state.select_layer(self.layer_combo.itemText(index))

    def _fill_weight_combo(self) -> None:
        names = list(self._weights().get(self.state.layer, {}))
        wanted = self._wanted_kind
        self.weight_combo.blockSignals(True)
        self.weight_combo.clear()
        if names:
            self.weight_combo.addItems([*names, ALL_WEIGHTS])
            kernel = next((n for n in names if n.endswith("kernel")), names[0])
            self.weight_combo.setCurrentText(wanted if wanted in (*names, ALL_WEIGHTS) else kernel)
        self.weight_combo.blockSignals(False)

    def _on_weight_combo(self, _index: int) -> None:
        # Only the user's choices get here (refills block signals): remember it across layers.
        self._wanted_kind = self.weight_combo.currentText() or "kernel"
        self.refresh()

    def _fill_compare_combo(self) -> None:
        ws, lv = self.state.workspace, self.state.current
        names = [n for n in (ws.variants if ws is not None else {}) if lv is None or n != lv.name]
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItem(NO_COMPARE)
        self.compare_combo.addItems(names)
        keep = self._compare_lv.name if self._compare_lv is not None else None
        dropped = keep is not None and keep not in names  # deleted, or now the current variant
        self.compare_combo.setCurrentIndex(names.index(keep) + 1 if keep in names else 0)
        self.compare_combo.blockSignals(False)
        if dropped:
            self._compare_lv = None
            self.refresh()

    def _on_compare_combo(self, index: int) -> None:
        self.set_compare(None if index <= 0 else self.compare_combo.itemText(index))

    def set_compare(self, name: str | None) -> None:
        """Overlay variant ``name`` (loaded through the state's cache), or nothing for None."""
        lv, error = None, ""
        if name:
            try:
                lv = self.state.load_variant(name)
            except Exception as exc:  # a broken or untrusted file: say so, keep the view working
                error = f"Cannot compare with {name}: {exc}"
        self._set_compare(lv)
        self.refresh()
        if error:
            self.notice.setText(error)
            self.state.status_message.emit(error)

    def _set_compare(self, lv) -> None:
        self._compare_lv = lv
        self.compare_combo.blockSignals(True)
        self.compare_combo.setCurrentIndex(max(0, self.compare_combo.findText(lv.name)) if lv else 0)
        self.compare_combo.blockSignals(False)
        self._grid_dirty = True

    def fixed_point_format(self) -> FixedPointFormat:
        """The format set in the side panel (ValueError for an impossible combination)."""
        return FixedPointFormat(
            self.width_spin.value(),
            self.integer_spin.value(),
            rounding=self.rounding_combo.currentText(),
            overflow=self.overflow_combo.currentText(),
        )

    # --- data ------------------------------------------------------------------------------
    def _selection(self) -> tuple[str, np.ndarray] | None:
        weights = self._weights().get(self.state.layer)
        if not weights:
            return None
        return layer_values(weights, self.weight_combo.currentText() or "kernel")

    def _compare_values(self, layer: str, kind: str) -> tuple[str | None, np.ndarray | None]:
        if self._compare_lv is None:
            return None, None
        other = {k: v for k, v in self._compare_lv.weights.items() if v}
        match = match_layer(layer, self._weights(), other)
        if match is None:
            return None, None
        return match, layer_values(other[match], kind)[1]

    def _bins(self, *arrays: np.ndarray) -> int:
        return self.bins_spin.value() or auto_bins(max(int(np.count_nonzero(a)) for a in arrays))

    # --- drawing: one layer ----------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute and redraw the Layer tab (and the grid if it is shown)."""
        self._grid_dirty = True
        self.notice.setText("")
        sel = self._selection()
        if sel is None:
            self._show_message(self._why_empty())
            self._schedule_grid()
            return
        kind, values = sel
        layer = self.state.layer
        cmp_layer, cmp_values = self._compare_values(layer, kind)
        if self._compare_lv is not None and cmp_values is None:
            self.notice.setText(
                f"{self._compare_lv.name} has no layer matching {layer!r}: nothing to overlay."
            )
        if cmp_values is None:
            h, hc = histogram(values, bins=self._bins(values)), None
        else:
            h, hc = shared_histograms(values, cmp_values, bins=self._bins(values, cmp_values))
        log = self.log_check.isChecked()
        self.message_text.setText("")
        self.plot.setLogMode(y=log)

        _set_bars(self.bars, h.edges, h.counts, log)
        _set_zero_bar(self.zero_bar, h, log)
        self.bars.setVisible(True)
        self.zero_bar.setVisible(h.zeros > 0)
        if hc is not None:
            _set_bars(self.compare_bars, hc.edges, hc.counts, log)
            _set_outline(self.compare_outline, hc.edges, hc.counts, log)
            _set_zero_bar(self.compare_zero_bar, hc, log)
        for item in (self.compare_bars, self.compare_outline):
            item.setVisible(hc is not None)
        self.compare_zero_bar.setVisible(hc is not None and hc.zeros > 0)

        name = self.state.current.name
        legend = [(self.bars, f"{name}: non-zero ({_fmt_int(h.nonzero)})")]
        if h.zeros:
            legend.append((self.zero_bar, f"{name}: zeros ({_fmt_int(h.zeros)})"))
        if hc is not None:
            cname = self._compare_lv.name
            legend.append((self._compare_swatch, f"{cname}: non-zero ({_fmt_int(hc.nonzero)})"))
            if hc.zeros:
                legend.append((self.compare_zero_bar, f"{cname}: zeros ({_fmt_int(hc.zeros)})"))
        fmt, report, cmp_report = self._draw_format(values, cmp_values, legend)
        self.legend.clear()
        for item, text in legend:
            self.legend.addItem(item, html.escape(text))
        self._set_ranges(h, hc, fmt, log)

        shape = "×".join(str(n) for n in np.shape(self._weights()[layer].get(kind, values)))
        self.plot.setTitle(
            f"<span style='color:#202020'><b>{html.escape(layer)}</b> · {html.escape(kind)} ({shape}) · "
            f"bin width {h.edges[1] - h.edges[0]:.3g}</span>",
            size="10pt",
        )
        self.plot.setLabel("bottom", "weight value" if kind == ALL_WEIGHTS else f"{kind} value")
        self.plot.setLabel("left", "weights per bin" + (" (log scale)" if log else ""))

        stats = weight_stats(values)
        cmp_stats = weight_stats(cmp_values) if cmp_values is not None else None
        self._fill_stats(stats, cmp_stats, report, cmp_report)
        self._plotted = {
            "layer": layer,
            "weight": kind,
            "variant": name,
            "compare": self._compare_lv.name if hc is not None else None,
            "compare_layer": cmp_layer if hc is not None else None,
            "histogram": h,
            "compare_histogram": hc,
            "stats": stats,
            "compare_stats": cmp_stats,
            "format": fmt,
            "report": report,
            "compare_report": cmp_report,
            "log": log,
        }
        self._schedule_grid()

    def _why_empty(self) -> str:
        lv = self.state.current
        if lv is None:
            return "No model loaded"
        if not self._weights():
            return f"{lv.name} has no weights"
        return f"Layer {self.state.layer!r} has no weights" if self.state.layer else "No layer selected"

    def _draw_format(self, values: np.ndarray, cmp_values: np.ndarray | None, legend: list) -> tuple:
        """Overflow zones, flush band and range lines of the format; its report on the weights."""
        fx_items = (self.overflow_low, self.overflow_high, self.flush_region, self.min_line, self.max_line)
        try:
            fmt = self.fixed_point_format()
        except ValueError as exc:
            self.format_label.setText(f"<span style='color:#c62828'>{html.escape(str(exc))}</span>")
            for item in fx_items:
                item.setVisible(False)
            return None, None, None
        report = quantization_report(values, fmt)
        cmp_report = quantization_report(cmp_values, fmt) if cmp_values is not None else None
        self.flush_region.setRegion(fmt.flush_interval)
        self.min_line.setValue(fmt.min)
        self.max_line.setValue(fmt.max)
        self.min_line.label.setFormat(f" min {fmt.min:.6g} ")
        self.max_line.label.setFormat(f" max {fmt.max:.6g} ")
        for item in fx_items:
            item.setVisible(True)
        legend.append((self._overflow_swatch, f"outside {fmt} (overflow)"))
        frac = report["representable_fraction"]
        color = "#2e7d32" if frac >= 0.999 else ("#ef6c00" if frac >= 0.95 else "#c62828")
        self.format_label.setText(
            f"<b>{html.escape(str(fmt))}</b>: step 2<sup>{-fmt.f}</sup> = {fmt.lsb:.4g}, "
            f"range [{fmt.min:.6g}, {fmt.max:.6g}]<br>"
            f"<b style='color:{color}'>{_fmt_pct(frac)}</b> of these weights representable "
            f"({_fmt_int(report['overflow'])} overflow, {_fmt_int(report['underflow'])} flushed to 0). "
            f"<span style='color:gray'>Red: overflow zones; grey band: values that become 0.</span>"
        )
        return fmt, report, cmp_report

    def _set_ranges(
        self, h: WeightHistogram, hc: WeightHistogram | None, fmt: FixedPointFormat | None, log: bool
    ) -> None:
        """y: all bars, except a zero spike far above the rest (cut, with its count written next to it);
        x: the bins, widened to show the format's ends when they are close to the weights."""
        tallest = max(int(h.counts.max(initial=0)), int(hc.counts.max(initial=0)) if hc is not None else 0)
        zeros = [h.zeros] + ([hc.zeros] if hc is not None else [])
        self.off_scale_text.setText("")
        width = float(h.edges[1] - h.edges[0])
        if log:
            self.plot.setYRange(LOG_BASELINE, math.log10(max([tallest, *zeros, 1])) + 0.25, padding=0)
        else:
            top = _linear_top(tallest, max(zeros))
            self.plot.setYRange(0, top, padding=0)
            cut = [f"{_fmt_int(h.zeros)} zeros"] if h.zeros > top else []
            if hc is not None and hc.zeros > top:
                cut.append(f"{_fmt_int(hc.zeros)} in {self._compare_lv.name}")
            if cut:
                self.off_scale_text.setText("▲ " + ", ".join(cut) + " (bar cut)")
                self.off_scale_text.setPos(0.6 * width, top)
        lo, hi = float(h.edges[0]), float(h.edges[-1])
        if fmt is not None:
            near = 0.5 * (hi - lo)  # show a range end that lies within half the data's span
            if lo - near <= fmt.min < lo:
                lo = fmt.min
            if hi < fmt.max <= hi + near:
                hi = fmt.max
        self.plot.setXRange(lo, hi, padding=0.04)
        if fmt is not None:
            # Zones end far outside the view, not at infinity: Qt cannot paint a rectangle
            # billions of pixels wide.
            far = 100.0 * (hi - lo)
            self.overflow_low.setRegion((min(fmt.min, lo) - far, fmt.min))
            self.overflow_high.setRegion((fmt.max, max(fmt.max, hi) + far))

    def _show_message(self, msg: str) -> None:
        for item in (
            self.bars,
            self.zero_bar,
            self.compare_bars,
            self.compare_outline,
            self.compare_zero_bar,
            self.overflow_low,
            self.overflow_high,
            self.flush_region,
            self.min_line,
            self.max_line,
        ):
            item.setVisible(False)
        self.legend.clear()
        self.off_scale_text.setText("")
        self.plot.setLogMode(y=False)
        self.plot.setTitle("")
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)
        self.message_text.setText(msg)
        self.message_text.setPos(0.5, 0.5)
        self.format_label.setText("")
        self.stats_table.setRowCount(0)
        self.stats_table.setColumnCount(0)
        self._plotted = {}

    def _fill_stats(self, s: dict, cs: dict | None, r: dict | None, cr: dict | None) -> None:
        def column(st: dict, rep: dict | None) -> list[str]:
            out = [
                _fmt_int(st["count"]),
                f"{_fmt_int(st['zeros'])} ({_fmt_pct(st['sparsity'])})",
                _fmt(st["mean"]),
                _fmt(st["std"]),
                _fmt(st["rms"]),
                _fmt(st["min"]),
                _fmt(st["max"]),
                _fmt(st["abs_max"]),
            ]
            if rep is not None:
                out += [
                    _fmt_pct(rep["representable_fraction"]),
                    _fmt_int(rep["overflow"]),
                    _fmt_int(rep["underflow"]),
                    f"{_fmt(rep['rms_error'])} ({rep['rms_error'] / rep['lsb']:.2f} LSB)",
                    _fmt(rep["max_abs_error"]),
                ]
            return out

        labels = ["weights", "zeros (sparsity)", "mean", "std", "rms", "min", "max", "max |w|"]
        if r is not None:
            labels += ["representable", "overflow", "flushed to 0", "rms error", "max error"]
        cols = [column(s, r)] + ([column(cs, cr)] if cs is not None else [])
        headers = [self.state.current.name] + ([self._compare_lv.name] if cs is not None else [])
        self.stats_table.setColumnCount(len(cols))
        self.stats_table.setHorizontalHeaderLabels(headers)
        self.stats_table.setRowCount(len(labels))
        self.stats_table.setVerticalHeaderLabels(labels)
        for c, col in enumerate(cols):
            for row, text in enumerate(col):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.stats_table.setItem(row, c, item)

    # --- drawing: all layers ---------------------------------------------------------------
    def show_all_layers(self, on: bool = True) -> None:
        """Switch to the small-multiples tab (or back to the single layer)."""
        self.tabs.setCurrentWidget(self.grid_tab if on else self.layer_tab)

    def _schedule_grid(self) -> None:
        if self.tabs.currentWidget() is self.grid_tab:
            self._grid_timer.start()

    def _refresh_grid_if_shown(self) -> None:
        if self.tabs.currentWidget() is self.grid_tab and self._grid_dirty:
            self._draw_grid()

    def _draw_grid(self) -> None:
        self._grid_dirty = False
        self.grid_widget.clear()
        self._grid = {}
        weights = self._weights()
        if not weights:
            self.grid_widget.setMinimumHeight(0)
            self.grid_hint.setText(html.escape(self._why_empty()))
            return
        kind = self.weight_combo.currentText() or "kernel"
        log = self.log_check.isChecked()
        ncols = max(1, min(4, math.ceil(math.sqrt(len(weights)))))
        for n, (layer, w) in enumerate(weights.items()):
            taken, values = layer_values(w, kind)
            _, cmp_values = self._compare_values(layer, kind)
            arrays = (values,) if cmp_values is None else (values, cmp_values)
            hs = shared_histograms(*arrays, bins=self._bins(*arrays))
            pi = self.grid_widget.addPlot(row=n // ncols, col=n % ncols)
            _style_plot(pi, small=True)
            pi.setMenuEnabled(False)
            pi.setMouseEnabled(x=False, y=False)
            pi.hideButtons()
            pi.setLogMode(y=log)
            if len(hs) > 1:
                fill = _bar_item(COMPARE_COLOR, 80)
                _set_bars(fill, hs[1].edges, hs[1].counts, log)
                outline = pg.PlotDataItem(pen=pg.mkPen(COMPARE_COLOR, width=1.5))
                _set_outline(outline, hs[1].edges, hs[1].counts, log)
                outline.setZValue(6)
                pi.addItem(fill)
                pi.vb.addItem(outline)  # not through PlotItem: no second log transform
            bars = _bar_item(CURRENT_COLOR, 200)
            _set_bars(bars, hs[0].edges, hs[0].counts, log)
            pi.addItem(bars)
            for hh, brush in zip(
                hs, (pg.mkBrush(*ZERO_COLOR, 235), QBrush(QColor(*COMPARE_COLOR), Qt.BDiagPattern))
            ):
                if hh.zeros:
                    zb = pg.BarGraphItem(x0=[0], width=[1], height=[0], brush=brush, pen=None)
                    _set_zero_bar(zb, hh, log)
                    zb.setZValue(3)
                    pi.addItem(zb)
            tallest = max(int(x.counts.max(initial=0)) for x in hs)
            zeros = max(x.zeros for x in hs)
            if log:
                pi.setYRange(LOG_BASELINE, math.log10(max(tallest, zeros, 1)) + 0.25, padding=0)
            else:
                pi.setYRange(0, _linear_top(tallest, zeros), padding=0)
            pi.setXRange(float(hs[0].edges[0]), float(hs[0].edges[-1]), padding=0.04)
            pi.grid_info = (taken, hs[0].sparsity)
            self._grid[layer] = pi
        self._highlight_grid()
        self.grid_widget.setMinimumHeight(190 * math.ceil(len(weights) / ncols))
        key = [
            f"{_swatch(CURRENT_COLOR)} {html.escape(self.state.current.name)} non-zero",
            f"{_swatch(ZERO_COLOR)} zeros",
        ]
        if self._compare_lv is not None:
            key.append(f"{_swatch(COMPARE_COLOR, '▭')} {html.escape(self._compare_lv.name)}")
        self.grid_hint.setText(
            " &nbsp; ".join(key)
            + "<span style='color:gray'> &nbsp;·&nbsp; x: weight value, y: weights per bin"
            f"{' (log)' if log else ''} &nbsp;·&nbsp; click a plot to select its layer, double-click to open it</span>"
        )

    def _highlight_grid(self) -> None:
        """Retitle the small plots so the selected layer stands out (no redraw)."""
        for layer, pi in self._grid.items():
            taken, sparsity = pi.grid_info
            pi.setTitle(_grid_title(layer, taken, sparsity, layer == self.state.layer), size="8pt")

    def _on_grid_click(self, event) -> None:
        pos = event.scenePos()
        for layer, pi in self._grid.items():
            if pi.sceneBoundingRect().contains(pos):
                self.state.select_layer(layer)
                if event.double():
                    self.show_all_layers(False)
                return

    def grid_plots(self) -> dict[str, pg.PlotItem]:
        """The small plots of the All layers tab by layer name (drawn now if needed)."""
        if self._grid_dirty:
            self._draw_grid()
        return dict(self._grid)

    # --- for tests and other views ---------------------------------------------------------
    def plotted(self) -> dict[str, Any]:
        """What the Layer tab shows, read back from the plot items where possible.

        Returns:
            Empty when nothing is plotted; else ``edges`` (bin edges, weight units), ``heights``
            (bar tops as drawn: counts, or log10 counts in log mode), ``counts`` (non-zero values
            per bin, recovered from the bars), ``zeros`` (the zero bar, as a count; 0 when hidden),
            ``compare_edges``, ``compare_counts``, ``compare_zeros`` (None without overlay),
            ``log``, ``layer``, ``weight``, ``variant``, ``compare``, ``compare_layer``,
            ``histogram``/``compare_histogram`` (the :class:`core.weights.WeightHistogram`),
            ``stats``/``compare_stats`` (:func:`core.weights.weight_stats`), ``format``,
            ``report``/``compare_report`` (:func:`core.weights.quantization_report`),
            ``fraction_representable``, ``range`` (``(min, max)`` where the overflow zones start,
            None without a valid format), ``legend`` (its labels, in order).
        """
        if not self._plotted:
            return {}
        log = self._plotted["log"]
        out = dict(self._plotted)
        edges, tops = _bars_of(self.bars)
        out.update(edges=edges, heights=tops, counts=_counts_from(tops, log))
        out["zeros"] = _zero_count(self.zero_bar, log)
        if self.compare_bars.isVisible():
            cedges, ctops = _bars_of(self.compare_bars)
            out.update(compare_edges=cedges, compare_counts=_counts_from(ctops, log))
            out["compare_zeros"] = _zero_count(self.compare_zero_bar, log)
        else:
            out.update(compare_edges=None, compare_counts=None, compare_zeros=None)
        out["fraction_representable"] = (
            None if out["report"] is None else out["report"]["representable_fraction"]
        )
        visible = self.min_line.isVisible()
        out["range"] = (
            (self.overflow_low.getRegion()[1], self.overflow_high.getRegion()[0]) if visible else None
        )
        out["legend"] = [html.unescape(label.text) for _, label in self.legend.items]
        return out


# --- helpers ------------------------------------------------------------------------------------
def _bar_item(color: tuple[int, int, int], alpha: int) -> pg.BarGraphItem:
    return pg.BarGraphItem(x0=[0], width=[1], height=[0], brush=pg.mkBrush(*color, alpha), pen=None)


def _swatch(color: tuple[int, int, int], char: str = "■") -> str:
    return f"<span style='color:rgb{tuple(color)}; font-size:14pt'>{char}</span>"


def _linear_top(tallest: int, zeros: int) -> float:
    """Top of a linear count axis: room for the legend above the bars; a zero spike more than
    :data:`ZERO_CLIP_FACTOR` times the tallest other bar is cut rather than flattening the rest."""
    if tallest > 0 and zeros > ZERO_CLIP_FACTOR * tallest:
        return 1.3 * tallest
    return 1.15 * max(tallest, zeros, 1)


def _grid_title(layer: str, kind: str, sparsity: float, selected: bool) -> str:
    color = "#{:02x}{:02x}{:02x}".format(*CURRENT_COLOR) if selected else "#202020"
    weight = "bold" if selected else "normal"
    return (
        f"<span style='color:{color}; font-weight:{weight}'>{html.escape(layer)}</span>"
        f"<br><span style='color:#606060'>{html.escape(kind)} · {100 * sparsity:.1f} % zeros</span>"
    )


def _tops(counts: np.ndarray, log: bool) -> np.ndarray:
    """Bar tops on the count axis: counts, or log10 counts (empty bins at :data:`LOG_BASELINE`)."""
    c = np.asarray(counts, dtype=np.float64)
    if not log:
        return c
    return np.where(c > 0, np.log10(np.maximum(c, 1)), LOG_BASELINE)


def _set_bars(item: pg.BarGraphItem, edges: np.ndarray, counts: np.ndarray, log: bool) -> None:
    base = LOG_BASELINE if log else 0.0
    tops = _tops(counts, log)
    item.setOpts(x0=edges[:-1], width=np.diff(edges), y0=np.full(tops.shape, base), height=tops - base)


def _set_outline(item: pg.PlotDataItem, edges: np.ndarray, counts: np.ndarray, log: bool) -> None:
    """A histogram's outline as one step line, down to the axis at both ends."""
    base = LOG_BASELINE if log else 0.0
    tops = _tops(counts, log)
    x = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
    y = np.concatenate([[base], np.repeat(tops, 2), [base]])
    item.setData(x, y)


def _set_zero_bar(item: pg.BarGraphItem, h: WeightHistogram, log: bool) -> None:
    """One bar centred on 0, one bin wide (its own bar, whatever bin 0 falls in)."""
    width = float(h.edges[1] - h.edges[0])
    _set_bars(item, np.array([-width / 2, width / 2]), np.array([h.zeros]), log)


def _bars_of(item: pg.BarGraphItem) -> tuple[np.ndarray, np.ndarray]:
    """(edges, bar tops) read back from a bar item."""
    x0 = np.asarray(item.opts["x0"], dtype=np.float64)
    width = np.asarray(item.opts["width"], dtype=np.float64)
    y0 = np.asarray(item.opts["y0"], dtype=np.float64)
    height = np.asarray(item.opts["height"], dtype=np.float64)
    return np.append(x0, x0[-1] + width[-1]), y0 + height


def _counts_from(tops: np.ndarray, log: bool) -> np.ndarray:
    if not log:
        return np.rint(tops).astype(np.int64)
    return np.where(tops > LOG_BASELINE, np.rint(10.0**tops), 0).astype(np.int64)


def _zero_count(item: pg.BarGraphItem, log: bool) -> int:
    return int(_counts_from(_bars_of(item)[1], log)[0]) if item.isVisible() else 0


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(WeightsView, "TrigLab — weights"))
