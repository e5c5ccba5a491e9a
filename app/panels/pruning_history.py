"""Han et al. (NIPS 2015) three panels for the selected layer: before pruning, after pruning,
after retraining — read from the lineage source -> <x>-pruned -> <x> that pruning with
fine-tuning leaves in the workspace."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.palette import BLUE, VERMILION, plot_muted_color
from app.panels.histogram import fmt_sparsity, style_plot
from core.weights import histogram, shared_range

#: The three panels (keys of :meth:`PruningHistory.plotted`; shown translated).
STEPS = (
    QT_TRANSLATE_NOOP("PruningHistory", "Before pruning"),
    QT_TRANSLATE_NOOP("PruningHistory", "After pruning"),
    QT_TRANSLATE_NOOP("PruningHistory", "After retraining"),
)


def pruning_chain(ws, name: str | None) -> tuple[str, str, str] | None:
    """(before, pruned, retrained) variant names around ``name``, or None.

    ``name`` may be any of the three: the retrained variant's parent is the ``:pruned`` step whose
    parent is the source.
    """
    if ws is None or not name or name not in ws.variants:
        return None
    v = ws[name]
    if v.operation.endswith(":pruned") or v.params.get("step") == "pruned":
        kids = [c for c in ws.children(v.name) if not c.operation.endswith(":pruned")]
        if not kids or not v.parent:
            return None
        return (v.parent, v.name, kids[-1].name)
    if v.parent and v.parent in ws.variants:
        p = ws[v.parent]
        if (p.operation.endswith(":pruned") or p.params.get("step") == "pruned") and p.parent:
            return (p.parent, p.name, v.name)
    return None


class PruningHistory(QWidget):
    """Three histograms on identical bins; zeros drawn as their own bar."""

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.plots = []
        for i, title in enumerate(STEPS):
            p = self.glw.addPlot(row=0, col=i, title=QCoreApplication.translate("PruningHistory", title))
            style_plot(p)
            p.setLabel("bottom", self.tr("weight value"))
            if i == 0:
                p.setLabel("left", self.tr("weights per bin"))
            self.plots.append(p)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(self.glw, 1)
        self._data: dict[str, dict] = {}
        self.chain: tuple[str, str, str] | None = None
        state.variant_changed.connect(lambda _lv: self.refresh())
        state.layer_selected.connect(lambda _n: self.refresh())
        state.variants_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        ws, lv = self.state.workspace, self.state.current
        self.chain = pruning_chain(ws, lv.name if lv else None)
        for p in self.plots:
            p.clear()
        self._data = {}
        if self.chain is None:
            self.info.setText(
                self.tr(
                    "Select a variant made by <b>Prune by magnitude</b> with fine-tuning (or its <i>-pruned</i> "
                    "step) to see Han et al.'s three weight distributions: before pruning, after pruning, "
                    "after retraining."
                )
            )
            return
        layer = self.state.layer
        arrays = []
        for name in self.chain:
            w = self.state.load_variant(name).weights.get(layer, {}).get("kernel")
            arrays.append(None if w is None else np.asarray(w).ravel())
        if any(a is None for a in arrays):
            self.info.setText(
                self.tr(
                    "Layer '{0}' has no kernel in all three variants; pick a Dense or Conv layer."
                ).format(layer)
            )
            return
        lo, hi = shared_range(*arrays)
        self.info.setText(
            self.tr("Layer <b>{0}</b>: {1} → {2} → {3}.").format(layer, *self.chain)
            + " "
            + self.tr("Zeros (pruned weights) are the orange bar at 0; the same bins in all three panels.")
        )
        for p, title, name, a in zip(self.plots, STEPS, self.chain, arrays):
            h = histogram(a, bins=60, range=(lo, hi))
            p.addItem(
                pg.BarGraphItem(
                    x0=h.edges[:-1],
                    x1=h.edges[1:],
                    y0=0,
                    height=h.counts,
                    brush=pg.mkBrush(*BLUE, 200),
                    pen=None,
                )
            )
            if h.zeros:
                width = (hi - lo) / 60
                top = max(int(h.counts.max(initial=0)) * 1.1, 1)
                p.addItem(
                    pg.BarGraphItem(
                        x=[0.0],
                        width=width,
                        height=[min(h.zeros, top)],
                        brush=pg.mkBrush(*VERMILION),
                        pen=None,
                    )
                )
            zeros = self.tr("{0}: {1} zeros").format(name, fmt_sparsity(h.sparsity))
            p.setTitle(
                QCoreApplication.translate("PruningHistory", title)
                + f"<br><span style='font-size:9pt;color:{plot_muted_color()}'>{zeros}</span>"
            )
            self._data[title] = {"variant": name, "counts": h.counts, "zeros": h.zeros, "edges": h.edges}

    def plotted(self) -> dict[str, dict]:
        return self._data
