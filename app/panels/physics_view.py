"""The Physics view: trigger figures of merit of several variants, overlaid on the same axes.

Check variants, set the thresholds, press Compute: a job runs
:func:`core.metrics.physics.variant_trigger_metrics` for each checked variant (results are cached
per variant and thresholds), stores the single numbers on the variant (so the Compare view can plot
them) and draws, one Okabe–Ito colour per variant:

* trigger efficiency turn-on curves with Clopper–Pearson error bars (one line style per threshold,
  dotted vertical lines at the thresholds);
* relative pT resolution against true pT;
* the distribution of (pT_pred − pT_true) / pT_true;
* for classification variants, ROC curves with their AUC and a confusion matrix instead (and no
  threshold field: a classification task has no GeV threshold);
* a table: resolution, pT50 / pT90 per threshold, fake rate on noise-only events, AUC;
* one more curve per stored run of a variant on a deploy target, from that target's outputs
  (:func:`core.deploy.run.run_physics`), named with the target and "emulated on CPU" when it is.

The data set of a variant is loaded with the parameters its workspace pins (see
:func:`core.metrics.physics.workspace_dataset_params`), from the workspace's cache, so the
hands-on 2 workspace does not simulate its muons again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from app.palette import SERIES, mute
from app.panels.physics_plots import (
    MISSING,  # noqa: F401  (part of this module's API)
    THRESHOLD_STYLES,
    ConfusionPlot,
    as_array,
    fmt_value,
    outside_legend,
    style_plot,
    trigger_note,
)
from core import TrigLabError
from core.metrics.physics_job import physics_job  # noqa: F401  (the job this view submits)

COLORS = SERIES  # Okabe–Ito, one per variant / layer
DEFAULT_THRESHOLDS = "10, 20"


def parse_thresholds(text: str) -> tuple[float, ...]:
    """``"10, 20"`` → (10.0, 20.0) [GeV]; raises TrigLabError on anything else."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise TrigLabError(
            QCoreApplication.translate(
                "PhysicsView", "Thresholds must be numbers in GeV separated by commas, not '{0}'"
            ).format(text)
        ) from None
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise TrigLabError(
            QCoreApplication.translate(
                "PhysicsView", "Give at least one positive trigger threshold in GeV (e.g. 10, 20)"
            )
        )
    return tuple(dict.fromkeys(values))


def dataset_task(dataset: str | None) -> str | None:
    """``'classification'`` / ``'regression'`` of a registered data set (None for a user file)."""
    if not dataset:
        return None
    try:
        from core.data import list_datasets

        return next((info.task for info in list_datasets() if info.name == dataset), None)
    except Exception:  # noqa: BLE001 - unknown: the view shows both kinds of controls
        return None


_arr, _fmt = as_array, fmt_value


#: Legend columns: (most, fewest) — fewer on a narrow view (see PhysicsView._fit_legends).
LEGEND_COLUMNS = {"turn_on": (3, 2), "resolution": (2, 2), "residuals": (1, 1), "roc": (1, 1)}


def _full_width(label) -> float:
    """The width (px) of a pyqtgraph LabelItem's whole text (before any eliding)."""
    from PySide6.QtGui import QFontMetrics

    full = getattr(label, "full_text", None)
    if full is None or label.text not in (full, getattr(label, "shown_text", None)):
        label.full_text = full = label.text  # new text since the last fit
    return QFontMetrics(label.item.font()).horizontalAdvance(full)


def _elide_label(label, room: float) -> None:
    """Show a LabelItem's text elided in the middle to ``room`` px, whole in its tooltip."""
    from PySide6.QtGui import QFontMetrics

    _full_width(label)
    if not label.full_text:
        return
    shown = QFontMetrics(label.item.font()).elidedText(label.full_text, Qt.ElideMiddle, max(int(room), 60))
    if shown != label.text:
        label.setText(shown)
    label.shown_text = shown
    label.setToolTip(label.full_text if shown != label.full_text else "")


class PhysicsView(QWidget):
    """Turn-on curves, resolution and fake rate (or ROC and confusion matrix) of several variants."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.job = None
        self._cache: dict[str, tuple[tuple[float, ...], dict[str, Any]]] = {}
        self._shown: list[str] = []
        self._plotted: dict[str, Any] = {}

        # --- controls --------------------------------------------------------------------
        self.variant_list = QListWidget()
        self.variant_list.setSelectionMode(QAbstractItemView.NoSelection)
        self.variant_list.setToolTip(self.tr("Variants to compare (those with a dataset)"))
        self.variant_list.itemChanged.connect(lambda _it: self._update_task_controls())
        self.thresholds_edit = QLineEdit(DEFAULT_THRESHOLDS)
        self.thresholds_edit.setToolTip(
            self.tr("Trigger thresholds on the predicted pT, in GeV, separated by commas")
        )
        self.thresholds_label = QLabel(self.tr("Thresholds (GeV)"))
        self.compute_btn = QPushButton(self.tr("Compute"))
        self.compute_btn.setToolTip(self.tr("Run the checked variants on the validation split"))
        self.compute_btn.clicked.connect(lambda: self.compute())
        self.status = QLabel(self.tr("Check variants and press Compute."))
        self.status.setWordWrap(True)
        mute(self.status)
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.addWidget(QLabel(self.tr("Variants")))
        side_lay.addWidget(self.variant_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.thresholds_label)
        row.addWidget(self.thresholds_edit, 1)
        side_lay.addLayout(row)
        side_lay.addWidget(self.compute_btn)
        side_lay.addWidget(self.status)
        side.setMinimumWidth(150)

        # --- plots -----------------------------------------------------------------------
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.turn_on_plot = pg.PlotItem()
        self.resolution_plot = pg.PlotItem()
        self.residual_plot = pg.PlotItem()
        self.roc_plot = pg.PlotItem()
        self.confusion_plot = ConfusionPlot()
        self._layout_kind = ""
        style_plot(
            self.turn_on_plot, self.tr("Trigger efficiency"), self.tr("true pT (GeV)"), self.tr("efficiency")
        )
        style_plot(
            self.resolution_plot,
            self.tr("pT resolution (16–84 % half-width)"),
            self.tr("true pT (GeV)"),
            "σ(pT)/pT",
        )
        style_plot(
            self.residual_plot,
            self.tr("Relative pT error"),
            "(pT_pred − pT_true) / pT_true",
            self.tr("fraction of muons"),
        )
        style_plot(
            self.roc_plot, self.tr("ROC"), self.tr("false positive rate"), self.tr("true positive rate")
        )
        self.turn_on_plot.setYRange(-0.02, 1.05)
        self.roc_plot.setRange(xRange=(0, 1), yRange=(0, 1.02))
        # Legends below their plots, in the figure's grid: never over the data.
        self.legends = {
            key: outside_legend(plot, columns=LEGEND_COLUMNS[key][0])
            for key, plot in (
                ("turn_on", self.turn_on_plot),
                ("resolution", self.resolution_plot),
                ("residuals", self.residual_plot),
                ("roc", self.roc_plot),
            )
        }

        # --- table -----------------------------------------------------------------------
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)

        self.trigger_note = QLabel("")
        self.trigger_note.setWordWrap(True)
        mute(self.trigger_note)
        table_box = QWidget()
        table_lay = QVBoxLayout(table_box)
        table_lay.setContentsMargins(0, 0, 0, 0)
        table_lay.addWidget(self.table, 1)
        table_lay.addWidget(self.trigger_note)
        # header, two variants and the two-line note at least, at the current font
        table_box.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)

        right = QSplitter(Qt.Vertical)
        right.addWidget(self.glw)
        right.addWidget(table_box)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        split = QSplitter()
        split.addWidget(side)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        state.workspace_changed.connect(lambda _ws: self._on_workspace())
        state.variants_changed.connect(self.refresh)
        self.refresh()
        self._draw()

    # --- variants --------------------------------------------------------------------------
    def candidates(self) -> list[str]:
        """Workspace variants that have a dataset (muon_rpc or any regression/classification set)."""
        ws = self.state.workspace
        if ws is None:
            return []
        return [v.name for v in ws.variants.values() if v.dataset]

    def checked(self) -> list[str]:
        """The checked variants, in workspace order."""
        items = (self.variant_list.item(i) for i in range(self.variant_list.count()))
        return [it.text() for it in items if it.checkState() == Qt.Checked]

    def set_checked(self, names: list[str]) -> None:
        """Tick exactly ``names`` (every other variant is unticked)."""
        self.variant_list.blockSignals(True)
        try:
            for i in range(self.variant_list.count()):
                it = self.variant_list.item(i)
                it.setCheckState(Qt.Checked if it.text() in names else Qt.Unchecked)
        finally:
            self.variant_list.blockSignals(False)
        self._update_task_controls()

    def show_variants(self, names: list[str]) -> None:
        """Tick exactly ``names`` (e.g. a walkthrough step's variants; the others, such as the
        untrained ``*-init`` ones, are unticked) and draw their curves, computing the metrics of
        those not cached yet in a job, as Compute does. Unknown names are ignored."""
        self.refresh()
        known = [n for n in names if n in self.candidates()]
        self.set_checked(known)
        if known:
            self.compute(known)
        else:
            self._show([])

    def task(self, name: str) -> str | None:
        """``'classification'`` / ``'regression'`` of variant ``name`` (None when unknown)."""
        res = self.result(name)
        if res is not None:
            return res.get("task")
        ws = self.state.workspace
        return dataset_task(ws[name].dataset) if ws is not None and name in ws else None

    def _update_task_controls(self) -> None:
        """No GeV threshold field when every ticked (else every) variant classifies."""
        names = self.checked() or self.candidates()
        classification_only = bool(names) and all(self.task(n) == "classification" for n in names)
        self.thresholds_label.setVisible(not classification_only)
        self.thresholds_edit.setVisible(not classification_only)
        self.compute_btn.setToolTip(
            self.tr("Run the checked variants on the validation split (ROC curve and confusion matrix)")
            if classification_only
            else self.tr("Run the checked variants on the validation split and noise-only events")
        )

    def _on_workspace(self) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()
        self._cache.clear()
        self._shown = []
        self.variant_list.clear()
        self.refresh()
        self._draw()

    def refresh(self) -> None:
        """Rebuild the variant list (keeping check marks); forget results of deleted variants."""
        names = self.candidates()
        was = set(self.checked())
        fresh = self.variant_list.count() == 0
        ws = self.state.workspace
        self.variant_list.blockSignals(True)
        self.variant_list.clear()
        for name in names:
            it = QListWidgetItem(name)
            it.setFlags((it.flags() | Qt.ItemIsUserCheckable) & ~Qt.ItemIsSelectable)
            on = name in was or (fresh and len(names) <= 3)
            it.setCheckState(Qt.Checked if on else Qt.Unchecked)
            if ws is not None:
                it.setToolTip(self.tr("{0} · dataset {1}").format(ws[name].operation, ws[name].dataset))
            self.variant_list.addItem(it)
        self.variant_list.blockSignals(False)
        for name in list(self._cache):
            if self._variant_of(name) not in names:
                del self._cache[name]
        if any(self._variant_of(n) not in names for n in self._shown):
            self._shown = [n for n in self._shown if self._variant_of(n) in names]
            self._draw()
        self._update_task_controls()

    def _variant_of(self, name: str) -> str:
        """The variant a curve belongs to (a run's curve belongs to the variant that ran)."""
        res = self.result(name)
        return res.get("run_of", name) if res else name

    # --- computing -------------------------------------------------------------------------
    def compute(self, names: list[str] | None = None):
        """Compute (or take from the cache) the metrics of ``names`` (default: the checked ones).

        Returns:
            The :class:`app.jobs.Job`, or None when everything was cached or nothing can run.
        """
        ws = self.state.workspace
        if names is not None:
            self.set_checked(list(names))  # what is plotted is what is ticked
        names = list(self.checked() if names is None else names)
        if ws is None or not names:
            self.status.setText(self.tr("Open a workspace and check at least one variant."))
            return None
        if self.thresholds_edit.isHidden():  # classification only: thresholds are not used
            thresholds = parse_thresholds(DEFAULT_THRESHOLDS)
        else:
            try:
                thresholds = parse_thresholds(self.thresholds_edit.text())
            except TrigLabError as exc:
                self.status.setText(str(exc))
                return None
        missing = [n for n in names if n not in ws or not ws[n].dataset]
        if missing:
            self.status.setText(self.tr("No dataset recorded for: {0}").format(", ".join(missing)))
            return None
        if self.job is not None and self.job.is_active():
            self.job.cancel()  # a new request replaces the running one
        todo = [n for n in names if self._cache.get(n, ((), None))[0] != thresholds]
        if not todo:
            self._show(names)
            return None
        self.compute_btn.setEnabled(False)
        self.status.setText(self.tr("Computing {0} variant(s)…").format(len(todo)))
        job = self.jobs.submit(
            self.tr("Physics metrics: {0}").format(", ".join(todo)), physics_job, ws, todo, thresholds
        )
        self.job = job
        job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        job.succeeded.connect(lambda res, n=names, t=thresholds, j=job: self._on_done(j, res, n, t))
        job.failed.connect(lambda msg, _d: self.status.setText(self.tr("Failed: {0}").format(msg)))
        job.finished.connect(lambda: self.compute_btn.setEnabled(True))
        return job

    def _on_done(self, job, results: dict[str, Any], names: list[str], thresholds: tuple[float, ...]) -> None:
        from core.metrics.physics import scalar_metrics

        ws = self.state.workspace
        if job is not self.job or ws is None:
            return
        for name, res in results.items():
            self._cache[name] = (thresholds, res)
            if name in ws and "run_of" not in res:
                ws[name].metrics.update(scalar_metrics(res))
        if hasattr(self.state, "notify_variants_changed"):
            self.state.notify_variants_changed()  # saves the workspace; the Compare view refreshes
        self._show([n for n in names if n in self._cache])

    def _show(self, names: list[str]) -> None:
        runs = [k for k, (_, r) in self._cache.items() if r.get("run_of") in names]
        self._shown = [*names, *runs]
        self._draw()
        if names:
            self.status.setText(self.tr("Showing {0} variant(s).").format(len(names)))

    def result(self, name: str) -> dict[str, Any] | None:
        """The cached :func:`core.metrics.physics.trigger_metrics` result of a variant."""
        entry = self._cache.get(name)
        return entry[1] if entry else None

    # --- drawing ---------------------------------------------------------------------------
    def plotted(self) -> dict[str, Any]:
        """What is drawn, for tests: ``turn_on`` {variant: {thr: {x, y, lo, hi}}}, ``resolution``
        {variant: {x, y}}, ``residuals`` {variant: {x, y}}, ``roc`` {variant: {fpr, tpr, auc}},
        ``confusion`` {variant: matrix (true x predicted counts)}, ``confusion_shown`` (the
        variant whose matrix is drawn), ``thresholds`` (the vertical lines, GeV), ``layout``
        (``regression`` / ``classification`` / ``both``) and ``table`` (one row dict per variant)."""
        return self._plotted

    def _draw(self) -> None:
        for key, pi in (
            ("turn_on", self.turn_on_plot),
            ("resolution", self.resolution_plot),
            ("residuals", self.residual_plot),
            ("roc", self.roc_plot),
        ):
            pi.clear()
            self.legends[key].clear()
        plotted: dict[str, Any] = {
            "turn_on": {},
            "resolution": {},
            "residuals": {},
            "roc": {},
            "confusion": {},
            "confusion_shown": None,
            "thresholds": [],
            "table": [],
        }
        results = [(n, self.result(n)) for n in self._shown if self.result(n) is not None]
        thresholds: list[float] = []
        for i, (name, res) in enumerate(results):
            color = COLORS[i % len(COLORS)]
            if res["task"] == "classification":
                self._draw_roc(name, res, color, plotted)
            else:
                self._draw_regression(name, res, color, plotted)
                thresholds += [t for t in res["thresholds"] if t not in thresholds]
            plotted["table"].append(self._row(name, res))
        shown = next(iter(plotted["confusion"]), None)
        plotted["confusion_shown"] = shown
        self.confusion_plot.set_matrix(
            plotted["confusion"].get(shown),
            self.tr("Confusion matrix — {0}").format(shown) if shown else self.tr("Confusion matrix"),
        )
        emulated = any(r.get("emulated") for _, r in results)
        for pi, title in (
            (self.turn_on_plot, self.tr("Trigger efficiency")),
            (self.resolution_plot, self.tr("pT resolution (16–84 % half-width)")),
        ):
            # a run on an emulator is in the legend with its label; the title says so too
            pi.setTitle(
                title + (self.tr(" (with runs emulated on CPU)") if emulated else ""),
                color=(20, 20, 20),
                size="10pt",
            )
        for t in thresholds:
            self.turn_on_plot.addItem(
                pg.InfiniteLine(pos=t, angle=90, pen=pg.mkPen(120, 120, 120, width=1, style=Qt.DotLine))
            )
        plotted["thresholds"] = thresholds
        has_reg = any(r["task"] != "classification" for _, r in results)
        has_cls = any(r["task"] == "classification" for _, r in results)
        if not results:  # nothing drawn yet: the axes of what the ticked variants are
            ticked = self.checked() or self.candidates()
            has_cls = bool(ticked) and all(self.task(n) == "classification" for n in ticked)
        kind = "both" if has_reg and has_cls else "classification" if has_cls else "regression"
        self._arrange(kind)
        self._fit_legends()
        plotted["layout"] = kind
        self._plotted = plotted
        self._fill_table(plotted["table"], thresholds)
        self.trigger_note.setText(trigger_note([r for _, r in results if r["task"] != "classification"]))

    def _fit_legends(self) -> None:
        """Legends and titles as wide as their plots at most (a 1366 px projector): fewer legend
        columns when the view is narrow (never below two for turn-on and resolution: stacked, they
        would take the plots' height), names and titles too long for their cell elided in the
        middle, whole in the tooltip. Wider, they pushed the plots past the view's right edge."""
        share = {"turn_on": 1 / 3 if self._layout_kind == "both" else 1.0, "roc": 1 / 3}
        width = max(self.glw.viewport().width(), 1)
        plots = {
            "turn_on": self.turn_on_plot,
            "resolution": self.resolution_plot,
            "residuals": self.residual_plot,
            "roc": self.roc_plot,
        }
        for key, legend in self.legends.items():
            cell = width * share.get(key, 0.5) - 30  # the layout's margins and spacing
            _elide_label(plots[key].titleLabel, cell - 60)  # the axis takes the left of the cell
            if not legend.items:
                continue
            labels = [label for _sample, label in legend.items]
            widest = max(_full_width(label) for label in labels) + 60
            most, least = LEGEND_COLUMNS[key]
            columns = max(least, min(most, int(cell // widest), len(labels)))
            legend.setColumnCount(columns)
            for label in labels:
                _elide_label(label, cell / columns - 60)  # the sample and the spacing

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_legends()

    def _arrange(self, kind: str) -> None:
        """Place the plots the results need, each legend in the cell below its plot (hidden
        items would still take their grid cell)."""
        if kind == self._layout_kind:
            return
        self._layout_kind = kind
        self.glw.ci.clear()
        add = self.glw.addItem
        if kind == "classification":
            add(self.roc_plot, row=0, col=0)
            add(self.confusion_plot, row=0, col=1)
            add(self.legends["roc"], row=1, col=0)
            return
        if kind == "both":
            add(self.turn_on_plot, row=0, col=0)
            add(self.roc_plot, row=0, col=1)
            add(self.confusion_plot, row=0, col=2)
            add(self.legends["turn_on"], row=1, col=0)
            add(self.legends["roc"], row=1, col=1)
        else:
            add(self.turn_on_plot, row=0, col=0, colspan=2)
            add(self.legends["turn_on"], row=1, col=0, colspan=2)
        add(self.resolution_plot, row=2, col=0)
        add(self.residual_plot, row=2, col=1)
        add(self.legends["resolution"], row=3, col=0)
        add(self.legends["residuals"], row=3, col=1)

    def _draw_regression(self, name: str, res: dict[str, Any], color, plotted: dict[str, Any]) -> None:
        curves: dict[str, Any] = {}
        for j, (key, curve) in enumerate(res["turn_on"].items()):
            style, symbol = THRESHOLD_STYLES[j % len(THRESHOLD_STYLES)]
            x, y = _arr(curve["centers"]), _arr(curve["efficiency"])
            lo, hi = _arr(curve["lo"]), _arr(curve["hi"])
            ok = np.isfinite(y)
            x, y, lo, hi = x[ok], y[ok], lo[ok], hi[ok]
            self.turn_on_plot.addItem(
                pg.ErrorBarItem(x=x, y=y, top=hi - y, bottom=y - lo, beam=0.25, pen=pg.mkPen(*color, width=1))
            )
            self.turn_on_plot.plot(
                x,
                y,
                pen=pg.mkPen(*color, width=2, style=style),
                symbol=symbol,
                symbolSize=6,
                symbolBrush=pg.mkBrush(*color),
                symbolPen=None,
                name=self.tr("{0}, pT > {1} GeV").format(name, key),
            )
            curves[key] = {"x": x, "y": y, "lo": lo, "hi": hi}
        plotted["turn_on"][name] = curves

        r = res["resolution"]
        x, y = _arr(r["centers"]), _arr(r["bin_robust"])
        ok = np.isfinite(y)
        self.resolution_plot.plot(
            x[ok],
            y[ok],
            pen=pg.mkPen(*color, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=pg.mkBrush(*color),
            symbolPen=None,
            name=name,
        )
        plotted["resolution"][name] = {"x": x[ok], "y": y[ok]}

        edges, counts = _arr(r["hist_edges"]), _arr(r["hist_counts"])
        frac = counts / max(int(r["n"]), 1)
        self.residual_plot.plot(
            edges,
            frac,
            stepMode="center",
            pen=pg.mkPen(*color, width=2),
            name=self.tr("{0} (robust σ {1})").format(name, _fmt(r["robust"])),
        )
        plotted["residuals"][name] = {"x": 0.5 * (edges[1:] + edges[:-1]), "y": frac}

    def _draw_roc(self, name: str, res: dict[str, Any], color, plotted: dict[str, Any]) -> None:
        roc = res["roc"]
        fpr, tpr = _arr(roc["fpr"]), _arr(roc["tpr"])
        self.roc_plot.plot(
            fpr,
            tpr,
            pen=pg.mkPen(*color, width=2),
            name=self.tr("{0} (AUC {1})").format(name, fmt_num(roc["auc"], 3)),
        )
        plotted["roc"][name] = {"fpr": fpr, "tpr": tpr, "auc": roc["auc"]}
        if res.get("confusion"):
            plotted["confusion"][name] = res["confusion"]["matrix"]
        if len(plotted["roc"]) == 1:
            self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen(150, 150, 150, style=Qt.DashLine))

    @staticmethod
    def _row(name: str, res: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"variant": name, "task": res["task"]}
        for k, v in res.items():
            if k in ("pt_resolution", "pt_resolution_robust", "pt_bias", "roc_auc") or k.startswith(
                ("pt50_", "pt90_", "fake_rate_")
            ):
                row[k] = v
        for k, fr in (res.get("fake") or {}).items():
            row[f"fake_net_{k}"] = fr.get("network_only_rate")
        if res.get("confusion"):
            row["accuracy"] = res["confusion"]["accuracy"]
        return row

    def _fill_table(self, rows: list[dict[str, Any]], thresholds: list[float]) -> None:
        cols: list[tuple[str, str]] = [("variant", self.tr("Variant"))]
        if any(r["task"] != "classification" for r in rows):
            cols += [
                ("pt_resolution_robust", self.tr("σ(pT)/pT robust")),
                ("pt_resolution", self.tr("σ(pT)/pT std")),
            ]
            cols += [("pt_bias", self.tr("bias"))]
            for t in thresholds:
                k = f"{t:g}"
                cols += [
                    (f"pt50_{k}", self.tr("pT50 @{0} (GeV)").format(k)),
                    (f"pt90_{k}", self.tr("pT90 @{0} (GeV)").format(k)),
                ]
                cols += [
                    (f"fake_rate_{k}", self.tr("fake rate @{0}").format(k)),
                    (f"fake_net_{k}", self.tr("net only @{0}").format(k)),
                ]
        if any(r["task"] == "classification" for r in rows):
            cols += [("roc_auc", self.tr("AUC")), ("accuracy", self.tr("accuracy"))]
        self.table.clear()
        self.table.setColumnCount(len(cols))
        self.table.setHorizontalHeaderLabels([c[1] for c in cols])
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (key, _) in enumerate(cols):
                v = row.get(key)
                if key == "variant":
                    text = str(v)
                elif key == "accuracy" and v is not None:
                    text = fmt_pct(v, 1)
                else:
                    text = _fmt(v, 3)
                item = QTableWidgetItem(text)
                if key != "variant":
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)

    def shutdown(self) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()


if __name__ == "__main__":  # pragma: no cover
    import sys

    from app.panels._preview import preview

    sys.exit(preview(PhysicsView, "Physics"))
