"""The Train view's form: what to train (variant, teacher, data set) and how (epochs, rate, ...).

The form knows the workspace's variants and data sets and turns itself into the keyword
arguments of :func:`core.train_jobs.train_job` / :func:`core.train_jobs.distill_job`
(:meth:`TrainForm.settings`), or shows such arguments (:meth:`TrainForm.apply_settings`, used
when the view follows a job another part of the app started).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QSize, Qt
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.palette import mute
from app.state import network_names
from core.train import OPTIMIZERS, SCHEDULES

CTX = "TrainForm"
OTHER_FILE = QT_TRANSLATE_NOOP("TrainForm", "Other file…")
NO_TEACHER = QT_TRANSLATE_NOOP("TrainForm", "— none (plain training) —")
SCHEDULE_NAMES = {
    "constant": QT_TRANSLATE_NOOP("TrainForm", "constant"),
    "cosine": QT_TRANSLATE_NOOP("TrainForm", "cosine"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


class _SciSpinBox(QDoubleSpinBox):
    """A spin box for learning rates: shows ``3e-04``-style numbers, steps by factors of ~2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # the text format below decides what is shown, not this
        self.setRange(1e-7, 10.0)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return self.locale().toString(float(value), "g", 3)  # "0,0003" in Italian

    def valueFromText(self, text: str) -> float:  # noqa: N802
        value, ok = self.locale().toDouble(text)
        if ok:
            return value
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        value, ok = self.locale().toDouble(text)
        if not ok:
            try:
                value, ok = float(text), True
            except ValueError:
                pass
        if not ok:
            allowed = "0123456789.eE-+" + self.locale().decimalPoint()
            fine = text == "" or all(c in allowed for c in text)
            return (QValidator.Intermediate if fine else QValidator.Invalid), text, pos
        ok = self.minimum() <= value <= self.maximum()
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


class TrainForm(QWidget):
    """The left column of the Train view: the run's settings, Start / Cancel, display options."""

    # The widgets the view (and scripts driving it) reach by name.
    WIDGETS = (
        "source_combo",
        "teacher_combo",
        "temperature_spin",
        "alpha_spin",
        "transfer_spin",
        "dataset_combo",
        "epochs_spin",
        "batch_spin",
        "lr_spin",
        "optimizer_combo",
        "schedule_combo",
        "seed_spin",
        "max_samples_spin",
        "name_edit",
        "start_btn",
        "cancel_btn",
        "log_y_check",
    )

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.running = False  # set by the view: a run on show is going on
        self._build_widgets()
        self._build_layout()
        self._on_teacher_changed()

    # --- construction ----------------------------------------------------------------------
    def _build_widgets(self) -> None:
        def combo(tip: str) -> QComboBox:
            c = QComboBox()
            c.setToolTip(tip)
            c.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(14)
            return c

        self.source_combo = combo(self.tr("The variant to start from; it is copied, never changed."))
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.teacher_combo = combo(
            self.tr(
                "Knowledge distillation: a trained variant whose outputs the new variant (a copy of "
                "'Start from', the student) learns to match, besides the truth."
            )
        )
        self.teacher_combo.addItem(_tr(NO_TEACHER), None)
        self.teacher_combo.currentIndexChanged.connect(self._on_teacher_changed)

        self.temperature_spin = QDoubleSpinBox()
        self.temperature_spin.setRange(0.5, 20.0)
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setSingleStep(0.5)
        self.temperature_spin.setValue(2.0)
        self.temperature_spin.setToolTip(
            self.tr(
                "Softening temperature T of the teacher's and student's softmax. Only used for "
                "classification; a regression student matches the teacher's outputs directly."
            )
        )
        self.alpha_spin = QDoubleSpinBox()
        self.alpha_spin.setRange(0.0, 1.0)
        self.alpha_spin.setDecimals(2)
        self.alpha_spin.setSingleStep(0.05)
        self.alpha_spin.setValue(0.2)
        self.alpha_spin.setToolTip(
            self.tr(
                "α: weight of the hard-label (truth) loss; the teacher term gets 1 − α. "
                "0 = learn from the teacher only, 1 = ignore the teacher."
            )
        )
        self.transfer_spin = QSpinBox()
        self.transfer_spin.setRange(0, 2_000_000)
        self.transfer_spin.setSingleStep(10_000)
        self.transfer_spin.setValue(0)
        self.transfer_spin.setGroupSeparatorShown(True)
        self.transfer_spin.setToolTip(
            self.tr(
                "Events the teacher labels, trained on besides the training set. Simulated data sets "
                "only (e.g. muon_rpc); their truth is not used."
            )
        )

        self.dataset_combo = combo(
            self.tr("Training and validation data. 'Other file…' reads a .npz or .h5 file.")
        )
        self.dataset_combo.setMinimumContentsLength(10)
        from core.data import list_datasets

        for info in list_datasets():
            self.dataset_combo.addItem(info.name, info.name)
            self.dataset_combo.setItemData(
                self.dataset_combo.count() - 1, f"{info.task}: {info.description}", Qt.ToolTipRole
            )
        self.dataset_combo.addItem(_tr(OTHER_FILE), None)
        self._dataset_index = 0
        self.dataset_combo.activated.connect(self._on_dataset_activated)
        self.dataset_combo.currentIndexChanged.connect(lambda _i: self._update_temperature_enabled())

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10_000)
        self.epochs_spin.setValue(10)
        self.epochs_spin.setToolTip(self.tr("Passes over the training data."))
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 65_536)
        self.batch_spin.setValue(32)
        self.batch_spin.setSuffix(" " + self.tr("samples"))
        self.batch_spin.setToolTip(self.tr("Samples per gradient step."))
        self.lr_spin = _SciSpinBox()
        self.lr_spin.setValue(1e-3)
        self.lr_spin.setToolTip(
            self.tr("Learning rate. Arrows step on a 1-2-5 log ladder; type any value (e.g. 3e-4).")
        )
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItems(list(OPTIMIZERS))  # names, as the CLI takes them
        self.optimizer_combo.setToolTip(self.tr("SGD uses momentum 0.9. Distillation always uses Adam."))
        self.schedule_combo = QComboBox()
        for key in SCHEDULES:
            self.schedule_combo.addItem(_tr(SCHEDULE_NAMES.get(key, key)), key)
        self.schedule_combo.setToolTip(
            self.tr(
                "Learning rate over the run: constant, or cosine (decays to 1/100 of it by the last "
                "epoch; settles quantized weights)."
            )
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(self.tr("Same seed, same machine: same result (deterministic kernels)."))
        self.max_samples_spin = QSpinBox()
        self.max_samples_spin.setRange(0, 100_000_000)
        self.max_samples_spin.setSpecialValueText(self.tr("all"))
        self.max_samples_spin.setToolTip(
            self.tr("Train on the first N samples only (quick trials); validation is full.")
        )
        self.max_samples_spin.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(self.tr("Name of the new variant (made unique if taken)."))

        self.start_btn = QPushButton(self.tr("Start training"))
        self.start_btn.setDefault(True)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setToolTip(
            self.tr("Stops after the current batch; the partly trained variant is kept.")
        )
        self.log_y_check = QCheckBox(self.tr("Log-scale loss axis"))
        self.log_y_check.setChecked(True)

    def _build_layout(self) -> None:
        form_box = QGroupBox(self.tr("Training run"))
        form = QFormLayout(form_box)
        self._form = form
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        # A long (translated) label puts its field on the next line instead of squeezing it.
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        for label, w in (
            (self.tr("Start from"), self.source_combo),
            (self.tr("Teacher"), self.teacher_combo),
            (self.tr("Temperature T"), self.temperature_spin),
            (self.tr("α (truth weight)"), self.alpha_spin),
            (self.tr("Events without truth"), self.transfer_spin),
            (self.tr("Data set"), self.dataset_combo),
            (self.tr("Epochs"), self.epochs_spin),
            (self.tr("Batch size"), self.batch_spin),
            (self.tr("Learning rate"), self.lr_spin),
            (self.tr("LR schedule"), self.schedule_combo),
            (self.tr("Optimizer"), self.optimizer_combo),
            (self.tr("Seed"), self.seed_spin),
            (self.tr("Max train samples"), self.max_samples_spin),
            (self.tr("New variant name"), self.name_edit),
        ):
            form.addRow(label, w)

        view_box = QGroupBox(self.tr("Display"))
        vl = QVBoxLayout(view_box)
        vl.addWidget(self.log_y_check)
        note = QLabel(
            self.tr(
                "Epoch points: the mean training loss over the epoch and the validation loss at its "
                "end. The faint line is the per-batch loss, smoothed (EMA, ~10 batches)."
            )
        )
        note.setWordWrap(True)
        mute(note)
        vl.addWidget(note)

        inner = QWidget()
        ll = QVBoxLayout(inner)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(form_box)
        ll.addWidget(view_box)
        ll.addStretch(1)
        inner.setMinimumWidth(250)
        inner.setMaximumWidth(340)
        # The form scrolls rather than make the window taller than a 768 px projector (the
        # distillation rows make it taller still).
        scroll = _FormScroll()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(250 + scroll.verticalScrollBar().sizeHint().width())
        scroll.setMaximumWidth(340)
        # Start / Cancel stay in sight below the scrolling form, however tall it gets.
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_btn, 1)
        buttons.addWidget(self.cancel_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)
        self.setMaximumWidth(340)

    # --- variants and teachers ---------------------------------------------------------------
    def fill_sources(self) -> None:
        """Refill 'Start from' and 'Teacher' from the workspace, keeping the choices that still exist."""
        ws = self.state.workspace
        self._fill_teachers()
        keep = self.source_combo.currentText()
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        if ws is not None:
            self.source_combo.addItems(network_names(ws))  # a baseline has no network to train
        cur = self.state.current.name if self.state.current is not None else None
        for want in (keep, cur):
            if want and self.source_combo.findText(want) >= 0:
                self.source_combo.setCurrentIndex(self.source_combo.findText(want))
                break
        self.source_combo.blockSignals(False)
        if self.source_combo.currentText() != keep:
            self._on_source_changed()

    def follow_variant(self, name: str) -> None:
        """Start from ``name`` (the current variant) unless a run is on."""
        if not self.running:
            i = self.source_combo.findText(name)
            if i >= 0 and i != self.source_combo.currentIndex():
                self.source_combo.setCurrentIndex(i)

    def _fill_teachers(self) -> None:
        """Every variant may teach; the choice is kept while it still exists."""
        ws = self.state.workspace
        keep = self.teacher_name()
        self.teacher_combo.blockSignals(True)
        self.teacher_combo.clear()
        self.teacher_combo.addItem(_tr(NO_TEACHER), None)
        if ws is not None:
            for name in network_names(ws):  # a baseline has no outputs to learn from
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
        self.optimizer_combo.setEnabled(not distill and not self.running)
        self.start_btn.setText(self.tr("Start distillation") if distill else self.tr("Start training"))
        self.teacher_combo.setToolTip(self.teacher_combo.currentText() if distill else "")
        self._update_name_placeholder()

    def _update_temperature_enabled(self) -> None:
        # T softens softmax outputs: a regression student matches the teacher's values directly.
        self.temperature_spin.setEnabled(not self.running and self.dataset_task() != "regression")

    def dataset_task(self) -> str | None:
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
        name = ws.unique_name(base)
        self.name_edit.setPlaceholderText(name)
        self.name_edit.setToolTip(
            self.tr("Name of the new variant (made unique if taken). Left empty: {0}").format(name)
        )

    def _on_source_changed(self, *_args) -> None:
        ws = self.state.workspace
        src = self.source_combo.currentText()
        self.source_combo.setToolTip(src)  # the whole name, if the box is too narrow for it
        self._update_name_placeholder()
        if ws is None or src not in ws.variants:
            return
        v = ws.variants[src]
        if v.dataset:
            self.select_dataset(v.dataset)

    # --- data sets -------------------------------------------------------------------------
    def select_dataset(self, ref: str) -> None:
        """Select a built-in set by name, or a user file by path (added to the list if new)."""
        i = self.dataset_combo.findData(ref)
        if i < 0:
            # A variant trained on a user file stores the file's stem; only a real path is usable.
            if not Path(ref).is_file():
                return
            self.set_dataset_file(ref)
            return
        self.dataset_combo.setCurrentIndex(i)
        self._dataset_index = i

    def set_dataset_file(self, path: str | Path) -> None:
        """Use a user data file (what 'Other file…' does after its dialog; tests call it directly)."""
        path = str(path)
        i = self.dataset_combo.findData(path)
        if i < 0:
            i = self.dataset_combo.count() - 1  # just before "Other file…"
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
            self,
            self.tr("Training data file"),
            start,
            self.tr("Data files (*.npz *.h5 *.hdf5);;All files (*)"),
        )
        if path:
            self.set_dataset_file(path)
        else:
            self.dataset_combo.setCurrentIndex(self._dataset_index)

    def dataset_ref(self) -> str | None:
        """The selected data set: a registered name or a file path."""
        return self.dataset_combo.currentData()

    # --- settings <-> job keyword arguments ------------------------------------------------------
    def set_running(self, running: bool, can_start: bool) -> None:
        """Lock the form while a run is on show; Start needs a workspace with a variant."""
        self.running = running
        self.start_btn.setEnabled(not running and can_start)
        self.cancel_btn.setEnabled(running)
        for name in self.WIDGETS[:-3]:
            getattr(self, name).setEnabled(not running)
        # Distillation compiles its own Adam: the optimizer choice would be ignored.
        self.optimizer_combo.setEnabled(not running and self.teacher_name() is None)
        self._update_temperature_enabled()

    def settings(self) -> dict[str, Any]:
        """The run's keyword arguments as the form shows them (the keys of :meth:`apply_settings`)."""
        teacher = self.teacher_name()
        out: dict[str, Any] = {
            "dataset_ref": self.dataset_ref(),
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "lr": float(self.lr_spin.value()),
            "seed": self.seed_spin.value(),
            "schedule": self.schedule_combo.currentData(),
            "variant_name": self.name_edit.text().strip() or None,
            "max_train_samples": self.max_samples_spin.value() or None,
        }
        if teacher is None:
            out["source"] = self.source_combo.currentText()
            out["optimizer"] = self.optimizer_combo.currentText()
        else:
            out["student"] = self.source_combo.currentText()
            out["teacher"] = teacher
            out["temperature"] = float(self.temperature_spin.value())
            out["alpha"] = float(self.alpha_spin.value())
            out["transfer_events"] = self.transfer_spin.value()
        return out

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Show a run's keyword arguments (those of ``train_job`` / ``distill_job``); missing keys
        keep the form's value, except the teacher (none given: plain training). A variant not (yet) in the workspace is shown by name all the same:
        a walkthrough step may create the variant it starts from inside its job."""
        source = settings.get("student", settings.get("source"))
        if source:
            if self.source_combo.findText(source) < 0:
                self.source_combo.addItem(source)
            self.source_combo.setCurrentIndex(self.source_combo.findText(source))
        if "teacher" in settings:
            teacher = settings["teacher"]
            if teacher and self.teacher_combo.findData(teacher) < 0:
                self.teacher_combo.addItem(teacher, teacher)
            self.set_teacher(teacher)
        else:
            self.set_teacher(None)  # a plain training run: no teacher
        ref = settings.get("dataset_ref")
        if ref:
            if self.dataset_combo.findData(str(ref)) >= 0:
                self.select_dataset(str(ref))
            else:
                self.set_dataset_file(ref)
        spins = {
            "epochs": self.epochs_spin,
            "batch_size": self.batch_spin,
            "seed": self.seed_spin,
            "transfer_events": self.transfer_spin,
        }
        for key, spin in spins.items():
            if settings.get(key) is not None:
                spin.setValue(int(settings[key]))
        for key, spin in (
            ("lr", self.lr_spin),
            ("temperature", self.temperature_spin),
            ("alpha", self.alpha_spin),
        ):
            if settings.get(key) is not None:
                spin.setValue(float(settings[key]))
        if "max_train_samples" in settings:
            self.max_samples_spin.setValue(int(settings["max_train_samples"] or 0))
        if "variant_name" in settings:
            self.name_edit.setText(settings["variant_name"] or "")
        if settings.get("optimizer") and self.optimizer_combo.findText(settings["optimizer"]) >= 0:
            self.optimizer_combo.setCurrentText(settings["optimizer"])
        if settings.get("schedule") and self.schedule_combo.findData(settings["schedule"]) >= 0:
            self.schedule_combo.setCurrentIndex(self.schedule_combo.findData(settings["schedule"]))

    @staticmethod
    def teacher_problem(ws, teacher: str, student: str) -> str:
        """Why ``teacher`` cannot teach ``student`` (empty if it can, as far as the form can tell).

        Output widths are left to core, which knows the data set (DistillationError).
        """
        if teacher not in ws.variants:
            return QCoreApplication.translate(
                "TrainForm", "The teacher '{0}' is no longer in the workspace; choose another one."
            ).format(teacher)
        if teacher == student:
            return QCoreApplication.translate(
                "TrainForm",
                "'{0}' cannot teach itself: choose a different teacher than the 'Start from' "
                "variant (the student), or '{1}'.",
            ).format(teacher, _tr(NO_TEACHER))
        t_ds, s_ds = ws.variants[teacher].dataset, ws.variants[student].dataset
        if t_ds and s_ds and t_ds != s_ds:
            return QCoreApplication.translate(
                "TrainForm",
                "The teacher '{0}' was made for the data set '{1}', the student '{2}' for '{3}': "
                "a teacher can only teach on its own data set.",
            ).format(teacher, t_ds, student, s_ds)
        return ""
