"""The workspace's variants as a lineage tree, with their key numbers.

Right-click (or the Variant button) to rename, delete (asks first) or export a variant.
A baseline (the classical coincidence-window trigger, operation ``baseline``) has its own icon and
tooltip: it has no network, so selecting it loads none (see :mod:`app.state`) and it cannot be
exported as a model.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLineF, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from app.state import is_baseline
from core import TrigLabError

COLUMNS = (
    QT_TRANSLATE_NOOP("VariantsPanel", "Variant"),
    QT_TRANSLATE_NOOP("VariantsPanel", "Operation"),
    QT_TRANSLATE_NOOP("VariantsPanel", "Task metric"),
    QT_TRANSLATE_NOOP("VariantsPanel", "Params"),
    QT_TRANSLATE_NOOP("VariantsPanel", "Sparsity"),
    QT_TRANSLATE_NOOP("VariantsPanel", "gzip size"),
)
NAME_COL, OP_COL, METRIC_COL = 0, 1, 2
#: Widest the name column starts, in average character widths (longer names elide in the
#: middle, whole in the tooltip), so that the task metric stays in sight in a narrow dock.
NAME_CHARS = 14
#: Narrowest the tree gets, in average character widths.
MIN_CHARS = 22


BASELINE_TIP = QT_TRANSLATE_NOOP("VariantsPanel", "classical coincidence-window trigger — no network")


def baseline_icon(size: int = 16) -> QIcon:
    """A road: two dashed walls with a muon track between them (the classical trigger's window)."""
    pix = QPixmap(size, size)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    wall = QPen(QColor(90, 90, 90), max(1, size // 10), Qt.DashLine)
    p.setPen(wall)
    p.drawLine(QLineF(size * 0.2, 1, size * 0.35, size - 1))
    p.drawLine(QLineF(size * 0.8, 1, size * 0.65, size - 1))
    p.setPen(QPen(QColor(213, 94, 0), max(1, size // 8)))  # Okabe–Ito vermilion
    p.drawLine(QLineF(size * 0.45, 1, size * 0.55, size - 1))
    p.end()
    return QIcon(pix)


def metric_text(metrics: dict) -> str:
    if "val_accuracy" in metrics:
        return QCoreApplication.translate("VariantsPanel", "acc {0}").format(fmt_pct(metrics["val_accuracy"]))
    if "val_mae" in metrics:
        return QCoreApplication.translate("VariantsPanel", "MAE {0}").format(_fmt_sig(metrics["val_mae"]))
    return "—"


def _fmt_sig(value: float) -> str:
    """Four significant figures, in the locale (MAE 0.04312)."""
    return QLocale().toString(float(value), "g", 4)


def params_text(params: dict) -> str:
    """A variant's parameters as people read them: ``key = value``, nested ones spelled out, ``—`` for
    empty values (never raw JSON such as ``{}``)."""
    parts = []
    for key, val in params.items():
        parts.append(f"{key} = {_value_text(val)}")
    return "; ".join(parts) if parts else "—"


def _value_text(val) -> str:
    if val is None or val == "" or val == {} or val == []:
        return "—"
    if isinstance(val, dict):
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in val.items())
    if isinstance(val, (list, tuple)):
        return ", ".join(_value_text(v) for v in val)
    if isinstance(val, float):
        return _fmt_sig(val)
    return str(val)


class VariantsPanel(QWidget):
    """Lineage tree of the workspace's variants."""

    error = Signal(str, str)  # title, message

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([QCoreApplication.translate("VariantsPanel", c) for c in COLUMNS])
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        # The key number right after the name, so that a narrow dock shows it whole (the
        # logical column order, which code and tests use, stays as COLUMNS says).
        header.moveSection(header.visualIndex(METRIC_COL), 1)
        header.setSectionResizeMode(NAME_COL, QHeaderView.Interactive)
        self.tree.setTextElideMode(Qt.ElideMiddle)
        self.tree.setIndentation(max(10, self.tree.fontMetrics().averageCharWidth() * 2))  # room for names
        # Never squeezed below a name and its task metric (the dock gives way to the views only
        # down to this).
        self.tree.setMinimumWidth(self.tree.fontMetrics().averageCharWidth() * MIN_CHARS)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.customContextMenuRequested.connect(self._menu)
        self._baseline_icon = baseline_icon(self.tree.fontMetrics().height())
        self.tree.itemSelectionChanged.connect(self._on_select)
        # One "Variant" button with a menu (the same as the right-click menu): three push buttons
        # in a row made the dock ~280 px wide at 125 % font, too wide beside the walkthrough on a
        # 1366 px projector.
        self.rename_action = QAction(self.tr("Rename…"), self)
        self.export_action = QAction(self.tr("Export…"), self)
        self.delete_action = QAction(self.tr("Delete…"), self)
        for action, f in (
            (self.rename_action, self.rename),
            (self.export_action, self.export),
            (self.delete_action, self.delete),
        ):
            action.triggered.connect(lambda _=False, f=f: f())
        self.actions_menu = QMenu(self)
        self.actions_menu.addAction(self.rename_action)
        self.actions_menu.addAction(self.export_action)
        self.actions_menu.addSeparator()
        self.actions_menu.addAction(self.delete_action)
        self.actions_btn = QToolButton()
        self.actions_btn.setText(self.tr("Variant"))
        self.actions_btn.setToolTip(
            self.tr("Rename, export or delete the selected variant (also on right-click)")
        )
        self.actions_btn.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.actions_btn.setPopupMode(QToolButton.InstantPopup)
        self.actions_btn.setMenu(self.actions_menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.actions_btn)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tree, 1)
        lay.addLayout(buttons)
        self._items: dict[str, QTreeWidgetItem] = {}
        state.variants_changed.connect(self.refresh)
        state.variant_changed.connect(lambda lv: self._highlight(lv.name if lv else None))
        if hasattr(state, "baseline_selected"):
            state.baseline_selected.connect(self._highlight)
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
                        op = v.operation
                        baseline = is_baseline(v)
                        if baseline and v.params.get("baseline"):
                            op = f"{op} ({v.params['baseline']})"
                        if v.params.get("cancelled"):
                            op = self.tr("{0} (cancelled)").format(op)
                        cells = [
                            v.name,
                            op,
                            metric_text(m),
                            fmt_num(m["params"], 0) if "params" in m else "—",
                            fmt_pct(sparsity) if sparsity is not None else "—",
                            f"{fmt_num(m['size_gzip'] / 1000)} kB" if "size_gzip" in m else "—",
                        ]
                        parent = self._items.get(v.parent) if v.parent else None
                        item = QTreeWidgetItem(parent if parent is not None else self.tree, cells)
                        item.setData(0, Qt.UserRole, v.name)
                        if baseline:
                            item.setIcon(NAME_COL, self._baseline_icon)
                        tip = self._tooltip(v)
                        for c in range(len(cells)):  # a cell elided in a narrow dock reads whole here
                            item.setToolTip(c, tip if c == NAME_COL else f"{cells[c]}<br>{tip}")
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
        self._size_name_column()
        self.tree.blockSignals(False)
        cur = self.state.current.name if self.state.current else None
        self._highlight(getattr(self.state, "selected", None) or cur)

    def _size_name_column(self) -> None:
        """The name column as wide as its names, but leaving the task metric in sight: at most
        :data:`NAME_CHARS` characters, less in a narrow dock (never under 6)."""
        self.tree.resizeColumnToContents(NAME_COL)
        cw = self.tree.fontMetrics().averageCharWidth()
        room = self.tree.viewport().width() - self.tree.columnWidth(METRIC_COL) - 2
        cap = max(6 * cw, min(cw * NAME_CHARS + self.tree.indentation(), room))
        if self.tree.columnWidth(NAME_COL) > cap:
            self.tree.setColumnWidth(NAME_COL, cap)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._size_name_column()

    def _tooltip(self, v) -> str:
        esc = html.escape
        lines = [f"<b>{esc(v.name)}</b> — {esc(v.operation)}"]
        if is_baseline(v):
            lines.append("<i>" + esc(QCoreApplication.translate("VariantsPanel", BASELINE_TIP)) + "</i>")
        lines += [
            self.tr("file: {0}").format(esc(str(v.file))),
            self.tr("created: {0}").format(esc(str(v.created))),
        ]
        if v.parent:
            lines.append(self.tr("from: {0}").format(esc(v.parent)))
        if v.dataset:
            lines.append(self.tr("dataset: {0}").format(esc(v.dataset)))
        params = {k: val for k, val in v.params.items() if k != "history"}
        if params:
            lines.append(self.tr("parameters: {0}").format(esc(params_text(params))))
        return "<br>".join(lines)

    def _highlight(self, name: str | None) -> None:
        item = self._items.get(name or "")
        ws = self.state.workspace
        # a baseline has no model file to export
        self.export_action.setEnabled(not (ws is not None and name in ws.variants and is_baseline(ws[name])))
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
                self.error.emit(self.tr("Cannot open variant"), str(exc))

    # --- actions ---------------------------------------------------------------------------
    def _menu(self, pos) -> None:
        if not self.selected_name():
            return
        self.actions_menu.exec(self.tree.viewport().mapToGlobal(pos))

    def rename(self, new_name: str | None = None) -> None:
        name = self.selected_name()
        if not name:
            return
        if new_name is None:
            new_name, ok = QInputDialog.getText(
                self, self.tr("Rename variant"), self.tr("New name for '{0}':").format(name), text=name
            )
            if not ok:
                return
        try:
            self.state.rename_variant(name, new_name)
        except TrigLabError as exc:
            self.error.emit(self.tr("Cannot rename"), str(exc))

    def delete(self, confirm: bool = True) -> None:
        name = self.selected_name()
        if not name:
            return
        ws = self.state.workspace
        kids = [v.name for v in ws.children(name)] if ws else []
        if confirm:
            text = self.tr("Delete variant '{0}' and its model file?").format(name)
            if kids:
                text += "\n" + self.tr("Its {0} derived variant(s) stay, attached to its parent.").format(
                    len(kids)
                )
            text += "\n" + self.tr("This cannot be undone.")
            answer = QMessageBox.question(self, self.tr("Delete variant"), text)
            if answer != QMessageBox.Yes:
                return
        try:
            self.state.delete_variant(name)
        except TrigLabError as exc:
            self.error.emit(self.tr("Cannot delete"), str(exc))

    def export(self, path: str | None = None) -> None:
        from core.workflows import export_variant

        name = self.selected_name()
        if not name or self.state.workspace is None:
            return
        if is_baseline(self.state.workspace[name]):
            self.error.emit(
                self.tr("Cannot export"),
                self.tr(
                    "'{0}' is the classical coincidence-window trigger: it has no network to export"
                ).format(name),
            )
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export '{0}'").format(name),
                f"{name}.h5",
                self.tr("Keras HDF5 (*.h5);;Keras v3 (*.keras)"),
            )
            if not path:
                return
        try:
            export_variant(self.state.workspace, name, path)
            self.state.status_message.emit(self.tr("Exported '{0}' to {1}").format(name, path))
        except (TrigLabError, OSError) as exc:
            self.error.emit(self.tr("Cannot export"), str(exc))


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(VariantsPanel, "TrigLab — variants"))
