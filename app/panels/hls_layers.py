"""The HLS view's per-layer table: precisions, reuse factor and strategy of every layer, editable.

Precision cells are plain text checked with :meth:`core.weights.FixedPointFormat.parse` (and
hls4ml's ``auto``); a cell that does not parse turns red, says why in its tooltip and is not
applied. Reuse factor is a spin box, strategy a combo box. The table emits what the user changed;
the view applies it to its :class:`core.hls.config.HlsConfig`.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from core.weights import FixedPointFormat

PRECISION_FIELDS = ("weight", "bias", "result", "accum")
_CTX = "LayerTable"
# (field, header, tooltip); header and tooltip shown through _tr.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "name",
        QT_TRANSLATE_NOOP("LayerTable", "Layer"),
        QT_TRANSLATE_NOOP("LayerTable", "Layer name (as in the Keras model)"),
    ),
    (
        "class_name",
        QT_TRANSLATE_NOOP("LayerTable", "Type"),
        QT_TRANSLATE_NOOP("LayerTable", "hls4ml layer class"),
    ),
    (
        "weight",
        QT_TRANSLATE_NOOP("LayerTable", "Weight"),
        QT_TRANSLATE_NOOP(
            "LayerTable", "Precision of the weights, e.g. ap_fixed<8,3> (W bits, I integer bits with sign)"
        ),
    ),
    (
        "bias",
        QT_TRANSLATE_NOOP("LayerTable", "Bias"),
        QT_TRANSLATE_NOOP("LayerTable", "Precision of the biases"),
    ),
    (
        "result",
        QT_TRANSLATE_NOOP("LayerTable", "Result"),
        QT_TRANSLATE_NOOP("LayerTable", "Precision of the layer's output (what the next layer reads)"),
    ),
    (
        "accum",
        QT_TRANSLATE_NOOP("LayerTable", "Accumulator"),
        QT_TRANSLATE_NOOP("LayerTable", "Precision of the multiply-accumulate sums inside the layer"),
    ),
    (
        "reuse_factor",
        QT_TRANSLATE_NOOP("LayerTable", "Reuse"),
        QT_TRANSLATE_NOOP(
            "LayerTable", "Reuse factor: each multiplier serves this many products (fewer DSPs, longer II)"
        ),
    ),
    (
        "strategy",
        QT_TRANSLATE_NOOP("LayerTable", "Strategy"),
        QT_TRANSLATE_NOOP(
            "LayerTable", "Latency: fully unrolled, registers; Resource: weights in BRAM, honours reuse"
        ),
    ),
)
#: How a field is named in tooltips ("fc1 has no bias precision").
FIELD_NAMES = {
    "weight": QT_TRANSLATE_NOOP("LayerTable", "weight precision"),
    "bias": QT_TRANSLATE_NOOP("LayerTable", "bias precision"),
    "result": QT_TRANSLATE_NOOP("LayerTable", "result precision"),
    "accum": QT_TRANSLATE_NOOP("LayerTable", "accumulator precision"),
    "reuse_factor": QT_TRANSLATE_NOOP("LayerTable", "reuse factor"),
    "strategy": QT_TRANSLATE_NOOP("LayerTable", "strategy"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


FIELDS = tuple(c[0] for c in COLUMNS)
STRATEGIES = ("Latency", "Resource")
INVALID_BG = QColor(255, 205, 210)
INVALID_FG = QColor(183, 28, 28)
NA = "—"
_FIELD_ROLE = Qt.UserRole + 7


def precision_problem(text: str) -> str | None:
    """Why ``text`` is not a precision hls4ml accepts, or None when it is.

    ``auto`` (let hls4ml infer it) is accepted, everything else must parse as a fixed-point or
    integer type (``ap_fixed<16,6>``, ``fixed<8,3,RND,SAT>``, ``ap_int<8>``, ``ap_ufixed<6,0>``).
    """
    t = text.strip()
    if not t:
        return QCoreApplication.translate("LayerTable", "empty precision")
    if t.lower() == "auto":
        return None
    try:
        FixedPointFormat.parse(t)
    except ValueError as exc:
        return str(exc)
    return None


def parse_precision(text: str | None) -> FixedPointFormat | None:
    """The format of a precision string, or None for ``auto``, empty or unparsable text."""
    if not text or text.strip().lower() == "auto":
        return None
    try:
        return FixedPointFormat.parse(text)
    except ValueError:
        return None


def _generated(row: Any) -> bool:
    """A layer hls4ml adds (``fc1_linear``); the input layer is the model's own."""
    return bool(_row_value(row, "generated")) and _row_value(row, "class_name") != "InputLayer"


def _row_value(row: Any, field: str) -> Any:
    if isinstance(row, dict):
        return row.get(field)
    return getattr(row, field, None)


class LayerTable(QTableWidget):
    """One row per hls4ml layer; emits ``edited(layer, field, value)`` for valid edits only.

    Signals:
        edited(str, str, object): A valid change: precision text, reuse factor (int) or strategy.
        invalid(str, str, str): A precision edit refused: layer, field, why.
    """

    edited = Signal(str, str, object)
    invalid = Signal(str, str, str)

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([_tr(c[1]) for c in COLUMNS])
        for i, (_, _, tip) in enumerate(COLUMNS):
            self.horizontalHeaderItem(i).setToolTip(_tr(tip))
        # Precisions are read whole (the table scrolls sideways); should a column be narrowed by
        # hand, ap_fixed<16,6> elides in the middle, never to "ap_fixed<1…".
        self.setTextElideMode(Qt.ElideMiddle)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.DoubleClicked
            | QAbstractItemView.EditKeyPressed
            | QAbstractItemView.AnyKeyPressed
        )
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(26)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Interactive)
        hh.setStretchLastSection(True)
        self._filling = False
        self._rows: dict[str, int] = {}
        self._invalid: dict[tuple[str, str], str] = {}
        self.itemChanged.connect(self._on_item_changed)

    # --- filling ---------------------------------------------------------------------------
    def set_rows(self, rows: list[Any]) -> None:
        """Show the layers (objects or dicts with the :data:`FIELDS`); precision None = not used."""
        self._filling = True
        try:
            self.clearContents()
            self._invalid.clear()
            self.setRowCount(len(rows))
            self._rows = {}
            for r, row in enumerate(rows):
                name = str(_row_value(row, "name"))
                self._rows[name] = r
                for c, field in enumerate(FIELDS):
                    value = _row_value(row, field)
                    if field == "reuse_factor" and value is not None:
                        self.setCellWidget(r, c, self._reuse_spin(name, value))
                        continue
                    if field == "strategy" and (value is not None or _row_value(row, "weight") is not None):
                        self.setCellWidget(r, c, self._strategy_combo(name, value))
                        continue
                    item = QTableWidgetItem(NA if value in (None, "") else str(value))
                    item.setData(_FIELD_ROLE, field)
                    if field == "name" and _generated(row):
                        font = item.font()
                        font.setItalic(True)
                        item.setFont(font)
                        item.setForeground(self.palette().brush(QPalette.PlaceholderText))
                        item.setToolTip(
                            self.tr("{0}: a layer hls4ml adds (not in the Keras model)").format(name)
                        )
                    if field in PRECISION_FIELDS and value not in (None, ""):
                        item.setFlags(item.flags() | Qt.ItemIsEditable)
                        item.setToolTip(self._edit_tip(name, field, str(value)))
                    else:
                        item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                        if field in (*PRECISION_FIELDS, "reuse_factor", "strategy"):
                            item.setForeground(QBrush(QColor(160, 160, 160)))
                            item.setTextAlignment(Qt.AlignCenter)
                            what = _tr(FIELD_NAMES[field])
                            item.setToolTip(self.tr("{0} has no {1}").format(name, what))
                    if field == "class_name":
                        item.setForeground(self.palette().brush(QPalette.PlaceholderText))
                    self.setItem(r, c, item)
        finally:
            self._filling = False
        # Every column as wide as its contents: a precision is a key number, shown whole (stretched
        # columns shared a narrow view and cut them to "ap_fixed<1…"); the table scrolls instead.
        self.resizeColumnsToContents()
        hh = self.horizontalHeader()
        for c in range(len(FIELDS)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeToContents)

    def _edit_tip(self, layer: str, field: str, value: str) -> str:
        return self.tr("{0}: {1} {2} — double-click to edit").format(
            layer, _tr(FIELD_NAMES[field]), html.escape(value)
        )

    def _reuse_spin(self, layer: str, value: Any) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, 4096)
        spin.setFrame(False)
        spin.setValue(int(value or 1))
        spin.setToolTip(_tr(COLUMNS[FIELDS.index("reuse_factor")][2]))
        spin.valueChanged.connect(lambda v, layer=layer: self._emit_widget(layer, "reuse_factor", int(v)))
        return spin

    def _strategy_combo(self, layer: str, value: Any) -> QComboBox:
        combo = QComboBox()
        combo.setFrame(False)
        combo.addItems(STRATEGIES)
        current = str(value or "Latency")
        match = next((s for s in STRATEGIES if s.lower() == current.lower()), None)
        if match is None:
            combo.addItem(current)
            match = current
        combo.setCurrentText(match)
        combo.setToolTip(_tr(COLUMNS[FIELDS.index("strategy")][2]))
        combo.currentTextChanged.connect(lambda t, layer=layer: self._emit_widget(layer, "strategy", t))
        return combo

    def _emit_widget(self, layer: str, field: str, value: Any) -> None:
        if not self._filling:
            self.edited.emit(layer, field, value)

    # --- reading / editing -----------------------------------------------------------------
    def layers(self) -> list[str]:
        return list(self._rows)

    def text(self, layer: str, field: str) -> str:
        """What a cell shows (for the spin / combo columns, their value as text)."""
        r, c = self._rows[layer], FIELDS.index(field)
        w = self.cellWidget(r, c)
        if isinstance(w, QSpinBox):
            return str(w.value())
        if isinstance(w, QComboBox):
            return w.currentText()
        item = self.item(r, c)
        return item.text() if item is not None else ""

    def is_invalid(self, layer: str, field: str) -> bool:
        return (layer, field) in self._invalid

    def invalid_cells(self) -> dict[tuple[str, str], str]:
        """``{(layer, field): why}`` of the cells showing a refused precision."""
        return dict(self._invalid)

    def set_cell(self, layer: str, field: str, text: str) -> bool:
        """Edit a cell as the user would. Returns True when the value was valid (and emitted).

        Raises:
            KeyError: Unknown layer or field, or a precision the layer does not have.
        """
        if layer not in self._rows:
            raise KeyError(f"no layer {layer!r} in the table (layers: {', '.join(self._rows)})")
        if field not in FIELDS or field in ("name", "class_name"):
            raise KeyError(f"column {field!r} cannot be edited (editable: {', '.join(FIELDS[2:])})")
        r, c = self._rows[layer], FIELDS.index(field)
        w = self.cellWidget(r, c)
        if isinstance(w, QSpinBox):
            try:
                value = int(str(text).strip())
            except ValueError:
                self.invalid.emit(
                    layer, field, self.tr("reuse factor must be a whole number, got '{0}'").format(text)
                )
                return False
            if not 1 <= value <= w.maximum():
                self.invalid.emit(
                    layer, field, self.tr("reuse factor must be between 1 and {0}").format(w.maximum())
                )
                return False
            w.setValue(value)
            return True
        if isinstance(w, QComboBox):
            match = next((s for s in STRATEGIES if s.lower() == str(text).strip().lower()), None)
            if match is None:
                self.invalid.emit(
                    layer, field, self.tr("strategy must be one of {0}").format(", ".join(STRATEGIES))
                )
                return False
            w.setCurrentText(match)
            return True
        item = self.item(r, c)
        if item is None or not item.flags() & Qt.ItemIsEditable:
            raise KeyError(f"layer {layer!r} has no {field} precision")
        item.setText(str(text))  # validated in _on_item_changed, like a user edit
        return not self.is_invalid(layer, field)

    def show_value(self, layer: str, field: str, value: Any) -> None:
        """Display a value set elsewhere (auto precision, a loaded config) without emitting."""
        if layer not in self._rows:
            return
        r, c = self._rows[layer], FIELDS.index(field)
        self._filling = True
        try:
            w = self.cellWidget(r, c)
            if isinstance(w, QSpinBox):
                w.setValue(int(value or 1))
            elif isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            else:
                item = self.item(r, c)
                if item is not None and value not in (None, ""):
                    item.setText(str(value))
                    self._mark(item, layer, field, None)
        finally:
            self._filling = False

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        field = item.data(_FIELD_ROLE)
        if field not in PRECISION_FIELDS:
            return
        layer = self.item(item.row(), 0).text()
        text = item.text().strip()
        problem = precision_problem(text)
        self._filling = True
        try:
            self._mark(item, layer, field, problem)
        finally:
            self._filling = False
        if problem:
            self.invalid.emit(layer, field, problem)
        else:
            self.edited.emit(layer, field, text)

    def _mark(self, item: QTableWidgetItem, layer: str, field: str, problem: str | None) -> None:
        if problem:
            self._invalid[(layer, field)] = problem
            item.setBackground(QBrush(INVALID_BG))
            item.setForeground(QBrush(INVALID_FG))
            item.setToolTip(self.tr("Not applied: {0}").format(html.escape(problem)))
        else:
            self._invalid.pop((layer, field), None)
            item.setData(Qt.BackgroundRole, None)
            item.setData(Qt.ForegroundRole, None)
            item.setToolTip(self._edit_tip(layer, field, item.text()))

    def select_layer(self, layer: str) -> None:
        if layer in self._rows:
            self.selectRow(self._rows[layer])
