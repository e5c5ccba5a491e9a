"""The layer table: what the model is made of, layer by layer, and its totals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from core.metrics.cost import cost_overrides_from_variant

COLUMNS = (
    QT_TRANSLATE_NOOP("ModelView", "Layer"),
    QT_TRANSLATE_NOOP("ModelView", "Type"),
    QT_TRANSLATE_NOOP("ModelView", "Output shape"),
    QT_TRANSLATE_NOOP("ModelView", "Params"),
    QT_TRANSLATE_NOOP("ModelView", "Non-zero"),
    QT_TRANSLATE_NOOP("ModelView", "MACs"),
    QT_TRANSLATE_NOOP("ModelView", "Bits"),
    QT_TRANSLATE_NOOP("ModelView", "Quantizer"),
)
_KERNELS = ("kernel", "depthwise_kernel", "pointwise_kernel")


def _fmt_int(n: int) -> str:
    return fmt_num(n, 0)


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{fmt_num(n, 0 if unit == 'B' else 1)} {unit}"
        n /= 1000.0
    return f"{fmt_num(n, 0)} B"


def declared_quantization(operation: str | None, params: Mapping[str, Any] | None, layer: str):
    """A layer's weight bit width and format as its variant's operation declares them.

    Post-training quantized variants (``fixed_point``, ``quantize_int8``) keep float Keras layers
    whose values lie on a grid: the model says nothing, the lineage does (read with
    :func:`core.metrics.cost.cost_overrides_from_variant`, as the cost metrics are).

    Returns:
        ``(bits, text)``: the kernel's width (the bias's for a layer without kernel) and the
        formats for the Quantizer column (``"ap_fixed<8,1>"``, or one per tensor when they
        differ; ``"int8 (TFLite)"``), or None when the variant declares nothing for the layer.
    """
    override = cost_overrides_from_variant(operation, params).get("weight_bits_override")
    if not isinstance(override, Mapping):
        return None
    widths = override.get(layer, override.get("*"))
    if not isinstance(widths, Mapping) or not widths:
        return None
    key = next((k for k in _KERNELS if k in widths), next(iter(widths)))
    bits = int(widths[key])
    formats = (params or {}).get("formats")
    per_tensor = formats.get(layer) if isinstance(formats, Mapping) else None
    if isinstance(per_tensor, Mapping) and per_tensor:
        distinct = {str(f) for f in per_tensor.values()}
        if len(distinct) == 1:
            return bits, distinct.pop()
        return bits, ", ".join(f"{w} {f}" for w, f in per_tensor.items())
    return bits, "int8 (TFLite)" if "int8" in (operation or "").lower() else f"{bits} bits"


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
        self.title = QLabel(self.tr("No model loaded"))
        self.title.setObjectName("panelTitle")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("ModelView", c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeToContents)
        # Every column as wide as its text (a stretched last column cut the quantizers short);
        # the table scrolls sideways when the view is narrow.
        hh.setStretchLastSection(False)
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
            self.title.setText(self.tr("No model loaded"))
            self.totals.setText("")
            return
        d = lv.summary.to_dict()
        ws = self.state.workspace
        variant = ws.variants.get(lv.name) if ws is not None else None
        operation = getattr(variant, "operation", None)
        params = getattr(variant, "params", None)
        self.title.setText(f"<b>{lv.name}</b> &nbsp; <span style='color:gray'>{lv.path.name}</span>")
        self.table.blockSignals(True)
        self.table.setRowCount(len(d["layers"]))
        for r, L in enumerate(d["layers"]):
            shape = L["output_shape"]
            shape = shape if isinstance(shape, str) else " × ".join(str(s) for s in shape)
            bits_item = QTableWidgetItem("" if L.get("bits") is None else str(L["bits"]))
            quant_item = QTableWidgetItem(L.get("quantizer") or "")
            quant_item.setToolTip(quant_item.text())
            declared = declared_quantization(operation, params, L["name"]) if L.get("bits") is None else None
            if declared is not None:  # float Keras weights on a fixed-point / int8 grid
                bits_item.setText(str(declared[0]))
                quant_item.setText(declared[1])
                why = self.tr(
                    "weights rounded by the '{0}' operation; activations stay float in Keras"
                ).format(operation)
                bits_item.setToolTip(why)
                quant_item.setToolTip(f"{declared[1]}\n{why}")
            cells = [
                QTableWidgetItem(L["name"]),
                QTableWidgetItem(L["type"]),
                QTableWidgetItem(shape),
                _NumItem(L["params"]),
                _NumItem(L["nonzero"]),
                _NumItem(L["macs"]),
                bits_item,
                quant_item,
            ]
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
            self._rows.append(L["name"])
        self.table.blockSignals(False)
        t = d["totals"]
        self.totals.setText(
            "<b>"
            + self.tr("Total")
            + "</b>: "
            + self.tr(
                "{0} parameters ({1} trainable), {2} non-zero (sparsity {3}), {4} MACs per inference."
            ).format(
                _fmt_int(t["params"]),
                _fmt_int(t["trainable"]),
                _fmt_int(t["nonzero"]),
                fmt_pct(t["sparsity"]),
                _fmt_int(t["macs"]),
            )
            + " &nbsp; <b>"
            + self.tr("Size")
            + "</b>: "
            + self.tr("{0} dense fp32, {1} sparse, {2} gzip.").format(
                _fmt_bytes(t["size_dense"]), _fmt_bytes(t["size_sparse"]), _fmt_bytes(t["size_gzip"])
            )
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
