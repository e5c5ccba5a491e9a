"""The Sweep view's table of points: settings, the plotted measures and the status of every point.

One row per point, in proposal order until a header is clicked (then sorted by number). A failed
point shows its error in red in the status column (whole in the tooltip); a running point says so.
Selecting a row selects the point (``key_selected``), as clicking it in the plot does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

from app.panels.compare_table import MISSING, SortItem, finite
from app.panels.sweep_form import ERROR_COLOR
from app.panels.sweep_plot import measure_info, point_tooltip, value_text
from core.sweep.spec import DONE, FAILED, RUNNING

#: Point status key -> its word in the table.
STATUS_TEXT = {
    DONE: QT_TRANSLATE_NOOP("SweepTable", "done"),
    RUNNING: QT_TRANSLATE_NOOP("SweepTable", "running"),
    FAILED: QT_TRANSLATE_NOOP("SweepTable", "failed"),
}


class SweepTable(QTableWidget):
    """Points of a sweep (settings, chosen measures, status).

    Signals:
        key_selected(str): The key of the point whose row the user selected.
    """

    key_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(0, 0, parent)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)  # the measures stretch (see fill)
        self.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.itemSelectionChanged.connect(self._on_selection)
        self._keys: list[str] = []
        self._filling = False

    def set_rows(
        self,
        rows: list[dict[str, Any]],
        settings: list[tuple[str, str]],
        measures: list[str],
        objectives: dict[str, str] | None = None,
        selected: str | None = None,
    ) -> None:
        """Show ``rows`` with one column per setting ``(qualified name, label)`` and per measure key."""
        objectives = objectives or {}
        labels = dict(settings)
        headers = ["#"] + [label or name for name, label in settings]
        scales = []
        for key in measures:
            label, scale, _h = measure_info(key, objectives)
            headers.append(label)
            scales.append(scale)
        headers.append(self.tr("Status"))
        self._filling = True
        self.setSortingEnabled(False)
        self.clear()
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)  # i18n-ignore: "#", axis names and translated labels
        # Settings, "#" and the status fit their contents; the measures share what is left (a long
        # label such as Italian "Risoluzione in pT, larghezza robusta (%)" elides, its tooltip whole),
        # so the status column stays in sight at 1366 px.
        header = self.horizontalHeader()
        first_measure = 1 + len(settings)
        for c in range(len(headers)):
            is_measure = first_measure <= c < first_measure + len(measures)
            header.setSectionResizeMode(
                c, QHeaderView.Stretch if is_measure else QHeaderView.ResizeToContents
            )
            self.horizontalHeaderItem(c).setToolTip(headers[c])
        self.setRowCount(len(rows))
        self._keys = []
        red = QBrush(QColor(ERROR_COLOR))
        for r, row in enumerate(rows):
            key = str(row.get("key", ""))
            self._keys.append(key)
            tip = point_tooltip(row, labels, objectives)
            index = int(row.get("index", r))
            cells: list[tuple[str, Any]] = [(str(index), index)]
            s = row.get("settings") or {}
            for name, _label in settings:
                v = s.get(name)
                cells.append(
                    (MISSING if v is None else value_text(v), finite(v) if finite(v) is not None else str(v))
                )
            m = row.get("metrics") or {}
            for key_m, scale in zip(measures, scales):
                v = finite(m.get(key_m))
                cells.append((MISSING if v is None else value_text(v * scale), v))
            status = row.get("status", "")
            if status == FAILED and row.get("error"):
                status_text = QCoreApplication.translate("SweepTable", "failed: {0}").format(row["error"])
            else:
                status_text = QCoreApplication.translate("SweepTable", STATUS_TEXT.get(status, status or "?"))
            cells.append((status_text, status_text))
            for c, (text, sort_key) in enumerate(cells):
                item = SortItem(text, sort_key)
                if c == 0:
                    item.setData(Qt.UserRole, key)
                if c < len(cells) - 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setToolTip(tip)
                if status == FAILED and c == len(cells) - 1:
                    item.setForeground(red)
                self.setItem(r, c, item)
        self.setSortingEnabled(True)
        self._filling = False
        self.select_key(selected)

    def keys(self) -> list[str]:
        """The points' keys in the order they were given."""
        return list(self._keys)

    def failed_rows(self) -> list[tuple[str, str]]:
        """``(key, status text)`` of the rows shown as failed (as displayed, in table order)."""
        out = []
        last = self.columnCount() - 1
        for r in range(self.rowCount()):
            item = self.item(r, last)
            if item is not None and item.foreground().color() == QColor(ERROR_COLOR):
                out.append((self.item(r, 0).data(Qt.UserRole), item.text()))
        return out

    def select_key(self, key: str | None) -> None:
        """Select the row of point ``key`` without emitting ``key_selected``."""
        self._filling = True
        self.clearSelection()
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            if key and item is not None and item.data(Qt.UserRole) == key:
                self.selectRow(r)
                self.scrollToItem(item)
                break
        self._filling = False

    def _on_selection(self) -> None:
        if self._filling:
            return
        rows = self.selectionModel().selectedRows()
        if rows:
            item = self.item(rows[0].row(), 0)
            if item is not None:
                self.key_selected.emit(item.data(Qt.UserRole))
