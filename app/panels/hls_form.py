"""The HLS view's left column: target, calibration, the action buttons and the files box, and how
the form and the current configuration follow each other (a mixin of
:class:`app.panels.hls_view.HlsView`: it uses the view's state, configuration and status line).

The target's defaults (backend, part, clock) are the Preferences' when the app has them
(``app.preferences.hls_defaults``), else :class:`core.hls.config.HlsSettings`'s.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.palette import mute
from core import TrigLabError

CALIBRATION_KINDS = (
    ("dataset", QT_TRANSLATE_NOOP("HlsView", "dataset (validation split)")),
    ("gauss", QT_TRANSLATE_NOOP("HlsView", "Gaussian inputs N(0, 1)")),
    ("uniform", QT_TRANSLATE_NOOP("HlsView", "uniform inputs U(−1, 1)")),
)
DEFAULT_EVENTS = 1000
DEFAULT_TARGET = 99.5
ERROR_STYLE = "color:#c62828"


def default_settings():
    """The :class:`core.hls.config.HlsSettings` a new configuration starts from: the Preferences'
    backend / part / clock when the app has them, else the core defaults."""
    from core.hls.config import HlsSettings

    try:
        from app.preferences import hls_defaults
    except ImportError:  # no Preferences in this build: today's defaults
        return HlsSettings()
    try:
        prefs = dict(hls_defaults() or {})
    except Exception:  # noqa: BLE001 - unreadable preferences must not stop the view
        return HlsSettings()
    wanted = {
        "backend": prefs.get("backend"),
        "part": prefs.get("part"),
        "clock_period_ns": prefs.get("clock_ns"),
    }
    kwargs = {k: v for k, v in wanted.items() if v not in (None, "")}
    try:
        return HlsSettings(**kwargs)
    except (TrigLabError, TypeError, ValueError):
        return HlsSettings()


class HlsFormMixin:
    """The left column of :class:`app.panels.hls_view.HlsView`."""

    def _default_settings(self):
        return default_settings()

    def _build_form(self, defaults) -> QScrollArea:
        """Create the target / calibration / synthesis / files boxes; returns their scroll area."""
        from core.hls.config import BACKENDS, IO_TYPES, STRATEGIES

        # --- target ----------------------------------------------------------------------
        self.backend_combo = QComboBox()
        self.backend_combo.addItems(BACKENDS)
        self.backend_combo.setCurrentText(defaults.backend)
        self.backend_combo.setToolTip(self.tr("Vitis HLS (default) or the older Vivado HLS"))
        self.part_edit = QLineEdit(defaults.part)
        self.part_edit.setToolTip(self.tr("FPGA part; the Alveo U50 carries the xcu50-fsvh2104-2-e"))
        self.clock_spin = QDoubleSpinBox()
        self.clock_spin.setRange(0.5, 100.0)
        self.clock_spin.setDecimals(3)
        self.clock_spin.setSingleStep(0.5)
        self.clock_spin.setSuffix(" ns")
        self.clock_spin.setValue(defaults.clock_period_ns)
        self.clock_spin.setToolTip(self.tr("Target clock period"))
        self.clock_mhz = QLabel()
        mute(self.clock_mhz)
        self.io_combo = QComboBox()
        self.io_combo.addItems(IO_TYPES)
        self.io_combo.setCurrentText(defaults.io_type)
        self.io_combo.setToolTip(
            self.tr("io_parallel: arrays, lowest latency; io_stream: FIFOs, for larger CNNs")
        )
        self.precision_edit = QLineEdit(defaults.default_precision)
        self.precision_edit.setToolTip(
            self.tr("Precision of everything not set per layer (rows that follow it change too)")
        )
        self.reuse_spin = QSpinBox()
        self.reuse_spin.setRange(1, 4096)
        self.reuse_spin.setValue(defaults.reuse_factor)
        self.reuse_spin.setToolTip(self.tr("Default reuse factor (rows that follow it change too)"))
        self.strategy_combo = QComboBox()
        self.strategy_combo.addItems(STRATEGIES)
        self.strategy_combo.setCurrentText(defaults.strategy)
        self.strategy_combo.setToolTip(self.tr("Default strategy (rows that follow it change too)"))
        target_box = QGroupBox(self.tr("Target"))
        form = QFormLayout(target_box)
        # On a narrow projector (or in Italian) labels go above their fields instead of cutting them.
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.addRow(self.tr("Backend"), self.backend_combo)
        form.addRow(self.tr("Part"), self.part_edit)
        clock = QHBoxLayout()
        clock.addWidget(self.clock_spin, 1)
        clock.addWidget(self.clock_mhz)
        form.addRow(self.tr("Clock period"), clock)
        form.addRow(self.tr("I/O type"), self.io_combo)
        form.addRow(self.tr("Default precision"), self.precision_edit)
        form.addRow(self.tr("Default reuse"), self.reuse_spin)
        form.addRow(self.tr("Default strategy"), self.strategy_combo)

        # --- calibration + precision -----------------------------------------------------
        self.calib_combo = QComboBox()
        for key, text in CALIBRATION_KINDS:
            self.calib_combo.addItem(QCoreApplication.translate("HlsView", text), key)
        self.calib_combo.setToolTip(
            self.tr("Events the activations are profiled on and the precision is tuned on")
        )
        self.events_spin = QSpinBox()
        self.events_spin.setRange(10, 100_000)
        self.events_spin.setSingleStep(500)
        self.events_spin.setValue(DEFAULT_EVENTS)
        self.events_spin.setToolTip(self.tr("Number of calibration events"))
        self.target_spin = QDoubleSpinBox()
        self.target_spin.setRange(50.0, 100.0)
        self.target_spin.setDecimals(2)
        self.target_spin.setSingleStep(0.1)
        self.target_spin.setSuffix(" %")
        self.target_spin.setValue(DEFAULT_TARGET)
        self.target_spin.setToolTip(
            self.tr(
                "Events whose firmware output must agree with Keras (classification: same class; "
                "regression: within 1 % relative error)"
            )
        )
        self.verify_check = QCheckBox(self.tr("confirm by C simulation"))
        self.verify_check.setChecked(True)
        self.verify_check.setToolTip(
            self.tr("Compile the chosen precisions (g++) and check the agreement bit-accurately")
        )
        self.autoprec_btn = QPushButton(self.tr("Auto precision"))
        self.autoprec_btn.setToolTip(self.tr("Fewest bits per layer that keep the agreement target"))
        self.profile_btn = QPushButton(self.tr("Profile"))
        self.profile_btn.setToolTip(self.tr("Weights and activations of every layer against their precision"))
        calib_box = QGroupBox(self.tr("Calibration and precision"))
        cform = QFormLayout(calib_box)
        cform.setRowWrapPolicy(QFormLayout.WrapLongRows)
        cform.addRow(self.tr("Calibration"), self.calib_combo)
        cform.addRow(self.tr("Events"), self.events_spin)
        cform.addRow(self.tr("Agreement target"), self.target_spin)
        cform.addRow("", self.verify_check)
        prow = QHBoxLayout()
        prow.addWidget(self.autoprec_btn)
        prow.addWidget(self.profile_btn)
        cform.addRow(prow)

        # --- synthesis -------------------------------------------------------------------
        self.csim_btn = QPushButton(self.tr("Convert && C-simulate"))
        self.csim_btn.setToolTip(
            self.tr("Convert with hls4ml, compile the bit-accurate C simulation with g++, compare with Keras")
        )
        self.build_button = QPushButton(self.tr("Synthesize with vendor tool"))
        self.build_button.setToolTip(self.tr("Run Vitis / Vivado HLS C synthesis (minutes to hours)"))
        self.build_reason_label = QLabel()
        self.build_reason_label.setWordWrap(True)
        self.build_reason_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.build_reason_label.setStyleSheet("color:#6d4c41; font-size: 9pt;")
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setToolTip(self.tr("Cancel this view's running job (kills g++ or the vendor tool)"))
        synth_box = QGroupBox(self.tr("Synthesis"))
        sl = QVBoxLayout(synth_box)
        sl.addWidget(self.csim_btn)
        sl.addWidget(self.build_button)
        sl.addWidget(self.build_reason_label)
        sl.addWidget(self.cancel_btn)

        # --- files -----------------------------------------------------------------------
        self.save_yaml_btn = QPushButton(self.tr("Export config (.yml)…"))
        self.load_yaml_btn = QPushButton(self.tr("Load config (.yml)…"))
        self.export_zip_btn = QPushButton(self.tr("Export project (.zip)…"))
        self.import_btn = QPushButton(self.tr("Import reports…"))
        self.import_btn.setToolTip(
            self.tr("Read vendor synthesis reports (csynth.xml, or a project folder / zip) made elsewhere")
        )
        files_box = QGroupBox(self.tr("Files"))
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
        # As wide as the form needs at the current font (projector fonts: 125 % and more), but never
        # more than ~26 lines' height: a longer language scrolls sideways instead of pushing the
        # window past a 1366 px screen. The tabs get the rest.
        needed = left.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
        cap = left.fontMetrics().height() * 22
        scroll.setMinimumWidth(max(300, min(needed, cap)))
        scroll.setMaximumWidth(max(380, needed))

        return scroll

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
            item.setToolTip(self.tr("The validation split of {0}").format(variant.dataset))
        elif self.calib_combo.currentData() == "dataset":
            self.calib_combo.setCurrentIndex(1)
            item.setToolTip(self.tr("This variant has no dataset"))
        self.calib_combo.blockSignals(False)

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
            return default_settings()

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
            self._set_status(
                f"<span style='{ERROR_STYLE}'>"
                + html.escape(self.tr("Not applied: {0}").format(exc))
                + "</span>"
            )
            if name == "default_precision":
                self.precision_edit.setStyleSheet("background:#ffcdd2;")
            return
        if name == "default_precision":
            self.precision_edit.setStyleSheet("")
        if name in ("default_precision", "reuse_factor", "strategy"):
            self.table.set_rows(self._config.layers())  # rows that followed the default changed
        if name == "part":
            self.resources_view.part = str(value)
        self._set_status(html.escape(self.tr("{0} set to {1}").format(name.replace("_", " "), value)))
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
                follow = " " + self.tr("(and {0}, which hls4ml adds after it)").format(linear)
        self._set_status(f"{html.escape(layer)}: {field} = {html.escape(str(value))}{html.escape(follow)}")
        self._config_changed()

    def _on_table_invalid(self, layer: str, field: str, why: str) -> None:
        self._set_status(
            f"<span style='{ERROR_STYLE}'>"
            + html.escape(self.tr("{0} {1}: not applied — {2}").format(layer, field, why))
            + "</span>"
        )
