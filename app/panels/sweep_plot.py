"""The Sweep view's live part: the progress of the running sweep and the scatter of its points.

:class:`SweepStatus` reads the runner's ``sweep_status`` reports (points done, running, failed, the
total, the ETA, the Dask dashboard's address). :class:`SweepPlot` draws the finished points as they
land (``sweep_point`` reports, or a stored sweep's rows): any two measures as X and Y, a third as
colour (viridis, with its colour bar), the Pareto front of X and Y (:func:`pareto_front`, each axis
in its own direction) ringed and joined by a line; hovering a point shows its settings and
measures, clicking it selects it. The measures' names and directions come from
:data:`core.metrics.pareto.AXES` when it knows them, from the sweep's objectives otherwise (a raw
metric name, lower is better, when neither does).
"""

from __future__ import annotations

import html
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_sig
from app.palette import BLUE, VERMILION, mute, style_axes
from app.panels.compare_table import finite
from app.panels.job_dock import fmt_seconds
from app.panels.sweep_where import narrow_combo
from core.metrics.pareto import AXES, pareto_front
from core.sweep.spec import DONE

FRONT_COLOR = VERMILION
POINT_COLOR = BLUE
SELECTED_COLOR = (20, 20, 20)
NO_COLOUR = ""  # the colour menu's "none" entry
#: Metrics that are better higher, for names :data:`AXES` does not know (a suffix or the name).
_HIGHER_IS_BETTER = ("accuracy", "agreement", "auc", "efficiency")


def measure_info(key: str, objectives: dict[str, str] | None = None) -> tuple[str, float, bool]:
    """``(label, scale, higher_is_better)`` of a metric: its :data:`AXES` entry (label translated,
    displayed value = value × scale), else its raw name, the sweep's objective direction or a guess."""
    axis = AXES.get(key)
    objectives = objectives or {}
    if axis is not None:
        higher = objectives.get(key, "max" if axis.higher_is_better else "min") == "max"
        return QCoreApplication.translate("Metrics", axis.label), axis.scale, higher
    if key in objectives:
        return key, 1.0, objectives[key] == "max"
    return key, 1.0, any(word in key for word in _HIGHER_IS_BETTER)


def measures_present(rows: list[dict[str, Any]]) -> list[str]:
    """The metrics with a number in at least one finished row: :data:`AXES`' order, then by name."""
    keys = {
        k
        for r in rows
        if r.get("status") == DONE
        for k, v in (r.get("metrics") or {}).items()
        if finite(v) is not None
    }
    return [k for k in AXES if k in keys] + sorted(keys - set(AXES))


def value_text(v: Any) -> str:
    """A setting or a measure as a person reads it: numbers in the locale, 4 significant digits."""
    f = finite(v)
    if f is None:
        return str(v)
    if isinstance(v, int) or f.is_integer() or abs(f) >= 1000:  # whole numbers, grouped: 276.522 LUT
        return fmt_num(f, 0)
    return fmt_sig(f, 4)


class SweepStatus(QWidget):
    """Progress bar (done + failed of the total), the counts and ETA, and the Dask dashboard link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        self.counts = QLabel()
        self.dashboard = QLabel()
        self.dashboard.setTextFormat(Qt.RichText)
        self.dashboard.setOpenExternalLinks(False)
        self.dashboard.linkActivated.connect(self.open_dashboard)
        mute(self.counts)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.bar)
        row = QHBoxLayout()
        row.addWidget(self.counts, 1)
        row.addWidget(self.dashboard)
        lay.addLayout(row)
        self.status: dict[str, Any] = {}
        self.clear()

    def clear(self) -> None:
        self.status = {}
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(self.tr("no sweep running"))
        self.counts.setText("")
        self.dashboard.setText("")

    def set_counts(self, done: int, failed: int, running: int, total: int | None, live: bool) -> None:
        """Show counts without a live status (a stored sweep)."""
        self.set_status(
            {"done": done, "failed": failed, "running": running, "total": total, "eta_s": None}, live=live
        )

    def set_status(self, status: dict[str, Any], live: bool = True) -> None:
        """Show one ``sweep_status`` report (``done``, ``running``, ``failed``, ``total``, ``eta_s``,
        ``dashboard``)."""
        self.status = dict(status)
        done, failed = int(status.get("done") or 0), int(status.get("failed") or 0)
        running, total = int(status.get("running") or 0), status.get("total")
        finished = done + failed
        if total:
            self.bar.setRange(0, int(total))
            self.bar.setValue(min(finished, int(total)))
            self.bar.setFormat(
                self.tr("{0} of {1} points").format(fmt_num(finished, 0), fmt_num(int(total), 0))
            )
        else:  # a time budget without a point budget: no end known
            self.bar.setRange(0, 0 if live else 1)
            self.bar.setValue(0 if live else 1)
            self.bar.setFormat(self.tr("{0} points").format(fmt_num(finished, 0)))
        parts = [
            self.tr("done {0}").format(fmt_num(done, 0)),
            self.tr("running {0}").format(fmt_num(running, 0)),
            self.tr("failed {0}").format(fmt_num(failed, 0)),
        ]
        eta = finite(status.get("eta_s"))
        if live and eta is not None:
            parts.append(self.tr("ETA {0}").format(fmt_seconds(eta)))
        self.counts.setText(" · ".join(parts))
        if status.get("where"):  # core's description: "embedded Dask cluster: 2 worker processes..."
            self.counts.setToolTip(str(status["where"]))
        if "dashboard" in status or "where" in status:
            url = status.get("dashboard")
            if url:
                self.dashboard.setText(
                    f"<a href='{html.escape(url)}'>" + html.escape(self.tr("Dask dashboard")) + "</a>"
                )
                self.dashboard.setToolTip(url)
            else:
                self.dashboard.setText(self.tr("Dask dashboard: not available"))
                # core says why (in-process run, bokeh missing, not served by the scheduler)
                self.dashboard.setToolTip(str(status.get("dashboard_text") or ""))

    def dashboard_url(self) -> str | None:
        return self.status.get("dashboard") or None

    def open_dashboard(self, url: str | None = None) -> bool:
        url = url or self.dashboard_url()
        return bool(url) and QDesktopServices.openUrl(QUrl(url))


class SweepPlot(QWidget):
    """Scatter of a sweep's finished points, two measures against each other, a third as colour.

    Signals:
        point_clicked(str): The key of the point the user clicked.
    """

    point_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._objectives: dict[str, str] = {}
        self._labels: dict[str, str] = {}  # setting (qualified name) -> its axis label
        self._choice: dict[str, str | None] = {"x": None, "y": None, "c": None}
        self._selected: str | None = None
        self._plotted: dict[str, Any] = {}
        self._pos: dict[str, tuple[float, float]] = {}

        self.x_combo, self.y_combo, self.c_combo = QComboBox(), QComboBox(), QComboBox()
        for which, combo in (("x", self.x_combo), ("y", self.y_combo), ("c", self.c_combo)):
            narrow_combo(combo, 4)
            combo.activated.connect(lambda _i, w=which: self._picked(w))
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for text, combo in ((self.tr("X:"), self.x_combo), (self.tr("Y:"), self.y_combo)):
            controls.addWidget(QLabel(text))
            controls.addWidget(combo, 1)
        controls.addWidget(QLabel(self.tr("Colour:")))
        controls.addWidget(self.c_combo, 1)

        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.plot_item = pg.PlotItem()
        style_axes(self.plot_item, closed_frame=True)
        self.plot_item.showGrid(x=True, y=True, alpha=0.15)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.getViewBox().setDefaultPadding(0.08)
        self.glw.addItem(self.plot_item, 0, 0)
        self.cmap = pg.colormap.get("viridis")
        self.colour_bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=self.cmap, interactive=False, width=14, colorMapMenu=False
        )
        self.glw.addItem(self.colour_bar, 0, 1)
        self.legend = self.plot_item.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210))
        self.front_line = pg.PlotDataItem(pen=pg.mkPen(*FRONT_COLOR, width=2), name=self.tr("Pareto front"))
        self.scatter = pg.ScatterPlotItem(
            size=10, pen=pg.mkPen(60, 60, 60, 160), symbol="o", hoverable=True, tip=self._tip
        )
        self.front_ring = pg.ScatterPlotItem(
            size=17, pen=pg.mkPen(*FRONT_COLOR, width=2), brush=pg.mkBrush(None)
        )
        self.selected_ring = pg.ScatterPlotItem(
            size=24, pen=pg.mkPen(*SELECTED_COLOR, width=2), brush=pg.mkBrush(None)
        )
        for z, item in enumerate((self.front_line, self.front_ring, self.scatter, self.selected_ring)):
            item.setZValue(z)
            self.plot_item.addItem(item)
        self.scatter.sigClicked.connect(self._on_clicked)
        self.note = QLabel()
        self.note.setWordWrap(True)
        mute(self.note)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(controls)
        lay.addWidget(self.glw, 1)
        lay.addWidget(self.note)
        self.set_rows([])

    # --- data ------------------------------------------------------------------------------
    def set_sweep(self, objectives: list[tuple[str, str]], labels: dict[str, str]) -> None:
        """The shown sweep's objectives (their directions, the default axes) and axis labels."""
        self._objectives = {m: d for m, d in objectives}
        self._labels = dict(labels)
        self._choice = {"x": None, "y": None, "c": None}

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Draw these rows (store rows or ``sweep_point`` reports; only finished ones are plotted)."""
        self._rows = list(rows)
        self._fill_combos()
        self.replot()

    def measures(self) -> list[str]:
        return measures_present(self._rows)

    def _defaults(self, keys: list[str]) -> tuple[str | None, str | None, str | None]:
        objectives = [k for k in self._objectives if k in keys]
        task = next((k for k in keys if k in AXES and AXES[k].task), None)
        task = next((k for k in ("pt_resolution_robust",) if k in keys), task)
        y = objectives[0] if objectives else task or (keys[0] if keys else None)
        costs = [k for k in ("lut_estimate", "latency_ns_estimate", "dsp_estimate", "bops") if k in keys]
        x = objectives[1] if len(objectives) > 1 else next((k for k in costs if k != y), None)
        x = x or next((k for k in keys if k != y), y)
        c = next(
            (
                k
                for k in ("latency_ns_estimate", "dsp_estimate", "csim_agreement")
                if k in keys and k not in (x, y)
            ),
            NO_COLOUR,
        )
        return x, y, c

    def _fill_combos(self) -> None:
        keys = self.measures()
        defaults = dict(zip(("x", "y", "c"), self._defaults(keys)))
        for which, combo in (("x", self.x_combo), ("y", self.y_combo), ("c", self.c_combo)):
            combo.blockSignals(True)
            combo.clear()
            if which == "c":
                combo.addItem(self.tr("none"), NO_COLOUR)
            for key in keys:
                label, _scale, higher = measure_info(key, self._objectives)
                combo.addItem(label, key)
                combo.setItemData(
                    combo.count() - 1,
                    self.tr("higher is better") if higher else self.tr("lower is better"),
                    Qt.ToolTipRole,
                )
            want = self._choice[which] if self._choice[which] in keys + [NO_COLOUR] else defaults[which]
            i = combo.findData(want)
            combo.setCurrentIndex(max(i, 0))
            combo.setToolTip(combo.currentText())
            combo.blockSignals(False)

    def _picked(self, which: str) -> None:
        combo = {"x": self.x_combo, "y": self.y_combo, "c": self.c_combo}[which]
        self._choice[which] = combo.currentData()
        self.replot()

    def set_axes(self, x: str | None = None, y: str | None = None, colour: str | None = None) -> None:
        """Choose the measures by metric key, as if picked in the menus (``""`` colour: none)."""
        for which, combo, key in (
            ("x", self.x_combo, x),
            ("y", self.y_combo, y),
            ("c", self.c_combo, colour),
        ):
            if key is None:
                continue
            i = combo.findData(key)
            if i < 0:
                raise ValueError(f"no finished point has '{key}' to plot")
            combo.setCurrentIndex(i)
            self._picked(which)

    # --- drawing ---------------------------------------------------------------------------
    def replot(self) -> None:
        """Redraw the points, the front and the colours for the chosen measures."""
        xk, yk, ck = self.x_combo.currentData(), self.y_combo.currentData(), self.c_combo.currentData()
        xl, xs_, xh = measure_info(xk, self._objectives) if xk else ("", 1.0, False)
        yl, ys_, yh = measure_info(yk, self._objectives) if yk else ("", 1.0, False)
        keys, xs, ys, cs, missing = [], [], [], [], 0
        for r in self._rows:
            if r.get("status") != DONE:
                continue
            m = r.get("metrics") or {}
            x, y = finite(m.get(xk)), finite(m.get(yk))
            if x is None or y is None:
                missing += 1
                continue
            keys.append(r["key"])
            xs.append(x * xs_)
            ys.append(y * ys_)
            cs.append(finite(m.get(ck)) if ck else None)
        front = pareto_front(list(zip(xs, ys)), maximize=(xh, yh)) if keys else []
        brushes = self._brushes(ck, cs)
        self._pos = {k: (x, y) for k, x, y in zip(keys, xs, ys)}
        self.scatter.setData(
            [{"pos": (xs[i], ys[i]), "data": keys[i], "brush": brushes[i]} for i in range(len(keys))]
        )
        self.front_ring.setData([{"pos": (xs[i], ys[i]), "data": keys[i]} for i in front])
        self.front_line.setData([xs[i] for i in front], [ys[i] for i in front])
        self.plot_item.setLabel("bottom", xl)
        self.plot_item.setLabel("left", yl)
        if not keys:
            self.plot_item.setTitle(self.tr("No finished point to plot yet"))
        else:
            self.plot_item.setTitle(self._better_text(xh, yh), size="9pt")
            # The legend goes to the corner of worse x and worse y: the front is never there.
            ix, iy = (0 if xh else 1), (0 if not yh else 1)
            self.legend.anchor(
                itemPos=(ix, iy), parentPos=(ix, iy), offset=(10 if xh else -10, -10 if yh else 10)
            )
        self._plotted = {
            "keys": keys,
            "x": xs,
            "y": ys,
            "colour": cs,
            "front_keys": [keys[i] for i in front],
            "x_key": xk,
            "y_key": yk,
            "colour_key": ck or None,
            "missing": missing,
        }
        self.note.setText(
            self.tr("{0} finished points lack X or Y and are not plotted").format(fmt_num(missing, 0))
            if missing
            else ""
        )
        self.note.setVisible(bool(missing))
        self.plot_item.enableAutoRange()
        self._show_selected()

    def _better_text(self, x_higher: bool, y_higher: bool) -> str:
        y = self.tr("higher y") if y_higher else self.tr("lower y")
        x = self.tr("higher x") if x_higher else self.tr("lower x")
        return self.tr("better: {0}, {1}").format(y, x)

    def _brushes(self, ck: str | None, cs: list[float | None]) -> list[Any]:
        values = [c for c in cs if c is not None]
        if not ck or not values:
            self.colour_bar.hide()
            return [pg.mkBrush(*POINT_COLOR, 220)] * len(cs)
        label, scale, _higher = measure_info(ck, self._objectives)
        lo, hi = min(values) * scale, max(values) * scale
        if hi <= lo:
            hi = lo + (abs(lo) or 1.0) * 1e-6
        self.colour_bar.setLevels(values=(lo, hi))
        self.colour_bar.axis.setLabel(label)
        self.colour_bar.show()
        grey = pg.mkBrush(170, 170, 170, 200)
        out = []
        for c in cs:
            if c is None:
                out.append(grey)
            else:
                out.append(pg.mkBrush(self.cmap.map((c * scale - lo) / (hi - lo), mode="qcolor")))
        return out

    def _tip(self, x: float, y: float, data: Any) -> str:
        row = next((r for r in self._rows if r.get("key") == data), None)
        return "" if row is None else point_tooltip(row, self._labels, self._objectives)

    # --- selection -------------------------------------------------------------------------
    def select(self, key: str | None) -> None:
        """Ring point ``key`` (None: no selection); does not emit ``point_clicked``."""
        self._selected = key
        self._show_selected()

    def _show_selected(self) -> None:
        pos = self._pos.get(self._selected) if self._selected else None
        self.selected_ring.setData([{"pos": pos, "data": self._selected}] if pos else [])

    def _on_clicked(self, _item: Any, points: Any, _ev: Any = None) -> None:
        points = list(points) if points is not None else []
        if points:
            key = points[0].data()
            self.select(key)
            self.point_clicked.emit(key)

    def plotted(self) -> dict[str, Any]:
        """What the scatter shows: ``keys``, ``x``, ``y`` (displayed units), ``colour`` (raw),
        ``front_keys`` (Pareto front, by x), ``x_key``, ``y_key``, ``colour_key``, ``missing``."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._plotted.items()}


def point_tooltip(row: dict[str, Any], labels: dict[str, str], objectives: dict[str, str]) -> str:
    """A point's settings and measures, one per line, numbers in the locale."""
    lines = [
        QCoreApplication.translate("SweepPlot", "point {0} ({1})").format(
            int(row.get("index", 0)), row.get("key", "")
        )
    ]
    for name, v in ordered_settings(row, labels):
        lines.append(f"{labels.get(name) or name} = {value_text(v)}")
    if row.get("status") != DONE:
        lines.append(QCoreApplication.translate("SweepPlot", "failed: {0}").format(row.get("error") or ""))
        return "\n".join(lines)
    metrics = row.get("metrics") or {}
    for key in measures_present([row]):
        label, scale, _h = measure_info(key, objectives)
        lines.append(f"{label}: {value_text(float(metrics[key]) * scale)}")
    return "\n".join(lines)


def ordered_settings(row: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, Any]]:
    """A point's ``(setting, value)`` pairs in the sweep's axis order (``labels``' order), then the rest."""
    settings = row.get("settings") or {}
    first = [(n, settings[n]) for n in labels if n in settings]
    return first + [(n, v) for n, v in settings.items() if n not in labels]
