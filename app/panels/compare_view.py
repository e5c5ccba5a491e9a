"""The Compare view: every variant of the workspace in one sortable table and a Pareto scatter.

The table lists lineage, task metric, size and cost numbers; the scatter plots any two of
:data:`core.metrics.pareto.AXES` and highlights the Pareto front (:func:`pareto_front`) and the
current variant. Clicking a point or a row makes that variant current everywhere. Metrics a
variant does not have (older variants measured before BOPs existed) show as "—" and the variant
is left out of the plot for that axis. The table exports to CSV, the plot to PNG or SVG.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSplitter,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.palette import BLUE, VERMILION, mute, plot_muted_color, plot_title_color, style_axes
from app.panels.compare_table import (
    COLUMNS,
    HARDWARE_COLUMNS,
    MISSING,
    SortItem,
    bits_tooltip,
    cells,
    fmt_sig,
    metric_thresholds,
    row_of,
    trigger_columns,
)
from core import TrigLabError
from core.metrics.pareto import AXES, Axis, available_axes, pareto_front, task_axis

# Okabe–Ito colours (colour-blind safe), as in the other views.
POINT_COLOR = BLUE
FRONT_COLOR = VERMILION
CURRENT_COLOR = (20, 20, 20)

_CTX = "CompareView"


def _axis_label(axis: Axis) -> str:
    """An axis's name in the user's language (core marks them in the "Metrics" context)."""
    return QCoreApplication.translate("Metrics", axis.label)


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _style_plot(pi: pg.PlotItem) -> None:
    """White figure look: a closed dark frame, a light grid, no SI prefixes."""
    style_axes(pi, closed_frame=True)
    pi.showGrid(x=True, y=True, alpha=0.15)


class _LogAxis(pg.AxisItem):
    """An axis whose log-mode ticks read as plain numbers (4, 10, 20, 0.5) rather than 10¹."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        out = []
        for v in values:
            x = 10 ** (v * scale) if self.logMode else v * scale
            out.append(f"{x:g}" if 1e-3 <= abs(x) < 1e6 else f"{x:.0e}")
        return out


class CompareView(QWidget):
    """Table and Pareto scatter over all variants of the workspace."""

    error = Signal(str, str)  # title, message

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self._rows: list[dict[str, Any]] = []
        self._plotted: dict[str, Any] = {}
        self._labels: dict[str, pg.TextItem] = {}
        self._x_choice: str | None = None  # what the user picked, kept across refreshes
        self._y_choice: str | None = None

        # --- controls --------------------------------------------------------------------
        self.x_combo = QComboBox()
        self.y_combo = QComboBox()
        for combo in (self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            # The main window lets combos shrink (elided) on a projector: the axis reads whole here.
            combo.currentTextChanged.connect(combo.setToolTip)
        self.log_x = QCheckBox(self.tr("log x"))
        self.log_x.setChecked(True)
        self.log_x.setToolTip(self.tr("Logarithmic x axis (costs span orders of magnitude)"))
        self.log_y = QCheckBox(self.tr("log y"))
        self.log_y.setToolTip(self.tr("Logarithmic y axis"))
        self.show_labels = QCheckBox(self.tr("names"))
        self.show_labels.setChecked(True)
        self.show_labels.setToolTip(self.tr("Label every point with its variant name"))
        # One "Export" button with a menu (table, plot): two buttons made the row too wide for a
        # 1366 px projector at 125 % font in Italian.
        self.export_btn = QToolButton()
        self.export_btn.setText(self.tr("Export"))
        self.export_btn.setPopupMode(QToolButton.InstantPopup)
        self.export_btn.setToolButtonStyle(Qt.ToolButtonTextOnly)
        export_menu = QMenu(self.export_btn)
        self.export_csv_action = export_menu.addAction(self.tr("Table (CSV)…"))
        self.export_plot_action = export_menu.addAction(self.tr("Plot (PNG/SVG)…"))
        self.export_btn.setMenu(export_menu)
        self.x_combo.activated.connect(lambda _i: self._axis_picked("x"))
        self.y_combo.activated.connect(lambda _i: self._axis_picked("y"))
        self.log_x.toggled.connect(lambda _on: self.replot())
        self.log_y.toggled.connect(lambda _on: self.replot())
        self.show_labels.toggled.connect(lambda _on: self.replot())
        self.export_csv_action.triggered.connect(lambda: self.export_csv())
        self.export_plot_action.triggered.connect(lambda: self.export_plot())
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("X:")))
        controls.addWidget(self.x_combo)
        controls.addSpacing(8)
        controls.addWidget(QLabel(self.tr("Y:")))
        controls.addWidget(self.y_combo)
        controls.addSpacing(8)
        controls.addWidget(self.log_x)
        controls.addWidget(self.log_y)
        controls.addWidget(self.show_labels)
        controls.addStretch(1)
        controls.addWidget(self.export_btn)

        # --- plot ------------------------------------------------------------------------
        self.plot_widget = pg.PlotWidget(
            background="w",
            axisItems={side: _LogAxis(side) for side in ("bottom", "top", "left", "right")},
        )
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        _style_plot(self.plot_item)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.getViewBox().setDefaultPadding(0.08)
        self.legend = self.plot_item.addLegend(
            offset=(-10, -10),
            brush=pg.mkBrush(255, 255, 255, 225),
            pen=pg.mkPen(180, 180, 180),
            labelTextColor=(20, 20, 20),
        )
        self.front_line = pg.PlotDataItem(
            pen=pg.mkPen(*FRONT_COLOR, width=2, style=Qt.DashLine), name=self.tr("Pareto front")
        )
        self.scatter = pg.ScatterPlotItem(
            size=10,
            pen=pg.mkPen(255, 255, 255, 200, width=1),
            brush=pg.mkBrush(*POINT_COLOR, 220),
            symbol="o",
            hoverable=True,
            tip=self._tip,
            name=self.tr("variant"),
        )
        self.front_scatter = pg.ScatterPlotItem(
            size=14,
            pen=pg.mkPen(120, 50, 0, width=1),
            brush=pg.mkBrush(*FRONT_COLOR, 235),
            symbol="d",
            hoverable=True,
            tip=self._tip,
            name=self.tr("Pareto-optimal"),
        )
        self.current_marker = pg.ScatterPlotItem(
            size=24,
            pen=pg.mkPen(*CURRENT_COLOR, width=2),
            brush=pg.mkBrush(None),
            symbol="o",
            name=self.tr("current"),
        )
        for z, item in enumerate((self.front_line, self.scatter, self.front_scatter, self.current_marker)):
            item.setZValue(z)
            self.plot_item.addItem(item)
        self.scatter.sigClicked.connect(self._on_points_clicked)
        self.front_scatter.sigClicked.connect(self._on_points_clicked)
        self.note = QLabel()
        self.note.setWordWrap(True)
        mute(self.note)
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self._place_labels)
        self.plot_item.getViewBox().sigRangeChanged.connect(lambda *_: self._label_timer.start())
        self.plot_item.getViewBox().sigResized.connect(lambda *_: self._label_timer.start())

        # --- table -----------------------------------------------------------------------
        self.table = QTableWidget(0, 0)
        self._columns: list[tuple[str, str, str]] = []  # (row key, header, tooltip), translated
        self._thresholds: list[str] = []  # the trigger thresholds shown ("10", "20")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        # Workspace order (lineage) until the user clicks a header.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._on_row_selected)

        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addLayout(controls)
        top_lay.addWidget(self.plot_widget, 1)
        top_lay.addWidget(self.note)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(splitter)

        state.variants_changed.connect(self.refresh)
        state.variant_changed.connect(lambda _lv: self._show_current())
        if hasattr(state, "baseline_selected"):
            state.baseline_selected.connect(lambda _name: self._show_current())
        self.refresh()

    # --- data ------------------------------------------------------------------------------
    def _variants(self) -> list[Any]:
        ws = self.state.workspace
        return list(ws.variants.values()) if ws is not None else []

    def _current_name(self) -> str | None:
        """The selected variant: the current network, or a selected baseline (no network)."""
        cur = getattr(self.state, "current", None)
        return getattr(self.state, "selected", None) or (cur.name if cur is not None else None)

    def table_rows(self) -> list[dict[str, Any]]:
        """One dict per variant (workspace order), keys :data:`ROW_KEYS` and the trigger keys
        (``plateau_T``, ``pt90_T``, ``rate_ratio_T`` per threshold), raw units (bytes, pJ, fraction);
        a missing metric is None."""
        return [dict(r) for r in self._rows]

    # --- refresh ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the axis menus, the table and the plot from the workspace."""
        variants = self._variants()
        self._thresholds = metric_thresholds([v.metrics or {} for v in variants])
        self._rows = [row_of(v, self._thresholds) for v in variants]
        self._fill_axis_combos([v.metrics or {} for v in variants])
        self._fill_table(variants)
        self.replot()

    def _fill_axis_combos(self, metrics: list[dict[str, Any]]) -> None:
        axes = available_axes(metrics)
        keys = [a.key for a in axes]
        task = task_axis(metrics)
        # Default X: the cost most variants have, BOPs on a tie; default Y: the task metric.
        cover = {k: sum(AXES[k].value(m) is not None for m in metrics) for k in ("bops", "size_gzip")}
        default_x = max(("bops", "size_gzip"), key=lambda k: cover[k]) if any(cover.values()) else None
        if default_x is None:
            default_x = next((k for k in keys if not AXES[k].task), keys[0] if keys else None)
        default_y = task.key if task is not None else next((k for k in keys if k != default_x), default_x)
        for combo, choice, default in (
            (self.x_combo, self._x_choice, default_x),
            (self.y_combo, self._y_choice, default_y),
        ):
            combo.blockSignals(True)
            combo.clear()
            for a in axes:
                combo.addItem(_axis_label(a), a.key)
                combo.setItemData(
                    combo.count() - 1,
                    self.tr("higher is better") if a.higher_is_better else self.tr("lower is better"),
                    Qt.ToolTipRole,
                )
            want = choice if choice in keys else default
            if want in keys:
                combo.setCurrentIndex(keys.index(want))
            combo.blockSignals(False)

    def _fill_table(self, variants: list[Any]) -> None:
        tasks = {r["task_metric"] for r in self._rows if r["task_metric"]}
        task_header = self.tr("Task metric")
        if len(tasks) == 1:
            task_header = {"val_accuracy": self.tr("Accuracy (%)"), "val_mae": self.tr("MAE")}.get(
                next(iter(tasks)), task_header
            )
        self.table.setSortingEnabled(False)
        self.table.blockSignals(True)
        self._set_columns()
        col = {key: i for i, (key, _, _) in enumerate(self._columns)}
        self.table.horizontalHeaderItem(col["task_value"]).setText(task_header)
        self.table.clearContents()
        self.table.setRowCount(len(self._rows))
        for r, (row, v) in enumerate(zip(self._rows, variants)):
            texts = cells(row, mixed_tasks=len(tasks) > 1, thresholds=self._thresholds)
            for key, (text, sort_key) in texts.items():
                item = SortItem(text, sort_key)
                if key not in ("name", "parent", "operation"):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if key == "name":
                    item.setData(Qt.UserRole, row["name"])
                    item.setToolTip(
                        "\n".join(
                            (
                                v.name,
                                self.tr("dataset: {0}").format(v.dataset or MISSING),
                                self.tr("created: {0}").format(v.created),
                            )
                        )
                    )
                elif key in ("parent", "operation"):  # may be elided in a narrow column
                    item.setToolTip(item.text())
                if key == "bits_max" and not row["baseline"]:
                    item.setToolTip(bits_tooltip(v.metrics or {}, row))
                elif key == "ii_bx" and row.get("every_bx") is False:
                    item.setForeground(QColor(*FRONT_COLOR))
                    item.setToolTip(
                        self.tr("Cannot take an event every 25 ns bunch crossing: it sees one in {0}").format(
                            math.ceil(row["ii_bx"])
                        )
                    )
                elif key == "name" and row["baseline"]:
                    item.setToolTip(self.tr("classical coincidence-window trigger — no network"))
                if key in col:
                    self.table.setItem(r, col[key], item)
        # columns nobody has a number for stay out of sight
        for key, present in (
            ("latency_ns_estimate", any(row["latency_ns_estimate"] is not None for row in self._rows)),
            ("fpga", any(row["lut_estimate"] is not None for row in self._rows)),
            ("latency_bx", any(row["latency_bx"] is not None for row in self._rows)),
            ("ii_bx", any(row["ii_bx"] is not None for row in self._rows)),
        ):
            self.table.setColumnHidden(col[key], not present)
        self.table.blockSignals(False)
        self.table.setSortingEnabled(True)
        self._show_current()

    def _set_columns(self) -> None:
        """The table's columns: lineage and task metric, the trigger columns of the thresholds the
        variants have numbers for, the cost columns, the FPGA estimate and the timing in BX."""
        columns = [(k, _tr(h), _tr(t) if t else "") for k, h, t in COLUMNS]
        hardware = [(k, _tr(h), _tr(t)) for k, h, t in HARDWARE_COLUMNS]
        columns = columns[:4] + trigger_columns(self._thresholds) + columns[4:] + hardware
        if columns == self._columns:
            return
        self._columns = columns
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([c[1] for c in columns])
        for i, (_, _, tip) in enumerate(columns):
            self.table.horizontalHeaderItem(i).setToolTip(tip)

    # --- plot ------------------------------------------------------------------------------
    def _axis(self, combo: QComboBox) -> Axis | None:
        key = combo.currentData()
        return AXES.get(key) if key else None

    def _axis_picked(self, which: str) -> None:
        combo = self.x_combo if which == "x" else self.y_combo
        if which == "x":
            self._x_choice = combo.currentData()
        else:
            self._y_choice = combo.currentData()
        self.replot()

    def set_axes(self, x: str | None = None, y: str | None = None) -> None:
        """Choose the plotted axes by metrics key (as if picked in the menus)."""
        for combo, key, which in ((self.x_combo, x, "x"), (self.y_combo, y, "y")):
            if key is None:
                continue
            i = combo.findData(key)
            if i < 0:
                raise ValueError(f"No variant has '{key}' to plot")
            combo.setCurrentIndex(i)
            self._axis_picked(which)

    def replot(self) -> None:
        """Redraw the scatter, the front and the labels for the chosen axes."""
        xa, ya = self._axis(self.x_combo), self._axis(self.y_combo)
        log_x, log_y = self.log_x.isChecked(), self.log_y.isChecked()
        names, xs, ys, missing = [], [], [], []
        for v in self._variants():
            x = xa.value(v.metrics) if xa else None
            y = ya.value(v.metrics) if ya else None
            if x is None or y is None or (log_x and x <= 0) or (log_y and y <= 0):
                missing.append(v.name)
                continue
            names.append(v.name)
            xs.append(x)
            ys.append(y)
        front: list[int] = []
        if xa is not None and ya is not None and names:
            front = pareto_front(list(zip(xs, ys)), maximize=(xa.higher_is_better, ya.higher_is_better))
        on_front = set(front)
        px = [math.log10(x) for x in xs] if log_x else list(xs)
        py = [math.log10(y) for y in ys] if log_y else list(ys)
        self._plotted = {
            "names": names,
            "x": xs,
            "y": ys,
            "front_names": [names[i] for i in front],
            "x_key": xa.key if xa else None,
            "y_key": ya.key if ya else None,
            "log_x": log_x,
            "log_y": log_y,
            "missing": missing,
        }
        self.scatter.setData(
            [{"pos": (px[i], py[i]), "data": names[i]} for i in range(len(names)) if i not in on_front]
        )
        self.front_scatter.setData([{"pos": (px[i], py[i]), "data": names[i]} for i in front])
        self.front_line.setData([px[i] for i in front], [py[i] for i in front])
        for side in ("bottom", "top"):
            self.plot_item.getAxis(side).setLogMode(log_x)
        for side in ("left", "right"):
            self.plot_item.getAxis(side).setLogMode(log_y)
        self.plot_item.setLabel("bottom", _axis_label(xa) if xa else "")
        self.plot_item.setLabel("left", _axis_label(ya) if ya else "")
        self._update_title(xa, ya)
        for label in self._labels.values():
            self.plot_item.removeItem(label)
        self._labels = {}
        if self.show_labels.isChecked():
            font = QFont()
            font.setPointSize(8)
            for i, name in enumerate(names):
                label = pg.TextItem(name, color=(30, 30, 30), anchor=(0, 1))
                label.setFont(font)
                label.setPos(px[i], py[i])
                label.setZValue(10)
                self.plot_item.addItem(label, ignoreBounds=True)
                self._labels[name] = label
        self._px = dict(zip(names, zip(px, py)))
        self.plot_item.enableAutoRange()
        self._show_current()
        if missing:
            if log_x or log_y:
                text = self.tr("Not plotted (value not measured, or ≤ 0 on a log axis): {0}")
            else:
                text = self.tr("Not plotted (value not measured): {0}")
            self.note.setText(text.format(", ".join(missing)))
        else:
            self.note.setText("")
        self.note.setVisible(bool(missing))
        self._label_timer.start()

    def _update_title(self, xa: Axis | None, ya: Axis | None) -> None:
        if xa is None or ya is None:
            self.plot_item.setTitle(self.tr("No variant has metrics to plot yet"))
            return

        # The legend goes to the corner of worse y and worse x: rarely any variant there.
        x_side = -10 if not xa.higher_is_better else 10
        self.legend.anchor(
            itemPos=(1 if x_side < 0 else 0, 0 if not ya.higher_is_better else 1),
            parentPos=(1 if x_side < 0 else 0, 0 if not ya.higher_is_better else 1),
            offset=(x_side, 10 if not ya.higher_is_better else -10),
        )
        ws = self.state.workspace
        title = ws.title if ws is not None else ""
        self.plot_item.setTitle(
            f"<span style='color:{plot_title_color()}'>{title}</span>"
            f"<span style='color:{plot_muted_color()}; font-size:9pt'> — "
            + self._better_text(xa, ya)
            + "</span>",
            size="10pt",
        )

    def _better_text(self, xa: Axis, ya: Axis) -> str:
        if ya.higher_is_better:
            if xa.higher_is_better:
                return self.tr("better: higher y, higher x")
            return self.tr("better: higher y, lower x")
        if xa.higher_is_better:
            return self.tr("better: lower y, higher x")
        return self.tr("better: lower y, lower x")

    def _tip(self, x: float, y: float, data: Any) -> str:
        row = next((r for r in self._rows if r["name"] == data), None)
        if row is None:
            return str(data)
        xa, ya = self._axis(self.x_combo), self._axis(self.y_combo)
        p = self._plotted
        i = p["names"].index(data) if data in p.get("names", []) else None
        lines = [str(data)]
        if i is not None and xa and ya:
            lines += [
                f"{_axis_label(xa)}: {fmt_sig(p['x'][i], 4)}",
                f"{_axis_label(ya)}: {fmt_sig(p['y'][i], 4)}",
            ]
        if row["operation"] and row["parent"]:
            lines.append(self.tr("{0} of {1}").format(row["operation"], row["parent"]))
        elif row["operation"]:
            lines.append(row["operation"])
        return "\n".join(lines)

    def _place_labels(self) -> None:
        """Put each name beside its point where it overlaps the fewest other names and points."""
        if not self._labels:
            return
        vb = self.plot_item.getViewBox()
        view = vb.sceneBoundingRect()
        if view.width() < 10 or view.height() < 10:
            return
        pts = {n: vb.mapViewToScene(QPointF(*self._px[n])) for n in self._labels}
        boxes: list[QRectF] = []
        point_boxes = [QRectF(p.x() - 6, p.y() - 6, 12, 12) for p in pts.values()]
        gap = 7.0
        # Top-most points first: they tend to be the front, which deserves the best spots.
        for name in sorted(self._labels, key=lambda n: (pts[n].y(), pts[n].x())):
            label = self._labels[name]
            br = label.boundingRect()
            w, h = br.width(), br.height()
            p = pts[name]
            candidates = [  # (anchor, top-left corner of the text box in scene pixels)
                ((0, 1), QPointF(p.x() + gap, p.y() - h - 1)),
                ((0, 0), QPointF(p.x() + gap, p.y() + 1)),
                ((1, 1), QPointF(p.x() - gap - w, p.y() - h - 1)),
                ((1, 0), QPointF(p.x() - gap - w, p.y() + 1)),
                ((0.5, 1), QPointF(p.x() - w / 2, p.y() - h - gap)),
                ((0.5, 0), QPointF(p.x() - w / 2, p.y() + gap)),
            ]
            best, best_cost, best_box = None, math.inf, None
            for k, (anchor, corner) in enumerate(candidates):
                box = QRectF(corner.x(), corner.y(), w, h)
                cost = 0.01 * k
                for other in boxes:
                    inter = box.intersected(other)
                    cost += inter.width() * inter.height()
                for pb in point_boxes:
                    inter = box.intersected(pb)
                    cost += 0.5 * inter.width() * inter.height()
                outside = (
                    box.width() * box.height()
                    - box.intersected(view).width() * box.intersected(view).height()
                )
                cost += 2 * outside
                if cost < best_cost:
                    best, best_cost, best_box = anchor, cost, box
            label.setAnchor(best)
            offset = {0: gap, 1: -gap, 0.5: 0}[best[0]]
            dy = {1: -1, 0: 1}[best[1]] if best[0] != 0.5 else (-gap if best[1] == 1 else gap)
            label.setPos(vb.mapSceneToView(QPointF(p.x() + offset, p.y() + dy)))
            boxes.append(best_box)

    def _show_current(self) -> None:
        name = self._current_name()
        pos = getattr(self, "_px", {}).get(name) if name else None
        self.current_marker.setData([{"pos": pos, "data": name}] if pos else [])
        # The table follows, without re-selecting through the state.
        self.table.blockSignals(True)
        self.table.clearSelection()
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(Qt.UserRole) == name:
                self.table.selectRow(r)
                self.table.scrollToItem(item)
                break
        self.table.blockSignals(False)
        for n, label in self._labels.items():
            font = label.textItem.font()
            font.setBold(n == name)
            label.setFont(font)

    def plotted(self) -> dict[str, Any]:
        """What the scatter shows: ``names``, ``x``, ``y`` (displayed units, not log-transformed),
        ``front_names`` (Pareto front, by x), ``x_key``, ``y_key``, ``log_x``, ``log_y``, ``missing`` (not
        plotted)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._plotted.items()}

    # --- selection -------------------------------------------------------------------------
    def select(self, name: str) -> None:
        """Make variant ``name`` current everywhere (errors become the ``error`` signal)."""
        try:
            self.state.select_variant(name)
        except (TrigLabError, OSError) as exc:
            self.error.emit(self.tr("Cannot open variant"), str(exc))

    def _on_points_clicked(self, _item: Any, points: Any, _ev: Any = None) -> None:
        points = list(points) if points is not None else []
        if points:
            self.select(points[0].data())

    def _on_row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            item = self.table.item(rows[0].row(), 0)
            if item is not None:
                self.select(item.data(Qt.UserRole))

    # --- export (app/panels/compare_export.py) ----------------------------------------------------
    def export_csv(self, path: str | Path | None = None) -> Path | None:
        """Write the table as CSV (:func:`app.panels.compare_export.export_table`)."""
        from app.panels.compare_export import export_table

        return export_table(self, path)

    def export_plot(self, path: str | Path | None = None, width: int = 1600) -> Path | None:
        """Save the scatter as PNG or SVG (:func:`app.panels.compare_export.export_plot`)."""
        from app.panels.compare_export import export_plot

        return export_plot(self, path, width)


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompareView, "TrigLab — compare variants"))
