"""The layer table: what the model is made of, layer by layer, and its totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Layer", "Type", "Output shape", "Params", "Non-zero", "MACs", "Bits", "Quantizer")


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # thin space: readable thousands, no locale surprises


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000.0
    return f"{n} B"


class _NumItem(QTableWidgetItem):
    """Sorts by number, shows with thin-space thousands."""

    def __init__(self, value: int) -> None:
        super().__init__(_fmt_int(value))
        self.value = value
        self.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def __lt__(self, other):  # noqa: D105
        return self.value < getattr(other, "value", 0)


class ModelView(QWidget):
    """Layer table + totals; selecting a row selects the layer everywhere."""

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.title = QLabel("No model loaded")
        self.title.setObjectName("panelTitle")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeToContents)
        hh.setStretchLastSection(True)
        self.totals = QLabel("")
        self.totals.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.totals.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.totals)
        self._rows: list[str] = []
        self.table.itemSelectionChanged.connect(self._on_row)
        state.variant_changed.connect(self.show_variant)
        state.layer_selected.connect(self._select_row)
        if state.current is not None:
            self.show_variant(state.current)

    def show_variant(self, lv) -> None:
        self.table.setRowCount(0)
        self._rows = []
        if lv is None:
            self.title.setText("No model loaded")
            self.totals.setText("")
            return
        d = lv.summary.to_dict()
        self.title.setText(f"<b>{lv.name}</b> &nbsp; <span style='color:gray'>{lv.path.name}</span>")
        self.table.blockSignals(True)
        self.table.setRowCount(len(d["layers"]))
        for r, L in enumerate(d["layers"]):
            shape = L["output_shape"]
            shape = shape if isinstance(shape, str) else " × ".join(str(s) for s in shape)
            cells = [
                QTableWidgetItem(L["name"]),
                QTableWidgetItem(L["type"]),
                QTableWidgetItem(shape),
                _NumItem(L["params"]),
                _NumItem(L["nonzero"]),
                _NumItem(L["macs"]),
                QTableWidgetItem("" if L.get("bits") is None else str(L["bits"])),
                QTableWidgetItem(L.get("quantizer") or ""),
            ]
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
            self._rows.append(L["name"])
        self.table.blockSignals(False)
        t = d["totals"]
        self.totals.setText(
            f"<b>Total</b>: {_fmt_int(t['params'])} parameters ({_fmt_int(t['trainable'])} trainable), "
            f"{_fmt_int(t['nonzero'])} non-zero (sparsity {100 * t['sparsity']:.1f} %), "
            f"{_fmt_int(t['macs'])} MACs per inference. &nbsp; <b>Size</b>: {_fmt_bytes(t['size_dense'])} dense fp32, "
            f"{_fmt_bytes(t['size_sparse'])} sparse, {_fmt_bytes(t['size_gzip'])} gzip."
        )
        self._select_row(self.state.layer)

    def _on_row(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            name = self.table.item(rows[0].row(), 0).text()
            self.state.select_layer(name)

    def _select_row(self, name: str) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == name:
                if self.table.currentRow() != r:
                    self.table.blockSignals(True)
                    self.table.selectRow(r)
                    self.table.blockSignals(False)
                return


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(ModelView, "TrigLab — layers"))
