"""The Train view: configure a training run of a variant, watch its curves live, cancel it.

The run itself is :func:`core.train_jobs.train_job` (data loading included, so the GUI thread
never waits for a data set), which adds the trained model as a child variant; this panel only
configures, plots and reports. With a teacher chosen the run is a knowledge distillation instead,
:func:`core.train_jobs.distill_job`: same form, same live curves, plus the loss's two terms.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job
from app.palette import BLUE, SERIES, VERMILION
from core.train import OPTIMIZERS, SCHEDULES
from core.train_jobs import distill_job, train_job

OTHER_FILE = "Other file…"
EMA_BETA = 0.9  # smoothing of the per-batch loss: an effective window of ~10 batches

# Colour-blind-safe pair (Okabe-Ito): train blue, validation vermilion.
TRAIN_COLOR = BLUE
VAL_COLOR = VERMILION
BATCH_COLOR = (*BLUE, 70)
# Distillation: one colour per loss term (total keeps the train blue), validation dashed.
HARD_COLOR = SERIES[2]  # bluish green
DISTILL_COLOR = SERIES[3]  # reddish purple
LEGEND_KEY_COLOR = (90, 90, 90)

NO_TEACHER = "— none (plain training) —"

DISTILL_CURVES = ("hard_loss", "val_hard_loss", "distill_loss", "val_distill_loss")
CURVE_NAMES = ("loss", "val_loss", "batch_loss", "metric", "val_metric", *DISTILL_CURVES)
METRIC_LABELS = {"accuracy": "accuracy", "mae": "mean absolute error", "mse": "mean squared error"}
LOSS_LABELS = {
    "sparse_categorical_crossentropy": "cross-entropy",
    "categorical_crossentropy": "cross-entropy",
    "mse": "mean squared error",
}


def _result_variant(result):
    """The new variant of a finished job: train jobs return it wrapped, distill jobs bare."""
    return getattr(result, "variant", result)


def _epochs_completed(result) -> int:
    train = getattr(result, "train", None)
    if train is not None:
        return int(train.epochs_completed)
    return int(_result_variant(result).params.get("epochs_completed", 0))


# --- small widgets ------------------------------------------------------------------------------
class _SciSpinBox(QDoubleSpinBox):
    """A spin box for learning rates: shows ``3e-04``-style numbers, steps by factors of ~2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # the text format below decides what is shown, not this
        self.setRange(1e-7, 10.0)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            v = float(text)
        except ValueError:
            ok = text == "" or all(c in "0123456789.eE-+" for c in text)
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos
        ok = self.minimum() <= v <= self.maximum()
        return (QValidator.Acceptable if ok else QValidator.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802
        # Learning rates are searched on a log scale: 1e-3 -> 2e-3 -> 5e-3 -> 1e-2 ...
        ladder = [m * 10.0**e for e in range(-7, 2) for m in (1.0, 2.0, 5.0)]
        v = self.value()
        if steps > 0:
            bigger = [x for x in ladder if x > v * (1 + 1e-9)]
            self.setValue(bigger[min(steps, len(bigger)) - 1] if bigger else self.maximum())
        elif steps < 0:
            smaller = [x for x in ladder if x < v * (1 - 1e-9)]
            self.setValue(smaller[-min(-steps, len(smaller))] if smaller else self.minimum())


class _FormScroll(QScrollArea):
    """Scrolls the form on a short window; as wide as the form wants now (QScrollArea's own size
    hint keeps the form's first, unpolished one)."""

    def sizeHint(self) -> QSize:  # noqa: N802
        inner = self.widget().sizeHint() if self.widget() is not None else QSize()
        return QSize(inner.width(), super().sizeHint().height())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.widget() and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(obj, event)


def _fmt_seconds(s: float) -> str:
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{(s % 3600) // 60:02d}:{s % 60:02d}"


def _fmt(v: float) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{v:.4g}"


def _style_plot(pw: pg.PlotWidget, ylabel: str) -> None:
    """White background, black axes and text: reads like a figure, prints like one."""
    pi = pw.getPlotItem()
    for side in ("left", "bottom", "top", "right"):
        pi.showAxis(side)
        ax = pi.getAxis(side)
        ax.setPen(pg.mkPen(60, 60, 60))
        ax.setTextPen(pg.mkPen(20, 20, 20))
        ax.enableAutoSIPrefix(False)  # losses of 0.004 read as 0.004, not "4 (x0.001)"
        if side in ("top", "right"):
            ax.setStyle(showValues=False)  # a closed frame, values only once
    pi.setLabel("bottom", "epoch")
    pi.setLabel("left", ylabel)
    pi.showGrid(x=True, y=True, alpha=0.15)
    pi.setMenuEnabled(True)
    pw.setMinimumHeight(160)


# --- the panel ----------------------------------------------------------------------------------
class TrainView(QWidget):
    """Training form (left), live loss and metric curves (right), status line and errors."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self.job: Job | None = None
        self._job_ws = None  # the workspace the running job writes into
        self._epochs_total = 0
        self._steps_per_epoch: int | None = None
        self._n_train: int | None = None
        self._batch_size: int | None = None
        self._run_key: tuple[int, int] | None = None  # (epoch, batch) of the last running mean seen
        self._run_mean, self._run_count = 0.0, 0
        self._task = ""
        self._metric = ""  # "accuracy" or "mae": found in the first epoch report
        self._distilling = False  # the curves on show are those of a distillation
        self._last: dict[str, float] = {}
        self._last_epoch = -1
        self._ema: float | None = None
        self._data: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in CURVE_NAMES}
        self._plotted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._dirty = False

        self._build_form()
        self._build_plots()
        self._build_layout()
        self._on_teacher_changed()

        # Per-batch reports arrive hundreds of times a second on small data: plot at <= 20 Hz.
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(50)
        self._redraw_timer.timeout.connect(self._redraw_if_dirty)
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._update_status)

        state.workspace_changed.connect(lambda _ws: self._fill_sources())
        state.variants_changed.connect(self._fill_sources)
        state.variant_changed.connect(self._on_variant_changed)
        self._fill_sources()
        self._set_running(False)

    # --- construction ----------------------------------------------------------------------
    def _build_form(self) -> None:
        self.source_combo = QComboBox()
        self.source_combo.setToolTip("The variant to start from; it is copied, never changed.")
        self.source_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setMinimumContentsLength(14)
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)

        self.teacher_combo = QComboBox()
        self.teacher_combo.setToolTip(
            "Knowledge distillation: a trained variant whose outputs the new variant (a copy of "
            "'Start from', the student) learns to match, besides the truth."
        )
        self.teacher_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.teacher_combo.setMinimumContentsLength(14)
        self.teacher_combo.addItem(NO_TEACHER, None)
        self.teacher_combo.currentIndexChanged.connect(self._on_teacher_changed)

        self.temperature_spin = QDoubleSpinBox()
        self.temperature_spin.setRange(0.5, 20.0)
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setSingleStep(0.5)
        self.temperature_spin.setValue(2.0)
        self.temperature_spin.setToolTip(
            "Softening temperature T of the teacher's and student's softmax. Only used for "
            "classification; a regression student matches the teacher's outputs directly."
        )

        self.alpha_spin = QDoubleSpinBox()
        self.alpha_spin.setRange(0.0, 1.0)
        self.alpha_spin.setDecimals(2)
        self.alpha_spin.setSingleStep(0.05)
        self.alpha_spin.setValue(0.2)
        self.alpha_spin.setToolTip(
            "α: weight of the hard-label (truth) loss; the teacher term gets 1 − α. "
            "0 = learn from the teacher only, 1 = ignore the teacher."
        )

        self.transfer_spin = QSpinBox()
        self.transfer_spin.setRange(0, 2_000_000)
        self.transfer_spin.setSingleStep(10_000)
        self.transfer_spin.setValue(0)
        self.transfer_spin.setGroupSeparatorShown(True)
        self.transfer_spin.setToolTip(
            "Events the teacher labels, trained on besides the training set. Simulated data sets "
            "only (e.g. muon_rpc); their truth is not used."
        )

        self.dataset_combo = QComboBox()
        self.dataset_combo.setToolTip("Training and validation data. 'Other file…' reads a .npz or .h5 file.")
        from core.data import list_datasets

        for info in list_datasets():
            self.dataset_combo.addItem(info.name, info.name)
            self.dataset_combo.setItemData(
                self.dataset_combo.count() - 1, f"{info.task}: {info.description}", Qt.ToolTipRole
            )
        self.dataset_combo.addItem(OTHER_FILE, None)
        self._dataset_index = 0
        self.dataset_combo.activated.connect(self._on_dataset_activated)
        self.dataset_combo.currentIndexChanged.connect(lambda _i: self._update_temperature_enabled())

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10_000)
        self.epochs_spin.setValue(10)
        self.epochs_spin.setToolTip("Passes over the training data.")

        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 65_536)
        self.batch_spin.setValue(32)
        self.batch_spin.setSuffix(" samples")
        self.batch_spin.setToolTip("Samples per gradient step.")

        self.lr_spin = _SciSpinBox()
        self.lr_spin.setValue(1e-3)
        self.lr_spin.setToolTip(
            "Learning rate. Arrows step on a 1-2-5 log ladder; type any value (e.g. 3e-4)."
        )

        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItems(list(OPTIMIZERS))
        self.optimizer_combo.setToolTip("SGD uses momentum 0.9. Distillation always uses Adam.")

        self.schedule_combo = QComboBox()
        self.schedule_combo.addItems(list(SCHEDULES))
        self.schedule_combo.setToolTip(
            "Learning rate over the run: constant, or cosine (decays to 1/100 of it by the last "
            "epoch; settles quantized weights)."
        )

        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Same seed, same machine: same result (deterministic kernels).")

        self.max_samples_spin = QSpinBox()
        self.max_samples_spin.setRange(0, 100_000_000)
        self.max_samples_spin.setSpecialValueText("all")
        self.max_samples_spin.setToolTip(
            "Train on the first N samples only (quick trials); validation is full."
        )
        self.max_samples_spin.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)

        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("Name of the new variant (made unique if taken).")

        self.start_btn = QPushButton("Start training")
        self.start_btn.setDefault(True)
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Stops after the current batch; the partly trained variant is kept.")
        self.cancel_btn.clicked.connect(self.cancel)

        self.log_y_check = QCheckBox("Log-scale loss axis")
        self.log_y_check.setChecked(True)
        self.log_y_check.toggled.connect(lambda on: self.loss_plot.getPlotItem().setLogMode(y=on))

    def _build_plots(self) -> None:
        self.loss_plot = pg.PlotWidget(background="w")
        self.metric_plot = pg.PlotWidget(background="w")
        _style_plot(self.loss_plot, "loss")
        _style_plot(self.metric_plot, "metric")
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.getPlotItem().setLogMode(y=self.log_y_check.isChecked())

        def legend(pw: pg.PlotWidget) -> pg.LegendItem:
            return pw.getPlotItem().addLegend(
                offset=(-10, 10),
                labelTextColor=(20, 20, 20),
                brush=pg.mkBrush(255, 255, 255, 220),
                pen=pg.mkPen(180, 180, 180),
            )

        self._loss_legend = legend(self.loss_plot)
        self._metric_legend = legend(self.metric_plot)
        dot = {"symbol": "o", "symbolSize": 6}
        self._items = {
            "batch_loss": self.loss_plot.plot(
                name="train, per batch (EMA)", pen=pg.mkPen(BATCH_COLOR, width=1.2)
            ),
            "loss": self.loss_plot.plot(
                name="train",
                pen=pg.mkPen(TRAIN_COLOR, width=2),
                symbolBrush=TRAIN_COLOR,
                symbolPen=None,
                **dot,
            ),
            "val_loss": self.loss_plot.plot(
                name="validation",
                pen=pg.mkPen(VAL_COLOR, width=2, style=Qt.DashLine),
                symbolBrush=VAL_COLOR,
                symbolPen=None,
                **dot,
            ),
            "metric": self.metric_plot.plot(
                name="train",
                pen=pg.mkPen(TRAIN_COLOR, width=2),
                symbolBrush=TRAIN_COLOR,
                symbolPen=None,
                **dot,
            ),
            "val_metric": self.metric_plot.plot(
                name="validation",
                pen=pg.mkPen(VAL_COLOR, width=2, style=Qt.DashLine),
                symbolBrush=VAL_COLOR,
                symbolPen=None,
                **dot,
            ),
        }
        # The distillation's loss terms: plotted without a name, listed in the legend only
        # while a distillation is on show (plain training looks as it always did).
        small = {"symbol": "o", "symbolSize": 5}
        for key, color in (
            ("hard_loss", HARD_COLOR),
            ("val_hard_loss", HARD_COLOR),
            ("distill_loss", DISTILL_COLOR),
            ("val_distill_loss", DISTILL_COLOR),
        ):
            style = Qt.DashLine if key.startswith("val_") else Qt.SolidLine
            item = self.loss_plot.plot(
                pen=pg.mkPen(color, width=1.6, style=style), symbolBrush=color, symbolPen=None, **small
            )
            item.setVisible(False)
            self._items[key] = item
        # A legend entry only: "dashed = validation" in place of one entry per validation curve.
        self._val_key = pg.PlotDataItem(pen=pg.mkPen(LEGEND_KEY_COLOR, width=2, style=Qt.DashLine))

    def _build_layout(self) -> None:
        self.title = QLabel("Train")
        self.title.setObjectName("panelTitle")

        form_box = QGroupBox("Training run")
        form = QFormLayout(form_box)
        self._form = form
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.addRow("Start from", self.source_combo)
        form.addRow("Teacher", self.teacher_combo)
        form.addRow("Temperature T", self.temperature_spin)
        form.addRow("α (truth weight)", self.alpha_spin)
        form.addRow("Events without truth", self.transfer_spin)
        form.addRow("Data set", self.dataset_combo)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("LR schedule", self.schedule_combo)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Max train samples", self.max_samples_spin)
        form.addRow("New variant name", self.name_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_btn, 1)
        buttons.addWidget(self.cancel_btn)
        form.addRow(buttons)

        view_box = QGroupBox("Display")
        vl = QVBoxLayout(view_box)
        vl.addWidget(self.log_y_check)
        note = QLabel(
            "Epoch points: the mean training loss over the epoch and the validation loss at its end. "
            "The faint line is the per-batch loss, smoothed (EMA, ~10 batches)."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        vl.addWidget(note)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(form_box)
        ll.addWidget(view_box)
        ll.addStretch(1)
        left.setMinimumWidth(250)
        left.setMaximumWidth(340)
        # The form scrolls rather than make the window taller than a 768 px projector (the
        # distillation rows make it taller still).
        left_scroll = _FormScroll()
        left_scroll.setWidget(left)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QScrollArea.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        left_scroll.setMinimumWidth(250 + left_scroll.verticalScrollBar().sizeHint().width())
        left_scroll.setMaximumWidth(340)

        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.error_label.hide()

        plots = QSplitter(Qt.Vertical)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.metric_plot)
        plots.setChildrenCollapsible(False)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.status_label)
        rl.addWidget(self.error_label)
        rl.addWidget(plots, 1)

        row = QHBoxLayout()
        row.addWidget(left_scroll)
        row.addWidget(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(row, 1)

    # --- form <-> workspace ----------------------------------------------------------------
    def _fill_sources(self) -> None:
        ws = self.state.workspace
        self._fill_teachers()
        keep = self.source_combo.currentText()
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        if ws is not None:
            self.source_combo.addItems(list(ws.variants))
        cur = self.state.current.name if self.state.current is not None else None
        for want in (keep, cur):
            if want and self.source_combo.findText(want) >= 0:
                self.source_combo.setCurrentIndex(self.source_combo.findText(want))
                break
        self.source_combo.blockSignals(False)
        if self.source_combo.currentText() != keep:
            self._on_source_changed()
        self._set_running(self.is_running())

    def _on_variant_changed(self, lv) -> None:
        # The form follows the current variant (after a run that is the new one: train it further).
        if lv is not None and not self.is_running():
            i = self.source_combo.findText(lv.name)
            if i >= 0 and i != self.source_combo.currentIndex():
                self.source_combo.setCurrentIndex(i)

    def _fill_teachers(self) -> None:
        """Every variant may teach; the choice is kept while it still exists."""
        ws = self.state.workspace
        keep = self.teacher_name()
        self.teacher_combo.blockSignals(True)
        self.teacher_combo.clear()
        self.teacher_combo.addItem(NO_TEACHER, None)
        if ws is not None:
            for name in ws.variants:
                self.teacher_combo.addItem(name, name)
        i = self.teacher_combo.findData(keep) if keep else 0
        self.teacher_combo.setCurrentIndex(max(i, 0))
        self.teacher_combo.blockSignals(False)
        if self.teacher_name() != keep:
            self._on_teacher_changed()

    def teacher_name(self) -> str | None:
        """The chosen teacher variant, or None for plain training."""
        return self.teacher_combo.currentData()

    def set_teacher(self, name: str | None) -> None:
        """Choose the teacher by variant name (None: plain training)."""
        i = self.teacher_combo.findData(name) if name else 0
        if i < 0:
            raise ValueError(f"No variant '{name}' in the teacher list")
        self.teacher_combo.setCurrentIndex(i)

    def _on_teacher_changed(self, *_args) -> None:
        distill = self.teacher_name() is not None
        for w in (self.temperature_spin, self.alpha_spin, self.transfer_spin):
            self._form.setRowVisible(w, distill)
        self._update_temperature_enabled()
        self.optimizer_combo.setEnabled(not distill and not self.is_running())
        self.start_btn.setText("Start distillation" if distill else "Start training")
        self._update_name_placeholder()

    def _update_temperature_enabled(self, running: bool | None = None) -> None:
        # T softens softmax outputs: a regression student matches the teacher's values directly.
        running = self.is_running() if running is None else running
        self.temperature_spin.setEnabled(not running and self._dataset_task() != "regression")

    def _dataset_task(self) -> str | None:
        """The task of the chosen built-in data set (None for files or nothing chosen)."""
        from core.data import list_datasets

        ref = self.dataset_ref()
        return next((d.task for d in list_datasets() if d.name == ref), None)

    def _update_name_placeholder(self) -> None:
        """The name the new variant gets when the name box is left empty (core's defaults)."""
        ws = self.state.workspace
        src = self.source_combo.currentText()
        if ws is None or src not in ws.variants:
            self.name_edit.setPlaceholderText("")
            return
        if self.teacher_name() is not None:
            base = f"{src}-distilled"
        else:
            base = src[:-5] if src.endswith("-init") else f"{src}-trained"
        self.name_edit.setPlaceholderText(ws.unique_name(base))

    def _on_source_changed(self, *_args) -> None:
        ws = self.state.workspace
        src = self.source_combo.currentText()
        self._update_name_placeholder()
        if ws is None or src not in ws.variants:
            return
        v = ws.variants[src]
        if v.dataset:
            self._select_dataset(v.dataset)
        self.title.setText(f"<b>Train</b> &nbsp; <span style='color:gray'>starting from {src}</span>")

    def _select_dataset(self, ref: str) -> None:
        """Select a built-in set by name, or a user file by path (added to the list if new)."""
        i = self.dataset_combo.findData(ref)
        if i < 0:
            # A variant trained on a user file stores the file's stem; only a real path is usable.
            if not Path(ref).is_file():
                return
            i = self.dataset_combo.count() - 1  # just before "Other file…"
            self.dataset_combo.insertItem(i, Path(ref).name, str(ref))
            self.dataset_combo.setItemData(i, str(ref), Qt.ToolTipRole)
        self.dataset_combo.setCurrentIndex(i)
        self._dataset_index = i

    def set_dataset_file(self, path: str | Path) -> None:
        """Use a user data file (what 'Other file…' does after its dialog; tests call it directly)."""
        path = str(path)
        i = self.dataset_combo.findData(path)
        if i < 0:
            i = self.dataset_combo.count() - 1
            self.dataset_combo.insertItem(i, Path(path).name, path)
            self.dataset_combo.setItemData(i, path, Qt.ToolTipRole)
        self.dataset_combo.setCurrentIndex(i)
        self._dataset_index = i

    def _on_dataset_activated(self, index: int) -> None:
        if self.dataset_combo.itemData(index) is not None:
            self._dataset_index = index
            return
        ws = self.state.workspace
        start = str(ws.root) if ws is not None else ""
        path, _ = QFileDialog.getOpenFileName(
            self, "Training data file", start, "Data files (*.npz *.h5 *.hdf5);;All files (*)"
        )
        if path:
            self.set_dataset_file(path)
        else:
            self.dataset_combo.setCurrentIndex(self._dataset_index)

    def dataset_ref(self) -> str | None:
        """The selected data set: a registered name or a file path."""
        return self.dataset_combo.currentData()

    # --- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.job is not None and self.job.is_active()

    def _set_running(self, running: bool) -> None:
        ws_ok = self.state.workspace is not None and bool(self.source_combo.currentText())
        self.start_btn.setEnabled(not running and ws_ok)
        self.cancel_btn.setEnabled(running)
        for w in (
            self.source_combo,
            self.teacher_combo,
            self.temperature_spin,
            self.alpha_spin,
            self.transfer_spin,
            self.dataset_combo,
            self.epochs_spin,
            self.batch_spin,
            self.lr_spin,
            self.schedule_combo,
            self.seed_spin,
            self.max_samples_spin,
            self.name_edit,
        ):
            w.setEnabled(not running)
        # Distillation compiles its own Adam: the optimizer choice would be ignored.
        self.optimizer_combo.setEnabled(not running and self.teacher_name() is None)
        self._update_temperature_enabled(running)
        if not running and not ws_ok and self.job is None:
            self.status_label.setText("Open a workspace with a model to train it.")
        elif not running and self.job is None:
            self.status_label.setText("Ready. Set the run up on the left and press Start.")

    def start(self) -> Job | None:
        """Start a run with the form's values; returns its :class:`app.jobs.Job` (None if impossible).

        With a teacher chosen the run is a distillation (:func:`distill_job`), else plain
        training (:func:`train_job`).
        """
        ws = self.state.workspace
        source = self.source_combo.currentText()
        dataset = self.dataset_ref()
        teacher = self.teacher_name()
        if self.is_running():
            return self.job
        if ws is None or source not in ws.variants:
            self._show_error("No variant to train: open a workspace and select a model.")
            return None
        if not dataset:
            self._show_error("Choose a data set to train on.")
            return None
        if teacher is not None:
            problem = self._teacher_problem(ws, teacher, source)
            if problem:
                self._show_error(problem)
                return None
        self._reset_curves(distill=teacher is not None)
        self._show_error("")
        self._epochs_total = self.epochs_spin.value()
        self._job_ws = ws
        common = {
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "lr": float(self.lr_spin.value()),
            "seed": self.seed_spin.value(),
            "schedule": self.schedule_combo.currentText(),
            "variant_name": self.name_edit.text().strip() or None,
            "max_train_samples": self.max_samples_spin.value() or None,
        }
        if teacher is None:
            job = self.jobs.submit(
                f"Train {source}",
                train_job,
                ws,
                source,
                dataset,
                optimizer=self.optimizer_combo.currentText(),
                **common,
            )
        else:
            job = self.jobs.submit(
                f"Distill {teacher} into {source}",
                distill_job,
                ws,
                teacher,
                source,
                dataset,
                temperature=float(self.temperature_spin.value()),
                alpha=float(self.alpha_spin.value()),
                transfer_events=self.transfer_spin.value(),
                **common,
            )
        self.job = job
        job.reported.connect(self._on_report)
        job.status_changed.connect(self._on_status)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.finished.connect(self._on_finished)
        self._set_running(True)
        self._redraw_timer.start()
        self._clock.start()
        self._update_status()
        return job

    @staticmethod
    def _teacher_problem(ws, teacher: str, student: str) -> str:
        """Why ``teacher`` cannot teach ``student`` (empty if it can, as far as the form can tell).

        Output widths are left to core, which knows the data set (DistillationError).
        """
        if teacher not in ws.variants:
            return f"The teacher '{teacher}' is no longer in the workspace; choose another one."
        if teacher == student:
            return (
                f"'{teacher}' cannot teach itself: choose a different teacher than the 'Start from' "
                f"variant (the student), or '{NO_TEACHER}'."
            )
        t_ds, s_ds = ws.variants[teacher].dataset, ws.variants[student].dataset
        if t_ds and s_ds and t_ds != s_ds:
            return (
                f"The teacher '{teacher}' was made for the data set '{t_ds}', the student "
                f"'{student}' for '{s_ds}': a teacher can only teach on its own data set."
            )
        return ""

    def cancel(self) -> None:
        """Ask the running job to stop after its current batch."""
        if self.is_running():
            self.job.cancel()
            self.cancel_btn.setEnabled(False)
            self._update_status()

    def shutdown(self) -> None:
        """Window closing: stop the run (the job manager waits for the thread)."""
        self.cancel()
        self._redraw_timer.stop()
        self._clock.stop()

    # --- job signals -----------------------------------------------------------------------
    def _on_report(self, kind: str, values: dict[str, Any]) -> None:
        if kind == "setup":
            self._steps_per_epoch = int(values.get("steps_per_epoch") or 1)
            self._n_train = int(values["n_train"]) if values.get("n_train") else None
            self._batch_size = int(values["batch_size"]) if values.get("batch_size") else None
            self._epochs_total = int(values.get("epochs") or self._epochs_total)
            self._task = values.get("task", "")
            label = LOSS_LABELS.get(values.get("loss"), "loss")
            if self._distilling and self._task == "classification":
                label = f"{label}; teacher term T²·KL"  # the two terms are not the same kind
            self.loss_plot.getPlotItem().setLabel("left", f"loss ({label})")
            metric = "accuracy" if self._task == "classification" else "mae"
            self._set_metric(metric)
        elif kind == "batch":
            self._on_batch(values)
        elif kind == "epoch":
            self._on_epoch(values)

    def _set_metric(self, metric: str) -> None:
        if metric == self._metric:
            return
        self._metric = metric
        label = METRIC_LABELS.get(metric, metric)
        pi = self.metric_plot.getPlotItem()
        # Written into the text, not as pyqtgraph units, which would add SI prefixes (m, k).
        pi.setLabel("left", "accuracy (%)" if metric == "accuracy" else label)
        # Accuracy climbs into the top-right corner; an error falls away from it.
        if metric == "accuracy":
            self._metric_legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-10, -10))
        else:
            self._metric_legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-10, 10))

    def _on_batch(self, v: dict[str, Any]) -> None:
        running = float(v.get("loss", math.nan))
        if not np.isfinite(running):
            return
        epoch, batch = int(v.get("epoch", 0)), int(v.get("batch", 0))
        steps = self._steps_per_epoch
        if steps is None:
            # Without the setup report, infer from the global step (exact from epoch 1 on).
            s = int(v.get("step", 0))
            steps = (s - batch - 1) // epoch if epoch > 0 else max(batch + 1, 1)
        x = epoch + (batch + 1) / steps
        loss = self._batch_loss(epoch, batch, running)
        # Seeded with the first batch (not zero) so the start of the line is not pulled down.
        self._ema = loss if self._ema is None else EMA_BETA * self._ema + (1 - EMA_BETA) * loss
        xs, ys = self._data["batch_loss"]
        xs.append(x)
        ys.append(self._ema)
        self._dirty = True

    def _batch_loss(self, epoch: int, batch: int, running: float) -> float:
        """The loss of this batch alone, from Keras' running mean over the epoch so far.

        Keras reports the sample-weighted mean since the epoch began, so an EMA of that would
        lag and jump at every epoch start. With the batch size and the sample count known (setup
        report) the single batch's loss is exact: ``(mean_b * n_b - mean_{b-1} * n_{b-1}) / size_b``.
        """
        if self._n_train is None or self._batch_size is None:
            return running
        count = min((batch + 1) * self._batch_size, self._n_train)
        prev_mean, prev_count = 0.0, 0
        if batch > 0:
            if self._run_key == (epoch, batch - 1):
                prev_mean, prev_count = self._run_mean, self._run_count
            else:
                prev_count = None
        self._run_key, self._run_mean, self._run_count = (epoch, batch), running, count
        if prev_count is None or count <= prev_count:
            return running  # a missed report: fall back to the running mean for this one
        return (running * count - prev_mean * prev_count) / (count - prev_count)

    def _on_epoch(self, v: dict[str, Any]) -> None:
        epoch = int(v.get("epoch", len(self._data["loss"][0])))
        if epoch <= self._last_epoch:
            return  # a repeated report must not add a second point for one epoch
        self._last_epoch = epoch
        if not self._metric:
            self._set_metric("accuracy" if "accuracy" in v else "mae")
        x = float(epoch + 1)  # plotted at the end of the epoch, in line with the batch curve
        scale = 100.0 if self._metric == "accuracy" else 1.0
        for key, src, s in (
            ("loss", "loss", 1.0),
            ("val_loss", "val_loss", 1.0),
            ("metric", self._metric, scale),
            ("val_metric", f"val_{self._metric}", scale),
            *((k, k, 1.0) for k in DISTILL_CURVES),
        ):
            if src in v:
                self._data[key][0].append(x)
                self._data[key][1].append(float(v[src]) * s)
        self._last.update({k: float(val) for k, val in v.items() if k != "epoch"})
        self._redraw()
        self._update_status()

    def _on_status(self, status: str) -> None:
        self._update_status()

    def _on_succeeded(self, result) -> None:
        ws = self.state.workspace
        if ws is None or ws is not self._job_ws:
            return  # the user opened another workspace meanwhile; the variant is in the old one
        self.state.notify_variants_changed()
        self.state.select_variant(_result_variant(result).name)

    def _on_failed(self, message: str, _details: str) -> None:
        what = "Distillation" if self._distilling else "Training"
        self._show_error(f"{what} failed: {message}  (details in the Jobs dock)")

    def _on_finished(self) -> None:
        self._redraw_timer.stop()
        self._clock.stop()
        self._redraw()
        self._set_running(False)
        self._update_status()

    # --- display ---------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _update_status(self) -> None:
        job = self.job
        if job is None:
            return
        n = self._epochs_total
        done = len(self._data["loss"][0])
        elapsed = _fmt_seconds(job.elapsed())
        vals = self._last_values_text()
        if job.status == QUEUED:
            text = "Queued: waiting for the jobs ahead of it to finish."
        elif job.status == RUNNING:
            if job.progress.cancelled:
                text = f"Cancelling after the current batch… ({done}/{n} epochs done, {elapsed} elapsed)"
            elif self._steps_per_epoch is None:
                text = f"Loading the data set… ({elapsed} elapsed)"
            elif not self._data["batch_loss"][0] and job.message:
                # Before the first batch: e.g. the teacher labelling its events; say what is going on.
                text = f"{html.escape(job.message)} ({elapsed} elapsed)"
            else:
                text = f"<b>Epoch {min(done + 1, n)}/{n}</b> · {elapsed} elapsed"
                if vals:
                    text += f" · {vals}"
        elif job.status == DONE and job.result is not None:
            name = _result_variant(job.result).name
            text = f"<b>Done</b>: {n}/{n} epochs in {elapsed} · {vals} · new variant <b>{name}</b>"
        elif job.status == CANCELLED:
            if job.result is not None:
                text = (
                    f"<b>Cancelled</b> after {_epochs_completed(job.result)} of {n} epochs ({elapsed}). "
                    f"The partly trained variant <b>{_result_variant(job.result).name}</b> was still "
                    "added, marked as cancelled."
                )
            else:
                text = "<b>Cancelled</b> before training started; no variant was added."
        elif job.status == FAILED:
            text = f"<b>Failed</b> after {elapsed}. The form is ready for another try."
        else:
            text = job.status
        self.status_label.setText(text)

    def _last_values_text(self) -> str:
        parts = []
        keys = [("loss", "loss"), ("val_loss", "val loss")]
        if self._distilling:
            keys += [("val_hard_loss", "val truth term"), ("val_distill_loss", "val teacher term")]
        for key, label in keys:
            if key in self._last:
                parts.append(f"{label} {_fmt(self._last[key])}")
        m = self._metric
        if m and f"val_{m}" in self._last:
            v = self._last[f"val_{m}"]
            parts.append(f"val {m} {100 * v:.1f} %" if m == "accuracy" else f"val {m} {_fmt(v)}")
        return " · ".join(parts)

    def _reset_curves(self, distill: bool = False) -> None:
        self._set_distill_display(distill)
        self._data = {k: ([], []) for k in CURVE_NAMES}
        self._last = {}
        self._last_epoch = -1
        self._ema = None
        self._steps_per_epoch = None
        self._n_train = self._batch_size = None
        self._run_key, self._run_mean, self._run_count = None, 0.0, 0
        self._metric = ""
        self.metric_plot.getPlotItem().setLabel("left", "metric")
        self._redraw()
        self.loss_plot.getPlotItem().enableAutoRange()
        self.metric_plot.getPlotItem().enableAutoRange()

    def _set_distill_display(self, distill: bool) -> None:
        """Show the loss terms of a distillation, or the plain-training look.

        Distillation: one colour per term (total, truth, teacher), validation dashed, and a
        legend of terms with one "dashed: validation" key. Plain training: train blue, validation
        vermilion dashed, as always.
        """
        self._distilling = distill
        items = self._items
        val_color = TRAIN_COLOR if distill else VAL_COLOR
        items["val_loss"].setPen(pg.mkPen(val_color, width=2, style=Qt.DashLine))
        items["val_loss"].setSymbolBrush(val_color)
        for key in DISTILL_CURVES:
            items[key].setVisible(distill)
        legend = self._loss_legend
        legend.clear()
        if distill:
            entries = [
                ("batch_loss", "total, per batch (EMA)"),
                ("loss", "total: α·truth + (1−α)·teacher"),
                ("hard_loss", "truth term (hard labels)"),
                ("distill_loss", "teacher term"),
            ]
        else:
            entries = [
                ("batch_loss", "train, per batch (EMA)"),
                ("loss", "train"),
                ("val_loss", "validation"),
            ]
        for key, name in entries:
            legend.addItem(items[key], name)
        if distill:
            legend.addItem(self._val_key, "dashed: validation")

    def is_distilling(self) -> bool:
        """Whether the run on show (running or last) is a distillation."""
        return self._distilling

    def _redraw_if_dirty(self) -> None:
        if self._dirty:
            self._redraw()

    def _redraw(self) -> None:
        self._dirty = False
        for key, item in self._items.items():
            xs, ys = self._data[key]
            x = np.asarray(xs, dtype=float)
            y = np.asarray(ys, dtype=float)
            item.setData(x, y)
            self._plotted[key] = (x, y)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is plotted, by name: ``loss``, ``val_loss``, ``batch_loss`` (EMA, x in fractional
        epochs), ``metric``, ``val_metric`` (accuracy in %, or the regression MAE), and for a
        distillation its loss terms ``hard_loss``, ``val_hard_loss``, ``distill_loss``,
        ``val_distill_loss`` (empty otherwise). x is in epochs."""
        self._redraw_if_dirty()
        return {k: (x.copy(), y.copy()) for k, (x, y) in self._plotted.items()}

    def metric_name(self) -> str:
        """The task metric on the second plot (``accuracy`` or ``mae``; empty before a run)."""
        return self._metric


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(TrainView, "TrigLab — train"))
