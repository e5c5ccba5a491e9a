"""Apply a compression operation to the current variant: a form built from the operation's
parameters, run as a job; the result (and any intermediate step) becomes new variants."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
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

from app.i18n import fmt_pct
from app.palette import mute
from app.panels.histogram import fmt_sparsity, fmt_value
from core import TrigLabError


def _field_for(param) -> QWidget:
    """A form widget for one :class:`core.compress.Param`."""
    if param.kind == "int":
        w = QSpinBox()
        w.setRange(
            int(param.min if param.min is not None else -(10**9)),
            int(param.max if param.max is not None else 10**9),
        )
        w.setValue(int(param.default))
    elif param.kind == "float":
        w = QDoubleSpinBox()
        lo = param.min if param.min is not None else -1e9
        hi = param.max if param.max is not None else 1e9
        w.setDecimals(6 if abs(float(param.default or 0)) < 0.01 else 4)
        w.setRange(lo, hi)
        w.setSingleStep(0.05 if hi <= 1.0 else (0.0001 if abs(float(param.default or 0)) < 0.01 else 1.0))
        w.setValue(float(param.default))
    elif param.kind == "bool":
        w = QCheckBox()
        w.setChecked(bool(param.default))
    elif param.kind == "choice":
        w = QComboBox()
        for c in param.choices:
            w.addItem(str(c), c)
        w.setCurrentIndex(
            max(0, list(param.choices).index(param.default)) if param.default in param.choices else 0
        )
    else:  # str / json
        w = QLineEdit()
        default = param.default
        if param.kind == "json":
            # An empty default ({} or []) reads as an empty field with the format in the placeholder,
            # not as raw JSON "{}" (issue 12, point 8).
            default = json.dumps(default) if default not in (None, "", {}, []) else ""
            w.setPlaceholderText(
                QCoreApplication.translate("CompressApply", 'none (every layer alike); e.g. {"fc1": 0.9}')
            )
        w.setText("" if default is None else str(default))
    w.setToolTip(param.help)
    return w


def _value_of(param, w: QWidget) -> Any:
    if isinstance(w, QSpinBox):
        return w.value()
    if isinstance(w, QDoubleSpinBox):
        return w.value()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        return w.currentData()
    text = w.text().strip()
    if param.kind == "json":
        return text or param.default
    return text if text else param.default


def _set_value(w: QWidget, value: Any) -> None:
    if isinstance(w, (QSpinBox, QDoubleSpinBox)):
        w.setValue(value)
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QComboBox):
        i = w.findData(value)
        if i >= 0:
            w.setCurrentIndex(i)
    elif isinstance(w, QLineEdit):
        if isinstance(value, (dict, list)):
            w.setText(json.dumps(value) if value else "")
        else:
            w.setText("" if value is None else str(value))


class CompressApply(QWidget):
    """Choose an operation, set its parameters, apply it to the current variant as a job."""

    applied = Signal(str)  # name of the new variant

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from core.compress import list_operations

        self.state, self.jobs = state, jobs
        self.operations = {op.name: op for op in list_operations()}
        self.op_combo = QComboBox()
        for op in self.operations.values():
            self.op_combo.addItem(op.title, op.name)
        self.description = QLabel()
        self.description.setWordWrap(True)
        mute(self.description)
        self.form_box = QGroupBox(self.tr("Parameters"))
        self.form = QFormLayout(self.form_box)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("default: <variant>-<operation>"))
        self.apply_btn = QPushButton(self.tr("Apply to current variant"))
        self.apply_btn.setDefault(True)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setEnabled(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QFormLayout()
        top.addRow(self.tr("Operation"), self.op_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_btn)
        buttons.addWidget(self.cancel_btn)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.description)
        # The parameters scroll: an operation with many of them never makes the window taller.
        scroll = QScrollArea()
        scroll.setWidget(self.form_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setMinimumHeight(120)
        lay.addWidget(scroll, 1)
        name_row = QFormLayout()
        name_row.addRow(self.tr("New variant name"), self.name_edit)
        lay.addLayout(name_row)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        self.fields: dict[str, QWidget] = {}
        self.job = None
        self.op_combo.currentIndexChanged.connect(self._build_form)
        self.apply_btn.clicked.connect(self.apply)
        self.cancel_btn.clicked.connect(self.cancel)
        state.variant_changed.connect(lambda _lv: self._update_enabled())
        self._build_form()

    # --- form ------------------------------------------------------------------------------
    def operation(self):
        return self.operations[self.op_combo.currentData()]

    def select_operation(self, name: str) -> None:
        i = self.op_combo.findData(name)
        if i < 0:
            raise TrigLabError(self.tr("No operation '{0}'").format(name))
        self.op_combo.setCurrentIndex(i)

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        op = self.operation()
        self.description.setText(op.description)
        for p in op.params:
            w = _field_for(p)
            self.fields[p.name] = w
            label = QLabel(p.name.replace("_", " "))
            label.setToolTip(p.help)
            self.form.addRow(label, w)
        self._update_enabled()

    def params(self) -> dict[str, Any]:
        op = self.operation()
        return {p.name: _value_of(p, self.fields[p.name]) for p in op.params}

    def set_params(self, values: dict[str, Any], op: str | None = None) -> None:
        """Fill the form (e.g. from the live preview's 'use these settings')."""
        if op:
            self.select_operation(op)
        for k, v in values.items():
            if k in self.fields:
                _set_value(self.fields[k], v)

    def _update_enabled(self) -> None:
        running = self.job is not None and self.job.is_active()
        self.apply_btn.setEnabled(not running and self.state.current is not None)
        self.cancel_btn.setEnabled(running)
        if self.state.current is None and not running:
            self.status.setText(self.tr("Open a workspace and select a variant to compress."))

    # --- run -------------------------------------------------------------------------------
    def apply(self):
        from core.compress.apply import compress_variant

        lv, ws = self.state.current, self.state.workspace
        if lv is None or ws is None:
            return None
        op = self.operation()
        try:
            params = op.resolve(self.params())
        except TrigLabError as exc:
            self.status.setText(f"<span style='color:#c62828'>{exc}</span>")
            return None
        name = self.name_edit.text().strip() or None
        self.job = self.jobs.submit(
            f"{op.title}: {lv.name}", compress_variant, ws, lv.name, op.name, params, name=name
        )
        self.job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        self.job.succeeded.connect(lambda v, ws=ws: self._done(v, ws))
        self.job.failed.connect(
            lambda msg, _d: self.status.setText(
                "<span style='color:#c62828'>" + self.tr("Failed: {0}").format(msg) + "</span>"
            )
        )
        self.job.cancelled.connect(
            lambda: self.status.setText(self.tr("Cancelled; the workspace is unchanged."))
        )
        self.job.finished.connect(self._update_enabled)
        self._update_enabled()
        return self.job

    def _done(self, variant, ws) -> None:
        m = variant.metrics
        metric = next(
            (f"{k} = {fmt_value(v)}" for k, v in m.items() if k.startswith("val_") and isinstance(v, float)),
            "",
        )
        self.status.setText(
            self.tr("Created <b>{0}</b>. {1}, sparsity {2}").format(
                variant.name, metric, fmt_sparsity(m.get("sparsity", 0))
            )
        )
        if self.state.workspace is ws:
            self.state.notify_variants_changed()
            self.state.select_variant(variant.name)
        self.applied.emit(variant.name)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        self.cancel()
