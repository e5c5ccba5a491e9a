"""The Physics view's figure: turn-on, resolution, residual and ROC plots, their legends and layout.

One :class:`PhysicsFigure` draws a list of results (networks in Okabe–Ito colours, baselines in
greys, see :mod:`app.panels.physics_plots`); the view (:mod:`app.panels.physics_view`) chooses what
to draw and fills its table. Texts are in the "PhysicsView" translation context.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt

from app.i18n import fmt_num
from app.palette import SERIES
from app.panels.physics_plots import (
    BASELINE_COLORS,
    BASELINE_SYMBOLS,
    LEGEND_COLUMNS,
    THRESHOLD_STYLES,
    ConfusionPlot,
    as_array,
    draw_resolution_limit,
    draw_turn_on,
    elide_label,
    fit_legend,
    fmt_value,
    outside_legend,
    style_plot,
)

COLORS = SERIES  # Okabe–Ito, one per network
_arr, _fmt = as_array, fmt_value


class PhysicsFigure:
    """The plots of the Physics view in one pyqtgraph layout (:attr:`glw`)."""

    def __init__(self) -> None:
        self.classification_only = False  # what the empty figure's axes are for
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.turn_on_plot = pg.PlotItem()
        self.resolution_plot = pg.PlotItem()
        self.residual_plot = pg.PlotItem()
        self.roc_plot = pg.PlotItem()
        self.confusion_plot = ConfusionPlot()
        self._layout_kind = ""
        style_plot(
            self.turn_on_plot,
            QCoreApplication.translate("PhysicsView", "Trigger efficiency"),
            QCoreApplication.translate("PhysicsView", "true pT (GeV)"),
            QCoreApplication.translate("PhysicsView", "efficiency"),
        )
        style_plot(
            self.resolution_plot,
            QCoreApplication.translate("PhysicsView", "pT resolution (16–84 % half-width)"),
            QCoreApplication.translate("PhysicsView", "true pT (GeV)"),
            "σ(pT)/pT",
        )
        style_plot(
            self.residual_plot,
            QCoreApplication.translate("PhysicsView", "Relative pT error"),
            "(pT_pred − pT_true) / pT_true",
            QCoreApplication.translate("PhysicsView", "fraction of muons"),
        )
        style_plot(
            self.roc_plot,
            QCoreApplication.translate("PhysicsView", "ROC"),
            QCoreApplication.translate("PhysicsView", "false positive rate"),
            QCoreApplication.translate("PhysicsView", "true positive rate"),
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

    def draw(self, results: list[tuple[str, dict[str, Any], str | None]]) -> dict[str, Any]:
        """Draw ``results`` ((name, trigger_metrics result, baseline kind or None), in order).

        Returns:
            What is drawn (:meth:`app.panels.physics_view.PhysicsView.plotted` without the table).
        """
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
            "resolution_limit": None,
            "residuals": {},
            "roc": {},
            "confusion": {},
            "confusion_shown": None,
            "baselines": {},
            "thresholds": [],
        }
        thresholds: list[float] = []
        n_net = n_base = 0
        for name, res, kind in results:
            if kind is not None:
                color = BASELINE_COLORS[n_base % len(BASELINE_COLORS)]
                n_base += 1
                plotted["baselines"][name] = kind
            else:
                color = COLORS[n_net % len(COLORS)]
                n_net += 1
            if res["task"] == "classification":
                self._draw_roc(name, res, color, plotted)
            else:
                self._draw_regression(name, res, color, plotted, kind)
                thresholds += [t for t in res["thresholds"] if t not in thresholds]
        limit = next((r.get("resolution_limit") for _, r, _k in results if r.get("resolution_limit")), None)
        plotted["resolution_limit"] = draw_resolution_limit(
            self.resolution_plot, limit, QCoreApplication.translate("PhysicsView", "strip-fit limit")
        )
        shown = next(iter(plotted["confusion"]), None)
        plotted["confusion_shown"] = shown
        self.confusion_plot.set_matrix(
            plotted["confusion"].get(shown),
            QCoreApplication.translate("PhysicsView", "Confusion matrix — {0}").format(shown)
            if shown
            else QCoreApplication.translate("PhysicsView", "Confusion matrix"),
        )
        emulated = any(r.get("emulated") for _, r, _k in results)
        for pi, title in (
            (self.turn_on_plot, QCoreApplication.translate("PhysicsView", "Trigger efficiency")),
            (
                self.resolution_plot,
                QCoreApplication.translate("PhysicsView", "pT resolution (16–84 % half-width)"),
            ),
        ):
            # a run on an emulator is in the legend with its label; the title says so too
            pi.setTitle(
                title
                + (
                    QCoreApplication.translate("PhysicsView", " (with runs emulated on CPU)")
                    if emulated
                    else ""
                ),
                color=(20, 20, 20),
                size="10pt",
            )
        for t in thresholds:
            self.turn_on_plot.addItem(
                pg.InfiniteLine(pos=t, angle=90, pen=pg.mkPen(120, 120, 120, width=1, style=Qt.DotLine))
            )
        plotted["thresholds"] = thresholds
        has_reg = any(r["task"] != "classification" for _, r, _k in results)
        has_cls = any(r["task"] == "classification" for _, r, _k in results)
        if not results:  # nothing drawn yet: the axes of what the ticked variants are
            has_cls = self.classification_only
        layout = "both" if has_reg and has_cls else "classification" if has_cls else "regression"
        self.arrange(layout)
        self.fit_legends()
        plotted["layout"] = layout
        return plotted

    def fit_legends(self) -> None:
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
            elide_label(plots[key].titleLabel, cell - 60)  # the axis takes the left of the cell
            fit_legend(legend, key, cell)

    def arrange(self, kind: str) -> None:
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

    @staticmethod
    def _curve_label(name: str, key: str, kind: str | None) -> str:
        # short: the legend shares the plot's width with up to eight curves on a projector
        if kind == "roads":
            return QCoreApplication.translate("PhysicsView", "classical trigger ({0}), pT > {1} GeV").format(
                name, key
            )
        if kind is not None:
            return QCoreApplication.translate(
                "PhysicsView", "strip fit ({0}, no network), pT > {1} GeV"
            ).format(name, key)
        return QCoreApplication.translate("PhysicsView", "{0}, pT > {1} GeV").format(name, key)

    def _draw_regression(
        self, name: str, res: dict[str, Any], color, plotted: dict[str, Any], kind: str | None = None
    ) -> None:
        curves: dict[str, Any] = {}
        for j, (key, curve) in enumerate(res["turn_on"].items()):
            style, symbol = THRESHOLD_STYLES[j % len(THRESHOLD_STYLES)]
            if kind is not None:  # a reference: dashed fit, hollow symbols of its own
                style, symbol = Qt.DashLine, BASELINE_SYMBOLS[j % len(BASELINE_SYMBOLS)]
            curves[key] = draw_turn_on(
                self.turn_on_plot,
                self.legends["turn_on"],
                curve,
                color,
                style,
                symbol,
                self._curve_label(name, key, kind),
                baseline=kind is not None,
            )
        plotted["turn_on"][name] = curves
        if kind == "roads":  # its "pT" is the highest road that fired: no resolution to show
            return

        r = res["resolution"]
        x, y = _arr(r["centers"]), _arr(r["bin_robust"])
        ok = np.isfinite(y)
        self.resolution_plot.plot(
            x[ok],
            y[ok],
            pen=pg.mkPen(*color, width=2, style=Qt.DashLine if kind else Qt.SolidLine),
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
            name=QCoreApplication.translate("PhysicsView", "{0} (robust σ {1})").format(
                name, _fmt(r["robust"])
            ),
        )
        plotted["residuals"][name] = {"x": 0.5 * (edges[1:] + edges[:-1]), "y": frac}

    def _draw_roc(self, name: str, res: dict[str, Any], color, plotted: dict[str, Any]) -> None:
        roc = res["roc"]
        fpr, tpr = _arr(roc["fpr"]), _arr(roc["tpr"])
        self.roc_plot.plot(
            fpr,
            tpr,
            pen=pg.mkPen(*color, width=2),
            name=QCoreApplication.translate("PhysicsView", "{0} (AUC {1})").format(
                name, fmt_num(roc["auc"], 3)
            ),
        )
        plotted["roc"][name] = {"fpr": fpr, "tpr": tpr, "auc": roc["auc"]}
        if res.get("confusion"):
            plotted["confusion"][name] = res["confusion"]["matrix"]
        if len(plotted["roc"]) == 1:
            self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen(150, 150, 150, style=Qt.DashLine))
