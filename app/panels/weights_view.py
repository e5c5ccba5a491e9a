"""The Weights view: the weight distribution of a layer, its statistics and what ap_fixed<W,I> keeps.

One layer at a time (tab "Layer"): a histogram of the non-zero values with the zeros as their own
bar at 0 (:class:`app.panels.histogram.HistogramPlot`), the same layer of another variant overlaid
on identical bins ("compare with": before/after pruning), the range of a fixed-point format shaded
on the plot and the fraction of weights it represents. Every layer at once (tab "All layers",
:mod:`app.panels.weights_grid`): small multiples titled with the layer's sparsity; a click selects
the layer.

The numbers all come from :mod:`core.weights`; this module only draws them.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.palette import plot_title_color
from app.panels.histogram import (
    COMPARE_COLOR,
    LOG_BASELINE,
    HistogramPlot,
    fmt_count,
    fmt_value,
)
from app.panels.weights_grid import WeightsGrid
from app.panels.weights_side import FormatZones, WeightsSide
from core.weights import (
    FixedPointFormat,
    WeightHistogram,
    auto_bins,
    histogram,
    quantization_report,
    shared_histograms,
    weight_stats,
)

ALL_WEIGHTS = "all weights"  # the weight combo's key for every weight of the layer
NO_COMPARE = QT_TRANSLATE_NOOP("WeightsView", "— none —")
_PREFIXES = ("prune_low_magnitude_",)  # tf-model-optimization renames the layers it wraps
__all__ = ["ALL_WEIGHTS", "LOG_BASELINE", "NO_COMPARE", "WeightsView", "layer_values", "match_layer"]


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
        self._grid_dirty = True
        # Grid redraws are coalesced: a variant change refreshes several times in a row.
        self._grid_timer = QTimer(self)
        self._grid_timer.setSingleShot(True)
        self._grid_timer.setInterval(0)
        self._grid_timer.timeout.connect(self._refresh_grid_if_shown)
        self._build_controls()
        self._build_layer_tab()
        self.grid_tab = WeightsGrid()
        self.grid_tab.layer_clicked.connect(self._on_grid_click)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.layer_tab, self.tr("Layer"))
        self.tabs.addTab(self.grid_tab, self.tr("All layers"))
        self.tabs.setCornerWidget(self.histogram_options, Qt.TopRightCorner)
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
        self.layer_combo.setToolTip(self.tr("The layer shown (selecting it here selects it in every view)"))
        self.weight_combo = QComboBox()
        self.weight_combo.setToolTip(self.tr("Which of the layer's weights to histogram"))
        self.compare_combo = QComboBox()
        self.compare_combo.setToolTip(self.tr("Overlay the same layer of another variant, on the same bins"))
        self.bins_spin = QSpinBox()
        self.bins_spin.setRange(0, 1000)
        self.bins_spin.setSpecialValueText(self.tr("auto"))
        self.bins_spin.setToolTip(self.tr("Number of bins (auto: 2·n^(1/3), between 10 and 200)"))
        self.log_check = QCheckBox(self.tr("Log counts"))
        self.log_check.setToolTip(self.tr("Logarithmic count axis: small tails and the zero spike at once"))
        self.controls = QHBoxLayout()
        for label, w in (
            (self.tr("Layer"), self.layer_combo),
            (self.tr("Weights"), self.weight_combo),
            (self.tr("Compare with"), self.compare_combo),
        ):
            self.controls.addWidget(QLabel(label))
            self.controls.addWidget(w)
            self.controls.addSpacing(8)
        self.controls.addStretch(1)
        # Bins and log scale sit beside the tabs (they apply to both): the row above stays short.
        self.histogram_options = QWidget()
        ho = QHBoxLayout(self.histogram_options)
        ho.setContentsMargins(0, 0, 4, 0)
        ho.addWidget(QLabel(self.tr("Bins")))
        ho.addWidget(self.bins_spin)
        ho.addSpacing(8)
        ho.addWidget(self.log_check)
        # Names (layers, variants) never size the window: the combos ask for 16 characters but
        # shrink to 8 on a narrow window (a 1366 px projector with the walkthrough open), eliding;
        # the open list shows whole names.
        narrow = self.fontMetrics().horizontalAdvance("X" * 8) + 30
        for combo in (self.layer_combo, self.weight_combo, self.compare_combo):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.setMinimumWidth(narrow)
            combo.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.notice = QLabel("")
        self.notice.setStyleSheet("color: #8d6e63;")
        self.notice.setWordWrap(True)
        self.notice.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        self.layer_combo.activated.connect(self._on_layer_combo)
        self.weight_combo.currentIndexChanged.connect(self._on_weight_combo)
        self.compare_combo.activated.connect(self._on_compare_combo)
        self.bins_spin.valueChanged.connect(lambda _v: self.refresh())
        self.log_check.toggled.connect(lambda _on: self.refresh())

    def _build_layer_tab(self) -> None:
        self.hist = HistogramPlot()
        self.plot = self.hist.plot
        self.plot.setLabel("left", self.tr("weights per bin"))
        self.legend = self.plot.addLegend(
            offset=(10, 10),  # top left: weight distributions are centred, the zero bar too
            labelTextColor=(20, 20, 20),
            labelTextSize="8pt",  # small: a narrow plot (a projector) keeps most of its bars clear
            brush=pg.mkBrush(255, 255, 255, 225),
            pen=pg.mkPen(180, 180, 180),
        )
        # The legend never covers bars: the count axis leaves its height free at the top (issue 12,
        # point 6), again whenever the plot is resized.
        self.plot.vb.sigResized.connect(self._legend_above_bars)
        self.zones = FormatZones(self.hist)
        self._compare_swatch = pg.BarGraphItem(
            x0=[0],
            width=[1],
            height=[1],
            brush=pg.mkBrush(*COMPARE_COLOR, 80),
            pen=pg.mkPen(COMPARE_COLOR, width=2),
        )
        self.plot.setMenuEnabled(True)

        # Side panel: fixed-point format and statistics.
        self.side = WeightsSide()
        self.side.changed.connect(self.refresh)
        side = self.side
        for name in (
            "width_spin",
            "integer_spin",
            "rounding_combo",
            "overflow_combo",
            "format_label",
            "stats_table",
        ):
            setattr(self, name, getattr(side, name))
        split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.hist)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        self.layer_tab = QWidget()
        tl = QVBoxLayout(self.layer_tab)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(split)

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
        self.grid_tab.highlight(self.state.layer)

    def _on_layer_combo(self, index: int) -> None:
        if index >= 0:
            self.state.select_layer(self.layer_combo.itemText(index))

    def _kind(self) -> str:
        """The weight chosen in the combo (a weight name or :data:`ALL_WEIGHTS`)."""
        return self.weight_combo.currentData() or "kernel"

    def _fill_weight_combo(self) -> None:
        names = list(self._weights().get(self.state.layer, {}))
        wanted = self._wanted_kind
        self.weight_combo.blockSignals(True)
        self.weight_combo.clear()
        if names:
            for n in names:
                self.weight_combo.addItem(n, n)
            self.weight_combo.addItem(self.tr("all weights"), ALL_WEIGHTS)
            kernel = next((n for n in names if n.endswith("kernel")), names[0])
            self.weight_combo.setCurrentIndex(
                self.weight_combo.findData(wanted if wanted in (*names, ALL_WEIGHTS) else kernel)
            )
        self.weight_combo.blockSignals(False)

    def _on_weight_combo(self, _index: int) -> None:
        # Only the user's choices get here (refills block signals): remember it across layers.
        self._wanted_kind = self._kind()
        self.refresh()

    def _fill_compare_combo(self) -> None:
        ws, lv = self.state.workspace, self.state.current
        names = [n for n in (ws.variants if ws is not None else {}) if lv is None or n != lv.name]
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItem(QCoreApplication.translate("WeightsView", NO_COMPARE))
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
                error = self.tr("Cannot compare with {0}: {1}").format(name, exc)
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
        return self.side.fixed_point_format()

    # --- data ------------------------------------------------------------------------------
    def _selection(self) -> tuple[str, np.ndarray] | None:
        weights = self._weights().get(self.state.layer)
        if not weights:
            return None
        return layer_values(weights, self._kind())

    def _compare_values(self, layer: str, kind: str) -> tuple[str | None, np.ndarray | None]:
        if self._compare_lv is None:
            return None, None
        other = {k: v for k, v in self._compare_lv.weights.items() if v}
        match = match_layer(layer, self._weights(), other)
        if match is None:
            return None, None
        return match, layer_values(other[match], kind)[1]

    def _histograms(self, values: np.ndarray, cmp_values: np.ndarray | None) -> list[WeightHistogram]:
        """This variant's histogram and the compared one's (if any), on the same bins."""
        arrays = (values,) if cmp_values is None else (values, cmp_values)
        bins = self.bins_spin.value() or auto_bins(max(int(np.count_nonzero(a)) for a in arrays))
        if cmp_values is None:
            return [histogram(values, bins=bins)]
        return list(shared_histograms(values, cmp_values, bins=bins))

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
                self.tr("{0} has no layer matching '{1}': nothing to overlay.").format(
                    self._compare_lv.name, layer
                )
            )
        hs = self._histograms(values, cmp_values)
        h, hc = hs[0], (hs[1] if len(hs) > 1 else None)
        log = self.log_check.isChecked()
        self.hist.show_histograms(h, hc, log)

        name = self.state.current.name
        legend = [(self.hist.bars, self.tr("{0}: non-zero ({1})").format(name, fmt_count(h.nonzero)))]
        if h.zeros:
            legend.append((self.hist.zero_bar, self.tr("{0}: zeros ({1})").format(name, fmt_count(h.zeros))))
        if hc is not None:
            cname = self._compare_lv.name
            legend.append(
                (self._compare_swatch, self.tr("{0}: non-zero ({1})").format(cname, fmt_count(hc.nonzero)))
            )
            if hc.zeros:
                legend.append(
                    (
                        self.hist.overlay_zero_bar,
                        self.tr("{0}: zeros ({1})").format(cname, fmt_count(hc.zeros)),
                    )
                )
        fmt, report, cmp_report = self._draw_format(values, cmp_values, legend)
        self.legend.clear()
        for item, text in legend:
            self.legend.addItem(item, html.escape(text))
        self.hist.fit_counts(h, hc, self._compare_lv.name if hc is not None else "")
        self._set_x_range(h, fmt)
        self._legend_above_bars()

        shape = "×".join(str(n) for n in np.shape(self._weights()[layer].get(kind, values)))
        kind_text = self.tr("all weights") if kind == ALL_WEIGHTS else kind
        bin_width = self.tr("bin width {0}").format(fmt_value(float(h.edges[1] - h.edges[0]), 3))
        # A short title (a plot is never narrower than its title); the bin width goes with the axis.
        self.plot.setTitle(
            f"<span style='color:{plot_title_color()}'><b>{html.escape(layer)}</b> · {html.escape(kind_text)} ({shape})</span>",
            size="10pt",
        )
        axis = self.tr("weight value") if kind == ALL_WEIGHTS else self.tr("{0} value").format(kind)
        self.plot.setLabel("bottom", f"{axis} · {bin_width}")
        self.plot.setLabel(
            "left", self.tr("weights per bin (log scale)") if log else self.tr("weights per bin")
        )

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
            return self.tr("No model loaded")
        if not self._weights():
            return self.tr("{0} has no weights").format(lv.name)
        if self.state.layer:
            return self.tr("Layer '{0}' has no weights").format(self.state.layer)
        return self.tr("No layer selected")

    def _legend_above_bars(self, *_args) -> None:
        """Free the top of the plot for the legend (its height, plus its 10 px offset and a gap)."""
        # The view box also resizes while the window is torn down: nothing to do then.
        if not (shiboken6.isValid(self) and shiboken6.isValid(self.hist) and shiboken6.isValid(self.plot.vb)):
            return
        height = self.plot.vb.height()
        if height <= 0:
            return
        needed = self.legend.boundingRect().height() + 16 if self.legend.items else 0.0
        self.hist.set_headroom(needed / height)

    def _draw_format(self, values: np.ndarray, cmp_values: np.ndarray | None, legend: list) -> tuple:
        """Overflow zones, flush band and range lines of the format; its report on the weights."""
        try:
            fmt = self.fixed_point_format()
        except ValueError as exc:
            self.side.show_format_error(str(exc))
            self.zones.hide()
            return None, None, None
        report = quantization_report(values, fmt)
        cmp_report = quantization_report(cmp_values, fmt) if cmp_values is not None else None
        legend.append((self.zones.swatch, self.tr("outside {0} (overflow)").format(fmt)))
        self.side.show_format(fmt, report)
        return fmt, report, cmp_report

    def _set_x_range(self, h: WeightHistogram, fmt: FixedPointFormat | None) -> None:
        """The bins, widened to show the format's ends when they are close to the weights."""
        lo, hi = float(h.edges[0]), float(h.edges[-1])
        if fmt is not None:
            near = 0.5 * (hi - lo)  # show a range end that lies within half the data's span
            if lo - near <= fmt.min < lo:
                lo = fmt.min
            if hi < fmt.max <= hi + near:
                hi = fmt.max
        self.plot.setXRange(lo, hi, padding=0.04)
        if fmt is not None:
            self.zones.show(fmt, lo, hi)

    def _show_message(self, msg: str) -> None:
        self.hist.show_message(msg)
        self.legend.clear()
        self.side.clear()
        self._plotted = {}

    def _fill_stats(self, s: dict, cs: dict | None, r: dict | None, cr: dict | None) -> None:
        headers = [self.state.current.name] + ([self._compare_lv.name] if cs is not None else [])
        self.side.fill_stats(headers, s, cs, r, cr)

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
        weights = self._weights()
        if not weights:
            self.grid_tab.clear(self._why_empty())
            return
        kind = self._kind()
        layers = []
        for layer, w in weights.items():
            taken, values = layer_values(w, kind)
            layers.append((layer, taken, self._histograms(values, self._compare_values(layer, kind)[1])))
        compare = self._compare_lv.name if self._compare_lv is not None else None
        self.grid_tab.draw(
            layers, self.log_check.isChecked(), self.state.layer, self.state.current.name, compare
        )

    def _on_grid_click(self, layer: str, double: bool) -> None:
        self.state.select_layer(layer)
        if double:
            self.show_all_layers(False)

    def grid_plots(self) -> dict[str, pg.PlotItem]:
        """The small plots of the All layers tab by layer name (drawn now if needed)."""
        if self._grid_dirty:
            self._draw_grid()
        return dict(self.grid_tab.plots)

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
        out = dict(self._plotted)
        drawn = self.hist.drawn()
        out.update(
            edges=drawn["edges"], heights=drawn["heights"], counts=drawn["counts"], zeros=drawn["zeros"]
        )
        out.update(
            compare_edges=drawn["overlay_edges"],
            compare_counts=drawn["overlay_counts"],
            compare_zeros=drawn["overlay_zeros"],
        )
        out["fraction_representable"] = (
            None if out["report"] is None else out["report"]["representable_fraction"]
        )
        out["range"] = self.zones.range()
        out["legend"] = [html.unescape(label.text) for _, label in self.legend.items]
        return out


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(WeightsView, "TrigLab — weights"))
