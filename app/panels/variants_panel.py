"""The workspace's variants as a lineage tree, with their key numbers.

Right-click (or the buttons) to rename, delete (asks first) or export a variant.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import TrigLabError

COLUMNS = ("Variant", "Operation", "Task metric", "Params", "Sparsity", "gzip size")


def metric_text(metrics: dict) -> str:
    if "val_accuracy" in metrics:
        return f"acc {100 * metrics['val_accuracy']:.1f} %"
    if "val_mae" in metrics:
        return f"MAE {metrics['val_mae']:.4g}"
    return "—"


class VariantsPanel(QWidget):
    """Lineage tree of the workspace's variants."""

    error = Signal(str, str)  # title, message

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemSelectionChanged.connect(self._on_select)
        self.rename_btn = QPushButton("Rename…")
        self.delete_btn = QPushButton("Delete…")
        self.export_btn = QPushButton("Export…")
        for b, f in (
            (self.rename_btn, self.rename),
            (self.delete_btn, self.delete),
            (self.export_btn, self.export),
        ):
            b.clicked.connect(lambda _=False, f=f: f())
        buttons = QHBoxLayout()
        for b in (self.rename_btn, self.delete_btn, self.export_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tree, 1)
        lay.addLayout(buttons)
        self._items: dict[str, QTreeWidgetItem] = {}
        state.variants_changed.connect(self.refresh)
        state.variant_changed.connect(lambda lv: self._highlight(lv.name if lv else None))
        self.refresh()

    # --- display ---------------------------------------------------------------------------
    def refresh(self) -> None:
        ws = self.state.workspace
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items = {}
        if ws is not None:
            pending = list(ws.variants.values())
            # Parents first, so children can attach; orphans (parent missing) become roots.
            while pending:
                progressed = False
                for v in list(pending):
                    if v.parent is None or v.parent not in ws.variants or v.parent in self._items:
                        m = v.metrics
                        sparsity = m.get("sparsity")
                        cells = [
                            v.name,
                            v.operation + (" (cancelled)" if v.params.get("cancelled") else ""),
                            metric_text(m),
                            f"{m['params']:,}" if "params" in m else "—",
                            f"{100 * sparsity:.1f} %" if sparsity is not None else "—",
                            f"{m['size_gzip'] / 1000:.1f} kB" if "size_gzip" in m else "—",
                        ]
                        parent = self._items.get(v.parent) if v.parent else None
                        item = QTreeWidgetItem(parent if parent is not None else self.tree, cells)
                        item.setData(0, Qt.UserRole, v.name)
                        item.setToolTip(0, self._tooltip(v))
                        for c in (2, 3, 4, 5):
                            item.setTextAlignment(c, Qt.AlignRight | Qt.AlignVCenter)
                        self._items[v.name] = item
                        pending.remove(v)
                        progressed = True
                if not progressed:  # a cycle in a hand-edited manifest: show the rest flat
                    for v in pending:
                        self._items[v.name] = QTreeWidgetItem(self.tree, [v.name, v.operation])
                    break
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._highlight(self.state.current.name if self.state.current else None)

    @staticmethod
    def _tooltip(v) -> str:
        lines = [f"<b>{v.name}</b> — {v.operation}", f"file: {v.file}", f"created: {v.created}"]
        if v.parent:
            lines.append(f"from: {v.parent}")
        if v.dataset:
            lines.append(f"dataset: {v.dataset}")
        params = {k: val for k, val in v.params.items() if k != "history"}
        if params:
            lines.append("params: " + ", ".join(f"{k}={val}" for k, val in params.items()))
        return "<br>".join(lines)

    def _highlight(self, name: str | None) -> None:
        item = self._items.get(name or "")
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        if item is not None:
            item.setSelected(True)
            self.tree.scrollToItem(item)
        self.tree.blockSignals(False)

    def selected_name(self) -> str | None:
        items = self.tree.selectedItems()
        return items[0].data(0, Qt.UserRole) if items else None

    def _on_select(self) -> None:
        name = self.selected_name()
        if name:
            try:
                self.state.select_variant(name)
            except TrigLabError as exc:
                self.error.emit("Cannot open variant", str(exc))

    # --- actions ---------------------------------------------------------------------------
    def _menu(self, pos) -> None:
        if not self.selected_name():
            return
        menu = QMenu(self)
        menu.addAction("Rename…", self.rename)
        menu.addAction("Export…", self.export)
        menu.addSeparator()
        menu.addAction("Delete…", self.delete)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def rename(self, new_name: str | None = None) -> None:
        name = self.selected_name()
        if not name:
            return
        if new_name is None:
            new_name, ok = QInputDialog.getText(self, "Rename variant", f"New name for '{name}':", text=name)
            if not ok:
                return
        try:
            self.state.rename_variant(name, new_name)
        except TrigLabError as exc:
            self.error.emit("Cannot rename", str(exc))

    def delete(self, confirm: bool = True) -> None:
        name = self.selected_name()
        if not name:
            return
        ws = self.state.workspace
        kids = [v.name for v in ws.children(name)] if ws else []
        if confirm:
            extra = f"\nIts {len(kids)} derived variant(s) stay, attached to its parent." if kids else ""
            answer = QMessageBox.question(
                self,
                "Delete variant",
                f"Delete variant '{name}' and its model file?{extra}\nThis cannot be undone.",
            )
            if answer != QMessageBox.Yes:
                return
        try:
            self.state.delete_variant(name)
        except TrigLabError as exc:
            self.error.emit("Cannot delete", str(exc))

    def export(self, path: str | None = None) -> None:
        from core.workflows import export_variant

        name = self.selected_name()
        if not name or self.state.workspace is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, f"Export '{name}'", f"{name}.h5", "Keras HDF5 (*.h5);;Keras v3 (*.keras)"
            )
            if not path:
                return
        try:
            export_variant(self.state.workspace, name, path)
            self.state.status_message.emit(f"Exported '{name}' to {path}")
        except (TrigLabError, OSError) as exc:
            self.error.emit("Cannot export", str(exc))


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(VariantsPanel, "TrigLab — variants"))
