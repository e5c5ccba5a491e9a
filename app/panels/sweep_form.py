"""The Sweep view's form: what to sweep, how to search, where to run (no jobs here).

The axes are an editable table, one row per swept quantity: its short name (``sparsity``,
``reuse``, ``bits@fc1``; :data:`core.sweep.axes.AXIS_ALIASES`) or ``STAGE.PARAM``, and its values
as ``lo:hi:n`` (n evenly spaced values) or ``a,b,c``. Each row is parsed as it is typed with
:func:`core.sweep.axes.parse_axis`: its number of values, or what is wrong in red; the grid's size
(the product) shows below. :meth:`SweepForm.spec` gathers everything into a
:class:`core.sweep.spec.SweepSpec`, :meth:`SweepForm.where` says where the points run (this
machine's embedded Dask cluster, a Dask scheduler, or batch-system workers from a dask-jobqueue
YAML file: :mod:`app.panels.sweep_where`).
"""

from __future__ import annotations

import html
import re
import shlex
import time
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num
from app.palette import mute
from app.panels.hls_form import ERROR_STYLE
from app.panels.sweep_where import WhereBox, narrow_combo
from core import TrigLabError

_CTX = "SweepForm"
ERROR_COLOR = ERROR_STYLE.split(":", 1)[1]
#: Strategy key -> its name in the menu.
STRATEGY_NAMES = {
    "grid": QT_TRANSLATE_NOOP("SweepForm", "Grid (every point)"),
    "random": QT_TRANSLATE_NOOP("SweepForm", "Random points of the grid"),
    "nsga2": QT_TRANSLATE_NOOP("SweepForm", "NSGA-II (Optuna, multi-objective)"),
    "tpe": QT_TRANSLATE_NOOP("SweepForm", "TPE (Optuna)"),
}
#: Measure key (core.sweep.spec.MEASURES) -> its check box text.
MEASURE_NAMES = {
    "task": QT_TRANSLATE_NOOP("SweepForm", "Task metric"),
    "autoprec": QT_TRANSLATE_NOOP("SweepForm", "Auto precision"),
    "csim": QT_TRANSLATE_NOOP("SweepForm", "C simulation"),
    "estimate": QT_TRANSLATE_NOOP("SweepForm", "FPGA estimate"),
    "synth": QT_TRANSLATE_NOOP("SweepForm", "Vendor synthesis"),
}
#: The rows a new form starts with (axis, values): 3 × 2 = 6 points.
DEFAULT_AXES = (("sparsity", "0.5:0.9:3"), ("reuse", "1,2"))
FIXED_EXAMPLE = "prune.finetune_epochs=3 hls.io_type=io_stream"  # syntax, not a text to translate


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def default_sweep_name(variant: str) -> str:
    """A new sweep's name: the variant's (made a valid folder name) and the time, to the second."""
    stem = re.sub(r"[^A-Za-z0-9_.+-]", "_", variant or "sweep").lstrip("_.+-")[:40] or "sweep"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


class _AxisNameDelegate(QStyledItemDelegate):
    """The axis column's editor: a line edit completing the registered short names."""

    def __init__(self, names: list[str], parent=None) -> None:
        super().__init__(parent)
        self.names = names

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        edit = QLineEdit(parent)
        completer = QCompleter(self.names, edit)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        edit.setCompleter(completer)
        return edit


class SweepForm(QWidget):
    """Axes, fixed settings, strategy, budget, measures and where to run.

    Signals:
        run_requested(): The Run button was pressed.
        cancel_requested(): The Cancel button was pressed.
        changed(): Anything that changes the sweep was edited.
    """

    run_requested = Signal()
    cancel_requested = Signal()
    changed = Signal()

    def __init__(self, settings=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._axes: list[Any] = []  # the parsed axes of the valid rows
        self._row_errors: dict[int, str] = {}
        self._filling = False

        # --- base variant ----------------------------------------------------------------
        self.variant_combo = narrow_combo(QComboBox())
        self.variant_combo.setToolTip(self.tr("The variant every point starts from (left untouched)"))
        self.variant_combo.currentIndexChanged.connect(lambda _i: self._name_placeholder())

        # --- axes ------------------------------------------------------------------------
        self.axes_table = QTableWidget(0, 3)
        self.axes_table.setHorizontalHeaderLabels([self.tr("Axis"), self.tr("Values"), self.tr("Points")])
        self.axes_table.horizontalHeaderItem(0).setToolTip(self._axis_names_tip())
        self.axes_table.horizontalHeaderItem(1).setToolTip(
            self.tr("lo:hi:n for n evenly spaced values from lo to hi, or a list a,b,c")
        )
        self.axes_table.verticalHeader().setVisible(False)
        self.axes_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.axes_table.setEditTriggers(QAbstractItemView.AllEditTriggers)
        hh = self.axes_table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.Interactive)
        fm = self.fontMetrics()
        self.axes_table.setColumnWidth(0, fm.horizontalAdvance("sparsity_xx"))
        self.axes_table.setColumnWidth(2, fm.horizontalAdvance(self.tr("Points")) + 16)
        self.axes_table.setItemDelegateForColumn(0, _AxisNameDelegate(self._alias_names(), self.axes_table))
        rows = fm.lineSpacing()
        self.axes_table.setMinimumHeight(self.axes_table.horizontalHeader().sizeHint().height() + 3 * rows)
        self.axes_table.setMaximumHeight(self.axes_table.horizontalHeader().sizeHint().height() + 7 * rows)
        self.axes_table.itemChanged.connect(lambda _it: self._axes_edited())
        self.add_axis_btn = QToolButton()
        self.add_axis_btn.setText("+")
        self.add_axis_btn.setToolTip(self.tr("Add an axis"))
        self.add_axis_btn.clicked.connect(lambda: self.add_axis("", ""))
        self.remove_axis_btn = QToolButton()
        self.remove_axis_btn.setText("−")
        self.remove_axis_btn.setToolTip(self.tr("Remove the selected axis"))
        self.remove_axis_btn.clicked.connect(self.remove_selected_axis)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.axes_error = QLabel()
        self.axes_error.setWordWrap(True)
        self.axes_error.setStyleSheet(ERROR_STYLE)
        self.axes_error.hide()
        axes_row = QHBoxLayout()
        axes_row.addWidget(self.count_label, 1)
        axes_row.addWidget(self.add_axis_btn)
        axes_row.addWidget(self.remove_axis_btn)

        # --- fixed settings ----------------------------------------------------------------
        self.fixed_edit = QLineEdit()
        self.fixed_edit.setPlaceholderText(FIXED_EXAMPLE)
        self.fixed_edit.setToolTip(
            self.tr("Settings equal in every point: NAME=VALUE pairs separated by spaces")
        )
        self.fixed_edit.textChanged.connect(lambda _t: self._fixed_edited())
        self.fixed_error = QLabel()
        self.fixed_error.setWordWrap(True)
        self.fixed_error.setStyleSheet(ERROR_STYLE)
        self.fixed_error.hide()

        # --- strategy and budget -----------------------------------------------------------
        self.strategy_combo = narrow_combo(QComboBox())
        for key, text in STRATEGY_NAMES.items():
            self.strategy_combo.addItem(_t(text), key)
        self.strategy_combo.currentIndexChanged.connect(lambda _i: self._update_budget())
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, 100000)
        self.trials_spin.setValue(20)
        self.trials_spin.setToolTip(self.tr("How many points to run (the grid runs every point)"))
        self.hours_spin = QDoubleSpinBox()
        self.hours_spin.setRange(0.0, 1000.0)
        self.hours_spin.setDecimals(1)
        self.hours_spin.setSingleStep(0.5)
        self.hours_spin.setSpecialValueText(self.tr("no limit"))
        self.hours_spin.setSuffix(" h")
        self.hours_spin.setToolTip(self.tr("No new point starts after this time; running points finish"))

        # --- measures ----------------------------------------------------------------------
        from core.sweep.spec import DEFAULT_MEASURES, MEASURES

        self.measure_checks: dict[str, QCheckBox] = {}
        measures = QGridLayout()
        for i, key in enumerate(MEASURES):
            check = QCheckBox(_t(MEASURE_NAMES.get(key, key)))
            check.setChecked(key in DEFAULT_MEASURES)
            check.toggled.connect(lambda _on: self.changed.emit())
            self.measure_checks[key] = check
            measures.addWidget(check, i, 0)
        self.measure_checks["synth"].setToolTip(
            self.tr("Vitis HLS / Vivado on the workers that have them (hours per point)")
        )
        self.n_calib_spin = QSpinBox()
        self.n_calib_spin.setRange(10, 1_000_000)
        self.n_calib_spin.setSingleStep(100)
        self.n_calib_spin.setValue(1000)
        self.n_calib_spin.setToolTip(
            self.tr("Validation events for the precision search and the C simulation of each point")
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 99999)
        self.seed_spin.setToolTip(self.tr("Seed of the strategy and of every fine-tuning"))

        # --- name and buttons ----------------------------------------------------------------
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(self.tr("The sweep's name (its folder in the workspace); empty: automatic"))
        self.run_btn = QPushButton(self.tr("Run sweep"))
        self.run_btn.setToolTip(self.tr("Start the sweep; other jobs keep running meanwhile"))
        self.run_btn.clicked.connect(self.run_requested)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setToolTip(self.tr("Stop submitting points; finished points stay in the sweep"))
        self.cancel_btn.clicked.connect(self.cancel_requested)
        self.cancel_btn.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.RichText)
        mute(self.message)

        # --- layout --------------------------------------------------------------------------
        what = QGroupBox(self.tr("What"))
        wf = QVBoxLayout(what)
        base = QFormLayout()
        base.addRow(self.tr("Base variant"), self.variant_combo)
        wf.addLayout(base)
        wf.addWidget(self.axes_table)
        wf.addLayout(axes_row)
        wf.addWidget(self.axes_error)
        fixed = QFormLayout()
        fixed.addRow(self.tr("Fixed"), self.fixed_edit)
        wf.addLayout(fixed)
        wf.addWidget(self.fixed_error)
        how = QGroupBox(self.tr("How"))
        hf = QFormLayout(how)
        # Long labels (Italian, 125 % font) go above their field rather than widen the form.
        hf.setRowWrapPolicy(QFormLayout.WrapLongRows)
        hf.addRow(self.tr("Strategy"), self.strategy_combo)
        hf.addRow(self.tr("Points"), self.trials_spin)
        hf.addRow(self.tr("Time budget"), self.hours_spin)
        hf.addRow(self.tr("Calibration events"), self.n_calib_spin)
        hf.addRow(self.tr("Seed"), self.seed_spin)
        measured = QGroupBox(self.tr("Measures"))
        measured.setLayout(measures)
        self.where_box = WhereBox(settings)
        # The name, the buttons and the message: a footer the view keeps in sight under the
        # scrolled form (Run must not hide below the fold of a 768 px screen).
        self.footer = QWidget()
        foot = QVBoxLayout(self.footer)
        foot.setContentsMargins(0, 2, 0, 0)
        name = QFormLayout()
        name.addRow(self.tr("Name"), self.name_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_btn, 1)
        buttons.addWidget(self.cancel_btn)
        foot.addLayout(name)
        foot.addLayout(buttons)
        foot.addWidget(self.message)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for box in (what, how, measured, self.where_box):
            lay.addWidget(box)
        lay.addStretch(1)

        for axis, values in DEFAULT_AXES:
            self.add_axis(axis, values)
        self._update_budget()

    # --- axes ------------------------------------------------------------------------------
    @staticmethod
    def _alias_names() -> list[str]:
        try:
            from core.sweep.axes import AXIS_ALIASES
        except ImportError:  # the axes module is not there (a partial install): no completion
            return []
        return sorted(AXIS_ALIASES)

    def _axis_names_tip(self) -> str:
        names = ", ".join(self._alias_names())
        return self.tr("A short name ({0}), bits@LAYER for one QKeras layer, or STAGE.PARAM").format(names)

    def add_axis(self, name: str, values: str) -> None:
        """Append an axis row (``name``, ``values`` as typed)."""
        self._filling = True
        r = self.axes_table.rowCount()
        self.axes_table.insertRow(r)
        self.axes_table.setItem(r, 0, QTableWidgetItem(name))
        self.axes_table.setItem(r, 1, QTableWidgetItem(values))
        count = QTableWidgetItem("")
        count.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
        count.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.axes_table.setItem(r, 2, count)
        self._filling = False
        self._axes_edited()

    def set_axes(self, rows: list[tuple[str, str]]) -> None:
        """Replace every axis row with ``[(name, values), ...]``."""
        self._filling = True
        self.axes_table.setRowCount(0)
        self._filling = False
        for name, values in rows:
            self.add_axis(name, values)
        self._axes_edited()

    def remove_selected_axis(self) -> None:
        rows = sorted({i.row() for i in self.axes_table.selectedIndexes()}, reverse=True)
        if not rows and self.axes_table.rowCount():
            rows = [self.axes_table.rowCount() - 1]
        for r in rows:
            self.axes_table.removeRow(r)
        self._axes_edited()

    def _cell(self, r: int, c: int) -> str:
        item = self.axes_table.item(r, c)
        return item.text().strip() if item is not None else ""

    def _axes_edited(self) -> None:
        """Parse every row: its count or its error in the Points column, the grid's size below."""
        if self._filling:
            return
        self._filling = True
        try:
            self._axes, self._row_errors = [], {}
            seen: dict[str, int] = {}
            for r in range(self.axes_table.rowCount()):
                name, values = self._cell(r, 0), self._cell(r, 1)
                item = self.axes_table.item(r, 2)
                if not name and not values:
                    item.setText("")
                    item.setToolTip("")
                    continue
                try:
                    axis = self._parse(name, values)
                    if axis.name in seen:
                        raise TrigLabError(
                            self.tr("'{0}' is swept twice (rows {1} and {2})").format(
                                axis.name, seen[axis.name] + 1, r + 1
                            )
                        )
                except TrigLabError as exc:
                    self._row_errors[r] = str(exc)
                    item.setText("✘")
                    item.setForeground(QBrush(QColor(ERROR_COLOR)))
                    item.setToolTip(str(exc))
                    continue
                seen[axis.name] = r
                self._axes.append(axis)
                item.setText(fmt_num(len(axis.values), 0))
                item.setData(Qt.ForegroundRole, None)
                item.setToolTip(", ".join(_value_text(v) for v in axis.values))
        finally:
            self._filling = False
        if self._row_errors:
            self.axes_error.setText(
                "\n".join(
                    self.tr("Row {0}: {1}").format(r + 1, msg) for r, msg in sorted(self._row_errors.items())
                )
            )
        self.axes_error.setVisible(bool(self._row_errors))
        self._update_count()
        self.changed.emit()

    def _parse(self, name: str, values: str):
        if not name:
            raise TrigLabError(self.tr("name the axis (e.g. sparsity)"))
        if not values:
            raise TrigLabError(self.tr("give its values (lo:hi:n or a,b,c)"))
        try:
            from core.sweep.axes import parse_axis
        except ImportError as exc:
            raise TrigLabError(self.tr("sweeps are not available: {0}").format(exc)) from None
        return parse_axis(f"{name}={values}")

    def grid_size(self) -> int | None:
        """Points of the grid of the valid axes (None while a row is wrong or there is none)."""
        if self._row_errors or not self._axes:
            return None
        from core.sweep.axes import grid_size

        return grid_size(self._axes)

    def row_errors(self) -> dict[int, str]:
        """``{row: message}`` of the axis rows that do not parse (rows from 0)."""
        return dict(self._row_errors)

    def _update_count(self) -> None:
        n = self.grid_size()
        if n is None:
            self.count_label.setText(
                self.tr("Grid: — (fix the rows in red)") if self._row_errors else self.tr("Grid: no axis yet")
            )
        else:
            self.count_label.setText(self.tr("Grid: {0} points").format(fmt_num(n, 0)))
        self._update_budget()

    # --- fixed settings ----------------------------------------------------------------------
    def fixed(self) -> dict[str, Any]:
        """The fixed settings ``{qualified name: value}``; raises TrigLabError on a bad entry."""
        try:
            parts = shlex.split(self.fixed_edit.text())
        except ValueError as exc:
            raise TrigLabError(self.tr("Fixed settings: {0}").format(exc)) from None
        if not parts:
            return {}
        from core.sweep.axes import parse_fixed

        out = {}
        for part in parts:
            key, value = parse_fixed(part)
            out[key] = value
        return out

    def _fixed_edited(self) -> None:
        try:
            self.fixed()
        except (TrigLabError, ImportError) as exc:
            self.fixed_error.setText(str(exc))
            self.fixed_error.show()
        else:
            self.fixed_error.hide()
        self.changed.emit()

    # --- strategy, budget, where -------------------------------------------------------------
    def _update_budget(self) -> None:
        grid = self.strategy_combo.currentData() == "grid"
        self.trials_spin.setEnabled(not grid)
        if grid and self.grid_size() is not None:
            self.trials_spin.blockSignals(True)
            self.trials_spin.setValue(min(self.grid_size(), self.trials_spin.maximum()))
            self.trials_spin.blockSignals(False)

    def where(self) -> dict[str, Any]:
        """Where the points run (:meth:`WhereBox.where`)."""
        return self.where_box.where()

    def remember_where(self) -> None:
        self.where_box.remember()

    # --- variants, name, the spec ------------------------------------------------------------
    def set_variants(self, names: list[str], current: str | None = None) -> None:
        """Fill the base-variant menu, keeping the choice (else ``current``)."""
        keep = self.variant_combo.currentText() or current
        self.variant_combo.blockSignals(True)
        self.variant_combo.clear()
        self.variant_combo.addItems(names)  # i18n-ignore: variant names
        i = self.variant_combo.findText(keep or "")
        if i < 0 and current:
            i = self.variant_combo.findText(current)
        self.variant_combo.setCurrentIndex(i if i >= 0 else self.variant_combo.count() - 1)
        self.variant_combo.blockSignals(False)
        self._name_placeholder()

    def set_current_variant(self, name: str) -> None:
        i = self.variant_combo.findText(name)
        if i >= 0:
            self.variant_combo.setCurrentIndex(i)

    def _name_placeholder(self) -> None:
        self.name_edit.setPlaceholderText(default_sweep_name(self.variant_combo.currentText()))

    def set_running(self, running: bool) -> None:
        self.run_btn.setEnabled(not running)
        self.cancel_btn.setEnabled(running)

    def show_message(self, text: str, error: bool = False) -> None:
        """A line under the buttons (an error in red)."""
        text = html.escape(text)
        self.message.setText(f"<span style='{ERROR_STYLE}'>{text}</span>" if error else text)

    def load_spec(self, spec) -> None:
        """Fill the form with a stored sweep's settings (to change one and run it under a new name)."""
        self.set_current_variant(spec.variant)
        self.set_axes([(a.label or a.name, ",".join(_value_text(v) for v in a.values)) for a in spec.axes])
        self.fixed_edit.setText(
            " ".join(
                shlex.quote(f"{k}={_value_text(v)}") for k, v in spec.fixed.items()
            )  # i18n-ignore: settings
        )
        i = self.strategy_combo.findData(spec.strategy)
        if i >= 0:
            self.strategy_combo.setCurrentIndex(i)
        if spec.trials:
            self.trials_spin.setValue(int(spec.trials))
        self.hours_spin.setValue(float(spec.hours or 0.0))
        for key, check in self.measure_checks.items():
            check.setChecked(key in spec.measures)
        self.n_calib_spin.setValue(int(spec.n_calib))
        self.seed_spin.setValue(int(spec.seed))
        self.name_edit.clear()  # a new sweep gets a new name; Resume continues the stored one
        self._update_budget()

    def spec(self):
        """The sweep the form describes, checked (:func:`core.sweep.plan.validate_spec`).

        Raises:
            TrigLabError: What is wrong (a red axis row, a bad fixed setting, no variant...).
        """
        from core.sweep.spec import SweepSpec, check_sweep_name

        variant = self.variant_combo.currentText()
        if not variant:
            raise TrigLabError(self.tr("Open a workspace with a variant to sweep"))
        if self._row_errors:
            r, msg = min(self._row_errors.items())
            raise TrigLabError(self.tr("Axis row {0}: {1}").format(r + 1, msg))
        if not self._axes:
            raise TrigLabError(self.tr("Add at least one axis to sweep"))
        strategy = self.strategy_combo.currentData()
        spec = SweepSpec(
            name=check_sweep_name(self.name_edit.text().strip() or self.name_edit.placeholderText()),
            variant=variant,
            axes=list(self._axes),
            fixed=self.fixed(),
            strategy=strategy,
            trials=None if strategy == "grid" else self.trials_spin.value(),
            hours=self.hours_spin.value() or None,
            measures=tuple(k for k, c in self.measure_checks.items() if c.isChecked()),
            n_calib=self.n_calib_spin.value(),
            seed=self.seed_spin.value(),
        )
        if not spec.measures:
            raise TrigLabError(self.tr("Tick at least one measure"))
        from core.sweep.plan import validate_spec

        validate_spec(spec)
        return spec


def _value_text(v: Any) -> str:
    """A setting's value as typed (plain Python text: it is parsed back, so not localized)."""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (dict, list)):
        import json

        return json.dumps(v)
    return str(v)
