"""The compression preview's controls: pruning and quantization settings, as sliders and forms.

Pruning: a target sparsity or a magnitude threshold, global or per layer, with per-layer overrides
for sensitive layers. Quantization: ``ap_fixed<W,I>`` with its rounding and overflow modes, powers
of two, binary, ternary. The controls read and write a :class:`core.compress.preview.PreviewSettings`.

Nothing here changes size with what it shows (labels, layer names, reached sparsities), so the
panel never relayouts under the user's hand: a slider drag keeps its scale.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from app.panels.histogram import fmt_sparsity
from core.compress.preview import PreviewResult, PreviewSettings, PruneSettings, QuantSettings
from core.weights import OVERFLOW_MODES, ROUNDING_MODES

_CTX = "PreviewControls"
_KINDS = (
    ("none", QT_TRANSLATE_NOOP("PreviewControls", "none (float32)")),
    ("fixed", QT_TRANSLATE_NOOP("PreviewControls", "fixed point ap_fixed<W,I>")),
    ("po2", QT_TRANSLATE_NOOP("PreviewControls", "power of two ±2^e")),
    ("binary", QT_TRANSLATE_NOOP("PreviewControls", "binary ±a")),
    ("ternary", QT_TRANSLATE_NOOP("PreviewControls", "ternary {−a, 0, +a}")),
)
_ROUNDING_HELP = {
    "TRN": QT_TRANSLATE_NOOP("PreviewControls", "truncate towards −∞ (ap_fixed's default)"),
    "RND": QT_TRANSLATE_NOOP("PreviewControls", "round to nearest, half up"),
    "RND_CONV": QT_TRANSLATE_NOOP("PreviewControls", "round to nearest, half to even"),
    "TRN_ZERO": QT_TRANSLATE_NOOP("PreviewControls", "truncate towards 0"),
    "RND_ZERO": QT_TRANSLATE_NOOP("PreviewControls", "round to nearest, half towards 0"),
    "RND_MIN_INF": QT_TRANSLATE_NOOP("PreviewControls", "round to nearest, half down"),
    "RND_INF": QT_TRANSLATE_NOOP("PreviewControls", "round to nearest, half away from 0"),
}
_OVERFLOW_HELP = {
    "WRAP": QT_TRANSLATE_NOOP("PreviewControls", "wrap around, two's complement (ap_fixed's default)"),
    "SAT": QT_TRANSLATE_NOOP("PreviewControls", "saturate at the range's ends"),
    "SAT_SYM": QT_TRANSLATE_NOOP("PreviewControls", "saturate to a symmetric range"),
    "WRAP_SM": QT_TRANSLATE_NOOP("PreviewControls", "wrap around, sign-magnitude"),
}
COMBO_CHARS = 14  # combos show this many characters and elide longer items; the list shows all


class PreviewControls(QWidget):
    """Pruning and quantization controls.

    Signals:
        changed(): The settings changed (not emitted while :meth:`apply_settings` fills them).
        apply_clicked(): "Use these settings →".
    """

    changed = Signal()
    apply_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = None  # the PreviewEngine (threshold mode's range), set by the panel
        self.result: PreviewResult | None = None  # the latest preview (mode switches keep it)
        self._updating = False
        self._override_spins: dict[str, QDoubleSpinBox] = {}
        prune = self._build_pruning()
        quant = self._build_quantization()
        self.apply_button = QPushButton(self.tr("Use these settings →"))
        self.apply_button.setToolTip(
            self.tr("Hand these settings to the Apply form (prune / quantize with fine-tuning)")
        )
        self.apply_button.clicked.connect(self.apply_clicked)
        sl = QVBoxLayout(self)
        sl.setContentsMargins(0, 0, 4, 0)
        sl.addWidget(prune)
        sl.addWidget(quant)
        sl.addWidget(self.apply_button)
        sl.addStretch(1)
        # Combos ask for COMBO_CHARS characters but give way to 8 on a narrow window (eliding).
        narrow = self.fontMetrics().horizontalAdvance("X" * 8) + 30
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARS)
            combo.setMinimumWidth(narrow)

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

    # --- construction ----------------------------------------------------------------------
    def _build_pruning(self) -> QGroupBox:
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("target sparsity"), "sparsity")
        self.mode_combo.addItem(self.tr("magnitude threshold"), "threshold")
        self.mode_combo.setToolTip(
            self.tr(
                "Target sparsity: remove that fraction of the kernel weights, the smallest first.\n"
                "Magnitude threshold: remove every kernel weight with |w| ≤ the value."
            )
        )
        self.value_slider = QLabeledDoubleSlider(Qt.Horizontal)
        self.value_slider.setRange(0.0, 99.0)
        self.value_slider.setDecimals(1)
        self.value_slider.setSingleStep(0.5)
        self._label_texts = (self.tr("Sparsity (%)"), self.tr("Remove |w| ≤"))
        self.value_label = QLabel(self._label_texts[0])
        self.scope_combo = QComboBox()
        self.scope_combo.addItem(self.tr("global (one threshold)"), "global")
        self.scope_combo.addItem(self.tr("per layer"), "per_layer")
        self.scope_combo.setToolTip(
            self.tr(
                "Global: rank the kernels of all layers together (layers with many small weights lose more).\n"
                "Per layer: bring every kernel to the target."
            )
        )
        t = self.override_table = QTableWidget(0, 3)
        t.setHorizontalHeaderLabels([self.tr("layer"), self.tr("override"), self.tr("reached")])
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.NoSelection)
        t.setTextElideMode(Qt.ElideMiddle)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)
        hh = t.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.Stretch)
        # Fixed columns: the reached sparsity changes with the slider, the columns must not.
        hh.setSectionResizeMode(1, QHeaderView.Fixed)
        hh.setSectionResizeMode(2, QHeaderView.Fixed)
        fm = t.fontMetrics()
        hh.resizeSection(1, max(fm.horizontalAdvance("99.0 %") + 28, hh.sectionSizeHint(1)))
        hh.resizeSection(2, max(fm.horizontalAdvance("100.0 %") + 10, hh.sectionSizeHint(2)))
        # Room for the two number columns and a short layer name: no horizontal scrolling.
        t.setMinimumWidth(hh.sectionSize(1) + hh.sectionSize(2) + fm.horizontalAdvance("conv2d_1") + 8)
        t.setToolTip(
            self.tr(
                "Per-layer sensitivity overrides: a layer's own target sparsity ('—' = follow the slider).\n"
                "Reached: the fraction of the layer's kernel that the preview prunes."
            )
        )
        t.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        # Short titles (a group box is as wide as its title), the scope in the tooltip: no wrapped
        # text in this column (a scroll area does not give it its height, and it would move the slider).
        prune = QGroupBox(self.tr("Pruning"))
        prune.setToolTip(self.tr("Pruning acts on the kernels, smallest magnitudes first."))
        pf = QFormLayout(prune)
        pf.setRowWrapPolicy(QFormLayout.WrapLongRows)
        pf.addRow(self.tr("Mode"), self.mode_combo)
        pf.addRow(self.value_label)
        pf.addRow(self.value_slider)  # the whole column's width: a finer drag on a narrow window
        pf.addRow(self.tr("Scope"), self.scope_combo)
        pf.addRow(t)
        return prune

    def _build_quantization(self) -> QGroupBox:
        translate = QCoreApplication.translate
        self.kind_combo = QComboBox()
        for key, text in _KINDS:
            self.kind_combo.addItem(translate(_CTX, text), key)
        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, 32)
        self.width_spin.setValue(8)
        self.width_spin.setToolTip(self.tr("W: total bits per weight, sign included"))
        self.integer_spin = QSpinBox()
        self.integer_spin.setRange(-16, 32)
        self.integer_spin.setValue(3)
        self.integer_spin.setToolTip(self.tr("I: bits above the binary point, sign included"))
        self.auto_check = QCheckBox(self.tr("auto"))
        self.auto_check.setToolTip(
            self.tr("Per tensor, the fewest integer bits that hold its largest weight")
        )
        self.rounding_combo = QComboBox()
        for mode in ROUNDING_MODES:
            self.rounding_combo.addItem(mode, mode)
            self.rounding_combo.setItemData(
                self.rounding_combo.count() - 1, translate(_CTX, _ROUNDING_HELP[mode]), Qt.ToolTipRole
            )
        self.overflow_combo = QComboBox()
        for mode in OVERFLOW_MODES:
            self.overflow_combo.addItem(mode, mode)
            self.overflow_combo.setItemData(
                self.overflow_combo.count() - 1, translate(_CTX, _OVERFLOW_HELP[mode]), Qt.ToolTipRole
            )
        self.po2_spin = QSpinBox()
        self.po2_spin.setRange(2, 8)
        self.po2_spin.setValue(4)
        self.po2_spin.setToolTip(self.tr("Bits per weight: a sign bit and an exponent code (one code for 0)"))
        self.ternary_spin = QDoubleSpinBox()
        self.ternary_spin.setRange(0.0, 0.99)
        self.ternary_spin.setSingleStep(0.01)
        self.ternary_spin.setValue(0.33)
        self.ternary_spin.setToolTip(
            self.tr("|w| at or below this fraction of the tensor's largest |w| becomes 0")
        )
        quant = QGroupBox(self.tr("Quantization"))
        quant.setToolTip(self.tr("Quantization acts on the kernels and the biases."))
        self.quant_form = QFormLayout(quant)
        self.quant_form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # long labels go above, not wider
        self.quant_form.addRow(self.tr("Kind"), self.kind_combo)
        # W, I and "auto" on rows of their own, short labels: the column stays narrow enough
        # for a projector at 125 % font (the spin boxes' tooltips say what W and I are).
        self.quant_form.addRow(self.tr("W (bits)"), self.width_spin)
        self.quant_form.addRow(self.tr("I (bits)"), self.integer_spin)
        self.quant_form.addRow("", self.auto_check)
        self.quant_form.addRow(self.tr("Rounding"), self.rounding_combo)
        self.quant_form.addRow(self.tr("Overflow"), self.overflow_combo)
        self.quant_form.addRow(self.tr("Bits"), self.po2_spin)
        self.quant_form.addRow(self.tr("Threshold (× max|w|)"), self.ternary_spin)
        self._fixed_rows = (
            self.width_spin,
            self.integer_spin,
            self.auto_check,
            self.rounding_combo,
            self.overflow_combo,
        )
        return quant

    def widest_minimum(self) -> int:
        """The minimum width with every quantization row shown (the column never has to widen)."""
        rows = (*self._fixed_rows, self.po2_spin, self.ternary_spin)
        for w in rows:
            self.quant_form.setRowVisible(w, True)
        self.quant_form.activate()
        width = self.minimumSizeHint().width()
        self._show_quant_rows()
        self.quant_form.activate()
        return width

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
        """Show ``settings`` in the controls (no ``changed`` signal)."""
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

    def set_engine(self, engine, layers: list[str]) -> None:
        """A new variant: its engine (for the threshold range) and its prunable layers."""
        self.engine = engine
        self.result = None
        self._fill_override_table(layers)
        self._updating = True
        try:
            self._set_slider_mode(self.mode_combo.currentData())
        finally:
            self._updating = False
        on = engine is not None
        for w in (self.apply_button, self.mode_combo, self.value_slider, self.kind_combo):
            w.setEnabled(on)
        self.scope_combo.setEnabled(on and self.mode_combo.currentData() == "sparsity")

    def _on_mode(self) -> None:
        """Switch between sparsity and threshold keeping the preview where it is: the slider takes
        the threshold the sparsity reached, or the sparsity the threshold reached."""
        if self._updating:
            return
        mode, r = self.mode_combo.currentData(), self.result
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
            self.value_label.setText(self._label_texts[0])
            self.value_slider.setDecimals(1)
            self.value_slider.setRange(0.0, 99.0)
            self.value_slider.setSingleStep(0.5)
        else:
            top = self.engine.max_abs() if self.engine is not None else 1.0
            self.value_label.setText(self._label_texts[1])
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
            self.changed.emit()

    # --- per-layer overrides ---------------------------------------------------------------
    def _fill_override_table(self, layers: list[str]) -> None:
        t = self.override_table
        self._override_spins = {}
        t.setRowCount(len(layers))
        header = t.horizontalHeader().sizeHint().height()
        t.setFixedHeight(header + t.verticalHeader().defaultSectionSize() * max(1, min(len(layers), 8)) + 4)
        for row, layer in enumerate(layers):
            name = QTableWidgetItem(layer)
            name.setToolTip(layer)
            t.setItem(row, 0, name)
            spin = QDoubleSpinBox()
            spin.setRange(-1.0, 99.0)
            spin.setDecimals(1)
            spin.setSingleStep(5.0)
            spin.setSuffix(" %")
            spin.setSpecialValueText("—")
            spin.setValue(-1.0)
            spin.setFrame(False)
            spin.setToolTip(self.tr("Own target sparsity for '{0}' ('—': follow the slider)").format(layer))
            spin.valueChanged.connect(self._changed)
            t.setCellWidget(row, 1, spin)
            item = QTableWidgetItem("")
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            t.setItem(row, 2, item)
            self._override_spins[layer] = spin

    def set_override(self, layer: str, sparsity: float | None) -> None:
        """Give ``layer`` its own target sparsity (fraction), or follow the slider (None)."""
        self._override_spins[layer].setValue(-1.0 if sparsity is None else 100.0 * sparsity)

    def show_reached(self, result: PreviewResult | None) -> None:
        """The sparsity each layer reaches under ``result``, in the override table."""
        for row, layer in enumerate(self._override_spins):
            item = self.override_table.item(row, 2)
            item.setText(fmt_sparsity(result.layers[layer].pruned_sparsity) if result is not None else "")

    def reached_texts(self) -> dict[str, str]:
        """``{layer: reached sparsity text}`` of the override table."""
        t = self.override_table
        return {layer: t.item(row, 2).text() for row, layer in enumerate(self._override_spins)}
