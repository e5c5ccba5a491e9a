"""The HLS view: synthesize the current variant for the FPGA with hls4ml.

Left, the project: target settings (backend, part, clock, I/O type, defaults), calibration data
(the variant's validation split, or Gaussian / uniform inputs when it has none), and the actions —
automatic precision, profiling, conversion with C simulation, vendor build, files. Centre, four
tabs: the per-layer configuration table ("Layers"), the profiling plot ("Profiling"), the C
simulation against Keras ("C-simulation") and resources and latency against the Alveo U50
("Resources": the analytic estimate always, the vendor report when there is one). Bottom, a status
line.

Everything slow (auto precision, profiling, conversion + g++ + C simulation, vendor synthesis)
runs as a job; the numbers come from :mod:`core.hls`, this module only arranges and draws them.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.panels.hls_csim import CsimView
from app.panels.hls_jobs import (
    CalibrationSpec,
    autoprec_job,
    build_job,
    csim_job,
    export_job,
    guess_task,
    profile_job,
)
from app.panels.hls_layers import LayerTable
from app.panels.hls_profile import ProfilePlot
from app.panels.hls_resources import ResourcesView
from core import TrigLabError
from core.hls.pipeline import (
    RESOURCE_METRIC,
    csim_metrics,
    estimate_metrics,
    load_saved_config,
    report_metrics,
    save_config,
)

CALIBRATION_KINDS = (
    ("dataset", "dataset (validation split)"),
    ("gauss", "Gaussian inputs N(0, 1)"),
    ("uniform", "uniform inputs U(−1, 1)"),
)
DEFAULT_EVENTS = 1000
DEFAULT_TARGET = 99.5
ERROR_STYLE = "color:#c62828"
# Variant metric keys for resources: estimate keys end in _estimate, report keys in _report.


def _variant_key(lv) -> tuple:
    """Identifies a variant's model file as loaded (a replaced file is a new key)."""
    try:
        mtime = os.path.getmtime(lv.path)
    except OSError:
        mtime = 0.0
    return (lv.name, str(lv.path), mtime)


def _alive(widget) -> bool:
    """False once the C++ side of ``widget`` is gone (late job signals must not touch it)."""
    import shiboken6

    return shiboken6.isValid(widget)


# --- the view ----------------------------------------------------------------------------------
class HlsView(QWidget):
    """Configure, profile, C-simulate and synthesize the current variant with hls4ml.

    Signals:
        error(str, str): Title and message for an error dialog.
    """

    error = Signal(str, str)

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from core.hls.config import BACKENDS, IO_TYPES, STRATEGIES, HlsSettings
        from core.hls.vendor import U50_CAPACITY

        self.state, self.jobs = state, jobs
        self._config = None  # core.hls.config.HlsConfig of the current variant
        self._configs: dict[tuple, Any] = {}  # per variant (name, file, mtime), for this session
        self._lv = None
        self._jobs: dict[str, Any] = {}  # kind -> Job
        self._profiles: dict[tuple, tuple[str, Any]] = {}  # (variant, mtime, spec) -> (source, ModelProfile)
        self._profile = None
        self._csim = None
        self._csim_meta: dict[str, Any] = {}
        self._autoprec = None
        self._report = None  # core.hls.vendor.SynthReport
        self._report_numbers: dict[str, Any] | None = None
        self._estimate = None
        self._tools = None
        self._dirty = True  # the config must be rebuilt when the view is shown
        self._filling = False

        defaults = HlsSettings()
        # --- target ----------------------------------------------------------------------
        self.backend_combo = QComboBox()
        self.backend_combo.addItems(BACKENDS)
        self.backend_combo.setToolTip("Vitis HLS (default) or the older Vivado HLS")
        self.part_edit = QLineEdit(defaults.part)
        self.part_edit.setToolTip("FPGA part; the Alveo U50 carries the xcu50-fsvh2104-2-e")
        self.clock_spin = QDoubleSpinBox()
        self.clock_spin.setRange(0.5, 100.0)
        self.clock_spin.setDecimals(3)
        self.clock_spin.setSingleStep(0.5)
        self.clock_spin.setSuffix(" ns")
        self.clock_spin.setValue(defaults.clock_period_ns)
        self.clock_spin.setToolTip("Target clock period")
        self.clock_mhz = QLabel()
        self.clock_mhz.setStyleSheet("color:#666")
        self.io_combo = QComboBox()
        self.io_combo.addItems(IO_TYPES)
        self.io_combo.setToolTip("io_parallel: arrays, lowest latency; io_stream: FIFOs, for larger CNNs")
        self.precision_edit = QLineEdit(defaults.default_precision)
        self.precision_edit.setToolTip(
            "Precision of everything not set per layer (rows that follow it change too)"
        )
        self.reuse_spin = QSpinBox()
        self.reuse_spin.setRange(1, 4096)
        self.reuse_spin.setValue(defaults.reuse_factor)
        self.reuse_spin.setToolTip("Default reuse factor (rows that follow it change too)")
        self.strategy_combo = QComboBox()
        self.strategy_combo.addItems(STRATEGIES)
        self.strategy_combo.setToolTip("Default strategy (rows that follow it change too)")
        target_box = QGroupBox("Target")
        form = QFormLayout(target_box)
        form.addRow("Backend", self.backend_combo)
        form.addRow("Part", self.part_edit)
        clock = QHBoxLayout()
        clock.addWidget(self.clock_spin, 1)
        clock.addWidget(self.clock_mhz)
        form.addRow("Clock period", clock)
        form.addRow("I/O type", self.io_combo)
        form.addRow("Default precision", self.precision_edit)
        form.addRow("Default reuse", self.reuse_spin)
        form.addRow("Default strategy", self.strategy_combo)

        # --- calibration + precision -----------------------------------------------------
        self.calib_combo = QComboBox()
        for key, text in CALIBRATION_KINDS:
            self.calib_combo.addItem(text, key)
        self.calib_combo.setToolTip("Events the activations are profiled on and the precision is tuned on")
        self.events_spin = QSpinBox()
        self.events_spin.setRange(10, 100_000)
        self.events_spin.setSingleStep(500)
        self.events_spin.setValue(DEFAULT_EVENTS)
        self.events_spin.setToolTip("Number of calibration events")
        self.target_spin = QDoubleSpinBox()
        self.target_spin.setRange(50.0, 100.0)
        self.target_spin.setDecimals(2)
        self.target_spin.setSingleStep(0.1)
        self.target_spin.setSuffix(" %")
        self.target_spin.setValue(DEFAULT_TARGET)
        self.target_spin.setToolTip(
            "Events whose firmware output must agree with Keras (classification: same class; "
            "regression: within 1 % relative error)"
        )
        self.verify_check = QCheckBox("confirm with a C simulation")
        self.verify_check.setChecked(True)
        self.verify_check.setToolTip(
            "Compile the chosen precisions (g++) and check the agreement bit-accurately"
        )
        self.autoprec_btn = QPushButton("Auto precision")
        self.autoprec_btn.setToolTip("Fewest bits per layer that keep the agreement target")
        self.profile_btn = QPushButton("Profile")
        self.profile_btn.setToolTip("Weights and activations of every layer against their precision")
        calib_box = QGroupBox("Calibration and precision")
        cform = QFormLayout(calib_box)
        cform.addRow("Calibration", self.calib_combo)
        cform.addRow("Events", self.events_spin)
        cform.addRow("Agreement target", self.target_spin)
        cform.addRow("", self.verify_check)
        prow = QHBoxLayout()
        prow.addWidget(self.autoprec_btn)
        prow.addWidget(self.profile_btn)
        cform.addRow(prow)

        # --- synthesis -------------------------------------------------------------------
        self.csim_btn = QPushButton("Convert && C-simulate")
        self.csim_btn.setToolTip(
            "Convert with hls4ml, compile the bit-accurate C simulation with g++, compare with Keras"
        )
        self.build_button = QPushButton("Synthesize with vendor tool")
        self.build_button.setToolTip("Run Vitis / Vivado HLS C synthesis (minutes to hours)")
        self.build_reason_label = QLabel()
        self.build_reason_label.setWordWrap(True)
        self.build_reason_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.build_reason_label.setStyleSheet("color:#6d4c41; font-size: 9pt;")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Cancel this view's running job (kills g++ or the vendor tool)")
        synth_box = QGroupBox("Synthesis")
        sl = QVBoxLayout(synth_box)
        sl.addWidget(self.csim_btn)
        sl.addWidget(self.build_button)
        sl.addWidget(self.build_reason_label)
        sl.addWidget(self.cancel_btn)

        # --- files -----------------------------------------------------------------------
        self.save_yaml_btn = QPushButton("Export config (.yml)…")
        self.load_yaml_btn = QPushButton("Load config (.yml)…")
        self.export_zip_btn = QPushButton("Export project (.zip)…")
        self.import_btn = QPushButton("Import reports…")
        self.import_btn.setToolTip(
            "Read vendor synthesis reports (csynth.xml, or a project folder / zip) made elsewhere"
        )
        files_box = QGroupBox("Files")
        fg = QGridLayout(files_box)
        fg.addWidget(self.save_yaml_btn, 0, 0)
        fg.addWidget(self.load_yaml_btn, 0, 1)
        fg.addWidget(self.export_zip_btn, 1, 0)
        fg.addWidget(self.import_btn, 1, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 4, 0)
        self.variant_label = QLabel()
        self.variant_label.setWordWrap(True)
        self.variant_label.setTextFormat(Qt.RichText)
        ll.addWidget(self.variant_label)
        for box in (target_box, calib_box, synth_box, files_box):
            ll.addWidget(box)
        ll.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(380)

        # --- centre ----------------------------------------------------------------------
        self.table = LayerTable()
        self.why_text = QPlainTextEdit()
        self.why_text.setReadOnly(True)
        self.why_text.setPlaceholderText(
            "“Auto precision” explains here what it chose for every layer, and why."
        )
        self.why_text.setMaximumBlockCount(5000)
        why_box = QWidget()
        wl = QVBoxLayout(why_box)
        wl.setContentsMargins(0, 4, 0, 0)
        wl.addWidget(QLabel("<b>Why these precisions</b> <span style='color:#666'>(auto precision)</span>"))
        wl.addWidget(self.why_text, 1)
        layers_tab = QSplitter(Qt.Vertical)
        layers_tab.addWidget(self.table)
        layers_tab.addWidget(why_box)
        layers_tab.setStretchFactor(0, 3)
        layers_tab.setStretchFactor(1, 1)
        self.profile_plot = ProfilePlot()
        self.csim_view = CsimView()
        self.resources_view = ResourcesView(U50_CAPACITY, defaults.part)
        self.tabs = QTabWidget()
        self.tabs.addTab(layers_tab, "Layers")
        self.tabs.addTab(self.profile_plot, "Profiling")
        self.tabs.addTab(self.csim_view, "C-simulation")
        self.tabs.addTab(self.resources_view, "Resources")

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)

        body = QSplitter(Qt.Horizontal)
        body.addWidget(scroll)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setCollapsible(1, False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(body, 1)
        lay.addWidget(self.status)

        # Estimates are cheap (milliseconds) but coalesced: one redraw per burst of edits.
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(0)
        self._estimate_timer.timeout.connect(self._refresh_estimate)

        # --- wiring ----------------------------------------------------------------------
        self.backend_combo.currentTextChanged.connect(self._on_backend)
        self.part_edit.editingFinished.connect(lambda: self._set_setting("part", self.part_edit.text()))
        self.clock_spin.valueChanged.connect(self._on_clock)
        self.io_combo.currentTextChanged.connect(lambda t: self._set_setting("io_type", t))
        self.precision_edit.editingFinished.connect(
            lambda: self._set_setting("default_precision", self.precision_edit.text())
        )
        self.reuse_spin.valueChanged.connect(lambda v: self._set_setting("reuse_factor", int(v)))
        self.strategy_combo.currentTextChanged.connect(lambda t: self._set_setting("strategy", t))
        self.calib_combo.currentIndexChanged.connect(self._on_calibration_changed)
        self.events_spin.valueChanged.connect(self._on_calibration_changed)
        self.table.edited.connect(self._on_table_edit)
        self.table.invalid.connect(self._on_table_invalid)
        self.autoprec_btn.clicked.connect(self.run_auto_precision)
        self.profile_btn.clicked.connect(self.run_profile)
        self.csim_btn.clicked.connect(self.run_csim)
        self.build_button.clicked.connect(self.run_build)
        self.cancel_btn.clicked.connect(self.cancel)
        self.save_yaml_btn.clicked.connect(self._export_yaml_dialog)
        self.load_yaml_btn.clicked.connect(self._load_yaml_dialog)
        self.export_zip_btn.clicked.connect(self._export_zip_dialog)
        self.import_btn.clicked.connect(self._import_dialog)
        state.variant_changed.connect(self._on_variant)
        state.workspace_changed.connect(self._on_workspace)

        self._update_clock_label()
        self.refresh_vendor_tools()
        self._on_variant(state.current)

    # =====================================================================================
    # Test / scripting API
    # =====================================================================================
    def config(self):
        """The :class:`core.hls.config.HlsConfig` as edited (a copy), None without a variant."""
        self._ensure_config()
        return self._config.copy() if self._config is not None else None

    def set_cell(self, layer: str, field: str, text: str) -> bool:
        """Edit one cell of the Layers table as a user would; True when the value was applied."""
        self._ensure_config()
        return self.table.set_cell(layer, field, str(text))

    def csim_report(self):
        """The last :class:`core.hls.convert.CsimReport` of this variant (None before a C-sim)."""
        return self._csim

    def csim_meta(self) -> dict[str, Any]:
        """``cache_hit``, ``compile_seconds``, ``build_seconds``, ``project_dir``, ``source`` of the last C-sim."""
        return dict(self._csim_meta)

    def estimate(self):
        """The current :class:`core.hls.estimate.Estimate` (analytic), None without a config."""
        self._ensure_config()
        if self._estimate_timer.isActive() or self._estimate is None:
            self._estimate_timer.stop()
            self._refresh_estimate()
        return self._estimate

    def vendor_report(self):
        """The vendor :class:`core.hls.vendor.SynthReport` shown (built or imported), or None."""
        return self._report

    def auto_precision_result(self):
        """The last :class:`core.hls.autoprec.AutoPrecisionResult` (None before one)."""
        return self._autoprec

    def profiling_plotted(self) -> dict[str, Any]:
        """What the Profiling tab draws (see :meth:`app.panels.hls_profile.ProfilePlot.plotted`)."""
        return self.profile_plot.plotted()

    def resources_shown(self) -> dict[str, Any]:
        """What the Resources tab shows (see :meth:`app.panels.hls_resources.ResourcesView.shown`)."""
        return self.resources_view.shown()

    def job(self, kind: str):
        """This view's last job of a kind: ``'profile'``, ``'autoprec'``, ``'csim'``, ``'build'``."""
        return self._jobs.get(kind)

    def calibration_spec(self) -> CalibrationSpec | None:
        lv, ws = self._lv, self.state.workspace
        if lv is None or ws is None:
            return None
        variant = ws.variants.get(lv.name)
        dataset = variant.dataset if variant is not None else None
        kind = self.calib_combo.currentData()
        input_shape = lv.model.input_shape
        if isinstance(input_shape, list):  # several inputs: hls4ml converts single-input models here
            input_shape = input_shape[0]
        shape = tuple(int(d) for d in input_shape[1:])
        return CalibrationSpec(
            kind=kind,
            dataset=dataset,
            data_dir=str(ws.data_dir),
            input_shape=shape,
            events=int(self.events_spin.value()),
            task=guess_task(lv.model, dataset),
        )

    def set_calibration(self, kind: str, events: int | None = None) -> None:
        i = self.calib_combo.findData(kind)
        if i < 0:
            raise KeyError(f"unknown calibration {kind!r}")
        self.calib_combo.setCurrentIndex(i)
        if events is not None:
            self.events_spin.setValue(int(events))

    # =====================================================================================
    # Variant and configuration
    # =====================================================================================
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh_vendor_tools()
        self._ensure_config()

    def _on_workspace(self, _ws) -> None:
        self._configs.clear()
        self._profiles.clear()

    def _on_variant(self, lv) -> None:
        if self._lv is not None and self._config is not None:
            self._configs[_variant_key(self._lv)] = self._config
        self._lv = lv
        self._config = None
        self._profile = None
        self._csim, self._csim_meta = None, {}
        self._autoprec = None
        self._report, self._report_numbers = None, None
        self._estimate = None
        self._dirty = True
        self.why_text.clear()
        self.csim_view.clear()
        self.profile_plot.clear("Run “Profile” to see the values of every layer against its precision.")
        self._update_dataset_choice()
        if lv is None:
            self.table.set_rows([])
            self.variant_label.setText(
                "<span style='color:#666'>Open a workspace and select a variant.</span>"
            )
            self._set_status("")
            self.resources_view.set_estimate(None)
            self.resources_view.set_report(None)
            self._update_enabled()
            return
        self.variant_label.setText(f"<b>{html.escape(lv.name)}</b>")
        if self.isVisible():
            self._ensure_config()
        else:
            self._update_enabled()

    def _update_dataset_choice(self) -> None:
        """Offer the dataset only when the variant has one; default to it, else Gaussian."""
        ws, lv = self.state.workspace, self._lv
        variant = ws.variants.get(lv.name) if (ws is not None and lv is not None) else None
        has = bool(variant is not None and variant.dataset)
        item = self.calib_combo.model().item(0)
        item.setEnabled(has)
        self.calib_combo.blockSignals(True)
        if has:
            self.calib_combo.setCurrentIndex(0)
            item.setToolTip(f"The validation split of {variant.dataset}")
        elif self.calib_combo.currentData() == "dataset":
            self.calib_combo.setCurrentIndex(1)
            item.setToolTip("This variant has no dataset")
        self.calib_combo.blockSignals(False)

    def _ensure_config(self) -> None:
        """Build the configuration of the current variant if it is not built yet (fast: ~10 ms)."""
        if not self._dirty or self._lv is None:
            return
        self._dirty = False
        from core.hls.config import make_config

        lv = self._lv
        config = self._configs.get(_variant_key(lv))
        ws = self.state.workspace
        saved = False
        if config is None and ws is not None and lv.name in ws.variants:
            config = load_saved_config(ws, lv.name)  # e.g. from the walkthrough's synthesis step
            saved = config is not None
        if config is None:
            try:
                config = make_config(lv.model, self._settings_from_form())
            except TrigLabError as exc:
                self._config = None
                self.table.set_rows([])
                self._set_status(f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>")
                self._update_enabled()
                return
        self._config = config
        self._fill_form_from_config()
        self.table.set_rows(config.layers())
        self._restore_profile()
        self._restore_report_from_metrics()
        self._config_changed(estimate_now=True)
        n = len(config.layers())
        variant = self.state.workspace.variants.get(lv.name) if self.state.workspace else None
        ds = f" · dataset {variant.dataset}" if variant is not None and variant.dataset else " · no dataset"
        self.variant_label.setText(
            f"<b>{html.escape(lv.name)}</b><br><span style='color:#666'>{n} hls4ml layers{html.escape(ds)}</span>"
        )
        self._set_status(
            f"Configuration of {html.escape(lv.name)}: {n} layers, {html.escape(config.settings.default_precision)} "
            f"by default. Double-click a precision to edit it."
            + (self._saved_note(variant) if saved and variant is not None else "")
        )
        self._update_enabled()

    @staticmethod
    def _saved_note(variant) -> str:
        """What the saved configuration already gave (C simulation numbers stored on the variant)."""
        m = variant.metrics
        found = []
        if isinstance(m.get("pt_resolution_robust_csim"), (int, float)):
            text = f"robust pT resolution {100 * m['pt_resolution_robust_csim']:.1f} % in C simulation"
            if isinstance(m.get("pt_resolution_robust"), (int, float)):
                text += f" ({100 * m['pt_resolution_robust']:.1f} % in Keras)"
            found.append(text)
        if isinstance(m.get("csim_rmse"), (int, float)):
            found.append(f"output rms error {m['csim_rmse']:.3g}")
        numbers = (": " + ", ".join(found)) if found else ""
        return (
            f"<br>Saved configuration, from this variant's last C simulation{numbers}. "
            "“Convert &amp; C-simulate” shows it layer by layer (already compiled: a cache hit)."
        )

    def _settings_from_form(self):
        from core.hls.config import HlsSettings

        try:
            return HlsSettings(
                backend=self.backend_combo.currentText(),
                part=self.part_edit.text(),
                clock_period_ns=self.clock_spin.value(),
                io_type=self.io_combo.currentText(),
                default_precision=self.precision_edit.text(),
                reuse_factor=self.reuse_spin.value(),
                strategy=self.strategy_combo.currentText(),
            )
        except TrigLabError:
            return HlsSettings()

    def _fill_form_from_config(self) -> None:
        s = self._config.settings
        self._filling = True
        try:
            self.backend_combo.setCurrentText(s.backend)
            self.part_edit.setText(s.part)
            self.clock_spin.setValue(s.clock_period_ns)
            self.io_combo.setCurrentText(s.io_type)
            self.precision_edit.setText(s.default_precision)
            self.precision_edit.setStyleSheet("")
            self.reuse_spin.setValue(s.reuse_factor)
            self.strategy_combo.setCurrentText(s.strategy)
        finally:
            self._filling = False
        self._update_clock_label()
        self.resources_view.part = s.part

    def _set_setting(self, name: str, value: Any) -> None:
        if self._filling:
            return
        self._ensure_config()
        if self._config is None:
            return
        if getattr(self._config.settings, name) == value:
            return
        try:
            self._config.set_setting(name, value)
        except TrigLabError as exc:
            self._set_status(f"<span style='{ERROR_STYLE}'>Not applied: {html.escape(str(exc))}</span>")
            if name == "default_precision":
                self.precision_edit.setStyleSheet("background:#ffcdd2;")
            return
        if name == "default_precision":
            self.precision_edit.setStyleSheet("")
        if name in ("default_precision", "reuse_factor", "strategy"):
            self.table.set_rows(self._config.layers())  # rows that followed the default changed
        if name == "part":
            self.resources_view.part = str(value)
        self._set_status(f"{name.replace('_', ' ')} set to {html.escape(str(value))}")
        self._config_changed()

    def _on_backend(self, text: str) -> None:
        self._set_setting("backend", text)
        self._update_build_state()

    def _on_clock(self, value: float) -> None:
        self._update_clock_label()
        self._set_setting("clock_period_ns", float(value))

    def _update_clock_label(self) -> None:
        self.clock_mhz.setText(f"{1000.0 / self.clock_spin.value():.0f} MHz")

    def _on_table_edit(self, layer: str, field: str, value: Any) -> None:
        if self._config is None:
            return
        try:
            old = getattr(self._config.layer(layer), field)
            self._config.set(layer, field, value)
        except TrigLabError as exc:
            self._set_status(
                f"<span style='{ERROR_STYLE}'>{html.escape(layer)}: {html.escape(str(exc))}</span>"
            )
            return
        follow = ""
        if field == "result":
            # hls4ml removes a Dense's generated linear activation only when it has the same type.
            linear = f"{layer}_linear"
            try:
                row = self._config.layer(linear)
            except TrigLabError:
                row = None
            if row is not None and row.generated and row.result == old:
                self._config.set(linear, "result", value)
                self.table.show_value(linear, "result", value)
                follow = f" (and {linear}, which hls4ml adds after it)"
        self._set_status(f"{html.escape(layer)}: {field} = {html.escape(str(value))}{html.escape(follow)}")
        self._config_changed()

    def _on_table_invalid(self, layer: str, field: str, why: str) -> None:
        self._set_status(
            f"<span style='{ERROR_STYLE}'>{html.escape(layer)} {field}: not applied — {html.escape(why)}</span>"
        )

    def _config_changed(self, estimate_now: bool = False) -> None:
        """Re-draw what depends on the configuration: profiling bands, estimate (not the C-sim)."""
        self._update_bands()
        if estimate_now:
            self._estimate_timer.stop()
            self._refresh_estimate()
        else:
            self._estimate_timer.start()

    # =====================================================================================
    # Profiling
    # =====================================================================================
    def _profile_key(self, spec: CalibrationSpec | None) -> tuple | None:
        if spec is None or self._lv is None:
            return None
        return (*_variant_key(self._lv), spec)

    def _restore_profile(self) -> None:
        key = self._profile_key(self.calibration_spec())
        if key is not None and key in self._profiles:
            source, profile = self._profiles[key]
            self._show_profile(profile, source)

    def _on_calibration_changed(self, *_args) -> None:
        self._profile = None
        self.profile_plot.clear("Calibration changed: run “Profile” again.")
        self._restore_profile()
        self._update_enabled()

    def run_profile(self):
        """Profile weights and activations on the calibration data (a job; cached per variant and
        calibration: a cache hit returns None and draws at once)."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("profile"):
            return None
        key = self._profile_key(spec)
        if key in self._profiles:
            source, profile = self._profiles[key]
            self._show_profile(profile, source)
            self.tabs.setCurrentWidget(self.profile_plot)
            self._set_status("Profile from the cache (same variant and calibration).")
            return None
        lv = self._lv
        job = self.jobs.submit(f"Profile {lv.name} for hls4ml", profile_job, lv.model, spec)
        self._track("profile", job)
        job.succeeded.connect(lambda res, lv=lv, key=key: self._profile_done(lv, key, res))
        self.profile_plot.set_message("Profiling… (the model runs on the calibration events)")
        return job

    def _profile_done(self, lv, key, res) -> None:
        if not _alive(self):
            return
        _spec, source, profile = res
        self._profiles[key] = (source, profile)
        if lv is not self._lv:
            return
        self._show_profile(profile, source)
        self.tabs.setCurrentWidget(self.profile_plot)
        self._set_status(
            f"Profiled {len(profile.layers)} layers on {html.escape(source)} in {profile.seconds:.2f} s."
        )

    def _show_profile(self, profile, source: str) -> None:
        self._profile = profile
        names, weights, acts = [], {}, {}
        for lp in profile.layers:
            names.append(lp.name)
            w = lp.weights.get("weight") or lp.weights.get("depthwise") or lp.weights.get("pointwise")
            if w is not None:
                weights[lp.name] = _abs_summary(w)
            if lp.activation is not None:
                acts[lp.name] = _abs_summary(lp.activation)
        self.profile_plot.set_profile(names, weights, acts, source=f"{source}")
        self._update_bands()

    def _update_bands(self) -> None:
        if self._profile is None or self._config is None:
            return
        from core.hls.profile import overflow_check

        checks = overflow_check(self._profile, self._config)
        wb, rb = {}, {}
        for layer, c in checks.items():
            w = c.get("weight")
            if w and "lsb" in w:
                wb[layer] = (float(w["lsb"]), float(w["max"]))
            r = c.get("result")
            if r and "lsb" in r:
                rb[layer] = (float(r["lsb"]), float(r["max"]))
        self.profile_plot.set_bands(wb, rb, checks)

    # =====================================================================================
    # Auto precision
    # =====================================================================================
    def run_auto_precision(self):
        """Choose every layer's precision for the agreement target (a job); applied to the table."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("autoprec"):
            return None
        ws, lv = self.state.workspace, self._lv
        target = self.target_spin.value() / 100.0
        verify = self.verify_check.isChecked()
        job = self.jobs.submit(
            f"Auto precision {lv.name} ({100 * target:g} %)",
            autoprec_job,
            lv.model,
            self._config.copy(),
            spec,
            target,
            verify,
            str(ws.hls_dir),
        )
        self._track("autoprec", job)
        job.succeeded.connect(lambda res, lv=lv: self._autoprec_done(lv, res))
        self.why_text.setPlainText("Choosing precisions…")
        return job

    def _autoprec_done(self, lv, res) -> None:
        if not _alive(self):
            return
        spec, source, result, new_config = res
        if result.profile is not None:
            key = self._profile_key(spec)
            if key is not None:
                self._profiles[key] = (source, result.profile)
        if lv is not self._lv:
            return
        self._autoprec = result
        self._config = new_config
        self.table.set_rows(new_config.layers())
        if result.profile is not None and spec == self.calibration_spec():
            self._show_profile(result.profile, source)
        self.why_text.setPlainText(_why_text(result, source))
        self._config_changed(estimate_now=True)
        agree = result.agreement_csim if result.agreement_csim is not None else result.agreement_emulated
        how = "C simulation" if result.agreement_csim is not None else "emulation"
        mark = "reached" if result.reached else "<span style='color:#c62828'>NOT reached</span>"
        self._set_status(
            f"Auto precision applied: {100 * agree:.2f} % agreement ({how}) on {html.escape(source)}; "
            f"target {100 * result.target:g} % {mark}. {result.total_bits} bits over all precisions."
        )

    # =====================================================================================
    # C simulation
    # =====================================================================================
    def run_csim(self):
        """Convert, compile (g++, cached) and compare with Keras on the calibration data (a job)."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("csim"):
            return None
        if self.table.invalid_cells():
            (layer, field), why = next(iter(self.table.invalid_cells().items()))
            self._set_status(
                f"<span style='{ERROR_STYLE}'>Not run: {html.escape(layer)} {field} is invalid "
                f"({html.escape(why)}); fix or undo it first.</span>"
            )
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            f"Convert and C-simulate {lv.name}", csim_job, lv.model, config, spec, str(ws.hls_dir)
        )
        self._track("csim", job)
        job.succeeded.connect(lambda res, lv=lv, ws=ws, config=config: self._csim_done(lv, ws, config, res))
        self.csim_view.clear("Converting, compiling with g++ (the log streams into the Jobs dock)…")
        self.tabs.setCurrentWidget(self.csim_view)
        return job

    def _csim_done(self, lv, ws, config, res) -> None:
        if not _alive(self):
            return
        report, meta = res
        self._store_csim_metrics(ws, lv.name, report, config, lv.model)
        if lv is not self._lv:
            return
        self._csim, self._csim_meta = report, meta
        self.csim_view.set_result(report, meta)
        self.tabs.setCurrentWidget(self.csim_view)
        what = (
            f"{100 * report.agreement:.2f} % agreement with Keras"
            if report.agreement is not None
            else f"output rms error {report.rmse:.3g}"
        )
        hit = (
            " (cache hit)"
            if meta.get("cache_hit")
            else f" (compiled in {meta.get('compile_seconds', 0):.1f} s)"
        )
        self._set_status(f"C simulation: {what}{hit}.")
        self._update_enabled()

    def _store_csim_metrics(self, ws, name: str, report, config, model) -> None:
        metrics: dict[str, Any] = csim_metrics(report)
        try:
            from core.hls.estimate import estimate

            metrics.update(estimate_metrics(estimate(model, config)))
        except Exception:  # noqa: BLE001 - the estimate is a bonus here; the C-sim numbers stand
            pass
        if ws is not None and name in ws.variants:
            try:
                save_config(ws, name, config)  # the configuration that gave these numbers
            except OSError:
                pass
        self._update_metrics(ws, name, metrics)

    def _update_metrics(self, ws, name: str, metrics: dict[str, Any]) -> None:
        if ws is None or name not in ws.variants:
            return
        ws.update_metrics(name, metrics)
        if self.state.workspace is ws:
            self.state.notify_variants_changed()
        else:
            ws.save()

    # =====================================================================================
    # Vendor build
    # =====================================================================================
    def refresh_vendor_tools(self) -> None:
        """Look for vitis-run / vitis_hls / vivado_hls on PATH again and update the Build button."""
        from core.hls.vendor import find_vendor_tools

        self._tools = find_vendor_tools()
        self._update_build_state()

    def _update_build_state(self) -> None:
        tools = self._tools
        backend = self.backend_combo.currentText()
        running = self._running("build")
        if tools is None or not tools.available:
            path = tools.path if tools is not None else os.environ.get("PATH", "")
            searched = ", ".join(tools.searched) if tools is not None else "vitis-run, vitis_hls, vivado_hls"
            self.build_reason_label.setText(
                f"No Vivado/Vitis HLS found: searched {searched} on PATH ({html.escape(_short_path(path))}). "
                "Showing the analytic estimate instead; export the project to synthesize elsewhere."
            )
            self.build_reason_label.setToolTip(f"PATH = {path}")
            ok = False
        else:
            tool = tools.tool_for(backend)
            ok = tool is not None
            if ok:
                self.build_reason_label.setText(
                    f"{tool} found ({html.escape(tools.found[tool])}). C synthesis takes minutes to hours; "
                    "Cancel stops it."
                )
            else:
                self.build_reason_label.setText(html.escape(tools.explanation(backend)))
            self.build_reason_label.setToolTip(f"PATH = {tools.path}")
        self.build_button.setEnabled(ok and not running and self._config is not None)

    def run_build(self):
        """Vendor C synthesis of the current configuration (a job; Cancel kills the tool)."""
        self._ensure_config()
        if self._config is None or self._busy("build"):
            return None
        if self._tools is None or self._tools.tool_for(self._config.settings.backend) is None:
            self._update_build_state()
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            f"Synthesize {lv.name} ({config.settings.backend})", build_job, lv.model, config, str(ws.hls_dir)
        )
        self._track("build", job)
        job.succeeded.connect(lambda res, lv=lv, ws=ws: self._build_done(lv, ws, res))
        self._set_status("Vendor synthesis running; its log streams into the Jobs dock.")
        return job

    def _build_done(self, lv, ws, res) -> None:
        if not _alive(self):
            return
        project_dir, report = res
        if report is None:
            return
        self._update_metrics(ws, lv.name, report_metrics(report))
        if lv is not self._lv:
            return
        self._show_report(report, f"synthesized on this machine ({Path(project_dir).name})")
        self.tabs.setCurrentWidget(self.resources_view)
        self._set_status(
            f"Vendor synthesis done: {report.latency_cycles_max} cycles, {report.dsp} DSP, {report.lut} LUT."
        )

    def _show_report(self, report, source: str) -> None:
        self._report = report
        self._report_numbers = _report_numbers(report)
        self.resources_view.set_report(self._report_numbers, source)

    def _restore_report_from_metrics(self) -> None:
        """A report stored on the variant earlier (built or imported) is shown again."""
        ws, lv = self.state.workspace, self._lv
        variant = ws.variants.get(lv.name) if (ws is not None and lv is not None) else None
        m = variant.metrics if variant is not None else {}
        if m.get("latency_cycles_report") is None and m.get("dsp_report") is None:
            self.resources_view.set_report(None)
            return
        numbers = {r: m.get(f"{k}_report") for r, k in RESOURCE_METRIC.items()}
        numbers.update(
            latency_cycles=m.get("latency_cycles_report"),
            latency_ns=m.get("latency_ns_report"),
            ii=m.get("ii_report"),
            clock_ns=m.get("clock_ns_report"),
        )
        self._report_numbers = numbers
        self.resources_view.set_report(numbers, str(m.get("report_source", "stored on the variant")))

    # =====================================================================================
    # Estimate
    # =====================================================================================
    def _refresh_estimate(self) -> None:
        if self._config is None or self._lv is None:
            self._estimate = None
            self.resources_view.set_estimate(None)
            return
        from core.hls.estimate import estimate

        try:
            est = estimate(self._lv.model, self._config)
        except Exception as exc:  # noqa: BLE001 - show why, keep the view usable
            self._estimate = None
            self.resources_view.set_estimate(None, f"The estimate failed: {exc}")
            return
        self._estimate = est
        numbers = dict(est.resources())
        numbers.update(
            latency_cycles=est.latency_cycles,
            latency_ns=est.latency_ns,
            ii=est.interval_cycles,
            clock_ns=est.clock_ns,
        )
        self.resources_view.set_estimate(numbers, f"Schedule: {est.pipeline_style}, {est.io_type}.")

    # =====================================================================================
    # Files
    # =====================================================================================
    def export_yaml(self, path: str | os.PathLike) -> Path:
        """Write the configuration as hls4ml YAML (``convert_from_config`` reads it)."""
        self._ensure_config()
        if self._config is None:
            raise TrigLabError("No configuration to export: select a variant first.")
        path = Path(path)
        from core.atomic import atomic_write_text

        atomic_write_text(path, self._config.to_yaml())
        self._set_status(f"Configuration written to {html.escape(str(path))}")
        return path

    def load_yaml(self, path: str | os.PathLike):
        """Read an hls4ml YAML configuration into the table (its layers must match the variant's)."""
        from core.hls.config import HlsConfig

        self._ensure_config()
        if self._config is None:
            raise TrigLabError("Select a variant before loading a configuration.")
        text = Path(path).read_text(encoding="utf-8")
        loaded = HlsConfig.from_yaml(text)
        mine = [r.name for r in self._config.layers()]
        theirs = [r.name for r in loaded.layers()]
        missing = [n for n in mine if n not in theirs]
        extra = [n for n in theirs if n not in mine]
        if extra or missing:
            raise TrigLabError(
                f"The configuration in {Path(path).name} does not match {self._lv.name}: "
                + (f"layers it lacks: {', '.join(missing)}. " if missing else "")
                + (f"layers this variant does not have: {', '.join(extra)}." if extra else "")
            )
        for row in loaded.layers():  # class names come from the model when the file has none
            if not row.class_name:
                row.class_name = self._config.layer(row.name).class_name
        self._config = loaded
        self._fill_form_from_config()
        self.table.set_rows(loaded.layers())
        self._config_changed(estimate_now=True)
        self._update_build_state()
        self._set_status(f"Configuration loaded from {html.escape(str(path))}")
        return loaded.copy()

    def export_zip(self, path: str | os.PathLike):
        """Zip the hls4ml project of the current configuration (written, or taken from the C-sim
        cache) with its YAML and a README saying how to synthesize it elsewhere. Returns the job."""
        self._ensure_config()
        if self._config is None or self._busy("export"):
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            f"Export hls4ml project of {lv.name}", export_job, lv.model, config, str(ws.hls_dir), str(path)
        )
        self._track("export", job)
        job.succeeded.connect(self._export_done)
        return job

    def _export_done(self, out) -> None:
        if _alive(self):
            self._set_status(
                f"Project written to {html.escape(str(out))}: run its README's command where Vitis is."
            )

    def import_reports(self, path: str | os.PathLike):
        """Read a vendor report made elsewhere (a project folder, its zip or a csynth.xml), show it
        next to the estimate and store its numbers on the variant."""
        from core.hls.export import import_reports

        if self._lv is None:
            raise TrigLabError("Select the variant the report belongs to first.")
        report = import_reports(path)
        source = f"imported from {Path(path).name}"
        metrics = report_metrics(report)
        metrics["report_source"] = source
        self._update_metrics(self.state.workspace, self._lv.name, metrics)
        self._show_report(report, source)
        self.tabs.setCurrentWidget(self.resources_view)
        self._set_status(
            f"Vendor report {html.escape(source)}: {report.latency_cycles_max} cycles, {report.dsp} DSP, {report.lut} LUT."
        )
        return report

    def _export_yaml_dialog(self) -> None:
        if self._lv is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export hls4ml configuration", f"{self._lv.name}_hls4ml.yml", "hls4ml YAML (*.yml *.yaml)"
        )
        if path:
            self._guard("Cannot export the configuration", self.export_yaml, path)

    def _load_yaml_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load hls4ml configuration", "", "hls4ml YAML (*.yml *.yaml)"
        )
        if path:
            self._guard("Cannot load the configuration", self.load_yaml, path)

    def _export_zip_dialog(self) -> None:
        if self._lv is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export hls4ml project", f"{self._lv.name}_hls4ml.zip", "Zip archive (*.zip)"
        )
        if path:
            self._guard("Cannot export the project", self.export_zip, path)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import a vendor report (csynth.xml, or the zipped project after synthesis)",
            "",
            "Synthesis reports (*.xml *.zip);;All files (*)",
        )
        if path:
            self._guard("Cannot import the report", self.import_reports, path)

    def _guard(self, title: str, fn, *args):
        try:
            return fn(*args)
        except (TrigLabError, OSError, ValueError) as exc:
            self._set_status(f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>")
            self.error.emit(title, str(exc))
            return None

    # =====================================================================================
    # Jobs
    # =====================================================================================
    def _running(self, kind: str) -> bool:
        job = self._jobs.get(kind)
        return job is not None and job.is_active()

    def _busy(self, kind: str) -> bool:
        if self._running(kind):
            self._set_status("Already running; wait for it or cancel it.")
            return True
        return False

    def _track(self, kind: str, job) -> None:
        self._jobs[kind] = job
        self._set_status(f"{html.escape(job.name)}: queued (heavy jobs run one at a time; see the Jobs dock)")
        job.progressed.connect(self._on_job_progress)
        job.failed.connect(lambda msg, _d, kind=kind: self._on_job_failed(kind, msg))
        job.cancelled.connect(lambda kind=kind: self._on_job_cancelled(kind))
        job.finished.connect(self._on_job_finished)
        self._update_enabled()

    def _on_job_progress(self, fraction: float, message: str) -> None:
        if _alive(self):
            self._set_status(f"{100 * fraction:.0f} % — {html.escape(message)}")

    def _on_job_failed(self, kind: str, message: str) -> None:
        if not _alive(self):
            return
        titles = {
            "profile": "Profiling failed",
            "autoprec": "Auto precision failed",
            "csim": "Conversion or C simulation failed",
            "build": "Vendor synthesis failed",
            "export": "Project export failed",
        }
        self._set_status(f"<span style='{ERROR_STYLE}'>{titles[kind]}: {html.escape(message)}</span>")
        if kind == "csim":
            self.csim_view.clear(f"{titles[kind]}: {message}")
        if kind == "autoprec":
            self.why_text.setPlainText(f"{titles[kind]}: {message}")
        self.error.emit(titles[kind], message)

    def _on_job_cancelled(self, kind: str) -> None:
        if _alive(self):
            self._set_status("Cancelled.")
            if kind == "csim":
                self.csim_view.clear("Cancelled.")

    def _on_job_finished(self) -> None:
        if _alive(self):
            self._update_enabled()

    def cancel(self) -> None:
        """Cancel this view's running jobs."""
        for job in self._jobs.values():
            if job.is_active():
                job.cancel()

    def shutdown(self) -> None:
        self.cancel()

    def _update_enabled(self) -> None:
        have = self._config is not None or (self._lv is not None and self._dirty)
        for kind, btn in (
            ("autoprec", self.autoprec_btn),
            ("profile", self.profile_btn),
            ("csim", self.csim_btn),
        ):
            btn.setEnabled(have and not self._running(kind))
        for btn in (self.save_yaml_btn, self.load_yaml_btn, self.import_btn):
            btn.setEnabled(have)
        self.export_zip_btn.setEnabled(have and not self._running("export"))
        self.cancel_btn.setEnabled(any(j.is_active() for j in self._jobs.values()))
        self._update_build_state()

    def _set_status(self, text: str) -> None:
        self.status.setText(text)


# --- helpers -------------------------------------------------------------------------------------
def _abs_summary(tp) -> dict[str, Any] | None:
    """A :class:`core.hls.profile.TensorProfile`'s non-zero |values| percentiles for the box plot."""
    ap = dict(tp.abs_percentiles)
    if not ap or not np.isfinite(ap.get("p50", np.nan)):
        return None
    return {**ap, "max": ap.get("p100", tp.abs_max), "zeros": tp.zeros, "count": tp.count}


def _why_text(result, source: str) -> str:
    lines = [
        f"Auto precision ({result.task}), target {100 * result.target:g} % on {source}",
        f"  emulated agreement {100 * result.agreement_emulated:.2f} %"
        + (f" (start {100 * result.agreement_start:.2f} %)" if result.agreement_start is not None else ""),
    ]
    if result.agreement_csim is not None:
        lines.append(
            f"  C-simulation agreement {100 * result.agreement_csim:.2f} % ({result.verify_rounds} run(s))"
        )
    lines.append(
        f"  {result.total_bits} bits over all precisions; weights and biases {result.storage_bits:,} bits"
    )
    lines.append("")
    for c in result.layers:
        precs = ", ".join(f"{k} {v}" for k, v in c.precisions().items())
        lines.append(f"{c.name} ({c.class_name}): {precs}")
        lines.extend(f"    {w}" for w in c.why)
    if result.notes:
        lines.append("")
        lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)


def _report_numbers(report) -> dict[str, Any]:
    numbers = dict(report.resources())
    numbers.update(
        latency_cycles=report.latency_cycles_max,
        latency_ns=report.latency_ns_max,
        ii=report.interval_max,
        clock_ns=report.clock_ns,
    )
    return numbers


def _short_path(path: str, limit: int = 100) -> str:
    return path if len(path) <= limit else path[: limit - 1] + "…"


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(HlsView, "TrigLab — HLS"))
