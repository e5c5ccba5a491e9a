"""The compression lab's live preview: move a slider, see what pruning and quantization do at once.

Left, the controls: pruning (target sparsity or magnitude threshold, global or per layer, per-layer
overrides for sensitive layers) and quantization (``ap_fixed<W,I>`` with its rounding and overflow
modes, powers of two, binary, ternary). Right, the selected layer's weight histogram before and
after on the same bins, with the quantization grid and the zeros as their own bar; the statistics
of the layer and of the whole model; and the task metric on a validation subset.

Every number comes from :mod:`core.compress.preview`, recomputed on each slider move in the GUI
thread (well under a frame). The metric is re-evaluated in a light job on a private copy of the
model; slider moves made while it runs are coalesced: only the latest settings are evaluated next.
"""

from __future__ import annotations

import html
import json
import math
import time
from collections import OrderedDict
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from app.palette import BLUISH_GREEN
from app.panels.weights_view import (
    CURRENT_COLOR,
    OVERFLOW_COLOR,
    ZERO_COLOR,
    _bar_item,
    _bars_of,
    _fmt,
    _fmt_int,
    _fmt_pct,
    _linear_top,
    _set_bars,
    _set_outline,
    _set_zero_bar,
    _style_plot,
    _swatch,
)
from core.compress.preview import (
    PreviewEngine,
    PreviewEvaluator,
    PreviewResult,
    PreviewSettings,
    PreviewStats,
    PruneSettings,
    QuantSettings,
    apply_params,
)
from core.weights import OVERFLOW_MODES, ROUNDING_MODES

VALIDATION_SAMPLES = 1000
BEFORE_COLOR = (110, 110, 110)  # the original weights: neutral grey behind the preview
GRID_COLOR = BLUISH_GREEN
_KINDS = (
    ("none", "none (float32)"),
    ("fixed", "fixed point ap_fixed<W,I>"),
    ("po2", "power of two ±2^e"),
    ("binary", "binary ±a"),
    ("ternary", "ternary {−a, 0, +a}"),
)
_ROUNDING_HELP = {
    "TRN": "truncate towards −∞ (ap_fixed's default)",
    "RND": "round to nearest, half up",
    "RND_CONV": "round to nearest, half to even",
    "TRN_ZERO": "truncate towards 0",
    "RND_ZERO": "round to nearest, half towards 0",
    "RND_MIN_INF": "round to nearest, half down",
    "RND_INF": "round to nearest, half away from 0",
}
_OVERFLOW_HELP = {
    "WRAP": "wrap around, two's complement (ap_fixed's default)",
    "SAT": "saturate at the range's ends",
    "SAT_SYM": "saturate to a symmetric range",
    "WRAP_SM": "wrap around, sign-magnitude",
}
_STAT_ROWS = (
    "weights",
    "zeros (sparsity)",
    "pruned",
    "flushed to 0",
    "overflow",
    "RMS error",
    "max |error|",
    "size fp32 → after",
    "compression",
)
_EVALUATORS_KEPT = 3  # model copies kept for recently previewed variants


def _fmt_bytes(n: float) -> str:
    if n < 1e3:
        return f"{n:.0f} B" if n == int(n) else f"{n:.1f} B"
    if n < 1e6:
        return f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.2f} MB"


def _fmt_delta(v: float, digits: int = 1) -> str:
    return f"{v:+.{digits}f}".replace("-", "−")


def stats_texts(s: PreviewStats) -> list[str]:
    """The statistics column for ``s``, one text per row of the table (``_STAT_ROWS``)."""
    ratio = "—" if not math.isfinite(s.compression) else f"× {s.compression:.1f}"
    return [
        _fmt_int(s.size),
        f"{_fmt_int(s.zeros)} ({_fmt_pct(s.sparsity)})",
        _fmt_int(s.pruned),
        _fmt_int(s.underflow),
        _fmt_int(s.overflow),
        _fmt(s.rms_error),
        _fmt(s.max_abs_error),
        f"{_fmt_bytes(s.bytes_dense)} → {_fmt_bytes(s.bytes_after)}",
        ratio,
    ]


def _settings_key(settings: PreviewSettings) -> str:
    return json.dumps(settings.to_dict(), sort_keys=True)


def metric_texts(
    evaluator: PreviewEvaluator, metrics: dict[str, float], variant: str = ""
) -> tuple[str, str]:
    """The metric line ("val accuracy 96.1 % (baseline 96.4 %, −0.3)") and its grey detail line."""
    name = evaluator.metric
    value, base = metrics.get(name, math.nan), evaluator.baseline.get(name, math.nan)
    if name == "accuracy":
        text = f"val accuracy {100 * value:.1f} % (baseline {100 * base:.1f} %, {_fmt_delta(100 * (value - base))})"
    else:
        text = f"val {name} {value:.4g} (baseline {base:.4g}, {_fmt_delta(value - base, 3)})"
    better = "higher" if evaluator.higher_is_better else "lower"
    of = f" of {variant}" if variant else ""
    detail = (
        f"On the first {evaluator.samples} validation samples; baseline: the original weights{of}; "
        f"{better} is better. No retraining: fine-tuning after Apply usually recovers part of a loss."
    )
    return text, detail


def _setup_job(model: Any, dataset: Any, name: str, data_dir: Any, progress: Any = None) -> tuple:
    """Worker: the dataset (loaded once) and a :class:`PreviewEvaluator` for ``model``."""
    if dataset is None:
        from core.data import load_dataset

        progress.update(0.1, f"loading {name}")
        dataset = load_dataset(name, cache_dir=data_dir, progress=progress)
    progress.update(0.5, "copying the model")
    return dataset, PreviewEvaluator(model, dataset, max_samples=VALIDATION_SAMPLES)


def _evaluate_job(evaluator: PreviewEvaluator, engine: PreviewEngine, result: PreviewResult, progress=None):
    """Worker: the metrics of one preview (its weights are materialized here, off the GUI thread)."""
    return evaluator.evaluate(engine.weights_for_model(result))


def _alive(widget) -> bool:
    """False once the C++ side of ``widget`` is gone (late job signals must not touch it)."""
    import shiboken6

    return shiboken6.isValid(widget)


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
        self.evaluations = 0  # evaluations started (coalescing keeps it low)
        self._lv = None
        self._layer = ""
        self._result: PreviewResult | None = None
        self._updating = False
        self._datasets: dict[tuple[str, str], Any] = {}
        self._evaluators: OrderedDict[int, tuple[Any, PreviewEvaluator]] = OrderedDict()
        self._setup_jobs: dict[int, Any] = {}
        self._eval_job = None
        self._wanted: PreviewResult | None = None  # the latest preview not evaluated yet
        self._metric_cache: dict[str, tuple[str, str]] = {}  # settings → (metric line, detail)
        self._plotted: dict[str, Any] = {}

        controls = self._build_controls()
        views = self._build_views()
        split = QSplitter(Qt.Horizontal)
        split.addWidget(controls)
        split.addWidget(views)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 760])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        state.variant_changed.connect(self._on_variant)
        state.layer_selected.connect(self._on_layer_selected)
        state.workspace_changed.connect(self._on_workspace)
        self._on_variant(state.current)

    # --- construction ----------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        # Pruning
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("target sparsity", "sparsity")
        self.mode_combo.addItem("magnitude threshold", "threshold")
        self.mode_combo.setToolTip(
            "Target sparsity: remove that fraction of the kernel weights, the smallest first.\n"
            "Magnitude threshold: remove every kernel weight with |w| ≤ the value."
        )
        self.value_slider = QLabeledDoubleSlider(Qt.Horizontal)
        self.value_slider.setRange(0.0, 99.0)
        self.value_slider.setDecimals(1)
        self.value_slider.setSingleStep(0.5)
        self.value_label = QLabel("Sparsity (%)")
        self.scope_combo = QComboBox()
        self.scope_combo.addItem("global (one threshold)", "global")
        self.scope_combo.addItem("per layer", "per_layer")
        self.scope_combo.setToolTip(
            "Global: rank the kernels of all layers together (layers with many small weights lose more).\n"
            "Per layer: bring every kernel to the target."
        )
        self.override_table = QTableWidget(0, 3)
        self.override_table.setHorizontalHeaderLabels(["layer", "override", "reached"])
        self.override_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.override_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.override_table.verticalHeader().setVisible(False)
        hh = self.override_table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.Stretch)
        hh.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.override_table.setToolTip(
            "Per-layer sensitivity overrides: a layer's own target sparsity ('—' = follow the slider).\n"
            "Reached: the fraction of the layer's kernel that the preview prunes."
        )
        self.override_table.verticalHeader().setDefaultSectionSize(26)
        self.override_table.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self._override_spins: dict[str, QDoubleSpinBox] = {}

        prune = QGroupBox("Pruning — kernels, by magnitude")
        pf = QFormLayout(prune)
        pf.addRow("Mode", self.mode_combo)
        pf.addRow(self.value_label, self.value_slider)
        pf.addRow("Scope", self.scope_combo)
        pf.addRow(self.override_table)

        # Quantization
        self.kind_combo = QComboBox()
        for key, text in _KINDS:
            self.kind_combo.addItem(text, key)
        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, 32)
        self.width_spin.setValue(8)
        self.width_spin.setToolTip("W: total bits per weight, sign included")
        self.integer_spin = QSpinBox()
        self.integer_spin.setRange(-16, 32)
        self.integer_spin.setValue(3)
        self.integer_spin.setToolTip("I: bits above the binary point, sign included")
        self.auto_check = QCheckBox("auto")
        self.auto_check.setToolTip("Per tensor, the fewest integer bits that hold its largest weight")
        self.rounding_combo = QComboBox()
        for mode in ROUNDING_MODES:
            self.rounding_combo.addItem(mode, mode)
            self.rounding_combo.setItemData(
                self.rounding_combo.count() - 1, _ROUNDING_HELP[mode], Qt.ToolTipRole
            )
        self.overflow_combo = QComboBox()
        for mode in OVERFLOW_MODES:
            self.overflow_combo.addItem(mode, mode)
            self.overflow_combo.setItemData(
                self.overflow_combo.count() - 1, _OVERFLOW_HELP[mode], Qt.ToolTipRole
            )
        self.po2_spin = QSpinBox()
        self.po2_spin.setRange(2, 8)
        self.po2_spin.setValue(4)
        self.po2_spin.setToolTip("Bits per weight: a sign bit and an exponent code (one code for 0)")
        self.ternary_spin = QDoubleSpinBox()
        self.ternary_spin.setRange(0.0, 0.99)
        self.ternary_spin.setSingleStep(0.01)
        self.ternary_spin.setValue(0.33)
        self.ternary_spin.setSuffix(" × max|w|")
        self.ternary_spin.setToolTip("|w| at or below this fraction of the tensor's largest |w| becomes 0")
        wi = QWidget()
        wil = QHBoxLayout(wi)
        wil.setContentsMargins(0, 0, 0, 0)
        wil.addWidget(QLabel("W"))
        wil.addWidget(self.width_spin)
        wil.addSpacing(6)
        wil.addWidget(QLabel("I"))
        wil.addWidget(self.integer_spin)
        wil.addWidget(self.auto_check)
        wil.addStretch(1)
        quant = QGroupBox("Quantization — kernels and biases")
        self.quant_form = QFormLayout(quant)
        self.quant_form.addRow("Kind", self.kind_combo)
        self.quant_form.addRow("ap_fixed<W,I>", wi)
        self.quant_form.addRow("Rounding", self.rounding_combo)
        self.quant_form.addRow("Overflow", self.overflow_combo)
        self.quant_form.addRow("Bits", self.po2_spin)
        self.quant_form.addRow("Threshold", self.ternary_spin)
        self._fixed_rows = (wi, self.rounding_combo, self.overflow_combo)

        self.apply_button = QPushButton("Use these settings →")
        self.apply_button.setToolTip(
            "Hand these settings to the Apply form (prune / quantize with fine-tuning)"
        )
        self.apply_button.clicked.connect(self._emit_for_apply)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 4, 0)
        sl.addWidget(prune)
        sl.addWidget(quant)
        sl.addWidget(self.apply_button)
        sl.addStretch(1)
        side.setMinimumWidth(300)

        self.mode_combo.currentIndexChanged.connect(self._on_mode)
        self.value_slider.valueChanged.connect(self._changed)
        self.scope_combo.currentIndexChanged.connect(self._changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        for w in (self.width_spin, self.integer_spin, self.po2_spin):
            w.valueChanged.connect(self._changed)
        self.ternary_spin.valueChanged.connect(self._changed)
        self.auto_check.toggled.connect(self._on_auto)
        self.rounding_combo.currentIndexChanged.connect(self._changed)
        self.overflow_combo.currentIndexChanged.connect(self._changed)
        self._show_quant_rows()
        return side

    def _build_views(self) -> QWidget:
        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumContentsLength(14)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip("The layer shown (selecting it here selects it in every view)")
        self.layer_combo.activated.connect(self._on_layer_combo)
        self.format_label = QLabel("")
        self.format_label.setTextFormat(Qt.RichText)
        head = QHBoxLayout()
        head.addWidget(QLabel("Layer"))
        head.addWidget(self.layer_combo)
        head.addSpacing(10)
        head.addWidget(self.format_label, 1)

        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        _style_plot(self.plot)
        self.plot.setLabel("left", "weights per bin")
        self.plot.setLabel("bottom", "weight value")
        self.plot.vb.setMouseEnabled(x=True, y=False)
        self.before_fill = _bar_item(BEFORE_COLOR, 55)
        self.before_outline = pg.PlotDataItem(pen=pg.mkPen(*BEFORE_COLOR, width=1.5))
        self.after_bars = _bar_item(CURRENT_COLOR, 210)
        self.after_zero_bar = _bar_item(ZERO_COLOR, 235)
        self.before_zero_bar = pg.BarGraphItem(
            x0=[0],
            width=[1],
            height=[0],
            brush=QBrush(QColor(*BEFORE_COLOR), Qt.BDiagPattern),
            pen=pg.mkPen(*BEFORE_COLOR, width=1.5),
        )
        self.grid_lines = pg.PlotDataItem(pen=pg.mkPen(*GRID_COLOR, 110, width=1))
        line_pen = pg.mkPen(OVERFLOW_COLOR, width=1.5, style=Qt.DashLine)
        label = {"position": 0.93, "color": OVERFLOW_COLOR, "fill": (255, 255, 255, 210)}
        self.min_line = pg.InfiniteLine(
            angle=90, pen=line_pen, label="min", labelOpts={**label, "anchors": [(0, 0.5), (0, 0.5)]}
        )
        self.max_line = pg.InfiniteLine(
            angle=90, pen=line_pen, label="max", labelOpts={**label, "anchors": [(1, 0.5), (1, 0.5)]}
        )
        self.off_scale_text = pg.TextItem("", color=(20, 20, 20), anchor=(0, 0), fill=(255, 255, 255, 210))
        self.message_text = pg.TextItem("", color=(90, 90, 90), anchor=(0.5, 0.5))
        for item, z in (
            (self.grid_lines, -10),
            (self.before_fill, 0),
            (self.after_bars, 1),
            (self.after_zero_bar, 3),
            (self.before_zero_bar, 4),
            (self.before_outline, 6),
            (self.min_line, 7),
            (self.max_line, 7),
            (self.off_scale_text, 10),
            (self.message_text, 10),
        ):
            item.setZValue(z)
            self.plot.addItem(item, ignoreBounds=True)
        self.legend_label = QLabel("")
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)  # one line when there is room, two on a narrow window
        self.plot_widget.setMinimumHeight(160)  # the window must fit a 768 px high projector

        self.stats_table = QTableWidget(len(_STAT_ROWS), 2)
        self.stats_table.setVerticalHeaderLabels(list(_STAT_ROWS))
        self.stats_table.setHorizontalHeaderLabels(["layer", "whole model"])
        self.stats_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.stats_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.stats_table.setAlternatingRowColors(True)
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.stats_table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.stats_table.verticalHeader().setDefaultSectionSize(22)
        self.stats_table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.stats_table.setMinimumHeight(self._table_height())
        self.stats_table.setMaximumHeight(self._table_height())
        # Numbers stay readable on a narrow (projector) window: the metric box beside gives way.
        number = self.stats_table.fontMetrics().horizontalAdvance("8 (0.05 %)") + 12
        self.stats_table.setMinimumWidth(self.stats_table.verticalHeader().sizeHint().width() + 2 * number)

        self.metric_label = QLabel("")
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.metric_label.setFont(font)
        self.metric_label.setWordWrap(True)
        self.metric_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.metric_detail = QLabel("")
        self.metric_detail.setWordWrap(True)
        self.metric_detail.setStyleSheet("color: #606060;")
        metric_box = QGroupBox("Task metric under the preview")
        metric_box.setMinimumWidth(160)
        ml = QVBoxLayout(metric_box)
        ml.addWidget(self.metric_label)
        ml.addWidget(self.metric_detail)
        ml.addStretch(1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.stats_table, 3)
        bottom.addWidget(metric_box, 2)

        views = QWidget()
        vl = QVBoxLayout(views)
        vl.setContentsMargins(4, 0, 0, 0)
        vl.addLayout(head)
        vl.addWidget(self.legend_label)
        vl.addWidget(self.plot_widget, 1)
        vl.addLayout(bottom)
        return views

    def _table_height(self) -> int:
        header = self.stats_table.horizontalHeader().sizeHint().height()
        return 22 * len(_STAT_ROWS) + header + 10

    # --- settings <-> controls -------------------------------------------------------------
    def current_settings(self) -> PreviewSettings:
        """The settings the controls show."""
        mode = self.mode_combo.currentData()
        value = float(self.value_slider.value())
        overrides = {
            layer: spin.value() / 100.0 for layer, spin in self._override_spins.items() if spin.value() >= 0
        }
        prune = PruneSettings(
            mode=mode,
            value=value / 100.0 if mode == "sparsity" else value,
            scope=self.scope_combo.currentData(),
            overrides=overrides,
        )
        quant = QuantSettings(
            kind=self.kind_combo.currentData(),
            width=self.width_spin.value(),
            integer="auto" if self.auto_check.isChecked() else self.integer_spin.value(),
            rounding=self.rounding_combo.currentData(),
            overflow=self.overflow_combo.currentData(),
            po2_bits=self.po2_spin.value(),
            ternary_threshold=self.ternary_spin.value(),
        )
        return PreviewSettings(prune, quant)

    def apply_settings(self, settings: PreviewSettings) -> None:
        """Show ``settings`` in the controls and preview them (one refresh)."""
        p, q = settings.prune, settings.quant
        self._updating = True
        try:
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(p.mode))
            self._set_slider_mode(p.mode)
            self.value_slider.setValue(100.0 * p.value if p.mode == "sparsity" else p.value)
            self.scope_combo.setCurrentIndex(self.scope_combo.findData(p.scope))
            for layer, spin in self._override_spins.items():
                spin.setValue(100.0 * p.overrides[layer] if layer in p.overrides else -1.0)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(q.kind))
            self.width_spin.setValue(q.width)
            self.auto_check.setChecked(q.integer == "auto")
            if q.integer != "auto":
                self.integer_spin.setValue(int(q.integer))
            self.rounding_combo.setCurrentIndex(self.rounding_combo.findData(q.rounding))
            self.overflow_combo.setCurrentIndex(self.overflow_combo.findData(q.overflow))
            self.po2_spin.setValue(q.po2_bits)
            self.ternary_spin.setValue(q.ternary_threshold)
            self._show_quant_rows()
        finally:
            self._updating = False
        self.refresh()

    def _on_mode(self) -> None:
        """Switch between sparsity and threshold keeping the preview where it is: the slider takes
        the threshold the sparsity reached, or the sparsity the threshold reached."""
        if self._updating:
            return
        mode, r = self.mode_combo.currentData(), self._result
        self._updating = True
        try:
            self._set_slider_mode(mode)
            if r is not None and r.prunable.size:
                if mode == "threshold":
                    thr = (
                        r.threshold
                        if r.threshold is not None
                        else max(lp.threshold for lp in r.layers.values())
                    )
                    self.value_slider.setValue(thr)
                else:
                    self.value_slider.setValue(min(99.0, 100.0 * r.prunable.pruned / r.prunable.size))
        finally:
            self._updating = False
        self._changed()

    def _set_slider_mode(self, mode: str) -> None:
        """Sparsity in percent (0–99), or a magnitude up to the largest kernel weight."""
        if mode == "sparsity":
            self.value_label.setText("Sparsity (%)")
            self.value_slider.setDecimals(1)
            self.value_slider.setRange(0.0, 99.0)
            self.value_slider.setSingleStep(0.5)
        else:
            top = self.engine.max_abs() if self.engine is not None else 1.0
            self.value_label.setText("Remove |w| ≤")
            self.value_slider.setDecimals(max(3, 3 - math.floor(math.log10(top or 1.0))))
            self.value_slider.setRange(0.0, top or 1.0)
            self.value_slider.setSingleStep((top or 1.0) / 200)
        self.scope_combo.setEnabled(mode == "sparsity")

    def _on_kind(self) -> None:
        self._show_quant_rows()
        self._changed()

    def _show_quant_rows(self) -> None:
        kind = self.kind_combo.currentData()
        for w in self._fixed_rows:
            self.quant_form.setRowVisible(w, kind == "fixed")
        self.quant_form.setRowVisible(self.po2_spin, kind == "po2")
        self.quant_form.setRowVisible(self.ternary_spin, kind == "ternary")
        self.integer_spin.setEnabled(not self.auto_check.isChecked())

    def _on_auto(self, on: bool) -> None:
        self.integer_spin.setEnabled(not on)
        self._changed()

    def _changed(self, *_args) -> None:
        if not self._updating:
            self.refresh()

    def _emit_for_apply(self) -> None:
        self.settings_for_apply.emit(apply_params(self.current_settings(), self._result))

    # --- state -----------------------------------------------------------------------------
    def _on_workspace(self, _ws) -> None:
        self._datasets.clear()
        self._evaluators.clear()

    def _on_variant(self, lv) -> None:
        self._lv = lv
        self._wanted = None
        self._metric_cache = {}
        self.engine = PreviewEngine(lv.weights) if lv is not None else None
        layers = self.engine.layers if self.engine is not None else []
        self.layer_combo.clear()
        self.layer_combo.addItems(layers)
        self._fill_override_table()
        self._updating = True
        try:
            self._set_slider_mode(self.mode_combo.currentData())
        finally:
            self._updating = False
        for w in (self.layer_combo, self.apply_button, self.mode_combo, self.value_slider, self.kind_combo):
            w.setEnabled(lv is not None)
        self.scope_combo.setEnabled(lv is not None and self.mode_combo.currentData() == "sparsity")
        self._layer = self._pick_layer(self.state.layer)
        self.refresh()
        if lv is not None:
            self._ensure_evaluator(lv)

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

    def _fill_override_table(self) -> None:
        layers = self.engine.prunable_layers if self.engine is not None else []
        self._override_spins = {}
        self.override_table.setRowCount(len(layers))
        header = self.override_table.horizontalHeader().sizeHint().height()
        self.override_table.setFixedHeight(header + 26 * max(1, min(len(layers), 8)) + 4)
        for row, layer in enumerate(layers):
            self.override_table.setItem(row, 0, QTableWidgetItem(layer))
            spin = QDoubleSpinBox()
            spin.setRange(-1.0, 99.0)
            spin.setDecimals(1)
            spin.setSingleStep(5.0)
            spin.setSuffix(" %")
            spin.setSpecialValueText("—")
            spin.setValue(-1.0)
            spin.setFrame(False)
            spin.setToolTip(f"Own target sparsity for '{layer}' ('—': follow the slider)")
            spin.valueChanged.connect(self._changed)
            self.override_table.setCellWidget(row, 1, spin)
            item = QTableWidgetItem("")
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.override_table.setItem(row, 2, item)
            self._override_spins[layer] = spin

    def set_override(self, layer: str, sparsity: float | None) -> None:
        """Give ``layer`` its own target sparsity (fraction), or follow the slider (None)."""
        self._override_spins[layer].setValue(-1.0 if sparsity is None else 100.0 * sparsity)

    # --- preview ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Preview the controls' settings: statistics and histogram now, the metric in a job."""
        if self.engine is None:
            self._result = None
            self._draw()
            return
        self._result = self.engine.apply(self.current_settings())
        self._draw()
        self.preview_changed.emit(self._result)
        self._request_evaluation()

    def preview_result(self) -> PreviewResult | None:
        """The preview shown (None without a variant)."""
        return self._result

    def _draw(self) -> None:
        r = self._result
        if r is None or self._layer not in r.layers:
            self._show_message("Open a model to preview its compression." if r is None else "No weights.")
            return
        lp = r.layers[self._layer]
        self.message_text.setText("")
        self.layer_combo.setCurrentIndex(self.layer_combo.findText(self._layer))
        self._draw_histogram(lp)
        self._fill_stats(lp.stats, r.total)
        for row, layer in enumerate(self._override_spins):
            item = self.override_table.item(row, 2)
            item.setText(_fmt_pct(r.layers[layer].pruned_sparsity))
        q = lp.quantizer
        desc = q.describe() if q is not None and q.kind != "none" else "float32 (not quantized)"
        what = ", ".join(lp.histogrammed)
        thr = f" · pruned |w| ≤ {lp.threshold:.4g}" if lp.threshold else ""
        if q is not None and q.kind == "fixed" and q.fmt is not None:
            thr += f" · LSB {q.fmt.lsb:.4g}, range [{q.fmt.min:.4g}, {q.fmt.max:.4g}]"
            if lp.grid.size > 1:
                stride = round(float(lp.grid[1] - lp.grid[0]) / q.fmt.lsb)
                thr += f" · grid lines every {stride} LSB" if stride > 1 else ""
        self.format_label.setText(
            f"<b>{html.escape(what)}</b> · {html.escape(desc)}<span style='color:#606060'>{html.escape(thr)}</span>"
        )

    def _draw_histogram(self, lp) -> None:
        hb, ha = lp.hist_before, lp.hist_after
        edges = ha.edges
        for item in (self.before_fill, self.before_outline, self.after_bars):
            item.setVisible(True)
        _set_bars(self.before_fill, edges, hb.counts, False)
        _set_outline(self.before_outline, edges, hb.counts, False)
        _set_bars(self.after_bars, edges, ha.counts, False)
        for bar, h in ((self.after_zero_bar, ha), (self.before_zero_bar, hb)):
            bar.setVisible(h.zeros > 0)
            _set_zero_bar(bar, h, False)
        tallest = int(max(hb.counts.max(initial=0), ha.counts.max(initial=0)))
        top = _linear_top(tallest, max(ha.zeros, hb.zeros))
        self.plot.setYRange(0, top, padding=0)
        width = float(edges[1] - edges[0])
        cut = [f"{_fmt_int(ha.zeros)} zeros"] if ha.zeros > top else []
        self.off_scale_text.setText("▲ " + ", ".join(cut) + " (bar cut)" if cut else "")
        self.off_scale_text.setPos(0.6 * width, top)
        lo, hi = float(edges[0]), float(edges[-1])
        self.plot.setXRange(lo, hi, padding=0.03)
        grid = lp.grid
        if grid.size:
            self.grid_lines.setData(np.repeat(grid, 2), np.tile([0.0, top], grid.size), connect="pairs")
        else:
            self.grid_lines.setData([], [])
        self.grid_lines.setVisible(bool(grid.size))
        q = lp.quantizer
        fmt = q.fmt if q is not None and q.kind == "fixed" else None
        span, range_shown = hi - lo, False
        for line, v in ((self.min_line, fmt.min if fmt else None), (self.max_line, fmt.max if fmt else None)):
            shown = v is not None and lo - 0.05 * span <= v <= hi + 0.05 * span
            line.setVisible(shown)
            range_shown |= shown
            if shown:
                line.setPos(v)
        self.plot.setTitle(
            f"<span style='color:#202020'>{html.escape(lp.name)}</span>"
            f"<span style='color:#606060'> · {100 * ha.sparsity:.1f} % zeros after</span>",
            size="10pt",
        )
        self._set_legend(q.kind if q is not None else "none", range_shown)
        self._plotted = {"layer": lp.name, "before": hb, "after": ha, "grid": grid, "top": top}

    def _set_legend(self, kind: str, range_shown: bool) -> None:
        """The key above the plot: the grid and the fixed-point range only when they are drawn."""
        items = [
            f"{_swatch(BEFORE_COLOR, '▭')} original",
            f"{_swatch(CURRENT_COLOR)} preview",
            f"{_swatch(ZERO_COLOR)} zeros after (pruned or flushed to 0)",
        ]
        if kind != "none":
            items.append(f"{_swatch(GRID_COLOR, '┃')} quantization grid")
        if range_shown:
            items.append(f"{_swatch(OVERFLOW_COLOR, '┆')} fixed-point range")
        self.legend_label.setText(
            " &nbsp; ".join(items)
            + "<span style='color:gray'> &nbsp;·&nbsp; same bins before and after</span>"
        )

    def _show_message(self, msg: str) -> None:
        for item in (
            self.before_fill,
            self.before_outline,
            self.after_bars,
            self.after_zero_bar,
            self.before_zero_bar,
            self.grid_lines,
            self.min_line,
            self.max_line,
        ):
            item.setVisible(False)
        self.off_scale_text.setText("")
        self.legend_label.setText("")
        self.plot.setTitle("")
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)
        self.message_text.setText(msg)
        self.message_text.setPos(0.5, 0.5)
        self.format_label.setText("")
        for row in range(self.stats_table.rowCount()):
            for col in range(2):
                self.stats_table.setItem(row, col, QTableWidgetItem(""))
        self._plotted = {}
        if self._lv is None:
            self._set_metric("", "Open a model to see its task metric under the preview.")

    def _fill_stats(self, layer: PreviewStats, total: PreviewStats) -> None:
        self.stats_table.setHorizontalHeaderLabels([f"layer {self._layer}", "whole model"])
        for col, s in enumerate((layer, total)):
            for row, text in enumerate(stats_texts(s)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.stats_table.setItem(row, col, item)

    # --- metric on a validation subset -----------------------------------------------------
    def _evaluator(self, lv) -> PreviewEvaluator | None:
        entry = self._evaluators.get(id(lv))
        return entry[1] if entry is not None and entry[0] is lv else None

    def _ensure_evaluator(self, lv) -> None:
        if self._evaluator(lv) is not None or id(lv) in self._setup_jobs:
            return
        ws = self.state.workspace
        variant = ws.variants.get(lv.name) if ws is not None else None
        name = variant.dataset if variant is not None else None
        if not name:
            self._set_metric("", "No dataset is recorded for this variant: no task metric.")
            return
        key = (str(ws.root), name)
        self._set_metric("preparing…", f"Loading {name} and copying the model.")
        job = self.jobs.submit(
            f"Preview set-up: {lv.name}",
            _setup_job,
            lv.model,
            self._datasets.get(key),
            name,
            ws.data_dir,
            light=True,
        )
        self._setup_jobs[id(lv)] = job
        job.succeeded.connect(lambda res, lv=lv, key=key: self._on_setup(lv, key, res))
        job.failed.connect(lambda msg, _d, lv=lv: self._on_setup_failed(lv, msg))
        job.finished.connect(lambda lv=lv: self._setup_jobs.pop(id(lv), None))

    def _on_setup(self, lv, key: tuple[str, str], res: tuple) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        dataset, evaluator = res
        self._datasets[key] = dataset
        self._evaluators[id(lv)] = (lv, evaluator)
        while len(self._evaluators) > _EVALUATORS_KEPT:
            self._evaluators.popitem(last=False)
        if lv is self._lv and self._result is not None:
            self._request_evaluation()

    def _on_setup_failed(self, lv, msg: str) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        if lv is self._lv:
            self._set_metric("—", f"Cannot evaluate: {msg}")

    def _request_evaluation(self) -> None:
        """Evaluate the latest preview; while an evaluation runs, only remember the latest."""
        if self._lv is None or self._result is None or self._evaluator(self._lv) is None:
            return  # the set-up job asks again when it is done
        known = self._metric_cache.get(_settings_key(self._result.settings))
        if known is not None:  # back to settings already evaluated
            self._wanted = None
            self._set_metric(*known)
            return
        self._wanted = self._result
        self._set_metric("computing…", self.metric_detail.text() or "Evaluating the preview weights.")
        if self._eval_job is None:
            self._start_evaluation()

    def _start_evaluation(self) -> None:
        result, self._wanted = self._wanted, None
        evaluator = self._evaluator(self._lv)
        if result is None or evaluator is None or self.engine is None:
            return
        self.evaluations += 1
        job = self.jobs.submit("Preview metric", _evaluate_job, evaluator, self.engine, result, light=True)
        self._eval_job = job
        lv = self._lv
        job.succeeded.connect(lambda m, lv=lv, r=result, ev=evaluator: self._on_metrics(lv, r, ev, m))
        job.failed.connect(lambda msg, _d, lv=lv: self._on_setup_failed(lv, msg))
        job.finished.connect(self._on_evaluation_finished)

    def _on_metrics(self, lv, result: PreviewResult, evaluator: PreviewEvaluator, metrics: dict) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        if lv is not self._lv:
            return  # a variant that is no longer shown
        key = _settings_key(result.settings)
        self._metric_cache[key] = metric_texts(evaluator, metrics, getattr(self._lv, "name", ""))
        while len(self._metric_cache) > 256:
            self._metric_cache.pop(next(iter(self._metric_cache)))
        if self._wanted is None and self._result is not None and _settings_key(self._result.settings) == key:
            self._set_metric(*self._metric_cache[key])

    def _on_evaluation_finished(self) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        self._eval_job = None
        if self._wanted is not None:
            known = self._metric_cache.get(_settings_key(self._wanted.settings))
            if known is not None:
                self._wanted = None
                self._set_metric(*known)
            else:
                self._start_evaluation()

    def _set_metric(self, text: str, detail: str) -> None:
        self.metric_label.setText(text)
        self.metric_detail.setText(detail)
        self.metric_changed.emit(text)

    def metric_text(self) -> str:
        """The metric line as shown ("computing…", "val accuracy 96.1 % (baseline 96.4 %, −0.3)"...)."""
        return self.metric_label.text()

    # --- for tests -------------------------------------------------------------------------
    def busy(self) -> bool:
        """True while a set-up or an evaluation runs or waits."""
        return bool(self._setup_jobs) or self._eval_job is not None or self._wanted is not None

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Process events until no job runs or waits (tests). True if idle in time."""
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.005)
        QCoreApplication.processEvents()
        return not self.busy()

    def shown_stats(self) -> dict[str, tuple[str, str]]:
        """``{row label: (layer text, whole-model text)}`` as the table shows them."""
        out = {}
        for row, label in enumerate(_STAT_ROWS):
            cells = [self.stats_table.item(row, c) for c in range(2)]
            out[label] = tuple(c.text() if c is not None else "" for c in cells)
        return out

    def reached_texts(self) -> dict[str, str]:
        """``{layer: reached sparsity text}`` of the override table."""
        return {
            layer: self.override_table.item(row, 2).text() for row, layer in enumerate(self._override_spins)
        }

    def plotted(self) -> dict[str, Any]:
        """What the histogram shows: ``layer``, ``before``/``after`` (the histograms), ``grid``,
        ``after_counts``/``before_counts`` read back from the bars, ``after_zeros``, ``grid_x``
        (the grid lines' positions as drawn). Empty when nothing is plotted."""
        if not self._plotted:
            return {}
        out = dict(self._plotted)
        edges, tops = _bars_of(self.after_bars)
        out["edges"] = edges
        out["after_counts"] = np.rint(tops).astype(np.int64)
        out["before_counts"] = np.rint(_bars_of(self.before_fill)[1]).astype(np.int64)
        out["after_zeros"] = (
            int(np.rint(_bars_of(self.after_zero_bar)[1][0])) if self.after_zero_bar.isVisible() else 0
        )
        x, _ = self.grid_lines.getData()
        out["grid_x"] = np.unique(x) if x is not None and len(x) else np.zeros(0)
        return out


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompressPreview, "TrigLab — compression lab preview"))
