"""Sensitivity analysis: how much each layer can be pruned or narrowed on its own.

Runs :func:`core.compress.sensitivity.sensitivity_analysis` as a job (each layer alone, no
retraining), draws the task metric against sparsity and against weight bits, and suggests per-layer
settings within a tolerance; "Use as per-layer pruning" hands them to the Apply form.
"""

from __future__ import annotations

import json

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_pct
from app.palette import SERIES
from app.panels.histogram import fmt_sparsity, fmt_value

COLORS = SERIES  # Okabe–Ito, one per variant / layer


def sensitivity_job(ws, variant: str, *, progress=None):
    """Load the variant and its dataset, then run the analysis (a job function)."""
    from core.compress.sensitivity import sensitivity_analysis
    from core.data import load_dataset

    v = ws[variant]
    dataset = load_dataset(v.dataset, cache_dir=ws.data_dir, progress=progress.sub(0, 0.05))
    model = ws.load_model(variant)
    return sensitivity_analysis(model, dataset, progress=progress.sub(0.05, 1.0))


class SensitivityView(QWidget):
    """Metric vs sparsity and vs bits, per layer, with suggestions."""

    use_per_layer = Signal(dict)  # {layer: sparsity}

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.result = None
        self.job = None
        self.run_btn = QPushButton(self.tr("Run sensitivity analysis"))
        self.tol_spin = QDoubleSpinBox()
        self.tol_spin.setRange(0.0, 0.5)
        self.tol_spin.setSingleStep(0.005)
        self.tol_spin.setDecimals(3)
        self.tol_spin.setValue(0.01)
        self.tol_spin.setToolTip(
            self.tr("Allowed drop of the task metric: absolute for accuracy, relative for an error")
        )
        self.use_btn = QPushButton(self.tr("Use as per-layer pruning →"))
        self.use_btn.setEnabled(False)
        self.status = QLabel(
            self.tr(
                "Each layer is pruned (or its weights narrowed to ap_fixed<W,I>) on its own, without retraining."
            )
        )
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.run_btn)
        top.addWidget(QLabel(self.tr("tolerance")))
        top.addWidget(self.tol_spin)
        top.addWidget(self.use_btn)
        top.addStretch(1)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.sp_plot = self.glw.addPlot(
            row=0, col=0, title=self.tr("Metric vs sparsity (one layer at a time)")
        )
        self.bit_plot = self.glw.addPlot(
            row=0, col=1, title=self.tr("Metric vs weight bits (one layer at a time)")
        )
        for p, xl in (
            (self.sp_plot, self.tr("sparsity of the layer (%)")),
            (self.bit_plot, self.tr("weight width W (bits)")),
        ):
            p.showGrid(x=True, y=True, alpha=0.25)
            p.setLabel("bottom", xl)
            p.addLegend(offset=(-10, 10))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            (self.tr("Layer"), self.tr("Max sparsity"), self.tr("Min bits"), self.tr("Integer bits"))
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        split = QSplitter()
        split.addWidget(self.glw)
        split.addWidget(self.table)
        split.setSizes([900, 350])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        self.run_btn.clicked.connect(self.run)
        self.use_btn.clicked.connect(self._emit_use)
        self.tol_spin.valueChanged.connect(lambda _v: self._fill_table())
        state.variant_changed.connect(lambda _lv: self._clear())

    def run(self):
        lv, ws = self.state.current, self.state.workspace
        if lv is None or ws is None or not ws[lv.name].dataset:
            self.status.setText(self.tr("Select a variant that has a dataset."))
            return None
        self.run_btn.setEnabled(False)
        self.job = self.jobs.submit(self.tr("Sensitivity: {0}").format(lv.name), sensitivity_job, ws, lv.name)
        self.job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        self.job.succeeded.connect(self.show_result)
        self.job.failed.connect(lambda msg, _d: self.status.setText(self.tr("Failed: {0}").format(msg)))
        self.job.finished.connect(lambda: self.run_btn.setEnabled(True))
        return self.job

    def _clear(self) -> None:
        self.result = None
        self.sp_plot.clear()
        self.bit_plot.clear()
        self.table.setRowCount(0)
        self.use_btn.setEnabled(False)

    def show_result(self, result) -> None:
        self._clear()
        self.result = result
        label = result.metric + (" (%)" if result.metric == "accuracy" else "")
        scale = 100.0 if result.metric == "accuracy" else 1.0
        for p in (self.sp_plot, self.bit_plot):
            p.setLabel("left", self.tr("validation {0}").format(label))
            p.addLine(y=result.baseline * scale, pen=pg.mkPen((120, 120, 120), style=pg.QtCore.Qt.DashLine))
        for i, layer in enumerate(result.layers):
            pen = pg.mkPen(COLORS[i % len(COLORS)], width=2)
            self.sp_plot.plot(
                [100 * s for s in result.sparsities],
                [scale * v for v in result.sparsity_curves[layer]],
                pen=pen,
                symbol="o",
                symbolSize=6,
                symbolBrush=COLORS[i % len(COLORS)],
                name=layer,
            )
            self.bit_plot.plot(
                list(result.bit_widths),
                [scale * v for v in result.bit_curves[layer]],
                pen=pen,
                symbol="o",
                symbolSize=6,
                symbolBrush=COLORS[i % len(COLORS)],
                name=layer,
            )
        self.status.setText(
            self.tr("Baseline {0} {1} on {2} validation samples (dashed line).").format(
                label, fmt_value(scale * result.baseline), result.samples
            )
        )
        self._fill_table()
        self.use_btn.setEnabled(True)

    def suggestions(self) -> dict:
        return self.result.suggest(self.tol_spin.value()) if self.result is not None else {}

    def _fill_table(self) -> None:
        sug = self.suggestions()
        self.table.setRowCount(len(sug))
        for r, (layer, s) in enumerate(sug.items()):
            cells = [
                layer,
                fmt_sparsity(s["max_sparsity"]),
                "—" if s["min_bits"] is None else str(s["min_bits"]),
                "—" if s.get("integer_bits") is None else str(s["integer_bits"]),
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def _emit_use(self) -> None:
        per_layer = {k: v["max_sparsity"] for k, v in self.suggestions().items()}
        self.use_per_layer.emit(per_layer)

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.cancel()


def per_layer_json(per_layer: dict) -> str:
    return json.dumps({k: round(float(v), 3) for k, v in per_layer.items()})
